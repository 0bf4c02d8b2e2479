//! Domain events: what every other channel must hear of — an order placed, a part that moved,
//! money captured or given back, a stock level, a price — as one enum with one wire form.
//!
//! The store writes each event into the outbox in the transaction that makes the change (see
//! the store's `outbox` module); the dispatcher, the SSE streams, the webhooks and the
//! notifications read them back with [`DomainEvent::decode`]. Each payload struct *is* the
//! wire form (the `data` of a webhook, the `data:` of an SSE event), so the JSON is written in
//! exactly one place, and each event type's name exists once ([`EventType`]). Every payload
//! names the ids it concerns, from which the outbox's routing columns are derived
//! ([`DomainEvent::routing`]).

use serde::{Deserialize, Serialize};

use crate::channel::Channel;
use crate::fulfillment::FulfillmentStatus;
use crate::payment::PaymentMethod;
use crate::payment_job::PaymentJobKind;
use crate::time::optional_rfc3339;
use crate::{DomainError, Money};

crate::named_enum! {
    /// The name of each kind of event, as webhooks subscribe to it and SSE streams label it.
    pub enum EventType("event_type") {
        /// An order was placed.
        OrderCreated => "order.created",
        /// A part of an order changed status.
        FulfillmentStatusChanged => "fulfillment.status_changed",
        /// Money was taken: a card capture the provider confirmed, or a payment at the counter.
        PaymentCaptured => "payment.captured",
        /// Money is owed back to the customer (and queued to the provider).
        PaymentRefunded => "payment.refunded",
        /// A capture, refund or void failed for good and waits for a person.
        PaymentNeedsAttention => "payment.needs_attention",
        /// A stock level changed, or a SKU was switched sold out (or back).
        StockChanged => "stock.changed",
        /// A price list or a promotion changed.
        PriceChanged => "price.changed",
        /// A till recorded a sale (with any stock conflict its offline stock shortfall opened).
        PosSaleRecorded => "pos.sale_recorded",
        /// A till's cash session was opened, had cash put in or taken out, or was closed.
        PosSessionChanged => "pos.session_changed",
        /// A manager resolved a stock conflict (counted the shelf, transferred units in, or
        /// cancelled the order that could no longer be served).
        StockConflictResolved => "stock.conflict_resolved",
        /// An endless-aisle shipment moved (picked, packed, shipped with its tracking
        /// reference, delivered or cancelled).
        ShipmentStatusChanged => "shipment.status_changed",
        /// A support ticket was opened, answered or changed (issue 18).
        SupportTicketChanged => "support.ticket_changed",
        /// A ticket's running SLA clock passed 80 % of a target (once per target).
        SupportSlaWarning => "support.sla_warning",
        /// A ticket's running SLA clock passed a target (once per target).
        SupportSlaBreached => "support.sla_breached",
        /// The support desk's detector opened an incident at a store (issue 18 point 5).
        SupportIncidentOpened => "support.incident_opened",
        /// An incident's signal came back to normal and it closed.
        SupportIncidentClosed => "support.incident_closed",
        /// A table or an appointment was booked (issue 19).
        BookingCreated => "booking.created",
        /// A booking was cancelled and its time freed.
        BookingCancelled => "booking.cancelled",
        /// A booking moved (rescheduled, another table) or its status changed (confirmed after
        /// a hold, seated, completed, marked as a no-show, its hold expired).
        BookingChanged => "booking.changed",
    }
}

/// One part of a new order, as `order.created` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartSummary {
    /// The part (fulfilment) id.
    pub id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Its location.
    pub location_id: String,
    /// Its status (`placed` when the order is created).
    pub status: FulfillmentStatus,
    /// Its subtotal.
    pub subtotal: Money,
}

/// `order.created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCreated {
    /// The order.
    pub order_id: String,
    /// Its human-friendly number.
    pub number: i64,
    /// The site it was placed at.
    pub site_id: String,
    /// The channel it came through.
    pub channel: Channel,
    /// What the customer pays in all.
    pub total: Money,
    /// One part per location.
    pub fulfillments: Vec<PartSummary>,
}

