//! [`BookingDepositStore`] in SQL: deposit rules, a booking stored with its deposit, and
//! [`end_claimed_booking`] — the one way a booking ends or changes status.
//!
//! Every ending (a customer's or staff's cancellation, the sweeper's expiry of a lapsed hold,
//! a staff's seat/complete/no-show) is the same transaction: an UPDATE conditional on the
//! booking's status (and, for an expiry, on its hold having lapsed), so two requests or nodes
//! racing change it once and write one event between them; its grid cells deleted when the
//! new status holds no time, so the slot is free the moment the ending commits; its hold
//! deleted; its events; and its deposit's new status with the refund or void job, so the money
//! owed back is queued exactly when the ending happens, never without it. A deposit whose
//! capture has not run yet has its capture cancelled and its authorisation voided in that same
//! transaction; if a worker took the capture first, the refund is queued to run after it.
//!
//! A deposit follows its payment job: `job_id` names the job whose success moves it on, and
//! `payments::record_payment_attempts` settles it in the transaction that records the success
//! (see [`settle_deposits_of_jobs`]).

use async_trait::async_trait;
use omnicanal_domain::Money;
use omnicanal_domain::bookings::deposits::{CaptureStep, DepositStatus};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::booking_availability::update_service;
use super::booking_life::{Transaction, insert_claimed_booking};
use super::bookings::insert_service;
use super::columns::{get_parsed, in_list};
use super::order_rows::currency;
use super::outbox::insert_events;
use super::tx::payment_jobs::enqueue;
use crate::backend::SqlStore;
use crate::rows::{
    BookingDepositRow, BookingEnd, BookingInsert, BookingRow, BookingServiceRow, DepositRuleChange, DepositRuleKind,
    DepositRuleRow, NewEvent, PaymentJobRow,
};
use crate::{BookingDepositStore, StoreResult};

const DEPOSIT_COLUMNS: &str = "booking_id, amount_minor, currency, payment_reference, status, job_id, updated_ms";
const RULE_COLUMNS: &str = "owner_id, owner_kind, amount_minor, currency, updated_ms";

fn deposit_from(row: &AnyRow) -> Result<BookingDepositRow, sqlx::Error> {
    Ok(BookingDepositRow {
        booking_id: row.try_get("booking_id")?,
        amount: Money::new(row.try_get("amount_minor")?, get_parsed(row, "currency", currency)?),
        payment_reference: row.try_get("payment_reference")?,
        status: get_parsed(row, "status", DepositStatus::parse)?,
        job_id: row.try_get("job_id")?,
        updated_ms: row.try_get("updated_ms")?,
    })
}

fn rule_from(row: &AnyRow) -> Result<DepositRuleRow, sqlx::Error> {
    Ok(DepositRuleRow {
        owner_id: row.try_get("owner_id")?,
        kind: get_parsed(row, "owner_kind", DepositRuleKind::parse)?,
        amount: Money::new(row.try_get("amount_minor")?, get_parsed(row, "currency", currency)?),
        updated_ms: row.try_get("updated_ms")?,
    })
}

