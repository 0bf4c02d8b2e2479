//! [`BookingStaffStore`] in SQL: what the staff's schedule reads and the status moves it
//! writes (issue 19 point 5).
//!
//! A status move is one conditional UPDATE (`WHERE status = from`), so two taps racing on one
//! booking write one move and one event between them; when the new status gives the time back
//! (no-show, cancelled, completed) the booking's `booking_claims` rows are deleted in the same
//! transaction, so a walk-in can take the table at once and the event never announces a move
//! that did not happen. The reads are bounded by the caller (`limit`) and use the bookings'
//! `(location_id, start_ms)` index.

use async_trait::async_trait;
use omnicanal_domain::bookings::booking::BookingStatus;
use sqlx::Row;

use super::booking_deposits::end_claimed_booking;
use super::bookings::{BOOKING_COLUMNS, booking_from};
use super::columns::in_list;
use crate::backend::SqlStore;
use crate::rows::{BookingEnd, BookingRow, NewEvent};
use crate::{BookingStaffStore, StoreError, StoreResult};

/// The longest booking a listing looks back for: a booking that started this long before the
/// range may still be running in it (services are at most 12 hours).
const LONGEST_BOOKING_MS: i64 = 12 * 3_600_000;

#[async_trait]
impl BookingStaffStore for SqlStore {
    async fn location_bookings_between(
        &self,
        location_id: &str,
        from_ms: i64,
        to_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<BookingRow>> {
        // The lower bound on start_ms keeps the index range narrow; end_ms decides.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE location_id = $1 AND start_ms < $2 AND start_ms >= $3 \
             AND end_ms > $4 ORDER BY start_ms, id LIMIT $5"
        )))
        .bind(location_id)
        .bind(to_ms)
        .bind(from_ms.saturating_sub(LONGEST_BOOKING_MS))
        .bind(from_ms)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(booking_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn no_show_contacts(
        &self,
        merchant_id: &str,
        phones: &[String],
        emails: &[String],
        limit: i64,
    ) -> StoreResult<Vec<(Option<String>, Option<String>)>> {
        if phones.is_empty() && emails.is_empty() {
            return Ok(Vec::new());
        }
        // An empty list would be `IN ()`, which is not SQL: a side with nothing to match is
        // left out of the condition instead.
        let mut next = 3;
        let mut matches = Vec::new();
        if !phones.is_empty() {
            matches.push(format!("customer_phone IN {}", in_list(next, phones.len())));
            next += phones.len();
        }
        if !emails.is_empty() {
            matches.push(format!("customer_email IN {}", in_list(next, emails.len())));
            next += emails.len();
        }
        let sql = format!(
            "SELECT customer_phone, customer_email FROM bookings WHERE merchant_id = $1 AND status = $2 AND ({}) \
             LIMIT ${next}",
            matches.join(" OR ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(merchant_id).bind(BookingStatus::NoShow.as_str());
        for value in phones.iter().chain(emails) {
            query = query.bind(value);
        }
        let rows = query.bind(limit).fetch_all(&self.read).await?;
        rows.iter()
            .map(|row| Ok((row.try_get("customer_phone")?, row.try_get("customer_email")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    async fn move_booking_status(
        &self,
        id: &str,
        from: BookingStatus,
        to: BookingStatus,
        now_ms: i64,
        events: &[NewEvent],
    ) -> StoreResult<bool> {
        let end = BookingEnd {
            booking_id: id.to_owned(),
            from: vec![from],
            to,
            hold_lapsed_by_ms: None,
            now_ms,
            events: events.to_vec(),
            deposit: None,
        };
        end_claimed_booking(self, &end).await
    }

    async fn booking_status_counts(
        &self,
        location_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<(BookingStatus, i64)>> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS how_many FROM bookings WHERE location_id = $1 AND start_ms >= $2 \
             AND start_ms < $3 GROUP BY status ORDER BY status",
        )
        .bind(location_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.read)
        .await?;
        let mut counts = Vec::with_capacity(rows.len());
        for row in &rows {
            let status: String = row.try_get("status")?;
            let status = BookingStatus::parse(&status).map_err(|_| StoreError::Inconsistent("a booking status"))?;
            counts.push((status, row.try_get::<i64, _>("how_many")?));
        }
        Ok(counts)
    }
}
