//! Rows: the store's own structs, one per table (or joined read), free of sqlx derives.
//!
//! Amounts are integer minor units with their currency beside them; times are Unix
//! milliseconds; booleans are stored as 0/1 so both backends agree. Every status, policy,
//! channel, role and currency is the domain's type from the row up: the store parses the
//! column when it reads it, and a word it does not know is [`crate::StoreError::Corrupt`],
//! never a default.

mod access;
mod audit;
mod conflicts;
mod connections;
mod console;
mod events;
mod import_jobs;
mod invitations;
mod notifications;
mod orders;
mod payments;
mod photos;
mod pos;
mod pos_approvals;
mod pos_pickups;
mod pos_print;
mod pricing;
mod reporting;
mod setup;
mod stock;
// The manager's catalogue (issue 15 point 2).
mod catalog_admin;
mod click_collect;
mod credit;
mod customers;
mod retail;
mod returns;
// The endless aisle's orders and shipments (issue 17 point 7).
mod aisle;
// The support desk's tickets (issue 18 point 1).
mod support_photos;
mod support_tickets;
// SLAs in store time (issue 18 point 3).
mod support_sla;
// The support desk's knowledge base (issue 18 point 4).
mod knowledge;
// Incidents before anyone calls (issue 18 point 5).
mod support_incidents;
// The support desk's macros (issue 18 point 2).
mod support_macros;
// What the desk's reports read beyond tickets (issue 18 points 4 and 6).
mod support_reports;
// The desk's on-call rota and alert deliveries (issue 18 point 3).
mod support_on_call;
// Bookings (issue 19).
mod bookings;
// Bookings' availability: details, exceptions, performers, places (issue 19 points 1-2).
mod booking_availability;
// A booking's life after it is made: holds and moves (issue 19 point 3).
mod booking_life;
// Reminders before a booking (issue 19 point 4).
mod booking_reminders;
// Deposits on bookings and how a booking ends (issue 19 point 3).
mod booking_deposits;

pub use access::*;
pub use aisle::*;
pub use audit::*;
pub use booking_availability::*;
pub use booking_deposits::*;
pub use booking_life::*;
pub use bookings::*;
pub use catalog_admin::*;
pub use click_collect::*;
pub use conflicts::*;
pub use connections::*;
pub use console::*;
pub use credit::*;
pub use customers::*;
pub use events::*;
pub use import_jobs::*;
pub use invitations::*;
pub use knowledge::*;
pub use notifications::*;
pub use orders::*;
pub use payments::*;
pub use photos::*;
pub use pos::*;
pub use pos_approvals::*;
pub use pos_pickups::*;
pub use pos_print::*;
pub use pricing::*;
pub use reporting::*;
pub use retail::*;
pub use returns::*;
pub use setup::*;
pub use stock::*;
pub use support_incidents::*;
pub use support_macros::*;
pub use support_on_call::*;
pub use support_photos::*;
pub use support_reports::*;
pub use support_sla::*;
pub use support_tickets::*;
// Reminders before a booking (issue 19 point 4).
pub use booking_reminders::*;

/// Paging for lists: `limit` items after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// At most this many items (already capped by the caller).
    pub limit: i64,
    /// Items to skip.
    pub offset: i64,
}

impl Default for Page {
    fn default() -> Self {
        Self { limit: 100, offset: 0 }
    }
}

impl Page {
    /// Everything up to `limit` items, for internal reads that want a whole (bounded) list.
    pub fn first(limit: i64) -> Self {
        Self { limit, offset: 0 }
    }
}
