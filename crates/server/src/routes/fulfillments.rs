//! Fulfilment work: a location's parts, status transitions (accepting with a preparation time),
//! the kitchen ticket, and the merchant's settlement as JSON or as a CSV statement.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use omnicanal_app::AppError;
use omnicanal_app::console::Period;
use omnicanal_app::console::settlement::SettlementStatement;
use omnicanal_app::fulfilment::{TransitionCommand, Viewer};
use omnicanal_domain::fulfillment::FulfillmentStatus;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, MaybeAuthUser};
use crate::documents::PaperWidth;
use crate::documents::kitchen::{KitchenTicket, render_kitchen_escpos, render_kitchen_html};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::routes::orders::TrackingQuery;
use crate::state::AppState;
use crate::views::{FulfillmentView, MoneyView};

pub use omnicanal_app::fulfilment::MAX_REASON_CHARS;

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
    #[param(schema_with = crate::views::words::fulfillment_status)]
    pub status: Option<String>,
    /// Items per page, 1 to 500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 100_000_000)]
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
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    let status = query.status.as_deref().map(FulfillmentStatus::parse).transpose()?;
    let parts = state.app.location_fulfillments(&user, &id, status, page).await?;
    Ok(Json(parts.iter().map(|part| FulfillmentView::new(part, false)).collect()))
}

/// A requested status change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionBody {
    /// accepted, preparing, ready, collected, rejected or cancelled.
    #[schema(schema_with = crate::views::words::fulfillment_status)]
    pub to: String,
    /// The customer's code; required for `collected`.
    pub pickup_code: Option<String>,
    /// Why, for `rejected` (shown to the customer).
    pub reason: Option<String>,
    /// For `accepted`: the preparation time promised, 1 to 240 minutes (default: the location's
    /// `prep_minutes`). The part is promised ready at acceptance plus this time, or at its
    /// scheduled pickup time when that is later (`estimated_ready_at`). Ignored for other statuses.
    #[schema(minimum = 1, maximum = 240)]
    pub prep_minutes: Option<i64>,
}

/// Moves a fulfilment to its next status. Staff of the location, its merchant's manager
/// or an admin; the customer (with `?token=`) may only cancel a part still `placed`.
/// Rejecting or cancelling releases the part's stock and refunds its subtotal.
#[utoipa::path(post, path = "/fulfillments/{id}/transition", tag = "fulfilment", security((), ("bearer" = [])), request_body = TransitionBody,
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
    let command = TransitionCommand::try_from(body)?;
    let viewer = Viewer::new(user.as_deref(), query.token.as_deref());
    let moved = state.app.transition_fulfillment(&id, viewer, command).await?;
    Ok(Json(FulfillmentView::new(&moved.part, moved.by_customer)))
}

impl TryFrom<TransitionBody> for TransitionCommand {
    type Error = AppError;

    fn try_from(body: TransitionBody) -> Result<Self, AppError> {
        TransitionCommand::parse(&body.to, body.reason.as_deref(), body.prep_minutes, body.pickup_code)
    }
}

/// The settlement period.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// Start (RFC 3339 or YYYY-MM-DD), inclusive; the beginning of time when absent.
    #[param(schema_with = crate::views::words::date)]
    pub from: Option<String>,
    /// End (RFC 3339 or YYYY-MM-DD), exclusive; now when absent.
    #[param(schema_with = crate::views::words::date)]
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

impl TryFrom<&PeriodQuery> for Period {
    type Error = AppError;

    fn try_from(query: &PeriodQuery) -> Result<Self, AppError> {
        Period::parse(query.from.as_deref(), query.to.as_deref())
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
    let period = Period::try_from(&query)?;
    let report = state.app.settlement(&user, &id, period).await?;
    let totals = report.totals;
    Ok(Json(SettlementView {
        merchant_id: report.merchant_id,
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
    let period = Period::try_from(&query)?;
    let statement = state.app.settlement_statement(&user, &id, period).await?;
    let body = statement_csv(&statement)?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    let file = format!("attachment; filename=\"settlement-{}.csv\"", statement.merchant_id);
    if let Ok(value) = HeaderValue::from_str(&file) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The statement's CSV: a row per part, dates in the merchant's time zone, then the `TOTAL` row.
fn statement_csv(statement: &SettlementStatement) -> Result<Vec<u8>, AppError> {
    let zone: chrono_tz::Tz = statement.timezone.parse().unwrap_or(chrono_tz::UTC);
    let currency = statement.currency.code();
    let internal = |error: csv::Error| AppError::Internal(Box::new(error));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER).map_err(internal)?;
    for (line, row) in &statement.lines {
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
    let totals = &statement.totals;
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
    writer.into_inner().map_err(|error| AppError::Internal(error.to_string().into()))
}

/// `?format=&width=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// `html` (default, printable) or `escpos` (bytes for a thermal printer).
    #[param(schema_with = crate::views::words::ticket_format)]
    pub format: Option<String>,
    /// Paper width in millimetres: `58` or `80` (default).
    #[param(schema_with = crate::views::words::paper_width)]
    pub width: Option<u16>,
}

/// The kitchen ticket of a part: order number and pickup time in large print (or "LO ANTES
/// POSIBLE"), customer, channel, every line with its choices and note, acceptance time and
/// estimate; no prices. Printable HTML or ESC/POS bytes (staff of the location, its manager, admins).
#[utoipa::path(get, path = "/fulfillments/{id}/ticket", tag = "fulfilment", security(("bearer" = [])),
    params(("id" = String, Path, description = "Fulfilment id"), TicketQuery),
    responses((status = 200, description = "HTML page or ESC/POS bytes, as `format` asks", content((String = "text/html"), (String = "application/octet-stream"))),
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
    let records = state.app.kitchen_ticket(&user, &id).await?;
    let ticket = KitchenTicket::new(&records);
    let (body, content_type, extension) = if escpos {
        (render_kitchen_escpos(&ticket, width), "application/octet-stream", "bin")
    } else {
        (render_kitchen_html(&ticket, width).into_bytes(), "text/html; charset=utf-8", "html")
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let file = format!("inline; filename=\"comanda-{}.{extension}\"", records.order.number);
    if let Ok(value) = HeaderValue::from_str(&file) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
