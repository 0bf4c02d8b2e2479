//! [`ReportingStore`]: the dashboard's figures, each added up by one `GROUP BY` on the
//! database, the same SQL on SQLite and PostgreSQL. Hours are grouped by their UTC start
//! (`created_at_ms / 3600000`, integer division on both) so the use case can fold them into the
//! site's local hours and days whatever its time zone and daylight saving.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::backend::SqlStore;
use crate::{
    RejectionRow, ReportGroupRow, ReportScope, ReportSummaryRow, ReportingStore, SalesReport, StoreResult,
    TopProductRow,
};

/// Every sale in scope, one row each: the parts of orders not rejected or cancelled, and the
/// till's own sales (which are not orders) as channel `pos`. Binds: `$1` from, `$2` to, `$3`
/// merchant ('' for all), `$4` site ('' for all).
const SALES: &str = "WITH sales AS ( \
     SELECT f.merchant_id AS merchant_id, o.channel AS channel, f.created_at_ms AS at_ms, \
     f.subtotal_minor AS amount \
     FROM fulfillments f JOIN orders o ON o.id = f.order_id JOIN locations l ON l.id = f.location_id \
     WHERE f.status NOT IN ('rejected', 'cancelled') \
     AND f.created_at_ms >= $1 AND f.created_at_ms < $2 AND ($3 = '' OR f.merchant_id = $3) \
     AND ($4 = '' OR l.site_id = $4) \
     UNION ALL \
     SELECT s.merchant_id, 'pos', s.sold_at_ms, s.total_minor \
     FROM pos_sales s JOIN locations l ON l.id = s.location_id \
     WHERE s.sold_at_ms >= $1 AND s.sold_at_ms < $2 AND ($3 = '' OR s.merchant_id = $3) \
     AND ($4 = '' OR l.site_id = $4)) ";

/// The parts in scope, whatever their status (for the refusals and the products).
const PARTS_WHERE: &str = "f.created_at_ms >= $1 AND f.created_at_ms < $2 AND ($3 = '' OR f.merchant_id = $3) \
     AND ($4 = '' OR l.site_id = $4)";

fn group_from(row: &AnyRow) -> Result<ReportGroupRow, sqlx::Error> {
    let key: String = row.try_get("k")?;
    let label: Option<String> = row.try_get("label")?;
    Ok(ReportGroupRow {
        label: label.unwrap_or_else(|| key.clone()),
        key,
        orders: row.try_get("n")?,
        gross_minor: row.try_get("gross")?,
    })
}

impl SqlStore {
    async fn report_rows(&self, sql: String, scope: &ReportScope) -> StoreResult<Vec<AnyRow>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.from_ms)
            .bind(scope.to_ms)
            .bind(scope.merchant_id.clone().unwrap_or_default())
            .bind(scope.site_id.clone().unwrap_or_default())
            .fetch_all(&self.read)
            .await?)
    }
}

