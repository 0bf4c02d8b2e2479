//! The desk's figures over HTTP (issue 18 point 6): `GET /api/v1/support/reports`. The use
//! case (`omnicanal_app::support::reports`) decides whose figures the caller may read.
//! `incidents` and `problems` were added later (issue 18 points 6 and 4); every earlier field
//! is kept as it was.

use axum::Json;
use axum::extract::State;
use omnicanal_app::ids::rfc3339;
use omnicanal_app::support::{SupportReportQuery, SupportReportView};
use omnicanal_domain::support::incident_report::{INCIDENT_DURATION_BUCKETS_MINUTES, IncidentReport};
use omnicanal_domain::support::problems::ProblemCounts;
use omnicanal_domain::support::report::{Compliance, DURATION_BUCKETS_MINUTES};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(support_report))
}

/// Which figures.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupportReportParams {
    /// The last 1, 7, 30 or 90 days (default 7).
    #[param(minimum = 1, maximum = 90)]
    pub days: Option<i64>,
    /// Only this merchant's stores (the desk; a manager's own merchant is implied).
    #[param(max_length = 100)]
    pub merchant_id: Option<String>,
    /// Only this store.
    #[param(max_length = 100)]
    pub location_id: Option<String>,
}

/// A count under a key.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountView {
    /// The key (a store id, a category, an hour, a bucket's upper bound in minutes).
    pub key: String,
    /// A label to show (a store's name; the key otherwise).
    pub label: String,
    /// Tickets.
    pub count: i64,
}

/// Targets met, missed, and not decided yet.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceView {
    /// Done by the deadline.
    pub met: i64,
    /// Late.
    pub missed: i64,
    /// Not done, not late yet (or paused).
    pub pending: i64,
    /// Met as a share of met + missed, in basis points (null when none is decided).
    pub met_bps: Option<i64>,
}

impl From<Compliance> for ComplianceView {
    fn from(compliance: Compliance) -> Self {
        Self {
            met: compliance.met,
            missed: compliance.missed,
            pending: compliance.pending,
            met_bps: compliance.met_bps(),
        }
    }
}

/// The desk's figures over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportReportResponse {
    /// The period's start.
    pub from: String,
    /// Its end (now).
    pub to: String,
    /// Tickets opened (merged duplicates left out).
    pub total: i64,
    /// By store, most first.
    pub by_store: Vec<CountView>,
    /// By category.
    pub by_category: Vec<CountView>,
    /// By the hour of the day they were opened, in each store's time (24 rows).
    pub by_hour: Vec<CountView>,
    /// First answers against their targets.
    pub first_response: ComplianceView,
    /// Solutions against their targets.
    pub resolution: ComplianceView,
    /// Minutes to the first answer, by bucket (key: the bucket's upper bound; `more` past the last).
    pub first_response_minutes: Vec<CountView>,
    /// Minutes to the solution, bucketed alike.
    pub resolution_minutes: Vec<CountView>,
    /// The incidents open at some moment of the period, and how long they lasted.
    pub incidents: IncidentReportView,
    /// Problems raised in the period and the share an article solved without a ticket.
    pub problems: ProblemsView,
}

/// Incidents of a period. An incident still open lasts up to now; percentiles are by nearest
/// rank, so each is the duration of a real incident.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentReportView {
    /// Incidents open at some moment of the period (opened before its end, not closed before
    /// its start).
    pub total: i64,
    /// Of them, still open now.
    pub open_now: i64,
    /// By cause (`payment_declines`, `print_failures`, `till_offline`, `sync_backlog`), every cause listed.
    pub by_cause: Vec<CountView>,
    /// By store, most first.
    pub by_store: Vec<CountView>,
    /// The median duration in seconds (null when there was no incident).
    pub median_seconds: Option<i64>,
    /// The 90th percentile duration in seconds (null when there was no incident).
    pub p90_seconds: Option<i64>,
    /// The longest duration in seconds (null when there was no incident).
    pub max_seconds: Option<i64>,
    /// Durations in minutes, by bucket (key: the bucket's upper bound; `more` past the last).
    pub duration_minutes: Vec<CountView>,
}

