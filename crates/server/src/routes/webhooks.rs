//! Webhook endpoints and their delivery logs.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_domain::events::EventType;
use omnicanal_store::WebhookRow;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, Role};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::ids::{new_id, now_ms};
use crate::state::AppState;
use crate::views::{DeliveryView, WebhookView};
use omnicanal_app::AppError;
use omnicanal_app::signing::{new_secret, secret_key};
use omnicanal_app::validation::Validator;

/// The event types a webhook may subscribe to, comma-separated (every [`EventType`]).
fn event_type_list() -> String {
    EventType::ALL.iter().map(|event_type| event_type.as_str()).collect::<Vec<_>>().join(", ")
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_webhook, list_webhooks))
        .routes(routes!(update_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(redeliver))
}

/// A new webhook endpoint.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateWebhook {
    /// http(s) URL that receives the POSTs.
    pub url: String,
    /// Event types to deliver: order.created, fulfillment.status_changed, payment.captured,
    /// payment.refunded, payment.needs_attention, stock.changed, price.changed.
    pub events: Vec<String>,
    /// `whsec_<base64>` secret; generated when absent.
    pub secret: Option<String>,
}

/// Registers a webhook (admin: every merchant's events; manager: its merchant's).
#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = CreateWebhook, security(("bearer" = [])),
    responses((status = 201, body = WebhookView), (status = 422, body = crate::error::Problem)))]
async fn create_webhook(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateWebhook>,
) -> ApiResult<(StatusCode, Json<WebhookView>)> {
    user.require(&[Role::Admin, Role::MerchantManager])?;
    let mut v = Validator::new();
    match reqwest::Url::parse(&request.url) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
        _ => v.push("url", "must be an absolute http(s) URL"),
    }
    if request.events.is_empty() || request.events.len() > EventType::ALL.len() {
        v.push("events", format!("list one or more of {}", event_type_list()));
    }
    for (index, event) in request.events.iter().enumerate() {
        if EventType::parse(event).is_err() {
            v.push(format!("events[{index}]"), format!("unknown event type; use {}", event_type_list()));
        }
    }
    if let Some(secret) = &request.secret
        && secret_key(secret).is_none()
    {
        v.push("secret", "must be whsec_ followed by 16 to 64 bytes in base64");
    }
    v.finish()?;
    let mut events = request.events;
    events.dedup();
    let row = WebhookRow {
        id: new_id("whk"),
        merchant_id: if user.role == Role::Admin { None } else { user.merchant_id.clone() },
        url: request.url,
        events: events.iter().map(|event| EventType::parse(event)).collect::<Result<_, _>>()?,
        secret: request.secret.unwrap_or_else(new_secret),
        enabled: true,
        created_at_ms: now_ms(),
        consecutive_failures: 0,
        disabled_reason: None,
    };
    state.store.insert_webhook(&row).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Webhooks visible to the caller (admins: all; managers: their merchant's).
#[utoipa::path(get, path = "/webhooks", tag = "webhooks", security(("bearer" = [])), params(Pagination),
    responses((status = 200, body = Vec<WebhookView>)))]
async fn list_webhooks(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(pagination): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<WebhookView>>> {
    user.require(&[Role::Admin, Role::MerchantManager, Role::SupportAgent])?;
    let merchant = if user.is_platform() { None } else { user.merchant_id.as_deref() };
    if !user.is_platform() && merchant.is_none() {
        return Ok(Json(Vec::new()));
    }
    let webhooks = state.store.list_webhooks(merchant, pagination.page()?).await?;
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
    user.require(&[Role::Admin, Role::MerchantManager])?;
    visible_webhook(&state, &user, &id).await?;
    state.store.set_webhook_enabled(&id, request.enabled).await?;
    let webhook = state.store.get_webhook(&id).await?.ok_or(AppError::NotFound("webhook"))?;
    Ok(Json(webhook.into()))
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
    user.require(&[Role::Admin, Role::MerchantManager])?;
    visible_webhook(&state, &user, &id).await?;
    let delivery = state.store.get_delivery(&delivery_id).await?.filter(|d| d.webhook_id == id);
    delivery.ok_or(AppError::NotFound("delivery"))?;
    state.store.redeliver(&delivery_id, now_ms()).await?;
    let delivery = state.store.get_delivery(&delivery_id).await?.ok_or(AppError::NotFound("delivery"))?;
    Ok((StatusCode::ACCEPTED, Json(delivery.into())))
}

/// The webhook if the caller may see it, else 404.
async fn visible_webhook(state: &AppState, user: &AuthUser, id: &str) -> ApiResult<WebhookRow> {
    let webhook = state.store.get_webhook(id).await?.ok_or(AppError::NotFound("webhook"))?;
    if !user.is_platform() && webhook.merchant_id != user.merchant_id {
        return Err(AppError::NotFound("webhook").into());
    }
    Ok(webhook)
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
    user.require(&[Role::Admin, Role::MerchantManager, Role::SupportAgent])?;
    visible_webhook(&state, &user, &id).await?;
    let deliveries = state.store.list_deliveries(&id, pagination.page()?).await?;
    Ok(Json(deliveries.into_iter().map(DeliveryView::from).collect()))
}
