//! `GET /api/v1/pos/catalog?location_id=`: the snapshot a till keeps in the browser to sell
//! with no network — the location's variants (price, tax, barcode) and the price lists and
//! promotions the pricing engine would use, in the engine's JSON shapes (see
//! `omnicanal_app::catalog::till`). The till prices offline with `assets/pos/pricing.js`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::state::AppState;
use omnicanal_app::catalog::till::TillCatalog;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(till_catalog))
}

/// `?location_id=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TillCatalogQuery {
    /// The till's location.
    pub location_id: String,
}

/// What a till at a location prices with: `{location_id, location_name, merchant_id, currency,
/// timezone, channel: "pos", items: [{sku, name, barcode, base_price, tax: {code, rate_bps},
/// track_stock, category, modifier_groups: [{name, min, max, options: [{name, price}]}]}],
/// price_lists: [..], promotions: [..], taken_at_ms, coupons: [{code, promotion_id, usage_limit,
/// used, per_customer_limit, used_by_customer, active}]}` — price lists, promotions and coupons
/// as the pricing engine reads them. Staff of the location and its merchant's
/// managers; anyone else 404.
#[utoipa::path(get, path = "/pos/catalog", tag = "pos", security(("bearer" = [])),
    params(TillCatalogQuery),
    responses((status = 200, description = "The till's snapshot", body = Object),
        (status = 404, body = crate::error::Problem)))]
async fn till_catalog(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<TillCatalogQuery>,
) -> ApiResult<Json<TillCatalog>> {
    Ok(Json(state.app.till_catalog(&user, &query.location_id).await?))
}
