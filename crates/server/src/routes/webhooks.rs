//! Webhook endpoints and their delivery logs (the use cases are
//! `omnicanal_app::webhooks::endpoints`). The signing secret is in the answers to creating an
//! endpoint and rotating its secret, and nowhere else.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::state::AppState;
use crate::views::{DeliveryView, WebhookView, WebhookWithSecretView};
use omnicanal_app::AppError;
use omnicanal_app::webhooks::NewWebhook;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_webhook, list_webhooks))
        .routes(routes!(update_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(redeliver))
        .routes(routes!(rotate_secret))
}

/// A new webhook endpoint.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateWebhook {
    /// http(s) URL that receives the POSTs.
    pub url: String,
    /// Event types to deliver: order.created, fulfillment.status_changed, payment.captured,
    /// payment.refunded, payment.needs_attention, stock.changed, price.changed.
    #[schema(schema_with = crate::views::words::event_types)]
    pub events: Vec<String>,
    /// `whsec_<base64>` secret; generated when absent.
    pub secret: Option<String>,
}

impl TryFrom<CreateWebhook> for NewWebhook {
    type Error = AppError;

    fn try_from(request: CreateWebhook) -> Result<Self, AppError> {
        NewWebhook::parse(request.url, &request.events, request.secret)
    }
}

/// Registers a webhook (admin: every merchant's events; manager: its merchant's). The answer
/// is the only one that shows the signing secret.
///
/// The URL must be https to a public host: plain http, or a host that is or resolves to a
/// loopback, private, link-local or unspecified address, is 422 on `url` — unless
/// `OMNICANAL_OUTBOUND_ALLOWED_HOSTS` names the host. Deliveries check the address again at each
/// attempt and never follow redirects.
#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = CreateWebhook, security(("bearer" = [])),
    responses((status = 201, body = WebhookWithSecretView), (status = 422, body = crate::error::Problem)))]
async fn create_webhook(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateWebhook>,
) -> ApiResult<(StatusCode, Json<WebhookWithSecretView>)> {
    let webhook = NewWebhook::try_from(request)?;
    let row = state.app.create_webhook(&user, webhook).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Webhooks visible to the caller (admins and support agents: all; managers: their
/// merchant's), without their signing secrets.
#[utoipa::path(get, path = "/webhooks", tag = "webhooks", security(("bearer" = [])), params(Pagination),
    responses((status = 200, body = Vec<WebhookView>)))]
async fn list_webhooks(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(pagination): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<WebhookView>>> {
    let webhooks = state.app.list_webhooks(&user, pagination.page()?).await?;
    Ok(Json(webhooks.into_iter().map(WebhookView::from).collect()))
}

/// Changes to a webhook.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateWebhook {
    /// Turn deliveries on (which also clears an automatic disabling) or off.
    pub enabled: bool,
}

/// Enables or disables a webhook. Pending deliveries wait while it is disabled.
#[utoipa::path(patch, path = "/webhooks/{id}", tag = "webhooks", security(("bearer" = [])), request_body = UpdateWebhook,
    params(("id" = String, Path, description = "Webhook id")),
    responses((status = 200, body = WebhookView), (status = 404, body = crate::error::Problem)))]
async fn update_webhook(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateWebhook>,
) -> ApiResult<Json<WebhookView>> {
    Ok(Json(state.app.set_webhook_enabled(&user, &id, request.enabled).await?.into()))
}

/// Queues a delivery again for an attempt now (for example after fixing the receiver).
#[utoipa::path(post, path = "/webhooks/{id}/deliveries/{delivery_id}/redeliver", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Webhook id"), ("delivery_id" = String, Path, description = "Delivery id")),
    responses((status = 202, body = DeliveryView), (status = 404, body = crate::error::Problem)))]
async fn redeliver(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, delivery_id)): Path<(String, String)>,
) -> ApiResult<(StatusCode, Json<DeliveryView>)> {
    let delivery = state.app.redeliver_webhook_delivery(&user, &id, &delivery_id).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery.into())))
}

/// A secret rotation: the new secret, or none to have one generated.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RotateSecret {
    /// `whsec_<base64>` secret; generated when absent.
    pub secret: Option<String>,
}

/// Replaces a webhook's signing secret (its merchant's manager or an admin). The answer is the
/// only one that shows the new secret; every delivery signed from now on uses it, retries of
/// earlier events included. The body may be empty.
#[utoipa::path(post, path = "/webhooks/{id}/rotate-secret", tag = "webhooks", security(("bearer" = [])),
    request_body(content = Option<RotateSecret>, description = "Optional: the new secret"),
    params(("id" = String, Path, description = "Webhook id")),
    responses((status = 200, body = WebhookWithSecretView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn rotate_secret(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<WebhookWithSecretView>> {
    // An empty body or JSON `null` asks for a generated secret, as the schema says.
    let request: Option<RotateSecret> = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice(&body)
            .map_err(|_| ApiError::invalid("secret", "send nothing, {} or {\"secret\": \"whsec_…\"}"))?
    };
    let secret = request.and_then(|request| request.secret);
    let row = state.app.rotate_webhook_secret(&user, &id, secret).await?;
    Ok(Json(row.into()))
}

/// The delivery log of a webhook, newest first.
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Webhook id"), Pagination),
    responses((status = 200, body = Vec<DeliveryView>), (status = 404, body = crate::error::Problem)))]
async fn list_deliveries(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(pagination): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<DeliveryView>>> {
    let deliveries = state.app.list_webhook_deliveries(&user, &id, pagination.page()?).await?;
    Ok(Json(deliveries.into_iter().map(DeliveryView::from).collect()))
}
