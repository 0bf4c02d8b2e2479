//! The store's error type: constraint violations and refused conditional updates become
//! meaning here, next to the SQL that causes them, and never in a handler.
//!
//! Database text never leaves the store inside a variant a client could be shown: the
//! `Database`, `Unavailable` and `Migration` variants are faults, logged and answered as a
//! 500 by the HTTP edge; every other variant names what was wrong in the store's own words.

use crate::constraints::{Reference, UniqueKey};

/// Everything a store call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist.
    #[error("not found")]
    NotFound,
    /// A unique key is taken.
    #[error("{} is taken", .0.field())]
    Duplicate(UniqueKey),
    /// A row names another that does not exist.
    #[error("{} names nothing that exists", .0.field())]
    MissingReference(Reference),
    /// The row changed between reading it and writing it (a concurrent transition, say).
    #[error("the row changed meanwhile")]
    StaleState,
    /// Not enough available stock for this SKU.
    #[error("insufficient stock for {sku}")]
    InsufficientStock {
        /// The short SKU.
        sku: String,
    },
    /// A line's SKU was switched to sold out at its location.
    #[error("{sku} is sold out")]
    SoldOut {
        /// The short SKU.
        sku: String,
    },
    /// A coupon cannot be used.
    #[error("coupon {code} cannot be used: {}", .refusal.message())]
    CouponUnavailable {
        /// The code.
        code: String,
        /// Why.
        refusal: CouponRefusal,
    },
    /// A location's pickup slot is full.
    #[error("{location_name} has no room left in that pickup slot")]
    SlotFull {
        /// The location's name.
        location_name: String,
    },
    /// A stock movement would take on-hand below zero or below what is reserved.
    #[error("the movement would take on-hand below zero or below what is reserved")]
    LedgerRefused,
    /// A transfer that is not in transit cannot be received.
    #[error("the transfer is not in transit")]
    NotInTransit,
    /// The order's idempotency claim is no longer its request's: a retry took it over (its
    /// process looked dead, or the claim had waited too long), so this order is not placed.
    #[error("the idempotency claim was taken over by a retry")]
    ClaimLost,
    /// The order was priced from a catalog snapshot older than the catalog now committed (a
    /// price, promotion, sold-out switch or location changed meanwhile, on any node): nothing
    /// was stored, and the caller prices it again from fresh rows.
    #[error("the catalog changed since the order was priced")]
    CatalogChanged,
    /// A payment job that is not waiting for a person cannot be retried by hand.
    #[error("the payment job does not need attention")]
    NotNeedingAttention,
    /// A till's cash session is closed: it takes no sale, cash movement or second close.
    #[error("the cash session is closed")]
    SessionClosed,
    /// A manager's approval was already used by another sale (its id).
    #[error("approval {0} was already used by another sale")]
    ApprovalTaken(String),
    /// A row holds a value the code does not know (an unknown status, say): never defaulted.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Rows disagree with each other (reserved stock missing for a placed part, say).
    #[error("inconsistent data: {0}")]
    Inconsistent(&'static str),
    /// The database failed.
    #[error("database error")]
    Database(#[source] sqlx::Error),
    /// The database could not store the change (a failed commit, say): a fault, not a conflict.
    #[error("storage failure: {0}")]
    Unavailable(String),
    /// Migrations failed.
    #[error("migration error")]
    Migration(#[source] sqlx::migrate::MigrateError),
    /// The database URL names no backend we run on.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    /// A spend is more than the credit balance, or there is no balance at all (issue 17 point 8).
    #[error("the credit balance ({balance_minor}) does not cover the spend")]
    InsufficientCredit {
        /// The balance as it stands (0 when there is no account).
        balance_minor: i64,
    },
    /// The credit balance expired and can no longer be spent.
    #[error("the credit balance expired")]
    CreditExpired {
        /// When it expired (Unix ms).
        expired_at_ms: i64,
    },
    /// The credit balance is held in another currency.
    #[error("the credit balance is held in {currency}")]
    CreditCurrency {
        /// The account's currency.
        currency: String,
    },
}

/// Why a coupon was refused inside the order's transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CouponRefusal {
    /// Used up in all, or switched off meanwhile.
    UsedUpOrOff,
    /// This customer has used it as often as allowed.
    CustomerLimit,
}

impl CouponRefusal {
    /// The reason in plain words.
    pub fn message(self) -> &'static str {
        match self {
            CouponRefusal::UsedUpOrOff => "it has reached its usage limit or was switched off",
            CouponRefusal::CustomerLimit => "this customer has used it as often as allowed",
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        crate::constraints::classify(error)
    }
}
