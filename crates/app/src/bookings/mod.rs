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
//!
//! Not built yet (issue 19, later): holds while the customer confirms, deposits, `.ics`,
//! reminders, staff schedules and exceptions, combined tables, rescheduling, pages.

pub mod availability;
pub mod book;
pub mod command;
pub mod settings;
pub mod setup;

pub use book::BookingMade;
pub use command::{BookFor, BookingCustomer, BookingRequest, NewResource, NewService};
// The customer's booking pages (issue 19 point 5).
pub mod catalogue;
