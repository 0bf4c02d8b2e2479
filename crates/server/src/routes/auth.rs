//! `POST /api/v1/auth/login` and `GET /api/v1/auth/me`.

use axum::Json;
use axum::extract::State;
use omnicanal_store::SessionRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, Role, SESSION_TTL_MS, verify_password};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::ids::{new_token, now_ms, sha256_hex};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login)).routes(routes!(me))
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
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::error::Problem)))]
async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let wrong = ApiError::Unauthorized("wrong e-mail or password");
    let Some(user) = state.store.find_user_by_email(request.email.trim()).await? else {
        // Spend the same effort as a real check so timing does not reveal which e-mails exist.
        let _ = verify_password(&request.password, DUMMY_HASH);
        return Err(wrong);
    };
    if !verify_password(&request.password, &user.password_hash) {
        return Err(wrong);
    }
    let token = new_token();
    state
        .store
        .insert_session(&SessionRow {
            token_hash: sha256_hex(token.as_bytes()),
            user_id: user.id.clone(),
            expires_at_ms: now_ms() + SESSION_TTL_MS,
        })
        .await?;
    let role = Role::parse(&user.role).ok_or_else(|| ApiError::Internal("stored role is unknown".into()))?;
    Ok(Json(LoginResponse {
        token,
        user: UserView {
            id: user.id,
            email: user.email,
            role,
            merchant_id: user.merchant_id,
            location_id: user.location_id,
        },
    }))
}

/// An argon2 hash of a random string, verified against when the e-mail is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5Y0Wm0m8m8v0cY0l8pQ2pHc2bqg3xZ0b6Yk3K6m9z1E";

/// The signed-in user.
#[utoipa::path(get, path = "/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = crate::error::Problem)))]
async fn me(user: AuthUser) -> Json<UserView> {
    Json(user.into())
}
