//! CSV files in and out over HTTP (issue 15 point 2): imports run as background jobs —
//! `POST /imports/{catalog,stock}/jobs` answers 202 with the job, `GET /imports/jobs/{id}` its
//! progress and, once done, its rejected rows (also as CSV) — and exports in the columns the
//! imports take (`/merchants/{id}/products.csv`, `/locations/{id}/stock.csv`), so a file
//! round-trips. The synchronous `POST /imports/…` stay as they were (`crate::routes::imports`).

use axum::Json;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use omnicanal_app::ids::rfc3339;
use omnicanal_app::imports::jobs::{ImportJob, ImportKind, MAX_IMPORT_FILE_BYTES, RejectedCell, rejected_csv};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(catalog_job))
        .routes(routes!(stock_job))
        .layer(DefaultBodyLimit::max(MAX_IMPORT_FILE_BYTES))
        .routes(routes!(get_job))
        .routes(routes!(job_rejected_csv))
        .routes(routes!(products_csv))
        .routes(routes!(stock_csv))
}

/// A stock file (its header line, then one row per count).
struct StockCsv;

impl utoipa::PartialSchema for StockCsv {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::views::words::csv_with_header("sku,location_id,on_hand").into()
    }
}

impl utoipa::ToSchema for StockCsv {}

/// A catalogue file (its header line, then one row per variant).
struct CatalogCsv;

impl utoipa::PartialSchema for CatalogCsv {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::views::words::csv_with_header("merchant_id,product,sku,price,currency").into()
    }
}

impl utoipa::ToSchema for CatalogCsv {}

/// One reason a row was refused.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedCellView {
    /// Line in the file (the header is line 1).
    pub line: u64,
    /// The column the reason is about; empty when the row as a whole is wrong.
    pub column: String,
    /// Why.
    pub reason: String,
}

impl From<RejectedCell> for RejectedCellView {
    fn from(cell: RejectedCell) -> Self {
        Self { line: cell.line, column: cell.column, reason: cell.reason }
    }
}

/// An import job and how far it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportJobView {
    /// Opaque id.
    pub id: String,
    /// `catalog` or `stock`.
    pub kind: String,
    /// `running`, `done`, `failed` or `interrupted` (its server stopped mid-import; rows applied stay applied).
    pub state: String,
    /// Units of work done (rows; products for a catalogue once its rows are checked).
    pub processed: i64,
    /// Units of work in all.
    pub total: i64,
    /// Rows applied (final when `done`).
    pub accepted: i64,
    /// Rows refused (final when `done`).
    pub rejected: i64,
    /// Why a `failed` job failed.
    pub error: Option<String>,
    /// Each refused row's reasons, by line (when `done`).
    pub rejected_rows: Vec<RejectedCellView>,
    /// When the file was taken.
    pub created_at: String,
    /// When progress was last written.
    pub updated_at: String,
}

impl From<ImportJob> for ImportJobView {
    fn from(job: ImportJob) -> Self {
        Self {
            id: job.row.id,
            kind: job.row.kind,
            state: job.state.as_str().to_owned(),
            processed: job.row.processed,
            total: job.row.total,
            accepted: job.row.applied,
            rejected: job.row.rejected,
            error: job.row.error,
            rejected_rows: job.rejected_rows.into_iter().map(RejectedCellView::from).collect(),
            created_at: rfc3339(job.row.created_at_ms),
            updated_at: rfc3339(job.row.updated_at_ms),
        }
    }
}

fn require_csv(headers: &HeaderMap) -> ApiResult<()> {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("text/csv") || content_type.starts_with("text/plain") {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType("text/csv"))
    }
}

async fn start(
    state: &AppState,
    user: &AuthUser,
    headers: &HeaderMap,
    kind: ImportKind,
    body: String,
) -> ApiResult<Response> {
    require_csv(headers)?;
    let job = state.app.start_import_job(user, kind, body).await?;
    let location = format!("/api/v1/imports/jobs/{}", job.row.id);
    let mut response = (StatusCode::ACCEPTED, Json(ImportJobView::from(job))).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(LOCATION, value);
    }
    Ok(response)
}

