//! Who may follow which live stream, and what each follower is sent of every event.
//!
//! Three streams read the outbox: an order's status changes (its customer, or the staff of a
//! merchant in it), the stock feed (merchant users, narrowed to what they may see), and a
//! location's feed for its kitchen display. The decision is made once, when the stream opens,
//! and kept as a [`Follow`]; the server then sends each event through [`Follow::data_for`].
//! A location never sees another merchant's parts of a shared order, nor the order's total:
//! `order.created` is narrowed to its own part by the domain's one serializer.

use std::collections::HashSet;

use omnicanal_domain::access::Role;
use omnicanal_domain::events::{DomainEvent, EventType};
use omnicanal_store::OutboxRow;

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::fulfilment::Viewer;

/// What a stream's follower may see: decided when it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Follow {
    /// Status changes of these parts of one order.
    Order {
        /// The order.
        order_id: String,
        /// Its parts the follower may see.
        parts: HashSet<String>,
    },
    /// Stock changes the follower may see, optionally of one location or SKU.
    Stock {
        /// The follower.
        caller: Caller,
        /// Only this location.
        location_id: Option<String>,
        /// Only this SKU.
        sku: Option<String>,
    },
    /// Everything of one location: its orders (narrowed to its part), its parts' status
    /// changes, its stock and sold-out switches.
    Location {
        /// The location.
        location_id: String,
    },
    /// The support desk's ticket changes the follower may see: agents and admins every
    /// store's, a manager their merchant's, staff their own location's (issue 18).
    Support {
        /// The follower.
        caller: Caller,
    },
}

impl Follow {
    /// The data the follower is sent for `row` (the event's wire form, narrowed where it must
    /// be), or `None` when the event is not theirs.
    pub fn data_for(&self, row: &OutboxRow) -> Option<String> {
        match self {
            Follow::Order { order_id, parts } => {
                let concerns = row.event_type == EventType::FulfillmentStatusChanged
                    && row.order_id.as_deref() == Some(order_id.as_str())
                    && matches!(row.event(), Ok(DomainEvent::FulfillmentStatusChanged(change)) if parts.contains(&change.fulfillment_id));
                concerns.then(|| row.payload_json.clone())
            }
            Follow::Stock { caller, location_id, sku } => {
                let concerns = row.event_type == EventType::StockChanged
                    && location_id.as_ref().is_none_or(|wanted| row.location_id.as_ref() == Some(wanted))
                    && sku.as_ref().is_none_or(|wanted| row.sku.as_ref() == Some(wanted))
                    && sees_stock_of(caller, row);
                concerns.then(|| row.payload_json.clone())
            }
            Follow::Location { location_id } => location_data(row, location_id),
            Follow::Support { caller } => {
                let concerns = row.event_type == EventType::SupportTicketChanged && sees_stock_of(caller, row);
                concerns.then(|| row.payload_json.clone())
            }
        }
    }
}

/// Platform users see every stock change; others their merchant's, staff only their location's.
fn sees_stock_of(caller: &Caller, row: &OutboxRow) -> bool {
    caller.is_platform()
        || (row.merchant_id == caller.merchant_id
            && (caller.role != Role::Staff || row.location_id == caller.location_id))
}

/// What a location's display is sent of `row`: `order.created` narrowed to the location's own
/// part, its parts' status changes, its stock changes and its bookings' events as they are,
/// nothing else.
fn location_data(row: &OutboxRow, location_id: &str) -> Option<String> {
    let here = || row.location_id.as_deref() == Some(location_id);
    match row.event_type {
        EventType::FulfillmentStatusChanged | EventType::StockChanged => here().then(|| row.payload_json.clone()),
        EventType::OrderCreated => match row.event() {
            Ok(DomainEvent::OrderCreated(created))
                if created.fulfillments.iter().any(|part| part.location_id == location_id) =>
            {
                Some(created.narrowed_json(|part| part.location_id == location_id))
            }
            _ => None,
        },
        EventType::PaymentCaptured
        | EventType::PaymentRefunded
        | EventType::PaymentNeedsAttention
        | EventType::PriceChanged
        | EventType::PosSaleRecorded
        | EventType::PosSessionChanged
        | EventType::StockConflictResolved
        | EventType::ShipmentStatusChanged
        | EventType::SupportSlaWarning
        | EventType::SupportSlaBreached
        | EventType::SupportTicketChanged => None,
        EventType::SupportIncidentOpened | EventType::SupportIncidentClosed => None,
        // The staff's schedule follows its location's bookings live (issue 19 point 5); the
        // payload carries no customer name or contact (`BookingAnnounced`).
        EventType::BookingCreated | EventType::BookingCancelled | EventType::BookingChanged => {
            here().then(|| row.payload_json.clone())
        }
    }
}

impl App {
    /// Opens an order's stream: the customer (with the tracking token) and platform users
    /// follow every part, a merchant's staff only the parts they see; anyone else is told
    /// the order does not exist.
    pub async fn follow_order(&self, viewer: Viewer<'_>, order_id: &str) -> AppResult<Follow> {
        let order = self.store.get_order(order_id).await?.ok_or(AppError::NotFound("order"))?;
        let parts: HashSet<String> = if viewer.holds_token_of(&order.order) {
            order.fulfillments.iter().map(|part| part.id.clone()).collect()
        } else {
            let staff = viewer.staff.ok_or(AppError::NotFound("order"))?;
            let seen: HashSet<String> = order
                .fulfillments
                .iter()
                .filter(|part| staff.is_platform() || staff.sees_location(&part.merchant_id, &part.location_id))
                .map(|part| part.id.clone())
                .collect();
            if seen.is_empty() {
                return Err(AppError::NotFound("order"));
            }
            seen
        };
        Ok(Follow::Order { order_id: order.order.id, parts })
    }

