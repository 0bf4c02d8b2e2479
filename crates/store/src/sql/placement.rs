//! Group commit for order placement on SQLite.
//!
//! SQLite has one writer and each durable commit costs an fsync, so committing orders one
//! at a time caps throughput near the fsync rate. Instead, concurrent placements queue to
//! one writer task that takes whatever is waiting (up to [`MAX_BATCH`]), runs each order
//! under its own savepoint inside one transaction (a short order rolls back alone), commits
//! once, and only then answers every caller: each 201 is still durable. PostgreSQL needs no
//! such help — it already groups concurrent commits' WAL flushes — so it commits directly.

use sqlx::{Any, AnyPool, Row, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::holds::expire_holds_in;
use super::orders::{order_locations, place_in};
use crate::backend::{Backend, SqlStore};
use crate::rows::{NewOrder, OrderRecord};
use crate::{StoreError, StoreResult};

/// Most orders committed together.
pub const MAX_BATCH: usize = 256;
/// Placements waiting for the writer before callers are made to wait for room.
pub const QUEUE_LENGTH: usize = 4_096;

/// One placement waiting for the writer.
pub(crate) struct Queued {
    order: NewOrder,
    reply: oneshot::Sender<StoreResult<OrderRecord>>,
}

/// The sending side kept by the store.
pub(crate) type PlacementQueue = mpsc::Sender<Queued>;

/// Starts the writer task and returns its queue.
pub(crate) fn start_writer(pool: AnyPool) -> PlacementQueue {
    let (sender, receiver) = mpsc::channel(QUEUE_LENGTH);
    tokio::spawn(run_writer(pool, receiver));
    sender
}

async fn run_writer(pool: AnyPool, mut receiver: mpsc::Receiver<Queued>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        commit_batch(&pool, std::mem::take(&mut batch)).await;
    }
}

/// Runs every queued order under its own savepoint, commits once, then answers.
async fn commit_batch(pool: &AnyPool, batch: Vec<Queued>) {
    let mut transaction = match pool.begin().await {
        Ok(transaction) => transaction,
        Err(error) => return answer_all(batch, &error.to_string()),
    };
    // Lapsed holds at the batch's locations are released once, before its orders reserve.
    let mut locations: Vec<&str> = batch.iter().flat_map(|queued| order_locations(&queued.order)).collect();
    locations.sort_unstable();
    locations.dedup();
    let now_ms = batch.iter().map(|queued| queued.order.order.created_at_ms).max().unwrap_or(0);
    for location_id in locations {
        if let Err(error) = expire_holds_in(&mut transaction, Some(location_id), now_ms, i64::MAX).await {
            drop(transaction);
            return answer_all(batch, &error.to_string());
        }
    }
    let mut outcomes = Vec::with_capacity(batch.len());
    for queued in &batch {
        match place_under_savepoint(&mut transaction, &queued.order).await {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) => {
                // The transaction itself failed: nothing in it can be trusted.
                drop(transaction);
                return answer_all(batch, &error.to_string());
            }
        }
    }
    if let Err(error) = transaction.commit().await {
        return answer_all(batch, &error.to_string());
    }
    for (queued, outcome) in batch.into_iter().zip(outcomes) {
        let _ = queued.reply.send(outcome);
    }
}

/// Places one order inside a savepoint. The outer `Result` fails only when the savepoint
/// machinery itself fails; the order's own outcome (placed, or refused) is the inner one.
async fn place_under_savepoint(
    transaction: &mut Transaction<'static, Any>,
    order: &NewOrder,
) -> Result<StoreResult<OrderRecord>, sqlx::Error> {
    sqlx::query("SAVEPOINT placement").execute(&mut **transaction).await?;
    let outcome = place_in(transaction, order, false).await;
    if outcome.is_err() {
        sqlx::query("ROLLBACK TO SAVEPOINT placement").execute(&mut **transaction).await?;
    }
    sqlx::query("RELEASE SAVEPOINT placement").execute(&mut **transaction).await?;
    Ok(outcome)
}

