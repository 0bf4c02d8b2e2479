//! The desk's on-call rota and its agents' push subscriptions over HTTP (issue 18 point 3).
//!
//! Agents and admins read the rota; an admin sets any agent's shifts, an agent only their own,
//! and any agent may "take the watch now" for 1 to 24 hours. A signed-in agent's browser
//! registers its `PushSubscription` (the endpoint checked against
//! `OMNICANAL_PUSH_ALLOWED_HOSTS`, as for orders) to receive breaches and incidents by Web
//! Push while on call — or, when nobody is on call, always. Store staff are refused (403). The
//! use cases are `omnicanal_app::support::on_call`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::{HeaderMap, StatusCode};
use omnicanal_app::ids::{parse_time, rfc3339};
use omnicanal_app::notifications::{NewPushSubscription, PushSubscriptionInput};
use omnicanal_app::support::on_call::{NewShift, OnCallRota};
use omnicanal_app::validation::Validator;
use omnicanal_store::{OnCallShiftRow, SupportPushSubscriptionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::push::SubscriptionKeys;
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rota, add_shift))
        .routes(routes!(take_watch))
        .routes(routes!(delete_shift))
        .routes(routes!(list_subscriptions, subscribe, unsubscribe))
}

/// One shift of the rota.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftView {
    /// Opaque id.
    pub id: String,
    /// The agent on call.
    pub user_id: String,
    /// The agent's e-mail.
    pub user_email: String,
    /// Start (RFC 3339).
    pub starts_at: String,
    /// End (RFC 3339, excluded).
    pub ends_at: String,
    /// Who set it.
    pub created_by: String,
}

impl From<OnCallShiftRow> for ShiftView {
    fn from(row: OnCallShiftRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            user_email: row.user_email,
            starts_at: rfc3339(row.starts_at_ms),
            ends_at: rfc3339(row.ends_at_ms),
            created_by: row.created_by,
        }
    }
}

/// The rota: who is on call now, and the shifts not yet over.
#[derive(Debug, Serialize, ToSchema)]
pub struct RotaView {
    /// The agents on call now (user ids). Empty: alerts go to every agent with a subscription.
    pub on_call_now: Vec<String>,
    /// Shifts ending after now, by start.
    pub shifts: Vec<ShiftView>,
}

impl From<OnCallRota> for RotaView {
    fn from(rota: OnCallRota) -> Self {
        Self { on_call_now: rota.on_call_now, shifts: rota.shifts.into_iter().map(Into::into).collect() }
    }
}

/// A new shift.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewShiftRequest {
    /// The agent on call: an active support agent or admin (an agent may name only themself).
    #[schema(min_length = 1, max_length = 64)]
    pub user_id: String,
    /// Start (RFC 3339).
    #[schema(min_length = 1, max_length = 64)]
    pub starts_at: String,
    /// End (RFC 3339), after the start and at most 31 days later.
    #[schema(min_length = 1, max_length = 64)]
    pub ends_at: String,
}

/// Taking the watch now.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TakeWatchRequest {
    /// For how many hours, 1 to 24.
    #[schema(minimum = 1, maximum = 24)]
    pub hours: u32,
}

/// Who is on call now and the coming shifts (agents and admins).
#[utoipa::path(get, path = "/support/on-call", tag = "support", security(("bearer" = [])),
    responses((status = 200, body = RotaView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem)))]
async fn rota(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<RotaView>> {
    Ok(Json(state.app.on_call_rota(&user).await?.into()))
}

/// Adds a shift: an admin for any agent, an agent for themself. Shifts may overlap.
#[utoipa::path(post, path = "/support/on-call", tag = "support", request_body = NewShiftRequest,
    security(("bearer" = [])),
    responses((status = 201, body = ShiftView), (status = 401, body = crate::error::Problem),
        (status = 403, description = "Store staff, or an agent naming another agent", body = crate::error::Problem),
        (status = 422, description = "Not an active agent, a bad time, or an end not after the start", body = crate::error::Problem)))]
