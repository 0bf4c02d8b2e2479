//! Setting bookings up in the console (issue 19 points 1 to 4): `/console/bookings/setup` lets
//! a location's manager (or an admin; staff may not) keep its tables, staff and rooms with their
//! zone, combinable group and working week; its exception days (holidays, days off, special
//! hours); the merchant's services with their price, deposit and who performs them; and the
//! location's booking rules and place. Before this page that was only possible with curl.
//!
//! The page is a shell, like the schedule (`bookings.rs`): its script
//! (`assets/console-booking-setup.js`) reads and writes through the JSON API with the session
//! (`/locations/{id}/resources`, `/resources/{id}/details`, `/locations/{id}/booking-exceptions`,
//! `/services`, `/services/{id}/performers`, `/locations/{id}/booking-settings`,
//! `/locations/{id}/place`), so who may change what is decided once, in the use cases; a 422's
//! field is told next to its input in the catalogue's words. This module only picks the
//! location, refuses staff, and hands the script the location, its currency and the texts.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use minijinja::context;
use omnicanal_domain::access::Role;
use serde::Deserialize;

use super::bookings::{LocationDay, location_day};
use super::forms::not_manager;
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::console_messages;
use super::{CSS, JS};
use crate::state::AppState;
use crate::web::asset;

/// The page's template, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 1] =
    [("booking_setup.html", include_str!("../../../templates/console/booking_setup.html"))];

/// The page, its script and its styles.
pub(super) fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/console/bookings/setup", get(setup_page))
        .route(
            "/static/console/booking-setup.js",
            get(|| asset(include_str!("../../../assets/console-booking-setup.js"), JS)),
        )
        .route(
            "/static/console/booking-setup.css",
            get(|| asset(include_str!("../../../assets/console-booking-setup.css"), CSS)),
        )
}

/// Which merchant (admins) and location; `location` is accepted as a short name of `location_id`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SetupQuery {
    merchant_id: Option<String>,
    #[serde(alias = "location")]
    location_id: Option<String>,
}

/// `GET /console/bookings/setup`: a location's bookings set-up.
pub(super) async fn setup_page(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<SetupQuery>,
) -> Response {
    if let Some(page) = not_manager(&console, &state, "console.booking_setup.forbidden") {
        return page;
    }
    let scope = match state.app.records_scope(&console.user, query.merchant_id.as_deref()).await {
        Ok(scope) => scope,
        Err(error) => return refused(&console, &state, error),
    };
    let LocationDay { location, timezone, today } = location_day(&scope, query.location_id.as_deref());
    let currency = scope.home.as_ref().map(|home| home.currency.code());
    let lang = console.lang;
    let page_data = serde_json::json!({
        "location_id": location.map(|location| location.id.clone()),
        "merchant_id": location.map(|location| location.merchant_id.clone()),
        "currency": currency,
        "timezone": timezone,
        "today": today,
        "lang": lang.code(),
        "messages": console_messages(lang),
    });
    let locations: Vec<minijinja::Value> =
        scope.locations.iter().map(|l| context! { id => l.id, name => l.name }).collect();
    let merchants: Vec<minijinja::Value> =
        scope.merchants.iter().map(|m| context! { id => m.id, name => m.name }).collect();
    let ctx = context! {
        title => lang.text("console.booking_setup.title", &[]),
        locations => locations,
        location_id => location.map(|location| location.id.clone()),
        location_name => location.map(|location| location.name.clone()),
        merchant_id => scope.merchant_id,
        merchants => merchants,
        choose_merchant => console.user.role == Role::Admin,
        choose_location => scope.locations.len() > 1,
        page_data => page_data,
    };
    console.page(&state, "booking_setup.html", StatusCode::OK, ctx)
}
