//! The coupons of one promotion: the list (pages), a new code with its usage limits, and
//! switching a code on or off after a confirmation. A promotion that applies without a coupon
//! takes none: the page says so and links to its form instead of offering a code. The forms
//! call `create_coupon`, `list_coupons` and `set_coupon_active`, so a code taken anywhere on the
//! platform is refused at the code field.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::pricing::coupons::NewCoupon;
use omnicanal_app::pricing::promotions::PromotionRecord;
use omnicanal_store::Page;
use serde::Deserialize;

use super::price_lists::{CsrfOnly, done_text};
use super::problems::{Fields, parse_count};
use super::{bad_csrf, merchant_param, not_manager, refusal, see_other};
use crate::state::AppState;
use crate::web::console::pages::refused;
use crate::web::console::session::ConsoleUser;
use crate::web::console::view::urlencode;

/// Coupons a page shows.
const PER_PAGE: i64 = 25;

/// `?page=` (from 1) and `?done=`.
#[derive(Debug, Default, Deserialize)]
pub(in crate::web::console) struct CouponsQuery {
    page: Option<String>,
    done: Option<String>,
}

/// The new coupon form, as typed.
#[derive(Debug, Default, Deserialize)]
pub(in crate::web::console) struct CouponForm {
    csrf: Option<String>,
    #[serde(default)]
    code: String,
    #[serde(default)]
    usage_limit: String,
    #[serde(default)]
    per_customer_limit: String,
}

async fn promotion(state: &AppState, console: &ConsoleUser, id: &str) -> Result<PromotionRecord, Response> {
    if let Some(denied) = not_manager(console, state) {
        return Err(denied);
    }
    let record = state.app.promotion(&console.user, id).await.map_err(|error| refused(console, state, error))?;
    if record.row.merchant_id.is_none() {
        return Err(console.missing(state));
    }
    Ok(record)
}

/// The page: the promotion's coupons and the form for a new one.
/// What the page shows besides the coupons: the form as typed, its messages and the last change.
struct Shown<'a> {
    form: &'a CouponForm,
    errors: Fields,
    status: StatusCode,
    done: Option<String>,
}

async fn page(
    state: &AppState,
    console: &ConsoleUser,
    record: &PromotionRecord,
    page_no: i64,
    shown: Shown<'_>,
) -> Response {
    let Shown { form, errors, status, done } = shown;
    let lang = console.lang;
    let store_page = Page { limit: PER_PAGE + 1, offset: (page_no - 1) * PER_PAGE };
    let mut rows = match state.app.list_coupons(&console.user, &record.row.id, store_page).await {
        Ok(rows) => rows,
        Err(error) => return refused(console, state, error),
    };
    let more = rows.len() as i64 > PER_PAGE;
    rows.truncate(PER_PAGE as usize);
    let unlimited = lang.text("console.pricing.coupons.unlimited", &[]);
    let coupons: Vec<Value> = rows
        .iter()
        .map(|coupon| {
            context! {
                id => coupon.id,
                code => coupon.code,
                usage_limit => coupon.usage_limit.map_or_else(|| unlimited.clone(), |n| n.to_string()),
                per_customer_limit => coupon.per_customer_limit.map_or_else(|| unlimited.clone(), |n| n.to_string()),
                used => coupon.used,
                active => coupon.active,
                state => lang.text(if coupon.active { "console.pricing.state.active" } else { "console.pricing.state.inactive" }, &[]),
            }
        })
        .collect();
    let path = format!("/console/pricing/promotions/{}/coupons", urlencode(&record.row.id));
    let merchant_id = record.row.merchant_id.clone().unwrap_or_default();
    let ctx = context! {
        title => lang.text("console.pricing.coupons.title", &[("name", record.row.name.clone())]),
        tab => "promotions",
        promotion => context! { id => record.row.id, name => record.row.name, requires_coupon => record.definition.requires_coupon },
        merchant_param => merchant_param(console, &merchant_id),
        action => path,
        coupons => coupons,
        prev => (page_no > 1).then(|| format!("{path}?page={}", page_no - 1)),
        next => more.then(|| format!("{path}?page={}", page_no + 1)),
        page_no => page_no,
        form => context! { code => form.code, usage_limit => form.usage_limit, per_customer_limit => form.per_customer_limit },
        has_errors => !errors.is_empty(),
        errors => errors.0,
        done => done,
    };
    console.page(state, "pricing_coupons.html", status, ctx)
}

