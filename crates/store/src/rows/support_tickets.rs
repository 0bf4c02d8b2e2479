//! The support desk's tickets and their messages (issue 18 point 1), as stored.
//!
//! A ticket is written whole by the app, which decides every move; the store writes a change
//! only if the ticket has not changed since it was read (`updated_ms` as its version), so two
//! agents acting at once never lose one another's change silently.

use omnicanal_domain::access::Role;
use omnicanal_domain::support::{TicketCategory, TicketPriority, TicketStatus};

use crate::rows::NewEvent;

/// One ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportTicketRow {
    /// Id (`tkt_…`).
    pub id: String,
    /// Its number on the desk, from 1 (0 until stored).
    pub number: i64,
    /// The store's merchant.
    pub merchant_id: String,
    /// The store (location) it is about.
    pub location_id: String,
    /// The till it was asked from, if any.
    pub device_id: Option<String>,
    /// `till`, `console` or `phone`.
    pub source: String,
    /// Who opened it.
    pub opened_by: String,
    /// One line.
    pub subject: String,
    /// What happened, in the store's words.
    pub description: String,
    /// What it is about.
    pub category: TicketCategory,
    /// How urgent.
    pub priority: TicketPriority,
    /// Where it stands.
    pub status: TicketStatus,
    /// The agent on it.
    pub assignee_id: Option<String>,
    /// The ticket it was folded into.
    pub merged_into_id: Option<String>,
    /// What the till or console knew when help was asked (a JSON object).
    pub context_json: String,
    /// When the first answer is due (Unix ms, counted in the store's business time).
    pub first_response_due_ms: i64,
    /// When the solution is due.
    pub resolution_due_ms: i64,
    /// When an agent first answered the store.
    pub first_responded_ms: Option<i64>,
    /// When it was last resolved.
    pub resolved_ms: Option<i64>,
    /// Since when the clock is paused (waiting on the store), if it is.
    pub paused_since_ms: Option<i64>,
    /// Closed pauses, `[[from_ms, to_ms], …]`, oldest first.
    pub pauses_json: String,
    /// Opened at.
    pub created_ms: i64,
    /// Last changed at; the version a change is conditional on.
    pub updated_ms: i64,
}

/// One message on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportMessageRow {
    /// Id (`tmsg_…`).
    pub id: String,
    /// The ticket.
    pub ticket_id: String,
    /// Who wrote it.
    pub author_id: String,
    /// Their e-mail, as it was.
    pub author_email: String,
    /// Their role, as it was.
    pub author_role: Role,
    /// The text.
    pub body: String,
    /// An agents' note the store never sees.
    pub internal: bool,
    /// Written at.
    pub created_ms: i64,
}

/// A change to a ticket, written only if the ticket's `updated_ms` is still `expected_updated_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportTicketChange {
    /// The ticket as it must be afterwards (its `updated_ms` the new version).
    pub ticket: SupportTicketRow,
    /// The version it was read at.
    pub expected_updated_ms: i64,
    /// Messages written with the change.
    pub messages: Vec<SupportMessageRow>,
    /// Events the change announces.
    pub events: Vec<NewEvent>,
}

/// Which tickets a list shows; `None` leaves a filter open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupportTicketFilter {
    /// Only this merchant's.
    pub merchant_id: Option<String>,
    /// Only this store's.
    pub location_id: Option<String>,
    /// Only these statuses (empty: any).
    pub statuses: Vec<TicketStatus>,
    /// Only this category.
    pub category: Option<TicketCategory>,
    /// Only this priority.
    pub priority: Option<TicketPriority>,
    /// Only this agent's (`Some("")`: unassigned ones).
    pub assignee_id: Option<String>,
    /// Only tickets whose resolution or unanswered first response was due before this instant.
    pub overdue_at_ms: Option<i64>,
    /// Words to find in the subject, the description or the number.
    pub text: String,
}
