//! Fulfilment work: a location's parts, status transitions (accepting with a preparation time),
//! the kitchen ticket, and the merchant's settlement as JSON or as a CSV statement.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use omnicanal_domain::catalog::CommissionRate;
use omnicanal_domain::fulfillment::{Actor, FulfillmentStatus, TransitionRequest, plan_transition};
use omnicanal_domain::kitchen::{MAX_PREP_MINUTES, PrepMinutes, estimate_ready_ms};
use omnicanal_domain::settlement::{SettlementPart, settle, settle_parts};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{FulfillmentChange, FulfillmentRecord, MerchantRow, OrderRecord, Preparation, SettlementPartRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, MaybeAuthUser, Role};
use crate::documents::PaperWidth;
use crate::documents::kitchen::{KitchenTicket, render_kitchen_escpos, render_kitchen_html};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::ids::{constant_time_eq, new_id, now_ms, parse_time};
use crate::routes::orders::TrackingQuery;
use crate::state::AppState;
use crate::views::{FulfillmentView, MoneyView};
use omnicanal_app::AppError;

/// Longest rejection reason kept.
pub const MAX_REASON_CHARS: usize = 500;

/// Routes that change fulfilments (wrapped by the idempotency layer).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(transition))
}

/// Routes that read fulfilments and settlements.
pub fn read_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_location_fulfillments))
        .routes(routes!(settlement))
        .routes(routes!(settlement_csv))
        .routes(routes!(kitchen_ticket))
}

/// Filters for a location's queue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only this status.
    pub status: Option<String>,
    /// Items per page, 1 to 500.
    pub limit: Option<i64>,
    /// Items to skip.
    pub offset: Option<i64>,
}

/// A location's fulfilments, newest first (its staff, its merchant's manager, admins).
#[utoipa::path(get, path = "/locations/{id}/fulfillments", tag = "fulfilment", security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id"), QueueQuery),
    responses((status = 200, body = Vec<FulfillmentView>), (status = 404, body = crate::error::Problem)))]
async fn list_location_fulfillments(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> ApiResult<Json<Vec<FulfillmentView>>> {
    let location = state.store.get_location(&id).await?.ok_or(AppError::NotFound("location"))?;
    user.check_location(&location.merchant_id, &location.id)?;
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    let status = query.status.as_deref().map(FulfillmentStatus::parse).transpose()?;
    let parts = state.store.list_location_fulfillments(&id, status, page).await?;
    Ok(Json(parts.iter().map(|part| FulfillmentView::new(part, false)).collect()))
}

/// A requested status change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionBody {
    /// accepted, preparing, ready, collected, rejected or cancelled.
    pub to: String,
    /// The customer's code; required for `collected`.
    pub pickup_code: Option<String>,
    /// Why, for `rejected` (shown to the customer).
    pub reason: Option<String>,
    /// For `accepted`: the preparation time promised, 1 to 240 minutes (default: the location's
    /// `prep_minutes`). The part is promised ready at acceptance plus this time, or at its
    /// scheduled pickup time when that is later (`estimated_ready_at`). Ignored for other statuses.
    pub prep_minutes: Option<i64>,
}

/// Moves a fulfilment to its next status. Staff of the location, its merchant's manager
/// or an admin; the customer (with `?token=`) may only cancel a part still `placed`.
/// Rejecting or cancelling releases the part's stock and refunds its subtotal.
#[utoipa::path(post, path = "/fulfillments/{id}/transition", tag = "fulfilment", request_body = TransitionBody,
    params(("id" = String, Path, description = "Fulfilment id"), TrackingQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 200, body = FulfillmentView), (status = 404, body = crate::error::Problem),
        (status = 409, description = "Illegal transition", body = crate::error::Problem),
        (status = 422, description = "Wrong pickup code or invalid status", body = crate::error::Problem)))]
