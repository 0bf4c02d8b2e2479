//! One GraphQL call to the Admin API and what its answer means: the HTTP status, the
//! top-level `errors`, and Shopify's calculated-cost throttling.
//!
//! - Auth: the `X-Shopify-Access-Token` header on `POST /admin/api/<version>/graphql.json`
//!   (<https://shopify.dev/docs/api/admin-graphql#authentication>); a refused token is a 401.
//! - Throttling (<https://shopify.dev/docs/api/usage/limits>): a query whose requested cost is
//!   more than the bucket holds is answered 200 with `errors[].extensions.code == "THROTTLED"`
//!   and `extensions.cost.throttleStatus`; the bucket refills at `restoreRate` points a second,
//!   so the wait is (requested − currentlyAvailable) / restoreRate. A short wait is slept here
//!   (the trait asks clients to honour a short budget themselves); a longer one is handed back
//!   as [`ShopFailure::Throttled`] for the connection's scheduler.

use std::time::Duration;

use omnicanal_app::connections::client::{ShopFailure, ShopResult};
use serde_json::{Value, json};

/// The longest throttle wait slept inside a call; longer ones go back to the scheduler.
const MAX_INLINE_WAIT_MS: i64 = 2_000;
/// How many throttled answers one call waits out before handing the wait back.
const MAX_INLINE_WAITS: usize = 3;
/// The most of an unreadable body quoted in a failure.
const QUOTE_CHARS: usize = 200;

/// Where and how to call one shop's Admin API.
pub(super) struct Transport {
    pub http: reqwest::Client,
    pub endpoint: String,
    pub access_token: String,
}

impl Transport {
    /// Runs `query` with `variables` and returns its `data`, waiting out short throttles.
    pub async fn call(&self, query: &str, variables: Value) -> ShopResult<Value> {
        let body = json!({ "query": query, "variables": variables });
        let mut waits = 0;
        loop {
            match self.call_once(&body).await {
                Err(ShopFailure::Throttled { retry_after_ms: Some(wait_ms) })
                    if wait_ms <= MAX_INLINE_WAIT_MS && waits < MAX_INLINE_WAITS =>
                {
                    waits += 1;
                    tokio::time::sleep(Duration::from_millis(wait_ms.unsigned_abs())).await;
                }
                other => return other,
            }
        }
    }

    async fn call_once(&self, body: &Value) -> ShopResult<Value> {
        let response = self
            .http
            .post(&self.endpoint)
            .header("X-Shopify-Access-Token", &self.access_token)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(body)
            .send()
            .await
            .map_err(|error| crate::no_answer(&error))?;
        let status = response.status();
        let retry_after_ms = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<f64>().ok())
            .map(|seconds| (seconds * 1000.0).ceil() as i64);
        let bytes = response.bytes().await.map_err(|error| crate::no_answer(&error))?;
        let parsed: Option<Value> = serde_json::from_slice(&bytes).ok();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(ShopFailure::Unauthorized(describe_errors(parsed.as_ref(), status)));
        }
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(ShopFailure::Throttled { retry_after_ms });
        }
        if status.is_server_error() {
            return Err(ShopFailure::Unavailable(format!("HTTP {}", status.as_u16())));
        }
        if !status.is_success() {
            return Err(ShopFailure::Refused(describe_errors(parsed.as_ref(), status)));
        }
        let Some(answer) = parsed.filter(Value::is_object) else {
            return Err(ShopFailure::Garbage(format!("not a GraphQL answer: {}", quote(&bytes))));
        };
        read_answer(answer)
    }
}

/// The `data` of a 200 answer, or what its top-level `errors` mean.
fn read_answer(mut answer: Value) -> ShopResult<Value> {
    let errors = answer["errors"].as_array().cloned().unwrap_or_default();
    let code_of = |error: &Value| error["extensions"]["code"].as_str().unwrap_or_default().to_string();
    if errors.iter().any(|error| code_of(error) == "THROTTLED") {
        return Err(ShopFailure::Throttled { retry_after_ms: throttle_wait_ms(&answer["extensions"]["cost"]) });
    }
    if !errors.is_empty() {
        let messages: Vec<&str> = errors.iter().filter_map(|error| error["message"].as_str()).collect();
        let messages = messages.join("; ");
        if errors.iter().any(|error| code_of(error) == "ACCESS_DENIED") {
            return Err(ShopFailure::Unauthorized(messages));
        }
        return Err(ShopFailure::Refused(messages));
    }
    match answer.get_mut("data").map(Value::take) {
        Some(data @ Value::Object(_)) => Ok(data),
        _ => Err(ShopFailure::Garbage("a GraphQL answer without data nor errors".into())),
    }
}

/// (requested − currentlyAvailable) / restoreRate, in milliseconds; none when the answer does
/// not carry what it takes to compute it.
fn throttle_wait_ms(cost: &Value) -> Option<i64> {
    let requested = cost["requestedQueryCost"].as_f64()?;
    let status = &cost["throttleStatus"];
    let available = status["currentlyAvailable"].as_f64()?;
    let restore_rate = status["restoreRate"].as_f64().filter(|rate| *rate > 0.0)?;
    let missing = (requested - available).max(0.0);
    Some(((missing / restore_rate) * 1000.0).ceil().max(1.0) as i64)
}

/// A non-GraphQL error answer's `errors` (a string, an object or a list), or its status.
fn describe_errors(body: Option<&Value>, status: reqwest::StatusCode) -> String {
    match body.map(|body| &body["errors"]) {
        Some(Value::String(message)) => message.clone(),
        Some(errors @ (Value::Object(_) | Value::Array(_))) => format!("HTTP {}: {errors}", status.as_u16()),
        _ => format!("HTTP {}", status.as_u16()),
    }
}

fn quote(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).chars().take(QUOTE_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_the_missing_points_over_the_restore_rate() {
        let cost = json!({ "requestedQueryCost": 752, "actualQueryCost": null,
            "throttleStatus": { "maximumAvailable": 1000.0, "currentlyAvailable": 666, "restoreRate": 50.0 } });
        assert_eq!(throttle_wait_ms(&cost), Some(1720));
        assert_eq!(throttle_wait_ms(&json!({})), None);
    }

    #[test]
    fn top_level_errors_are_sorted_by_what_to_do_next() {
        let throttled = json!({ "errors": [{ "message": "Throttled", "extensions": { "code": "THROTTLED" } }],
            "extensions": { "cost": { "requestedQueryCost": 10, "actualQueryCost": null,
                "throttleStatus": { "maximumAvailable": 2000.0, "currentlyAvailable": 0, "restoreRate": 100.0 } } } });
        assert_eq!(read_answer(throttled), Err(ShopFailure::Throttled { retry_after_ms: Some(100) }));
        let denied = json!({ "errors": [{ "message": "Access denied for orders field.", "extensions": { "code": "ACCESS_DENIED" } }] });
        assert!(matches!(read_answer(denied), Err(ShopFailure::Unauthorized(_))));
        let too_costly = json!({ "errors": [{ "message": "Query cost is 1252, which exceeds the single query max cost limit (1000).",
            "extensions": { "code": "MAX_COST_EXCEEDED" } }] });
        assert!(matches!(read_answer(too_costly), Err(ShopFailure::Refused(why)) if why.contains("1252")));
        assert!(matches!(read_answer(json!({ "data": null })), Err(ShopFailure::Garbage(_))));
        assert_eq!(read_answer(json!({ "data": { "shop": {} } })), Ok(json!({ "shop": {} })));
    }
}
