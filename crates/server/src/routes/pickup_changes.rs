//! Pay at pickup with changes at the counter (issue 17 point 5): the till finds a customer's
//! open orders by phone, changes a part (remove a line, swap a size, add an item) priced by
//! the one engine with its stock holds moved, and reads the record of its changes. The rules
//! are in `omnicanal_app::pos::pickup_changes`; collecting is `pos_pickups`.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::pos::pickup_changes::{ChangeLineInput, ChangePickup};

use crate::auth::AuthUser;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::views::{PickupChangeView, PickupChangedView, PickupView};

/// Routes that move money or stock (wrapped by the idempotency layer).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(change_pickup))
}

/// Routes that read.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(find_pickups_by_phone))
        .routes(routes!(pickup_changes))
        .routes(routes!(session_pickup_changes))
}

/// Which phone.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PhoneQuery {
    /// The customer's phone as they say it (8 to 15 digits; `+`, spaces, dashes allowed).
    #[param(pattern = "^\\+?[0-9]{8,15}$")]
    pub phone: String,
}

/// The open orders of the till's location whose customer gave this phone, newest first (at
/// most 20; none → an empty list). Staff of the location, its manager, admins.
#[utoipa::path(get, path = "/pos/devices/{id}/pickups/by-phone", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Till (device) id"), PhoneQuery),
    responses((status = 200, body = Vec<PickupView>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn find_pickups_by_phone(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PhoneQuery>,
) -> ApiResult<Json<Vec<PickupView>>> {
    let found = state.app.find_till_pickups_by_phone(&user, &id, &query.phone).await?;
    Ok(Json(found.into_iter().map(PickupView::from).collect()))
}

/// One line of the part as it should be.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangeLineBody {
    /// SKU (a size swapped is the other size's SKU).
    pub sku: String,
    /// Units, 1 to 9,999.
    pub quantity: i64,
}

/// A part's lines as they should be: a line left out is removed, a new one added.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePickupBody {
    /// The till's open session: the change is recorded in it.
    pub session_id: String,
    /// The part's new lines (1 to 200).
    pub lines: Vec<ChangeLineBody>,
}

impl TryFrom<ChangePickupBody> for ChangePickup {
    type Error = AppError;

    fn try_from(body: ChangePickupBody) -> Result<Self, AppError> {
        let lines = body.lines.into_iter().map(|line| ChangeLineInput { sku: line.sku, quantity: line.quantity });
        ChangePickup::parse(body.session_id, lines.collect())
    }
}

/// Changes a part at the till before handing it over: the new lines are priced by the pricing
/// engine (promotions re-evaluated), stock holds move in one transaction (a short SKU → 409
/// with `sku`, nothing changed), a card that paid more than the new total is refunded the
/// difference (payment job) and one that paid less owes the rest at the till (`to_collect`).
/// Another location's part → 404; handed over, voided, changed meanwhile or a closed
/// session → 409.
#[utoipa::path(post, path = "/pos/pickups/{id}/change", tag = "pos", request_body = ChangePickupBody,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Fulfillment id (from the pickup look-up)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 200, body = PickupChangedView), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Short stock (`sku`), not changeable, or changed meanwhile"),
        (status = 422, body = Problem)))]
async fn change_pickup(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ChangePickupBody>,
) -> ApiResult<Json<PickupChangedView>> {
    let command = ChangePickup::try_from(body)?;
    Ok(Json(state.app.change_till_pickup(&user, &id, command).await?.into()))
}

/// A part's changes at the counter, oldest first: who, when, lines and totals before and after.
#[utoipa::path(get, path = "/pos/pickups/{id}/changes", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Fulfillment id")),
    responses((status = 200, body = Vec<PickupChangeView>), (status = 404, body = Problem)))]
async fn pickup_changes(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<PickupChangeView>>> {
    let changes = state.app.till_pickup_changes(&user, &id).await?;
    Ok(Json(changes.into_iter().map(PickupChangeView::from).collect()))
}

/// The changes made at the counter in a till's session, oldest first.
#[utoipa::path(get, path = "/pos/sessions/{id}/pickup-changes", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Session id")),
    responses((status = 200, body = Vec<PickupChangeView>), (status = 404, body = Problem)))]
async fn session_pickup_changes(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<PickupChangeView>>> {
    let changes = state.app.session_pickup_changes(&user, &id).await?;
    Ok(Json(changes.into_iter().map(PickupChangeView::from).collect()))
}
