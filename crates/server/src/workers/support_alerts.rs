//! The support desk's alert sender (issue 18 points 3 and 5): for every committed event that
//! pages the desk (`omnicanal_app::support::alerts::ALERT_EVENT_TYPES`), enqueues its
//! deliveries and makes them, retrying those that fail for a reason that may pass.
//!
//! - To the notification gateway (`OMNICANAL_NOTIFY_WEBHOOK_URL`, signed per Standard
//!   Webhooks) when one is configured: every alert (warnings, breaches, incidents), in Spanish
//!   and English.
//! - By Web Push to the agents on call (`omnicanal_app::support::on_call`; when nobody is on
//!   call, to every agent with a subscription): a breach and an incident opened, in the
//!   language the agent's browser subscribed with; a click opens the ticket (or the desk for
//!   an incident). A warning goes to the gateway only — the agent is paged when it matters.
//!
//! Each (event, target) is one delivery job whose insert is the claim across nodes; a failed
//! attempt (no connection, a 5xx) is tried again after 30 s, 2, 10 and 30 minutes on the app's
//! clock, and a delivered one never again. A push service's 404/410 forgets the subscription.
//! The app decides who is alerted and when to retry; this only renders, posts and pushes.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::App;
use omnicanal_app::clock::next_move;
use omnicanal_app::support::alerts::SupportAlert;
use omnicanal_domain::support::on_call::AlertAttempt;
use omnicanal_store::{OutboxRow, SupportAlertJobRow};
use tokio::sync::{broadcast, watch};

use crate::notify::SendError;
use crate::notify::gateway::GatewayPoster;
use crate::notify::web_push::{PushTarget, WebPushProvider};
use crate::web::i18n::Lang;

/// How often due retries are looked for (besides at once when a test moves the manual clock).
pub const RETRY_POLL: Duration = Duration::from_secs(5);
/// Deliveries attempted per pass.
pub const DELIVERIES_PER_PASS: i64 = 50;
/// The delivery target of the gateway.
pub const GATEWAY_TARGET: &str = "gateway";

/// What the sender posts and pushes with.
#[derive(Clone, Default)]
pub struct AlertChannels {
    /// The notification gateway, when configured.
    pub gateway: Option<Arc<GatewayPoster>>,
    /// Web Push, signed with the server's VAPID key.
    pub web_push: Option<Arc<WebPushProvider>>,
}

/// The title of an alert in `lang`, from the catalogs (`support.alert.<type>.title`).
fn title(alert: &SupportAlert, lang: Lang) -> String {
    let key = format!("support.alert.{}.title", alert.event_type.trim_start_matches("support."));
    let cause = alert.payload["cause"].as_str().unwrap_or_default();
    let cause_text = if cause.is_empty() { String::new() } else { lang.text(&format!("support.cause.{cause}"), &[]) };
    lang.text(&key, &[("cause", cause_text), ("location", alert.location_name.clone().unwrap_or_default())])
}

/// The text under the title of a pushed alert in `lang` (`support.alert.<type>.body`).
fn body(alert: &SupportAlert, lang: Lang) -> String {
    let key = format!("support.alert.{}.body", alert.event_type.trim_start_matches("support."));
    let number = alert.payload["number"].as_i64().map(|number| number.to_string()).unwrap_or_default();
    lang.text(&key, &[("number", number), ("location", alert.location_name.clone().unwrap_or_default())])
}

/// What the gateway receives for one alert.
pub fn gateway_data(alert: &SupportAlert) -> serde_json::Value {
    serde_json::json!({
        "kind": "support_alert",
        "event_type": alert.event_type,
        "event_id": alert.event_id,
        "merchant_id": alert.merchant_id,
        "location_id": alert.location_id,
        "title": title(alert, Lang::Es),
        "title_en": title(alert, Lang::En),
        "event": alert.payload,
    })
}

/// The page a click on a pushed alert opens: the ticket, or the desk for an incident.
pub fn open_path(alert: &SupportAlert) -> String {
    match alert.payload["ticket_id"].as_str() {
        Some(ticket) if ticket.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') => {
            format!("/support/tickets/{ticket}")
        }
        _ => "/support".to_owned(),
    }
}