impl OrderCreated {
    /// Keeps only the parts `keep` accepts, for a reader of one merchant or one location (the
    /// other merchants' parts are theirs alone). The order's total is dropped by the caller's
    /// view of the JSON ([`OrderCreated::narrowed_json`]).
    pub fn narrowed_json(&self, keep: impl Fn(&PartSummary) -> bool) -> String {
        #[derive(Serialize)]
        struct Narrowed<'a> {
            order_id: &'a str,
            number: i64,
            site_id: &'a str,
            channel: &'a Channel,
            fulfillments: Vec<&'a PartSummary>,
        }
        let narrowed = Narrowed {
            order_id: &self.order_id,
            number: self.number,
            site_id: &self.site_id,
            channel: &self.channel,
            fulfillments: self.fulfillments.iter().filter(|part| keep(part)).collect(),
        };
        serde_json::to_string(&narrowed).unwrap_or_default()
    }
}

/// `fulfillment.status_changed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfillmentStatusChanged {
    /// The order.
    pub order_id: String,
    /// The part.
    pub fulfillment_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Its location.
    pub location_id: String,
    /// The status it left.
    pub from: FulfillmentStatus,
    /// The status it is in now.
    pub status: FulfillmentStatus,
    /// Why, for a rejection or a lapsed hold.
    pub reason: Option<String>,
    /// The preparation time promised on acceptance.
    pub prep_minutes: Option<i64>,
    /// When the kitchen promised it ready.
    #[serde(with = "optional_rfc3339", default)]
    pub estimated_ready_at: Option<i64>,
}

/// `payment.refunded`: a part's money is owed back to the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRefunded {
    /// The order.
    pub order_id: String,
    /// The part refunded.
    pub fulfillment_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Its location.
    pub location_id: String,
    /// How much.
    pub amount: Money,
}

/// `payment.captured`: money was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentCaptured {
    /// The order.
    pub order_id: String,
    /// The part paid for, when it was paid at its counter (a card capture covers the order).
    pub fulfillment_id: Option<String>,
    /// That part's merchant.
    pub merchant_id: Option<String>,
    /// That part's location.
    pub location_id: Option<String>,
    /// How much.
    pub amount: Money,
    /// How it was paid.
    pub method: PaymentMethod,
}

/// `payment.needs_attention`: a provider operation failed for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentNeedsAttention {
    /// The payment job that gave up.
    pub job_id: String,
    /// What it was to do.
    pub kind: PaymentJobKind,
    /// The order.
    pub order_id: String,
    /// The part, for a refund.
    pub fulfillment_id: Option<String>,
    /// That part's merchant.
    pub merchant_id: Option<String>,
    /// How much.
    pub amount: Money,
    /// The provider's last answer.
    pub error: String,
}

/// `stock.changed`: a level after a change, or a sold-out switch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockChanged {
    /// The location's merchant.
    pub merchant_id: String,
    /// The SKU.
    pub sku: String,
    /// Where.
    pub location_id: String,
    /// Units present (null for a product that does not count stock).
    pub on_hand: Option<i64>,
    /// Units promised.
    pub reserved: Option<i64>,
    /// `on_hand − reserved`.
    pub available: Option<i64>,
    /// Present on a sold-out switch: true when switched off, false when back on sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sold_out: Option<bool>,
}

impl StockChanged {
    /// The event of a ledger change: the level after it.
    pub fn level(merchant_id: &str, location_id: &str, sku: &str, on_hand: i64, reserved: i64) -> Self {
        Self {
            merchant_id: merchant_id.to_owned(),
            sku: sku.to_owned(),
            location_id: location_id.to_owned(),
            on_hand: Some(on_hand),
            reserved: Some(reserved),
            available: Some(on_hand - reserved),
            sold_out: None,
        }
    }
}

crate::named_enum! {
    /// What was done to a price list or a promotion.
    pub enum ChangeAction("action") {
        /// It was created.
        Created => "created",
        /// It was replaced or switched.
        Updated => "updated",
        /// It was deleted.
        Deleted => "deleted",
    }
}

/// One price of a changed price list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedPrice {
    /// The SKU.
    pub sku: String,
    /// Its price in the list.
    pub price: Money,
}

