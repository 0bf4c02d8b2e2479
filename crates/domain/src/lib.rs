//! The pure domain core of Omnicanal.
//!
//! Money, catalog values, the inventory ledger, the fulfilment state machine,
//! payment arithmetic and settlement. **Invariant:** nothing here does I/O,
//! reads the clock or draws random numbers; callers pass `now` and randomness in.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod catalog;
pub mod error;
pub mod fulfillment;
pub mod hours;
pub mod inventory;
pub mod kitchen;
pub mod modifiers;
pub mod money;
pub mod order;
pub mod payment;
pub mod pricing;
pub mod settlement;

pub use error::DomainError;
pub use money::{Currency, Money};
