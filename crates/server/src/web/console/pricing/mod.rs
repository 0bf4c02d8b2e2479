//! Prices and promotions in the browser (issue 15 point 2): a merchant's manager (their own
//! merchant) and an admin (any merchant, chosen on the page) keep price lists, promotions and
//! the coupons of a promotion under `/console/pricing`. Plain forms post here with the session's
//! CSRF token and call the very use cases of `/price-lists`, `/promotions` and `/coupons`
//! (`omnicanal_app::pricing`), so the pages have exactly the API's rules; a refusal is shown at
//! each field it names in the page's language (`problems.rs`), with what was typed kept.
//!
//! - `price_lists.rs`: the searchable, sortable list, the form (name, scope, window, prices)
//!   and the deletion after a confirmation.
//! - `promotions.rs` and `promotion_form.rs`: the list, and the form for every kind the
//!   engine knows, ending and restarting a promotion.
//! - `coupons.rs`: a promotion's coupons — list, new code, switch on or off after a confirmation.
//! - `problems.rs`: the use cases' field messages in the console's words, and typed amounts.
//!
//! Kept apart from the other console pages (own templates `pricing_*.html`, own catalog files
//! `console-pricing.<lang>.json`) so they grow without touching theirs.

mod coupons;
mod price_lists;
mod problems;
mod promotion_form;
mod promotions;

use axum::Router;
use axum::response::Response;
use axum::routing::get;
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_domain::Currency;
use omnicanal_domain::access::Role;
use omnicanal_store::Page;
use serde::Deserialize;

pub(super) use super::forms::{bad_csrf, merchant_choices, see_other};
use super::forms::{local_time, page_count, page_number, pager_links, store_page};
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::state::AppState;
use crate::web::asset;

/// Rows a list shows per page.
const PAGE_SIZE: i64 = 20;

/// The pricing templates, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 7] = [
    ("pricing_tabs.html", include_str!("../../../../templates/console/pricing_tabs.html")),
    ("pricing_lists.html", include_str!("../../../../templates/console/pricing_lists.html")),
    ("pricing_list_form.html", include_str!("../../../../templates/console/pricing_list_form.html")),
    ("pricing_promotions.html", include_str!("../../../../templates/console/pricing_promotions.html")),
    ("pricing_promotion_form.html", include_str!("../../../../templates/console/pricing_promotion_form.html")),
    ("pricing_coupons.html", include_str!("../../../../templates/console/pricing_coupons.html")),
    ("pricing_confirm.html", include_str!("../../../../templates/console/pricing_confirm.html")),
];

/// The pricing pages and their script.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/pricing", get(price_lists::list))
        .route("/console/pricing/price-lists", get(price_lists::list).post(price_lists::create))
        .route("/console/pricing/price-lists/new", get(price_lists::new_form))
        .route("/console/pricing/price-lists/{id}", get(price_lists::edit_form).post(price_lists::update))
        .route("/console/pricing/price-lists/{id}/delete", get(price_lists::confirm_delete).post(price_lists::delete))
        .route("/console/pricing/promotions", get(promotions::list).post(promotions::create))
        .route("/console/pricing/promotions/new", get(promotions::new_form))
        .route("/console/pricing/promotions/{id}", get(promotions::edit_form).post(promotions::update))
        .route("/console/pricing/promotions/{id}/end", get(promotions::confirm_end).post(promotions::end))
        .route("/console/pricing/promotions/{id}/restart", axum::routing::post(promotions::restart))
        .route("/console/pricing/promotions/{id}/coupons", get(coupons::list).post(coupons::create))
        .route("/console/pricing/coupons/{id}/{switch}", get(coupons::confirm_switch).post(coupons::switch))
        .route(
            "/static/console/pricing.css",
            get(|| asset(include_str!("../../../../assets/console-pricing.css"), "text/css; charset=utf-8")),
        )
        .route(
            "/static/console/pricing.js",
            get(|| asset(include_str!("../../../../assets/console-pricing.js"), "text/javascript; charset=utf-8")),
        )
}

/// The merchant a page works on: its name, the currency its amounts are typed in and the time
/// zone its windows are read in.
pub(super) struct Merchant {
    pub id: String,
    pub name: String,
    pub currency: Currency,
    pub timezone: String,
}