/// `price.changed` for a price list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceListChanged {
    /// What happened.
    pub action: ChangeAction,
    /// The list.
    pub price_list_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Only for this channel, when set.
    pub channel: Option<Channel>,
    /// Only at this location, when set.
    pub location_id: Option<String>,
    /// Window start.
    #[serde(with = "optional_rfc3339", default)]
    pub valid_from: Option<i64>,
    /// Window end.
    #[serde(with = "optional_rfc3339", default)]
    pub valid_to: Option<i64>,
    /// Whether it is used.
    pub active: bool,
    /// Its prices.
    pub prices: Vec<ListedPrice>,
}

/// `price.changed` for a promotion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionChanged {
    /// What happened.
    pub action: ChangeAction,
    /// The promotion.
    pub promotion_id: String,
    /// Its merchant (null for a site-wide one).
    pub merchant_id: Option<String>,
    /// The site of a site-wide promotion.
    pub site_id: Option<String>,
    /// Its name.
    pub name: String,
    /// Whether it is used.
    pub active: bool,
}

/// `price.changed`: the `cause` says which kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum PriceChanged {
    /// A price list changed.
    PriceList(PriceListChanged),
    /// A promotion changed.
    Promotion(PromotionChanged),
}

/// One line of a till sale, as `pos.sale_recorded` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosSaleLine {
    /// The SKU.
    pub sku: String,
    /// Units sold.
    pub quantity: i64,
    /// The line's total after discounts.
    pub total: Money,
}

/// A stock conflict a till sale opened: units sold that the ledger did not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosConflictSummary {
    /// The conflict.
    pub id: String,
    /// The SKU.
    pub sku: String,
    /// Units sold beyond what the ledger had.
    pub shortfall: i64,
    /// Why (`offline_sale_short`).
    pub cause: String,
}

/// `pos.sale_recorded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosSaleRecorded {
    /// The sale (the id the device made).
    pub sale_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Its location.
    pub location_id: String,
    /// The till.
    pub device_id: String,
    /// The cash session.
    pub session_id: String,
    /// The device's receipt number.
    pub receipt_number: String,
    /// What the customer paid.
    pub total: Money,
    /// Whether the till sold it while offline.
    pub offline: bool,
    /// When the till sold it.
    #[serde(with = "crate::time::rfc3339_ms")]
    pub sold_at: i64,
    /// What was sold.
    pub lines: Vec<PosSaleLine>,
    /// Stock conflicts the sale opened.
    pub conflicts: Vec<PosConflictSummary>,
}

crate::named_enum! {
    /// What happened to a cash session.
    pub enum SessionAction("action") {
        /// Opened with a float.
        Opened => "opened",
        /// Cash put in.
        CashIn => "cash_in",
        /// Cash taken out.
        CashOut => "cash_out",
        /// Counted and closed.
        Closed => "closed",
        /// A pay-at-pickup part paid at this till (`amount`: the cash it left in the drawer).
        PickupCollected => "pickup_collected",
    }
}

/// `pos.session_changed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosSessionChanged {
    /// The session.
    pub session_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Its location.
    pub location_id: String,
    /// The till.
    pub device_id: String,
    /// What happened.
    pub action: SessionAction,
    /// The float opened with, or the cash moved.
    pub amount: Option<Money>,
    /// Why cash moved.
    pub reason: Option<String>,
    /// At a close: what the drawer should have held.
    pub expected_cash: Option<Money>,
    /// At a close: what was counted.
    pub counted_cash: Option<Money>,
    /// At a close: counted − expected.
    pub difference: Option<Money>,
}

/// `stock.conflict_resolved`: which of the manager's choices settled a stock conflict, and
/// what it left in the ledger and the books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockConflictResolved {
    /// The conflict.
    pub conflict_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Its location.
    pub location_id: String,
    /// The SKU.
    pub sku: String,
    /// Units that were short.
    pub shortfall: i64,
    /// `count`, `transfer` or `cancel_order`.
    pub action: String,
    /// Who resolved it (a user id).
    pub resolved_by: String,
    /// The stock movements the resolution recorded.
    pub movement_ids: Vec<String>,
    /// The transfer (for `transfer`).
    pub transfer_id: Option<String>,
    /// The order cancelled (for `cancel_order`).
    pub order_id: Option<String>,
    /// The refund queued for it, when money was owed back.
    pub refund_job_id: Option<String>,
}

