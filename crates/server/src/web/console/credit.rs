//! "Tarjetas de regalo y saldo" (`/console/credit`, issue 17 point 8): a manager issues a gift
//! card (its code shown on the answer to that one form and never again), lists the merchant's
//! cards with balance and expiry a page at a time, looks a customer's balance and ledger up by
//! e-mail or phone, grants credit with a reason, and sets how many days credit lasts.
//!
//! Every form posts here with the session's CSRF token and calls the same use cases as the
//! `/api/v1/gift-cards`, `/store-credit` and `/credit-policy` routes, so the page has exactly
//! their roles and isolation (a manager's own merchant; an admin picks one). Issuing renders the
//! page directly instead of redirecting, so the code is never in a URL or a history entry.
//! Kept in its own module, template and catalog files (`console-credit.<lang>.json`).

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::credit::{CustomerCreditLookup, GrantCredit, IssueGiftCard};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::Page;
use serde::Deserialize;

use super::forms::{bad_csrf, merchant_choices, page_number, pager_links, see_other, store_page};
use super::pages::refused;
use super::pricing::{Merchant, merchant_of_page};
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::state::AppState;

/// The page's template, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 1] =
    [("credit.html", include_str!("../../../templates/console/credit.html"))];

/// Cards a page lists.
const PER_PAGE: i64 = 20;
/// Ledger entries shown for a customer.
const LEDGER_ROWS: i64 = 20;

/// The page's routes.
pub(super) fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/console/credit", get(page))
        .route("/console/credit/gift-cards", post(issue))
        .route("/console/credit/grant", post(grant))
        .route("/console/credit/policy", post(policy))
}

/// `?merchant_id=` (admins), `?page=`, `?customer=`, `?done=`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct CreditQuery {
    merchant_id: Option<String>,
    page: Option<String>,
    customer: Option<String>,
    done: Option<String>,
}

/// What a form's answer adds to the page: the code just issued, or a refusal in words.
#[derive(Default)]
struct Shown {
    issued: Option<Value>,
    error: Option<String>,
}

/// `GET /console/credit`.
async fn page(State(state): State<AppState>, console: ConsoleUser, Query(query): Query<CreditQuery>) -> Response {
    let merchant = match merchant_of_page(&state, &console, query.merchant_id.as_deref()).await {
        Ok(Some(merchant)) => merchant,
        Ok(None) => return console.missing(&state),
        Err(page) => return page,
    };
    render(&state, &console, &merchant, &query, Shown::default()).await
}

async fn render(
    state: &AppState,
    console: &ConsoleUser,
    merchant: &Merchant,
    query: &CreditQuery,
    shown: Shown,
) -> Response {
    let lang = console.lang;
    let number = page_number(query.page.as_deref());
    let (cards, total) = match state.app.gift_cards(&console.user, &merchant.id, store_page(number, PER_PAGE)).await {
        Ok(found) => found,
        Err(error) => return refused(console, state, error),
    };
    let policy = match state.app.credit_policy(&console.user, &merchant.id).await {
        Ok(policy) => policy,
        Err(error) => return refused(console, state, error),
    };
    let cards: Vec<Value> = cards
        .into_iter()
        .map(|card| {
            context! {
                id => card.id, last4 => card.last4, balance => card.balance.display(),
                expires => card.expires_at.map(|at| day(&at)), expired => card.expired, issued => day(&card.issued_at),
            }
        })
        .collect();
    let base = format!("/console/credit?merchant_id={}", urlencode(&merchant.id));
    let (previous, next) = pager_links(number, number * PER_PAGE < total, |n| format!("{base}&page={n}"));
    let customer_typed = query.customer.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
    let (statement, customer_note) = match &customer_typed {
        Some(typed) => customer_statement(state, console, &merchant.id, typed).await,
        None => (None, None),
    };
    let done = query.done.as_deref().filter(|done| ["granted", "policy"].contains(done));
    let ctx = context! {
        title => lang.text("console.credit.title", &[]),
        merchant => context! { id => merchant.id, name => merchant.name, currency => merchant.currency.code() },
        merchants => merchant_choices(state, console).await,
        cards => cards,
        total => total,
        previous => previous,
        next => next,
        customer => customer_typed,
        statement => statement,
        customer_note => customer_note,
        expiry_days => policy.credit_expiry_days,
        done => done.map(|done| lang.text(&format!("console.credit.done.{done}"), &[])),
        issued => shown.issued,
        error => shown.error,
    };
    console.page(state, "credit.html", StatusCode::OK, ctx)
}

