//! Writing events into the outbox, inside the transaction of the change they report, and
//! reading outbox rows back.
//!
//! The store never shapes event JSON: each [`NewEvent`] carries a domain event, whose one wire
//! serializer writes the payload and whose routing gives the columns readers filter on.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::columns::{get_parsed, values_clause};
use crate::rows::{NewEvent, OutboxRow};
use omnicanal_domain::events::EventType;

/// The outbox's columns as read back.
pub(crate) const OUTBOX_COLUMNS: &str =
    "seq, event_id, event_type, merchant_id, order_id, location_id, sku, payload_json, created_at_ms";

/// Writes several events into the outbox with one statement, inside the caller's transaction.
pub(crate) async fn insert_events(
    transaction: &mut Transaction<'static, Any>,
    events: &[NewEvent],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let sql = format!("INSERT INTO outbox ({OUTBOX_INSERT_COLUMNS}) VALUES {}", values_clause(events.len(), 8));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for new in events {
        query = bind_event(query, new);
    }
    query.execute(&mut **transaction).await?;
    Ok(())
}

/// The columns [`bind_event`] binds, in its order.
pub(crate) const OUTBOX_INSERT_COLUMNS: &str =
    "event_id, event_type, merchant_id, order_id, location_id, sku, payload_json, created_at_ms";

/// Binds one new event's row, in [`OUTBOX_INSERT_COLUMNS`] order.
pub(crate) fn bind_event<'q>(
    query: crate::sql::tx::placement::Bound<'q>,
    new: &'q NewEvent,
) -> crate::sql::tx::placement::Bound<'q> {
    let routing = new.event.routing();
    query
        .bind(new.event_id.clone())
        .bind(new.event.event_type().as_str())
        .bind(routing.merchant_id)
        .bind(routing.order_id)
        .bind(routing.location_id)
        .bind(routing.sku)
        .bind(new.event.to_json())
        .bind(new.created_at_ms)
}

/// Writes one event into the outbox inside the caller's transaction.
pub(crate) async fn insert_event(
    transaction: &mut Transaction<'static, Any>,
    event: NewEvent,
) -> Result<(), sqlx::Error> {
    insert_events(transaction, std::slice::from_ref(&event)).await
}

/// Reads an outbox row.
pub(crate) fn outbox_from(row: &AnyRow) -> Result<OutboxRow, sqlx::Error> {
    Ok(OutboxRow {
        seq: row.try_get("seq")?,
        event_id: row.try_get("event_id")?,
        event_type: get_parsed(row, "event_type", EventType::parse)?,
        merchant_id: row.try_get("merchant_id")?,
        order_id: row.try_get("order_id")?,
        location_id: row.try_get("location_id")?,
        sku: row.try_get("sku")?,
        payload_json: row.try_get("payload_json")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}
