//! The console's start page, the live display of a location, and its switches (sold out,
//! pause, opening hours). The display and the switches are rendered here with what the server
//! knows at once; their scripts then follow the location live through the JSON API.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::console::pages::{MAX_LOCATIONS, SiteLocation};
use omnicanal_domain::Money;
use omnicanal_domain::hours::hhmm;
use omnicanal_store::{LocationRow, Page, SiteRow};

use super::forms::see_other;
use super::session::ConsoleUser;
use super::view::console_messages;
use crate::auth::Role;
use crate::state::AppState;
use crate::web::i18n::Lang;
use omnicanal_app::catalog::LocationState;
use omnicanal_app::catalog::storefront::{hours_of, location_state};

/// Preparation times offered when accepting an order, in minutes (plus the location's own).
const PREP_CHOICES: [i64; 5] = [5, 10, 15, 20, 30];

/// The page a refused or failed read answers: "not found" for what the user may not see
/// (exactly as for what does not exist), "try again in a moment" for a fault.
pub(super) fn refused(console: &ConsoleUser, state: &AppState, error: AppError) -> Response {
    match error {
        AppError::NotFound(_) => console.missing(state),
        AppError::Internal(cause) => trouble(console, state, &cause.to_string()),
        other => trouble(console, state, &other.to_string()),
    }
}

/// A location the user may see, with its site; `Err` is the page to answer instead.
async fn visible_location(state: &AppState, console: &ConsoleUser, id: &str) -> Result<SiteLocation, Response> {
    state.app.console_location(&console.user, id).await.map_err(|error| refused(console, state, error))
}

/// The "try again in a moment" page; the cause goes to the log only.
pub(super) fn trouble(console: &ConsoleUser, state: &AppState, cause: &str) -> Response {
    tracing::error!(cause, "a console page could not be read");
    console.message(state, StatusCode::SERVICE_UNAVAILABLE, "console.unavailable.title", "console.unavailable.text")
}

