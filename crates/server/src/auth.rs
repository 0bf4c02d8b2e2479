//! Authentication (argon2 passwords, sessions) and role/merchant checks.
//!
//! A session token arrives either as `Authorization: Bearer <token>` (integrations) or as the
//! `oc_session` cookie (the merchant console in a browser). A cookie-authenticated request that
//! changes something must also carry an `X-CSRF-Token` header equal to [`session_csrf`] of its
//! session, which the console hands its pages in the `oc_csrf` cookie: another site can make the
//! browser send our cookies, but can neither read them nor derive the token from a cookie it
//! planted (the token is bound to the HttpOnly session).
//!
//! Isolation rule: a user of one merchant gets 404, never 403, for another
//! merchant's resources, so ids of other merchants cannot even be probed.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use omnicanal_store::{SessionRow, UserRow};

use crate::error::ApiError;
use crate::ids::{constant_time_eq, new_token, now_ms, sha256_hex};
use crate::state::AppState;

/// How long a login lasts.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// Longest password a sign-in checks: the most `POST /users` accepts.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The cookie that carries a browser's session token (HttpOnly).
pub const SESSION_COOKIE: &str = "oc_session";

/// The cookie whose value a browser's changing requests repeat in [`CSRF_HEADER`].
pub const CSRF_COOKIE: &str = "oc_csrf";

/// The header that must repeat the [`CSRF_COOKIE`] on cookie-authenticated changes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of cookie `name` in the request, if any.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// The CSRF token of a session: derived from its (secret, HttpOnly) token, so it cannot be
/// planted or guessed by another site, and it changes with every sign-in.
pub fn session_csrf(session_token: &str) -> String {
    sha256_hex(format!("oc_csrf:{session_token}").as_bytes())
}

/// True when `presented` (a form field or header) is the CSRF token of the request's session cookie.
pub fn session_csrf_matches(headers: &HeaderMap, presented: Option<&str>) -> bool {
    match (cookie(headers, SESSION_COOKIE), presented) {
        (Some(session), Some(presented)) => constant_time_eq(&session_csrf(session), presented.trim()),
        _ => false,
    }
}

/// True when `presented` (a form field or header) matches the request's CSRF cookie: the
/// double-submit check for forms sent before there is a session (the login form).
pub fn csrf_matches(headers: &HeaderMap, presented: Option<&str>) -> bool {
    match (cookie(headers, CSRF_COOKIE), presented) {
        (Some(expected), Some(presented)) => constant_time_eq(expected, presented.trim()),
        _ => false,
    }
}

pub use omnicanal_domain::access::Role;

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

/// An argon2 hash of a random string, verified against when the e-mail is unknown so that
/// timing does not reveal which e-mails exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5Y0Wm0m8m8v0cY0l8pQ2pHc2bqg3xZ0b6Yk3K6m9z1E";

/// Checks e-mail and password and opens a session: the new token and its user.
///
/// Failed attempts are throttled per e-mail and per `client_ip` ([`crate::throttle`]): over
/// either limit the answer is [`ApiError::TooManyRequests`] and the password is not checked.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    client_ip: Option<std::net::IpAddr>,
) -> Result<(String, AuthUser), ApiError> {
    let throttle = &state.login_throttle;
    let attempt = throttle
        .begin(email, client_ip)
        .map_err(|refused| ApiError::TooManyRequests { retry_after_secs: refused.retry_after_secs() })?;
    let outcome = check_and_open_session(state, email, password).await;
    match &outcome {
        Ok(_) => throttle.succeeded(attempt),
        Err(ApiError::Unauthorized(_)) => throttle.failed(attempt),
        Err(_) => throttle.abandoned(attempt),
    }
    outcome
}