/// `?merchant_id=` (admins only), `?q=`, `?sort=` and `?page=` (from 1), `?done=`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    pub merchant_id: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub done: Option<String>,
}

impl ListQuery {
    pub fn text(&self) -> String {
        self.q.as_deref().unwrap_or_default().trim().chars().take(100).collect()
    }

    pub fn page_number(&self) -> i64 {
        page_number(self.page.as_deref())
    }

    pub fn store_page(&self) -> Page {
        store_page(self.page_number(), PAGE_SIZE)
    }

    /// The sort asked for when it is one the lists know; else the default.
    pub fn sort(&self) -> &'static str {
        let asked = self.sort.as_deref().unwrap_or_default();
        omnicanal_app::pricing::search::Sort::VALUES.into_iter().find(|value| *value == asked).unwrap_or("created")
    }
}

/// Only managers and admins keep prices: anyone else (staff) is told 403.
pub(super) fn not_manager(console: &ConsoleUser, state: &AppState) -> Option<Response> {
    super::forms::not_manager(console, state, "console.pricing.forbidden")
}

/// The merchant of a page: a manager's own (asking for another is 404), or for an admin the one
/// asked for, else the first. `Ok(None)`: an admin on a platform with no merchant yet.
pub(super) async fn merchant_of_page(
    state: &AppState,
    console: &ConsoleUser,
    asked: Option<&str>,
) -> Result<Option<Merchant>, Response> {
    if let Some(denied) = not_manager(console, state) {
        return Err(denied);
    }
    let asked = asked.map(str::trim).filter(|id| !id.is_empty());
    let id = match (console.user.role, asked) {
        (Role::Admin, Some(id)) => id.to_owned(),
        (Role::Admin, None) => {
            let first = state.app.list_merchants(&console.user, Page { limit: 1, offset: 0 }).await;
            match first.map_err(|error| refused(console, state, error))?.into_iter().next() {
                Some(merchant) => merchant.id,
                None => return Ok(None),
            }
        }
        (_, asked) => {
            let own = console.user.merchant_id.clone().ok_or_else(|| console.missing(state))?;
            if asked.is_some_and(|asked| asked != own) {
                return Err(console.missing(state));
            }
            own
        }
    };
    merchant_by_id(state, console, &id).await.map(Some)
}

/// A merchant the caller may see, with its currency and time zone (another's is the 404 page).
pub(super) async fn merchant_by_id(state: &AppState, console: &ConsoleUser, id: &str) -> Result<Merchant, Response> {
    let row = state.app.merchant(&console.user, id).await.map_err(|error| refused(console, state, error))?;
    let (currency, timezone) =
        state.app.merchant_home(&row.id).await.map_err(|error| refused(console, state, error))?;
    Ok(Merchant { id: row.id, name: row.name, currency, timezone })
}

/// One of the merchant's locations, and the time zone of its site (its windows are read there).
pub(super) struct Place {
    pub id: String,
    pub name: String,
    pub timezone: String,
}

/// The merchant's locations, for scopes.
pub(super) async fn merchant_locations(state: &AppState, console: &ConsoleUser, merchant_id: &str) -> Vec<Place> {
    let listed = state.app.console_locations(&console.user).await.map(|listed| listed.locations).unwrap_or_default();
    listed
        .into_iter()
        .filter(|(location, _)| location.merchant_id == merchant_id)
        .map(|(location, site)| Place { id: location.id, name: location.name, timezone: site.timezone })
        .collect()
}

/// The places as a form's choices.
pub(super) fn place_choices(places: &[Place]) -> Vec<Value> {
    places.iter().map(|place| context! { id => place.id, name => place.name }).collect()
}

