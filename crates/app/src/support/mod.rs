//! The support desk (issue 18): tickets a store opens from its till or console (or an agent
//! from a phone call), their SLAs counted on each store's own calendar, the knowledge base
//! that answers first, and incidents opened from the tills' telemetry.
//!
//! - [`tickets`]: opening, reading, answering, assigning, merging tickets; who sees which.
//! - [`sla`]: the deadlines a ticket is held to, in the store's business minutes.

pub mod sla;
pub mod tickets;
// Canned answers (issue 18 point 2).
pub mod macros;

pub use tickets::{OpenTicket, PostTicketMessage, TicketDetail, TicketQuery, TicketQueue, TicketUpdate};
