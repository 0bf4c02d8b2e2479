//! The support desk (issue 18): the values and rules of tickets, their SLAs in store time, the
//! knowledge base's text and the incident rules telemetry is judged by. Pure, like the rest of
//! the domain.
//!
//! - [`ticket`]: a ticket's priority, category and status, and the one table of its moves.
//! - [`incidents`]: what a till's telemetry says and the rules that open and close incidents.

pub mod incidents;
pub mod ticket;

pub use ticket::{TicketCategory, TicketPriority, TicketStatus};