/// An instant as a `datetime-local` input shows it, in `timezone`.
pub(super) fn local_input(ms: Option<i64>, timezone: &str) -> String {
    let zone = timezone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map(|at| at.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// An instant as a list shows it (`24-12-2026 18:00`), in `timezone`.
pub(super) fn local_text(ms: i64, timezone: &str) -> String {
    local_time(ms, timezone, "%d-%m-%Y %H:%M")
}

/// A window as a list says it.
pub(super) fn window_text(lang: crate::web::i18n::Lang, from: Option<i64>, to: Option<i64>, timezone: &str) -> String {
    match (from, to) {
        (None, None) => lang.text("console.pricing.window.always", &[]),
        (Some(from), None) => lang.text("console.pricing.window.from", &[("from", local_text(from, timezone))]),
        (None, Some(to)) => lang.text("console.pricing.window.until", &[("to", local_text(to, timezone))]),
        (Some(from), Some(to)) => lang.text(
            "console.pricing.window.between",
            &[("from", local_text(from, timezone)), ("to", local_text(to, timezone))],
        ),
    }
}

/// The sort choices of a list, in the page's language.
pub(super) fn sort_choices(lang: crate::web::i18n::Lang, chosen: &str) -> Vec<Value> {
    omnicanal_app::pricing::search::Sort::VALUES
        .into_iter()
        .map(|value| {
            let label = lang.text(&format!("console.pricing.sort.{}", value.replace('-', "desc_")), &[]);
            context! { value => value, label => label, selected => value == chosen }
        })
        .collect()
}

/// The channels a price list or a promotion may be kept to.
pub(super) fn channel_choices(lang: crate::web::i18n::Lang) -> Vec<Value> {
    omnicanal_domain::channel::Channel::FIXED
        .iter()
        .map(|channel| {
            let value = channel.to_string();
            let label = lang.text(&format!("console.pricing.channel.{value}"), &[]);
            context! { value => value, label => label }
        })
        .collect()
}

/// `?merchant_id=…&` for an admin's links (a manager's pages need none).
pub(super) fn merchant_param(console: &ConsoleUser, merchant_id: &str) -> String {
    if console.user.role == Role::Admin { format!("merchant_id={}&", urlencode(merchant_id)) } else { String::new() }
}

/// The pager of a list that knows its total.
pub(super) fn pager(base: &str, query: &ListQuery, total: usize) -> Value {
    let page = query.page_number();
    let total = i64::try_from(total).unwrap_or(i64::MAX);
    let pages = page_count(total, PAGE_SIZE);
    let text = query.text();
    let (prev, next) =
        pager_links(page, page < pages, |to| format!("{base}q={}&sort={}&page={to}", urlencode(&text), query.sort()));
    context! {
        page => page,
        pages => pages,
        prev => prev,
        next => next,
    }
}

/// What a use case's refusal answers on a page: `Ok` with the field messages to show (the form
/// again), or the page to answer instead (404, 403, "try again").
fn refusal(console: &ConsoleUser, state: &AppState, error: AppError) -> Result<problems::Fields, Box<Response>> {
    super::forms::refusal(console, state, error, "console.pricing.forbidden", |error| match error {
        AppError::Invalid(errors) => Ok(problems::Fields::from_errors(console.lang, &errors)),
        AppError::AlreadyExists { field, .. } => Ok(problems::Fields::taken(console.lang, field)),
        other => Err(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn every_pricing_template_compiles_and_its_texts_exist_in_both_languages() {
        let mut env = minijinja::Environment::new();
        for (name, source) in TEMPLATE_SOURCES {
            env.add_template(name, source).unwrap_or_else(|error| panic!("{name}: {error}"));
        }
        for lang in [Lang::Es, Lang::En] {
            for (name, source) in TEMPLATE_SOURCES {
                for piece in source.split("t(\"").skip(1) {
                    let key = piece.split('"').next().unwrap_or_default();
                    assert!(lang.all().contains_key(key), "{name} uses the missing text {key} ({lang:?})");
                }
            }
        }
        let keys = |json: &str| {
            let texts: std::collections::BTreeMap<String, String> = serde_json::from_str(json).unwrap_or_default();
            texts.into_keys().collect::<Vec<_>>()
        };
        let spanish = keys(include_str!("../../../../locales/console-pricing.es.json"));
        assert!(!spanish.is_empty(), "the Spanish texts parse");
        assert_eq!(spanish, keys(include_str!("../../../../locales/console-pricing.en.json")), "same keys in both");
    }
}