async fn add_shift(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<NewShiftRequest>,
) -> ApiResult<(StatusCode, Json<ShiftView>)> {
    let mut v = Validator::new();
    let starts = parse_time(&request.starts_at);
    if starts.is_none() {
        v.push("starts_at", "must be an RFC 3339 time");
    }
    let ends = parse_time(&request.ends_at);
    if ends.is_none() {
        v.push("ends_at", "must be an RFC 3339 time");
    }
    let (starts_at_ms, ends_at_ms) = v.done(|| Some((starts?, ends?)))?;
    let shift = NewShift { user_id: request.user_id, starts_at_ms, ends_at_ms };
    let saved = state.app.add_on_call_shift(&user, shift).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// The caller takes the watch from now for 1 to 24 hours (agents and admins).
#[utoipa::path(post, path = "/support/on-call/watch", tag = "support", request_body = TakeWatchRequest,
    security(("bearer" = [])),
    responses((status = 201, body = ShiftView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn take_watch(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<TakeWatchRequest>,
) -> ApiResult<(StatusCode, Json<ShiftView>)> {
    let saved = state.app.take_on_call_watch(&user, request.hours).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// Removes a shift: an admin any, an agent their own.
#[utoipa::path(delete, path = "/support/on-call/{id}", tag = "support", security(("bearer" = [])),
    params(("id" = String, Path, description = "Shift id")),
    responses((status = 204, description = "Removed"), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn delete_shift(State(state): State<AppState>, user: AuthUser, Path(id): Path<String>) -> ApiResult<StatusCode> {
    state.app.delete_on_call_shift(&user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An agent's browser's `PushSubscription.toJSON()` (other fields are ignored), with the
/// language of the alerts' texts.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AgentSubscribeBody {
    /// The push service URL: https, to a host on the server's allow-list
    /// (`OMNICANAL_PUSH_ALLOWED_HOSTS`); anything else is 422.
    pub endpoint: String,
    /// The subscription's keys.
    pub keys: SubscriptionKeys,
    /// `es` or `en`; by default from `Accept-Language`, else Spanish.
    pub language: Option<String>,
}

/// One of the agent's subscriptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentSubscriptionView {
    /// Id.
    pub id: String,
    /// The push service URL.
    pub endpoint: String,
    /// `es` or `en`.
    pub language: String,
    /// When it was first registered (RFC 3339).
    pub created_at: String,
}

impl From<SupportPushSubscriptionRow> for AgentSubscriptionView {
    fn from(row: SupportPushSubscriptionRow) -> Self {
        Self { id: row.id, endpoint: row.endpoint, language: row.language, created_at: rfc3339(row.created_at_ms) }
    }
}

/// The signed-in agent's browsers subscribed to the desk's alerts.
#[utoipa::path(get, path = "/support/push-subscriptions", tag = "support", security(("bearer" = [])),
    responses((status = 200, body = Vec<AgentSubscriptionView>), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem)))]
async fn list_subscriptions(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<Vec<AgentSubscriptionView>>> {
    let rows = state.app.support_push_subscriptions(&user).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Registers the signed-in agent's browser for the desk's alerts (breaches and incidents, by
/// Web Push, while on call — or always when nobody is). The same endpoint again refreshes it.
#[utoipa::path(post, path = "/support/push-subscriptions", tag = "support", operation_id = "support_subscribe", request_body = AgentSubscribeBody,
    security(("bearer" = [])),
    responses((status = 201, body = AgentSubscriptionView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
        (status = 409, description = "The agent has as many subscriptions as allowed", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn subscribe(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AgentSubscribeBody>,
) -> ApiResult<(StatusCode, Json<AgentSubscriptionView>)> {
    let input = PushSubscriptionInput {
        endpoint: &body.endpoint,
        p256dh: &body.keys.p256dh,
        auth: &body.keys.auth,
        language: body.language.as_deref(),
        accept_language: headers.get(ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok()),
        open_path: None,
    };
    let subscription = NewPushSubscription::parse(input, &*state.push_allowed_hosts)?;
    let stored = state.app.subscribe_support_push(&user, subscription).await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// `?endpoint=` of the subscription to remove.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgentUnsubscribeQuery {
    /// The subscription's endpoint.
    pub endpoint: Option<String>,
}

/// Removes one of the signed-in agent's subscriptions.
#[utoipa::path(delete, path = "/support/push-subscriptions", tag = "support", operation_id = "support_unsubscribe", params(AgentUnsubscribeQuery),
    security(("bearer" = [])),
    responses((status = 204, description = "Removed"), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn unsubscribe(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<AgentUnsubscribeQuery>,
) -> ApiResult<StatusCode> {
    state.app.unsubscribe_support_push(&user, query.endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}
