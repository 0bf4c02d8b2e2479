//! Pricing: quotes for any cart (public), and the admin API for price lists, promotions and
//! coupons. Every change to prices or promotions emits `price.changed` on the outbox.

mod coupons;
mod price_lists;
mod promotions;
mod quote;

use omnicanal_store::{OutboxRow, PriceListRow};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::{AuthUser, Role};
use crate::error::ApiResult;
use crate::ids::{new_id, now_ms, rfc3339};
use crate::pricing::parse_local_instant;
use crate::state::AppState;
use crate::validate::Validator;

/// How long a quote's prices are honoured by `POST /orders` with its `quote_id`.
pub const QUOTE_TTL_MS: i64 = 15 * 60 * 1_000;
/// Most prices one price list may hold.
pub const MAX_PRICES_PER_LIST: usize = 5_000;

/// Routes of this area.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(quote::router())
        .merge(price_lists::router())
        .merge(promotions::router())
        .merge(coupons::router())
}

/// `?merchant_id=` for lists of one merchant's things.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MerchantFilter {
    /// The merchant (managers: their own by default).
    pub merchant_id: Option<String>,
    /// Items per page, 1 to 500 (default 100).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

pub(super) fn may_manage_prices(user: &AuthUser) -> ApiResult<()> {
    user.require(&[Role::Admin, Role::MerchantManager])
}

pub(super) fn may_read_prices(user: &AuthUser) -> ApiResult<()> {
    user.require(&[Role::Admin, Role::MerchantManager, Role::SupportAgent, Role::Staff])
}

pub(super) fn price_event(merchant_id: Option<&str>, payload: serde_json::Value) -> OutboxRow {
    OutboxRow {
        seq: 0,
        event_id: new_id("evt"),
        event_type: "price.changed".into(),
        merchant_id: merchant_id.map(str::to_owned),
        order_id: None,
        location_id: None,
        sku: None,
        payload_json: payload.to_string(),
        created_at_ms: now_ms(),
    }
}

pub(super) fn list_event(list: &PriceListRow, action: &str) -> OutboxRow {
    price_event(
        Some(&list.merchant_id),
        serde_json::json!({
            "cause": "price_list",
            "action": action,
            "price_list_id": list.id,
            "merchant_id": list.merchant_id,
            "channel": list.channel,
            "location_id": list.location_id,
            "valid_from": list.valid_from_ms.map(rfc3339),
            "valid_to": list.valid_to_ms.map(rfc3339),
            "active": list.active,
            "prices": list.entries.iter().map(|e| serde_json::json!({
                "sku": e.sku, "price": {"amount": e.price_minor, "currency": e.currency}
            })).collect::<Vec<_>>(),
        }),
    )
}

/// Parses a `valid_from`/`valid_to` pair in the scope's time zone, recording errors in `v`.
pub(super) fn window(
    v: &mut Validator,
    timezone: &str,
    from: &Option<String>,
    to: &Option<String>,
) -> (Option<i64>, Option<i64>) {
    let mut bound = |field: &str, raw: &Option<String>| {
        let raw = raw.as_deref()?;
        parse_local_instant(raw, timezone).map_err(|message| v.push(field, message)).ok()
    };
    (bound("valid_from", from), bound("valid_to", to))
}
