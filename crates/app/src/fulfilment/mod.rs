//! Fulfilment: each location's part of an order moving through its states, and lapsed holds.
//!
//! - `viewer.rs`: who reads or acts on an order (a signed-in user, the tracking token's holder).
//! - `transition.rs`: a part's next status, with the kitchen's promise on acceptance.
//! - `parts.rs`: a location's parts, for its staff.
//! - `holds.rs`: parts still `placed` whose stock hold lapsed are cancelled.

pub mod holds;
pub mod parts;
pub mod transition;
pub mod viewer;

pub use transition::{MAX_REASON_CHARS, TransitionCommand, Transitioned};
pub use viewer::Viewer;
