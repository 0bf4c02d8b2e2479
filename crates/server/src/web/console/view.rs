//! The console's templates (`templates/console/`) and how a page is answered: the language,
//! `t()`, no caching, a strict Content-Security-Policy (every script and style comes from
//! `/static/`), and no framing by other sites.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::http::header::SET_COOKIE;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use minijinja::{Environment, Value, context};

use crate::web::i18n::Lang;
use crate::web::render_page;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // The setup pages' templates are listed in their own module (`setup.rs`).
    for &(name, source) in TEMPLATE_SOURCES
        .iter()
        .chain(super::setup::TEMPLATE_SOURCES.iter())
        .chain(super::setup_edit::TEMPLATE_SOURCES.iter())
        // Prices and promotions (issue 15 point 2), in `pricing/mod.rs`.
        .chain(super::pricing::TEMPLATE_SOURCES.iter())
        // The stock pages' templates (issue 15 point 2), listed in `stock.rs`.
        .chain(super::stock::TEMPLATE_SOURCES.iter())
        .chain(super::catalog::TEMPLATE_SOURCES.iter())
        // Shop connections (issue 16 point 7), listed in `connections/mod.rs`.
        .chain(super::connections::TEMPLATE_SOURCES.iter())
    {
        if let Err(error) = env.add_template(name, source) {
            tracing::error!(%error, name, "a console template does not compile");
        }
    }
    // The product photo page's template is listed in its own module (`photos.rs`).
    for &(name, source) in super::photos::TEMPLATE_SOURCES.iter() {
        if let Err(error) = env.add_template(name, source) {
            tracing::error!(%error, name, "a console template does not compile");
        }
    }
    // The audit log's page lists its template in its own module (`audit.rs`).
    for &(name, source) in super::audit::TEMPLATE_SOURCES.iter() {
        if let Err(error) = env.add_template(name, source) {
            tracing::error!(%error, name, "a console template does not compile");
        }
    }
    // The click & collect pick list (issue 17 point 4), in `pick_list.rs`.
    for &(name, source) in super::pick_list::TEMPLATE_SOURCES.iter() {
        if let Err(error) = env.add_template(name, source) {
            tracing::error!(%error, name, "a console template does not compile");
        }
    }
    // A product's variant grid and the shop's settings (issue 17 points 1 and 2); the endless
    // aisle's shipments (issue 17 point 7).
    for &(name, source) in super::variants::TEMPLATE_SOURCES
        .iter()
        .chain(super::shop_settings::TEMPLATE_SOURCES.iter())
        .chain(super::shipments::TEMPLATE_SOURCES.iter())
    {
        if let Err(error) = env.add_template(name, source) {
            tracing::error!(%error, name, "a console template does not compile");
        }
    }
    // Gift cards and store credit (issue 17 point 8), in `credit.rs`.
    for &(name, source) in super::credit::TEMPLATE_SOURCES.iter() {
        if let Err(error) = env.add_template(name, source) {
            tracing::error!(%error, name, "a console template does not compile");
        }
    }
    // The support desk (issue 18): reports (`support_reports.rs`), SLAs and special days
    // (`support_sla.rs`), the knowledge base (`support_kb.rs`).
    for &(name, source) in super::support_reports::TEMPLATE_SOURCES
        .iter()
        .chain(super::support_sla::TEMPLATE_SOURCES.iter())
        .chain(super::support_kb::TEMPLATE_SOURCES.iter())
        // The agents' console (issue 18 points 1-4), in `support_desk.rs`.
        .chain(super::support_desk::TEMPLATE_SOURCES.iter())
        // The store's side of the desk (issue 18 point 1), in `support.rs`.
        .chain(super::support::TEMPLATE_SOURCES.iter())
        // The desk's incidents page (issue 18 points 5 and 6).
        .chain(super::support_incidents::TEMPLATE_SOURCES.iter())
        // The staff's schedule of bookings (issue 19 point 5), in `bookings.rs`.
        .chain(super::bookings::TEMPLATE_SOURCES.iter())
        // Setting bookings up (issue 19 points 1 to 4), in `booking_setup.rs`.
        .chain(super::booking_setup::TEMPLATE_SOURCES.iter())
    {
        if let Err(error) = env.add_template(name, source) {
            tracing::error!(%error, name, "a console template does not compile");
        }
    }
    env
});

