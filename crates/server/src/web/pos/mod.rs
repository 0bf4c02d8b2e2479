//! The store's till (`/pos`, issue 14): a page for the staff of a location and its managers
//! that sells with a touch screen, a keyboard and a barcode scanner, and keeps selling when the
//! network or the server is down.
//!
//! The server only hands out the shell: who is signed in (the console's cookie session — the
//! till signs in through `/console/login?next=/pos`), the locations they may sell at, and the
//! texts of the page's language. Everything else happens in the browser against the JSON API
//! (`/api/v1/pos/...`): the registered device, the cash session, the catalogue snapshot priced
//! by `pricing.js` (the Rust engine's port), and the queue of sales not yet sent, kept in
//! IndexedDB. The service worker (`/pos/sw.js`, scope `/pos`) keeps the shell and its scripts so
//! a reload with no server still opens the till. Assets:
//!
//! - `assets/pos/pos.js`: the screens (device, session, selling, close) and the banner.
//! - `assets/pos/cartview.js`: the cart, its promotions applied and refused, its total.
//! - `assets/pos/camera.js`: camera scanning where the browser has `BarcodeDetector`.
//! - `assets/pos/checkout.js`: payment (split tender), the sale and its receipt.
//! - `assets/pos/print.js`: the receipt on the till's network printer, the browser's 80 mm
//!   print, and the digital receipt (QR, link to send) offered when the printer fails.
//! - `assets/pos/pickup.js`: pay-at-pickup orders of the location collected by pickup code.
//! - `assets/pos/returns.js`: returns of a purchase from any channel (issue 17 point 6).
//! - `assets/pos/aisle.js`: the endless aisle, selling what the store lacks (issue 17 point 7).
//! - `assets/pos/credit.js`: gift card and store credit tenders, their balance looked up
//!   (issue 17 point 8).
//! - `assets/pos/help.js`: "Pedir ayuda", the till's last failures and "Mis tickets" (issue 18).
//! - `assets/pos/sell.js`: lookups by name/SKU/barcode, the cart, pricing, amounts typed.
//! - `assets/pos/db.js`: IndexedDB (settings, the device's receipt counter, the sales queue).
//! - `assets/pos/queue.js`: sending queued sales exactly once, with backoff, by itself.
//! - `assets/pos/pricing.js`: the pricing engine (kept equal to Rust by a parity test; served
//!   at `/static/pos/pricing.js` by `web/mod.rs`).
//! - `assets/pos/options.js`: a line's options (checked as the server checks them) and note,
//!   and the touch picker for them.
//! - `assets/pos/details.js`: the sale's customer (phone or e-mail) and coupon code.
//! - `assets/pos/session.js`: cash in/out with a reason, the close counted per denomination,
//!   the session report's link.
//! - `assets/pos/session-lines.js`: a line discount or void, with a manager's PIN above the
//!   till's limits.
//! - `assets/pos/sw.js`, `assets/pos/pos.css`.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use minijinja::{Environment, context};
use std::sync::LazyLock;

use crate::auth::{self, AuthUser, CSRF_COOKIE, Role, SESSION_COOKIE};
use crate::state::AppState;
use crate::web::i18n::Lang;
use crate::web::{PageQuery, app_icon, asset, render_page};

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The roles that may open the till.
const TILL_ROLES: [Role; 3] = [Role::Staff, Role::MerchantManager, Role::Admin];

/// The till's page, service worker, manifest and assets.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pos", get(page))
        .route("/pos/sw.js", get(service_worker))
        .route("/pos/manifest.webmanifest", get(manifest))
        .route("/static/pos/pos.js", get(|| asset(include_str!("../../../assets/pos/pos.js"), JS)))
        .route("/static/pos/sell.js", get(|| asset(include_str!("../../../assets/pos/sell.js"), JS)))
        .route("/static/pos/cartview.js", get(|| asset(include_str!("../../../assets/pos/cartview.js"), JS)))
        .route("/static/pos/camera.js", get(|| asset(include_str!("../../../assets/pos/camera.js"), JS)))
        .route("/static/pos/checkout.js", get(|| asset(include_str!("../../../assets/pos/checkout.js"), JS)))
        .route("/static/pos/print.js", get(|| asset(include_str!("../../../assets/pos/print.js"), JS)))
        .route("/static/pos/pickup.js", get(|| asset(include_str!("../../../assets/pos/pickup.js"), JS)))
        .route("/static/pos/db.js", get(|| asset(include_str!("../../../assets/pos/db.js"), JS)))
        .route("/static/pos/queue.js", get(|| asset(include_str!("../../../assets/pos/queue.js"), JS)))
        .route("/static/pos/session.js", get(|| asset(include_str!("../../../assets/pos/session.js"), JS)))
        .route("/static/pos/session-lines.js", get(|| asset(include_str!("../../../assets/pos/session-lines.js"), JS)))
        .route("/static/pos/pos.css", get(|| asset(include_str!("../../../assets/pos/pos.css"), CSS)))
        .route("/static/pos/options.js", get(|| asset(include_str!("../../../assets/pos/options.js"), JS)))
        .route("/static/pos/details.js", get(|| asset(include_str!("../../../assets/pos/details.js"), JS)))
        .route("/static/pos/returns.js", get(|| asset(include_str!("../../../assets/pos/returns.js"), JS)))
        .route("/static/pos/aisle.js", get(|| asset(include_str!("../../../assets/pos/aisle.js"), JS)))
        .route("/static/pos/help.js", get(|| asset(include_str!("../../../assets/pos/help.js"), JS)))
        .route("/static/pos/credit.js", get(|| asset(include_str!("../../../assets/pos/credit.js"), JS)))
}

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    if let Err(error) = env.add_template("pos.html", include_str!("../../../templates/pos.html")) {
        tracing::error!(%error, "the till template does not compile");
    }
    env
});

