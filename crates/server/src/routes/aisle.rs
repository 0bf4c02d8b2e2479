//! Endless aisle from the clerk's tablet (issue 17 point 7): `GET /pos/devices/{id}/aisle`
//! searches the merchant's catalogue with every location's available-to-promise, so the
//! store can sell what it lacks. The rules are in `omnicanal_app::aisle`.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, Pagination};
use crate::state::AppState;
use crate::views::AisleSearchView;
use omnicanal_app::aisle::search::MAX_QUERY_CHARS;
use omnicanal_app::{AppError, FieldError};

/// Routes that read.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(aisle_search))
}

/// `?q=&limit=&offset=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AisleQuery {
    /// Words of the product's name, a SKU or a barcode (at most 100 characters); empty: everything.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Items per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

/// Searches the merchant's catalogue from a till: each matching variant with the units every
/// location may promise to the tablet (this store first, then the others with their names
/// and sites). Staff of the till's location, its merchant's managers, admins; another
/// merchant's till → 404.
#[utoipa::path(get, path = "/pos/devices/{id}/aisle", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Till id"), AisleQuery),
    responses((status = 200, body = AisleSearchView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn aisle_search(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<AisleQuery>,
) -> ApiResult<Json<AisleSearchView>> {
    // Every bad parameter in one answer: the paging's and the text's.
    let mut errors = Vec::new();
    let page = Pagination { limit: query.limit, offset: query.offset }.page_or_collect(&mut errors);
    if query.q.as_deref().is_some_and(|q| q.trim().chars().count() > MAX_QUERY_CHARS) {
        errors.push(FieldError { field: "q".into(), message: format!("must be at most {MAX_QUERY_CHARS} characters") });
    }
    let Some(page) = page.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors).into());
    };
    Ok(Json(state.app.aisle_search(&user, &id, query.q.as_deref(), page).await?.into()))
}
