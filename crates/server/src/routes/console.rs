//! The merchant console's API: a location's live queue (the kitchen display), its sold-out
//! switches, the search of past orders, and the day's takings by channel.
//!
//! Who sees what: staff only their own location, a manager every location of its merchant,
//! admins everything; another merchant's location or merchant is 404, never 403 (decided by
//! the use cases in `omnicanal_app::console`). The queue's JSON is in `queue_view.rs`.

use axum::Json;
use axum::extract::{Path, State};
use omnicanal_app::console::search::OrderQuery;
use omnicanal_app::console::sold_out::SoldOutState;
use omnicanal_app::console::takings::{Takings, TakingsQuery as Day};
use omnicanal_domain::catalog::Sku;
use omnicanal_store::TakingsRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Pagination};
use crate::state::AppState;
use crate::views::MoneyView;
use omnicanal_app::ids::rfc3339;

pub use omnicanal_app::console::queue::DONE_WINDOW_MS;
pub use omnicanal_app::console::search::MAX_SEARCH_CHARS;
pub use queue_view::{QueueItemView, QueueLineView, QueueLocationView, QueueView};

mod queue_view;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(location_queue))
        .routes(routes!(list_sold_out))
        .routes(routes!(mark_sold_out, mark_back_on_sale))
        .routes(routes!(search_orders))
        .routes(routes!(takings))
}

/// `?include_done=&limit=&offset=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocationQueueQuery {
    /// Also list collected, rejected and cancelled parts of the last 12 hours (default false).
    pub include_done: Option<bool>,
    /// Items per page, 1 to 500 (default 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

/// A location's live queue for its kitchen display: parts placed, accepted, preparing or ready,
/// oldest first, each with its lines, timing and whether it is late (staff of the location,
/// its merchant's manager, admins).
#[utoipa::path(get, path = "/locations/{id}/queue", tag = "console", security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id"), LocationQueueQuery),
    responses((status = 200, body = QueueView), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn location_queue(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<LocationQueueQuery>,
) -> ApiResult<Json<QueueView>> {
    let page = Pagination { limit: Some(query.limit.unwrap_or(500)), offset: query.offset }.page()?;
    let include_done = query.include_done.unwrap_or(false);
    let queue = state.app.location_queue(&user, &id, include_done, page).await?;
    Ok(Json(queue_view::queue_view(queue)))
}

/// A SKU's sold-out switch at a location.
#[derive(Debug, Serialize, ToSchema)]
pub struct SoldOutView {
    /// Location.
    pub location_id: String,
    /// SKU.
    pub sku: String,
    /// The product's name, when the SKU is still in the catalog.
    pub name: Option<String>,
    /// True while switched off: every channel shows it unavailable and refuses it (409 `sold_out`).
    pub sold_out: bool,
    /// Since when (null when on sale).
    pub since: Option<String>,
}

/// The SKUs switched to sold out at a location, by SKU (its staff, manager, admins).
#[utoipa::path(get, path = "/locations/{id}/sold-out", tag = "console", security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id")),
    responses((status = 200, body = Vec<SoldOutView>), (status = 404, body = crate::error::Problem)))]
async fn list_sold_out(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<SoldOutView>>> {
    let switches = state.app.sold_out_at(&user, &id).await?;
    Ok(Json(switches.into_iter().map(SoldOutView::from).collect()))
}

impl From<SoldOutState> for SoldOutView {
    fn from(state: SoldOutState) -> Self {
        SoldOutView {
            location_id: state.location_id,
            sku: state.sku,
            name: state.name,
            sold_out: state.since_ms.is_some(),
            since: state.since_ms.map(rfc3339),
        }
    }
}

/// Switches a SKU sold out at a location, at once on every channel: the menu shows it
/// unavailable, orders naming it are refused with 409 `sold_out`, and a `stock.changed` event
/// with `sold_out: true` goes to the stock and location streams and to webhooks. Idempotent.
#[utoipa::path(put, path = "/locations/{id}/sold-out/{sku}", tag = "console", security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id"), ("sku" = String, Path, description = "SKU of the merchant")),
    responses((status = 200, body = SoldOutView), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn mark_sold_out(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, sku)): Path<(String, String)>,
) -> ApiResult<Json<SoldOutView>> {
    switch_sold_out(&state, &user, &id, &sku, true).await.map(Json)
}

