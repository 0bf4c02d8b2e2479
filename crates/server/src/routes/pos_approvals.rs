//! A manager's PIN and approvals at the till: `PUT /users/me/pin` (a manager sets their own),
//! `POST /pos/devices/{id}/approvals` (a PIN typed at a till approves a line discount or void
//! above the till's limits; five wrong in a row lock the till's approvals for 15 minutes), and
//! `GET`/`PUT /pos/devices/{id}/limits`. The rules are in `omnicanal_app::pos::approvals`.
//! Also the session report in every format (`GET /pos/sessions/{id}/report`: JSON, the 80 mm
//! page, PDF, ESC/POS).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::pos::approvals::RequestApproval;

use crate::auth::AuthUser;
use crate::documents::PaperWidth;
use crate::documents::session_report::{ReportDocument, render_report_escpos, render_report_html, render_report_pdf};
use crate::error::ApiError;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiJson;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::views::{ApprovalView, DeviceLimitsView, MoneyView, SessionReportView};
use crate::web::i18n::Lang;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::IntoParams;

/// Routes that record approvals (wrapped by the idempotency layer: a retry records nothing twice).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(request_approval))
}

/// Routes that set PINs and limits.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_my_pin))
        .routes(routes!(device_limits, set_device_limits))
        .routes(routes!(session_report_document))
}

/// A PIN to set.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PinBody {
    /// 4 to 8 digits.
    #[schema(pattern = "^[0-9]{4,8}$")]
    pub pin: String,
}

/// Sets the signed-in manager's (or admin's) own PIN, which approves line discounts and voids
/// above a till's limits. Stored as an argon2 hash, never shown.
#[utoipa::path(put, path = "/users/me/pin", tag = "pos", request_body = PinBody, security(("bearer" = [])),
    responses((status = 204, description = "Set"), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn set_my_pin(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<PinBody>,
) -> ApiResult<StatusCode> {
    state.app.set_my_pin(&user, &body.pin).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An approval asked for at a till.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ApprovalBody {
    /// A manager's PIN, typed by the manager at the till.
    #[schema(pattern = "^[0-9]{4,8}$")]
    pub pin: String,
    /// `line_discount` or `line_void`.
    #[schema(pattern = "^(line_discount|line_void)$")]
    pub action: String,
    /// Up to how much it approves (the discount, or the voided line's value).
    pub amount: Option<MoneyView>,
    /// Why (1 to 200 characters).
    pub reason: String,
}

/// Approves a line discount or void at a till by a manager's PIN (a manager of the till's
/// merchant, or an admin): 201 with the approval's id, to send with the sale line. A PIN that
/// matches no manager → 403 `pin_wrong` with `attempts_left`; the fifth in a row locks the
/// till's approvals for 15 minutes → 423 `pin_locked` with `locked_until`.
#[utoipa::path(post, path = "/pos/devices/{id}/approvals", tag = "pos", request_body = ApprovalBody,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Till id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = ApprovalView), (status = 403, body = Problem, description = "`pin_wrong`"),
        (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 423, body = Problem, description = "`pin_locked`")))]
async fn request_approval(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ApprovalBody>,
) -> ApiResult<(StatusCode, Json<ApprovalView>)> {
    let command = RequestApproval::parse(&body.pin, &body.action, body.amount.map(Into::into), &body.reason)?;
    let approval = state.app.request_pos_approval(&user, &id, command).await?;
    Ok((StatusCode::CREATED, Json(approval.into())))
}

/// A till's approval limits (the defaults — 10 % and 10 000 minor units — until a manager sets them).
#[utoipa::path(get, path = "/pos/devices/{id}/limits", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Till id")),
    responses((status = 200, body = DeviceLimitsView), (status = 404, body = Problem)))]
async fn device_limits(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<DeviceLimitsView>> {
    Ok(Json(state.app.pos_device_limits(&user, &id).await?.into()))
}

/// New limits of a till.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeviceLimitsBody {
    /// Largest manual discount on a line without approval, in basis points, 0 to 10 000.
    #[schema(minimum = 0, maximum = 10000)]
    pub line_discount_bps: i64,
    /// Largest value of a voided line without approval.
    pub line_void_amount: MoneyView,
}

/// Sets a till's approval limits (managers of its merchant, admins).
#[utoipa::path(put, path = "/pos/devices/{id}/limits", tag = "pos", request_body = DeviceLimitsBody,
    security(("bearer" = [])), params(("id" = String, Path, description = "Till id")),
    responses((status = 200, body = DeviceLimitsView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn set_device_limits(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeviceLimitsBody>,
) -> ApiResult<Json<DeviceLimitsView>> {
    let limits =
        state.app.set_pos_device_limits(&user, &id, body.line_discount_bps, body.line_void_amount.into()).await?;
    Ok(Json(limits.into()))
}

/// `?format=&width=&lang=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `json` (default), `html` (the 80 mm printable page), `pdf` or `escpos`.
    #[param(pattern = "^(json|html|pdf|escpos)$")]
    pub format: Option<String>,
    /// Paper width for `escpos`: `58` or `80` (default) mm.
    #[param(schema_with = crate::views::words::paper_width)]
    pub width: Option<u16>,
    /// `es` (default) or `en`, for the page, PDF and ESC/POS.
    #[param(pattern = "^(es|en)$")]
    pub lang: Option<String>,
}

/// A session's report: sales by payment method, taxes, discounts (promotions and manual), voids,
/// refunds (returns paid back in cash at this till), cash in and out with reasons, expected against counted
/// cash and the count per denomination — as JSON (the same as `GET /pos/sessions/{id}`), a
/// printable 80 mm page, an A4 PDF or ESC/POS bytes.
#[utoipa::path(get, path = "/pos/sessions/{id}/report", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Session id"), ReportQuery),
    responses(
        (status = 200, description = "JSON, HTML, PDF or ESC/POS bytes, as `format` asks", content(
            (SessionReportView = "application/json"), (String = "text/html"), (String = "application/pdf"),
            (String = "application/octet-stream"))),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn session_report_document(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let width = match query.width {
        None | Some(80) => PaperWidth::Mm80,
        Some(58) => PaperWidth::Mm58,
        Some(_) => return Err(ApiError::invalid("width", "must be 58 or 80")),
    };
    let format = query.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "html" | "pdf" | "escpos") {
        return Err(ApiError::invalid("format", "must be json, html, pdf or escpos"));
    }
    if query.lang.as_deref().is_some_and(|lang| !matches!(lang, "es" | "en")) {
        return Err(ApiError::invalid("lang", "must be es or en"));
    }
    let report = state.app.pos_session_report(&user, &id).await?;
    if format == "json" {
        return Ok(Json(SessionReportView::from(report)).into_response());
    }
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let doc = ReportDocument::new(&report, lang);
    let (body, content_type, extension) = match format {
        "html" => (render_report_html(&doc).into_bytes(), "text/html; charset=utf-8", "html"),
        "pdf" => (render_report_pdf(&doc), "application/pdf", "pdf"),
        _ => (render_report_escpos(&doc, width), "application/octet-stream", "bin"),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) =
        HeaderValue::from_str(&format!("inline; filename=\"informe-caja-{}.{extension}\"", doc.session_id))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
