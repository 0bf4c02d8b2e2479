//! `GET /console/dashboard`: the operator's and the merchant manager's figures of the last 7 or
//! 30 days — sales and orders by hour of the day, by day, by channel and by merchant, the
//! rejected and cancelled parts with their reasons and the best-selling products — each drawn
//! as a server-rendered SVG chart with its numbers in a table and a CSV download
//! (`?format=csv&chart=…`). The figures come from [`omnicanal_app::reporting`], which decides
//! whose figures the user may read; this file only shows them.

use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::reporting::{Dashboard, DashboardQuery, Figure};
use omnicanal_domain::Money;
use serde::Deserialize;

use super::pages::refused;
use super::session::ConsoleUser;
use crate::state::AppState;
use crate::web::chart::{Shape, svg};
use crate::web::i18n::Lang;

/// The dashboard's query string (all optional).
#[derive(Debug, Default, Deserialize)]
pub(super) struct DashboardParams {
    days: Option<String>,
    site_id: Option<String>,
    format: Option<String>,
    chart: Option<String>,
}

/// The charts, in the page's order: their id (also `?chart=` of the CSV) and what they count.
const CHARTS: [&str; 6] = ["days", "hours", "channels", "merchants", "rejections", "products"];

/// A channel as people read it (`shop:woo` → "Tienda woo").
fn channel_label(lang: Lang, channel: &str) -> String {
    match channel.strip_prefix("shop:") {
        Some(shop) => lang.text("console.dashboard.channel.shop", &[("name", shop.to_owned())]),
        None => lang.text(&format!("console.dashboard.channel.{channel}"), &[]),
    }
}

/// One chart's rows: label, count, sales (minor units, None for the refusals).
fn rows(lang: Lang, dashboard: &Dashboard, chart: &str) -> Vec<(String, i64, Option<i64>)> {
    let figures = |figures: &[Figure]| -> Vec<(String, i64, Option<i64>)> {
        figures.iter().map(|f| (f.label.clone(), f.count, Some(f.gross_minor))).collect()
    };
    match chart {
        "hours" => figures(&dashboard.by_hour),
        "channels" => {
            dashboard.by_channel.iter().map(|f| (channel_label(lang, &f.key), f.count, Some(f.gross_minor))).collect()
        }
        "merchants" => figures(&dashboard.by_merchant),
        "products" => figures(&dashboard.top_products),
        "rejections" => dashboard
            .rejections
            .iter()
            .map(|r| {
                let status = lang.text(&format!("console.dashboard.status.{}", r.status), &[]);
                let reason = r.reason.clone().unwrap_or_else(|| lang.text("console.dashboard.no_reason", &[]));
                (format!("{status}: {reason}"), r.count, None)
            })
            .collect(),
        _ => dashboard
            .by_day
            .iter()
            .map(|f| (if chart == "days_csv" { f.key.clone() } else { f.label.clone() }, f.count, Some(f.gross_minor)))
            .collect(),
    }
}

/// A CSV cell: quoted, quotes doubled, and a leading `= + - @` defused so a spreadsheet never
/// runs a product's name as a formula.
fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() };
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn csv(lang: Lang, dashboard: &Dashboard, chart: &str) -> Response {
    let mut out = String::from("label,count,gross_minor,currency\n");
    let key = if chart == "days" { "days_csv" } else { chart };
    for (label, count, gross) in rows(lang, dashboard, key) {
        let gross = gross.map(|g| g.to_string()).unwrap_or_default();
        out.push_str(&format!("{},{count},{gross},{}\n", cell(&label), dashboard.currency.code()));
    }
    let mut response = (StatusCode::OK, out).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"dashboard-{chart}-{}-{}.csv\"",
        dashboard.first_day, dashboard.last_day
    )) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response
}

