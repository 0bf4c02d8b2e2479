//! The till collects the pay-at-pickup orders of its location by pickup code: find the part
//! by code at a till, then collect it in the till's open session. The rules are in
//! `omnicanal_app::pos::pickups`.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::pos::pickups::CollectPickup;
use omnicanal_app::pos::sales::PaymentInput;

use super::pos::SalePaymentBody;
use crate::auth::AuthUser;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::views::{PickupCollectedView, PickupView};

/// Routes that move money or stock (wrapped by the idempotency layer).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(collect_pickup))
}

/// Routes that read.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(find_pickup))
}

/// Which pickup code.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PickupCodeQuery {
    /// The code the customer shows (four digits, typed or scanned from the order page).
    #[param(pattern = "^[0-9]{1,12}$")]
    pub code: String,
}

/// The part of the till's location with this pickup code (staff of the location, its
/// merchant's manager, admins): its lines, what is owed ("COBRAR AL RETIRAR") and whether it
/// was collected. No part with that code there → 404.
#[utoipa::path(get, path = "/pos/devices/{id}/pickups", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Till (device) id"), PickupCodeQuery),
    responses((status = 200, body = PickupView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn find_pickup(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PickupCodeQuery>,
) -> ApiResult<Json<PickupView>> {
    Ok(Json(state.app.find_till_pickup(&user, &id, &query.code).await?.into()))
}

/// A pay-at-pickup part collected at a till.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CollectPickupBody {
    /// The till's open session: the money is received in it.
    pub session_id: String,
    /// The code the customer showed; checked against the part's when given (wrong → 422).
    pub pickup_code: Option<String>,
    /// How it was paid (at most 10): they must cover what is owed; cash may exceed it and the
    /// excess is the change. None when nothing is owed (a card order handed over).
    #[serde(default)]
    pub payments: Vec<SalePaymentBody>,
}

impl TryFrom<CollectPickupBody> for CollectPickup {
    type Error = AppError;

    fn try_from(body: CollectPickupBody) -> Result<Self, AppError> {
        let payments = body.payments.into_iter().map(PaymentInput::from).collect();
        CollectPickup::parse(body.session_id, body.pickup_code, payments)
    }
}

/// Collects a ready part at the till: the payments are received in the open session (its
/// expected cash includes the cash kept), and the part moves to `collected` as any handover
/// (its payment captured, its stock sold). Already collected, voided or not ready yet → 409;
/// a closed session → 409; payments that do not cover what is owed → 422; a declined card → 402.
#[utoipa::path(post, path = "/pos/pickups/{id}/collect", tag = "pos", request_body = CollectPickupBody,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Fulfillment id (from the pickup look-up)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 200, body = PickupCollectedView),
        (status = 402, body = Problem, description = "The card was declined: `decline_code`, `next_step`"),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn collect_pickup(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CollectPickupBody>,
) -> ApiResult<Json<PickupCollectedView>> {
    let command = CollectPickup::try_from(body)?;
    Ok(Json(state.app.collect_till_pickup(&user, &id, command).await?.into()))
}
