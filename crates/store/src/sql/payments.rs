//! [`PaymentStore`]: claiming due payment jobs, recording what each attempt came to, and the
//! lists a person reads when one needs attention.
//!
//! A claim is one `UPDATE … WHERE id IN (due jobs) AND state = 'pending' AND next_attempt_at_ms
//! <= now`: it moves each job's next attempt a lease ahead and counts the attempt. On PostgreSQL
//! a second node's same statement waits for the first's row locks and then re-checks that
//! condition against the new rows, which no longer pass; on SQLite writers are serialised. So
//! every attempt is made by exactly one node, and a node that dies mid-attempt leaves its jobs
//! to be taken again once the lease lapses (the provider's idempotency key makes that safe).
//! A job with an `after_job_id` (a booking's refund queued while its deposit's capture was in
//! flight) is not due until that job has succeeded.

use async_trait::async_trait;
use omnicanal_domain::payment_job::{PaymentJobKind, PaymentJobState, PaymentPayee};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::booking_deposits::settle_deposits_of_jobs;
use super::columns::get_parsed;
use super::order_rows::currency;
use super::outbox::insert_events;
use super::tx::payment_jobs::{PAYMENT_JOB_COLUMNS, enqueue};
use crate::backend::SqlStore;
use crate::rows::{PaymentAttempt, PaymentJobFilter, PaymentJobRow};
use crate::{PaymentStore, StoreError, StoreResult};

