//! Bookings (issue 19): a location's tables, staff and rooms, a merchant's services, the free
//! slots of a day and the bookings made on them — never two at once on one resource. The rules
//! live in `omnicanal_domain::bookings`; the claim that enforces "never two at once" is the
//! store's (`BookingStore::insert_booking`).
//!
//! - [`command`]: the typed commands, parsed at the edge with every bad field reported.
//! - [`setup`]: managers create resources and services (another merchant's: 404).
//! - [`availability`]: the public free slots of a day, for a party size or a service.
//! - [`book`]: booking (public), reading and cancelling with the manage token.
//! - [`settings`]: a location's booking rules (notice, window, cancellation, hold, reminders).
//! - [`schedule`] and [`staff`]: the staff's schedule — a location's bookings and counts, the
//!   status moves staff make, walk-ins.
//!
//! - [`hold`]: a held booking confirmed by its customer or expired by the sweeper.
//! - [`reschedule`]: moving a booking — the customer's reschedule and the staff's move.
//! - [`calendar`]: a booking as an `.ics` calendar file with its manage link.
//! - [`reminders`]: the customer's reminder channels and the reminders due, claimed once.
//!
//! Not built yet (issue 19, later): holds while the customer confirms, deposits, `.ics`,
//! reminders, staff schedules and exceptions, combined tables, rescheduling, pages.

pub mod availability;
pub mod book;
pub mod calendar;
pub mod command;
pub mod hold;
pub mod reschedule;
pub mod settings;
// Reminders before a booking (issue 19 point 4).
pub mod reminders;
pub mod setup;
// "Nearest to me" with free slots (bkavail).
pub mod nearest;
// The staff's schedule: listing, stats, seat/complete/no-show/cancel, walk-ins (issue 19 point 5).
pub mod schedule;
pub mod staff;

pub use book::BookingMade;
pub use command::{BookFor, BookingCustomer, BookingRequest, NewResource, NewService};
pub use reschedule::MoveBooking;
// The customer's booking pages (issue 19 point 5).
pub mod catalogue;
