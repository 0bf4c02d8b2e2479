//! Extractors whose rejections speak our problem+json, and shared query types.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, StatusCode};
use omnicanal_domain::catalog::MAX_PAGE_SIZE;
use omnicanal_store::Page;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::error::ApiError;

/// A JSON body; malformed JSON is 400, wrong types or missing fields 422, oversize 413.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(error) => ApiError::invalid("body", error.body_text()),
        JsonRejection::JsonSyntaxError(error) => ApiError::MalformedJson(error.body_text()),
        JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType("application/json"),
        JsonRejection::BytesRejection(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge
        }
        other => ApiError::MalformedJson(other.body_text()),
    }
}

/// Query parameters, with rejections as 422 problems.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> ApiError {
    ApiError::invalid("query", rejection.body_text())
}

/// The deepest a list may be paged with `offset`: past it, narrow the list with its filters.
pub const MAX_OFFSET: i64 = 100_000_000;

/// `?limit=&offset=` on every list; `limit` defaults to 100 and may not exceed 500.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Pagination {
    /// Items per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip (default 0), at most 100,000,000.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

impl Pagination {
    /// Validates the paging parameters.
    pub fn page(self) -> Result<Page, ApiError> {
        let limit = self.limit.unwrap_or(100);
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(ApiError::invalid("limit", format!("must be between 1 and {MAX_PAGE_SIZE}")));
        }
        let offset = self.offset.unwrap_or(0);
        if !(0..=MAX_OFFSET).contains(&offset) {
            return Err(ApiError::invalid("offset", format!("must be between 0 and {MAX_OFFSET}")));
        }
        Ok(Page { limit, offset })
    }

    /// The page, or `None` with its bad parameters added to `errors`: for a handler that
    /// answers every bad query parameter at once, the paging's with its own.
    pub fn page_or_collect(self, errors: &mut Vec<omnicanal_app::FieldError>) -> Option<Page> {
        match self.page() {
            Ok(page) => Some(page),
            Err(ApiError::App(omnicanal_app::AppError::Invalid(fields))) => {
                errors.extend(fields);
                None
            }
            Err(_) => None,
        }
    }
}

/// The client's address: the TCP peer, when the server was started with connect info
/// ([`crate::start`] does) — or, when `OMNICANAL_TRUSTED_PROXY_HEADER` names a header, the
/// right-most address in it: the one the trusted proxy added (entries to its left came from the
/// client and prove nothing). Without that setting `X-Forwarded-For` and the like are ignored:
/// any client can set them. A request without the header (one that did not come through the
/// proxy) is judged by its peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<crate::state::AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &crate::state::AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
        let forwarded = state.trusted_proxy_header.as_deref().and_then(|name| proxied_client(&parts.headers, name));
        Ok(ClientIp(forwarded.or(peer)))
    }
}

/// The right-most address in the header `name` (over all its lines): a bare IPv4 or IPv6
/// address, `IPv4:port`, `[IPv6]:port`, or for `Forwarded` (RFC 7239) the last element's `for=`.
pub fn proxied_client(headers: &HeaderMap, name: &HeaderName) -> Option<IpAddr> {
    let last_line = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    let entry = last_line.rsplit(',').next()?.trim();
    let entry = if name.as_str() == "forwarded" {
        let pair =
            entry.split(';').map(str::trim).find(|pair| pair.len() > 4 && pair[..4].eq_ignore_ascii_case("for="))?;
        pair[4..].trim_matches('"')
    } else {
        entry
    };
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(with_port) = entry.parse::<SocketAddr>() {
        return Some(with_port.ip());
    }
    entry.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')).and_then(|v6| v6.parse().ok())
}

#[cfg(test)]
mod client_ip_tests {
    use super::*;

    fn headers(name: &'static str, lines: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(name, axum::http::HeaderValue::from_static(line));
        }
        headers
    }

    #[test]
    fn the_right_most_entry_added_by_the_proxy_is_the_client() {
        let xff = HeaderName::from_static("x-forwarded-for");
        let ip = |text: &str| text.parse::<IpAddr>().ok();
        let spoofed = headers("x-forwarded-for", &["1.2.3.4, 203.0.113.9"]);
        assert_eq!(proxied_client(&spoofed, &xff), ip("203.0.113.9"), "the client's own entry is ignored");
        let two_lines = headers("x-forwarded-for", &["1.2.3.4", "198.51.100.2:4711"]);
        assert_eq!(proxied_client(&two_lines, &xff), ip("198.51.100.2"));
        let v6 = headers("x-forwarded-for", &["[2001:db8::1]:443"]);
        assert_eq!(proxied_client(&v6, &xff), ip("2001:db8::1"));
        assert_eq!(proxied_client(&headers("x-forwarded-for", &["unknown"]), &xff), None);
        assert_eq!(proxied_client(&HeaderMap::new(), &xff), None);
        let forwarded = HeaderName::from_static("forwarded");
        let rfc = headers("forwarded", &["for=1.2.3.4, for=\"[2001:db8::7]:80\";proto=https"]);
        assert_eq!(proxied_client(&rfc, &forwarded), ip("2001:db8::7"));
    }
}
