//! CSV imports over HTTP (files up to the 1 MiB body limit; `omnicanal import` takes larger ones).

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::import::ImportReport;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stock_import)).routes(routes!(catalog_import))
}

/// A stock file in the document: its header line, then one row per count (each checked and
/// reported, so the schema names only the header).
struct StockCsv;

impl utoipa::PartialSchema for StockCsv {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::views::words::csv_with_header("sku,location_id,on_hand").into()
    }
}

impl utoipa::ToSchema for StockCsv {}

/// A catalogue file in the document: its header line, then one row per variant.
struct CatalogCsv;

impl utoipa::PartialSchema for CatalogCsv {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::views::words::csv_with_header("merchant_id,product,sku,price,currency").into()
    }
}

impl utoipa::ToSchema for CatalogCsv {}

fn require_csv(headers: &HeaderMap) -> ApiResult<()> {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("text/csv") || content_type.starts_with("text/plain") {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType("text/csv"))
    }
}

/// Imports stock counts from CSV (`sku,location_id,on_hand`); answers with a report of
/// applied and rejected rows (each rejected row with its line number and reasons).
#[utoipa::path(post, path = "/imports/stock", tag = "stock", security(("bearer" = [])),
    request_body(content = inline(StockCsv), content_type = "text/csv", description = "sku,location_id,on_hand"),
    responses((status = 200, body = ImportReport), (status = 415, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn stock_import(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    body: String,
) -> ApiResult<Json<ImportReport>> {
    require_csv(&headers)?;
    let report = state.app.import_stock(&user, &body, |_, _| {}).await?;
    Ok(Json(report.into()))
}

/// Imports products from CSV (`merchant_id,product,sku,price,currency[,barcode,track_stock]`).
#[utoipa::path(post, path = "/imports/catalog", tag = "catalog", security(("bearer" = [])),
    request_body(content = inline(CatalogCsv), content_type = "text/csv", description = "merchant_id,product,sku,price,currency[,barcode,track_stock]"),
    responses((status = 200, body = ImportReport), (status = 415, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn catalog_import(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    body: String,
) -> ApiResult<Json<ImportReport>> {
    require_csv(&headers)?;
    let report = state.app.import_catalog(&user, &body, |_, _| {}).await?;
    Ok(Json(report.into()))
}
