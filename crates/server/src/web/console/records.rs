//! The order history (search, filters, pages of 50) and the reports (the day's takings by
//! channel, the settlement of a period with its CSV). The pages carry the filters in their
//! query string, so a result can be bookmarked or reloaded; their scripts read the JSON API.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike as _;
use minijinja::{Value, context};
use omnicanal_app::console::local_day_start_ms;
use omnicanal_app::console::pages::SiteHome;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_store::LocationRow;
use serde::Deserialize;

use super::pages::refused;
use super::session::ConsoleUser;
use super::view::console_messages;
use crate::auth::Role;
use crate::state::AppState;

/// Orders per page of the history.
const PER_PAGE: i64 = 50;
/// The zone dates are read in while no merchant's location is in scope (an admin who has not
/// chosen a merchant, a merchant without locations): there are no records to show then, and
/// the API reads a bare date as midnight UTC, so a typed date means the same to both.
const NO_SITE_TIMEZONE: &str = "UTC";

/// The history's filters (all optional).
#[derive(Debug, Default, Deserialize)]
pub(super) struct HistoryQuery {
    merchant_id: Option<String>,
    location_id: Option<String>,
    q: Option<String>,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
}

/// The reports' choices (all optional).
#[derive(Debug, Default, Deserialize)]
pub(super) struct ReportsQuery {
    merchant_id: Option<String>,
    location_id: Option<String>,
    date: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// Keeps a `YYYY-MM-DD` date, drops anything else.
fn date(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim).filter(|raw| chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").is_ok()).map(str::to_owned)
}

/// Short free text from the query string (search box, ids).
fn text(raw: Option<&str>, max_chars: usize) -> String {
    raw.map(str::trim).unwrap_or_default().chars().take(max_chars).collect()
}

/// The merchant whose records the page shows, the merchants an admin may choose from, and the
/// merchant's locations. `Err` is the page to answer instead.
struct Scope {
    merchant_id: Option<String>,
    merchants: Vec<Value>,
    locations: Vec<LocationRow>,
    timezone: String,
    /// The currency code; `None` while no site is in scope (nothing is counted then).
    currency: Option<String>,
    now_ms: i64,
}

async fn scope(state: &AppState, console: &ConsoleUser, asked: Option<&str>) -> Result<Scope, Response> {
    let scope = state.app.records_scope(&console.user, asked).await.map_err(|error| refused(console, state, error))?;
    let (timezone, currency) = match scope.home {
        Some(SiteHome { timezone, currency }) => (timezone, Some(currency.code().to_owned())),
        None => (NO_SITE_TIMEZONE.to_owned(), None),
    };
    Ok(Scope {
        merchant_id: scope.merchant_id,
        merchants: scope.merchants.iter().map(|m| context! { id => m.id, name => m.name }).collect(),
        locations: scope.locations,
        timezone,
        currency,
        now_ms: scope.now_ms,
    })
}

fn location_options(locations: &[LocationRow]) -> Vec<Value> {
    locations.iter().map(|l| context! { id => l.id, name => l.name }).collect()
}

/// The instant a local day starts in `timezone`, as RFC 3339 UTC: the API reads a bare date as
/// midnight UTC, which is not when a day starts in Santiago or Lima.
fn day_start(timezone: &str, day: &str) -> Option<String> {
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let zone = timezone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    let start = chrono::DateTime::from_timestamp_millis(local_day_start_ms(zone, date))?;
    Some(start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The instant the local day after `day` starts (the end, exclusive, of a range that includes `day`).
fn day_end(timezone: &str, day: &str) -> Option<String> {
    let next = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?.succ_opt()?;
    day_start(timezone, &next.to_string())
}

/// The date in `timezone` at `now_ms`.
fn today(timezone: &str, now_ms: i64) -> chrono::NaiveDate {
    omnicanal_app::console::day::local_date(timezone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC), now_ms)
}

/// `GET /console/orders`: past and current orders of the merchant (staff: of their location),
/// searched by number, customer name or phone (`q`), status and dates, 50 per page.
pub(super) async fn history(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<HistoryQuery>,
) -> Response {
    let scope = match scope(&state, &console, query.merchant_id.as_deref()).await {
        Ok(scope) => scope,
        Err(page) => return page,
    };
    let lang = console.lang;
    let location_id = if console.user.role == Role::Staff {
        console.user.location_id.clone().unwrap_or_default()
    } else {
        let asked = text(query.location_id.as_deref(), 80);
        if scope.locations.iter().any(|l| l.id == asked) { asked } else { String::new() }
    };
    // An unknown status is dropped, like any filter the page cannot offer.
    let status = query.status.as_deref().and_then(|raw| FulfillmentStatus::parse(raw).ok());
    let status = status.map_or("", FulfillmentStatus::as_str);
    let (from, to) = (date(query.from.as_deref()), date(query.to.as_deref()));
    let filters = serde_json::json!({
        "from_at": from.as_deref().and_then(|d| day_start(&scope.timezone, d)),
        "to_at": to.as_deref().and_then(|d| day_end(&scope.timezone, d)),
        "merchant_id": scope.merchant_id,
        "location_id": location_id,
        "q": text(query.q.as_deref(), 100),
        "status": status,
        "from": from,
        "to": to,
        "page": query.page.unwrap_or(1).clamp(1, 10_000),
    });
    let page_data = serde_json::json!({
        "filters": filters,
        "per_page": PER_PAGE,
        "timezone": scope.timezone,
        "currency": scope.currency,
        "lang": lang.code(),
        "messages": console_messages(lang),
    });
    let ctx = context! {
        title => lang.text("console.orders.title", &[]),
        filters => filters,
        statuses => FulfillmentStatus::ALL.map(FulfillmentStatus::as_str),
        merchants => scope.merchants,
        locations => location_options(&scope.locations),
        choose_location => console.user.role != Role::Staff,
        page_data => page_data,
    };
    console.page(&state, "orders.html", StatusCode::OK, ctx)
}

/// `GET /console/reports`: the day's takings by channel and the settlement of a period, with
/// the settlement's CSV (managers and admins; staff get 403).
pub(super) async fn reports(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<ReportsQuery>,
) -> Response {
    if !console.is_manager() {
        return console.message(
            &state,
            StatusCode::FORBIDDEN,
            "console.forbidden.title",
            "console.reports.managers_only",
        );
    }
    let scope = match scope(&state, &console, query.merchant_id.as_deref()).await {
        Ok(scope) => scope,
        Err(page) => return page,
    };
    let lang = console.lang;
    let today = today(&scope.timezone, scope.now_ms);
    let first_of_month = today.with_day0(0).unwrap_or(today);
    let location_id = text(query.location_id.as_deref(), 80);
    let location_id = if scope.locations.iter().any(|l| l.id == location_id) { location_id } else { String::new() };
    let from = date(query.from.as_deref()).unwrap_or_else(|| first_of_month.to_string());
    let to = date(query.to.as_deref()).unwrap_or_else(|| today.to_string());
    let choices = serde_json::json!({
        "merchant_id": scope.merchant_id,
        "location_id": location_id,
        "date": date(query.date.as_deref()).unwrap_or_else(|| today.to_string()),
        "from_at": day_start(&scope.timezone, &from),
        "to_at": day_end(&scope.timezone, &to),
        "from": from,
        "to": to,
    });
    let page_data = serde_json::json!({
        "choices": choices,
        "currency": scope.currency,
        "lang": lang.code(),
        "messages": console_messages(lang),
    });
    let ctx = context! {
        title => lang.text("console.reports.title", &[]),
        choices => choices,
        merchants => scope.merchants,
        locations => location_options(&scope.locations),
        page_data => page_data,
    };
    console.page(&state, "reports.html", StatusCode::OK, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_dates_pass() {
        assert_eq!(date(Some("2025-11-28")), Some("2025-11-28".to_owned()));
        assert_eq!(date(Some("2025-13-01")), None);
        assert_eq!(date(Some("ayer")), None);
        assert_eq!(text(Some("  abcdef  "), 3), "abc");
    }

    #[test]
    fn days_start_at_local_midnight() {
        assert_eq!(day_start("America/Santiago", "2025-07-01").as_deref(), Some("2025-07-01T04:00:00Z"));
        // Chile skips midnight when summer time starts: the day begins at 01:00 local (04:00 UTC).
        assert_eq!(day_start("America/Santiago", "2026-09-06").as_deref(), Some("2026-09-06T04:00:00Z"));
        assert_eq!(day_end("America/Santiago", "2026-09-05").as_deref(), Some("2026-09-06T04:00:00Z"));
        assert_eq!(day_end("America/Lima", "2025-07-01").as_deref(), Some("2025-07-02T05:00:00Z"));
        assert_eq!(day_start("UTC", "nope"), None);
    }
}
