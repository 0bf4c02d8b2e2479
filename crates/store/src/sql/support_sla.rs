//! SLA rules and special days in SQL.
//!
//! A policy is written whole: the scope's rules are deleted and inserted again in one
//! transaction, so a reader never sees half of an edit and the table needs no upsert. Special
//! days carry a `scope_key` ("merchant|site", `*` for none) unique with the date, so a second
//! one for the same scope and date is refused by `ON CONFLICT DO NOTHING`, race-free on both
//! backends, without a row in the constraints table. Dates are `YYYY-MM-DD` text, which sorts
//! and compares as the dates do.

use async_trait::async_trait;
use omnicanal_domain::support::{TicketCategory, TicketPriority};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::get_flag as flag_of;
use super::columns::{flag, get_flag, get_parsed, get_parsed_opt};
use super::outbox::insert_event;
use crate::backend::SqlStore;
use crate::constraints::{Reference, or_missing};
use crate::rows::{NewEvent, Page, SlaAlertFlag, SlaRuleRow, SlaWatchRow, SpecialDayFilter, SpecialDayRow};
use crate::{StoreResult, SupportSlaStore};

const RULE_COLUMNS: &str = "merchant_id, priority, category, first_response_minutes, resolution_minutes, \
     special_first_response_minutes, special_resolution_minutes, updated_at_ms, updated_by";
const DAY_COLUMNS: &str = "id, merchant_id, site_id, day, name, hours_json, tighter_targets, created_at_ms, created_by";

fn rule_from(row: &AnyRow) -> Result<SlaRuleRow, sqlx::Error> {
    Ok(SlaRuleRow {
        merchant_id: row.try_get("merchant_id")?,
        priority: get_parsed(row, "priority", TicketPriority::parse)?,
        category: get_parsed_opt(row, "category", TicketCategory::parse)?,
        first_response_minutes: row.try_get("first_response_minutes")?,
        resolution_minutes: row.try_get("resolution_minutes")?,
        special_first_response_minutes: row.try_get("special_first_response_minutes")?,
        special_resolution_minutes: row.try_get("special_resolution_minutes")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
        updated_by: row.try_get("updated_by")?,
    })
}

fn day_from(row: &AnyRow) -> Result<SpecialDayRow, sqlx::Error> {
    Ok(SpecialDayRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        site_id: row.try_get("site_id")?,
        date: row.try_get("day")?,
        name: row.try_get("name")?,
        hours_json: row.try_get("hours_json")?,
        tighter_targets: get_flag(row, "tighter_targets")?,
        created_at_ms: row.try_get("created_at_ms")?,
        created_by: row.try_get("created_by")?,
    })
}

/// The rule's key within its table: one rule per scope, priority and category.
fn rule_id(rule: &SlaRuleRow) -> String {
    format!(
        "{}/{}/{}",
        rule.merchant_id.as_deref().unwrap_or("*"),
        rule.priority.as_str(),
        rule.category.map_or("*", TicketCategory::as_str)
    )
}

/// Orders rules as agents read them: most urgent first, the any-category rule first.
const RULE_ORDER: &str = " ORDER BY CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, \
     COALESCE(category, '')";

