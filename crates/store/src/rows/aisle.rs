//! Rows of the endless aisle (issue 17 point 7): an order sold on the clerk's tablet, how it
//! was paid there, and the shipment or transfers that bring it to the customer.

use omnicanal_domain::aisle::AisleFulfilment;
use omnicanal_domain::pos::TenderMethod;
use omnicanal_domain::shipment::{ShipmentStatus, TrackingReference};

use super::{FulfillmentChange, NewEvent, NewOrder, StockMovementRow, TransferRow};

/// What only the aisle knows of an order sold on a tablet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AisleOrderRow {
    /// The order (an ordinary `tablet` order).
    pub order_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// The till (in tablet mode) that sold it.
    pub device_id: String,
    /// The till's open session the cash went into.
    pub session_id: String,
    /// The store that sold it (and where a pickup here is collected).
    pub store_location_id: String,
    /// Where the units are held and leave from.
    pub source_location_id: String,
    /// The order's one part.
    pub fulfillment_id: String,
    /// Delivery or pickup here.
    pub mode: AisleFulfilment,
    /// A pickup here: the promised local day, `YYYY-MM-DD`.
    pub promised_date: Option<String>,
    /// A pickup here: the store's opening time that day, `HH:MM`.
    pub promised_from: Option<String>,
    /// A pickup here: when the units arrived at the store.
    pub received_at_ms: Option<i64>,
    /// Cash kept (net of change).
    pub cash_minor: i64,
    /// Charged on the till's terminal.
    pub card_minor: i64,
    /// Cash given back.
    pub change_minor: i64,
    /// Cash to give back after a cancellation (a card's refund is a payment job).
    pub cash_refund_owed_minor: i64,
    /// Who sold it.
    pub created_by: Option<String>,
    /// When.
    pub created_at_ms: i64,
}

/// One tender as applied at the tablet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AislePaymentRow {
    /// Cash, card (the till's terminal) or an external terminal.
    pub method: TenderMethod,
    /// What it paid of the total.
    pub amount_minor: i64,
    /// Cash handed over, when more than applied.
    pub tendered_minor: Option<i64>,
    /// The terminal's reference (a card's refund names it), an external approval code, or the
    /// credit account a gift card or store credit tender was spent from.
    pub reference: Option<String>,
}

/// An aisle order with its tenders and transfers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AisleOrderRecord {
    /// The aisle's row.
    pub aisle: AisleOrderRow,
    /// The tenders.
    pub payments: Vec<AislePaymentRow>,
    /// A pickup here: the transfers from the source to the store.
    pub transfer_ids: Vec<String>,
}

/// A delivery's shipment from the source location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRow {
    /// Opaque id.
    pub id: String,
    /// Its order.
    pub order_id: String,
    /// The order's part it carries.
    pub fulfillment_id: String,
    /// The merchant.
    pub merchant_id: String,
    /// The source location it leaves from (whose staff move it).
    pub location_id: String,
    /// Where it stands.
    pub status: ShipmentStatus,
    /// The carrier's reference, once shipped.
    pub tracking_reference: Option<String>,
    /// Who receives it.
    pub recipient_name: String,
    /// Their phone, for the carrier.
    pub recipient_phone: String,
    /// The address.
    pub address: omnicanal_domain::delivery::DeliveryAddress,
    /// Created.
    pub created_at_ms: i64,
    /// Last step.
    pub updated_at_ms: i64,
}

/// An aisle order to store in one transaction.
#[derive(Debug, Clone)]
pub struct NewAisleOrder {
    /// The `tablet` order whose part holds the units at the source.
    pub order: NewOrder,
    /// The aisle's row.
    pub aisle: AisleOrderRow,
    /// The tenders.
    pub payments: Vec<AislePaymentRow>,
    /// A delivery's shipment.
    pub shipment: Option<ShipmentRow>,
    /// A pickup here: the transfers, each with its `transfer_out` movement at the source. The
    /// part then moves to the store, its lines no longer held anywhere while in transit.
    pub transfers: Vec<(TransferRow, StockMovementRow)>,
    /// The session's `pos.session_changed` for the cash kept.
    pub session_event: Option<NewEvent>,
}

/// A gift card or store credit tender of an aisle order credited back to its account (the
/// ledger entry is keyed by the order and the tender's position, so it is given back once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AisleCreditRefund {
    /// The account the tender was spent from.
    pub account_id: String,
    /// The tender's position among the order's payments.
    pub position: usize,
    /// What it paid (minor units).
    pub amount_minor: i64,
    /// Who cancelled.
    pub by_user: Option<String>,
}

/// A shipment's step to apply in one transaction.
#[derive(Debug, Clone)]
pub struct ShipmentChange {
    /// The shipment.
    pub shipment_id: String,
    /// Its status now (the step applies only if it still is).
    pub from: ShipmentStatus,
    /// The new status.
    pub to: ShipmentStatus,
    /// The tracking reference (shipping).
    pub tracking: Option<TrackingReference>,
    /// The part's change: delivered sells the held units, cancelled releases them.
    pub part_change: Option<FulfillmentChange>,
    /// Card refunds owed (job id, terminal reference, amount), as payment jobs.
    pub card_refunds: Vec<(String, String, i64)>,
    /// Cash owed back after a cancellation.
    pub cash_refund_owed_minor: i64,
    /// Gift card and store credit tenders given back after a cancellation, each to the
    /// account it was spent from.
    pub credit_refunds: Vec<AisleCreditRefund>,
    /// The step's `shipment.status_changed`.
    pub event: NewEvent,
    /// When.
    pub now_ms: i64,
}

/// A pickup here received at the store, applied in one transaction.
#[derive(Debug, Clone)]
pub struct AisleReceipt {
    /// The order.
    pub order_id: String,
    /// The `transfer_in` movement of each transfer still in transit, by transfer id.
    pub movements: Vec<(String, StockMovementRow)>,
    /// The part's move to `ready` (the customer is told, with the pickup code).
    pub part_change: FulfillmentChange,
    /// When.
    pub now_ms: i64,
}
