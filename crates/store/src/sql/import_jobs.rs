//! [`ImportJobStore`]: CSV import jobs and their progress (issue 15 point 2), and a location's
//! transfers in and out for the console's stock page.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::stock::transfer_from;
use crate::backend::SqlStore;
use crate::rows::{ImportJobRow, TransferRow};
use crate::{ImportJobStore, StoreResult};

const JOB_COLUMNS: &str = "id, kind, merchant_id, created_by, state, total, processed, applied, rejected, \
     rejected_json, error, created_at_ms, updated_at_ms";

fn job_from(row: &AnyRow) -> Result<ImportJobRow, sqlx::Error> {
    Ok(ImportJobRow {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        merchant_id: row.try_get("merchant_id")?,
        created_by: row.try_get("created_by")?,
        state: row.try_get("state")?,
        total: row.try_get("total")?,
        processed: row.try_get("processed")?,
        applied: row.try_get("applied")?,
        rejected: row.try_get("rejected")?,
        rejected_json: row.try_get("rejected_json")?,
        error: row.try_get("error")?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}

#[async_trait]
impl ImportJobStore for SqlStore {
    async fn insert_import_job(&self, job: &ImportJobRow) -> StoreResult<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO import_jobs ({JOB_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        )))
        .bind(&job.id)
        .bind(&job.kind)
        .bind(&job.merchant_id)
        .bind(&job.created_by)
        .bind(&job.state)
        .bind(job.total)
        .bind(job.processed)
        .bind(job.applied)
        .bind(job.rejected)
        .bind(&job.rejected_json)
        .bind(&job.error)
        .bind(job.created_at_ms)
        .bind(job.updated_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn update_import_progress(&self, id: &str, processed: i64, total: i64, now_ms: i64) -> StoreResult<()> {
        // Only a running job moves: a late tick never overwrites the finished figures.
        sqlx::query(
            "UPDATE import_jobs SET processed = $1, total = $2, updated_at_ms = $3 WHERE id = $4 AND state = 'running'",
        )
        .bind(processed)
        .bind(total)
        .bind(now_ms)
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn finish_import_job(&self, job: &ImportJobRow) -> StoreResult<()> {
        sqlx::query(
            "UPDATE import_jobs SET state = $1, total = $2, processed = $3, applied = $4, rejected = $5, \
             rejected_json = $6, error = $7, updated_at_ms = $8 WHERE id = $9",
        )
        .bind(&job.state)
        .bind(job.total)
        .bind(job.processed)
        .bind(job.applied)
        .bind(job.rejected)
        .bind(&job.rejected_json)
        .bind(&job.error)
        .bind(job.updated_at_ms)
        .bind(&job.id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn get_import_job(&self, id: &str) -> StoreResult<Option<ImportJobRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {JOB_COLUMNS} FROM import_jobs WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(job_from).transpose()?)
    }

    async fn list_location_transfers(&self, location_id: &str, limit: i64) -> StoreResult<Vec<TransferRow>> {
        let rows = sqlx::query(
            "SELECT id, merchant_id, sku, from_location_id, to_location_id, quantity, status, created_by, \
             created_at_ms, received_at_ms FROM stock_transfers \
             WHERE from_location_id = $1 OR to_location_id = $1 ORDER BY created_at_ms DESC, id LIMIT $2",
        )
        .bind(location_id)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(transfer_from).collect::<Result<Vec<_>, _>>()?)
    }
}
