//! Events: reading the outbox for live streams and who may follow which stream.
//!
//! - `outbox.rs`: the outbox read in order, and the wake-up when any node commits to it.
//! - `streams.rs`: who may follow an order, the stock feed or a location, and what each
//!   follower is sent of every event.
//! - `idempotency.rs`: the claims behind `Idempotency-Key` (kept here, beside the other
//!   plumbing of committed writes, since the layer has no area of its own).
//! - `health.rs`: whether the store answers.

pub mod health;
pub mod idempotency;
pub mod outbox;
pub mod streams;

pub use idempotency::{Claimed, IdempotentRequest};
pub use streams::Follow;
