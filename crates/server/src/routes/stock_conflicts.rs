//! The manager's side of stock conflicts: one conflict, and its resolution
//! (`POST /stock/conflicts/{id}/resolve`). The list (`GET /stock/conflicts`) stays with the
//! till's routes; the rules are `omnicanal_app::pos::conflicts`'.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::pos::conflicts::ResolveConflict;

use crate::auth::AuthUser;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::views::ConflictDetailView;

/// Resolving moves stock (and may queue a refund): behind the idempotency layer.
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(resolve_conflict))
}

/// Reading one conflict.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_conflict))
}

/// How to resolve a conflict: one of the manager's three choices and what it needs.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResolveConflictBody {
    /// `count` (needs `counted`), `transfer` (needs `from_location_id`) or `cancel_order`
    /// (needs `order_id`, the order the conflict names).
    #[schema(pattern = "^(count|transfer|cancel_order)$")]
    pub action: String,
    /// Units on the shelf now (count).
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub counted: Option<i64>,
    /// Another location of the merchant that sends the shortfall (transfer).
    pub from_location_id: Option<String>,
    /// The order to reject and refund (cancel_order).
    pub order_id: Option<String>,
}

impl TryFrom<ResolveConflictBody> for ResolveConflict {
    type Error = AppError;

    fn try_from(body: ResolveConflictBody) -> Result<Self, AppError> {
        ResolveConflict::parse(&body.action, body.counted, body.from_location_id, body.order_id)
    }
}

/// One stock conflict of a location the caller may see, with its cause in words.
#[utoipa::path(get, path = "/stock/conflicts/{id}", tag = "stock", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conflict id")),
    responses((status = 200, body = ConflictDetailView), (status = 404, body = Problem)))]
async fn get_conflict(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ConflictDetailView>> {
    Ok(Json(state.app.stock_conflict(&user, &id).await?.into()))
}

/// Resolves an open stock conflict (managers of its merchant, admins): count the shelf,
/// transfer the shortfall from another location (409 `insufficient_stock` if it lacks the
/// units), or cancel and refund the order that can no longer be served. Resolving twice is 409.
#[utoipa::path(post, path = "/stock/conflicts/{id}/resolve", tag = "stock", request_body = ResolveConflictBody,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conflict id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 200, body = ConflictDetailView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn resolve_conflict(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResolveConflictBody>,
) -> ApiResult<Json<ConflictDetailView>> {
    let command = ResolveConflict::try_from(body)?;
    Ok(Json(state.app.resolve_stock_conflict(&user, &id, command).await?.into()))
}
