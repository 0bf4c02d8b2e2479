//! Webhook fan-out and delivery, at least once: retried with exponential backoff and jitter,
//! surviving restarts because both the queue and the fan-out mark live in the database.
//!
//! Fan-out ([`App::fan_out_webhook_events`]) turns each committed event into one delivery per
//! endpoint that subscribes to it and may see it, in one transaction with marking the event
//! fanned out. An attempt ([`App::attempt_webhook_delivery`]) claims a due delivery (so two
//! nodes never send it at once), builds the signed POST, hands it to a [`WebhookSender`] — the
//! server's HTTP client — and records what came of it: delivered, another attempt after a
//! growing delay, failed after [`MAX_ATTEMPTS`], and the endpoint switched off after
//! [`DISABLE_AFTER_FAILURES`] failures in a row. The `webhook-id` is the event id, stable
//! across retries, so receivers can drop duplicates. Before each POST the destination is judged
//! again by the outbound policy of the node that sends (see [`crate::outbound`]).

use std::collections::HashMap;

use async_trait::async_trait;
use omnicanal_domain::events::DomainEvent;
use omnicanal_store::{DeliveryAttempt, DeliveryRow, DeliveryState, OutboxRow, Page, WebhookRow};
use rand::Rng;

use crate::App;
use crate::error::AppResult;
use crate::ids::{new_id, rfc3339};
use crate::outbound::REFUSED_BY_POLICY;
use crate::signing::{secret_key, sign};

/// Attempts before a delivery is marked failed.
pub const MAX_ATTEMPTS: i64 = 12;
/// Failed attempts in a row (across deliveries) after which an endpoint is disabled.
pub const DISABLE_AFTER_FAILURES: i64 = 50;
/// Delay before the first retry; doubles each attempt.
pub const FIRST_RETRY_MS: i64 = 1_000;
/// Longest delay between attempts.
pub const MAX_RETRY_MS: i64 = 60 * 60 * 1_000;
/// How long a claimed delivery is reserved for the node attempting it (longer than a request).
pub const CLAIM_LEASE_MS: i64 = 30_000;
/// Events fanned out, or deliveries fetched, per batch.
pub const BATCH: i64 = 500;

/// Every endpoint, for the fan-out (disabled ones too: their deliveries wait for them).
const EVERY_WEBHOOK: Page = Page { limit: 10_000, offset: 0 };

/// One signed POST of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookPost {
    /// Where to.
    pub url: String,
    /// The `webhook-id` header: the event id.
    pub message_id: String,
    /// The `webhook-timestamp` header: seconds since the Unix epoch.
    pub timestamp_secs: i64,
    /// The `webhook-signature` header.
    pub signature: String,
    /// The JSON body: `{"type", "timestamp", "data"}`.
    pub body: String,
}

/// Why a POST did not count as delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostFailure {
    /// The receiver's HTTP status; none when it did not answer.
    pub status: Option<i64>,
    /// What happened, for the delivery log.
    pub error: String,
}

/// Sends a signed POST: the server's HTTP client, bounded in time, that follows no redirect
/// and connects only where the outbound policy allows ([`crate::outbound`]).
#[async_trait]
pub trait WebhookSender: Send + Sync {
    /// POSTs `post`; the receiver's 2xx status, or why it was not delivered — the receiver's
    /// status, or a neutral [`crate::outbound::REFUSED_BY_POLICY`] /
    /// [`crate::outbound::NO_HTTP_ANSWER`], never the network error itself.
    async fn post(&self, post: &WebhookPost) -> Result<i64, PostFailure>;
}

/// A delivery due now, with its endpoint (none when the endpoint was deleted).
#[derive(Debug, Clone)]
pub struct DueDelivery {
    /// The delivery.
    pub delivery: DeliveryRow,
    /// Its endpoint.
    pub webhook: Option<WebhookRow>,
}

impl App {
    /// Queues deliveries for one batch of events not yet fanned out; returns how many events
    /// it took (0 when none were waiting).
    pub async fn fan_out_webhook_events(&self) -> AppResult<usize> {
        let events = self.store.pending_fan_out(BATCH).await?;
        if events.is_empty() {
            return Ok(0);
        }
        let webhooks = self.store.list_webhooks(None, EVERY_WEBHOOK).await?;
        let now = self.now_ms();
        let mut deliveries = Vec::new();
        for event in &events {
            let merchants = event_merchants(event);
            for webhook in webhooks.iter().filter(|webhook| subscribes(webhook, event, &merchants)) {
                deliveries.push(DeliveryRow {
                    id: new_id("dlv"),
                    webhook_id: webhook.id.clone(),
                    event_seq: event.seq,
                    event_id: event.event_id.clone(),
                    event_type: event.event_type,
                    attempts: 0,
                    last_status: None,
                    last_error: None,
                    state: DeliveryState::Pending,
                    next_attempt_at_ms: now,
                    created_at_ms: now,
                });
            }
        }
        let seqs: Vec<i64> = events.iter().map(|event| event.seq).collect();
        self.store.enqueue_deliveries(&deliveries, &seqs).await?;
        Ok(events.len())
    }

