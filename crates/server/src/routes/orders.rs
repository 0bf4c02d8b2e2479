//! Orders: placing (public), reading with the tracking token or as staff.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use omnicanal_store::OrderRecord;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, MaybeAuthUser};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::idempotency::IdempotencyClaim;
use crate::ids::constant_time_eq;
use crate::ordering::{PlaceOrder, place_order};
use crate::state::AppState;
use crate::views::OrderView;
use omnicanal_app::AppError;

/// Routes that move money and stock (wrapped by the idempotency layer).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_order))
}

/// Routes that read orders.
pub fn read_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_order))
}

/// `?token=` for customers following their order.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrackingQuery {
    /// The order's tracking token.
    pub token: Option<String>,
}

/// Places an order across one or more locations of a site, paid once (public).
#[utoipa::path(post, path = "/orders", tag = "ordering", request_body = PlaceOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 201, body = OrderView),
        (status = 402, description = "Card declined; nothing reserved or charged", body = crate::error::Problem),
        (status = 409, description = "A line is short of stock (see `sku`); nothing reserved or charged", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn create_order(
    State(state): State<AppState>,
    claim: Option<Extension<IdempotencyClaim>>,
    ApiJson(request): ApiJson<PlaceOrder>,
) -> ApiResult<(StatusCode, Json<OrderView>)> {
    let order = place_order(&state, request, claim.map(|Extension(claim)| claim)).await?;
    Ok((StatusCode::CREATED, Json(OrderView::new(&order, true))))
}

/// An order, for its customer (`?token=`) or for staff of a merchant in it.
#[utoipa::path(get, path = "/orders/{id}", tag = "ordering", params(("id" = String, Path, description = "Order id"), TrackingQuery),
    responses((status = 200, body = OrderView), (status = 404, body = crate::error::Problem)))]
async fn get_order(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<TrackingQuery>,
) -> ApiResult<Json<OrderView>> {
    let order = state.store.get_order(&id).await?.ok_or(AppError::NotFound("order"))?;
    Ok(Json(visible_order(order, user.as_ref(), query.token.as_deref())?))
}

/// The view of an order its reader may see: everything for the customer, the
/// merchant's own parts for staff, all parts for platform users; 404 otherwise.
pub fn visible_order(mut order: OrderRecord, user: Option<&AuthUser>, token: Option<&str>) -> ApiResult<OrderView> {
    if token.is_some_and(|token| constant_time_eq(token, &order.order.tracking_token)) {
        return Ok(OrderView::new(&order, true));
    }
    let user = user.ok_or(AppError::NotFound("order"))?;
    if !user.is_platform() {
        order.fulfillments.retain(|part| user.check_location(&part.merchant_id, &part.location_id).is_ok());
        if order.fulfillments.is_empty() {
            return Err(AppError::NotFound("order").into());
        }
    }
    Ok(OrderView::new(&order, false))
}
