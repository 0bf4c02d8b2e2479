//! The merchants' pages: the list with the form for a new merchant (commission typed in %),
//! and a merchant's page with its locations and the form opening one at a site.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::setup::locations::NewLocation;
use omnicanal_app::setup::merchants::NewMerchant;
use omnicanal_app::{AppError, FieldError};
use omnicanal_store::{MerchantRow, Page};
use serde::Deserialize;

use super::super::forms::{bad_csrf, not_admin, parse_percent, percent_in, see_other};
use super::super::pages::refused;
use super::super::session::ConsoleUser;
use super::super::view::urlencode;
use super::{ListQuery, pager, refusal};
use crate::state::AppState;
use crate::web::i18n::Lang;

/// Sites offered when opening a location (a platform has a handful of malls).
const SITE_CHOICES: i64 = 200;

fn merchant_card(lang: Lang, merchant: &MerchantRow) -> Value {
    context! {
        id => merchant.id,
        name => merchant.name,
        kind => lang.text(&format!("console.setup.kind.{}", merchant.kind.as_str()), &[]),
        commission => percent_in(lang, merchant.commission_bps),
        tax_id => merchant.tax_id,
    }
}

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
