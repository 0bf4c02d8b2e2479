//! Till receipts over HTTP: a till's network printer (managers), a sale printed on it with the
//! failure told (`printer_unreachable`, never assumed printed), the receipt as the 80 mm page,
//! PDF or ESC/POS bytes, and the digital receipt's public link with its QR. The decisions are
//! in `omnicanal_app::pos::printing`; here only the request is parsed and the receipt rendered.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use omnicanal_app::AppError;
use omnicanal_app::pos::printing::PrinterSetting;
use qrcode::QrCode;
use qrcode::render::svg;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::documents::escpos::render_escpos;
use crate::documents::html::render_html;
use crate::documents::pdf::render_pdf;
use crate::documents::till::sale_receipt;
use crate::documents::{DocumentView, PaperWidth};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::notify::receipt_link::LinkRecipient;
use crate::state::AppState;
use crate::views::DeviceView;
use crate::web::i18n::Lang;

/// Routes of this area.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_printer))
        .routes(routes!(print_sale))
        .routes(routes!(sale_receipt_document))
        .routes(routes!(create_digital_receipt))
}

/// A printer: raw ESC/POS over TCP.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PrinterBody {
    /// Host name or IP address (no scheme or port). A host on an internal network (as store
    /// printers are) must be named in the server's `OMNICANAL_OUTBOUND_ALLOWED_HOSTS`.
    #[schema(min_length = 1, max_length = 253, pattern = r"^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$")]
    pub host: String,
    /// TCP port, 1 to 65535 (default 9100).
    #[schema(minimum = 1, maximum = 65535)]
    pub port: Option<i64>,
}

/// A till's printer setting.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SetPrinterBody {
    /// The printer, or `null` to remove it (required: a body without it removes nothing).
    #[serde(deserialize_with = "required_nullable")]
    #[schema(required = true)]
    pub printer: Option<PrinterBody>,
}

/// An `Option` field that must be present (`null` allowed): with a `deserialize_with`, serde
/// no longer takes a missing field for `None`.
fn required_nullable<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<PrinterBody>, D::Error> {
    Option::deserialize(deserializer)
}

/// Sets (or with `printer: null` removes) a till's ESC/POS network printer: managers of its
/// merchant and admins. The host must pass the outbound policy (422 on `printer.host`).
#[utoipa::path(put, path = "/pos/devices/{id}/printer", tag = "pos", request_body = SetPrinterBody,
    security(("bearer" = [])), params(("id" = String, Path, description = "Till id")),
    responses((status = 200, body = DeviceView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn set_printer(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SetPrinterBody>,
) -> ApiResult<Json<DeviceView>> {
    let setting = body.printer.map(|printer| PrinterSetting::parse(&printer.host, printer.port)).transpose()?;
    let (device, printer) = state.app.set_pos_printer(&user, &id, setting).await?;
    Ok(Json(DeviceView { printer: printer.map(Into::into), ..device.into() }))
}

/// A receipt printed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrintedView {
    /// Always true: a failure is a problem, never this answer.
    pub printed: bool,
    /// Where (`host:port`).
    pub printer: String,
    /// Bytes written.
    pub bytes: usize,
    /// `ready` (the printer answered its paper status) or `no_status_answer` (it did not; the
    /// socket accepted every byte).
    pub printer_status: String,
}

/// Prints a sale's receipt on its till's printer (80 mm ESC/POS over raw TCP). No printer set
/// → 409; the printer refused, silent, cut off mid-write or out of paper → 502
/// `printer_unreachable` with `printer_failure` (`refused`, `timeout`, `write_failed`,
/// `paper_out`, `error`): offer the digital receipt then.
#[utoipa::path(post, path = "/pos/sales/{id}/print", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Sale id")),
    responses((status = 200, body = PrintedView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem), (status = 502, body = Problem, description = "`printer_unreachable`")))]
