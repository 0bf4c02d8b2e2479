//! `/account`: the customer's account page (issue 17 point 3), Spanish first and 360 px first.
//! Sign in by a link sent to an e-mail or phone (the link lands here as `#link=<token>`, kept
//! out of server logs and referrers by being a fragment) or by password, register, and see the
//! one history of orders and till sales with their receipts.
//!
//! Everything the page does goes through the JSON API (`/api/v1/customers…`) from
//! `assets/account.js`, which keeps the customer's bearer token in the browser's storage: the
//! API's changes need the bearer header, so no other site can make them with our cookie. The
//! texts come from `locales/account.<lang>.json` (kept apart like the till's), and the script
//! gets the ones it needs in the page's data.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use minijinja::{Environment, Value, context};

use super::i18n::Lang;
use super::{PageQuery, asset, render_page};
use crate::state::AppState;

type Catalog = HashMap<String, String>;

static SPANISH: LazyLock<Catalog> =
    LazyLock::new(|| serde_json::from_str(include_str!("../../locales/account.es.json")).unwrap_or_default());
static ENGLISH: LazyLock<Catalog> =
    LazyLock::new(|| serde_json::from_str(include_str!("../../locales/account.en.json")).unwrap_or_default());

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    if let Err(error) = env.add_template("account.html", include_str!("../../templates/account.html")) {
        tracing::error!(%error, "the account page's template does not compile");
    }
    env
});

/// The account page and its script.
pub fn router() -> Router<AppState> {
    Router::new().route("/account", get(account_page)).route(
        "/static/account.js",
        get(|| asset(include_str!("../../assets/account.js"), "text/javascript; charset=utf-8")),
    )
}

/// This page's catalog in `lang`.
pub fn texts(lang: Lang) -> &'static Catalog {
    match lang {
        Lang::Es => &SPANISH,
        Lang::En => &ENGLISH,
    }
}

async fn account_page(Query(query): Query<PageQuery>, headers: HeaderMap) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let texts = texts(lang);
    let text = Value::from_serialize(texts);
    render_page(
        &TEMPLATES,
        "account.html",
        lang,
        StatusCode::OK,
        context! { x => text, page_data => context! { lang => lang.code(), texts => Value::from_serialize(texts) } },
    )
}
