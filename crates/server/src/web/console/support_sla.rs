//! "SLA y calendario" (`/support/sla`, issue 18 point 3): admins and support agents see the
//! SLA policy of the platform or of one merchant — what every priority gets in business
//! minutes, on ordinary and special days — edit its any-category targets, and mark or remove
//! special days (Black Friday, Nochebuena) with their hours and tighter targets.
//!
//! Every form posts here with the session's CSRF token and calls the same use cases as
//! `PUT /api/v1/support/sla-policies` and `/api/v1/support/special-days`, so the page has
//! exactly their roles (other roles see the 403 page). A category's own rules, set through the
//! API, are kept as they are when the form saves the any-category ones. Texts in
//! `console-support-sla.<lang>.json`.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::support::sla_admin::{NewSpecialDay, RawSlaRule, SLA_EDITORS, SlaPolicyEdit, SpecialDayQuery};
use omnicanal_domain::support::{TicketCategory, TicketPriority};
use omnicanal_store::Page;
use serde::Deserialize;

use super::forms::{bad_csrf, forbidden, see_other};
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::state::AppState;

/// The page's template, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 1] =
    [("support_sla.html", include_str!("../../../templates/console/support_sla.html"))];

const PRIORITIES: [TicketPriority; 4] =
    [TicketPriority::Urgent, TicketPriority::High, TicketPriority::Normal, TicketPriority::Low];

/// The page's routes.
pub(super) fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/support/sla", get(page))
        .route("/support/sla/policy", post(save_policy))
        .route("/support/sla/special-days", post(add_special_day))
        .route("/support/sla/special-days/{id}/delete", post(delete_special_day))
}

/// `?merchant_id=` (absent: the platform's policy), `?done=`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SlaPageQuery {
    merchant_id: Option<String>,
    done: Option<String>,
}

/// `GET /support/sla`.
async fn page(State(state): State<AppState>, console: ConsoleUser, Query(query): Query<SlaPageQuery>) -> Response {
    render(&state, &console, query.merchant_id.as_deref().filter(|id| !id.is_empty()), query.done.as_deref(), None)
        .await
}

async fn render(
    state: &AppState,
    console: &ConsoleUser,
    merchant_id: Option<&str>,
    done: Option<&str>,
    error: Option<String>,
) -> Response {
    if !SLA_EDITORS.contains(&console.user.role) {
        return forbidden(console, state, "console.support_sla.forbidden");
    }
    let lang = console.lang;
    let policy = match state.app.sla_policy(&console.user, merchant_id).await {
        Ok(policy) => policy,
        Err(error) => return refused(console, state, error),
    };
    let days = match state
        .app
        .list_special_days(&console.user, SpecialDayQuery { page: Page::first(200), ..SpecialDayQuery::default() })
        .await
    {
        Ok(days) => days,
        Err(error) => return refused(console, state, error),
    };
    // The form's rows: the scope's any-category rule of each priority, blank when it has none.
    let rows: Vec<Value> = PRIORITIES
        .iter()
        .map(|priority| {
            let own = policy.rules.iter().find(|rule| rule.priority == *priority && rule.category.is_none());
            let effective =
                policy.effective.iter().find(|row| row.priority == *priority && row.category == TicketCategory::Other);
            context! {
                priority => priority.as_str(),
                label => lang.text(&format!("console.support_sla.priority.{}", priority.as_str()), &[]),
                first => own.map(|rule| rule.first_response_minutes),
                resolution => own.map(|rule| rule.resolution_minutes),
                special_first => own.and_then(|rule| rule.special_first_response_minutes),
                special_resolution => own.and_then(|rule| rule.special_resolution_minutes),
                effective_first => effective.map(|row| row.targets.first_response_minutes),
                effective_resolution => effective.map(|row| row.targets.resolution_minutes),
                effective_special_first => effective.map(|row| row.special_day_targets.first_response_minutes),
                effective_special_resolution => effective.map(|row| row.special_day_targets.resolution_minutes),
            }
        })
        .collect();
    let category_rules = policy.rules.iter().filter(|rule| rule.category.is_some()).count();
    let days: Vec<Value> = days
        .into_iter()
        .map(|day| {
            let hours = day
                .hours_json
                .as_deref()
                .and_then(|json| omnicanal_domain::support::calendar::DayHours::parse("hours", json).ok())
                .map(|hours| {
                    let ranges = hours.as_text();
                    if ranges.is_empty() {
                        lang.text("console.support_sla.closed", &[])
                    } else {
                        ranges.iter().map(|(from, to)| format!("{from}–{to}")).collect::<Vec<_>>().join(", ")
                    }
                });
            context! {
                id => day.id, date => day.date, name => day.name, hours => hours, tighter => day.tighter_targets,
                merchant_id => day.merchant_id, site_id => day.site_id,
            }
        })
        .collect();
    let merchants: Vec<Value> = state
        .app
        .list_merchants(&console.user, Page::first(500))
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|m| context! { id => m.id, name => m.name })
        .collect();
    let ctx = context! {
        title => lang.text("console.support_sla.title", &[]),
        merchant_id => merchant_id,
        merchants => merchants,
        rows => rows,
        category_rules => category_rules,
        days => days,
        done => done.filter(|done| ["policy", "day", "deleted"].contains(done))
            .map(|done| lang.text(&format!("console.support_sla.done.{done}"), &[])),
        error => error,
    };
    console.page(state, "support_sla.html", StatusCode::OK, ctx)
}

