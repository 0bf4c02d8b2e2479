//! `POST /api/v1/users`: admins create anyone; managers create staff and managers of their merchant.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::access::NewUser;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::routes::auth::UserView;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_user))
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUser {
    /// E-mail, unique.
    #[schema(schema_with = crate::views::words::email)]
    pub email: String,
    /// At least 10 characters.
    #[schema(schema_with = crate::views::words::new_password)]
    pub password: String,
    /// admin, merchant_manager, staff or support_agent.
    #[schema(schema_with = crate::views::words::role)]
    pub role: String,
    /// Required for merchant_manager and staff.
    pub merchant_id: Option<String>,
    /// Required for staff; must belong to the merchant.
    pub location_id: Option<String>,
}

/// Creates a user.
#[utoipa::path(post, path = "/users", tag = "setup", request_body = CreateUser, security(("bearer" = [])),
    responses((status = 201, body = UserView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_user(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let new_user = NewUser::try_from(request)?;
    let row = state.app.create_user(&user, new_user).await?;
    let view = UserView {
        id: row.id,
        email: row.email,
        role: row.role,
        merchant_id: row.merchant_id,
        location_id: row.location_id,
    };
    Ok((StatusCode::CREATED, Json(view)))
}

impl TryFrom<CreateUser> for NewUser {
    type Error = AppError;

    fn try_from(request: CreateUser) -> Result<Self, AppError> {
        NewUser::parse(&request.email, &request.password, &request.role, request.merchant_id, request.location_id)
    }
}