#[async_trait]
impl SupportSlaStore for SqlStore {
    async fn list_sla_rules(&self, merchant_id: Option<&str>) -> StoreResult<Vec<SlaRuleRow>> {
        let sql = format!(
            "SELECT {RULE_COLUMNS} FROM support_sla_rules WHERE COALESCE(merchant_id, '') = COALESCE($1, ''){RULE_ORDER}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(merchant_id).fetch_all(&self.read).await?;
        Ok(rows.iter().map(rule_from).collect::<Result<_, _>>()?)
    }

    async fn sla_rules_for(&self, merchant_id: &str) -> StoreResult<Vec<SlaRuleRow>> {
        let sql = format!(
            "SELECT {RULE_COLUMNS} FROM support_sla_rules WHERE merchant_id IS NULL OR merchant_id = $1{RULE_ORDER}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(merchant_id).fetch_all(&self.read).await?;
        Ok(rows.iter().map(rule_from).collect::<Result<_, _>>()?)
    }

    async fn replace_sla_rules(&self, merchant_id: Option<&str>, rules: &[SlaRuleRow]) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM support_sla_rules WHERE COALESCE(merchant_id, '') = COALESCE($1, '')")
            .bind(merchant_id)
            .execute(&mut *tx)
            .await?;
        for rule in rules {
            let inserted = sqlx::query(
                "INSERT INTO support_sla_rules (id, merchant_id, priority, category, first_response_minutes, \
                 resolution_minutes, special_first_response_minutes, special_resolution_minutes, updated_at_ms, \
                 updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(rule_id(rule))
            .bind(merchant_id)
            .bind(rule.priority.as_str())
            .bind(rule.category.map(TicketCategory::as_str))
            .bind(rule.first_response_minutes)
            .bind(rule.resolution_minutes)
            .bind(rule.special_first_response_minutes)
            .bind(rule.special_resolution_minutes)
            .bind(rule.updated_at_ms)
            .bind(&rule.updated_by)
            .execute(&mut *tx)
            .await;
            let candidates: Vec<(Reference, &str)> =
                merchant_id.map(|id| (Reference::Merchant, id)).into_iter().collect();
            if let Err(error) = inserted {
                drop(tx);
                return or_missing(&self.read, Err::<(), _>(error), &candidates).await;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn insert_special_day(&self, day: &SpecialDayRow) -> StoreResult<bool> {
        let scope_key =
            format!("{}|{}", day.merchant_id.as_deref().unwrap_or("*"), day.site_id.as_deref().unwrap_or("*"));
        let inserted = sqlx::query(
            "INSERT INTO support_special_days (id, merchant_id, site_id, scope_key, day, name, hours_json, \
             tighter_targets, created_at_ms, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (scope_key, day) DO NOTHING",
        )
        .bind(&day.id)
        .bind(&day.merchant_id)
        .bind(&day.site_id)
        .bind(scope_key)
        .bind(&day.date)
        .bind(&day.name)
        .bind(&day.hours_json)
        .bind(flag(day.tighter_targets))
        .bind(day.created_at_ms)
        .bind(&day.created_by)
        .execute(&self.write)
        .await;
        let mut candidates = Vec::new();
        if let Some(merchant_id) = &day.merchant_id {
            candidates.push((Reference::Merchant, merchant_id.as_str()));
        }
        if let Some(site_id) = &day.site_id {
            candidates.push((Reference::Site, site_id.as_str()));
        }
        let done = or_missing(&self.write, inserted, &candidates).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn get_special_day(&self, id: &str) -> StoreResult<Option<SpecialDayRow>> {
        let sql = format!("SELECT {DAY_COLUMNS} FROM support_special_days WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.read).await?;
        Ok(row.as_ref().map(day_from).transpose()?)
    }

    async fn delete_special_day(&self, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM support_special_days WHERE id = $1").bind(id).execute(&self.write).await?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_special_days(&self, filter: &SpecialDayFilter, page: Page) -> StoreResult<Vec<SpecialDayRow>> {
        let sql = format!(
            "SELECT {DAY_COLUMNS} FROM support_special_days \
             WHERE ($1 IS NULL OR merchant_id = $1) AND ($2 IS NULL OR site_id = $2) \
             AND ($3 IS NULL OR day >= $3) AND ($4 IS NULL OR day <= $4) \
             ORDER BY day, id LIMIT $5 OFFSET $6"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&filter.merchant_id)
            .bind(&filter.site_id)
            .bind(&filter.from_date)
            .bind(&filter.to_date)
            .bind(page.limit)
            .bind(page.offset)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(day_from).collect::<Result<_, _>>()?)
    }

    async fn special_days_applying(
        &self,
        merchant_id: &str,
        site_id: &str,
        from_date: &str,
        to_date: &str,
    ) -> StoreResult<Vec<SpecialDayRow>> {
        // Specificity: platform 0, site 1, merchant 2, merchant at the site 3.
        let sql = format!(
            "SELECT {DAY_COLUMNS} FROM support_special_days \
             WHERE (merchant_id IS NULL OR merchant_id = $1) AND (site_id IS NULL OR site_id = $2) \
             AND day >= $3 AND day <= $4 \
             ORDER BY day, (CASE WHEN merchant_id IS NULL THEN 0 ELSE 2 END) \
             + (CASE WHEN site_id IS NULL THEN 0 ELSE 1 END), id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(merchant_id)
            .bind(site_id)
            .bind(from_date)
            .bind(to_date)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(day_from).collect::<Result<_, _>>()?)
    }

    async fn tickets_for_sla_watch(&self, limit: i64) -> StoreResult<Vec<SlaWatchRow>> {
        let rows = sqlx::query(
            "SELECT id, number, merchant_id, location_id, created_ms, first_response_due_ms, resolution_due_ms, \
             first_responded_ms, pauses_json, first_response_warned, first_response_breached, resolution_warned, \
             resolution_breached FROM support_tickets \
             WHERE status IN ('new', 'open') AND paused_since_ms IS NULL \
             AND ((first_responded_ms IS NULL AND (first_response_warned = 0 OR first_response_breached = 0)) \
                  OR resolution_warned = 0 OR resolution_breached = 0) \
             ORDER BY resolution_due_ms, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        let watch_from = |row: &AnyRow| -> Result<SlaWatchRow, sqlx::Error> {
            Ok(SlaWatchRow {
                id: row.try_get("id")?,
                number: row.try_get("number")?,
                merchant_id: row.try_get("merchant_id")?,
                location_id: row.try_get("location_id")?,
                created_ms: row.try_get("created_ms")?,
                first_response_due_ms: row.try_get("first_response_due_ms")?,
                resolution_due_ms: row.try_get("resolution_due_ms")?,
                first_responded_ms: row.try_get("first_responded_ms")?,
                pauses_json: row.try_get("pauses_json")?,
                claimed: [
                    flag_of(row, "first_response_warned")?,
                    flag_of(row, "first_response_breached")?,
                    flag_of(row, "resolution_warned")?,
                    flag_of(row, "resolution_breached")?,
                ],
            })
        };
        Ok(rows.iter().map(watch_from).collect::<Result<_, _>>()?)
    }

    async fn claim_sla_alert(&self, ticket_id: &str, alert: SlaAlertFlag, event: &NewEvent) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        // The conditional update is the claim: of two nodes, only one sees a row change.
        let column = alert.column();
        let sql = format!(
            "UPDATE support_tickets SET {column} = 1 WHERE id = $1 AND {column} = 0 AND status IN ('new', 'open') \
             AND paused_since_ms IS NULL"
        );
        let claimed =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ticket_id).execute(&mut *tx).await?.rows_affected() == 1;
        if claimed {
            insert_event(&mut tx, event.clone()).await?;
        }
        tx.commit().await?;
        Ok(claimed)
    }
}
