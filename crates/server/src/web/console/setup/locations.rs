//! A location's settings page: its name, pay at pickup, preparation time, counter and orders
//! per pickup slot, saved as `PATCH /locations/{id}` saves them.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use omnicanal_app::setup::storefront::{LocationChangeFields, LocationChanges};
use omnicanal_app::{AppError, FieldError};
use serde::Deserialize;

use super::super::forms::{bad_csrf, not_admin, see_other};
use super::super::pages::refused;
use super::super::session::ConsoleUser;
use super::super::view::urlencode;
use super::{ListQuery, refusal};
use crate::state::AppState;

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