/// Puts a SKU back on sale at a location (the switch's opposite; `stock.changed` with
/// `sold_out: false`). Idempotent.
#[utoipa::path(delete, path = "/locations/{id}/sold-out/{sku}", tag = "console", security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id"), ("sku" = String, Path, description = "SKU of the merchant")),
    responses((status = 200, body = SoldOutView), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn mark_back_on_sale(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, sku)): Path<(String, String)>,
) -> ApiResult<Json<SoldOutView>> {
    switch_sold_out(&state, &user, &id, &sku, false).await.map(Json)
}

async fn switch_sold_out(
    state: &AppState,
    user: &AuthUser,
    location_id: &str,
    raw_sku: &str,
    sold_out: bool,
) -> ApiResult<SoldOutView> {
    let sku = Sku::parse(raw_sku)?;
    let switched = state.app.switch_sold_out(user, location_id, &sku, sold_out).await?;
    Ok(switched.into())
}

/// `?q=&status=&location_id=&from=&to=&limit=&offset=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderSearchQuery {
    /// An order number (`123` or `#123`), or part of the customer's name or phone (case-insensitive).
    pub q: Option<String>,
    /// Only parts in this status.
    #[param(schema_with = crate::views::words::fulfillment_status)]
    pub status: Option<String>,
    /// Only this location (staff: only their own).
    pub location_id: Option<String>,
    /// Placed at or after (RFC 3339 or YYYY-MM-DD).
    #[param(schema_with = crate::views::words::date)]
    pub from: Option<String>,
    /// Placed before (RFC 3339 or YYYY-MM-DD).
    #[param(schema_with = crate::views::words::date)]
    pub to: Option<String>,
    /// Items per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

/// One part found.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderSearchItem {
    /// The part.
    pub fulfillment_id: String,
    /// Its order.
    pub order_id: String,
    /// The order's number.
    pub order_number: i64,
    /// Location.
    pub location_id: String,
    /// Its name.
    pub location_name: String,
    /// Channel.
    pub channel: String,
    /// Customer's name.
    pub customer_name: String,
    /// The part's status.
    pub status: String,
    /// What the part costs.
    pub subtotal: MoneyView,
    /// Refunded for it.
    pub refunded: MoneyView,
    /// When it was placed.
    pub created_at: String,
}

/// A page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderSearchPage {
    /// Parts, newest first.
    pub items: Vec<OrderSearchItem>,
    /// How many match in all.
    pub total: i64,
    /// The page size used.
    pub limit: i64,
    /// The offset used.
    pub offset: i64,
}

/// Past and present orders of a merchant, one row per part, newest first. Managers and admins
/// search every location of the merchant; staff only their own.
#[utoipa::path(get, path = "/merchants/{id}/orders", tag = "console", security(("bearer" = [])),
    params(("id" = String, Path, description = "Merchant id"), OrderSearchQuery),
    responses((status = 200, body = OrderSearchPage), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn search_orders(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<OrderSearchQuery>,
) -> ApiResult<Json<OrderSearchPage>> {
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    let query = OrderQuery::parse(
        query.q.as_deref(),
        query.status.as_deref(),
        query.location_id,
        query.from.as_deref(),
        query.to.as_deref(),
        page,
    )?;
    let found = state.app.search_orders(&user, &id, query).await?;
    Ok(Json(OrderSearchPage {
        items: found
            .rows
            .into_iter()
            .map(|row| OrderSearchItem {
                subtotal: MoneyView::from_parts(row.subtotal_minor, row.currency),
                refunded: MoneyView::from_parts(row.refunded_minor, row.currency),
                created_at: rfc3339(row.created_at_ms),
                fulfillment_id: row.fulfillment_id,
                order_id: row.order_id,
                order_number: row.order_number,
                location_id: row.location_id,
                location_name: row.location_name,
                channel: row.channel.to_string(),
                customer_name: row.customer_name,
                status: row.status.to_string(),
            })
            .collect(),
        total: found.total,
        limit: found.page.limit,
        offset: found.page.offset,
    }))
}

/// `?date=&location_id=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TakingsQuery {
    /// The day (YYYY-MM-DD) in the site's time zone; today when absent.
    #[param(schema_with = crate::views::words::date)]
    pub date: Option<String>,
    /// Only this location (staff: only their own).
    pub location_id: Option<String>,
}

