//! Incidents before anyone calls (issue 18 point 5) over HTTP: a till's telemetry batch in
//! (`POST /support/telemetry`, 202), and the incidents agents read (`GET /support/incidents`,
//! `GET /support/incidents/{id}`). Every decision is the app's (`omnicanal_app::support::incidents`);
//! the detector runs in `workers::support_incidents`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_app::ids::rfc3339;
use omnicanal_app::support::incidents::{IncidentQuery, MAX_EVENTS_PER_BATCH, RawTelemetryEvent, TelemetryBatch};
use omnicanal_store::{Page, SupportIncidentRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// Most incidents one page holds.
pub const MAX_PER_PAGE: i64 = 100;
/// Deepest page asked for.
pub const MAX_PAGE: i64 = 100_000;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(post_telemetry)).routes(routes!(list_incidents)).routes(routes!(show_incident))
}

/// One telemetry event.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TelemetryEventBody {
    /// What it reports.
    #[serde(rename = "type")]
    #[schema(pattern = "^(payment_declined|print_failed|offline|sync_backlog|heartbeat)$")]
    pub kind: String,
    /// The decline code, the printer's failure word or the backlog size.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$")]
    pub code: Option<String>,
    /// When it happened (RFC 3339, within the last 24 hours).
    #[schema(format = DateTime)]
    pub at: String,
}

/// A till's telemetry batch.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TelemetryBody {
    /// The till that sends it.
    #[schema(min_length = 1, max_length = 200)]
    pub device_id: String,
    /// Its events, 1 to 500.
    #[schema(min_items = 1, max_items = 500)]
    pub events: Vec<TelemetryEventBody>,
}

impl TryFrom<TelemetryBody> for TelemetryBatch {
    type Error = omnicanal_app::AppError;

    fn try_from(body: TelemetryBody) -> Result<Self, Self::Error> {
        let raw: Vec<RawTelemetryEvent> = body
            .events
            .into_iter()
            .take(MAX_EVENTS_PER_BATCH + 1)
            .map(|event| RawTelemetryEvent { kind: event.kind, code: event.code, at: event.at })
            .collect();
        TelemetryBatch::parse(&body.device_id, &raw)
    }
}

/// What was taken from a batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct TelemetryAcceptedView {
    /// Events accepted.
    pub accepted: usize,
}

/// An incident at a store.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentView {
    /// Opaque id.
    pub id: String,
    /// The store.
    pub location_id: String,
    /// The store's merchant.
    pub merchant_id: String,
    /// `payment_declines`, `print_failures`, `till_offline` or `sync_backlog`.
    pub cause: String,
    /// When it was opened (RFC 3339).
    pub opened_at: String,
    /// `open` or `closed`.
    pub status: String,
    /// When it closed (RFC 3339), if it did.
    pub closed_at: Option<String>,
    /// What the detector saw: `window_start`, `window_end`, `count`, `threshold`,
    /// `baseline_count`, `baseline_windows`, `codes` (code → count) and `devices`.
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
}

impl From<SupportIncidentRow> for IncidentView {
    fn from(row: SupportIncidentRow) -> Self {
        Self {
            id: row.id,
            location_id: row.location_id,
            merchant_id: row.merchant_id,
            cause: row.cause.as_str().to_owned(),
            opened_at: rfc3339(row.opened_at_ms),
            status: row.status.as_str().to_owned(),
            closed_at: row.closed_at_ms.map(rfc3339),
            evidence: serde_json::from_str(&row.evidence_json).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// A page of incidents.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentPageView {
    /// The incidents, newest first.
    pub items: Vec<IncidentView>,
    /// How many match in all.
    pub total: i64,
    /// This page's number, from 1.
    pub page: i64,
    /// Incidents per page.
    pub per_page: i64,
}

/// `?location_id=&status=&cause=&page=&per_page=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentListQuery {
    /// Only this store's incidents.
    #[param(pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]{1,200}$")]
    pub location_id: Option<String>,
    /// Only `open` or only `closed` ones.
    #[param(pattern = "^(open|closed)$")]
    pub status: Option<String>,
    /// Only those of this cause.
    #[param(pattern = "^(payment_declines|print_failures|till_offline|sync_backlog)$")]
    pub cause: Option<String>,
    /// Page, from 1 (default 1).
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<i64>,
    /// Incidents per page, 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

impl IncidentListQuery {
    fn paging(&self) -> Result<(i64, i64, Page), ApiError> {
        let page = self.page.unwrap_or(1);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(ApiError::invalid("page", format!("must be between 1 and {MAX_PAGE}")));
        }
        let per_page = self.per_page.unwrap_or(25);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::invalid("per_page", format!("must be between 1 and {MAX_PER_PAGE}")));
        }
        Ok((page, per_page, Page { limit: per_page, offset: (page - 1) * per_page }))
    }
}

/// A till's telemetry batch: its staff (or the merchant's manager, or an admin); another
/// merchant's till is 404. Counted per minute for the incident detector.
#[utoipa::path(post, path = "/support/telemetry", tag = "support", security(("bearer" = [])),
    request_body = TelemetryBody,
    responses((status = 202, body = TelemetryAcceptedView), (status = 400, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn post_telemetry(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<TelemetryBody>,
) -> ApiResult<(StatusCode, Json<TelemetryAcceptedView>)> {
    let batch = TelemetryBatch::try_from(body)?;
    let receipt = state.app.record_telemetry(&user, batch).await?;
    Ok((StatusCode::ACCEPTED, Json(TelemetryAcceptedView { accepted: receipt.accepted })))
}

/// Incidents, newest first: support agents and admins (anyone else 403).
#[utoipa::path(get, path = "/support/incidents", tag = "support", security(("bearer" = [])),
    params(IncidentListQuery),
    responses((status = 200, body = IncidentPageView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn list_incidents(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<IncidentListQuery>,
) -> ApiResult<Json<IncidentPageView>> {
    let (page_no, per_page, page) = query.paging()?;
    let filters =
        IncidentQuery::parse_with_cause(query.location_id.as_deref(), query.status.as_deref(), query.cause.as_deref())?;
    let found = state.app.support_incidents(&user, filters, page).await?;
    Ok(Json(IncidentPageView {
        items: found.items.into_iter().map(Into::into).collect(),
        total: found.total,
        page: page_no,
        per_page,
    }))
}

/// One incident: support agents and admins.
#[utoipa::path(get, path = "/support/incidents/{id}", tag = "support", security(("bearer" = [])),
    params(("id" = String, Path, description = "The incident's id")),
    responses((status = 200, body = IncidentView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn show_incident(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<IncidentView>> {
    Ok(Json(state.app.support_incident(&user, &id).await?.into()))
}
