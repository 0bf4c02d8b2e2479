//! A merchant's promotions: the list (search by name, sort, pages, an empty state that says what
//! a promotion does), the form for each kind (`promotion_form.rs`), and ending a promotion —
//! asked first — or starting it again. The forms call `create_promotion`, `replace_promotion`
//! and `set_promotion_active`, the API's use cases, so a bad percentage or window is refused at
//! its field with the engine's own rule.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::pricing::promotions::{PromotionDraft, PromotionQuery, PromotionRecord};
use omnicanal_app::pricing::search::Search;
use omnicanal_domain::access::Role;

use super::price_lists::{CsrfOnly, Refusal, done_text, no_merchant};
use super::problems::Fields;
use super::promotion_form::{KINDS, PromotionForm, kind_text};
use super::{
    ListQuery, Merchant, bad_csrf, channel_choices, merchant_by_id, merchant_choices, merchant_locations,
    merchant_of_page, merchant_param, not_manager, pager, place_choices, refusal, see_other, sort_choices, window_text,
};
use crate::state::AppState;
use crate::web::console::pages::refused;
use crate::web::console::session::ConsoleUser;
use crate::web::console::view::urlencode;
use crate::web::i18n::Lang;

/// `GET /console/pricing/promotions`: the merchant's promotions.
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
    let asked = PromotionQuery { merchant_id: Some(merchant.id.clone()), ..PromotionQuery::default() };
    let found = match state.app.search_promotions(&console.user, asked, &search).await {
        Ok(found) => found,
        Err(error) => return refused(&console, &state, error),
    };
    let rows: Vec<Value> = found.items.iter().map(|record| list_row(lang, record, &merchant)).collect();
    let param = merchant_param(&console, &merchant.id);
    let ctx = context! {
        title => lang.text("console.pricing.promotions.title", &[]),
        tab => "promotions",
        merchant => context! { id => merchant.id, name => merchant.name },
        merchants => merchant_choices(&state, &console).await,
        merchant_param => param,
        promotions => rows,
        total => found.total,
        q => query.text(),
        sorts => sort_choices(lang, query.sort()),
        pager => pager(&format!("/console/pricing/promotions?{param}"), &query, found.total),
        done => done_text(lang, query.done.as_deref()),
    };
    console.page(&state, "pricing_promotions.html", StatusCode::OK, ctx)
}

fn list_row(lang: Lang, record: &PromotionRecord, merchant: &Merchant) -> Value {
    let promotion = &record.definition;
    context! {
        id => record.row.id,
        name => record.row.name,
        gives => kind_text(lang, &promotion.kind),
        window => window_text(lang, promotion.valid_from_ms, promotion.valid_to_ms, &merchant.timezone),
        coupon => promotion.requires_coupon,
        active => record.row.active,
        state => lang.text(if record.row.active { "console.pricing.state.active" } else { "console.pricing.state.ended" }, &[]),
    }
}

/// `GET /console/pricing/promotions/new`.
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
    form_page(&state, &console, &merchant, None, &PromotionForm::blank(), Fields::default(), StatusCode::OK).await
}

/// A promotion of a merchant the caller may see, with its merchant; site-wide promotions are
/// the API's (no merchant page holds them), so here they are not found.
async fn visible(state: &AppState, console: &ConsoleUser, id: &str) -> Result<(PromotionRecord, Merchant), Response> {
    if let Some(denied) = not_manager(console, state) {
        return Err(denied);
    }
    let record = state.app.promotion(&console.user, id).await.map_err(|error| refused(console, state, error))?;
    let merchant_id = record.row.merchant_id.clone().ok_or_else(|| console.missing(state))?;
    let merchant = merchant_by_id(state, console, &merchant_id).await?;
    Ok((record, merchant))
}

