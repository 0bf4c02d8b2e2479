//! Webhook endpoints and their deliveries as the API shows them. The signing secret appears
//! only in [`WebhookWithSecretView`], the answer to creating an endpoint or rotating its secret;
//! lists and every other answer carry [`WebhookView`], which has no secret field at all.

use omnicanal_app::ids::rfc3339;
use omnicanal_domain::events::EventType;
use omnicanal_store::{DeliveryRow, DeliveryState, WebhookRow};
use serde::Serialize;
use utoipa::ToSchema;

/// A webhook endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    /// Opaque id.
    pub id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// Event types delivered.
    #[schema(value_type = Vec<String>)]
    pub events: Vec<EventType>,
    /// Only this merchant's events, when set.
    pub merchant_id: Option<String>,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Failed attempts since the last success.
    pub consecutive_failures: i64,
    /// Why it was disabled automatically, if it was.
    pub disabled_reason: Option<String>,
}

impl From<WebhookRow> for WebhookView {
    fn from(row: WebhookRow) -> Self {
        Self {
            events: row.events,
            id: row.id,
            url: row.url,
            merchant_id: row.merchant_id,
            enabled: row.enabled,
            consecutive_failures: row.consecutive_failures,
            disabled_reason: row.disabled_reason,
        }
    }
}

/// A webhook endpoint with its signing secret: shown once, when the endpoint is created and
/// when its secret is rotated.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecretView {
    /// The endpoint.
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// Signing secret (`whsec_<base64>`), per the Standard Webhooks specification. Keep it: it is
    /// not shown again (rotate it to get a new one).
    pub secret: String,
}

impl From<WebhookRow> for WebhookWithSecretView {
    fn from(mut row: WebhookRow) -> Self {
        let secret = std::mem::take(&mut row.secret);
        Self { webhook: row.into(), secret }
    }
}

/// One event's delivery to one webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// Delivery id.
    pub id: String,
    /// The event id, sent as `webhook-id`; stable across retries.
    pub event_id: String,
    /// Event type.
    #[schema(value_type = String, example = "order.created")]
    pub event_type: EventType,
    /// Attempts so far.
    pub attempts: i64,
    /// HTTP status of the last attempt (null when it did not connect or has not run).
    pub last_status: Option<i64>,
    /// What went wrong with the last attempt: the receiver's status, "destination refused by the
    /// outbound policy" or "no HTTP answer" (no more detail about the network).
    pub last_error: Option<String>,
    /// pending, delivered or failed.
    #[schema(value_type = String, example = "pending")]
    pub state: DeliveryState,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<String>,
}

impl From<DeliveryRow> for DeliveryView {
    fn from(row: DeliveryRow) -> Self {
        Self {
            next_attempt_at: (row.state == DeliveryState::Pending).then(|| rfc3339(row.next_attempt_at_ms)),
            id: row.id,
            event_id: row.event_id,
            event_type: row.event_type,
            attempts: row.attempts,
            last_status: row.last_status,
            last_error: row.last_error,
            state: row.state,
        }
    }
}