/// Inserts a booking's deposit (and its capture job, when it has one) in `transaction`.
pub(super) async fn insert_deposit(
    transaction: &mut Transaction,
    deposit: &BookingDepositRow,
    capture: Option<&PaymentJobRow>,
) -> StoreResult<()> {
    if let Some(job) = capture {
        enqueue(&mut **transaction, job).await?;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO booking_deposits ({DEPOSIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )))
    .bind(&deposit.booking_id)
    .bind(deposit.amount.amount_minor)
    .bind(deposit.amount.currency.code())
    .bind(&deposit.payment_reference)
    .bind(deposit.status.as_str())
    .bind(&deposit.job_id)
    .bind(deposit.updated_ms)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// The one way a booking ends or changes status (see the module doc); false when it was no
/// longer in `end.from` (or its hold had not lapsed) and nothing was written.
pub(super) async fn end_claimed_booking(store: &SqlStore, end: &BookingEnd) -> StoreResult<bool> {
    if end.from.is_empty() {
        return Ok(false);
    }
    let hold_lapsed = match end.hold_lapsed_by_ms {
        Some(_) => format!(
            " AND EXISTS (SELECT 1 FROM booking_holds WHERE booking_id = $3 AND expires_ms <= ${})",
            4 + end.from.len()
        ),
        None => String::new(),
    };
    let sql = format!(
        "UPDATE bookings SET status = $1, cancelled_ms = COALESCE($2, cancelled_ms) WHERE id = $3 \
         AND status IN {}{hold_lapsed}",
        in_list(4, end.from.len())
    );
    let cancelled_ms = (end.to == omnicanal_domain::bookings::booking::BookingStatus::Cancelled).then_some(end.now_ms);
    let mut update =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(end.to.as_str()).bind(cancelled_ms).bind(&end.booking_id);
    for status in &end.from {
        update = update.bind(status.as_str());
    }
    if let Some(lapsed_by_ms) = end.hold_lapsed_by_ms {
        update = update.bind(lapsed_by_ms);
    }
    let mut transaction = store.write.begin().await?;
    if update.execute(&mut *transaction).await?.rows_affected() == 0 {
        transaction.rollback().await?;
        return Ok(false);
    }
    if !end.to.holds_time() {
        sqlx::query("DELETE FROM booking_claims WHERE booking_id = $1")
            .bind(&end.booking_id)
            .execute(&mut *transaction)
            .await?;
    }
    if end.to != omnicanal_domain::bookings::booking::BookingStatus::Held {
        sqlx::query("DELETE FROM booking_holds WHERE booking_id = $1")
            .bind(&end.booking_id)
            .execute(&mut *transaction)
            .await?;
    }
    if let Some(deposit) = &end.deposit {
        let cancelled = match deposit.first.capture {
            CaptureStep::Cancel => cancel_untouched_capture(&mut transaction, &deposit.capture_job_id).await?,
            CaptureStep::Leave | CaptureStep::RunFirst => true,
        };
        let chosen = if cancelled { &deposit.first } else { &deposit.if_capture_taken };
        if let Some(job) = &chosen.job {
            enqueue(&mut *transaction, job).await?;
            if chosen.capture == CaptureStep::RunFirst {
                run_after_capture(&mut transaction, &job.id, &deposit.capture_job_id).await?;
            }
        }
        sqlx::query(
            "UPDATE booking_deposits SET status = $1, job_id = COALESCE($2, job_id), updated_ms = $3 \
             WHERE booking_id = $4",
        )
        .bind(chosen.status.as_str())
        .bind(chosen.job.as_ref().map(|job| job.id.clone()))
        .bind(end.now_ms)
        .bind(&end.booking_id)
        .execute(&mut *transaction)
        .await?;
    }
    insert_events(&mut transaction, &end.events).await?;
    transaction.commit().await?;
    Ok(true)
}

/// Cancels a capture job that no worker has taken: still pending and never attempted. A claim
/// counts the attempt in the same statement that takes the job, so this delete and a claim
/// exclude each other — on PostgreSQL the later one waits for the other's row lock and then
/// finds the row gone or counted, on SQLite writers are serialised — and exactly one of
/// "cancelled, never attempted" and "taken" comes true, on any number of nodes.
///
/// The job is deleted rather than given a new state: a cancelled capture moved no money, and a
/// new state would reach every reader of payment jobs (the API, the console). The deposit's
/// status (`void_pending`, then `voided`) and the booking's events keep what happened.
async fn cancel_untouched_capture(transaction: &mut Transaction, capture_job_id: &str) -> StoreResult<bool> {
    let done = sqlx::query(
        "DELETE FROM payment_jobs WHERE id = $1 AND kind = 'capture' AND state = 'pending' AND attempts = 0",
    )
    .bind(capture_job_id)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Makes `job_id` wait for `capture_job_id`: the claim takes a job with an `after_job_id` only
/// once that job has succeeded (see `payments::claim_payment_jobs`). Nothing to wait for when
/// the capture already succeeded, so then nothing is written.
async fn run_after_capture(transaction: &mut Transaction, job_id: &str, capture_job_id: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE payment_jobs SET after_job_id = $1 WHERE id = $2 AND EXISTS \
         (SELECT 1 FROM payment_jobs c WHERE c.id = $1 AND c.state <> 'succeeded')",
    )
    .bind(capture_job_id)
    .bind(job_id)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// Moves on the deposits whose latest job is one of `job_ids`, which just succeeded, inside
/// the transaction that records the success. The statuses' next steps are the domain's
/// ([`DepositStatus::when_its_job_succeeds`]), written out as one `CASE`.
pub(super) async fn settle_deposits_of_jobs(
    transaction: &mut Transaction,
    job_ids: &[String],
    now_ms: i64,
) -> StoreResult<()> {
    if job_ids.is_empty() {
        return Ok(());
    }
    let arms: String = DepositStatus::ALL
        .iter()
        .filter(|status| status.when_its_job_succeeds() != **status)
        .map(|status| format!(" WHEN '{}' THEN '{}'", status.as_str(), status.when_its_job_succeeds().as_str()))
        .collect();
    let sql = format!(
        "UPDATE booking_deposits SET status = CASE status{arms} ELSE status END, updated_ms = $1 WHERE job_id IN {}",
        in_list(2, job_ids.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now_ms);
    for id in job_ids {
        query = query.bind(id);
    }
    query.execute(&mut **transaction).await?;
    Ok(())
}

/// Sets a deposit rule (insert or replace), alone or inside a caller's transaction.
async fn put_rule<'c, E>(executor: E, row: &DepositRuleRow) -> StoreResult<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO booking_deposit_rules ({RULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (owner_id) DO UPDATE SET owner_kind = excluded.owner_kind, \
         amount_minor = excluded.amount_minor, currency = excluded.currency, updated_ms = excluded.updated_ms"
    )))
    .bind(&row.owner_id)
    .bind(row.kind.as_str())
    .bind(row.amount.amount_minor)
    .bind(row.amount.currency.code())
    .bind(row.updated_ms)
    .execute(executor)
    .await?;
    Ok(())
}

