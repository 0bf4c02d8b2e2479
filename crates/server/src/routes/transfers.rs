//! Stock counts and transfers between a merchant's locations.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_domain::catalog::{Quantity, Sku};
use omnicanal_domain::inventory::MovementReason;
use omnicanal_store::{LocationRow, StockMovementRow, StoreError, TransferRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{AuthUser, Role};
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::ids::{new_id, now_ms, rfc3339};
use crate::state::AppState;
use crate::views::StockView;
use omnicanal_app::AppError;
use omnicanal_app::validation::{Validator, vetted};

/// Largest counted figure accepted.
pub const MAX_COUNTED_UNITS: i64 = 10_000_000;

/// A counted figure for one SKU at one location.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StockCount {
    /// SKU.
    pub sku: String,
    /// Location.
    pub location_id: String,
    /// Units found on the shelf.
    pub counted: i64,
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
    pub sku: String,
    /// Source location.
    pub from_location_id: String,
    /// Destination location (same merchant, not the source).
    pub to_location_id: String,
    /// Units, 1 to 9999.
    pub quantity: i64,
}

/// The location if the user may move its stock; 422 naming `field` otherwise.
async fn writable_location(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    field: &str,
    v: &mut Validator,
) -> ApiResult<Option<LocationRow>> {
    let location =
        state.store.get_location(id).await?.filter(|l| user.check_merchant(&l.merchant_id, "location").is_ok());
    if location.is_none() {
        v.push(field, "no such location");
    }
    Ok(location)
}

fn movement(
    user: &AuthUser,
    location: &LocationRow,
    sku: &str,
    delta: i64,
    reason: MovementReason,
    reference: Option<String>,
) -> StockMovementRow {
    StockMovementRow {
        id: new_id("mov"),
        sku: sku.to_owned(),
        location_id: location.id.clone(),
        merchant_id: location.merchant_id.clone(),
        delta,
        reason,
        reference,
        channel: None,
        created_by: Some(user.id.clone()),
        created_at_ms: now_ms(),
        event_id: new_id("evt"),
    }
}

async fn require_tracked_sku(state: &AppState, merchant_id: &str, sku: &Sku, v: &mut Validator) -> ApiResult<()> {
    match state.store.find_variant(merchant_id, sku.as_str()).await? {
        None => v.push("sku", "the merchant has no such SKU"),
        Some((_, false)) => v.push("sku", "stock is not tracked for this product"),
        Some((_, true)) => {}
    }
    Ok(())
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
    user.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
    let mut v = Validator::new();
    let sku = v.check("sku", Sku::parse(&request.sku));
    if !(0..=MAX_COUNTED_UNITS).contains(&request.counted) {
        v.push("counted", format!("must be between 0 and {MAX_COUNTED_UNITS}"));
    }
    let location = state.store.get_location(&request.location_id).await?;
    let location = location.filter(|l| user.check_location(&l.merchant_id, &l.id).is_ok());
    if location.is_none() {
        v.push("location_id", "no such location");
    }
    if let (Some(sku), Some(location)) = (&sku, &location) {
        require_tracked_sku(&state, &location.merchant_id, sku, &mut v).await?;
    }
    v.finish()?;
    let (sku, location) = (vetted(sku)?, vetted(location)?);
    let template = movement(&user, &location, sku.as_str(), 0, MovementReason::Count, None);
    let (level, difference) =
        state.store.apply_stock_count(&template, request.counted).await.map_err(|error| match error {
            StoreError::LedgerRefused => AppError::Conflict(format!(
                "{} units of {sku} are reserved for orders; count at least that",
                request.counted
            )),
            other => other.into(),
        })?;
    state.wake_dispatcher();
    Ok((StatusCode::CREATED, Json(CountResult { level: level.into(), difference })))
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
    user.require(&[Role::Admin, Role::MerchantManager])?;
    let mut v = Validator::new();
    let sku = v.check("sku", Sku::parse(&request.sku));
    let quantity = v.check("quantity", Quantity::parse(request.quantity));
    let from = writable_location(&state, &user, &request.from_location_id, "from_location_id", &mut v).await?;
    let to = writable_location(&state, &user, &request.to_location_id, "to_location_id", &mut v).await?;
    if request.from_location_id == request.to_location_id {
        v.push("to_location_id", "must differ from the source");
    }
    if let (Some(from), Some(to)) = (&from, &to)
        && from.merchant_id != to.merchant_id
    {
        v.push("to_location_id", "must belong to the same merchant as the source");
    }
    if let (Some(sku), Some(from)) = (&sku, &from) {
        require_tracked_sku(&state, &from.merchant_id, sku, &mut v).await?;
    }
    v.finish()?;
    let (sku, quantity, from, to) = (vetted(sku)?, vetted(quantity)?, vetted(from)?, vetted(to)?);
    let transfer = TransferRow {
        id: new_id("trf"),
        merchant_id: from.merchant_id.clone(),
        sku: sku.as_str().to_owned(),
        from_location_id: from.id.clone(),
        to_location_id: to.id.clone(),
        quantity: quantity.get(),
        status: omnicanal_domain::inventory::TransferStatus::InTransit,
        created_by: Some(user.id.clone()),
        created_at_ms: now_ms(),
        received_at_ms: None,
    };
    let out =
        movement(&user, &from, sku.as_str(), -quantity.get(), MovementReason::TransferOut, Some(transfer.id.clone()));
    state.store.send_transfer(&transfer, &out).await.map_err(|error| match error {
        StoreError::LedgerRefused => AppError::InsufficientStock { sku: sku.as_str().to_owned() },
        other => other.into(),
    })?;
    state.wake_dispatcher();
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
    user.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
    let transfer = state.store.get_transfer(&id).await?.ok_or(AppError::NotFound("transfer"))?;
    let to = state.store.get_location(&transfer.to_location_id).await?.ok_or(AppError::NotFound("transfer"))?;
    user.check_location(&to.merchant_id, &to.id).map_err(|_| AppError::NotFound("transfer"))?;
    let into =
        movement(&user, &to, &transfer.sku, transfer.quantity, MovementReason::TransferIn, Some(transfer.id.clone()));
    let received = state.store.receive_transfer(&id, &into).await?;
    state.wake_dispatcher();
    Ok(Json(received.into()))
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
    let transfer = state.store.get_transfer(&id).await?.ok_or(AppError::NotFound("transfer"))?;
    user.check_merchant(&transfer.merchant_id, "transfer")?;
    Ok(Json(transfer.into()))
}
