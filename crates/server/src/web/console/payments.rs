//! The payments that wait for a person: every capture, refund or void the card provider
//! refused for good (`needs_attention`), with what it answered, and a button that queues it
//! again once the cause is fixed. Managers see their merchant's, admins everyone's; the
//! console's start page tells a manager how many there are.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::payments::jobs::PaymentJobQuery;
use omnicanal_domain::Money;
use omnicanal_domain::payment_job::PaymentJobState;
use omnicanal_store::{Page, PaymentJobRow};
use serde::Deserialize;

use super::pages::refused;
use super::session::ConsoleUser;
use crate::auth;
use crate::state::AppState;

/// Jobs listed on the page; more than this many waiting is itself the news.
const LISTED: i64 = 200;

/// `GET /console/payments`: the jobs needing attention, oldest problem first on top.
pub(super) async fn list(State(state): State<AppState>, console: ConsoleUser) -> Response {
    let query = PaymentJobQuery {
        state: Some(PaymentJobState::NeedsAttention),
        page: Page { limit: LISTED, offset: 0 },
        ..PaymentJobQuery::default()
    };
    let jobs = match state.app.list_payment_jobs(&console.user, query).await {
        Ok(jobs) => jobs,
        Err(AppError::Forbidden) => {
            return console.message(
                &state,
                StatusCode::FORBIDDEN,
                "console.forbidden.title",
                "console.payments.forbidden",
            );
        }
        Err(error) => return refused(&console, &state, error),
    };
    let rows: Vec<Value> = jobs.iter().map(|job| row(&console, job)).collect();
    let ctx = context! { title => console.lang.text("console.payments.title", &[]), jobs => rows };
    console.page(&state, "payments.html", StatusCode::OK, ctx)
}

fn row(console: &ConsoleUser, job: &PaymentJobRow) -> Value {
    let lang = console.lang;
    context! {
        id => job.id,
        kind => lang.text(&format!("console.payments.kind.{}", job.kind.as_str()), &[]),
        order_id => job.order_id,
        amount => Money::new(job.amount_minor, job.currency).display(),
        attempts => job.attempts,
        // The provider's answer in the console's words; its own text (English, for whoever
        // fixes the cause with the provider) stays beside it, marked as such.
        cause => job.last_error.as_deref().map(|error| {
            lang.text(&format!("console.payments.cause.{}", omnicanal_app::payments::provider::recorded_cause(error)), &[])
        }),
        error => job.last_error.clone().unwrap_or_default(),
        since => omnicanal_app::ids::rfc3339(job.updated_at_ms),
    }
}

/// The retry form: only its CSRF token.
#[derive(Debug, Deserialize)]
pub(super) struct RetryForm {
    csrf: Option<String>,
}

/// `POST /console/payments/{id}/retry`: queues the job again and goes back to the list.
pub(super) async fn retry(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<RetryForm>,
) -> Response {
    if !auth::session_csrf_matches(&headers, form.csrf.as_deref()) {
        return console.message(&state, StatusCode::FORBIDDEN, "console.forbidden.title", "console.login.csrf");
    }
    match state.app.retry_payment_job(&console.user, &id).await {
        // A job already paid meanwhile needs nothing more: the list no longer shows it.
        Ok(_) | Err(AppError::Conflict(_)) => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            response.headers_mut().insert(LOCATION, HeaderValue::from_static("/console/payments"));
            response
        }
        Err(AppError::Forbidden) => {
            console.message(&state, StatusCode::FORBIDDEN, "console.forbidden.title", "console.payments.forbidden")
        }
        Err(error) => refused(&console, &state, error),
    }
}
