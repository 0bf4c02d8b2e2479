//! Setting up a mall in the browser (issue 15, the operator's first pages): the admin lists,
//! creates and tunes sites (country, currency, time zone, acceptance limit and what happens to a
//! part not accepted in time), lists and creates merchants (kind, commission in %), and opens a
//! merchant's locations at a site. Plain forms post here with the session's CSRF token and call
//! the very use cases of `POST /sites`, `PATCH /sites/{id}`, `POST /merchants` and
//! `POST /locations`, so the pages have exactly the API's rules; a refusal is shown at each
//! field it names, in the page's language (`console.setup.problem.<field>`), with the values
//! typed kept. Only admins see these pages: anyone else is told 403.
//!
//! - `sites.rs`: the sites' list and new-site form, a site's page (name, acceptance policy,
//!   posters).
//! - `merchants.rs`: the merchants' list and new-merchant form, a merchant's page and the form
//!   opening one of its locations.
//! - `locations.rs`: a location's settings.
//!
//! This file keeps what they share: the routes, the lists' query and pager, and a refusal in the
//! setup pages' words. Kept apart from the other console pages (own templates `setup_*.html`,
//! own catalog files `console-setup.<lang>.json`) so the pages grow without touching theirs.

mod locations;
mod merchants;
mod sites;

use std::collections::BTreeMap;

use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use omnicanal_app::{AppError, FieldError};
use omnicanal_store::{Page, SetupOrder};
use serde::Deserialize;

use super::forms::{page_number, pager_links};
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::state::AppState;
use crate::web::i18n::Lang;

/// Rows a list shows per page.
const PAGE_SIZE: i64 = 25;

/// The setup templates, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 6] = [
    ("setup_nav.html", include_str!("../../../../templates/console/setup_nav.html")),
    ("setup_sites.html", include_str!("../../../../templates/console/setup_sites.html")),
    ("setup_site.html", include_str!("../../../../templates/console/setup_site.html")),
    ("setup_merchants.html", include_str!("../../../../templates/console/setup_merchants.html")),
    ("setup_merchant.html", include_str!("../../../../templates/console/setup_merchant.html")),
    ("setup_location.html", include_str!("../../../../templates/console/setup_location.html")),
];

/// The setup pages.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/setup/sites", get(sites::sites).post(sites::create_site))
        .route("/console/setup/sites/{id}", get(sites::site).post(sites::update_site))
        .route("/console/setup/sites/{id}/posters", get(sites::posters))
        .route("/console/setup/merchants", get(merchants::merchants).post(merchants::create_merchant))
        .route("/console/setup/merchants/{id}", get(merchants::merchant))
        .route("/console/setup/merchants/{id}/locations", post(merchants::create_location))
        .route("/console/setup/locations/{id}", get(locations::location).post(locations::update_location))
}

/// Longest search text kept, in characters.
const MAX_SEARCH_CHARS: usize = 100;

/// `?q=` (a part of the name), `?sort=` (`created`, `-created`, `name`, `-name`), `?page=`
/// (from 1) and `?done=` (what the last form did).
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    q: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    done: Option<String>,
}

impl ListQuery {
    /// The search text, trimmed and bounded; empty lists everything.
    fn text(&self) -> String {
        self.q.as_deref().unwrap_or_default().trim().chars().take(MAX_SEARCH_CHARS).collect()
    }

    /// The order asked for; an unknown one is the default (oldest first), never an error.
    fn order(&self) -> SetupOrder {
        self.sort.as_deref().and_then(SetupOrder::parse).unwrap_or_default()
    }

    fn page_number(&self) -> i64 {
        page_number(self.page.as_deref())
    }

    /// The store's page: one row more than shown, to know whether a next page exists.
    fn store_page(&self) -> Page {
        Page { limit: PAGE_SIZE + 1, offset: (self.page_number() - 1) * PAGE_SIZE }
    }

