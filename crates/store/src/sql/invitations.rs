//! Users managed from the console: search, invitations by link, deactivation (issue 15 point 1).
//!
//! An invited user exists from the invitation on (its e-mail is taken at once) with an empty
//! password hash, which no password verifies; accepting the link sets the first password.

use async_trait::async_trait;
use omnicanal_domain::access::Role;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::get_parsed;
use crate::backend::SqlStore;
use crate::rows::{InvitationRow, ManagedUserRow, Page, SessionRow, UserRow, UserSearch};
use crate::{StoreResult, UserAdminStore};

/// The columns of a managed user; `open_invitations` counts the invitations not yet accepted.
macro_rules! managed_columns {
    () => {
        "u.id, u.email, u.password_hash, u.role, u.merchant_id, u.location_id, u.created_at_ms, \
         u.deactivated_at_ms, (SELECT COUNT(*) FROM user_invitations i \
         WHERE i.user_id = u.id AND i.accepted_at_ms IS NULL) AS open_invitations"
    };
}

/// One filter for both views: a NULL merchant matches every user.
macro_rules! search_filter {
    () => {
        " WHERE ($1 IS NULL OR u.merchant_id = $1) AND u.email LIKE $2 ESCAPE '\\'"
    };
}

fn managed_from(row: &AnyRow) -> Result<ManagedUserRow, sqlx::Error> {
    let open: i64 = row.try_get("open_invitations")?;
    Ok(ManagedUserRow {
        user: UserRow {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            password_hash: row.try_get("password_hash")?,
            role: get_parsed(row, "role", Role::parse)?,
            merchant_id: row.try_get("merchant_id")?,
            location_id: row.try_get("location_id")?,
            created_at_ms: row.try_get("created_at_ms")?,
        },
        deactivated_at_ms: row.try_get("deactivated_at_ms")?,
        invited: open > 0 && row.try_get::<String, _>("password_hash")?.is_empty(),
    })
}

fn invitation_from(row: &AnyRow) -> Result<InvitationRow, sqlx::Error> {
    Ok(InvitationRow {
        token_hash: row.try_get("token_hash")?,
        user_id: row.try_get("user_id")?,
        invited_by: row.try_get("invited_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
        expires_at_ms: row.try_get("expires_at_ms")?,
        accepted_at_ms: row.try_get("accepted_at_ms")?,
    })
}

/// A LIKE pattern matching `fragment` anywhere, its wildcards escaped with `\`.
fn contains_pattern(fragment: &str) -> String {
    let escaped = fragment.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

#[async_trait]
impl UserAdminStore for SqlStore {
    async fn list_users(&self, search: &UserSearch, page: Page) -> StoreResult<(Vec<ManagedUserRow>, i64)> {
        let pattern = contains_pattern(&search.email_contains.to_lowercase());
        let total: i64 = sqlx::query(concat!("SELECT COUNT(*) AS n FROM users u", search_filter!()))
            .bind(search.merchant_id.clone())
            .bind(&pattern)
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        let sql = format!(
            concat!(
                "SELECT ",
                managed_columns!(),
                " FROM users u",
                search_filter!(),
                " ORDER BY {} LIMIT $3 OFFSET $4"
            ),
            search.order.order_by()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(search.merchant_id.clone())
            .bind(&pattern)
            .bind(page.limit)
            .bind(page.offset)
            .fetch_all(&self.read)
            .await?;
        let users = rows.iter().map(managed_from).collect::<Result<Vec<_>, _>>()?;
        Ok((users, total))
    }

    async fn get_managed_user(&self, user_id: &str) -> StoreResult<Option<ManagedUserRow>> {
        let row = sqlx::query(concat!("SELECT ", managed_columns!(), " FROM users u WHERE u.id = $1"))
            .bind(user_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(managed_from).transpose()?)
    }

    async fn insert_invited_user(&self, user: &UserRow, invitation: &InvitationRow) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
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
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO user_invitations (token_hash, user_id, invited_by, created_at_ms, expires_at_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&invitation.token_hash)
        .bind(&invitation.user_id)
        .bind(&invitation.invited_by)
        .bind(invitation.created_at_ms)
        .bind(invitation.expires_at_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_invitation(&self, token_hash: &str) -> StoreResult<Option<InvitationRow>> {
        let row = sqlx::query(
            "SELECT token_hash, user_id, invited_by, created_at_ms, expires_at_ms, accepted_at_ms \
             FROM user_invitations WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(invitation_from).transpose()?)
    }

    async fn accept_invitation(
        &self,
        token_hash: &str,
        password_hash: &str,
        session: &SessionRow,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        // The conditional update is the single-use guard: of two concurrent uses one matches.
        let claimed = sqlx::query(
            "UPDATE user_invitations SET accepted_at_ms = $1 \
             WHERE token_hash = $2 AND user_id = $3 AND accepted_at_ms IS NULL AND expires_at_ms > $1 \
             AND EXISTS (SELECT 1 FROM users u WHERE u.id = $3 AND u.deactivated_at_ms IS NULL)",
        )
        .bind(now_ms)
        .bind(token_hash)
        .bind(&session.user_id)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(&session.user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at_ms) VALUES ($1, $2, $3)")
            .bind(&session.token_hash)
            .bind(&session.user_id)
            .bind(session.expires_at_ms)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn set_user_deactivated(&self, user_id: &str, deactivated_at_ms: Option<i64>) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query("UPDATE users SET deactivated_at_ms = $1 WHERE id = $2")
            .bind(deactivated_at_ms)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if deactivated_at_ms.is_some() {
            // Every session ends with the account, in the same commit: no request slips between.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }
}
