//! The sites' pages: the list with the form for a new site, and a site's page with its name,
//! acceptance limit and policy, its locations and its posters.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::setup::sites::{NewSite, SiteChanges};
use omnicanal_app::{AppError, FieldError};
use omnicanal_store::SiteRow;
use serde::Deserialize;

use super::super::forms::{bad_csrf, not_admin, see_other};
use super::super::pages::refused;
use super::super::session::ConsoleUser;
use super::super::view::urlencode;
use super::{ListQuery, MAX_WAIT, pager, refusal};
use crate::state::AppState;
use crate::web::i18n::Lang;

/// Time zones offered beside the field (any IANA zone is accepted).
const TIMEZONES: [&str; 3] = ["America/Santiago", "America/Lima", "America/Bogota"];
/// The countries a site may be in, with their currencies.
const COUNTRIES: [(&str, &str); 3] = [("CL", "CLP"), ("PE", "PEN"), ("CO", "COP")];

fn policy_text(lang: Lang, site: &SiteRow) -> String {
    lang.text(&format!("console.setup.policy.{}", site.unaccepted_policy.as_str()), &[])
}

fn limit_text(lang: Lang, site: &SiteRow) -> String {
    match site.accept_within_minutes {
        Some(minutes) => lang.text("console.setup.limit.minutes", &[("minutes", minutes.to_string())]),
        None => lang.text("console.setup.limit.none", &[]),
    }
}

fn site_card(lang: Lang, site: &SiteRow) -> Value {
    context! {
        id => site.id,
        name => site.name,
        country => site.country.code(),
        country_name => lang.text(&format!("console.setup.country.{}", site.country.code()), &[]),
        currency => site.currency.code(),
        timezone => site.timezone,
        limit => limit_text(lang, site),
        policy => policy_text(lang, site),
    }
}

/// The new-site form's fields.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SiteForm {
    csrf: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    timezone: String,
}

async fn sites_page(
    state: &AppState,
    console: &ConsoleUser,
    query: &ListQuery,
    form: &SiteForm,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> Response {
    let lang = console.lang;
    let text = query.text();
    let listed = state.app.search_sites(&text, query.order(), query.store_page()).await;
    let mut rows = match listed {
        Ok(rows) => rows,
        Err(error) => return refused(console, state, error),
    };
    let pager = pager(query, &mut rows);
    let countries: Vec<Value> = COUNTRIES
        .iter()
        .map(|(code, currency)| {
            context! { code => code, currency => currency, name => lang.text(&format!("console.setup.country.{code}"), &[]) }
        })
        .collect();
    let ctx = context! {
        title => lang.text("console.setup.sites.title", &[]),
        sites => rows.iter().map(|site| site_card(lang, site)).collect::<Vec<_>>(),
        pager => pager,
        countries => countries,
        timezones => TIMEZONES,
        form => context! {
            name => form.name,
            country => if form.country.is_empty() { "CL" } else { form.country.as_str() },
            currency => if form.currency.is_empty() { "CLP" } else { form.currency.as_str() },
            timezone => if form.timezone.is_empty() { "America/Santiago" } else { form.timezone.as_str() },
        },
        errors => errors,
        done => query.done(lang, &["site"]),
    };
    console.page(state, "setup_sites.html", status, ctx)
}

/// `GET /console/setup/sites`: the sites, a page at a time, and the form for a new one.
pub(super) async fn sites(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Some(page) = not_admin(&console, &state) {
        return page;
    }
    sites_page(&state, &console, &query, &SiteForm::default(), BTreeMap::new(), StatusCode::OK).await
}

/// `POST /console/setup/sites`: creates the site (as `POST /sites`) and opens its page, or shows
/// the form again with each refused field's message.
pub(super) async fn create_site(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<SiteForm>,
) -> Response {
    if let Some(page) =
        not_admin(&console, &state).or_else(|| bad_csrf(&console, &state, &headers, form.csrf.as_deref()))
    {
        return page;
    }
    let created = match NewSite::parse(&form.name, &form.country, &form.currency, form.timezone.trim()) {
        Ok(site) => state.app.create_site(&console.user, site).await,
        Err(error) => Err(error),
    };
    match created {
        Ok(site) => see_other(&format!("/console/setup/sites/{}?done=site", urlencode(&site.id))),
        Err(error) => match refusal(&console, &state, error) {
            Ok(errors) => {
                sites_page(&state, &console, &ListQuery::default(), &form, errors, StatusCode::UNPROCESSABLE_ENTITY)
                    .await
            }
            Err(page) => *page,
        },
    }
}

/// The site's policy form's fields.
#[derive(Debug, Default, Deserialize)]
pub(super) struct PolicyForm {
    csrf: Option<String>,
    /// The site's name (absent from an older form: then it is left as it is).
    name: Option<String>,
    #[serde(default)]
    accept_within_minutes: String,
    #[serde(default)]
    unaccepted_policy: String,
}

/// What the site page shows: the notice, the values typed in a refused form (the policy's, the
/// posters' tables) and each refused field's message.
#[derive(Default)]
struct SiteShown<'a> {
    done: Option<String>,
    policy: Option<&'a PolicyForm>,
    tables: &'a str,
    errors: BTreeMap<String, String>,
}

