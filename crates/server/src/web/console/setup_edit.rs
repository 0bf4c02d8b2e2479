//! Changing what setup made (issue 15 point 1): an admin edits a merchant (name, kind,
//! commission, tax id) as `PATCH /merchants/{id}` does, and a location's manager or an admin
//! sets how the location sells through each channel — on or off, the units kept back from it
//! (the safety buffer) and how long an unpaid cart holds stock — as
//! `PUT /locations/{id}/channels/{channel}` does.
//!
//! Kept beside `setup.rs` (whose helpers it borrows) rather than in it, so that page stays about
//! creating things; its texts are in `console-setup-edit.<lang>.json`.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use minijinja::{Value, context};
use omnicanal_app::ordering::availability::ChannelAllocation;
use omnicanal_app::setup::merchants::MerchantPatch;
use omnicanal_app::{AppError, FieldError};
use omnicanal_domain::channel::Channel;
use omnicanal_store::ChannelAllocationRow;
use serde::Deserialize;

use super::forms::{bad_csrf, not_admin, parse_percent, percent_in, see_other};
use super::pages::refused;
use super::session::ConsoleUser;
use super::setup::refusal;
use super::view::urlencode;
use crate::state::AppState;
use crate::web::i18n::Lang;

/// The templates of these pages, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 2] = [
    ("setup_merchant_edit.html", include_str!("../../../templates/console/setup_merchant_edit.html")),
    ("setup_channels.html", include_str!("../../../templates/console/setup_channels.html")),
];

/// The pages.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/setup/merchants/{id}/edit", get(edit_merchant).post(save_merchant))
        .route("/console/setup/locations/{id}/channels", get(channels).post(save_channel))
}

/// `?done=` after a save.
#[derive(Debug, Default, Deserialize)]
pub(super) struct DoneQuery {
    done: Option<String>,
}

// --- a merchant ------------------------------------------------------------------------------

