//! The store-credit ledger's one write (issue 17 point 8): apply a credit (+) or a spend (−) to
//! a customer's or a gift card's balance, inside the caller's transaction — a grant's own, a
//! till sale's, a return's.
//!
//! The balance never goes below zero, whatever runs at once on any node: the account row is
//! locked first (a no-op `UPDATE`, which PostgreSQL holds until commit and SQLite's single
//! writer serialises anyway), and the change itself is a conditional `UPDATE … WHERE
//! balance_minor + amount >= 0`, with the table's CHECK as the last line of defence. Each change
//! is keyed by its `(source_kind, source_id)`: a retry finds the entry already written and gets
//! it back instead of applying it twice.

use omnicanal_domain::credit::expires_at_after_credit;
use rand::RngCore;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::Tx;
use crate::error::StoreError;
use crate::rows::{CreditAccountRow, CreditEntryRow, CreditHolderKey, NewCreditEntry};

/// Columns of an account, in [`account_from`]'s order.
pub(crate) const ACCOUNT_COLUMNS: &str =
    "id, merchant_id, holder_kind, holder_key, label, currency, balance_minor, expires_at_ms, created_at_ms";
/// Columns of an entry, in [`entry_from`]'s order.
pub(crate) const ENTRY_COLUMNS: &str =
    "id, account_id, amount_minor, balance_after_minor, reason, source_kind, source_id, at_ms, by_user";

/// The source kind of the entry that takes an expired balance to zero before a new credit.
pub const EXPIRY_SOURCE: &str = "expiry";

/// A new opaque id (`cra_…`, `cre_…`): 128 random bits, as the use cases make theirs.
pub(crate) fn new_credit_id(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}_{}", hex::encode(bytes))
}

/// Reads an account row.
pub(crate) fn account_from(row: &AnyRow) -> Result<CreditAccountRow, sqlx::Error> {
    Ok(CreditAccountRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        holder: CreditHolderKey { kind: row.try_get("holder_kind")?, key: row.try_get("holder_key")? },
        label: row.try_get("label")?,
        currency: row.try_get("currency")?,
        balance_minor: row.try_get("balance_minor")?,
        expires_at_ms: row.try_get("expires_at_ms")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

/// Reads an entry row.
pub(crate) fn entry_from(row: &AnyRow) -> Result<CreditEntryRow, sqlx::Error> {
    Ok(CreditEntryRow {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        amount_minor: row.try_get("amount_minor")?,
        balance_after_minor: row.try_get("balance_after_minor")?,
        reason: row.try_get("reason")?,
        source_kind: row.try_get("source_kind")?,
        source_id: row.try_get("source_id")?,
        at_ms: row.try_get("at_ms")?,
        by_user: row.try_get("by_user")?,
    })
}

/// Creates the holder's account unless it exists; true when this call created it.
pub(crate) async fn create_account(
    tx: &mut Tx,
    id: &str,
    entry: &NewCreditEntry,
    label: Option<&str>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO credit_accounts (id, merchant_id, holder_kind, holder_key, label, currency, balance_minor, \
         expires_at_ms, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, $7) \
         ON CONFLICT (merchant_id, holder_kind, holder_key) DO NOTHING",
    )
    .bind(id)
    .bind(&entry.merchant_id)
    .bind(&entry.holder.kind)
    .bind(&entry.holder.key)
    .bind(label)
    .bind(&entry.currency)
    .bind(entry.at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The holder's account, locked until commit on PostgreSQL (a no-op update), so the checks
/// below see the balance no other transaction can change before this one ends.
async fn lock_account(
    tx: &mut Tx,
    merchant_id: &str,
    holder: &CreditHolderKey,
) -> Result<Option<CreditAccountRow>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE credit_accounts SET balance_minor = balance_minor \
         WHERE merchant_id = $1 AND holder_kind = $2 AND holder_key = $3 RETURNING {ACCOUNT_COLUMNS}"
    )))
    .bind(merchant_id)
    .bind(&holder.kind)
    .bind(&holder.key)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.as_ref().map(account_from).transpose()?)
}

/// The entry a source already wrote to this account, if any.
async fn existing_entry(
    tx: &mut Tx,
    account_id: &str,
    source_kind: &str,
    source_id: &str,
) -> Result<Option<CreditEntryRow>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ENTRY_COLUMNS} FROM credit_entries WHERE account_id = $1 AND source_kind = $2 AND source_id = $3"
    )))
    .bind(account_id)
    .bind(source_kind)
    .bind(source_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.as_ref().map(entry_from).transpose()?)
}

