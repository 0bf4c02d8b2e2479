//! The merchant console: staff and managers sign in (cookie session, CSRF), work the live
//! display of their location, flip sold-out and pause switches, search past orders and read
//! the day's takings and the settlement. Pages are rendered here; everything that changes goes
//! through the JSON API with the session cookie and the `X-CSRF-Token` header.
//!
//! - `session.rs`: sign in and out, the password change, and `ConsoleUser`, the
//!   extractor every other page starts with (no session: a redirect to the login page).
//! - `pages.rs`: the start page, the live display of a location and its switches.
//! - `mall.rs`: the mall-wide view of a site for admins (state, queue, late parts, pause).
//! - `phone.rs`: the phone order form (a clerk takes an order for pickup over the phone).
//! - `support.rs`: the store's support tickets, to follow and answer (issue 18).
//! - `records.rs`: the order history and the reports.
//! - `payments.rs`: the payments the card provider refused for good, and their retry.
//! - `conflicts.rs`: a location's stock conflicts and the manager's three ways to resolve them.
//! - `forms.rs`: what every form page shares — the CSRF check, role gates, the 303 redirect,
//!   a refusal turned into field messages, paging, percentages, the merchant picker, times.
//! - `setup/`: the admin's setup pages: sites, merchants and their locations (issue 15).
//! - `setup_edit.rs`: editing a merchant, and a location's channels (switch, buffer, hold).
//! - `dashboard.rs`: the dashboard's charts, tables and CSV (sales, orders, refusals, products).
//! - `users.rs`: users with roles — list, invitation by link, first password, deactivation.
//! - `pricing/`: price lists, promotions and coupons of a merchant (issue 15 point 2).
//! - `catalog.rs` (+ `catalog_form.rs`, `catalog_categories.rs`): the manager's catalogue — products, variants, categories.
//! - `photos.rs`: a product's photo — upload (multipart with the CSRF field), view, remove.
//! - `stock.rs` (+ `stock/`): a location's stock — levels, counts, receipts, transfers — and the
//!   CSV import jobs with their progress and rejected rows.
//! - `view.rs`: the console's templates and how a page is answered.
//! - `audit.rs`: the audit log — who changed what, before and after (issue 15 point 3).
//! - `connections/`: the merchant's shop connections, a new one, and each one's sync page (issue 16).
//! - `variants.rs`: a product's options and variant grid (issue 17 point 1).
//! - `shop_settings.rs`: the web shop's address and each location's kind (issue 17).
//! - `credit.rs`: gift cards and store credit — issue, list, a customer's ledger, grants, the
//!   expiry policy (issue 17 point 8).
//! - `support_kb.rs`: the knowledge base — the agents' articles and editor at `/support/kb`, an
//!   article at `/support/kb/{id}` (issue 18 point 4).
//! - `support_desk.rs`: the agents' console — the ticket queue at `/support`, a ticket at
//!   `/support/tickets/{id}`, the desk's macros at `/support/macros` (issue 18 points 1–4).
//! - `support_incidents.rs`: the incidents the detector opened, at `/support/incidents`
//!   (issue 18 points 5 and 6).
//! - `bookings.rs`: the staff's schedule of a location's bookings, day and week, live (issue 19
//!   point 5).
//! - `booking_setup.rs`: setting bookings up — resources and their week, exception days,
//!   services and performers, booking rules and place (issue 19 points 1 to 4).

mod audit;
mod catalog;
mod catalog_categories;
mod catalog_form;
mod conflicts;
mod connections;
mod credit;
mod dashboard;
mod forms;
mod mall;
mod pages;
mod payments;
mod phone;
mod photos;
mod pick_list;
mod pricing;
mod records;
mod session;
mod setup;
mod setup_edit;
mod shipments;
mod shop_settings;
mod stock;
mod support_reports;
// The knowledge base's pages (issue 18 point 4).
mod support_kb;
// The agents' console: queue, ticket, macros (issue 18 points 1-4).
mod support;
mod support_desk;
mod users;
mod variants;
mod view;
// SLAs and special days of the support desk (issue 18 point 3).
mod support_sla;
// The desk's incidents page (issue 18 points 5 and 6).
mod support_incidents;
// The staff's schedule of bookings (issue 19 point 5).
mod bookings;
// Setting bookings up (issue 19 points 1 to 4).
mod booking_setup;

use axum::Router;
use axum::routing::{get, post};

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use crate::state::AppState;
use crate::web::asset;
use crate::web::i18n::Lang;

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The console's "not found" page for a path under `/console` that no route knows, for a
/// visitor whose session is not looked at: its link back leads to the sign-in page.
pub fn missing_page(lang: Lang) -> Response {
    view::message(lang, StatusCode::NOT_FOUND, "console.missing.title", "console.missing.text", context! {})
}