/// `GET /console/pricing/promotions/{id}`: the form with the promotion as it is.
pub(in crate::web::console) async fn edit_form(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
) -> Response {
    let (record, merchant) = match visible(&state, &console, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let form = PromotionForm::from_record(&record, &merchant.timezone);
    form_page(&state, &console, &merchant, Some(&record), &form, Fields::default(), StatusCode::OK).await
}

/// The form, with what was typed and the messages at their fields.
async fn form_page(
    state: &AppState,
    console: &ConsoleUser,
    merchant: &Merchant,
    record: Option<&PromotionRecord>,
    form: &PromotionForm,
    errors: Fields,
    status: StatusCode,
) -> Response {
    let lang = console.lang;
    let places = merchant_locations(state, console, &merchant.id).await;
    let id = record.map(|record| record.row.id.clone());
    let action = match &id {
        Some(id) => format!("/console/pricing/promotions/{}", urlencode(id)),
        None => "/console/pricing/promotions".to_owned(),
    };
    let kinds: Vec<Value> = KINDS
        .iter()
        .map(|kind| context! { value => kind, label => lang.text(&format!("console.pricing.kind.{kind}"), &[]) })
        .collect();
    let weekdays: Vec<Value> = (1..=7)
        .map(|day: u8| context! { value => day.to_string(), label => lang.text(&format!("console.pricing.weekday.{day}"), &[]) })
        .collect();
    let title = if id.is_some() { "console.pricing.promotion_form.edit" } else { "console.pricing.promotion_form.new" };
    let ctx = context! {
        title => lang.text(title, &[]),
        tab => "promotions",
        id => id,
        action => action,
        merchant => context! { id => merchant.id, name => merchant.name, currency => merchant.currency.code() },
        merchant_param => merchant_param(console, &merchant.id),
        admin => console.user.role == Role::Admin,
        kinds => kinds,
        weekdays => weekdays,
        channels => channel_choices(lang),
        locations => place_choices(&places),
        form => form.view(),
        has_errors => !errors.is_empty(),
        errors => errors.0,
    };
    console.page(state, "pricing_promotion_form.html", status, ctx)
}

/// The form read into a draft, or every message the page and the parse found.
fn draft_of(lang: Lang, form: &PromotionForm, merchant: &Merchant) -> Result<PromotionDraft, Fields> {
    let mut errors = Fields::default();
    let parsed = PromotionDraft::parse(form.input(lang, merchant, &mut errors));
    match parsed {
        Ok(draft) if errors.is_empty() => Ok(draft),
        Ok(_) => Err(errors),
        Err(AppError::Invalid(fields)) => {
            errors.merge(Fields::from_errors(lang, &fields));
            Err(errors)
        }
        Err(_) => Err(errors),
    }
}

/// `POST /console/pricing/promotions`: creates, or shows the form again with its messages.
pub(in crate::web::console) async fn create(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = PromotionForm::from_pairs(&pairs);
    let merchant = match merchant_of_page(&state, &console, form.merchant_id.as_deref()).await {
        Ok(Some(merchant)) => merchant,
        Ok(None) => return no_merchant(&state, &console),
        Err(page) => return page,
    };
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let result = match draft_of(console.lang, &form, &merchant) {
        Ok(draft) => state.app.create_promotion(&console.user, draft).await.map_err(Refusal::Error),
        Err(fields) => Err(Refusal::Fields(fields)),
    };
    finish(&state, &console, &merchant, None, &form, result, "created").await
}

/// `POST /console/pricing/promotions/{id}`: replaces the promotion, or shows the form again.
pub(in crate::web::console) async fn update(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (record, merchant) = match visible(&state, &console, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let form = PromotionForm::from_pairs(&pairs);
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let result = match draft_of(console.lang, &form, &merchant) {
        Ok(draft) => state.app.replace_promotion(&console.user, &id, draft).await.map_err(Refusal::Error),
        Err(fields) => Err(Refusal::Fields(fields)),
    };
    finish(&state, &console, &merchant, Some(&record), &form, result, "saved").await
}

async fn finish(
    state: &AppState,
    console: &ConsoleUser,
    merchant: &Merchant,
    record: Option<&PromotionRecord>,
    form: &PromotionForm,
    result: Result<PromotionRecord, Refusal>,
    done: &str,
) -> Response {
    let fields = match result {
        Ok(_) => {
            let param = merchant_param(console, &merchant.id);
            return see_other(&format!("/console/pricing/promotions?{param}done={done}"));
        }
        Err(Refusal::Fields(fields)) => fields,
        Err(Refusal::Error(error)) => match refusal(console, state, error) {
            Ok(fields) => fields,
            Err(page) => return *page,
        },
    };
    form_page(state, console, merchant, record, form, fields, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `GET /console/pricing/promotions/{id}/end`: asks first, naming the promotion.
pub(in crate::web::console) async fn confirm_end(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
) -> Response {
    let (record, merchant) = match visible(&state, &console, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let lang = console.lang;
    let ctx = context! {
        title => lang.text("console.pricing.end.title", &[]),
        text => lang.text("console.pricing.end.text", &[("name", record.row.name.clone())]),
        action => format!("/console/pricing/promotions/{}/end", urlencode(&record.row.id)),
        submit => lang.text("console.pricing.end.submit", &[]),
        submit_testid => "confirm-end",
        cancel => format!("/console/pricing/promotions?{}", merchant_param(&console, &merchant.id)),
    };
    console.page(&state, "pricing_confirm.html", StatusCode::OK, ctx)
}

async fn switch(
    state: AppState,
    console: ConsoleUser,
    headers: HeaderMap,
    id: String,
    csrf: Option<String>,
    active: bool,
) -> Response {
    let (_, merchant) = match visible(&state, &console, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if let Some(denied) = bad_csrf(&console, &state, &headers, csrf.as_deref()) {
        return denied;
    }
    match state.app.set_promotion_active(&console.user, &id, active).await {
        Ok(_) => {
            let done = if active { "restarted" } else { "ended" };
            see_other(&format!("/console/pricing/promotions?{}done={done}", merchant_param(&console, &merchant.id)))
        }
        Err(error) => refused(&console, &state, error),
    }
}

/// `POST /console/pricing/promotions/{id}/end`: quotes stop applying it.
pub(in crate::web::console) async fn end(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    switch(state, console, headers, id, form.csrf, false).await
}

/// `POST /console/pricing/promotions/{id}/restart`: applies again.
pub(in crate::web::console) async fn restart(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    switch(state, console, headers, id, form.csrf, true).await
}
