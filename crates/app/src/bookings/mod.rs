//! Bookings (issue 19): a location's tables, staff and rooms, a merchant's services, the free
//! slots of a day and the bookings made on them — never two at once on one resource. The rules
//! live in `omnicanal_domain::bookings`; the claim that enforces "never two at once" is the
//! store's (`BookingStore::insert_booking`).
//!
//! - [`command`]: the typed commands, parsed at the edge with every bad field reported.
//! - [`setup`]: managers set up resources (zone, joinable group, working week), services and
//!   who performs them, exception days and where a location is (another merchant's: 404).
//! - [`settings`]: a location's booking rules (notice, window, cancellation, hold, reminders).
//! - [`availability`]: the plan's offers (one resource, joined tables, a service's performers)
//!   and the free slots of a day; [`nearest`]: the nearest locations with free slots.
//! - [`book`]: booking (public, optionally held), reading and cancelling with the manage token;
//!   [`hold`]: a hold confirmed or expired; [`reschedule`]: the customer's reschedule and the
//!   staff's move; [`calendar`]: the `.ics` file.
//! - [`schedule`] and [`staff`]: the staff's schedule, status moves, walk-ins, no-show counts.
//! - [`reminders`]: which reminders are due, claimed once, and their deliveries.
//! - [`catalogue`]: what the customer's pages read (places with tables, services, a booking).
//! - [`services`]: a manager edits a service (name, duration, buffers before and after, price).
//! - [`deposits`]: a service's or a table's deposit, authorised when booking, and the one way
//!   a booking ends (`App::end_booking`) with its refund, void or keeping.
//! - [`deposit_quote`]: the deposit a service or a party would put down and its refund
//!   window, told before booking.

pub mod availability;
pub mod book;
pub mod calendar;
pub mod catalogue;
pub mod command;
pub mod hold;
pub mod manage_token;
pub mod nearest;
pub mod reminder_email;
pub mod reminders;
pub mod reschedule;
pub mod schedule;
pub mod settings;
pub mod setup;
pub mod staff;
// Editing a service, its buffer before included (issue 19 point 1).
pub mod services;
// Deposits through the payment provider and the one way a booking ends (issue 19 point 3).
pub mod deposits;
// What the customer's pages tell about a deposit before booking (issue 19 point 3).
pub mod deposit_quote;

pub use book::BookingMade;
pub use command::{BookFor, BookingCustomer, BookingRequest, NewResource, NewService};
pub use reschedule::MoveBooking;
