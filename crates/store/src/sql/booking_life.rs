//! [`BookingLifeStore`] in SQL: holds, their confirmation or expiry, and moves.
//!
//! Every change is one transaction, conditional on the booking's status, so two requests or
//! two nodes racing (a confirmation and the sweeper, two sweepers, a move and a cancellation)
//! change a booking once and write one event between them — the UPDATE's row count decides,
//! not a read before it.
//!
//! A move deletes the booking's own claims and inserts the new ones in the same transaction:
//! a new cell already claimed is a unique violation, the transaction is rolled back and the
//! answer is [`BookingMove::Taken`] with the old claims untouched. The claims are inserted in
//! ascending (resource, cell) order in one statement, as bookings are, to keep lock order
//! consistent between writers.

use async_trait::async_trait;

use omnicanal_domain::bookings::booking::BookingStatus;

use super::booking_deposits::{end_claimed_booking, insert_deposit};
use super::bookings::{BOOKING_COLUMNS, booking_from, is_unique_violation};
use super::columns::values_clause;
use super::outbox::insert_events;
use super::tx::payment_jobs::enqueue;
use crate::backend::SqlStore;
use crate::rows::{
    BookingClaim, BookingDepositRow, BookingEnd, BookingInsert, BookingMove, BookingRow, NewEvent, PaymentJobRow,
};
use crate::{BookingLifeStore, StoreError, StoreResult};

pub(super) type Transaction = sqlx::Transaction<'static, sqlx::Any>;

/// Inserts `claims` (sorted and deduplicated here); false when one is taken (the caller rolls back).
pub(super) async fn claim_cells(
    transaction: &mut Transaction,
    booking_id: &str,
    claims: &[BookingClaim],
) -> StoreResult<bool> {
    let mut claims = claims.to_vec();
    claims.sort_unstable();
    claims.dedup();
    if claims.is_empty() {
        return Err(StoreError::Inconsistent("a booking claims at least one cell"));
    }
    let sql = format!(
        "INSERT INTO booking_claims (resource_id, cell_start_ms, booking_id) VALUES {}",
        values_clause(claims.len(), 3)
    );
    let mut claim = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (resource_id, cell_start_ms) in &claims {
        claim = claim.bind(resource_id).bind(*cell_start_ms).bind(booking_id);
    }
    match claim.execute(&mut **transaction).await {
        Ok(_) => Ok(true),
        Err(error) if is_unique_violation(&error) => Ok(false),
        Err(error) => Err(error.into()),
    }
}

/// Inserts a booking's row in `transaction`.
pub(super) async fn insert_booking_row(transaction: &mut Transaction, booking: &BookingRow) -> StoreResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO bookings ({BOOKING_COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    )))
    .bind(&booking.id)
    .bind(&booking.merchant_id)
    .bind(&booking.location_id)
    .bind(&booking.resource_id)
    .bind(&booking.service_id)
    .bind(booking.party_size)
    .bind(booking.start_ms)
    .bind(booking.end_ms)
    .bind(booking.blocked_until_ms)
    .bind(booking.status.as_str())
    .bind(&booking.customer_name)
    .bind(&booking.customer_phone)
    .bind(&booking.customer_email)
    .bind(&booking.manage_token_hash)
    .bind(booking.created_ms)
    .bind(booking.cancelled_ms)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// The one way a booking is stored: its row, its claims — every cell of every member (the
/// booking's own resource when `members` is empty) — its members when tables are joined, its
/// hold when it is held, its deposit (with its capture job) when it has one, and its events,
/// in one transaction. A claimed cell rolls everything back and answers `Taken`.
/// `insert_booking`, `insert_held_booking`, `insert_joined_booking` and
/// `insert_booking_with_deposit` are this with their own arguments.
pub(super) async fn insert_claimed_booking(
    store: &SqlStore,
    booking: &BookingRow,
    members: &[String],
    cell_starts_ms: &[i64],
    hold_expires_ms: Option<i64>,
    paid: Option<(&BookingDepositRow, Option<&PaymentJobRow>)>,
    events: &[NewEvent],
) -> StoreResult<BookingInsert> {
    let mut members = members.to_vec();
    members.sort_unstable();
    members.dedup();
    if members.is_empty() {
        members.push(booking.resource_id.clone());
    }
    let claims: Vec<BookingClaim> =
        members.iter().flat_map(|member| cell_starts_ms.iter().map(move |cell| (member.clone(), *cell))).collect();
    let mut transaction = store.write.begin().await?;
    insert_booking_row(&mut transaction, booking).await?;
    if !claim_cells(&mut transaction, &booking.id, &claims).await? {
        transaction.rollback().await?;
        return Ok(BookingInsert::Taken);
    }
    if members.len() > 1 {
        let sql =
            format!("INSERT INTO booking_members (booking_id, resource_id) VALUES {}", values_clause(members.len(), 2));
        let mut member_rows = sqlx::query(sqlx::AssertSqlSafe(sql));
        for member in &members {
            member_rows = member_rows.bind(&booking.id).bind(member);
        }
        member_rows.execute(&mut *transaction).await?;
    }
    if let Some(expires_ms) = hold_expires_ms {
        sqlx::query("INSERT INTO booking_holds (booking_id, expires_ms) VALUES ($1, $2)")
            .bind(&booking.id)
            .bind(expires_ms)
            .execute(&mut *transaction)
            .await?;
    }
    if let Some((deposit, capture)) = paid {
        insert_deposit(&mut transaction, deposit, capture).await?;
    }
    insert_events(&mut transaction, events).await?;
    transaction.commit().await?;
    Ok(BookingInsert::Booked)
}

