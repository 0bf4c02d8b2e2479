//! The merchant console: the live queue, sold-out switches, order search, takings and settlement.
//!
//! Who sees what: staff only their own location, a manager every location of its merchant,
//! platform users everything; another merchant's location or merchant is "not found", never
//! "forbidden".
//!
//! - `scope.rs`: the location or merchant a user may work with.
//! - `day.rs` and `period.rs`: a site's day, and a period typed in a query.
//! - `queue.rs`, `sold_out.rs`: a location's live queue and its sold-out switches.
//! - `search.rs`, `takings.rs`, `settlement.rs`: records and reports.
//! - `pages.rs`: what the console's pages read (locations, the products, the records' scope).
//! - `mall.rs`: the mall-wide view (admins): every location of a site with its queue and late parts.

pub mod day;
pub mod mall;
pub mod pages;
pub mod period;
pub mod queue;
pub mod scope;
pub mod search;
pub mod settlement;
pub mod sold_out;
pub mod takings;

pub use day::local_day_start_ms;
pub use period::Period;
