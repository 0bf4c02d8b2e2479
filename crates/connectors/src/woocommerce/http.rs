//! One call to the REST API: the URL under `<site>/wp-json/wc/v3/`, the key (HTTP Basic over
//! HTTPS, OAuth 1.0a query signing over plain HTTP, as the docs' "Authentication" section
//! says), and the answer sorted into a [`ShopFailure`] by what the connection does next.
//!
//! Errors are WordPress's `{"code","message","data":{"status"}}`; their code and message are
//! kept in the failure. A 429 carries `Retry-After` seconds (WooCommerce's Store API rate
//! limiting documents it; hosts and security plugins in front of the REST API answer the
//! same): a short wait is waited out here, at most twice, a longer one is the caller's.

use std::time::Duration;

use omnicanal_app::connections::client::{ShopFailure, ShopResult};
use reqwest::Method;
use serde_json::Value;

use super::{WooCommerceClient, oauth};

/// The longest `Retry-After` waited out inside a call.
const SHORT_WAIT_MS: i64 = 2_000;
/// How many short waits one call may take before it reports the throttling.
const MAX_SHORT_WAITS: u32 = 2;
/// What an error message from the shop may add to a failure (its body is the shop's).
const MESSAGE_LIMIT: usize = 300;

/// A successful answer: its JSON and WordPress's pagination headers.
pub(super) struct Answer {
    pub body: Value,
    /// `X-WP-Total`.
    pub total: Option<u64>,
    /// `X-WP-TotalPages`.
    pub total_pages: Option<u64>,
}

impl WooCommerceClient {
    /// `method` on `path` (below `/wp-json/wc/v3/`) with `query` and an optional JSON body.
    pub(super) async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> ShopResult<Answer> {
        let mut waits = 0;
        loop {
            match self.call_once(method.clone(), path, query, body).await {
                Err(ShopFailure::Throttled { retry_after_ms: Some(wait_ms) })
                    if wait_ms <= SHORT_WAIT_MS && waits < MAX_SHORT_WAITS =>
                {
                    waits += 1;
                    tokio::time::sleep(Duration::from_millis(u64::try_from(wait_ms).unwrap_or(0))).await;
                }
                other => return other,
            }
        }
    }

    async fn call_once(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> ShopResult<Answer> {
        let url = format!("{}/wp-json/wc/v3/{path}", self.access.base_url.trim_end_matches('/'));
        let key = self.access.credentials.get("consumer_key");
        let secret = self.access.credentials.get("consumer_secret");
        let mut request = if url.starts_with("https://") {
            let plain: Vec<String> =
                query.iter().map(|(k, v)| format!("{}={}", oauth::encode(k), oauth::encode(v))).collect();
            let target = if plain.is_empty() { url } else { format!("{url}?{}", plain.join("&")) };
            self.http.request(method, target).basic_auth(key, Some(secret))
        } else {
            // The shop refuses a timestamp 15 minutes off its own clock: this is the wall clock
            // on purpose, not the app's (which a test may have moved).
            #[expect(clippy::disallowed_methods, reason = "OAuth timestamps are checked against the shop's wall clock")]
            let now = chrono::Utc::now().timestamp();
            let signed = oauth::signed_query(method.as_str(), &url, query, key, secret, now);
            self.http.request(method, format!("{url}?{signed}"))
        };
        request = request.header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|error| crate::no_answer(&error))?;
        let status = response.status();
        let header_number = |name: &str| -> Option<u64> {
            response.headers().get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok())
        };
        let (total, total_pages, retry_after_secs) =
            (header_number("X-WP-Total"), header_number("X-WP-TotalPages"), header_number("Retry-After"));
        if status.is_redirection() {
            // WordPress sends plain HTTP to HTTPS (or `www.`) with a 301; the outbound client
            // follows no redirect, so the registered address is the one to fix.
            let location: Option<String> = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(MESSAGE_LIMIT).collect());
            return Err(ShopFailure::Refused(format!(
                "HTTP {}: the shop redirects to {}; register its address as it answers",
                status.as_u16(),
                location.as_deref().unwrap_or("another address")
            )));
        }
        let bytes = response.bytes().await.map_err(|error| crate::no_answer(&error))?;
        if status.is_success() {
            let body = serde_json::from_slice(&bytes).map_err(|error| {
                ShopFailure::Garbage(format!("HTTP {status} with a body that is not JSON: {error}"))
            })?;
            return Ok(Answer { body, total, total_pages });
        }
        Err(failure(status, retry_after_secs, &bytes))
    }
}

/// What a refused or failed call means for the connection.
fn failure(status: reqwest::StatusCode, retry_after_secs: Option<u64>, body: &[u8]) -> ShopFailure {
    let said = describe_error(status, body);
    match status.as_u16() {
        401 | 403 => ShopFailure::Unauthorized(said),
        429 => ShopFailure::Throttled {
            retry_after_ms: retry_after_secs.and_then(|secs| i64::try_from(secs).ok()).map(|secs| secs * 1000),
        },
        500..=599 => ShopFailure::Unavailable(said),
        _ => ShopFailure::Refused(said),
    }
}

/// `HTTP 401 woocommerce_rest_authentication_error: Consumer key is invalid.`, from WordPress's
/// error body when there is one.
fn describe_error(status: reqwest::StatusCode, body: &[u8]) -> String {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| parsed.as_ref().and_then(|v| v.get(name)).and_then(Value::as_str).unwrap_or_default();
    let (code, message) = (field("code"), field("message"));
    let mut said = format!("HTTP {}", status.as_u16());
    if !code.is_empty() {
        said.push(' ');
        said.push_str(code);
    }
    if !message.is_empty() {
        said.push_str(": ");
        said.extend(message.chars().take(MESSAGE_LIMIT));
    }
    said
}
