//! [`BookingReminderStore`] in SQL: a booking's push subscriptions
//! (`booking_push_subscriptions`), the customer's reminder choices
//! (`booking_reminder_preferences`), the claims (`booking_reminder_claims`) and the deliveries
//! (`booking_reminder_jobs`).
//!
//! A reminder is claimed and its deliveries enqueued in one transaction: the claim's primary
//! key (booking, offset) is what lets one node only send it, whatever the others saw. Each
//! attempt then takes its job with an `UPDATE … WHERE attempts = <seen>` that also moves
//! `next_at_ms` to the end of a lease, so two nodes never attempt one delivery at once and a
//! node that died mid-attempt leaves it to be taken again when the lease lapses (the shape of
//! `support_on_call.rs`'s alert jobs). `sent` and `failed` are final. No events: these rows are
//! plumbing, not something a store or a webhook follows.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;
use sqlx::error::ErrorKind;

use super::columns::in_list;
use crate::backend::SqlStore;
use crate::rows::{
    BookingPushSubscriptionRow, BookingReminderJobRow, BookingReminderPreferencesRow, ReminderCandidateRow,
    ReminderJobState,
};
use crate::{BookingReminderStore, StoreError, StoreResult};

const SUBSCRIPTION_COLUMNS: &str = "id, booking_id, endpoint, p256dh, auth, language, open_path, created_at_ms";
const JOB_COLUMNS: &str = "booking_id, offset_minutes, target, payload_json, state, attempts, next_at_ms, \
     give_up_at_ms, last_error, created_at_ms";

