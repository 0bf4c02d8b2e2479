//! Pickup slot places: each part of a scheduled order takes one place in its location's slot,
//! counted atomically, and gives it back when it will not be collected.
//!
//! Each part takes its place with `INSERT … ON CONFLICT DO UPDATE … WHERE used < capacity`, the
//! capacity read in the same statement: on PostgreSQL a concurrent placement in the same slot
//! waits for this row and then re-checks the condition, on SQLite writers are serialised, so no
//! interleaving lets more parts in than the slot holds. Locations are taken in id order, so two
//! orders cannot deadlock on these rows.

use omnicanal_domain::time::parse_rfc3339_ms;
use sqlx::Row;

use super::Tx;
use crate::rows::NewOrder;
use crate::{StoreError, StoreResult};

/// The start (Unix ms) of the pickup slot containing `at_ms`: slots of
/// [`crate::PICKUP_SLOT_MINUTES`] cut from the Unix epoch, as the server offers them.
pub fn pickup_slot_start_ms(at_ms: i64) -> i64 {
    let slot_ms = crate::PICKUP_SLOT_MINUTES * 60_000;
    at_ms - at_ms.rem_euclid(slot_ms)
}

/// Takes one place per part in its location's slot; a full slot is `SlotFull` (the caller rolls back).
pub(crate) async fn book_pickup_slots(transaction: &mut Tx, new_order: &NewOrder) -> StoreResult<()> {
    let Some(pickup_at) = new_order.order.pickup_at.as_deref() else {
        return Ok(());
    };
    let at_ms = parse_rfc3339_ms(pickup_at)
        .ok_or_else(|| StoreError::Corrupt(format!("pickup time {pickup_at:?} is not an RFC 3339 time")))?;
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
            return Err(StoreError::SlotFull { location_name: name.unwrap_or_else(|| location_id.to_owned()) });
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
pub(crate) async fn release_pickup_slot(transaction: &mut Tx, fulfillment_id: &str) -> StoreResult<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_cut_from_the_epoch() {
        let at = parse_rfc3339_ms("2023-11-14T22:13:20Z").unwrap_or_default();
        assert_eq!(Some(pickup_slot_start_ms(at)), parse_rfc3339_ms("2023-11-14T22:00:00Z"));
        let edge = parse_rfc3339_ms("2023-11-14T22:15:00Z").unwrap_or_default();
        assert_eq!(pickup_slot_start_ms(edge), edge);
    }
}
