//! Stock counts and transfers between a merchant's locations (routed by
//! [`crate::routes::stock`]); the use cases are `omnicanal_app::stock`'s.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_store::TransferRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use omnicanal_app::AppError;
use omnicanal_app::stock::counts::NewCount;
use omnicanal_app::stock::transfers::NewTransfer;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::views::StockView;
use omnicanal_app::ids::rfc3339;

/// A counted figure for one SKU at one location.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StockCount {
    /// SKU.
    #[schema(schema_with = crate::views::words::sku)]
    pub sku: String,
    /// Location.
    pub location_id: String,
    /// Units found on the shelf.
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub counted: i64,
}

impl TryFrom<StockCount> for NewCount {
    type Error = AppError;

    fn try_from(request: StockCount) -> Result<Self, AppError> {
        NewCount::parse(&request.sku, request.location_id, request.counted)
    }
}

/// The level after a count and the difference recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountResult {
    /// The new level.
    pub level: StockView,
    /// `counted − previous on-hand`, recorded as a `count` movement.
    pub difference: i64,
}

/// A transfer between two locations of one merchant.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferView {
    /// Opaque id.
    pub id: String,
    /// SKU.
    pub sku: String,
    /// Source.
    pub from_location_id: String,
    /// Destination.
    pub to_location_id: String,
    /// Units.
    pub quantity: i64,
    /// `in_transit` or `received`.
    pub status: String,
    /// When it was sent.
    pub created_at: String,
    /// When it was received.
    pub received_at: Option<String>,
}

impl From<TransferRow> for TransferView {
    fn from(row: TransferRow) -> Self {
        Self {
            id: row.id,
            sku: row.sku,
            from_location_id: row.from_location_id,
            to_location_id: row.to_location_id,
            quantity: row.quantity,
            status: row.status.to_string(),
            created_at: rfc3339(row.created_at_ms),
            received_at: row.received_at_ms.map(rfc3339),
        }
    }
}

/// A new transfer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SendTransfer {
    /// SKU.
    #[schema(schema_with = crate::views::words::sku)]
    pub sku: String,
    /// Source location.
    pub from_location_id: String,
    /// Destination location (same merchant, not the source).
    pub to_location_id: String,
    /// Units, 1 to 9999.
    #[schema(minimum = 1, maximum = 9999)]
    pub quantity: i64,
}

impl TryFrom<SendTransfer> for NewTransfer {
    type Error = AppError;

    fn try_from(request: SendTransfer) -> Result<Self, AppError> {
        NewTransfer::parse(&request.sku, request.from_location_id, request.to_location_id, request.quantity)
    }
}

/// Records a stock count: on-hand becomes the counted figure and the ledger records the difference.
#[utoipa::path(post, path = "/stock/counts", tag = "stock", request_body = StockCount, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = CountResult), (status = 409, description = "Counted below what is reserved", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn count_stock(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<StockCount>,
) -> ApiResult<(StatusCode, Json<CountResult>)> {
    let counted = state.app.count_stock(&user, NewCount::try_from(request)?).await?;
    Ok((StatusCode::CREATED, Json(CountResult { level: counted.level.into(), difference: counted.difference })))
}

/// Sends units from one location to another of the same merchant; they are in transit until received.
#[utoipa::path(post, path = "/stock/transfers", tag = "stock", request_body = SendTransfer, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = TransferView), (status = 409, description = "Not enough available at the source", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn send_transfer(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<SendTransfer>,
) -> ApiResult<(StatusCode, Json<TransferView>)> {
    let transfer = state.app.send_transfer(&user, NewTransfer::try_from(request)?).await?;
    Ok((StatusCode::CREATED, Json(transfer.into())))
}

/// Receives a transfer at its destination.
#[utoipa::path(post, path = "/stock/transfers/{id}/receive", tag = "stock", security(("bearer" = [])),
    params(("id" = String, Path, description = "Transfer id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 200, body = TransferView), (status = 404, body = crate::error::Problem),
        (status = 409, description = "Already received", body = crate::error::Problem)))]
pub async fn receive_transfer(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<TransferView>> {
    Ok(Json(state.app.receive_transfer(&user, &id).await?.into()))
}

/// One transfer.
#[utoipa::path(get, path = "/stock/transfers/{id}", tag = "stock", security(("bearer" = [])),
    params(("id" = String, Path, description = "Transfer id")),
    responses((status = 200, body = TransferView), (status = 404, body = crate::error::Problem)))]
pub async fn get_transfer(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<TransferView>> {
    Ok(Json(state.app.transfer(&user, &id).await?.into()))
}
