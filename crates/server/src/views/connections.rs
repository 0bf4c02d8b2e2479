//! Shop connections as the API shows them. No view has a credentials field: the secrets go in
//! when a connection is created or changed and never come out.

use omnicanal_app::connections::conflicts::choices;
use omnicanal_app::connections::setup::ConnectionView;
use omnicanal_app::ids::rfc3339;
use omnicanal_store::{ShopConflictRow, ShopConnectionRow, ShopOrderRow, ShopUnmatchedRow};
use serde::Serialize;
use utoipa::ToSchema;

/// A connection, as created and as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionSummaryView {
    /// Opaque id.
    pub id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// `woocommerce`, `prestashop`, `magento` or `shopify`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// The shop's address.
    pub base_url: String,
    /// `pending`, `importing`, `active`, `failing` or `auth_failed`.
    pub status: String,
    /// The locations whose stock the shop sells.
    pub location_ids: Vec<String>,
    /// Units kept back per location.
    pub stock_buffer: i64,
    /// The price list the shop shows (base prices when null).
    pub price_list_id: Option<String>,
    /// Who wins the stock: `omnicanal` or `shop`.
    pub stock_owner: String,
    /// Who wins the price.
    pub price_owner: String,
    /// Who wins title and description.
    pub content_owner: String,
    /// The last call that succeeded (RFC 3339).
    pub last_success_at: Option<String>,
    /// The last failure, in plain words.
    pub last_error: Option<String>,
    /// Where the shop posts its webhooks (WooCommerce, Shopify), relative to this server.
    pub webhook_path: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
}

impl From<&ShopConnectionRow> for ConnectionSummaryView {
    fn from(row: &ShopConnectionRow) -> Self {
        Self {
            id: row.id.clone(),
            merchant_id: row.merchant_id.clone(),
            kind: row.kind.as_str().to_owned(),
            name: row.name.clone(),
            base_url: row.base_url.clone(),
            status: row.status.as_str().to_owned(),
            location_ids: row.location_ids.clone(),
            stock_buffer: row.stock_buffer,
            price_list_id: row.price_list_id.clone(),
            stock_owner: row.rules.stock.as_str().to_owned(),
            price_owner: row.rules.price.as_str().to_owned(),
            content_owner: row.rules.content.as_str().to_owned(),
            last_success_at: row.last_success_at_ms.map(rfc3339),
            last_error: row.last_error.clone(),
            webhook_path: row.kind.has_webhooks().then(|| format!("/api/v1/connections/{}/webhooks", row.id)),
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// An import's progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncProgressView {
    /// True while a first import or resync is asked for and not finished.
    pub running: bool,
    /// Items looked at.
    pub done: i64,
    /// Items to look at (as far as the shop has said).
    pub total: i64,
}

/// A shop's item that matched none of ours.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnmatchedView {
    /// Its key (for linking it).
    pub remote_key: String,
    /// Its SKU in the shop.
    pub sku: Option<String>,
    /// Its barcode in the shop.
    pub barcode: Option<String>,
    /// Its title.
    pub title: String,
    /// Its price in the shop, minor units.
    pub price: Option<i64>,
    /// Its stock in the shop.
    pub stock: Option<i64>,
}

impl From<&ShopUnmatchedRow> for UnmatchedView {
    fn from(row: &ShopUnmatchedRow) -> Self {
        Self {
            remote_key: row.remote_key.clone(),
            sku: row.remote_sku.clone(),
            barcode: row.barcode.clone(),
            title: row.title.clone(),
            price: row.price_minor,
            stock: row.stock,
        }
    }
}

/// Something found out of step with the shop.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShopConflictView {
    /// Opaque id.
    pub id: String,
    /// `stock_edited_in_shop`, `price_edited_in_shop`, `price_changed_on_both_sides`,
    /// `order_unknown_sku`, `order_sold_out`, `order_refused`.
    pub kind: String,
    /// Our SKU.
    pub sku: Option<String>,
    /// The shop's order.
    pub remote_order_id: Option<String>,
    /// Our value.
    pub ours: Option<i64>,
    /// The shop's value.
    pub theirs: Option<i64>,
    /// What was seen, in plain words.
    pub detail: String,
    /// `open` or `resolved`.
    pub status: String,
    /// How it was settled.
    pub resolution: Option<String>,
    /// The choices a person has while it is open.
    pub choices: Vec<String>,
    /// When it was seen (RFC 3339).
    pub detected_at: String,
    /// When it was settled (RFC 3339).
    pub resolved_at: Option<String>,
    /// Who settled it (null: the connection's rule).
    pub resolved_by: Option<String>,
}

