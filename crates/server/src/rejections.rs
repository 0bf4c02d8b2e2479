//! One layer that turns the framework's own refusals into problem documents.
//!
//! Our extractors ([`crate::extract`]) and handlers already answer with [`ApiError`]; what is left
//! are the refusals axum makes before or around a handler, in `text/plain`: a body over the limit
//! read as `String`, `Bytes` or `Form` (413 "Failed to buffer the request body", the CSV imports
//! among them), a path segment that is not UTF-8 (400), a `Form` or `Query` that does not parse
//! (page routes), a method the route lacks. Rather than wrap every extractor, this layer looks at
//! each error response on its way out and, when it is not a problem document already, rewrites it
//! as one with the same status and headers (`Allow` on a 405 stays) and the framework's text as
//! `detail`.
//!
//! Where: every response under `/api` that is an error and not `application/problem+json` is
//! rewritten, whatever its type. Outside `/api` only the framework's `text/plain` refusals are:
//! the pages' own error pages are HTML for the browser and stay so.

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// How much of a refusal's text is read for `detail`: axum's are one line.
const MAX_DETAIL_BYTES: usize = 2 * 1024;

/// The layer: see the module documentation.
pub async fn problems_for_rejections(request: Request, next: Next) -> Response {
    let under_api = request.uri().path().starts_with("/api/") || request.uri().path() == "/api";
    let response = next.run(request).await;
    if !needs_rewriting(&response, under_api) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = to_bytes(body, MAX_DETAIL_BYTES).await.unwrap_or_default();
    let detail = String::from_utf8_lossy(&text).trim().to_owned();
    let mut problem = ApiError::from_rejection(parts.status, detail).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    problem
}

fn needs_rewriting(response: &Response, under_api: bool) -> bool {
    if !(response.status().is_client_error() || response.status().is_server_error()) {
        return false;
    }
    let content_type = response.headers().get(header::CONTENT_TYPE).map(HeaderValue::as_bytes).unwrap_or_default();
    if content_type.starts_with(b"application/problem+json") {
        return false;
    }
    // Outside /api only what the framework itself writes (a page's own error stays its own).
    let framework_status = matches!(response.status().as_u16(), 400 | 405 | 413 | 415);
    under_api || (framework_status && (content_type.is_empty() || content_type.starts_with(b"text/plain")))
}
