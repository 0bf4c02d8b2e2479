//! Pay-at-pickup parts collected at a till: the collection (one per part, in the session that
//! took the money) and the tenders that paid it.

use omnicanal_domain::Currency;
use omnicanal_domain::pos::TenderMethod;

use super::{FulfillmentChange, NewEvent};

/// A part collected at a till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupCollectionRow {
    /// The part (a part is collected once).
    pub fulfillment_id: String,
    /// Its order.
    pub order_id: String,
    /// The open session that took the money.
    pub session_id: String,
    /// Its till.
    pub device_id: String,
    /// The part's merchant.
    pub merchant_id: String,
    /// The part's location (the till's).
    pub location_id: String,
    /// The part's currency.
    pub currency: Currency,
    /// What was owed and paid.
    pub amount_minor: i64,
    /// Cash given back.
    pub change_minor: i64,
    /// The cashier.
    pub created_by: Option<String>,
    /// When.
    pub created_at_ms: i64,
}

/// One tender of a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupPaymentRow {
    /// How.
    pub method: TenderMethod,
    /// What it paid of the amount owed (cash net of change).
    pub amount_minor: i64,
    /// Cash handed over.
    pub tendered_minor: Option<i64>,
    /// The terminal's reference or the external terminal's approval code.
    pub reference: Option<String>,
}

/// A collection to record in one transaction with the part's handover.
#[derive(Debug, Clone)]
pub struct NewPickupCollection {
    /// The collection.
    pub collection: PickupCollectionRow,
    /// Its tenders, in order.
    pub payments: Vec<PickupPaymentRow>,
    /// The part's move to `collected` (with its capture and stock sale), as any handover.
    pub change: FulfillmentChange,
    /// The session's `pos.session_changed` (`pickup_collected`).
    pub session_event: NewEvent,
    /// Paid at the till beyond what a card already paid (a card part changed at the counter
    /// to cost more, issue 17 point 5): added to the part's and order's captured amounts.
    pub extra_captured_minor: i64,
}