/// What a push delivery keeps: both languages' texts, the page to open and the tag.
pub fn push_data(alert: &SupportAlert) -> serde_json::Value {
    serde_json::json!({
        "event_type": alert.event_type,
        "event_id": alert.event_id,
        "es": {"title": title(alert, Lang::Es), "body": body(alert, Lang::Es)},
        "en": {"title": title(alert, Lang::En), "body": body(alert, Lang::En)},
        "url": open_path(alert),
    })
}

/// What the agent's service worker receives (`event.data.json()`), in `language`.
fn push_message(data: &serde_json::Value, language: &str) -> String {
    let texts = &data[if language == "en" { "en" } else { "es" }];
    serde_json::json!({
        "kind": "support_alert",
        "event_type": data["event_type"],
        "event_id": data["event_id"],
        "title": texts["title"],
        "body": texts["body"],
        "lang": if language == "en" { "en" } else { "es" },
        // One tag per alert: a second device's copy, or a retry after a lost answer, replaces
        // the first on screen instead of alerting twice.
        "tag": format!("support:{}", data["event_id"].as_str().unwrap_or_default()),
        "url": data["url"],
    })
    .to_string()
}

/// Runs until `shutdown` turns true.
pub async fn run(
    app: App,
    channels: AlertChannels,
    mut events: broadcast::Receiver<Arc<OutboxRow>>,
    mut shutdown: watch::Receiver<bool>,
) {
    if channels.gateway.is_none() && channels.web_push.is_none() {
        return;
    }
    let mut clock_moved = app.clock().moved();
    loop {
        tokio::select! {
            received = events.recv() => match received {
                Ok(event) => enqueue(&app, &channels, &event).await,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "support alert sender fell behind the event stream");
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = tokio::time::sleep(RETRY_POLL) => {}
            _ = next_move(&mut clock_moved) => {}
            _ = shutdown.changed() => return,
        }
        deliver_due(&app, &channels).await;
    }
}

/// Enqueues an event's deliveries: the gateway's, and each alerted agent's push.
async fn enqueue(app: &App, channels: &AlertChannels, event: &OutboxRow) {
    let Some(alert) = app.support_alert_named(event).await else { return };
    if channels.gateway.is_some()
        && let Err(error) = app.enqueue_support_alert(&alert, GATEWAY_TARGET, &gateway_data(&alert)).await
    {
        tracing::warn!(event_id = %alert.event_id, %error, "a support alert could not be enqueued");
    }
    if channels.web_push.is_none() || !alert.pushed() {
        return;
    }
    let recipients = match app.support_alert_recipients().await {
        Ok(recipients) => recipients,
        Err(error) => {
            tracing::warn!(event_id = %alert.event_id, %error, "the on-call agents could not be read");
            return;
        }
    };
    let data = push_data(&alert);
    for user_id in recipients.agents.keys() {
        if let Err(error) = app.enqueue_support_alert(&alert, &format!("push:{user_id}"), &data).await {
            tracing::warn!(event_id = %alert.event_id, %error, "a support push could not be enqueued");
        }
    }
}

/// Makes the deliveries due now, each taken for one attempt, and records how each went.
async fn deliver_due(app: &App, channels: &AlertChannels) {
    let jobs = match app.take_due_support_alerts(DELIVERIES_PER_PASS).await {
        Ok(jobs) => jobs,
        Err(error) => {
            tracing::warn!(%error, "support alert deliveries could not be read; will retry");
            return;
        }
    };
    for job in jobs {
        let (outcome, error) = deliver(app, channels, &job).await;
        match app.finish_support_alert(&job, outcome, error.as_deref()).await {
            Ok(step) => {
                tracing::debug!(event_id = %job.event_id, target = %job.target, ?step, "support alert attempted")
            }
            Err(failure) => {
                tracing::warn!(event_id = %job.event_id, %failure, "a support alert's outcome was not kept")
            }
        }
        if let Some(error) = error {
            tracing::warn!(event_id = %job.event_id, target = %job.target, attempt = job.attempts, %error, "a support alert was not delivered");
        }
    }
}

