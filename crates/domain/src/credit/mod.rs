//! Store credit and gift cards (issue 17 point 8): the rules a balance follows, free of I/O.
//!
//! `expiry` holds the merchant's expiry rule; the gift card code and the customer key live in
//! their own modules. The ledger itself (never below zero, under concurrency) is the store's
//! conditional update; what it may and may not do is decided here.

pub mod expiry;

pub use expiry::{CreditExpiryDays, DAY_MS, expires_at_after_credit, is_spendable};
