//! The webhook worker: keeps time and makes the HTTP calls; every decision — which endpoints an
//! event goes to, what a merchant's endpoint may see, the signature, when to retry and when to
//! give up — is the use cases' (`omnicanal_app::webhooks::delivery`).
//!
//! It wakes when a commit wrote events, when a test moves the manual clock, and otherwise every
//! [`TICK`] (how events committed on another node and retries whose delay ran out are found).
//! Each wake drains the fan-out backlog in batches, then attempts the due deliveries, at most
//! [`CONCURRENT_DELIVERIES`] at a time, each POST bounded by [`REQUEST_TIMEOUT`], through the
//! outbound client ([`crate::outbound`]): no redirects, only addresses the policy allows, and
//! failures logged in neutral terms.

use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use omnicanal_app::App;
use omnicanal_app::clock::next_move;
use omnicanal_app::webhooks::{PostFailure, WebhookPost, WebhookSender};
use tokio::sync::watch;

use crate::state::AppState;

/// How often the worker looks for work when nothing wakes it.
pub const TICK: Duration = Duration::from_millis(200);
/// How long a wake-up by a commit waits for the commits that follow it: under load the fan-out
/// then handles many orders' events per pass instead of a write per order (issue 20).
pub const COALESCE: Duration = Duration::from_millis(50);
/// How long one POST may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries made at the same time.
pub const CONCURRENT_DELIVERIES: usize = 8;
/// Fan-out batches run per wake-up before deliveries get their turn.
const MAX_FAN_OUT_BATCHES_PER_TICK: usize = 20;

/// Runs until `shutdown` turns true.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let app = state.app;
    let sender = match crate::outbound::client(app.outbound_policy().clone(), REQUEST_TIMEOUT) {
        Ok(client) => HttpSender { client },
        Err(error) => {
            tracing::error!(%error, "webhook worker cannot build its HTTP client");
            return;
        }
    };
    let mut clock_moved = app.clock().moved();
    loop {
        tokio::select! {
            _ = app.signals().webhooks.notified() => tokio::time::sleep(COALESCE).await,
            _ = next_move(&mut clock_moved) => {}
            _ = tokio::time::sleep(TICK) => {}
            _ = shutdown.changed() => return,
        }
        fan_out(&app).await;
        deliver_due(&app, &sender).await;
    }
}

/// Drains the fan-out backlog in batches, so a burst of events never leaves webhooks behind.
async fn fan_out(app: &App) {
    for _ in 0..MAX_FAN_OUT_BATCHES_PER_TICK {
        match app.fan_out_webhook_events().await {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "webhook fan-out failed; will retry");
                break;
            }
        }
    }
}

/// Attempts every delivery due now, a few at a time.
async fn deliver_due(app: &App, sender: &HttpSender) {
    let due = match app.due_webhook_deliveries().await {
        Ok(due) => due,
        Err(error) => {
            tracing::warn!(%error, "webhook delivery pass failed; will retry");
            return;
        }
    };
    futures::stream::iter(due)
        .for_each_concurrent(CONCURRENT_DELIVERIES, |due| async move {
            if let Err(error) = app.attempt_webhook_delivery(&due, sender).await {
                tracing::warn!(%error, delivery_id = %due.delivery.id, "could not attempt a delivery");
            }
        })
        .await;
}

/// POSTs deliveries with the worker's HTTP client.
struct HttpSender {
    client: reqwest::Client,
}

#[async_trait]
impl WebhookSender for HttpSender {
    async fn post(&self, post: &WebhookPost) -> Result<i64, PostFailure> {
        let response = self
            .client
            .post(&post.url)
            .header("content-type", "application/json")
            .header("webhook-id", &post.message_id)
            .header("webhook-timestamp", post.timestamp_secs.to_string())
            .header("webhook-signature", &post.signature)
            .body(post.body.clone())
            .send()
            .await
            .map_err(|error| {
                // The cause stays in the server's log; the delivery log gets the neutral phrase.
                tracing::debug!(%error, "webhook POST got no HTTP answer");
                PostFailure { status: None, error: crate::outbound::failure_text(&error).to_owned() }
            })?;
        let status = i64::from(response.status().as_u16());
        if response.status().is_success() {
            Ok(status)
        } else {
            Err(PostFailure { status: Some(status), error: format!("the receiver answered {status}") })
        }
    }
}