/// One attempt of one delivery.
async fn deliver(app: &App, channels: &AlertChannels, job: &SupportAlertJobRow) -> (AlertAttempt, Option<String>) {
    let data: serde_json::Value = serde_json::from_str(&job.payload_json).unwrap_or(serde_json::Value::Null);
    let result = if job.target == GATEWAY_TARGET {
        match &channels.gateway {
            // One webhook-id per alert, whatever the attempt.
            Some(gateway) => gateway.post_as(&format!("msg_alert_{}", job.event_id), data).await,
            None => Err(SendError::Refused("no gateway is configured".into())),
        }
    } else if let Some(user_id) = job.target.strip_prefix("push:") {
        match &channels.web_push {
            Some(web_push) => push_to_agent(app, web_push, user_id, &data).await,
            None => Err(SendError::Refused("Web Push is not available".into())),
        }
    } else {
        Err(SendError::Refused(format!("unknown target {}", job.target)))
    };
    match result {
        Ok(()) => (AlertAttempt::Delivered, None),
        Err(error @ SendError::Transient(_)) => (AlertAttempt::Transient, Some(error.to_string())),
        Err(error) => (AlertAttempt::Refused, Some(error.to_string())),
    }
}

/// Pushes to each of an agent's browsers. Delivered when any browser got it; otherwise worth
/// a retry when any failure may pass. A gone subscription is forgotten.
async fn push_to_agent(
    app: &App,
    web_push: &WebPushProvider,
    user_id: &str,
    data: &serde_json::Value,
) -> Result<(), SendError> {
    let subscriptions = app
        .support_push_subscriptions_of(user_id)
        .await
        .map_err(|error| SendError::Transient(format!("the agent's subscriptions could not be read: {error}")))?;
    let mut last = SendError::Refused("the agent has no push subscription".into());
    let mut delivered = false;
    for subscription in &subscriptions {
        let target =
            PushTarget { endpoint: &subscription.endpoint, p256dh: &subscription.p256dh, auth: &subscription.auth };
        match web_push.send_payload(&target, push_message(data, &subscription.language)).await {
            Ok(()) => delivered = true,
            Err(SendError::Gone(status)) => {
                let removed = app.forget_support_push_endpoint(&subscription.endpoint).await.unwrap_or(0);
                tracing::info!(status, removed, "an agent's push subscription is gone; removed");
                if !matches!(last, SendError::Transient(_)) {
                    last = SendError::Gone(status);
                }
            }
            Err(error @ SendError::Transient(_)) => last = error,
            Err(error) => {
                if !matches!(last, SendError::Transient(_)) {
                    last = error;
                }
            }
        }
    }
    if delivered { Ok(()) } else { Err(last) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(event_type: &'static str, payload: serde_json::Value) -> SupportAlert {
        SupportAlert {
            event_id: "evt_1".into(),
            event_type,
            merchant_id: Some("mer_1".into()),
            location_id: Some("loc_1".into()),
            location_name: Some("Librería Centro".into()),
            payload,
        }
    }

    #[test]
    fn a_breach_opens_its_ticket_in_the_agents_language() {
        let breach = alert("support.sla_breached", serde_json::json!({"ticket_id": "tkt_9", "number": 12}));
        let data = push_data(&breach);
        let spanish: serde_json::Value = serde_json::from_str(&push_message(&data, "es")).unwrap_or_default();
        assert_eq!(spanish["url"], "/support/tickets/tkt_9");
        assert_eq!(spanish["lang"], "es");
        assert!(spanish["body"].as_str().unwrap_or_default().contains("n.º 12"), "{spanish}");
        let english: serde_json::Value = serde_json::from_str(&push_message(&data, "en")).unwrap_or_default();
        assert!(english["title"].as_str().unwrap_or_default().contains("missed its target"), "{english}");
        assert_eq!(english["tag"], "support:evt_1");
        let incident = alert("support.incident_opened", serde_json::json!({"cause": "print_failures"}));
        assert_eq!(open_path(&incident), "/support");
        let title = push_data(&incident)["es"]["title"].as_str().unwrap_or_default().to_owned();
        assert!(title.contains("Librería Centro") && !title.contains("loc_1"), "the store by its name: {title}");
        let odd = alert("support.sla_breached", serde_json::json!({"ticket_id": "../x"}));
        assert_eq!(open_path(&odd), "/support", "only an id becomes a path");
    }
}