fn subscription_from(row: &AnyRow) -> Result<BookingPushSubscriptionRow, StoreError> {
    Ok(BookingPushSubscriptionRow {
        id: row.try_get("id")?,
        booking_id: row.try_get("booking_id")?,
        endpoint: row.try_get("endpoint")?,
        p256dh: row.try_get("p256dh")?,
        auth: row.try_get("auth")?,
        language: row.try_get("language")?,
        open_path: row.try_get("open_path")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn job_from(row: &AnyRow) -> Result<BookingReminderJobRow, StoreError> {
    let state: String = row.try_get("state")?;
    let attempts: i64 = row.try_get("attempts")?;
    Ok(BookingReminderJobRow {
        booking_id: row.try_get("booking_id")?,
        offset_minutes: row.try_get("offset_minutes")?,
        target: row.try_get("target")?,
        payload_json: row.try_get("payload_json")?,
        state: ReminderJobState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("booking reminder job state {state:?}")))?,
        attempts: u32::try_from(attempts)
            .map_err(|_| StoreError::Corrupt(format!("booking reminder job attempts {attempts}")))?,
        next_at_ms: row.try_get("next_at_ms")?,
        give_up_at_ms: row.try_get("give_up_at_ms")?,
        last_error: row.try_get("last_error")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(database) if database.kind() == ErrorKind::UniqueViolation)
}

#[async_trait]
impl BookingReminderStore for SqlStore {
    async fn upsert_booking_push_subscription(
        &self,
        subscription: &BookingPushSubscriptionRow,
    ) -> StoreResult<BookingPushSubscriptionRow> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO booking_push_subscriptions ({SUBSCRIPTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (booking_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, \
             language = excluded.language, open_path = excluded.open_path RETURNING {SUBSCRIPTION_COLUMNS}"
        )))
        .bind(&subscription.id)
        .bind(&subscription.booking_id)
        .bind(&subscription.endpoint)
        .bind(&subscription.p256dh)
        .bind(&subscription.auth)
        .bind(&subscription.language)
        .bind(subscription.open_path.as_deref())
        .bind(subscription.created_at_ms)
        .fetch_one(&self.write)
        .await?;
        subscription_from(&row)
    }

    async fn list_booking_push_subscriptions(&self, booking_id: &str) -> StoreResult<Vec<BookingPushSubscriptionRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM booking_push_subscriptions WHERE booking_id = $1 \
             ORDER BY created_at_ms, id"
        )))
        .bind(booking_id)
        .fetch_all(&self.write)
        .await?;
        rows.iter().map(subscription_from).collect()
    }

    async fn get_booking_push_subscription(&self, id: &str) -> StoreResult<Option<BookingPushSubscriptionRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM booking_push_subscriptions WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.write)
        .await?;
        row.as_ref().map(subscription_from).transpose()
    }

    async fn forget_booking_push_endpoint(&self, endpoint: &str) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM booking_push_subscriptions WHERE endpoint = $1")
            .bind(endpoint)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }

    async fn put_booking_reminder_preferences(&self, row: &BookingReminderPreferencesRow) -> StoreResult<()> {
        // A later call without the token keeps the one handed over before.
        sqlx::query(
            "INSERT INTO booking_reminder_preferences (booking_id, language, manage_token, updated_at_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (booking_id) DO UPDATE SET language = excluded.language, \
             manage_token = COALESCE(excluded.manage_token, booking_reminder_preferences.manage_token), \
             updated_at_ms = excluded.updated_at_ms",
        )
        .bind(&row.booking_id)
        .bind(&row.language)
        .bind(row.manage_token.as_deref())
        .bind(row.updated_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn get_booking_reminder_preferences(
        &self,
        booking_id: &str,
    ) -> StoreResult<Option<BookingReminderPreferencesRow>> {
        let row = sqlx::query(
            "SELECT booking_id, language, manage_token, updated_at_ms FROM booking_reminder_preferences \
             WHERE booking_id = $1",
        )
        .bind(booking_id)
        .fetch_optional(&self.write)
        .await?;
        row.map(|row| {
            Ok(BookingReminderPreferencesRow {
                booking_id: row.try_get("booking_id")?,
                language: row.try_get("language")?,
                manage_token: row.try_get("manage_token")?,
                updated_at_ms: row.try_get("updated_at_ms")?,
            })
        })
        .transpose()
    }

    async fn booking_reminder_candidates(
        &self,
        after_ms: i64,
        until_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<ReminderCandidateRow>> {
        let rows = sqlx::query(
            "SELECT id, location_id, start_ms, created_ms FROM bookings \
             WHERE status IN ('confirmed', 'seated') AND start_ms > $1 AND start_ms <= $2 \
             ORDER BY start_ms, id LIMIT $3",
        )
        .bind(after_ms)
        .bind(until_ms)
        .bind(limit)
        .fetch_all(&self.write)
        .await?;
        let mut candidates = rows
            .iter()
            .map(|row| {
                Ok(ReminderCandidateRow {
                    booking_id: row.try_get("id")?,
                    location_id: row.try_get("location_id")?,
                    start_ms: row.try_get("start_ms")?,
                    created_ms: row.try_get("created_ms")?,
                    claimed_offsets_minutes: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        if candidates.is_empty() {
            return Ok(candidates);
        }
        let sql = format!(
            "SELECT booking_id, offset_minutes FROM booking_reminder_claims WHERE booking_id IN {}",
            in_list(1, candidates.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for candidate in &candidates {
            query = query.bind(&candidate.booking_id);
        }
        for claim in query.fetch_all(&self.write).await? {
            let booking_id: String = claim.try_get("booking_id")?;
            let offset: i64 = claim.try_get("offset_minutes")?;
            if let Some(candidate) = candidates.iter_mut().find(|candidate| candidate.booking_id == booking_id) {
                candidate.claimed_offsets_minutes.push(offset);
            }
        }
        Ok(candidates)
    }

    async fn claim_booking_reminder(
        &self,
        booking_id: &str,
        offset_minutes: i64,
        now_ms: i64,
        jobs: &[BookingReminderJobRow],
    ) -> StoreResult<bool> {
        let mut transaction = self.write.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO booking_reminder_claims (booking_id, offset_minutes, claimed_at_ms) VALUES ($1, $2, $3)",
        )
        .bind(booking_id)
        .bind(offset_minutes)
        .bind(now_ms)
        .execute(&mut *transaction)
        .await;
        match claimed {
            Ok(_) => {}
            // Another node claimed it first (on PostgreSQL, after waiting for its commit).
            Err(error) if is_unique_violation(&error) => {
                transaction.rollback().await?;
                return Ok(false);
            }
            Err(error) => return Err(error.into()),
        }
        for job in jobs {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO booking_reminder_jobs ({JOB_COLUMNS}, updated_at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)"
            )))
            .bind(&job.booking_id)
            .bind(job.offset_minutes)
            .bind(&job.target)
            .bind(&job.payload_json)
            .bind(job.state.as_str())
            .bind(i64::from(job.attempts))
            .bind(job.next_at_ms)
            .bind(job.give_up_at_ms)
            .bind(job.last_error.as_deref())
            .bind(job.created_at_ms)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(true)
    }

    async fn take_due_booking_reminder_jobs(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<BookingReminderJobRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {JOB_COLUMNS} FROM booking_reminder_jobs WHERE state = 'pending' AND next_at_ms <= $1 \
             ORDER BY next_at_ms, booking_id, offset_minutes, target LIMIT $2"
        )))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.write)
        .await?;
        let mut taken = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut job = job_from(row)?;
            let done = sqlx::query(
                "UPDATE booking_reminder_jobs SET attempts = attempts + 1, next_at_ms = $1, updated_at_ms = $2 \
                 WHERE booking_id = $3 AND offset_minutes = $4 AND target = $5 AND state = 'pending' \
                 AND attempts = $6 AND next_at_ms <= $2",
            )
            .bind(lease_until_ms)
            .bind(now_ms)
            .bind(&job.booking_id)
            .bind(job.offset_minutes)
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

    async fn finish_booking_reminder_job(
        &self,
        job: &BookingReminderJobRow,
        state: ReminderJobState,
        next_at_ms: i64,
        last_error: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE booking_reminder_jobs SET state = $1, next_at_ms = $2, last_error = $3, updated_at_ms = $4 \
             WHERE booking_id = $5 AND offset_minutes = $6 AND target = $7 AND state = 'pending'",
        )
        .bind(state.as_str())
        .bind(next_at_ms)
        .bind(last_error)
        .bind(now_ms)
        .bind(&job.booking_id)
        .bind(job.offset_minutes)
        .bind(&job.target)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn booking_reminder_jobs_of(&self, booking_id: &str) -> StoreResult<Vec<BookingReminderJobRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {JOB_COLUMNS} FROM booking_reminder_jobs WHERE booking_id = $1 ORDER BY offset_minutes DESC, target"
        )))
        .bind(booking_id)
        .fetch_all(&self.write)
        .await?;
        rows.iter().map(job_from).collect()
    }

    async fn latest_booking_reminder_claim(&self, booking_id: &str) -> StoreResult<Option<(i64, i64)>> {
        let row = sqlx::query(
            "SELECT offset_minutes, claimed_at_ms FROM booking_reminder_claims WHERE booking_id = $1 \
             ORDER BY offset_minutes LIMIT 1",
        )
        .bind(booking_id)
        .fetch_optional(&self.write)
        .await?;
        row.map(|row| Ok((row.try_get("offset_minutes")?, row.try_get("claimed_at_ms")?))).transpose()
    }

    async fn enqueue_booking_reminder_job(&self, job: &BookingReminderJobRow) -> StoreResult<bool> {
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO booking_reminder_jobs ({JOB_COLUMNS}, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             ON CONFLICT (booking_id, offset_minutes, target) DO NOTHING"
        )))
        .bind(&job.booking_id)
        .bind(job.offset_minutes)
        .bind(&job.target)
        .bind(&job.payload_json)
        .bind(job.state.as_str())
        .bind(i64::from(job.attempts))
        .bind(job.next_at_ms)
        .bind(job.give_up_at_ms)
        .bind(job.last_error.as_deref())
        .bind(job.created_at_ms)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
