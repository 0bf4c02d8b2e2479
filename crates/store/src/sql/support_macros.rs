//! [`SupportMacroStore`] in SQL: one small table, read by title. No events: a macro is desk
//! furniture, not something a store or a webhook follows.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::backend::SqlStore;
use crate::rows::{Page, SupportMacroRow};
use crate::{StoreError, StoreResult, SupportMacroStore};

const MACRO_COLUMNS: &str = "id, title, body, created_by, created_ms, updated_ms";

fn macro_from(row: &AnyRow) -> Result<SupportMacroRow, sqlx::Error> {
    Ok(SupportMacroRow {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        created_by: row.try_get("created_by")?,
        created_ms: row.try_get("created_ms")?,
        updated_ms: row.try_get("updated_ms")?,
    })
}

#[async_trait]
impl SupportMacroStore for SqlStore {
    async fn insert_support_macro(&self, row: &SupportMacroRow) -> StoreResult<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO support_macros ({MACRO_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
        )))
        .bind(&row.id)
        .bind(&row.title)
        .bind(&row.body)
        .bind(&row.created_by)
        .bind(row.created_ms)
        .bind(row.updated_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn get_support_macro(&self, id: &str) -> StoreResult<Option<SupportMacroRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {MACRO_COLUMNS} FROM support_macros WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(macro_from).transpose()?)
    }

    async fn list_support_macros(&self, page: Page) -> StoreResult<(Vec<SupportMacroRow>, i64)> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MACRO_COLUMNS} FROM support_macros ORDER BY title, id LIMIT $1 OFFSET $2"
        )))
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        let total: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM support_macros").fetch_one(&self.read).await?.try_get("n")?;
        let macros = rows.iter().map(macro_from).collect::<Result<Vec<_>, _>>()?;
        Ok((macros, total))
    }

    async fn update_support_macro(&self, row: &SupportMacroRow) -> StoreResult<()> {
        let done = sqlx::query("UPDATE support_macros SET title = $1, body = $2, updated_ms = $3 WHERE id = $4")
            .bind(&row.title)
            .bind(&row.body)
            .bind(row.updated_ms)
            .bind(&row.id)
            .execute(&self.write)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn delete_support_macro(&self, id: &str) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM support_macros WHERE id = $1").bind(id).execute(&self.write).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
