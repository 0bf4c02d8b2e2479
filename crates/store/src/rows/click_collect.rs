//! Click & collect and pay-at-pickup changes (issue 17 points 4 and 5): a store's pick list,
//! a merchant's pickup settings, and the changes made to a part at the counter.

use omnicanal_domain::Currency;
use omnicanal_domain::payment::PaymentMethod;

use super::{FulfillmentRecord, LineRow, NewEvent};

/// One part on a store's pick list: the part with its lines and who collects it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickListRow {
    /// The part, with its lines.
    pub part: FulfillmentRecord,
    /// Its order's number, called out at the counter.
    pub order_number: i64,
    /// Who collects it.
    pub customer_name: String,
    /// Their phone, when given.
    pub customer_phone: Option<String>,
    /// How the order is paid.
    pub payment_method: PaymentMethod,
}

/// A SKU's barcode, for the pick list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuBarcodeRow {
    /// The SKU.
    pub sku: String,
    /// Its barcode, when the catalogue has one.
    pub barcode: Option<String>,
}

/// One line as a change records it (before or after).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChangedLine {
    /// The SKU.
    pub sku: String,
    /// Units.
    pub quantity: i64,
    /// Price of one.
    pub unit_price_minor: i64,
    /// What the line costs, discounts taken.
    pub total_minor: i64,
}

/// A change of a part at the counter, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupChangeRow {
    /// Opaque id.
    pub id: String,
    /// The part.
    pub fulfillment_id: String,
    /// Its order.
    pub order_id: String,
    /// The part's merchant.
    pub merchant_id: String,
    /// The part's location (the till's).
    pub location_id: String,
    /// The open session it was made in.
    pub session_id: Option<String>,
    /// The till.
    pub device_id: Option<String>,
    /// The cashier.
    pub created_by: Option<String>,
    /// When.
    pub created_at_ms: i64,
    /// The part's currency.
    pub currency: Currency,
    /// The part's total before.
    pub before_total_minor: i64,
    /// The part's total after, as the engine priced it.
    pub after_total_minor: i64,
    /// Given back to the card now.
    pub refund_minor: i64,
    /// Left to pay at the till when collecting.
    pub to_collect_minor: i64,
    /// The lines before.
    pub before: Vec<ChangedLine>,
    /// The lines after.
    pub after: Vec<ChangedLine>,
}

/// A change of a part to apply in one transaction: the part's new lines and totals, the stock
/// holds moved, the money owed, and the change's record.
#[derive(Debug, Clone)]
pub struct NewPickupChange {
    /// The record of the change.
    pub change: PickupChangeRow,
    /// How many changes the part had when the till read it: a part changed meanwhile is
    /// `StaleState`.
    pub expected_change_count: i64,
    /// The status the till saw (a part that moved meanwhile is `StaleState`).
    pub expected_status: omnicanal_domain::fulfillment::FulfillmentStatus,
    /// The part's new lines, as the engine priced them.
    pub lines: Vec<LineRow>,
    /// The part's new gross (before discounts).
    pub gross_minor: i64,
    /// The part's new discounts.
    pub discount_minor: i64,
    /// Of them, funded by the merchant.
    pub merchant_funded_minor: i64,
    /// Of them, funded by the site's operator.
    pub operator_funded_minor: i64,
    /// What the order's outstanding amount moves by (pay at pickup: the new total's
    /// difference; a card's extra is paid at the till, not owed on the order).
    pub outstanding_delta_minor: i64,
    /// Signed units per SKU to reserve (positive) or release (negative), sorted by SKU.
    pub stock_deltas: Vec<(String, i64)>,
    /// The order's payment reference, for a card refund's payment job.
    pub payment_reference: Option<String>,
    /// `payment.refunded` when a card is refunded part of what it paid.
    pub refund_event: Option<NewEvent>,
    /// Id prefix of the change's `stock.changed` events.
    pub event_id: String,
}
