//! The outbox, webhook endpoints and their deliveries, and remembered idempotent requests.

use omnicanal_domain::DomainError;
use omnicanal_domain::events::{DomainEvent, EventType};

/// A remembered request for `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRow {
    /// Who sent it (a user id, or `public`).
    pub scope: String,
    /// The client's key.
    pub key: String,
    /// SHA-256 of method, path and body.
    pub request_hash: String,
    /// HTTP status of the first answer; 0 while it is being processed.
    pub status: i64,
    /// Body of the first answer.
    pub body: Option<String>,
    /// The resource the request created, linked in the same transaction.
    pub resource_id: Option<String>,
    /// Claim time (of the latest owner, when the claim was taken over).
    pub created_at_ms: i64,
    /// The process run that holds the claim (`boots.id`; 0 for claims older than boots).
    pub boot_id: i64,
    /// New for every claim (and takeover); the claim's later writes are made only while the
    /// row still carries it.
    pub claim_token: String,
}

impl IdempotencyRow {
    /// The handle its holder writes through.
    pub fn held(&self) -> HeldClaim {
        HeldClaim { scope: self.scope.clone(), key: self.key.clone(), claim_token: self.claim_token.clone() }
    }
}

/// A claim as its holder names it: the key, and the token that proves the claim is still its
/// own (a claim taken over by a retry has another token, so the late writes of the first
/// holder change nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldClaim {
    /// Who sent it.
    pub scope: String,
    /// The client's key.
    pub key: String,
    /// The holder's [`IdempotencyRow::claim_token`].
    pub claim_token: String,
}

/// An event to write into the outbox, in the transaction of the change it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Stable event id (the `webhook-id` of its deliveries).
    pub event_id: String,
    /// When it happened.
    pub created_at_ms: i64,
    /// What happened.
    pub event: DomainEvent,
}

/// An event written in the same transaction as the change it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Monotonic sequence number (SSE `id`).
    pub seq: i64,
    /// Stable event id (webhook-id).
    pub event_id: String,
    /// Its kind.
    pub event_type: EventType,
    /// The merchant concerned, for isolation.
    pub merchant_id: Option<String>,
    /// The order concerned.
    pub order_id: Option<String>,
    /// The location concerned.
    pub location_id: Option<String>,
    /// The SKU concerned.
    pub sku: Option<String>,
    /// The wire form of the payload (JSON), as the domain wrote it.
    pub payload_json: String,
    /// When.
    pub created_at_ms: i64,
}

impl OutboxRow {
    /// The event, read back from its wire form.
    pub fn event(&self) -> Result<DomainEvent, DomainError> {
        DomainEvent::decode(self.event_type, &self.payload_json)
    }
}

/// A webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    /// Opaque id.
    pub id: String,
    /// Only this merchant's events, or all for an admin's webhook.
    pub merchant_id: Option<String>,
    /// Where to POST.
    pub url: String,
    /// The event types it subscribes to.
    pub events: Vec<EventType>,
    /// `whsec_<base64>` signing secret.
    pub secret: String,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Creation time.
    pub created_at_ms: i64,
    /// Failed attempts since the last success.
    pub consecutive_failures: i64,
    /// Why it was disabled automatically, if it was.
    pub disabled_reason: Option<String>,
}

omnicanal_domain::named_enum! {
    /// Where one delivery of one event to one webhook stands.
    pub enum DeliveryState("state") {
        /// Waiting for its next attempt.
        Pending => "pending",
        /// The receiver answered 2xx. Final.
        Delivered => "delivered",
        /// Given up after every attempt failed (it can be redelivered by hand).
        Failed => "failed",
    }
}

/// A queued or finished delivery of one event to one webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    /// Opaque id.
    pub id: String,
    /// Target.
    pub webhook_id: String,
    /// Outbox sequence of the event.
    pub event_seq: i64,
    /// Stable event id, sent as `webhook-id`.
    pub event_id: String,
    /// Event type.
    pub event_type: EventType,
    /// Attempts so far.
    pub attempts: i64,
    /// HTTP status of the last attempt (0 when it did not connect).
    pub last_status: Option<i64>,
    /// Last error text.
    pub last_error: Option<String>,
    /// Where it stands.
    pub state: DeliveryState,
    /// When to try next.
    pub next_attempt_at_ms: i64,
    /// Creation time.
    pub created_at_ms: i64,
}

/// The outcome of one delivery attempt.
#[derive(Debug, Clone)]
pub struct DeliveryAttempt {
    /// Which delivery.
    pub delivery_id: String,
    /// Its webhook, whose failure count the attempt updates.
    pub webhook_id: String,
    /// Disable the webhook when its consecutive failures reach this many.
    pub disable_after_failures: i64,
    /// HTTP status, or None when it did not connect.
    pub status: Option<i64>,
    /// Error text.
    pub error: Option<String>,
    /// New state.
    pub state: DeliveryState,
    /// When to try again.
    pub next_attempt_at_ms: i64,
}
