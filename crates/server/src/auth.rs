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

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use omnicanal_app::access::Session;
use omnicanal_app::{AppError, Caller};

use crate::error::ApiError;
use crate::state::AppState;
use omnicanal_app::ids::{constant_time_eq, sha256_hex};

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

/// The signed-in user of a request: the app's [`Session`], and how it arrived. Dereferences to
/// the [`Caller`] the use cases take.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The session and its user.
    pub session: Session,
    /// True when the session came from the `oc_session` cookie rather than a bearer header.
    pub via_cookie: bool,
}

impl std::ops::Deref for AuthUser {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.session.caller
    }
}

impl AuthUser {
    /// The user of a session token, if it is known and not expired.
    pub async fn from_token(state: &AppState, token: &str, via_cookie: bool) -> Result<Option<Self>, AppError> {
        Ok(state.app.session(token).await?.map(|session| AuthUser { session, via_cookie }))
    }

    /// The use cases' view of the user.
    pub fn caller(&self) -> &Caller {
        &self.session.caller
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
                .ok_or(AppError::Unauthenticated("the token is unknown or expired; sign in again").into());
        }
        let token = cookie(&parts.headers, SESSION_COOKIE)
            .ok_or(AppError::Unauthenticated("sign in: send Authorization: Bearer <token>"))?;
        let user = AuthUser::from_token(&state, token, true)
            .await?
            .ok_or(AppError::Unauthenticated("the session is unknown or expired; sign in again"))?;
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
