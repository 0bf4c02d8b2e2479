//! The merchant console's API: a location's live queue (the kitchen display), its sold-out
//! switches, the search of past orders, and the day's takings by channel.
//!
//! Who sees what: staff only their own location, a manager every location of its merchant,
//! admins everything; another merchant's location or merchant is 404, never 403.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use chrono::{NaiveDate, TimeZone};
use omnicanal_domain::catalog::Sku;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::kitchen::{PartClock, lateness, start_by_ms};
use omnicanal_domain::modifiers::ChosenModifier;
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_store::{LocationRow, OrderSearch, QueueEntry, SoldOutRow, SoldOutSwitch};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, Role};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, Pagination};
use crate::ids::{new_id, now_ms, parse_time, rfc3339};
use crate::state::AppState;
use crate::storefront::{LocationState, location_state};
use crate::views::{ChoiceView, DocumentRefView, MoneyView};
use omnicanal_app::AppError;

/// Finished parts shown with `?include_done=true`: those that changed in the last 12 hours.
pub const DONE_WINDOW_MS: i64 = 12 * 3_600_000;
/// Longest search text.
pub const MAX_SEARCH_CHARS: usize = 100;

/// The roles that work a location's queue.
const LOCATION_ROLES: [Role; 3] = [Role::Admin, Role::MerchantManager, Role::Staff];

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(location_queue))
        .routes(routes!(list_sold_out))
        .routes(routes!(mark_sold_out, mark_back_on_sale))
        .routes(routes!(search_orders))
        .routes(routes!(takings))
}

/// A location the user may work at: 404 for one they may not see, 403 for a role that may not.
async fn workable_location(state: &AppState, user: &AuthUser, id: &str) -> ApiResult<LocationRow> {
    let location = state.store.get_location(id).await?.ok_or(AppError::NotFound("location"))?;
    user.check_location(&location.merchant_id, &location.id)?;
    user.require(&LOCATION_ROLES)?;
    Ok(location)
}

/// The location itself, as the display's header shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueLocationView {
    /// Location id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Merchant id.
    pub merchant_id: String,
    /// Usual preparation time, in minutes (the default when accepting).
    pub prep_minutes: i64,
    /// Paused ("too busy") until then, when it is.
    pub paused_until: Option<String>,
    /// Open, paused or closed, as customers see it.
    pub status: LocationState,
    /// Where the counter is.
    pub counter: Option<String>,
}

/// One line of a queued part, as the kitchen reads it (no prices).
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueLineView {
    /// SKU.
    pub sku: String,
    /// Product name when sold (the SKU for lines stored before names were kept).
    pub name: String,
    /// Units.
    pub quantity: i64,
    /// The customer's choices.
    pub modifiers: Vec<ChoiceView>,
    /// The customer's note for the kitchen.
    pub note: Option<String>,
}

/// One part in the live queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemView {
    /// The part (use it for transitions and the ticket).
    pub fulfillment_id: String,
    /// Its order.
    pub order_id: String,
    /// The order's number, called out at the counter.
    pub order_number: i64,
    /// The channel it came through.
    pub channel: String,
    /// Who picks it up.
    pub customer_name: String,
    /// The table the customer ordered from (a QR poster's `?table=`), if any.
    pub table: Option<String>,
    /// placed, accepted, preparing, ready (or collected, rejected, cancelled with `include_done`).
    pub status: String,
    /// When it was placed.
    pub created_at: String,
    /// Scheduled pickup time; null: as soon as possible.
    pub pickup_at: Option<String>,
    /// When to start a scheduled part: pickup time minus the preparation time (null for ASAP).
    pub start_by: Option<String>,
    /// Preparation time given on acceptance.
    pub prep_minutes: Option<i64>,
    /// When it was accepted.
    pub accepted_at: Option<String>,
    /// When it is promised ready.
    pub estimated_ready_at: Option<String>,
    /// While placed: when its hold lapses.
    pub hold_expires_at: Option<String>,
    /// True when it needs attention now (see `late_reason`).
    pub late: bool,
    /// null, `not_accepted` (placed over 5 minutes ago, or past its hold), `past_estimate`
    /// (accepted or preparing past its estimate) or `past_pickup` (not collected past its pickup time).
    pub late_reason: Option<String>,
    /// Lines.
    pub lines: Vec<QueueLineView>,
    /// What the part costs.
    pub subtotal: MoneyView,
    /// `card` or `pay_at_pickup`.
    pub payment_method: String,
    /// What the customer still pays at the counter (pay at pickup, until handover).
    pub to_collect: MoneyView,
    /// Reason of a rejection or cancellation.
    pub reason: Option<String>,
    /// Its tax document.
    pub document: Option<DocumentRefView>,
}

