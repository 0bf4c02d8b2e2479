//! A stock conflict as the API shows it to the manager: the contract's fields (`id`, `sku`,
//! `location_id`, `shortfall`, `cause`, `sale_id`, `order_id`, `status`), what explains it in
//! words, the choices still open, and how it was resolved.

use omnicanal_app::ids::rfc3339;
use omnicanal_app::pos::conflicts::{ConflictExplanation, order_cancellable};
use omnicanal_store::StockConflictDetailRow;
use serde::Serialize;
use utoipa::ToSchema;

/// A stock conflict: units sold that the ledger did not have, and what became of them.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConflictDetailView {
    /// Opaque id.
    pub id: String,
    /// The SKU.
    pub sku: String,
    /// Where.
    pub location_id: String,
    /// Units short.
    pub shortfall: i64,
    /// Why: `offline_sale_short` (an offline till sale the ledger could not cover).
    pub cause: String,
    /// What explains it: `order_placed_while_offline` (an order took the units after the till
    /// sold them), `order_held_units` (they were held for an order before), `ledger_short`
    /// (no order: the ledger had fewer units than the shelf).
    pub cause_detail: String,
    /// The same, in one English sentence.
    pub cause_text: String,
    /// The sale that found it.
    pub sale_id: Option<String>,
    /// The sale's receipt number.
    pub receipt_number: Option<String>,
    /// When the till sold it.
    pub sold_at: Option<String>,
    /// A live order holding units of the SKU there, which may no longer be served.
    pub order_id: Option<String>,
    /// Its number.
    pub order_number: Option<i64>,
    /// Its channel.
    pub order_channel: Option<String>,
    /// When it was placed.
    pub order_placed_at: Option<String>,
    /// Its part's status at this location.
    pub order_status: Option<String>,
    /// `open` or `resolved`.
    pub status: String,
    /// What the manager may still do (`POST /stock/conflicts/{id}/resolve`'s `action`):
    /// `count`, `transfer`, and `cancel_order` while the order can still be rejected.
    pub choices: Vec<String>,
    /// When it was opened.
    pub created_at: String,
    /// How it was resolved, once it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<ResolutionView>,
}

/// A conflict's resolution.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResolutionView {
    /// `count`, `transfer` or `cancel_order`.
    pub action: String,
    /// The user who resolved it.
    pub resolved_by: Option<String>,
    /// When.
    pub resolved_at: Option<String>,
    /// The stock movements it recorded.
    pub movement_ids: Vec<String>,
    /// The units counted (count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counted: Option<i64>,
    /// The source location (transfer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_location_id: Option<String>,
    /// The transfer (transfer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_id: Option<String>,
    /// The refund queued for the cancelled order (a payment job), when money was owed back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_job_id: Option<String>,
    /// Units of the sale the cancelled order's released units could not cover (usually 0).
    pub uncovered: i64,
}

impl From<StockConflictDetailRow> for ConflictDetailView {
    fn from(detail: StockConflictDetailRow) -> Self {
        let explanation = ConflictExplanation::of(&detail);
        let open = detail.conflict.status == "open";
        let mut choices = Vec::new();
        if open {
            choices.extend(["count".to_owned(), "transfer".to_owned()]);
            if order_cancellable(&detail) {
                choices.push("cancel_order".to_owned());
            }
        }
        let resolution = detail.resolution.clone().map(|action| {
            let json: serde_json::Value =
                detail.resolution_json.as_deref().and_then(|raw| serde_json::from_str(raw).ok()).unwrap_or_default();
            let text = |key: &str| json[key].as_str().map(str::to_owned);
            ResolutionView {
                action,
                resolved_by: detail.resolved_by.clone(),
                resolved_at: detail.resolved_at_ms.map(rfc3339),
                movement_ids: json["movement_ids"]
                    .as_array()
                    .map(|ids| ids.iter().filter_map(|id| id.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default(),
                counted: json["counted"].as_i64(),
                from_location_id: text("from_location_id"),
                transfer_id: text("transfer_id"),
                refund_job_id: text("refund_job_id"),
                uncovered: json["uncovered"].as_i64().unwrap_or(0),
            }
        });
        Self {
            cause_detail: explanation.code().to_owned(),
            cause_text: explanation.sentence(&detail),
            receipt_number: detail.receipt_number,
            sold_at: detail.sold_at_ms.map(rfc3339),
            order_number: detail.order_number,
            order_channel: detail.order_channel,
            order_placed_at: detail.order_created_at_ms.map(rfc3339),
            order_status: detail.order_part_status,
            choices,
            created_at: rfc3339(detail.conflict.created_at_ms),
            id: detail.conflict.id,
            sku: detail.conflict.sku,
            location_id: detail.conflict.location_id,
            shortfall: detail.conflict.shortfall,
            cause: detail.conflict.cause,
            sale_id: detail.conflict.sale_id,
            order_id: detail.conflict.order_id,
            status: detail.conflict.status,
            resolution,
        }
    }
}
