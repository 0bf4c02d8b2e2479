//! The merchant console's reads and writes: transitions that record the kitchen's promise, a
//! location's live queue, sold-out switches (with their `stock.changed` event), the order
//! search, the day's takings per channel and the per-part settlement statement.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::insert_outbox;
use super::orders::{
    apply_change_with_preparation_in, attach_lines, fulfillment_columns, fulfillment_from, line_from, order_columns,
    order_from, settlement_part_from,
};
use crate::backend::SqlStore;
use crate::rows::{FulfillmentRecord, OrderRecord, OrderRow, OutboxRow, Page, Preparation};
use crate::{
    ConsoleStore, FulfillmentChange, OrderSearch, OrderSearchRow, OrderStore, QueueEntry, SettlementLineRow,
    SoldOutRow, SoldOutSwitch, StoreError, StoreResult, TakingsRow,
};

/// `($first, $first+1, …)` with `count` placeholders, for an `IN` list.
fn placeholders(first: usize, count: usize) -> String {
    let list: Vec<String> = (first..first + count).map(|n| format!("${n}")).collect();
    format!("({})", list.join(", "))
}

/// `text` with the `LIKE` wildcards and the escape character escaped (escape character `\`).
pub(crate) fn like_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// RFC 3339 in UTC with milliseconds (`2023-11-14T22:13:20.000Z`), the format the API uses
/// everywhere; written here because event payloads are built inside the store's transaction.
pub(crate) fn rfc3339_utc(ms: i64) -> String {
    let seconds = ms.div_euclid(1_000);
    let millis = ms.rem_euclid(1_000);
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    let (hour, minute, second) = (of_day / 3_600, of_day % 3_600 / 60, of_day % 60);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z")
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn sold_out_from(row: &AnyRow) -> Result<SoldOutRow, sqlx::Error> {
    Ok(SoldOutRow {
        location_id: row.try_get("location_id")?,
        sku: row.try_get("sku")?,
        since_ms: row.try_get("since_ms")?,
        user_id: row.try_get("user_id")?,
    })
}

/// The `stock.changed` event of a sold-out switch: the level as it stands (null figures for a
/// product that does not count stock) and `sold_out`.
async fn sold_out_event(transaction: &mut Transaction<'static, Any>, switch: &SoldOutSwitch) -> StoreResult<OutboxRow> {
    let level = if switch.track_stock {
        let row = sqlx::query("SELECT on_hand, reserved FROM stock_levels WHERE location_id = $1 AND sku = $2")
            .bind(&switch.location_id)
            .bind(&switch.sku)
            .fetch_optional(&mut **transaction)
            .await?;
        let (on_hand, reserved): (i64, i64) = match row {
            Some(row) => (row.try_get("on_hand")?, row.try_get("reserved")?),
            None => (0, 0),
        };
        Some((on_hand, reserved))
    } else {
        None
    };
    let payload = serde_json::json!({
        "sku": switch.sku,
        "location_id": switch.location_id,
        "on_hand": level.map(|(on_hand, _)| on_hand),
        "reserved": level.map(|(_, reserved)| reserved),
        "available": level.map(|(on_hand, reserved)| on_hand - reserved),
        "sold_out": switch.sold_out,
    });
    Ok(OutboxRow {
        seq: 0,
        event_id: switch.event_id.clone(),
        event_type: "stock.changed".into(),
        merchant_id: Some(switch.merchant_id.clone()),
        order_id: None,
        location_id: Some(switch.location_id.clone()),
        sku: Some(switch.sku.clone()),
        payload_json: payload.to_string(),
        created_at_ms: switch.now_ms,
    })
}

/// The condition that picks a location's queue: live parts, and finished ones changed since `$2`.
const QUEUE_WHERE: &str = "location_id = $1 AND (status IN ('placed', 'accepted', 'preparing', 'ready') \
    OR (status IN ('collected', 'rejected', 'cancelled') AND updated_at_ms >= $2))";

/// The search's filter, shared by the page and the count: `$1` merchant, `$2` location ('' for
/// any), `$3` status ('' for any), `$4`/`$5` the period, `$6` 1 when there is text, `$7` the
/// name pattern, `$8` the phone pattern, `$9` the order number (-1 when the text is not one).
const SEARCH_WHERE: &str = "f.merchant_id = $1 AND ($2 = '' OR f.location_id = $2) AND ($3 = '' OR f.status = $3) \
    AND f.created_at_ms >= $4 AND f.created_at_ms < $5 \
    AND ($6 = 0 OR LOWER(o.customer_name) LIKE $7 ESCAPE '\\' \
    OR REPLACE(COALESCE(o.customer_phone, ''), ' ', '') LIKE $8 ESCAPE '\\' OR o.number = $9)";

/// The bound values of [`SEARCH_WHERE`] for `search`, in order from `$1`.
struct SearchTerms<'a> {
    merchant_id: &'a str,
    location_id: &'a str,
    status: &'a str,
    from_ms: i64,
    to_ms: i64,
    has_text: i64,
    name_pattern: String,
    phone_pattern: String,
    number: i64,
}

