//! The outbox and webhook deliveries.

use async_trait::async_trait;
use omnicanal_domain::events::EventType;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::{flag, get_flag, get_parsed};
use super::outbox::{OUTBOX_COLUMNS, outbox_from};
use crate::backend::SqlStore;
use crate::rows::{DeliveryAttempt, DeliveryRow, DeliveryState, OutboxRow, Page, WebhookRow};
use crate::{EventStore, StoreError, StoreResult};

/// A webhook's subscribed event types, stored as a JSON array of their names.
fn events_from_json(raw: &str) -> Result<Vec<EventType>, String> {
    serde_json::from_str(raw).map_err(|error| error.to_string())
}

fn events_to_json(events: &[EventType]) -> String {
    serde_json::to_string(events).unwrap_or_else(|_| "[]".to_owned())
}
macro_rules! webhook_columns {
    () => {
        "id, merchant_id, url, events_json, secret, enabled, created_at_ms, consecutive_failures, disabled_reason"
    };
}
macro_rules! delivery_columns {
    () => {
        "id, webhook_id, event_seq, event_id, event_type, attempts, last_status, \
    last_error, state, next_attempt_at_ms, created_at_ms"
    };
}

fn webhook_from(row: &AnyRow) -> Result<WebhookRow, sqlx::Error> {
    Ok(WebhookRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        url: row.try_get("url")?,
        events: get_parsed(row, "events_json", events_from_json)?,
        secret: row.try_get("secret")?,
        enabled: get_flag(row, "enabled")?,
        created_at_ms: row.try_get("created_at_ms")?,
        consecutive_failures: row.try_get("consecutive_failures")?,
        disabled_reason: row.try_get("disabled_reason")?,
    })
}

