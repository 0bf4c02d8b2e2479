//! The pure domain core of Omnicanal.
//!
//! Money, catalog values, channels and roles, the inventory ledger, the fulfilment state
//! machine, payment arithmetic and payment jobs, the pricing engine, settlement, and the
//! domain events every channel hears. **Invariant:** nothing here does I/O,
//! reads the clock or draws random numbers; callers pass `now` and randomness in.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod access;
pub mod audit;
pub mod catalog;
pub mod channel;
pub mod click_collect;
pub mod connections;
pub mod credit;
pub mod delivery;
pub mod dish;
pub mod error;
pub mod events;
pub mod fulfillment;
pub mod hours;
pub mod inventory;
pub mod kitchen;
pub mod modifiers;
pub mod money;
mod named;
pub mod order;
pub mod payment;
pub mod payment_job;
pub mod pos;
pub mod pricing;
pub mod retail;
pub mod returns;
pub mod settlement;
pub mod shipment;
pub mod site;
pub mod time;

pub use error::DomainError;
pub use money::{Currency, Money};
pub mod aisle;
pub mod bookings;
pub mod customers;
pub mod support;
