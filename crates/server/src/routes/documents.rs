//! Receipts and tax documents of placed orders: the customer's one combined receipt and each
//! merchant's own boleta or factura, as printable HTML, PDF or ESC/POS bytes. Also the quote an
//! order was placed with.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use omnicanal_app::fulfilment::Viewer;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::MaybeAuthUser;
use crate::documents::assemble::{receipt, tax_document};
use crate::documents::escpos::render_escpos;
use crate::documents::html::render_html;
use crate::documents::pdf::render_pdf;
use crate::documents::{DocumentView, PaperWidth};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Routes of this area.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(order_quote)).routes(routes!(order_receipt)).routes(routes!(part_document))
}

/// `?token=&format=&width=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// The order's tracking token (customers); staff use their bearer token instead.
    pub token: Option<String>,
    /// `html` (default, printable), `pdf`, or `escpos` (bytes for a thermal printer).
    #[param(schema_with = crate::views::words::document_format)]
    pub format: Option<String>,
    /// Paper width for `escpos`: `58` or `80` (default) mm.
    #[param(schema_with = crate::views::words::paper_width)]
    pub width: Option<u16>,
}

/// `?token=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// The order's tracking token (customers); staff use their bearer token instead.
    pub token: Option<String>,
}

enum Format {
    Html,
    Pdf,
    EscPos(PaperWidth),
}

fn format(query: &DocumentQuery) -> ApiResult<Format> {
    let width = match query.width {
        None | Some(80) => PaperWidth::Mm80,
        Some(58) => PaperWidth::Mm58,
        Some(_) => return Err(ApiError::invalid("width", "must be 58 or 80")),
    };
    match query.format.as_deref() {
        None | Some("html") => Ok(Format::Html),
        Some("pdf") => Ok(Format::Pdf),
        Some("escpos") => Ok(Format::EscPos(width)),
        Some(_) => Err(ApiError::invalid("format", "must be html, pdf or escpos")),
    }
}

fn respond(doc: &DocumentView, format: Format, file_stem: &str) -> Response {
    let (body, content_type, extension) = match format {
        Format::Html => (render_html(doc).into_bytes(), "text/html; charset=utf-8", "html"),
        Format::Pdf => (render_pdf(doc), "application/pdf", "pdf"),
        Format::EscPos(width) => (render_escpos(doc, width), "application/octet-stream", "bin"),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{file_stem}.{extension}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The quote an order was placed with: the prices, promotions (applied and not, with reasons)
/// and taxes exactly as they were, whatever changed since. For the customer (`?token=`) or
/// platform users.
#[utoipa::path(get, path = "/orders/{id}/quote", tag = "pricing", security((), ("bearer" = [])), params(("id" = String, Path, description = "Order id"), TokenQuery),
    responses((status = 200, description = "The stored quote (see POST /pricing/quote)", body = Object), (status = 404, body = crate::error::Problem)))]
async fn order_quote(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<TokenQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let viewer = Viewer::new(user.as_deref(), query.token.as_deref());
    Ok(Json(state.app.order_quote(viewer, &id).await?))
}

/// The customer's one receipt for the whole payment, with a section per restaurant (not a tax
/// document: each restaurant issues its own). For the customer (`?token=`) or platform users.
#[utoipa::path(get, path = "/orders/{id}/receipt", tag = "pricing", security((), ("bearer" = [])), params(("id" = String, Path, description = "Order id"), DocumentQuery),
    responses(
        (status = 200, description = "HTML, PDF or ESC/POS bytes, as `format` asks", content((String = "text/html"), (String = "application/pdf"), (String = "application/octet-stream"))),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn order_receipt(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<DocumentQuery>,
) -> ApiResult<Response> {
    let format = format(&query)?;
    let viewer = Viewer::new(user.as_deref(), query.token.as_deref());
    let records = state.app.receipt_records(viewer, &id).await?;
    let doc = receipt(&records);
    Ok(respond(&doc, format, &format!("recibo-{}", records.order.order.number)))
}

/// A part's tax document (boleta, or factura when the customer gave a tax id), numbered in its
/// merchant's own sequence. For the customer (`?token=`) or staff of that merchant.
#[utoipa::path(get, path = "/fulfillments/{id}/document", tag = "pricing", security((), ("bearer" = [])), params(("id" = String, Path, description = "Fulfilment id"), DocumentQuery),
    responses(
        (status = 200, description = "HTML, PDF or ESC/POS bytes, as `format` asks", content((String = "text/html"), (String = "application/pdf"), (String = "application/octet-stream"))),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn part_document(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<DocumentQuery>,
) -> ApiResult<Response> {
    let format = format(&query)?;
    let viewer = Viewer::new(user.as_deref(), query.token.as_deref());
    let (records, part) = state.app.part_document_records(viewer, &id).await?;
    let doc = tax_document(&records, &part);
    let stem = doc.number.clone().unwrap_or_else(|| part.id.clone());
    Ok(respond(&doc, format, &stem))
}
