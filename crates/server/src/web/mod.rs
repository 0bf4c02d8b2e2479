//! The customer's ordering pages, rendered by the server: the site's menu reached from a QR
//! (`/s/{site}`), the cart and checkout (`/s/{site}/cart`), and the live order page
//! (`/s/{site}/orders/{id}?token=`). The pages call the public JSON API for everything that
//! changes (quotes, orders, live status); no build step, no script from elsewhere.

pub mod account;
pub mod app_icon;
pub mod chart;
pub mod console;
pub mod i18n;
mod menu_labels;
pub mod pos;
pub mod receipt;
pub mod shop;
// The customer's booking pages (issue 19 point 5).
pub mod bookings;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use minijinja::value::Kwargs;
use minijinja::{Environment, Value, context};
use omnicanal_app::AppError;
use omnicanal_app::catalog::LocationState;
use omnicanal_app::catalog::{MenuLocation, MenuPromotion, SiteMenu};
use omnicanal_app::ordering::TrackedPart;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::{Currency, Money};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;

use crate::state::AppState;
use i18n::Lang;

/// The page routes and their static assets.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home_page))
        .route("/s/{site}", get(site_page))
        .route("/s/{site}/cart", get(cart_page))
        .route("/s/{site}/orders/{order}", get(order_page))
        .route("/s/{site}/manifest.webmanifest", get(manifest))
        .route("/s/{site}/icon.svg", get(|| asset_owned(app_icon::svg().into_bytes(), "image/svg+xml")))
        .route("/favicon.ico", get(|| asset_owned(FAVICON.clone(), "image/png")))
        .route("/favicon.svg", get(|| asset_owned(app_icon::svg().into_bytes(), "image/svg+xml")))
        .route("/static/icon-180.png", get(|| png_icon(0)))
        .route("/static/icon-192.png", get(|| png_icon(1)))
        .route("/static/icon-512.png", get(|| png_icon(2)))
        .route("/static/app.css", get(|| asset(include_str!("../../assets/app.css"), "text/css; charset=utf-8")))
        .route("/static/site.js", get(|| asset(include_str!("../../assets/site.js"), JS)))
        .route("/static/cart.js", get(|| asset(include_str!("../../assets/cart.js"), JS)))
        .route("/static/order.js", get(|| asset(include_str!("../../assets/order.js"), JS)))
        .route("/static/common.js", get(|| asset(include_str!("../../assets/common.js"), JS)))
        // The API's reference: RapiDoc, vendored from its npm package (scripts/vendor-rapidoc.sh)
        // and embedded here, so the docs need nothing from outside this server.
        .route("/api/docs", get(|| asset(include_str!("../../templates/docs.html"), "text/html; charset=utf-8")))
        .route(
            "/static/vendor/rapidoc-min.js",
            get(|| asset(include_str!("../../assets/vendor/rapidoc/rapidoc-min.js"), JS)),
        )
        .route("/static/problems.js", get(|| asset(include_str!("../../assets/problems.js"), JS)))
        // The pricing engine's JS mirror, an ES module for the till's offline pricing; the
        // domain's parity test keeps it equal to `price_cart`.
        .route("/static/pos/pricing.js", get(|| asset(include_str!("../../assets/pos/pricing.js"), JS)))
        .merge(console::router())
        .merge(pos::router())
        .merge(receipt::router())
        .merge(shop::router())
        .merge(account::router())
        .merge(bookings::router())
}

const JS: &str = "text/javascript; charset=utf-8";

/// A static asset with its content type, cached for five minutes.
pub(crate) async fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

/// An asset built at run time (icons), cached like the others.
async fn asset_owned(body: Vec<u8>, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    response
}

/// The PNG icons of [`app_icon::PNG_SIZES`], drawn once.
static PNG_ICONS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| app_icon::PNG_SIZES.map(app_icon::png).to_vec());

/// What browsers ask for at `/favicon.ico` by themselves: the same icon, as a PNG (every browser
/// reads a PNG there whatever the name says).
static FAVICON: LazyLock<Vec<u8>> = LazyLock::new(|| app_icon::png(48));

