//! The support desk's tickets over HTTP (issue 18 point 1; CONTRACT v2 "Support"): open one
//! (from the till with its context, the console, or an agent's phone call), list and read
//! them as the caller may, answer, note, assign, prioritise, merge. The use cases are
//! `omnicanal_app::support::tickets`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use omnicanal_app::AppError;
use omnicanal_app::ids::rfc3339;
use omnicanal_app::support::{OpenTicket, PostTicketMessage, TicketDetail, TicketQuery, TicketQueue, TicketUpdate};
use omnicanal_domain::support::{TicketCategory, TicketPriority, TicketStatus};
use omnicanal_store::{SupportMessageRow, SupportTicketRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_ticket, list_tickets))
        .routes(routes!(get_ticket, update_ticket))
        .routes(routes!(post_message))
        .routes(routes!(merge_ticket))
}

/// A ticket to open.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OpenTicketRequest {
    /// The store (location) it is about; staff may name only their own.
    pub location_id: String,
    /// One line, up to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub subject: String,
    /// What happened, up to 10,000 characters.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    /// impresora, pagos, promociones, sincronizacion, stock or otro (default otro).
    pub category: Option<String>,
    /// low, normal, high or urgent (default normal).
    pub priority: Option<String>,
    /// What the till or console knew (device, cashier, connectivity, unsent sales, last
    /// printer error, last decline, the cart's quote…): a JSON object up to 32 KiB.
    #[schema(value_type = Option<Object>)]
    pub context: Option<serde_json::Value>,
    /// The till it is asked from (must be at the location).
    pub device_id: Option<String>,
    /// till, console or phone (default: phone for an agent, console for a store).
    pub source: Option<String>,
}

impl TryFrom<OpenTicketRequest> for OpenTicket {
    type Error = AppError;

    fn try_from(request: OpenTicketRequest) -> Result<Self, AppError> {
        OpenTicket::parse(
            &request.location_id,
            &request.subject,
            &request.description,
            request.category.as_deref(),
            request.priority.as_deref(),
            request.context.as_ref(),
            request.device_id.as_deref(),
            request.source.as_deref(),
        )
    }
}

/// A ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    /// Opaque id.
    pub id: String,
    /// Its number on the desk.
    pub number: i64,
    /// new, open, waiting_on_store, resolved, merged or closed.
    pub status: String,
    /// low, normal, high or urgent.
    pub priority: String,
    /// impresora, pagos, promociones, sincronizacion, stock or otro.
    pub category: String,
    /// When the first answer is due, counted in the store's business hours (RFC 3339).
    pub first_response_due_at: String,
    /// When the solution is due (RFC 3339).
    pub resolution_due_at: String,
    /// The store's merchant.
    pub merchant_id: String,
    /// The store.
    pub location_id: String,
    /// The till it was asked from.
    pub device_id: Option<String>,
    /// till, console or phone.
    pub source: String,
    /// Who opened it.
    pub opened_by: String,
    /// One line.
    pub subject: String,
    /// What happened.
    pub description: String,
    /// The agent on it.
    pub assignee_id: Option<String>,
    /// The ticket it was merged into.
    pub merged_into_id: Option<String>,
    /// What the till or console knew when help was asked.
    #[schema(value_type = Object)]
    pub context: serde_json::Value,
    /// When an agent first answered.
    pub first_responded_at: Option<String>,
    /// When it was solved.
    pub resolved_at: Option<String>,
    /// True while the clock is paused (waiting on the store, or solved).
    pub sla_paused: bool,
    /// Opened at.
    pub created_at: String,
    /// Last changed at.
    pub updated_at: String,
}

impl From<SupportTicketRow> for TicketView {
    fn from(row: SupportTicketRow) -> Self {
        let context = serde_json::from_str(&row.context_json).unwrap_or_else(|_| serde_json::json!({}));
        Self {
            id: row.id,
            number: row.number,
            status: row.status.as_str().to_owned(),
            priority: row.priority.as_str().to_owned(),
            category: row.category.as_str().to_owned(),
            first_response_due_at: rfc3339(row.first_response_due_ms),
            resolution_due_at: rfc3339(row.resolution_due_ms),
            merchant_id: row.merchant_id,
            location_id: row.location_id,
            device_id: row.device_id,
            source: row.source,
            opened_by: row.opened_by,
            subject: row.subject,
            description: row.description,
            assignee_id: row.assignee_id,
            merged_into_id: row.merged_into_id,
            context,
            first_responded_at: row.first_responded_ms.map(rfc3339),
            resolved_at: row.resolved_ms.map(rfc3339),
            sla_paused: row.paused_since_ms.is_some(),
            created_at: rfc3339(row.created_ms),
            updated_at: rfc3339(row.updated_ms),
        }
    }
}

