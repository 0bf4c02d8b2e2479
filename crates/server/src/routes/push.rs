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
use omnicanal_store::PushSubscriptionRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::notifications::{NewPushSubscription, PushSubscriptionInput};

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::notify::subscription::AllowedPushHosts;
use crate::notify::vapid::{VapidKeys, new_private_key};
use crate::routes::orders::TrackingQuery;
use crate::state::AppState;
use omnicanal_app::ids::rfc3339;

/// Subscriptions one order may have (a few phones and browsers of one party).
pub const MAX_SUBSCRIPTIONS_PER_ORDER: usize = omnicanal_app::notifications::subscriptions::MAX_SUBSCRIPTIONS_PER_ORDER;

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
    let stored = state.app.vapid_private_key(new_private_key).await?;
    let keys = VapidKeys::from_stored(&stored).map_err(|corrupt| AppError::Internal(Box::new(corrupt)))?;
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
    let accept_language = headers.get(ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok());
    let subscription = parse_subscription(&body, accept_language, &state.push_allowed_hosts)?;
    let stored = state.app.subscribe_push(&id, query.token.as_deref(), subscription).await?;
    Ok((StatusCode::CREATED, Json(PushSubscriptionView::new(&stored))))
}

/// Parses a subscription with the server's push rules (the allow-list, keys it can encrypt for).
fn parse_subscription(
    body: &SubscribeBody,
    accept_language: Option<&str>,
    allowed_hosts: &AllowedPushHosts,
) -> Result<NewPushSubscription, AppError> {
    let input = PushSubscriptionInput {
        endpoint: &body.endpoint,
        p256dh: &body.keys.p256dh,
        auth: &body.keys.auth,
        language: body.language.as_deref(),
        accept_language,
        open_path: body.url.as_deref(),
    };
    NewPushSubscription::parse(input, allowed_hosts)
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
    state.app.unsubscribe_push(&id, query.token.as_deref(), query.endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
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
