//! Which notices are due, to whom, and the claims that make each go out once.
//!
//! Every node's worker sees every committed event, so each send is claimed first in the store
//! (one claim per notification and target): the node whose claim lands sends, the others
//! skip. Reminders and "still not accepted" notices are found by the clock — the app's, so a
//! test moves it instead of waiting — and claimed as a whole before their sends are.

use omnicanal_domain::Money;
use omnicanal_domain::events::DomainEvent;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::shipment::ShipmentStatus;
use omnicanal_store::{OutboxRow, PushSubscriptionRow, pickup_reminder_key, unaccepted_notice_key};

use super::language::Language;
use crate::App;
use crate::error::AppResult;

/// Parts ready for longer than this before their reminder fell due are not reminded any more
/// (after an outage, say): a reminder hours late is noise.
pub const REMINDER_WINDOW_MS: i64 = 12 * 60 * 60 * 1000;
/// Parts placed longer ago than this are not told "still not accepted" any more (after an
/// outage, or a limit lengthened by hours): the notice is about the wait now.
pub const UNACCEPTED_WINDOW_MS: i64 = 12 * 60 * 60 * 1000;
/// The claim target of a reminder (or notice) itself: its node then sends it to every target.
const DUE_TARGET: &str = "due";

/// Why the customer is notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    /// The part is waiting at the counter.
    Ready,
    /// The restaurant refused the part.
    Rejected,
    /// The part was cancelled (not accepted in time, or by the customer).
    Cancelled,
    /// The part has been ready for a while and is still not collected.
    PickupReminder,
    /// The restaurant has not accepted the part within the site's limit, and the site's policy
    /// is to tell the customer rather than cancel (`notify_only`).
    NotAccepted,
    /// An endless-aisle delivery moved: picked, packed, shipped (with its tracking reference)
    /// or delivered. Its cancellation is told as the part's `Cancelled`, with the refund.
    Shipment(ShipmentStatus),
}

impl NotificationKind {
    /// The stable name sent to gateways and service workers.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Ready => "ready",
            NotificationKind::Rejected => "rejected",
            NotificationKind::Cancelled => "cancelled",
            NotificationKind::PickupReminder => "pickup_reminder",
            NotificationKind::NotAccepted => "not_accepted",
            NotificationKind::Shipment(status) => match status {
                ShipmentStatus::Pending => "shipment_pending",
                ShipmentStatus::Picked => "shipment_picked",
                ShipmentStatus::Packed => "shipment_packed",
                ShipmentStatus::Shipped => "shipment_shipped",
                ShipmentStatus::Delivered => "shipment_delivered",
                ShipmentStatus::Cancelled => "shipment_cancelled",
            },
        }
    }

    /// What an event asks for: a part becoming `ready`, `rejected` or `cancelled`, and which.
    pub fn wanted(event: &OutboxRow) -> Option<(NotificationKind, String)> {
        if let Ok(DomainEvent::ShipmentStatusChanged(moved)) = event.event() {
            // A cancelled shipment's part is cancelled in the same transaction: told once, as that.
            return (moved.status != ShipmentStatus::Cancelled)
                .then_some((NotificationKind::Shipment(moved.status), moved.fulfillment_id));
        }
        let Ok(DomainEvent::FulfillmentStatusChanged(changed)) = event.event() else { return None };
        let kind = match changed.status {
            FulfillmentStatus::Ready => NotificationKind::Ready,
            FulfillmentStatus::Rejected => NotificationKind::Rejected,
            FulfillmentStatus::Cancelled => NotificationKind::Cancelled,
            _ => return None,
        };
        Some((kind, changed.fulfillment_id))
    }
}

/// Everything a notification about one part is made of: the facts its texts tell, the
/// customer's contact details, and the browsers subscribed on the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationPlan {
    /// Why.
    pub kind: NotificationKind,
    /// The order.
    pub order_id: String,
    /// The part.
    pub fulfillment_id: String,
    /// The part's restaurant (merchant) name.
    pub restaurant: String,
    /// The part's pickup code.
    pub pickup_code: String,
    /// What was refunded for the part, when something was.
    pub refunded: Option<Money>,
    /// The customer's phone, as given with the order.
    pub phone: Option<String>,
    /// The customer's e-mail, as given with the order.
    pub email: Option<String>,
    /// The browsers to push to.
    pub subscriptions: Vec<PushSubscriptionRow>,
    /// The language gateways (SMS, WhatsApp) write in: the one the customer chose on the order
    /// page, if they did.
    pub gateway_language: Language,
}

impl App {
    /// Parts whose pickup reminder falls due now (ready for `reminder_after_ms`), each claimed
    /// for this node; at most `limit`.
    pub async fn claim_due_pickup_reminders(&self, reminder_after_ms: i64, limit: i64) -> AppResult<Vec<String>> {
        let now = self.now_ms();
        let due_before = now - reminder_after_ms;
        let candidates =
            self.store.parts_due_pickup_reminder(due_before - REMINDER_WINDOW_MS, due_before, limit).await?;
        let mut claimed = Vec::with_capacity(candidates.len());
        for fulfillment_id in candidates {
            if self.store.claim_notification(&pickup_reminder_key(&fulfillment_id), DUE_TARGET, now).await? {
                claimed.push(fulfillment_id);
            }
        }
        Ok(claimed)
    }

