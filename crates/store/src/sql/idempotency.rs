//! Remembered requests for `Idempotency-Key`.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::backend::SqlStore;
use crate::rows::IdempotencyRow;
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
    })
}

#[async_trait]
impl IdempotencyStore for SqlStore {
    async fn claim_idempotency_key(&self, claim: &IdempotencyRow) -> StoreResult<Option<IdempotencyRow>> {
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (scope, key, request_hash, status, body, resource_id, created_at_ms) \
             VALUES ($1, $2, $3, 0, NULL, NULL, $4) ON CONFLICT (scope, key) DO NOTHING",
        )
        .bind(&claim.scope)
        .bind(&claim.key)
        .bind(&claim.request_hash)
        .bind(claim.created_at_ms)
        .execute(&self.write)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(None);
        }
        let existing = sqlx::query(
            "SELECT scope, key, request_hash, status, body, resource_id, created_at_ms \
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

    async fn complete_idempotency_key(&self, scope: &str, key: &str, status: i64, body: &str) -> StoreResult<()> {
        sqlx::query("UPDATE idempotency_keys SET status = $1, body = $2 WHERE scope = $3 AND key = $4")
            .bind(status)
            .bind(body)
            .bind(scope)
            .bind(key)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn release_idempotency_key(&self, scope: &str, key: &str) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status = 0 AND resource_id IS NULL",
        )
        .bind(scope)
        .bind(key)
        .execute(&self.write)
        .await?;
        Ok(())
    }
}
