//! [`PosPrintStore`]: a till's network printer and the digital receipts' links.
//!
//! Both are small single-row writes outside any sale's transaction: a printer setting or a
//! link never changes stock or money, and the use cases check the till or sale exists (and
//! who may touch it) before writing.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::backend::SqlStore;
use crate::rows::{PosDigitalReceiptRow, PosPrinterRow};
use crate::{PosPrintStore, StoreResult};

fn printer_from(row: &AnyRow) -> Result<PosPrinterRow, sqlx::Error> {
    Ok(PosPrinterRow {
        device_id: row.try_get("device_id")?,
        host: row.try_get("host")?,
        port: row.try_get("port")?,
        updated_by: row.try_get("updated_by")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}

fn receipt_from(row: &AnyRow) -> Result<PosDigitalReceiptRow, sqlx::Error> {
    Ok(PosDigitalReceiptRow {
        token_hash: row.try_get("token_hash")?,
        sale_id: row.try_get("sale_id")?,
        created_by: row.try_get("created_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

#[async_trait]
impl PosPrintStore for SqlStore {
    async fn set_pos_printer(&self, printer: &PosPrinterRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pos_device_printers (device_id, host, port, updated_by, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (device_id) DO UPDATE SET host = excluded.host, port = excluded.port, \
             updated_by = excluded.updated_by, updated_at_ms = excluded.updated_at_ms",
        )
        .bind(&printer.device_id)
        .bind(&printer.host)
        .bind(printer.port)
        .bind(&printer.updated_by)
        .bind(printer.updated_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn clear_pos_printer(&self, device_id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM pos_device_printers WHERE device_id = $1")
            .bind(device_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn get_pos_printer(&self, device_id: &str) -> StoreResult<Option<PosPrinterRow>> {
        let row = sqlx::query(
            "SELECT device_id, host, port, updated_by, updated_at_ms FROM pos_device_printers WHERE device_id = $1",
        )
        .bind(device_id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(printer_from).transpose()?)
    }

    async fn insert_pos_digital_receipt(&self, receipt: &PosDigitalReceiptRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pos_digital_receipts (token_hash, sale_id, created_by, created_at_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(&receipt.token_hash)
        .bind(&receipt.sale_id)
        .bind(&receipt.created_by)
        .bind(receipt.created_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn get_pos_digital_receipt(&self, token_hash: &str) -> StoreResult<Option<PosDigitalReceiptRow>> {
        let row = sqlx::query(
            "SELECT token_hash, sale_id, created_by, created_at_ms FROM pos_digital_receipts WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(receipt_from).transpose()?)
    }

    async fn count_pos_digital_receipts(&self, sale_id: &str) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM pos_digital_receipts WHERE sale_id = $1")
            .bind(sale_id)
            .fetch_one(&self.read)
            .await?;
        Ok(row.try_get("n")?)
    }
}
