//! The customer's booking pages (issue 19 point 5), 360 px first and Spanish first:
//!
//! - `/s/{site}/reservar`: a table at one of the food court's restaurants (those with tables):
//!   restaurant, party, day, a free time, name and phone, confirm; then the confirmation with
//!   the time in the site's zone, the calendar file, the manage link and "Recordarme".
//! - `/shop/{shop}/agenda`: an appointment at one of the merchant's stores (those with staff
//!   or rooms): service, store (nearest first when the visitor shares where they are), stylist
//!   or "Cualquiera", day, time, book.
//! - `/reservas/{id}?token=`: the manage link — when, where, status; cancel or move it.
//!
//! A deposit is told before booking (the agenda names each service's; the script asks
//! `GET /api/v1/locations/{id}/deposit-quote` for the chosen party or service, and shows the
//! card field up front), and the manage page says its amount and status in words.
//!
//! The server renders what the app's `bookings::catalogue` use cases return; everything that
//! changes goes through the public JSON API from `assets/bookings.js` (availability, booking,
//! cancel, reschedule, push). Texts are `booking.*` in `locales/bookings.{es,en}.json`, and only
//! those travel to the script. Templates have their own environment, like the shop's.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use minijinja::{Environment, Value, context};
use omnicanal_app::AppError;
use omnicanal_app::bookings::catalogue::{BookableLocation, ManagedBooking};
use omnicanal_domain::bookings::resources::ResourceKind;
use omnicanal_store::BookingDepositRow;
use serde::Deserialize;

use super::i18n::Lang;
use super::{asset, render_page};
use crate::state::AppState;

const JS: &str = "text/javascript; charset=utf-8";

/// The pages and their script and styles.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/s/{site}/reservar", get(table_page))
        .route("/shop/{shop}/agenda", get(agenda_page))
        .route("/reservas/{booking}", get(manage_page))
        .route("/static/bookings.js", get(|| asset(include_str!("../../assets/bookings.js"), JS)))
        // Shared with the staff's schedule (`/console/bookings`): why the bookings API refused.
        .route("/static/booking-refusals.js", get(|| asset(include_str!("../../assets/booking-refusals.js"), JS)))
        .route(
            "/static/bookings.css",
            get(|| asset(include_str!("../../assets/bookings.css"), "text/css; charset=utf-8")),
        )
}

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    let templates = [
        ("bookings/frame.html", include_str!("../../templates/bookings/frame.html")),
        ("missing.html", include_str!("../../templates/missing.html")),
        ("bookings/slots.html", include_str!("../../templates/bookings/slots.html")),
        ("bookings/table.html", include_str!("../../templates/bookings/table.html")),
        ("bookings/agenda.html", include_str!("../../templates/bookings/agenda.html")),
        ("bookings/manage.html", include_str!("../../templates/bookings/manage.html")),
    ];
    for (name, source) in templates {
        if let Err(error) = env.add_template(name, source) {
            tracing::error!(%error, name, "a booking template does not compile");
        }
    }
    env
});

/// `?lang=` and, on the manage page, `?token=`.
#[derive(Debug, Deserialize)]
pub struct BookingPageQuery {
    /// `es` or `en`.
    pub lang: Option<String>,
    /// The booking's manage token.
    pub token: Option<String>,
}

