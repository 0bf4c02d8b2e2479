//! The desk's macros over HTTP (issue 18 point 2): canned answers agents and admins list,
//! write, change and remove; the console's reply box fills their `{placeholders}` for the
//! ticket at hand. A store's users are refused (403): macros are the desk's own tool. The use
//! cases are `omnicanal_app::support::macros`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use omnicanal_app::ids::rfc3339;
use omnicanal_app::support::macros::{MacroChange, MacroText};
use omnicanal_store::SupportMacroRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_macros, create_macro)).routes(routes!(update_macro, delete_macro))
}

/// A macro.
#[derive(Debug, Serialize, ToSchema)]
pub struct MacroView {
    /// Opaque id.
    pub id: String,
    /// A short name agents pick it by.
    pub title: String,
    /// The text; `{store}`, `{number}`, `{subject}`, `{agent}` and `{cashier}` are filled
    /// for the ticket when it is inserted.
    pub body: String,
    /// Who wrote it.
    pub created_by: String,
    /// Written at (RFC 3339).
    pub created_at: String,
    /// Last changed at (RFC 3339).
    pub updated_at: String,
}

impl From<SupportMacroRow> for MacroView {
    fn from(row: SupportMacroRow) -> Self {
        Self {
            id: row.id,
            title: row.title,
            body: row.body,
            created_by: row.created_by,
            created_at: rfc3339(row.created_ms),
            updated_at: rfc3339(row.updated_ms),
        }
    }
}

/// A new macro.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateMacroRequest {
    /// 1 to 120 characters.
    #[schema(min_length = 1, max_length = 120)]
    pub title: String,
    /// 1 to 5,000 characters; only the known `{placeholders}`.
    #[schema(min_length = 1, max_length = 5000)]
    pub body: String,
}

/// A change to a macro (at least one field).
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMacroRequest {
    /// A new title, 1 to 120 characters.
    #[schema(min_length = 1, max_length = 120)]
    pub title: Option<String>,
    /// A new body, 1 to 5,000 characters.
    #[schema(min_length = 1, max_length = 5000)]
    pub body: Option<String>,
}

/// The desk's macros by title (agents and admins). The number in all is in `X-Total-Count`.
#[utoipa::path(get, path = "/support/macros", tag = "support", params(Pagination), security(("bearer" = [])),
    responses((status = 200, body = Vec<MacroView>, headers(("X-Total-Count" = i64, description = "Macros in all"))),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn list_macros(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(paging): ApiQuery<Pagination>,
) -> ApiResult<Response> {
    let page = paging.page()?;
    let (rows, total) = state.app.support_macros(&user, page).await?;
    let views: Vec<MacroView> = rows.into_iter().map(Into::into).collect();
    Ok(([("x-total-count", total.to_string())], Json(views)).into_response())
}

/// Saves a macro (agents and admins).
#[utoipa::path(post, path = "/support/macros", tag = "support", request_body = CreateMacroRequest,
    security(("bearer" = [])),
    responses((status = 201, body = MacroView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_macro(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateMacroRequest>,
) -> ApiResult<(StatusCode, Json<MacroView>)> {
    let text = MacroText::parse(&request.title, &request.body)?;
    let saved = state.app.create_support_macro(&user, text).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// Changes a macro's title or body (agents and admins).
#[utoipa::path(patch, path = "/support/macros/{id}", tag = "support", request_body = UpdateMacroRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "Macro id")),
    responses((status = 200, body = MacroView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn update_macro(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateMacroRequest>,
) -> ApiResult<Json<MacroView>> {
    let change = MacroChange::parse(request.title.as_deref(), request.body.as_deref())?;
    Ok(Json(state.app.update_support_macro(&user, &id, change).await?.into()))
}

/// Removes a macro (agents and admins).
#[utoipa::path(delete, path = "/support/macros/{id}", tag = "support", security(("bearer" = [])),
    params(("id" = String, Path, description = "Macro id")),
    responses((status = 204), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn delete_macro(State(state): State<AppState>, user: AuthUser, Path(id): Path<String>) -> ApiResult<StatusCode> {
    state.app.delete_support_macro(&user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
