//! [`OrderStore`]: placement (through the group-commit writer on SQLite), transitions with
//! their stock and money effects, the sweep of lapsed holds, and reads.

use async_trait::async_trait;
use sqlx::Row;

use super::order_rows::{
    attach_lines, fulfillment_columns, fulfillment_from, line_from, read_order, read_part, settlement_part_from,
};
use super::tx::holds::expire_holds_in;
use super::tx::transition::apply_change_in;
use crate::backend::SqlStore;
use crate::rows::{FulfillmentChange, FulfillmentRecord, NewOrder, OrderRecord, Page, SettlementPartRow};
use crate::{OrderStore, StoreError, StoreResult};
use omnicanal_domain::fulfillment::FulfillmentStatus;

#[async_trait]
impl OrderStore for SqlStore {
    async fn place_order(&self, new_order: &NewOrder) -> StoreResult<OrderRecord> {
        self.place(new_order).await
    }

    async fn catalog_generation(&self) -> StoreResult<i64> {
        Ok(super::tx::catalog::read_generation(&self.read).await?)
    }

    async fn get_order(&self, id: &str) -> StoreResult<Option<OrderRecord>> {
        Ok(read_order(&self.read, id).await?)
    }

    async fn get_fulfillment(&self, id: &str) -> StoreResult<Option<FulfillmentRecord>> {
        Ok(read_part(&self.read, id).await?)
    }

    async fn list_location_fulfillments(
        &self,
        location_id: &str,
        status: Option<FulfillmentStatus>,
        page: Page,
    ) -> StoreResult<Vec<FulfillmentRecord>> {
        let status = status.map(FulfillmentStatus::as_str);
        let rows = sqlx::query(concat!(
            "SELECT ",
            fulfillment_columns!(),
            " FROM fulfillments WHERE location_id = $1 AND ($2 IS NULL OR status = $2) \
             ORDER BY created_at_ms DESC, id DESC LIMIT $3 OFFSET $4"
        ))
        .bind(location_id)
        .bind(status)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        let mut parts: Vec<FulfillmentRecord> = rows.iter().map(fulfillment_from).collect::<Result<_, _>>()?;
        if parts.is_empty() {
            return Ok(parts);
        }
        let lines = sqlx::query(
            "SELECT l.fulfillment_id, l.sku, l.quantity, l.unit_price_minor, l.total_minor, l.track_stock, l.name, \
             l.gross_minor, l.discount_minor, l.tax_code, l.tax_rate_bps, l.tax_minor, \
             l.modifiers_json, l.note \
             FROM fulfillment_lines l JOIN fulfillments f ON f.id = l.fulfillment_id \
             WHERE f.location_id = $1 AND ($2 IS NULL OR f.status = $2) \
             ORDER BY l.fulfillment_id, l.position",
        )
        .bind(location_id)
        .bind(status)
        .fetch_all(&self.read)
        .await?;
        attach_lines(&mut parts, lines.iter().map(line_from).collect::<Result<_, _>>()?);
        Ok(parts)
    }

    async fn apply_transition(&self, change: &FulfillmentChange) -> StoreResult<OrderRecord> {
        let mut transaction = self.write.begin().await?;
        let part = apply_change_in(&mut transaction, change).await?;
        transaction.commit().await?;
        read_order(&self.write, &part.order_id).await?.ok_or(StoreError::NotFound)
    }

    async fn expire_due_holds(&self, now_ms: i64, limit: i64) -> StoreResult<usize> {
        let mut transaction = self.write.begin().await?;
        let expired = expire_holds_in(&mut transaction, None, now_ms, limit).await?;
        transaction.commit().await?;
        Ok(expired)
    }

    async fn merchant_money(&self, merchant_id: &str, from_ms: i64, to_ms: i64) -> StoreResult<Vec<SettlementPartRow>> {
        let rows = sqlx::query(
            "SELECT captured_minor, refunded_minor, merchant_funded_minor, operator_funded_minor, status FROM fulfillments \
             WHERE merchant_id = $1 AND created_at_ms >= $2 AND created_at_ms < $3",
        )
        .bind(merchant_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(settlement_part_from).collect::<Result<_, _>>()?)
    }

    async fn get_order_quote(&self, id: &str) -> StoreResult<Option<String>> {
        let row =
            sqlx::query("SELECT quote_json FROM orders WHERE id = $1").bind(id).fetch_optional(&self.read).await?;
        Ok(row.map(|row| row.try_get::<Option<String>, _>("quote_json")).transpose()?.flatten())
    }
}
