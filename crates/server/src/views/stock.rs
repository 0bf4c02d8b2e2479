//! Stock levels as the API shows them.

use omnicanal_store::StockRow;
use serde::Serialize;
use utoipa::ToSchema;

/// A stock level.
#[derive(Debug, Serialize, ToSchema)]
pub struct StockView {
    /// SKU.
    pub sku: String,
    /// Location.
    pub location_id: String,
    /// Units present.
    pub on_hand: i64,
    /// Units promised to orders.
    pub reserved: i64,
    /// Units that can still be sold.
    pub available: i64,
}

impl From<StockRow> for StockView {
    fn from(row: StockRow) -> Self {
        Self {
            sku: row.sku,
            location_id: row.location_id,
            on_hand: row.on_hand,
            reserved: row.reserved,
            available: row.available,
        }
    }
}