async fn transition(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<TrackingQuery>,
    ApiJson(body): ApiJson<TransitionBody>,
) -> ApiResult<Json<FulfillmentView>> {
    let part = state.store.get_fulfillment(&id).await?.ok_or(AppError::NotFound("fulfillment"))?;
    let order = state.store.get_order(&part.order_id).await?.ok_or(AppError::NotFound("fulfillment"))?;
    let actor = match (&user, query.token.as_deref()) {
        (Some(user), _) => {
            user.check_location(&part.merchant_id, &part.location_id)?;
            user.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
            Actor::Merchant
        }
        (None, Some(token)) if constant_time_eq(token, &order.order.tracking_token) => Actor::Customer,
        (None, Some(_)) => return Err(AppError::NotFound("fulfillment").into()),
        (None, None) => {
            return Err(AppError::Unauthenticated("sign in, or pass the order's ?token=").into());
        }
    };
    let to = FulfillmentStatus::parse(&body.to)
        .map_err(|_| ApiError::invalid("to", "must be accepted, preparing, ready, collected, rejected or cancelled"))?;
    let from = part.status;
    let reason = body.reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(ApiError::invalid("reason", format!("must be at most {MAX_REASON_CHARS} characters")));
    }
    let prep = body.prep_minutes.map(PrepMinutes::parse).transpose()?;
    let currency: Currency = part.currency;
    let plan = plan_transition(TransitionRequest {
        from,
        to,
        actor,
        presented_pickup_code: body.pickup_code.as_deref(),
        pickup_code: &part.pickup_code,
        payment_method: order.order.payment_method,
        subtotal: Money::new(part.subtotal_minor, currency),
    })?;
    let now = now_ms();
    let preparation = match to {
        FulfillmentStatus::Accepted => promise(&state, &part, &order, prep, now).await?,
        _ => Preparation::default(),
    };
    let change = FulfillmentChange {
        fulfillment_id: part.id.clone(),
        plan,
        reason,
        now_ms: now,
        event_id: new_id("evt"),
        money_event_id: new_id("evt"),
        preparation,
    };
    let updated = state.store.apply_transition(&change).await?;
    // A refund owed was queued as a payment job in the same transaction; the worker pays it.
    state.wake_dispatcher();
    let part = updated.fulfillments.iter().find(|p| p.id == part.id).ok_or(AppError::NotFound("fulfillment"))?;
    Ok(Json(FulfillmentView::new(part, actor == Actor::Customer)))
}

/// What accepting `part` at `now` promises: `prep` minutes (the location's usual time when not
/// given), ready at acceptance plus that time or at the scheduled pickup when later.
async fn promise(
    state: &AppState,
    part: &FulfillmentRecord,
    order: &OrderRecord,
    prep: Option<PrepMinutes>,
    now: i64,
) -> ApiResult<Preparation> {
    let prep = match prep {
        Some(prep) => prep,
        None => {
            let location = state.store.get_location(&part.location_id).await?.ok_or(AppError::NotFound("location"))?;
            PrepMinutes::parse(location.storefront.prep_minutes.clamp(1, MAX_PREP_MINUTES))?
        }
    };
    let pickup_at_ms = order.order.pickup_at.as_deref().and_then(parse_time);
    Ok(Preparation {
        prep_minutes: Some(prep.minutes()),
        accepted_at_ms: Some(now),
        estimated_ready_ms: Some(estimate_ready_ms(now, prep, pickup_at_ms)),
    })
}

/// The settlement period.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// Start (RFC 3339 or YYYY-MM-DD), inclusive; the beginning of time when absent.
    pub from: Option<String>,
    /// End (RFC 3339 or YYYY-MM-DD), exclusive; now when absent.
    pub to: Option<String>,
}

/// What a merchant earned in a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementView {
    /// Merchant.
    pub merchant_id: String,
    /// Captured for the merchant's parts placed in the period.
    pub gross: MoneyView,
    /// Commission: round half away from zero of (gross − refunds + promotions.operator_funded) ×
    /// commission_bps / 10 000.
    pub commission: MoneyView,
    /// Refunded to customers.
    pub refunds: MoneyView,
    /// gross − refunds + promotions.operator_funded − commission.
    pub net: MoneyView,
    /// Who funded the promotions on the merchant's parts.
    pub promotions: SettlementPromotionsView,
    /// Period start, when given.
    pub from: Option<String>,
    /// Period end, when given.
    pub to: Option<String>,
}

/// Who funded the promotions in a settlement.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementPromotionsView {
    /// Discounts the merchant gave (already out of `gross`; information only).
    pub merchant_funded: MoneyView,
    /// Discounts the site's operator funded: paid back to the merchant, included in `net`.
    pub operator_funded: MoneyView,
}

