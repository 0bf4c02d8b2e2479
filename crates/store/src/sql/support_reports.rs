//! [`SupportReportStore`]: what the desk's reports read beyond tickets (issue 18 points 4 and
//! 6) — the incidents open during a period and the problems raised, help session or not.
//!
//! **Incidents of a period** are those that overlap it, not only those opened in it: an
//! incident opened on Sunday night and still open on Monday belongs to Monday's report too.
//! The read is bounded by `limit`; the app refuses a period past it rather than cut it short.
//!
//! **Tickets without a help session** are the till's and the console's tickets that no help
//! session names as the ticket it ended in (`support_help_sessions.ticket_id`, indexed by
//! migration 0047). Phone tickets are left out: the caller was never offered an article.

use async_trait::async_trait;
use sqlx::Row;

use super::support_incidents::{INCIDENT_COLUMNS, incident_from};
use crate::backend::SqlStore;
use crate::rows::{SupportIncidentRow, SupportProblemCountsRow};
use crate::{StoreResult, SupportReportStore};

#[async_trait]
impl SupportReportStore for SqlStore {
    async fn support_incidents_in_period(
        &self,
        from_ms: i64,
        to_ms: i64,
        merchant_id: Option<&str>,
        location_id: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<SupportIncidentRow>> {
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS} FROM support_incidents \
             WHERE opened_at_ms < $1 AND (closed_at_ms IS NULL OR closed_at_ms >= $2) \
             AND ($3 IS NULL OR merchant_id = $3) AND ($4 IS NULL OR location_id = $4) \
             ORDER BY opened_at_ms, id LIMIT $5"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_ms)
            .bind(from_ms)
            .bind(merchant_id)
            .bind(location_id)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(incident_from).collect::<Result<_, _>>()?)
    }

    async fn support_problem_counts(
        &self,
        from_ms: i64,
        to_ms: i64,
        merchant_id: Option<&str>,
        location_id: Option<&str>,
    ) -> StoreResult<SupportProblemCountsRow> {
        let sessions = sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS sessions, \
             CAST(COALESCE(SUM(CASE WHEN outcome = 'solved' THEN 1 ELSE 0 END), 0) AS BIGINT) AS solved \
             FROM support_help_sessions WHERE opened_ms >= $1 AND opened_ms < $2 \
             AND ($3 IS NULL OR merchant_id = $3) AND ($4 IS NULL OR location_id = $4)",
        )
        .bind(from_ms)
        .bind(to_ms)
        .bind(merchant_id)
        .bind(location_id)
        .fetch_one(&self.read)
        .await?;
        let tickets = sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS tickets FROM support_tickets t \
             WHERE t.created_ms >= $1 AND t.created_ms < $2 \
             AND ($3 IS NULL OR t.merchant_id = $3) AND ($4 IS NULL OR t.location_id = $4) \
             AND t.source IN ('till', 'console') AND t.status <> 'merged' \
             AND NOT EXISTS (SELECT 1 FROM support_help_sessions h WHERE h.ticket_id = t.id)",
        )
        .bind(from_ms)
        .bind(to_ms)
        .bind(merchant_id)
        .bind(location_id)
        .fetch_one(&self.read)
        .await?;
        Ok(SupportProblemCountsRow {
            help_sessions: sessions.try_get("sessions")?,
            solved_by_article: sessions.try_get("solved")?,
            tickets_without_help: tickets.try_get("tickets")?,
        })
    }
}