/// Removes a deposit rule; false when there was none.
async fn delete_rule<'c, E>(executor: E, owner_id: &str) -> StoreResult<bool>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let done =
        sqlx::query("DELETE FROM booking_deposit_rules WHERE owner_id = $1").bind(owner_id).execute(executor).await?;
    Ok(done.rows_affected() > 0)
}

#[async_trait]
impl BookingDepositStore for SqlStore {
    async fn put_deposit_rule(&self, row: &DepositRuleRow) -> StoreResult<()> {
        put_rule(&self.write, row).await
    }

    async fn delete_deposit_rule(&self, owner_id: &str) -> StoreResult<bool> {
        delete_rule(&self.write, owner_id).await
    }

    async fn get_deposit_rule(&self, owner_id: &str) -> StoreResult<Option<DepositRuleRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RULE_COLUMNS} FROM booking_deposit_rules WHERE owner_id = $1"
        )))
        .bind(owner_id)
        .fetch_optional(&self.write)
        .await?;
        Ok(row.as_ref().map(rule_from).transpose()?)
    }

    async fn deposit_rules_of(&self, owner_ids: &[String]) -> StoreResult<Vec<DepositRuleRow>> {
        if owner_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {RULE_COLUMNS} FROM booking_deposit_rules WHERE owner_id IN {}",
            in_list(1, owner_ids.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in owner_ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.read).await?;
        Ok(rows.iter().map(rule_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn insert_booking_with_deposit(
        &self,
        booking: &BookingRow,
        members: &[String],
        cell_starts_ms: &[i64],
        hold_expires_ms: Option<i64>,
        deposit: &BookingDepositRow,
        capture: Option<&PaymentJobRow>,
        events: &[NewEvent],
    ) -> StoreResult<BookingInsert> {
        insert_claimed_booking(
            self,
            booking,
            members,
            cell_starts_ms,
            hold_expires_ms,
            Some((deposit, capture)),
            events,
        )
        .await
    }

    async fn get_booking_deposit(&self, booking_id: &str) -> StoreResult<Option<BookingDepositRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DEPOSIT_COLUMNS} FROM booking_deposits WHERE booking_id = $1"
        )))
        .bind(booking_id)
        .fetch_optional(&self.write)
        .await?;
        Ok(row.as_ref().map(deposit_from).transpose()?)
    }

    async fn booking_deposits_of(&self, booking_ids: &[String]) -> StoreResult<Vec<BookingDepositRow>> {
        if booking_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {DEPOSIT_COLUMNS} FROM booking_deposits WHERE booking_id IN {}",
            in_list(1, booking_ids.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in booking_ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.write).await?;
        Ok(rows.iter().map(deposit_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn end_booking(&self, end: &BookingEnd) -> StoreResult<bool> {
        end_claimed_booking(self, end).await
    }

    async fn confirm_held_booking_with_capture(
        &self,
        booking_id: &str,
        now_ms: i64,
        capture: &PaymentJobRow,
        events: &[NewEvent],
    ) -> StoreResult<bool> {
        super::booking_life::confirm_hold(self, booking_id, now_ms, Some(capture), events).await
    }

    async fn insert_booking_service_with_deposit(
        &self,
        row: &BookingServiceRow,
        deposit: Option<&DepositRuleRow>,
    ) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        insert_service(&mut *transaction, row).await?;
        if let Some(rule) = deposit {
            put_rule(&mut *transaction, rule).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn update_booking_service_with_deposit(
        &self,
        row: &BookingServiceRow,
        deposit: &DepositRuleChange,
    ) -> StoreResult<bool> {
        let mut transaction = self.write.begin().await?;
        if !update_service(&mut *transaction, row).await? {
            transaction.rollback().await?;
            return Ok(false);
        }
        match deposit {
            DepositRuleChange::Keep => {}
            DepositRuleChange::Put(rule) => put_rule(&mut *transaction, rule).await?,
            DepositRuleChange::Remove => {
                delete_rule(&mut *transaction, &row.id).await?;
            }
        }
        transaction.commit().await?;
        Ok(true)
    }
}