/// [`sign_in`] without the throttle.
async fn check_and_open_session(state: &AppState, email: &str, password: &str) -> Result<(String, AuthUser), ApiError> {
    let wrong = ApiError::Unauthorized("wrong e-mail or password");
    if password.len() > MAX_PASSWORD_BYTES {
        // No stored password is this long (`POST /users` takes at most 1024 bytes): refuse without
        // making argon2 hash a megabyte.
        return Err(wrong);
    }
    let Some(user) = state.store.find_user_by_email(email.trim()).await? else {
        let _ = verify_password(password, DUMMY_HASH);
        return Err(wrong);
    };
    if !verify_password(password, &user.password_hash) {
        return Err(wrong);
    }
    let token = new_token();
    let session_hash = sha256_hex(token.as_bytes());
    state
        .store
        .insert_session(&SessionRow {
            token_hash: session_hash.clone(),
            user_id: user.id.clone(),
            expires_at_ms: now_ms() + SESSION_TTL_MS,
        })
        .await?;
    Ok((token, AuthUser::from_row(user, session_hash, false)?))
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
    /// SHA-256 of the session token this request came with (to revoke it at logout).
    pub session_hash: String,
    /// True when the session came from the `oc_session` cookie rather than a bearer header.
    pub via_cookie: bool,
}

impl AuthUser {
    fn from_row(row: UserRow, session_hash: String, via_cookie: bool) -> Result<Self, ApiError> {
        let role = row.role;
        Ok(Self {
            id: row.id,
            email: row.email,
            role,
            merchant_id: row.merchant_id,
            location_id: row.location_id,
            session_hash,
            via_cookie,
        })
    }

    /// The user of a session token, if it is known and not expired.
    pub async fn from_token(state: &AppState, token: &str, via_cookie: bool) -> Result<Option<Self>, ApiError> {
        let hash = sha256_hex(token.as_bytes());
        match state.store.find_session_user(&hash, now_ms()).await? {
            Some(row) => AuthUser::from_row(row, hash, via_cookie).map(Some),
            None => Ok(None),
        }
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

/// True for methods that change nothing, which need no CSRF token.
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a request carries any credentials: a bearer header or the session cookie.
fn has_credentials(parts: &Parts) -> bool {
    bearer_token(parts).is_some() || cookie(&parts.headers, SESSION_COOKIE).is_some()
}

impl<S> FromRequestParts<S> for AuthUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        if let Some(token) = bearer_token(parts) {
            return AuthUser::from_token(&state, token, false)
                .await?
                .ok_or(ApiError::Unauthorized("the token is unknown or expired; sign in again"));
        }
        let token = cookie(&parts.headers, SESSION_COOKIE)
            .ok_or(ApiError::Unauthorized("sign in: send Authorization: Bearer <token>"))?;
        let user = AuthUser::from_token(&state, token, true)
            .await?
            .ok_or(ApiError::Unauthorized("the session is unknown or expired; sign in again"))?;
        if !is_safe(&parts.method) {
            let presented = parts.headers.get(CSRF_HEADER).and_then(|value| value.to_str().ok());
            if !session_csrf_matches(&parts.headers, presented) {
                return Err(ApiError::CsrfRejected);
            }
        }
        Ok(user)
    }
}

/// The signed-in user if a bearer token or session cookie is present; a bad token is still 401.
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl<S> FromRequestParts<S> for MaybeAuthUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if !has_credentials(parts) {
            return Ok(MaybeAuthUser(None));
        }
        match AuthUser::from_request_parts(parts, state).await {
            Ok(user) => Ok(MaybeAuthUser(Some(user))),
            // A staff cookie the browser sent along without the CSRF header carries no authority
            // here: the request goes on as anonymous (a customer page with `?token=`, say).
            Err(ApiError::CsrfRejected) if bearer_token(parts).is_none() => Ok(MaybeAuthUser(None)),
            Err(error) => Err(error),
        }
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

    #[test]
    fn cookies_are_read_by_name_and_csrf_must_match() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, "lang=es; oc_session=abc; oc_csrf=tok123".parse().unwrap_or_else(|_| unreachable!()));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
        assert!(csrf_matches(&headers, Some("tok123")));
        assert!(!csrf_matches(&headers, Some("tok124")));
        assert!(!csrf_matches(&headers, None));
        assert!(!csrf_matches(&HeaderMap::new(), Some("tok123")));
        let bound = session_csrf("abc");
        assert!(session_csrf_matches(&headers, Some(&bound)));
        assert!(!session_csrf_matches(&headers, Some("tok123")), "a planted cookie value is not the session's token");
        assert_ne!(session_csrf("abc"), session_csrf("abd"));
    }
}
