//! The stock ledger: movements and levels.
//!
//! Every change is one conditional `UPDATE` whose `WHERE` carries the ledger
//! invariant (`0 ≤ reserved ≤ on_hand`), so concurrent writers on any node can
//! never break it; the table's CHECK constraint is the last line of defence.

use async_trait::async_trait;
use omnicanal_domain::DomainError;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{flag, get_flag};
use super::{insert_outbox, stock_changed_event};
use crate::backend::SqlStore;
use crate::rows::{ChannelAllocationRow, MovementRecord, Page, StockFilter, StockMovementRow, StockRow, TransferRow};
use crate::{StockStore, StoreError, StoreResult};

const MOVEMENT_COLUMNS: &str = "id, location_id, sku, delta, reason, reference, channel, created_by, created_at_ms";

/// Makes sure a level row exists, so the conditional updates below have a row to check.
async fn ensure_level(
    transaction: &mut Transaction<'static, Any>,
    movement: &StockMovementRow,
) -> Result<(), sqlx::Error> {
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

/// Applies `movement.delta` to on-hand, records the movement and its event; refuses below reserved.
async fn move_stock(transaction: &mut Transaction<'static, Any>, movement: &StockMovementRow) -> StoreResult<StockRow> {
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
        return Err(StoreError::Domain(DomainError::LedgerViolation(
            "the movement would take on-hand below zero or below what is reserved",
        )));
    };
    let level = (level.try_get("on_hand")?, level.try_get("reserved")?);
    record_movement(transaction, movement, level).await
}