/// Imports products from CSV in the background (`merchant_id,product,sku,price,currency[,barcode,track_stock]`,
/// up to 8 MiB): the file is read whole at once (a bad header is 422), then 202 with the job to poll.
#[utoipa::path(post, path = "/imports/catalog/jobs", tag = "catalog", security(("bearer" = [])),
    request_body(content = inline(CatalogCsv), content_type = "text/csv", description = "merchant_id,product,sku,price,currency[,barcode,track_stock]"),
    responses((status = 202, body = ImportJobView, headers(("Location" = String, description = "The job"))),
        (status = 403, body = crate::error::Problem), (status = 413, body = crate::error::Problem),
        (status = 415, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn catalog_job(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    body: String,
) -> ApiResult<Response> {
    start(&state, &user, &headers, ImportKind::Catalog, body).await
}

/// Imports stock counts from CSV in the background (`sku,location_id,on_hand`, up to 8 MiB):
/// 202 with the job to poll.
#[utoipa::path(post, path = "/imports/stock/jobs", tag = "stock", security(("bearer" = [])),
    request_body(content = inline(StockCsv), content_type = "text/csv", description = "sku,location_id,on_hand"),
    responses((status = 202, body = ImportJobView, headers(("Location" = String, description = "The job"))),
        (status = 413, body = crate::error::Problem), (status = 415, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn stock_job(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    body: String,
) -> ApiResult<Response> {
    start(&state, &user, &headers, ImportKind::Stock, body).await
}

/// An import job: its progress and, once done, its rejected rows (its creator's merchant only).
#[utoipa::path(get, path = "/imports/jobs/{id}", tag = "stock", security(("bearer" = [])),
    params(("id" = String, Path, description = "Import job id")),
    responses((status = 200, body = ImportJobView), (status = 404, body = crate::error::Problem)))]
async fn get_job(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ImportJobView>> {
    Ok(Json(state.app.import_job(&user, &id).await?.into()))
}

/// A CSV answer offered as a file named `name`.
pub fn csv_file(body: String, name: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response
}

/// An import job's rejected rows as CSV (`line,column,reason`).
#[utoipa::path(get, path = "/imports/jobs/{id}/rejected.csv", tag = "stock", security(("bearer" = [])),
    params(("id" = String, Path, description = "Import job id")),
    responses((status = 200, description = "line,column,reason", content_type = "text/csv", body = String),
        (status = 404, body = crate::error::Problem)))]
async fn job_rejected_csv(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let job = state.app.import_job(&user, &id).await?;
    let body = rejected_csv(&job.rejected_rows)?;
    Ok(csv_file(body, &format!("rejected-{}.csv", job.row.id)))
}

/// A merchant's catalogue in the catalogue import's columns (one row per variant).
#[utoipa::path(get, path = "/merchants/{id}/products.csv", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, description = "Merchant id")),
    responses((status = 200, description = "merchant_id,product,sku,price,currency,barcode,track_stock", content_type = "text/csv", body = String),
        (status = 404, body = crate::error::Problem)))]
async fn products_csv(State(state): State<AppState>, user: AuthUser, Path(id): Path<String>) -> ApiResult<Response> {
    let body = state.app.export_products_csv(&user, &id).await?;
    Ok(csv_file(body, "products.csv"))
}

/// A location's stock in the stock import's columns (`sku,location_id,on_hand`).
#[utoipa::path(get, path = "/locations/{id}/stock.csv", tag = "stock", security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id")),
    responses((status = 200, description = "sku,location_id,on_hand", content_type = "text/csv", body = String),
        (status = 404, body = crate::error::Problem)))]
async fn stock_csv(State(state): State<AppState>, user: AuthUser, Path(id): Path<String>) -> ApiResult<Response> {
    let body = state.app.export_stock_csv(&user, &id).await?;
    Ok(csv_file(body, "stock.csv"))
}
