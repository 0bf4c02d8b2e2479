//! The desk's figures over a period (issue 18 point 6): tickets by store, category and hour
//! of the day; how many met their first-response and resolution targets; how long first
//! answers and solutions took, as distributions. Pure: the app gathers one [`TicketFacts`] per
//! ticket (with the hour already in the store's own time zone) and this counts them.

use std::collections::BTreeMap;

use super::{TicketCategory, TicketStatus};

/// What the report needs of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFacts {
    /// The store.
    pub location_id: String,
    /// What it is about.
    pub category: TicketCategory,
    /// Where it stands now.
    pub status: TicketStatus,
    /// The hour of the day it was opened, in the store's time (0–23).
    pub local_hour: u8,
    /// Opened at (Unix ms).
    pub created_ms: i64,
    /// The first answer's deadline.
    pub first_response_due_ms: i64,
    /// When the desk first answered.
    pub first_responded_ms: Option<i64>,
    /// The solution's deadline.
    pub resolution_due_ms: i64,
    /// When it was solved.
    pub resolved_ms: Option<i64>,
}

/// How many tickets met a target, missed it, or cannot tell yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Compliance {
    /// Done by the deadline.
    pub met: i64,
    /// Done late, or still not done past the deadline while the clock runs.
    pub missed: i64,
    /// Not done and not late yet (or paused).
    pub pending: i64,
}

impl Compliance {
    /// Met as a share of those decided (met + missed), in basis points; `None` when none is.
    pub fn met_bps(&self) -> Option<i64> {
        let decided = self.met + self.missed;
        (decided > 0).then(|| self.met * 10_000 / decided)
    }

    fn count(&mut self, done_ms: Option<i64>, due_ms: i64, clock_runs: bool, now_ms: i64) {
        match done_ms {
            Some(done) if done <= due_ms => self.met += 1,
            Some(_) => self.missed += 1,
            None if clock_runs && now_ms > due_ms => self.missed += 1,
            None => self.pending += 1,
        }
    }
}

/// The upper bounds, in minutes, of the time distributions' buckets; the last is open.
pub const DURATION_BUCKETS_MINUTES: [i64; 7] = [15, 30, 60, 120, 240, 480, 1440];

/// The desk's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupportReport {
    /// Tickets opened in the period (merged duplicates left out).
    pub total: i64,
    /// Tickets by store id, most first.
    pub by_store: Vec<(String, i64)>,
    /// Tickets by category, in the categories' order.
    pub by_category: Vec<(TicketCategory, i64)>,
    /// Tickets by the hour of the day they were opened, in store time.
    pub by_hour: [i64; 24],
    /// First answers against their targets.
    pub first_response: Compliance,
    /// Solutions against their targets.
    pub resolution: Compliance,
    /// Minutes to the first answer: one count per bucket of [`DURATION_BUCKETS_MINUTES`] and one
    /// past the last.
    pub first_response_minutes: [i64; 8],
    /// Minutes to the solution, bucketed alike.
    pub resolution_minutes: [i64; 8],
}

fn bucket(minutes: i64) -> usize {
    DURATION_BUCKETS_MINUTES.iter().position(|bound| minutes <= *bound).unwrap_or(DURATION_BUCKETS_MINUTES.len())
}

/// Counts `tickets` as of `now_ms`.
pub fn support_report(tickets: &[TicketFacts], now_ms: i64) -> SupportReport {
    let mut report = SupportReport::default();
    let mut by_store: BTreeMap<&str, i64> = BTreeMap::new();
    let mut by_category: BTreeMap<TicketCategory, i64> = BTreeMap::new();
    for ticket in tickets.iter().filter(|ticket| ticket.status != TicketStatus::Merged) {
        report.total += 1;
        *by_store.entry(&ticket.location_id).or_default() += 1;
        *by_category.entry(ticket.category).or_default() += 1;
        report.by_hour[usize::from(ticket.local_hour.min(23))] += 1;
        let runs = ticket.status.sla_clock_runs();
        report.first_response.count(ticket.first_responded_ms, ticket.first_response_due_ms, runs, now_ms);
        report.resolution.count(ticket.resolved_ms, ticket.resolution_due_ms, runs, now_ms);
        if let Some(answered) = ticket.first_responded_ms {
            report.first_response_minutes[bucket((answered - ticket.created_ms).max(0) / 60_000)] += 1;
        }
        if let Some(solved) = ticket.resolved_ms {
            report.resolution_minutes[bucket((solved - ticket.created_ms).max(0) / 60_000)] += 1;
        }
    }
    report.by_store = by_store.into_iter().map(|(store, count)| (store.to_owned(), count)).collect();
    report.by_store.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    report.by_category = TicketCategory::ALL
        .iter()
        .map(|category| (*category, by_category.get(category).copied().unwrap_or(0)))
        .collect();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;

    fn ticket(
        store: &str,
        status: TicketStatus,
        answered_after: Option<i64>,
        solved_after: Option<i64>,
    ) -> TicketFacts {
        TicketFacts {
            location_id: store.into(),
            category: TicketCategory::Printer,
            status,
            local_hour: 13,
            created_ms: 0,
            first_response_due_ms: 30 * MINUTE,
            first_responded_ms: answered_after.map(|m| m * MINUTE),
            resolution_due_ms: 240 * MINUTE,
            resolved_ms: solved_after.map(|m| m * MINUTE),
        }
    }

    #[test]
    fn counts_targets_met_missed_and_pending() {
        let tickets = [
            ticket("a", TicketStatus::Resolved, Some(10), Some(100)),
            ticket("a", TicketStatus::Resolved, Some(45), Some(300)),
            ticket("b", TicketStatus::New, None, None),
            ticket("b", TicketStatus::WaitingOnStore, Some(20), None),
            ticket("c", TicketStatus::Merged, None, None),
        ];
        let report = support_report(&tickets, 60 * MINUTE);
        assert_eq!(report.total, 4, "the merged duplicate is not counted");
        assert_eq!(report.first_response, Compliance { met: 2, missed: 2, pending: 0 });
        assert_eq!(report.resolution, Compliance { met: 1, missed: 1, pending: 2 });
        assert_eq!(report.first_response.met_bps(), Some(5_000));
        assert_eq!(report.by_store, vec![("a".to_owned(), 2), ("b".to_owned(), 2)]);
        assert_eq!(report.by_hour[13], 4);
        assert_eq!(report.first_response_minutes[0], 1, "10 minutes: up to 15");
        assert_eq!(report.first_response_minutes[2], 1, "45 minutes: up to 60");
        assert_eq!(report.resolution_minutes[3], 1, "100 minutes: up to 120");
        assert_eq!(report.resolution_minutes[5], 1, "300 minutes: up to 480");
        let printers = report.by_category.iter().find(|(category, _)| *category == TicketCategory::Printer);
        assert_eq!(printers, Some(&(TicketCategory::Printer, 4)));
    }

    #[test]
    fn an_empty_period_has_no_share() {
        let report = support_report(&[], 0);
        assert_eq!(report.total, 0);
        assert_eq!(report.first_response.met_bps(), None);
        assert_eq!(report.by_category.len(), TicketCategory::ALL.len());
    }
}
