//! Click & collect (issue 17 point 4): a store's pick list, marking a part picked (ready: the
//! customer is told), and a merchant's pickup wait before an uncollected order is released.
//! The rules are in `omnicanal_app::click_collect`.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::click_collect::PickupSettingsCommand;

use crate::auth::AuthUser;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::state::AppState;
use crate::views::{FulfillmentView, PickListView, PickupSettingsView};

/// Routes that move stock (wrapped by the idempotency layer).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(mark_picked))
}

/// Routes that read, and the settings.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(pick_list)).routes(routes!(get_pickup_settings, put_pickup_settings))
}

/// The store's pick list: its parts still to pick (placed, accepted, preparing), oldest first,
/// with lines (SKU, barcode, quantity), customer and age. Staff of the location, its
/// merchant's managers, admins; another merchant's location → 404.
#[utoipa::path(get, path = "/locations/{id}/pick-list", tag = "fulfilment", security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id"), Pagination),
    responses((status = 200, body = PickListView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn pick_list(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(pagination): ApiQuery<Pagination>,
) -> ApiResult<Json<PickListView>> {
    let page = pagination.page()?;
    Ok(Json(state.app.pick_list(&user, &id, page).await?.into()))
}

/// Marks a part picked: it moves through the transitions it still needs to `ready`, and the
/// customer is told it is ready. Already ready → 200 as it is; collected or voided → 409.
#[utoipa::path(post, path = "/fulfillments/{id}/picked", tag = "fulfilment", security(("bearer" = [])),
    params(("id" = String, Path, description = "Fulfilment id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 200, body = FulfillmentView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn mark_picked(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<FulfillmentView>> {
    let part = state.app.mark_picked(&user, &id).await?;
    Ok(Json(FulfillmentView::new(&part, false)))
}

/// A merchant's pickup settings.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PickupSettingsBody {
    /// Days a ready order waits for its customer before it is released (1 to 90).
    pub pickup_expiry_days: i64,
}

/// The merchant's pickup settings (its people and platform users; another merchant → 404).
#[utoipa::path(get, path = "/merchants/{id}/pickup-settings", tag = "setup", security(("bearer" = [])),
    params(("id" = String, Path, description = "Merchant id")),
    responses((status = 200, body = PickupSettingsView), (status = 404, body = Problem)))]
async fn get_pickup_settings(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PickupSettingsView>> {
    Ok(Json(state.app.pickup_settings(&user, &id).await?.into()))
}

/// Sets how many days a ready order waits before it is released: its units freed, its card
/// refunded (or nothing owed at pickup) and the customer told. Managers and admins.
#[utoipa::path(put, path = "/merchants/{id}/pickup-settings", tag = "setup", security(("bearer" = [])),
    request_body = PickupSettingsBody, params(("id" = String, Path, description = "Merchant id")),
    responses((status = 200, body = PickupSettingsView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn put_pickup_settings(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PickupSettingsBody>,
) -> ApiResult<Json<PickupSettingsView>> {
    let command = PickupSettingsCommand::parse(body.pickup_expiry_days)?;
    Ok(Json(state.app.set_pickup_settings(&user, &id, command).await?.into()))
}