/// The console's pages under `/console` and their scripts and styles under `/static/console/`.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(setup::router())
        .merge(setup_edit::router())
        .merge(pricing::router())
        .merge(stock::router())
        // The manager's catalogue (issue 15 point 2).
        .merge(catalog::router())
        // A product's photo (issue 15 point 2).
        .merge(photos::router())
        // Shop connections (issue 16 point 7).
        .merge(connections::router())
        // The click & collect pick list (issue 17 point 4).
        .merge(pick_list::router())
        // A product's variant grid (issue 17 point 1).
        .merge(variants::router())
        // The web shop's address and the locations' kinds (issue 17 points 1 and 2).
        .merge(shop_settings::router())
        // The endless aisle's shipments (issue 17 point 7).
        .merge(shipments::router())
        // Gift cards and store credit (issue 17 point 8).
        .merge(credit::router())
        // The support desk's reports (issue 18 point 6).
        .merge(support_reports::router())
        // SLAs and special days of the support desk (issue 18 point 3).
        .merge(support_sla::router())
        // The desk's incidents page (issue 18 points 5 and 6).
        .merge(support_incidents::router())
        // The staff's schedule of bookings (issue 19 point 5).
        .merge(bookings::router())
        // Setting bookings up (issue 19 points 1 to 4).
        .merge(booking_setup::router())
        .route("/console", get(pages::home))
        .route("/console/login", get(session::login_form).post(session::login))
        .route("/console/logout", post(session::logout))
        .route("/console/account", get(session::account_form).post(session::change_password))
        .route("/console/locations/{id}", get(pages::display))
        .route("/console/locations/{id}/switches", get(pages::switches))
        .route("/console/locations/{id}/phone", get(phone::phone_order))
        .route("/console/support", get(support::tickets))
        .route("/console/support/{id}", get(support::ticket))
        .route("/console/orders", get(records::history))
        .route("/console/reports", get(records::reports))
        .route("/console/dashboard", get(dashboard::dashboard))
        .route("/console/payments", get(payments::list))
        .route("/console/payments/{id}/retry", post(payments::retry))
        .route("/console/locations/{id}/conflicts", get(conflicts::list))
        .route("/console/sites/{id}", get(mall::mall))
        // Users and invitations (issue 15 point 1).
        .route("/console/users", get(users::list))
        .route("/console/users/invite", post(users::invite))
        .route("/console/users/{id}/deactivate", get(users::confirm_deactivate).post(users::deactivate))
        .route("/console/users/{id}/reactivate", post(users::reactivate))
        .route("/console/invite/{token}", get(users::invite_form).post(users::accept))
        // The audit log (issue 15 point 3).
        .route("/console/audit", get(audit::list))
        .route("/static/console/mall.js", get(|| asset(include_str!("../../../assets/console-mall.js"), JS)))
        .route("/console/locations/{id}/conflicts/{conflict_id}/resolve", post(conflicts::resolve))
        .route("/static/console/console.css", get(|| asset(include_str!("../../../assets/console.css"), CSS)))
        .route("/static/console/console.js", get(|| asset(include_str!("../../../assets/console.js"), JS)))
        .route("/static/console/display.js", get(|| asset(include_str!("../../../assets/console-display.js"), JS)))
        .route("/static/console/switches.js", get(|| asset(include_str!("../../../assets/console-switches.js"), JS)))
        .route("/static/console/orders.js", get(|| asset(include_str!("../../../assets/console-orders.js"), JS)))
        .route("/static/console/phone.js", get(|| asset(include_str!("../../../assets/console-phone.js"), JS)))
        .route("/static/console/support.js", get(|| asset(include_str!("../../../assets/console-support.js"), JS)))
        .route("/static/console/reports.js", get(|| asset(include_str!("../../../assets/console-reports.js"), JS)))
        // The knowledge base's pages and scripts (issue 18 point 4).
        .route("/support/kb", get(support_kb::list))
        .route("/support/kb/{id}", get(support_kb::article))
        .route("/static/support/kb-editor.js", get(|| asset(include_str!("../../../assets/support/kb-editor.js"), JS)))
        .route(
            "/static/support/kb-article.js",
            get(|| asset(include_str!("../../../assets/support/kb-article.js"), JS)),
        )
        .route(
            "/static/support/kb-suggest.js",
            get(|| asset(include_str!("../../../assets/support/kb-suggest.js"), JS)),
        )
        // The agents' console (issue 18 points 1-4).
        .route("/support", get(support_desk::queue))
        .route("/support/tickets/{id}", get(support_desk::ticket))
        .route("/support/macros", get(support_desk::macros))
        .route("/static/support/desk.js", get(|| asset(include_str!("../../../assets/support/desk.js"), JS)))
        .route("/static/support/queue.js", get(|| asset(include_str!("../../../assets/support/queue.js"), JS)))
        .route("/static/support/ticket.js", get(|| asset(include_str!("../../../assets/support/ticket.js"), JS)))
        .route("/static/support/macros.js", get(|| asset(include_str!("../../../assets/support/macros.js"), JS)))
        .route("/static/support/desk.css", get(|| asset(include_str!("../../../assets/support/desk.css"), CSS)))
        .route("/static/support/incidents.js", get(|| asset(include_str!("../../../assets/support/incidents.js"), JS)))
        // The on-call rota and this browser's alerts (issue 18 point 3).
        .route("/static/support/on-call.js", get(|| asset(include_str!("../../../assets/support/on-call.js"), JS)))
}