fn job_from(row: &AnyRow) -> Result<PaymentJobRow, sqlx::Error> {
    Ok(PaymentJobRow {
        id: row.try_get("id")?,
        kind: get_parsed(row, "kind", PaymentJobKind::parse)?,
        payee: get_parsed(row, "payee", PaymentPayee::parse)?,
        state: get_parsed(row, "state", PaymentJobState::parse)?,
        order_id: row.try_get("order_id")?,
        fulfillment_id: row.try_get("fulfillment_id")?,
        merchant_id: row.try_get("merchant_id")?,
        payment_reference: row.try_get("payment_reference")?,
        amount_minor: row.try_get("amount_minor")?,
        currency: get_parsed(row, "currency", currency)?,
        attempts: row.try_get("attempts")?,
        next_attempt_at_ms: row.try_get("next_attempt_at_ms")?,
        last_error: row.try_get("last_error")?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}

/// A merchant's jobs: its parts' refunds, and the captures and voids of orders it has a part in.
const MERCHANT_JOBS: &str = "($1 IS NULL OR j.merchant_id = $1 OR (j.merchant_id IS NULL AND EXISTS \
    (SELECT 1 FROM fulfillments f WHERE f.order_id = j.order_id AND f.merchant_id = $1)))";

#[async_trait]
impl PaymentStore for SqlStore {
    async fn insert_payment_job(&self, job: &PaymentJobRow) -> StoreResult<()> {
        Ok(enqueue(&self.write, job).await?)
    }

    async fn claim_payment_jobs(&self, now_ms: i64, lease_ms: i64, limit: i64) -> StoreResult<Vec<PaymentJobRow>> {
        let sql = format!(
            "UPDATE payment_jobs SET attempts = attempts + 1, next_attempt_at_ms = $1, updated_at_ms = $2 \
             WHERE id IN (SELECT j.id FROM payment_jobs j WHERE j.state = 'pending' AND j.next_attempt_at_ms <= $2 \
             AND (j.after_job_id IS NULL OR EXISTS (SELECT 1 FROM payment_jobs a WHERE a.id = j.after_job_id \
             AND a.state = 'succeeded')) ORDER BY j.next_attempt_at_ms, j.id LIMIT $3) \
             AND state = 'pending' AND next_attempt_at_ms <= $2 RETURNING {PAYMENT_JOB_COLUMNS}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now_ms.saturating_add(lease_ms))
            .bind(now_ms)
            .bind(limit)
            .fetch_all(&self.write)
            .await?;
        let mut jobs: Vec<PaymentJobRow> = rows.iter().map(job_from).collect::<Result<_, _>>()?;
        jobs.sort_by(|a, b| (a.created_at_ms, &a.id).cmp(&(b.created_at_ms, &b.id)));
        Ok(jobs)
    }

    async fn record_payment_attempts(&self, attempts: &[PaymentAttempt]) -> StoreResult<()> {
        if attempts.is_empty() {
            return Ok(());
        }
        // Outcomes alike (a batch of captures that succeeded at one instant) are recorded by one
        // statement; each job's row changes only if its claim is still the latest
        // (`attempts` unchanged), and only those that changed announce their event.
        let mut groups: Vec<Vec<&PaymentAttempt>> = Vec::new();
        for attempt in attempts {
            let alike = |group: &&mut Vec<&PaymentAttempt>| {
                let first = group[0];
                (first.state, first.next_attempt_at_ms, &first.error, first.now_ms)
                    == (attempt.state, attempt.next_attempt_at_ms, &attempt.error, attempt.now_ms)
            };
            match groups.iter_mut().find(alike) {
                Some(group) => group.push(attempt),
                None => groups.push(vec![attempt]),
            }
        }
        let mut transaction = self.write.begin().await?;
        let mut events = Vec::new();
        for group in groups {
            let claims: Vec<String> =
                (0..group.len()).map(|i| format!("(id = ${} AND attempts = ${})", 2 * i + 5, 2 * i + 6)).collect();
            let sql = format!(
                "UPDATE payment_jobs SET state = $1, next_attempt_at_ms = $2, last_error = $3, updated_at_ms = $4 \
                 WHERE state = 'pending' AND ({}) RETURNING id",
                claims.join(" OR ")
            );
            let first = group[0];
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(first.state.as_str())
                .bind(first.next_attempt_at_ms)
                .bind(first.error.clone())
                .bind(first.now_ms);
            for attempt in &group {
                query = query.bind(attempt.job_id.clone()).bind(attempt.attempts);
            }
            let updated: Vec<String> = query
                .fetch_all(&mut *transaction)
                .await?
                .iter()
                .map(|row| row.try_get("id"))
                .collect::<Result<_, _>>()?;
            // A booking's deposit follows its job's success in this same transaction.
            if first.state == PaymentJobState::Succeeded {
                settle_deposits_of_jobs(&mut transaction, &updated, first.now_ms).await?;
            }
            events.extend(
                group
                    .iter()
                    .filter(|attempt| updated.contains(&attempt.job_id))
                    .filter_map(|attempt| attempt.event.clone()),
            );
        }
        insert_events(&mut transaction, &events).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn get_payment_job(&self, id: &str) -> StoreResult<Option<PaymentJobRow>> {
        let sql = format!("SELECT {PAYMENT_JOB_COLUMNS} FROM payment_jobs WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.read).await?;
        Ok(row.as_ref().map(job_from).transpose()?)
    }

    async fn list_payment_jobs(&self, filter: &PaymentJobFilter) -> StoreResult<Vec<PaymentJobRow>> {
        let columns: Vec<String> = PAYMENT_JOB_COLUMNS.split(", ").map(|column| format!("j.{column}")).collect();
        let sql = format!(
            "SELECT {} FROM payment_jobs j WHERE {MERCHANT_JOBS} AND ($2 IS NULL OR j.state = $2) \
             AND ($3 IS NULL OR j.order_id = $3) ORDER BY j.created_at_ms DESC, j.id DESC LIMIT $4 OFFSET $5",
            columns.join(", ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&filter.merchant_id)
            .bind(filter.state.map(PaymentJobState::as_str))
            .bind(&filter.order_id)
            .bind(filter.page.limit)
            .bind(filter.page.offset)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(job_from).collect::<Result<_, _>>()?)
    }

    async fn retry_payment_job(&self, id: &str, now_ms: i64) -> StoreResult<PaymentJobRow> {
        let sql = format!(
            "UPDATE payment_jobs SET state = 'pending', attempts = 0, next_attempt_at_ms = $1, updated_at_ms = $1 \
             WHERE id = $2 AND state = 'needs_attention' RETURNING {PAYMENT_JOB_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now_ms).bind(id).fetch_optional(&self.write).await?;
        match row {
            Some(row) => Ok(job_from(&row)?),
            None => match self.get_payment_job(id).await? {
                Some(_) => Err(StoreError::NotNeedingAttention),
                None => Err(StoreError::NotFound),
            },
        }
    }

    async fn count_payment_jobs(&self, state: PaymentJobState, merchant_id: Option<&str>) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) AS n FROM payment_jobs j WHERE {MERCHANT_JOBS} AND j.state = $2");
        let row =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(merchant_id).bind(state.as_str()).fetch_one(&self.read).await?;
        Ok(row.try_get("n")?)
    }
}