/// A location's live queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueView {
    /// The location.
    pub location: QueueLocationView,
    /// The server's time, for the display's clocks.
    pub now: String,
    /// Parts, oldest first.
    pub items: Vec<QueueItemView>,
}

/// `?include_done=&limit=&offset=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocationQueueQuery {
    /// Also list collected, rejected and cancelled parts of the last 12 hours (default false).
    pub include_done: Option<bool>,
    /// Items per page, 1 to 500 (default 500).
    pub limit: Option<i64>,
    /// Items to skip.
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
    let location = workable_location(&state, &user, &id).await?;
    let site = state.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("location"))?;
    let now = now_ms();
    let done_since = query.include_done.unwrap_or(false).then_some(now - DONE_WINDOW_MS);
    let entries = state.store.location_queue(&location.id, done_since, page).await?;
    let items = entries.iter().map(|entry| queue_item(entry, location.storefront.prep_minutes, now)).collect();
    Ok(Json(QueueView {
        location: QueueLocationView {
            status: location_state(&location, &site.timezone, now),
            id: location.id,
            name: location.name,
            merchant_id: location.merchant_id,
            prep_minutes: location.storefront.prep_minutes,
            paused_until: location.storefront.paused_until_ms.filter(|until| *until > now).map(rfc3339),
            counter: location.storefront.counter,
        },
        now: rfc3339(now),
        items,
    }))
}

/// The queue's view of one part; `default_prep` is the location's usual preparation time.
fn queue_item(entry: &QueueEntry, default_prep: i64, now: i64) -> QueueItemView {
    let QueueEntry { order, part } = entry;
    let status = part.status;
    let pickup_at_ms = order.pickup_at.as_deref().and_then(parse_time);
    let preparation = part.preparation;
    let late = lateness(
        &PartClock {
            status,
            created_at_ms: part.created_at_ms,
            hold_expires_at_ms: part.hold_expires_at_ms,
            estimated_ready_ms: preparation.estimated_ready_ms,
            pickup_at_ms,
        },
        now,
    );
    let pay_at_pickup = order.payment_method == PaymentMethod::PayAtPickup;
    let owed = pay_at_pickup && !status.is_final();
    QueueItemView {
        fulfillment_id: part.id.clone(),
        order_id: order.id.clone(),
        order_number: order.number,
        channel: order.channel.to_string(),
        customer_name: order.customer_name.clone(),
        table: order.table_label.clone(),
        status: part.status.to_string(),
        created_at: rfc3339(part.created_at_ms),
        pickup_at: pickup_at_ms.map(rfc3339),
        start_by: start_by_ms(pickup_at_ms, preparation.prep_minutes.unwrap_or(default_prep)).map(rfc3339),
        prep_minutes: preparation.prep_minutes,
        accepted_at: preparation.accepted_at_ms.map(rfc3339),
        estimated_ready_at: preparation.estimated_ready_ms.map(rfc3339),
        hold_expires_at: part.hold_expires_at_ms.filter(|_| status == FulfillmentStatus::Placed).map(rfc3339),
        late: late.is_some(),
        late_reason: late.map(|reason| reason.as_str().to_owned()),
        lines: part
            .lines
            .iter()
            .map(|line| QueueLineView {
                sku: line.sku.clone(),
                name: line.pricing.name.clone().unwrap_or_else(|| line.sku.clone()),
                quantity: line.quantity,
                modifiers: line
                    .pricing
                    .modifiers_json
                    .as_deref()
                    .and_then(|json| serde_json::from_str::<Vec<ChosenModifier>>(json).ok())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|chosen| ChoiceView { group: chosen.group, option: chosen.option })
                    .collect(),
                note: line.pricing.note.clone(),
            })
            .collect(),
        subtotal: MoneyView::from_parts(part.subtotal_minor, part.currency),
        payment_method: order.payment_method.as_str().to_owned(),
        to_collect: MoneyView::from_parts(
            if owed { (part.subtotal_minor - part.captured_minor).max(0) } else { 0 },
            part.currency,
        ),
        reason: part.reason.clone(),
        document: match (&part.pricing.document_kind, part.pricing.document_number) {
            (Some(kind), Some(number)) => Some(DocumentRefView { kind: *kind, number }),
            _ => None,
        },
    }
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
    let location = workable_location(&state, &user, &id).await?;
    let names: HashMap<String, String> = state
        .store
        .list_merchant_products(&location.merchant_id)
        .await?
        .into_iter()
        .flat_map(|(product, variants)| variants.into_iter().map(move |v| (v.sku, product.name.clone())))
        .collect();
    let rows = state.store.list_sold_out(&location.id).await?;
    Ok(Json(rows.into_iter().map(|row| sold_out_view(row.location_id.clone(), row, &names)).collect()))
}

