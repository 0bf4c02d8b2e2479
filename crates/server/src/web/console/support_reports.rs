//! "Informes de soporte" (`/support/reports`, issue 18 point 6): the desk's figures of the
//! last 1, 7, 30 or 90 days — tickets by store, category and hour of the day (each store's own
//! time), first-response and resolution targets met, and how long first answers and solutions
//! took — each drawn as a server-rendered SVG chart with its numbers in a table beside it.
//! The figures and who may read them are `omnicanal_app::support::reports`'; agents and
//! admins read every store's, a manager their merchant's. Texts in `support-reports.<lang>.json`.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::support::{SupportReportQuery, SupportReportView};
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

fn chart(id: &str, title: String, shape: Shape, rows: Vec<(String, i64)>) -> Value {
    let values: Vec<(String, i64, String)> =
        rows.iter().map(|(label, count)| (label.clone(), *count, count.to_string())).collect();
    let table: Vec<Value> = rows.iter().map(|(label, count)| context! { label => label, count => count }).collect();
    context! {
        id => id,
        svg => Value::from_safe_string(svg(shape, &title, &values)),
        title => title,
        rows => table,
        empty => rows.iter().all(|(_, count)| *count == 0),
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
    };
    console.page(&state, "support_reports.html", StatusCode::OK, ctx)
}