/// Confirms a held booking whose hold has not lapsed, deletes its hold and writes its events —
/// with its deposit's capture job, when it has one — in one transaction; false when it was
/// settled meanwhile.
pub(super) async fn confirm_hold(
    store: &SqlStore,
    booking_id: &str,
    now_ms: i64,
    capture: Option<&PaymentJobRow>,
    events: &[NewEvent],
) -> StoreResult<bool> {
    let mut transaction = store.write.begin().await?;
    let done = sqlx::query(
        "UPDATE bookings SET status = 'confirmed' WHERE id = $1 AND status = 'held' \
         AND EXISTS (SELECT 1 FROM booking_holds WHERE booking_id = $1 AND expires_ms > $2)",
    )
    .bind(booking_id)
    .bind(now_ms)
    .execute(&mut *transaction)
    .await?;
    if done.rows_affected() == 0 {
        transaction.rollback().await?;
        return Ok(false);
    }
    sqlx::query("DELETE FROM booking_holds WHERE booking_id = $1").bind(booking_id).execute(&mut *transaction).await?;
    if let Some(job) = capture {
        enqueue(&mut *transaction, job).await?;
        sqlx::query("UPDATE booking_deposits SET job_id = $1, updated_ms = $2 WHERE booking_id = $3")
            .bind(&job.id)
            .bind(now_ms)
            .bind(booking_id)
            .execute(&mut *transaction)
            .await?;
    }
    insert_events(&mut transaction, events).await?;
    transaction.commit().await?;
    Ok(true)
}

#[async_trait]
impl BookingLifeStore for SqlStore {
    async fn insert_held_booking(
        &self,
        booking: &BookingRow,
        cell_starts_ms: &[i64],
        hold_expires_ms: i64,
        events: &[NewEvent],
    ) -> StoreResult<BookingInsert> {
        insert_claimed_booking(self, booking, &[], cell_starts_ms, Some(hold_expires_ms), None, events).await
    }

    async fn booking_hold_expiry(&self, booking_id: &str) -> StoreResult<Option<i64>> {
        let expires: Option<i64> = sqlx::query_scalar("SELECT expires_ms FROM booking_holds WHERE booking_id = $1")
            .bind(booking_id)
            .fetch_optional(&self.write)
            .await?;
        Ok(expires)
    }

    async fn confirm_held_booking(&self, booking_id: &str, now_ms: i64, events: &[NewEvent]) -> StoreResult<bool> {
        confirm_hold(self, booking_id, now_ms, None, events).await
    }

    async fn lapsed_held_bookings(&self, now_ms: i64, limit: i64) -> StoreResult<Vec<BookingRow>> {
        let columns: Vec<String> = BOOKING_COLUMNS.split(',').map(|column| format!("b.{}", column.trim())).collect();
        let sql = format!(
            "SELECT {} FROM booking_holds h JOIN bookings b ON b.id = h.booking_id \
             WHERE h.expires_ms <= $1 AND b.status = 'held' ORDER BY h.expires_ms, b.id LIMIT $2",
            columns.join(", ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now_ms).bind(limit).fetch_all(&self.write).await?;
        Ok(rows.iter().map(booking_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn expire_held_booking(&self, booking_id: &str, now_ms: i64, events: &[NewEvent]) -> StoreResult<bool> {
        let end = BookingEnd {
            booking_id: booking_id.to_owned(),
            from: vec![BookingStatus::Held],
            to: BookingStatus::Expired,
            hold_lapsed_by_ms: Some(now_ms),
            now_ms,
            events: events.to_vec(),
            deposit: None,
        };
        end_claimed_booking(self, &end).await
    }

    async fn move_booking(
        &self,
        moved: &BookingRow,
        claims: &[BookingClaim],
        events: &[NewEvent],
    ) -> StoreResult<BookingMove> {
        let mut transaction = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE bookings SET resource_id = $1, start_ms = $2, end_ms = $3, blocked_until_ms = $4 \
             WHERE id = $5 AND status IN ('held', 'confirmed')",
        )
        .bind(&moved.resource_id)
        .bind(moved.start_ms)
        .bind(moved.end_ms)
        .bind(moved.blocked_until_ms)
        .bind(&moved.id)
        .execute(&mut *transaction)
        .await?;
        if done.rows_affected() == 0 {
            transaction.rollback().await?;
            return Ok(BookingMove::Gone);
        }
        sqlx::query("DELETE FROM booking_claims WHERE booking_id = $1")
            .bind(&moved.id)
            .execute(&mut *transaction)
            .await?;
        if !claim_cells(&mut transaction, &moved.id, claims).await? {
            transaction.rollback().await?;
            return Ok(BookingMove::Taken);
        }
        insert_events(&mut transaction, events).await?;
        transaction.commit().await?;
        Ok(BookingMove::Moved)
    }
}
