//! The stock ledger: movements and levels.
//!
//! Every change is one conditional `UPDATE` whose `WHERE` carries the ledger
//! invariant (`0 ≤ reserved ≤ on_hand`), so concurrent writers on any node can
//! never break it; the table's CHECK constraint is the last line of defence.

use async_trait::async_trait;
use omnicanal_domain::DomainError;
use sqlx::Row;

use super::{flag, get_flag};
use super::{insert_outbox, stock_changed_event};
use crate::backend::SqlStore;
use crate::rows::{ChannelAllocationRow, StockFilter, StockMovementRow, StockRow};
use crate::{StockStore, StoreError, StoreResult};

#[async_trait]
impl StockStore for SqlStore {
    async fn apply_stock_movement(&self, movement: &StockMovementRow) -> StoreResult<StockRow> {
        let mut transaction = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO stock_levels (location_id, sku, merchant_id, on_hand, reserved) VALUES ($1, $2, $3, 0, 0) \
             ON CONFLICT (location_id, sku) DO NOTHING",
        )
        .bind(&movement.location_id)
        .bind(&movement.sku)
        .bind(&movement.merchant_id)
        .execute(&mut *transaction)
        .await?;
        let level = sqlx::query(
            "UPDATE stock_levels SET on_hand = on_hand + $1 \
             WHERE location_id = $2 AND sku = $3 AND on_hand + $1 >= reserved AND on_hand + $1 >= 0 \
             RETURNING on_hand, reserved",
        )
        .bind(movement.delta)
        .bind(&movement.location_id)
        .bind(&movement.sku)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(level) = level else {
            return Err(StoreError::Domain(DomainError::LedgerViolation(
                "the movement would take on-hand below zero or below what is reserved",
            )));
        };
        let on_hand: i64 = level.try_get("on_hand")?;
        let reserved: i64 = level.try_get("reserved")?;
        sqlx::query(
            "INSERT INTO stock_movements (id, location_id, sku, delta, reason, created_by, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&movement.id)
        .bind(&movement.location_id)
        .bind(&movement.sku)
        .bind(movement.delta)
        .bind(&movement.reason)
        .bind(&movement.created_by)
        .bind(movement.created_at_ms)
        .execute(&mut *transaction)
        .await?;
        let event = stock_changed_event(
            movement.event_id.clone(),
            &movement.merchant_id,
            &movement.location_id,
            &movement.sku,
            (on_hand, reserved),
            movement.created_at_ms,
        );
        insert_outbox(&mut transaction, &event).await?;
        transaction.commit().await?;
        Ok(StockRow {
            sku: movement.sku.clone(),
            location_id: movement.location_id.clone(),
            on_hand,
            reserved,
            available: on_hand - reserved,
        })
    }

    async fn list_stock(&self, filter: &StockFilter) -> StoreResult<Vec<StockRow>> {
        let rows = sqlx::query(
            "SELECT sku, location_id, on_hand, reserved FROM stock_levels \
             WHERE ($1 IS NULL OR location_id = $1) AND ($2 IS NULL OR sku = $2) AND ($3 IS NULL OR merchant_id = $3) \
             ORDER BY location_id, sku LIMIT $4 OFFSET $5",
        )
        .bind(&filter.location_id)
        .bind(&filter.sku)
        .bind(&filter.merchant_id)
        .bind(filter.page.limit)
        .bind(filter.page.offset)
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
            "INSERT INTO channel_allocations (location_id, channel, safety_buffer, enabled, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (location_id, channel) DO UPDATE SET \
             safety_buffer = excluded.safety_buffer, enabled = excluded.enabled, updated_at_ms = excluded.updated_at_ms",
        )
        .bind(&allocation.location_id)
        .bind(&allocation.channel)
        .bind(allocation.safety_buffer)
        .bind(flag(allocation.enabled))
        .bind(allocation.updated_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn list_channel_allocations(&self, location_id: &str) -> StoreResult<Vec<ChannelAllocationRow>> {
        let rows = sqlx::query(
            "SELECT location_id, channel, safety_buffer, enabled, updated_at_ms FROM channel_allocations \
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
                    updated_at_ms: row.try_get("updated_at_ms")?,
                })
            })
            .collect()
    }
}