async fn site_page(
    state: &AppState,
    console: &ConsoleUser,
    id: &str,
    shown: SiteShown<'_>,
    status: StatusCode,
) -> Response {
    let SiteShown { done, policy: typed, tables, errors } = shown;
    let lang = console.lang;
    let site = match state.app.site(id).await {
        Ok(site) => site,
        Err(error) => return refused(console, state, error),
    };
    let locations: Vec<Value> = match state.app.console_locations(&console.user).await {
        Ok(listed) => listed
            .locations
            .iter()
            .filter(|(location, _)| location.site_id == site.id)
            .map(|(location, _)| context! { id => location.id, name => location.name, merchant_id => location.merchant_id })
            .collect(),
        Err(error) => return refused(console, state, error),
    };
    let limit = typed
        .map(|form| form.accept_within_minutes.clone())
        .unwrap_or_else(|| site.accept_within_minutes.unwrap_or(0).to_string());
    let policy =
        typed.map(|form| form.unaccepted_policy.clone()).unwrap_or_else(|| site.unaccepted_policy.as_str().to_owned());
    let name = typed.and_then(|form| form.name.clone()).unwrap_or_else(|| site.name.clone());
    let ctx = context! {
        title => site.name,
        site => site_card(lang, &site),
        locations => locations,
        form => context! { name => name, accept_within_minutes => limit, unaccepted_policy => policy },
        max_wait => MAX_WAIT,
        tables => tables,
        errors => errors,
        done => done,
    };
    console.page(state, "setup_site.html", status, ctx)
}

/// `GET /console/setup/sites/{id}`: a site, its locations and its acceptance policy.
pub(super) async fn site(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Some(page) = not_admin(&console, &state) {
        return page;
    }
    let done = query.done(console.lang, &["site", "policy"]);
    site_page(&state, &console, &id, SiteShown { done, ..SiteShown::default() }, StatusCode::OK).await
}

/// `POST /console/setup/sites/{id}`: changes the acceptance limit and the policy (as
/// `PATCH /sites/{id}`); an empty limit is no limit.
pub(super) async fn update_site(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<PolicyForm>,
) -> Response {
    if let Some(page) =
        not_admin(&console, &state).or_else(|| bad_csrf(&console, &state, &headers, form.csrf.as_deref()))
    {
        return page;
    }
    let raw_limit = form.accept_within_minutes.trim();
    let changed = match if raw_limit.is_empty() { Ok(0) } else { raw_limit.parse::<i64>() } {
        Ok(limit) => {
            match SiteChanges::parse_with_name(form.name.as_deref(), Some(limit), Some(form.unaccepted_policy.trim())) {
                Ok(changes) => state.app.update_site(&console.user, &id, changes).await,
                Err(error) => Err(error),
            }
        }
        Err(_) => Err(AppError::Invalid(vec![FieldError {
            field: "accept_within_minutes".into(),
            message: "must be a whole number of minutes".into(),
        }])),
    };
    match changed {
        Ok(site) => see_other(&format!("/console/setup/sites/{}?done=policy", urlencode(&site.id))),
        Err(error) => match refusal(&console, &state, error) {
            Ok(errors) => {
                let shown = SiteShown { policy: Some(&form), errors, ..SiteShown::default() };
                site_page(&state, &console, &id, shown, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(page) => *page,
        },
    }
}

/// `?tables=` of the posters form.
#[derive(Debug, Default, Deserialize)]
pub(super) struct PostersQuery {
    tables: Option<String>,
}

/// `GET /console/setup/sites/{id}/posters?tables=`: checks the tables as `GET /sites/{id}/posters`
/// would (`parse_tables`) and sends the browser to that PDF (the site's poster, then one per
/// table), which the session cookie opens; a bad list is told at its field instead of as JSON.
pub(super) async fn posters(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    Query(query): Query<PostersQuery>,
) -> Response {
    if let Some(page) = not_admin(&console, &state) {
        return page;
    }
    let tables = query.tables.as_deref().map(str::trim).unwrap_or_default();
    if !tables.is_empty() && crate::routes::posters::parse_tables(tables).is_err() {
        let errors = BTreeMap::from([("tables".to_owned(), console.lang.text("console.setup.problem.tables", &[]))]);
        let shown = SiteShown { tables, errors, ..SiteShown::default() };
        return site_page(&state, &console, &id, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let mut target = format!("/api/v1/sites/{}/posters?format=pdf", urlencode(&id));
    if !tables.is_empty() {
        target.push_str(&format!("&tables={}", urlencode(tables)));
    }
    see_other(&target)
}
