//! "Shop connections" (issue 16 point 7): the merchant's WooCommerce, PrestaShop, Magento 2 and
//! Shopify shops as its managers (and the admins) see them — a list with each link's state in
//! plain words, a form to connect a shop, and each connection's sync page (progress of the
//! first import, the last error, resync, the webhook address, conflicts to settle, unmatched
//! items to link, the shop's recent orders). Every page calls the same use cases as
//! `/api/v1/connections` (`omnicanal_app::connections`), so roles and isolation are the API's:
//! staff get the 403 page, another merchant's connection is the 404 page.
//!
//! - this file: the router, the templates, the list and what the pages share (status words,
//!   lag, times);
//! - [`new`]: the new-connection form and its refusals at the field;
//! - [`sync`]: the sync page and its three posts (resync, settle a conflict, link an item).

mod new;
mod sync;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use omnicanal_domain::connections::ConnectionStatus;
use omnicanal_store::{LocationRow, Page, ShopConnectionRow, SiteRow};

use super::forms::{local_time, not_manager};
use super::pages::refused;
use super::session::ConsoleUser;
use crate::auth::Role;
use crate::state::AppState;
use crate::web::i18n::Lang;

/// The connection pages' templates, chained into the console's environment by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 3] = [
    ("connections_list.html", include_str!("../../../../templates/console/connections_list.html")),
    ("connections_new.html", include_str!("../../../../templates/console/connections_new.html")),
    ("connections_sync.html", include_str!("../../../../templates/console/connections_sync.html")),
];

/// The texts every connection page is refused with when the user is not a manager.
const FORBIDDEN: &str = "console.connections.forbidden";

/// The pages and their script.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/connections", get(list))
        .route("/console/connections/new", get(new::form).post(new::create))
        .route("/console/connections/{id}", get(sync::page))
        .route("/console/connections/{id}/sync", post(sync::resync))
        .route("/console/connections/{id}/conflicts/{conflict_id}/resolve", post(sync::resolve))
        .route("/console/connections/{id}/unmatched/link", post(sync::link))
        .route("/console/connections/{id}/unmatched/create", post(sync::create_here))
        .route(
            "/static/console/connections.js",
            get(|| crate::web::asset(include_str!("../../../../assets/console-connections.js"), super::JS)),
        )
}

/// The badge of a status: its CSS word and its plain words.
fn status_badge(lang: Lang, status: ConnectionStatus) -> Value {
    let word = status.as_str();
    context! { status => word, text => lang.text(&format!("console.connections.status.{word}"), &[]) }
}

/// A wait in the largest whole unit that fits ("45 s", "3 min", "2 h").
fn lag_text(ms: i64) -> String {
    let seconds = ms.max(0) / 1000;
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        _ => format!("{} h", seconds / 3600),
    }
}

/// The time zone a connection's times are shown in: its first location's site's, else UTC.
fn timezone_of(connection: &ShopConnectionRow, places: &[(LocationRow, SiteRow)]) -> String {
    connection
        .location_ids
        .iter()
        .find_map(|id| places.iter().find(|(location, _)| &location.id == id))
        .map(|(_, site)| site.timezone.clone())
        .unwrap_or_else(|| "UTC".into())
}

/// "Last success" as people read it: the site's local time, or "never yet".
fn last_success_text(lang: Lang, at_ms: Option<i64>, timezone: &str) -> String {
    match at_ms {
        Some(ms) => local_time(ms, timezone, "%Y-%m-%d %H:%M"),
        None => lang.text("console.connections.never", &[]),
    }
}

/// The kind's name as the shop calls itself.
fn kind_label(kind: &str) -> &'static str {
    match kind {
        "woocommerce" => "WooCommerce",
        "prestashop" => "PrestaShop",
        "magento" => "Magento 2",
        "shopify" => "Shopify",
        _ => "—",
    }
}

/// `GET /console/connections`: the merchant's connections (an admin's: every merchant's).
pub(super) async fn list(State(state): State<AppState>, console: ConsoleUser) -> Response {
    if let Some(denied) = not_manager(&console, &state, FORBIDDEN) {
        return denied;
    }
    let lang = console.lang;
    let connections = match state.app.connections(&console.user, None).await {
        Ok(connections) => connections,
        Err(error) => return refused(&console, &state, error),
    };
    let places = match state.app.console_locations(&console.user).await {
        Ok(listed) => listed.locations,
        Err(error) => return refused(&console, &state, error),
    };
    let admin = console.user.role == Role::Admin;
    let merchants = if admin {
        state.app.list_merchants(&console.user, Page { limit: 500, offset: 0 }).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut rows = Vec::with_capacity(connections.len());
    for connection in &connections {
        let view = match state.app.connection_view(&console.user, &connection.id).await {
            Ok(view) => view,
            Err(error) => return refused(&console, &state, error),
        };
        let timezone = timezone_of(connection, &places);
        let merchant = merchants.iter().find(|m| m.id == connection.merchant_id).map(|m| m.name.clone());
        rows.push(context! {
            id => connection.id,
            kind => kind_label(connection.kind.as_str()),
            name => connection.name,
            merchant => merchant,
            badge => status_badge(lang, connection.status),
            last_success => last_success_text(lang, connection.last_success_at_ms, &timezone),
            queue_length => view.queue_length,
            lag => lag_text(view.lag_ms),
        });
    }
    let ctx = context! {
        title => lang.text("console.connections.title", &[]),
        admin => admin,
        connections => rows,
    };
    console.page(&state, "connections_list.html", StatusCode::OK, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_connection_template_compiles_and_its_texts_exist_in_both_languages() {
        let mut env = minijinja::Environment::new();
        let (es, en) = (Lang::Es.all(), Lang::En.all());
        for (name, source) in TEMPLATE_SOURCES {
            assert!(env.add_template(name, source).is_ok(), "{name} does not compile");
            for piece in source.split("t(\"").skip(1) {
                let key = piece.split('"').next().unwrap_or_default();
                assert!(es.contains_key(key) && en.contains_key(key), "{name} uses the missing text {key}");
            }
        }
        // The keys the pages compose.
        let mut composed: Vec<String> = ["pending", "importing", "active", "failing", "auth_failed"]
            .iter()
            .map(|status| format!("console.connections.status.{status}"))
            .collect();
        for kind in new::KINDS {
            composed.push(format!("console.connections.url_hint.{kind}"));
            for field in new::credential_fields(kind) {
                composed.push(format!("console.connections.credential.{field}"));
            }
        }
        composed.extend(sync::CAUSES.iter().map(|(_, cause)| format!("console.connections.cause.{cause}")));
        composed.extend(sync::CHOICES.iter().map(|choice| format!("console.connections.choice.{choice}")));
        composed.extend(sync::ORDER_STATES.iter().map(|state| format!("console.connections.order_state.{state}")));
        composed.extend(new::PROBLEM_FIELDS.iter().map(|field| format!("console.connections.problem.{field}")));
        for key in composed {
            assert!(es.contains_key(&key) && en.contains_key(&key), "the missing text {key}");
        }
    }

    #[test]
    fn a_lag_is_told_in_its_largest_whole_unit() {
        assert_eq!(lag_text(0), "0 s");
        assert_eq!(lag_text(45_999), "45 s");
        assert_eq!(lag_text(180_000), "3 min");
        assert_eq!(lag_text(7_300_000), "2 h");
        assert_eq!(lag_text(-5), "0 s");
    }
}