    /// Deliveries due now (at most [`BATCH`]), each with its endpoint.
    pub async fn due_webhook_deliveries(&self) -> AppResult<Vec<DueDelivery>> {
        let due = self.store.due_deliveries(self.now_ms(), BATCH).await?;
        let mut webhooks: HashMap<String, Option<WebhookRow>> = HashMap::new();
        for delivery in &due {
            if !webhooks.contains_key(&delivery.webhook_id) {
                webhooks.insert(delivery.webhook_id.clone(), self.store.get_webhook(&delivery.webhook_id).await?);
            }
        }
        Ok(due
            .into_iter()
            .map(|delivery| DueDelivery { webhook: webhooks.get(&delivery.webhook_id).cloned().flatten(), delivery })
            .collect())
    }

    /// Makes one attempt at a due delivery: claims it (another node may have taken it since it
    /// was listed: then nothing is done), POSTs it through `sender` and records the outcome.
    pub async fn attempt_webhook_delivery(&self, due: &DueDelivery, sender: &dyn WebhookSender) -> AppResult<()> {
        let delivery = &due.delivery;
        if !self.store.claim_delivery(&delivery.id, self.now_ms(), CLAIM_LEASE_MS).await? {
            return Ok(());
        }
        let outcome = match self.webhook_post(due).await {
            // The node that sends judges the destination by its own allow-list: it may name
            // fewer hosts than the node that registered the endpoint. An IP literal never
            // reaches the client's resolver, so this check is the one that stops it.
            Ok(post) if self.outbound.check_url(&post.url).is_err() => {
                Err(PostFailure { status: None, error: REFUSED_BY_POLICY.to_owned() })
            }
            Ok(post) => sender.post(&post).await,
            Err(error) => Err(PostFailure { status: None, error }),
        };
        let attempt = attempt_outcome(delivery, outcome, self.now_ms());
        self.store.record_delivery_attempt(&attempt).await?;
        Ok(())
    }

    /// The signed POST of a delivery, or why it cannot be sent.
    async fn webhook_post(&self, due: &DueDelivery) -> Result<WebhookPost, String> {
        let webhook = due.webhook.as_ref().ok_or("the webhook no longer exists")?;
        let event = match self.store.get_outbox_event(due.delivery.event_seq).await {
            Ok(Some(event)) => event,
            Ok(None) => return Err("the event no longer exists".to_owned()),
            Err(error) => return Err(format!("could not read the event: {error}")),
        };
        let key = secret_key(&webhook.secret).ok_or("the webhook secret is not a whsec_ secret")?;
        let body = delivery_body(&event, webhook.merchant_id.as_deref())?;
        let timestamp_secs = self.now_ms() / 1000;
        let signature = sign(&key, &due.delivery.event_id, timestamp_secs, body.as_bytes());
        Ok(WebhookPost {
            url: webhook.url.clone(),
            message_id: due.delivery.event_id.clone(),
            timestamp_secs,
            signature,
            body,
        })
    }
}

/// The merchants an event concerns: its own, or every merchant with a part in an order.
fn event_merchants(event: &OutboxRow) -> Vec<String> {
    match event.event() {
        Ok(decoded) => decoded.merchants().into_iter().map(str::to_owned).collect(),
        Err(_) => event.merchant_id.iter().cloned().collect(),
    }
}

/// Whether an endpoint receives an event: it subscribes to the type and, for a merchant's
/// endpoint, the event concerns that merchant.
fn subscribes(webhook: &WebhookRow, event: &OutboxRow, merchants: &[String]) -> bool {
    webhook.events.contains(&event.event_type)
        && webhook.merchant_id.as_ref().is_none_or(|mine| merchants.contains(mine))
}

/// The body of a delivery: `{"type", "timestamp", "data"}`. A merchant's endpoint sees only its
/// own parts of a multi-merchant order, and not the order's total.
pub fn delivery_body(event: &OutboxRow, merchant_id: Option<&str>) -> Result<String, String> {
    let decoded = event.event().map_err(|error| format!("could not read the event: {error}"))?;
    let data = match (&decoded, merchant_id) {
        (DomainEvent::OrderCreated(created), Some(mine)) => created.narrowed_json(|part| part.merchant_id == mine),
        _ => event.payload_json.clone(),
    };
    let data: serde_json::Value =
        serde_json::from_str(&data).map_err(|error| format!("could not read the event: {error}"))?;
    Ok(serde_json::json!({
        "type": event.event_type,
        "timestamp": rfc3339(event.created_at_ms),
        "data": data,
    })
    .to_string())
}

