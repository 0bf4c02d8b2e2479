//! Store credit and gift cards (issue 17 point 8): the rules a balance follows, free of I/O.
//!
//! `code` is the gift card code (format and check character, so typos never reach a lookup),
//! `customer` the key a customer's credit is kept under, `expiry` the merchant's expiry rule.
//! The ledger itself (never below zero, under concurrency) is the store's conditional update.

pub mod allocation;
pub mod code;
pub mod customer;
pub mod expiry;

pub use allocation::{CreditShare, allocate_credit};
pub use code::GiftCardCode;
pub use customer::CustomerKey;
pub use expiry::{CreditExpiryDays, DAY_MS, expires_at_after_credit, is_spendable};

/// The most a single grant, card or spend may be, in minor units (a bound that keeps every
/// sum of a ledger far from overflow).
pub const MAX_CREDIT_MINOR: i64 = 1_000_000_000_000;
