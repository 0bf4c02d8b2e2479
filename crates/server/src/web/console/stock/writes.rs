//! The stock page's forms (count, goods received, transfer, confirm a transfer's receipt): each
//! post checks the CSRF token and the location, calls the stock use case the API calls, and
//! either goes back to the page with what was done or shows it again with each refused field's
//! message and what was typed.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use omnicanal_app::AppError;
use omnicanal_app::stock::counts::NewCount;
use omnicanal_app::stock::levels::LevelQuery;
use omnicanal_app::stock::movements::NewMovement;
use omnicanal_app::stock::transfers::NewTransfer;
use omnicanal_store::{LocationRow, Page};
use serde::Deserialize;

use super::super::forms::{bad_csrf, not_manager, see_other};
use super::super::pages::refused;
use super::super::session::ConsoleUser;
use super::super::view::urlencode;
use super::{FormState, LevelsQuery, RECEIPT_REASONS, choose_location, page};
use crate::state::AppState;
use crate::web::i18n::Lang;

/// The fields of the three forms (each uses some).
#[derive(Debug, Default, Deserialize)]
pub(super) struct StockForm {
    csrf: Option<String>,
    #[serde(default)]
    location_id: String,
    #[serde(default)]
    sku: String,
    counted: Option<String>,
    quantity: Option<String>,
    reason: Option<String>,
    reference: Option<String>,
    to_location_id: Option<String>,
    step: Option<String>,
}

impl StockForm {
    fn values(&self) -> BTreeMap<String, String> {
        let mut values = BTreeMap::new();
        let mut keep = |key: &str, value: Option<&String>| {
            if let Some(value) = value {
                values.insert(key.to_owned(), value.clone());
            }
        };
        keep("sku", Some(&self.sku));
        keep("counted", self.counted.as_ref());
        keep("quantity", self.quantity.as_ref());
        keep("reason", self.reason.as_ref());
        keep("reference", self.reference.as_ref());
        keep("to_location_id", self.to_location_id.as_ref());
        values
    }

    fn query(&self) -> LevelsQuery {
        LevelsQuery { location_id: Some(self.location_id.clone()), ..LevelsQuery::default() }
    }
}

/// A whole number typed in `field`, or its problem.
fn number(lang: Lang, field: &str, raw: Option<&str>, errors: &mut BTreeMap<String, String>) -> Option<i64> {
    match raw.map(str::trim).unwrap_or_default().parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.insert(field.to_owned(), lang.text(&format!("console.stock.error.{field}"), &[]));
            None
        }
    }
}

/// The console's words for a refused field; the SKU's three causes are told apart.
fn field_text(lang: Lang, field: &str, message: &str) -> String {
    let key = match field {
        "sku" if message.contains("not tracked") => "console.stock.error.sku_untracked",
        "sku" if message.contains("no such SKU") => "console.stock.error.sku_unknown",
        "sku" => "console.stock.error.sku",
        "counted" => "console.stock.error.counted",
        "delta" | "quantity" => "console.stock.error.quantity",
        "reason" => "console.stock.error.reason",
        "reference" => "console.stock.error.reference",
        "to_location_id" if message.contains("differ") => "console.stock.error.to_same",
        "to_location_id" => "console.stock.error.to_location",
        _ => "console.stock.error.location",
    };
    lang.text(key, &[])
}