/// `shipment.status_changed`: an endless-aisle delivery's step (issue 17 point 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentStatusChanged {
    /// The shipment.
    pub shipment_id: String,
    /// Its order.
    pub order_id: String,
    /// The order's part the shipment carries.
    pub fulfillment_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// The source location it ships from.
    pub location_id: String,
    /// Status before.
    pub from: crate::shipment::ShipmentStatus,
    /// Status now.
    pub status: crate::shipment::ShipmentStatus,
    /// The carrier's tracking reference, once shipped.
    pub tracking_reference: Option<String>,
}

crate::named_enum! {
    /// What happened to a support ticket.
    pub enum TicketChangeKind("change") {
        /// Opened by a store or an agent.
        Opened => "opened",
        /// Someone wrote on it (an agents' note included; its text is not in the event).
        Message => "message",
        /// Its status, priority, category or agent changed.
        Updated => "updated",
        /// Folded into another ticket.
        Merged => "merged",
    }
}

/// `support.ticket_changed`: a ticket moved; the desk's pages and the store's till refresh on it.
/// It never carries a message's text, so an agents' note cannot leak through a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportTicketChanged {
    /// The ticket.
    pub ticket_id: String,
    /// Its number on the desk.
    pub number: i64,
    /// The store's merchant.
    pub merchant_id: String,
    /// The store.
    pub location_id: String,
    /// What happened.
    pub change: TicketChangeKind,
    /// Its status now.
    pub status: crate::support::TicketStatus,
    /// Its priority now.
    pub priority: crate::support::TicketPriority,
}

crate::named_enum! {
    /// Which SLA target an alert is about.
    pub enum SlaTarget("target") {
        /// The first answer from the desk.
        FirstResponse => "first_response",
        /// The ticket's resolution.
        Resolution => "resolution",
    }
}

/// `support.sla_warning` and `support.sla_breached`: a ticket whose SLA clock runs passed 80 %
/// of a target, or the target itself. Each is written once per ticket and target (the
/// ticket's flag is claimed by a conditional update in the same transaction), so the alert
/// that pages the on-call agent fires once however many nodes watch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportSlaAlert {
    /// The ticket.
    pub ticket_id: String,
    /// Its number on the desk.
    pub number: i64,
    /// The store's merchant.
    pub merchant_id: String,
    /// The store.
    pub location_id: String,
    /// Which target.
    pub target: SlaTarget,
    /// When that target is due (RFC 3339).
    #[serde(with = "crate::time::rfc3339_ms")]
    pub due_at: i64,
}

/// Every event, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainEvent {
    /// `order.created`.
    OrderCreated(OrderCreated),
    /// `fulfillment.status_changed`.
    FulfillmentStatusChanged(FulfillmentStatusChanged),
    /// `payment.captured`.
    PaymentCaptured(PaymentCaptured),
    /// `payment.refunded`.
    PaymentRefunded(PaymentRefunded),
    /// `payment.needs_attention`.
    PaymentNeedsAttention(PaymentNeedsAttention),
    /// `stock.changed`.
    StockChanged(StockChanged),
    /// `price.changed`.
    PriceChanged(PriceChanged),
    /// `pos.sale_recorded`.
    PosSaleRecorded(PosSaleRecorded),
    /// `pos.session_changed`.
    PosSessionChanged(PosSessionChanged),
    /// `stock.conflict_resolved`.
    StockConflictResolved(StockConflictResolved),
    /// `shipment.status_changed`.
    ShipmentStatusChanged(ShipmentStatusChanged),
    /// `support.ticket_changed`.
    SupportTicketChanged(SupportTicketChanged),
    /// `support.sla_warning`.
    SupportSlaWarning(SupportSlaAlert),
    /// `support.sla_breached`.
    SupportSlaBreached(SupportSlaAlert),
    /// `support.incident_opened`.
    SupportIncidentOpened(crate::support::incidents::IncidentAnnounced),
    /// `support.incident_closed`.
    SupportIncidentClosed(crate::support::incidents::IncidentAnnounced),
    /// `booking.created`.
    BookingCreated(crate::bookings::booking::BookingAnnounced),
    /// `booking.cancelled`.
    BookingCancelled(crate::bookings::booking::BookingAnnounced),
    /// `booking.changed`.
    BookingChanged(crate::bookings::booking::BookingAnnounced),
}

