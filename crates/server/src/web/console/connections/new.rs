//! The new-connection form: which shop (the four kinds, each with the address to give and its
//! own credential fields — all shown grouped, the script hides the other kinds'), a name, the
//! merchant's locations whose stock the shop sells, the units kept back, and who wins stock,
//! price and content. It is parsed into the API's own `NewConnection` and created by
//! `App::create_connection`; a refusal is shown at its field (the use case's field names:
//! `kind`, `name`, `base_url`, `credentials.<field>`, `location_ids`, `stock_buffer`, …) with
//! what was typed kept — except the secrets, which are never sent back to the browser.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::connections::setup::{ConnectionInput, MAX_BUFFER, NewConnection};
use omnicanal_app::{AppError, FieldError};
use omnicanal_domain::connections::ConnectorKind;
use serde::Deserialize;

use super::super::forms::{bad_csrf, merchant_choices, not_manager, refusal, see_other};
use super::super::session::ConsoleUser;
use super::super::view::urlencode;
use super::{FORBIDDEN, kind_label};
use crate::auth::Role;
use crate::state::AppState;
use crate::web::i18n::Lang;

/// The shop kinds, in the order the form offers them.
pub(super) const KINDS: [&str; 4] = ["woocommerce", "prestashop", "magento", "shopify"];
/// The fields whose refusal the catalogue says in its own words (others keep the rule's).
pub(super) const PROBLEM_FIELDS: [&str; 10] = [
    "kind",
    "name",
    "merchant_id",
    "base_url",
    "credentials",
    "location_ids",
    "stock_buffer",
    "stock_owner",
    "price_owner",
    "content_owner",
];
/// The owner fields and their defaults (the use case's, shown preselected).
const OWNERS: [(&str, &str); 3] =
    [("stock_owner", "omnicanal"), ("price_owner", "omnicanal"), ("content_owner", "shop")];

/// The credential fields of a kind (none for a word that is not one).
pub(super) fn credential_fields(kind: &str) -> &'static [&'static str] {
    ConnectorKind::parse(kind).map(ConnectorKind::credential_fields).unwrap_or(&[])
}

/// `?merchant_id=` (an admin's choice of merchant).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewQuery {
    merchant_id: Option<String>,
}

/// The form as posted: repeated `location_ids` and per-kind credentials (`cred.<kind>.<field>`),
/// so it is read as pairs.
#[derive(Debug, Default)]
struct Typed {
    fields: BTreeMap<String, String>,
    location_ids: Vec<String>,
    credentials: BTreeMap<String, BTreeMap<String, String>>,
}

impl Typed {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut typed = Typed::default();
        for (name, value) in pairs {
            if name == "location_ids" {
                typed.location_ids.push(value);
            } else if let Some((kind, field)) = name.strip_prefix("cred.").and_then(|rest| rest.split_once('.')) {
                typed.credentials.entry(kind.to_owned()).or_default().insert(field.to_owned(), value);
            } else {
                typed.fields.insert(name, value);
            }
        }
        typed
    }

    fn get(&self, name: &str) -> String {
        self.fields.get(name).map(|value| value.trim().to_owned()).unwrap_or_default()
    }
}

/// A refusal's field messages, keyed as the form shows them (`credentials.<field>` stays whole).
fn field_texts(lang: Lang, errors: &[FieldError]) -> BTreeMap<String, String> {
    let mut texts = BTreeMap::new();
    for error in errors {
        let family = error.field.split('.').next().unwrap_or_default();
        let key = format!("console.connections.problem.{family}");
        let text = match family {
            // The outbound policy's reason (https, a public host) is what the person must fix.
            "base_url" if !error.message.starts_with("is required") => {
                format!("{} ({})", lang.text(&key, &[]), error.message)
            }
            "stock_buffer" => lang.text(&key, &[("max", MAX_BUFFER.to_string())]),
            _ if PROBLEM_FIELDS.contains(&family) => lang.text(&key, &[]),
            _ => error.message.clone(),
        };
        texts.entry(error.field.clone()).or_insert(text);
    }
    texts
}

