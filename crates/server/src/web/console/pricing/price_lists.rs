//! The price lists of a merchant: the list (search by name, sort, pages, an empty state that
//! says what a list is for), the form to create or change one — name, scope (channel,
//! location), window and per-SKU prices typed one per line — and the deletion, asked first.
//! Every form calls `create_price_list`, `replace_price_list` or `delete_price_list`, so a window
//! that overlaps another list of the same scope is refused at the window, nothing saved.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::pricing::price_lists::{PriceListDraft, PriceListInput};
use omnicanal_app::pricing::search::Search;
use omnicanal_domain::Money;
use omnicanal_store::PriceListRow;
use serde::Deserialize;

use super::problems::{Fields, amount_text, parse_amount};
use super::{
    ListQuery, Merchant, Place, bad_csrf, channel_choices, merchant_by_id, merchant_choices, merchant_locations,
    merchant_of_page, merchant_param, not_manager, pager, place_choices, refusal, see_other, sort_choices, window_text,
};
use crate::state::AppState;
use crate::web::console::pages::refused;
use crate::web::console::session::ConsoleUser;
use crate::web::console::view::urlencode;
use crate::web::i18n::Lang;

/// Most lines the prices box takes (the use case's own limit).
const MAX_PRICE_LINES: usize = omnicanal_app::pricing::price_lists::MAX_PRICES_PER_LIST;

/// The price list form's fields, as typed.
#[derive(Debug, Default, Deserialize)]
pub(in crate::web::console) struct PriceListForm {
    csrf: Option<String>,
    merchant_id: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    location_id: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
    active: Option<String>,
    #[serde(default)]
    prices: String,
}

/// `GET /console/pricing` and `/console/pricing/price-lists`: the merchant's price lists.
pub(in crate::web::console) async fn list(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<ListQuery>,
) -> Response {
    let merchant = match merchant_of_page(&state, &console, query.merchant_id.as_deref()).await {
        Ok(Some(merchant)) => merchant,
        Ok(None) => return no_merchant(&state, &console),
        Err(page) => return page,
    };
    let lang = console.lang;
    let search = match Search::parse(Some(&query.text()), Some(query.sort()), query.store_page()) {
        Ok(search) => search,
        Err(error) => return refused(&console, &state, error),
    };
    let found = match state.app.search_price_lists(&console.user, Some(merchant.id.clone()), &search).await {
        Ok(found) => found,
        Err(error) => return refused(&console, &state, error),
    };
    let places = merchant_locations(&state, &console, &merchant.id).await;
    let rows: Vec<Value> = found.items.iter().map(|row| list_row(lang, row, &merchant, &places)).collect();
    let param = merchant_param(&console, &merchant.id);
    let ctx = context! {
        title => lang.text("console.pricing.lists.title", &[]),
        tab => "lists",
        merchant => context! { id => merchant.id, name => merchant.name },
        merchants => merchant_choices(&state, &console).await,
        merchant_param => param,
        lists => rows,
        total => found.total,
        q => query.text(),
        sorts => sort_choices(lang, query.sort()),
        pager => pager(&format!("/console/pricing/price-lists?{param}"), &query, found.total),
        done => done_text(lang, query.done.as_deref()),
    };
    console.page(&state, "pricing_lists.html", StatusCode::OK, ctx)
}

/// An admin on a platform with no merchant yet: nothing to price.
pub(super) fn no_merchant(state: &AppState, console: &ConsoleUser) -> Response {
    console.message(state, StatusCode::OK, "console.pricing.lists.title", "console.pricing.no_merchants")
}

/// What the last form did, said once above the list.
pub(super) fn done_text(lang: Lang, done: Option<&str>) -> Option<String> {
    const DONE: [&str; 7] = ["created", "saved", "deleted", "ended", "restarted", "activated", "deactivated"];
    done.filter(|done| DONE.contains(done)).map(|done| lang.text(&format!("console.pricing.done.{done}"), &[]))
}

fn list_row(lang: Lang, row: &PriceListRow, merchant: &Merchant, places: &[Place]) -> Value {
    let place = row.location_id.as_deref().and_then(|id| places.iter().find(|place| place.id == id));
    let timezone = place.map_or(merchant.timezone.as_str(), |place| place.timezone.as_str());
    let channel = row.channel.as_ref().map(|channel| lang.text(&format!("console.pricing.channel.{channel}"), &[]));
    let location = row.location_id.as_ref().map(|id| place.map_or_else(|| id.clone(), |place| place.name.clone()));
    let scope = match (channel, location) {
        (None, None) => lang.text("console.pricing.scope.everywhere", &[]),
        (Some(channel), None) => channel,
        (None, Some(location)) => location,
        (Some(channel), Some(location)) => format!("{location} · {channel}"),
    };
    context! {
        id => row.id,
        name => row.name,
        scope => scope,
        window => window_text(lang, row.valid_from_ms, row.valid_to_ms, timezone),
        prices => row.entries.len(),
        active => row.active,
        state => lang.text(if row.active { "console.pricing.state.active" } else { "console.pricing.state.inactive" }, &[]),
    }
}

