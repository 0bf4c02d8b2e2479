//! Orders: placement with stock reservation, transitions with their stock and
//! money effects, and reads. Each write is one transaction with its outbox events.

use async_trait::async_trait;
use omnicanal_domain::DomainError;
use omnicanal_domain::fulfillment::{FulfillmentStatus, MoneyEffect, StockEffect};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::holds::expire_holds_in;
use super::placement::{book_pickup_slots, release_pickup_slot};
use super::stock::record_movement;
use super::{flag, get_flag, insert_outbox, insert_outbox_many, stock_changed_event, values_clause};
use crate::backend::SqlStore;
use crate::rows::{
    FulfillmentRecord, LinePricing, LineRow, NewOrder, OrderRecord, OrderRow, OutboxRow, Page, PartPricing,
    Preparation, SettlementPartRow, StockMovementRow,
};
use crate::{FulfillmentChange, OrderStore, StoreError, StoreResult};

macro_rules! order_columns {
    () => {
        "id, number, site_id, channel, customer_name, customer_phone, customer_email, \
    tracking_token, currency, total_minor, payment_method, payment_reference, captured_minor, refunded_minor, \
    outstanding_minor, pickup_at, customer_tax_id, table_label, created_at_ms"
    };
}
pub(crate) use order_columns;
macro_rules! fulfillment_columns {
    () => {
        "id, order_id, merchant_id, location_id, status, pickup_code, subtotal_minor, \
    currency, captured_minor, refunded_minor, reason, created_at_ms, updated_at_ms, hold_expires_at_ms, \
    gross_minor, discount_minor, merchant_funded_minor, operator_funded_minor, document_kind, document_number, \
    prep_minutes, accepted_at_ms, estimated_ready_ms"
    };
}
pub(crate) use fulfillment_columns;

