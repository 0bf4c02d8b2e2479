//! The HTTP surface: one router per area under `/api/v1`, plus health and OpenAPI (the docs
//! page that reads it is one of the pages, [`crate::web`]).
//!
//! To add a route: write the handler with a `#[utoipa::path]` in its area's
//! module and list it in that module's `router()`; it then appears in
//! `/api/openapi.json` by itself.

pub mod aisle;
pub mod aisle_orders;
pub mod audit_log;
pub mod auth;
pub mod availability;
pub mod catalog;
pub mod catalog_admin;
pub mod click_collect;
pub mod connections;
pub mod console;
pub mod credit;
pub mod customers;
pub mod documents;
pub mod error_responses;
pub mod events;
pub mod fulfillments;
pub mod import_jobs;
pub mod imports;
pub mod orders;
pub mod parameter_shapes;
pub mod payments;
pub mod pickup_changes;
pub mod pos;
pub mod pos_approvals;
pub mod pos_pickups;
pub mod pos_print;
pub mod posters;
pub mod pricing;
pub mod product_gallery;
pub mod product_photos;
pub mod push;
pub mod retail_catalogue;
pub mod returns;
pub mod setup;
pub mod stock;
pub mod stock_conflicts;
pub mod support_reports;
pub mod support_sla;
pub mod support_tickets;
pub mod support_till_help;
pub mod till_catalog;
pub mod transfers;
pub mod user_admin;
pub mod users;
pub mod webhooks;
pub mod webshop;
// The support desk's knowledge base (issue 18 point 4).
pub mod support_knowledge;
// Incidents before anyone calls (issue 18 point 5).
pub mod support_incidents;
// The support desk's macros (issue 18 point 2).
pub mod support_macros;
// The on-call rota and agents' push subscriptions (issue 18 point 3).
pub mod support_on_call;
// Bookings, never double-booked (issue 19).
pub mod bookings;
// Bookings' setup, exceptions, performers, places and "nearest" (issue 19, bkavail).
pub mod booking_setup;
// A booking's life: confirm a hold, reschedule, move, calendar file (issue 19 point 3).
pub mod booking_manage;
// The staff's schedule: listing, stats, status moves, walk-ins (issue 19 point 5).
pub mod booking_staff;
// Reminders before a booking (issue 19 point 4).
pub mod booking_reminders;
// The deposit told before booking (issue 19 point 3).
pub mod booking_deposit_quote;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::idempotency::{MAX_BODY_BYTES, idempotency_layer};
use crate::state::AppState;
use omnicanal_app::AppError;
use omnicanal_app::events::health::Health;