impl From<&ShopConflictRow> for ShopConflictView {
    fn from(row: &ShopConflictRow) -> Self {
        let open = row.status == "open";
        Self {
            id: row.id.clone(),
            kind: row.kind.clone(),
            sku: row.sku.clone(),
            remote_order_id: row.remote_order_id.clone(),
            ours: row.ours,
            theirs: row.theirs,
            detail: row.detail.clone(),
            status: row.status.clone(),
            resolution: row.resolution.clone(),
            choices: if open { choices(&row.kind).iter().map(|c| (*c).to_owned()).collect() } else { Vec::new() },
            detected_at: rfc3339(row.detected_at_ms),
            resolved_at: row.resolved_at_ms.map(rfc3339),
            resolved_by: row.resolved_by.clone(),
        }
    }
}

/// A connection with its sync state (contract v2: `GET /connections/{id}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionDetailView {
    /// The connection.
    #[serde(flatten)]
    pub connection: ConnectionSummaryView,
    /// Pushes owed to the shop.
    pub queue_length: i64,
    /// How long the oldest push owed has waited, milliseconds.
    pub lag_ms: i64,
    /// How many of our SKUs are mapped to the shop's items.
    pub mapped_skus: i64,
    /// The shop's items that matched none of ours (the first 50).
    pub unmatched: Vec<UnmatchedView>,
    /// How many are unmatched in all.
    pub unmatched_total: i64,
    /// Open conflicts (the first 50).
    pub conflicts: Vec<ShopConflictView>,
    /// How many are open in all.
    pub conflicts_total: i64,
    /// The shop's orders waiting for a person.
    pub orders_needing_attention: i64,
    /// The first import's or a resync's progress.
    pub sync: SyncProgressView,
}

impl From<&ConnectionView> for ConnectionDetailView {
    fn from(view: &ConnectionView) -> Self {
        let row = &view.connection;
        Self {
            connection: row.into(),
            queue_length: view.queue_length,
            lag_ms: view.lag_ms,
            mapped_skus: view.mapped_skus,
            unmatched: view.unmatched.iter().map(UnmatchedView::from).collect(),
            unmatched_total: view.unmatched_total,
            conflicts: view.conflicts.iter().map(ShopConflictView::from).collect(),
            conflicts_total: view.conflicts_total,
            orders_needing_attention: view.orders_needing_attention,
            sync: SyncProgressView {
                running: row.sync_requested_at_ms.is_some(),
                done: row.sync_done,
                total: row.sync_total,
            },
        }
    }
}

/// An order a shop sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShopOrderView {
    /// The shop's id for it.
    pub remote_id: String,
    /// The number people see in the shop.
    pub number: Option<String>,
    /// `received`, `imported`, `needs_attention` or `dismissed`.
    pub state: String,
    /// Our order, once placed.
    pub order_id: Option<String>,
    /// Why it waits for a person.
    pub cause: Option<String>,
    /// First received (RFC 3339).
    pub received_at: String,
}

impl From<&ShopOrderRow> for ShopOrderView {
    fn from(row: &ShopOrderRow) -> Self {
        Self {
            remote_id: row.remote_id.clone(),
            number: row.number.clone(),
            state: row.state.as_str().to_owned(),
            order_id: row.order_id.clone(),
            cause: row.cause.clone(),
            received_at: rfc3339(row.received_at_ms),
        }
    }
}

/// What became of a webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookReceiptView {
    /// The shop's order it carried.
    pub remote_id: Option<String>,
    /// True when that order had arrived before: nothing was recorded again.
    pub duplicate: bool,
}