async fn png_icon(index: usize) -> Response {
    asset_owned(PNG_ICONS.get(index).cloned().unwrap_or_default(), "image/png").await
}

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    let templates = [
        ("layout.html", include_str!("../../templates/layout.html")),
        ("site.html", include_str!("../../templates/site.html")),
        ("cart.html", include_str!("../../templates/cart.html")),
        ("order.html", include_str!("../../templates/order.html")),
        ("missing.html", include_str!("../../templates/missing.html")),
        ("home.html", include_str!("../../templates/home.html")),
    ];
    for (name, source) in templates {
        if let Err(error) = env.add_template(name, source) {
            tracing::error!(%error, name, "a page template does not compile");
        }
    }
    env
});

/// `?lang=` and `?table=` on every page.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    /// `es` or `en`.
    pub lang: Option<String>,
    /// The table the QR was on.
    pub table: Option<String>,
    /// The order's tracking token (order page).
    pub token: Option<String>,
}

/// The `t(key, name=value…)` function templates use.
pub(crate) fn translator(lang: Lang) -> Value {
    Value::from_function(move |key: &str, kwargs: Kwargs| -> Result<String, minijinja::Error> {
        let args: Vec<(String, String)> = kwargs
            .args()
            .map(|name| (name.to_owned(), kwargs.get::<Value>(name).map(|v| v.to_string()).unwrap_or_default()))
            .collect();
        let borrowed: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        Ok(lang.text(key, &borrowed))
    })
}