    /// Opens the stock feed for a merchant user, optionally of one location (which they must
    /// see) or one SKU.
    pub async fn follow_stock(
        &self,
        caller: &Caller,
        location_id: Option<String>,
        sku: Option<String>,
    ) -> AppResult<Follow> {
        caller.require(&[Role::Admin, Role::MerchantManager, Role::Staff, Role::SupportAgent])?;
        if let Some(location_id) = &location_id {
            let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
            caller.check_location(&location.merchant_id, &location.id)?;
        }
        Ok(Follow::Stock { caller: caller.clone(), location_id, sku })
    }

    /// Opens the support desk's feed of ticket changes (any signed-in staff role; each sees
    /// only the tickets they may read).
    pub fn follow_support(&self, caller: &Caller) -> AppResult<Follow> {
        caller.require(&[Role::Admin, Role::SupportAgent, Role::MerchantManager, Role::Staff])?;
        Ok(Follow::Support { caller: caller.clone() })
    }

    /// Opens a location's feed (staff of the location, its merchant's managers, admins).
    pub async fn follow_location(&self, caller: &Caller, location_id: &str) -> AppResult<Follow> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        caller.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
        Ok(Follow::Location { location_id: location.id })
    }
}

#[cfg(test)]
mod tests {
    use omnicanal_domain::channel::Channel;
    use omnicanal_domain::events::{OrderCreated, PartSummary, StockChanged};
    use omnicanal_domain::fulfillment::FulfillmentStatus;
    use omnicanal_domain::{Currency, Money};

    use super::*;

    fn row(seq: i64, event: DomainEvent) -> OutboxRow {
        let routing = event.routing();
        OutboxRow {
            seq,
            event_id: format!("evt_{seq}"),
            event_type: event.event_type(),
            merchant_id: routing.merchant_id,
            order_id: routing.order_id,
            location_id: routing.location_id,
            sku: routing.sku,
            payload_json: event.to_json(),
            created_at_ms: 0,
        }
    }

    fn part(id: &str, merchant: &str, location: &str) -> PartSummary {
        PartSummary {
            id: id.into(),
            merchant_id: merchant.into(),
            location_id: location.into(),
            status: FulfillmentStatus::Placed,
            subtotal: Money::new(1_000, Currency::Clp),
        }
    }

    fn shared_order() -> OutboxRow {
        row(
            1,
            DomainEvent::OrderCreated(OrderCreated {
                order_id: "ord_1".into(),
                number: 7,
                site_id: "site_1".into(),
                channel: Channel::Qr,
                total: Money::new(2_000, Currency::Clp),
                fulfillments: vec![part("ful_a", "mer_a", "loc_a"), part("ful_b", "mer_b", "loc_b")],
            }),
        )
    }

    #[test]
    fn a_location_sees_only_its_own_part_of_a_shared_order_and_no_total() {
        let follow = Follow::Location { location_id: "loc_a".into() };
        let data = follow.data_for(&shared_order()).unwrap_or_default();
        let data: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
        assert_eq!(data["fulfillments"].as_array().map(Vec::len), Some(1));
        assert_eq!(data["fulfillments"][0]["id"], "ful_a");
        assert!(data.get("total").is_none());
        let elsewhere = Follow::Location { location_id: "loc_c".into() };
        assert_eq!(elsewhere.data_for(&shared_order()), None);
    }

    #[test]
    fn staff_follow_only_their_own_locations_stock() {
        let staff = Caller {
            id: "usr_1".into(),
            email: "a@b.c".into(),
            role: Role::Staff,
            merchant_id: Some("mer_a".into()),
            location_id: Some("loc_a".into()),
        };
        let follow = Follow::Stock { caller: staff, location_id: None, sku: None };
        let here = row(2, DomainEvent::StockChanged(StockChanged::level("mer_a", "loc_a", "SKU-1", 5, 1)));
        let next_door = row(3, DomainEvent::StockChanged(StockChanged::level("mer_a", "loc_z", "SKU-1", 5, 1)));
        assert_eq!(follow.data_for(&here), Some(here.payload_json.clone()));
        assert_eq!(follow.data_for(&next_door), None);
        assert_eq!(follow.data_for(&shared_order()), None);
    }

    #[test]
    fn a_location_feed_carries_its_own_bookings_for_the_staff_schedule() {
        use omnicanal_domain::bookings::booking::{BookingAnnounced, BookingStatus};
        let booked = row(
            4,
            DomainEvent::BookingCreated(BookingAnnounced {
                booking_id: "bkg_1".into(),
                merchant_id: "mer_a".into(),
                location_id: "loc_a".into(),
                resource_id: "res_1".into(),
                service_id: None,
                party_size: Some(2),
                start_at: 1_800_000_000_000,
                end_at: 1_800_005_400_000,
                status: BookingStatus::Confirmed,
            }),
        );
        assert_eq!(
            Follow::Location { location_id: "loc_a".into() }.data_for(&booked),
            Some(booked.payload_json.clone())
        );
        assert_eq!(Follow::Location { location_id: "loc_c".into() }.data_for(&booked), None);
    }
}
