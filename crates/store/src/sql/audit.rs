//! The audit log in SQL: inserted one row per change, listed newest first with filters.
//!
//! One `WHERE` serves every view: a NULL parameter leaves its filter open, so the statement is
//! fixed text (no SQL assembled from input) and both backends plan it alike. Text search is a
//! lower-cased `LIKE` over the e-mail, the id and both snapshots — the log of a mall is small
//! enough for that, and the `merchant`, `entity` and `actor` indexes narrow first when given.

use async_trait::async_trait;
use omnicanal_domain::access::Role;
use omnicanal_domain::audit::{AuditAction, AuditEntity};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::{get_parsed, like_escape};
use crate::backend::SqlStore;
use crate::rows::{AuditEntryRow, AuditFilter, Page};
use crate::{AuditStore, StoreResult};

/// The filter shared by the count and the page; parameters `$1`…`$7`.
macro_rules! audit_filter {
    () => {
        " WHERE ($1 IS NULL OR merchant_id = $1) \
         AND ($2 IS NULL OR entity = $2) \
         AND ($3 IS NULL OR entity_id = $3) \
         AND ($4 IS NULL OR actor_id = $4 OR LOWER(actor_email) = LOWER($4)) \
         AND ($5 = '%%' OR LOWER(actor_email) LIKE $5 ESCAPE '\\' OR LOWER(entity_id) LIKE $5 ESCAPE '\\' \
              OR LOWER(COALESCE(before_json, '')) LIKE $5 ESCAPE '\\' \
              OR LOWER(COALESCE(after_json, '')) LIKE $5 ESCAPE '\\') \
         AND ($6 IS NULL OR at_ms >= $6) \
         AND ($7 IS NULL OR at_ms < $7)"
    };
}

fn entry_from(row: &AnyRow) -> Result<AuditEntryRow, sqlx::Error> {
    Ok(AuditEntryRow {
        id: row.try_get("id")?,
        at_ms: row.try_get("at_ms")?,
        actor_id: row.try_get("actor_id")?,
        actor_email: row.try_get("actor_email")?,
        actor_role: get_parsed(row, "actor_role", Role::parse)?,
        merchant_id: row.try_get("merchant_id")?,
        entity: get_parsed(row, "entity", AuditEntity::parse)?,
        entity_id: row.try_get("entity_id")?,
        action: get_parsed(row, "action", AuditAction::parse)?,
        before_json: row.try_get("before_json")?,
        after_json: row.try_get("after_json")?,
    })
}

/// Binds `$1`…`$7` of [`audit_filter!`] in order.
fn bind_filter<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    filter: &AuditFilter,
    pattern: String,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    query
        .bind(filter.merchant_id.clone())
        .bind(filter.entity.map(|entity| entity.as_str().to_owned()))
        .bind(filter.entity_id.clone())
        .bind(filter.actor.clone())
        .bind(pattern)
        .bind(filter.from_ms)
        .bind(filter.to_ms)
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn insert_audit_entry(&self, entry: &AuditEntryRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_log (id, at_ms, actor_id, actor_email, actor_role, merchant_id, entity, entity_id, \
             action, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&entry.id)
        .bind(entry.at_ms)
        .bind(&entry.actor_id)
        .bind(&entry.actor_email)
        .bind(entry.actor_role.as_str())
        .bind(&entry.merchant_id)
        .bind(entry.entity.as_str())
        .bind(&entry.entity_id)
        .bind(entry.action.as_str())
        .bind(&entry.before_json)
        .bind(&entry.after_json)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn list_audit_entries(&self, filter: &AuditFilter, page: Page) -> StoreResult<(Vec<AuditEntryRow>, i64)> {
        let pattern = format!("%{}%", like_escape(&filter.text.to_lowercase()));
        let count = sqlx::query(concat!("SELECT COUNT(*) AS n FROM audit_log", audit_filter!()));
        let total: i64 = bind_filter(count, filter, pattern.clone()).fetch_one(&self.read).await?.try_get("n")?;
        let select = sqlx::query(concat!(
            "SELECT id, at_ms, actor_id, actor_email, actor_role, merchant_id, entity, entity_id, action, \
             before_json, after_json FROM audit_log",
            audit_filter!(),
            " ORDER BY at_ms DESC, id DESC LIMIT $8 OFFSET $9"
        ));
        let rows =
            bind_filter(select, filter, pattern).bind(page.limit).bind(page.offset).fetch_all(&self.read).await?;
        let entries = rows.iter().map(entry_from).collect::<Result<Vec<_>, _>>()?;
        Ok((entries, total))
    }

    async fn get_audit_entry(&self, id: &str) -> StoreResult<Option<AuditEntryRow>> {
        let row = sqlx::query(
            "SELECT id, at_ms, actor_id, actor_email, actor_role, merchant_id, entity, entity_id, action, \
             before_json, after_json FROM audit_log WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(entry_from).transpose()?)
    }
}