/// The ids an event concerns, kept in the outbox's own columns so readers can filter without
/// parsing every payload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routing {
    /// The merchant (none for an order, which may span several).
    pub merchant_id: Option<String>,
    /// The order.
    pub order_id: Option<String>,
    /// The location.
    pub location_id: Option<String>,
    /// The SKU.
    pub sku: Option<String>,
}

impl DomainEvent {
    /// Its kind.
    pub fn event_type(&self) -> EventType {
        match self {
            DomainEvent::OrderCreated(_) => EventType::OrderCreated,
            DomainEvent::FulfillmentStatusChanged(_) => EventType::FulfillmentStatusChanged,
            DomainEvent::PaymentCaptured(_) => EventType::PaymentCaptured,
            DomainEvent::PaymentRefunded(_) => EventType::PaymentRefunded,
            DomainEvent::PaymentNeedsAttention(_) => EventType::PaymentNeedsAttention,
            DomainEvent::StockChanged(_) => EventType::StockChanged,
            DomainEvent::PriceChanged(_) => EventType::PriceChanged,
            DomainEvent::PosSaleRecorded(_) => EventType::PosSaleRecorded,
            DomainEvent::PosSessionChanged(_) => EventType::PosSessionChanged,
            DomainEvent::StockConflictResolved(_) => EventType::StockConflictResolved,
            DomainEvent::ShipmentStatusChanged(_) => EventType::ShipmentStatusChanged,
            DomainEvent::SupportTicketChanged(_) => EventType::SupportTicketChanged,
            DomainEvent::SupportSlaWarning(_) => EventType::SupportSlaWarning,
            DomainEvent::SupportSlaBreached(_) => EventType::SupportSlaBreached,
            DomainEvent::SupportIncidentOpened(_) => EventType::SupportIncidentOpened,
            DomainEvent::SupportIncidentClosed(_) => EventType::SupportIncidentClosed,
            DomainEvent::BookingCreated(_) => EventType::BookingCreated,
            DomainEvent::BookingCancelled(_) => EventType::BookingCancelled,
            DomainEvent::BookingChanged(_) => EventType::BookingChanged,
        }
    }

    /// The wire form: the payload as JSON.
    pub fn to_json(&self) -> String {
        let json = match self {
            DomainEvent::OrderCreated(event) => serde_json::to_string(event),
            DomainEvent::FulfillmentStatusChanged(event) => serde_json::to_string(event),
            DomainEvent::PaymentCaptured(event) => serde_json::to_string(event),
            DomainEvent::PaymentRefunded(event) => serde_json::to_string(event),
            DomainEvent::PaymentNeedsAttention(event) => serde_json::to_string(event),
            DomainEvent::StockChanged(event) => serde_json::to_string(event),
            DomainEvent::PriceChanged(event) => serde_json::to_string(event),
            DomainEvent::PosSaleRecorded(event) => serde_json::to_string(event),
            DomainEvent::PosSessionChanged(event) => serde_json::to_string(event),
            DomainEvent::StockConflictResolved(event) => serde_json::to_string(event),
            DomainEvent::ShipmentStatusChanged(event) => serde_json::to_string(event),
            DomainEvent::SupportTicketChanged(event) => serde_json::to_string(event),
            DomainEvent::SupportSlaWarning(event) => serde_json::to_string(event),
            DomainEvent::SupportSlaBreached(event) => serde_json::to_string(event),
            DomainEvent::SupportIncidentOpened(event) => serde_json::to_string(event),
            DomainEvent::SupportIncidentClosed(event) => serde_json::to_string(event),
            DomainEvent::BookingCreated(event) => serde_json::to_string(event),
            DomainEvent::BookingCancelled(event) => serde_json::to_string(event),
            DomainEvent::BookingChanged(event) => serde_json::to_string(event),
        };
        // Serialising plain structs of strings, numbers and enums cannot fail.
        json.unwrap_or_default()
    }

