//! [`SupportPhotoStore`] in SQL: a ticket's photos (single-row inserts; the use case checks
//! who may touch the ticket first) and the last till failures, one upserted row per kind and
//! scope so the table never grows past the number of tills and stores.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::backend::SqlStore;
use crate::rows::{SupportTicketPhotoRow, TillFailureKind, TillFailureRow};
use crate::{StoreResult, SupportPhotoStore};

fn photo_from(row: &AnyRow) -> Result<SupportTicketPhotoRow, sqlx::Error> {
    Ok(SupportTicketPhotoRow {
        id: row.try_get("id")?,
        ticket_id: row.try_get("ticket_id")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_ms: row.try_get("uploaded_ms")?,
        content_type: row.try_get("content_type")?,
        width: row.try_get("width")?,
        height: row.try_get("height")?,
        bytes: row.try_get("bytes")?,
    })
}

#[async_trait]
impl SupportPhotoStore for SqlStore {
    async fn insert_support_ticket_photo(&self, photo: &SupportTicketPhotoRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO support_ticket_photos \
             (id, ticket_id, uploaded_by, uploaded_ms, content_type, width, height, bytes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&photo.id)
        .bind(&photo.ticket_id)
        .bind(&photo.uploaded_by)
        .bind(photo.uploaded_ms)
        .bind(&photo.content_type)
        .bind(photo.width)
        .bind(photo.height)
        .bind(&photo.bytes)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn get_support_ticket_photo(&self, ticket_id: &str, id: &str) -> StoreResult<Option<SupportTicketPhotoRow>> {
        let row = sqlx::query(
            "SELECT id, ticket_id, uploaded_by, uploaded_ms, content_type, width, height, bytes \
             FROM support_ticket_photos WHERE ticket_id = $1 AND id = $2",
        )
        .bind(ticket_id)
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(photo_from).transpose()?)
    }

    async fn list_support_ticket_photo_ids(&self, ticket_id: &str) -> StoreResult<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM support_ticket_photos WHERE ticket_id = $1 ORDER BY uploaded_ms, id")
            .bind(ticket_id)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(|row| row.try_get("id")).collect::<Result<_, _>>()?)
    }

    async fn record_till_failure(&self, failure: &TillFailureRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO support_last_failures (kind, scope_id, code, message, at_ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (kind, scope_id) DO UPDATE SET code = excluded.code, message = excluded.message, \
             at_ms = excluded.at_ms",
        )
        .bind(failure.kind.as_str())
        .bind(&failure.scope_id)
        .bind(&failure.code)
        .bind(&failure.message)
        .bind(failure.at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn last_till_failure(&self, kind: TillFailureKind, scope_id: &str) -> StoreResult<Option<TillFailureRow>> {
        let row =
            sqlx::query("SELECT code, message, at_ms FROM support_last_failures WHERE kind = $1 AND scope_id = $2")
                .bind(kind.as_str())
                .bind(scope_id)
                .fetch_optional(&self.read)
                .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(TillFailureRow {
            kind,
            scope_id: scope_id.to_owned(),
            code: row.try_get("code")?,
            message: row.try_get("message")?,
            at_ms: row.try_get("at_ms")?,
        }))
    }
}