pub(crate) fn order_from(row: &AnyRow) -> Result<OrderRow, sqlx::Error> {
    Ok(OrderRow {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        site_id: row.try_get("site_id")?,
        channel: row.try_get("channel")?,
        customer_name: row.try_get("customer_name")?,
        customer_phone: row.try_get("customer_phone")?,
        customer_email: row.try_get("customer_email")?,
        tracking_token: row.try_get("tracking_token")?,
        currency: row.try_get("currency")?,
        total_minor: row.try_get("total_minor")?,
        payment_method: row.try_get("payment_method")?,
        payment_reference: row.try_get("payment_reference")?,
        captured_minor: row.try_get("captured_minor")?,
        refunded_minor: row.try_get("refunded_minor")?,
        outstanding_minor: row.try_get("outstanding_minor")?,
        pickup_at: row.try_get("pickup_at")?,
        customer_tax_id: row.try_get("customer_tax_id")?,
        table_label: row.try_get("table_label")?,
        quote_json: None,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

/// A part's money for settlement, from a row with its money columns and `status`.
pub(crate) fn settlement_part_from(row: &AnyRow) -> Result<SettlementPartRow, sqlx::Error> {
    Ok(SettlementPartRow {
        captured_minor: row.try_get("captured_minor")?,
        refunded_minor: row.try_get("refunded_minor")?,
        merchant_funded_minor: row.try_get("merchant_funded_minor")?,
        operator_funded_minor: row.try_get("operator_funded_minor")?,
        status: row.try_get("status")?,
    })
}

pub(crate) fn fulfillment_from(row: &AnyRow) -> Result<FulfillmentRecord, sqlx::Error> {
    Ok(FulfillmentRecord {
        id: row.try_get("id")?,
        order_id: row.try_get("order_id")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        status: row.try_get("status")?,
        pickup_code: row.try_get("pickup_code")?,
        subtotal_minor: row.try_get("subtotal_minor")?,
        currency: row.try_get("currency")?,
        captured_minor: row.try_get("captured_minor")?,
        refunded_minor: row.try_get("refunded_minor")?,
        reason: row.try_get("reason")?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
        hold_expires_at_ms: row.try_get("hold_expires_at_ms")?,
        pricing: PartPricing {
            gross_minor: row.try_get("gross_minor")?,
            discount_minor: row.try_get("discount_minor")?,
            merchant_funded_minor: row.try_get("merchant_funded_minor")?,
            operator_funded_minor: row.try_get("operator_funded_minor")?,
            document_kind: row.try_get("document_kind")?,
            document_number: row.try_get("document_number")?,
        },
        preparation: Preparation {
            prep_minutes: row.try_get("prep_minutes")?,
            accepted_at_ms: row.try_get("accepted_at_ms")?,
            estimated_ready_ms: row.try_get("estimated_ready_ms")?,
        },
        lines: Vec::new(),
    })
}

pub(crate) fn line_from(row: &AnyRow) -> Result<(String, LineRow), sqlx::Error> {
    Ok((
        row.try_get("fulfillment_id")?,
        LineRow {
            sku: row.try_get("sku")?,
            quantity: row.try_get("quantity")?,
            unit_price_minor: row.try_get("unit_price_minor")?,
            total_minor: row.try_get("total_minor")?,
            track_stock: get_flag(row, "track_stock")?,
            pricing: LinePricing {
                name: row.try_get("name")?,
                gross_minor: row.try_get("gross_minor")?,
                discount_minor: row.try_get("discount_minor")?,
                tax_code: row.try_get("tax_code")?,
                tax_rate_bps: row.try_get("tax_rate_bps")?,
                tax_minor: row.try_get("tax_minor")?,
                modifiers_json: row.try_get("modifiers_json")?,
                note: row.try_get("note")?,
            },
        },
    ))
}

/// Attaches lines to their parts (lines arrive ordered by position).
pub(crate) fn attach_lines(parts: &mut [FulfillmentRecord], lines: Vec<(String, LineRow)>) {
    for (fulfillment_id, line) in lines {
        if let Some(part) = parts.iter_mut().find(|part| part.id == fulfillment_id) {
            part.lines.push(line);
        }
    }
}

/// Reads a whole order through any executor (pool or transaction).
async fn read_order<'c, E>(executor: E, id: &str) -> Result<Option<OrderRecord>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = Any> + Copy,
{
    let Some(row) = sqlx::query(concat!("SELECT ", order_columns!(), " FROM orders WHERE id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?
    else {
        return Ok(None);
    };
    let order = order_from(&row)?;
    let parts = sqlx::query(concat!(
        "SELECT ",
        fulfillment_columns!(),
        " FROM fulfillments WHERE order_id = $1 ORDER BY location_id, id"
    ))
    .bind(id)
    .fetch_all(executor)
    .await?;
    let mut fulfillments: Vec<FulfillmentRecord> = parts.iter().map(fulfillment_from).collect::<Result<_, _>>()?;
    let lines = sqlx::query(
        "SELECT l.fulfillment_id, l.sku, l.quantity, l.unit_price_minor, l.total_minor, l.track_stock, l.name, \
         l.gross_minor, l.discount_minor, l.tax_code, l.tax_rate_bps, l.tax_minor, \
         l.modifiers_json, l.note \
         FROM fulfillment_lines l JOIN fulfillments f ON f.id = l.fulfillment_id \
         WHERE f.order_id = $1 ORDER BY l.fulfillment_id, l.position",
    )
    .bind(id)
    .fetch_all(executor)
    .await?;
    attach_lines(&mut fulfillments, lines.iter().map(line_from).collect::<Result<_, _>>()?);
    Ok(Some(OrderRecord { order, fulfillments }))
}

/// Reserves (or releases, or sells) one line's units; `None` when the ledger refuses.
async fn change_stock(
    transaction: &mut Transaction<'static, Any>,
    sql: &'static str,
    quantity: i64,
    location_id: &str,
    sku: &str,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let row = sqlx::query(sql).bind(quantity).bind(location_id).bind(sku).fetch_optional(&mut **transaction).await?;
    row.map(|row| Ok((row.try_get("on_hand")?, row.try_get("reserved")?))).transpose()
}

/// Reserves `$1` units unless that would leave fewer than `$4` (the channel's safety buffer) available.
const RESERVE_SQL: &str = "UPDATE stock_levels SET reserved = reserved + $1 \
    WHERE location_id = $2 AND sku = $3 AND on_hand - reserved - $4 >= $1 RETURNING on_hand, reserved";

/// Reserves one line's units, keeping `safety_buffer` units back; `None` when short.
async fn reserve_stock(
    transaction: &mut Transaction<'static, Any>,
    quantity: i64,
    location_id: &str,
    sku: &str,
    safety_buffer: i64,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let row = sqlx::query(RESERVE_SQL)
        .bind(quantity)
        .bind(location_id)
        .bind(sku)
        .bind(safety_buffer)
        .fetch_optional(&mut **transaction)
        .await?;
    row.map(|row| Ok((row.try_get("on_hand")?, row.try_get("reserved")?))).transpose()
}
const RELEASE_SQL: &str = "UPDATE stock_levels SET reserved = reserved - $1 \
    WHERE location_id = $2 AND sku = $3 AND reserved >= $1 RETURNING on_hand, reserved";
const SELL_SQL: &str = "UPDATE stock_levels SET on_hand = on_hand - $1, reserved = reserved - $1 \
    WHERE location_id = $2 AND sku = $3 AND reserved >= $1 AND on_hand >= $1 RETURNING on_hand, reserved";

fn event(
    event_id: String,
    event_type: &str,
    part: Option<&FulfillmentRecord>,
    order_id: &str,
    payload: serde_json::Value,
    now_ms: i64,
) -> OutboxRow {
    OutboxRow {
        seq: 0,
        event_id,
        event_type: event_type.into(),
        merchant_id: part.map(|p| p.merchant_id.clone()),
        order_id: Some(order_id.into()),
        location_id: part.map(|p| p.location_id.clone()),
        sku: None,
        payload_json: payload.to_string(),
        created_at_ms: now_ms,
    }
}

#[async_trait]
impl OrderStore for SqlStore {
    async fn place_order(&self, new_order: &NewOrder) -> StoreResult<OrderRecord> {
        self.place(new_order).await
    }

    async fn get_order(&self, id: &str) -> StoreResult<Option<OrderRecord>> {
        Ok(read_order(&self.read, id).await?)
    }

    async fn get_fulfillment(&self, id: &str) -> StoreResult<Option<FulfillmentRecord>> {
        let Some(row) = sqlx::query(concat!("SELECT ", fulfillment_columns!(), " FROM fulfillments WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
        else {
            return Ok(None);
        };
        let mut part = fulfillment_from(&row)?;
        let lines = sqlx::query(
            "SELECT fulfillment_id, sku, quantity, unit_price_minor, total_minor, track_stock, name, gross_minor, \
             discount_minor, tax_code, tax_rate_bps, tax_minor, modifiers_json, note FROM fulfillment_lines WHERE fulfillment_id = $1 \
             ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        part.lines = lines.iter().map(line_from).map(|r| r.map(|(_, line)| line)).collect::<Result<_, _>>()?;
        Ok(Some(part))
    }

    async fn list_location_fulfillments(
        &self,
        location_id: &str,
        status: Option<&str>,
        page: Page,
    ) -> StoreResult<Vec<FulfillmentRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            fulfillment_columns!(),
            " FROM fulfillments WHERE location_id = $1 AND ($2 IS NULL OR status = $2) \
             ORDER BY created_at_ms DESC, id DESC LIMIT $3 OFFSET $4"
        ))
        .bind(location_id)
        .bind(status)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        let mut parts: Vec<FulfillmentRecord> = rows.iter().map(fulfillment_from).collect::<Result<_, _>>()?;
        if parts.is_empty() {
            return Ok(parts);
        }
        let lines = sqlx::query(
            "SELECT l.fulfillment_id, l.sku, l.quantity, l.unit_price_minor, l.total_minor, l.track_stock, l.name, \
         l.gross_minor, l.discount_minor, l.tax_code, l.tax_rate_bps, l.tax_minor, \
         l.modifiers_json, l.note \
             FROM fulfillment_lines l JOIN fulfillments f ON f.id = l.fulfillment_id \
             WHERE f.location_id = $1 AND ($2 IS NULL OR f.status = $2) \
             ORDER BY l.fulfillment_id, l.position",
        )
        .bind(location_id)
        .bind(status)
        .fetch_all(&self.read)
        .await?;
        attach_lines(&mut parts, lines.iter().map(line_from).collect::<Result<_, _>>()?);
        Ok(parts)
    }

    async fn apply_transition(&self, change: &FulfillmentChange) -> StoreResult<OrderRecord> {
        let mut transaction = self.write.begin().await?;
        let part = apply_change_in(&mut transaction, change).await?;
        transaction.commit().await?;
        read_order(&self.write, &part.order_id).await?.ok_or(StoreError::NotFound)
    }

    async fn expire_due_holds(&self, now_ms: i64, limit: i64) -> StoreResult<usize> {
        let mut transaction = self.write.begin().await?;
        let expired = expire_holds_in(&mut transaction, None, now_ms, limit).await?;
        transaction.commit().await?;
        Ok(expired)
    }

    async fn merchant_money(&self, merchant_id: &str, from_ms: i64, to_ms: i64) -> StoreResult<Vec<SettlementPartRow>> {
        let rows = sqlx::query(
            "SELECT captured_minor, refunded_minor, merchant_funded_minor, operator_funded_minor, status FROM fulfillments \
             WHERE merchant_id = $1 AND created_at_ms >= $2 AND created_at_ms < $3",
        )
        .bind(merchant_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(settlement_part_from).collect::<Result<_, _>>()?)
    }

    async fn get_order_quote(&self, id: &str) -> StoreResult<Option<String>> {
        let row =
            sqlx::query("SELECT quote_json FROM orders WHERE id = $1").bind(id).fetch_optional(&self.read).await?;
        Ok(row.map(|row| row.try_get::<Option<String>, _>("quote_json")).transpose()?.flatten())
    }
}

/// Stores an order inside the caller's transaction: lapsed holds at its locations are
/// released first, then stock is reserved line by line (a short line is
/// `InsufficientStock`, and the caller rolls back), then the order, its parts, lines,
/// events and idempotency link are written.
pub(crate) async fn place_in(
    transaction: &mut Transaction<'static, Any>,
    new_order: &NewOrder,
    expire_lapsed_holds: bool,
) -> StoreResult<OrderRecord> {
    let order = &new_order.order;
    if expire_lapsed_holds {
        // Lapsed holds at these locations give their units back first, so availability never
        // waits for the sweeper. (The group-commit writer does this once per batch instead.)
        for location_id in order_locations(new_order) {
            expire_holds_in(transaction, Some(location_id), order.created_at_ms, i64::MAX).await?;
        }
    }
    refuse_sold_out(transaction, new_order).await?;
    let mut stock_events = Vec::new();
    for part in &new_order.fulfillments {
        for line in part.lines.iter().filter(|line| line.track_stock) {
            let buffer = new_order.safety_buffer(&part.location_id);
            match reserve_stock(transaction, line.quantity, &part.location_id, &line.sku, buffer).await? {
                Some(level) => stock_events.push((part, line, level)),
                None => return Err(StoreError::InsufficientStock { sku: line.sku.clone() }),
            }
        }
    }
    redeem_coupons(transaction, new_order).await?;
    let number = insert_order_row(transaction, order).await?;
    let mut fulfillments = new_order.fulfillments.clone();
    number_documents(transaction, &new_order.document_kind, &mut fulfillments).await?;
    insert_parts(transaction, new_order, &fulfillments).await?;
    book_pickup_slots(transaction, new_order).await?;
    let created = serde_json::json!({
        "order_id": order.id,
        "number": number,
        "site_id": order.site_id,
        "channel": order.channel,
        "total": {"amount": order.total_minor, "currency": order.currency},
        "fulfillments": new_order.fulfillments.iter().map(|part| serde_json::json!({
            "id": part.id,
            "merchant_id": part.merchant_id,
            "location_id": part.location_id,
            "status": part.status,
            "subtotal": {"amount": part.subtotal_minor, "currency": part.currency},
        })).collect::<Vec<_>>(),
    });
    let mut events =
        vec![event(new_order.event_id.clone(), "order.created", None, &order.id, created, order.created_at_ms)];
    events.extend(stock_events.into_iter().enumerate().map(|(index, (part, line, level))| {
        stock_changed_event(
            format!("{}-s{index}", new_order.event_id),
            &part.merchant_id,
            &part.location_id,
            &line.sku,
            level,
            order.created_at_ms,
        )
    }));
    insert_outbox_many(transaction, &events).await?;
    if let Some((scope, key)) = &new_order.idempotency {
        sqlx::query("UPDATE idempotency_keys SET resource_id = $1 WHERE scope = $2 AND key = $3")
            .bind(&order.id)
            .bind(scope)
            .bind(key)
            .execute(&mut **transaction)
            .await?;
    }
    fulfillments.iter_mut().for_each(|part| part.order_id = order.id.clone());
    Ok(OrderRecord { order: OrderRow { number, ..order.clone() }, fulfillments })
}

/// Refuses the order when one of its lines was switched to sold out at its location, read inside
/// the order's transaction so a switch committed before it is never missed.
async fn refuse_sold_out(transaction: &mut Transaction<'static, Any>, new_order: &NewOrder) -> StoreResult<()> {
    for part in &new_order.fulfillments {
        let rows = sqlx::query("SELECT sku FROM sold_out_items WHERE location_id = $1")
            .bind(&part.location_id)
            .fetch_all(&mut **transaction)
            .await?;
        let switched_off: Vec<String> = rows.iter().map(|row| row.try_get("sku")).collect::<Result<_, _>>()?;
        if let Some(line) = part.lines.iter().find(|line| switched_off.contains(&line.sku)) {
            return Err(StoreError::SoldOut { sku: line.sku.clone() });
        }
    }
    Ok(())
}

/// Counts each coupon use within its limits; a coupon used up meanwhile refuses the order.
async fn redeem_coupons(transaction: &mut Transaction<'static, Any>, new_order: &NewOrder) -> StoreResult<()> {
    for redemption in &new_order.redemptions {
        let counted = sqlx::query(
            "UPDATE coupons SET used = used + 1 WHERE id = $1 AND active = 1 \
             AND (usage_limit IS NULL OR used < usage_limit)",
        )
        .bind(&redemption.coupon_id)
        .execute(&mut **transaction)
        .await?;
        if counted.rows_affected() == 0 {
            return Err(StoreError::CouponUnavailable {
                code: redemption.code.clone(),
                reason: "it has reached its usage limit or was switched off".into(),
            });
        }
        if let Some(customer) = &redemption.customer_key {
            // The per-customer limit is checked by the same statement that counts the use.
            let counted = sqlx::query(
                "INSERT INTO coupon_customer_uses (coupon_id, customer_key, used) VALUES ($1, $2, 1) \
                 ON CONFLICT (coupon_id, customer_key) DO UPDATE SET used = coupon_customer_uses.used + 1 \
                 WHERE (SELECT per_customer_limit FROM coupons WHERE id = $1) IS NULL \
                 OR coupon_customer_uses.used < (SELECT per_customer_limit FROM coupons WHERE id = $1)",
            )
            .bind(&redemption.coupon_id)
            .bind(customer)
            .execute(&mut **transaction)
            .await?;
            if counted.rows_affected() == 0 {
                return Err(StoreError::CouponUnavailable {
                    code: redemption.code.clone(),
                    reason: "this customer has used it as often as allowed".into(),
                });
            }
        }
        sqlx::query(
            "INSERT INTO coupon_redemptions (coupon_id, order_id, customer_key, created_at_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(&redemption.coupon_id)
        .bind(&new_order.order.id)
        .bind(&redemption.customer_key)
        .bind(new_order.order.created_at_ms)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

/// Gives each part the next number of its merchant's document sequence of `kind`.
async fn number_documents(
    transaction: &mut Transaction<'static, Any>,
    kind: &str,
    parts: &mut [FulfillmentRecord],
) -> StoreResult<()> {
    for part in parts {
        let row = sqlx::query(
            "INSERT INTO document_sequences (merchant_id, kind, last_number) VALUES ($1, $2, 1) \
             ON CONFLICT (merchant_id, kind) DO UPDATE SET last_number = document_sequences.last_number + 1 \
             RETURNING last_number",
        )
        .bind(&part.merchant_id)
        .bind(kind)
        .fetch_one(&mut **transaction)
        .await?;
        part.pricing.document_kind = Some(kind.to_owned());
        part.pricing.document_number = Some(row.try_get("last_number")?);
    }
    Ok(())
}

/// The distinct locations an order takes stock from.
pub(crate) fn order_locations(new_order: &NewOrder) -> Vec<&str> {
    let mut locations: Vec<&str> = new_order.fulfillments.iter().map(|part| part.location_id.as_str()).collect();
    locations.sort_unstable();
    locations.dedup();
    locations
}

/// Inserts the order's header row and returns the number the database gave it.
async fn insert_order_row(transaction: &mut Transaction<'static, Any>, order: &OrderRow) -> StoreResult<i64> {
    let number_row = sqlx::query(
        "INSERT INTO orders (id, site_id, channel, customer_name, customer_phone, customer_email, tracking_token, \
         currency, total_minor, payment_method, payment_reference, captured_minor, refunded_minor, outstanding_minor, \
         pickup_at, customer_tax_id, quote_json, created_at_ms, table_label) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
         RETURNING number",
    )
    .bind(&order.id)
    .bind(&order.site_id)
    .bind(&order.channel)
    .bind(&order.customer_name)
    .bind(&order.customer_phone)
    .bind(&order.customer_email)
    .bind(&order.tracking_token)
    .bind(&order.currency)
    .bind(order.total_minor)
    .bind(&order.payment_method)
    .bind(&order.payment_reference)
    .bind(order.captured_minor)
    .bind(order.refunded_minor)
    .bind(order.outstanding_minor)
    .bind(&order.pickup_at)
    .bind(&order.customer_tax_id)
    .bind(&order.quote_json)
    .bind(order.created_at_ms)
    .bind(&order.table_label)
    .fetch_one(&mut **transaction)
    .await?;
    Ok(number_row.try_get("number")?)
}

/// Inserts every part with one statement and every line with another.
async fn insert_parts(
    transaction: &mut Transaction<'static, Any>,
    new_order: &NewOrder,
    parts: &[FulfillmentRecord],
) -> StoreResult<()> {
    let sql =
        format!("INSERT INTO fulfillments ({}) VALUES {}", fulfillment_columns!(), values_clause(parts.len(), 23));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for part in parts {
        query = query
            .bind(&part.id)
            .bind(&new_order.order.id)
            .bind(&part.merchant_id)
            .bind(&part.location_id)
            .bind(&part.status)
            .bind(&part.pickup_code)
            .bind(part.subtotal_minor)
            .bind(&part.currency)
            .bind(part.captured_minor)
            .bind(part.refunded_minor)
            .bind(&part.reason)
            .bind(part.created_at_ms)
            .bind(part.updated_at_ms)
            .bind(part.hold_expires_at_ms)
            .bind(part.pricing.gross_minor)
            .bind(part.pricing.discount_minor)
            .bind(part.pricing.merchant_funded_minor)
            .bind(part.pricing.operator_funded_minor)
            .bind(&part.pricing.document_kind)
            .bind(part.pricing.document_number)
            .bind(part.preparation.prep_minutes)
            .bind(part.preparation.accepted_at_ms)
            .bind(part.preparation.estimated_ready_ms);
    }
    query.execute(&mut **transaction).await?;
    let line_count: usize = parts.iter().map(|part| part.lines.len()).sum();
    if line_count == 0 {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO fulfillment_lines (fulfillment_id, position, sku, quantity, unit_price_minor, total_minor, track_stock, \
         name, gross_minor, discount_minor, tax_code, tax_rate_bps, tax_minor, modifiers_json, note) VALUES {}",
        values_clause(line_count, 15)
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for part in parts {
        for (position, line) in part.lines.iter().enumerate() {
            query = query
                .bind(&part.id)
                .bind(i64::try_from(position).unwrap_or(i64::MAX))
                .bind(&line.sku)
                .bind(line.quantity)
                .bind(line.unit_price_minor)
                .bind(line.total_minor)
                .bind(flag(line.track_stock))
                .bind(&line.pricing.name)
                .bind(line.pricing.gross_minor)
                .bind(line.pricing.discount_minor)
                .bind(&line.pricing.tax_code)
                .bind(line.pricing.tax_rate_bps)
                .bind(line.pricing.tax_minor)
                .bind(&line.pricing.modifiers_json)
                .bind(&line.pricing.note);
        }
    }
    query.execute(&mut **transaction).await?;
    Ok(())
}

/// Applies a planned transition inside the caller's transaction: status (only if still
/// `plan.from`), stock, money and events. Used by transitions and by hold expiry.
pub(crate) async fn apply_change_in(
    transaction: &mut Transaction<'static, Any>,
    change: &FulfillmentChange,
) -> StoreResult<FulfillmentRecord> {
    apply_change_with_preparation_in(transaction, change, Preparation::default()).await
}

/// [`apply_change_in`], also recording the kitchen's promise (the fields given; the others are
/// kept), so the status-changed event can carry the estimate.
pub(crate) async fn apply_change_with_preparation_in(
    transaction: &mut Transaction<'static, Any>,
    change: &FulfillmentChange,
    preparation: Preparation,
) -> StoreResult<FulfillmentRecord> {
    let plan = change.plan;
    let updated = sqlx::query(
        "UPDATE fulfillments SET status = $1, reason = COALESCE($2, reason), updated_at_ms = $3, \
         prep_minutes = COALESCE($6, prep_minutes), accepted_at_ms = COALESCE($7, accepted_at_ms), \
         estimated_ready_ms = COALESCE($8, estimated_ready_ms) \
         WHERE id = $4 AND status = $5",
    )
    .bind(plan.to.as_str())
    .bind(&change.reason)
    .bind(change.now_ms)
    .bind(&change.fulfillment_id)
    .bind(plan.from.as_str())
    .bind(preparation.prep_minutes)
    .bind(preparation.accepted_at_ms)
    .bind(preparation.estimated_ready_ms)
    .execute(&mut **transaction)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::Conflict("the fulfilment changed meanwhile; reload and retry".into()));
    }
    let part_row = sqlx::query(concat!("SELECT ", fulfillment_columns!(), " FROM fulfillments WHERE id = $1"))
        .bind(&change.fulfillment_id)
        .fetch_one(&mut **transaction)
        .await?;
    let part = fulfillment_from(&part_row)?;
    let lines = sqlx::query(
        "SELECT fulfillment_id, sku, quantity, unit_price_minor, total_minor, track_stock, name, gross_minor, \
         discount_minor, tax_code, tax_rate_bps, tax_minor, modifiers_json, note FROM fulfillment_lines WHERE fulfillment_id = $1 \
         ORDER BY position",
    )
    .bind(&part.id)
    .fetch_all(&mut **transaction)
    .await?;
    let lines: Vec<LineRow> = lines.iter().map(line_from).map(|r| r.map(|(_, l)| l)).collect::<Result<_, _>>()?;
    if let Some(effect) = plan.stock {
        let channel: String = sqlx::query("SELECT channel FROM orders WHERE id = $1")
            .bind(&part.order_id)
            .fetch_one(&mut **transaction)
            .await?
            .try_get("channel")?;
        let sql = match effect {
            StockEffect::Release => RELEASE_SQL,
            StockEffect::Sell => SELL_SQL,
        };
        for (index, line) in lines.iter().filter(|line| line.track_stock).enumerate() {
            let level = change_stock(transaction, sql, line.quantity, &part.location_id, &line.sku)
                .await?
                .ok_or(StoreError::Domain(DomainError::LedgerViolation("reserved stock is missing")))?;
            let event_id = format!("{}-s{index}", change.event_id);
            if effect == StockEffect::Sell {
                // A sale takes units off the shelf: it belongs in the movement history.
                let sale = StockMovementRow {
                    id: format!("{}-m{index}", change.event_id),
                    sku: line.sku.clone(),
                    location_id: part.location_id.clone(),
                    merchant_id: part.merchant_id.clone(),
                    delta: -line.quantity,
                    reason: "sale".into(),
                    reference: Some(part.order_id.clone()),
                    channel: Some(channel.clone()),
                    created_by: None,
                    created_at_ms: change.now_ms,
                    event_id,
                };
                record_movement(transaction, &sale, level).await?;
            } else {
                let stock_event = stock_changed_event(
                    event_id,
                    &part.merchant_id,
                    &part.location_id,
                    &line.sku,
                    level,
                    change.now_ms,
                );
                insert_outbox(transaction, &stock_event).await?;
            }
        }
    }
    if matches!(plan.to, FulfillmentStatus::Rejected | FulfillmentStatus::Cancelled) {
        // A part that will not be collected gives its pickup slot place back.
        release_pickup_slot(transaction, &part.id).await?;
    }
    apply_money(transaction, change, &part).await?;
    let status_changed = serde_json::json!({
        "order_id": part.order_id,
        "fulfillment_id": part.id,
        "merchant_id": part.merchant_id,
        "location_id": part.location_id,
        "from": plan.from.as_str(),
        "status": plan.to.as_str(),
        "reason": change.reason,
        "prep_minutes": part.preparation.prep_minutes,
        "estimated_ready_at": part.preparation.estimated_ready_ms.map(super::console::rfc3339_utc),
    });
    insert_outbox(
        transaction,
        &event(
            change.event_id.clone(),
            "fulfillment.status_changed",
            Some(&part),
            &part.order_id,
            status_changed,
            change.now_ms,
        ),
    )
    .await?;
    Ok(part)
}

/// Applies a transition's money effect to the part and its order, with the refund event.
async fn apply_money(
    transaction: &mut Transaction<'static, Any>,
    change: &FulfillmentChange,
    part: &FulfillmentRecord,
) -> StoreResult<()> {
    let Some(effect) = change.plan.money else {
        return Ok(());
    };
    let (part_sql, order_sql, amount) = match effect {
        MoneyEffect::Refund(amount) => (
            Some("UPDATE fulfillments SET refunded_minor = refunded_minor + $1 WHERE id = $2"),
            "UPDATE orders SET refunded_minor = refunded_minor + $1 WHERE id = $2",
            amount,
        ),
        MoneyEffect::Capture(amount) => (
            Some("UPDATE fulfillments SET captured_minor = captured_minor + $1 WHERE id = $2"),
            "UPDATE orders SET captured_minor = captured_minor + $1, outstanding_minor = outstanding_minor - $1 WHERE id = $2",
            amount,
        ),
        MoneyEffect::Forgive(amount) => {
            (None, "UPDATE orders SET outstanding_minor = outstanding_minor - $1 WHERE id = $2", amount)
        }
    };
    if let Some(part_sql) = part_sql {
        sqlx::query(part_sql).bind(amount.amount_minor).bind(&part.id).execute(&mut **transaction).await?;
    }
    sqlx::query(order_sql).bind(amount.amount_minor).bind(&part.order_id).execute(&mut **transaction).await?;
    if let MoneyEffect::Refund(amount) = effect {
        let payload = serde_json::json!({
            "order_id": part.order_id,
            "fulfillment_id": part.id,
            "merchant_id": part.merchant_id,
            "amount": {"amount": amount.amount_minor, "currency": amount.currency.code()},
        });
        insert_outbox(
            transaction,
            &event(
                change.refund_event_id.clone(),
                "payment.refunded",
                Some(part),
                &part.order_id,
                payload,
                change.now_ms,
            ),
        )
        .await?;
    }
    Ok(())
}