impl IncidentReportView {
    fn new(report: &IncidentReport, store_names: &std::collections::HashMap<String, String>) -> Self {
        Self {
            total: report.total,
            open_now: report.open_now,
            by_cause: report
                .by_cause
                .iter()
                .map(|(cause, count)| CountView {
                    key: cause.as_str().to_owned(),
                    label: cause.as_str().to_owned(),
                    count: *count,
                })
                .collect(),
            by_store: report
                .by_store
                .iter()
                .map(|(id, count)| CountView {
                    key: id.clone(),
                    label: store_names.get(id).cloned().unwrap_or_else(|| id.clone()),
                    count: *count,
                })
                .collect(),
            median_seconds: report.duration.map(|d| d.median_ms / 1000),
            p90_seconds: report.duration.map(|d| d.p90_ms / 1000),
            max_seconds: report.duration.map(|d| d.max_ms / 1000),
            duration_minutes: report
                .duration_buckets
                .iter()
                .enumerate()
                .map(|(index, count)| {
                    let key =
                        INCIDENT_DURATION_BUCKETS_MINUTES.get(index).map_or_else(|| "more".to_owned(), i64::to_string);
                    CountView { label: key.clone(), key, count: *count }
                })
                .collect(),
        }
    }
}

/// Problems raised in the period, the deflection share's terms.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemsView {
    /// Help sessions opened (problems articles were suggested for), whatever their outcome.
    pub help_sessions: i64,
    /// Of them, solved by an article with no ticket.
    pub solved_by_article: i64,
    /// Tickets opened from the till or the console that no help session led to (phone tickets
    /// and merged duplicates left out).
    pub tickets_without_help: i64,
    /// Every problem raised: `help_sessions + tickets_without_help`.
    pub problems_raised: i64,
    /// `solved_by_article × 10000 / problems_raised`, rounded down; 0 when none was raised.
    pub solved_share_bps: i64,
}

impl From<ProblemCounts> for ProblemsView {
    fn from(counts: ProblemCounts) -> Self {
        Self {
            help_sessions: counts.help_sessions,
            solved_by_article: counts.solved_by_article,
            tickets_without_help: counts.tickets_without_help,
            problems_raised: counts.problems_raised(),
            solved_share_bps: counts.solved_share_bps(),
        }
    }
}

fn buckets(counts: &[i64; 8]) -> Vec<CountView> {
    counts
        .iter()
        .enumerate()
        .map(|(index, count)| {
            let key = DURATION_BUCKETS_MINUTES.get(index).map_or_else(|| "more".to_owned(), i64::to_string);
            CountView { label: key.clone(), key, count: *count }
        })
        .collect()
}

impl From<SupportReportView> for SupportReportResponse {
    fn from(view: SupportReportView) -> Self {
        let report = view.report;
        let incidents = IncidentReportView::new(&view.incidents, &view.store_names);
        Self {
            from: rfc3339(view.from_ms),
            to: rfc3339(view.to_ms),
            total: report.total,
            by_store: report
                .by_store
                .iter()
                .map(|(id, count)| CountView {
                    key: id.clone(),
                    label: view.store_names.get(id).cloned().unwrap_or_else(|| id.clone()),
                    count: *count,
                })
                .collect(),
            by_category: report
                .by_category
                .iter()
                .map(|(category, count)| CountView {
                    key: category.as_str().to_owned(),
                    label: category.as_str().to_owned(),
                    count: *count,
                })
                .collect(),
            by_hour: report
                .by_hour
                .iter()
                .enumerate()
                .map(|(hour, count)| CountView { key: hour.to_string(), label: format!("{hour:02}"), count: *count })
                .collect(),
            first_response: report.first_response.into(),
            resolution: report.resolution.into(),
            first_response_minutes: buckets(&report.first_response_minutes),
            resolution_minutes: buckets(&report.resolution_minutes),
            incidents,
            problems: view.problems.into(),
        }
    }
}

/// The desk's figures over the last days: tickets by store, category and hour (store time),
/// SLA compliance, and how long first answers and solutions took; the incidents open in the
/// period with their durations; the problems raised and the share an article solved. Agents and
/// admins read every store's; a manager their merchant's; staff none.
#[utoipa::path(get, path = "/support/reports", tag = "support", params(SupportReportParams), security(("bearer" = [])),
    responses((status = 200, body = SupportReportResponse), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn support_report(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<SupportReportParams>,
) -> ApiResult<Json<SupportReportResponse>> {
    let query = SupportReportQuery::parse(params.days, params.merchant_id.as_deref(), params.location_id.as_deref())?;
    Ok(Json(state.app.support_report(&user, query).await?.into()))
}
