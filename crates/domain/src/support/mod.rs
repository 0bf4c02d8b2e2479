//! The support desk (issue 18): the values and rules of tickets, their SLAs in store time, the
//! knowledge base's text and the incident rules telemetry is judged by. Pure, like the rest of
//! the domain.
//!
//! - [`ticket`]: a ticket's priority, category and status, and the one table of its moves.
//! - [`calendar`], [`holidays`], [`sla`]: each store's business time (opening hours, CL/PE/CO
//!   public holidays, special days) and the targets counted on it.
//! - [`knowledge`]: the knowledge base's search text (folding, stemming, query terms, snippets)
//!   and its safe markdown.
//! - [`incidents`]: what a till's telemetry says and the rules that open and close incidents.
//! - [`report`]: the desk's figures over a period, counted from one fact row per ticket.
//! - [`incident_report`]: incidents by cause and store and how long they lasted, for reports.
//! - [`problems`]: the deflection share over help sessions and tickets opened without one.

pub mod calendar;
pub mod holidays;
pub mod incidents;
pub mod knowledge;
pub mod report;
pub mod sla;
pub mod ticket;
// A macro's placeholders (issue 18 point 2).
pub mod macros;
// Incidents and their durations in the desk's reports (issue 18 point 6).
pub mod incident_report;
// The deflection share over every problem raised, help session or not (issue 18 point 4).
pub mod problems;

pub use ticket::{TicketCategory, TicketPriority, TicketSource, TicketStatus};
// Who is on call, and an alert's retries (issue 18 point 3).
pub mod on_call;
