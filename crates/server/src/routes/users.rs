//! `POST /api/v1/users`: admins create anyone; managers create staff and managers of their merchant.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use omnicanal_store::UserRow;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, Role, hash_password};
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::ids::{new_id, now_ms};
use crate::routes::auth::UserView;
use crate::state::AppState;
use crate::validate::{Validator, vetted};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_user))
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUser {
    /// E-mail, unique.
    pub email: String,
    /// At least 10 characters.
    pub password: String,
    /// admin, merchant_manager, staff or support_agent.
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
    user.require(&[Role::Admin, Role::MerchantManager])?;
    let mut v = Validator::new();
    let email = request.email.trim().to_lowercase();
    let plausible_email = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.contains(char::is_whitespace);
    if !plausible_email {
        v.push("email", "must be an e-mail address");
    }
    if request.password.chars().count() < MIN_PASSWORD_CHARS || request.password.len() > 1024 {
        v.push("password", format!("must be {MIN_PASSWORD_CHARS} to 1024 characters"));
    }
    let role = Role::parse(&request.role).ok();
    match role {
        None => v.push("role", "must be admin, merchant_manager, staff or support_agent"),
        Some(Role::Admin | Role::SupportAgent) if user.role != Role::Admin => {
            v.push("role", "only an admin may create admins and support agents")
        }
        Some(_) => {}
    }
    check_membership(&state, &user, role, &request, &mut v).await?;
    v.finish()?;
    let role = vetted(role)?;
    let row = UserRow {
        id: new_id("usr"),
        email,
        password_hash: hash_password(&request.password)?,
        role,
        merchant_id: request.merchant_id.filter(|_| matches!(role, Role::MerchantManager | Role::Staff)),
        location_id: request.location_id.filter(|_| role == Role::Staff),
        created_at_ms: now_ms(),
    };
    state.store.insert_user(&row).await.map_err(|error| match error {
        omnicanal_store::StoreError::Duplicate(_) => {
            crate::error::ApiError::Conflict("a user with this e-mail already exists".into())
        }
        other => other.into(),
    })?;
    Ok((
        StatusCode::CREATED,
        Json(UserView {
            id: row.id,
            email: row.email,
            role,
            merchant_id: row.merchant_id,
            location_id: row.location_id,
        }),
    ))
}

/// Checks that a manager or staff member belongs to a visible merchant and, for staff, to one of its locations.
async fn check_membership(
    state: &AppState,
    creator: &AuthUser,
    role: Option<Role>,
    request: &CreateUser,
    v: &mut Validator,
) -> ApiResult<()> {
    if !matches!(role, Some(Role::MerchantManager | Role::Staff)) {
        return Ok(());
    }
    let Some(merchant_id) = &request.merchant_id else {
        v.push("merchant_id", "required for merchant_manager and staff");
        return Ok(());
    };
    if creator.check_merchant(merchant_id, "merchant").is_err()
        || state.store.get_merchant(merchant_id).await?.is_none()
    {
        v.push("merchant_id", "no such merchant");
        return Ok(());
    }
    if role == Some(Role::Staff) {
        match &request.location_id {
            None => v.push("location_id", "required for staff"),
            Some(location_id) => {
                let location = state.store.get_location(location_id).await?;
                if location.is_none_or(|location| &location.merchant_id != merchant_id) {
                    v.push("location_id", "no such location for this merchant");
                }
            }
        }
    }
    Ok(())
}
