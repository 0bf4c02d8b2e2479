//! Remembered requests for `Idempotency-Key`: claimed by one boot (see `boot`), taken over
//! only while unanswered and unlinked, and written afterwards only under the claim's token.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::backend::SqlStore;
use crate::rows::{HeldClaim, IdempotencyRow};
use crate::{IdempotencyStore, StoreResult};

fn idempotency_from(row: &AnyRow) -> Result<IdempotencyRow, sqlx::Error> {
    Ok(IdempotencyRow {
        scope: row.try_get("scope")?,
        key: row.try_get("key")?,
        request_hash: row.try_get("request_hash")?,
        status: row.try_get("status")?,
        body: row.try_get("body")?,
        resource_id: row.try_get("resource_id")?,
        created_at_ms: row.try_get("created_at_ms")?,
        boot_id: row.try_get("boot_id")?,
        claim_token: row.try_get("claim_token")?,
    })
}

#[async_trait]
impl IdempotencyStore for SqlStore {
    async fn current_boot(&self) -> StoreResult<i64> {
        self.boot_id().await
    }

    async fn boot_is_running(&self, boot_id: i64) -> StoreResult<bool> {
        self.boot_running(boot_id).await
    }

    async fn claim_idempotency_key(&self, claim: &IdempotencyRow) -> StoreResult<Option<IdempotencyRow>> {
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys \
             (scope, key, request_hash, status, body, resource_id, created_at_ms, boot_id, claim_token) \
             VALUES ($1, $2, $3, 0, NULL, NULL, $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING",
        )
        .bind(&claim.scope)
        .bind(&claim.key)
        .bind(&claim.request_hash)
        .bind(claim.created_at_ms)
        .bind(claim.boot_id)
        .bind(&claim.claim_token)
        .execute(&self.write)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(None);
        }
        let existing = sqlx::query(
            "SELECT scope, key, request_hash, status, body, resource_id, created_at_ms, boot_id, claim_token \
             FROM idempotency_keys WHERE scope = $1 AND key = $2",
        )
        .bind(&claim.scope)
        .bind(&claim.key)
        .fetch_optional(&self.write)
        .await?;
        match existing {
            Some(row) => Ok(Some(idempotency_from(&row)?)),
            // The conflicting claim was released between our insert and this read: claim again.
            None => Box::pin(self.claim_idempotency_key(claim)).await,
        }
    }

    async fn take_over_idempotency_key(&self, abandoned: &IdempotencyRow, claim: &IdempotencyRow) -> StoreResult<bool> {
        let taken = sqlx::query(
            "UPDATE idempotency_keys SET boot_id = $1, claim_token = $2, created_at_ms = $3 \
             WHERE scope = $4 AND key = $5 AND claim_token = $6 AND status = 0 AND resource_id IS NULL",
        )
        .bind(claim.boot_id)
        .bind(&claim.claim_token)
        .bind(claim.created_at_ms)
        .bind(&abandoned.scope)
        .bind(&abandoned.key)
        .bind(&abandoned.claim_token)
        .execute(&self.write)
        .await?;
        Ok(taken.rows_affected() == 1)
    }

    async fn complete_idempotency_key(&self, claim: &HeldClaim, status: i64, body: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE idempotency_keys SET status = $1, body = $2 WHERE scope = $3 AND key = $4 AND claim_token = $5",
        )
        .bind(status)
        .bind(body)
        .bind(&claim.scope)
        .bind(&claim.key)
        .bind(&claim.claim_token)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn release_idempotency_key(&self, claim: &HeldClaim) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND claim_token = $3 \
             AND status = 0 AND resource_id IS NULL",
        )
        .bind(&claim.scope)
        .bind(&claim.key)
        .bind(&claim.claim_token)
        .execute(&self.write)
        .await?;
        Ok(())
    }
}
