//! Who may call: WooCommerce's REST API key checks, as the docs' "Authentication" section
//! (<https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication>) and
//! `WC_REST_Authentication` describe them.
//!
//! - HTTP Basic (`consumer_key:consumer_secret`), or both in the query string: the HTTPS way.
//! - OAuth 1.0a one-legged, the plain-HTTP way: `oauth_consumer_key`, `oauth_timestamp`,
//!   `oauth_nonce`, `oauth_signature_method` and `oauth_signature` in the query. The string
//!   signed is `METHOD&rawurlencode(home URL + path)&` followed by every other query
//!   parameter, sorted by name, each `rawurlencode(key)=rawurlencode(value)` encoded once more
//!   and joined with `%26`; the key is the consumer secret followed by `&`. The timestamp must
//!   be within 15 minutes and a nonce is accepted once.
//!
//! A refusal is WooCommerce's 401 with its code and message.

#![expect(clippy::result_large_err, reason = "a refusal is the response itself, built once per request")]

use std::collections::BTreeMap;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::state::Shop;
use super::wire::error;

const OAUTH_PARAMETERS: [&str; 5] =
    ["oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method"];
const TIMESTAMP_WINDOW_SECS: i64 = 15 * 60;

/// Whether the request may go on: `Ok(true)` authenticated, `Ok(false)` no credentials at all
/// (the route then refuses as WordPress does for an anonymous caller), `Err` a refusal.
pub fn authenticate(
    shop: &mut Shop,
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
) -> Result<bool, Response> {
    // PHP's $_GET: a repeated name keeps its last value.
    let params: BTreeMap<String, String> = query.iter().cloned().collect();
    if let Some((key, secret)) = basic_credentials(headers) {
        return check_key_and_secret(shop, &key, &secret).map(|()| true);
    }
    if let (Some(key), Some(secret)) = (params.get("consumer_key"), params.get("consumer_secret")) {
        return check_key_and_secret(shop, key, secret).map(|()| true);
    }
    let missing: Vec<&str> =
        OAUTH_PARAMETERS.iter().copied().filter(|name| params.get(*name).is_none_or(String::is_empty)).collect();
    if missing.len() == OAUTH_PARAMETERS.len() {
        return Ok(false);
    }
    if !missing.is_empty() {
        return Err(refuse(
            "woocommerce_rest_authentication_missing_parameter",
            &format!("Missing OAuth parameter {}", missing.join(", ")),
        ));
    }
    check_oauth(shop, method, path, params).map(|()| true)
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (key, secret) = decoded.split_once(':')?;
    Some((key.to_owned(), secret.to_owned()))
}

fn check_key_and_secret(shop: &Shop, key: &str, secret: &str) -> Result<(), Response> {
    if key != shop.consumer_key {
        return Err(refuse("woocommerce_rest_authentication_error", "Consumer key is invalid."));
    }
    if secret != shop.consumer_secret {
        return Err(refuse("woocommerce_rest_authentication_error", "Consumer secret is invalid."));
    }
    Ok(())
}

fn check_oauth(
    shop: &mut Shop,
    method: &str,
    path: &str,
    mut params: BTreeMap<String, String>,
) -> Result<(), Response> {
    if params.get("oauth_consumer_key").map(String::as_str) != Some(shop.consumer_key.as_str()) {
        return Err(refuse("woocommerce_rest_authentication_error", "Consumer key is invalid."));
    }
    // WooCommerce puts back a `+` that the query decoding turned into a space, then decodes.
    let provided = params.remove("oauth_signature").unwrap_or_default().replace(' ', "+");
    let provided = raw_url_decode(&provided);
    let algorithm = params.get("oauth_signature_method").cloned().unwrap_or_default();
    if algorithm != "HMAC-SHA256" {
        return Err(refuse(
            "woocommerce_rest_authentication_error",
            "Invalid signature - signature method is invalid.",
        ));
    }
    let expected = oauth_signature(method, &format!("{}{path}", shop.home_url), &params, &shop.consumer_secret);
    if !constant_time_eq(expected.as_bytes(), provided.as_bytes()) {
        return Err(refuse(
            "woocommerce_rest_authentication_error",
            "Invalid signature - provided signature does not match.",
        ));
    }
    let timestamp: i64 = params.get("oauth_timestamp").and_then(|t| t.parse().ok()).unwrap_or(0);
    #[expect(
        clippy::disallowed_methods,
        reason = "the fake shop keeps a wall clock, as the real one checks timestamps against its own"
    )]
    let now = chrono::Utc::now().timestamp();
    if (timestamp - now).abs() > TIMESTAMP_WINDOW_SECS {
        return Err(refuse("woocommerce_rest_authentication_error", "Invalid timestamp."));
    }
    let nonce = params.get("oauth_nonce").cloned().unwrap_or_default();
    if !shop.used_nonces.insert(nonce) {
        return Err(refuse("woocommerce_rest_authentication_error", "Invalid nonce - nonce has already been used."));
    }
    Ok(())
}

/// The OAuth 1.0a signature WooCommerce expects for `params` (without `oauth_signature`),
/// sorted by name as PHP's `uksort(…, 'strcmp')` does.
pub fn oauth_signature(method: &str, url: &str, params: &BTreeMap<String, String>, secret: &str) -> String {
    let joined: Vec<String> = params
        .iter()
        .map(|(key, value)| raw_url_encode(&format!("{}={}", raw_url_encode(key), raw_url_encode(value))))
        .collect();
    let string_to_sign = format!("{}&{}&{}", method.to_uppercase(), raw_url_encode(url), joined.join("%26"));
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(format!("{secret}&").as_bytes()) else {
        return String::new();
    };
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// PHP's `rawurlencode`: RFC 3986, everything but `A-Z a-z 0-9 - _ . ~` percent-encoded.
pub fn raw_url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// PHP's `rawurldecode` (`+` stays a plus).
fn raw_url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn refuse(code: &str, message: &str) -> Response {
    error(StatusCode::UNAUTHORIZED, code, message)
}

/// The answer to a caller without credentials (`rest_authorization_required_code()`).
pub fn anonymous(method: &str) -> Response {
    if method == "GET" {
        refuse("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
    } else {
        refuse("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")
    }
}
