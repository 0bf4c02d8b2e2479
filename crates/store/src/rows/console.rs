//! The merchant console's reads and switches: the live queue, sold-out SKUs, order search,
//! takings and the per-part settlement statement.

use omnicanal_domain::Currency;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::fulfillment::FulfillmentStatus;

use super::{FulfillmentRecord, OrderRow, Page, SettlementPartRow};

/// A part in a location's live queue, with its order's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    /// The order (channel, customer, pickup time, payment method).
    pub order: OrderRow,
    /// The part, with its lines.
    pub part: FulfillmentRecord,
}

/// A SKU switched to sold out at a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldOutRow {
    /// Where.
    pub location_id: String,
    /// Which SKU.
    pub sku: String,
    /// Since when.
    pub since_ms: i64,
    /// Who switched it.
    pub user_id: Option<String>,
}

/// A request to switch a SKU sold out or back at a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldOutSwitch {
    /// Where.
    pub location_id: String,
    /// The location's merchant (for the event).
    pub merchant_id: String,
    /// Which SKU (a variant of the merchant).
    pub sku: String,
    /// True: sold out; false: back on sale.
    pub sold_out: bool,
    /// Whether the product counts stock: the event carries the level only then.
    pub track_stock: bool,
    /// Who.
    pub user_id: Option<String>,
    /// When.
    pub now_ms: i64,
    /// Id of the `stock.changed` event.
    pub event_id: String,
}

/// What to look for among a merchant's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderSearch {
    /// The merchant.
    pub merchant_id: String,
    /// Only this location.
    pub location_id: Option<String>,
    /// Only this status.
    pub status: Option<FulfillmentStatus>,
    /// Free text: an order number (`123` or `#123`), or part of the customer's name or phone
    /// (case-insensitive; `%` and `_` match themselves).
    pub text: Option<String>,
    /// Placed at or after.
    pub from_ms: i64,
    /// Placed before.
    pub to_ms: i64,
    /// Paging.
    pub page: Page,
}

/// One part found by [`crate::ConsoleStore::search_orders`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderSearchRow {
    /// The part.
    pub fulfillment_id: String,
    /// Its order.
    pub order_id: String,
    /// The order's number.
    pub order_number: i64,
    /// The location.
    pub location_id: String,
    /// The location's name.
    pub location_name: String,
    /// The order's channel.
    pub channel: Channel,
    /// The customer's name.
    pub customer_name: String,
    /// The part's status.
    pub status: FulfillmentStatus,
    /// The part's subtotal.
    pub subtotal_minor: i64,
    /// Refunded for the part.
    pub refunded_minor: i64,
    /// The part's currency.
    pub currency: Currency,
    /// When it was placed.
    pub created_at_ms: i64,
}

/// One channel's takings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakingsRow {
    /// The channel.
    pub channel: Channel,
    /// Parts placed through it, not rejected or cancelled.
    pub orders: i64,
    /// Captured for its parts.
    pub gross_minor: i64,
    /// Refunded for its parts.
    pub refunds_minor: i64,
}

/// One part of a settlement statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementLineRow {
    /// The part.
    pub fulfillment_id: String,
    /// Its order's number.
    pub order_number: i64,
    /// The location's name.
    pub location_name: String,
    /// The order's channel.
    pub channel: Channel,
    /// The part's status.
    pub status: FulfillmentStatus,
    /// When it was placed.
    pub created_at_ms: i64,
    /// The money, as [`crate::OrderStore::merchant_money`] reads it.
    pub money: SettlementPartRow,
}

/// A part not yet handed over, as the mall-wide view counts it: where it is, its status and
/// the times that say whether it is late (`omnicanal_domain::kitchen::lateness`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivePartRow {
    /// The location it is prepared at.
    pub location_id: String,
    /// Placed, accepted, preparing or ready.
    pub status: FulfillmentStatus,
    /// When it was placed.
    pub created_at_ms: i64,
    /// While placed, when its stock hold lapses.
    pub hold_expires_at_ms: Option<i64>,
    /// The promised ready time, once accepted.
    pub estimated_ready_ms: Option<i64>,
    /// The order's scheduled pickup time as stored (RFC 3339), if any.
    pub pickup_at: Option<String>,
}