/// The form page, with what was typed (secrets left out) and each field's problem.
async fn form_page(
    state: &AppState,
    console: &ConsoleUser,
    merchant_id: Option<String>,
    typed: &Typed,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> Response {
    let lang = console.lang;
    let admin = console.user.role == Role::Admin;
    let merchants = merchant_choices(state, console).await;
    let merchant_id = if admin { merchant_id.filter(|id| !id.is_empty()) } else { console.user.merchant_id.clone() };
    let places = match state.app.console_locations(&console.user).await {
        Ok(listed) => listed.locations,
        Err(error) => return super::refused(console, state, error),
    };
    let chosen_kind = typed.get("kind");
    let chosen_kind = if chosen_kind.is_empty() { "woocommerce".to_owned() } else { chosen_kind };
    let locations: Vec<Value> = places
        .iter()
        .filter(|(location, _)| merchant_id.as_deref().is_none_or(|id| location.merchant_id == id))
        .map(|(location, site)| {
            context! {
                id => location.id,
                name => location.name,
                site => site.name,
                checked => typed.location_ids.contains(&location.id),
            }
        })
        .collect();
    let kinds: Vec<Value> = KINDS
        .iter()
        .map(|&kind| {
            let fields: Vec<Value> = credential_fields(kind)
                .iter()
                .map(|&field| {
                    context! {
                        name => field,
                        label => lang.text(&format!("console.connections.credential.{field}"), &[]),
                        error => (kind == chosen_kind).then(|| errors.get(&format!("credentials.{field}")).cloned()).flatten(),
                    }
                })
                .collect();
            context! {
                value => kind,
                label => kind_label(kind),
                url_hint => lang.text(&format!("console.connections.url_hint.{kind}"), &[]),
                fields => fields,
            }
        })
        .collect();
    let owners: Vec<Value> = OWNERS
        .iter()
        .map(|&(field, default)| {
            let typed_value = typed.get(field);
            context! {
                field => field,
                label => lang.text(&format!("console.connections.owner.{field}"), &[]),
                value => if typed_value.is_empty() { default.to_owned() } else { typed_value },
                error => errors.get(field).cloned(),
            }
        })
        .collect();
    let buffer = typed.fields.get("stock_buffer").cloned().unwrap_or_else(|| "0".into());
    let credential_problem = errors.keys().any(|field| field.starts_with("credentials."));
    let ctx = context! {
        title => lang.text("console.connections.new.title", &[]),
        admin => admin,
        merchants => merchants,
        merchant_id => merchant_id,
        kinds => kinds,
        kind => chosen_kind,
        name => typed.get("name"),
        base_url => typed.get("base_url"),
        locations => locations,
        stock_buffer => buffer,
        owners => owners,
        err => errors,
        credential_problem => credential_problem,
    };
    console.page(state, "connections_new.html", status, ctx)
}

/// `GET /console/connections/new`.
pub(crate) async fn form(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<NewQuery>,
) -> Response {
    if let Some(denied) = not_manager(&console, &state, FORBIDDEN) {
        return denied;
    }
    form_page(&state, &console, query.merchant_id, &Typed::default(), BTreeMap::new(), StatusCode::OK).await
}

/// `POST /console/connections/new`: creates the connection and goes to its sync page, or shows
/// the form again with each problem at its field.
pub(crate) async fn create(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(denied) = not_manager(&console, &state, FORBIDDEN) {
        return denied;
    }
    let typed = Typed::from_pairs(pairs);
    if let Some(denied) = bad_csrf(&console, &state, &headers, typed.fields.get("csrf").map(String::as_str)) {
        return denied;
    }
    let lang = console.lang;
    let merchant_id = if console.user.role == Role::Admin {
        typed.get("merchant_id")
    } else {
        console.user.merchant_id.clone().unwrap_or_default()
    };
    let kind = typed.get("kind");
    let mut errors = BTreeMap::new();
    // Only the chosen kind's secrets go to the use case; the other kinds' boxes are ignored.
    let credentials: BTreeMap<String, String> = typed
        .credentials
        .get(&kind)
        .map(|fields| {
            fields.iter().filter(|(_, value)| !value.trim().is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect()
        })
        .unwrap_or_default();
    let buffer_typed = typed.get("stock_buffer");
    let stock_buffer = if buffer_typed.is_empty() {
        None
    } else {
        match buffer_typed.parse::<i64>() {
            Ok(units) => Some(units),
            Err(_) => {
                errors.insert(
                    "stock_buffer".to_owned(),
                    lang.text("console.connections.problem.stock_buffer", &[("max", MAX_BUFFER.to_string())]),
                );
                None
            }
        }
    };
    let optional = |name: &str| Some(typed.get(name)).filter(|value| !value.is_empty());
    let input = ConnectionInput {
        merchant_id: merchant_id.clone(),
        kind: kind.clone(),
        name: typed.get("name"),
        base_url: typed.get("base_url"),
        credentials,
        location_ids: typed.location_ids.clone(),
        stock_buffer,
        price_list_id: None,
        stock_owner: optional("stock_owner"),
        price_owner: optional("price_owner"),
        content_owner: optional("content_owner"),
    };
    let created = match NewConnection::parse(input) {
        Ok(new) if errors.is_empty() => state.app.create_connection(&console.user, new).await,
        Ok(_) => Err(AppError::Invalid(Vec::new())),
        Err(error) => Err(error),
    };
    match created {
        Ok(row) => see_other(&format!("/console/connections/{}", urlencode(&row.id))),
        Err(error) => {
            let shown = refusal(&console, &state, error, FORBIDDEN, |error| match error {
                AppError::Invalid(fields) => Ok(field_texts(lang, &fields)),
                other => Err(other),
            });
            match shown {
                Ok(fields) => {
                    for (field, text) in fields {
                        errors.entry(field).or_insert(text);
                    }
                    let merchant = Some(merchant_id).filter(|id| !id.is_empty());
                    form_page(&state, &console, merchant, &typed, errors, StatusCode::UNPROCESSABLE_ENTITY).await
                }
                Err(page) => *page,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_read_as_pairs_with_each_kinds_credentials_apart() {
        let pairs = [
            ("kind", "woocommerce"),
            ("location_ids", "loc_a"),
            ("location_ids", "loc_b"),
            ("cred.woocommerce.consumer_key", "ck"),
            ("cred.shopify.access_token", "tok"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let typed = Typed::from_pairs(pairs.to_vec());
        assert_eq!(typed.get("kind"), "woocommerce");
        assert_eq!(typed.location_ids, ["loc_a", "loc_b"]);
        assert_eq!(typed.credentials["woocommerce"]["consumer_key"], "ck");
        assert_eq!(typed.credentials["shopify"]["access_token"], "tok");
    }

    #[test]
    fn a_refusal_is_told_at_its_field_in_the_page_language() {
        let errors = [
            FieldError { field: "credentials.consumer_key".into(), message: "is required for woocommerce".into() },
            FieldError { field: "base_url".into(), message: "must be https".into() },
            FieldError { field: "price_list_id".into(), message: "no such price list".into() },
        ];
        let texts = field_texts(Lang::Es, &errors);
        assert_eq!(texts["credentials.consumer_key"], Lang::Es.text("console.connections.problem.credentials", &[]));
        assert!(texts["base_url"].contains("must be https"), "the policy's reason is kept: {}", texts["base_url"]);
        assert_eq!(texts["price_list_id"], "no such price list");
    }
}
