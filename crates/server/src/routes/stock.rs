//! Stock movements and levels; counts and transfers are in [`crate::routes::transfers`].

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use omnicanal_store::MovementRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::stock::levels::LevelQuery;
use omnicanal_app::stock::movements::NewMovement;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::state::AppState;
use crate::views::StockView;
use omnicanal_app::ids::rfc3339;

/// Routes that move stock (wrapped by the idempotency layer).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_movement, list_movements))
        .routes(routes!(crate::routes::transfers::count_stock))
        .routes(routes!(crate::routes::transfers::send_transfer))
        .routes(routes!(crate::routes::transfers::receive_transfer))
}

/// Routes that read stock.
pub fn read_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_stock)).routes(routes!(crate::routes::transfers::get_transfer))
}

/// A stock movement.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateMovement {
    /// SKU of the location's merchant.
    #[schema(schema_with = crate::views::words::sku)]
    pub sku: String,
    /// Where.
    pub location_id: String,
    /// Change to on-hand: positive for receipts, negative for write-offs (not zero).
    #[schema(minimum = -1000000, maximum = 1000000)]
    pub delta: i64,
    /// Reason code: receipt, adjustment, count, return, damage, loss, transfer_in, transfer_out or correction.
    #[schema(schema_with = crate::views::words::movement_reason)]
    pub reason: String,
}

impl TryFrom<CreateMovement> for NewMovement {
    type Error = AppError;

    fn try_from(request: CreateMovement) -> Result<Self, AppError> {
        NewMovement::parse(&request.sku, request.location_id, request.delta, &request.reason)
    }
}

/// Records a stock movement; taking on-hand below zero (or below what is reserved) is 409.
#[utoipa::path(post, path = "/stock/movements", tag = "stock", request_body = CreateMovement, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = StockView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_movement(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateMovement>,
) -> ApiResult<(StatusCode, Json<StockView>)> {
    let level = state.app.record_movement(&user, NewMovement::try_from(request)?).await?;
    Ok((StatusCode::CREATED, Json(level.into())))
}

/// Filters for the movement history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MovementQuery {
    /// The location (required).
    pub location_id: String,
    /// Only this SKU.
    pub sku: Option<String>,
    /// Items per page, 1 to 500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

/// A recorded movement.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovementView {
    /// Opaque id.
    pub id: String,
    /// SKU.
    pub sku: String,
    /// Location.
    pub location_id: String,
    /// Change to on-hand.
    pub delta: i64,
    /// receipt, adjustment, count, sale, transfer_out, transfer_in, ...
    pub reason: String,
    /// What caused it (an order id, a transfer id).
    pub reference: Option<String>,
    /// The channel of a sale.
    pub channel: Option<String>,
    /// The user who made it.
    pub created_by: Option<String>,
    /// When.
    pub created_at: String,
}

impl From<MovementRecord> for MovementView {
    fn from(row: MovementRecord) -> Self {
        Self {
            id: row.id,
            sku: row.sku,
            location_id: row.location_id,
            delta: row.delta,
            reason: row.reason.to_string(),
            reference: row.reference,
            channel: row.channel.map(|channel| channel.to_string()),
            created_by: row.created_by,
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// The movement history of a location (optionally one SKU), newest first.
#[utoipa::path(get, path = "/stock/movements", tag = "stock", params(MovementQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<MovementView>), (status = 404, body = crate::error::Problem)))]
async fn list_movements(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<MovementQuery>,
) -> ApiResult<Json<Vec<MovementView>>> {
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    let movements = state.app.movements(&user, &query.location_id, query.sku.as_deref(), page).await?;
    Ok(Json(movements.into_iter().map(MovementView::from).collect()))
}

/// Filters for the stock list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StockQuery {
    /// Only this location.
    pub location_id: Option<String>,
    /// Only this SKU.
    pub sku: Option<String>,
    /// Items per page, 1 to 500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

/// Stock levels (staff see their location, managers their merchant, admins all).
#[utoipa::path(get, path = "/stock", tag = "stock", params(StockQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<StockView>), (status = 404, body = crate::error::Problem)))]
async fn list_stock(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<StockQuery>,
) -> ApiResult<Json<Vec<StockView>>> {
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    let query = LevelQuery { location_id: query.location_id, sku: query.sku, page };
    let levels = state.app.stock_levels(&user, query).await?;
    Ok(Json(levels.into_iter().map(StockView::from).collect()))
}