const TEMPLATE_SOURCES: [(&str, &str); 18] = [
    ("layout.html", include_str!("../../../templates/console/layout.html")),
    ("message.html", include_str!("../../../templates/console/message.html")),
    ("login.html", include_str!("../../../templates/console/login.html")),
    ("account.html", include_str!("../../../templates/console/account.html")),
    ("home.html", include_str!("../../../templates/console/home.html")),
    ("display.html", include_str!("../../../templates/console/display.html")),
    ("switches.html", include_str!("../../../templates/console/switches.html")),
    ("phone.html", include_str!("../../../templates/console/phone.html")),
    ("orders.html", include_str!("../../../templates/console/orders.html")),
    ("reports.html", include_str!("../../../templates/console/reports.html")),
    ("payments.html", include_str!("../../../templates/console/payments.html")),
    ("conflicts.html", include_str!("../../../templates/console/conflicts.html")),
    ("nav.html", include_str!("../../../templates/console/nav.html")),
    ("mall.html", include_str!("../../../templates/console/mall.html")),
    ("dashboard.html", include_str!("../../../templates/console/dashboard.html")),
    // Users and invitations (issue 15 point 1).
    ("users.html", include_str!("../../../templates/console/users.html")),
    ("users_confirm.html", include_str!("../../../templates/console/users_confirm.html")),
    ("users_invite.html", include_str!("../../../templates/console/users_invite.html")),
];

/// Everything the console's pages load comes from this origin; no inline script runs (the
/// page data is JSON in a `<script type="application/json">`, which is never executed).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Renders `template` with `lang`, `t` and `ctx`; `cookies` become `Set-Cookie` headers.
pub(super) fn render(template: &str, lang: Lang, status: StatusCode, ctx: Value, cookies: &[String]) -> Response {
    let mut response = render_page(&TEMPLATES, template, lang, status, ctx);
    let headers = response.headers_mut();
    headers
        .insert(HeaderName::from_static("content-security-policy"), HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(HeaderName::from_static("x-frame-options"), HeaderValue::from_static("DENY"));
    headers.insert(HeaderName::from_static("referrer-policy"), HeaderValue::from_static("same-origin"));
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            headers.append(SET_COOKIE, value);
        }
    }
    response
}

/// A page with only a title and a sentence (404, 403, "try again").
pub(super) fn message(lang: Lang, status: StatusCode, title_key: &str, text_key: &str, ctx: Value) -> Response {
    render(
        "message.html",
        lang,
        status,
        context! { title => lang.text(title_key, &[]), text => lang.text(text_key, &[]), ..ctx },
        &[],
    )
}

/// The console's texts (`console.*`) for scripts that render on the client.
pub(super) fn console_messages(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    lang.all()
        .iter()
        .filter(|(key, _)| key.starts_with("console."))
        .map(|(key, text)| (key.as_str(), text.as_str()))
        .collect()
}

/// Percent-encodes a query parameter value.
pub(super) fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_console_template_compiles() {
        for (name, _) in TEMPLATE_SOURCES {
            assert!(TEMPLATES.get_template(name).is_ok(), "{name} does not compile");
        }
    }

    #[test]
    fn every_console_key_used_by_a_template_exists() {
        let catalog = Lang::Es.all();
        for (name, source) in TEMPLATE_SOURCES {
            for piece in source.split("t(\"").skip(1) {
                let key = piece.split('"').next().unwrap_or_default();
                if key.contains('~') || piece.starts_with(&format!("{key}\" ~")) {
                    continue;
                }
                assert!(catalog.contains_key(key), "{name} uses the missing text {key}");
            }
        }
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(urlencode("/console/orders?q=a b&x=1"), "/console/orders%3Fq%3Da%20b%26x%3D1");
    }
}