/// What an attempt comes to: delivered, another attempt later, or failed for good.
fn attempt_outcome(delivery: &DeliveryRow, outcome: Result<i64, PostFailure>, now_ms: i64) -> DeliveryAttempt {
    let attempts = delivery.attempts + 1;
    let (status, error, state, next_attempt_at_ms) = match outcome {
        Ok(status) => (Some(status), None, DeliveryState::Delivered, now_ms),
        Err(PostFailure { status, error }) => {
            let state = if attempts >= MAX_ATTEMPTS { DeliveryState::Failed } else { DeliveryState::Pending };
            (status, Some(error), state, now_ms + retry_delay_ms(attempts))
        }
    };
    DeliveryAttempt {
        delivery_id: delivery.id.clone(),
        webhook_id: delivery.webhook_id.clone(),
        disable_after_failures: DISABLE_AFTER_FAILURES,
        status,
        error,
        state,
        next_attempt_at_ms,
    }
}

/// Exponential backoff with ±20 % jitter: 1 s, 2 s, 4 s, … up to an hour.
pub fn retry_delay_ms(attempts: i64) -> i64 {
    let exponent = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(20);
    let base = FIRST_RETRY_MS.saturating_mul(1_i64 << exponent).min(MAX_RETRY_MS);
    let jitter = rand::rng().random_range(-(base / 5)..=(base / 5));
    base + jitter
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnicanal_domain::Currency;
    use omnicanal_domain::Money;
    use omnicanal_domain::channel::Channel;
    use omnicanal_domain::events::{EventType, OrderCreated, PartSummary};
    use omnicanal_domain::fulfillment::FulfillmentStatus;

    #[test]
    fn backoff_doubles_and_is_capped() {
        for (attempts, base) in [(1, 1_000), (2, 2_000), (3, 4_000), (30, 3_600_000)] {
            let delay = retry_delay_ms(attempts);
            assert!(delay >= base - base / 5 && delay <= base + base / 5, "{attempts}: {delay}");
        }
    }

    fn order_of_two_merchants() -> OutboxRow {
        let part = |id: &str, merchant: &str| PartSummary {
            id: id.into(),
            merchant_id: merchant.into(),
            location_id: format!("loc_{merchant}"),
            status: FulfillmentStatus::Placed,
            subtotal: Money::new(1000, Currency::Clp),
        };
        let event = DomainEvent::OrderCreated(OrderCreated {
            order_id: "ord_1".into(),
            number: 1,
            site_id: "site_1".into(),
            channel: Channel::Qr,
            total: Money::new(2000, Currency::Clp),
            fulfillments: vec![part("ful_a", "mer_a"), part("ful_b", "mer_b")],
        });
        OutboxRow {
            seq: 1,
            event_id: "evt_1".into(),
            event_type: EventType::OrderCreated,
            merchant_id: None,
            order_id: Some("ord_1".into()),
            location_id: None,
            sku: None,
            payload_json: event.to_json(),
            created_at_ms: 1_700_000_000_000,
        }
    }

    #[test]
    fn a_merchants_endpoint_sees_only_its_part_of_an_order() {
        let event = order_of_two_merchants();
        assert_eq!(event_merchants(&event), ["mer_a", "mer_b"]);
        let body: serde_json::Value =
            serde_json::from_str(&delivery_body(&event, Some("mer_b")).unwrap_or_default()).unwrap_or_default();
        assert_eq!(body["type"], "order.created");
        assert_eq!(body["timestamp"], "2023-11-14T22:13:20.000Z");
        assert_eq!(body["data"]["fulfillments"].as_array().map(Vec::len), Some(1));
        assert_eq!(body["data"]["fulfillments"][0]["merchant_id"], "mer_b");
        assert!(body["data"].get("total").is_none(), "{body}");
        let whole: serde_json::Value =
            serde_json::from_str(&delivery_body(&event, None).unwrap_or_default()).unwrap_or_default();
        assert_eq!(whole["data"]["total"]["amount"], 2000, "the platform's endpoint sees the whole order");
    }

    #[test]
    fn failures_are_retried_until_the_last_attempt() {
        let delivery = DeliveryRow {
            id: "dlv_1".into(),
            webhook_id: "whk_1".into(),
            event_seq: 1,
            event_id: "evt_1".into(),
            event_type: EventType::OrderCreated,
            attempts: 0,
            last_status: None,
            last_error: None,
            state: DeliveryState::Pending,
            next_attempt_at_ms: 0,
            created_at_ms: 0,
        };
        let refused = || Err(PostFailure { status: Some(500), error: "the receiver answered 500".into() });
        let first = attempt_outcome(&delivery, refused(), 10_000);
        assert_eq!((first.state, first.status), (DeliveryState::Pending, Some(500)));
        assert!((10_800..=11_200).contains(&first.next_attempt_at_ms), "{}", first.next_attempt_at_ms);
        let last = attempt_outcome(&DeliveryRow { attempts: MAX_ATTEMPTS - 1, ..delivery.clone() }, refused(), 0);
        assert_eq!(last.state, DeliveryState::Failed);
        let delivered = attempt_outcome(&delivery, Ok(204), 5);
        assert_eq!(
            (delivered.state, delivered.error, delivered.next_attempt_at_ms),
            (DeliveryState::Delivered, None, 5)
        );
    }
}
