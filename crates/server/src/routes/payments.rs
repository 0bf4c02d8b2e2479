//! Payment jobs for people: the captures, refunds and voids owed to the card provider, which
//! ones wait for a person (`needs_attention`), and a retry once the cause is fixed.

use axum::Json;
use axum::extract::{Path, State};
use omnicanal_app::payments::jobs::PaymentJobQuery;
use omnicanal_domain::payment_job::{PaymentJobKind, PaymentJobState, PaymentPayee};
use omnicanal_store::PaymentJobRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, Pagination};
use crate::state::AppState;
use crate::views::MoneyView;
use omnicanal_app::ids::rfc3339;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_payment_jobs)).routes(routes!(retry_payment_job))
}

/// One capture, refund or void owed to the card provider.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentJobView {
    /// Opaque id; also the idempotency key the provider is given.
    pub id: String,
    /// `capture`, `refund` or `void`.
    #[schema(value_type = String, example = "refund")]
    pub kind: PaymentJobKind,
    /// Who carries it out: `provider` (the order payment provider) or `terminal` (the till's
    /// card terminal, for a refund of a till sale's card).
    #[schema(value_type = String, example = "provider")]
    pub payee: PaymentPayee,
    /// `pending`, `succeeded` or `needs_attention`.
    #[schema(value_type = String, example = "needs_attention")]
    pub state: PaymentJobState,
    /// The order (or, for a `terminal` refund, the till sale).
    pub order_id: String,
    /// The part, for a refund.
    pub fulfillment_id: Option<String>,
    /// That part's merchant (none: the whole order's).
    pub merchant_id: Option<String>,
    /// How much.
    pub amount: MoneyView,
    /// Attempts made so far.
    pub attempts: i64,
    /// When it is attempted next (pending jobs).
    pub next_attempt_at: Option<String>,
    /// The provider's last answer, when an attempt failed.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

impl From<PaymentJobRow> for PaymentJobView {
    fn from(row: PaymentJobRow) -> Self {
        Self {
            next_attempt_at: (row.state == PaymentJobState::Pending).then(|| rfc3339(row.next_attempt_at_ms)),
            id: row.id,
            kind: row.kind,
            payee: row.payee,
            state: row.state,
            order_id: row.order_id,
            fulfillment_id: row.fulfillment_id,
            merchant_id: row.merchant_id,
            amount: MoneyView::from_parts(row.amount_minor, row.currency),
            attempts: row.attempts,
            last_error: row.last_error,
            created_at: rfc3339(row.created_at_ms),
            updated_at: rfc3339(row.updated_at_ms),
        }
    }
}

/// Filters for the payment jobs list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentJobsQuery {
    /// `pending`, `succeeded` or `needs_attention`.
    #[param(schema_with = crate::views::words::payment_job_state)]
    pub state: Option<String>,
    /// Only one merchant's (a manager sees only its own anyway).
    pub merchant_id: Option<String>,
    /// Only one order's.
    pub order_id: Option<String>,
    /// Items per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

impl TryFrom<PaymentJobsQuery> for PaymentJobQuery {
    type Error = ApiError;

    fn try_from(query: PaymentJobsQuery) -> Result<Self, ApiError> {
        let state = query
            .state
            .as_deref()
            .map(PaymentJobState::parse)
            .transpose()
            .map_err(|_| ApiError::invalid("state", "must be pending, succeeded or needs_attention"))?;
        Ok(PaymentJobQuery {
            state,
            merchant_id: query.merchant_id,
            order_id: query.order_id,
            page: Pagination { limit: query.limit, offset: query.offset }.page()?,
        })
    }
}

/// Payment jobs, newest first: admins and support agents see every merchant's, a manager its
/// own merchant's (its parts' refunds and the captures of orders it has a part in). A job in
/// `needs_attention` failed for good and waits for a person; `POST …/retry` queues it again.
#[utoipa::path(get, path = "/payment-jobs", tag = "payments", security(("bearer" = [])), params(PaymentJobsQuery),
    responses((status = 200, body = Vec<PaymentJobView>), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn list_payment_jobs(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PaymentJobsQuery>,
) -> ApiResult<Json<Vec<PaymentJobView>>> {
    let jobs = state.app.list_payment_jobs(&user, query.try_into()?).await?;
    Ok(Json(jobs.into_iter().map(PaymentJobView::from).collect()))
}

/// Queues a job that needs attention for a fresh series of attempts, at once (admins, and the
/// managers of the merchant it concerns). A job in another state is 409.
#[utoipa::path(post, path = "/payment-jobs/{id}/retry", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path, description = "Payment job id")),
    responses((status = 200, body = PaymentJobView), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem)))]
async fn retry_payment_job(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PaymentJobView>> {
    Ok(Json(state.app.retry_payment_job(&user, &id).await?.into()))
}
