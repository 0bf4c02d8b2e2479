//! [`ConnectionStore`]: shop connections (issue 16) — the link and its health, the lease that
//! lets one node at a time work a connection (so pushes reach a shop in order), the SKU
//! mappings, the coalesced push queue, the orders a shop sent (the key `(connection, remote
//! id)` makes each arrive once), the statuses owed back, conflicts, and the outbox cursor.

use async_trait::async_trait;
use omnicanal_domain::connections::{
    ConnectionStatus, ConnectorKind, FieldOwner, FieldRules, RemoteOrderStatus, ShopOrderState, SyncedField,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::{get_parsed, in_list};
use super::order_rows::currency;
use crate::backend::SqlStore;
use crate::constraints::classify;
use crate::rows::{
    ConnectionHealth, LevelRow, Page, ShopConflictRow, ShopConnectionRow, ShopMappingRow, ShopOrderRow, ShopPushRow,
    ShopStatusPushRow, ShopUnmatchedRow, SkuIndexRow,
};
use crate::{ConnectionStore, StoreError, StoreResult};

const CONNECTION_COLUMNS: &str = "id, merchant_id, kind, name, base_url, credentials_sealed, location_ids_json, \
     stock_buffer, price_list_id, currency, stock_owner, price_owner, content_owner, status, last_success_at_ms, \
     last_error, failures, next_call_at_ms, orders_since_ms, orders_polled_at_ms, sync_requested_at_ms, \
     sync_lease_until_ms, sync_total, sync_done, drift_checked_at_ms, created_at_ms, updated_at_ms";

fn connection_from(row: &AnyRow) -> Result<ShopConnectionRow, sqlx::Error> {
    let locations: String = row.try_get("location_ids_json")?;
    let location_ids = serde_json::from_str(&locations)
        .map_err(|error| sqlx::Error::ColumnDecode { index: "location_ids_json".into(), source: Box::new(error) })?;
    Ok(ShopConnectionRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        kind: get_parsed(row, "kind", ConnectorKind::parse)?,
        name: row.try_get("name")?,
        base_url: row.try_get("base_url")?,
        credentials_sealed: row.try_get("credentials_sealed")?,
        location_ids,
        stock_buffer: row.try_get("stock_buffer")?,
        price_list_id: row.try_get("price_list_id")?,
        currency: get_parsed(row, "currency", currency)?,
        rules: FieldRules {
            stock: get_parsed(row, "stock_owner", FieldOwner::parse)?,
            price: get_parsed(row, "price_owner", FieldOwner::parse)?,
            content: get_parsed(row, "content_owner", FieldOwner::parse)?,
        },
        status: get_parsed(row, "status", ConnectionStatus::parse)?,
        last_success_at_ms: row.try_get("last_success_at_ms")?,
        last_error: row.try_get("last_error")?,
        failures: row.try_get("failures")?,
        next_call_at_ms: row.try_get("next_call_at_ms")?,
        orders_since_ms: row.try_get("orders_since_ms")?,
        orders_polled_at_ms: row.try_get("orders_polled_at_ms")?,
        sync_requested_at_ms: row.try_get("sync_requested_at_ms")?,
        lease_until_ms: row.try_get("sync_lease_until_ms")?,
        sync_total: row.try_get("sync_total")?,
        sync_done: row.try_get("sync_done")?,
        drift_checked_at_ms: row.try_get("drift_checked_at_ms")?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}

const MAPPING_COLUMNS: &str = "connection_id, sku, remote_product_id, remote_variant_id, remote_inventory_id, \
     remote_sku, synced_stock, synced_price";

fn mapping_from(row: &AnyRow) -> Result<ShopMappingRow, sqlx::Error> {
    Ok(ShopMappingRow {
        connection_id: row.try_get("connection_id")?,
        sku: row.try_get("sku")?,
        remote_product_id: row.try_get("remote_product_id")?,
        remote_variant_id: row.try_get("remote_variant_id")?,
        remote_inventory_id: row.try_get("remote_inventory_id")?,
        remote_sku: row.try_get("remote_sku")?,
        synced_stock: row.try_get("synced_stock")?,
        synced_price: row.try_get("synced_price")?,
    })
}

const UNMATCHED_COLUMNS: &str = "connection_id, remote_key, remote_product_id, remote_variant_id, \
     remote_inventory_id, remote_sku, barcode, title, price_minor, stock";

fn unmatched_from(row: &AnyRow) -> Result<ShopUnmatchedRow, sqlx::Error> {
    Ok(ShopUnmatchedRow {
        connection_id: row.try_get("connection_id")?,
        remote_key: row.try_get("remote_key")?,
        remote_product_id: row.try_get("remote_product_id")?,
        remote_variant_id: row.try_get("remote_variant_id")?,
        remote_inventory_id: row.try_get("remote_inventory_id")?,
        remote_sku: row.try_get("remote_sku")?,
        barcode: row.try_get("barcode")?,
        title: row.try_get("title")?,
        price_minor: row.try_get("price_minor")?,
        stock: row.try_get("stock")?,
    })
}

fn push_from(row: &AnyRow) -> Result<ShopPushRow, sqlx::Error> {
    Ok(ShopPushRow {
        connection_id: row.try_get("connection_id")?,
        sku: row.try_get("sku")?,
        field: get_parsed(row, "field", SyncedField::parse)?,
        due_at_ms: row.try_get("due_at_ms")?,
        changed_at_ms: row.try_get("changed_at_ms")?,
        attempts: row.try_get("attempts")?,
    })
}

const ORDER_COLUMNS: &str = "connection_id, remote_id, number, state, payload_json, order_id, cause, attempts, \
     due_at_ms, received_at_ms, updated_at_ms";

fn shop_order_from(row: &AnyRow) -> Result<ShopOrderRow, sqlx::Error> {
    Ok(ShopOrderRow {
        connection_id: row.try_get("connection_id")?,
        remote_id: row.try_get("remote_id")?,
        number: row.try_get("number")?,
        state: get_parsed(row, "state", ShopOrderState::parse)?,
        payload_json: row.try_get("payload_json")?,
        order_id: row.try_get("order_id")?,
        cause: row.try_get("cause")?,
        attempts: row.try_get("attempts")?,
        due_at_ms: row.try_get("due_at_ms")?,
        received_at_ms: row.try_get("received_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}

fn status_push_from(row: &AnyRow) -> Result<ShopStatusPushRow, sqlx::Error> {
    Ok(ShopStatusPushRow {
        connection_id: row.try_get("connection_id")?,
        remote_id: row.try_get("remote_id")?,
        status: get_parsed(row, "status", RemoteOrderStatus::parse)?,
        due_at_ms: row.try_get("due_at_ms")?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
        done_at_ms: row.try_get("done_at_ms")?,
    })
}

const CONFLICT_COLUMNS: &str = "id, connection_id, kind, sku, remote_order_id, ours, theirs, detail, status, \
     resolution, detected_at_ms, resolved_at_ms, resolved_by";

fn conflict_from(row: &AnyRow) -> Result<ShopConflictRow, sqlx::Error> {
    Ok(ShopConflictRow {
        id: row.try_get("id")?,
        connection_id: row.try_get("connection_id")?,
        kind: row.try_get("kind")?,
        sku: row.try_get("sku")?,
        remote_order_id: row.try_get("remote_order_id")?,
        ours: row.try_get("ours")?,
        theirs: row.try_get("theirs")?,
        detail: row.try_get("detail")?,
        status: row.try_get("status")?,
        resolution: row.try_get("resolution")?,
        detected_at_ms: row.try_get("detected_at_ms")?,
        resolved_at_ms: row.try_get("resolved_at_ms")?,
        resolved_by: row.try_get("resolved_by")?,
    })
}

fn locations_json(ids: &[String]) -> StoreResult<String> {
    serde_json::to_string(ids).map_err(|_| StoreError::Inconsistent("location ids could not be written as JSON"))
}

/// Rows per multi-row statement (well under both backends' parameter limits).
const CHUNK: usize = 200;

#[async_trait]
impl ConnectionStore for SqlStore {
    async fn insert_connection(&self, c: &ShopConnectionRow) -> StoreResult<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO shop_connections ({CONNECTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)"
        )))
        .bind(&c.id)
        .bind(&c.merchant_id)
        .bind(c.kind.as_str())
        .bind(&c.name)
        .bind(&c.base_url)
        .bind(&c.credentials_sealed)
        .bind(locations_json(&c.location_ids)?)
        .bind(c.stock_buffer)
        .bind(&c.price_list_id)
        .bind(c.currency.code())
        .bind(c.rules.stock.as_str())
        .bind(c.rules.price.as_str())
        .bind(c.rules.content.as_str())
        .bind(c.status.as_str())
        .bind(c.last_success_at_ms)
        .bind(&c.last_error)
        .bind(c.failures)
        .bind(c.next_call_at_ms)
        .bind(c.orders_since_ms)
        .bind(c.orders_polled_at_ms)
        .bind(c.sync_requested_at_ms)
        .bind(c.lease_until_ms)
        .bind(c.sync_total)
        .bind(c.sync_done)
        .bind(c.drift_checked_at_ms)
        .bind(c.created_at_ms)
        .bind(c.updated_at_ms)
        .execute(&self.write)
        .await
        .map_err(classify)?;
        Ok(())
    }

    async fn get_connection(&self, id: &str) -> StoreResult<Option<ShopConnectionRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CONNECTION_COLUMNS} FROM shop_connections WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(connection_from).transpose()?)
    }

    async fn list_connections(&self, merchant_id: Option<&str>) -> StoreResult<Vec<ShopConnectionRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CONNECTION_COLUMNS} FROM shop_connections WHERE ($1 IS NULL OR merchant_id = $1) \
             ORDER BY created_at_ms, id"
        )))
        .bind(merchant_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(connection_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn update_connection_settings(&self, c: &ShopConnectionRow) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE shop_connections SET name = $1, base_url = $2, credentials_sealed = $3, location_ids_json = $4, \
             stock_buffer = $5, price_list_id = $6, stock_owner = $7, price_owner = $8, content_owner = $9, \
             status = $10, last_error = $11, failures = $12, next_call_at_ms = $13, updated_at_ms = $14 WHERE id = $15",
        )
        .bind(&c.name)
        .bind(&c.base_url)
        .bind(&c.credentials_sealed)
        .bind(locations_json(&c.location_ids)?)
        .bind(c.stock_buffer)
        .bind(&c.price_list_id)
        .bind(c.rules.stock.as_str())
        .bind(c.rules.price.as_str())
        .bind(c.rules.content.as_str())
        .bind(c.status.as_str())
        .bind(&c.last_error)
        .bind(c.failures)
        .bind(c.next_call_at_ms)
        .bind(c.updated_at_ms)
        .bind(&c.id)
        .execute(&self.write)
        .await
        .map_err(classify)?;
        Ok(done.rows_affected() > 0)
    }

    async fn record_connection_health(&self, id: &str, health: &ConnectionHealth, now_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE shop_connections SET status = $1, last_success_at_ms = $2, last_error = $3, failures = $4, \
             next_call_at_ms = $5, updated_at_ms = $6 WHERE id = $7",
        )
        .bind(health.status.as_str())
        .bind(health.last_success_at_ms)
        .bind(&health.last_error)
        .bind(health.failures)
        .bind(health.next_call_at_ms)
        .bind(now_ms)
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn lease_connection(&self, id: &str, now_ms: i64, until_ms: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE shop_connections SET sync_lease_until_ms = $1 WHERE id = $2 AND sync_lease_until_ms <= $3",
        )
        .bind(until_ms)
        .bind(id)
        .bind(now_ms)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn release_connection(&self, id: &str, held_until_ms: i64) -> StoreResult<()> {
        sqlx::query("UPDATE shop_connections SET sync_lease_until_ms = 0 WHERE id = $1 AND sync_lease_until_ms >= $2")
            .bind(id)
            .bind(held_until_ms)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn renew_connection_lease(&self, id: &str, until_ms: i64) -> StoreResult<()> {
        sqlx::query("UPDATE shop_connections SET sync_lease_until_ms = $1 WHERE id = $2 AND sync_lease_until_ms < $1")
            .bind(until_ms)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn request_connection_sync(&self, id: &str, now_ms: i64) -> StoreResult<bool> {
        // A resync is a person's "try now": it also lifts the backoff and a stop on credentials.
        let done = sqlx::query(
            "UPDATE shop_connections SET sync_requested_at_ms = $1, sync_total = 0, sync_done = 0, \
             next_call_at_ms = 0, updated_at_ms = $1 WHERE id = $2",
        )
        .bind(now_ms)
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn record_sync_progress(&self, id: &str, done: i64, total: i64, now_ms: i64) -> StoreResult<()> {
        sqlx::query("UPDATE shop_connections SET sync_done = $1, sync_total = $2, updated_at_ms = $3 WHERE id = $4")
            .bind(done)
            .bind(total)
            .bind(now_ms)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn finish_connection_sync(&self, id: &str, requested_at_ms: i64, now_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE shop_connections SET sync_requested_at_ms = NULL, updated_at_ms = $1 \
             WHERE id = $2 AND sync_requested_at_ms = $3",
        )
        .bind(now_ms)
        .bind(id)
        .bind(requested_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn record_orders_polled(&self, id: &str, since_ms: i64, polled_at_ms: i64) -> StoreResult<()> {
        sqlx::query("UPDATE shop_connections SET orders_since_ms = $1, orders_polled_at_ms = $2 WHERE id = $3")
            .bind(since_ms)
            .bind(polled_at_ms)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn record_drift_checked(&self, id: &str, now_ms: i64) -> StoreResult<()> {
        sqlx::query("UPDATE shop_connections SET drift_checked_at_ms = $1 WHERE id = $2")
            .bind(now_ms)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn upsert_mappings(&self, mappings: &[ShopMappingRow]) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        for m in mappings {
            // Another item of the shop now holds the SKU: what was agreed with the old one is void.
            sqlx::query(
                "INSERT INTO shop_mappings (connection_id, sku, remote_product_id, remote_variant_id, \
                 remote_inventory_id, remote_sku, synced_stock, synced_price) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (connection_id, sku) DO UPDATE SET \
                 synced_stock = CASE WHEN shop_mappings.remote_product_id = excluded.remote_product_id \
                   THEN COALESCE(excluded.synced_stock, shop_mappings.synced_stock) ELSE excluded.synced_stock END, \
                 synced_price = CASE WHEN shop_mappings.remote_product_id = excluded.remote_product_id \
                   THEN COALESCE(excluded.synced_price, shop_mappings.synced_price) ELSE excluded.synced_price END, \
                 remote_product_id = excluded.remote_product_id, remote_variant_id = excluded.remote_variant_id, \
                 remote_inventory_id = excluded.remote_inventory_id, remote_sku = excluded.remote_sku",
            )
            .bind(&m.connection_id)
            .bind(&m.sku)
            .bind(&m.remote_product_id)
            .bind(&m.remote_variant_id)
            .bind(&m.remote_inventory_id)
            .bind(&m.remote_sku)
            .bind(m.synced_stock)
            .bind(m.synced_price)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn list_mappings(&self, connection_id: &str, skus: Option<&[String]>) -> StoreResult<Vec<ShopMappingRow>> {
        let Some(skus) = skus else {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {MAPPING_COLUMNS} FROM shop_mappings WHERE connection_id = $1 ORDER BY sku"
            )))
            .bind(connection_id)
            .fetch_all(&self.read)
            .await?;
            return Ok(rows.iter().map(mapping_from).collect::<Result<Vec<_>, _>>()?);
        };
        let mut found = Vec::new();
        for chunk in skus.chunks(CHUNK) {
            let sql = format!(
                "SELECT {MAPPING_COLUMNS} FROM shop_mappings WHERE connection_id = $1 AND sku IN {} ORDER BY sku",
                in_list(2, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(connection_id);
            for sku in chunk {
                query = query.bind(sku);
            }
            let rows = query.fetch_all(&self.read).await?;
            found.extend(rows.iter().map(mapping_from).collect::<Result<Vec<_>, _>>()?);
        }
        Ok(found)
    }

    async fn count_mappings(&self, connection_id: &str) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM shop_mappings WHERE connection_id = $1")
            .bind(connection_id)
            .fetch_one(&self.read)
            .await?;
        Ok(row.try_get("n")?)
    }

    async fn merchant_mappings(&self, merchant_id: &str, skus: &[String]) -> StoreResult<Vec<ShopMappingRow>> {
        let mut found = Vec::new();
        for chunk in skus.chunks(CHUNK) {
            let sql = format!(
                "SELECT m.connection_id, m.sku, m.remote_product_id, m.remote_variant_id, m.remote_inventory_id, \
                 m.remote_sku, m.synced_stock, m.synced_price FROM shop_mappings m \
                 JOIN shop_connections c ON c.id = m.connection_id WHERE c.merchant_id = $1 AND m.sku IN {}",
                in_list(2, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(merchant_id);
            for sku in chunk {
                query = query.bind(sku);
            }
            let rows = query.fetch_all(&self.read).await?;
            found.extend(rows.iter().map(mapping_from).collect::<Result<Vec<_>, _>>()?);
        }
        Ok(found)
    }

    async fn record_synced(
        &self,
        connection_id: &str,
        field: SyncedField,
        values: &[(String, i64)],
    ) -> StoreResult<()> {
        let sql = match field {
            SyncedField::Stock => "UPDATE shop_mappings SET synced_stock = $1 WHERE connection_id = $2 AND sku = $3",
            SyncedField::Price => "UPDATE shop_mappings SET synced_price = $1 WHERE connection_id = $2 AND sku = $3",
            SyncedField::Content => return Ok(()),
        };
        let mut transaction = self.write.begin().await?;
        for (sku, value) in values {
            sqlx::query(sql).bind(value).bind(connection_id).bind(sku).execute(&mut *transaction).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn clear_unmatched(&self, connection_id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM shop_unmatched WHERE connection_id = $1")
            .bind(connection_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn upsert_unmatched(&self, items: &[ShopUnmatchedRow]) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        for item in items {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO shop_unmatched ({UNMATCHED_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (connection_id, remote_key) DO UPDATE SET remote_sku = excluded.remote_sku, \
                 barcode = excluded.barcode, title = excluded.title, price_minor = excluded.price_minor, \
                 stock = excluded.stock"
            )))
            .bind(&item.connection_id)
            .bind(&item.remote_key)
            .bind(&item.remote_product_id)
            .bind(&item.remote_variant_id)
            .bind(&item.remote_inventory_id)
            .bind(&item.remote_sku)
            .bind(&item.barcode)
            .bind(&item.title)
            .bind(item.price_minor)
            .bind(item.stock)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn list_unmatched(&self, connection_id: &str, page: Page) -> StoreResult<(Vec<ShopUnmatchedRow>, i64)> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {UNMATCHED_COLUMNS} FROM shop_unmatched WHERE connection_id = $1 ORDER BY title, remote_key \
             LIMIT $2 OFFSET $3"
        )))
        .bind(connection_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM shop_unmatched WHERE connection_id = $1")
            .bind(connection_id)
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        Ok((rows.iter().map(unmatched_from).collect::<Result<Vec<_>, _>>()?, total))
    }

    async fn get_unmatched(&self, connection_id: &str, remote_key: &str) -> StoreResult<Option<ShopUnmatchedRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {UNMATCHED_COLUMNS} FROM shop_unmatched WHERE connection_id = $1 AND remote_key = $2"
        )))
        .bind(connection_id)
        .bind(remote_key)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(unmatched_from).transpose()?)
    }

    async fn delete_unmatched(&self, connection_id: &str, remote_key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM shop_unmatched WHERE connection_id = $1 AND remote_key = $2")
            .bind(connection_id)
            .bind(remote_key)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn enqueue_pushes(&self, pushes: &[ShopPushRow]) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        for push in pushes {
            sqlx::query(
                "INSERT INTO shop_push_queue (connection_id, sku, field, due_at_ms, changed_at_ms, attempts, \
                 claimed_until_ms) VALUES ($1, $2, $3, $4, $5, 0, 0) \
                 ON CONFLICT (connection_id, sku, field) DO UPDATE SET \
                 changed_at_ms = CASE WHEN excluded.changed_at_ms > shop_push_queue.changed_at_ms \
                   THEN excluded.changed_at_ms ELSE shop_push_queue.changed_at_ms END, \
                 due_at_ms = CASE WHEN shop_push_queue.attempts = 0 AND excluded.due_at_ms < shop_push_queue.due_at_ms \
                   THEN excluded.due_at_ms ELSE shop_push_queue.due_at_ms END",
            )
            .bind(&push.connection_id)
            .bind(&push.sku)
            .bind(push.field.as_str())
            .bind(push.due_at_ms)
            .bind(push.changed_at_ms)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn due_pushes(
        &self,
        connection_id: &str,
        field: SyncedField,
        now_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<ShopPushRow>> {
        let rows = sqlx::query(
            "SELECT connection_id, sku, field, due_at_ms, changed_at_ms, attempts FROM shop_push_queue \
             WHERE connection_id = $1 AND field = $2 AND due_at_ms <= $3 ORDER BY changed_at_ms, sku LIMIT $4",
        )
        .bind(connection_id)
        .bind(field.as_str())
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.write)
        .await?;
        Ok(rows.iter().map(push_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn complete_pushes(&self, pushes: &[ShopPushRow]) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        for push in pushes {
            sqlx::query(
                "DELETE FROM shop_push_queue WHERE connection_id = $1 AND sku = $2 AND field = $3 \
                 AND changed_at_ms <= $4",
            )
            .bind(&push.connection_id)
            .bind(&push.sku)
            .bind(push.field.as_str())
            .bind(push.changed_at_ms)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn defer_pushes(&self, pushes: &[ShopPushRow], due_at_ms: i64) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        for push in pushes {
            sqlx::query(
                "UPDATE shop_push_queue SET due_at_ms = $1, attempts = attempts + 1 \
                 WHERE connection_id = $2 AND sku = $3 AND field = $4",
            )
            .bind(due_at_ms)
            .bind(&push.connection_id)
            .bind(&push.sku)
            .bind(push.field.as_str())
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn push_backlog(&self, connection_id: &str) -> StoreResult<(i64, Option<i64>)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(changed_at_ms) AS oldest FROM shop_push_queue WHERE connection_id = $1",
        )
        .bind(connection_id)
        .fetch_one(&self.read)
        .await?;
        Ok((row.try_get("n")?, row.try_get("oldest")?))
    }

    async fn insert_shop_order(&self, o: &ShopOrderRow) -> StoreResult<bool> {
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO shop_orders ({ORDER_COLUMNS}, claimed_until_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0) \
             ON CONFLICT (connection_id, remote_id) DO NOTHING"
        )))
        .bind(&o.connection_id)
        .bind(&o.remote_id)
        .bind(&o.number)
        .bind(o.state.as_str())
        .bind(&o.payload_json)
        .bind(&o.order_id)
        .bind(&o.cause)
        .bind(o.attempts)
        .bind(o.due_at_ms)
        .bind(o.received_at_ms)
        .bind(o.updated_at_ms)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn due_shop_orders(&self, connection_id: &str, now_ms: i64, limit: i64) -> StoreResult<Vec<ShopOrderRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORDER_COLUMNS} FROM shop_orders WHERE connection_id = $1 AND state = 'received' \
             AND due_at_ms <= $2 ORDER BY received_at_ms, remote_id LIMIT $3"
        )))
        .bind(connection_id)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.write)
        .await?;
        Ok(rows.iter().map(shop_order_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn update_shop_order(&self, o: &ShopOrderRow) -> StoreResult<()> {
        sqlx::query(
            "UPDATE shop_orders SET state = $1, order_id = $2, cause = $3, attempts = $4, due_at_ms = $5, \
             updated_at_ms = $6 WHERE connection_id = $7 AND remote_id = $8",
        )
        .bind(o.state.as_str())
        .bind(&o.order_id)
        .bind(&o.cause)
        .bind(o.attempts)
        .bind(o.due_at_ms)
        .bind(o.updated_at_ms)
        .bind(&o.connection_id)
        .bind(&o.remote_id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn get_shop_order(&self, connection_id: &str, remote_id: &str) -> StoreResult<Option<ShopOrderRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORDER_COLUMNS} FROM shop_orders WHERE connection_id = $1 AND remote_id = $2"
        )))
        .bind(connection_id)
        .bind(remote_id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(shop_order_from).transpose()?)
    }

    async fn shop_order_for(&self, order_id: &str) -> StoreResult<Option<ShopOrderRow>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ORDER_COLUMNS} FROM shop_orders WHERE order_id = $1")))
                .bind(order_id)
                .fetch_optional(&self.read)
                .await?;
        Ok(row.as_ref().map(shop_order_from).transpose()?)
    }

    async fn list_shop_orders(
        &self,
        connection_id: &str,
        state: Option<ShopOrderState>,
        page: Page,
    ) -> StoreResult<(Vec<ShopOrderRow>, i64)> {
        let state = state.map(ShopOrderState::as_str);
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORDER_COLUMNS} FROM shop_orders WHERE connection_id = $1 AND ($2 IS NULL OR state = $2) \
             ORDER BY received_at_ms DESC, remote_id LIMIT $3 OFFSET $4"
        )))
        .bind(connection_id)
        .bind(state)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        let total: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM shop_orders WHERE connection_id = $1 AND ($2 IS NULL OR state = $2)",
        )
        .bind(connection_id)
        .bind(state)
        .fetch_one(&self.read)
        .await?
        .try_get("n")?;
        Ok((rows.iter().map(shop_order_from).collect::<Result<Vec<_>, _>>()?, total))
    }

    async fn enqueue_status_push(&self, p: &ShopStatusPushRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO shop_status_pushes (connection_id, remote_id, status, due_at_ms, attempts, last_error, \
             done_at_ms) VALUES ($1, $2, $3, $4, 0, NULL, NULL) ON CONFLICT (connection_id, remote_id, status) DO NOTHING",
        )
        .bind(&p.connection_id)
        .bind(&p.remote_id)
        .bind(p.status.as_str())
        .bind(p.due_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn due_status_pushes(
        &self,
        connection_id: &str,
        now_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<ShopStatusPushRow>> {
        let rows = sqlx::query(
            "SELECT connection_id, remote_id, status, due_at_ms, attempts, last_error, done_at_ms \
             FROM shop_status_pushes WHERE connection_id = $1 AND done_at_ms IS NULL AND due_at_ms <= $2 \
             ORDER BY due_at_ms, remote_id LIMIT $3",
        )
        .bind(connection_id)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.write)
        .await?;
        Ok(rows.iter().map(status_push_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn update_status_push(&self, p: &ShopStatusPushRow) -> StoreResult<()> {
        sqlx::query(
            "UPDATE shop_status_pushes SET due_at_ms = $1, attempts = $2, last_error = $3, done_at_ms = $4 \
             WHERE connection_id = $5 AND remote_id = $6 AND status = $7",
        )
        .bind(p.due_at_ms)
        .bind(p.attempts)
        .bind(&p.last_error)
        .bind(p.done_at_ms)
        .bind(&p.connection_id)
        .bind(&p.remote_id)
        .bind(p.status.as_str())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn insert_shop_conflict(&self, c: &ShopConflictRow) -> StoreResult<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO shop_conflicts ({CONFLICT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        )))
        .bind(&c.id)
        .bind(&c.connection_id)
        .bind(&c.kind)
        .bind(&c.sku)
        .bind(&c.remote_order_id)
        .bind(c.ours)
        .bind(c.theirs)
        .bind(&c.detail)
        .bind(&c.status)
        .bind(&c.resolution)
        .bind(c.detected_at_ms)
        .bind(c.resolved_at_ms)
        .bind(&c.resolved_by)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn list_shop_conflicts(
        &self,
        connection_id: &str,
        open_only: bool,
        page: Page,
    ) -> StoreResult<(Vec<ShopConflictRow>, i64)> {
        let filter = if open_only { " AND status = 'open'" } else { "" };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CONFLICT_COLUMNS} FROM shop_conflicts WHERE connection_id = $1{filter} \
             ORDER BY detected_at_ms DESC, id LIMIT $2 OFFSET $3"
        )))
        .bind(connection_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM shop_conflicts WHERE connection_id = $1{filter}"
        )))
        .bind(connection_id)
        .fetch_one(&self.read)
        .await?
        .try_get("n")?;
        Ok((rows.iter().map(conflict_from).collect::<Result<Vec<_>, _>>()?, total))
    }

    async fn get_shop_conflict(&self, id: &str) -> StoreResult<Option<ShopConflictRow>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {CONFLICT_COLUMNS} FROM shop_conflicts WHERE id = $1")))
                .bind(id)
                .fetch_optional(&self.read)
                .await?;
        Ok(row.as_ref().map(conflict_from).transpose()?)
    }

    async fn resolve_shop_conflict(
        &self,
        id: &str,
        resolution: &str,
        by: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE shop_conflicts SET status = 'resolved', resolution = $1, resolved_by = $2, resolved_at_ms = $3 \
             WHERE id = $4 AND status = 'open'",
        )
        .bind(resolution)
        .bind(by)
        .bind(now_ms)
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn open_conflict_exists(
        &self,
        connection_id: &str,
        kind: &str,
        sku: Option<&str>,
        remote_order_id: Option<&str>,
    ) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM shop_conflicts WHERE connection_id = $1 AND kind = $2 AND status = 'open' \
             AND ($3 IS NULL OR sku = $3) AND ($4 IS NULL OR remote_order_id = $4)",
        )
        .bind(connection_id)
        .bind(kind)
        .bind(sku)
        .bind(remote_order_id)
        .fetch_one(&self.read)
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    async fn outbox_cursor(&self, consumer: &str) -> StoreResult<i64> {
        let row = sqlx::query("SELECT last_seq FROM shop_outbox_cursor WHERE consumer = $1")
            .bind(consumer)
            .fetch_optional(&self.write)
            .await?;
        Ok(row.map(|row| row.try_get("last_seq")).transpose()?.unwrap_or(0))
    }

    async fn advance_outbox_cursor(&self, consumer: &str, seq: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO shop_outbox_cursor (consumer, last_seq) VALUES ($1, $2) ON CONFLICT (consumer) DO UPDATE \
             SET last_seq = CASE WHEN excluded.last_seq > shop_outbox_cursor.last_seq \
               THEN excluded.last_seq ELSE shop_outbox_cursor.last_seq END",
        )
        .bind(consumer)
        .bind(seq)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn merchant_sku_index(&self, merchant_id: &str) -> StoreResult<Vec<SkuIndexRow>> {
        let rows = sqlx::query("SELECT sku, barcode, price_minor FROM variants WHERE merchant_id = $1 ORDER BY sku")
            .bind(merchant_id)
            .fetch_all(&self.read)
            .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(SkuIndexRow {
                    sku: row.try_get("sku")?,
                    barcode: row.try_get("barcode")?,
                    price_minor: row.try_get("price_minor")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?)
    }

    async fn levels_at(&self, location_ids: &[String], skus: &[String]) -> StoreResult<Vec<LevelRow>> {
        let mut found = Vec::new();
        if location_ids.is_empty() {
            return Ok(found);
        }
        for chunk in skus.chunks(CHUNK) {
            let sql = format!(
                "SELECT location_id, sku, on_hand, reserved FROM stock_levels WHERE location_id IN {} AND sku IN {}",
                in_list(1, location_ids.len()),
                in_list(location_ids.len() + 1, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in location_ids {
                query = query.bind(id);
            }
            for sku in chunk {
                query = query.bind(sku);
            }
            let rows = query.fetch_all(&self.read).await?;
            for row in &rows {
                found.push(LevelRow {
                    location_id: row.try_get("location_id")?,
                    sku: row.try_get("sku")?,
                    on_hand: row.try_get("on_hand")?,
                    reserved: row.try_get("reserved")?,
                });
            }
        }
        Ok(found)
    }

    async fn set_variant_price(&self, merchant_id: &str, sku: &str, price_minor: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE variants SET price_minor = $1 WHERE merchant_id = $2 AND sku = $3")
            .bind(price_minor)
            .bind(merchant_id)
            .bind(sku)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn connection_work_due(&self, connection_id: &str, now_ms: i64) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM shop_push_queue WHERE connection_id = $1 AND due_at_ms <= $2) + \
               (SELECT COUNT(*) FROM shop_orders WHERE connection_id = $1 AND state = 'received' AND due_at_ms <= $2) + \
               (SELECT COUNT(*) FROM shop_status_pushes WHERE connection_id = $1 AND done_at_ms IS NULL \
                  AND due_at_ms <= $2) AS n",
        )
        .bind(connection_id)
        .bind(now_ms)
        .fetch_one(&self.write)
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }
}