/// `GET /console/pricing/promotions/{id}/coupons`.
pub(in crate::web::console) async fn list(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    Query(query): Query<CouponsQuery>,
) -> Response {
    let record = match promotion(&state, &console, &id).await {
        Ok(record) => record,
        Err(page_answer) => return page_answer,
    };
    let page_no = query
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|n| (1..=100_000).contains(n))
        .unwrap_or(1);
    let done = done_text(console.lang, query.done.as_deref());
    let form = CouponForm::default();
    let shown = Shown { form: &form, errors: Fields::default(), status: StatusCode::OK, done };
    page(&state, &console, &record, page_no, shown).await
}

/// `POST /console/pricing/promotions/{id}/coupons`: adds a code, or shows the form again.
pub(in crate::web::console) async fn create(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CouponForm>,
) -> Response {
    let record = match promotion(&state, &console, &id).await {
        Ok(record) => record,
        Err(page_answer) => return page_answer,
    };
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let lang = console.lang;
    let mut errors = Fields::default();
    let mut limit = |input: &str, raw: &str| {
        parse_count(raw).unwrap_or_else(|()| {
            errors.add(input, lang.text("console.pricing.problem.whole", &[]));
            None
        })
    };
    let usage_limit = limit("usage_limit", &form.usage_limit);
    let per_customer_limit = limit("per_customer_limit", &form.per_customer_limit);
    let result = match NewCoupon::parse(&form.code, usage_limit, per_customer_limit) {
        Ok(coupon) if errors.is_empty() => Some(state.app.create_coupon(&console.user, &record.row.id, coupon).await),
        Ok(_) => None,
        Err(error) => Some(Err(error)),
    };
    let (fields, status) = match result {
        None => (Fields::default(), StatusCode::UNPROCESSABLE_ENTITY),
        Some(Ok(_)) => {
            let path = format!("/console/pricing/promotions/{}/coupons?done=created", urlencode(&record.row.id));
            return see_other(&path);
        }
        Some(Err(error)) => {
            let status = match error {
                omnicanal_app::AppError::AlreadyExists { .. } => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            match refusal(&console, &state, error) {
                Ok(fields) => (fields, status),
                Err(answer) => return *answer,
            }
        }
    };
    errors.merge(fields);
    page(&state, &console, &record, 1, Shown { form: &form, errors, status, done: None }).await
}

/// `on` or `off`, from the path.
fn wanted(switch: &str) -> Option<bool> {
    match switch {
        "activate" => Some(true),
        "deactivate" => Some(false),
        _ => None,
    }
}

/// The coupon and its promotion, when the caller may see them (404 otherwise).
async fn coupon_of(
    state: &AppState,
    console: &ConsoleUser,
    coupon_id: &str,
) -> Result<(omnicanal_store::CouponRow, PromotionRecord), Response> {
    if let Some(denied) = not_manager(console, state) {
        return Err(denied);
    }
    let coupon = state.app.coupon(&console.user, coupon_id).await.map_err(|error| refused(console, state, error))?;
    let record = promotion(state, console, &coupon.promotion_id).await?;
    Ok((coupon, record))
}

/// `GET /console/pricing/coupons/{id}/{activate|deactivate}`: asks first.
pub(in crate::web::console) async fn confirm_switch(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path((id, switch)): Path<(String, String)>,
) -> Response {
    let Some(active) = wanted(&switch) else { return console.missing(&state) };
    let (coupon, record) = match coupon_of(&state, &console, &id).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let lang = console.lang;
    let verb = if active { "activate" } else { "deactivate" };
    let ctx = context! {
        title => lang.text(&format!("console.pricing.coupon_{verb}.title"), &[]),
        text => lang.text(&format!("console.pricing.coupon_{verb}.text"), &[("code", coupon.code.clone()), ("name", record.row.name.clone())]),
        action => format!("/console/pricing/coupons/{}/{verb}", urlencode(&coupon.id)),
        submit => lang.text(&format!("console.pricing.coupon_{verb}.submit"), &[]),
        submit_testid => format!("confirm-{verb}"),
        cancel => format!("/console/pricing/promotions/{}/coupons", urlencode(&record.row.id)),
    };
    console.page(&state, "pricing_confirm.html", StatusCode::OK, ctx)
}

/// `POST /console/pricing/coupons/{id}/{activate|deactivate}`.
pub(in crate::web::console) async fn switch(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path((id, switch)): Path<(String, String)>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let Some(active) = wanted(&switch) else { return console.missing(&state) };
    if let Err(answer) = coupon_of(&state, &console, &id).await {
        return answer;
    }
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    match state.app.set_coupon_active(&console.user, &id, active).await {
        Ok(coupon) => {
            let done = if active { "activated" } else { "deactivated" };
            see_other(&format!("/console/pricing/promotions/{}/coupons?done={done}", urlencode(&coupon.promotion_id)))
        }
        Err(error) => refused(&console, &state, error),
    }
}
