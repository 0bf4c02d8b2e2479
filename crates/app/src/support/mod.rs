//! The support desk (issue 18): tickets a store opens from its till or console (or an agent
//! from a phone call), their SLAs counted on each store's own calendar, the knowledge base
//! that answers first, and incidents opened from the tills' telemetry.
//!
//! - [`tickets`]: opening, reading, answering, assigning, merging tickets; who sees which.
//! - [`sla`]: the deadlines a ticket is held to, in the store's business minutes.
//! - [`till_help`]: what the server adds to a till's ticket, and a ticket's photos.

pub mod sla;
pub mod tickets;
pub mod till_help;

pub use tickets::{OpenTicket, PostTicketMessage, TicketDetail, TicketQuery, TicketQueue, TicketUpdate};
