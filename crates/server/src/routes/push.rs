//! Web Push subscriptions from the order page, and the browser pieces that make them:
//! the service worker (`/sw.js`) and the subscribe helper (`/static/push.js`).
//!
//! A customer's browser fetches the server's VAPID public key, subscribes with its push
//! service, and registers the subscription on its order with the order's tracking token. The
//! notification worker then pushes "ready", "rejected and refunded" and the pickup reminder to
//! every subscription of the order.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::{ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use omnicanal_store::{OrderRecord, PushSubscriptionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::FieldError;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::ids::{constant_time_eq, new_id, now_ms, rfc3339};
use crate::notify::Language;
use crate::notify::subscription::{AllowedPushHosts, check_auth, check_endpoint, check_open_path, check_p256dh};
use crate::notify::vapid::{VapidError, VapidKeys};
use crate::routes::orders::TrackingQuery;
use crate::state::AppState;

/// Subscriptions one order may have (a few phones and browsers of one party).
pub const MAX_SUBSCRIPTIONS_PER_ORDER: usize = 10;

/// The service worker: shows pushed notifications and opens the order page on a click.
pub const SERVICE_WORKER_JS: &str = include_str!("../../assets/sw.js");
/// `window.omnicanalPush`: `supported()`, `subscribe(orderId, token, language)`, `unsubscribe`, `notify`.
pub const PUSH_JS: &str = include_str!("../../assets/push.js");

/// The JSON routes, under `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(public_key)).routes(routes!(subscribe, unsubscribe))
}

/// The service worker and the subscribe script, outside `/api/v1`.
pub fn assets_router() -> Router<AppState> {
    Router::new().route("/sw.js", get(service_worker)).route("/static/push.js", get(push_script))
}

/// The server's VAPID public key.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicKeyView {
    /// The uncompressed P-256 point in base64url without padding: pass it, decoded, as
    /// `applicationServerKey` to `pushManager.subscribe`.
    pub public_key: String,
}

/// The key browsers subscribe with (public).
#[utoipa::path(get, path = "/push/public-key", tag = "ordering",
    responses((status = 200, body = PublicKeyView)))]
async fn public_key(State(state): State<AppState>) -> ApiResult<Json<PublicKeyView>> {
    let keys = VapidKeys::load_or_create(&*state.store).await.map_err(|error| match error {
        VapidError::Store(store) => ApiError::from(store),
        corrupt @ VapidError::Corrupt => AppError::Internal(Box::new(corrupt)).into(),
    })?;
    Ok(Json(PublicKeyView { public_key: keys.public_key().to_owned() }))
}

/// The keys of a `PushSubscription`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key (65 bytes, base64url).
    pub p256dh: String,
    /// The browser's auth secret (16 bytes, base64url).
    pub auth: String,
}

/// A browser's `PushSubscription.toJSON()` (other fields, such as `expirationTime`, are
/// ignored), with the language of the texts and the page a click should open.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SubscribeBody {
    /// The push service URL: https, to a host on the server's allow-list
    /// (`OMNICANAL_PUSH_ALLOWED_HOSTS`: by default the browsers' push services); anything else is 422.
    pub endpoint: String,
    /// The subscription's keys.
    pub keys: SubscriptionKeys,
    /// `es` or `en`; by default from `Accept-Language`, else Spanish.
    pub language: Option<String>,
    /// A path on this server to open when the notification is clicked (default `/`).
    pub url: Option<String>,
}

/// A stored subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushSubscriptionView {
    /// Id.
    pub id: String,
    /// The order it follows.
    pub order_id: String,
    /// The push service URL.
    pub endpoint: String,
    /// `es` or `en`.
    pub language: String,
    /// The path a click opens.
    pub url: Option<String>,
    /// When it was first registered (RFC 3339).
    pub created_at: String,
}