/// Renders `template` of `env` with `lang`, `t` and `ctx` as an uncached HTML answer; a template
/// fault is logged and answered with a bare 500 page.
pub(crate) fn render_page(
    env: &Environment<'static>,
    template: &str,
    lang: Lang,
    status: StatusCode,
    ctx: Value,
) -> Response {
    let page = env
        .get_template(template)
        .and_then(|template| template.render(context! { lang => lang.code(), t => translator(lang), ..ctx }));
    let mut response = match page {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, template, "a page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<!doctype html><title>Error</title><p>Error</p>".to_owned()))
                .into_response()
        }
    };
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn render(template: &str, lang: Lang, query_lang: Option<&str>, status: StatusCode, ctx: Value) -> Response {
    let mut response = render_page(&TEMPLATES, template, lang, status, ctx);
    if let Some(code) = query_lang.and_then(|raw| matches!(raw, "es" | "en").then_some(raw))
        && let Ok(cookie) = HeaderValue::from_str(&format!("lang={code}; Path=/; Max-Age=31536000; SameSite=Lax"))
    {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

fn missing(lang: Lang) -> Response {
    render("missing.html", lang, None, StatusCode::NOT_FOUND, context! {})
}

/// The page for a path no route knows, outside `/api`: the console's "not found" under
/// `/console`, the customer pages' elsewhere, in the visitor's language and with a link back.
pub fn unknown_page(uri: &Uri, headers: &HeaderMap) -> Response {
    let query_lang = uri.query().and_then(|query| {
        query.split('&').find_map(|pair| pair.strip_prefix("lang=")).filter(|code| matches!(*code, "es" | "en"))
    });
    let lang = Lang::negotiate(query_lang, headers);
    let path = uri.path();
    if path == "/console" || path.starts_with("/console/") { console::missing_page(lang) } else { missing(lang) }
}

fn money_text(amount: i64, currency: Currency) -> String {
    Money::new(amount, currency).display()
}

fn status_text(lang: Lang, status: &LocationState, timezone: &str) -> String {
    match status {
        LocationState::Open => lang.text("restaurant.open", &[]),
        LocationState::Paused { until } => {
            let local = chrono::DateTime::parse_from_rfc3339(until)
                .ok()
                .map(|t| {
                    t.with_timezone(&timezone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC))
                        .format("%H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            lang.text("restaurant.paused", &[("until", local)])
        }
        // "3 11:00": weekday 1–7 and time; anything else says only that it is closed.
        LocationState::Closed { opens_at: Some(when) } => match when.split_once(' ') {
            Some((day, time)) if matches!(day, "1" | "2" | "3" | "4" | "5" | "6" | "7") => lang.text(
                "restaurant.opens_at",
                &[("day", lang.text(&format!("day.{day}"), &[])), ("time", time.to_owned())],
            ),
            _ => lang.text("restaurant.closed", &[]),
        },
        LocationState::Closed { opens_at: None } => lang.text("restaurant.closed", &[]),
    }
}

async fn home_page(State(state): State<AppState>, Query(query): Query<PageQuery>, headers: HeaderMap) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let sites = state.app.storefront_sites().await.unwrap_or_default();
    let sites: Vec<Value> = sites.into_iter().map(|s| context! { id => s.id, name => s.name }).collect();
    render("home.html", lang, query.lang.as_deref(), StatusCode::OK, context! { sites => sites })
}

/// The site's menu as the QR channel shows it, closed and paused restaurants included; the
/// page to answer instead when there is none.
async fn qr_menu(state: &AppState, site_id: &str, lang: Lang) -> Result<SiteMenu, Response> {
    match state.app.site_menu(site_id, &Channel::Qr, true).await {
        Ok(menu) => Ok(menu),
        Err(AppError::NotFound(_)) => Err(missing(lang)),
        Err(error) => {
            tracing::warn!(%error, site_id, "the menu could not be read");
            Err((StatusCode::SERVICE_UNAVAILABLE, "try again").into_response())
        }
    }
}

async fn site_page(
    State(state): State<AppState>,
    Path(site_id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let menu = match qr_menu(&state, &site_id, lang).await {
        Ok(menu) => menu,
        Err(page) => return page,
    };
    let site = &menu.site;
    let currency: Currency = site.currency;
    let locations: Vec<Value> =
        menu.locations.iter().map(|entry| location_context(lang, entry, currency, &site.timezone)).collect();
    let page_data = serde_json::json!({
        "site_id": site.id,
        "currency": site.currency,
        "table": query.table,
        "lang": lang.code(),
        "messages": lang.all(),
    });
    render(
        "site.html",
        lang,
        query.lang.as_deref(),
        StatusCode::OK,
        context! {
            title => lang.text("site.title", &[("site", site.name.clone())]),
            site => context! { id => site.id, name => site.name },
            table => query.table.as_deref().map(|t| t.chars().take(20).collect::<String>()),
            locations => locations,
            promotions => promotion_contexts(lang, &menu.promotions),
            page_data => page_data,
        },
    )
}

/// One restaurant of the site page: its state and its dishes by menu category, one entry per
/// variant (named with its SKU when the product has several).
fn location_context(lang: Lang, entry: &MenuLocation, currency: Currency, timezone: &str) -> Value {
    let mut categories: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for product in &entry.products {
        for variant in &product.variants {
            let name = if product.variants.len() > 1 {
                format!("{} ({})", product.product.name, variant.variant.sku)
            } else {
                product.product.name.clone()
            };
            let sku = variant.variant.sku.as_str();
            let promotions: Vec<MenuPromotion> =
                product.promotions.iter().filter(|promotion| promotion.kind.skus().contains(&sku)).cloned().collect();
            let allergens: Vec<String> =
                product.product.allergens.iter().map(|allergen| menu_labels::allergen_label(lang, *allergen)).collect();
            categories.entry(product.product.category.clone().unwrap_or_default()).or_default().push(context! {
                sku => variant.variant.sku,
                name => name,
                description => product.product.description,
                allergen_codes => product.product.allergens.iter().map(|allergen| allergen.as_str()).collect::<Vec<_>>().join(" "),
                allergens_text => (!allergens.is_empty()).then(|| lang.text("item.allergens", &[("list", allergens.join(", "))])),
                promotions => promotion_contexts(lang, &promotions),
                image_url => product.product.image_url,
                price => context! { amount => variant.price.amount_minor },
                price_text => money_text(variant.price.amount_minor, currency),
                available => variant.available,
                sold_out => variant.sold_out,
                left => variant.available_quantity,
                groups => product.modifier_groups.iter().map(|group| context! {
                    name => group.name,
                    min => group.min,
                    max => group.max,
                    options => group.options.iter().map(|option| context! {
                        name => option.name,
                        price => context! { amount => option.price.amount_minor },
                        price_text => money_text(option.price.amount_minor, currency),
                    }).collect::<Vec<_>>(),
                }).collect::<Vec<_>>(),
            });
        }
    }
    context! {
        id => entry.location.id,
        name => entry.location.name,
        status => entry.status,
        status_text => status_text(lang, &entry.status, timezone),
        prep_minutes => entry.location.storefront.prep_minutes,
        counter => entry.location.storefront.counter,
        promotions => promotion_contexts(lang, &entry.promotions),
        categories => categories.into_iter().map(|(name, items)| context! { name, items }).collect::<Vec<_>>(),
    }
}

/// The badges of promotions on now: each one's label in the page's language, its name (the
/// merchant's words, for a tooltip) and when it ends, so the page can take it down then.
fn promotion_contexts(lang: Lang, promotions: &[MenuPromotion]) -> Vec<Value> {
    promotions
        .iter()
        .map(|promotion| {
            context! {
                id => promotion.id,
                name => promotion.name,
                label => menu_labels::promotion_label(lang, promotion),
                ends_at_ms => promotion.ends_at_ms,
            }
        })
        .collect()
}

async fn cart_page(
    State(state): State<AppState>,
    Path(site_id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let menu = match qr_menu(&state, &site_id, lang).await {
        Ok(menu) => menu,
        Err(page) => return page,
    };
    let site = &menu.site;
    let locations: serde_json::Value = menu
        .locations
        .iter()
        .map(|entry| {
            let location = &entry.location;
            (
                location.id.clone(),
                serde_json::json!({"name": location.name, "pay_at_pickup": location.pay_at_pickup, "open": entry.status.is_open()}),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    let page_data = serde_json::json!({
        "site_id": site.id,
        "currency": site.currency,
        "table": query.table,
        "lang": lang.code(),
        "timezone": site.timezone,
        "locations": locations,
        "messages": lang.all(),
    });
    render(
        "cart.html",
        lang,
        query.lang.as_deref(),
        StatusCode::OK,
        context! {
            title => lang.text("cart.title", &[]),
            site => context! { id => site.id, name => site.name },
            table => query.table,
            page_data => page_data,
        },
    )
}

/// The longest `short_name` a home screen shows whole.
const SHORT_NAME_CHARS: usize = 12;

/// The web app manifest of a site's pages, so a phone can add them to its home screen as an
/// app of their own (and, on iOS, receive Web Push there): the site's name, its menu as the
/// start page, standalone display, the brand colour and the server-drawn icons.
async fn manifest(
    State(state): State<AppState>,
    Path(site_id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let Ok(site) = state.app.storefront_site(&site_id).await else { return missing(lang) };
    let start = format!("/s/{}", site.id);
    let short_name = if site.name.chars().count() <= SHORT_NAME_CHARS {
        site.name.clone()
    } else {
        site.name.split_whitespace().next().unwrap_or_default().chars().take(SHORT_NAME_CHARS).collect()
    };
    let body = serde_json::json!({
        "id": start,
        "name": site.name,
        "short_name": short_name,
        "description": lang.text("site.subtitle", &[]),
        "lang": lang.code(),
        "dir": "ltr",
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": app_icon::BRAND,
        "background_color": "#f6f6f4",
        "icons": [
            {"src": format!("/s/{}/icon.svg", site.id), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
            {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        ],
    });
    let mut response = body.to_string().into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/manifest+json"));
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

fn qr_svg(text: &str) -> String {
    match QrCode::new(text.as_bytes()) {
        Ok(code) => code.render::<svg::Color<'_>>().min_dimensions(120, 120).quiet_zone(true).build(),
        Err(_) => String::new(),
    }
}

/// One restaurant's part on the order page: its status, pickup code (with its QR), lines and
/// any refund or acceptance warning.
fn part_context(lang: Lang, tracked: &TrackedPart, currency: Currency) -> Value {
    let part = &tracked.fulfillment;
    let location = tracked.location.as_ref();
    let name = location.map(|l| l.name.clone()).unwrap_or_default();
    context! {
        accept_by_ms => tracked.accept_by_ms,
        not_accepted => tracked.not_accepted,
        not_accepted_text => lang.text("order.not_accepted", &[("restaurant", name.clone())]),
        id => part.id,
        name => name,
        counter => location.and_then(|l| l.storefront.counter.clone()),
        status => part.status,
        pickup_code => part.pickup_code,
        qr => qr_svg(&part.pickup_code),
        refunded => part.refunded_minor > 0,
        refunded_text => money_text(part.refunded_minor, currency),
        reason => part.reason,
        lines => part.lines.iter().map(|line| context! {
            quantity => line.quantity,
            name => line.pricing.name.clone().unwrap_or_else(|| line.sku.clone()),
            total => money_text(line.total_minor, currency),
            // The choices and note as the kitchen sees them ("Tamaño: Familiar · Agregados: Aceitunas",
            // the display's words and order), so the customer can check them.
            options => line.pricing.modifiers_json.as_deref()
                .and_then(|json| serde_json::from_str::<Vec<omnicanal_domain::modifiers::ChosenModifier>>(json).ok())
                .unwrap_or_default()
                .into_iter()
                .map(|chosen| format!("{}: {}", chosen.group, chosen.option))
                .collect::<Vec<_>>()
                .join(" · "),
            note => line.pricing.note.clone(),
        }).collect::<Vec<_>>(),
    }
}

/// The order's money line: what was paid, what is still to pay at the counter, or — when no part
/// goes on — what was given back. The order page's script words it the same way when it changes.
fn money_line(lang: Lang, order: &omnicanal_store::OrderRow, live_parts: usize) -> (String, String) {
    let currency = order.currency;
    if live_parts == 0 {
        return if order.refunded_minor > 0 {
            (lang.text("order.total_refunded", &[]), money_text(order.refunded_minor, currency))
        } else {
            (lang.text("order.nothing_charged", &[]), String::new())
        };
    }
    if order.payment_method == omnicanal_domain::payment::PaymentMethod::PayAtPickup && order.outstanding_minor > 0 {
        return (lang.text("order.to_pay", &[]), money_text(order.outstanding_minor, currency));
    }
    (lang.text("order.total", &[]), money_text(order.total_minor - order.refunded_minor, currency))
}

/// "14:30" in the site's zone for a scheduled pickup; none for "as soon as possible".
fn pickup_time_text(pickup_at: Option<&str>, timezone: &str) -> Option<String> {
    let at = chrono::DateTime::parse_from_rfc3339(pickup_at?).ok()?;
    let zone = timezone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    Some(at.with_timezone(&zone).format("%H:%M").to_string())
}

async fn order_page(
    State(state): State<AppState>,
    Path((site_id, order_id)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let Ok(tracked) = state.app.tracked_order(&site_id, &order_id, query.token.as_deref()).await else {
        return missing(lang);
    };
    let (site, order) = (&tracked.site, &tracked.order);
    let currency: Currency = site.currency;
    let parts: Vec<Value> = tracked.parts.iter().map(|part| part_context(lang, part, currency)).collect();
    let live: Vec<FulfillmentStatus> = tracked
        .parts
        .iter()
        .map(|part| part.fulfillment.status)
        .filter(|status| !matches!(status, FulfillmentStatus::Rejected | FulfillmentStatus::Cancelled))
        .collect();
    let ready =
        live.iter().filter(|status| matches!(status, FulfillmentStatus::Ready | FulfillmentStatus::Collected)).count();
    let token = query.token.clone().unwrap_or_default();
    // "¿Te quedas a comer?" (issue 19 point 5): offered when a restaurant here takes table bookings.
    let takes_tables = state.app.site_table_locations(&site.id).await.is_ok_and(|(_, locations)| !locations.is_empty());
    let page_data = serde_json::json!({
        "site_id": site.id,
        "order_id": order.id,
        "token": token,
        "lang": lang.code(),
        "currency": site.currency,
        "timezone": site.timezone,
        "messages": lang.all(),
    });
    render(
        "order.html",
        lang,
        query.lang.as_deref(),
        StatusCode::OK,
        context! {
            title => lang.text("order.title", &[("number", order.number.to_string())]),
            site => context! { id => site.id, name => site.name },
            order => context! { id => order.id, number => order.number },
            token => token,
            parts => parts,
            ready => ready,
            total => live.len(),
            total_label => money_line(lang, order, live.len()).0,
            total_text => money_line(lang, order, live.len()).1,
            pickup_time => pickup_time_text(order.pickup_at.as_deref(), &site.timezone),
            book_table_url => takes_tables.then(|| format!("/s/{}/reservar", site.id)),
            page_data => page_data,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        for name in ["layout.html", "site.html", "cart.html", "order.html", "missing.html", "home.html"] {
            assert!(TEMPLATES.get_template(name).is_ok(), "{name} does not compile");
        }
    }

    #[test]
    fn pages_escape_what_users_typed() {
        let html = TEMPLATES
            .get_template("site.html")
            .and_then(|t| {
                t.render(context! {
                    lang => "es", t => translator(Lang::Es), title => "x",
                    site => context! { id => "s", name => "<script>alert(1)</script>" },
                    locations => Vec::<Value>::new(), page_data => serde_json::json!({"site_id": "</script>"}),
                })
            })
            .unwrap_or_default();
        assert!(!html.is_empty());
        assert!(!html.contains("<script>alert(1)"));
        assert!(!html.contains("\"</script>"));
    }
}