/// A message on a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketMessageView {
    /// Opaque id.
    pub id: String,
    /// The ticket.
    pub ticket_id: String,
    /// Who wrote it.
    pub author_id: String,
    /// Their e-mail.
    pub author_email: String,
    /// Their role (support_agent, admin: the desk; staff, merchant_manager: the store).
    pub author_role: String,
    /// The text.
    pub body: String,
    /// An agents' note the store never sees.
    pub internal: bool,
    /// Written at.
    pub created_at: String,
}

impl From<SupportMessageRow> for TicketMessageView {
    fn from(row: SupportMessageRow) -> Self {
        Self {
            id: row.id,
            ticket_id: row.ticket_id,
            author_id: row.author_id,
            author_email: row.author_email,
            author_role: row.author_role.as_str().to_owned(),
            body: row.body,
            internal: row.internal,
            created_at: rfc3339(row.created_ms),
        }
    }
}

/// A ticket with its conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetailView {
    /// The ticket.
    #[serde(flatten)]
    pub ticket: TicketView,
    /// Its messages, oldest first (agents' notes only for the desk).
    pub messages: Vec<TicketMessageView>,
    /// Its photos' ids, oldest first (each at `/support/tickets/{id}/photos/{photo_id}`).
    pub photo_ids: Vec<String>,
}

impl From<TicketDetail> for TicketDetailView {
    fn from(detail: TicketDetail) -> Self {
        Self {
            ticket: detail.ticket.into(),
            messages: detail.messages.into_iter().map(Into::into).collect(),
            photo_ids: detail.photo_ids,
        }
    }
}

