//! The till: devices, cash sessions and their cash movements, sales with their lines and
//! payments, receipt numbers given twice, and the stock conflicts offline sales open.

use omnicanal_domain::Currency;
use omnicanal_domain::pos::{CashDirection, SessionStatus, TenderMethod};

use super::NewEvent;

/// A registered till of a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosDeviceRow {
    /// Opaque id.
    pub id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// Where it sells.
    pub location_id: String,
    /// What the staff call it ("Caja 1").
    pub name: String,
    /// Its own receipt series (unique).
    pub receipt_series: String,
    /// Who registered it.
    pub created_by: Option<String>,
    /// When.
    pub created_at_ms: i64,
}

/// A cash session of a till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosSessionRow {
    /// Opaque id.
    pub id: String,
    /// The till.
    pub device_id: String,
    /// The till's merchant.
    pub merchant_id: String,
    /// The till's location.
    pub location_id: String,
    /// The currency of its cash (the site's).
    pub currency: Currency,
    /// Open or closed.
    pub status: SessionStatus,
    /// Cash counted when it opened.
    pub opening_float_minor: i64,
    /// Who opened it.
    pub opened_by: Option<String>,
    /// When.
    pub opened_at_ms: i64,
    /// At the close: what the drawer should have held.
    pub expected_cash_minor: Option<i64>,
    /// At the close: what was counted.
    pub counted_cash_minor: Option<i64>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// When.
    pub closed_at_ms: Option<i64>,
}

/// Cash put into or taken out of a till's drawer outside a sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosCashMovementRow {
    /// Opaque id.
    pub id: String,
    /// The open session.
    pub session_id: String,
    /// In or out.
    pub direction: CashDirection,
    /// How much (more than zero).
    pub amount_minor: i64,
    /// Why.
    pub reason: String,
    /// Who.
    pub created_by: Option<String>,
    /// When.
    pub created_at_ms: i64,
}

/// A till sale as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosSaleRow {
    /// The id the device made.
    pub id: String,
    /// The session it was sold in.
    pub session_id: String,
    /// The till.
    pub device_id: String,
    /// The till's merchant.
    pub merchant_id: String,
    /// The till's location.
    pub location_id: String,
    /// `<series>-<n>`.
    pub receipt_number: String,
    /// n.
    pub receipt_n: i64,
    /// Fingerprint of the body the device sent.
    pub request_hash: String,
    /// Sold while the till was offline.
    pub offline: bool,
    /// When the till sold it.
    pub sold_at_ms: i64,
    /// When the server recorded it.
    pub recorded_at_ms: i64,
    /// The sale's currency.
    pub currency: Currency,
    /// What the customer paid.
    pub total_minor: i64,
    /// Discounts in it.
    pub discount_minor: i64,
    /// Taxes in it.
    pub tax_minor: i64,
    /// Change given.
    pub change_minor: i64,
    /// The customer, as JSON, when one was attached.
    pub customer_json: Option<String>,
    /// Who sold it.
    pub created_by: Option<String>,
    /// The first answer (without its conflicts, which are read from their table).
    pub answer_json: String,
}

/// One line of a till sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosSaleLineRow {
    /// The SKU.
    pub sku: String,
    /// Units.
    pub quantity: i64,
    /// Unit price before discounts.
    pub unit_price_minor: i64,
    /// Discount on the line.
    pub discount_minor: i64,
    /// Tax in the line's total.
    pub tax_minor: i64,
    /// The line's total.
    pub total_minor: i64,
    /// Whether its stock is counted.
    pub track_stock: bool,
    /// The options chosen with their prices (JSON of `ChosenModifier`s), if any.
    pub modifiers_json: Option<String>,
    /// The line's note.
    pub note: Option<String>,
}

/// One payment of a till sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosPaymentRow {
    /// How.
    pub method: TenderMethod,
    /// What it paid of the total (cash net of change).
    pub amount_minor: i64,
    /// Cash handed over, when given.
    pub tendered_minor: Option<i64>,
    /// The terminal's approval or the typed-in reference.
    pub reference: Option<String>,
    /// The card's last four digits.
    pub card_last4: Option<String>,
}

/// Units of one SKU a sale takes off the shelf, with the ids its writes will carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosStockLine {
    /// The SKU (tracked).
    pub sku: String,
    /// Units sold.
    pub quantity: i64,
    /// Id of the sale movement.
    pub movement_id: String,
    /// Id of its `stock.changed` event.
    pub event_id: String,
    /// Id of the stock conflict, if the ledger lacks units.
    pub conflict_id: String,
}

/// A till sale to record in one transaction.
#[derive(Debug, Clone)]
pub struct NewPosSale {
    /// The sale.
    pub sale: PosSaleRow,
    /// Its lines.
    pub lines: Vec<PosSaleLineRow>,
    /// Its payments.
    pub payments: Vec<PosPaymentRow>,
    /// Tracked units per SKU, sorted by SKU.
    pub stock: Vec<PosStockLine>,
    /// Its `pos.sale_recorded` event, whose `conflicts` the store fills in.
    pub event: NewEvent,
    /// Coupon uses to count (never refused: the sale happened).
    pub redemptions: Vec<super::CouponRedemption>,
    /// Its manual discounts, voided lines and the approvals it uses.
    pub accounting: super::PosSaleAccounting,
}

/// What recording a till sale came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PosSaleOutcome {
    /// Recorded now, with the conflicts its shortfalls opened.
    Recorded(Vec<StockConflictRow>),
    /// A sale with this id was recorded before: it, and its conflicts.
    Existing(Box<PosSaleRow>, Vec<StockConflictRow>),
    /// The receipt number belongs to another sale of the device (its id).
    ReceiptTaken(String),
}

/// A receipt number a device gave a second sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptDuplicateRow {
    /// The till.
    pub device_id: String,
    /// n.
    pub receipt_n: i64,
    /// `<series>-<n>`.
    pub receipt_number: String,
    /// The sale recorded with it.
    pub sale_id: String,
    /// The sale refused for reusing it.
    pub refused_sale_id: String,
    /// When the reuse was refused.
    pub at_ms: i64,
}

/// Units a location sold that its ledger did not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockConflictRow {
    /// Opaque id.
    pub id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// Where.
    pub location_id: String,
    /// The SKU.
    pub sku: String,
    /// Units short.
    pub shortfall: i64,
    /// Why (`offline_sale_short`).
    pub cause: String,
    /// The sale that found it.
    pub sale_id: Option<String>,
    /// A live order holding units of the SKU there, which may no longer be served.
    pub order_id: Option<String>,
    /// `open` or `resolved`.
    pub status: String,
    /// When.
    pub created_at_ms: i64,
}

/// A session's figures, added up from its sales and cash movements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PosSessionTotals {
    /// Sales recorded.
    pub sales_count: i64,
    /// What they came to.
    pub total_minor: i64,
    /// Their discounts.
    pub discount_minor: i64,
    /// Their taxes.
    pub tax_minor: i64,
    /// Change given.
    pub change_minor: i64,
    /// Sales made offline.
    pub offline_count: i64,
    /// What each tender paid, by method (only methods used).
    pub by_method: Vec<(TenderMethod, i64)>,
    /// Cash put in.
    pub cash_in_minor: i64,
    /// Cash taken out.
    pub cash_out_minor: i64,
    /// Pay-at-pickup parts collected at the till in the session (not sales: counted apart).
    pub pickups_count: i64,
    /// What the collected parts came to.
    pub pickups_total_minor: i64,
    /// What each tender paid of the collected parts, by method (cash net of change).
    pub pickups_by_method: Vec<(TenderMethod, i64)>,
}
