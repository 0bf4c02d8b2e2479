//! Price lists: base prices overridden by channel, location and validity window
//! (`/price-lists`; the use cases are `omnicanal_app::pricing::price_lists`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_domain::Money;
use omnicanal_store::PriceListRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::MerchantFilter;
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::state::AppState;
use crate::views::MoneyView;
use omnicanal_app::AppError;
use omnicanal_app::ids::rfc3339;
use omnicanal_app::pricing::price_lists::{PriceListDraft, PriceListInput};
use omnicanal_app::pricing::search::Search;

/// Routes of this part.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_price_list, list_price_lists)).routes(routes!(
        get_price_list,
        replace_price_list,
        delete_price_list
    ))
}

/// One price of a list.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct PriceEntry {
    /// A SKU the merchant sells.
    #[schema(schema_with = crate::views::words::sku)]
    pub sku: String,
    /// Unit price, tax included, in the SKU's currency.
    #[schema(schema_with = crate::views::words::price)]
    pub price: MoneyView,
}

/// A price list as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PriceListRequest {
    /// The merchant whose prices these are (fixed after creation).
    pub merchant_id: String,
    /// Name shown in explanations ("Web", "Navidad", "Happy hour POS").
    #[schema(schema_with = crate::views::words::name)]
    pub name: String,
    /// Only for this channel.
    #[serde(default)]
    #[schema(schema_with = crate::views::words::optional_channel)]
    pub channel: Option<String>,
    /// Only at this location of the merchant.
    #[serde(default)]
    pub location_id: Option<String>,
    /// Start (inclusive): RFC 3339, or a local time such as `2026-12-24T18:00` in the site's time zone.
    #[serde(default)]
    #[schema(schema_with = crate::views::words::optional_timestamp)]
    pub valid_from: Option<String>,
    /// End (exclusive), same formats.
    #[serde(default)]
    #[schema(schema_with = crate::views::words::optional_timestamp)]
    pub valid_to: Option<String>,
    /// Default true.
    #[serde(default)]
    pub active: Option<bool>,
    /// 1 to 5000 prices.
    #[schema(min_items = 1, max_items = 5000)]
    pub prices: Vec<PriceEntry>,
}

/// A price list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceListView {
    /// Opaque id.
    pub id: String,
    /// Owner.
    pub merchant_id: String,
    /// Name.
    pub name: String,
    /// Only for this channel.
    pub channel: Option<String>,
    /// Only at this location.
    pub location_id: Option<String>,
    /// Start (inclusive).
    pub valid_from: Option<String>,
    /// End (exclusive).
    pub valid_to: Option<String>,
    /// Whether it is used.
    pub active: bool,
    /// Prices by SKU.
    pub prices: Vec<PriceEntry>,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

impl From<PriceListRow> for PriceListView {
    fn from(row: PriceListRow) -> Self {
        Self {
            prices: row
                .entries
                .iter()
                .map(|e| PriceEntry { sku: e.sku.clone(), price: MoneyView::from_parts(e.price_minor, e.currency) })
                .collect(),
            id: row.id,
            merchant_id: row.merchant_id,
            name: row.name,
            channel: row.channel.map(|channel| channel.to_string()),
            location_id: row.location_id,
            valid_from: row.valid_from_ms.map(rfc3339),
            valid_to: row.valid_to_ms.map(rfc3339),
            active: row.active,
            created_at: rfc3339(row.created_at_ms),
            updated_at: rfc3339(row.updated_at_ms),
        }
    }
}

impl TryFrom<PriceListRequest> for PriceListDraft {
    type Error = AppError;

    fn try_from(request: PriceListRequest) -> Result<Self, AppError> {
        PriceListDraft::parse(PriceListInput {
            merchant_id: request.merchant_id,
            name: request.name,
            channel: request.channel,
            location_id: request.location_id,
            valid_from: request.valid_from,
            valid_to: request.valid_to,
            active: request.active,
            prices: request.prices.into_iter().map(|entry| (entry.sku, Money::from(entry.price))).collect(),
        })
    }
}

/// Creates a price list (admin, or the merchant's manager).
#[utoipa::path(post, path = "/price-lists", tag = "pricing", request_body = PriceListRequest, security(("bearer" = [])),
    responses((status = 201, body = PriceListView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_price_list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<PriceListRequest>,
) -> ApiResult<(StatusCode, Json<PriceListView>)> {
    let draft = PriceListDraft::try_from(request)?;
    let row = state.app.create_price_list(&user, draft).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// A merchant's price lists, oldest first; `q` finds those whose name contains it, `sort` orders them.
#[utoipa::path(get, path = "/price-lists", tag = "pricing", params(MerchantFilter), security(("bearer" = [])),
    responses((status = 200, body = Vec<PriceListView>), (status = 422, body = crate::error::Problem)))]
async fn list_price_lists(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(filter): ApiQuery<MerchantFilter>,
) -> ApiResult<Json<Vec<PriceListView>>> {
    let page = Pagination { limit: filter.limit, offset: filter.offset }.page()?;
    let lists = if super::asks_search(filter.q.as_deref(), filter.sort.as_deref()) {
        let search = Search::parse(filter.q.as_deref(), filter.sort.as_deref(), page)?;
        state.app.search_price_lists(&user, filter.merchant_id, &search).await?.items
    } else {
        state.app.list_price_lists(&user, filter.merchant_id, page).await?
    };
    Ok(Json(lists.into_iter().map(PriceListView::from).collect()))
}

/// One price list.
#[utoipa::path(get, path = "/price-lists/{id}", tag = "pricing", params(("id" = String, Path, description = "Price list id")),
    security(("bearer" = [])), responses((status = 200, body = PriceListView), (status = 404, body = crate::error::Problem)))]
async fn get_price_list(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PriceListView>> {
    Ok(Json(state.app.price_list(&user, &id).await?.into()))
}

/// Replaces a price list (its merchant stays); orders already placed keep their prices.
#[utoipa::path(put, path = "/price-lists/{id}", tag = "pricing", request_body = PriceListRequest,
    params(("id" = String, Path, description = "Price list id")), security(("bearer" = [])),
    responses((status = 200, body = PriceListView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn replace_price_list(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PriceListRequest>,
) -> ApiResult<Json<PriceListView>> {
    let draft = PriceListDraft::try_from(request)?;
    Ok(Json(state.app.replace_price_list(&user, &id, draft).await?.into()))
}

/// Deletes a price list; its SKUs fall back to the next list or the base price.
#[utoipa::path(delete, path = "/price-lists/{id}", tag = "pricing", params(("id" = String, Path, description = "Price list id")),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = crate::error::Problem)))]
async fn delete_price_list(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.delete_price_list(&user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
