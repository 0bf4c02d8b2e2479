//! The support desk's alert sender (issue 18 points 3 and 5): for every committed event that
//! pages the desk (`omnicanal_app::support::alerts::ALERT_EVENT_TYPES`), claims it and posts it
//! to the notification gateway (`OMNICANAL_NOTIFY_WEBHOOK_URL`, signed per Standard Webhooks),
//! in Spanish and English. The app decides which events page and who sends; this only listens
//! and posts. A post that fails is logged (the claim is kept: an alert is better lost than sent
//! twice to a phone at 3 a.m.; the incident itself stays visible in the agents' list).

use std::sync::Arc;

use omnicanal_app::App;
use omnicanal_app::support::alerts::SupportAlert;
use omnicanal_store::OutboxRow;
use tokio::sync::{broadcast, watch};

use crate::notify::gateway::GatewayPoster;
use crate::web::i18n::Lang;

/// The title of an alert in `lang`, from the catalogs (`support.alert.<type>.title`).
fn title(alert: &SupportAlert, lang: Lang) -> String {
    let key = format!("support.alert.{}.title", alert.event_type.trim_start_matches("support."));
    let cause = alert.payload["cause"].as_str().unwrap_or_default();
    let cause_text = if cause.is_empty() { String::new() } else { lang.text(&format!("support.cause.{cause}"), &[]) };
    lang.text(&key, &[("cause", cause_text), ("location", alert.location_id.clone().unwrap_or_default())])
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

/// Runs until `shutdown` turns true; without a gateway configured there is nothing to post to.
pub async fn run(
    app: App,
    gateway: Option<Arc<GatewayPoster>>,
    mut events: broadcast::Receiver<Arc<OutboxRow>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let Some(gateway) = gateway else { return };
    loop {
        tokio::select! {
            received = events.recv() => match received {
                Ok(event) => alert_of(&app, &gateway, &event).await,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "support alert sender fell behind the event stream");
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = shutdown.changed() => return,
        }
    }
}

async fn alert_of(app: &App, gateway: &GatewayPoster, event: &OutboxRow) {
    let Some(alert) = App::support_alert_of(event) else { return };
    match app.claim_support_alert(&alert, "gateway").await {
        Ok(true) => {
            if let Err(error) = gateway.post(gateway_data(&alert)).await {
                tracing::warn!(event_id = %alert.event_id, %error, "a support alert did not reach the gateway");
            }
        }
        Ok(false) => {}
        Err(error) => tracing::warn!(event_id = %alert.event_id, %error, "a support alert could not be claimed"),
    }
}
