//! [`SupportIncidentStore`]: telemetry counted per minute, tills last heard from, the
//! detector's lease and the incidents (issue 18 point 5).
//!
//! **Why counts and not an outbox row per event.** 500 tills at one event a second would add
//! 43 million outbox rows a day that every SSE stream, webhook fan-out and notification worker
//! would read past. Instead a batch adds to one row per (store, kind, code, till, minute) with
//! `ON CONFLICT … DO UPDATE SET events = events + excluded.events`, in its own transaction —
//! the durable, shared signal every node's detector reads alike. Only what people must hear
//! of, an incident opened or closed, goes to the outbox, in the transaction that changes it.
//!
//! **One open incident per (store, cause)** is the partial unique index
//! `support_incidents_one_open`; an insert that meets it does nothing (`ON CONFLICT DO
//! NOTHING`), and its event is written only when the insert landed, so two detectors racing
//! open one incident and announce it once.

use async_trait::async_trait;
use omnicanal_domain::support::incidents::{IncidentCause, IncidentStatus, TelemetryKind};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::{get_parsed, values_clause};
use super::outbox::insert_event;
use crate::backend::SqlStore;
use crate::rows::{
    DeviceSeenRow, NewEvent, Page, SupportIncidentFilter, SupportIncidentRow, TelemetryBatchRow, TelemetryWindowRow,
};
use crate::{StoreResult, SupportIncidentStore};

pub(super) const INCIDENT_COLUMNS: &str =
    "id, merchant_id, location_id, cause, status, opened_at_ms, last_firing_at_ms, closed_at_ms, evidence_json";

/// Most count rows one statement writes (7 parameters each keeps it far below both
/// databases' parameter limits).
const COUNTS_PER_STATEMENT: usize = 500;

pub(super) fn incident_from(row: &AnyRow) -> Result<SupportIncidentRow, sqlx::Error> {
    Ok(SupportIncidentRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        cause: get_parsed(row, "cause", IncidentCause::parse)?,
        status: get_parsed(row, "status", IncidentStatus::parse)?,
        opened_at_ms: row.try_get("opened_at_ms")?,
        last_firing_at_ms: row.try_get("last_firing_at_ms")?,
        closed_at_ms: row.try_get("closed_at_ms")?,
        evidence_json: row.try_get("evidence_json")?,
    })
}

fn window_row_from(row: &AnyRow) -> Result<TelemetryWindowRow, sqlx::Error> {
    Ok(TelemetryWindowRow {
        location_id: row.try_get("location_id")?,
        merchant_id: row.try_get("merchant_id")?,
        kind: get_parsed(row, "kind", TelemetryKind::parse)?,
        code: row.try_get("code")?,
        device_id: row.try_get("device_id")?,
        events: row.try_get("events")?,
    })
}

/// The `WHERE` of a filtered list, with its parameters in order.
fn filter_clause(filter: &SupportIncidentFilter) -> (String, Vec<String>) {
    let mut conditions = Vec::new();
    let mut params = Vec::new();
    if let Some(location_id) = &filter.location_id {
        params.push(location_id.clone());
        conditions.push(format!("location_id = ${}", params.len()));
    }
    if let Some(status) = filter.status {
        params.push(status.as_str().to_owned());
        conditions.push(format!("status = ${}", params.len()));
    }
    if let Some(cause) = filter.cause {
        params.push(cause.as_str().to_owned());
        conditions.push(format!("cause = ${}", params.len()));
    }
    if conditions.is_empty() {
        (String::new(), params)
    } else {
        (format!(" WHERE {}", conditions.join(" AND ")), params)
    }
}

