//! Receipts and tax documents of placed orders: the customer's one combined receipt and each
//! merchant's own boleta or factura, as printable HTML, PDF or ESC/POS bytes. Also the quote an
//! order was placed with.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::TimeZone;
use omnicanal_domain::pricing::{Quote, TaxRate};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{FulfillmentRecord, OrderRecord, SiteRow};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::MaybeAuthUser;
use crate::documents::escpos::render_escpos;
use crate::documents::html::render_html;
use crate::documents::pdf::render_pdf;
use crate::documents::{DocumentKind, DocumentLine, DocumentSection, DocumentView, Issuer, Labels, PaperWidth, TaxRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::ids::constant_time_eq;
use crate::state::AppState;
use omnicanal_app::AppError;

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
    pub format: Option<String>,
    /// Paper width for `escpos`: `58` or `80` (default) mm.
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

fn has_token(order: &OrderRecord, token: Option<&str>) -> bool {
    token.is_some_and(|token| constant_time_eq(token, &order.order.tracking_token))
}

/// The quote an order was placed with: the prices, promotions (applied and not, with reasons)
/// and taxes exactly as they were, whatever changed since. For the customer (`?token=`) or
/// platform users.
#[utoipa::path(get, path = "/orders/{id}/quote", tag = "pricing", params(("id" = String, Path, description = "Order id"), TokenQuery),
    responses((status = 200, description = "The stored quote (see POST /pricing/quote)", body = Object), (status = 404, body = crate::error::Problem)))]
async fn order_quote(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<TokenQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let order = state.store.get_order(&id).await?.ok_or(AppError::NotFound("order"))?;
    if !has_token(&order, query.token.as_deref()) && !user.as_ref().is_some_and(|user| user.is_platform()) {
        return Err(AppError::NotFound("order").into());
    }
    let stored = state.store.get_order_quote(&id).await?.ok_or(AppError::NotFound("quote"))?;
    Ok(Json(serde_json::from_str(&stored).map_err(|error| AppError::Internal(Box::new(error)))?))
}

