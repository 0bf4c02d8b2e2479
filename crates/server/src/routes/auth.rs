//! `POST /api/v1/auth/login`, `GET /api/v1/auth/me`, `POST /api/v1/auth/logout` and
//! `POST /api/v1/auth/password`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, Role, hash_password, sign_in, verify_password};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::throttle::ClientIp;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(me))
        .routes(routes!(logout))
        .routes(routes!(change_password))
}

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// E-mail (case-insensitive).
    pub email: String,
    /// Password.
    pub password: String,
}

/// Who is signed in.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// Opaque id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Role.
    #[schema(value_type = String, example = "staff")]
    pub role: Role,
    /// Merchant of a manager or staff member.
    pub merchant_id: Option<String>,
    /// Location of a staff member.
    pub location_id: Option<String>,
}

impl From<AuthUser> for UserView {
    fn from(user: AuthUser) -> Self {
        Self {
            id: user.id,
            email: user.email,
            role: user.role,
            merchant_id: user.merchant_id,
            location_id: user.location_id,
        }
    }
}

/// A session token and its user.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`; valid for 12 hours.
    pub token: String,
    /// The signed-in user.
    pub user: UserView,
}

/// Signs in with e-mail and password.
///
/// After 5 failed attempts for one e-mail, or 20 (by default) from one client address, within
/// 15 minutes, further attempts are refused with 429 and `Retry-After` (seconds) — without
/// checking the password — until the oldest failure is 15 minutes old. A success clears the
/// e-mail's count.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem, description = "Too many failed sign-ins",
            headers(("Retry-After" = u64, description = "Seconds until an attempt is accepted again")))))]
async fn login(
    State(state): State<AppState>,
    ClientIp(client_ip): ClientIp,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let (token, user) = sign_in(&state, &request.email, &request.password, client_ip).await?;
    Ok(Json(LoginResponse { token, user: user.into() }))
}

/// The signed-in user.
#[utoipa::path(get, path = "/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = crate::error::Problem)))]
async fn me(user: AuthUser) -> Json<UserView> {
    Json(user.into())
}

/// Ends the session the request came with: its token stops working at once.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, body = crate::error::Problem)))]
async fn logout(State(state): State<AppState>, user: AuthUser) -> ApiResult<StatusCode> {
    state.store.delete_session(&user.session_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shortest new password accepted.
pub const MIN_NEW_PASSWORD_CHARS: usize = 10;
/// Longest new password accepted.
pub const MAX_NEW_PASSWORD_CHARS: usize = 200;

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    /// The password in use now.
    pub current_password: String,
    /// The new one: 10 to 200 characters, different from the current one.
    pub new_password: String,
}

/// Changes the signed-in user's password. Every other session of the user ends (a stolen token
/// stops working); the one making the change stays signed in. A wrong current password is 422
/// on `current_password`.
#[utoipa::path(post, path = "/auth/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204, description = "Changed"), (status = 401, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn change_password(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    let length = request.new_password.chars().count();
    if !(MIN_NEW_PASSWORD_CHARS..=MAX_NEW_PASSWORD_CHARS).contains(&length) {
        return Err(ApiError::invalid(
            "new_password",
            format!("must be {MIN_NEW_PASSWORD_CHARS} to {MAX_NEW_PASSWORD_CHARS} characters"),
        ));
    }
    if request.current_password.len() > 1024 {
        return Err(ApiError::invalid("current_password", "is not your current password"));
    }
    let stored = state
        .store
        .find_user_by_email(&user.email)
        .await?
        .ok_or(ApiError::Unauthorized("the session's user no longer exists; sign in again"))?;
    if !verify_password(&request.current_password, &stored.password_hash) {
        return Err(ApiError::invalid("current_password", "is not your current password"));
    }
    if request.new_password == request.current_password {
        return Err(ApiError::invalid("new_password", "must differ from the current password"));
    }
    let password_hash = hash_password(&request.new_password)?;
    state.store.set_password(&stored.id, &password_hash, &user.session_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}
