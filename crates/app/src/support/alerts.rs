//! Alerts to support agents (issue 18 points 3 and 5): which committed events page the desk,
//! and what each alert says.
//!
//! The alert sender (the server's `workers::support_alerts`) hears every committed outbox event
//! on every node. For the types in [`ALERT_EVENT_TYPES`] — an incident opened here, an SLA
//! warning or breach written by the SLA module as `SupportSlaWarning`/`SupportSlaBreached` — it
//! asks [`App::support_alert_of`] what to say, then enqueues one delivery per target through
//! the on-call module (`on_call.rs`), whose insert is the claim across nodes and whose retries
//! carry the alert to the gateway and the on-call agents. The types are matched by their words,
//! so this module needs nothing from the SLA module's code to page for it.

use omnicanal_store::OutboxRow;

use crate::App;

/// The outbox event types that page the support desk.
pub const ALERT_EVENT_TYPES: [&str; 3] = ["support.incident_opened", "support.sla_warning", "support.sla_breached"];
/// The alerts that also page the on-call agent by Web Push: a breach and an incident. A
/// warning goes to the gateway only — the agent is woken when it matters, not before.
pub const PUSHED_ALERT_TYPES: [&str; 2] = ["support.sla_breached", "support.incident_opened"];

/// One alert to send: which event, for which store, and what it said.
#[derive(Debug, Clone, PartialEq)]
pub struct SupportAlert {
    /// The outbox event's id (the alert's idempotency key).
    pub event_id: String,
    /// Its type, one of [`ALERT_EVENT_TYPES`].
    pub event_type: &'static str,
    /// The store's merchant, when the event names one.
    pub merchant_id: Option<String>,
    /// The store, when the event names one.
    pub location_id: Option<String>,
    /// The store's name as its staff and the desk know it (its id when it cannot be read), so
    /// an alert never says "tienda loc_…".
    pub location_name: Option<String>,
    /// The event's own payload (its wire form).
    pub payload: serde_json::Value,
}

impl App {
    /// The alert an outbox event owes the desk, if its type is one that pages.
    pub fn support_alert_of(event: &OutboxRow) -> Option<SupportAlert> {
        let word = event.event_type.as_str();
        let event_type = ALERT_EVENT_TYPES.into_iter().find(|alert| *alert == word)?;
        Some(SupportAlert {
            event_id: event.event_id.clone(),
            event_type,
            merchant_id: event.merchant_id.clone(),
            location_id: event.location_id.clone(),
            location_name: event.location_id.clone(),
            payload: serde_json::from_str(&event.payload_json).unwrap_or(serde_json::Value::Null),
        })
    }

    /// [`App::support_alert_of`] with the store named by its name.
    pub async fn support_alert_named(&self, event: &OutboxRow) -> Option<SupportAlert> {
        let mut alert = App::support_alert_of(event)?;
        if let Some(location_id) = &alert.location_id
            && let Ok(Some(location)) = self.store.get_location(location_id).await
        {
            alert.location_name = Some(location.name);
        }
        Some(alert)
    }
}

impl SupportAlert {
    /// Whether the on-call agent is paged by Web Push for it (besides the gateway).
    pub fn pushed(&self) -> bool {
        PUSHED_ALERT_TYPES.contains(&self.event_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnicanal_domain::events::EventType;

    fn row(event_type: EventType) -> OutboxRow {
        OutboxRow {
            seq: 1,
            event_id: "evt_1".into(),
            event_type,
            merchant_id: Some("mer_1".into()),
            order_id: None,
            location_id: Some("loc_1".into()),
            sku: None,
            payload_json: r#"{"cause":"payment_declines"}"#.into(),
            created_at_ms: 0,
        }
    }

    #[test]
    fn only_the_desks_events_page_it() {
        let alert = App::support_alert_of(&row(EventType::SupportIncidentOpened));
        let alert = alert.map(|alert| (alert.event_type, alert.payload["cause"].clone()));
        assert_eq!(alert, Some(("support.incident_opened", serde_json::json!("payment_declines"))));
        assert_eq!(App::support_alert_of(&row(EventType::SupportIncidentClosed)), None);
        assert_eq!(App::support_alert_of(&row(EventType::OrderCreated)), None);
    }
}