fn sold_out_view(location_id: String, row: SoldOutRow, names: &HashMap<String, String>) -> SoldOutView {
    SoldOutView {
        location_id,
        name: names.get(&row.sku).cloned(),
        sku: row.sku,
        sold_out: true,
        since: Some(rfc3339(row.since_ms)),
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
    let location = workable_location(state, user, location_id).await?;
    let sku = Sku::parse(raw_sku)?;
    let (variant, track_stock) =
        state.store.find_variant(&location.merchant_id, sku.as_str()).await?.ok_or(AppError::NotFound("sku"))?;
    let name = state.store.get_product(&variant.product_id).await?.map(|(product, _)| product.name);
    let (current, changed) = state
        .store
        .switch_sold_out(&SoldOutSwitch {
            location_id: location.id.clone(),
            merchant_id: location.merchant_id.clone(),
            sku: variant.sku.clone(),
            sold_out,
            track_stock,
            user_id: Some(user.id.clone()),
            now_ms: now_ms(),
            event_id: new_id("evt"),
        })
        .await?;
    if changed {
        state.wake_dispatcher();
    }
    Ok(SoldOutView {
        location_id: location.id,
        sku: variant.sku,
        name,
        sold_out: current.is_some(),
        since: current.map(|row| rfc3339(row.since_ms)),
    })
}

/// `?q=&status=&location_id=&from=&to=&limit=&offset=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderSearchQuery {
    /// An order number (`123` or `#123`), or part of the customer's name or phone (case-insensitive).
    pub q: Option<String>,
    /// Only parts in this status.
    pub status: Option<String>,
    /// Only this location (staff: only their own).
    pub location_id: Option<String>,
    /// Placed at or after (RFC 3339 or YYYY-MM-DD).
    pub from: Option<String>,
    /// Placed before (RFC 3339 or YYYY-MM-DD).
    pub to: Option<String>,
    /// Items per page, 1 to 500 (default 100).
    pub limit: Option<i64>,
    /// Items to skip.
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

/// A period bound from the query: RFC 3339 or YYYY-MM-DD (422 otherwise).
fn period_bound(field: &str, raw: Option<&str>) -> ApiResult<Option<i64>> {
    raw.map(|raw| parse_time(raw).ok_or_else(|| ApiError::invalid(field, "must be RFC 3339 or YYYY-MM-DD"))).transpose()
}

/// The location a merchant's user may look at: staff are held to their own (another is 404),
/// a named location must be the merchant's.
async fn scoped_location(
    state: &AppState,
    user: &AuthUser,
    merchant_id: &str,
    wanted: Option<String>,
) -> ApiResult<Option<LocationRow>> {
    let wanted = match (user.role, wanted) {
        (Role::Staff, Some(wanted)) if user.location_id.as_deref() != Some(wanted.as_str()) => {
            return Err(AppError::NotFound("location").into());
        }
        (Role::Staff, _) => Some(user.location_id.clone().ok_or(AppError::NotFound("location"))?),
        (_, wanted) => wanted,
    };
    let Some(id) = wanted else { return Ok(None) };
    let location = state.store.get_location(&id).await?.filter(|l| l.merchant_id == merchant_id);
    location.map(Some).ok_or(AppError::NotFound("location").into())
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
    user.check_merchant(&id, "merchant")?;
    user.require(&[Role::Admin, Role::MerchantManager, Role::Staff, Role::SupportAgent])?;
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    let status = query.status.as_deref().map(FulfillmentStatus::parse).transpose()?;
    let text = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_owned);
    if text.as_ref().is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS) {
        return Err(ApiError::invalid("q", format!("must be at most {MAX_SEARCH_CHARS} characters")));
    }
    let from_ms = period_bound("from", query.from.as_deref())?.unwrap_or(i64::MIN);
    let to_ms = period_bound("to", query.to.as_deref())?.unwrap_or(i64::MAX);
    if from_ms >= to_ms {
        return Err(ApiError::invalid("to", "must be later than from"));
    }
    state.store.get_merchant(&id).await?.ok_or(AppError::NotFound("merchant"))?;
    let location = scoped_location(&state, &user, &id, query.location_id).await?;
    let search =
        OrderSearch { merchant_id: id, location_id: location.map(|l| l.id), status, text, from_ms, to_ms, page };
    let (rows, total) = state.store.search_orders(&search).await?;
    Ok(Json(OrderSearchPage {
        items: rows
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
        total,
        limit: page.limit,
        offset: page.offset,
    }))
}