    /// Reads an event back from its kind and wire form.
    pub fn decode(event_type: EventType, json: &str) -> Result<DomainEvent, DomainError> {
        fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, DomainError> {
            serde_json::from_str(json).map_err(|error| DomainError::invalid("payload", error.to_string()))
        }
        Ok(match event_type {
            EventType::OrderCreated => DomainEvent::OrderCreated(parse(json)?),
            EventType::FulfillmentStatusChanged => DomainEvent::FulfillmentStatusChanged(parse(json)?),
            EventType::PaymentCaptured => DomainEvent::PaymentCaptured(parse(json)?),
            EventType::PaymentRefunded => DomainEvent::PaymentRefunded(parse(json)?),
            EventType::PaymentNeedsAttention => DomainEvent::PaymentNeedsAttention(parse(json)?),
            EventType::StockChanged => DomainEvent::StockChanged(parse(json)?),
            EventType::PriceChanged => DomainEvent::PriceChanged(parse(json)?),
            EventType::PosSaleRecorded => DomainEvent::PosSaleRecorded(parse(json)?),
            EventType::PosSessionChanged => DomainEvent::PosSessionChanged(parse(json)?),
            EventType::StockConflictResolved => DomainEvent::StockConflictResolved(parse(json)?),
            EventType::ShipmentStatusChanged => DomainEvent::ShipmentStatusChanged(parse(json)?),
            EventType::SupportTicketChanged => DomainEvent::SupportTicketChanged(parse(json)?),
            EventType::SupportSlaWarning => DomainEvent::SupportSlaWarning(parse(json)?),
            EventType::SupportSlaBreached => DomainEvent::SupportSlaBreached(parse(json)?),
            EventType::SupportIncidentOpened => DomainEvent::SupportIncidentOpened(parse(json)?),
            EventType::SupportIncidentClosed => DomainEvent::SupportIncidentClosed(parse(json)?),
            EventType::BookingCreated => DomainEvent::BookingCreated(parse(json)?),
            EventType::BookingCancelled => DomainEvent::BookingCancelled(parse(json)?),
            EventType::BookingChanged => DomainEvent::BookingChanged(parse(json)?),
        })
    }

