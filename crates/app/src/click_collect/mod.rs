//! Click & collect (issue 17 point 4): the store's pick list, marking a part picked (ready:
//! the customer is told through the usual channels), a merchant's pickup wait, and the
//! release of parts not collected in time. Handing over against the pickup code is the
//! existing transition (or the till's collection); changes at the counter are the till's
//! (`pos::pickup_changes`).
//!
//! - `pick_list.rs`: what a store has to pick, and marking a part picked.
//! - `expiry.rs`: the merchant's `pickup_expiry_days` and the sweep a worker calls.

pub mod expiry;
pub mod pick_list;

pub use expiry::{PICKUP_SWEEP_BATCH, PickupSettings, PickupSettingsCommand};
pub use pick_list::{PickList, PickListEntry};
