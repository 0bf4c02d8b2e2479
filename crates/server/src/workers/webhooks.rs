//! Webhook fan-out and delivery: at least once, retried with exponential backoff and
//! jitter, surviving restarts because both the queue and the fan-out mark live in the database.
//!
//! Fan-out turns each outbox event into one delivery row per subscribed endpoint
//! (in one transaction with marking the event fanned out). Delivery POSTs due rows,
//! signed per Standard Webhooks; the `webhook-id` is the event id, stable across
//! retries so receivers can deduplicate.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt;
use omnicanal_store::{DeliveryAttempt, DeliveryRow, DeliveryState, OutboxRow, WebhookRow};
use rand::Rng;
use tokio::sync::watch;

use crate::ids::{new_id, now_ms, rfc3339};
use crate::state::AppState;
use omnicanal_app::signing::{secret_key, sign};

/// How often the worker looks for work.
pub const TICK: Duration = Duration::from_millis(200);
/// Attempts before a delivery is marked failed.
pub const MAX_ATTEMPTS: i64 = 12;
/// Failed attempts in a row (across deliveries) after which an endpoint is disabled.
pub const DISABLE_AFTER_FAILURES: i64 = 50;
/// Delay before the first retry; doubles each attempt.
pub const FIRST_RETRY: Duration = Duration::from_secs(1);
/// Longest delay between attempts.
pub const MAX_RETRY: Duration = Duration::from_secs(3600);
/// How long one POST may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery is reserved for the node attempting it (longer than a request).
const CLAIM_LEASE_MS: i64 = 30_000;
/// Deliveries made at the same time.
const CONCURRENT_DELIVERIES: usize = 8;
/// Events fanned out, or deliveries fetched, per batch.
const BATCH: i64 = 500;
/// Fan-out batches run per wake-up before deliveries get their turn.
const MAX_FAN_OUT_BATCHES_PER_TICK: usize = 20;

/// Runs until `shutdown` turns true.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let client = match reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "webhook worker cannot build its HTTP client");
            return;
        }
    };
    loop {
        tokio::select! {
            _ = state.app.signals().webhooks.notified() => {}
            _ = tokio::time::sleep(TICK) => {}
            _ = shutdown.changed() => return,
        }
        // Drain the backlog in batches so a burst of events never leaves webhooks behind.
        for _ in 0..MAX_FAN_OUT_BATCHES_PER_TICK {
            match fan_out(&state).await {
                Ok(0) => break,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "webhook fan-out failed; will retry");
                    break;
                }
            }
        }
        if let Err(error) = deliver_due(&state, &client).await {
            tracing::warn!(%error, "webhook delivery pass failed; will retry");
        }
    }
}

/// The merchants an event concerns: its own merchant, or for an order every merchant with a part in it.
fn event_merchants(event: &OutboxRow) -> Vec<String> {
    if let Some(merchant) = &event.merchant_id {
        return vec![merchant.clone()];
    }
    let payload: serde_json::Value = serde_json::from_str(&event.payload_json).unwrap_or_default();
    let parts = payload.get("fulfillments").and_then(|parts| parts.as_array()).cloned().unwrap_or_default();
    parts.iter().filter_map(|part| part.get("merchant_id").and_then(|m| m.as_str()).map(str::to_owned)).collect()
}

fn subscribes(webhook: &WebhookRow, event: &OutboxRow) -> bool {
    webhook.events.contains(&event.event_type)
        && webhook.merchant_id.as_ref().is_none_or(|mine| event_merchants(event).contains(mine))
}

/// Queues deliveries for a batch of events not yet fanned out; returns how many events it took.
pub async fn fan_out(state: &AppState) -> Result<usize, omnicanal_store::StoreError> {
    let events = state.store.pending_fan_out(BATCH).await?;
    if events.is_empty() {
        return Ok(0);
    }
    // Disabled endpoints get their deliveries queued too: they wait until it is enabled again.
    let every_webhook = omnicanal_store::Page { limit: 10_000, offset: 0 };
    let webhooks = state.store.list_webhooks(None, every_webhook).await?;
    let now = now_ms();
    let deliveries: Vec<DeliveryRow> = events
        .iter()
        .flat_map(|event| {
            webhooks.iter().filter(|webhook| subscribes(webhook, event)).map(move |webhook| DeliveryRow {
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
            })
        })
        .collect();
    let seqs: Vec<i64> = events.iter().map(|event| event.seq).collect();
    state.store.enqueue_deliveries(&deliveries, &seqs).await?;
    Ok(events.len())
}