/// Opens a ticket: store staff for their own location (from the till, with its context), a
/// manager for a store of their merchant, an agent for any store (a phone call). Its
/// deadlines are counted on the store's own calendar.
#[utoipa::path(post, path = "/support/tickets", tag = "support", request_body = OpenTicketRequest,
    security(("bearer" = [])),
    responses((status = 201, body = TicketView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn open_ticket(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<OpenTicketRequest>,
) -> ApiResult<(StatusCode, Json<TicketView>)> {
    let ticket = state.app.open_support_ticket(&user, OpenTicket::try_from(request)?).await?;
    Ok((StatusCode::CREATED, Json(ticket.into())))
}

/// Which tickets to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketListQuery {
    /// Only these statuses, comma-separated (new, open, waiting_on_store, resolved, merged, closed).
    #[param(max_length = 100)]
    pub status: Option<String>,
    /// Only this store.
    #[param(max_length = 100)]
    pub location_id: Option<String>,
    /// Only this merchant (the desk only).
    #[param(max_length = 100)]
    pub merchant_id: Option<String>,
    /// Only this category.
    #[param(max_length = 40)]
    pub category: Option<String>,
    /// Only this priority.
    #[param(max_length = 20)]
    pub priority: Option<String>,
    /// A standing queue: new, mine, overdue or unassigned.
    #[param(max_length = 20)]
    pub queue: Option<String>,
    /// Words in the subject or description, or a ticket number.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Items per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

impl TicketListQuery {
    fn parse(self) -> Result<(TicketQuery, omnicanal_store::Page), AppError> {
        let mut errors = Vec::new();
        let mut invalid = |field: &str, error: omnicanal_domain::DomainError| {
            errors.push(omnicanal_app::FieldError { field: field.to_owned(), message: error.to_string() });
        };
        let mut statuses = Vec::new();
        for word in self.status.as_deref().unwrap_or("").split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match TicketStatus::parse(word) {
                Ok(status) => statuses.push(status),
                Err(error) => invalid("status", error),
            }
        }
        let category = self
            .category
            .as_deref()
            .and_then(|raw| TicketCategory::parse(raw).map_err(|e| invalid("category", e)).ok());
        let priority = self
            .priority
            .as_deref()
            .and_then(|raw| TicketPriority::parse(raw).map_err(|e| invalid("priority", e)).ok());
        let queue = self.queue.as_deref().and_then(|raw| TicketQueue::parse(raw).map_err(|e| invalid("queue", e)).ok());
        let q = self.q.unwrap_or_default();
        if q.chars().count() > 200 {
            errors.push(omnicanal_app::FieldError {
                field: "q".into(),
                message: "must be at most 200 characters".into(),
            });
        }
        let page = Pagination { limit: self.limit, offset: self.offset }.page_or_collect(&mut errors);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let query = TicketQuery {
            statuses,
            location_id: self.location_id.filter(|id| !id.is_empty()),
            merchant_id: self.merchant_id.filter(|id| !id.is_empty()),
            category,
            priority,
            queue,
            text: q,
        };
        Ok((query, page.unwrap_or_default()))
    }
}

/// Tickets, most urgent first (new before open before waiting, then the nearest deadline):
/// agents and admins see every store's, a manager their merchant's, staff their location's.
/// The number of matches in all is in `X-Total-Count`.
#[utoipa::path(get, path = "/support/tickets", tag = "support", params(TicketListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<TicketView>, headers(("X-Total-Count" = i64, description = "Matches in all"))),
        (status = 401, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn list_tickets(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<TicketListQuery>,
) -> ApiResult<Response> {
    let (query, page) = query.parse()?;
    let (rows, total) = state.app.support_tickets(&user, query, page).await?;
    let views: Vec<TicketView> = rows.into_iter().map(Into::into).collect();
    Ok(([("x-total-count", total.to_string())], Json(views)).into_response())
}

/// One ticket with its conversation (the store never sees agents' notes; another merchant's
/// ticket is 404).
#[utoipa::path(get, path = "/support/tickets/{id}", tag = "support", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    responses((status = 200, body = TicketDetailView), (status = 401, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
async fn get_ticket(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<TicketDetailView>> {
    Ok(Json(state.app.support_ticket(&user, &id).await?.into()))
}

/// A message to post.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PostMessageRequest {
    /// The text, up to 10,000 characters.
    #[schema(min_length = 1, max_length = 10000)]
    pub body: String,
    /// An agents' note the store never sees (the desk only).
    #[serde(default)]
    pub internal: bool,
    /// The status the desk's answer leaves the ticket in (e.g. waiting_on_store, resolved).
    pub status: Option<String>,
}

/// Answers a ticket. The desk's first answer stops the first-response clock; the store's
/// answer to a ticket waiting on it (or solved) reopens it and restarts the clock.
#[utoipa::path(post, path = "/support/tickets/{id}/messages", tag = "support", request_body = PostMessageRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "Ticket id")),
    responses((status = 201, body = TicketMessageView), (status = 401, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn post_message(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PostMessageRequest>,
) -> ApiResult<(StatusCode, Json<TicketMessageView>)> {
    let command = PostTicketMessage::parse(&request.body, request.internal, request.status.as_deref())?;
    let (_, message) = state.app.post_support_message(&user, &id, command).await?;
    Ok((StatusCode::CREATED, Json(message.into())))
}

/// A change to a ticket.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateTicketRequest {
    /// new, open, waiting_on_store, resolved or closed (the store may only resolve or close).
    pub status: Option<String>,
    /// low, normal, high or urgent (the desk only; the deadlines are counted again).
    pub priority: Option<String>,
    /// The category (the desk only; the deadlines are counted again).
    pub category: Option<String>,
    /// The agent on it; an empty string unassigns (the desk only).
    pub assignee_id: Option<String>,
}

/// Changes a ticket's status, priority, category or agent.
#[utoipa::path(patch, path = "/support/tickets/{id}", tag = "support", request_body = UpdateTicketRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "Ticket id")),
    responses((status = 200, body = TicketView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_ticket(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateTicketRequest>,
) -> ApiResult<Json<TicketView>> {
    let update = TicketUpdate::parse(
        request.status.as_deref(),
        request.priority.as_deref(),
        request.category.as_deref(),
        request.assignee_id.as_deref(),
    )?;
    Ok(Json(state.app.update_support_ticket(&user, &id, update).await?.into()))
}

/// Which ticket a duplicate folds into.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeTicketRequest {
    /// The ticket kept (same merchant, still open).
    pub into_id: String,
}

/// Merges a duplicate into another ticket (the desk only): the duplicate becomes `merged`
/// and its text is noted on the one kept.
#[utoipa::path(post, path = "/support/tickets/{id}/merge", tag = "support", request_body = MergeTicketRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "The duplicate's id")),
    responses((status = 200, body = TicketView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn merge_ticket(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<MergeTicketRequest>,
) -> ApiResult<Json<TicketView>> {
    Ok(Json(state.app.merge_support_ticket(&user, &id, &request.into_id).await?.into()))
}
