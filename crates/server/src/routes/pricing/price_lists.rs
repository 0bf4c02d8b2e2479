//! Price lists: base prices overridden by channel, location and validity window.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_domain::Money;
use omnicanal_domain::catalog::{Name, Sku, parse_price};
use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::ChangeAction;
use omnicanal_domain::pricing::price_list::check_conflicts;
use omnicanal_store::{Page, PriceEntryRow, PriceListRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{MAX_PRICES_PER_LIST, MerchantFilter, list_event, may_manage_prices, may_read_prices, window};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::ids::{new_id, now_ms, rfc3339};
use crate::ordering::valid_channel;
use crate::state::AppState;
use crate::views::MoneyView;
use omnicanal_app::AppError;
use omnicanal_app::price_book::engine_price_lists;
use omnicanal_app::validation::{Validator, vetted};

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
    pub sku: String,
    /// Unit price, tax included, in the SKU's currency.
    pub price: MoneyView,
}

/// A price list as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PriceListRequest {
    /// The merchant whose prices these are (fixed after creation).
    pub merchant_id: String,
    /// Name shown in explanations ("Web", "Navidad", "Happy hour POS").
    pub name: String,
    /// Only for this channel.
    #[serde(default)]
    pub channel: Option<String>,
    /// Only at this location of the merchant.
    #[serde(default)]
    pub location_id: Option<String>,
    /// Start (inclusive): RFC 3339, or a local time such as `2026-12-24T18:00` in the site's time zone.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// End (exclusive), same formats.
    #[serde(default)]
    pub valid_to: Option<String>,
    /// Default true.
    #[serde(default)]
    pub active: Option<bool>,
    /// 1 to 5000 prices.
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

