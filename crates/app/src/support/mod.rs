//! The support desk (issue 18): tickets a store opens from its till or console (or an agent
//! from a phone call), their SLAs counted on each store's own calendar, the knowledge base
//! that answers first, and incidents opened from the tills' telemetry; the rules they apply
//! live in `omnicanal_domain::support`.
//!
//! - [`tickets`]: opening, reading, answering, assigning, merging tickets; who sees which.
//! - [`sla`]: the deadlines a ticket is held to, in the store's business minutes;
//!   [`sla_admin`] the policies and special days; [`sla_watch`] the warnings and breaches.
//! - [`knowledge`]: the knowledge base's articles, search, help sessions and deflection.
//! - [`incidents`]: telemetry, the detector and incidents; [`alerts`] pages the desk.
//! - [`macros`]: the desk's canned answers.
//! - [`reports`]: the desk's figures over a period, and who may read which.
//! - [`till_help`]: what the server adds to a till's ticket, and a ticket's photos.

pub mod alerts;
pub mod incidents;
pub mod knowledge;
pub mod reports;
pub mod sla;
pub mod sla_admin;
#[cfg(test)]
mod sla_tests;
pub mod sla_watch;
pub mod tickets;
// Canned answers (issue 18 point 2).
pub mod macros;
pub mod till_help;
// The detector's fast path: a store judged as soon as its declines or print failures land.
pub mod incident_watch;

pub use reports::{SupportReportQuery, SupportReportView};
pub use tickets::{OpenTicket, PostTicketMessage, TicketDetail, TicketQuery, TicketQueue, TicketUpdate};
// The on-call rota, agents' push subscriptions and alert deliveries (issue 18 point 3).
pub mod on_call;