/// What a settlement reads: the merchant, its currency and time zone, its rate, the period.
struct SettlementScope {
    merchant: MerchantRow,
    currency: Currency,
    timezone: String,
    rate: CommissionRate,
    from_ms: i64,
    to_ms: i64,
}

impl SettlementScope {
    /// Checks the reader (the merchant's manager, admins, support) and the period.
    async fn load(state: &AppState, user: &AuthUser, id: &str, query: &PeriodQuery) -> ApiResult<Self> {
        user.check_merchant(id, "merchant")?;
        user.require(&[Role::Admin, Role::MerchantManager, Role::SupportAgent])?;
        let merchant = state.store.get_merchant(id).await?.ok_or(AppError::NotFound("merchant"))?;
        let parse = |field: &str, raw: &Option<String>| -> ApiResult<Option<i64>> {
            raw.as_deref()
                .map(|raw| parse_time(raw).ok_or_else(|| ApiError::invalid(field, "must be RFC 3339 or YYYY-MM-DD")))
                .transpose()
        };
        let from_ms = parse("from", &query.from)?.unwrap_or(i64::MIN);
        let to_ms = parse("to", &query.to)?.unwrap_or(i64::MAX);
        if from_ms >= to_ms {
            return Err(ApiError::invalid("to", "must be later than from"));
        }
        let (currency, timezone) = state.app.merchant_home(id).await?;
        let rate = CommissionRate::parse(merchant.commission_bps)?;
        Ok(Self { merchant, currency, timezone, rate, from_ms, to_ms })
    }

    /// The domain's view of a stored part.
    fn part(&self, row: &SettlementPartRow) -> SettlementPart {
        let money = |amount| Money::new(amount, self.currency);
        SettlementPart {
            captured: money(row.captured_minor),
            refunded: money(row.refunded_minor),
            merchant_funded: money(row.merchant_funded_minor),
            operator_funded: money(row.operator_funded_minor),
            voided: matches!(row.status.as_str(), "rejected" | "cancelled"),
        }
    }
}

/// A merchant's settlement for a period (its manager or an admin).
#[utoipa::path(get, path = "/merchants/{id}/settlement", tag = "fulfilment", security(("bearer" = [])),
    params(("id" = String, Path, description = "Merchant id"), PeriodQuery),
    responses((status = 200, body = SettlementView), (status = 404, body = crate::error::Problem)))]