#[async_trait]
impl SupportIncidentStore for SqlStore {
    async fn record_support_telemetry(&self, batch: &TelemetryBatchRow) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        for chunk in batch.counts.chunks(COUNTS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO support_telemetry_minutes \
                 (location_id, merchant_id, kind, code, device_id, minute_ms, events) VALUES {} \
                 ON CONFLICT (location_id, kind, code, device_id, minute_ms) \
                 DO UPDATE SET events = support_telemetry_minutes.events + excluded.events",
                values_clause(chunk.len(), 7)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for count in chunk {
                query = query
                    .bind(count.location_id.clone())
                    .bind(count.merchant_id.clone())
                    .bind(count.kind.as_str())
                    .bind(count.code.clone())
                    .bind(count.device_id.clone())
                    .bind(count.minute_ms)
                    .bind(count.events);
            }
            query.execute(&mut *transaction).await?;
        }
        // The later of two nodes' clocks wins, so a slow node cannot make a till look silent.
        sqlx::query(
            "INSERT INTO support_devices_seen (device_id, merchant_id, location_id, last_seen_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (device_id) DO UPDATE SET \
             location_id = excluded.location_id, \
             last_seen_ms = CASE WHEN excluded.last_seen_ms > support_devices_seen.last_seen_ms \
             THEN excluded.last_seen_ms ELSE support_devices_seen.last_seen_ms END",
        )
        .bind(&batch.device_id)
        .bind(&batch.merchant_id)
        .bind(&batch.location_id)
        .bind(batch.heard_at_ms)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn support_telemetry_window(
        &self,
        kinds: &[TelemetryKind],
        from_minute_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<TelemetryWindowRow>> {
        telemetry_window(self, None, kinds, from_minute_ms, limit).await
    }

    async fn support_telemetry_totals(
        &self,
        kind: TelemetryKind,
        from_minute_ms: i64,
        to_minute_ms: i64,
    ) -> StoreResult<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT location_id, CAST(SUM(events) AS BIGINT) AS events FROM support_telemetry_minutes \
             WHERE kind = $1 AND minute_ms >= $2 AND minute_ms < $3 GROUP BY location_id",
        )
        .bind(kind.as_str())
        .bind(from_minute_ms)
        .bind(to_minute_ms)
        .fetch_all(&self.read)
        .await?;
        let read = |row: &AnyRow| -> Result<(String, i64), sqlx::Error> {
            Ok((row.try_get("location_id")?, row.try_get("events")?))
        };
        Ok(rows.iter().map(read).collect::<Result<_, _>>()?)
    }

    async fn support_devices_seen_between(
        &self,
        after_ms: i64,
        before_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<DeviceSeenRow>> {
        let rows = sqlx::query(
            "SELECT device_id, merchant_id, location_id, last_seen_ms FROM support_devices_seen \
             WHERE last_seen_ms > $1 AND last_seen_ms <= $2 ORDER BY last_seen_ms, device_id LIMIT $3",
        )
        .bind(after_ms)
        .bind(before_ms)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        let read = |row: &AnyRow| -> Result<DeviceSeenRow, sqlx::Error> {
            Ok(DeviceSeenRow {
                device_id: row.try_get("device_id")?,
                merchant_id: row.try_get("merchant_id")?,
                location_id: row.try_get("location_id")?,
                last_seen_ms: row.try_get("last_seen_ms")?,
            })
        };
        Ok(rows.iter().map(read).collect::<Result<_, _>>()?)
    }

    async fn claim_support_detector_run(&self, now_ms: i64, min_gap_ms: i64) -> StoreResult<bool> {
        let claimed =
            sqlx::query("UPDATE support_detector_runs SET last_run_ms = $1 WHERE id = 1 AND last_run_ms <= $2")
                .bind(now_ms)
                .bind(now_ms.saturating_sub(min_gap_ms))
                .execute(&self.write)
                .await?;
        Ok(claimed.rows_affected() == 1)
    }

    async fn open_support_incidents(&self, limit: i64) -> StoreResult<Vec<SupportIncidentRow>> {
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS} FROM support_incidents WHERE status = 'open' ORDER BY opened_at_ms, id LIMIT $1"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(&self.read).await?;
        Ok(rows.iter().map(incident_from).collect::<Result<_, _>>()?)
    }

    async fn open_support_incident(&self, incident: &SupportIncidentRow, event: NewEvent) -> StoreResult<bool> {
        let mut transaction = self.write.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO support_incidents \
             (id, merchant_id, location_id, cause, status, opened_at_ms, last_firing_at_ms, closed_at_ms, evidence_json) \
             VALUES ($1, $2, $3, $4, 'open', $5, $6, NULL, $7) ON CONFLICT DO NOTHING",
        )
        .bind(&incident.id)
        .bind(&incident.merchant_id)
        .bind(&incident.location_id)
        .bind(incident.cause.as_str())
        .bind(incident.opened_at_ms)
        .bind(incident.last_firing_at_ms)
        .bind(&incident.evidence_json)
        .execute(&mut *transaction)
        .await?;
        if inserted.rows_affected() != 1 {
            transaction.rollback().await?;
            return Ok(false);
        }
        insert_event(&mut transaction, event).await?;
        transaction.commit().await?;
        Ok(true)
    }

    async fn refresh_support_incident(&self, id: &str, last_firing_at_ms: i64, evidence_json: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE support_incidents SET last_firing_at_ms = $1, evidence_json = $2 \
             WHERE id = $3 AND status = 'open' AND last_firing_at_ms <= $1",
        )
        .bind(last_firing_at_ms)
        .bind(evidence_json)
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn close_support_incident(&self, id: &str, closed_at_ms: i64, event: NewEvent) -> StoreResult<bool> {
        let mut transaction = self.write.begin().await?;
        let closed = sqlx::query(
            "UPDATE support_incidents SET status = 'closed', closed_at_ms = $1 WHERE id = $2 AND status = 'open'",
        )
        .bind(closed_at_ms)
        .bind(id)
        .execute(&mut *transaction)
        .await?;
        if closed.rows_affected() != 1 {
            transaction.rollback().await?;
            return Ok(false);
        }
        insert_event(&mut transaction, event).await?;
        transaction.commit().await?;
        Ok(true)
    }

    async fn list_support_incidents(
        &self,
        filter: &SupportIncidentFilter,
        page: Page,
    ) -> StoreResult<Vec<SupportIncidentRow>> {
        let (clause, params) = filter_clause(filter);
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS} FROM support_incidents{clause} ORDER BY opened_at_ms DESC, id DESC \
             LIMIT ${} OFFSET ${}",
            params.len() + 1,
            params.len() + 2
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for param in params {
            query = query.bind(param);
        }
        let rows = query.bind(page.limit).bind(page.offset).fetch_all(&self.read).await?;
        Ok(rows.iter().map(incident_from).collect::<Result<_, _>>()?)
    }

    async fn count_support_incidents(&self, filter: &SupportIncidentFilter) -> StoreResult<i64> {
        let (clause, params) = filter_clause(filter);
        let sql = format!("SELECT COUNT(*) AS n FROM support_incidents{clause}");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for param in params {
            query = query.bind(param);
        }
        let row = query.fetch_one(&self.read).await?;
        Ok(row.try_get("n")?)
    }

    async fn get_support_incident(&self, id: &str) -> StoreResult<Option<SupportIncidentRow>> {
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM support_incidents WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.read).await?;
        Ok(row.as_ref().map(incident_from).transpose()?)
    }

    async fn prune_support_telemetry(&self, before_minute_ms: i64) -> StoreResult<u64> {
        let pruned = sqlx::query("DELETE FROM support_telemetry_minutes WHERE minute_ms < $1")
            .bind(before_minute_ms)
            .execute(&self.write)
            .await?;
        Ok(pruned.rows_affected())
    }

    // The three reads below serve the detector's fast path, which judges only the stores a
    // batch of declines or print failures just came from. Each is bounded by the store: the
    // telemetry primary key starts with (location_id, kind), and the partial unique index
    // `support_incidents_one_open` holds exactly the store's open incidents.

    async fn support_telemetry_window_at(
        &self,
        location_id: &str,
        kinds: &[TelemetryKind],
        from_minute_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<TelemetryWindowRow>> {
        telemetry_window(self, Some(location_id), kinds, from_minute_ms, limit).await
    }

    async fn support_telemetry_total_at(
        &self,
        location_id: &str,
        kind: TelemetryKind,
        from_minute_ms: i64,
        to_minute_ms: i64,
    ) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(events), 0) AS BIGINT) AS events FROM support_telemetry_minutes \
             WHERE location_id = $1 AND kind = $2 AND minute_ms >= $3 AND minute_ms < $4",
        )
        .bind(location_id)
        .bind(kind.as_str())
        .bind(from_minute_ms)
        .bind(to_minute_ms)
        .fetch_one(&self.read)
        .await?;
        Ok(row.try_get("events")?)
    }

    async fn open_support_incidents_at(&self, location_id: &str) -> StoreResult<Vec<SupportIncidentRow>> {
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS} FROM support_incidents WHERE location_id = $1 AND status = 'open' \
             ORDER BY opened_at_ms, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(location_id).fetch_all(&self.read).await?;
        Ok(rows.iter().map(incident_from).collect::<Result<_, _>>()?)
    }
}

