//! Bookings (issue 19): restaurant tables and appointments with staff or rooms, never
//! double-booked. Pure rules only — the store enforces the claim and the app decides who may.
//!
//! Time is cut into one grid of [`GRID_MINUTES`] cells counted from the Unix epoch. Every
//! time zone's offset is a multiple of 15 minutes, so the grid is the same in local time; a
//! booking starts on the grid and claims every cell its time and its buffer touch. Two
//! bookings of one resource overlap exactly when they share a cell, which is why the store can
//! enforce "never two at once" with a primary key on (resource, cell) instead of a
//! read-then-write check that concurrent requests could slip past.
//!
//! - [`resources`]: what can be booked (a table with its seats, a staff member, a room) and
//!   the services booked on staff and rooms (duration, buffer, price).
//! - [`booking`]: a booking's status and its one transition table, the cells it claims, and
//!   whether a requested start may be booked now (grid, notice, how far ahead).
//! - [`availability`]: the free slots of a day, from the opening hours, the bookings already
//!   taken and the booking window.
//! - [`combinations`]: which tables, alone or joined within their group, seat a party, and
//!   whether every member of a combination is free.
//! - [`local_time`]: a local date and wall time to an instant, with the hour a DST change
//!   skips refused and the one it repeats read as the earlier.
//! - [`nearest`]: locations by great-circle distance from a visitor's position.
//! - [`exceptions`]: a resource's working week on top of the location's hours, with days off,
//!   holidays and special hours.
//! - [`settings`]: a location's rules — notice, how far ahead, the customer's cancellation
//!   window, how long a hold waits, when reminders go out.
//! - [`changes`]: what may change once a booking is made, and until when — the customer's
//!   cancellation window, which bookings may move, whether a hold may still be confirmed.
//! - [`staff`]: what staff may do on the schedule (seat, complete, no-show, cancel) and where
//!   a walk-in starts.
//! - [`reminders`]: which reminder is due when, its retries, and its text in es/en in the
//!   site's time zone.
//!
//! `combinations`, `local_time`, `nearest` and `exceptions` are not yet called by the use
//! cases: availability still seats a party at one table and reads the location's hours only.

pub mod availability;
pub mod booking;
pub mod changes;
pub mod combinations;
pub mod exceptions;
pub mod local_time;
pub mod nearest;
pub mod resources;
pub mod settings;
// What staff do on the schedule: seat, complete, no-show, cancel, walk-ins (issue 19 point 5).
pub mod staff;
// Reminders before a booking (issue 19 point 4).
pub mod reminders;
// Deposits through the payment provider, and what each ending does with them (issue 19 point 3).
pub mod deposits;
// Stable codes for booking refusals, so pages tell them apart without reading English.
pub mod refusal;

/// The booking grid, in minutes: starts are offered and accepted on it, claims are made by it.
pub const GRID_MINUTES: i64 = 15;
/// The grid in milliseconds.
pub const GRID_MS: i64 = GRID_MINUTES * 60_000;