#[derive(OpenApi)]
#[openapi(
    info(title = "Omnicanal API", description = "One stock, one price, one order across every channel."),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign in"),
        (name = "setup", description = "Sites, merchants, locations and users"),
        (name = "catalog", description = "Products and variants"),
        (name = "stock", description = "The stock ledger and its live feed"),
        (name = "ordering", description = "Menus and orders (public)"),
        (name = "fulfilment", description = "Each location's part of an order"),
        (name = "console", description = "The merchant console: live queue, sold-out switches, search, takings"),
        (name = "pricing", description = "Quotes, price lists, promotions, coupons, receipts"),
        (name = "webhooks", description = "Signed event deliveries"),
        (name = "payments", description = "Captures, refunds and voids owed to the card provider"),
        (name = "connections", description = "Shop connections: WooCommerce, PrestaShop, Magento 2 and Shopify kept in step"),
        (name = "pos", description = "The store's till: tills, cash sessions, sales kept exactly once, receipt series"),
        (name = "webshop", description = "The merchant's own web shop: catalogue, availability per store, checkout"),
        (name = "credit", description = "Store credit and gift cards: balances that never go below zero"),
        (name = "customers", description = "Customer accounts: sign-in by link or password, one history across channels"),
        (name = "returns", description = "Returns and exchanges in any store, the return policy, credit notes"),
        (name = "support", description = "The support desk: tickets with the till's context, SLAs in store time, knowledge base, incidents"),
        (name = "bookings", description = "Tables and appointments: resources, services, free slots, bookings never double-booked"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole application router.
pub fn app(state: AppState) -> Router {
    let moves_money_or_stock = OpenApiRouter::new()
        .merge(orders::write_router())
        .merge(stock::write_router())
        .merge(fulfillments::write_router())
        .merge(pos::write_router())
        .merge(stock_conflicts::write_router())
        .merge(pos_approvals::write_router())
        .merge(pos_pickups::write_router())
        .merge(click_collect::write_router())
        .merge(pickup_changes::write_router())
        .merge(webshop::write_router())
        .merge(credit::write_router())
        .merge(returns::write_router())
        .merge(aisle_orders::write_router())
        // Inside the idempotency layer, so a panic becomes a 500 that releases the key's claim.
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn_with_state(state.clone(), idempotency_layer));
    let api = OpenApiRouter::new()
        .merge(auth::router())
        .merge(setup::router())
        .merge(users::router())
        .merge(user_admin::router())
        .merge(audit_log::router())
        .merge(catalog::router())
        .merge(catalog_admin::router())
        .merge(stock::read_router())
        .merge(availability::router())
        .merge(orders::read_router())
        .merge(fulfillments::read_router())
        .merge(console::router())
        .merge(events::router())
        .merge(webhooks::router())
        .merge(imports::router())
        .merge(import_jobs::router())
        .merge(pricing::router())
        .merge(documents::router())
        .merge(posters::router())
        .merge(push::router())
        .merge(payments::router())
        .merge(pos::router())
        .merge(stock_conflicts::router())
        .merge(pos_print::router())
        .merge(pos_approvals::router())
        .merge(pos_pickups::router())
        .merge(till_catalog::router())
        .merge(product_photos::router())
        .merge(connections::router())
        .merge(click_collect::router())
        .merge(pickup_changes::router())
        .merge(webshop::router())
        .merge(credit::router())
        .merge(customers::router())
        .merge(returns::router())
        .merge(aisle::router())
        .merge(retail_catalogue::router())
        .merge(product_gallery::router())
        .merge(aisle_orders::router())
        .merge(support_tickets::router())
        .merge(support_reports::router())
        .merge(support_sla::router())
        .merge(support_knowledge::router())
        .merge(support_incidents::router())
        // The support desk's macros (issue 18 point 2).
        .merge(support_macros::router())
        .merge(support_till_help::router())
        // The on-call rota and agents' push subscriptions (issue 18 point 3).
        .merge(support_on_call::router())
        .merge(bookings::router())
        .merge(booking_setup::router())
        .merge(booking_manage::router())
        // The staff's schedule (issue 19 point 5).
        .merge(booking_staff::router())
        .merge(booking_reminders::router())
        .merge(booking_deposit_quote::router())
        .merge(moves_money_or_stock);
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", api).split_for_parts();
    // After the routes are in: the ApiDoc's own modifiers run before any path exists.
    error_responses::ErrorResponses.modify(&mut openapi);
    parameter_shapes::ParameterShapes.modify(&mut openapi);
    router
        .route("/api/openapi.json", get(move || async move { Json(openapi) }))
        .route("/healthz", get(healthz))
        .merge(push::assets_router())
        .merge(product_photos::media_router())
        .merge(product_gallery::media_router())
        .merge(crate::web::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Outside the routes, so the body limit's and every extractor's refusal passes through it.
        .layer(axum::middleware::from_fn(crate::rejections::problems_for_rejections))
        .layer(CatchPanicLayer::custom(panic_response))
        // Spans carry the path but never the query string: `?token=` is a customer's secret.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<axum::body::Body>| {
            tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
        }))
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.app.health().await {
        Health::Ok => (StatusCode::OK, Json(serde_json::json!({"status": "ok"}))),
        Health::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({"status": "unavailable"}))),
    }
}

/// A handler that panicked answers a 500 problem; the panic is logged, never sent.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "unknown panic".to_owned());
    ApiError::from(AppError::Internal(format!("handler panicked: {message}").into())).into_response()
}

/// An unknown route: a problem document under `/api`, a page in the visitor's language elsewhere.
async fn not_found(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::from(AppError::NotFound("route")).into_response();
    }
    crate::web::unknown_page(&uri, &headers)
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
