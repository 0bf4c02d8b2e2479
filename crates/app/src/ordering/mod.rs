//! Ordering: placing an order (a phone order taken by staff among them), reading it, and what a customer may order now (pickup slots,
//! availability).
//!
//! Placement builds on the cart pricing of [`crate::pricing::cart`] and on the storefront state
//! of [`crate::catalog::storefront`]; neither depends on this module.

pub mod availability;
pub mod command;
pub(crate) mod new_order;
pub mod phone;
pub mod pickup;
pub mod placement;
pub mod quotes;
pub mod tracking;

pub use command::{CardNumber, Customer, OrderInput, Payment, PlaceOrder};
pub use tracking::{TrackedOrder, TrackedPart, VisibleOrder};

#[cfg(test)]
mod tests;
