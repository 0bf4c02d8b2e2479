//! [`StockStore`]: movements, counts, transfers, levels and channel allocations. The writes
//! themselves are the ledger's conditional updates (`tx::ledger`).

use async_trait::async_trait;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::inventory::{MovementReason, TransferStatus};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::{flag, get_flag, get_parsed, get_parsed_opt, in_list};
use super::tx::Tx;
use super::tx::ledger::{ensure_level, lock_on_hand, move_stock};
use crate::backend::SqlStore;
use crate::rows::{ChannelAllocationRow, MovementRecord, Page, StockFilter, StockMovementRow, StockRow, TransferRow};
use crate::{StockStore, StoreError, StoreResult};

const MOVEMENT_COLUMNS: &str = "id, location_id, sku, delta, reason, reference, channel, created_by, created_at_ms";

fn movement_from(row: &AnyRow) -> Result<MovementRecord, sqlx::Error> {
    Ok(MovementRecord {
        id: row.try_get("id")?,
        sku: row.try_get("sku")?,
        location_id: row.try_get("location_id")?,
        delta: row.try_get("delta")?,
        reason: get_parsed(row, "reason", MovementReason::parse)?,
        reference: row.try_get("reference")?,
        channel: get_parsed_opt(row, "channel", Channel::parse)?,
        created_by: row.try_get("created_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

pub(super) fn transfer_from(row: &AnyRow) -> Result<TransferRow, sqlx::Error> {
    Ok(TransferRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        sku: row.try_get("sku")?,
        from_location_id: row.try_get("from_location_id")?,
        to_location_id: row.try_get("to_location_id")?,
        quantity: row.try_get("quantity")?,
        status: get_parsed(row, "status", TransferStatus::parse)?,
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
        let on_hand = lock_on_hand(&mut transaction, &movement.location_id, &movement.sku).await?;
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
        insert_transfer(&mut transaction, transfer).await?;
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
            return Err(StoreError::NotInTransit);
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
        .bind(allocation.channel.to_string())
        .bind(allocation.safety_buffer)
        .bind(flag(allocation.enabled))
        .bind(allocation.hold_ttl_ms)
        .bind(allocation.updated_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn list_channel_allocations(&self, location_id: &str) -> StoreResult<Vec<ChannelAllocationRow>> {
        self.list_channel_allocations_at(&[location_id.to_owned()]).await
    }

    async fn list_channel_allocations_at(&self, location_ids: &[String]) -> StoreResult<Vec<ChannelAllocationRow>> {
        if location_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT location_id, channel, safety_buffer, enabled, hold_ttl_ms, updated_at_ms FROM channel_allocations \
             WHERE location_id IN {} ORDER BY location_id, channel",
            in_list(1, location_ids.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in location_ids {
            query = query.bind(id.clone());
        }
        let rows = query.fetch_all(&self.read).await?;
        rows.iter()
            .map(|row| {
                Ok(ChannelAllocationRow {
                    location_id: row.try_get("location_id")?,
                    channel: get_parsed(row, "channel", Channel::parse)?,
                    safety_buffer: row.try_get("safety_buffer")?,
                    enabled: get_flag(row, "enabled")?,
                    hold_ttl_ms: row.try_get("hold_ttl_ms")?,
                    updated_at_ms: row.try_get("updated_at_ms")?,
                })
            })
            .collect()
    }
}

/// Writes a transfer's row inside the caller's transaction (a sent transfer, or one a stock
/// conflict's resolution records as received at once).
pub(crate) async fn insert_transfer(transaction: &mut Tx, transfer: &TransferRow) -> StoreResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO stock_transfers ({TRANSFER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    )))
    .bind(&transfer.id)
    .bind(&transfer.merchant_id)
    .bind(&transfer.sku)
    .bind(&transfer.from_location_id)
    .bind(&transfer.to_location_id)
    .bind(transfer.quantity)
    .bind(transfer.status.as_str())
    .bind(&transfer.created_by)
    .bind(transfer.created_at_ms)
    .bind(transfer.received_at_ms)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}
