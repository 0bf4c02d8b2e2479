//! "Informes de soporte" (`/support/reports`, issue 18 point 6): the desk's figures of the
//! last 1, 7, 30 or 90 days — tickets by store, category and hour of the day (each store's own
//! time), first-response and resolution targets met, and how long first answers and solutions
//! took — each drawn as a server-rendered SVG chart with its numbers in a table beside it.
//! The figures and who may read them are `omnicanal_app::support::reports`'; agents and
//! admins read every store's, a manager their merchant's. Texts in `support-reports.<lang>.json`.
//!
//! Below the tickets: the incidents open during the period (by cause, by store, their
//! durations as a chart with median, 90th percentile and longest) and the problems raised —
//! help sessions and tickets opened without one — with the share an article solved. Their
//! texts are in `support-incidents.<lang>.json`, shared with the incidents page.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::support::{SupportReportQuery, SupportReportView};
use omnicanal_domain::support::incident_report::INCIDENT_DURATION_BUCKETS_MINUTES;
use omnicanal_domain::support::report::{Compliance, DURATION_BUCKETS_MINUTES};
use serde::Deserialize;

use super::pages::refused;
use super::session::ConsoleUser;
use crate::state::AppState;
use crate::web::chart::{Shape, svg};
use crate::web::i18n::Lang;

/// The page's template, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 1] =
    [("support_reports.html", include_str!("../../../templates/console/support_reports.html"))];

/// The page's route.
pub(super) fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/support/reports", get(page))
}

/// The page's query string.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ReportParams {
    days: Option<String>,
    location_id: Option<String>,
}

/// A bucket's label: "≤ 15 min", "≤ 2 h", "> 24 h".
fn bucket_label(lang: Lang, index: usize) -> String {
    match DURATION_BUCKETS_MINUTES.get(index) {
        Some(minutes) if *minutes < 60 => lang.text("support.reports.up_to_minutes", &[("n", minutes.to_string())]),
        Some(minutes) => lang.text("support.reports.up_to_hours", &[("n", (minutes / 60).to_string())]),
        None => lang.text("support.reports.over_hours", &[("n", "24".to_owned())]),
    }
}

fn share(compliance: &Compliance) -> String {
    compliance.met_bps().map_or_else(|| "—".to_owned(), |bps| format!("{},{} %", bps / 100, (bps % 100) / 10))
}

/// A duration as an agent reads it: `45 s`, `12 min`, `2 h 05 min`, `3 d 4 h`.
pub(super) fn duration_text(seconds: i64) -> String {
    let seconds = seconds.max(0);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3_600 => format!("{} min", seconds / 60),
        3_600..86_400 => format!("{} h {:02} min", seconds / 3_600, (seconds % 3_600) / 60),
        _ => format!("{} d {} h", seconds / 86_400, (seconds % 86_400) / 3_600),
    }
}

/// An incident-duration bucket's label: "≤ 5 min", "≤ 4 h", "> 24 h".
fn incident_bucket_label(lang: Lang, index: usize) -> String {
    match INCIDENT_DURATION_BUCKETS_MINUTES.get(index) {
        Some(minutes) if *minutes < 60 => lang.text("support.reports.up_to_minutes", &[("n", minutes.to_string())]),
        Some(minutes) => lang.text("support.reports.up_to_hours", &[("n", (minutes / 60).to_string())]),
        None => lang.text("support.reports.over_hours", &[("n", "24".to_owned())]),
    }
}

/// The incidents' charts: by cause, by store, and how long they lasted.
fn incident_charts(lang: Lang, view: &SupportReportView) -> Vec<Value> {
    let incidents = &view.incidents;
    let column = lang.text("support.incidents.count", &[]);
    let by_cause = incidents
        .by_cause
        .iter()
        .map(|(cause, count)| (lang.text(&format!("support.incidents.cause.{}", cause.as_str()), &[]), *count))
        .collect();
    let by_store = incidents
        .by_store
        .iter()
        .map(|(id, count)| (view.store_names.get(id).cloned().unwrap_or_else(|| id.clone()), *count))
        .collect();
    let durations = incidents
        .duration_buckets
        .iter()
        .enumerate()
        .map(|(index, count)| (incident_bucket_label(lang, index), *count))
        .collect();
    let title = |key: &str| lang.text(&format!("support.reports.chart.{key}"), &[]);
    vec![
        counted_chart("incident_causes", title("incident_causes"), Shape::Bars, by_cause, Some(&column)),
        counted_chart("incident_stores", title("incident_stores"), Shape::Bars, by_store, Some(&column)),
        counted_chart("incident_durations", title("incident_durations"), Shape::Columns, durations, Some(&column)),
    ]
}

