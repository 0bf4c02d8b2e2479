//! [`PosApprovalStore`]: managers' PINs, the approvals they give at a till, the per-till guard
//! against guessed PINs, each till's limits, and a session's voids, manual discounts and
//! count per denomination.
//!
//! A wrong PIN is counted in one transaction that locks the till's guard row (a no-op upsert
//! first), so two wrong PINs typed at once on two tabs of one till are both counted and the
//! fifth locks whatever their order; the rule itself is the domain's
//! ([`omnicanal_domain::pos::PinGuard`]). A right PIN writes the approval and clears the run in
//! one transaction, so an approval is recorded once per right PIN.

use async_trait::async_trait;
use omnicanal_domain::access::Role;
use omnicanal_domain::pos::{ApprovalAction, PinGuard, PinRefusal};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::{get_parsed, get_parsed_opt};
use super::order_rows::currency;
use super::tx::Tx;
use crate::backend::SqlStore;
use crate::rows::{ManagerPinRow, PosApprovalRow, PosDeviceLimitsRow, PosSaleAccounting, PosSessionAccounting};
use crate::{PosApprovalStore, StoreError, StoreResult};

/// Most managers whose PINs one approval is checked against (argon2 is slow on purpose).
pub const MAX_PIN_CANDIDATES: i64 = 50;

const APPROVAL_COLUMNS: &str = "id, device_id, session_id, merchant_id, action, amount_minor, currency, reason, \
    approved_by, requested_by, created_at_ms, sale_id";

