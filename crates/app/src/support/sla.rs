//! The deadlines a ticket is held to. Interim: counted around the clock with the desk's
//! default targets, until each store's calendar and the policies land (issue 18 point 3).

use omnicanal_domain::support::{TicketCategory, TicketPriority};

use crate::App;
use crate::error::AppResult;

/// When a ticket's first answer and its solution are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaDeadlines {
    /// The first answer (Unix ms).
    pub first_response_due_ms: i64,
    /// The solution (Unix ms).
    pub resolution_due_ms: i64,
}

fn default_minutes(priority: TicketPriority) -> (i64, i64) {
    match priority {
        TicketPriority::Urgent => (15, 240),
        TicketPriority::High => (30, 480),
        TicketPriority::Normal => (120, 1440),
        TicketPriority::Low => (480, 2880),
    }
}

impl App {
    /// The deadlines of a ticket of this store, priority and category opened at `from_ms`.
    pub async fn sla_deadlines(
        &self,
        _location_id: &str,
        priority: TicketPriority,
        _category: TicketCategory,
        from_ms: i64,
    ) -> AppResult<SlaDeadlines> {
        let (first, resolution) = default_minutes(priority);
        Ok(SlaDeadlines {
            first_response_due_ms: from_ms + first * 60_000,
            resolution_due_ms: from_ms + resolution * 60_000,
        })
    }

    /// A deadline pushed forward by the business time that passed while the ticket was paused.
    pub async fn sla_extend_for_pause(
        &self,
        _location_id: &str,
        due_ms: i64,
        paused_from_ms: i64,
        paused_to_ms: i64,
    ) -> AppResult<i64> {
        Ok(due_ms + (paused_to_ms - paused_from_ms).max(0))
    }
}
