//! Shop connections (issue 16): the link to a merchant's external shop, our SKUs mapped to its
//! items, the pushes owed to it, the orders it sent, the statuses owed back and what was found
//! out of step.

use omnicanal_domain::Currency;
use omnicanal_domain::connections::{
    ConnectionStatus, ConnectorKind, FieldRules, RemoteOrderStatus, ShopOrderState, SyncedField,
};

/// One connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopConnectionRow {
    /// Opaque id (`con_…`).
    pub id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Which shop software.
    pub kind: ConnectorKind,
    /// A name the merchant chose, unique per merchant.
    pub name: String,
    /// The shop's base URL.
    pub base_url: String,
    /// The credentials, sealed (never in clear in the database).
    pub credentials_sealed: String,
    /// The locations whose stock the shop sells.
    pub location_ids: Vec<String>,
    /// Units kept back per location from what the shop is told.
    pub stock_buffer: i64,
    /// The price list whose prices the shop shows (the base prices when none).
    pub price_list_id: Option<String>,
    /// The shop's currency (the merchant's).
    pub currency: Currency,
    /// Who wins, per field.
    pub rules: FieldRules,
    /// How the link is doing.
    pub status: ConnectionStatus,
    /// The last call that succeeded.
    pub last_success_at_ms: Option<i64>,
    /// The last failure, in plain words (cleared by a success).
    pub last_error: Option<String>,
    /// Failures in a row.
    pub failures: i64,
    /// Not before this time is the shop called again (backoff).
    pub next_call_at_ms: i64,
    /// Orders are polled from this time on.
    pub orders_since_ms: i64,
    /// When orders were last polled.
    pub orders_polled_at_ms: i64,
    /// A first import or resync was asked for at this time and has not finished.
    pub sync_requested_at_ms: Option<i64>,
    /// The node working this connection holds it until this time.
    pub lease_until_ms: i64,
    /// Items the running import will look at (0 before it knows).
    pub sync_total: i64,
    /// Items looked at so far.
    pub sync_done: i64,
    /// When edits in the shop's admin were last looked for.
    pub drift_checked_at_ms: i64,
    /// Created.
    pub created_at_ms: i64,
    /// Last changed.
    pub updated_at_ms: i64,
}

/// How a call to the shop went, to record on the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionHealth {
    /// The new status.
    pub status: ConnectionStatus,
    /// The last success (kept when this was a failure).
    pub last_success_at_ms: Option<i64>,
    /// The failure, or none after a success.
    pub last_error: Option<String>,
    /// Failures in a row.
    pub failures: i64,
    /// Not before this time is the shop called again.
    pub next_call_at_ms: i64,
}

/// Our SKU and the shop's item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopMappingRow {
    /// The connection.
    pub connection_id: String,
    /// Our SKU.
    pub sku: String,
    /// The shop's product.
    pub remote_product_id: String,
    /// The shop's variant.
    pub remote_variant_id: Option<String>,
    /// Where the shop keeps its stock.
    pub remote_inventory_id: Option<String>,
    /// The SKU as the shop writes it.
    pub remote_sku: Option<String>,
    /// The stock both sides last agreed on.
    pub synced_stock: Option<i64>,
    /// The price both sides last agreed on.
    pub synced_price: Option<i64>,
}

/// A shop's item that matched none of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopUnmatchedRow {
    /// The connection.
    pub connection_id: String,
    /// The item's key in the shop (product and variant ids).
    pub remote_key: String,
    /// The shop's product.
    pub remote_product_id: String,
    /// The shop's variant.
    pub remote_variant_id: Option<String>,
    /// Where the shop keeps its stock.
    pub remote_inventory_id: Option<String>,
    /// Its SKU in the shop.
    pub remote_sku: Option<String>,
    /// Its barcode in the shop.
    pub barcode: Option<String>,
    /// Its title.
    pub title: String,
    /// Its price in the shop, minor units.
    pub price_minor: Option<i64>,
    /// Its stock in the shop.
    pub stock: Option<i64>,
}

/// A push owed to a shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopPushRow {
    /// The connection.
    pub connection_id: String,
    /// Our SKU.
    pub sku: String,
    /// Stock or price.
    pub field: SyncedField,
    /// Not before.
    pub due_at_ms: i64,
    /// The latest change it carries (a push made from an older read leaves the row).
    pub changed_at_ms: i64,
    /// Failed attempts so far.
    pub attempts: i64,
}

/// An order a shop sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopOrderRow {
    /// The connection.
    pub connection_id: String,
    /// The shop's id for it.
    pub remote_id: String,
    /// The number people see in the shop.
    pub number: Option<String>,
    /// What became of it.
    pub state: ShopOrderState,
    /// The order as the shop sent it (JSON).
    pub payload_json: String,
    /// Our order, once placed.
    pub order_id: Option<String>,
    /// Why it needs a person, in plain words.
    pub cause: Option<String>,
    /// Failed attempts to place it.
    pub attempts: i64,
    /// Not before.
    pub due_at_ms: i64,
    /// First received.
    pub received_at_ms: i64,
    /// Last changed.
    pub updated_at_ms: i64,
}

/// An order status owed back to a shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopStatusPushRow {
    /// The connection.
    pub connection_id: String,
    /// The shop's order id.
    pub remote_id: String,
    /// The status to tell.
    pub status: RemoteOrderStatus,
    /// Not before.
    pub due_at_ms: i64,
    /// Failed attempts so far.
    pub attempts: i64,
    /// The last failure.
    pub last_error: Option<String>,
    /// When the shop took it (none: still owed).
    pub done_at_ms: Option<i64>,
}

/// Something found out of step with a shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopConflictRow {
    /// Opaque id (`scf_…`).
    pub id: String,
    /// The connection.
    pub connection_id: String,
    /// `stock_edited_in_shop`, `price_edited_in_shop`, `price_changed_on_both_sides`,
    /// `order_unknown_sku`, `order_sold_out`.
    pub kind: String,
    /// Our SKU, when it is about one.
    pub sku: Option<String>,
    /// The shop's order, when it is about one.
    pub remote_order_id: Option<String>,
    /// Our value.
    pub ours: Option<i64>,
    /// The shop's value.
    pub theirs: Option<i64>,
    /// What was seen, in plain words.
    pub detail: String,
    /// `open` (a person chooses) or `resolved`.
    pub status: String,
    /// `reverted`, `accepted`, `kept_ours`, `took_theirs`, `retried`, `dismissed`.
    pub resolution: Option<String>,
    /// When it was seen.
    pub detected_at_ms: i64,
    /// When it was settled.
    pub resolved_at_ms: Option<i64>,
    /// Who settled it (none: the rule, automatically).
    pub resolved_by: Option<String>,
}

/// A SKU of ours as the first import matches against: its barcode and base price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuIndexRow {
    /// The SKU.
    pub sku: String,
    /// Its barcode.
    pub barcode: Option<String>,
    /// Its base price, minor units.
    pub price_minor: i64,
}

/// A stock level at one location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelRow {
    /// The location.
    pub location_id: String,
    /// The SKU.
    pub sku: String,
    /// Units present.
    pub on_hand: i64,
    /// Units promised.
    pub reserved: i64,
}