/// What a refused write shows: each field's problem, or the page's problem for a conflict;
/// `Err` is a page to answer as it is (404, 403, "try again").
fn refusal(
    state: &AppState,
    console: &ConsoleUser,
    error: AppError,
    conflict_field: &str,
    errors: &mut BTreeMap<String, String>,
) -> Result<StatusCode, Box<Response>> {
    let lang = console.lang;
    super::super::forms::refusal(console, state, error, "console.stock.forbidden", |error| match error {
        AppError::Invalid(fields) => {
            for field in fields {
                let name = if field.field == "delta" { "quantity".to_owned() } else { field.field.clone() };
                errors.entry(name.clone()).or_insert_with(|| field_text(lang, &name, &field.message));
            }
            Ok(StatusCode::UNPROCESSABLE_ENTITY)
        }
        AppError::InsufficientStock { .. } => {
            errors.insert(conflict_field.to_owned(), lang.text("console.stock.error.short", &[]));
            Ok(StatusCode::CONFLICT)
        }
        AppError::Conflict(_) => {
            let key = if conflict_field == "counted" {
                "console.stock.error.below_reserved"
            } else {
                "console.stock.error.short"
            };
            errors.insert(conflict_field.to_owned(), lang.text(key, &[]));
            Ok(StatusCode::CONFLICT)
        }
        other => Err(other),
    })
}

/// The page again with the posted form's values and problems.
async fn again(
    state: &AppState,
    console: &ConsoleUser,
    form: &StockForm,
    name: &'static str,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> Response {
    let posted = FormState { form: name, values: form.values(), errors, preview: None };
    page(state, console, &form.query(), posted, status).await
}

/// Back to the page with what was done.
fn done(location_id: &str, action: &str, extra: &str) -> Response {
    see_other(&format!("/console/stock?location_id={}&done={action}{extra}", urlencode(location_id)))
}

/// The location a form names, when the user may see it (its forms are only on its page).
async fn posted_location(state: &AppState, console: &ConsoleUser, form: &StockForm) -> Result<LocationRow, Response> {
    if let Some(denied) = not_manager(console, state, "console.stock.forbidden") {
        return Err(denied);
    }
    match choose_location(state, console, Some(&form.location_id)).await? {
        (Some(location), _) => Ok(location),
        (None, _) => Err(console.missing(state)),
    }
}

