//! [`SupportOnCallStore`] in SQL: the rota (`support_on_call_shifts`), the agents' push
//! subscriptions (`support_push_subscriptions`) and the alert deliveries (`support_alert_jobs`).
//!
//! A delivery's insert (`ON CONFLICT DO NOTHING`) is the claim that one node enqueues it; each
//! attempt then takes the row with an `UPDATE … WHERE attempts = <seen>` that also moves
//! `next_at_ms` to the end of a lease, so two nodes never attempt one delivery at once, and a
//! node that died mid-attempt leaves it to be taken again when the lease lapses. `sent` and
//! `failed` are final. No events: these rows are the desk's plumbing, not something a store or
//! a webhook follows.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::backend::SqlStore;
use crate::rows::{OnCallShiftRow, SupportAlertJobRow, SupportAlertJobState, SupportPushSubscriptionRow};
use crate::{StoreError, StoreResult, SupportOnCallStore};

const SUBSCRIPTION_COLUMNS: &str = "id, user_id, endpoint, p256dh, auth, language, created_at_ms";
const JOB_COLUMNS: &str = "event_id, target, payload_json, state, attempts, next_at_ms, last_error, created_at_ms";

fn shift_from(row: &AnyRow) -> Result<OnCallShiftRow, StoreError> {
    Ok(OnCallShiftRow {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        user_email: row.try_get("email")?,
        starts_at_ms: row.try_get("starts_at_ms")?,
        ends_at_ms: row.try_get("ends_at_ms")?,
        created_by: row.try_get("created_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn subscription_from(row: &AnyRow) -> Result<SupportPushSubscriptionRow, StoreError> {
    Ok(SupportPushSubscriptionRow {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        endpoint: row.try_get("endpoint")?,
        p256dh: row.try_get("p256dh")?,
        auth: row.try_get("auth")?,
        language: row.try_get("language")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn job_from(row: &AnyRow) -> Result<SupportAlertJobRow, StoreError> {
    let state: String = row.try_get("state")?;
    let attempts: i64 = row.try_get("attempts")?;
    Ok(SupportAlertJobRow {
        event_id: row.try_get("event_id")?,
        target: row.try_get("target")?,
        payload_json: row.try_get("payload_json")?,
        state: SupportAlertJobState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("support alert job state {state:?}")))?,
        attempts: u32::try_from(attempts)
            .map_err(|_| StoreError::Corrupt(format!("support alert job attempts {attempts}")))?,
        next_at_ms: row.try_get("next_at_ms")?,
        last_error: row.try_get("last_error")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

#[async_trait]
impl SupportOnCallStore for SqlStore {
    async fn insert_on_call_shift(&self, shift: &OnCallShiftRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO support_on_call_shifts (id, user_id, starts_at_ms, ends_at_ms, created_by, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&shift.id)
        .bind(&shift.user_id)
        .bind(shift.starts_at_ms)
        .bind(shift.ends_at_ms)
        .bind(&shift.created_by)
        .bind(shift.created_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn list_on_call_shifts(&self, after_ms: i64, limit: i64) -> StoreResult<Vec<OnCallShiftRow>> {
        let rows = sqlx::query(
            "SELECT s.id, s.user_id, u.email, s.starts_at_ms, s.ends_at_ms, s.created_by, s.created_at_ms \
             FROM support_on_call_shifts s JOIN users u ON u.id = s.user_id \
             WHERE s.ends_at_ms > $1 ORDER BY s.starts_at_ms, s.id LIMIT $2",
        )
        .bind(after_ms)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(shift_from).collect()
    }

    async fn delete_on_call_shift(&self, id: &str) -> StoreResult<()> {
        let done =
            sqlx::query("DELETE FROM support_on_call_shifts WHERE id = $1").bind(id).execute(&self.write).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn upsert_support_push_subscription(
        &self,
        subscription: &SupportPushSubscriptionRow,
    ) -> StoreResult<SupportPushSubscriptionRow> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO support_push_subscriptions ({SUBSCRIPTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (user_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, \
             language = excluded.language RETURNING {SUBSCRIPTION_COLUMNS}"
        )))
        .bind(&subscription.id)
        .bind(&subscription.user_id)
        .bind(&subscription.endpoint)
        .bind(&subscription.p256dh)
        .bind(&subscription.auth)
        .bind(&subscription.language)
        .bind(subscription.created_at_ms)
        .fetch_one(&self.write)
        .await?;
        subscription_from(&row)
    }

    async fn delete_support_push_subscription(&self, user_id: &str, endpoint: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM support_push_subscriptions WHERE user_id = $1 AND endpoint = $2")
            .bind(user_id)
            .bind(endpoint)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_support_push_subscriptions(&self, user_id: &str) -> StoreResult<Vec<SupportPushSubscriptionRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM support_push_subscriptions WHERE user_id = $1 \
             ORDER BY created_at_ms, id"
        )))
        .bind(user_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(subscription_from).collect()
    }

    async fn list_desk_push_subscriptions(&self, limit: i64) -> StoreResult<Vec<SupportPushSubscriptionRow>> {
        let rows = sqlx::query(
            "SELECT p.id, p.user_id, p.endpoint, p.p256dh, p.auth, p.language, p.created_at_ms \
             FROM support_push_subscriptions p JOIN users u ON u.id = p.user_id \
             WHERE u.role IN ('admin', 'support_agent') AND u.deactivated_at_ms IS NULL \
             ORDER BY p.user_id, p.created_at_ms, p.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(subscription_from).collect()
    }

    async fn forget_support_push_endpoint(&self, endpoint: &str) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM support_push_subscriptions WHERE endpoint = $1")
            .bind(endpoint)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }

    async fn enqueue_support_alert_job(&self, job: &SupportAlertJobRow) -> StoreResult<bool> {
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO support_alert_jobs ({JOB_COLUMNS}, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             ON CONFLICT (event_id, target) DO NOTHING"
        )))
        .bind(&job.event_id)
        .bind(&job.target)
        .bind(&job.payload_json)
        .bind(job.state.as_str())
        .bind(i64::from(job.attempts))
        .bind(job.next_at_ms)
        .bind(job.last_error.as_deref())
        .bind(job.created_at_ms)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn take_due_support_alert_jobs(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<SupportAlertJobRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {JOB_COLUMNS} FROM support_alert_jobs WHERE state = 'pending' AND next_at_ms <= $1 \
             ORDER BY next_at_ms, event_id, target LIMIT $2"
        )))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.write)
        .await?;
        let mut taken = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut job = job_from(row)?;
            let done = sqlx::query(
                "UPDATE support_alert_jobs SET attempts = attempts + 1, next_at_ms = $1, updated_at_ms = $2 \
                 WHERE event_id = $3 AND target = $4 AND state = 'pending' AND attempts = $5 AND next_at_ms <= $2",
            )
            .bind(lease_until_ms)
            .bind(now_ms)
            .bind(&job.event_id)
            .bind(&job.target)
            .bind(i64::from(job.attempts))
            .execute(&self.write)
            .await?;
            if done.rows_affected() == 1 {
                job.attempts += 1;
                job.next_at_ms = lease_until_ms;
                taken.push(job);
            }
        }
        Ok(taken)
    }

    async fn finish_support_alert_job(
        &self,
        event_id: &str,
        target: &str,
        state: SupportAlertJobState,
        next_at_ms: i64,
        last_error: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE support_alert_jobs SET state = $1, next_at_ms = $2, last_error = $3, updated_at_ms = $4 \
             WHERE event_id = $5 AND target = $6 AND state = 'pending'",
        )
        .bind(state.as_str())
        .bind(next_at_ms)
        .bind(last_error)
        .bind(now_ms)
        .bind(event_id)
        .bind(target)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn support_alert_jobs_of(&self, event_id: &str) -> StoreResult<Vec<SupportAlertJobRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {JOB_COLUMNS} FROM support_alert_jobs WHERE event_id = $1 ORDER BY target"
        )))
        .bind(event_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(job_from).collect()
    }
}
