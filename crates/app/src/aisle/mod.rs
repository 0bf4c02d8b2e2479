//! Endless aisle (issue 17 point 7): from the clerk's tablet (the till in tablet mode) the
//! store sees what every location of its merchant can promise ([`search`]) and sells what it
//! lacks ([`order`], parsed by [`command`]): the units held at the source location, then
//! shipped to the customer ([`shipments`]) or transferred to this store and picked up here
//! ([`pickup`]).

pub mod command;
pub mod order;
pub mod pickup;
pub mod search;
pub mod shipments;