impl PushSubscriptionView {
    fn new(row: &PushSubscriptionRow) -> Self {
        Self {
            id: row.id.clone(),
            order_id: row.order_id.clone(),
            endpoint: row.endpoint.clone(),
            language: row.language.clone(),
            url: row.open_path.clone(),
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// Registers a browser's push subscription on an order, for its customer (`?token=`). The same
/// endpoint again refreshes its keys and language.
#[utoipa::path(post, path = "/orders/{id}/push-subscriptions", tag = "ordering", request_body = SubscribeBody,
    params(("id" = String, Path, description = "Order id"), TrackingQuery),
    responses((status = 201, body = PushSubscriptionView),
        (status = 404, description = "No such order, or a wrong token", body = crate::error::Problem),
        (status = 409, description = "The order has as many subscriptions as allowed", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn subscribe(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<TrackingQuery>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SubscribeBody>,
) -> ApiResult<(StatusCode, Json<PushSubscriptionView>)> {
    let order = customer_order(&state, &id, query.token.as_deref()).await?;
    let accept_language = headers.get(ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok());
    let subscription = validated(body, &order.order.id, accept_language, &state.push_allowed_hosts)?;
    let existing = state.store.list_push_subscriptions(&order.order.id).await?;
    let known = existing.iter().any(|row| row.endpoint == subscription.endpoint);
    if !known && existing.len() >= MAX_SUBSCRIPTIONS_PER_ORDER {
        return Err(AppError::Conflict(format!(
            "an order may have at most {MAX_SUBSCRIPTIONS_PER_ORDER} push subscriptions"
        ))
        .into());
    }
    let stored = state.store.upsert_push_subscription(&subscription).await?;
    Ok((StatusCode::CREATED, Json(PushSubscriptionView::new(&stored))))
}

/// Checks every field at once and builds the row to store.
fn validated(
    body: SubscribeBody,
    order_id: &str,
    accept_language: Option<&str>,
    allowed_hosts: &AllowedPushHosts,
) -> ApiResult<PushSubscriptionRow> {
    let mut errors = Vec::new();
    let mut field = |name: &str, result: Result<String, String>| {
        result.unwrap_or_else(|message| {
            errors.push(FieldError { field: name.to_owned(), message });
            String::new()
        })
    };
    let endpoint = field("endpoint", check_endpoint(&body.endpoint, allowed_hosts).map(|url| url.to_string()));
    let p256dh = field("keys.p256dh", check_p256dh(&body.keys.p256dh));
    let auth = field("keys.auth", check_auth(&body.keys.auth));
    let language = match body.language.as_deref() {
        None => Language::from_accept_language(accept_language),
        Some(raw) => Language::parse(raw).unwrap_or_else(|| {
            errors.push(FieldError { field: "language".into(), message: "must be es or en".into() });
            Language::Es
        }),
    };
    let open_path = body.url.as_deref().map(|raw| {
        check_open_path(raw).unwrap_or_else(|message| {
            errors.push(FieldError { field: "url".into(), message });
            String::new()
        })
    });
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    Ok(PushSubscriptionRow {
        id: new_id("psb"),
        order_id: order_id.to_owned(),
        endpoint,
        p256dh,
        auth,
        language: language.as_str().to_owned(),
        open_path,
        created_at_ms: now_ms(),
    })
}

/// `?token=&endpoint=` for removing a subscription.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The order's tracking token.
    pub token: Option<String>,
    /// The subscription's endpoint.
    pub endpoint: Option<String>,
}

/// Removes a browser's subscription from an order, for its customer (`?token=`).
#[utoipa::path(delete, path = "/orders/{id}/push-subscriptions", tag = "ordering",
    params(("id" = String, Path, description = "Order id"), UnsubscribeQuery),
    responses((status = 204, description = "Removed"),
        (status = 404, description = "No such order or subscription, or a wrong token", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn unsubscribe(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<UnsubscribeQuery>,
) -> ApiResult<StatusCode> {
    let order = customer_order(&state, &id, query.token.as_deref()).await?;
    let endpoint =
        query.endpoint.filter(|e| !e.is_empty()).ok_or_else(|| ApiError::invalid("endpoint", "is required"))?;
    // Stored endpoints are normalised by URL parsing; look up the same form.
    let endpoint = reqwest::Url::parse(&endpoint).map(|url| url.to_string()).unwrap_or(endpoint);
    if state.store.delete_push_subscription(&order.order.id, &endpoint).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound("push subscription").into())
    }
}

/// The order, when `token` is its tracking token; 404 otherwise, so ids cannot be probed.
async fn customer_order(state: &AppState, id: &str, token: Option<&str>) -> ApiResult<OrderRecord> {
    let order = state.store.get_order(id).await?.ok_or(AppError::NotFound("order"))?;
    match token {
        Some(token) if constant_time_eq(token, &order.order.tracking_token) => Ok(order),
        _ => Err(AppError::NotFound("order").into()),
    }
}

async fn service_worker() -> Response {
    let mut response = script(SERVICE_WORKER_JS);
    // Served at the root its scope is `/` anyway; the header says so to browsers that ask.
    response.headers_mut().insert(HeaderName::from_static("service-worker-allowed"), HeaderValue::from_static("/"));
    response
}

async fn push_script() -> Response {
    script(PUSH_JS)
}

fn script(body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    // Revalidated on each load, so a fixed worker reaches phones at once.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
