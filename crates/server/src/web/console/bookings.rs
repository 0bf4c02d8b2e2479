//! The staff's schedule in the console (issue 19 point 5): `/console/bookings` shows one
//! location's day as a grid (rows: its tables, staff and rooms; columns: the hours) or its
//! week, each booking a block with its guest, party or service and status, and buttons to seat,
//! complete, mark a no-show or cancel; a walk-in form; blocks dragged to another time or table.
//!
//! The page is a shell: its script (`assets/console-bookings.js`) reads and writes through the
//! JSON API with the session (`/locations/{id}/bookings`, `/bookings/{id}/status`,
//! `/locations/{id}/walk-ins`, `/bookings/{id}/move`), so who may do what is decided once, in the
//! use cases, and follows the location's live feed (`/locations/{id}/events`, whose booking
//! events carry no customer data) to reload when a booking is made, moved or cancelled.
//! Staff see their own location; managers and admins pick one of the merchant's.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use minijinja::context;
use omnicanal_app::console::pages::RecordsScope;
use omnicanal_domain::access::Role;
use omnicanal_store::LocationRow;
use serde::Deserialize;

use super::pages::refused;
use super::session::ConsoleUser;
use super::view::console_messages;
use super::{CSS, JS};
use crate::state::AppState;
use crate::web::asset;

/// The page's template, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 1] =
    [("bookings.html", include_str!("../../../templates/console/bookings.html"))];

/// The zone a page without a location reads dates in (nothing is shown then).
const NO_SITE_TIMEZONE: &str = "UTC";

/// The page, its script and its styles.
pub(super) fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/console/bookings", get(schedule))
        .route("/static/console/bookings.js", get(|| asset(include_str!("../../../assets/console-bookings.js"), JS)))
        .route("/static/console/bookings.css", get(|| asset(include_str!("../../../assets/console-bookings.css"), CSS)))
}

/// Which location, merchant (admins) and day.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ScheduleQuery {
    merchant_id: Option<String>,
    location_id: Option<String>,
    date: Option<String>,
}

/// The location a bookings page shows (the one asked for if the caller may see it, else the
/// first), the zone its dates are read in, and today there.
pub(super) struct LocationDay<'a> {
    pub location: Option<&'a LocationRow>,
    pub timezone: String,
    pub today: String,
}

/// Shared by the schedule and the set-up page, so both open on the same location and day.
pub(super) fn location_day<'a>(scope: &'a RecordsScope, asked: Option<&str>) -> LocationDay<'a> {
    let asked = asked.map(str::trim).unwrap_or_default();
    let location = scope.locations.iter().find(|location| location.id == asked).or_else(|| scope.locations.first());
    let timezone = scope.home.as_ref().map_or(NO_SITE_TIMEZONE.to_owned(), |home| home.timezone.clone());
    let zone = timezone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    let today = omnicanal_app::console::day::local_date(zone, scope.now_ms).to_string();
    LocationDay { location, timezone, today }
}

/// `GET /console/bookings`: a location's schedule.
pub(super) async fn schedule(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<ScheduleQuery>,
) -> Response {
    let scope = match state.app.records_scope(&console.user, query.merchant_id.as_deref()).await {
        Ok(scope) => scope,
        Err(error) => return refused(&console, &state, error),
    };
    let LocationDay { location, timezone, today } = location_day(&scope, query.location_id.as_deref());
    let date = query
        .date
        .as_deref()
        .map(str::trim)
        .filter(|raw| chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").is_ok())
        .map_or(today.clone(), str::to_owned);
    let lang = console.lang;
    let page_data = serde_json::json!({
        "location_id": location.map(|location| location.id.clone()),
        "timezone": timezone,
        "today": today,
        "date": date,
        "lang": lang.code(),
        "messages": console_messages(lang),
    });
    let locations: Vec<minijinja::Value> =
        scope.locations.iter().map(|l| context! { id => l.id, name => l.name }).collect();
    let ctx = context! {
        title => lang.text("console.bookings.title", &[]),
        locations => locations,
        location_id => location.map(|location| location.id.clone()),
        merchant_id => scope.merchant_id,
        choose_location => console.user.role != Role::Staff && scope.locations.len() > 1,
        date => date,
        page_data => page_data,
    };
    console.page(&state, "bookings.html", StatusCode::OK, ctx)
}
