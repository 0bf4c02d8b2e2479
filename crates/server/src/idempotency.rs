//! `Idempotency-Key` for every POST that moves money or stock, as one middleware.
//!
//! The first request with a key claims it, runs, and stores its answer; the same
//! key with the same request replays that answer; with another request it is 409.
//! A 5xx answer releases the claim so the client may retry. Handlers that write
//! (an order) receive the claim and link it to what they create in the same
//! transaction, so a retry after a crash between the write and storing the answer
//! still gets the order (rebuilt from the store, rendered here as the handler does).
//!
//! Once claimed, the request runs to its end in a task of its own: a client that hangs
//! up (which drops the connection's futures) must not leave a claim no answer will ever
//! complete while its process lives on.
//!
//! What a claim means (new, replayed, placed, in progress, refused) is decided by the use
//! cases in `omnicanal_app::events::idempotency`; this reads the key and the request and answers.

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use omnicanal_app::AppError;
use omnicanal_app::events::{Claimed, IdempotentRequest};
use omnicanal_store::HeldClaim;
use tracing::Instrument;

use crate::auth::{SESSION_COOKIE, cookie};
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::OrderView;
use omnicanal_app::ids::sha256_hex;

/// Largest body read for fingerprinting (the API's body limit).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The claimed key, available to handlers as a request extension (pass it to the use case
/// that links what the request creates to the claim).
pub type IdempotencyClaim = HeldClaim;

/// The middleware; apply it to the routes that move money or stock.
pub async fn idempotency_layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match run(state, request, next).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn run(state: AppState, request: Request, next: Next) -> Result<Response, ApiError> {
    let Some(key) = request.headers().get("idempotency-key") else {
        return Ok(next.run(request).await);
    };
    let key = key
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|key| !key.is_empty() && key.len() <= 255)
        .ok_or_else(|| ApiError::invalid("Idempotency-Key", "must be 1 to 255 visible ASCII characters"))?
        .to_owned();
    // Keys are scoped by credentials: a bearer header, else the console's session cookie.
    let scope = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|value| format!("auth:{}", sha256_hex(value.as_bytes())))
        .or_else(|| {
            cookie(request.headers(), SESSION_COOKIE).map(|token| format!("session:{}", sha256_hex(token.as_bytes())))
        })
        .unwrap_or_else(|| "public".to_owned());
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| ApiError::PayloadTooLarge)?;
    let mut fingerprint = Vec::with_capacity(bytes.len() + 64);
    fingerprint.extend_from_slice(parts.method.as_str().as_bytes());
    fingerprint.push(b' ');
    fingerprint.extend_from_slice(parts.uri.to_string().as_bytes());
    fingerprint.push(b'\n');
    fingerprint.extend_from_slice(&bytes);
    let claim = IdempotentRequest { scope, key, request_hash: sha256_hex(&fingerprint) };
    let held = match state.app.claim_idempotency_key(&claim).await? {
        Claimed::New(held) => held,
        earlier => return replay(earlier),
    };
    let mut request = Request::from_parts(parts, Body::from(bytes));
    request.extensions_mut().insert::<IdempotencyClaim>(held.clone());
    tokio::spawn(answer_and_keep(state, held, request, next).instrument(tracing::Span::current()))
        .await
        .map_err(|error| ApiError::App(AppError::Internal(Box::new(error))))?
}

/// Runs the claimed request and keeps its answer for retries (a 5xx releases the claim).
async fn answer_and_keep(state: AppState, held: HeldClaim, request: Request, next: Next) -> Result<Response, ApiError> {
    let response = next.run(request).await;
    let status = response.status();
    if status.is_server_error() {
        state.app.release_idempotency_key(&held).await?;
        return Ok(response);
    }
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.map_err(|error| AppError::Internal(Box::new(error)))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    state.app.complete_idempotency_key(&held, status.as_u16(), &text).await?;
    parts.headers.remove(header::CONTENT_LENGTH);
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// The answer to a key claimed before: the first answer again, the order it placed, or why
/// there is none.
fn replay(earlier: Claimed) -> Result<Response, ApiError> {
    let mut response = match earlier {
        Claimed::Replay { status, body } => stored_answer(status, body)?,
        // As `routes::orders::create_order` answers a new order.
        Claimed::Placed(order) => (StatusCode::CREATED, Json(OrderView::new(&order, true))).into_response(),
        Claimed::Mismatch => return Err(ApiError::IdempotencyMismatch),
        Claimed::InProgress | Claimed::New(_) => return Err(ApiError::IdempotencyInProgress),
    };
    response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(response)
}

/// A stored first answer, with the content type its status implies.
fn stored_answer(status: u16, body: String) -> Result<Response, ApiError> {
    let status = StatusCode::from_u16(status).map_err(|_| ApiError::IdempotencyInProgress)?;
    let content_type = if status.is_success() { "application/json" } else { "application/problem+json" };
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(response)
}
