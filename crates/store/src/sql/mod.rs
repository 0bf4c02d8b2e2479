//! The SQL implementation of the store traits, shared by both backends.
//!
//! One file per trait. Statements stay within the dialect SQLite and
//! PostgreSQL share; row mapping helpers live here.

mod access;
pub(crate) mod console;
mod events;
mod holds;
mod idempotency;
mod notifications;
mod orders;
pub(crate) mod placement;
mod pricing;
mod setup;
mod stock;

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::rows::OutboxRow;

pub use holds::HOLD_EXPIRED_REASON;

/// Booleans are stored as 0/1 on both backends.
pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// Reads a 0/1 column as a boolean.
pub(crate) fn get_flag(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

/// `($1, $2, …), ($n+1, …)`: the VALUES of a multi-row INSERT of `rows` rows of `columns` columns.
pub(crate) fn values_clause(rows: usize, columns: usize) -> String {
    let mut clause = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        clause.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                clause.push_str(", ");
            }
            clause.push('$');
            clause.push_str(&(row * columns + column + 1).to_string());
        }
        clause.push(')');
    }
    clause
}

/// Writes several events into the outbox with one statement, inside the caller's transaction.
pub(crate) async fn insert_outbox_many(
    transaction: &mut Transaction<'static, Any>,
    events: &[OutboxRow],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO outbox (event_id, event_type, merchant_id, order_id, location_id, sku, payload_json, created_at_ms) \
         VALUES {}",
        values_clause(events.len(), 8)
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for event in events {
        query = query
            .bind(&event.event_id)
            .bind(&event.event_type)
            .bind(&event.merchant_id)
            .bind(&event.order_id)
            .bind(&event.location_id)
            .bind(&event.sku)
            .bind(&event.payload_json)
            .bind(event.created_at_ms);
    }
    query.execute(&mut **transaction).await?;
    Ok(())
}

/// Writes an event into the outbox inside the caller's transaction.
pub(crate) async fn insert_outbox(
    transaction: &mut Transaction<'static, Any>,
    event: &OutboxRow,
) -> Result<(), sqlx::Error> {
    insert_outbox_many(transaction, std::slice::from_ref(event)).await
}

/// Builds the `stock.changed` event for a new level.
pub(crate) fn stock_changed_event(
    event_id: String,
    merchant_id: &str,
    location_id: &str,
    sku: &str,
    (on_hand, reserved): (i64, i64),
    now_ms: i64,
) -> OutboxRow {
    let payload = serde_json::json!({
        "sku": sku,
        "location_id": location_id,
        "on_hand": on_hand,
        "reserved": reserved,
        "available": on_hand - reserved,
    });
    OutboxRow {
        seq: 0,
        event_id,
        event_type: "stock.changed".into(),
        merchant_id: Some(merchant_id.into()),
        order_id: None,
        location_id: Some(location_id.into()),
        sku: Some(sku.into()),
        payload_json: payload.to_string(),
        created_at_ms: now_ms,
    }
}