/// The merchant's policy: days credit lasts after a credit (`None`: for ever).
async fn expiry_days(tx: &mut Tx, merchant_id: &str) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT credit_expiry_days FROM merchants WHERE id = $1")
        .bind(merchant_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match row {
        Some(row) => row.try_get("credit_expiry_days")?,
        None => None,
    })
}

/// Moves the balance by `amount` unless that takes it below zero; the new balance, or `None`
/// when refused. The `WHERE` holds the invariant even without the lock above.
async fn change_balance(
    tx: &mut Tx,
    account_id: &str,
    amount: i64,
    expires_at_ms: Option<i64>,
) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "UPDATE credit_accounts SET balance_minor = balance_minor + $1, expires_at_ms = $2 \
         WHERE id = $3 AND balance_minor + $1 >= 0 RETURNING balance_minor",
    )
    .bind(amount)
    .bind(expires_at_ms)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|row| row.try_get("balance_minor")).transpose()?)
}

/// Writes one entry row.
async fn insert_entry(tx: &mut Tx, entry: &CreditEntryRow) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO credit_entries ({ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )))
    .bind(&entry.id)
    .bind(&entry.account_id)
    .bind(entry.amount_minor)
    .bind(entry.balance_after_minor)
    .bind(&entry.reason)
    .bind(&entry.source_kind)
    .bind(&entry.source_id)
    .bind(entry.at_ms)
    .bind(&entry.by_user)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Applies one credit (+) or spend (−) in the caller's transaction and returns its entry.
///
/// - The first credit creates the holder's account; a spend never does.
/// - A change already applied for the same `(source_kind, source_id)` is returned as it was.
/// - A spend beyond the balance, or with no account, is `InsufficientCredit`; a spend of an
///   expired balance is `CreditExpired`; another currency than the account's is `CreditCurrency`.
/// - A credit sets the expiry the merchant's policy gives from `at_ms` (rolling); a credit to
///   an expired balance first writes an `expiry` entry taking the old balance to zero, so the
///   ledger always adds up to the balance.
pub(crate) async fn apply_credit_entry(tx: &mut Tx, entry: &NewCreditEntry) -> Result<CreditEntryRow, StoreError> {
    if entry.amount_minor > 0 {
        create_account(tx, &new_credit_id("cra"), entry, None).await?;
    }
    let Some(account) = lock_account(tx, &entry.merchant_id, &entry.holder).await? else {
        return Err(StoreError::InsufficientCredit { balance_minor: 0 });
    };
    if let Some(done) = existing_entry(tx, &account.id, &entry.source_kind, &entry.source_id).await? {
        return Ok(done);
    }
    if account.currency != entry.currency {
        return Err(StoreError::CreditCurrency { currency: account.currency });
    }
    let mut balance = account.balance_minor;
    let expired_at = account.expires_at_ms.filter(|at| *at <= entry.at_ms);
    let expires_at_ms = if entry.amount_minor > 0 {
        if let Some(expired_at) = expired_at
            && balance > 0
        {
            lapse(tx, &account, expired_at).await?;
            balance = 0;
        }
        expires_at_after_credit(entry.at_ms, expiry_days(tx, &entry.merchant_id).await?)
    } else {
        if let Some(expired_at_ms) = expired_at {
            return Err(StoreError::CreditExpired { expired_at_ms });
        }
        account.expires_at_ms
    };
    let Some(balance_after) = change_balance(tx, &account.id, entry.amount_minor, expires_at_ms).await? else {
        return Err(StoreError::InsufficientCredit { balance_minor: balance });
    };
    let row = CreditEntryRow {
        id: new_credit_id("cre"),
        account_id: account.id,
        amount_minor: entry.amount_minor,
        balance_after_minor: balance_after,
        reason: entry.reason.clone(),
        source_kind: entry.source_kind.clone(),
        source_id: entry.source_id.clone(),
        at_ms: entry.at_ms,
        by_user: entry.by_user.clone(),
    };
    insert_entry(tx, &row).await?;
    Ok(row)
}