/// `GET /console/pricing/price-lists/new`.
pub(in crate::web::console) async fn new_form(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<ListQuery>,
) -> Response {
    let merchant = match merchant_of_page(&state, &console, query.merchant_id.as_deref()).await {
        Ok(Some(merchant)) => merchant,
        Ok(None) => return no_merchant(&state, &console),
        Err(page) => return page,
    };
    let form = PriceListForm { active: Some("on".into()), ..PriceListForm::default() };
    form_page(&state, &console, &merchant, None, &form, Fields::default(), StatusCode::OK).await
}

/// `GET /console/pricing/price-lists/{id}`: the form with the list as it is.
pub(in crate::web::console) async fn edit_form(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
) -> Response {
    if let Some(denied) = not_manager(&console, &state) {
        return denied;
    }
    let row = match state.app.price_list(&console.user, &id).await {
        Ok(row) => row,
        Err(error) => return refused(&console, &state, error),
    };
    let merchant = match merchant_by_id(&state, &console, &row.merchant_id).await {
        Ok(merchant) => merchant,
        Err(page) => return page,
    };
    let places = merchant_locations(&state, &console, &merchant.id).await;
    let place = row.location_id.as_deref().and_then(|id| places.iter().find(|place| place.id == id));
    let timezone = place.map_or(merchant.timezone.as_str(), |place| place.timezone.as_str());
    let form = PriceListForm {
        csrf: None,
        merchant_id: Some(row.merchant_id.clone()),
        name: row.name.clone(),
        channel: row.channel.as_ref().map(ToString::to_string).unwrap_or_default(),
        location_id: row.location_id.clone().unwrap_or_default(),
        valid_from: super::local_input(row.valid_from_ms, timezone),
        valid_to: super::local_input(row.valid_to_ms, timezone),
        active: row.active.then(|| "on".to_owned()),
        prices: row
            .entries
            .iter()
            .map(|entry| format!("{} {}", entry.sku, amount_text(Money::new(entry.price_minor, entry.currency))))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    form_page(&state, &console, &merchant, Some(&row.id), &form, Fields::default(), StatusCode::OK).await
}

/// The form, with what was typed and the messages at their fields.
async fn form_page(
    state: &AppState,
    console: &ConsoleUser,
    merchant: &Merchant,
    id: Option<&str>,
    form: &PriceListForm,
    errors: Fields,
    status: StatusCode,
) -> Response {
    let lang = console.lang;
    let places = merchant_locations(state, console, &merchant.id).await;
    let action = match id {
        Some(id) => format!("/console/pricing/price-lists/{}", urlencode(id)),
        None => "/console/pricing/price-lists".to_owned(),
    };
    let title = if id.is_some() { "console.pricing.list_form.edit" } else { "console.pricing.list_form.new" };
    let ctx = context! {
        title => lang.text(title, &[]),
        tab => "lists",
        editing => id.is_some(),
        id => id,
        action => action,
        merchant => context! { id => merchant.id, name => merchant.name, currency => merchant.currency.code() },
        merchant_param => merchant_param(console, &merchant.id),
        channels => channel_choices(lang),
        locations => place_choices(&places),
        form => context! {
            name => form.name, channel => form.channel, location_id => form.location_id,
            valid_from => form.valid_from, valid_to => form.valid_to,
            active => form.active.is_some(), prices => form.prices,
        },
        has_errors => !errors.is_empty(),
        errors => errors.0,
    };
    console.page(state, "pricing_list_form.html", status, ctx)
}

/// The prices box: one `SKU price` per line (blank lines skipped), as the use case takes them.
/// A line whose price is not an amount is told here and sent as 0 so the lines keep their numbers.
fn read_prices(lang: Lang, raw: &str, merchant: &Merchant, errors: &mut Fields) -> (String, Vec<(String, Money)>) {
    let lines: Vec<&str> =
        raw.lines().map(str::trim).filter(|line| !line.is_empty()).take(MAX_PRICE_LINES + 1).collect();
    let mut prices = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        let spaced = line.replace(['\t', ';', '='], " ");
        let mut words = spaced.split_whitespace();
        let sku = words.next().unwrap_or_default().to_owned();
        let amount = words.collect::<String>();
        let price = parse_amount(&amount, merchant.currency).unwrap_or_else(|| {
            let text = lang.text("console.pricing.problem.price", &[("currency", merchant.currency.code().to_owned())]);
            errors.add(
                "prices",
                lang.text("console.pricing.problem.line", &[("line", (index + 1).to_string()), ("text", text)]),
            );
            Money::new(0, merchant.currency)
        });
        prices.push((sku, price));
    }
    (lines.join("\n"), prices)
}