/// `POST /console/stock/count`: `step=preview` shows the difference; `step=save` records it.
pub(super) async fn count(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<StockForm>,
) -> Response {
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let location = match posted_location(&state, &console, &form).await {
        Ok(location) => location,
        Err(page) => return page,
    };
    let lang = console.lang;
    let mut errors = BTreeMap::new();
    let Some(counted) = number(lang, "counted", form.counted.as_deref(), &mut errors) else {
        return again(&state, &console, &form, "count", errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let command = match NewCount::parse(&form.sku, location.id.clone(), counted) {
        Ok(command) => command,
        Err(error) => {
            return match refusal(&state, &console, error, "counted", &mut errors) {
                Ok(status) => again(&state, &console, &form, "count", errors, status).await,
                Err(page) => *page,
            };
        }
    };
    if form.step.as_deref() != Some("save") {
        // The preview reads the level the count would replace; saving reads it again under lock.
        let query = LevelQuery {
            location_id: Some(location.id.clone()),
            sku: Some(command.sku.as_str().to_owned()),
            page: Page { limit: 1, offset: 0 },
        };
        let on_hand = match state.app.stock_levels(&console.user, query).await {
            Ok(levels) => levels.first().map_or(0, |level| level.on_hand),
            Err(error) => return refused(&console, &state, error),
        };
        let preview = FormState {
            form: "count",
            values: form.values(),
            errors,
            preview: Some((on_hand, counted, counted - on_hand)),
        };
        return page(&state, &console, &form.query(), preview, StatusCode::OK).await;
    }
    match state.app.count_stock(&console.user, command).await {
        Ok(counted) => {
            let extra = format!("&sku={}&difference={}", urlencode(&counted.level.sku), counted.difference);
            done(&location.id, "count", &extra)
        }
        Err(error) => match refusal(&state, &console, error, "counted", &mut errors) {
            Ok(status) => again(&state, &console, &form, "count", errors, status).await,
            Err(page) => *page,
        },
    }
}

/// `POST /console/stock/receipt`: goods received (a positive movement with a reason and reference).
pub(super) async fn receipt(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<StockForm>,
) -> Response {
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let location = match posted_location(&state, &console, &form).await {
        Ok(location) => location,
        Err(page) => return page,
    };
    let lang = console.lang;
    let mut errors = BTreeMap::new();
    let quantity = number(lang, "quantity", form.quantity.as_deref(), &mut errors).filter(|n| {
        let positive = *n > 0;
        if !positive {
            errors.insert("quantity".into(), lang.text("console.stock.error.quantity", &[]));
        }
        positive
    });
    let reason = form.reason.clone().unwrap_or_default();
    if !RECEIPT_REASONS.contains(&reason.as_str()) {
        errors.insert("reason".into(), lang.text("console.stock.error.reason", &[]));
    }
    let Some(quantity) = quantity.filter(|_| errors.is_empty()) else {
        return again(&state, &console, &form, "receipt", errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let outcome = match NewMovement::parse(&form.sku, location.id.clone(), quantity, &reason) {
        Ok(movement) => state.app.record_movement_with_reference(&console.user, movement, form.reference.clone()).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(level) => done(&location.id, "receipt", &format!("&sku={}&difference={quantity}", urlencode(&level.sku))),
        Err(error) => match refusal(&state, &console, error, "quantity", &mut errors) {
            Ok(status) => again(&state, &console, &form, "receipt", errors, status).await,
            Err(page) => *page,
        },
    }
}

/// `POST /console/stock/transfer`: sends units to another location of the merchant.
pub(super) async fn transfer(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<StockForm>,
) -> Response {
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let location = match posted_location(&state, &console, &form).await {
        Ok(location) => location,
        Err(page) => return page,
    };
    let lang = console.lang;
    let mut errors = BTreeMap::new();
    let Some(quantity) = number(lang, "quantity", form.quantity.as_deref(), &mut errors) else {
        return again(&state, &console, &form, "transfer", errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let to = form.to_location_id.clone().unwrap_or_default();
    let outcome = match NewTransfer::parse(&form.sku, location.id.clone(), to, quantity) {
        Ok(command) => state.app.send_transfer(&console.user, command).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(sent) => {
            done(&location.id, "transfer", &format!("&sku={}&difference={}", urlencode(&sent.sku), sent.quantity))
        }
        Err(error) => match refusal(&state, &console, error, "quantity", &mut errors) {
            Ok(status) => again(&state, &console, &form, "transfer", errors, status).await,
            Err(page) => *page,
        },
    }
}

/// `POST /console/stock/transfers/{id}/receive`: confirms a transfer arrived here.
pub(super) async fn receive(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<StockForm>,
) -> Response {
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let location = match posted_location(&state, &console, &form).await {
        Ok(location) => location,
        Err(page) => return page,
    };
    match state.app.receive_transfer(&console.user, &id).await {
        Ok(received) if received.to_location_id == location.id => done(
            &location.id,
            "receive",
            &format!("&sku={}&difference={}", urlencode(&received.sku), received.quantity),
        ),
        Ok(received) => done(&received.to_location_id, "receive", ""),
        Err(AppError::Conflict(_)) => {
            let mut errors = BTreeMap::new();
            errors.insert("_".to_owned(), console.lang.text("console.stock.error.already_received", &[]));
            let posted = FormState { form: "receive", errors, ..FormState::default() };
            page(&state, &console, &form.query(), posted, StatusCode::CONFLICT).await
        }
        Err(error) => refused(&console, &state, error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_sku_is_told_by_its_cause() {
        let unknown = field_text(Lang::En, "sku", "the merchant has no such SKU");
        let untracked = field_text(Lang::En, "sku", "stock is not tracked for this product");
        assert_eq!(unknown, Lang::En.text("console.stock.error.sku_unknown", &[]));
        assert_eq!(untracked, Lang::En.text("console.stock.error.sku_untracked", &[]));
        assert_eq!(field_text(Lang::Es, "delta", "x"), Lang::Es.text("console.stock.error.quantity", &[]));
    }
}