    /// The ids the event concerns.
    pub fn routing(&self) -> Routing {
        let some = |id: &str| Some(id.to_owned());
        match self {
            DomainEvent::OrderCreated(event) => Routing { order_id: some(&event.order_id), ..Routing::default() },
            DomainEvent::FulfillmentStatusChanged(event) => Routing {
                merchant_id: some(&event.merchant_id),
                order_id: some(&event.order_id),
                location_id: some(&event.location_id),
                sku: None,
            },
            DomainEvent::PaymentCaptured(event) => Routing {
                merchant_id: event.merchant_id.clone(),
                order_id: some(&event.order_id),
                location_id: event.location_id.clone(),
                sku: None,
            },
            DomainEvent::PaymentRefunded(event) => Routing {
                merchant_id: some(&event.merchant_id),
                order_id: some(&event.order_id),
                location_id: some(&event.location_id),
                sku: None,
            },
            DomainEvent::PaymentNeedsAttention(event) => Routing {
                merchant_id: event.merchant_id.clone(),
                order_id: some(&event.order_id),
                ..Routing::default()
            },
            DomainEvent::StockChanged(event) => Routing {
                merchant_id: some(&event.merchant_id),
                order_id: None,
                location_id: some(&event.location_id),
                sku: some(&event.sku),
            },
            DomainEvent::PriceChanged(PriceChanged::PriceList(event)) => {
                Routing { merchant_id: some(&event.merchant_id), ..Routing::default() }
            }
            DomainEvent::PriceChanged(PriceChanged::Promotion(event)) => {
                Routing { merchant_id: event.merchant_id.clone(), ..Routing::default() }
            }
            DomainEvent::PosSaleRecorded(event) => Routing {
                merchant_id: some(&event.merchant_id),
                location_id: some(&event.location_id),
                ..Routing::default()
            },
            DomainEvent::PosSessionChanged(event) => Routing {
                merchant_id: some(&event.merchant_id),
                location_id: some(&event.location_id),
                ..Routing::default()
            },
            DomainEvent::StockConflictResolved(event) => Routing {
                merchant_id: some(&event.merchant_id),
                order_id: event.order_id.clone(),
                location_id: some(&event.location_id),
                sku: some(&event.sku),
            },
            DomainEvent::ShipmentStatusChanged(event) => Routing {
                merchant_id: some(&event.merchant_id),
                order_id: some(&event.order_id),
                location_id: some(&event.location_id),
                sku: None,
            },
            DomainEvent::SupportTicketChanged(event) => Routing {
                merchant_id: some(&event.merchant_id),
                location_id: some(&event.location_id),
                ..Routing::default()
            },
            DomainEvent::SupportSlaWarning(event) | DomainEvent::SupportSlaBreached(event) => Routing {
                merchant_id: some(&event.merchant_id),
                location_id: some(&event.location_id),
                ..Routing::default()
            },
            DomainEvent::SupportIncidentOpened(event) | DomainEvent::SupportIncidentClosed(event) => Routing {
                merchant_id: some(&event.merchant_id),
                location_id: some(&event.location_id),
                ..Routing::default()
            },
            DomainEvent::BookingCreated(event)
            | DomainEvent::BookingCancelled(event)
            | DomainEvent::BookingChanged(event) => Routing {
                merchant_id: some(&event.merchant_id),
                location_id: some(&event.location_id),
                ..Routing::default()
            },
        }
    }

