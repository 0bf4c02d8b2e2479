//! "Incidentes" (`/support/incidents`, issue 18 points 5 and 6): the incidents the detector
//! opened, for the desk's agents — store, cause, when each opened and closed (in the store's own
//! time), how long it lasted (an open one: so far), and its evidence; filtered by open/closed,
//! store and cause, 25 a page.
//!
//! Server-rendered with plain links and a GET form, no script of its own beyond the desk's
//! shortcuts dialog: an agent opening it from a phone at a store gets the same page. The
//! incidents and who may read them are `omnicanal_app::support::incidents`' (agents and admins;
//! anyone else gets the console's 403 page), read through the same use case as
//! `GET /api/v1/support/incidents`. A filter value the page did not offer is ignored rather
//! than refused: the selects only offer valid ones. Texts in `support-incidents.<lang>.json`.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::support::incidents::IncidentQuery;
use omnicanal_domain::support::incidents::{Evidence, IncidentCause, IncidentStatus};
use omnicanal_store::SupportIncidentRow;
use serde::Deserialize;

use super::forms::{forbidden, local_time, page_count, page_number, pager_links, store_page};
use super::pages::refused;
use super::session::ConsoleUser;
use super::support_desk::desk_page_data;
use super::support_reports::duration_text;
use super::view::urlencode;
use crate::state::AppState;
use crate::web::i18n::Lang;

/// The page's template, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 1] =
    [("support_incidents.html", include_str!("../../../templates/console/support_incidents.html"))];

/// Incidents a page shows.
const PER_PAGE: i64 = 25;
/// How a time is shown: the store's own day and hour.
const TIME_FORMAT: &str = "%Y-%m-%d %H:%M";

/// The page's route.
pub(super) fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/support/incidents", axum::routing::get(page))
}

/// `?status=&location_id=&cause=&page=`, as typed.
#[derive(Debug, Default, Deserialize)]
pub(super) struct IncidentsPageQuery {
    status: Option<String>,
    location_id: Option<String>,
    cause: Option<String>,
    page: Option<String>,
}

/// The filters the page applies: only values it offers, anything else ignored.
struct Filters {
    status: Option<IncidentStatus>,
    location_id: Option<String>,
    cause: Option<IncidentCause>,
}

impl Filters {
    fn of(query: &IncidentsPageQuery, stores: &HashMap<String, (String, String)>) -> Self {
        let word = |raw: &Option<String>| raw.as_deref().map(str::trim).filter(|w| !w.is_empty()).map(str::to_owned);
        Self {
            status: word(&query.status).and_then(|w| IncidentStatus::parse(&w).ok()),
            location_id: word(&query.location_id).filter(|id| stores.contains_key(id)),
            cause: word(&query.cause).and_then(|w| IncidentCause::parse(&w).ok()),
        }
    }

    /// The filters as a query string prefix (`status=open&…&`) for the pager's links.
    fn kept(&self) -> String {
        let mut kept = String::new();
        if let Some(status) = self.status {
            kept.push_str(&format!("status={}&", status.as_str()));
        }
        if let Some(location_id) = &self.location_id {
            kept.push_str(&format!("location_id={}&", urlencode(location_id)));
        }
        if let Some(cause) = self.cause {
            kept.push_str(&format!("cause={}&", cause.as_str()));
        }
        kept
    }
}

/// What the evidence says, in a line: "12 eventos (umbral 5) · 05 × 12 · 2 cajas".
fn evidence_line(lang: Lang, evidence_json: &str) -> Option<(String, String)> {
    let evidence: Evidence = serde_json::from_str(evidence_json).ok()?;
    let counts = lang.text(
        "support.incidents.evidence.counts",
        &[("count", evidence.count.to_string()), ("threshold", evidence.threshold.to_string())],
    );
    let codes: Vec<String> = evidence.codes.iter().map(|(code, n)| format!("{code} × {n}")).collect();
    let devices = evidence.devices.join(", ");
    let mut detail = Vec::new();
    if !codes.is_empty() {
        detail.push(lang.text("support.incidents.evidence.codes", &[("codes", codes.join(", "))]));
    }
    if !devices.is_empty() {
        detail.push(lang.text("support.incidents.evidence.devices", &[("devices", devices)]));
    }
    Some((counts, detail.join(" · ")))
}

