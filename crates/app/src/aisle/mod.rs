//! Endless aisle (issue 17 point 7): from the clerk's tablet (the till in tablet mode) the
//! store sees what every location of its merchant can promise, so it can sell what it lacks.
//!
//! Only the search is here so far ([`search`]); the tablet's order (held at the source
//! location, shipped or transferred to this store) builds on it.

pub mod search;