/// A refusal in the console's words: each bad field's message, or the error itself.
fn refusal_text(console: &ConsoleUser, error: &AppError) -> String {
    match error {
        AppError::Invalid(errors) => {
            errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join(" · ")
        }
        other => console.lang.text("console.support_sla.refused", &[("why", other.to_string())]),
    }
}

/// The policy form: four minute fields per priority, blank for "no rule of its own".
#[derive(Debug, Default, Deserialize)]
pub(super) struct PolicyForm {
    csrf: Option<String>,
    merchant_id: Option<String>,
    #[serde(flatten)]
    fields: std::collections::HashMap<String, String>,
}

/// A typed number of minutes: blank is None; anything else that is not a whole number is
/// `Some(0)`, which the use case refuses by its field's name.
fn minutes(fields: &std::collections::HashMap<String, String>, name: &str) -> Option<i64> {
    let raw = fields.get(name).map(|raw| raw.trim()).filter(|raw| !raw.is_empty())?;
    Some(raw.parse::<i64>().unwrap_or(0))
}

/// `POST /support/sla/policy`: saves the scope's any-category targets, keeping its category rules.
async fn save_policy(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<PolicyForm>,
) -> Response {
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let merchant_id = form.merchant_id.clone().filter(|id| !id.is_empty());
    let current = match state.app.sla_policy(&console.user, merchant_id.as_deref()).await {
        Ok(policy) => policy,
        Err(error) => return refused(&console, &state, error),
    };
    let mut rules: Vec<RawSlaRule> = current
        .rules
        .iter()
        .filter(|rule| rule.category.is_some())
        .map(|rule| RawSlaRule {
            priority: rule.priority.as_str().to_owned(),
            category: rule.category.map(|c| c.as_str().to_owned()),
            first_response_minutes: rule.first_response_minutes,
            resolution_minutes: rule.resolution_minutes,
            special_day_first_response_minutes: rule.special_first_response_minutes,
            special_day_resolution_minutes: rule.special_resolution_minutes,
        })
        .collect();
    for priority in PRIORITIES {
        let name = |field: &str| format!("{}_{field}", priority.as_str());
        let (first, resolution) = (minutes(&form.fields, &name("first")), minutes(&form.fields, &name("resolution")));
        let (special_first, special_resolution) =
            (minutes(&form.fields, &name("special_first")), minutes(&form.fields, &name("special_resolution")));
        if first.is_none() && resolution.is_none() && special_first.is_none() && special_resolution.is_none() {
            continue;
        }
        rules.push(RawSlaRule {
            priority: priority.as_str().to_owned(),
            category: None,
            first_response_minutes: first.unwrap_or(0),
            resolution_minutes: resolution.unwrap_or(0),
            special_day_first_response_minutes: special_first,
            special_day_resolution_minutes: special_resolution,
        });
    }
    let saved = match SlaPolicyEdit::parse(merchant_id.clone(), &rules) {
        Ok(edit) => state.app.replace_sla_policy(&console.user, edit).await.map(|_| ()),
        Err(error) => Err(error),
    };
    let scope = merchant_id.as_deref().map(|id| format!("merchant_id={}&", urlencode(id))).unwrap_or_default();
    match saved {
        Ok(()) => see_other(&format!("/support/sla?{scope}done=policy")),
        Err(error @ (AppError::NotFound(_) | AppError::Forbidden)) => refused(&console, &state, error),
        Err(error) => {
            render(&state, &console, merchant_id.as_deref(), None, Some(refusal_text(&console, &error))).await
        }
    }
}

/// The special-day form.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SpecialDayForm {
    csrf: Option<String>,
    merchant_id: Option<String>,
    date: Option<String>,
    name: Option<String>,
    opens: Option<String>,
    closes: Option<String>,
    closed: Option<String>,
    tighter: Option<String>,
}

/// `POST /support/sla/special-days`.
async fn add_special_day(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<SpecialDayForm>,
) -> Response {
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let typed = |raw: &Option<String>| raw.as_deref().map(str::trim).filter(|raw| !raw.is_empty()).map(str::to_owned);
    let hours = if form.closed.is_some() {
        Some(Vec::new())
    } else {
        match (typed(&form.opens), typed(&form.closes)) {
            (None, None) => None,
            (opens, closes) => Some(vec![(opens.unwrap_or_default(), closes.unwrap_or_default())]),
        }
    };
    let created = match NewSpecialDay::parse(
        typed(&form.merchant_id),
        None,
        form.date.as_deref().unwrap_or_default(),
        form.name.as_deref().unwrap_or_default(),
        hours,
        form.tighter.is_some(),
    ) {
        Ok(new) => state.app.create_special_day(&console.user, new).await.map(|_| ()),
        Err(error) => Err(error),
    };
    match created {
        Ok(()) => see_other("/support/sla?done=day"),
        Err(error @ AppError::Forbidden) => refused(&console, &state, error),
        Err(error) => render(&state, &console, None, None, Some(refusal_text(&console, &error))).await,
    }
}

/// The delete button's form.
#[derive(Debug, Default, Deserialize)]
pub(super) struct DeleteForm {
    csrf: Option<String>,
}

/// `POST /support/sla/special-days/{id}/delete`.
async fn delete_special_day(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> Response {
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    match state.app.delete_special_day(&console.user, &id).await {
        Ok(()) => see_other("/support/sla?done=deleted"),
        Err(error) => refused(&console, &state, error),
    }
}
