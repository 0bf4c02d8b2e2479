//! A support ticket's closed sets of words and its life cycle.
//!
//! A ticket is opened by a store (from the till or the console) or by an agent taking a phone
//! call. [`TicketStatus::next_statuses`] is the one table of legal moves. `WaitingOnStore` is
//! the state in which the SLA clock is paused: the desk has answered and waits for the store.

use crate::DomainError;

crate::named_enum! {
    /// How urgent a ticket is; the SLA targets depend on it.
    pub enum TicketPriority("priority") {
        /// Can wait for a quiet moment.
        Low => "low",
        /// The default.
        Normal => "normal",
        /// A till or a promotion is failing for customers now.
        High => "high",
        /// The store cannot sell.
        Urgent => "urgent",
    }
}

crate::named_enum! {
    /// What a ticket is about; the words are the desk's own Spanish ones.
    pub enum TicketCategory("category") {
        /// Receipt printers.
        Printer => "impresora",
        /// Card terminals and payments.
        Payments => "pagos",
        /// Promotions and prices.
        Promotions => "promociones",
        /// The till's sync with the server (unsent sales, offline periods).
        Sync => "sincronizacion",
        /// Stock counts and movements.
        Stock => "stock",
        /// Anything else.
        Other => "otro",
    }
}

crate::named_enum! {
    /// Where a ticket was asked from.
    pub enum TicketSource("source") {
        /// The till's "Pedir ayuda" button, with what the till knew.
        Till => "till",
        /// The merchant console.
        Console => "console",
        /// An agent taking a phone call.
        Phone => "phone",
    }
}

crate::named_enum! {
    /// Where a ticket stands.
    pub enum TicketStatus("status") {
        /// Opened; no agent has answered yet.
        New => "new",
        /// An agent is on it.
        Open => "open",
        /// The desk answered and waits for the store: the SLA clock is paused.
        WaitingOnStore => "waiting_on_store",
        /// Solved; the store may still reopen it by answering.
        Resolved => "resolved",
        /// Folded into another ticket (a duplicate). Final.
        Merged => "merged",
        /// Closed for good. Final.
        Closed => "closed",
    }
}

impl TicketStatus {
    /// The table of legal transitions: the statuses reachable in one step.
    pub fn next_statuses(self) -> &'static [TicketStatus] {
        use TicketStatus::*;
        match self {
            New => &[Open, WaitingOnStore, Resolved, Merged, Closed],
            Open => &[WaitingOnStore, Resolved, Merged, Closed],
            WaitingOnStore => &[Open, Resolved, Merged, Closed],
            Resolved => &[Open, Closed],
            Merged | Closed => &[],
        }
    }

    /// True for statuses that end the ticket's life.
    pub fn is_final(self) -> bool {
        self.next_statuses().is_empty()
    }

    /// True while the SLA clock runs: not while the desk waits on the store, not while the
    /// store has it as solved (a reopen resumes it), not once it is over.
    pub fn sla_clock_runs(self) -> bool {
        matches!(self, TicketStatus::New | TicketStatus::Open)
    }

    /// The move to `next`, or why it is not allowed.
    pub fn move_to(self, next: TicketStatus) -> Result<TicketStatus, DomainError> {
        if self.next_statuses().contains(&next) {
            Ok(next)
        } else {
            Err(DomainError::invalid("status", format!("a {} ticket cannot become {}", self.as_str(), next.as_str())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for status in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(status.as_str()), Ok(*status));
        }
        for category in TicketCategory::ALL {
            assert_eq!(TicketCategory::parse(category.as_str()), Ok(*category));
        }
        assert!(TicketPriority::parse("critical").is_err());
    }

    #[test]
    fn final_statuses_go_nowhere_and_only_new_and_open_age() {
        assert!(TicketStatus::Merged.is_final() && TicketStatus::Closed.is_final());
        assert!(TicketStatus::New.sla_clock_runs() && TicketStatus::Open.sla_clock_runs());
        assert!(!TicketStatus::WaitingOnStore.sla_clock_runs());
        assert!(TicketStatus::Closed.move_to(TicketStatus::Open).is_err());
        assert_eq!(TicketStatus::Resolved.move_to(TicketStatus::Open), Ok(TicketStatus::Open));
    }
}
