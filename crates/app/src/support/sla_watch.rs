//! The SLA watcher's use case (issue 18 point 3): for tickets whose clock runs, a
//! `support.sla_warning` once 80 % of a target's business time has run and a
//! `support.sla_breached` once it has all run — each once per ticket and target.
//!
//! Business time is the store's: the time a target had is the open time from the ticket's
//! opening to its due instant, less the open time of its closed pauses (the due instant was
//! pushed by exactly those); what remains is the open time from now to the due instant. A
//! warning is due when at most a fifth of the target remains. Each alert is claimed by a
//! conditional update of the ticket's 0/1 flag with its event in the same transaction, so two
//! nodes never both fire it. Another part of the desk turns those events into webhooks and the
//! on-call agent's Web Push; this module only writes them.

use std::collections::HashMap;

use omnicanal_domain::events::{DomainEvent, SlaTarget, SupportSlaAlert};
use omnicanal_domain::support::calendar::StoreCalendar;
use omnicanal_store::{NewEvent, SlaAlertFlag, SlaWatchRow};

use crate::App;
use crate::error::AppResult;
use crate::ids::new_id;

/// Most tickets one pass looks at (the rest wait for the next pass).
pub const WATCH_BATCH: i64 = 500;
/// A warning fires when at most this share (in per mille) of a target's business time remains.
const WARN_WHEN_REMAINING_PER_MILLE: i64 = 200;

/// Which alerts a ticket owes now: (flag, target, due instant).
fn owed(row: &SlaWatchRow, calendar: &StoreCalendar, now_ms: i64) -> Vec<(SlaAlertFlag, SlaTarget, i64)> {
    let pauses: Vec<(i64, i64)> = serde_json::from_str(&row.pauses_json).unwrap_or_default();
    let paused_ms: i64 = pauses.iter().map(|(from, to)| calendar.business_ms_between(*from, *to)).sum();
    let mut alerts = Vec::new();
    let targets = [
        (SlaTarget::FirstResponse, row.first_response_due_ms, row.first_responded_ms.is_none(), 0),
        (SlaTarget::Resolution, row.resolution_due_ms, true, 2),
    ];
    for (target, due_ms, open, flag_index) in targets {
        if !open {
            continue;
        }
        let (warn_flag, breach_flag) = match target {
            SlaTarget::FirstResponse => (SlaAlertFlag::FirstResponseWarned, SlaAlertFlag::FirstResponseBreached),
            SlaTarget::Resolution => (SlaAlertFlag::ResolutionWarned, SlaAlertFlag::ResolutionBreached),
        };
        let total_ms = (calendar.business_ms_between(row.created_ms, due_ms) - paused_ms).max(0);
        let remaining_ms = calendar.business_ms_between(now_ms, due_ms);
        let breached = now_ms >= due_ms;
        let warned = breached || remaining_ms * 1_000 <= total_ms * WARN_WHEN_REMAINING_PER_MILLE;
        if warned && !row.claimed[flag_index] {
            alerts.push((warn_flag, target, due_ms));
        }
        if breached && !row.claimed[flag_index + 1] {
            alerts.push((breach_flag, target, due_ms));
        }
    }
    alerts
}

impl App {
    /// One pass of the SLA watcher at `now_ms`: writes the warnings and breaches owed; returns
    /// how many this node wrote.
    pub async fn run_sla_watch(&self, now_ms: i64) -> AppResult<usize> {
        let tickets = self.store.tickets_for_sla_watch(WATCH_BATCH).await?;
        let mut calendars: HashMap<String, StoreCalendar> = HashMap::new();
        let mut written = 0;
        for row in tickets {
            if !calendars.contains_key(&row.location_id) {
                let calendar = self.calendar_around(&row.location_id, row.created_ms.min(now_ms)).await?;
                calendars.insert(row.location_id.clone(), calendar);
            }
            let Some(calendar) = calendars.get(&row.location_id) else { continue };
            for (flag, target, due_ms) in owed(&row, calendar, now_ms) {
                let alert = SupportSlaAlert {
                    ticket_id: row.id.clone(),
                    number: row.number,
                    merchant_id: row.merchant_id.clone(),
                    location_id: row.location_id.clone(),
                    target,
                    due_at: due_ms,
                };
                let event = match flag {
                    SlaAlertFlag::FirstResponseWarned | SlaAlertFlag::ResolutionWarned => {
                        DomainEvent::SupportSlaWarning(alert)
                    }
                    SlaAlertFlag::FirstResponseBreached | SlaAlertFlag::ResolutionBreached => {
                        DomainEvent::SupportSlaBreached(alert)
                    }
                };
                let new = NewEvent { event_id: new_id("evt"), created_at_ms: now_ms, event };
                if self.store.claim_sla_alert(&row.id, flag, &new).await? {
                    written += 1;
                }
            }
        }
        if written > 0 {
            self.committed();
        }
        Ok(written)
    }
}