/// The customer's balance and latest entries, or a note saying why there are none.
async fn customer_statement(
    state: &AppState,
    console: &ConsoleUser,
    merchant_id: &str,
    typed: &str,
) -> (Option<Value>, Option<String>) {
    let lang = console.lang;
    let lookup = match CustomerCreditLookup::parse(Some(merchant_id.to_owned()), Some(typed.to_owned())) {
        Ok(lookup) => lookup,
        Err(_) => return (None, Some(lang.text("console.credit.customer_invalid", &[]))),
    };
    match state.app.customer_credit(&console.user, lookup, Page::first(LEDGER_ROWS)).await {
        Ok(statement) => {
            let entries: Vec<Value> = statement
                .entries
                .iter()
                .map(|entry| {
                    context! {
                        at => day(&entry.at), amount => entry.amount.display(), after => entry.balance_after.display(),
                        reason => entry.reason, kind => lang.text(&format!("console.credit.kind.{}", entry.source_kind), &[]),
                    }
                })
                .collect();
            let statement = context! {
                holder => statement.holder, balance => statement.balance.display(), expired => statement.expired,
                expires => statement.expires_at.as_deref().map(day), entries => entries, total => statement.total_entries,
            };
            (Some(statement), None)
        }
        Err(AppError::NotFound(_)) => (None, Some(lang.text("console.credit.customer_none", &[]))),
        Err(_) => (None, Some(lang.text("console.credit.customer_invalid", &[]))),
    }
}

/// The date of an RFC 3339 instant (`2026-12-06`).
fn day(at: &str) -> String {
    at.get(..10).unwrap_or(at).to_owned()
}