async fn settlement(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<SettlementView>> {
    let scope = SettlementScope::load(&state, &user, &id, &query).await?;
    let parts = state.store.merchant_money(&id, scope.from_ms, scope.to_ms).await?;
    let totals = settle(scope.currency, scope.rate, parts.iter().map(|part| scope.part(part)))?;
    Ok(Json(SettlementView {
        merchant_id: id,
        gross: totals.gross.into(),
        commission: totals.commission.into(),
        refunds: totals.refunds.into(),
        net: totals.net.into(),
        promotions: SettlementPromotionsView {
            merchant_funded: totals.merchant_funded.into(),
            operator_funded: totals.operator_funded.into(),
        },
        from: query.from,
        to: query.to,
    }))
}

/// The CSV statement's columns.
const CSV_HEADER: [&str; 12] = [
    "date",
    "order_number",
    "location",
    "channel",
    "status",
    "gross",
    "refunded",
    "merchant_funded",
    "operator_funded",
    "commission",
    "net",
    "currency",
];

/// A text cell a spreadsheet would not run as a formula (a leading `=`, `+`, `-`, `@` is quoted).
fn csv_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

/// A merchant's settlement as a CSV statement (`text/csv`, UTF-8): one row per part placed in the
/// period, oldest first, amounts in integer minor units, then a `TOTAL` row equal to
/// `GET /merchants/{id}/settlement`. Each part's commission is its share of the total commission
/// (largest remainder), so every column adds up exactly. Same readers as the settlement.
#[utoipa::path(get, path = "/merchants/{id}/settlement.csv", tag = "fulfilment", security(("bearer" = [])),
    params(("id" = String, Path, description = "Merchant id"), PeriodQuery),
    responses((status = 200, description = "CSV statement", content_type = "text/csv", body = String),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn settlement_csv(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> ApiResult<Response> {
    let scope = SettlementScope::load(&state, &user, &id, &query).await?;
    let lines = state.store.settlement_lines(&id, scope.from_ms, scope.to_ms).await?;
    let parts: Vec<SettlementPart> = lines.iter().map(|line| scope.part(&line.money)).collect();
    let (totals, rows) = settle_parts(scope.currency, scope.rate, &parts)?;
    let zone: chrono_tz::Tz = scope.timezone.parse().unwrap_or(chrono_tz::UTC);
    let currency = scope.currency.code();
    let internal = |error: csv::Error| AppError::Internal(Box::new(error));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER).map_err(internal)?;
    for (line, row) in lines.iter().zip(&rows) {
        let placed =
            chrono::DateTime::from_timestamp_millis(line.created_at_ms).unwrap_or_default().with_timezone(&zone);
        writer
            .write_record([
                placed.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
                line.order_number.to_string(),
                csv_text(&line.location_name),
                csv_text(&line.channel.to_string()),
                line.status.to_string(),
                row.gross.amount_minor.to_string(),
                row.refunds.amount_minor.to_string(),
                row.merchant_funded.amount_minor.to_string(),
                row.operator_funded.amount_minor.to_string(),
                row.commission.amount_minor.to_string(),
                row.net.amount_minor.to_string(),
                currency.to_owned(),
            ])
            .map_err(internal)?;
    }
    writer
        .write_record([
            "TOTAL".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            totals.gross.amount_minor.to_string(),
            totals.refunds.amount_minor.to_string(),
            totals.merchant_funded.amount_minor.to_string(),
            totals.operator_funded.amount_minor.to_string(),
            totals.commission.amount_minor.to_string(),
            totals.net.amount_minor.to_string(),
            currency.to_owned(),
        ])
        .map_err(internal)?;
    let body = writer.into_inner().map_err(|error| AppError::Internal(error.to_string().into()))?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    let file = format!("attachment; filename=\"settlement-{}.csv\"", scope.merchant.id);
    if let Ok(value) = HeaderValue::from_str(&file) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `?format=&width=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// `html` (default, printable) or `escpos` (bytes for a thermal printer).
    pub format: Option<String>,
    /// Paper width in millimetres: `58` or `80` (default).
    pub width: Option<u16>,
}

/// The kitchen ticket of a part: order number and pickup time in large print (or "LO ANTES
/// POSIBLE"), customer, channel, every line with its choices and note, acceptance time and
/// estimate; no prices. Printable HTML or ESC/POS bytes (staff of the location, its manager, admins).
#[utoipa::path(get, path = "/fulfillments/{id}/ticket", tag = "fulfilment", security(("bearer" = [])),
    params(("id" = String, Path, description = "Fulfilment id"), TicketQuery),
    responses((status = 200, description = "HTML page or ESC/POS bytes", content_type = "text/html", body = String),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn kitchen_ticket(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<TicketQuery>,
) -> ApiResult<Response> {
    let width = match query.width {
        None | Some(80) => PaperWidth::Mm80,
        Some(58) => PaperWidth::Mm58,
        Some(_) => return Err(ApiError::invalid("width", "must be 58 or 80")),
    };
    let escpos = match query.format.as_deref() {
        None | Some("html") => false,
        Some("escpos") => true,
        Some(_) => return Err(ApiError::invalid("format", "must be html or escpos")),
    };
    let part = state.store.get_fulfillment(&id).await?.ok_or(AppError::NotFound("fulfillment"))?;
    user.check_location(&part.merchant_id, &part.location_id)?;
    user.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
    let order = state.store.get_order(&part.order_id).await?.ok_or(AppError::NotFound("fulfillment"))?;
    let location = state.store.get_location(&part.location_id).await?.ok_or(AppError::NotFound("fulfillment"))?;
    let site = state.store.get_site(&order.order.site_id).await?.ok_or(AppError::NotFound("fulfillment"))?;
    let ticket = KitchenTicket::new(&order.order, &part, &location.name, &site.timezone, now_ms());
    let (body, content_type, extension) = if escpos {
        (render_kitchen_escpos(&ticket, width), "application/octet-stream", "bin")
    } else {
        (render_kitchen_html(&ticket, width).into_bytes(), "text/html; charset=utf-8", "html")
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let file = format!("inline; filename=\"comanda-{}.{extension}\"", order.order.number);
    if let Ok(value) = HeaderValue::from_str(&file) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
