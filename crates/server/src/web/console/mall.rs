//! The mall-wide view (`/console/sites/{id}`, admins): every location of a site at once with
//! its state (open, paused until when, closed by its hours, switched off), how many parts it
//! still has to hand over and how many of them are late, and buttons to pause it or resume it
//! (`PATCH /api/v1/locations/{id}` with `pause_minutes`, as the switches page does). The page
//! refetches itself every few seconds (`mall.js`), so it follows every kitchen without a
//! stream per location.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::console::mall::MallView;

use super::pages::{refused, state_of};
use super::session::ConsoleUser;
use super::view::console_messages;
use crate::state::AppState;

/// How often the page refetches itself, in seconds.
const REFRESH_SECONDS: u64 = 10;

/// `GET /console/sites/{id}`: the site's locations with their state, queue and late parts.
pub(super) async fn mall(State(state): State<AppState>, console: ConsoleUser, Path(id): Path<String>) -> Response {
    let MallView { site, locations, now_ms } = match state.app.mall_view(&console.user, &id).await {
        Ok(view) => view,
        Err(error) => return refused(&console, &state, error),
    };
    let lang = console.lang;
    let (mut queue, mut late, mut paused) = (0, 0, 0);
    let rows: Vec<Value> = locations
        .iter()
        .map(|row| {
            // Switched off is told apart from closed by its hours: only an operator turns it back on.
            let (status, text) = if row.location.is_open {
                state_of(lang, &row.location, &site.timezone, now_ms)
            } else {
                ("off", lang.text("console.mall.off", &[]))
            };
            queue += row.queue;
            late += row.late;
            paused += usize::from(status == "paused");
            context! {
                id => row.location.id,
                name => row.location.name,
                state => status,
                state_text => text,
                queue => row.queue,
                late => row.late,
            }
        })
        .collect();
    let page_data = serde_json::json!({
        "site_id": site.id,
        "timezone": site.timezone,
        "lang": lang.code(),
        "refresh_seconds": REFRESH_SECONDS,
        "messages": console_messages(lang),
    });
    let ctx = context! {
        title => lang.text("console.mall.title", &[("site", site.name.clone())]),
        site => context! { id => site.id, name => site.name },
        locations => rows,
        totals => context! { queue => queue, late => late, paused => paused },
        page_data => page_data,
    };
    console.page(&state, "mall.html", StatusCode::OK, ctx)
}
