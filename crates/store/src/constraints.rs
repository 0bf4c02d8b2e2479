//! Constraint violations, named: which unique key was taken, which reference was missing.
//!
//! One table ([`UNIQUE_KEYS`]) says which unique constraints a person can run into and what
//! field of theirs each one is; `classify` recognises them on both backends (PostgreSQL
//! names the constraint, SQLite lists `table.column`s in its message). A foreign key names
//! nothing on SQLite, so the inserts that take ids from a request ask `missing_reference`
//! which of their references is absent instead, on either backend.

use sqlx::error::ErrorKind;
use sqlx::{AnyPool, Row};

use crate::StoreError;

/// A unique key a request can collide with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueKey {
    /// A user's e-mail.
    UserEmail,
    /// A SKU within its merchant.
    MerchantSku,
    /// A coupon code.
    CouponCode,
    /// A till's receipt series.
    ReceiptSeries,
    /// The one open cash session of a till.
    OpenSession,
    /// The id a till gave a sale.
    PosSaleId,
    /// A receipt number within a till's series.
    ReceiptNumber,
    /// A shop connection's name within its merchant.
    ConnectionName,
}

impl UniqueKey {
    /// The request field that collided.
    pub fn field(self) -> &'static str {
        match self {
            UniqueKey::UserEmail => "email",
            UniqueKey::MerchantSku => "sku",
            UniqueKey::CouponCode => "code",
            UniqueKey::ReceiptSeries => "receipt_series",
            UniqueKey::OpenSession => "device_id",
            UniqueKey::PosSaleId => "id",
            UniqueKey::ReceiptNumber => "receipt_number",
            UniqueKey::ConnectionName => "name",
        }
    }
}

/// The unique constraints of [`UniqueKey`], as (key, table, columns).
pub const UNIQUE_KEYS: [(UniqueKey, &str, &[&str]); 8] = [
    (UniqueKey::UserEmail, "users", &["email"]),
    (UniqueKey::MerchantSku, "variants", &["merchant_id", "sku"]),
    (UniqueKey::CouponCode, "coupons", &["code"]),
    (UniqueKey::ReceiptSeries, "pos_devices", &["receipt_series"]),
    // A partial unique index (`WHERE status = 'open'`), named as PostgreSQL would name a key.
    (UniqueKey::OpenSession, "pos_sessions", &["device_id"]),
    // The primary key, named `pos_sales_id_key` in the migration so both backends name it alike.
    (UniqueKey::PosSaleId, "pos_sales", &["id"]),
    (UniqueKey::ReceiptNumber, "pos_sales", &["device_id", "receipt_n"]),
    (UniqueKey::ConnectionName, "shop_connections", &["merchant_id", "name"]),
];

/// A row another refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// A site.
    Site,
    /// A merchant.
    Merchant,
    /// A location.
    Location,
    /// A product.
    Product,
    /// A promotion.
    Promotion,
    /// An order.
    Order,
}

impl Reference {
    /// The request field that names it.
    pub fn field(self) -> &'static str {
        match self {
            Reference::Site => "site_id",
            Reference::Merchant => "merchant_id",
            Reference::Location => "location_id",
            Reference::Product => "product_id",
            Reference::Promotion => "promotion_id",
            Reference::Order => "order_id",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Reference::Site => "sites",
            Reference::Merchant => "merchants",
            Reference::Location => "locations",
            Reference::Product => "products",
            Reference::Promotion => "promotions",
            Reference::Order => "orders",
        }
    }
}

/// The store error of a database error: a known unique key, a decoding failure of a column
/// (an unknown word in a row), or a fault.
pub(crate) fn classify(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(database) if database.kind() == ErrorKind::UniqueViolation => {
            match unique_key(database.constraint(), database.message()) {
                Some(key) => StoreError::Duplicate(key),
                None => StoreError::Database(error),
            }
        }
        sqlx::Error::ColumnDecode { index, source } => StoreError::Corrupt(format!("{index}: {source}")),
        _ => StoreError::Database(error),
    }
}

/// Which [`UniqueKey`] a violation is: by PostgreSQL's default constraint name
/// (`<table>_<columns>_key`) or SQLite's message (`UNIQUE constraint failed: t.a, t.b`).
fn unique_key(constraint: Option<&str>, message: &str) -> Option<UniqueKey> {
    UNIQUE_KEYS.iter().find_map(|(key, table, columns)| {
        let postgres_name = format!("{table}_{}_key", columns.join("_"));
        let sqlite_list: Vec<String> = columns.iter().map(|column| format!("{table}.{column}")).collect();
        let sqlite_message = format!("UNIQUE constraint failed: {}", sqlite_list.join(", "));
        (constraint == Some(postgres_name.as_str()) || message.contains(&sqlite_message)).then_some(*key)
    })
}

/// True when the error is a foreign-key violation.
pub(crate) fn is_foreign_key_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(database) if database.kind() == ErrorKind::ForeignKeyViolation)
}

/// The error for a write refused by a foreign key: the first of `candidates` (reference and
/// the id the write named) that does not exist, looked up outside the failed transaction.
pub(crate) async fn missing_reference(
    pool: &AnyPool,
    error: sqlx::Error,
    candidates: &[(Reference, &str)],
) -> StoreError {
    if !is_foreign_key_violation(&error) {
        return StoreError::from(error);
    }
    for (reference, id) in candidates {
        let sql = format!("SELECT COUNT(*) AS n FROM {} WHERE id = $1", reference.table());
        match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(*id).fetch_one(pool).await {
            Ok(row) if row.try_get::<i64, _>("n").unwrap_or(1) == 0 => return StoreError::MissingReference(*reference),
            Ok(_) => {}
            Err(lookup) => return StoreError::from(lookup),
        }
    }
    StoreError::Database(error)
}

/// Maps a write's error through [`missing_reference`] when it is a foreign-key violation.
pub(crate) async fn or_missing<T>(
    pool: &AnyPool,
    result: Result<T, sqlx::Error>,
    candidates: &[(Reference, &str)],
) -> Result<T, StoreError> {
    match result {
        Ok(value) => Ok(value),
        Err(error) => Err(missing_reference(pool, error, candidates).await),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_keys_are_recognised_on_both_backends() {
        assert_eq!(unique_key(Some("users_email_key"), ""), Some(UniqueKey::UserEmail));
        assert_eq!(unique_key(Some("variants_merchant_id_sku_key"), ""), Some(UniqueKey::MerchantSku));
        assert_eq!(
            unique_key(None, "UNIQUE constraint failed: variants.merchant_id, variants.sku"),
            Some(UniqueKey::MerchantSku)
        );
        assert_eq!(unique_key(None, "UNIQUE constraint failed: coupons.code"), Some(UniqueKey::CouponCode));
        assert_eq!(unique_key(Some("outbox_event_id_key"), "duplicate key"), None);
    }
}
