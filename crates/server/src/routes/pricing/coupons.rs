//! Coupon codes of promotions that require one (the use cases are
//! `omnicanal_app::pricing::coupons`; a taken code is 409 `conflict` naming `code`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_store::CouponRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::state::AppState;
use omnicanal_app::AppError;
use omnicanal_app::ids::rfc3339;
use omnicanal_app::pricing::coupons::NewCoupon;

/// Routes of this part.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_coupon, list_coupons)).routes(routes!(update_coupon))
}

/// A new coupon code for a promotion that requires one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CouponRequest {
    /// 3 to 32 letters, digits, `-` or `_`; stored upper case, unique.
    #[schema(schema_with = crate::views::words::coupon_code)]
    pub code: String,
    /// Uses allowed in all (none: unlimited).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100_000_000)]
    pub usage_limit: Option<i64>,
    /// Uses allowed per customer, counted by e-mail or phone (none: unlimited).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100_000_000)]
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
    let coupon = NewCoupon::try_from(request)?;
    let row = state.app.create_coupon(&user, &id, coupon).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

impl TryFrom<CouponRequest> for NewCoupon {
    type Error = AppError;

    fn try_from(request: CouponRequest) -> Result<Self, AppError> {
        NewCoupon::parse(&request.code, request.usage_limit, request.per_customer_limit)
    }
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
    let coupons = state.app.list_coupons(&user, &id, pagination.page()?).await?;
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
    Ok(Json(state.app.set_coupon_active(&user, &id, request.active).await?.into()))
}
