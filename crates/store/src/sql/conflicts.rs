//! [`StockConflictStore`]: stock conflicts as the manager reads and resolves them.
//!
//! A conflict is read joined with the sale that found it and the order named on it, so the
//! page and the API can say in words what happened without a query per row. A resolution is
//! one transaction: the conflict's conditional `open → resolved` update comes first, so two
//! managers pressing at once cannot both resolve it (the second finds it resolved), and every
//! movement after it goes through the ledger's conditional updates (`move_stock`), so a
//! transfer's source that lacks the units or a count below what orders hold undoes the whole
//! resolution, conflict included.

use async_trait::async_trait;
use omnicanal_domain::inventory::MovementReason;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::outbox::insert_event;
use super::pos::conflict_from;
use super::stock::insert_transfer;
use super::tx::ledger::{ensure_level, lock_on_hand, move_stock};
use crate::backend::SqlStore;
use crate::rows::{
    ConflictResolveOutcome, NewConflictResolution, Page, PriceDifferenceRow, StockConflictDetailRow, StockMovementRow,
};
use crate::{StockConflictStore, StoreError, StoreResult};

/// The conflict's columns, its sale's and its order's (the part at the conflict's location).
const DETAIL_SELECT: &str = "SELECT c.id, c.merchant_id, c.location_id, c.sku, c.shortfall, c.cause, c.sale_id, \
    c.order_id, c.status, c.created_at_ms, c.resolved_at_ms, c.resolved_by, c.resolution, c.resolution_json, \
    s.receipt_number, s.sold_at_ms, s.recorded_at_ms AS sale_recorded_at_ms, \
    o.number AS order_number, o.channel AS order_channel, o.created_at_ms AS order_created_at_ms, \
    (SELECT f.id FROM fulfillments f WHERE f.order_id = c.order_id AND f.location_id = c.location_id \
     ORDER BY f.id LIMIT 1) AS order_part_id, \
    (SELECT f.status FROM fulfillments f WHERE f.order_id = c.order_id AND f.location_id = c.location_id \
     ORDER BY f.id LIMIT 1) AS order_part_status \
    FROM stock_conflicts c LEFT JOIN pos_sales s ON s.id = c.sale_id LEFT JOIN orders o ON o.id = c.order_id";

fn detail_from(row: &AnyRow) -> Result<StockConflictDetailRow, sqlx::Error> {
    Ok(StockConflictDetailRow {
        conflict: conflict_from(row)?,
        receipt_number: row.try_get("receipt_number")?,
        sold_at_ms: row.try_get("sold_at_ms")?,
        sale_recorded_at_ms: row.try_get("sale_recorded_at_ms")?,
        order_number: row.try_get("order_number")?,
        order_channel: row.try_get("order_channel")?,
        order_created_at_ms: row.try_get("order_created_at_ms")?,
        order_part_id: row.try_get("order_part_id")?,
        order_part_status: row.try_get("order_part_status")?,
        resolved_at_ms: row.try_get("resolved_at_ms")?,
        resolved_by: row.try_get("resolved_by")?,
        resolution: row.try_get("resolution")?,
        resolution_json: row.try_get("resolution_json")?,
    })
}

#[async_trait]
impl StockConflictStore for SqlStore {
    async fn get_stock_conflict_detail(&self, id: &str) -> StoreResult<Option<StockConflictDetailRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{DETAIL_SELECT} WHERE c.id = $1")))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(detail_from).transpose()?)
    }

    async fn list_stock_conflict_details(
        &self,
        location_id: &str,
        status: Option<&str>,
        page: Page,
    ) -> StoreResult<Vec<StockConflictDetailRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{DETAIL_SELECT} WHERE c.location_id = $1 AND ($2 IS NULL OR c.status = $2) \
             ORDER BY c.created_at_ms DESC, c.id DESC LIMIT $3 OFFSET $4"
        )))
        .bind(location_id)
        .bind(status)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(detail_from).collect::<Result<_, _>>()?)
    }

    async fn resolve_stock_conflict(&self, resolution: &NewConflictResolution) -> StoreResult<ConflictResolveOutcome> {
        let mut transaction = self.write.begin().await?;
        let updated = sqlx::query(
            "UPDATE stock_conflicts SET status = 'resolved', resolved_at_ms = $1, resolved_by = $2, resolution = $3, \
             resolution_json = $4 WHERE id = $5 AND status = 'open'",
        )
        .bind(resolution.resolved_at_ms)
        .bind(&resolution.resolved_by)
        .bind(&resolution.action)
        .bind(&resolution.resolution_json)
        .bind(&resolution.conflict_id)
        .execute(&mut *transaction)
        .await?;
        if updated.rows_affected() != 1 {
            let exists = sqlx::query("SELECT id FROM stock_conflicts WHERE id = $1")
                .bind(&resolution.conflict_id)
                .fetch_optional(&mut *transaction)
                .await?;
            return Ok(if exists.is_some() {
                ConflictResolveOutcome::AlreadyResolved
            } else {
                ConflictResolveOutcome::Missing
            });
        }
        if let Some(count) = &resolution.count {
            ensure_level(&mut transaction, &count.movement).await?;
            let on_hand = lock_on_hand(&mut transaction, &count.movement.location_id, &count.movement.sku).await?;
            let counted = StockMovementRow { delta: count.counted - on_hand, ..count.movement.clone() };
            move_stock(&mut transaction, &counted).await?;
        }
        if let Some(transfer) = &resolution.transfer {
            insert_transfer(&mut transaction, transfer).await?;
        }
        for movement in &resolution.movements {
            match move_stock(&mut transaction, movement).await {
                Ok(_) => {}
                // The source of a transfer lacks the units: say which SKU, as an order would.
                Err(StoreError::LedgerRefused) if movement.reason == MovementReason::TransferOut => {
                    return Err(StoreError::InsufficientStock { sku: movement.sku.clone() });
                }
                Err(error) => return Err(error),
            }
        }
        insert_event(&mut transaction, resolution.event.clone()).await?;
        transaction.commit().await?;
        Ok(ConflictResolveOutcome::Resolved)
    }

    async fn flag_pos_price_difference(&self, sale_id: &str, difference_minor: i64) -> StoreResult<()> {
        sqlx::query("UPDATE pos_sales SET price_difference_minor = $1 WHERE id = $2")
            .bind(difference_minor)
            .bind(sale_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn list_pos_price_differences(&self, location_id: &str, limit: i64) -> StoreResult<Vec<PriceDifferenceRow>> {
        let rows = sqlx::query(
            "SELECT id, receipt_number, sold_at_ms, total_minor, price_difference_minor, currency FROM pos_sales \
             WHERE location_id = $1 AND price_difference_minor <> 0 ORDER BY recorded_at_ms DESC, id DESC LIMIT $2",
        )
        .bind(location_id)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PriceDifferenceRow {
                    sale_id: row.try_get("id")?,
                    receipt_number: row.try_get("receipt_number")?,
                    sold_at_ms: row.try_get("sold_at_ms")?,
                    total_minor: row.try_get("total_minor")?,
                    price_difference_minor: row.try_get("price_difference_minor")?,
                    currency: row.try_get("currency")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}
