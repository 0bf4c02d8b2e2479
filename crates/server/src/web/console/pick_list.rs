//! "Por preparar" (`/console/locations/{id}/pick-list`): a store's click & collect pick list
//! (issue 17 point 4) — each order still to pick with its lines (name, SKU, barcode,
//! quantity), its customer and how long ago it was ordered, oldest first, a page at a time —
//! and a "Listo para retirar" button per order. The button is a plain form posted here with
//! the session's CSRF token, calling the same use case as `POST /api/v1/fulfillments/{id}/picked`
//! (the customer is told it is ready as for any ready order), so the page has exactly the
//! API's roles and isolation. Kept in its own module, template and catalog files
//! (`console-pickup.<lang>.json`) so it grows without touching the other pages.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use omnicanal_app::click_collect::PickList;
use serde::Deserialize;

use super::forms::{page_number, pager_links, see_other, store_page};
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::auth;
use crate::state::AppState;

/// The pick list page's template, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 1] =
    [("pick_list.html", include_str!("../../../templates/console/pick_list.html"))];

/// Orders a page shows.
const PER_PAGE: i64 = 20;

/// The pick list's routes.
pub(super) fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/console/locations/{id}/pick-list", get(page))
        .route("/console/locations/{id}/pick-list/{fulfillment_id}/picked", post(picked))
}

/// `?page=&done=`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct PickListQuery {
    page: Option<String>,
    done: Option<String>,
}

/// `GET /console/locations/{id}/pick-list`.
async fn page(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    Query(query): Query<PickListQuery>,
) -> Response {
    let number = page_number(query.page.as_deref());
    let mut store_page = store_page(number, PER_PAGE);
    // One more than shown, to know whether a next page exists.
    store_page.limit += 1;
    let PickList { location, mut entries, .. } = match state.app.pick_list(&console.user, &id, store_page).await {
        Ok(list) => list,
        Err(error) => return refused(&console, &state, error),
    };
    let has_next = entries.len() > usize::try_from(PER_PAGE).unwrap_or(usize::MAX);
    entries.truncate(usize::try_from(PER_PAGE).unwrap_or(usize::MAX));
    let lang = console.lang;
    let orders: Vec<Value> = entries
        .into_iter()
        .map(|entry| {
            let part = &entry.row.part;
            let lines: Vec<Value> = part
                .lines
                .iter()
                .map(|line| {
                    context! {
                        name => line.pricing.name.clone().unwrap_or_else(|| line.sku.clone()),
                        sku => line.sku,
                        barcode => entry.barcodes.get(&line.sku).cloned(),
                        quantity => line.quantity,
                    }
                })
                .collect();
            context! {
                id => part.id,
                number => entry.row.order_number,
                customer => entry.row.customer_name,
                phone => entry.row.customer_phone,
                age => lang.text("console.pickup.age", &[("minutes", entry.age_minutes.to_string())]),
                status => lang.text(&format!("console.status.{}", part.status), &[]),
                paid => lang.text(&format!("console.pickup.payment.{}", entry.row.payment_method.as_str()), &[]),
                lines => lines,
            }
        })
        .collect();
    let base = format!("/console/locations/{}/pick-list", urlencode(&location.id));
    let (previous, next) = pager_links(number, has_next, |n| format!("{base}?page={n}"));
    let done = query.done.filter(|done| done == "picked").map(|_| lang.text("console.pickup.done", &[]));
    let ctx = context! {
        title => lang.text("console.pickup.heading", &[("location", location.name.clone())]),
        location => context! { id => location.id, name => location.name },
        orders => orders,
        previous => previous,
        next => next,
        done => done,
    };
    console.page(&state, "pick_list.html", StatusCode::OK, ctx)
}

/// The "ready" form: its CSRF token.
#[derive(Debug, Deserialize)]
pub(super) struct PickedForm {
    csrf: Option<String>,
}

/// `POST /console/locations/{id}/pick-list/{fulfillment_id}/picked`.
async fn picked(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path((location_id, fulfillment_id)): Path<(String, String)>,
    Form(form): Form<PickedForm>,
) -> Response {
    if !auth::session_csrf_matches(&headers, form.csrf.as_deref()) {
        return console.message(&state, StatusCode::FORBIDDEN, "console.forbidden.title", "console.login.csrf");
    }
    match state.app.mark_picked(&console.user, &fulfillment_id).await {
        Ok(part) if part.location_id == location_id => {
            see_other(&format!("/console/locations/{}/pick-list?done=picked", urlencode(&location_id)))
        }
        Ok(_) => refused(&console, &state, omnicanal_app::AppError::NotFound("fulfillment")),
        Err(error) => refused(&console, &state, error),
    }
}
