//! The stock ledger's writes: movements of on-hand, and the reservations orders hold.
//!
//! Every change is one conditional `UPDATE` whose `WHERE` carries the ledger invariant
//! (`0 ≤ reserved ≤ on_hand`), so concurrent writers on any node can never break it; the
//! table's CHECK constraint is the last line of defence. Each change writes its
//! `stock.changed` event with the level the `UPDATE` returned.

use omnicanal_domain::events::{DomainEvent, StockChanged};
use sqlx::Row;

use super::Tx;
use crate::StoreResult;
use crate::error::StoreError;
use crate::rows::{NewEvent, StockMovementRow, StockRow};
use crate::sql::outbox::insert_event;

/// A level as `(on_hand, reserved)`.
pub(crate) type Level = (i64, i64);

/// Makes sure a level row exists, so the conditional updates below have a row to check.
pub(crate) async fn ensure_level(transaction: &mut Tx, movement: &StockMovementRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO stock_levels (location_id, sku, merchant_id, on_hand, reserved) VALUES ($1, $2, $3, 0, 0) \
         ON CONFLICT (location_id, sku) DO NOTHING",
    )
    .bind(&movement.location_id)
    .bind(&movement.sku)
    .bind(&movement.merchant_id)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// The current on-hand of a level, locking its row until commit on PostgreSQL (a no-op update).
pub(crate) async fn lock_on_hand(transaction: &mut Tx, location_id: &str, sku: &str) -> Result<i64, sqlx::Error> {
    let current =
        sqlx::query("UPDATE stock_levels SET on_hand = on_hand WHERE location_id = $1 AND sku = $2 RETURNING on_hand")
            .bind(location_id)
            .bind(sku)
            .fetch_one(&mut **transaction)
            .await?;
    current.try_get("on_hand")
}

/// Applies `movement.delta` to on-hand, records the movement and its event; refuses a change
/// that would take on-hand below zero or below what is reserved.
pub(crate) async fn move_stock(transaction: &mut Tx, movement: &StockMovementRow) -> StoreResult<StockRow> {
    ensure_level(transaction, movement).await?;
    let level = sqlx::query(
        "UPDATE stock_levels SET on_hand = on_hand + $1 \
         WHERE location_id = $2 AND sku = $3 AND on_hand + $1 >= reserved AND on_hand + $1 >= 0 \
         RETURNING on_hand, reserved",
    )
    .bind(movement.delta)
    .bind(&movement.location_id)
    .bind(&movement.sku)
    .fetch_optional(&mut **transaction)
    .await?;
    let Some(level) = level else {
        return Err(StoreError::LedgerRefused);
    };
    let level = (level.try_get("on_hand")?, level.try_get("reserved")?);
    record_movement(transaction, movement, level).await
}

/// Writes the movement row and its `stock.changed` event for the new level.
pub(crate) async fn record_movement(
    transaction: &mut Tx,
    movement: &StockMovementRow,
    (on_hand, reserved): Level,
) -> StoreResult<StockRow> {
    sqlx::query(
        "INSERT INTO stock_movements (id, location_id, sku, delta, reason, reference, channel, created_by, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&movement.id)
    .bind(&movement.location_id)
    .bind(&movement.sku)
    .bind(movement.delta)
    .bind(movement.reason.as_str())
    .bind(&movement.reference)
    .bind(movement.channel.as_ref().map(ToString::to_string))
    .bind(&movement.created_by)
    .bind(movement.created_at_ms)
    .execute(&mut **transaction)
    .await?;
    let event = level_event(
        movement.event_id.clone(),
        &movement.merchant_id,
        &movement.location_id,
        &movement.sku,
        (on_hand, reserved),
        movement.created_at_ms,
    );
    insert_event(transaction, event).await?;
    Ok(StockRow {
        sku: movement.sku.clone(),
        location_id: movement.location_id.clone(),
        on_hand,
        reserved,
        available: on_hand - reserved,
    })
}

/// The `stock.changed` event of a level after a ledger change.
pub(crate) fn level_event(
    event_id: String,
    merchant_id: &str,
    location_id: &str,
    sku: &str,
    (on_hand, reserved): Level,
    now_ms: i64,
) -> NewEvent {
    NewEvent {
        event_id,
        created_at_ms: now_ms,
        event: DomainEvent::StockChanged(StockChanged::level(merchant_id, location_id, sku, on_hand, reserved)),
    }
}

/// Reserves `$1` units unless that would leave fewer than `$4` (the channel's safety buffer) available.
const RESERVE_SQL: &str = "UPDATE stock_levels SET reserved = reserved + $1 \
    WHERE location_id = $2 AND sku = $3 AND on_hand - reserved - $4 >= $1 RETURNING on_hand, reserved";
/// Gives reserved units back.
const RELEASE_SQL: &str = "UPDATE stock_levels SET reserved = reserved - $1 \
    WHERE location_id = $2 AND sku = $3 AND reserved >= $1 RETURNING on_hand, reserved";
/// Reserved units leave the shelf.
const SELL_SQL: &str = "UPDATE stock_levels SET on_hand = on_hand - $1, reserved = reserved - $1 \
    WHERE location_id = $2 AND sku = $3 AND reserved >= $1 AND on_hand >= $1 RETURNING on_hand, reserved";

async fn level_change(
    transaction: &mut Tx,
    sql: &'static str,
    quantity: i64,
    location_id: &str,
    sku: &str,
    safety_buffer: Option<i64>,
) -> Result<Option<Level>, sqlx::Error> {
    let mut query = sqlx::query(sql).bind(quantity).bind(location_id).bind(sku);
    if let Some(buffer) = safety_buffer {
        query = query.bind(buffer);
    }
    let row = query.fetch_optional(&mut **transaction).await?;
    row.map(|row| Ok((row.try_get("on_hand")?, row.try_get("reserved")?))).transpose()
}

/// Reserves one line's units, keeping `safety_buffer` units back; `None` when short.
pub(crate) async fn reserve(
    transaction: &mut Tx,
    quantity: i64,
    location_id: &str,
    sku: &str,
    safety_buffer: i64,
) -> Result<Option<Level>, sqlx::Error> {
    level_change(transaction, RESERVE_SQL, quantity, location_id, sku, Some(safety_buffer)).await
}

/// Releases a line's reserved units; a missing reservation is an inconsistency.
pub(crate) async fn release(transaction: &mut Tx, quantity: i64, location_id: &str, sku: &str) -> StoreResult<Level> {
    level_change(transaction, RELEASE_SQL, quantity, location_id, sku, None)
        .await?
        .ok_or(StoreError::Inconsistent("reserved stock is missing"))
}

/// Sells a line's reserved units; a missing reservation is an inconsistency.
pub(crate) async fn sell(transaction: &mut Tx, quantity: i64, location_id: &str, sku: &str) -> StoreResult<Level> {
    level_change(transaction, SELL_SQL, quantity, location_id, sku, None)
        .await?
        .ok_or(StoreError::Inconsistent("reserved stock is missing"))
}