    /// The merchants the event concerns: its own, or every merchant with a part in an order.
    pub fn merchants(&self) -> Vec<&str> {
        match self {
            DomainEvent::OrderCreated(event) => {
                let mut merchants: Vec<&str> =
                    event.fulfillments.iter().map(|part| part.merchant_id.as_str()).collect();
                merchants.sort_unstable();
                merchants.dedup();
                merchants
            }
            DomainEvent::FulfillmentStatusChanged(event) => vec![&event.merchant_id],
            DomainEvent::PaymentRefunded(event) => vec![&event.merchant_id],
            DomainEvent::StockChanged(event) => vec![&event.merchant_id],
            DomainEvent::PaymentCaptured(PaymentCaptured { merchant_id, .. })
            | DomainEvent::PaymentNeedsAttention(PaymentNeedsAttention { merchant_id, .. })
            | DomainEvent::PriceChanged(PriceChanged::Promotion(PromotionChanged { merchant_id, .. })) => {
                merchant_id.as_deref().into_iter().collect()
            }
            DomainEvent::PriceChanged(PriceChanged::PriceList(event)) => vec![&event.merchant_id],
            DomainEvent::PosSaleRecorded(event) => vec![&event.merchant_id],
            DomainEvent::PosSessionChanged(event) => vec![&event.merchant_id],
            DomainEvent::StockConflictResolved(event) => vec![&event.merchant_id],
            DomainEvent::ShipmentStatusChanged(event) => vec![&event.merchant_id],
            DomainEvent::SupportTicketChanged(event) => vec![&event.merchant_id],
            DomainEvent::SupportSlaWarning(event) | DomainEvent::SupportSlaBreached(event) => vec![&event.merchant_id],
            DomainEvent::SupportIncidentOpened(event) | DomainEvent::SupportIncidentClosed(event) => {
                vec![&event.merchant_id]
            }
            DomainEvent::BookingCreated(event)
            | DomainEvent::BookingCancelled(event)
            | DomainEvent::BookingChanged(event) => vec![&event.merchant_id],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn clp(amount: i64) -> Money {
        Money::new(amount, Currency::Clp)
    }

    fn samples() -> Vec<DomainEvent> {
        vec![
            DomainEvent::OrderCreated(OrderCreated {
                order_id: "ord_1".into(),
                number: 7,
                site_id: "site_1".into(),
                channel: Channel::Qr,
                total: clp(15_980),
                fulfillments: vec![PartSummary {
                    id: "ful_1".into(),
                    merchant_id: "mer_1".into(),
                    location_id: "loc_1".into(),
                    status: FulfillmentStatus::Placed,
                    subtotal: clp(15_980),
                }],
            }),
            DomainEvent::FulfillmentStatusChanged(FulfillmentStatusChanged {
                order_id: "ord_1".into(),
                fulfillment_id: "ful_1".into(),
                merchant_id: "mer_1".into(),
                location_id: "loc_1".into(),
                from: FulfillmentStatus::Placed,
                status: FulfillmentStatus::Accepted,
                reason: None,
                prep_minutes: Some(15),
                estimated_ready_at: Some(1_700_000_000_000),
            }),
            DomainEvent::StockChanged(StockChanged::level("mer_1", "loc_1", "SKU-1", 10, 3)),
            DomainEvent::PriceChanged(PriceChanged::Promotion(PromotionChanged {
                action: ChangeAction::Created,
                promotion_id: "pro_1".into(),
                merchant_id: None,
                site_id: Some("site_1".into()),
                name: "2x1".into(),
                active: true,
            })),
        ]
    }

    #[test]
    fn every_event_reads_back_as_it_was_written() {
        for event in samples() {
            assert_eq!(DomainEvent::decode(event.event_type(), &event.to_json()), Ok(event.clone()));
        }
    }

    #[test]
    fn the_wire_form_keeps_the_contract_fields() {
        let samples = samples();
        let created: serde_json::Value = serde_json::from_str(&samples[0].to_json()).unwrap_or_default();
        assert_eq!(created["total"], serde_json::json!({"amount": 15980, "currency": "CLP"}));
        assert_eq!(created["fulfillments"][0]["status"], "placed");
        let changed: serde_json::Value = serde_json::from_str(&samples[1].to_json()).unwrap_or_default();
        assert_eq!(changed["estimated_ready_at"], "2023-11-14T22:13:20.000Z");
        let stock: serde_json::Value = serde_json::from_str(&samples[2].to_json()).unwrap_or_default();
        assert_eq!(stock["available"], 7);
        assert!(stock.get("sold_out").is_none(), "a ledger change carries no sold_out: {stock}");
        let price: serde_json::Value = serde_json::from_str(&samples[3].to_json()).unwrap_or_default();
        assert_eq!(price["cause"], "promotion");
        assert_eq!(price["action"], "created");
    }

    #[test]
    fn narrowing_an_order_keeps_only_the_readers_parts_and_drops_the_total() {
        let samples = samples();
        let DomainEvent::OrderCreated(created) = &samples[0] else { return };
        let narrowed: serde_json::Value =
            serde_json::from_str(&created.narrowed_json(|part| part.location_id == "loc_2")).unwrap_or_default();
        assert_eq!(narrowed["fulfillments"], serde_json::json!([]));
        assert!(narrowed.get("total").is_none());
    }
}

#[cfg(test)]
mod sla_alert_tests {
    use super::*;

    #[test]
    fn an_sla_alert_reads_back_with_its_target_and_due_time() {
        let alert = SupportSlaAlert {
            ticket_id: "tkt_1".into(),
            number: 7,
            merchant_id: "mer_1".into(),
            location_id: "loc_1".into(),
            target: SlaTarget::FirstResponse,
            due_at: 1_700_000_000_000,
        };
        for event in [DomainEvent::SupportSlaWarning(alert.clone()), DomainEvent::SupportSlaBreached(alert)] {
            assert_eq!(DomainEvent::decode(event.event_type(), &event.to_json()), Ok(event.clone()));
            let json: serde_json::Value = serde_json::from_str(&event.to_json()).unwrap_or_default();
            assert_eq!(
                (json["target"].as_str(), json["due_at"].as_str()),
                (Some("first_response"), Some("2023-11-14T22:13:20.000Z"))
            );
            assert_eq!(event.routing().location_id.as_deref(), Some("loc_1"));
        }
    }
}