    /// Parts at `notify_only` sites past their acceptance limit and still `placed`, each
    /// claimed for this node (at most `limit`): each is told once, by one node.
    pub async fn claim_due_unaccepted_notices(&self, limit: i64) -> AppResult<Vec<String>> {
        let now = self.now_ms();
        let candidates = self.store.parts_due_unaccepted_notice(now - UNACCEPTED_WINDOW_MS, now, limit).await?;
        let mut claimed = Vec::with_capacity(candidates.len());
        for fulfillment_id in candidates {
            if self.store.claim_notification(&unaccepted_notice_key(&fulfillment_id), DUE_TARGET, now).await? {
                claimed.push(fulfillment_id);
            }
        }
        Ok(claimed)
    }

    /// Claims the right to send notification `key` (an event id, or a reminder key) to
    /// `target`; false when a node claimed it before.
    pub async fn claim_notification_send(&self, key: &str, target: &str) -> AppResult<bool> {
        Ok(self.store.claim_notification(key, target, self.now_ms()).await?)
    }

    /// What to send about a part, or `None` when there is nothing to send any more: the part
    /// or its order is gone, a reminded part was collected meanwhile, or a part waiting for
    /// acceptance was answered meanwhile.
    pub async fn notification_plan(
        &self,
        kind: NotificationKind,
        fulfillment_id: &str,
    ) -> AppResult<Option<NotificationPlan>> {
        let Some(part) = self.store.get_fulfillment(fulfillment_id).await? else {
            return Ok(None);
        };
        let still_due = match kind {
            NotificationKind::PickupReminder => part.status == FulfillmentStatus::Ready,
            NotificationKind::NotAccepted => part.status == FulfillmentStatus::Placed,
            NotificationKind::Ready
            | NotificationKind::Rejected
            | NotificationKind::Cancelled
            | NotificationKind::Shipment(_) => true,
        };
        if !still_due {
            return Ok(None);
        }
        let Some(order) = self.store.get_order(&part.order_id).await? else {
            return Ok(None);
        };
        let restaurant = self.store.get_merchant(&part.merchant_id).await?.map(|m| m.name).unwrap_or_default();
        // A shipped notice's code is the carrier's tracking reference: what the customer
        // types at the carrier, as a pickup code is what they show at the counter.
        let pickup_code = match kind {
            NotificationKind::Shipment(_) => {
                let shipment = self.store.get_order_shipment(&part.order_id).await?;
                shipment.and_then(|shipment| shipment.tracking_reference).unwrap_or_default()
            }
            _ => part.pickup_code,
        };
        let subscriptions = self.store.list_push_subscriptions(&part.order_id).await?;
        let gateway_language =
            subscriptions.first().and_then(|first| Language::parse(&first.language)).unwrap_or(Language::Es);
        Ok(Some(NotificationPlan {
            kind,
            order_id: part.order_id,
            fulfillment_id: part.id,
            restaurant,
            pickup_code,
            refunded: (part.refunded_minor > 0).then(|| Money::new(part.refunded_minor, part.currency)),
            phone: order.order.customer_phone,
            email: order.order.customer_email,
            subscriptions,
            gateway_language,
        }))
    }

    /// Forgets every subscription with an endpoint its push service says is gone (a browser
    /// may follow several orders with it); returns how many.
    pub async fn forget_push_endpoint(&self, endpoint: &str) -> AppResult<u64> {
        Ok(self.store.delete_push_endpoint(endpoint).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnicanal_domain::events::{EventType, FulfillmentStatusChanged, StockChanged};

    fn outbox(event: DomainEvent) -> OutboxRow {
        OutboxRow {
            seq: 1,
            event_id: "evt_1".into(),
            event_type: event.event_type(),
            merchant_id: None,
            order_id: None,
            location_id: None,
            sku: None,
            payload_json: event.to_json(),
            created_at_ms: 0,
        }
    }

    fn moved(from: FulfillmentStatus, status: FulfillmentStatus) -> OutboxRow {
        outbox(DomainEvent::FulfillmentStatusChanged(FulfillmentStatusChanged {
            order_id: "ord_1".into(),
            fulfillment_id: "ful_1".into(),
            merchant_id: "mer_1".into(),
            location_id: "loc_1".into(),
            from,
            status,
            reason: None,
            prep_minutes: None,
            estimated_ready_at: None,
        }))
    }

    #[test]
    fn only_a_part_ready_rejected_or_cancelled_is_told() {
        use FulfillmentStatus::{Accepted, Cancelled, Placed, Preparing, Ready, Rejected};
        assert_eq!(NotificationKind::wanted(&moved(Preparing, Ready)), Some((NotificationKind::Ready, "ful_1".into())));
        assert_eq!(
            NotificationKind::wanted(&moved(Placed, Rejected)).map(|(kind, _)| kind),
            Some(NotificationKind::Rejected)
        );
        assert_eq!(
            NotificationKind::wanted(&moved(Placed, Cancelled)).map(|(kind, _)| kind),
            Some(NotificationKind::Cancelled)
        );
        assert_eq!(NotificationKind::wanted(&moved(Placed, Accepted)), None);
        let stock = outbox(DomainEvent::StockChanged(StockChanged::level("mer_1", "loc_1", "SKU", 1, 0)));
        assert_eq!(stock.event_type, EventType::StockChanged);
        assert_eq!(NotificationKind::wanted(&stock), None);
    }
}
