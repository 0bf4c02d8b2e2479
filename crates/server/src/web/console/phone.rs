//! The phone order page: a clerk of a location (or its merchant's manager) takes an order over
//! the phone. The page is rendered with what it needs to start (the location, its site, whether
//! it takes payment at pickup); its script reads the menu and the pickup slots from the public
//! API and places the order through `POST /api/v1/locations/{id}/phone-orders`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use omnicanal_app::console::pages::SiteLocation;

use super::pages::{refused, state_of};
use super::session::ConsoleUser;
use super::view::console_messages;
use crate::state::AppState;

/// `GET /console/locations/{id}/phone`: the phone order form of a location.
pub(super) async fn phone_order(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
) -> Response {
    let SiteLocation { location, site } = match state.app.console_location(&console.user, &id).await {
        Ok(found) => found,
        Err(error) => return refused(&console, &state, error),
    };
    let lang = console.lang;
    let (status, status_text) = state_of(lang, &location, &site.timezone, state.app.now_ms());
    let page_data = serde_json::json!({
        "location_id": location.id,
        "site_id": site.id,
        "pay_at_pickup": location.pay_at_pickup,
        "timezone": site.timezone,
        "currency": site.currency,
        "lang": lang.code(),
        "messages": console_messages(lang),
    });
    let ctx = context! {
        title => lang.text("console.phone.title", &[("location", location.name.clone())]),
        location => context! { id => location.id, name => location.name },
        status => status,
        status_text => status_text,
        pay_at_pickup => location.pay_at_pickup,
        page_data => page_data,
    };
    console.page(&state, "phone.html", StatusCode::OK, ctx)
}