/// The location's state as the console says it: `(state, text)`.
pub(super) fn state_of(lang: Lang, location: &LocationRow, timezone: &str, now_ms: i64) -> (&'static str, String) {
    match location_state(location, timezone, now_ms) {
        LocationState::Open => ("open", lang.text("console.state.open", &[])),
        LocationState::Paused { until } => {
            let local = chrono::DateTime::parse_from_rfc3339(&until)
                .ok()
                .map(|t| {
                    t.with_timezone(&timezone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC))
                        .format("%H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            ("paused", lang.text("console.state.paused", &[("until", local)]))
        }
        LocationState::Closed { opens_at: Some(when) } => {
            let (day, time) = when.split_once(' ').unwrap_or(("", when.as_str()));
            let when = format!("{} {time}", lang.text(&format!("console.day.{day}"), &[]));
            ("closed", lang.text("console.state.opens_at", &[("when", when)]))
        }
        LocationState::Closed { opens_at: None } => ("closed", lang.text("console.state.closed", &[])),
    }
}

fn location_card(lang: Lang, location: &LocationRow, site: &SiteRow, now_ms: i64) -> Value {
    let (state, text) = state_of(lang, location, &site.timezone, now_ms);
    context! {
        id => location.id,
        merchant_id => location.merchant_id,
        name => location.name,
        site => site.name,
        state => state,
        state_text => text,
    }
}

/// `GET /console`: staff go to their location's display; managers see their merchant's
/// locations and admins every location grouped by site, each site with its mall view.
pub(super) async fn home(State(state): State<AppState>, console: ConsoleUser) -> Response {
    // A support agent has no locations to run: their start is the support desk's pages (issue 18).
    if console.user.role == Role::SupportAgent {
        return see_other("/support");
    }
    if console.user.role == Role::Staff {
        return match console.user.location_id.as_deref() {
            Some(id) => see_other(&format!("/console/locations/{id}")),
            None => console.message(&state, StatusCode::OK, "console.home.title", "console.home.no_location"),
        };
    }
    let listed = match state.app.console_locations(&console.user).await {
        Ok(listed) => listed,
        Err(error) => return refused(&console, &state, error),
    };
    let cards: Vec<Value> = listed
        .locations
        .iter()
        .map(|(location, site)| location_card(console.lang, location, site, listed.now_ms))
        .collect();
    // An admin works across malls: the locations are grouped by site, each with its mall view.
    let sites: Vec<Value> = if console.user.role == Role::Admin {
        let sites = match state.app.list_sites(Page { limit: MAX_LOCATIONS, offset: 0 }).await {
            Ok(sites) => sites,
            Err(error) => return refused(&console, &state, error),
        };
        sites
            .iter()
            .map(|site| {
                let here: Vec<Value> = listed
                    .locations
                    .iter()
                    .filter(|(_, of)| of.id == site.id)
                    .map(|(location, site)| location_card(console.lang, location, site, listed.now_ms))
                    .collect();
                context! { id => site.id, name => site.name, timezone => site.timezone, locations => here }
            })
            .collect()
    } else {
        Vec::new()
    };
    // A count that cannot be read hides the notice rather than the locations.
    let payments_attention = state.app.count_payment_jobs_needing_attention(&console.user).await.unwrap_or(0);
    let ctx = context! {
        title => console.lang.text("console.home.title", &[]),
        locations => cards,
        sites => sites,
        payments_attention => payments_attention,
    };
    console.page(&state, "home.html", StatusCode::OK, ctx)
}

fn prep_choices(prep_minutes: i64) -> Vec<i64> {
    let mut choices = PREP_CHOICES.to_vec();
    if (1..=240).contains(&prep_minutes) && !choices.contains(&prep_minutes) {
        choices.push(prep_minutes);
        choices.sort_unstable();
    }
    choices
}

/// `GET /console/locations/{id}`: the live display: new, in preparation and ready orders in
/// three columns, followed over SSE (`display.js`).
pub(super) async fn display(State(state): State<AppState>, console: ConsoleUser, Path(id): Path<String>) -> Response {
    let SiteLocation { location, site } = match visible_location(&state, &console, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let lang = console.lang;
    let (status, status_text) = state_of(lang, &location, &site.timezone, state.app.now_ms());
    let page_data = serde_json::json!({
        "location_id": location.id,
        "merchant_id": location.merchant_id,
        "prep_minutes": location.storefront.prep_minutes,
        "prep_choices": prep_choices(location.storefront.prep_minutes),
        "timezone": site.timezone,
        "currency": site.currency,
        "lang": lang.code(),
        "messages": console_messages(lang),
    });
    let ctx = context! {
        title => lang.text("console.display.title", &[("location", location.name.clone())]),
        location => context! { id => location.id, name => location.name },
        status => status,
        status_text => status_text,
        page_data => page_data,
    };
    console.page(&state, "display.html", StatusCode::OK, ctx)
}

/// One weekday of the opening hours editor.
fn hours_days(lang: Lang, location: &LocationRow) -> Vec<Value> {
    let hours = hours_of(location);
    (1u8..=7)
        .map(|day| {
            let ranges: Vec<Value> = hours
                .as_ref()
                .map(|h| {
                    h.ranges(day).iter().map(|(from, to)| context! { from => hhmm(*from), to => hhmm(*to) }).collect()
                })
                .unwrap_or_default();
            // Two ranges to fill in, or as many as the day already has, so saving never drops one.
            let slots: Vec<usize> = (0..ranges.len().max(2)).collect();
            context! { day => day, name => lang.text(&format!("console.day.{day}"), &[]), ranges => ranges, slots => slots }
        })
        .collect()
}

/// `GET /console/locations/{id}/switches`: every product of the merchant with its sold-out
/// switch, the pause buttons, and the opening hours (editable by managers).
pub(super) async fn switches(State(state): State<AppState>, console: ConsoleUser, Path(id): Path<String>) -> Response {
    let (SiteLocation { location, site }, products) = match state.app.console_switches(&console.user, &id).await {
        Ok(found) => found,
        Err(error) => return refused(&console, &state, error),
    };
    let lang = console.lang;
    let currency = site.currency;
    let mut items: Vec<(String, String, Value)> = Vec::new();
    for (product, variants) in &products {
        for variant in variants {
            let name =
                if variants.len() > 1 { format!("{} ({})", product.name, variant.sku) } else { product.name.clone() };
            let category = product.category.clone().unwrap_or_default();
            items.push((
                category.clone(),
                name.clone(),
                context! {
                    sku => variant.sku,
                    name => name,
                    category => category,
                    price => Money::new(variant.price_minor, currency).display(),
                },
            ));
        }
    }
    items.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let (status, status_text) = state_of(lang, &location, &site.timezone, state.app.now_ms());
    let manager = console.is_manager();
    let page_data = serde_json::json!({
        "location_id": location.id,
        "lang": lang.code(),
        "timezone": site.timezone,
        "can_edit_hours": manager,
        "messages": console_messages(lang),
    });
    let ctx = context! {
        title => lang.text("console.switches.title", &[("location", location.name.clone())]),
        location => context! { id => location.id, name => location.name },
        status => status,
        status_text => status_text,
        items => items.into_iter().map(|(_, _, item)| item).collect::<Vec<_>>(),
        always_open => location.storefront.opening_hours_json.is_none(),
        days => hours_days(lang, &location),
        can_edit_hours => manager,
        page_data => page_data,
    };
    console.page(&state, "switches.html", StatusCode::OK, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_location_prep_time_joins_the_choices() {
        assert_eq!(prep_choices(15), vec![5, 10, 15, 20, 30]);
        assert_eq!(prep_choices(12), vec![5, 10, 12, 15, 20, 30]);
        assert_eq!(prep_choices(0), vec![5, 10, 15, 20, 30]);
    }
}