/// An amount typed in the merchant's currency (`25000`, `25.000` in pesos; `12.50` in soles).
fn typed_amount(raw: &str, currency: Currency) -> Option<Money> {
    let cleaned: String = raw.trim().chars().filter(|c| !c.is_whitespace() && *c != '$').collect();
    let cleaned = cleaned.strip_prefix("S/").unwrap_or(&cleaned).to_owned();
    let exponent = currency.exponent();
    let minor = if exponent == 0 {
        let digits: String = cleaned.chars().filter(|c| *c != '.').collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        digits.parse::<i64>().ok()?
    } else {
        let normal = cleaned.replace(',', ".");
        let (whole, fraction) = normal.split_once('.').unwrap_or((&normal, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > exponent as usize {
            return None;
        }
        let padded = format!("{fraction:0<width$}", width = exponent as usize);
        whole.parse::<i64>().ok()?.checked_mul(10i64.pow(exponent))?.checked_add(padded.parse::<i64>().ok()?)?
    };
    Some(Money::new(minor, currency))
}

/// A refusal in the console's words: each bad field's message, or the error itself.
fn refusal_text(console: &ConsoleUser, error: &AppError) -> String {
    match error {
        AppError::Invalid(errors) => {
            errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join(" · ")
        }
        other => console.lang.text("console.credit.refused", &[("why", other.to_string())]),
    }
}

/// The issue form.
#[derive(Debug, Deserialize)]
pub(super) struct IssueForm {
    csrf: Option<String>,
    merchant_id: Option<String>,
    amount: Option<String>,
}

/// `POST /console/credit/gift-cards`: issues a card and shows its code this once.
async fn issue(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<IssueForm>,
) -> Response {
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let merchant = match merchant_of_page(&state, &console, form.merchant_id.as_deref()).await {
        Ok(Some(merchant)) => merchant,
        Ok(None) => return console.missing(&state),
        Err(page) => return page,
    };
    let query = CreditQuery { merchant_id: Some(merchant.id.clone()), ..CreditQuery::default() };
    let Some(amount) = form.amount.as_deref().and_then(|raw| typed_amount(raw, merchant.currency)) else {
        let error = Some(console.lang.text("console.credit.amount_invalid", &[]));
        return render(&state, &console, &merchant, &query, Shown { error, ..Shown::default() }).await;
    };
    let issued = IssueGiftCard::parse(Some(merchant.id.clone()), Some(amount));
    let issued = match issued {
        Ok(command) => state.app.issue_gift_card(&console.user, command).await,
        Err(error) => Err(error),
    };
    let shown = match issued {
        Ok(card) => Shown {
            issued: Some(context! {
                code => card.code, balance => card.balance.display(), expires => card.expires_at.as_deref().map(day),
            }),
            error: None,
        },
        Err(AppError::NotFound(what)) => return refused(&console, &state, AppError::NotFound(what)),
        Err(error) => Shown { error: Some(refusal_text(&console, &error)), issued: None },
    };
    render(&state, &console, &merchant, &query, shown).await
}

/// The grant form.
#[derive(Debug, Deserialize)]
pub(super) struct GrantForm {
    csrf: Option<String>,
    merchant_id: Option<String>,
    customer: Option<String>,
    amount: Option<String>,
    reason: Option<String>,
}

/// `POST /console/credit/grant`: grants credit, then shows the customer's ledger.
async fn grant(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<GrantForm>,
) -> Response {
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let merchant = match merchant_of_page(&state, &console, form.merchant_id.as_deref()).await {
        Ok(Some(merchant)) => merchant,
        Ok(None) => return console.missing(&state),
        Err(page) => return page,
    };
    let query = CreditQuery {
        merchant_id: Some(merchant.id.clone()),
        customer: form.customer.clone(),
        ..CreditQuery::default()
    };
    let Some(amount) = form.amount.as_deref().and_then(|raw| typed_amount(raw, merchant.currency)) else {
        let error = Some(console.lang.text("console.credit.amount_invalid", &[]));
        return render(&state, &console, &merchant, &query, Shown { error, ..Shown::default() }).await;
    };
    let command = GrantCredit::parse(Some(merchant.id.clone()), form.customer.clone(), Some(amount), form.reason);
    let granted = match command {
        Ok(command) => state.app.grant_store_credit(&console.user, command).await,
        Err(error) => Err(error),
    };
    match granted {
        Ok(_) => see_other(&format!(
            "/console/credit?merchant_id={}&customer={}&done=granted",
            urlencode(&merchant.id),
            urlencode(form.customer.as_deref().unwrap_or_default().trim())
        )),
        Err(AppError::NotFound(what)) => refused(&console, &state, AppError::NotFound(what)),
        Err(error) => {
            let error = Some(refusal_text(&console, &error));
            render(&state, &console, &merchant, &query, Shown { error, ..Shown::default() }).await
        }
    }
}

/// The policy form: days, blank for "never".
#[derive(Debug, Deserialize)]
pub(super) struct PolicyForm {
    csrf: Option<String>,
    merchant_id: Option<String>,
    days: Option<String>,
}

/// `POST /console/credit/policy`: sets how many days credit lasts.
async fn policy(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<PolicyForm>,
) -> Response {
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let merchant = match merchant_of_page(&state, &console, form.merchant_id.as_deref()).await {
        Ok(Some(merchant)) => merchant,
        Ok(None) => return console.missing(&state),
        Err(page) => return page,
    };
    let query = CreditQuery { merchant_id: Some(merchant.id.clone()), ..CreditQuery::default() };
    let typed = form.days.as_deref().map(str::trim).unwrap_or_default();
    let days = if typed.is_empty() {
        None
    } else if let Ok(days) = typed.parse::<i64>() {
        Some(days)
    } else {
        let error = Some(console.lang.text("console.credit.days_invalid", &[]));
        return render(&state, &console, &merchant, &query, Shown { error, ..Shown::default() }).await;
    };
    match state.app.set_credit_policy(&console.user, &merchant.id, days).await {
        Ok(_) => see_other(&format!("/console/credit?merchant_id={}&done=policy", urlencode(&merchant.id))),
        Err(AppError::NotFound(what)) => refused(&console, &state, AppError::NotFound(what)),
        Err(error) => {
            let error = Some(refusal_text(&console, &error));
            render(&state, &console, &merchant, &query, Shown { error, ..Shown::default() }).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_typed_in_the_merchants_currency() {
        assert_eq!(typed_amount("25.000", Currency::Clp), Some(Money::new(25_000, Currency::Clp)));
        assert_eq!(typed_amount(" $ 1500 ", Currency::Clp), Some(Money::new(1_500, Currency::Clp)));
        assert_eq!(typed_amount("12,5", Currency::Pen), Some(Money::new(1_250, Currency::Pen)));
        for bad in ["", "-5", "abc", "1.234", "1.2.3"] {
            assert_eq!(typed_amount(bad, Currency::Pen), None, "{bad}");
        }
        assert_eq!(typed_amount("12,5", Currency::Clp), None);
    }
}
