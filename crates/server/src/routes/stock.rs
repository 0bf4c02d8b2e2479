//! Stock movements and levels.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use omnicanal_domain::catalog::Sku;
use omnicanal_domain::inventory::MovementReason;
use omnicanal_store::{MovementRecord, StockFilter, StockMovementRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, Role};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::ids::{new_id, now_ms, rfc3339};
use crate::state::AppState;
use crate::views::StockView;
use omnicanal_app::AppError;
use omnicanal_app::validation::{Validator, vetted};

/// Largest change one movement may make.
pub const MAX_MOVEMENT_UNITS: i64 = 1_000_000;

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
    pub sku: String,
    /// Where.
    pub location_id: String,
    /// Change to on-hand: positive for receipts, negative for write-offs (not zero).
    pub delta: i64,
    /// Reason code: receipt, adjustment, count, return, damage, loss, transfer_in, transfer_out or correction.
    pub reason: String,
}

/// Reason codes a movement may carry.
pub const MOVEMENT_REASONS: [&str; 9] =
    ["receipt", "adjustment", "count", "return", "damage", "loss", "transfer_in", "transfer_out", "correction"];

/// Records a stock movement; taking on-hand below zero (or below what is reserved) is 409.
#[utoipa::path(post, path = "/stock/movements", tag = "stock", request_body = CreateMovement, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = StockView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_movement(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateMovement>,
) -> ApiResult<(StatusCode, Json<StockView>)> {
    user.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
    let mut v = Validator::new();
    let sku = v.check("sku", Sku::parse(&request.sku));
    if request.delta == 0 || request.delta.unsigned_abs() > MAX_MOVEMENT_UNITS.unsigned_abs() {
        v.push("delta", format!("must be non-zero and at most {MAX_MOVEMENT_UNITS} units either way"));
    }
    if !MOVEMENT_REASONS.contains(&request.reason.as_str()) {
        v.push("reason", format!("must be one of {}", MOVEMENT_REASONS.join(", ")));
    }
    let location = state.store.get_location(&request.location_id).await?;
    let location = location.filter(|l| user.check_location(&l.merchant_id, &l.id).is_ok());
    if location.is_none() {
        v.push("location_id", "no such location");
    }
    if let (Some(sku), Some(location)) = (&sku, &location) {
        match state.store.find_variant(&location.merchant_id, sku.as_str()).await? {
            None => v.push("sku", "the location's merchant has no such SKU"),
            Some((_, false)) => v.push("sku", "stock is not tracked for this product"),
            Some((_, true)) => {}
        }
    }
    v.finish()?;
    let location = vetted(location)?;
    let movement = StockMovementRow {
        reference: None,
        channel: None,
        id: new_id("mov"),
        sku: vetted(sku)?.as_str().to_owned(),
        merchant_id: location.merchant_id,
        location_id: location.id,
        delta: request.delta,
        reason: MovementReason::parse_manual(&request.reason)?,
        created_by: Some(user.id.clone()),
        created_at_ms: now_ms(),
        event_id: new_id("evt"),
    };
    let level = state.store.apply_stock_movement(&movement).await.map_err(|error| match error {
        omnicanal_store::StoreError::LedgerRefused => AppError::Conflict(format!(
            "a change of {} would take on-hand of {} below zero or below what is reserved",
            movement.delta, movement.sku
        )),
        other => other.into(),
    })?;
    state.wake_dispatcher();
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
    pub limit: Option<i64>,
    /// Items to skip.
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
    let location = state.store.get_location(&query.location_id).await?.ok_or(AppError::NotFound("location"))?;
    user.check_location(&location.merchant_id, &location.id)?;
    let movements = state.store.list_movements(&location.id, query.sku.as_deref(), page).await?;
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
    pub limit: Option<i64>,
    /// Items to skip.
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
    if let Some(location_id) = &query.location_id {
        let location = state.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        user.check_location(&location.merchant_id, &location.id)?;
    }
    let location_id = match (user.role, &query.location_id) {
        (Role::Staff, None) => user.location_id.clone(),
        (_, given) => given.clone(),
    };
    let filter = StockFilter {
        location_id,
        sku: query.sku,
        merchant_id: if user.is_platform() { None } else { user.merchant_id.clone() },
        now_ms: now_ms(),
        page,
    };
    if !user.is_platform() && filter.merchant_id.is_none() {
        return Ok(Json(Vec::new()));
    }
    let levels = state.store.list_stock(&filter).await?;
    Ok(Json(levels.into_iter().map(StockView::from).collect()))
}