impl<'a> SearchTerms<'a> {
    fn new(search: &'a OrderSearch) -> Self {
        let text = search.text.as_deref().map(str::trim).unwrap_or_default();
        let number = text.strip_prefix('#').unwrap_or(text).parse::<i64>().ok().filter(|n| *n > 0);
        let phone: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        Self {
            merchant_id: &search.merchant_id,
            location_id: search.location_id.as_deref().unwrap_or_default(),
            status: search.status.as_deref().unwrap_or_default(),
            from_ms: search.from_ms,
            to_ms: search.to_ms,
            has_text: i64::from(!text.is_empty()),
            name_pattern: format!("%{}%", like_escape(&text.to_lowercase())),
            phone_pattern: format!("%{}%", like_escape(&phone)),
            number: number.unwrap_or(-1),
        }
    }

    fn bind<'q>(
        &'q self,
        query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
        query
            .bind(self.merchant_id)
            .bind(self.location_id)
            .bind(self.status)
            .bind(self.from_ms)
            .bind(self.to_ms)
            .bind(self.has_text)
            .bind(&self.name_pattern)
            .bind(&self.phone_pattern)
            .bind(self.number)
    }
}

fn search_row_from(row: &AnyRow) -> Result<OrderSearchRow, sqlx::Error> {
    Ok(OrderSearchRow {
        fulfillment_id: row.try_get("fulfillment_id")?,
        order_id: row.try_get("order_id")?,
        order_number: row.try_get("order_number")?,
        location_id: row.try_get("location_id")?,
        location_name: row.try_get("location_name")?,
        channel: row.try_get("channel")?,
        customer_name: row.try_get("customer_name")?,
        status: row.try_get("status")?,
        subtotal_minor: row.try_get("subtotal_minor")?,
        refunded_minor: row.try_get("refunded_minor")?,
        currency: row.try_get("currency")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

#[async_trait]
impl ConsoleStore for SqlStore {
    async fn apply_transition_with_preparation(
        &self,
        change: &FulfillmentChange,
        preparation: Preparation,
    ) -> StoreResult<OrderRecord> {
        let mut transaction = self.write.begin().await?;
        let part = apply_change_with_preparation_in(&mut transaction, change, preparation).await?;
        transaction.commit().await?;
        self.get_order(&part.order_id).await?.ok_or(StoreError::NotFound)
    }

    async fn location_queue(
        &self,
        location_id: &str,
        done_since_ms: Option<i64>,
        page: Page,
    ) -> StoreResult<Vec<QueueEntry>> {
        let sql = format!(
            "SELECT {} FROM fulfillments WHERE {QUEUE_WHERE} ORDER BY created_at_ms, id LIMIT $3 OFFSET $4",
            fulfillment_columns!()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(location_id)
            .bind(done_since_ms.unwrap_or(i64::MAX))
            .bind(page.limit)
            .bind(page.offset)
            .fetch_all(&self.read)
            .await?;
        let mut parts: Vec<FulfillmentRecord> = rows.iter().map(fulfillment_from).collect::<Result<_, _>>()?;
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let part_ids: Vec<&str> = parts.iter().map(|part| part.id.as_str()).collect();
        let sql = format!(
            "SELECT fulfillment_id, sku, quantity, unit_price_minor, total_minor, track_stock, name, gross_minor, \
             discount_minor, tax_code, tax_rate_bps, tax_minor, modifiers_json, note FROM fulfillment_lines \
             WHERE fulfillment_id IN {} ORDER BY fulfillment_id, position",
            placeholders(1, part_ids.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in &part_ids {
            query = query.bind(*id);
        }
        let lines = query.fetch_all(&self.read).await?;
        attach_lines(&mut parts, lines.iter().map(line_from).collect::<Result<_, _>>()?);
        let mut order_ids: Vec<&str> = parts.iter().map(|part| part.order_id.as_str()).collect();
        order_ids.sort_unstable();
        order_ids.dedup();
        let sql = format!("SELECT {} FROM orders WHERE id IN {}", order_columns!(), placeholders(1, order_ids.len()));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in &order_ids {
            query = query.bind(*id);
        }
        let orders: Vec<OrderRow> =
            query.fetch_all(&self.read).await?.iter().map(order_from).collect::<Result<_, _>>()?;
        parts
            .into_iter()
            .map(|part| {
                let order = orders.iter().find(|order| order.id == part.order_id).cloned().ok_or_else(|| {
                    StoreError::Unavailable(format!("order {} of part {} is missing", part.order_id, part.id))
                })?;
                Ok(QueueEntry { order, part })
            })
            .collect()
    }

    async fn switch_sold_out(&self, switch: &SoldOutSwitch) -> StoreResult<(Option<SoldOutRow>, bool)> {
        let mut transaction = self.write.begin().await?;
        let changed = if switch.sold_out {
            sqlx::query(
                "INSERT INTO sold_out_items (location_id, sku, since_ms, user_id) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (location_id, sku) DO NOTHING",
            )
            .bind(&switch.location_id)
            .bind(&switch.sku)
            .bind(switch.now_ms)
            .bind(&switch.user_id)
            .execute(&mut *transaction)
            .await?
        } else {
            sqlx::query("DELETE FROM sold_out_items WHERE location_id = $1 AND sku = $2")
                .bind(&switch.location_id)
                .bind(&switch.sku)
                .execute(&mut *transaction)
                .await?
        }
        .rows_affected()
            == 1;
        if changed {
            let event = sold_out_event(&mut transaction, switch).await?;
            insert_outbox(&mut transaction, &event).await?;
        }
        let current = sqlx::query(
            "SELECT location_id, sku, since_ms, user_id FROM sold_out_items WHERE location_id = $1 AND sku = $2",
        )
        .bind(&switch.location_id)
        .bind(&switch.sku)
        .fetch_optional(&mut *transaction)
        .await?
        .map(|row| sold_out_from(&row))
        .transpose()?;
        transaction.commit().await?;
        Ok((current, changed))
    }

    async fn list_sold_out(&self, location_id: &str) -> StoreResult<Vec<SoldOutRow>> {
        let rows = sqlx::query(
            "SELECT location_id, sku, since_ms, user_id FROM sold_out_items WHERE location_id = $1 ORDER BY sku",
        )
        .bind(location_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(sold_out_from).collect::<Result<_, _>>()?)
    }

    async fn search_orders(&self, search: &OrderSearch) -> StoreResult<(Vec<OrderSearchRow>, i64)> {
        let terms = SearchTerms::new(search);
        let sql = format!(
            "SELECT f.id AS fulfillment_id, f.order_id, o.number AS order_number, f.location_id, \
             l.name AS location_name, o.channel, o.customer_name, f.status, f.subtotal_minor, f.refunded_minor, \
             f.currency, f.created_at_ms \
             FROM fulfillments f JOIN orders o ON o.id = f.order_id JOIN locations l ON l.id = f.location_id \
             WHERE {SEARCH_WHERE} ORDER BY f.created_at_ms DESC, f.id DESC LIMIT $10 OFFSET $11"
        );
        let rows = terms
            .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
            .bind(search.page.limit)
            .bind(search.page.offset)
            .fetch_all(&self.read)
            .await?;
        let items = rows.iter().map(search_row_from).collect::<Result<_, _>>()?;
        let sql =
            format!("SELECT COUNT(*) AS n FROM fulfillments f JOIN orders o ON o.id = f.order_id WHERE {SEARCH_WHERE}");
        let total: i64 = terms.bind(sqlx::query(sqlx::AssertSqlSafe(sql))).fetch_one(&self.read).await?.try_get("n")?;
        Ok((items, total))
    }

    async fn takings_by_channel(
        &self,
        merchant_id: &str,
        location_id: Option<&str>,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<TakingsRow>> {
        // CAST: PostgreSQL sums BIGINTs as NUMERIC, which the shared driver does not read as i64.
        let rows = sqlx::query(
            "SELECT o.channel AS channel, \
             CAST(SUM(CASE WHEN f.status IN ('rejected', 'cancelled') THEN 0 ELSE 1 END) AS BIGINT) AS orders, \
             CAST(SUM(f.captured_minor) AS BIGINT) AS gross, CAST(SUM(f.refunded_minor) AS BIGINT) AS refunds \
             FROM fulfillments f JOIN orders o ON o.id = f.order_id \
             WHERE f.merchant_id = $1 AND ($2 = '' OR f.location_id = $2) \
             AND f.created_at_ms >= $3 AND f.created_at_ms < $4 \
             GROUP BY o.channel ORDER BY o.channel",
        )
        .bind(merchant_id)
        .bind(location_id.unwrap_or_default())
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TakingsRow {
                    channel: row.try_get("channel")?,
                    orders: row.try_get("orders")?,
                    gross_minor: row.try_get("gross")?,
                    refunds_minor: row.try_get("refunds")?,
                })
            })
            .collect()
    }

    async fn settlement_lines(
        &self,
        merchant_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<SettlementLineRow>> {
        let rows = sqlx::query(
            "SELECT f.id, o.number, l.name AS location_name, o.channel, f.status, f.created_at_ms, \
             f.captured_minor, f.refunded_minor, f.merchant_funded_minor, f.operator_funded_minor \
             FROM fulfillments f JOIN orders o ON o.id = f.order_id JOIN locations l ON l.id = f.location_id \
             WHERE f.merchant_id = $1 AND f.created_at_ms >= $2 AND f.created_at_ms < $3 \
             ORDER BY f.created_at_ms, f.id",
        )
        .bind(merchant_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SettlementLineRow {
                    fulfillment_id: row.try_get("id")?,
                    order_number: row.try_get("number")?,
                    location_name: row.try_get("location_name")?,
                    channel: row.try_get("channel")?,
                    status: row.try_get("status")?,
                    created_at_ms: row.try_get("created_at_ms")?,
                    money: settlement_part_from(row)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_matches_the_api_format() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_utc(1_700_000_000_000), "2023-11-14T22:13:20.000Z");
        assert_eq!(rfc3339_utc(951_782_400_123), "2000-02-29T00:00:00.123Z", "a leap day");
        assert_eq!(rfc3339_utc(1_709_251_199_999), "2024-02-29T23:59:59.999Z");
        assert_eq!(rfc3339_utc(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn like_wildcards_match_themselves() {
        assert_eq!(like_escape("50%_off\\"), "50\\%\\_off\\\\");
        assert_eq!(like_escape("Pérez"), "Pérez");
    }

    #[test]
    fn in_lists_number_their_placeholders() {
        assert_eq!(placeholders(3, 3), "($3, $4, $5)");
    }
}