/// The telemetry counts of `kinds` since `from_minute_ms`, by store, kind, code and till, the
/// largest first: of every store (the periodic tick) or of one (the fast path, bounded by the
/// primary key's leading `location_id`).
async fn telemetry_window(
    store: &SqlStore,
    location_id: Option<&str>,
    kinds: &[TelemetryKind],
    from_minute_ms: i64,
    limit: i64,
) -> StoreResult<Vec<TelemetryWindowRow>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let first_kind = if location_id.is_some() { 3 } else { 2 };
    let kind_params: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + first_kind)).collect();
    let (from_param, at_store) = if location_id.is_some() { ("$2", "location_id = $1 AND ") } else { ("$1", "") };
    let sql = format!(
        "SELECT location_id, merchant_id, kind, code, device_id, CAST(SUM(events) AS BIGINT) AS events \
         FROM support_telemetry_minutes WHERE {at_store}minute_ms >= {from_param} AND kind IN ({}) \
         GROUP BY location_id, merchant_id, kind, code, device_id ORDER BY events DESC LIMIT ${}",
        kind_params.join(", "),
        kinds.len() + first_kind
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(location_id) = location_id {
        query = query.bind(location_id);
    }
    query = query.bind(from_minute_ms);
    for kind in kinds {
        query = query.bind(kind.as_str());
    }
    let rows = query.bind(limit).fetch_all(&store.read).await?;
    Ok(rows.iter().map(window_row_from).collect::<Result<_, _>>()?)
}
