//! Rows of a stock conflict as the manager works it: the conflict with what explains it (the
//! sale that found it, the order that took the units) and how it was resolved.

use crate::rows::{NewEvent, StockConflictRow, StockMovementRow, TransferRow};

/// A stock conflict with the facts that explain it, read in one joined query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockConflictDetailRow {
    /// The conflict as it was opened.
    pub conflict: StockConflictRow,
    /// The sale's receipt number.
    pub receipt_number: Option<String>,
    /// When the till sold it.
    pub sold_at_ms: Option<i64>,
    /// When the sale reached the server.
    pub sale_recorded_at_ms: Option<i64>,
    /// The order's number.
    pub order_number: Option<i64>,
    /// The order's channel (`web`, `qr`, …).
    pub order_channel: Option<String>,
    /// When the order was placed.
    pub order_created_at_ms: Option<i64>,
    /// The order's part at the conflict's location.
    pub order_part_id: Option<String>,
    /// That part's status.
    pub order_part_status: Option<String>,
    /// When it was resolved.
    pub resolved_at_ms: Option<i64>,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// `count`, `transfer` or `cancel_order`.
    pub resolution: Option<String>,
    /// What the resolution did (movement ids, transfer, refund job), as JSON.
    pub resolution_json: Option<String>,
}

/// A count that resolves a conflict: on-hand becomes `counted`; the movement's delta is set
/// by the store from the on-hand it locks.
#[derive(Debug, Clone)]
pub struct ResolutionCount {
    /// The `count` movement (its delta is replaced).
    pub movement: StockMovementRow,
    /// Units on the shelf.
    pub counted: i64,
}

/// Everything one resolution writes, in one transaction.
#[derive(Debug, Clone)]
pub struct NewConflictResolution {
    /// The conflict.
    pub conflict_id: String,
    /// `count`, `transfer` or `cancel_order`.
    pub action: String,
    /// The user.
    pub resolved_by: String,
    /// When.
    pub resolved_at_ms: i64,
    /// A count of the shelf, for `count`.
    pub count: Option<ResolutionCount>,
    /// A transfer recorded as received at once, for `transfer`.
    pub transfer: Option<TransferRow>,
    /// Movements applied in order (transfer out, transfer in, the rest of the sale).
    pub movements: Vec<StockMovementRow>,
    /// What the resolution did, as JSON (kept on the conflict).
    pub resolution_json: String,
    /// Its `stock.conflict_resolved` event.
    pub event: NewEvent,
}

/// What resolving came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictResolveOutcome {
    /// Resolved now.
    Resolved,
    /// Someone resolved it before.
    AlreadyResolved,
    /// There is no such conflict.
    Missing,
}

/// A till sale recorded at the till's total although the engine priced it otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceDifferenceRow {
    /// The sale.
    pub sale_id: String,
    /// Its receipt number.
    pub receipt_number: String,
    /// When the till sold it.
    pub sold_at_ms: i64,
    /// What the customer paid.
    pub total_minor: i64,
    /// The till's total minus the engine's.
    pub price_difference_minor: i64,
    /// The sale's currency (ISO 4217).
    pub currency: String,
}