/// The customer's one receipt for the whole payment, with a section per restaurant (not a tax
/// document: each restaurant issues its own). For the customer (`?token=`) or platform users.
#[utoipa::path(get, path = "/orders/{id}/receipt", tag = "pricing", params(("id" = String, Path, description = "Order id"), DocumentQuery),
    responses(
        (status = 200, description = "HTML, PDF or ESC/POS bytes", content_type = "text/html"),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn order_receipt(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<DocumentQuery>,
) -> ApiResult<Response> {
    let format = format(&query)?;
    let order = state.store.get_order(&id).await?.ok_or(AppError::NotFound("order"))?;
    let for_customer = has_token(&order, query.token.as_deref());
    if !for_customer && !user.as_ref().is_some_and(|user| user.is_platform()) {
        return Err(AppError::NotFound("order").into());
    }
    let context = Context::load(&state, &order).await?;
    let doc = context.receipt(&order, for_customer);
    Ok(respond(&doc, format, &format!("recibo-{}", order.order.number)))
}

/// A part's tax document (boleta, or factura when the customer gave a tax id), numbered in its
/// merchant's own sequence. For the customer (`?token=`) or staff of that merchant.
#[utoipa::path(get, path = "/fulfillments/{id}/document", tag = "pricing", params(("id" = String, Path, description = "Fulfilment id"), DocumentQuery),
    responses(
        (status = 200, description = "HTML, PDF or ESC/POS bytes", content_type = "text/html"),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn part_document(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<DocumentQuery>,
) -> ApiResult<Response> {
    let format = format(&query)?;
    let part = state.store.get_fulfillment(&id).await?.ok_or(AppError::NotFound("fulfillment"))?;
    let order = state.store.get_order(&part.order_id).await?.ok_or(AppError::NotFound("fulfillment"))?;
    let staff_may = user.as_ref().is_some_and(|user| user.check_location(&part.merchant_id, &part.location_id).is_ok());
    if !has_token(&order, query.token.as_deref()) && !staff_may {
        return Err(AppError::NotFound("fulfillment").into());
    }
    let part = order.fulfillments.iter().find(|p| p.id == id).ok_or(AppError::NotFound("fulfillment"))?;
    let context = Context::load(&state, &order).await?;
    let doc = context.tax_document(&order, part);
    let stem = doc.number.clone().unwrap_or_else(|| part.id.clone());
    Ok(respond(&doc, format, &stem))
}

/// What documents print besides the order: the site, names and tax ids, discount names.
struct Context {
    site: SiteRow,
    currency: Currency,
    locations: HashMap<String, String>,
    merchants: HashMap<String, (String, Option<String>)>,
    quote: Option<Quote>,
}

impl Context {
    async fn load(state: &AppState, order: &OrderRecord) -> ApiResult<Self> {
        let site = state.store.get_site(&order.order.site_id).await?.ok_or(AppError::NotFound("site"))?;
        let mut locations = HashMap::new();
        let mut merchants = HashMap::new();
        for part in &order.fulfillments {
            if let Some(location) = state.store.get_location(&part.location_id).await? {
                locations.insert(location.id, location.name);
            }
            if let Some(merchant) = state.store.get_merchant(&part.merchant_id).await? {
                merchants.insert(merchant.id, (merchant.name, merchant.tax_id));
            }
        }
        let quote =
            state.store.get_order_quote(&order.order.id).await?.and_then(|json| serde_json::from_str(&json).ok());
        Ok(Self { currency: site.currency, site, locations, merchants, quote })
    }

    fn money(&self, amount: i64) -> Money {
        Money::new(amount, self.currency)
    }

    fn labels(&self) -> Labels {
        let mut labels = Labels::spanish();
        labels.tax_id = match self.site.country.code() {
            "PE" => "RUC".into(),
            "CO" => "NIT".into(),
            _ => "RUT".into(),
        };
        labels
    }

    fn issued_at(&self, ms: i64) -> String {
        let utc = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
        match self.site.timezone.parse::<chrono_tz::Tz>() {
            Ok(zone) => zone.from_utc_datetime(&utc.naive_utc()).format("%d-%m-%Y %H:%M").to_string(),
            Err(_) => utc.format("%d-%m-%Y %H:%M UTC").to_string(),
        }
    }

    fn section(&self, part: &FulfillmentRecord, heading: bool, pickup_code: bool) -> DocumentSection {
        let lines = part
            .lines
            .iter()
            .map(|line| {
                let discounts = self
                    .quote
                    .as_ref()
                    .and_then(|quote| {
                        quote.lines.iter().find(|q| q.location_id == part.location_id && q.sku == line.sku)
                    })
                    .map(|quoted| quoted.discounts.iter().map(|d| (d.name.clone(), d.amount)).collect())
                    .unwrap_or_default();
                DocumentLine {
                    description: line.pricing.name.clone().unwrap_or_else(|| line.sku.clone()),
                    quantity: line.quantity,
                    unit_price: self.money(line.unit_price_minor),
                    gross: self.money(line.pricing.gross_minor.unwrap_or(line.unit_price_minor * line.quantity)),
                    discounts,
                    total: self.money(line.total_minor),
                }
            })
            .collect();
        DocumentSection {
            heading: heading.then(|| self.locations.get(&part.location_id).cloned().unwrap_or_default()),
            pickup_code: pickup_code.then(|| part.pickup_code.clone()),
            lines,
            subtotal: self.money(part.subtotal_minor),
        }
    }

    fn taxes<'a>(&self, parts: impl Iterator<Item = &'a FulfillmentRecord>) -> Vec<TaxRow> {
        let mut totals: BTreeMap<(String, i64), (i64, i64)> = BTreeMap::new();
        for line in parts.flat_map(|part| part.lines.iter()) {
            let entry = totals.entry((line.pricing.tax_code.clone(), line.pricing.tax_rate_bps)).or_default();
            entry.0 += line.total_minor - line.pricing.tax_minor;
            entry.1 += line.pricing.tax_minor;
        }
        totals
            .into_iter()
            .map(|((code, rate), (base, amount))| TaxRow {
                label: TaxRate { code, rate_bps: u32::try_from(rate).unwrap_or(0) }.label(),
                base: self.money(base),
                amount: self.money(amount),
            })
            .collect()
    }

    fn payment(order: &OrderRecord) -> Option<String> {
        Some(if order.order.payment_method == omnicanal_domain::payment::PaymentMethod::Card {
            "Tarjeta".into()
        } else {
            "Pago al retirar".into()
        })
    }

    fn receipt(&self, order: &OrderRecord, pickup_codes: bool) -> DocumentView {
        let live: Vec<&FulfillmentRecord> =
            order.fulfillments.iter().filter(|p| !matches!(p.status.as_str(), "rejected" | "cancelled")).collect();
        DocumentView {
            kind: DocumentKind::Receipt,
            title: "RECIBO".into(),
            number: None,
            issuer: Issuer { name: self.site.name.clone(), tax_id: None, address: None },
            site_name: self.site.name.clone(),
            issued_at: self.issued_at(order.order.created_at_ms),
            order_number: order.order.number,
            customer_name: order.order.customer_name.clone(),
            customer_tax_id: order.order.customer_tax_id.clone(),
            sections: order.fulfillments.iter().map(|part| self.section(part, true, pickup_codes)).collect(),
            discount_total: self.money(order.fulfillments.iter().map(|p| p.pricing.discount_minor).sum()),
            taxes: self.taxes(live.into_iter()),
            total: self.money(order.order.total_minor),
            payment: Self::payment(order),
            voided: None,
            labels: self.labels(),
        }
    }

    fn tax_document(&self, order: &OrderRecord, part: &FulfillmentRecord) -> DocumentView {
        let factura = part.pricing.document_kind == Some(omnicanal_domain::order::DocumentKind::Factura);
        let (merchant_name, merchant_tax_id) = self.merchants.get(&part.merchant_id).cloned().unwrap_or_default();
        let voided = matches!(part.status.as_str(), "rejected" | "cancelled")
            .then(|| part.reason.clone().unwrap_or_else(|| part.status.to_string()));
        DocumentView {
            kind: if factura { DocumentKind::Factura } else { DocumentKind::Boleta },
            title: if factura { "FACTURA ELECTRÓNICA".into() } else { "BOLETA ELECTRÓNICA".into() },
            number: part
                .pricing
                .document_number
                .map(|number| format!("{}-{number:06}", if factura { "F" } else { "B" })),
            issuer: Issuer { name: merchant_name, tax_id: merchant_tax_id, address: None },
            site_name: self.site.name.clone(),
            issued_at: self.issued_at(part.created_at_ms),
            order_number: order.order.number,
            customer_name: order.order.customer_name.clone(),
            customer_tax_id: order.order.customer_tax_id.clone(),
            sections: vec![self.section(part, false, false)],
            discount_total: self.money(part.pricing.discount_minor),
            taxes: self.taxes(std::iter::once(part)),
            total: self.money(part.subtotal_minor),
            payment: Self::payment(order),
            voided,
            labels: self.labels(),
        }
    }
}
