//! Bookings: pure rules for tables, appointments, local days and the nearest location.
pub mod combinations;
pub mod exceptions;
pub mod local_time;
pub mod nearest;
