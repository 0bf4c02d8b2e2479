//! The store's side of the support desk in the console (issue 18 point 1): `/console/support`
//! lists the tickets the caller may see (a manager their merchant's, staff their location's)
//! and `/console/support/{id}` reads one and answers it. The pages are shells: their script
//! (`assets/console-support.js`) reads and writes through the same API the till uses, so who
//! sees what is decided once, in the use cases (another merchant's ticket is a 404 there).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::session::ConsoleUser;
use super::view::console_messages;
use crate::state::AppState;

/// The page's template, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 1] =
    [("support.html", include_str!("../../../templates/console/support.html"))];

fn support_page(state: &AppState, console: &ConsoleUser, ticket_id: Option<String>) -> Response {
    let lang = console.lang;
    let page_data = serde_json::json!({
        "ticket_id": ticket_id,
        "location_id": console.user.location_id,
        "lang": lang.code(),
        "messages": console_messages(lang),
    });
    let ctx = context! {
        title => lang.text("console.support.title", &[]),
        page_data => page_data,
    };
    console.page(state, "support.html", StatusCode::OK, ctx)
}

/// `GET /console/support`: the caller's tickets.
pub(super) async fn tickets(State(state): State<AppState>, console: ConsoleUser) -> Response {
    support_page(&state, &console, None)
}

/// `GET /console/support/{id}`: one ticket, to read and answer.
pub(super) async fn ticket(State(state): State<AppState>, console: ConsoleUser, Path(id): Path<String>) -> Response {
    support_page(&state, &console, Some(id))
}
