//! Authentication (argon2 passwords, bearer sessions) and role/merchant checks.
//!
//! Isolation rule: a user of one merchant gets 404, never 403, for another
//! merchant's resources, so ids of other merchants cannot even be probed.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use omnicanal_store::UserRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::ids::{now_ms, sha256_hex};
use crate::state::AppState;

/// How long a login lasts.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// The four roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the platform (the mall operator).
    Admin,
    /// Manages one merchant and all its locations.
    MerchantManager,
    /// Works at one location.
    Staff,
    /// Answers support tickets across merchants (read-only here).
    SupportAgent,
}

impl Role {
    /// The snake_case name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::MerchantManager => "merchant_manager",
            Role::Staff => "staff",
            Role::SupportAgent => "support_agent",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(raw: &str) -> Option<Role> {
        [Role::Admin, Role::MerchantManager, Role::Staff, Role::SupportAgent]
            .into_iter()
            .find(|role| role.as_str() == raw)
    }
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let mut salt_bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|error| ApiError::Internal(error.to_string().into()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| ApiError::Internal(error.to_string().into()))
}

/// Checks a password against a stored argon2 hash.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
        .unwrap_or(false)
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// User id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: Role,
    /// The merchant of a manager or staff member.
    pub merchant_id: Option<String>,
    /// The location of a staff member.
    pub location_id: Option<String>,
}

impl AuthUser {
    fn from_row(row: UserRow) -> Result<Self, ApiError> {
        let role = Role::parse(&row.role)
            .ok_or_else(|| ApiError::Internal(format!("user {} has unknown role {}", row.id, row.role).into()))?;
        Ok(Self { id: row.id, email: row.email, role, merchant_id: row.merchant_id, location_id: row.location_id })
    }

    /// Refuses with 403 unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) { Ok(()) } else { Err(ApiError::Forbidden) }
    }

    /// True when the user works across all merchants.
    pub fn is_platform(&self) -> bool {
        matches!(self.role, Role::Admin | Role::SupportAgent)
    }

    /// 404 unless the user may see `merchant_id`'s data.
    pub fn check_merchant(&self, merchant_id: &str, what: &'static str) -> Result<(), ApiError> {
        if self.is_platform() || self.merchant_id.as_deref() == Some(merchant_id) {
            Ok(())
        } else {
            Err(ApiError::NotFound(what))
        }
    }

    /// 404 unless the user may see the location (staff: only their own).
    pub fn check_location(&self, merchant_id: &str, location_id: &str) -> Result<(), ApiError> {
        self.check_merchant(merchant_id, "location")?;
        if self.role == Role::Staff && self.location_id.as_deref() != Some(location_id) {
            return Err(ApiError::NotFound("location"));
        }
        Ok(())
    }
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

impl<S> FromRequestParts<S> for AuthUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or(ApiError::Unauthorized("sign in: send Authorization: Bearer <token>"))?;
        let state = AppState::from_ref(state);
        let user = state
            .store
            .find_session_user(&sha256_hex(token.as_bytes()), now_ms())
            .await?
            .ok_or(ApiError::Unauthorized("the token is unknown or expired; sign in again"))?;
        AuthUser::from_row(user)
    }
}

/// The signed-in user if a bearer token is present; a bad token is still 401.
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl<S> FromRequestParts<S> for MaybeAuthUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if bearer_token(parts).is_none() {
            return Ok(MaybeAuthUser(None));
        }
        AuthUser::from_request_parts(parts, state).await.map(|user| MaybeAuthUser(Some(user)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip_through_argon2() -> Result<(), ApiError> {
        let hash = hash_password("correct horse")?;
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("x", "not a hash"));
        Ok(())
    }
}