/// Takes an expired balance to zero with an `expiry` entry dated when it expired.
async fn lapse(tx: &mut Tx, account: &CreditAccountRow, expired_at: i64) -> Result<(), StoreError> {
    let taken = change_balance(tx, &account.id, -account.balance_minor, account.expires_at_ms)
        .await?
        .ok_or(StoreError::Inconsistent("a locked credit balance changed"))?;
    let row = CreditEntryRow {
        id: new_credit_id("cre"),
        account_id: account.id.clone(),
        amount_minor: -account.balance_minor,
        balance_after_minor: taken,
        reason: "expired".to_owned(),
        source_kind: EXPIRY_SOURCE.to_owned(),
        source_id: expired_at.to_string(),
        at_ms: expired_at,
        by_user: None,
    };
    insert_entry(tx, &row).await
}

/// Applies the entry `entry_for` makes for the holder of the account `account_id` names (the
/// use case resolved a code or a customer to it), which must be `merchant_id`'s: a till sale's
/// or an aisle order's spend, an aisle cancellation's credit back. No such account is
/// `InsufficientCredit`.
pub(crate) async fn apply_to_account(
    tx: &mut Tx,
    merchant_id: &str,
    account_id: &str,
    entry_for: impl FnOnce(CreditHolderKey) -> NewCreditEntry,
) -> Result<CreditEntryRow, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ACCOUNT_COLUMNS} FROM credit_accounts WHERE id = $1 AND merchant_id = $2"
    )))
    .bind(account_id)
    .bind(merchant_id)
    .fetch_optional(&mut **tx)
    .await?;
    let account =
        row.as_ref().map(account_from).transpose()?.ok_or(StoreError::InsufficientCredit { balance_minor: 0 })?;
    apply_credit_entry(tx, &entry_for(account.holder)).await
}

/// Spends a till sale's gift card and store credit tenders inside the sale's transaction: each
/// such payment names its account by id (the use case resolved the code or the customer), and
/// each spend is keyed by the sale and the tender's position, so the sale is never recorded
/// without its spends nor a spend without its sale. A balance that does not cover the tender
/// (or expired meanwhile) refuses the whole sale.
pub(crate) async fn spend_sale_tenders(tx: &mut Tx, new: &crate::rows::NewPosSale) -> Result<(), StoreError> {
    let sale = &new.sale;
    for (position, payment) in new.payments.iter().enumerate() {
        if !payment.method.spends_credit() {
            continue;
        }
        let account_id =
            payment.reference.as_deref().ok_or(StoreError::Inconsistent("a credit tender names no account"))?;
        let entry = |holder| NewCreditEntry {
            merchant_id: sale.merchant_id.clone(),
            holder,
            currency: sale.currency.code().to_owned(),
            amount_minor: -payment.amount_minor,
            reason: format!("till sale {}", sale.receipt_number),
            source_kind: "pos_sale".to_owned(),
            source_id: format!("{}/{position}", sale.id),
            at_ms: sale.recorded_at_ms,
            by_user: sale.created_by.clone(),
        };
        apply_to_account(tx, &sale.merchant_id, account_id, entry).await?;
    }
    Ok(())
}

/// The account `account_id` of `merchant_id`, or `InsufficientCredit` (nothing to spend) when
/// it is not that merchant's.
async fn merchant_account(tx: &mut Tx, account_id: &str, merchant_id: &str) -> Result<CreditAccountRow, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ACCOUNT_COLUMNS} FROM credit_accounts WHERE id = $1 AND merchant_id = $2"
    )))
    .bind(account_id)
    .bind(merchant_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(account_from).transpose()?.ok_or(StoreError::InsufficientCredit { balance_minor: 0 })
}

/// Spends a new order's gift cards and store credit inside the order's transaction, keyed by
/// the order and position. Called before its stock is reserved — a till sale also takes the
/// balance before the shelf — so an order and a sale racing for the same card and SKU lock
/// their rows in the same order on PostgreSQL and cannot deadlock. A balance that no longer
/// covers its share (another order or till sale spent it meanwhile) or has expired refuses
/// the whole order.
pub(crate) async fn spend_order_credit(tx: &mut Tx, new_order: &crate::rows::NewOrder) -> Result<(), StoreError> {
    let order = &new_order.order;
    for (position, spend) in new_order.credit_spends.iter().enumerate() {
        let part = new_order
            .fulfillments
            .iter()
            .find(|part| part.id == spend.fulfillment_id)
            .ok_or(StoreError::Inconsistent("a credit spend names no part of its order"))?;
        let account = merchant_account(tx, &spend.account_id, &part.merchant_id).await?;
        let entry = NewCreditEntry {
            merchant_id: part.merchant_id.clone(),
            holder: account.holder,
            currency: order.currency.code().to_owned(),
            amount_minor: -spend.amount_minor,
            reason: format!("order {}", order.id),
            source_kind: "order".to_owned(),
            source_id: format!("{}/{position}", order.id),
            at_ms: order.created_at_ms,
            by_user: None,
        };
        apply_credit_entry(tx, &entry).await?;
    }
    Ok(())
}

