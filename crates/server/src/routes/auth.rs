//! `POST /api/v1/auth/login`, `GET /api/v1/auth/me`, `POST /api/v1/auth/logout` and
//! `POST /api/v1/auth/password`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::Caller;
use omnicanal_app::access::NewPassword;

use crate::auth::{AuthUser, Role};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ClientIp};
use crate::state::AppState;

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

impl From<Caller> for UserView {
    fn from(user: Caller) -> Self {
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
/// Failed attempts are throttled with growing delays, answered 429 with `Retry-After`
/// (seconds) and without checking the password while a delay runs:
/// - per e-mail and client address: after 3 failures, 1 s, 2 s, 4 s, … up to 5 minutes after
///   the last failure; a success clears them;
/// - per e-mail from all addresses: after 10 failures, addresses it never signed in from are
///   delayed the same way, while an address it signed in from before is only spaced 5 s;
/// - per client address: after failures for 20 (by default) different e-mails, e-mails that
///   never signed in from it are delayed the same way.
///
/// Failures are forgotten 15 minutes after the last one. The client address is the TCP peer,
/// or the right-most entry of `OMNICANAL_TRUSTED_PROXY_HEADER` when that is set.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem, description = "Too many failed sign-ins: wait",
            headers(("Retry-After" = u64, description = "Seconds until an attempt is accepted again")))))]
async fn login(
    State(state): State<AppState>,
    ClientIp(client_ip): ClientIp,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let (token, session) = state.app.sign_in(&request.email, &request.password, client_ip).await?;
    Ok(Json(LoginResponse { token, user: session.caller.into() }))
}

/// The signed-in user.
#[utoipa::path(get, path = "/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = crate::error::Problem)))]
async fn me(user: AuthUser) -> Json<UserView> {
    Json(user.session.caller.into())
}

/// Ends the session the request came with: its token stops working at once.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, body = crate::error::Problem)))]
async fn logout(State(state): State<AppState>, user: AuthUser) -> ApiResult<StatusCode> {
    state.app.sign_out(&user.session.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    /// The password in use now.
    pub current_password: String,
    /// The new one: 10 to 200 characters, different from the current one.
    #[schema(schema_with = crate::views::words::new_password)]
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
    let new = NewPassword::parse(&request.new_password)
        .map_err(|problem| ApiError::invalid("new_password", problem.message()))?;
    state.app.change_password(&user.session, &request.current_password, &new).await?;
    Ok(StatusCode::NO_CONTENT)
}
