//! [`CreditStore`] in SQL (issue 17 point 8): grants, spends and gift cards each in their own
//! transaction around the one ledger step (`tx::credit`), and the reads of balances and ledgers.

use async_trait::async_trait;
use sqlx::Row;

use super::tx::credit::{ACCOUNT_COLUMNS, ENTRY_COLUMNS, account_from, apply_credit_entry, create_account, entry_from};
use crate::backend::SqlStore;
use crate::rows::{CreditAccountRow, CreditEntryRow, CreditHolderKey, NewCreditEntry, NewGiftCard, Page};
use crate::{CreditStore, StoreError, StoreResult};

impl SqlStore {
    /// One ledger change in its own transaction.
    async fn apply_credit_alone(&self, entry: &NewCreditEntry) -> StoreResult<CreditEntryRow> {
        let mut tx = self.write.begin().await?;
        let row = apply_credit_entry(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(row)
    }

    async fn account_by_id(&self, id: &str) -> StoreResult<Option<CreditAccountRow>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ACCOUNT_COLUMNS} FROM credit_accounts WHERE id = $1")))
                .bind(id)
                .fetch_optional(&self.read)
                .await?;
        Ok(row.as_ref().map(account_from).transpose()?)
    }
}

#[async_trait]
impl CreditStore for SqlStore {
    async fn grant_credit(&self, entry: &NewCreditEntry) -> StoreResult<CreditEntryRow> {
        if entry.amount_minor <= 0 {
            return Err(StoreError::Inconsistent("a credit grant must be positive"));
        }
        self.apply_credit_alone(entry).await
    }

    async fn spend_credit(&self, entry: &NewCreditEntry) -> StoreResult<CreditEntryRow> {
        if entry.amount_minor >= 0 {
            return Err(StoreError::Inconsistent("a credit spend must be negative"));
        }
        self.apply_credit_alone(entry).await
    }

    async fn issue_gift_card(&self, card: &NewGiftCard) -> StoreResult<Option<(CreditAccountRow, CreditEntryRow)>> {
        if card.first_credit.amount_minor <= 0 || card.first_credit.holder.kind != CreditHolderKey::GIFT_CARD {
            return Err(StoreError::Inconsistent("a gift card starts with a positive credit to a gift_card holder"));
        }
        let mut tx = self.write.begin().await?;
        if !create_account(&mut tx, &card.id, &card.first_credit, Some(&card.label)).await? {
            // The code's hash is taken (a 1-in-10²⁴ draw): nothing written, the caller draws again.
            tx.rollback().await?;
            return Ok(None);
        }
        let entry = apply_credit_entry(&mut tx, &card.first_credit).await?;
        tx.commit().await?;
        let account =
            self.account_by_id(&card.id).await?.ok_or(StoreError::Inconsistent("a new gift card vanished"))?;
        Ok(Some((account, entry)))
    }

    async fn get_credit_account(
        &self,
        merchant_id: &str,
        holder: &CreditHolderKey,
    ) -> StoreResult<Option<CreditAccountRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM credit_accounts \
             WHERE merchant_id = $1 AND holder_kind = $2 AND holder_key = $3"
        )))
        .bind(merchant_id)
        .bind(&holder.kind)
        .bind(&holder.key)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(account_from).transpose()?)
    }

    async fn get_credit_account_by_id(&self, id: &str) -> StoreResult<Option<CreditAccountRow>> {
        self.account_by_id(id).await
    }

    async fn list_credit_entries(&self, account_id: &str, page: Page) -> StoreResult<(Vec<CreditEntryRow>, i64)> {
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM credit_entries WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM credit_entries WHERE account_id = $1 \
             ORDER BY at_ms DESC, id DESC LIMIT $2 OFFSET $3"
        )))
        .bind(account_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        let entries = rows.iter().map(entry_from).collect::<Result<Vec<_>, _>>()?;
        Ok((entries, total))
    }

    async fn list_credit_accounts(
        &self,
        merchant_id: &str,
        holder_kind: &str,
        page: Page,
    ) -> StoreResult<(Vec<CreditAccountRow>, i64)> {
        let total: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM credit_accounts WHERE merchant_id = $1 AND holder_kind = $2")
                .bind(merchant_id)
                .bind(holder_kind)
                .fetch_one(&self.read)
                .await?
                .try_get("n")?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM credit_accounts WHERE merchant_id = $1 AND holder_kind = $2 \
             ORDER BY created_at_ms DESC, id DESC LIMIT $3 OFFSET $4"
        )))
        .bind(merchant_id)
        .bind(holder_kind)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        let accounts = rows.iter().map(account_from).collect::<Result<Vec<_>, _>>()?;
        Ok((accounts, total))
    }

    async fn credit_expiry_days(&self, merchant_id: &str) -> StoreResult<Option<i64>> {
        let row = sqlx::query("SELECT credit_expiry_days FROM merchants WHERE id = $1")
            .bind(merchant_id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("credit_expiry_days")?)
    }

    async fn set_credit_expiry_days(&self, merchant_id: &str, days: Option<i64>) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE merchants SET credit_expiry_days = $1 WHERE id = $2")
            .bind(days)
            .bind(merchant_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