fn render(template: &str, lang: Lang, query_lang: Option<&str>, status: StatusCode, ctx: Value) -> Response {
    let mut response = render_page(&TEMPLATES, template, lang, status, ctx);
    if let Some(code) = query_lang.filter(|raw| matches!(*raw, "es" | "en"))
        && let Ok(cookie) = HeaderValue::from_str(&format!("lang={code}; Path=/; Max-Age=31536000; SameSite=Lax"))
    {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

/// The "not found" page for an unknown site, shop or booking (or a wrong token), a bare 503
/// when the store failed.
fn refusal(error: &AppError, lang: Lang) -> Response {
    let status = match error {
        AppError::NotFound(_) | AppError::Invalid(_) => StatusCode::NOT_FOUND,
        other => {
            tracing::warn!(error = %other, "a booking page could not be read");
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    render_page(&TEMPLATES, "missing.html", lang, status, context! {})
}

/// The texts the script needs: `booking.*` only.
fn booking_messages(lang: Lang) -> serde_json::Map<String, serde_json::Value> {
    lang.all()
        .iter()
        .filter(|(key, _)| key.starts_with("booking."))
        .map(|(key, value)| (key.clone(), serde_json::Value::String(value.clone())))
        .collect()
}

fn zone_of(timezone: &str) -> Tz {
    timezone.parse().unwrap_or(Tz::UTC)
}

/// Today's date in `zone`, `YYYY-MM-DD` (the first day a customer may pick).
fn today_in(zone: Tz, now_ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(now_ms)
        .unwrap_or_default()
        .with_timezone(&zone)
        .format("%Y-%m-%d")
        .to_string()
}

/// A bookable location as the script reads it.
fn location_json(entry: &BookableLocation) -> serde_json::Value {
    let resources: Vec<serde_json::Value> = entry
        .resources
        .iter()
        .map(|resource| {
            serde_json::json!({"id": resource.id, "name": resource.name, "kind": resource.kind.as_str(),
                "seats_max": resource.seats_max})
        })
        .collect();
    serde_json::json!({
        "id": entry.location.id,
        "name": entry.location.name,
        "largest_table": entry.largest_table(),
        "max_days_ahead": entry.settings.window.max_days_ahead,
        "resources": resources,
        // The deposit note says until when cancelling refunds it.
        "cancel_window_minutes": entry.settings.cancel_window_minutes,
    })
}

async fn table_page(
    State(state): State<AppState>,
    Path(site_id): Path<String>,
    Query(query): Query<BookingPageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let (site, locations) = match state.app.site_table_locations(&site_id).await {
        Ok(found) => found,
        Err(error) => return refusal(&error, lang),
    };
    let largest = locations.iter().map(BookableLocation::largest_table).max().unwrap_or(0);
    let page_data = serde_json::json!({
        "kind": "table",
        "site_id": site.id,
        "timezone": site.timezone,
        "currency": site.currency,
        "lang": lang.code(),
        "today": today_in(zone_of(&site.timezone), state.app.now_ms()),
        "locations": locations.iter().map(location_json).collect::<Vec<_>>(),
        "messages": booking_messages(lang),
    });
    let ctx = context! {
        title => lang.text("booking.table_title", &[("site", site.name.clone())]),
        home => context! { href => format!("/s/{}", site.id), name => site.name },
        site => context! { id => site.id, name => site.name },
        locations => locations.iter().map(|entry| context! {
            id => entry.location.id, name => entry.location.name, largest => entry.largest_table(),
        }).collect::<Vec<_>>(),
        party_sizes => (1..=largest.clamp(1, 20)).collect::<Vec<_>>(),
        page_data => page_data,
    };
    render("bookings/table.html", lang, query.lang.as_deref(), StatusCode::OK, ctx)
}

async fn agenda_page(
    State(state): State<AppState>,
    Path(shop_key): Path<String>,
    Query(query): Query<BookingPageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let shop = match state.app.webshop(&shop_key).await {
        Ok(shop) => shop,
        Err(error) => return refusal(&error, lang),
    };
    let merchant_id = shop.merchant.id.clone();
    let (services, locations) =
        match tokio::try_join!(state.app.services_of(&merchant_id), state.app.merchant_service_locations(&merchant_id))
        {
            Ok(found) => found,
            Err(error) => return refusal(&error, lang),
        };
    let timezone = shop.locations.first().map(|entry| entry.site.timezone.clone()).unwrap_or_else(|| "UTC".into());
    let service_ids: Vec<String> = services.iter().map(|service| service.id.clone()).collect();
    let deposits = match state.app.service_deposits(&service_ids).await {
        Ok(deposits) => deposits,
        Err(error) => return refusal(&error, lang),
    };
    let services: Vec<serde_json::Value> = services
        .iter()
        .map(|service| {
            let deposit = deposits.get(&service.id);
            serde_json::json!({
                "id": service.id, "name": service.name, "duration_minutes": service.duration_minutes,
                "price_text": service.price.map(|price| price.display()),
                "deposit_text": deposit.map(|amount| lang.text("booking.deposit_short", &[("amount", amount.display())])),
            })
        })
        .collect();
    let page_data = serde_json::json!({
        "kind": "service",
        "merchant_id": merchant_id,
        "timezone": timezone,
        "currency": shop.currency,
        "lang": lang.code(),
        "today": today_in(zone_of(&timezone), state.app.now_ms()),
        "locations": locations.iter().map(location_json).collect::<Vec<_>>(),
        "services": services,
        "messages": booking_messages(lang),
    });
    let ctx = context! {
        title => lang.text("booking.agenda_title", &[("shop", shop.merchant.name.clone())]),
        home => context! { href => format!("/shop/{}", shop.slug), name => shop.merchant.name },
        shop => context! { slug => shop.slug, name => shop.merchant.name },
        services => Value::from_serialize(&services),
        locations => locations.iter().map(|entry| context! {
            id => entry.location.id, name => entry.location.name,
            staff => entry.resources.iter().filter(|r| r.kind == ResourceKind::Staff)
                .map(|r| context! { id => r.id, name => r.name }).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
        comunas => COMUNAS,
        page_data => page_data,
    };
    render("bookings/agenda.html", lang, query.lang.as_deref(), StatusCode::OK, ctx)
}

/// The comunas offered when the visitor would rather not share their position; the nearest
/// store is the bookings API's to say (`GET /api/v1/bookings/nearest?comuna=`).
const COMUNAS: [&str; 8] =
    ["Providencia", "Las Condes", "Santiago", "Ñuñoa", "Vitacura", "La Reina", "Maipú", "Puente Alto"];

async fn manage_page(
    State(state): State<AppState>,
    Path(booking_id): Path<String>,
    Query(query): Query<BookingPageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let token = query.token.clone().unwrap_or_default();
    let managed = match state.app.managed_booking(&booking_id, &token).await {
        Ok(managed) => managed,
        Err(error) => return refusal(&error, lang),
    };
    let deposit = match state.app.booking_deposit(&managed.booking.id).await {
        Ok(deposit) => deposit,
        Err(error) => return refusal(&error, lang),
    };
    let mut ctx = manage_context(lang, &managed, &token, state.app.now_ms());
    if let Some(deposit) = deposit {
        ctx = context! { deposit => deposit_context(lang, &deposit), ..ctx };
    }
    render("bookings/manage.html", lang, query.lang.as_deref(), StatusCode::OK, ctx)
}

/// "sábado 12 de diciembre, 20:30" (es) or "Saturday 12 December, 20:30" (en) in `zone`.
pub(crate) fn when_text(lang: Lang, zone: Tz, at_ms: i64) -> String {
    let local = DateTime::<Utc>::from_timestamp_millis(at_ms).unwrap_or_default().with_timezone(&zone);
    let weekday = lang.text(&format!("booking.weekday.{}", local.format("%u")), &[]);
    let month = lang.text(&format!("booking.month.{}", local.format("%-m")), &[]);
    lang.text(
        "booking.when",
        &[
            ("weekday", weekday),
            ("day", local.format("%-d").to_string()),
            ("month", month),
            ("time", local.format("%H:%M").to_string()),
        ],
    )
}

fn manage_context(lang: Lang, managed: &ManagedBooking, token: &str, now_ms: i64) -> Value {
    let booking = &managed.booking;
    let zone = zone_of(&managed.site.timezone);
    let what = match (&managed.service, booking.party_size) {
        (Some(service), _) => service.name.clone(),
        (None, Some(party)) => lang.text("booking.party_of", &[("party", party.to_string())]),
        (None, None) => String::new(),
    };
    let changeable_until_ms = booking.start_ms.saturating_sub(managed.settings.cancel_window_minutes * 60_000);
    let live = booking.status.holds_time() && booking.start_ms > now_ms;
    let page_data = serde_json::json!({
        "kind": "manage",
        "booking_id": booking.id,
        "token": token,
        "location_id": booking.location_id,
        "party_size": booking.party_size,
        "service_id": booking.service_id,
        "timezone": managed.site.timezone,
        "lang": lang.code(),
        "today": today_in(zone, now_ms),
        // The reschedule picker opens on the booking's own day.
        "date": today_in(zone, booking.start_ms),
        "max_days_ahead": managed.settings.window.max_days_ahead,
        "messages": booking_messages(lang),
    });
    context! {
        title => lang.text("booking.manage_title", &[]),
        home => context! { href => format!("/s/{}", managed.site.id), name => managed.site.name },
        site => context! { id => managed.site.id, name => managed.site.name },
        token => token,
        booking => context! {
            id => booking.id,
            status => booking.status.as_str(),
            status_text => lang.text(&format!("booking.status.{}", booking.status.as_str()), &[]),
            when => when_text(lang, zone, booking.start_ms),
            place => managed.location.name,
            what => what,
            with => managed.resource.as_ref().map(|resource| resource.name.clone()),
            at_table => managed.resource.as_ref().is_some_and(|resource| resource.kind == ResourceKind::Table),
            customer => booking.customer_name,
        },
        live => live,
        changeable_until => when_text(lang, zone, changeable_until_ms),
        page_data => page_data,
    }
}

/// A booking's deposit on its manage page: the amount and its status in words.
fn deposit_context(lang: Lang, deposit: &BookingDepositRow) -> Value {
    context! {
        amount => deposit.amount.display(),
        status => deposit.status.as_str(),
        status_text => lang.text(&format!("booking.deposit_status.{}", deposit.status.as_str()), &[]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_booking_template_compiles() {
        for name in ["bookings/table.html", "bookings/agenda.html", "bookings/manage.html", "missing.html"] {
            assert!(TEMPLATES.get_template(name).is_ok(), "{name} does not compile");
        }
    }

    #[test]
    fn the_time_is_told_in_the_sites_zone_in_spanish_first() {
        // 2026-12-12 23:30 UTC is 20:30 in Santiago (summer time, UTC-3).
        let at_ms = 1_797_118_200_000;
        let zone: Tz = "America/Santiago".parse().unwrap_or(Tz::UTC);
        assert_eq!(when_text(Lang::Es, zone, at_ms), "sábado 12 de diciembre, 20:30");
        assert_eq!(when_text(Lang::En, zone, at_ms), "Saturday 12 December, 20:30");
    }
}
