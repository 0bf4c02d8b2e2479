//! The support desk (issue 18): the values and rules of tickets, their SLAs in store time, the
//! knowledge base's text and the incident rules telemetry is judged by. Pure, like the rest of
//! the domain.
//!
//! - [`ticket`]: a ticket's priority, category and status, and the one table of its moves.
//! - [`report`]: the desk's figures over a period, counted from one fact row per ticket.

pub mod report;
pub mod ticket;

pub use ticket::{TicketCategory, TicketPriority, TicketSource, TicketStatus};
pub mod calendar;
pub mod holidays;
pub mod sla;