/// Records what each part of a new order took from a balance (after its rows are written), so
/// a voided part gives it back.
pub(crate) async fn record_order_credit(tx: &mut Tx, new_order: &crate::rows::NewOrder) -> Result<(), StoreError> {
    for (position, spend) in new_order.credit_spends.iter().enumerate() {
        sqlx::query(
            "INSERT INTO order_credit_spends (order_id, position, fulfillment_id, account_id, method, amount_minor, \
             returned_minor) VALUES ($1, $2, $3, $4, $5, $6, 0)",
        )
        .bind(&new_order.order.id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(&spend.fulfillment_id)
        .bind(&spend.account_id)
        .bind(spend.method.as_str())
        .bind(spend.amount_minor)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// What a part still holds of the credit spent on it (spent minus given back), in minor units.
pub(crate) async fn part_credit_kept(tx: &mut Tx, fulfillment_id: &str) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(amount_minor - returned_minor), 0) AS BIGINT) AS kept \
         FROM order_credit_spends WHERE fulfillment_id = $1",
    )
    .bind(fulfillment_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("kept")?)
}

/// Gives a voided part's credit back to the balances it came from, in the transition's
/// transaction: one `+` entry per spend keyed by the order and position (so a retried or
/// repeated void credits once), and the spend marked returned. Answers how much went back.
pub(crate) async fn give_back_part_credit(
    tx: &mut Tx,
    part: &crate::rows::FulfillmentRecord,
    now_ms: i64,
) -> Result<i64, StoreError> {
    let rows = sqlx::query(
        "SELECT order_id, position, account_id, amount_minor - returned_minor AS owed FROM order_credit_spends \
         WHERE fulfillment_id = $1 AND returned_minor < amount_minor ORDER BY position",
    )
    .bind(&part.id)
    .fetch_all(&mut **tx)
    .await?;
    let mut returned = 0;
    for row in rows {
        let order_id: String = row.try_get("order_id")?;
        let position: i64 = row.try_get("position")?;
        let account_id: String = row.try_get("account_id")?;
        let owed: i64 = row.try_get("owed")?;
        let account = merchant_account(tx, &account_id, &part.merchant_id).await?;
        let entry = NewCreditEntry {
            merchant_id: part.merchant_id.clone(),
            holder: account.holder,
            currency: account.currency.clone(),
            amount_minor: owed,
            reason: format!("order part {} {}", part.id, part.status),
            source_kind: "order_refund".to_owned(),
            source_id: format!("{order_id}/{position}"),
            at_ms: now_ms,
            by_user: None,
        };
        apply_credit_entry(tx, &entry).await?;
        sqlx::query(
            "UPDATE order_credit_spends SET returned_minor = amount_minor WHERE order_id = $1 AND position = $2",
        )
        .bind(&order_id)
        .bind(position)
        .execute(&mut **tx)
        .await?;
        returned += owed;
    }
    Ok(returned)
}

/// Spends a till collection's gift card and store credit tenders inside the collection's
/// transaction, as [`spend_sale_tenders`] does for a sale: each tender names its account by id
/// and is keyed by the part and its position.
pub(crate) async fn spend_pickup_tenders(
    tx: &mut Tx,
    new: &crate::rows::NewPickupCollection,
) -> Result<(), StoreError> {
    let collection = &new.collection;
    for (position, payment) in new.payments.iter().enumerate() {
        if !payment.method.spends_credit() {
            continue;
        }
        let account_id =
            payment.reference.as_deref().ok_or(StoreError::Inconsistent("a credit tender names no account"))?;
        let account = merchant_account(tx, account_id, &collection.merchant_id).await?;
        let entry = NewCreditEntry {
            merchant_id: collection.merchant_id.clone(),
            holder: account.holder,
            currency: collection.currency.code().to_owned(),
            amount_minor: -payment.amount_minor,
            reason: format!("order {} collected at the till", collection.order_id),
            source_kind: "pickup".to_owned(),
            source_id: format!("{}/{position}", collection.fulfillment_id),
            at_ms: collection.created_at_ms,
            by_user: collection.created_by.clone(),
        };
        apply_credit_entry(tx, &entry).await?;
    }
    Ok(())
}
