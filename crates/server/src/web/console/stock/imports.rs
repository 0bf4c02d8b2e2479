//! The CSV import from the browser (issue 15 point 2): a form that uploads the file
//! (`multipart/form-data` with the CSRF token) and starts the same import job as
//! `POST /api/v1/imports/{kind}/jobs`, then the job's page, which shows its progress — its
//! script polls `GET /api/v1/imports/jobs/{id}` and reloads when the job ends — and then the
//! rejected rows (row, column, reason) with their CSV. Another merchant's job is 404.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::imports::jobs::{ImportKind, JobState, MAX_IMPORT_FILE_BYTES};
use omnicanal_domain::access::Role;
use serde::Deserialize;

use super::super::forms::{bad_csrf, not_manager, see_other};
use super::super::pages::refused;
use super::super::session::ConsoleUser;
use super::super::view::urlencode;
use super::multipart;
use crate::state::AppState;

/// Rejected rows the page lists; the CSV has them all.
const LISTED_REJECTIONS: usize = 200;

/// `?location_id=` (where "back" leads).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ImportQuery {
    location_id: Option<String>,
}

/// The form, with what was chosen and each field's problem.
fn form_page(
    state: &AppState,
    console: &ConsoleUser,
    location_id: &str,
    kind: &str,
    errors: &[(&str, String)],
    status: StatusCode,
) -> Response {
    if let Some(denied) = not_manager(console, state, "console.stock.forbidden") {
        return denied;
    }
    let lang = console.lang;
    let error_of = |field: &str| errors.iter().find(|(f, _)| *f == field).map(|(_, text)| text.clone());
    let kinds: Vec<Value> = ["stock", "catalog"]
        .iter()
        .map(|&value| context! { value => value, label => lang.text(&format!("console.import.kind.{value}"), &[]) })
        .collect();
    let ctx = context! {
        title => lang.text("console.import.title", &[]),
        location_id => location_id,
        merchant_id => if console.user.role == Role::Admin { None } else { console.user.merchant_id.clone() },
        kinds => kinds,
        kind => kind,
        err => context! { kind => error_of("kind"), file => error_of("file") },
    };
    console.page(state, "import_form.html", status, ctx)
}

/// `GET /console/stock/import`.
pub(crate) async fn form(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<ImportQuery>,
) -> Response {
    let location_id = query.location_id.unwrap_or_default();
    form_page(&state, &console, &location_id, "stock", &[], StatusCode::OK)
}

/// `POST /console/stock/import`: starts the job and goes to its page, or shows the form again
/// with the problem at its field.
pub(crate) async fn upload(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    // The import pages are the managers': staff are told so before their file is read, not
    // after a job they could never open had started.
    if let Some(denied) = not_manager(&console, &state, "console.stock.forbidden") {
        return denied;
    }
    let lang = console.lang;
    let Some(parts) = multipart::parts(form).await else {
        return form_page(
            &state,
            &console,
            "",
            "stock",
            &[("file", lang.text("console.import.error.form", &[]))],
            StatusCode::BAD_REQUEST,
        );
    };
    let text = |name: &str| {
        parts.iter().find(|part| part.name == name).map(|part| String::from_utf8_lossy(&part.data).trim().to_owned())
    };
    if let Some(denied) = bad_csrf(&console, &state, &headers, text("csrf").as_deref()) {
        return denied;
    }
    let location_id = text("location_id").unwrap_or_default();
    let kind_raw = text("kind").unwrap_or_default();
    let mut errors: Vec<(&str, String)> = Vec::new();
    let kind = ImportKind::parse(&kind_raw);
    if kind.is_none() {
        errors.push(("kind", lang.text("console.import.error.kind", &[])));
    }
    let file = parts.iter().find(|part| part.name == "file" && !part.data.is_empty());
    let too_large = file.is_some_and(|part| part.data.len() > MAX_IMPORT_FILE_BYTES);
    let csv_text = match file.filter(|_| !too_large).map(|part| String::from_utf8(part.data.clone())) {
        None if too_large => {
            let megabytes = (MAX_IMPORT_FILE_BYTES / (1024 * 1024)).to_string();
            errors.push(("file", lang.text("console.import.error.too_large", &[("mb", megabytes)])));
            None
        }
        None => {
            errors.push(("file", lang.text("console.import.error.no_file", &[])));
            None
        }
        Some(Err(_)) => {
            errors.push(("file", lang.text("console.import.error.not_utf8", &[])));
            None
        }
        Some(Ok(text)) => Some(text),
    };
    let (Some(kind), Some(csv_text), true) = (kind, csv_text, errors.is_empty()) else {
        return form_page(&state, &console, &location_id, &kind_raw, &errors, StatusCode::UNPROCESSABLE_ENTITY);
    };
    match state.app.start_import_job(&console.user, kind, csv_text).await {
        Ok(job) => {
            let back = if location_id.is_empty() {
                String::new()
            } else {
                format!("?location_id={}", urlencode(&location_id))
            };
            see_other(&format!("/console/imports/{}{back}", urlencode(&job.row.id)))
        }
        Err(AppError::Invalid(fields)) => {
            // The rule's own words name the columns expected, which the person needs to see.
            let detail = fields.iter().map(|field| field.message.clone()).collect::<Vec<_>>().join("; ");
            let text = format!("{} ({detail})", lang.text("console.import.error.file", &[]));
            form_page(&state, &console, &location_id, &kind_raw, &[("file", text)], StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Forbidden) => {
            let text = lang.text("console.import.error.kind_forbidden", &[]);
            form_page(&state, &console, &location_id, &kind_raw, &[("kind", text)], StatusCode::FORBIDDEN)
        }
        Err(error) => refused(&console, &state, error),
    }
}

/// `GET /console/imports/{id}`: the job's progress, then its report.
pub(crate) async fn job(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    Query(query): Query<ImportQuery>,
) -> Response {
    if let Some(denied) = not_manager(&console, &state, "console.stock.forbidden") {
        return denied;
    }
    let job = match state.app.import_job(&console.user, &id).await {
        Ok(job) => job,
        Err(error) => return refused(&console, &state, error),
    };
    let lang = console.lang;
    let rejected: Vec<Value> = job
        .rejected_rows
        .iter()
        .take(LISTED_REJECTIONS)
        .map(|cell| context! { line => cell.line, column => cell.column, reason => cell.reason })
        .collect();
    let state_word = job.state.as_str();
    let ctx = context! {
        title => lang.text("console.import.job_title", &[]),
        job => context! {
            id => job.row.id,
            kind => lang.text(&format!("console.import.kind.{}", job.row.kind), &[]),
            state => state_word,
            state_text => lang.text(&format!("console.import.state.{state_word}"), &[]),
            running => job.state == JobState::Running,
            processed => job.row.processed,
            total => job.row.total,
            accepted => job.row.applied,
            rejected => job.row.rejected,
            error => job.row.error,
        },
        rejected_rows => rejected,
        more_rejections => job.rejected_rows.len() > LISTED_REJECTIONS,
        location_id => query.location_id.unwrap_or_default(),
    };
    console.page(&state, "import_job.html", StatusCode::OK, ctx)
}