/// Every script and style from this origin; the page data is JSON, never executed; the camera's
/// picture (barcode scanning) is shown from a `blob:`/media stream.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; \
     style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `GET /pos`: the till's shell for a signed-in user of the console's session; anyone else goes
/// to the console's sign-in and comes back here.
async fn page(State(state): State<AppState>, Query(query): Query<PageQuery>, headers: HeaderMap) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let user = match auth::cookie(&headers, SESSION_COOKIE) {
        Some(token) => match AuthUser::from_token(&state, token, true).await {
            Ok(user) => user,
            Err(error) => {
                tracing::error!(%error, "the till could not read the session");
                return (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response();
            }
        },
        None => None,
    };
    let Some((user, token)) =
        user.filter(|user| TILL_ROLES.contains(&user.role)).zip(auth::cookie(&headers, SESSION_COOKIE))
    else {
        let mut response = StatusCode::SEE_OTHER.into_response();
        let to = if lang == Lang::En { "/console/login?next=/pos&lang=en" } else { "/console/login?next=/pos" };
        response.headers_mut().insert(LOCATION, HeaderValue::from_static(to));
        response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return response;
    };
    let locations: Vec<serde_json::Value> = match state.app.console_locations(&user).await {
        Ok(listed) => listed
            .locations
            .into_iter()
            .filter(|(location, _)| user.sees_location(&location.merchant_id, &location.id))
            .map(|(location, site)| {
                serde_json::json!({"id": location.id, "name": location.name, "site": site.name, "merchant_id": location.merchant_id})
            })
            .collect(),
        Err(error) => {
            tracing::warn!(%error, "the till could not list the user's locations");
            Vec::new()
        }
    };
    let manager = matches!(user.role, Role::MerchantManager | Role::Admin);
    let page_data = serde_json::json!({
        "lang": lang.code(),
        "user": {
            "id": user.id,
            "email": user.email,
            "role": user.role.as_str(),
            "manager": manager,
            "merchant_id": user.merchant_id,
            "location_id": user.location_id,
        },
        "locations": locations,
        "messages": lang.till(),
    });
    let ctx = context! { title => lang.text("pos.title", &[]), page_data => page_data, email => user.email };
    let mut response = render_page(&TEMPLATES, "pos.html", lang, StatusCode::OK, ctx);
    let headers = response.headers_mut();
    headers
        .insert(HeaderName::from_static("content-security-policy"), HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(HeaderName::from_static("x-frame-options"), HeaderValue::from_static("DENY"));
    headers.insert(HeaderName::from_static("referrer-policy"), HeaderValue::from_static("same-origin"));
    // The CSRF cookie is a browser-session cookie: after a browser restart the till asks for
    // this page again (queue.js) to get it back before it sends what it kept.
    let secure = if state.public_url.starts_with("https://") { "; Secure" } else { "" };
    if let Ok(cookie) =
        HeaderValue::from_str(&format!("{CSRF_COOKIE}={}; Path=/; SameSite=Strict{secure}", auth::session_csrf(token)))
    {
        headers.append(axum::http::header::SET_COOKIE, cookie);
    }
    if query.lang.as_deref().is_some_and(|raw| matches!(raw, "es" | "en"))
        && let Ok(cookie) =
            HeaderValue::from_str(&format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code()))
    {
        headers.append(axum::http::header::SET_COOKIE, cookie);
    }
    response
}

/// `GET /pos/sw.js`: the till's service worker, allowed the scope `/pos` (the page itself, not
/// only what is below `/pos/`). Never cached by HTTP, so a new version is found at once.
async fn service_worker() -> Response {
    let mut response = include_str!("../../../assets/pos/sw.js").into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JS));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(HeaderName::from_static("service-worker-allowed"), HeaderValue::from_static("/pos"));
    response
}

/// `GET /pos/manifest.webmanifest`: installs the till as an app of its own (standalone, any
/// orientation: a counter tablet lies on its side), like the sites' manifests.
async fn manifest(Query(query): Query<PageQuery>, headers: HeaderMap) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let body = serde_json::json!({
        "id": "/pos",
        "name": lang.text("pos.app_name", &[]),
        "short_name": lang.text("pos.app_short_name", &[]),
        "description": lang.text("pos.app_description", &[]),
        "lang": lang.code(),
        "dir": "ltr",
        "start_url": "/pos",
        "scope": "/pos",
        "display": "standalone",
        "orientation": "any",
        "theme_color": app_icon::BRAND,
        "background_color": "#f6f6f4",
        "icons": [
            {"src": "/favicon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
            {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        ],
    });
    let mut response = body.to_string().into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/manifest+json"));
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_till_template_compiles_and_escapes_its_data() {
        let html = TEMPLATES
            .get_template("pos.html")
            .and_then(|t| {
                t.render(context! {
                    lang => "es", t => crate::web::translator(Lang::Es), title => "x", email => "<b>a</b>",
                    page_data => serde_json::json!({"x": "</script>"}),
                })
            })
            .unwrap_or_default();
        assert!(html.contains("pos-app"));
        assert!(!html.contains("\"</script>"));
        assert!(!html.contains("<b>a</b>"));
    }
}
