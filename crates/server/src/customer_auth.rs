//! The signed-in customer of a request (issue 17 point 3): a customer session token as
//! `Authorization: Bearer <token>`, or the `oc_customer` cookie the account page's sign-in sets
//! — the cookie only on requests that change nothing (a receipt opened from the page), so
//! another site that makes the browser send it can change nothing; the page's scripts send the
//! bearer token for changes.
//!
//! Customer sessions are their own table: a customer token is no staff session, so every staff
//! route answers it 401, and a staff token is no customer session here.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::Method;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use omnicanal_app::AppError;
use omnicanal_app::customers::CustomerSession;

use crate::auth::cookie;
use crate::error::ApiError;
use crate::state::AppState;

/// The cookie the account page's sign-in sets (HttpOnly).
pub const CUSTOMER_COOKIE: &str = "oc_customer";

/// A signed-in customer.
#[derive(Debug, Clone)]
pub struct CustomerUser(pub CustomerSession);

impl<S> FromRequestParts<S> for CustomerUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|token| !token.is_empty());
        let safe = matches!(parts.method, Method::GET | Method::HEAD);
        let token = bearer
            .or_else(|| if safe { cookie(&parts.headers, CUSTOMER_COOKIE) } else { None })
            .ok_or(AppError::Unauthenticated("sign in to your account: send Authorization: Bearer <token>"))?;
        let session = state
            .app
            .customer_session(token)
            .await?
            .ok_or(AppError::Unauthenticated("the customer session is unknown or expired; sign in again"))?;
        Ok(CustomerUser(session))
    }
}

/// The signed-in customer whose store credit an order spends (issue 17 point 8): the bearer
/// token only (an order is a change, so never the cookie). No token is `None` — the use case
/// then says to sign in; a token that is no live customer session is 401.
pub async fn credit_customer(state: &AppState, headers: &axum::http::HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(token) = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|token| !token.is_empty())
    else {
        return Ok(None);
    };
    let session = state
        .app
        .customer_session(token)
        .await?
        .ok_or(AppError::Unauthenticated("the customer session is unknown or expired; sign in again"))?;
    Ok(Some(session.account_id))
}
