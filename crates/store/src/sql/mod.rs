//! The SQL implementation of the store traits, shared by both backends.
//!
//! One file per trait implements it (`access`, `setup`, `stock`, `orders`, `pricing`,
//! `idempotency`, `events`, `notifications`, `console`, `payments`); the steps several writes
//! share run inside the caller's transaction in [`tx`]; row readers and column helpers sit
//! below both (`columns`, `order_rows`, `outbox`). Statements stay within the dialect SQLite
//! and PostgreSQL share.

mod access;
mod audit;
pub(crate) mod columns;
mod conflicts;
mod connections;
mod console;
mod events;
pub(crate) mod group_commit;
mod idempotency;
mod import_jobs;
mod invitations;
mod notifications;
pub(crate) mod order_rows;
mod orders;
pub(crate) mod outbox;
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
mod aisle;
mod catalog_admin;
mod click_collect;
mod credit;
mod customers;
mod retail;
mod returns;
mod support_photos;
mod support_sla;
mod support_tickets;
// Incidents before anyone calls (issue 18 point 5).
mod support_incidents;
// The support desk's macros (issue 18 point 2).
mod support_macros;
pub(crate) mod tx;
// The support desk's knowledge base (issue 18 point 4).
mod knowledge;
// What the desk's reports read beyond tickets (issue 18 points 4 and 6).
mod support_reports;
// The desk's on-call rota and alert deliveries (issue 18 point 3).
mod support_on_call;
// Bookings, never double-booked (issue 19).
mod bookings;
// Bookings' availability: details, exceptions, performers, joined tables, places (issue 19).
mod booking_availability;
// A booking's life after it is made: holds, confirmation, expiry, moves (issue 19 point 3).
mod booking_life;
// The staff's schedule: listing, status moves, no-shows, stats (issue 19 point 5).
mod booking_staff;
// Reminders before a booking (issue 19 point 4).
mod booking_reminders;
// Deposits on bookings and the one way a booking ends (issue 19 point 3).
mod booking_deposits;

pub use click_collect::change_refund_job_id;
pub use pos::OFFLINE_SALE_SHORT;
pub use returns::credit_note_number;
pub use tx::holds::HOLD_EXPIRED_REASON;
pub use tx::payment_jobs::{capture_job_id, refund_job_id, void_job_id};
pub use tx::slots::pickup_slot_start_ms;