/// `?date=&location_id=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TakingsQuery {
    /// The day (YYYY-MM-DD) in the site's time zone; today when absent.
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
}

/// The first instant of `date` in `zone`, in Unix milliseconds (the first existing local time
/// when midnight is skipped by a clock change, as in Chile).
pub(crate) fn local_day_start_ms(zone: chrono_tz::Tz, date: NaiveDate) -> i64 {
    (0..24)
        .filter_map(|hour| date.and_hms_opt(hour, 0, 0))
        .find_map(|local| zone.from_local_datetime(&local).earliest())
        .map_or(0, |start| start.timestamp_millis())
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
    user.check_merchant(&id, "merchant")?;
    user.require(&[Role::Admin, Role::MerchantManager, Role::Staff, Role::SupportAgent])?;
    let date = query
        .date
        .as_deref()
        .map(|raw| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| ApiError::invalid("date", "must be YYYY-MM-DD"))
        })
        .transpose()?;
    state.store.get_merchant(&id).await?.ok_or(AppError::NotFound("merchant"))?;
    let location = scoped_location(&state, &user, &id, query.location_id).await?;
    let (currency, timezone) = match &location {
        Some(location) => {
            let site = state.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("location"))?;
            (site.currency, site.timezone)
        }
        None => state.app.merchant_home(&id).await?,
    };
    let zone: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
    let date = date.unwrap_or_else(|| chrono::Utc::now().with_timezone(&zone).date_naive());
    let from_ms = local_day_start_ms(zone, date);
    let to_ms = date.succ_opt().map_or(i64::MAX, |next| local_day_start_ms(zone, next));
    let rows = state.store.takings_by_channel(&id, location.as_ref().map(|l| l.id.as_str()), from_ms, to_ms).await?;
    let figures = |orders, gross, refunds| TakingsFiguresView {
        orders,
        gross: MoneyView { amount: gross, currency },
        refunds: MoneyView { amount: refunds, currency },
        net: MoneyView { amount: gross - refunds, currency },
    };
    let total = figures(
        rows.iter().map(|row| row.orders).sum(),
        rows.iter().map(|row| row.gross_minor).sum(),
        rows.iter().map(|row| row.refunds_minor).sum(),
    );
    Ok(Json(TakingsView {
        merchant_id: id,
        location_id: location.map(|l| l.id),
        date: date.format("%Y-%m-%d").to_string(),
        timezone,
        currency: currency.code().to_owned(),
        from: rfc3339(from_ms),
        to: rfc3339(to_ms),
        channels: rows
            .into_iter()
            .map(|row| ChannelTakingsView {
                channel: row.channel.to_string(),
                figures: figures(row.orders, row.gross_minor, row.refunds_minor),
            })
            .collect(),
        total,
    }))
}