fn answer_all(batch: Vec<Queued>, error: &str) {
    tracing::error!(%error, orders = batch.len(), "a batch of orders could not be committed");
    for queued in batch {
        let _ = queued.reply.send(Err(StoreError::Unavailable(format!("the order could not be stored: {error}"))));
    }
}

/// The start (Unix ms) of the pickup slot containing `at_ms`: slots of
/// [`crate::PICKUP_SLOT_MINUTES`] cut from the Unix epoch, as the server offers them.
pub fn pickup_slot_start_ms(at_ms: i64) -> i64 {
    let slot_ms = crate::PICKUP_SLOT_MINUTES * 60_000;
    at_ms - at_ms.rem_euclid(slot_ms)
}

/// Counts the order's parts in their pickup slot, inside its transaction. Each part takes one
/// place at its location with `INSERT … ON CONFLICT DO UPDATE … WHERE used < capacity`, the
/// capacity read in the same statement: on PostgreSQL a concurrent placement in the same slot
/// waits for this row and then re-checks the condition, on SQLite writers are serialised, so no
/// interleaving lets more parts in than the slot holds. A full slot is `Conflict` (the caller
/// rolls back). Locations are taken in id order, so two orders cannot deadlock on these rows.
pub(crate) async fn book_pickup_slots(
    transaction: &mut Transaction<'static, Any>,
    new_order: &NewOrder,
) -> StoreResult<()> {
    let Some(pickup_at) = new_order.order.pickup_at.as_deref() else {
        return Ok(());
    };
    let at_ms = epoch_ms(pickup_at)
        .ok_or_else(|| StoreError::Conflict(format!("pickup time {pickup_at:?} is not an RFC 3339 time")))?;
    let slot_start_ms = pickup_slot_start_ms(at_ms);
    let mut parts: Vec<(&str, &str)> =
        new_order.fulfillments.iter().map(|part| (part.location_id.as_str(), part.id.as_str())).collect();
    parts.sort_unstable();
    for (location_id, fulfillment_id) in parts {
        let counted = sqlx::query(
            "INSERT INTO pickup_slot_counts (location_id, slot_start_ms, used) VALUES ($1, $2, 1) \
             ON CONFLICT (location_id, slot_start_ms) DO UPDATE SET used = pickup_slot_counts.used + 1 \
             WHERE (SELECT slot_capacity FROM locations WHERE id = $1) IS NULL \
             OR pickup_slot_counts.used < (SELECT slot_capacity FROM locations WHERE id = $1)",
        )
        .bind(location_id)
        .bind(slot_start_ms)
        .execute(&mut **transaction)
        .await?;
        if counted.rows_affected() == 0 {
            let name: Option<String> = sqlx::query("SELECT name FROM locations WHERE id = $1")
                .bind(location_id)
                .fetch_optional(&mut **transaction)
                .await?
                .map(|row| row.try_get("name"))
                .transpose()?;
            return Err(StoreError::Conflict(format!(
                "{} has no room left in that pickup slot; choose another",
                name.unwrap_or_else(|| location_id.to_owned())
            )));
        }
        sqlx::query(
            "INSERT INTO pickup_slot_bookings (fulfillment_id, location_id, slot_start_ms) VALUES ($1, $2, $3)",
        )
        .bind(fulfillment_id)
        .bind(location_id)
        .bind(slot_start_ms)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

/// Gives back the pickup slot place of a part that will not be collected (rejected or
/// cancelled), once: the booking row goes, and its slot's count with it.
pub(crate) async fn release_pickup_slot(
    transaction: &mut Transaction<'static, Any>,
    fulfillment_id: &str,
) -> StoreResult<()> {
    let released =
        sqlx::query("DELETE FROM pickup_slot_bookings WHERE fulfillment_id = $1 RETURNING location_id, slot_start_ms")
            .bind(fulfillment_id)
            .fetch_optional(&mut **transaction)
            .await?;
    if let Some(row) = released {
        let location_id: String = row.try_get("location_id")?;
        let slot_start_ms: i64 = row.try_get("slot_start_ms")?;
        sqlx::query(
            "UPDATE pickup_slot_counts SET used = used - 1 WHERE location_id = $1 AND slot_start_ms = $2 AND used > 0",
        )
        .bind(location_id)
        .bind(slot_start_ms)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

/// Unix milliseconds of an RFC 3339 time (`2025-03-01T12:30:00Z`, fractions and `±HH:MM`
/// offsets accepted); `None` for anything else. The store has no calendar crate, and the
/// server hands it pickup times in exactly this form.
pub fn epoch_ms(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = text.get(range)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    };
    if bytes.len() < 20 || bytes[4] != b'-' || bytes[7] != b'-' || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    if bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = 19;
    let mut millis = 0;
    if bytes.get(rest) == Some(&b'.') {
        let start = rest + 1;
        let end = start + bytes[start..].iter().take_while(|b| b.is_ascii_digit()).count();
        if end == start {
            return None;
        }
        let fraction = format!("{:0<3}", &text[start..end.min(start + 3)]);
        millis = fraction.parse::<i64>().ok()?;
        rest = end;
    }
    let offset_minutes = match text.get(rest..)? {
        "Z" | "z" => 0,
        zone if zone.len() == 6 && zone.as_bytes()[3] == b':' => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            sign * (number(rest + 1..rest + 3)? * 60 + number(rest + 4..rest + 6)?)
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm), proleptic Gregorian.
    let shifted_year = if month <= 2 { year - 1 } else { year };
    let era = shifted_year.div_euclid(400);
    let year_of_era = shifted_year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

impl SqlStore {
    /// Places an order: through the group-commit writer on SQLite, directly on PostgreSQL.
    pub(crate) async fn place(&self, order: &NewOrder) -> StoreResult<OrderRecord> {
        match (&self.placements, self.backend) {
            (Some(queue), Backend::Sqlite) => {
                let (reply, answer) = oneshot::channel();
                queue
                    .send(Queued { order: order.clone(), reply })
                    .await
                    .map_err(|_| StoreError::Unavailable("the order writer has stopped".into()))?;
                answer.await.map_err(|_| StoreError::Unavailable("the order writer has stopped".into()))?
            }
            _ => {
                let mut transaction = self.write.begin().await?;
                let placed = place_in(&mut transaction, order, true).await?;
                transaction.commit().await?;
                Ok(placed)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{epoch_ms, pickup_slot_start_ms};

    #[test]
    fn rfc3339_times_become_unix_milliseconds() {
        assert_eq!(epoch_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch_ms("2023-11-14T22:13:20Z"), Some(1_700_000_000_000));
        assert_eq!(epoch_ms("2023-11-14T19:13:20-03:00"), Some(1_700_000_000_000));
        assert_eq!(epoch_ms("2023-11-14T22:13:20.25Z"), Some(1_700_000_000_250));
        assert_eq!(epoch_ms("2024-02-29T00:00:00+00:00"), Some(1_709_164_800_000));
        assert_eq!(epoch_ms("1969-12-31T23:59:59Z"), Some(-1_000));
        for bad in [
            "",
            "2023-11-14",
            "2023-11-14T22:13:20",
            "2023-13-14T22:13:20Z",
            "2023-11-14T22:13:20+0300",
            "x023-11-14T22:13:20Z",
        ] {
            assert_eq!(epoch_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn slots_are_cut_from_the_epoch() {
        let at = epoch_ms("2023-11-14T22:13:20Z").unwrap_or_default();
        assert_eq!(Some(pickup_slot_start_ms(at)), epoch_ms("2023-11-14T22:00:00Z"));
        let edge = epoch_ms("2023-11-14T22:15:00Z").unwrap_or_default();
        assert_eq!(pickup_slot_start_ms(edge), edge);
    }
}
