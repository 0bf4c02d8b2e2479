//! The stock ledger: levels, movements, transfers and per-channel allocations.

use omnicanal_domain::channel::Channel;
use omnicanal_domain::inventory::{MovementReason, TransferStatus};

use super::Page;

/// A stock level with its availability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockRow {
    /// The SKU.
    pub sku: String,
    /// Where.
    pub location_id: String,
    /// Units present.
    pub on_hand: i64,
    /// Units promised.
    pub reserved: i64,
    /// `on_hand − reserved`.
    pub available: i64,
}

/// Which stock levels to list; `merchant_id` restricts to one merchant's locations.
#[derive(Debug, Clone, Default)]
pub struct StockFilter {
    /// Only this location.
    pub location_id: Option<String>,
    /// Only this SKU.
    pub sku: Option<String>,
    /// Only this merchant's locations.
    pub merchant_id: Option<String>,
    /// Holds that lapsed by this time do not count as reserved (0 counts every hold).
    pub now_ms: i64,
    /// Paging.
    pub page: Page,
}

/// A stock movement as requested.
#[derive(Debug, Clone)]
pub struct StockMovementRow {
    /// Opaque id.
    pub id: String,
    /// The SKU.
    pub sku: String,
    /// Where.
    pub location_id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// Change to on-hand.
    pub delta: i64,
    /// Why.
    pub reason: MovementReason,
    /// What caused it (an order, a transfer, a count sheet).
    pub reference: Option<String>,
    /// The channel it came through, for sales.
    pub channel: Option<Channel>,
    /// Who made it.
    pub created_by: Option<String>,
    /// When.
    pub created_at_ms: i64,
    /// Id of the `stock.changed` event.
    pub event_id: String,
}

/// A recorded movement, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovementRecord {
    /// Opaque id.
    pub id: String,
    /// The SKU.
    pub sku: String,
    /// Where.
    pub location_id: String,
    /// Change to on-hand.
    pub delta: i64,
    /// Why.
    pub reason: MovementReason,
    /// What caused it.
    pub reference: Option<String>,
    /// Through which channel.
    pub channel: Option<Channel>,
    /// Who made it.
    pub created_by: Option<String>,
    /// When.
    pub created_at_ms: i64,
}

/// A transfer between two locations of one merchant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRow {
    /// Opaque id.
    pub id: String,
    /// Owner of both locations.
    pub merchant_id: String,
    /// The SKU.
    pub sku: String,
    /// Sent from.
    pub from_location_id: String,
    /// Sent to.
    pub to_location_id: String,
    /// Units.
    pub quantity: i64,
    /// In transit or received.
    pub status: TransferStatus,
    /// Who sent it.
    pub created_by: Option<String>,
    /// When it was sent.
    pub created_at_ms: i64,
    /// When it was received.
    pub received_at_ms: Option<i64>,
}

/// How one location sells through one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelAllocationRow {
    /// The location.
    pub location_id: String,
    /// The channel.
    pub channel: Channel,
    /// Units kept back from this channel (for walk-in customers, say).
    pub safety_buffer: i64,
    /// Whether the location sells through this channel at all.
    pub enabled: bool,
    /// How long an order's hold lasts while not accepted (None: no limit).
    pub hold_ttl_ms: Option<i64>,
    /// Last change.
    pub updated_at_ms: i64,
}
