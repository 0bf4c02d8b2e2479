//! [`ConsoleStore`]: a location's live queue, sold-out switches (with their `stock.changed`
//! event), the order search, the day's takings per channel and the per-part settlement
//! statement.

use async_trait::async_trait;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::{DomainEvent, StockChanged};
use omnicanal_domain::fulfillment::FulfillmentStatus;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use super::columns::{get_parsed, in_list, like_escape};
use super::order_rows::{
    LINE_COLUMNS, attach_lines, currency, fulfillment_columns, fulfillment_from, line_from, order_columns, order_from,
    settlement_part_from,
};
use super::outbox::insert_event;
use super::tx::Tx;
use crate::backend::SqlStore;
use crate::rows::{FulfillmentRecord, NewEvent, OrderRow, Page};
use crate::{
    ConsoleStore, LivePartRow, OrderSearch, OrderSearchRow, QueueEntry, SettlementLineRow, SoldOutRow, SoldOutSwitch,
    StoreError, StoreResult, TakingsRow,
};

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
async fn sold_out_event(transaction: &mut Tx, switch: &SoldOutSwitch) -> StoreResult<NewEvent> {
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
    let changed = StockChanged {
        merchant_id: switch.merchant_id.clone(),
        sku: switch.sku.clone(),
        location_id: switch.location_id.clone(),
        on_hand: level.map(|(on_hand, _)| on_hand),
        reserved: level.map(|(_, reserved)| reserved),
        available: level.map(|(on_hand, reserved)| on_hand - reserved),
        sold_out: Some(switch.sold_out),
    };
    Ok(NewEvent {
        event_id: switch.event_id.clone(),
        created_at_ms: switch.now_ms,
        event: DomainEvent::StockChanged(changed),
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
            status: search.status.map(FulfillmentStatus::as_str).unwrap_or_default(),
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
        channel: get_parsed(row, "channel", Channel::parse)?,
        customer_name: row.try_get("customer_name")?,
        status: get_parsed(row, "status", FulfillmentStatus::parse)?,
        subtotal_minor: row.try_get("subtotal_minor")?,
        refunded_minor: row.try_get("refunded_minor")?,
        currency: get_parsed(row, "currency", currency)?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

#[async_trait]
impl ConsoleStore for SqlStore {
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
            "SELECT {LINE_COLUMNS} FROM fulfillment_lines WHERE fulfillment_id IN {} ORDER BY fulfillment_id, position",
            in_list(1, part_ids.len())
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
        let sql = format!("SELECT {} FROM orders WHERE id IN {}", order_columns!(), in_list(1, order_ids.len()));
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
            insert_event(&mut transaction, event).await?;
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

    async fn list_sold_out_at(&self, location_ids: &[String]) -> StoreResult<Vec<SoldOutRow>> {
        if location_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT location_id, sku, since_ms, user_id FROM sold_out_items WHERE location_id IN {} ORDER BY location_id, sku",
            in_list(1, location_ids.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in location_ids {
            query = query.bind(id.clone());
        }
        let rows = query.fetch_all(&self.read).await?;
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
                    channel: get_parsed(row, "channel", Channel::parse)?,
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
                    channel: get_parsed(row, "channel", Channel::parse)?,
                    status: get_parsed(row, "status", FulfillmentStatus::parse)?,
                    created_at_ms: row.try_get("created_at_ms")?,
                    money: settlement_part_from(row)?,
                })
            })
            .collect()
    }

    async fn site_live_parts(&self, site_id: &str) -> StoreResult<Vec<LivePartRow>> {
        let rows = sqlx::query(
            "SELECT f.location_id, f.status, f.created_at_ms, f.hold_expires_at_ms, f.estimated_ready_ms, o.pickup_at \
             FROM fulfillments f JOIN locations l ON l.id = f.location_id JOIN orders o ON o.id = f.order_id \
             WHERE l.site_id = $1 AND f.status IN ('placed', 'accepted', 'preparing', 'ready') \
             ORDER BY f.location_id, f.created_at_ms",
        )
        .bind(site_id)
        .fetch_all(&self.read)
        .await?;
        let part = |row: &AnyRow| -> Result<LivePartRow, sqlx::Error> {
            Ok(LivePartRow {
                location_id: row.try_get("location_id")?,
                status: get_parsed(row, "status", FulfillmentStatus::parse)?,
                created_at_ms: row.try_get("created_at_ms")?,
                hold_expires_at_ms: row.try_get("hold_expires_at_ms")?,
                estimated_ready_ms: row.try_get("estimated_ready_ms")?,
                pickup_at: row.try_get("pickup_at")?,
            })
        };
        Ok(rows.iter().map(part).collect::<Result<_, _>>()?)
    }
}