fn row(lang: Lang, incident: &SupportIncidentRow, stores: &HashMap<String, (String, String)>, now_ms: i64) -> Value {
    let (store, timezone) =
        stores.get(&incident.location_id).cloned().unwrap_or_else(|| (incident.location_id.clone(), String::new()));
    let lasted_ms = (incident.closed_at_ms.unwrap_or(now_ms) - incident.opened_at_ms).max(0);
    let (evidence, evidence_detail) = evidence_line(lang, &incident.evidence_json).unwrap_or_default();
    context! {
        id => incident.id,
        store => store,
        cause => incident.cause.as_str(),
        cause_label => lang.text(&format!("support.incidents.cause.{}", incident.cause.as_str()), &[]),
        status => incident.status.as_str(),
        status_label => lang.text(&format!("support.incidents.status.{}", incident.status.as_str()), &[]),
        opened => local_time(incident.opened_at_ms, &timezone, TIME_FORMAT),
        closed => incident.closed_at_ms.map(|ms| local_time(ms, &timezone, TIME_FORMAT)),
        duration => duration_text(lasted_ms / 1000),
        evidence => evidence,
        evidence_detail => evidence_detail,
    }
}

/// `GET /support/incidents`.
async fn page(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<IncidentsPageQuery>,
) -> Response {
    let lang = console.lang;
    if !omnicanal_app::support::incidents::INCIDENT_READERS.contains(&console.user.role) {
        return forbidden(&console, &state, "console.support.forbidden");
    }
    let locations = match state.app.console_locations(&console.user).await {
        Ok(found) => found.locations,
        Err(error) => return refused(&console, &state, error),
    };
    let stores: HashMap<String, (String, String)> = locations
        .iter()
        .map(|(location, site)| (location.id.clone(), (location.name.clone(), site.timezone.clone())))
        .collect();
    let filters = Filters::of(&query, &stores);
    let incident_query =
        IncidentQuery { location_id: filters.location_id.clone(), status: filters.status, cause: filters.cause };
    let page_no = page_number(query.page.as_deref());
    let found = match state.app.support_incidents(&console.user, incident_query, store_page(page_no, PER_PAGE)).await {
        Ok(found) => found,
        Err(error) => return refused(&console, &state, error),
    };
    let now_ms = state.app.now_ms();
    let rows: Vec<Value> = found.items.iter().map(|incident| row(lang, incident, &stores, now_ms)).collect();
    let pages = page_count(found.total, PER_PAGE);
    let kept = filters.kept();
    let (prev, next) = pager_links(page_no, page_no < pages, |to| format!("/support/incidents?{kept}page={to}"));
    let mut store_choices: Vec<(String, String)> =
        stores.iter().map(|(id, (name, _))| (id.clone(), name.clone())).collect();
    store_choices.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let store_choices: Vec<Value> =
        store_choices.into_iter().map(|(id, name)| context! { value => id, label => name }).collect();
    let causes: Vec<Value> = IncidentCause::ALL
        .iter()
        .map(|cause| {
            let word = cause.as_str();
            context! { value => word, label => lang.text(&format!("support.incidents.cause.{word}"), &[]) }
        })
        .collect();
    let data = match desk_page_data(&state, &console).await {
        Ok(data) => data,
        Err(page) => return page,
    };
    let ctx = context! {
        title => lang.text("support.incidents.title", &[]),
        desk => "incidents",
        page_data => data,
        incidents => rows,
        total => found.total,
        filtered => filters.status.is_some() || filters.location_id.is_some() || filters.cause.is_some(),
        form => context! {
            status => filters.status.map(IncidentStatus::as_str).unwrap_or_default(),
            location_id => filters.location_id.clone().unwrap_or_default(),
            cause => filters.cause.map(IncidentCause::as_str).unwrap_or_default(),
        },
        stores => store_choices,
        causes => causes,
        page_no => page_no,
        pages => pages,
        prev => prev,
        next => next,
    };
    console.page(&state, "support_incidents.html", StatusCode::OK, ctx)
}
