//! Click & collect and pay-at-pickup changes (issue 17 points 4 and 5): the pure rules.
//!
//! - `expiry.rs`: how long a ready part waits for its customer (a merchant's
//!   `pickup_expiry_days`), when it is due to be released, and what releasing it does to its
//!   stock and money (the plan the store carries out like any transition).
//! - `change.rs`: a part changed at the counter (a line removed, a size swapped, an item
//!   added): which parts may still change, how the stock holds move, and who owes what after
//!   the engine priced the new cart.
//!
//! Why a module of its own rather than more of `fulfillment.rs`: the transition table stays
//! the one the contract names; releasing an uncollected part is not a move anyone may ask for,
//! it is the passing of time, planned here like `plan_hold_lapse`.

pub mod change;
pub mod expiry;

pub use change::{ChangeSettlement, StockDelta, changeable, settle_change, stock_deltas};
pub use expiry::{DEFAULT_PICKUP_EXPIRY_DAYS, MAX_PICKUP_EXPIRY_DAYS, PickupExpiryDays, plan_pickup_expiry};
