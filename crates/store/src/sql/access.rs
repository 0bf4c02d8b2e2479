//! Users and sessions.

use async_trait::async_trait;
use omnicanal_domain::access::Role;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::get_parsed;
use crate::backend::{Backend, SqlStore};
use crate::rows::{SessionRow, UserRow};
use crate::{AccessStore, StoreResult};

macro_rules! user_columns {
    () => {
        "id, email, password_hash, role, merchant_id, location_id, created_at_ms"
    };
}

fn user_from(row: &AnyRow) -> Result<UserRow, sqlx::Error> {
    Ok(UserRow {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        role: get_parsed(row, "role", Role::parse)?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

#[async_trait]
impl AccessStore for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn listen_outbox(&self) -> StoreResult<Option<crate::backend::OutboxListener>> {
        SqlStore::listen_outbox(self).await
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    async fn count_users(&self) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&self.read).await?;
        Ok(row.try_get("n")?)
    }

    async fn insert_user(&self, user: &UserRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, role, merchant_id, location_id, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&user.id)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(user.role.as_str())
        .bind(&user.merchant_id)
        .bind(&user.location_id)
        .bind(user.created_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE email = $1 AND deactivated_at_ms IS NULL"
        ))
        .bind(email.to_lowercase())
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(user_from).transpose()?)
    }

    async fn insert_session(&self, session: &SessionRow) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at_ms) VALUES ($1, $2, $3)")
            .bind(&session.token_hash)
            .bind(&session.user_id)
            .bind(session.expires_at_ms)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn find_session_user(&self, token_hash: &str, now_ms: i64) -> StoreResult<Option<UserRow>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.password_hash, u.role, u.merchant_id, u.location_id, u.created_at_ms \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at_ms > $2 AND u.deactivated_at_ms IS NULL",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(user_from).transpose()?)
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<bool> {
        let done =
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.write).await?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_password(&self, user_id: &str, password_hash: &str, keep_session_hash: &str) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep_session_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