fn delivery_from(row: &AnyRow) -> Result<DeliveryRow, sqlx::Error> {
    Ok(DeliveryRow {
        id: row.try_get("id")?,
        webhook_id: row.try_get("webhook_id")?,
        event_seq: row.try_get("event_seq")?,
        event_id: row.try_get("event_id")?,
        event_type: get_parsed(row, "event_type", EventType::parse)?,
        attempts: row.try_get("attempts")?,
        last_status: row.try_get("last_status")?,
        last_error: row.try_get("last_error")?,
        state: get_parsed(row, "state", DeliveryState::parse)?,
        next_attempt_at_ms: row.try_get("next_attempt_at_ms")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

#[async_trait]
impl EventStore for SqlStore {
    async fn outbox_after(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<OutboxRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2"
        )))
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(outbox_from).collect::<Result<_, _>>()?)
    }

    async fn outbox_head(&self) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS head FROM outbox").fetch_one(&self.read).await?;
        Ok(row.try_get("head")?)
    }

    async fn get_outbox_event(&self, seq: i64) -> StoreResult<Option<OutboxRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE seq = $1")))
            .bind(seq)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(outbox_from).transpose()?)
    }

    async fn insert_webhook(&self, webhook: &WebhookRow) -> StoreResult<()> {
        sqlx::query(concat!(
            "INSERT INTO webhooks (",
            webhook_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(&webhook.id)
        .bind(&webhook.merchant_id)
        .bind(&webhook.url)
        .bind(events_to_json(&webhook.events))
        .bind(&webhook.secret)
        .bind(flag(webhook.enabled))
        .bind(webhook.created_at_ms)
        .bind(webhook.consecutive_failures)
        .bind(&webhook.disabled_reason)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn get_webhook(&self, id: &str) -> StoreResult<Option<WebhookRow>> {
        let row = sqlx::query(concat!("SELECT ", webhook_columns!(), " FROM webhooks WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(webhook_from).transpose()?)
    }

    async fn list_enabled_webhooks(&self) -> StoreResult<Vec<WebhookRow>> {
        let rows = sqlx::query(concat!("SELECT ", webhook_columns!(), " FROM webhooks WHERE enabled = 1 ORDER BY id"))
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(webhook_from).collect::<Result<_, _>>()?)
    }

    async fn pending_fan_out(&self, limit: i64) -> StoreResult<Vec<OutboxRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE fanned_out = 0 ORDER BY seq LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(outbox_from).collect::<Result<_, _>>()?)
    }

    async fn enqueue_deliveries(&self, deliveries: &[DeliveryRow], fanned_out_seqs: &[i64]) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        for delivery in deliveries {
            sqlx::query(concat!(
                "INSERT INTO webhook_deliveries (",
                delivery_columns!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (webhook_id, event_seq) DO NOTHING"
            ))
            .bind(&delivery.id)
            .bind(&delivery.webhook_id)
            .bind(delivery.event_seq)
            .bind(&delivery.event_id)
            .bind(delivery.event_type.as_str())
            .bind(delivery.attempts)
            .bind(delivery.last_status)
            .bind(&delivery.last_error)
            .bind(delivery.state.as_str())
            .bind(delivery.next_attempt_at_ms)
            .bind(delivery.created_at_ms)
            .execute(&mut *transaction)
            .await?;
        }
        for seq in fanned_out_seqs {
            sqlx::query("UPDATE outbox SET fanned_out = 1 WHERE seq = $1").bind(seq).execute(&mut *transaction).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn due_deliveries(&self, now_ms: i64, limit: i64) -> StoreResult<Vec<DeliveryRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            delivery_columns!(),
            " FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at_ms <= $1 \
             AND webhook_id IN (SELECT id FROM webhooks WHERE enabled = 1) ORDER BY next_attempt_at_ms, event_seq LIMIT $2"
        ))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(delivery_from).collect::<Result<_, _>>()?)
    }

    async fn claim_delivery(&self, delivery_id: &str, now_ms: i64, lease_ms: i64) -> StoreResult<bool> {
        let claimed = sqlx::query(
            "UPDATE webhook_deliveries SET next_attempt_at_ms = $1 \
             WHERE id = $2 AND state = 'pending' AND next_attempt_at_ms <= $3",
        )
        .bind(now_ms + lease_ms)
        .bind(delivery_id)
        .bind(now_ms)
        .execute(&self.write)
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    async fn record_delivery_attempt(&self, attempt: &DeliveryAttempt) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $1, last_error = $2, state = $3, \
             next_attempt_at_ms = $4 WHERE id = $5",
        )
        .bind(attempt.status)
        .bind(&attempt.error)
        .bind(attempt.state.as_str())
        .bind(attempt.next_attempt_at_ms)
        .bind(&attempt.delivery_id)
        .execute(&mut *transaction)
        .await?;
        if attempt.state == DeliveryState::Delivered {
            sqlx::query("UPDATE webhooks SET consecutive_failures = 0 WHERE id = $1")
                .bind(&attempt.webhook_id)
                .execute(&mut *transaction)
                .await?;
        } else {
            sqlx::query(
                "UPDATE webhooks SET consecutive_failures = consecutive_failures + 1, \
                 enabled = CASE WHEN consecutive_failures + 1 >= $1 THEN 0 ELSE enabled END, \
                 disabled_reason = CASE WHEN consecutive_failures + 1 >= $1 \
                 THEN 'disabled after repeated failed deliveries' ELSE disabled_reason END WHERE id = $2",
            )
            .bind(attempt.disable_after_failures)
            .bind(&attempt.webhook_id)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn list_webhooks(&self, merchant_id: Option<&str>, page: Page) -> StoreResult<Vec<WebhookRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            webhook_columns!(),
            " FROM webhooks WHERE ($1 IS NULL OR merchant_id = $1) ORDER BY created_at_ms, id LIMIT $2 OFFSET $3"
        ))
        .bind(merchant_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(webhook_from).collect::<Result<_, _>>()?)
    }

    async fn set_webhook_enabled(&self, id: &str, enabled: bool) -> StoreResult<()> {
        let sql = if enabled {
            "UPDATE webhooks SET enabled = 1, consecutive_failures = 0, disabled_reason = NULL WHERE id = $1"
        } else {
            "UPDATE webhooks SET enabled = 0 WHERE id = $1"
        };
        let updated = sqlx::query(sql).bind(id).execute(&self.write).await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn set_webhook_secret(&self, id: &str, secret: &str) -> StoreResult<()> {
        let updated = sqlx::query("UPDATE webhooks SET secret = $1 WHERE id = $2")
            .bind(secret)
            .bind(id)
            .execute(&self.write)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn get_delivery(&self, id: &str) -> StoreResult<Option<DeliveryRow>> {
        let row = sqlx::query(concat!("SELECT ", delivery_columns!(), " FROM webhook_deliveries WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(delivery_from).transpose()?)
    }

    async fn redeliver(&self, delivery_id: &str, now_ms: i64) -> StoreResult<()> {
        let updated =
            sqlx::query("UPDATE webhook_deliveries SET state = 'pending', next_attempt_at_ms = $1 WHERE id = $2")
                .bind(now_ms)
                .bind(delivery_id)
                .execute(&self.write)
                .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn list_deliveries(&self, webhook_id: &str, page: Page) -> StoreResult<Vec<DeliveryRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            delivery_columns!(),
            " FROM webhook_deliveries WHERE webhook_id = $1 \
             ORDER BY event_seq DESC LIMIT $2 OFFSET $3"
        ))
        .bind(webhook_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(delivery_from).collect::<Result<_, _>>()?)
    }
}