/// The merchant form's fields, as typed.
#[derive(Debug, Default, Deserialize)]
pub(super) struct MerchantEditForm {
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

async fn merchant_form(
    state: &AppState,
    console: &ConsoleUser,
    id: &str,
    typed: Option<&MerchantEditForm>,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> Response {
    let merchant = match state.app.merchant(&console.user, id).await {
        Ok(merchant) => merchant,
        Err(error) => return refused(console, state, error),
    };
    let form = match typed {
        Some(form) => context! {
            name => form.name, kind => form.kind, commission => form.commission, tax_id => form.tax_id,
        },
        None => context! {
            name => merchant.name,
            kind => merchant.kind.as_str(),
            commission => percent_in(console.lang, merchant.commission_bps),
            tax_id => merchant.tax_id.clone().unwrap_or_default(),
        },
    };
    let ctx = context! {
        title => merchant.name,
        merchant => context! { id => merchant.id, name => merchant.name },
        form => form,
        errors => errors,
    };
    console.page(state, "setup_merchant_edit.html", status, ctx)
}

/// `GET /console/setup/merchants/{id}/edit`: the merchant's form, filled in.
pub(super) async fn edit_merchant(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
) -> Response {
    if let Some(page) = not_admin(&console, &state) {
        return page;
    }
    merchant_form(&state, &console, &id, None, BTreeMap::new(), StatusCode::OK).await
}

/// `POST /console/setup/merchants/{id}/edit`: saves it (as `PATCH /merchants/{id}`), or shows
/// the form again with each refused field's message and the values typed.
pub(super) async fn save_merchant(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<MerchantEditForm>,
) -> Response {
    if let Some(page) =
        not_admin(&console, &state).or_else(|| bad_csrf(&console, &state, &headers, form.csrf.as_deref()))
    {
        return page;
    }
    // A commission that is not a number is told at its field, with nothing saved.
    let saved = match parse_percent(&form.commission) {
        Some(bps) => {
            let patch = MerchantPatch {
                name: Some(form.name.clone()),
                kind: Some(form.kind.clone()),
                commission_bps: Some(bps),
                tax_id: Some(Some(form.tax_id.clone())),
            };
            state.app.update_merchant(&console.user, &id, patch).await
        }
        None => Err(AppError::Invalid(vec![FieldError {
            field: "commission".into(),
            message: "must be a percentage".into(),
        }])),
    };
    match saved {
        Ok(merchant) => see_other(&format!("/console/setup/merchants/{}?done=merchant_saved", urlencode(&merchant.id))),
        Err(error) => match refusal(&console, &state, error) {
            Ok(errors) => {
                merchant_form(&state, &console, &id, Some(&form), errors, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(page) => *page,
        },
    }
}

// --- a location's channels -------------------------------------------------------------------

/// One channel's form, as typed.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ChannelForm {
    csrf: Option<String>,
    #[serde(default)]
    channel: String,
    enabled: Option<String>,
    #[serde(default)]
    safety_buffer: String,
    #[serde(default)]
    hold_minutes: String,
}

/// A whole number as typed: blank is `blank`; anything else not a number is refused at `field`.
fn whole(field: &str, raw: &str, blank: Option<i64>, refused: &mut Vec<FieldError>) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return blank;
    }
    let parsed = raw.parse::<i64>().ok();
    if parsed.is_none() {
        refused.push(FieldError { field: field.into(), message: "must be a whole number".into() });
    }
    parsed
}

/// One row of the page: a channel with its settings (the defaults when never set).
fn channel_row(
    lang: Lang,
    channel: &Channel,
    saved: Option<&ChannelAllocationRow>,
    typed: Option<&ChannelForm>,
    errors: &BTreeMap<String, String>,
) -> Value {
    let code = channel.to_string();
    let label = lang.text(&format!("console.channel.{code}"), &[]);
    let mine = typed.filter(|form| form.channel == code);
    let (enabled, buffer, hold) = match (mine, saved) {
        (Some(form), _) => (form.enabled.is_some(), form.safety_buffer.clone(), form.hold_minutes.clone()),
        (None, Some(row)) => (
            row.enabled,
            row.safety_buffer.to_string(),
            row.hold_ttl_ms.map(|ms| (ms / 60_000).to_string()).unwrap_or_default(),
        ),
        (None, None) => (true, "0".to_owned(), String::new()),
    };
    context! {
        code => code,
        label => label,
        enabled => enabled,
        safety_buffer => buffer,
        hold_minutes => hold,
        errors => if mine.is_some() { errors.clone() } else { BTreeMap::new() },
    }
}

async fn channels_page(
    state: &AppState,
    console: &ConsoleUser,
    id: &str,
    done: bool,
    typed: Option<&ChannelForm>,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> Response {
    let location = match state.app.location(&console.user, id).await {
        Ok(location) => location,
        Err(error) => return refused(console, state, error),
    };
    let saved = match state.app.channel_allocations(&console.user, id).await {
        Ok(rows) => rows,
        Err(error) => return refused(console, state, error),
    };
    let rows: Vec<Value> = Channel::FIXED
        .iter()
        .map(|channel| {
            let row = saved.iter().find(|row| &row.channel == channel);
            channel_row(console.lang, channel, row, typed, &errors)
        })
        .collect();
    let ctx = context! {
        title => location.name,
        location => context! { id => location.id, name => location.name },
        channels => rows,
        admin => console.user.role == crate::auth::Role::Admin,
        done => done,
    };
    console.page(state, "setup_channels.html", status, ctx)
}

/// `GET /console/setup/locations/{id}/channels`: each channel with its switch, buffer and hold.
pub(super) async fn channels(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let done = query.done.as_deref() == Some("channel");
    channels_page(&state, &console, &id, done, None, BTreeMap::new(), StatusCode::OK).await
}

/// `POST /console/setup/locations/{id}/channels`: saves one channel's row (as
/// `PUT /locations/{id}/channels/{channel}`), or shows it again with its refused fields.
pub(super) async fn save_channel(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ChannelForm>,
) -> Response {
    if let Some(page) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return page;
    }
    let mut typos = Vec::new();
    let buffer = whole("safety_buffer", &form.safety_buffer, Some(0), &mut typos);
    let hold = whole("hold_minutes", &form.hold_minutes, None, &mut typos);
    let parsed = ChannelAllocation::parse(&form.channel, buffer.unwrap_or(0), form.enabled.is_some(), hold);
    let saved = match (parsed, typos.is_empty()) {
        (Ok(allocation), true) => state.app.set_channel_allocation(&console.user, &id, allocation).await.map(|_| ()),
        (Ok(_), false) => Err(AppError::Invalid(typos)),
        (Err(AppError::Invalid(mut errors)), _) => {
            errors.extend(typos);
            Err(AppError::Invalid(errors))
        }
        (Err(other), _) => Err(other),
    };
    match saved {
        Ok(()) => see_other(&format!("/console/setup/locations/{}/channels?done=channel", urlencode(&id))),
        Err(error) => match refusal(&console, &state, error) {
            Ok(errors) => {
                channels_page(&state, &console, &id, false, Some(&form), errors, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(page) => *page,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_number_is_a_number_or_a_field_error() {
        let mut refused = Vec::new();
        assert_eq!(whole("safety_buffer", " 3 ", Some(0), &mut refused), Some(3));
        assert_eq!(whole("safety_buffer", "", Some(0), &mut refused), Some(0));
        assert_eq!(whole("hold_minutes", "", None, &mut refused), None);
        assert!(refused.is_empty());
        assert_eq!(whole("hold_minutes", "diez", None, &mut refused), None);
        assert_eq!(refused.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["hold_minutes"]);
    }

    #[test]
    fn every_edit_template_compiles_and_its_texts_exist() {
        let mut env = minijinja::Environment::new();
        for (name, source) in TEMPLATE_SOURCES {
            env.add_template(name, source).unwrap_or_else(|error| panic!("{name}: {error}"));
        }
        for lang in [Lang::Es, Lang::En] {
            for source in TEMPLATE_SOURCES.map(|(_, source)| source) {
                for key in source.split("t(\"").skip(1).filter_map(|rest| rest.split('"').next()) {
                    assert!(lang.all().contains_key(key), "{key} is missing in {lang:?}");
                }
            }
        }
    }
}