async fn deliver_due(state: &AppState, client: &reqwest::Client) -> Result<(), omnicanal_store::StoreError> {
    let due = state.store.due_deliveries(now_ms(), BATCH).await?;
    if due.is_empty() {
        return Ok(());
    }
    let mut webhooks: HashMap<String, Option<WebhookRow>> = HashMap::new();
    for delivery in &due {
        if !webhooks.contains_key(&delivery.webhook_id) {
            webhooks.insert(delivery.webhook_id.clone(), state.store.get_webhook(&delivery.webhook_id).await?);
        }
    }
    futures::stream::iter(due)
        .for_each_concurrent(CONCURRENT_DELIVERIES, |delivery| {
            let webhook = webhooks.get(&delivery.webhook_id).cloned().flatten();
            async move {
                // Another node may have taken it since it was listed: each attempt is made once.
                match state.store.claim_delivery(&delivery.id, now_ms(), CLAIM_LEASE_MS).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(error) => {
                        tracing::warn!(%error, delivery_id = %delivery.id, "could not claim a delivery");
                        return;
                    }
                }
                let attempt = attempt_delivery(state, client, &delivery, webhook).await;
                if let Err(error) = state.store.record_delivery_attempt(&attempt).await {
                    tracing::warn!(%error, delivery_id = %delivery.id, "could not record a delivery attempt");
                }
            }
        })
        .await;
    Ok(())
}

/// Narrows an event's data to the parts `keep` accepts and drops the order's total, so a reader
/// of one merchant (or location) never sees what the others in a shared order sold. Data without
/// `fulfillments` is left alone.
pub fn keep_parts(data: &mut serde_json::Value, keep: impl Fn(&serde_json::Value) -> bool) {
    if let Some(object) = data.as_object_mut()
        && let Some(parts) = object.get_mut("fulfillments").and_then(|parts| parts.as_array_mut())
    {
        parts.retain(|part| keep(part));
        object.remove("total");
    }
}

/// The body of a delivery: `{"type", "timestamp", "data"}`. A merchant's endpoint sees only
/// its own parts of a multi-merchant order, and not the order's total.
pub fn delivery_body(event: &OutboxRow, merchant_id: Option<&str>) -> String {
    let mut data: serde_json::Value = serde_json::from_str(&event.payload_json).unwrap_or_default();
    if let Some(mine) = merchant_id {
        keep_parts(&mut data, |part| part.get("merchant_id").and_then(|m| m.as_str()) == Some(mine));
    }
    serde_json::json!({
        "type": event.event_type,
        "timestamp": rfc3339(event.created_at_ms),
        "data": data,
    })
    .to_string()
}

async fn attempt_delivery(
    state: &AppState,
    client: &reqwest::Client,
    delivery: &DeliveryRow,
    webhook: Option<WebhookRow>,
) -> DeliveryAttempt {
    let outcome = match (webhook, state.store.get_outbox_event(delivery.event_seq).await) {
        (Some(webhook), Ok(Some(event))) => post(client, &webhook, delivery, &event).await,
        (None, _) => Err((None, "the webhook no longer exists".to_owned())),
        (_, Ok(None)) => Err((None, "the event no longer exists".to_owned())),
        (_, Err(error)) => Err((None, format!("could not read the event: {error}"))),
    };
    let attempts = delivery.attempts + 1;
    match outcome {
        Ok(status) => DeliveryAttempt {
            delivery_id: delivery.id.clone(),
            webhook_id: delivery.webhook_id.clone(),
            disable_after_failures: DISABLE_AFTER_FAILURES,
            status: Some(status),
            error: None,
            state: DeliveryState::Delivered,
            next_attempt_at_ms: now_ms(),
        },
        Err((status, error)) => DeliveryAttempt {
            delivery_id: delivery.id.clone(),
            webhook_id: delivery.webhook_id.clone(),
            disable_after_failures: DISABLE_AFTER_FAILURES,
            status,
            error: Some(error),
            state: if attempts >= MAX_ATTEMPTS { DeliveryState::Failed } else { DeliveryState::Pending },
            next_attempt_at_ms: now_ms() + retry_delay_ms(attempts),
        },
    }
}

async fn post(
    client: &reqwest::Client,
    webhook: &WebhookRow,
    delivery: &DeliveryRow,
    event: &OutboxRow,
) -> Result<i64, (Option<i64>, String)> {
    let key = secret_key(&webhook.secret).ok_or((None, "the webhook secret is not a whsec_ secret".to_owned()))?;
    let body = delivery_body(event, webhook.merchant_id.as_deref());
    let timestamp = now_ms() / 1000;
    let signature = sign(&key, &delivery.event_id, timestamp, body.as_bytes());
    let response = client
        .post(&webhook.url)
        .header("content-type", "application/json")
        .header("webhook-id", &delivery.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|error| (None, format!("could not deliver: {error}")))?;
    let status = i64::from(response.status().as_u16());
    if response.status().is_success() {
        Ok(status)
    } else {
        Err((Some(status), format!("the receiver answered {status}")))
    }
}

/// Exponential backoff with ±20 % jitter: 1 s, 2 s, 4 s, … up to an hour.
pub fn retry_delay_ms(attempts: i64) -> i64 {
    let exponent = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(20);
    let base = FIRST_RETRY.as_millis().saturating_mul(1u128 << exponent).min(MAX_RETRY.as_millis());
    let base = i64::try_from(base).unwrap_or(i64::MAX);
    let jitter = rand::rng().random_range(-(base / 5)..=(base / 5));
    base + jitter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        for (attempts, base) in [(1, 1_000), (2, 2_000), (3, 4_000), (30, 3_600_000)] {
            let delay = retry_delay_ms(attempts);
            assert!(delay >= base - base / 5 && delay <= base + base / 5, "{attempts}: {delay}");
        }
    }
}
