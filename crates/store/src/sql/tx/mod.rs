//! The steps writes are made of, each run inside the caller's transaction.
//!
//! These modules depend only downward — placement on holds, slots and the ledger; holds on
//! transitions; transitions on the ledger, slots and payment jobs — and never on the trait
//! implementations above them, so the SQL has no import cycles and each step is written once
//! however many writes use it.

pub(crate) mod batch_placement;
pub(crate) mod catalog;
pub(crate) mod credit;
pub(crate) mod holds;
pub(crate) mod ledger;
pub(crate) mod payment_jobs;
pub(crate) mod placement;
pub(crate) mod slots;
pub(crate) mod transition;

/// The transaction every step runs in.
pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;