/// Validates a price list request into a row (id and times to be set by the caller).
async fn price_list_row(
    state: &AppState,
    user: &AuthUser,
    request: PriceListRequest,
    id: String,
    created_at_ms: i64,
) -> ApiResult<PriceListRow> {
    let merchant = state.store.get_merchant(&request.merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
    user.check_merchant(&merchant.id, "merchant")?;
    let mut v = Validator::new();
    let name = v.check("name", Name::parse("name", &request.name));
    if let Some(channel) = &request.channel
        && !valid_channel(channel)
    {
        v.push("channel", "must be qr, web, pos, phone, kiosk, tablet or shop:<connector>");
    }
    let (_, mut timezone) = state.app.merchant_home(&merchant.id).await?;
    if let Some(location_id) = &request.location_id {
        match state.store.get_location(location_id).await?.filter(|l| l.merchant_id == merchant.id) {
            Some(location) => {
                if let Some(site) = state.store.get_site(&location.site_id).await? {
                    timezone = site.timezone;
                }
            }
            None => v.push("location_id", "no such location of this merchant"),
        }
    }
    let (valid_from_ms, valid_to_ms) = window(&mut v, &timezone, &request.valid_from, &request.valid_to);
    if request.prices.is_empty() || request.prices.len() > MAX_PRICES_PER_LIST {
        v.push("prices", format!("a price list needs 1 to {MAX_PRICES_PER_LIST} prices"));
    }
    let mut entries: Vec<PriceEntryRow> = Vec::with_capacity(request.prices.len());
    for (index, entry) in request.prices.iter().enumerate() {
        let field = format!("prices[{index}]");
        let Some(sku) = v.check(&format!("{field}.sku"), Sku::parse(&entry.sku)) else { continue };
        let Some(price) = v.check(&format!("{field}.price"), parse_price("price", Money::from(entry.price))) else {
            continue;
        };
        if entries.iter().any(|e| e.sku == sku.as_str()) {
            v.push(format!("{field}.sku"), "appears twice in this list");
            continue;
        }
        match state.store.find_variant(&merchant.id, sku.as_str()).await? {
            None => v.push(format!("{field}.sku"), format!("{} does not sell {sku}", merchant.name)),
            Some((variant, _)) if variant.currency != price.currency => v.push(
                format!("{field}.price"),
                format!("{sku} is priced in {}, not {}", variant.currency, price.currency),
            ),
            Some(_) => entries.push(PriceEntryRow {
                sku: sku.as_str().to_owned(),
                price_minor: price.amount_minor,
                currency: price.currency,
            }),
        }
    }
    v.finish()?;
    let row = PriceListRow {
        id,
        merchant_id: merchant.id.clone(),
        name: vetted(name)?.into_inner(),
        channel: request.channel.as_deref().map(Channel::parse).transpose()?,
        location_id: request.location_id,
        valid_from_ms,
        valid_to_ms,
        active: request.active.unwrap_or(true),
        created_at_ms,
        updated_at_ms: now_ms(),
        entries,
    };
    let others =
        engine_price_lists(state.store.list_price_lists(&merchant.id, Page { limit: 10_000, offset: 0 }).await?);
    let candidate = engine_price_lists(vec![row.clone()]);
    if let Some(candidate) = candidate.first() {
        check_conflicts(candidate, &others)?;
    }
    Ok(row)
}

/// Creates a price list (admin, or the merchant's manager).
#[utoipa::path(post, path = "/price-lists", tag = "pricing", request_body = PriceListRequest, security(("bearer" = [])),
    responses((status = 201, body = PriceListView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_price_list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<PriceListRequest>,
) -> ApiResult<(StatusCode, Json<PriceListView>)> {
    may_manage_prices(&user)?;
    let row = price_list_row(&state, &user, request, new_id("prl"), now_ms()).await?;
    state.store.insert_price_list(&row, &list_event(&row, ChangeAction::Created)).await?;
    state.wake_dispatcher();
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// A merchant's price lists, oldest first.
#[utoipa::path(get, path = "/price-lists", tag = "pricing", params(MerchantFilter), security(("bearer" = [])),
    responses((status = 200, body = Vec<PriceListView>), (status = 422, body = crate::error::Problem)))]
async fn list_price_lists(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(filter): ApiQuery<MerchantFilter>,
) -> ApiResult<Json<Vec<PriceListView>>> {
    may_read_prices(&user)?;
    let page = Pagination { limit: filter.limit, offset: filter.offset }.page()?;
    let merchant_id = filter
        .merchant_id
        .or_else(|| user.merchant_id.clone())
        .ok_or_else(|| ApiError::invalid("merchant_id", "required"))?;
    user.check_merchant(&merchant_id, "merchant")?;
    let lists = state.store.list_price_lists(&merchant_id, page).await?;
    Ok(Json(lists.into_iter().map(PriceListView::from).collect()))
}

async fn visible_price_list(state: &AppState, user: &AuthUser, id: &str) -> ApiResult<PriceListRow> {
    let list = state.store.get_price_list(id).await?.ok_or(AppError::NotFound("price list"))?;
    user.check_merchant(&list.merchant_id, "price list")?;
    Ok(list)
}

/// One price list.
#[utoipa::path(get, path = "/price-lists/{id}", tag = "pricing", params(("id" = String, Path, description = "Price list id")),
    security(("bearer" = [])), responses((status = 200, body = PriceListView), (status = 404, body = crate::error::Problem)))]
async fn get_price_list(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PriceListView>> {
    may_read_prices(&user)?;
    Ok(Json(visible_price_list(&state, &user, &id).await?.into()))
}

/// Replaces a price list (its merchant stays); orders already placed keep their prices.
#[utoipa::path(put, path = "/price-lists/{id}", tag = "pricing", request_body = PriceListRequest,
    params(("id" = String, Path, description = "Price list id")), security(("bearer" = [])),
    responses((status = 200, body = PriceListView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn replace_price_list(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(mut request): ApiJson<PriceListRequest>,
) -> ApiResult<Json<PriceListView>> {
    may_manage_prices(&user)?;
    let existing = visible_price_list(&state, &user, &id).await?;
    request.merchant_id = existing.merchant_id.clone();
    let row = price_list_row(&state, &user, request, existing.id, existing.created_at_ms).await?;
    state.store.replace_price_list(&row, &list_event(&row, ChangeAction::Updated)).await?;
    state.wake_dispatcher();
    Ok(Json(row.into()))
}

/// Deletes a price list; its SKUs fall back to the next list or the base price.
#[utoipa::path(delete, path = "/price-lists/{id}", tag = "pricing", params(("id" = String, Path, description = "Price list id")),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = crate::error::Problem)))]
async fn delete_price_list(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    may_manage_prices(&user)?;
    let existing = visible_price_list(&state, &user, &id).await?;
    state.store.delete_price_list(&id, &list_event(&existing, ChangeAction::Deleted)).await?;
    state.wake_dispatcher();
    Ok(StatusCode::NO_CONTENT)
}