fn approval_from(row: &AnyRow) -> Result<PosApprovalRow, sqlx::Error> {
    Ok(PosApprovalRow {
        id: row.try_get("id")?,
        device_id: row.try_get("device_id")?,
        session_id: row.try_get("session_id")?,
        merchant_id: row.try_get("merchant_id")?,
        action: get_parsed(row, "action", ApprovalAction::parse)?,
        amount_minor: row.try_get("amount_minor")?,
        currency: get_parsed_opt(row, "currency", currency)?,
        reason: row.try_get("reason")?,
        approved_by: row.try_get("approved_by")?,
        requested_by: row.try_get("requested_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
        sale_id: row.try_get("sale_id")?,
    })
}

/// Reads a till's guard inside `transaction`, locking its row until commit.
async fn lock_guard(transaction: &mut Tx, device_id: &str) -> StoreResult<PinGuard> {
    sqlx::query(
        "INSERT INTO pos_pin_guards (device_id, failures, locked_until_ms) VALUES ($1, 0, NULL) \
         ON CONFLICT (device_id) DO UPDATE SET failures = pos_pin_guards.failures",
    )
    .bind(device_id)
    .execute(&mut **transaction)
    .await?;
    let row = sqlx::query("SELECT failures, locked_until_ms FROM pos_pin_guards WHERE device_id = $1")
        .bind(device_id)
        .fetch_one(&mut **transaction)
        .await?;
    let failures: i64 = row.try_get("failures")?;
    Ok(PinGuard {
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        locked_until_ms: row.try_get("locked_until_ms")?,
    })
}

async fn save_guard(transaction: &mut Tx, device_id: &str, guard: PinGuard) -> StoreResult<()> {
    sqlx::query("UPDATE pos_pin_guards SET failures = $1, locked_until_ms = $2 WHERE device_id = $3")
        .bind(i64::from(guard.failures))
        .bind(guard.locked_until_ms)
        .bind(device_id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Marks the approvals a sale uses, inside the sale's transaction, and writes its voids and
/// manual discount: an approval another sale used is `ApprovalTaken`.
pub(crate) async fn record_sale_accounting(
    transaction: &mut Tx,
    sale_id: &str,
    accounting: &PosSaleAccounting,
) -> StoreResult<()> {
    for approval_id in &accounting.approval_ids {
        let marked =
            sqlx::query("UPDATE pos_approvals SET sale_id = $1 WHERE id = $2 AND (sale_id IS NULL OR sale_id = $1)")
                .bind(sale_id)
                .bind(approval_id)
                .execute(&mut **transaction)
                .await?;
        if marked.rows_affected() == 0 {
            return Err(StoreError::ApprovalTaken(approval_id.clone()));
        }
    }
    for (position, void) in accounting.voids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO pos_sale_voids (sale_id, position, sku, quantity, value_minor, approval_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(sale_id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(&void.sku)
        .bind(void.quantity)
        .bind(void.value_minor)
        .bind(&void.approval_id)
        .execute(&mut **transaction)
        .await?;
    }
    if accounting.manual_discount_minor != 0 {
        sqlx::query("UPDATE pos_sales SET manual_discount_minor = $1 WHERE id = $2")
            .bind(accounting.manual_discount_minor)
            .bind(sale_id)
            .execute(&mut **transaction)
            .await?;
    }
    Ok(())
}

#[async_trait]
impl PosApprovalStore for SqlStore {
    async fn set_user_pin(&self, user_id: &str, pin_hash: &str) -> StoreResult<()> {
        let result = sqlx::query("UPDATE users SET pin_hash = $1 WHERE id = $2")
            .bind(pin_hash)
            .bind(user_id)
            .execute(&self.write)
            .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn manager_pins(&self, merchant_id: &str) -> StoreResult<Vec<ManagerPinRow>> {
        let rows = sqlx::query(
            "SELECT id, email, role, pin_hash FROM users WHERE pin_hash IS NOT NULL \
             AND ((role = 'merchant_manager' AND merchant_id = $1) OR role = 'admin') \
             ORDER BY CASE WHEN role = 'admin' THEN 1 ELSE 0 END, created_at_ms, id LIMIT $2",
        )
        .bind(merchant_id)
        .bind(MAX_PIN_CANDIDATES)
        .fetch_all(&self.read)
        .await?;
        let managers = rows
            .iter()
            .map(|row| {
                Ok(ManagerPinRow {
                    user_id: row.try_get("id")?,
                    email: row.try_get("email")?,
                    role: get_parsed(row, "role", Role::parse)?,
                    pin_hash: row.try_get("pin_hash")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(managers)
    }

    async fn pin_guard(&self, device_id: &str) -> StoreResult<PinGuard> {
        let row = sqlx::query("SELECT failures, locked_until_ms FROM pos_pin_guards WHERE device_id = $1")
            .bind(device_id)
            .fetch_optional(&self.read)
            .await?;
        let Some(row) = row else { return Ok(PinGuard::default()) };
        let failures: i64 = row.try_get("failures")?;
        Ok(PinGuard {
            failures: u32::try_from(failures).unwrap_or(u32::MAX),
            locked_until_ms: row.try_get("locked_until_ms")?,
        })
    }

    async fn record_pin_failure(&self, device_id: &str, now_ms: i64) -> StoreResult<PinRefusal> {
        let mut transaction = self.write.begin().await?;
        let guard = lock_guard(&mut transaction, device_id).await?;
        // A PIN typed while the lock held (checked before argon2, but another tab may have
        // locked it meanwhile) is not counted again: the lock answers.
        if let Err(locked) = guard.check(now_ms) {
            transaction.commit().await?;
            return Ok(locked);
        }
        let (next, refusal) = guard.after_failure(now_ms);
        save_guard(&mut transaction, device_id, next).await?;
        transaction.commit().await?;
        Ok(refusal)
    }

    async fn insert_pos_approval(&self, approval: &PosApprovalRow) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        let guard = lock_guard(&mut transaction, &approval.device_id).await?;
        if let Err(PinRefusal::Locked { .. }) = guard.check(approval.created_at_ms) {
            // Another tab locked the till while this PIN was verified: the lock wins.
            transaction.commit().await?;
            return Err(StoreError::StaleState);
        }
        save_guard(&mut transaction, &approval.device_id, PinGuard::after_success()).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO pos_approvals ({APPROVAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        )))
        .bind(&approval.id)
        .bind(&approval.device_id)
        .bind(&approval.session_id)
        .bind(&approval.merchant_id)
        .bind(approval.action.as_str())
        .bind(approval.amount_minor)
        .bind(approval.currency.map(|c| c.code()))
        .bind(&approval.reason)
        .bind(&approval.approved_by)
        .bind(&approval.requested_by)
        .bind(approval.created_at_ms)
        .bind(&approval.sale_id)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn get_pos_approval(&self, id: &str) -> StoreResult<Option<PosApprovalRow>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {APPROVAL_COLUMNS} FROM pos_approvals WHERE id = $1")))
                .bind(id)
                .fetch_optional(&self.read)
                .await?;
        Ok(row.as_ref().map(approval_from).transpose()?)
    }

    async fn list_session_approvals(&self, session_id: &str) -> StoreResult<Vec<PosApprovalRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {APPROVAL_COLUMNS} FROM pos_approvals WHERE session_id = $1 ORDER BY created_at_ms, id LIMIT 1000"
        )))
        .bind(session_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(approval_from).collect::<Result<_, _>>()?)
    }

    async fn pos_device_limits(&self, device_id: &str) -> StoreResult<Option<PosDeviceLimitsRow>> {
        let row = sqlx::query(
            "SELECT device_id, line_discount_bps, line_void_minor, updated_by, updated_at_ms FROM pos_device_limits \
             WHERE device_id = $1",
        )
        .bind(device_id)
        .fetch_optional(&self.read)
        .await?;
        let limits = row
            .map(|row| {
                Ok::<_, sqlx::Error>(PosDeviceLimitsRow {
                    device_id: row.try_get("device_id")?,
                    line_discount_bps: row.try_get("line_discount_bps")?,
                    line_void_minor: row.try_get("line_void_minor")?,
                    updated_by: row.try_get("updated_by")?,
                    updated_at_ms: row.try_get("updated_at_ms")?,
                })
            })
            .transpose()?;
        Ok(limits)
    }

    async fn set_pos_device_limits(&self, limits: &PosDeviceLimitsRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pos_device_limits (device_id, line_discount_bps, line_void_minor, updated_by, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (device_id) DO UPDATE SET \
             line_discount_bps = excluded.line_discount_bps, line_void_minor = excluded.line_void_minor, \
             updated_by = excluded.updated_by, updated_at_ms = excluded.updated_at_ms",
        )
        .bind(&limits.device_id)
        .bind(limits.line_discount_bps)
        .bind(limits.line_void_minor)
        .bind(&limits.updated_by)
        .bind(limits.updated_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn close_pos_session_counted(
        &self,
        session_id: &str,
        counted_cash_minor: i64,
        denominations_json: Option<&str>,
        closed_by: &str,
        closed_at_ms: i64,
        event_id: &str,
    ) -> StoreResult<()> {
        super::pos::close_in(
            self,
            session_id,
            counted_cash_minor,
            denominations_json,
            closed_by,
            closed_at_ms,
            event_id,
        )
        .await?;
        Ok(())
    }

    async fn pos_session_accounting(&self, session_id: &str) -> StoreResult<PosSessionAccounting> {
        let voids = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(v.value_minor), 0) AS BIGINT) AS value FROM pos_sale_voids v \
             JOIN pos_sales s ON s.id = v.sale_id WHERE s.session_id = $1",
        )
        .bind(session_id)
        .fetch_one(&self.read)
        .await?;
        let manual = sqlx::query(
            "SELECT CAST(COALESCE(SUM(manual_discount_minor), 0) AS BIGINT) AS manual FROM pos_sales WHERE session_id = $1",
        )
        .bind(session_id)
        .fetch_one(&self.read)
        .await?;
        let approvals = sqlx::query("SELECT COUNT(*) AS n FROM pos_approvals WHERE session_id = $1")
            .bind(session_id)
            .fetch_one(&self.read)
            .await?;
        let session = sqlx::query("SELECT denominations_json FROM pos_sessions WHERE id = $1")
            .bind(session_id)
            .fetch_optional(&self.read)
            .await?;
        let json: Option<String> = session.map(|row| row.try_get("denominations_json")).transpose()?.flatten();
        let denominations = match json {
            Some(json) => serde_json::from_str::<Vec<(i64, i64)>>(&json)
                .map_err(|error| StoreError::Corrupt(format!("pos_sessions.denominations_json: {error}")))?,
            None => Vec::new(),
        };
        Ok(PosSessionAccounting {
            void_count: voids.try_get("n")?,
            void_minor: voids.try_get("value")?,
            manual_discount_minor: manual.try_get("manual")?,
            approval_count: approvals.try_get("n")?,
            denominations,
        })
    }
}
