//! Setting up a mall in the browser (issue 15, the operator's first pages): the admin lists,
//! creates and tunes sites (country, currency, time zone, acceptance limit and what happens to a
//! part not accepted in time), lists and creates merchants (kind, commission in %), and opens a
//! merchant's locations at a site. Plain forms post here with the session's CSRF token and call
//! the very use cases of `POST /sites`, `PATCH /sites/{id}`, `POST /merchants` and
//! `POST /locations`, so the pages have exactly the API's rules; a refusal is shown at each
//! field it names, in the page's language (`console.setup.problem.<field>`), with the values
//! typed kept. Only admins see these pages: anyone else is told 403.
//!
//! Kept apart from the other console pages (own templates `setup_*.html`, own catalog files
//! `console-setup.<lang>.json`) so the pages grow without touching theirs.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::{Value, context};
use omnicanal_app::setup::locations::NewLocation;
use omnicanal_app::setup::merchants::NewMerchant;
use omnicanal_app::setup::sites::{NewSite, SiteChanges};
use omnicanal_app::setup::storefront::{LocationChangeFields, LocationChanges};
use omnicanal_app::{AppError, FieldError};
use omnicanal_store::{MerchantRow, Page, SetupOrder, SiteRow};
use serde::Deserialize;

use super::forms::{bad_csrf, not_admin, page_number, pager_links, parse_percent, percent_in, see_other};
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::state::AppState;
use crate::web::i18n::Lang;

/// Rows a list shows per page.
const PAGE_SIZE: i64 = 25;
/// Sites offered when opening a location (a platform has a handful of malls).
const SITE_CHOICES: i64 = 200;
/// Time zones offered beside the field (any IANA zone is accepted).
const TIMEZONES: [&str; 3] = ["America/Santiago", "America/Lima", "America/Bogota"];
/// The countries a site may be in, with their currencies.
const COUNTRIES: [(&str, &str); 3] = [("CL", "CLP"), ("PE", "PEN"), ("CO", "COP")];

/// The setup templates, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 6] = [
    ("setup_nav.html", include_str!("../../../templates/console/setup_nav.html")),
    ("setup_sites.html", include_str!("../../../templates/console/setup_sites.html")),
    ("setup_site.html", include_str!("../../../templates/console/setup_site.html")),
    ("setup_merchants.html", include_str!("../../../templates/console/setup_merchants.html")),
    ("setup_merchant.html", include_str!("../../../templates/console/setup_merchant.html")),
    ("setup_location.html", include_str!("../../../templates/console/setup_location.html")),
];

/// The setup pages.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/setup/sites", get(sites).post(create_site))
        .route("/console/setup/sites/{id}", get(site).post(update_site))
        .route("/console/setup/sites/{id}/posters", get(posters))
        .route("/console/setup/merchants", get(merchants).post(create_merchant))
        .route("/console/setup/merchants/{id}", get(merchant))
        .route("/console/setup/merchants/{id}/locations", post(create_location))
        .route("/console/setup/locations/{id}", get(location).post(update_location))
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

fn merchant_card(lang: Lang, merchant: &MerchantRow) -> Value {
    context! {
        id => merchant.id,
        name => merchant.name,
        kind => lang.text(&format!("console.setup.kind.{}", merchant.kind.as_str()), &[]),
        commission => percent_in(lang, merchant.commission_bps),
        tax_id => merchant.tax_id,
    }
}

// --- sites ---------------------------------------------------------------------------------

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

// --- merchants and their locations ----------------------------------------------------------

/// The new-merchant form's fields.
#[derive(Debug, Default, Deserialize)]
pub(super) struct MerchantForm {
    csrf: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    commission: String,
    #[serde(default)]
    tax_id: String,
}

