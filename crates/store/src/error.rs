//! The store's error type: constraint violations become meaning here, not in handlers.

use omnicanal_domain::DomainError;

/// Everything a store call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule or a concurrent change got in the way.
    #[error("conflict: {0}")]
    Conflict(String),
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
    /// A coupon cannot be used (used up in all or by this customer, or switched off).
    #[error("coupon {code} cannot be used: {reason}")]
    CouponUnavailable {
        /// The code.
        code: String,
        /// Why, in plain words.
        reason: String,
    },
    /// A domain rule refused the change.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The database failed.
    #[error("database error")]
    Database(#[source] sqlx::Error),
    /// The database could not store the change (a failed commit, say): a fault, not a conflict.
    #[error("storage failure: {0}")]
    Unavailable(String),
    /// Migrations failed.
    #[error("migration error")]
    Migration(#[source] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(database_error) = &error
            && database_error.is_unique_violation()
        {
            return StoreError::Conflict(database_error.message().to_owned());
        }
        StoreError::Database(error)
    }
}
