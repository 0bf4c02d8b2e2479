//! Coupon codes of promotions that require one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_domain::pricing::Promotion;
use omnicanal_domain::pricing::promotion::normalize_code;
use omnicanal_store::{CouponRow, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::promotions::visible_promotion;
use super::{may_manage_prices, may_read_prices};
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::ids::{new_id, now_ms, rfc3339};
use crate::state::AppState;
use omnicanal_app::AppError;
use omnicanal_app::validation::Validator;

/// Routes of this part.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_coupon, list_coupons)).routes(routes!(update_coupon))
}

/// A new coupon code for a promotion that requires one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CouponRequest {
    /// 3 to 32 letters, digits, `-` or `_`; stored upper case, unique.
    pub code: String,
    /// Uses allowed in all (none: unlimited).
    #[serde(default)]
    pub usage_limit: Option<i64>,
    /// Uses allowed per customer, counted by e-mail or phone (none: unlimited).
    #[serde(default)]
    pub per_customer_limit: Option<i64>,
}

/// A coupon.
#[derive(Debug, Serialize, ToSchema)]
pub struct CouponView {
    /// Opaque id.
    pub id: String,
    /// The promotion it unlocks.
    pub promotion_id: String,
    /// The code.
    pub code: String,
    /// Uses allowed in all.
    pub usage_limit: Option<i64>,
    /// Uses allowed per customer.
    pub per_customer_limit: Option<i64>,
    /// Uses so far.
    pub used: i64,
    /// Whether it can be used.
    pub active: bool,
    /// Creation time.
    pub created_at: String,
}

impl From<CouponRow> for CouponView {
    fn from(row: CouponRow) -> Self {
        Self {
            id: row.id,
            promotion_id: row.promotion_id,
            code: row.code,
            usage_limit: row.usage_limit,
            per_customer_limit: row.per_customer_limit,
            used: row.used,
            active: row.active,
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// Adds a coupon code to a promotion with `requires_coupon`.
#[utoipa::path(post, path = "/promotions/{id}/coupons", tag = "pricing", request_body = CouponRequest,
    params(("id" = String, Path, description = "Promotion id")), security(("bearer" = [])),
    responses((status = 201, body = CouponView), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_coupon(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CouponRequest>,
) -> ApiResult<(StatusCode, Json<CouponView>)> {
    may_manage_prices(&user)?;
    let promotion = visible_promotion(&state, &user, &id).await?;
    let definition: Promotion =
        serde_json::from_str(&promotion.definition_json).map_err(|error| AppError::Internal(Box::new(error)))?;
    let mut v = Validator::new();
    if !definition.requires_coupon {
        v.push("code", "this promotion applies without a coupon; set requires_coupon on it first");
    }
    let code = normalize_code(&request.code);
    if !(3..=32).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        v.push("code", "must be 3 to 32 letters, digits, '-' or '_'");
    }
    for (field, limit) in [("usage_limit", request.usage_limit), ("per_customer_limit", request.per_customer_limit)] {
        if limit.is_some_and(|limit| !(1..=100_000_000).contains(&limit)) {
            v.push(field, "must be between 1 and 100000000");
        }
    }
    v.finish()?;
    let row = CouponRow {
        id: new_id("cpn"),
        promotion_id: promotion.id,
        code,
        usage_limit: request.usage_limit,
        per_customer_limit: request.per_customer_limit,
        used: 0,
        active: true,
        created_at_ms: now_ms(),
    };
    state.store.insert_coupon(&row).await.map_err(|error| match error {
        StoreError::Duplicate(_) => AppError::Conflict(format!("the code {} is already in use", row.code)),
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// A promotion's coupons, oldest first.
#[utoipa::path(get, path = "/promotions/{id}/coupons", tag = "pricing", params(("id" = String, Path, description = "Promotion id"), Pagination),
    security(("bearer" = [])), responses((status = 200, body = Vec<CouponView>), (status = 404, body = crate::error::Problem)))]
async fn list_coupons(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(pagination): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<CouponView>>> {
    may_read_prices(&user)?;
    let promotion = visible_promotion(&state, &user, &id).await?;
    let coupons = state.store.list_coupons(&promotion.id, pagination.page()?).await?;
    Ok(Json(coupons.into_iter().map(CouponView::from).collect()))
}

/// A change to a coupon.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateCoupon {
    /// Switch the code on or off.
    pub active: bool,
}

/// Switches a coupon on or off.
#[utoipa::path(patch, path = "/coupons/{id}", tag = "pricing", request_body = UpdateCoupon,
    params(("id" = String, Path, description = "Coupon id")), security(("bearer" = [])),
    responses((status = 200, body = CouponView), (status = 404, body = crate::error::Problem)))]
async fn update_coupon(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateCoupon>,
) -> ApiResult<Json<CouponView>> {
    may_manage_prices(&user)?;
    let coupon = state.store.get_coupon(&id).await?.ok_or(AppError::NotFound("coupon"))?;
    visible_promotion(&state, &user, &coupon.promotion_id).await.map_err(|_| AppError::NotFound("coupon"))?;
    state.store.set_coupon_active(&id, request.active).await?;
    Ok(Json(CouponRow { active: request.active, ..coupon }.into()))
}
