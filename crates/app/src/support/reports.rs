//! The desk's reports (issue 18 point 6): who may read which figures, over which period, and
//! the facts gathered for the pure count in `omnicanal_domain::support::report`.
//!
//! Agents and admins read every store's figures (or one merchant's, one store's); a manager
//! only their merchant's; staff none. The hour of the day is each store's own (its site's time
//! zone), so a report of stores in Santiago and Lima says when each store asked.
//!
//! Beside the tickets, a report counts the incidents open during the period and how long they
//! lasted (`omnicanal_domain::support::incident_report`), and the problems raised — help
//! sessions and tickets opened without one — for the deflection share over every problem
//! (`omnicanal_domain::support::problems`). Both follow the report's scope: a manager's
//! merchant, one store when named.

use std::collections::HashMap;

use omnicanal_domain::access::Role;
use omnicanal_domain::support::incident_report::{IncidentFacts, IncidentReport, incident_report};
use omnicanal_domain::support::problems::ProblemCounts;
use omnicanal_domain::support::report::{SupportReport, TicketFacts, support_report};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::validation::Validator;

/// Most tickets one report counts; a longer period is refused rather than cut short.
pub const MAX_REPORT_TICKETS: i64 = 100_000;
/// Most incidents one report counts; like tickets, a period past it is refused.
pub const MAX_REPORT_INCIDENTS: i64 = 100_000;
/// The periods a report may cover, in days.
pub const REPORT_DAYS: [i64; 4] = [1, 7, 30, 90];

/// Which figures to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportReportQuery {
    /// The last this many days (1, 7, 30 or 90).
    pub days: i64,
    /// Only this merchant's stores.
    pub merchant_id: Option<String>,
    /// Only this store.
    pub location_id: Option<String>,
}

impl SupportReportQuery {
    /// Parses a query, reporting every bad field.
    pub fn parse(days: Option<i64>, merchant_id: Option<&str>, location_id: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        let days = days.unwrap_or(7);
        if !REPORT_DAYS.contains(&days) {
            v.push("days", "must be 1, 7, 30 or 90");
        }
        let some = |raw: Option<&str>| raw.map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned);
        let (merchant_id, location_id) = (some(merchant_id), some(location_id));
        v.done(|| Some(Self { days, merchant_id, location_id }))
    }
}

/// The figures, with the stores' names for the labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportReportView {
    /// The period's start (Unix ms).
    pub from_ms: i64,
    /// Its end.
    pub to_ms: i64,
    /// The counts.
    pub report: SupportReport,
    /// Store id → name, for every store in the report.
    pub store_names: HashMap<String, String>,
    /// The incidents open at some moment of the period, and how long they lasted.
    pub incidents: IncidentReport,
    /// Problems raised in the period: help sessions and tickets opened without one.
    pub problems: ProblemCounts,
}

impl App {
    /// The desk's figures over the last days the query names.
    pub async fn support_report(&self, caller: &Caller, query: SupportReportQuery) -> AppResult<SupportReportView> {
        caller.require(&[Role::Admin, Role::SupportAgent, Role::MerchantManager])?;
        let mut merchant_id = query.merchant_id.clone();
        if !caller.is_platform() {
            if merchant_id.as_ref().is_some_and(|wanted| caller.merchant_id.as_ref() != Some(wanted)) {
                return Err(AppError::NotFound("merchant"));
            }
            merchant_id = caller.merchant_id.clone();
        }
        if let Some(location_id) = &query.location_id {
            self.location(caller, location_id).await?;
        }
        let to_ms = self.now_ms();
        let from_ms = to_ms - query.days * 24 * 60 * 60 * 1000;
        let rows = self
            .store
            .list_support_tickets_opened(
                from_ms,
                to_ms,
                merchant_id.as_deref(),
                query.location_id.as_deref(),
                MAX_REPORT_TICKETS + 1,
            )
            .await?;
        if rows.len() as i64 > MAX_REPORT_TICKETS {
            return Err(AppError::invalid(
                "days",
                "too many tickets for one report; choose a shorter period or a store",
            ));
        }
        let mut zones: HashMap<String, (String, String)> = HashMap::new();
        let mut facts = Vec::with_capacity(rows.len());
        for row in &rows {
            if !zones.contains_key(&row.location_id) {
                let location = self.store.get_location(&row.location_id).await?;
                let (name, timezone) = match location {
                    Some(location) => {
                        let site = self.store.get_site(&location.site_id).await?;
                        (location.name, site.map(|site| site.timezone).unwrap_or_default())
                    }
                    None => (row.location_id.clone(), String::new()),
                };
                zones.insert(row.location_id.clone(), (name, timezone));
            }
            let timezone = zones.get(&row.location_id).map(|(_, zone)| zone.as_str()).unwrap_or("");
            let local = crate::local_time::local_time(timezone, row.created_ms);
            facts.push(TicketFacts {
                location_id: row.location_id.clone(),
                category: row.category,
                status: row.status,
                local_hour: u8::try_from(local.minute / 60).unwrap_or(0),
                created_ms: row.created_ms,
                first_response_due_ms: row.first_response_due_ms,
                first_responded_ms: row.first_responded_ms,
                resolution_due_ms: row.resolution_due_ms,
                resolved_ms: row.resolved_ms,
            });
        }
        let mut store_names: HashMap<String, String> = zones.into_iter().map(|(id, (name, _))| (id, name)).collect();
        let scope = (merchant_id.as_deref(), query.location_id.as_deref());
        let incidents = self.report_incidents(from_ms, to_ms, scope, &mut store_names).await?;
        let counts = self.store.support_problem_counts(from_ms, to_ms, scope.0, scope.1).await?;
        let problems = ProblemCounts {
            help_sessions: counts.help_sessions,
            solved_by_article: counts.solved_by_article,
            tickets_without_help: counts.tickets_without_help,
        };
        Ok(SupportReportView {
            from_ms,
            to_ms,
            report: support_report(&facts, to_ms),
            store_names,
            incidents,
            problems,
        })
    }

    /// The incidents open during `[from_ms, to_ms)` in `scope` (merchant, store), counted as of
    /// `to_ms`; adds the names of their stores to `store_names`.
    async fn report_incidents(
        &self,
        from_ms: i64,
        to_ms: i64,
        scope: (Option<&str>, Option<&str>),
        store_names: &mut HashMap<String, String>,
    ) -> AppResult<IncidentReport> {
        let rows =
            self.store.support_incidents_in_period(from_ms, to_ms, scope.0, scope.1, MAX_REPORT_INCIDENTS + 1).await?;
        if rows.len() as i64 > MAX_REPORT_INCIDENTS {
            return Err(AppError::invalid(
                "days",
                "too many incidents for one report; choose a shorter period or a store",
            ));
        }
        for row in &rows {
            if !store_names.contains_key(&row.location_id) {
                let name = self.store.get_location(&row.location_id).await?.map(|location| location.name);
                store_names.insert(row.location_id.clone(), name.unwrap_or_else(|| row.location_id.clone()));
            }
        }
        let facts: Vec<IncidentFacts> = rows
            .into_iter()
            .map(|row| IncidentFacts {
                location_id: row.location_id,
                cause: row.cause,
                opened_ms: row.opened_at_ms,
                closed_ms: row.closed_at_ms,
            })
            .collect();
        Ok(incident_report(&facts, to_ms))
    }
}
