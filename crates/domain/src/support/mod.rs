//! The support desk (issue 18): the values and rules of tickets, their SLAs in store time, the
//! knowledge base's text and the incident rules telemetry is judged by. Pure, like the rest of
//! the domain.
//!
//! - [`ticket`]: a ticket's priority, category and status, and the one table of its moves.

pub mod ticket;
// A macro's placeholders (issue 18 point 2).
pub mod macros;

pub use ticket::{TicketCategory, TicketPriority, TicketSource, TicketStatus};