/// The incidents' figures: how many, open now, median, 90th percentile and longest.
fn incident_totals(view: &SupportReportView) -> Value {
    let incidents = &view.incidents;
    let text = |ms: Option<i64>| ms.map_or_else(|| "—".to_owned(), |ms| duration_text(ms / 1000));
    context! {
        total => incidents.total,
        open_now => incidents.open_now,
        median => text(incidents.duration.map(|d| d.median_ms)),
        p90 => text(incidents.duration.map(|d| d.p90_ms)),
        max => text(incidents.duration.map(|d| d.max_ms)),
    }
}

/// The problems raised and the share an article solved.
fn problems(view: &SupportReportView) -> Value {
    let problems = &view.problems;
    let bps = problems.solved_share_bps();
    let share = if problems.problems_raised() == 0 {
        "—".to_owned()
    } else {
        format!("{},{} %", bps / 100, (bps % 100) / 10)
    };
    context! {
        help_sessions => problems.help_sessions,
        solved => problems.solved_by_article,
        tickets_without_help => problems.tickets_without_help,
        raised => problems.problems_raised(),
        share => share,
    }
}

fn chart(id: &str, title: String, shape: Shape, rows: Vec<(String, i64)>) -> Value {
    counted_chart(id, title, shape, rows, None)
}

/// A chart whose table names its count column `column` (none: the tickets' "Tickets").
fn counted_chart(id: &str, title: String, shape: Shape, rows: Vec<(String, i64)>, column: Option<&str>) -> Value {
    let values: Vec<(String, i64, String)> =
        rows.iter().map(|(label, count)| (label.clone(), *count, count.to_string())).collect();
    let table: Vec<Value> = rows.iter().map(|(label, count)| context! { label => label, count => count }).collect();
    context! {
        id => id,
        svg => Value::from_safe_string(svg(shape, &title, &values)),
        title => title,
        rows => table,
        empty => rows.iter().all(|(_, count)| *count == 0),
        column => column,
    }
}

fn charts(lang: Lang, view: &SupportReportView) -> Vec<Value> {
    let report = &view.report;
    let by_store = report
        .by_store
        .iter()
        .map(|(id, count)| (view.store_names.get(id).cloned().unwrap_or_else(|| id.clone()), *count))
        .collect();
    let by_category = report
        .by_category
        .iter()
        .map(|(category, count)| (lang.text(&format!("support.category.{}", category.as_str()), &[]), *count))
        .collect();
    let by_hour = report.by_hour.iter().enumerate().map(|(hour, count)| (format!("{hour:02}"), *count)).collect();
    let compliance = vec![
        (lang.text("support.reports.first_met", &[]), report.first_response.met),
        (lang.text("support.reports.first_missed", &[]), report.first_response.missed),
        (lang.text("support.reports.resolution_met", &[]), report.resolution.met),
        (lang.text("support.reports.resolution_missed", &[]), report.resolution.missed),
    ];
    let buckets = |counts: &[i64; 8]| -> Vec<(String, i64)> {
        counts.iter().enumerate().map(|(index, count)| (bucket_label(lang, index), *count)).collect()
    };
    let title = |key: &str| lang.text(&format!("support.reports.chart.{key}"), &[]);
    vec![
        chart("stores", title("stores"), Shape::Bars, by_store),
        chart("categories", title("categories"), Shape::Bars, by_category),
        chart("hours", title("hours"), Shape::Columns, by_hour),
        chart("compliance", title("compliance"), Shape::Bars, compliance),
        chart("first_response", title("first_response"), Shape::Columns, buckets(&report.first_response_minutes)),
        chart("resolution", title("resolution"), Shape::Columns, buckets(&report.resolution_minutes)),
    ]
}

/// `GET /support/reports`.
async fn page(State(state): State<AppState>, console: ConsoleUser, Query(params): Query<ReportParams>) -> Response {
    let lang = console.lang;
    let days = params.days.as_deref().map(|raw| raw.trim().parse::<i64>().unwrap_or(0));
    let query = match SupportReportQuery::parse(days, None, params.location_id.as_deref()) {
        Ok(query) => query,
        Err(_) => {
            return console.message(&state, StatusCode::BAD_REQUEST, "support.reports.title", "support.reports.bad");
        }
    };
    let view = match state.app.support_report(&console.user, query.clone()).await {
        Ok(view) => view,
        Err(AppError::Forbidden) => {
            return console.message(
                &state,
                StatusCode::FORBIDDEN,
                "console.forbidden.title",
                "support.reports.desk_only",
            );
        }
        Err(error) => return refused(&console, &state, error),
    };
    let report = &view.report;
    let ctx = context! {
        title => lang.text("support.reports.title", &[]),
        days => query.days,
        location_id => query.location_id,
        total => report.total,
        first_share => share(&report.first_response),
        resolution_share => share(&report.resolution),
        pending => report.first_response.pending.max(report.resolution.pending),
        empty => report.total == 0,
        charts => charts(lang, &view),
        incidents => incident_totals(&view),
        incident_charts => incident_charts(lang, &view),
        problems => problems(&view),
    };
    console.page(&state, "support_reports.html", StatusCode::OK, ctx)
}