/// Writes the movement row and its `stock.changed` event for the new `(on_hand, reserved)`.
pub(crate) async fn record_movement(
    transaction: &mut Transaction<'static, Any>,
    movement: &StockMovementRow,
    (on_hand, reserved): (i64, i64),
) -> StoreResult<StockRow> {
    sqlx::query(
        "INSERT INTO stock_movements (id, location_id, sku, delta, reason, reference, channel, created_by, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&movement.id)
    .bind(&movement.location_id)
    .bind(&movement.sku)
    .bind(movement.delta)
    .bind(&movement.reason)
    .bind(&movement.reference)
    .bind(&movement.channel)
    .bind(&movement.created_by)
    .bind(movement.created_at_ms)
    .execute(&mut **transaction)
    .await?;
    let event = stock_changed_event(
        movement.event_id.clone(),
        &movement.merchant_id,
        &movement.location_id,
        &movement.sku,
        (on_hand, reserved),
        movement.created_at_ms,
    );
    insert_outbox(transaction, &event).await?;
    Ok(StockRow {
        sku: movement.sku.clone(),
        location_id: movement.location_id.clone(),
        on_hand,
        reserved,
        available: on_hand - reserved,
    })
}

fn movement_from(row: &AnyRow) -> Result<MovementRecord, sqlx::Error> {
    Ok(MovementRecord {
        id: row.try_get("id")?,
        sku: row.try_get("sku")?,
        location_id: row.try_get("location_id")?,
        delta: row.try_get("delta")?,
        reason: row.try_get("reason")?,
        reference: row.try_get("reference")?,
        channel: row.try_get("channel")?,
        created_by: row.try_get("created_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn transfer_from(row: &AnyRow) -> Result<TransferRow, sqlx::Error> {
    Ok(TransferRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        sku: row.try_get("sku")?,
        from_location_id: row.try_get("from_location_id")?,
        to_location_id: row.try_get("to_location_id")?,
        quantity: row.try_get("quantity")?,
        status: row.try_get("status")?,
        created_by: row.try_get("created_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
        received_at_ms: row.try_get("received_at_ms")?,
    })
}

const TRANSFER_COLUMNS: &str = "id, merchant_id, sku, from_location_id, to_location_id, quantity, status, created_by, \
    created_at_ms, received_at_ms";

#[async_trait]
impl StockStore for SqlStore {
    async fn apply_stock_movement(&self, movement: &StockMovementRow) -> StoreResult<StockRow> {
        let mut transaction = self.write.begin().await?;
        let level = move_stock(&mut transaction, movement).await?;
        transaction.commit().await?;
        Ok(level)
    }

    async fn apply_stock_count(&self, movement: &StockMovementRow, counted: i64) -> StoreResult<(StockRow, i64)> {
        let mut transaction = self.write.begin().await?;
        ensure_level(&mut transaction, movement).await?;
        // A no-op update returns the current figure and, on PostgreSQL, locks the row until commit.
        let current = sqlx::query(
            "UPDATE stock_levels SET on_hand = on_hand WHERE location_id = $1 AND sku = $2 RETURNING on_hand",
        )
        .bind(&movement.location_id)
        .bind(&movement.sku)
        .fetch_one(&mut *transaction)
        .await?;
        let on_hand: i64 = current.try_get("on_hand")?;
        let counted_movement = StockMovementRow { delta: counted - on_hand, ..movement.clone() };
        let level = move_stock(&mut transaction, &counted_movement).await?;
        transaction.commit().await?;
        Ok((level, counted_movement.delta))
    }

    async fn list_movements(
        &self,
        location_id: &str,
        sku: Option<&str>,
        page: Page,
    ) -> StoreResult<Vec<MovementRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MOVEMENT_COLUMNS} FROM stock_movements WHERE location_id = $1 AND ($2 IS NULL OR sku = $2) \
             ORDER BY created_at_ms DESC, id DESC LIMIT $3 OFFSET $4"
        )))
        .bind(location_id)
        .bind(sku)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(movement_from).collect::<Result<_, _>>()?)
    }

    async fn send_transfer(&self, transfer: &TransferRow, out: &StockMovementRow) -> StoreResult<StockRow> {
        let mut transaction = self.write.begin().await?;
        let level = move_stock(&mut transaction, out).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO stock_transfers ({TRANSFER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )))
        .bind(&transfer.id)
        .bind(&transfer.merchant_id)
        .bind(&transfer.sku)
        .bind(&transfer.from_location_id)
        .bind(&transfer.to_location_id)
        .bind(transfer.quantity)
        .bind(&transfer.status)
        .bind(&transfer.created_by)
        .bind(transfer.created_at_ms)
        .bind(transfer.received_at_ms)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(level)
    }

    async fn receive_transfer(&self, transfer_id: &str, into: &StockMovementRow) -> StoreResult<TransferRow> {
        let mut transaction = self.write.begin().await?;
        let updated = sqlx::query(
            "UPDATE stock_transfers SET status = 'received', received_at_ms = $1 WHERE id = $2 AND status = 'in_transit'",
        )
        .bind(into.created_at_ms)
        .bind(transfer_id)
        .execute(&mut *transaction)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict("the transfer is not in transit".into()));
        }
        move_stock(&mut transaction, into).await?;
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TRANSFER_COLUMNS} FROM stock_transfers WHERE id = $1")))
                .bind(transfer_id)
                .fetch_one(&mut *transaction)
                .await?;
        let transfer = transfer_from(&row)?;
        transaction.commit().await?;
        Ok(transfer)
    }

    async fn get_transfer(&self, id: &str) -> StoreResult<Option<TransferRow>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TRANSFER_COLUMNS} FROM stock_transfers WHERE id = $1")))
                .bind(id)
                .fetch_optional(&self.read)
                .await?;
        Ok(row.as_ref().map(transfer_from).transpose()?)
    }

    async fn list_stock(&self, filter: &StockFilter) -> StoreResult<Vec<StockRow>> {
        // Holds that lapsed by `now_ms` are not reserved any more, whether or not the
        // sweeper has cancelled their parts yet.
        let rows = sqlx::query(
            "SELECT s.sku, s.location_id, s.on_hand, s.reserved - CAST(COALESCE((SELECT SUM(l.quantity) \
             FROM fulfillment_lines l JOIN fulfillments f ON f.id = l.fulfillment_id \
             WHERE f.location_id = s.location_id AND l.sku = s.sku AND l.track_stock = 1 AND f.status = 'placed' \
             AND f.hold_expires_at_ms IS NOT NULL AND f.hold_expires_at_ms <= $6), 0) AS BIGINT) AS reserved \
             FROM stock_levels s \
             WHERE ($1 IS NULL OR s.location_id = $1) AND ($2 IS NULL OR s.sku = $2) AND ($3 IS NULL OR s.merchant_id = $3) \
             ORDER BY s.location_id, s.sku LIMIT $4 OFFSET $5",
        )
        .bind(&filter.location_id)
        .bind(&filter.sku)
        .bind(&filter.merchant_id)
        .bind(filter.page.limit)
        .bind(filter.page.offset)
        .bind(filter.now_ms)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                let on_hand: i64 = row.try_get("on_hand")?;
                let reserved: i64 = row.try_get("reserved")?;
                Ok(StockRow {
                    sku: row.try_get("sku")?,
                    location_id: row.try_get("location_id")?,
                    on_hand,
                    reserved,
                    available: on_hand - reserved,
                })
            })
            .collect()
    }

    async fn upsert_channel_allocation(&self, allocation: &ChannelAllocationRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO channel_allocations (location_id, channel, safety_buffer, enabled, hold_ttl_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (location_id, channel) DO UPDATE SET \
             safety_buffer = excluded.safety_buffer, enabled = excluded.enabled, hold_ttl_ms = excluded.hold_ttl_ms, \
             updated_at_ms = excluded.updated_at_ms",
        )
        .bind(&allocation.location_id)
        .bind(&allocation.channel)
        .bind(allocation.safety_buffer)
        .bind(flag(allocation.enabled))
        .bind(allocation.hold_ttl_ms)
        .bind(allocation.updated_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn list_channel_allocations(&self, location_id: &str) -> StoreResult<Vec<ChannelAllocationRow>> {
        let rows = sqlx::query(
            "SELECT location_id, channel, safety_buffer, enabled, hold_ttl_ms, updated_at_ms FROM channel_allocations \
             WHERE location_id = $1 ORDER BY channel",
        )
        .bind(location_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ChannelAllocationRow {
                    location_id: row.try_get("location_id")?,
                    channel: row.try_get("channel")?,
                    safety_buffer: row.try_get("safety_buffer")?,
                    enabled: get_flag(row, "enabled")?,
                    hold_ttl_ms: row.try_get("hold_ttl_ms")?,
                    updated_at_ms: row.try_get("updated_at_ms")?,
                })
            })
            .collect()
    }
}
