//! Requests to the Webservice and what its answers mean: the key as the HTTP Basic user with
//! an empty password (<https://devdocs.prestashop-project.org/8/webservice/tutorials/creating-access/>
//! and the PHP library's `PrestaShopWebservice`), XML bodies, and status codes sorted into
//! [`ShopFailure`]s. A 429 can only come from a proxy in front of the shop (PrestaShop has no
//! rate limit of its own); its `Retry-After` is passed on.

use omnicanal_app::connections::client::{ShopFailure, ShopResult};
use reqwest::{Method, StatusCode, header};

use super::PrestaShopClient;
use super::wire;

/// The longest part of a shop's error message kept on the connection.
const MESSAGE_LIMIT: usize = 300;

impl PrestaShopClient {
    fn url(&self, path: &str) -> String {
        format!("{}/api/{path}", self.base_url.trim_end_matches('/'))
    }

    /// GET `/api/<path>` with these parameters; the answer's XML text.
    pub(super) async fn get(&self, path: &str, query: &[(&str, String)]) -> ShopResult<String> {
        let request = self.http.get(self.url(path)).query(query);
        self.send(request).await
    }

    /// PUT, PATCH or POST an XML body to `/api/<path>`.
    pub(super) async fn write(&self, method: Method, path: &str, body: String) -> ShopResult<String> {
        let request = self
            .http
            .request(method, self.url(path))
            .header(header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .body(body);
        self.send(request).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> ShopResult<String> {
        let response =
            request.basic_auth(&self.api_key, Some("")).send().await.map_err(|error| crate::no_answer(&error))?;
        let status = response.status();
        let retry_after_ms = retry_after_ms(response.headers());
        let body = response.text().await.map_err(|error| crate::no_answer(&error))?;
        if status.is_success() {
            return Ok(body);
        }
        let why = || format!("HTTP {}: {}", status.as_u16(), wire::error_message(&body).unwrap_or_default());
        Err(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ShopFailure::Unauthorized(limited(why())),
            StatusCode::TOO_MANY_REQUESTS => ShopFailure::Throttled { retry_after_ms },
            status if status.is_server_error() => ShopFailure::Unavailable(limited(why())),
            _ => ShopFailure::Refused(limited(why())),
        })
    }
}

/// `Retry-After` in seconds (the HTTP-date form is left to the connection's own backoff).
fn retry_after_ms(headers: &header::HeaderMap) -> Option<i64> {
    let seconds: i64 = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    seconds.checked_mul(1_000)
}

fn limited(text: String) -> String {
    text.chars().take(MESSAGE_LIMIT).collect()
}