/// Money of a group of parts.
#[derive(Debug, Serialize, ToSchema)]
pub struct TakingsFiguresView {
    /// Parts placed, not rejected or cancelled.
    pub orders: i64,
    /// Captured (card payments at once, pay at pickup on handover).
    pub gross: MoneyView,
    /// Refunded.
    pub refunds: MoneyView,
    /// gross − refunds.
    pub net: MoneyView,
}

/// One channel's takings.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelTakingsView {
    /// The channel.
    pub channel: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: TakingsFiguresView,
}

/// A day's takings by channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct TakingsView {
    /// Merchant.
    pub merchant_id: String,
    /// The location, when one was chosen.
    pub location_id: Option<String>,
    /// The day.
    pub date: String,
    /// The site's time zone the day is counted in.
    pub timezone: String,
    /// Currency code.
    pub currency: String,
    /// The day's start (local midnight), RFC 3339.
    pub from: String,
    /// The next day's start, RFC 3339.
    pub to: String,
    /// Per channel, by channel; channels without parts are left out.
    pub channels: Vec<ChannelTakingsView>,
    /// Every channel together.
    pub total: TakingsFiguresView,
    /// Returns taken that day where they happened (whatever channel or day the goods were
    /// bought in): how many, what went back, and how.
    pub returns: ReturnsTakingsView,
}

/// The day's returns at a location (or the merchant's).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnsTakingsView {
    /// Returns taken.
    pub count: i64,
    /// What went back to customers.
    pub refunded: MoneyView,
    /// By how it went back (`card`, `cash`, `store_credit`, `none`), only methods used.
    pub by_method: Vec<ReturnsByMethodView>,
}

/// What the day's returns gave back one way.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnsByMethodView {
    /// `card`, `cash`, `store_credit` or `none`.
    pub method: String,
    /// How much.
    pub amount: MoneyView,
}

fn returns_takings(returns: &[omnicanal_store::ReturnRow], currency: omnicanal_domain::Currency) -> ReturnsTakingsView {
    let mut by_method: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for ret in returns {
        *by_method.entry(ret.refund_method.as_str()).or_default() += ret.refund_minor;
    }
    ReturnsTakingsView {
        count: i64::try_from(returns.len()).unwrap_or(i64::MAX),
        refunded: MoneyView { amount: returns.iter().map(|ret| ret.refund_minor).sum(), currency },
        by_method: by_method
            .into_iter()
            .map(|(method, amount)| ReturnsByMethodView {
                method: method.to_owned(),
                amount: MoneyView { amount, currency },
            })
            .collect(),
    }
}

/// The day's takings of a merchant (or one location) by channel, the day counted in the site's
/// time zone: parts placed that day, what was captured and refunded for them.
#[utoipa::path(get, path = "/merchants/{id}/takings", tag = "console", security(("bearer" = [])),
    params(("id" = String, Path, description = "Merchant id"), TakingsQuery),
    responses((status = 200, body = TakingsView), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn takings(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<TakingsQuery>,
) -> ApiResult<Json<TakingsView>> {
    let day = Day::parse(query.date.as_deref(), query.location_id)?;
    let takings = state.app.takings(&user, &id, day).await?;
    Ok(Json(takings_view(takings)))
}

fn takings_view(takings: Takings) -> TakingsView {
    let currency = takings.currency;
    let figures = |orders, gross, refunds| TakingsFiguresView {
        orders,
        gross: MoneyView { amount: gross, currency },
        refunds: MoneyView { amount: refunds, currency },
        net: MoneyView { amount: gross - refunds, currency },
    };
    let rows: &[TakingsRow] = &takings.channels;
    let total = figures(
        rows.iter().map(|row| row.orders).sum(),
        rows.iter().map(|row| row.gross_minor).sum(),
        rows.iter().map(|row| row.refunds_minor).sum(),
    );
    TakingsView {
        merchant_id: takings.merchant_id,
        location_id: takings.location_id,
        date: takings.date.format("%Y-%m-%d").to_string(),
        timezone: takings.timezone,
        currency: currency.code().to_owned(),
        from: rfc3339(takings.from_ms),
        to: rfc3339(takings.to_ms),
        channels: rows
            .iter()
            .map(|row| ChannelTakingsView {
                channel: row.channel.to_string(),
                figures: figures(row.orders, row.gross_minor, row.refunds_minor),
            })
            .collect(),
        total,
        returns: returns_takings(&takings.returns, currency),
    }
}
