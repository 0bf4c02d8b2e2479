//! Users managed through the API (issue 15 point 1): the list, invitations by link and their
//! first password, deactivation and reactivation. The console's users page calls the same use
//! cases (`omnicanal_app::access::invitations`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::access::{NewInvitation, NewPassword};
use omnicanal_app::ids::rfc3339;
use omnicanal_store::{ManagedUserRow, UserOrder};

use crate::auth::{AuthUser, Role};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::routes::auth::LoginResponse;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(invite_user))
        .routes(routes!(show_invitation))
        .routes(routes!(accept_invitation))
        .routes(routes!(deactivate_user))
        .routes(routes!(reactivate_user))
}

/// A user as an admin or manager sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManagedUserView {
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
    /// `active`, `invited` (no password yet) or `deactivated`.
    pub status: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

impl From<ManagedUserRow> for ManagedUserView {
    fn from(row: ManagedUserRow) -> Self {
        let status = if row.deactivated_at_ms.is_some() {
            "deactivated"
        } else if row.invited {
            "invited"
        } else {
            "active"
        };
        Self {
            id: row.user.id,
            email: row.user.email,
            role: row.user.role,
            merchant_id: row.user.merchant_id,
            location_id: row.user.location_id,
            status: status.to_owned(),
            created_at: rfc3339(row.user.created_at_ms),
        }
    }
}

/// `?q=&limit=&offset=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Part of the e-mail (case-insensitive).
    pub q: Option<String>,
    /// Items per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    /// The users, by e-mail.
    pub items: Vec<ManagedUserView>,
    /// How many match in all.
    pub total: i64,
}

/// The users the caller manages: every user for an admin, its merchant's for a manager.
#[utoipa::path(get, path = "/users", tag = "setup", security(("bearer" = [])), params(UserListQuery),
    responses((status = 200, body = UserPage), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn list_users(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<UserListQuery>,
) -> ApiResult<Json<UserPage>> {
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    let q = query.q.unwrap_or_default();
    if q.chars().count() > 200 {
        return Err(ApiError::invalid("q", "must be at most 200 characters"));
    }
    let (rows, total) = state.app.list_managed_users(&user, &q, UserOrder::default(), page).await?;
    Ok(Json(UserPage { items: rows.into_iter().map(Into::into).collect(), total }))
}

/// An invitation to make.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteUser {
    /// E-mail, unique.
    #[schema(schema_with = crate::views::words::email)]
    pub email: String,
    /// admin, merchant_manager, staff or support_agent (a manager invites staff only).
    #[schema(schema_with = crate::views::words::role)]
    pub role: String,
    /// Required for merchant_manager and staff.
    pub merchant_id: Option<String>,
    /// Required for staff; must belong to the merchant.
    pub location_id: Option<String>,
}

/// An invitation made: the link's token is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationIssued {
    /// The invited user (status `invited`).
    pub user: ManagedUserView,
    /// The link's token: only its hash is kept.
    pub token: String,
    /// The page where the invitee chooses a first password.
    pub invite_path: String,
    /// When the link stops working (RFC 3339).
    pub expires_at: String,
}

/// Invites a user by link: the user exists at once with no password; the link, valid 7 days
/// and once, lets them choose one. A taken e-mail is 409 on `email`; a manager inviting
/// anything but staff of its merchant is 422 on `role`.
#[utoipa::path(post, path = "/users/invitations", tag = "setup", request_body = InviteUser, security(("bearer" = [])),
    responses((status = 201, body = InvitationIssued), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn invite_user(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<InviteUser>,
) -> ApiResult<(StatusCode, Json<InvitationIssued>)> {
    let invitation = NewInvitation::parse(&request.email, &request.role, request.merchant_id, request.location_id)?;
    let issued = state.app.invite_user(&user, invitation).await?;
    let user = ManagedUserView::from(ManagedUserRow { user: issued.user, deactivated_at_ms: None, invited: true });
    Ok((
        StatusCode::CREATED,
        Json(InvitationIssued {
            user,
            invite_path: format!("/console/invite/{}", issued.token),
            token: issued.token,
            expires_at: rfc3339(issued.expires_at_ms),
        }),
    ))
}

/// An open invitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    /// The invited e-mail.
    pub email: String,
    /// The role it grants.
    #[schema(value_type = String, example = "staff")]
    pub role: Role,
    /// When the link stops working (RFC 3339).
    pub expires_at: String,
}

/// What an invitation link grants, while it can be accepted: unknown is 404, used or expired 409.
#[utoipa::path(get, path = "/invitations/{token}", tag = "auth",
    params(("token" = String, Path, description = "The link's token")),
    responses((status = 200, body = InvitationView), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem)))]
async fn show_invitation(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Json<InvitationView>> {
    let open = state.app.open_invitation(&token).await?;
    Ok(Json(InvitationView { email: open.email, role: open.role, expires_at: rfc3339(open.expires_at_ms) }))
}

/// A first password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptInvitation {
    /// 10 to 200 characters.
    #[schema(schema_with = crate::views::words::new_password)]
    pub password: String,
}

/// Sets the first password through an invitation link and signs in. The link works once: a
/// second use is 409, an expired one 409, an unknown one 404.
#[utoipa::path(post, path = "/invitations/{token}/accept", tag = "auth", request_body = AcceptInvitation,
    params(("token" = String, Path, description = "The link's token")),
    responses((status = 200, body = LoginResponse), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn accept_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(request): ApiJson<AcceptInvitation>,
) -> ApiResult<Json<LoginResponse>> {
    let password =
        NewPassword::parse(&request.password).map_err(|problem| ApiError::invalid("password", problem.message()))?;
    let (token, session) = state.app.accept_invitation(&token, &password).await?;
    Ok(Json(LoginResponse { token, user: session.caller.into() }))
}

/// Deactivates a user: they can no longer sign in and every session of theirs ends at once.
/// Another merchant's user is 404; a manager may deactivate staff only (403).
#[utoipa::path(post, path = "/users/{id}/deactivate", tag = "setup", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = ManagedUserView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn deactivate_user(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ManagedUserView>> {
    Ok(Json(state.app.set_user_active(&user, &id, false).await?.into()))
}

/// Reactivates a user: they may sign in again.
#[utoipa::path(post, path = "/users/{id}/reactivate", tag = "setup", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = ManagedUserView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
async fn reactivate_user(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ManagedUserView>> {
    Ok(Json(state.app.set_user_active(&user, &id, true).await?.into()))
}