#[async_trait]
impl ReportingStore for SqlStore {
    async fn sales_report(&self, scope: &ReportScope) -> StoreResult<SalesReport> {
        // CAST: PostgreSQL sums BIGINTs as NUMERIC, which the shared driver does not read as i64;
        // the hour's key is cast to text so every group reads alike.
        let hours = format!(
            "{SALES}SELECT CAST(CAST(at_ms / 3600000 AS BIGINT) * 3600000 AS TEXT) AS k, \
             CAST(NULL AS TEXT) AS label, CAST(COUNT(*) AS BIGINT) AS n, \
             CAST(SUM(amount) AS BIGINT) AS gross FROM sales GROUP BY at_ms / 3600000 ORDER BY at_ms / 3600000"
        );
        let channels = format!(
            "{SALES}SELECT channel AS k, CAST(NULL AS TEXT) AS label, CAST(COUNT(*) AS BIGINT) AS n, \
             CAST(SUM(amount) AS BIGINT) AS gross FROM sales GROUP BY channel ORDER BY channel"
        );
        let merchants = format!(
            "{SALES}SELECT sales.merchant_id AS k, MAX(m.name) AS label, CAST(COUNT(*) AS BIGINT) AS n, \
             CAST(SUM(amount) AS BIGINT) AS gross FROM sales LEFT JOIN merchants m ON m.id = sales.merchant_id \
             GROUP BY sales.merchant_id ORDER BY gross DESC, k"
        );
        let rejections = format!(
            "SELECT f.status AS status, f.reason AS reason, CAST(COUNT(*) AS BIGINT) AS n \
             FROM fulfillments f JOIN locations l ON l.id = f.location_id \
             WHERE f.status IN ('rejected', 'cancelled') AND {PARTS_WHERE} \
             GROUP BY f.status, f.reason ORDER BY n DESC, status, reason"
        );
        // The till's lines count too (named after their product); a SKU is a merchant's own, so
        // two merchants' equal SKUs stay two products.
        let products = format!(
            "SELECT merchant_id, sku, MAX(name) AS name, CAST(SUM(quantity) AS BIGINT) AS units, \
             CAST(SUM(total) AS BIGINT) AS gross FROM ( \
             SELECT f.merchant_id AS merchant_id, fl.sku AS sku, fl.name AS name, fl.quantity AS quantity, \
             fl.total_minor AS total \
             FROM fulfillment_lines fl JOIN fulfillments f ON f.id = fl.fulfillment_id \
             JOIN locations l ON l.id = f.location_id \
             WHERE f.status NOT IN ('rejected', 'cancelled') AND {PARTS_WHERE} \
             UNION ALL \
             SELECT s.merchant_id, pl.sku, (SELECT MAX(p.name) FROM variants v JOIN products p ON p.id = v.product_id \
             WHERE v.merchant_id = s.merchant_id AND v.sku = pl.sku), pl.quantity, pl.total_minor \
             FROM pos_sale_lines pl JOIN pos_sales s ON s.id = pl.sale_id JOIN locations l ON l.id = s.location_id \
             WHERE s.sold_at_ms >= $1 AND s.sold_at_ms < $2 AND ($3 = '' OR s.merchant_id = $3) \
             AND ($4 = '' OR l.site_id = $4)) sold \
             GROUP BY merchant_id, sku ORDER BY units DESC, gross DESC, sku LIMIT 10"
        );
        let summary = format!(
            "SELECT CAST(COALESCE(SUM(f.refunded_minor), 0) AS BIGINT) AS refunds, \
             CAST(COUNT(f.accepted_at_ms) AS BIGINT) AS accepted, \
             CAST(COALESCE(SUM(f.accepted_at_ms - f.created_at_ms), 0) AS BIGINT) AS accept_ms, \
             CAST(COUNT(f.prep_minutes) AS BIGINT) AS prepared, \
             CAST(COALESCE(SUM(f.prep_minutes), 0) AS BIGINT) AS prep_minutes, \
             CAST(COUNT(CASE WHEN f.accepted_at_ms IS NOT NULL THEN f.ready_at_ms END) AS BIGINT) AS readied, \
             CAST(COALESCE(SUM(f.ready_at_ms - f.accepted_at_ms), 0) AS BIGINT) AS ready_ms, \
             CAST(COUNT(CASE WHEN f.ready_at_ms IS NOT NULL THEN f.collected_at_ms END) AS BIGINT) AS collected, \
             CAST(COALESCE(SUM(f.collected_at_ms - f.ready_at_ms), 0) AS BIGINT) AS collect_ms \
             FROM fulfillments f JOIN locations l ON l.id = f.location_id WHERE {PARTS_WHERE}"
        );
        let summary = match self.report_rows(summary, scope).await?.first() {
            Some(row) => ReportSummaryRow {
                refunds_minor: row.try_get("refunds")?,
                accepted: row.try_get("accepted")?,
                accept_ms: row.try_get("accept_ms")?,
                prepared: row.try_get("prepared")?,
                prep_minutes: row.try_get("prep_minutes")?,
                readied: row.try_get("readied")?,
                ready_ms: row.try_get("ready_ms")?,
                collected: row.try_get("collected")?,
                collect_ms: row.try_get("collect_ms")?,
            },
            None => ReportSummaryRow::default(),
        };
        let groups = |rows: Vec<AnyRow>| rows.iter().map(group_from).collect::<Result<Vec<_>, _>>();
        Ok(SalesReport {
            hours: groups(self.report_rows(hours, scope).await?)?,
            channels: groups(self.report_rows(channels, scope).await?)?,
            merchants: groups(self.report_rows(merchants, scope).await?)?,
            rejections: self
                .report_rows(rejections, scope)
                .await?
                .iter()
                .map(|row| {
                    Ok(RejectionRow {
                        status: row.try_get("status")?,
                        reason: row.try_get("reason")?,
                        count: row.try_get("n")?,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()?,
            top_products: self
                .report_rows(products, scope)
                .await?
                .iter()
                .map(|row| {
                    let sku: String = row.try_get("sku")?;
                    let name: Option<String> = row.try_get("name")?;
                    Ok(TopProductRow {
                        name: name.unwrap_or_else(|| sku.clone()),
                        sku,
                        units: row.try_get("units")?,
                        gross_minor: row.try_get("gross")?,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()?,
            summary,
        })
    }
}