async fn print_sale(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PrintedView>> {
    let report = state
        .app
        .print_pos_sale(&user, &id, |receipt| render_escpos(&sale_receipt(receipt, Lang::Es), PaperWidth::Mm80))
        .await?;
    Ok(Json(PrintedView {
        printed: true,
        printer: report.printer,
        bytes: report.bytes,
        printer_status: report.status.as_str().to_owned(),
    }))
}

/// `?format=&width=&lang=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceiptQuery {
    /// `html` (default: the 80 mm page for the browser's print), `pdf`, or `escpos`.
    #[param(schema_with = crate::views::words::document_format)]
    pub format: Option<String>,
    /// Paper width for `escpos`: `58` or `80` (default) mm.
    #[param(schema_with = crate::views::words::paper_width)]
    pub width: Option<u16>,
    /// `es` (default) or `en`.
    #[param(pattern = "^(es|en)$")]
    pub lang: Option<String>,
}

/// A sale's receipt: the 80 mm HTML page (for the browser's print), a PDF, or ESC/POS bytes.
#[utoipa::path(get, path = "/pos/sales/{id}/receipt", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Sale id"), ReceiptQuery),
    responses(
        (status = 200, description = "HTML, PDF or ESC/POS bytes, as `format` asks",
            content((String = "text/html"), (String = "application/pdf"), (String = "application/octet-stream"))),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn sale_receipt_document(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ReceiptQuery>,
) -> ApiResult<Response> {
    let width = match query.width {
        None | Some(80) => PaperWidth::Mm80,
        Some(58) => PaperWidth::Mm58,
        Some(_) => return Err(ApiError::invalid("width", "must be 58 or 80")),
    };
    let lang = match query.lang.as_deref() {
        None | Some("es") => Lang::Es,
        Some("en") => Lang::En,
        Some(_) => return Err(ApiError::invalid("lang", "must be es or en")),
    };
    let format = query.format.as_deref().unwrap_or("html");
    if !["html", "pdf", "escpos"].contains(&format) {
        return Err(ApiError::invalid("format", "must be html, pdf or escpos"));
    }
    let receipt = state.app.pos_sale_receipt(&user, &id).await?;
    let doc = sale_receipt(&receipt, lang);
    Ok(respond(&doc, format, width, &receipt.sale.receipt_number))
}

/// The document in `format`, named after the receipt number.
pub(crate) fn respond(doc: &DocumentView, format: &str, width: PaperWidth, stem: &str) -> Response {
    let (body, content_type, extension) = match format {
        "pdf" => (render_pdf(doc), "application/pdf", "pdf"),
        "escpos" => (render_escpos(doc, width), "application/octet-stream", "bin"),
        _ => (render_html(doc).into_bytes(), "text/html; charset=utf-8", "html"),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // A receipt names a customer: no shared cache keeps it.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    let stem: String = stem.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{stem}.{extension}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Optionally, where to send the link.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DigitalReceiptBody {
    /// Send the link through the notification gateway to one phone or one e-mail.
    pub send_to: Option<SendToBody>,
}

/// One phone or one e-mail.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SendToBody {
    /// A phone with its country code (8 to 15 digits; spaces, dashes and brackets ignored).
    #[schema(pattern = r"^\+?[0-9 ()-]{8,24}$")]
    pub phone: Option<String>,
    /// An e-mail address.
    #[schema(max_length = 254, pattern = r"^[^\s@]+@[^\s@]+\.[^\s@]+$")]
    pub email: Option<String>,
}

impl SendToBody {
    /// The one recipient, or a 422 naming the field.
    fn parse(self) -> ApiResult<LinkRecipient> {
        match (self.phone, self.email) {
            (Some(phone), None) => {
                let digits: String = phone.chars().filter(|c| !matches!(c, ' ' | '(' | ')' | '-')).collect();
                let bare = digits.strip_prefix('+').unwrap_or(&digits);
                if (8..=15).contains(&bare.len()) && bare.chars().all(|c| c.is_ascii_digit()) {
                    Ok(LinkRecipient::Phone(digits))
                } else {
                    Err(ApiError::invalid(
                        "send_to.phone",
                        "must be a phone number with its country code (8 to 15 digits)",
                    ))
                }
            }
            (None, Some(email)) => {
                let email = email.trim().to_owned();
                let valid = email.chars().count() <= 254
                    && !email.chars().any(char::is_whitespace)
                    && email.split_once('@').is_some_and(|(user, domain)| {
                        !user.is_empty() && !domain.contains('@') && domain.contains('.') && !domain.ends_with('.')
                    });
                if valid {
                    Ok(LinkRecipient::Email(email))
                } else {
                    Err(ApiError::invalid("send_to.email", "must be an e-mail address"))
                }
            }
            _ => Err(ApiError::invalid("send_to", "give exactly one of phone or email")),
        }
    }
}

/// A digital receipt's link.
#[derive(Debug, Serialize, ToSchema)]
pub struct DigitalReceiptView {
    /// The public page (`/r/{token}`): anyone holding it may read the receipt.
    pub url: String,
    /// The same link as a QR code (SVG), for the customer's phone camera.
    pub qr_svg: String,
    /// What became of `send_to`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent: Option<SentView>,
}

/// A link handed to the notification gateway.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentView {
    /// `phone` or `email`.
    pub to: String,
    /// Whether the gateway took it (a 2xx); the link and QR are valid either way.
    pub delivered: bool,
    /// Why not, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Makes a public link to a sale's receipt, with its QR: the receipt to offer when the printer
/// fails. With `send_to`, the link also goes to the customer's phone or e-mail through the
/// notification gateway (`OMNICANAL_NOTIFY_WEBHOOK_URL`, signed Standard Webhooks, `kind`
/// `digital_receipt`); no gateway configured → 409. Each call makes a new link (at most 20 per
/// sale, then 409).
#[utoipa::path(post, path = "/pos/sales/{id}/digital-receipt", tag = "pos", request_body = DigitalReceiptBody,
    security(("bearer" = [])), params(("id" = String, Path, description = "Sale id")),
    responses((status = 201, body = DigitalReceiptView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn create_digital_receipt(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<DigitalReceiptBody>,
) -> ApiResult<(StatusCode, Json<DigitalReceiptView>)> {
    // Who may see the sale first (404), then the recipient (422), then the gateway (409).
    state.app.pos_sale(&user, &id).await?;
    let recipient = body.send_to.map(SendToBody::parse).transpose()?;
    let sender = match &recipient {
        Some(_) => Some(state.receipt_links.clone().ok_or_else(|| {
            ApiError::App(AppError::Conflict(
                "no notification gateway is configured (OMNICANAL_NOTIFY_WEBHOOK_URL): show the QR, or send the link \
                 from the till"
                    .into(),
            ))
        })?),
        None => None,
    };
    let link = state.app.create_digital_receipt(&user, &id).await?;
    let url = format!("{}/r/{}", state.public_url, link.token);
    let sent = match (recipient, sender) {
        (Some(to), Some(sender)) => {
            let lang = Lang::negotiate(None, &headers);
            let text = match lang {
                Lang::Es => format!("Su ticket de compra: {url}"),
                Lang::En => format!("Your receipt: {url}"),
            };
            let kind = if matches!(to, LinkRecipient::Phone(_)) { "phone" } else { "email" };
            let outcome = sender.send(&link.sale_id, &to, lang.code(), &text).await;
            if let Err(error) = &outcome {
                tracing::warn!(sale_id = %link.sale_id, %error, "a receipt link was not taken by the gateway");
            }
            Some(SentView { to: kind.into(), delivered: outcome.is_ok(), detail: outcome.err().map(|e| e.to_string()) })
        }
        _ => None,
    };
    Ok((StatusCode::CREATED, Json(DigitalReceiptView { qr_svg: qr_svg(&url), url, sent })))
}

/// `text` as a QR code in SVG (empty if it cannot be encoded, which a URL always can).
pub(crate) fn qr_svg(text: &str) -> String {
    match QrCode::new(text.as_bytes()) {
        Ok(code) => code.render::<svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build(),
        Err(_) => String::new(),
    }
}