/// `GET /console/dashboard`: the page, or one chart's CSV with `?format=csv&chart=`.
pub(super) async fn dashboard(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(params): Query<DashboardParams>,
) -> Response {
    let lang = console.lang;
    let query = match DashboardQuery::parse(params.days.as_deref(), params.site_id.as_deref()) {
        Ok(query) => query,
        Err(_) => {
            return console.message(
                &state,
                StatusCode::BAD_REQUEST,
                "console.dashboard.title",
                "console.dashboard.bad",
            );
        }
    };
    let dashboard = match state.app.dashboard(&console.user, query).await {
        Ok(dashboard) => dashboard,
        Err(AppError::Forbidden) => {
            return console.message(
                &state,
                StatusCode::FORBIDDEN,
                "console.forbidden.title",
                "console.dashboard.managers_only",
            );
        }
        Err(error) => return refused(&console, &state, error),
    };
    if params.format.as_deref() == Some("csv") {
        let chart = params.chart.as_deref().unwrap_or("days");
        if !CHARTS.contains(&chart) {
            return console.message(
                &state,
                StatusCode::BAD_REQUEST,
                "console.dashboard.title",
                "console.dashboard.bad",
            );
        }
        return csv(lang, &dashboard, chart);
    }
    let money = |minor: i64| Money::new(minor, dashboard.currency).display();
    let filter = format!(
        "days={}{}",
        dashboard.days,
        dashboard.site_id.as_ref().map(|id| format!("&site_id={}", super::view::urlencode(id))).unwrap_or_default()
    );
    let charts: Vec<Value> = CHARTS
        .iter()
        .map(|chart| {
            let rows = rows(lang, &dashboard, chart);
            // Sales are drawn, except for the refusals (a count) and products (units).
            let by_count = matches!(*chart, "rejections" | "products");
            let values: Vec<(String, i64, String)> = rows
                .iter()
                .map(|(label, count, gross)| match (by_count, gross) {
                    (false, Some(gross)) => (label.clone(), *gross, money(*gross)),
                    _ => (label.clone(), *count, count.to_string()),
                })
                .collect();
            let title = lang.text(&format!("console.dashboard.chart.{chart}"), &[]);
            let shape = if matches!(*chart, "days" | "hours") { Shape::Columns } else { Shape::Bars };
            let table: Vec<Value> = rows
                .iter()
                .map(|(label, count, gross)| context! { label => label, count => count, gross => gross.map(money) })
                .collect();
            context! {
                id => chart,
                title => title,
                svg => Value::from_safe_string(svg(shape, &title, &values)),
                count_head => lang.text(&format!("console.dashboard.count.{}", if *chart == "products" { "units" } else { "orders" }), &[]),
                has_gross => *chart != "rejections",
                rows => table,
                empty => rows.is_empty() || rows.iter().all(|(_, count, _)| *count == 0),
                csv => format!("/console/dashboard?{filter}&format=csv&chart={chart}"),
            }
        })
        .collect();
    let sites: Vec<Value> = dashboard
        .sites
        .iter()
        .map(|site| context! { id => site.id, name => site.name, selected => dashboard.site_id.as_deref() == Some(site.id.as_str()) })
        .collect();
    let ctx = context! {
        title => lang.text("console.dashboard.title", &[]),
        days => dashboard.days,
        first_day => dashboard.first_day.to_string(),
        last_day => dashboard.last_day.to_string(),
        timezone => dashboard.timezone,
        sites => sites,
        total_orders => dashboard.total.count,
        total_gross => money(dashboard.total.gross_minor),
        refunds => money(dashboard.refunds_minor),
        avg_accept => dashboard.avg_accept_seconds.map(minutes_and_seconds),
        avg_ready => dashboard.avg_ready_seconds.map(minutes_and_seconds),
        avg_collect => dashboard.avg_collect_seconds.map(minutes_and_seconds),
        avg_prep => dashboard.avg_prep_minutes,
        empty => dashboard.total.count == 0 && dashboard.rejections.is_empty(),
        charts => charts,
    };
    console.page(&state, "dashboard.html", StatusCode::OK, ctx)
}

/// `m:ss`, how the dashboard shows an average duration.
fn minutes_and_seconds(seconds: i64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(cell("Roll \"grande\""), "\"Roll \"\"grande\"\"\"");
        assert_eq!(cell("=SUM(A1)"), "\"'=SUM(A1)\"");
    }
}