    fn done(&self, lang: Lang, allowed: &[&str]) -> Option<String> {
        self.done
            .as_deref()
            .filter(|done| allowed.contains(done))
            .map(|done| lang.text(&format!("console.setup.done.{done}"), &[]))
    }
}

/// The pager's links: `(previous, next)` page numbers, when there are such pages.
fn pager(query: &ListQuery, rows: &mut Vec<impl Sized>) -> Value {
    let page = query.page_number();
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let text = query.text();
    let order = query.order();
    let keep = |sort: SetupOrder| {
        let mut link = String::from("?");
        if !text.is_empty() {
            link.push_str(&format!("q={}&", urlencode(&text)));
        }
        if sort != SetupOrder::default() {
            link.push_str(&format!("sort={}&", sort.as_str()));
        }
        link
    };
    let (prev, next) = pager_links(page, more, |to| format!("{}page={to}", keep(order)));
    // The name column's header sorts by name, and a second click turns it round.
    let by_name = if order == SetupOrder::Name { SetupOrder::NameDescending } else { SetupOrder::Name };
    context! {
        page => page,
        prev => prev,
        next => next,
        q => text,
        sort => order.as_str(),
        name_link => keep(by_name).trim_end_matches(['&', '?']).to_owned(),
        name_sort => match order {
            SetupOrder::Name => "ascending",
            SetupOrder::NameDescending => "descending",
            _ => "none",
        },
    }
}

/// Each refused field with the console's words for it: the use case's field names, except that
/// the commission is typed in % (`commission`) while the use case counts basis points.
fn field_texts(lang: Lang, errors: &[FieldError]) -> BTreeMap<String, String> {
    let mut texts = BTreeMap::new();
    for error in errors {
        let field = match error.field.as_str() {
            "commission_bps" => "commission",
            other => other,
        };
        let key = format!("console.setup.problem.{field}");
        let text = if lang.all().contains_key(&key) {
            lang.text(&key, &[("max", MAX_WAIT.to_string())])
        } else {
            lang.text("console.setup.problem.invalid", &[])
        };
        texts.entry(field.to_owned()).or_insert(text);
    }
    texts
}

/// The longest acceptance limit, as the field's message says it.
const MAX_WAIT: i64 = omnicanal_app::setup::sites::MAX_ACCEPT_WITHIN_MINUTES;

/// What a refused form answers: its fields' messages (422, the form shown again), or a page.
pub(super) fn refusal(
    console: &ConsoleUser,
    state: &AppState,
    error: AppError,
) -> Result<BTreeMap<String, String>, Box<Response>> {
    super::forms::refusal(console, state, error, "console.setup.forbidden", |error| match error {
        AppError::Invalid(errors) => Ok(field_texts(console.lang, &errors)),
        other => Err(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setup_template_compiles_and_its_texts_exist() {
        let mut env = minijinja::Environment::new();
        let catalog = Lang::Es.all();
        for (name, source) in TEMPLATE_SOURCES {
            assert!(env.add_template(name, source).is_ok(), "{name} does not compile");
            for piece in source.split("t(\"").skip(1) {
                let key = piece.split('"').next().unwrap_or_default();
                assert!(catalog.contains_key(key), "{name} uses the missing text {key}");
            }
        }
    }

    #[test]
    fn a_refused_field_is_told_in_the_page_language() {
        let errors = [
            FieldError { field: "timezone".into(), message: "must be an IANA time zone".into() },
            FieldError { field: "commission_bps".into(), message: "must be between 0 and 10000".into() },
            FieldError { field: "something_else".into(), message: "nope".into() },
        ];
        let texts = field_texts(Lang::Es, &errors);
        assert_eq!(texts.get("timezone"), Some(&Lang::Es.text("console.setup.problem.timezone", &[])));
        assert!(texts.contains_key("commission"), "the commission is told at the % field");
        assert_eq!(texts.get("something_else"), Some(&Lang::Es.text("console.setup.problem.invalid", &[])));
    }
}