async fn merchants_page(
    state: &AppState,
    console: &ConsoleUser,
    query: &ListQuery,
    form: &MerchantForm,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> Response {
    let lang = console.lang;
    let text = query.text();
    let listed = state.app.search_merchants(&console.user, &text, query.order(), query.store_page()).await;
    let mut rows = match listed {
        Ok(rows) => rows,
        Err(error) => return refused(console, state, error),
    };
    let pager = pager(query, &mut rows);
    let ctx = context! {
        title => lang.text("console.setup.merchants.title", &[]),
        merchants => rows.iter().map(|merchant| merchant_card(lang, merchant)).collect::<Vec<_>>(),
        pager => pager,
        form => context! {
            name => form.name,
            kind => if form.kind.is_empty() { "restaurant" } else { form.kind.as_str() },
            commission => form.commission,
            tax_id => form.tax_id,
        },
        errors => errors,
        done => query.done(lang, &["merchant"]),
    };
    console.page(state, "setup_merchants.html", status, ctx)
}

/// `GET /console/setup/merchants`: the merchants, a page at a time, and the form for a new one.
pub(super) async fn merchants(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Some(page) = not_admin(&console, &state) {
        return page;
    }
    merchants_page(&state, &console, &query, &MerchantForm::default(), BTreeMap::new(), StatusCode::OK).await
}

/// `POST /console/setup/merchants`: creates the merchant (as `POST /merchants`, the commission
/// typed in % and stored in basis points) and opens its page, or shows the form again.
pub(super) async fn create_merchant(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<MerchantForm>,
) -> Response {
    if let Some(page) =
        not_admin(&console, &state).or_else(|| bad_csrf(&console, &state, &headers, form.csrf.as_deref()))
    {
        return page;
    }
    // A commission that is not a number is reported with the other fields' problems.
    let bps = parse_percent(&form.commission);
    let parsed = NewMerchant::parse(&form.name, &form.kind, bps.unwrap_or(0), Some(form.tax_id.as_str()));
    let created = match (parsed, bps) {
        (Ok(merchant), Some(_)) => state.app.create_merchant(&console.user, merchant).await,
        (Ok(_), None) => Err(AppError::Invalid(Vec::new())),
        (Err(error), _) => Err(error),
    };
    let created = match (created, bps) {
        (Err(AppError::Invalid(mut errors)), None) => {
            errors.push(FieldError { field: "commission".into(), message: "must be a percentage".into() });
            Err(AppError::Invalid(errors))
        }
        (other, _) => other,
    };
    match created {
        Ok(merchant) => see_other(&format!("/console/setup/merchants/{}?done=merchant", urlencode(&merchant.id))),
        Err(error) => match refusal(&console, &state, error) {
            Ok(errors) => {
                merchants_page(&state, &console, &ListQuery::default(), &form, errors, StatusCode::UNPROCESSABLE_ENTITY)
                    .await
            }
            Err(page) => *page,
        },
    }
}

/// The new-location form's fields.
#[derive(Debug, Default, Deserialize)]
pub(super) struct LocationForm {
    csrf: Option<String>,
    #[serde(default)]
    site_id: String,
    #[serde(default)]
    name: String,
    pay_at_pickup: Option<String>,
}

async fn merchant_page(
    state: &AppState,
    console: &ConsoleUser,
    id: &str,
    done: Option<String>,
    typed: Option<&LocationForm>,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> Response {
    let lang = console.lang;
    let merchant = match state.app.merchant(&console.user, id).await {
        Ok(merchant) => merchant,
        Err(error) => return refused(console, state, error),
    };
    let locations: Vec<Value> = match state.app.console_locations(&console.user).await {
        Ok(listed) => listed
            .locations
            .iter()
            .filter(|(location, _)| location.merchant_id == merchant.id)
            .map(|(location, site)| {
                context! {
                    id => location.id,
                    name => location.name,
                    site => site.name,
                    site_id => site.id,
                    pay_at_pickup => location.pay_at_pickup,
                }
            })
            .collect(),
        Err(error) => return refused(console, state, error),
    };
    let sites = match state.app.list_sites(Page { limit: SITE_CHOICES, offset: 0 }).await {
        Ok(sites) => sites,
        Err(error) => return refused(console, state, error),
    };
    let ctx = context! {
        title => merchant.name,
        merchant => merchant_card(lang, &merchant),
        locations => locations,
        sites => sites.iter().map(|site| context! { id => site.id, name => site.name }).collect::<Vec<_>>(),
        form => context! {
            site_id => typed.map(|form| form.site_id.clone()).unwrap_or_default(),
            name => typed.map(|form| form.name.clone()).unwrap_or_default(),
            pay_at_pickup => typed.is_some_and(|form| form.pay_at_pickup.is_some()),
        },
        errors => errors,
        done => done,
    };
    console.page(state, "setup_merchant.html", status, ctx)
}

/// `GET /console/setup/merchants/{id}`: a merchant, its locations and the form for a new one.
pub(super) async fn merchant(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Some(page) = not_admin(&console, &state) {
        return page;
    }
    let done = query.done(console.lang, &["merchant", "location", "merchant_saved"]);
    merchant_page(&state, &console, &id, done, None, BTreeMap::new(), StatusCode::OK).await
}

/// `POST /console/setup/merchants/{id}/locations`: opens a location of the merchant at a site
/// (as `POST /locations`), or shows the form again with each refused field's message.
pub(super) async fn create_location(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<LocationForm>,
) -> Response {
    if let Some(page) =
        not_admin(&console, &state).or_else(|| bad_csrf(&console, &state, &headers, form.csrf.as_deref()))
    {
        return page;
    }
    let created = match NewLocation::parse(id.clone(), form.site_id.clone(), &form.name, form.pay_at_pickup.is_some()) {
        Ok(location) => state.app.create_location(&console.user, location).await,
        Err(error) => Err(error),
    };
    match created {
        Ok(_) => see_other(&format!("/console/setup/merchants/{}?done=location", urlencode(&id))),
        Err(error) => match refusal(&console, &state, error) {
            Ok(errors) => {
                merchant_page(&state, &console, &id, None, Some(&form), errors, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(page) => *page,
        },
    }
}

// --- a location's settings ----------------------------------------------------------------

/// The location settings form's fields (numbers as typed: a word is told at its field).
#[derive(Debug, Default, Deserialize)]
pub(super) struct LocationSettingsForm {
    csrf: Option<String>,
    #[serde(default)]
    name: String,
    pay_at_pickup: Option<String>,
    #[serde(default)]
    prep_minutes: String,
    #[serde(default)]
    counter: String,
    #[serde(default)]
    slot_capacity: String,
}

async fn location_page(
    state: &AppState,
    console: &ConsoleUser,
    id: &str,
    done: Option<String>,
    typed: Option<&LocationSettingsForm>,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> Response {
    let location = match state.app.location(&console.user, id).await {
        Ok(location) => location,
        Err(error) => return refused(console, state, error),
    };
    let (site, merchant) =
        match (state.app.site(&location.site_id).await, state.app.merchant(&console.user, &location.merchant_id).await)
        {
            (Ok(site), Ok(merchant)) => (site, merchant),
            (Err(error), _) | (_, Err(error)) => return refused(console, state, error),
        };
    let settings = &location.storefront;
    let form = match typed {
        Some(form) => context! {
            name => form.name,
            pay_at_pickup => form.pay_at_pickup.is_some(),
            prep_minutes => form.prep_minutes,
            counter => form.counter,
            slot_capacity => form.slot_capacity,
        },
        None => context! {
            name => location.name,
            pay_at_pickup => location.pay_at_pickup,
            prep_minutes => settings.prep_minutes.to_string(),
            counter => settings.counter.clone().unwrap_or_default(),
            slot_capacity => settings.slot_capacity.unwrap_or(0).to_string(),
        },
    };
    let ctx = context! {
        title => location.name,
        location => context! { id => location.id, name => location.name },
        site => context! { id => site.id, name => site.name },
        merchant => context! { id => merchant.id, name => merchant.name },
        form => form,
        errors => errors,
        done => done,
    };
    console.page(state, "setup_location.html", status, ctx)
}

/// `GET /console/setup/locations/{id}`: a location's settings (name, pay at pickup, preparation
/// time, counter, orders per pickup slot).
pub(super) async fn location(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Some(page) = not_admin(&console, &state) {
        return page;
    }
    let done = query.done(console.lang, &["settings"]);
    location_page(&state, &console, &id, done, None, BTreeMap::new(), StatusCode::OK).await
}

/// A number field as typed: empty is `empty`, a word is refused at `field`.
fn number(field: &str, raw: &str, empty: i64, refused: &mut Vec<FieldError>) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some(empty);
    }
    let parsed = raw.parse::<i64>().ok();
    if parsed.is_none() {
        refused.push(FieldError { field: field.into(), message: "must be a whole number".into() });
    }
    parsed
}

/// `POST /console/setup/locations/{id}`: saves the settings (as `PATCH /locations/{id}`), or
/// shows the form again with each refused field's message.
pub(super) async fn update_location(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<LocationSettingsForm>,
) -> Response {
    if let Some(page) =
        not_admin(&console, &state).or_else(|| bad_csrf(&console, &state, &headers, form.csrf.as_deref()))
    {
        return page;
    }
    let mut words = Vec::new();
    let prep_minutes = number("prep_minutes", &form.prep_minutes, 0, &mut words);
    let slot_capacity = number("slot_capacity", &form.slot_capacity, 0, &mut words);
    let parsed = LocationChanges::parse(LocationChangeFields {
        name: Some(form.name.clone()),
        pay_at_pickup: Some(form.pay_at_pickup.is_some()),
        is_open: None,
        pause_minutes: None,
        prep_minutes: Some(prep_minutes.unwrap_or(15)),
        opening_hours_json: None,
        always_open: None,
        counter: Some(form.counter.clone()),
        slot_capacity: Some(slot_capacity.unwrap_or(0)),
    });
    let saved = match (parsed, words.is_empty()) {
        (Ok(changes), true) => state.app.update_location(&console.user, &id, changes).await.map(|_| ()),
        (Ok(_), false) => Err(AppError::Invalid(words)),
        (Err(AppError::Invalid(mut errors)), _) => {
            errors.extend(words);
            Err(AppError::Invalid(errors))
        }
        (Err(error), _) => Err(error),
    };
    match saved {
        Ok(()) => see_other(&format!("/console/setup/locations/{}?done=settings", urlencode(&id))),
        Err(error) => match refusal(&console, &state, error) {
            Ok(errors) => {
                location_page(&state, &console, &id, None, Some(&form), errors, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(page) => *page,
        },
    }
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
