//! The agents' console (issue 18 points 1–4): the queue at `/support`, one ticket at
//! `/support/tickets/{id}` and the desk's macros at `/support/macros`.
//!
//! The pages are thin shells: the server checks the role (support agents and admins; anyone
//! else gets the console's 403 page) and hands the script the stores' names, the agent's id and
//! the texts; `support-queue.js`, `support-ticket.js` and `support-macros.js` then read and
//! change everything through the same JSON API the desk's other clients use
//! (`/api/v1/support/…`, session cookie + `X-CSRF-Token`), and follow
//! `/api/v1/support/events` (SSE) so a new or changed ticket shows without a reload. That keeps
//! one set of rules — the API's — for what an agent may do.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use omnicanal_domain::access::Role;

use super::forms::forbidden;
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::console_messages;
use crate::state::AppState;

/// The pages' templates, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 4] = [
    ("support_nav.html", include_str!("../../../templates/console/support_nav.html")),
    ("support_queue.html", include_str!("../../../templates/console/support_queue.html")),
    ("support_ticket.html", include_str!("../../../templates/console/support_ticket.html")),
    ("support_macros.html", include_str!("../../../templates/console/support_macros.html")),
];

/// The roles that work the desk.
const DESK_ROLES: [Role; 2] = [Role::SupportAgent, Role::Admin];

/// The console's 403 page for anyone who does not work the desk.
fn not_desk(console: &ConsoleUser, state: &AppState) -> Option<Response> {
    (!DESK_ROLES.contains(&console.user.role)).then(|| forbidden(console, state, "console.support.forbidden"))
}

/// What every desk page hands its script: who is signed in, the stores by id, the texts.
pub(super) async fn desk_page_data(state: &AppState, console: &ConsoleUser) -> Result<serde_json::Value, Response> {
    let stores = state.app.console_locations(&console.user).await.map_err(|error| refused(console, state, error))?;
    let stores: Vec<serde_json::Value> = stores
        .locations
        .iter()
        .map(|(location, site)| {
            serde_json::json!({
                "id": location.id, "name": location.name, "merchant_id": location.merchant_id,
                "timezone": site.timezone,
            })
        })
        .collect();
    Ok(serde_json::json!({
        "me": { "id": console.user.id, "email": console.user.email },
        "stores": stores,
        "lang": console.lang.code(),
        "messages": console_messages(console.lang),
    }))
}

/// `GET /support`: the queue (`support-queue.js`).
pub(super) async fn queue(State(state): State<AppState>, console: ConsoleUser) -> Response {
    if let Some(refusal) = not_desk(&console, &state) {
        return refusal;
    }
    let data = match desk_page_data(&state, &console).await {
        Ok(data) => data,
        Err(page) => return page,
    };
    let ctx =
        context! { title => console.lang.text("console.support.queue.title", &[]), page_data => data, desk => "queue" };
    console.page(&state, "support_queue.html", StatusCode::OK, ctx)
}

/// `GET /support/tickets/{id}`: one ticket (`support-ticket.js`); another merchant's or a
/// missing ticket is the 404 page, read through the same use case as the API.
pub(super) async fn ticket(State(state): State<AppState>, console: ConsoleUser, Path(id): Path<String>) -> Response {
    if let Some(refusal) = not_desk(&console, &state) {
        return refusal;
    }
    let found = match state.app.support_ticket_row(&console.user, &id).await {
        Ok(found) => found,
        Err(error) => return refused(&console, &state, error),
    };
    let mut data = match desk_page_data(&state, &console).await {
        Ok(data) => data,
        Err(page) => return page,
    };
    data["ticket_id"] = serde_json::Value::String(found.id.clone());
    let lang = console.lang;
    let ctx = context! {
        title => lang.text("console.support.ticket.title", &[("number", found.number.to_string())]),
        number => found.number,
        page_data => data,
        desk => "ticket",
    };
    console.page(&state, "support_ticket.html", StatusCode::OK, ctx)
}

/// `GET /support/macros`: the desk's canned answers (`support-macros.js`).
pub(super) async fn macros(State(state): State<AppState>, console: ConsoleUser) -> Response {
    if let Some(refusal) = not_desk(&console, &state) {
        return refusal;
    }
    let data = match desk_page_data(&state, &console).await {
        Ok(data) => data,
        Err(page) => return page,
    };
    let ctx = context! { title => console.lang.text("console.support.macros.title", &[]), page_data => data, desk => "macros" };
    console.page(&state, "support_macros.html", StatusCode::OK, ctx)
}
