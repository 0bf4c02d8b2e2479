//! "Envíos" (`/console/locations/{id}/shipments`): the endless aisle's deliveries leaving this
//! location (issue 17 point 7), oldest first, filtered by status, a page at a time — each with
//! its order, recipient and address, its tracking reference once shipped, and a button per
//! step the shipment may take next (shipping asks for the carrier's tracking reference).
//! Each button is a plain form posted here with the session's CSRF token, calling the same use
//! case as `POST /api/v1/shipments/{id}/steps` (the customer is told of each step), so the page
//! has exactly the API's roles and isolation and works without scripts at 360 px. Kept in its
//! own module, template and catalog files (`console-shipments.<lang>.json`).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::aisle::shipments::ShipmentStepCommand;
use omnicanal_domain::shipment::ShipmentStatus;
use serde::Deserialize;

use super::forms::{page_number, pager_links, see_other, store_page};
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::auth;
use crate::state::AppState;

/// The shipments page's template, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 1] =
    [("shipments.html", include_str!("../../../templates/console/shipments.html"))];

/// Shipments a page shows.
const PER_PAGE: i64 = 20;

/// The shipments page's routes.
pub(super) fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/console/locations/{id}/shipments", get(page))
        .route("/console/locations/{id}/shipments/{shipment_id}/step", post(step))
}

/// `?status=&page=&done=&refused=`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ShipmentsQuery {
    status: Option<String>,
    page: Option<String>,
    done: Option<String>,
    refused: Option<String>,
}

/// `GET /console/locations/{id}/shipments`.
async fn page(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    Query(query): Query<ShipmentsQuery>,
) -> Response {
    let location = match state.app.console_location(&console.user, &id).await {
        Ok(found) => found.location,
        Err(error) => return refused(&console, &state, error),
    };
    let status = query.status.as_deref().and_then(|raw| ShipmentStatus::parse(raw).ok());
    let number = page_number(query.page.as_deref());
    let mut store_page = store_page(number, PER_PAGE);
    // One more than shown, to know whether a next page exists.
    store_page.limit += 1;
    let mut shipments = match state.app.location_shipments(&console.user, &id, status, store_page).await {
        Ok(list) => list,
        Err(error) => return refused(&console, &state, error),
    };
    let has_next = shipments.len() > usize::try_from(PER_PAGE).unwrap_or(usize::MAX);
    shipments.truncate(usize::try_from(PER_PAGE).unwrap_or(usize::MAX));
    let lang = console.lang;
    let rows: Vec<Value> = shipments
        .into_iter()
        .map(|shipment| {
            let steps: Vec<Value> = shipment
                .status
                .next_statuses()
                .iter()
                .map(|next| {
                    context! {
                        to => next.as_str(),
                        label => lang.text(&format!("console.shipments.do.{}", next.as_str()), &[]),
                        needs_tracking => *next == ShipmentStatus::Shipped,
                    }
                })
                .collect();
            let address = &shipment.address;
            context! {
                id => shipment.id,
                order_id => shipment.order_id,
                status => shipment.status.as_str(),
                status_text => lang.text(&format!("console.shipments.status.{}", shipment.status.as_str()), &[]),
                recipient => shipment.recipient_name,
                phone => shipment.recipient_phone,
                address => format!("{} {}, {}", address.street, address.number, address.district),
                reference => address.reference,
                tracking => shipment.tracking_reference,
                steps => steps,
            }
        })
        .collect();
    let filter = status.map(ShipmentStatus::as_str).unwrap_or_default();
    let base = format!("/console/locations/{}/shipments?status={}", urlencode(&location.id), urlencode(filter));
    let (previous, next) = pager_links(number, has_next, |n| format!("{base}&page={n}"));
    let filters: Vec<Value> = std::iter::once(("", lang.text("console.shipments.filter.all", &[])))
        .chain(
            ShipmentStatus::ALL
                .iter()
                .map(|s| (s.as_str(), lang.text(&format!("console.shipments.status.{}", s.as_str()), &[]))),
        )
        .map(|(value, label)| context! { value => value, label => label, current => value == filter })
        .collect();
    let done = query
        .done
        .as_deref()
        .and_then(|to| ShipmentStatus::parse(to).ok())
        .map(|to| lang.text(&format!("console.shipments.done.{}", to.as_str()), &[]));
    let problem = match query.refused.as_deref() {
        Some("tracking") => Some(lang.text("console.shipments.refused.tracking", &[])),
        Some(_) => Some(lang.text("console.shipments.refused.moved", &[])),
        None => None,
    };
    let ctx = context! {
        title => lang.text("console.shipments.heading", &[("location", location.name.clone())]),
        location => context! { id => location.id, name => location.name },
        shipments => rows,
        filters => filters,
        previous => previous,
        next => next,
        done => done,
        problem => problem,
    };
    console.page(&state, "shipments.html", StatusCode::OK, ctx)
}

/// A step's form: its CSRF token, the status and, to ship, the tracking reference.
#[derive(Debug, Deserialize)]
pub(super) struct StepForm {
    csrf: Option<String>,
    to: String,
    tracking_reference: Option<String>,
}

/// `POST /console/locations/{id}/shipments/{shipment_id}/step`.
async fn step(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path((location_id, shipment_id)): Path<(String, String)>,
    Form(form): Form<StepForm>,
) -> Response {
    if !auth::session_csrf_matches(&headers, form.csrf.as_deref()) {
        return console.message(&state, StatusCode::FORBIDDEN, "console.forbidden.title", "console.login.csrf");
    }
    let back = format!("/console/locations/{}/shipments", urlencode(&location_id));
    let moved = match ShipmentStepCommand::parse(&form.to, form.tracking_reference.as_deref()) {
        Ok(command) => state.app.step_shipment(&console.user, &shipment_id, command).await,
        Err(error) => Err(error),
    };
    match moved {
        Ok(shipment) if shipment.location_id == location_id => {
            see_other(&format!("{back}?done={}", shipment.status.as_str()))
        }
        Ok(_) => refused(&console, &state, AppError::NotFound("shipment")),
        Err(AppError::Invalid(_)) => see_other(&format!("{back}?refused=tracking")),
        Err(AppError::Conflict(_)) => see_other(&format!("{back}?refused=moved")),
        Err(error) => refused(&console, &state, error),
    }
}