/// Parses the form into the use case's draft, or the messages to show.
fn draft_of(lang: Lang, form: &mut PriceListForm, merchant: &Merchant) -> Result<PriceListDraft, Fields> {
    let mut errors = Fields::default();
    let (normal, prices) = read_prices(lang, &form.prices, merchant, &mut errors);
    form.prices = normal;
    let optional = |raw: &str| Some(raw.trim().to_owned()).filter(|raw| !raw.is_empty());
    let parsed = PriceListDraft::parse(PriceListInput {
        merchant_id: merchant.id.clone(),
        name: form.name.clone(),
        channel: optional(&form.channel),
        location_id: optional(&form.location_id),
        valid_from: optional(&form.valid_from),
        valid_to: optional(&form.valid_to),
        active: Some(form.active.is_some()),
        prices,
    });
    match parsed {
        Ok(draft) if errors.is_empty() => Ok(draft),
        Ok(_) => Err(errors),
        Err(omnicanal_app::AppError::Invalid(fields)) => {
            errors.merge(Fields::from_errors(lang, &fields));
            Err(errors)
        }
        Err(_) => Err(errors),
    }
}

/// `POST /console/pricing/price-lists`: creates, or shows the form again with its messages.
pub(in crate::web::console) async fn create(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(mut form): Form<PriceListForm>,
) -> Response {
    let merchant = match merchant_of_page(&state, &console, form.merchant_id.as_deref()).await {
        Ok(Some(merchant)) => merchant,
        Ok(None) => return no_merchant(&state, &console),
        Err(page) => return page,
    };
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let result = match draft_of(console.lang, &mut form, &merchant) {
        Ok(draft) => state.app.create_price_list(&console.user, draft).await.map_err(Refusal::Error),
        Err(fields) => Err(Refusal::Fields(fields)),
    };
    finish(&state, &console, &merchant, None, &form, result, "created").await
}

/// `POST /console/pricing/price-lists/{id}`: replaces the list, or shows the form again.
pub(in crate::web::console) async fn update(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(mut form): Form<PriceListForm>,
) -> Response {
    if let Some(denied) = not_manager(&console, &state) {
        return denied;
    }
    let existing = match state.app.price_list(&console.user, &id).await {
        Ok(row) => row,
        Err(error) => return refused(&console, &state, error),
    };
    let merchant = match merchant_by_id(&state, &console, &existing.merchant_id).await {
        Ok(merchant) => merchant,
        Err(page) => return page,
    };
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let result = match draft_of(console.lang, &mut form, &merchant) {
        Ok(draft) => state.app.replace_price_list(&console.user, &id, draft).await.map_err(Refusal::Error),
        Err(fields) => Err(Refusal::Fields(fields)),
    };
    finish(&state, &console, &merchant, Some(&id), &form, result, "saved").await
}

/// Why a form was not saved: messages found by the page, or the use case's refusal.
pub(super) enum Refusal {
    Fields(Fields),
    Error(omnicanal_app::AppError),
}

/// Back to the list after a save; the form again (422, or 409 for a taken value) otherwise.
async fn finish(
    state: &AppState,
    console: &ConsoleUser,
    merchant: &Merchant,
    id: Option<&str>,
    form: &PriceListForm,
    result: Result<PriceListRow, Refusal>,
    done: &str,
) -> Response {
    let fields = match result {
        Ok(_) => {
            let param = merchant_param(console, &merchant.id);
            return see_other(&format!("/console/pricing/price-lists?{param}done={done}"));
        }
        Err(Refusal::Fields(fields)) => fields,
        Err(Refusal::Error(error)) => match refusal(console, state, error) {
            Ok(fields) => fields,
            Err(page) => return *page,
        },
    };
    form_page(state, console, merchant, id, form, fields, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// A form carrying only the CSRF token.
#[derive(Debug, Deserialize)]
pub(in crate::web::console) struct CsrfOnly {
    pub(super) csrf: Option<String>,
}

/// `GET /console/pricing/price-lists/{id}/delete`: asks first, naming the list.
pub(in crate::web::console) async fn confirm_delete(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
) -> Response {
    if let Some(denied) = not_manager(&console, &state) {
        return denied;
    }
    let row = match state.app.price_list(&console.user, &id).await {
        Ok(row) => row,
        Err(error) => return refused(&console, &state, error),
    };
    let lang = console.lang;
    let ctx = context! {
        title => lang.text("console.pricing.delete.title", &[]),
        text => lang.text("console.pricing.delete.text", &[("name", row.name.clone())]),
        action => format!("/console/pricing/price-lists/{}/delete", urlencode(&row.id)),
        submit => lang.text("console.pricing.delete.submit", &[]),
        submit_testid => "confirm-delete",
        cancel => format!("/console/pricing/price-lists?{}", merchant_param(&console, &row.merchant_id)),
    };
    console.page(&state, "pricing_confirm.html", StatusCode::OK, ctx)
}

/// `POST /console/pricing/price-lists/{id}/delete`: deletes; its SKUs fall back to the next
/// list or their base price.
pub(in crate::web::console) async fn delete(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(denied) = not_manager(&console, &state) {
        return denied;
    }
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let row = match state.app.price_list(&console.user, &id).await {
        Ok(row) => row,
        Err(error) => return refused(&console, &state, error),
    };
    match state.app.delete_price_list(&console.user, &id).await {
        Ok(()) => {
            let param = merchant_param(&console, &row.merchant_id);
            see_other(&format!("/console/pricing/price-lists?{param}done=deleted"))
        }
        Err(error) => refused(&console, &state, error),
    }
}
