//! [`ReturnStore`]: return policies, purchases as a return sees them, and returns recorded
//! in one transaction.
//!
//! **Never more than returnable, under two tills at once.** A return first locks the row of
//! what it returns (the order or the till sale, a no-op `UPDATE`), so two returns of one
//! purchase take turns on PostgreSQL as they do on SQLite's single writer; then it counts,
//! inside the transaction, what was already returned of each line. The use case planned the
//! return (quantities and pro rata refunds) against counts read before; when a count differs
//! — another till returned meanwhile — the store answers `StaleState` and the use case plans
//! again on fresh counts, which then refuses what is no longer returnable. So of two returns
//! of the same last unit, exactly one commits.
//!
//! **Lock order.** Purchase row, then the merchant's credit-note series, then the till
//! session, then stock levels in (location, SKU) order — the order a sale takes the session
//! and its levels in — so no two writers wait on each other in a cycle.

use std::collections::BTreeMap;

use async_trait::async_trait;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::DomainEvent;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::inventory::MovementReason;
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::payment_job::PaymentJobKind;
use omnicanal_domain::pos::TenderMethod;
use omnicanal_domain::returns::{ItemCondition, PolicyBreach, RefundMethod, RefundTo, ReturnSource};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::{flag, get_flag, get_parsed, in_list, like_escape};
use super::order_rows::currency;
use super::outbox::insert_event;
use super::pos::lock_open_session;
use super::tx::Tx;
use super::tx::credit::apply_credit_entry;
use super::tx::ledger::{ensure_level, move_stock, record_movement};
use super::tx::payment_jobs::{Owed, enqueue_for_terminal, enqueue_in, refund_job_id};
use crate::backend::SqlStore;
use crate::rows::{
    ExchangeLineRow, NewExchange, NewReturn, OrderCreditPaid, PurchaseLineRow, PurchaseRecord, ReturnLineRow,
    ReturnPolicyRow, ReturnRecord, ReturnRow, SaleCardCharge, StockMovementRow,
};
use crate::{ReturnStore, StoreError, StoreResult};
use crate::{SettlementLineRow, SettlementPartRow};

/// Most purchases a look-up by phone or receipt answers.
const MAX_FOUND: i64 = 20;

const RETURN_COLUMNS: &str = "id, merchant_id, location_id, source, source_id, currency, refund_minor, refund_to, \
    refund_method, session_id, device_id, payment_job_id, customer_key, credit_note_n, credit_note_number, reason, \
    overridden, override_by, override_reason, created_by, created_at_ms";

/// How a credit note is printed: the merchant's series, `NC-<n>`.
pub fn credit_note_number(n: i64) -> String {
    format!("NC-{n}")
}

fn breaches_text(breaches: &[PolicyBreach]) -> String {
    breaches.iter().map(|breach| breach.as_str()).collect::<Vec<_>>().join(",")
}

fn breaches_from(raw: &str) -> Result<Vec<PolicyBreach>, omnicanal_domain::DomainError> {
    raw.split(',').filter(|word| !word.is_empty()).map(PolicyBreach::parse).collect()
}

fn return_from(row: &AnyRow) -> Result<ReturnRow, sqlx::Error> {
    Ok(ReturnRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        source: get_parsed(row, "source", ReturnSource::parse)?,
        source_id: row.try_get("source_id")?,
        currency: get_parsed(row, "currency", currency)?,
        refund_minor: row.try_get("refund_minor")?,
        refund_to: get_parsed(row, "refund_to", RefundTo::parse)?,
        refund_method: get_parsed(row, "refund_method", RefundMethod::parse)?,
        session_id: row.try_get("session_id")?,
        device_id: row.try_get("device_id")?,
        payment_job_id: row.try_get("payment_job_id")?,
        customer_key: row.try_get("customer_key")?,
        credit_note_n: row.try_get("credit_note_n")?,
        credit_note_number: row.try_get("credit_note_number")?,
        reason: row.try_get("reason")?,
        overridden: get_parsed(row, "overridden", breaches_from)?,
        override_by: row.try_get("override_by")?,
        override_reason: row.try_get("override_reason")?,
        created_by: row.try_get("created_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn line_from(row: &AnyRow) -> Result<ReturnLineRow, sqlx::Error> {
    Ok(ReturnLineRow {
        position: row.try_get("position")?,
        source_part: row.try_get("source_part")?,
        source_position: row.try_get("source_position")?,
        sku: row.try_get("sku")?,
        quantity: row.try_get("quantity")?,
        refund_minor: row.try_get("refund_minor")?,
        restocked: get_flag(row, "restocked")?,
        condition: get_parsed(row, "condition", ItemCondition::parse)?,
    })
}

/// What was already returned of each line of these parts (or sales), by (part, position).
async fn returned_of<'c, E>(executor: E, parts: &[String]) -> Result<BTreeMap<(String, i64), i64>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    if parts.is_empty() {
        return Ok(BTreeMap::new());
    }
    let sql = format!(
        "SELECT source_part, source_position, CAST(SUM(quantity) AS BIGINT) AS returned FROM return_lines \
         WHERE source_part IN ({}) GROUP BY source_part, source_position",
        in_list(1, parts.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for part in parts {
        query = query.bind(part);
    }
    let rows = query.fetch_all(executor).await?;
    let mut returned = BTreeMap::new();
    for row in &rows {
        returned.insert((row.try_get("source_part")?, row.try_get("source_position")?), row.try_get("returned")?);
    }
    Ok(returned)
}

/// A return's lines.
async fn read_lines<'c, E>(executor: E, return_id: &str) -> Result<Vec<ReturnLineRow>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let rows = sqlx::query(
        "SELECT position, source_part, source_position, sku, quantity, refund_minor, restocked, condition \
         FROM return_lines WHERE return_id = $1 ORDER BY position",
    )
    .bind(return_id)
    .fetch_all(executor)
    .await?;
    rows.iter().map(line_from).collect()
}

impl SqlStore {
    /// An order as a return of `merchant_id` sees it: its parts of that merchant (none → `None`).
    async fn order_purchase(&self, order_id: &str, merchant_id: &str) -> StoreResult<Option<PurchaseRecord>> {
        let Some(order) = sqlx::query(
            "SELECT number, created_at_ms, currency, payment_method, payment_reference, customer_email, customer_phone \
             FROM orders WHERE id = $1",
        )
        .bind(order_id)
        .fetch_optional(&self.read)
        .await?
        else {
            return Ok(None);
        };
        let parts = sqlx::query(
            "SELECT id, location_id, status, subtotal_minor FROM fulfillments WHERE order_id = $1 AND merchant_id = $2 \
             ORDER BY location_id, id",
        )
        .bind(order_id)
        .bind(merchant_id)
        .fetch_all(&self.read)
        .await?;
        let Some(first) = parts.first() else { return Ok(None) };
        let mut handed_over = Vec::new();
        let mut paid_total_minor = 0;
        let mut not_handed_over = 0;
        for part in &parts {
            let status: String = part.try_get("status")?;
            if status == "collected" {
                handed_over.push(part.try_get::<String, _>("id")?);
                paid_total_minor += part.try_get::<i64, _>("subtotal_minor")?;
            } else {
                not_handed_over += 1;
            }
        }
        let mut lines = Vec::new();
        if !handed_over.is_empty() {
            let sql = format!(
                "SELECT fulfillment_id, position, sku, name, quantity, total_minor, track_stock FROM fulfillment_lines \
                 WHERE fulfillment_id IN ({}) ORDER BY fulfillment_id, position",
                in_list(1, handed_over.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in &handed_over {
                query = query.bind(id);
            }
            let returned = returned_of(&self.read, &handed_over).await?;
            for row in &query.fetch_all(&self.read).await? {
                let part_id: String = row.try_get("fulfillment_id")?;
                let position: i64 = row.try_get("position")?;
                lines.push(PurchaseLineRow {
                    returned: returned.get(&(part_id.clone(), position)).copied().unwrap_or(0),
                    part_id,
                    position,
                    sku: row.try_get("sku")?,
                    name: row.try_get("name")?,
                    quantity: row.try_get("quantity")?,
                    total_minor: row.try_get("total_minor")?,
                    track_stock: get_flag(row, "track_stock")?,
                });
            }
        }
        let number: i64 = order.try_get("number")?;
        Ok(Some(PurchaseRecord {
            source: ReturnSource::Order,
            id: order_id.to_owned(),
            label: number.to_string(),
            merchant_id: merchant_id.to_owned(),
            location_id: first.try_get("location_id")?,
            purchased_at_ms: order.try_get("created_at_ms")?,
            currency: get_parsed(&order, "currency", currency)?,
            paid_total_minor,
            order_payment: Some((
                get_parsed(&order, "payment_method", PaymentMethod::parse)?,
                order.try_get("payment_reference")?,
            )),
            sale_tenders: Vec::new(),
            sale_card: None,
            order_credit: order_credit_paid(&mut *self.read.acquire().await?, order_id, merchant_id).await?,
            customer_email: order.try_get("customer_email")?,
            customer_phone: order.try_get("customer_phone")?,
            lines,
            parts_not_handed_over: not_handed_over,
        }))
    }

    /// A till sale of `merchant_id` as a return sees it.
    async fn sale_purchase(&self, sale_id: &str, merchant_id: &str) -> StoreResult<Option<PurchaseRecord>> {
        let Some(sale) = sqlx::query(
            "SELECT location_id, receipt_number, sold_at_ms, currency, total_minor, customer_json FROM pos_sales \
             WHERE id = $1 AND merchant_id = $2",
        )
        .bind(sale_id)
        .bind(merchant_id)
        .fetch_optional(&self.read)
        .await?
        else {
            return Ok(None);
        };
        let returned = returned_of(&self.read, &[sale_id.to_owned()]).await?;
        let rows = sqlx::query(
            "SELECT position, sku, quantity, total_minor, track_stock FROM pos_sale_lines WHERE sale_id = $1 ORDER BY position",
        )
        .bind(sale_id)
        .fetch_all(&self.read)
        .await?;
        let mut lines = Vec::with_capacity(rows.len());
        for row in &rows {
            let position: i64 = row.try_get("position")?;
            lines.push(PurchaseLineRow {
                part_id: sale_id.to_owned(),
                position,
                sku: row.try_get("sku")?,
                name: None,
                quantity: row.try_get("quantity")?,
                total_minor: row.try_get("total_minor")?,
                track_stock: get_flag(row, "track_stock")?,
                returned: returned.get(&(sale_id.to_owned(), position)).copied().unwrap_or(0),
            });
        }
        let tenders = sqlx::query("SELECT method FROM pos_sale_payments WHERE sale_id = $1 ORDER BY position")
            .bind(sale_id)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|row| get_parsed(row, "method", TenderMethod::parse))
            .collect::<Result<Vec<_>, _>>()?;
        let sale_card = sale_card_charge(&mut *self.read.acquire().await?, sale_id).await?;
        let customer: Option<String> = sale.try_get("customer_json")?;
        let customer: serde_json::Value =
            customer.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or(serde_json::Value::Null);
        let text = |field: &str| customer.get(field).and_then(|value| value.as_str()).map(str::to_owned);
        Ok(Some(PurchaseRecord {
            source: ReturnSource::Sale,
            id: sale_id.to_owned(),
            label: sale.try_get("receipt_number")?,
            merchant_id: merchant_id.to_owned(),
            location_id: sale.try_get("location_id")?,
            purchased_at_ms: sale.try_get("sold_at_ms")?,
            currency: get_parsed(&sale, "currency", currency)?,
            paid_total_minor: sale.try_get("total_minor")?,
            order_payment: None,
            sale_tenders: tenders,
            sale_card,
            order_credit: OrderCreditPaid::default(),
            customer_email: text("email"),
            customer_phone: text("phone"),
            lines,
            parts_not_handed_over: 0,
        }))
    }
}

/// The sale's card tender charged on the till's terminal (the first, should a sale have two),
/// with what earlier returns refunded to the card.
async fn sale_card_charge(
    connection: &mut sqlx::AnyConnection,
    sale_id: &str,
) -> Result<Option<SaleCardCharge>, sqlx::Error> {
    let Some(card) = sqlx::query(
        "SELECT reference, amount_minor FROM pos_sale_payments \
         WHERE sale_id = $1 AND method = 'card' AND reference IS NOT NULL ORDER BY position LIMIT 1",
    )
    .bind(sale_id)
    .fetch_optional(&mut *connection)
    .await?
    else {
        return Ok(None);
    };
    let refunded: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(refund_minor) AS BIGINT) FROM returns WHERE source = 'sale' AND source_id = $1 AND refund_method = 'card'",
    )
    .bind(sale_id)
    .fetch_one(&mut *connection)
    .await?;
    Ok(Some(SaleCardCharge {
        reference: card.try_get("reference")?,
        amount_minor: card.try_get("amount_minor")?,
        refunded_minor: refunded.unwrap_or(0),
    }))
}

/// What gift cards and store credit paid of `order_id`'s parts of `merchant_id`, and what
/// returns refunded to the order's card.
async fn order_credit_paid(
    connection: &mut sqlx::AnyConnection,
    order_id: &str,
    merchant_id: &str,
) -> Result<OrderCreditPaid, sqlx::Error> {
    // Spent when the order was placed, then at the till when a pay-at-pickup part was collected
    // (a credit tender's reference is its account's id).
    let spends = sqlx::query(
        "SELECT a.holder_kind, a.holder_key, s.amount_minor - s.returned_minor AS kept, 0 AS at_till, s.position \
         FROM order_credit_spends s \
         JOIN credit_accounts a ON a.id = s.account_id JOIN fulfillments f ON f.id = s.fulfillment_id \
         WHERE s.order_id = $1 AND f.merchant_id = $2 \
         UNION ALL \
         SELECT a.holder_kind, a.holder_key, p.amount_minor AS kept, 1 AS at_till, p.position \
         FROM pos_pickup_payments p JOIN credit_accounts a ON a.id = p.reference \
         JOIN fulfillments f ON f.id = p.fulfillment_id \
         WHERE f.order_id = $1 AND f.merchant_id = $2 AND p.method IN ('gift_card', 'store_credit') \
         ORDER BY at_till, position",
    )
    .bind(order_id)
    .bind(merchant_id)
    .fetch_all(&mut *connection)
    .await?;
    let mut paid = OrderCreditPaid::default();
    for row in &spends {
        let kept: i64 = row.try_get("kept")?;
        paid.credit_kept_minor += kept;
        let holder = crate::CreditHolderKey { kind: row.try_get("holder_kind")?, key: row.try_get("holder_key")? };
        if kept > 0 && !paid.holders.contains(&holder) {
            paid.holders.push(holder);
        }
    }
    let refunded: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(refund_minor) AS BIGINT) FROM returns WHERE source = 'order' AND source_id = $1 \
         AND merchant_id = $2 AND refund_method IN ('card', 'cash')",
    )
    .bind(order_id)
    .bind(merchant_id)
    .fetch_one(&mut *connection)
    .await?;
    paid.card_refunded_minor = refunded.unwrap_or(0);
    Ok(paid)
}

/// Refuses (`StaleState`, so the return is planned again on fresh figures) a refund to a till
/// sale's card that, with what returns already gave it back, would pass what the card paid —
/// two tills returning different lines of one sale at once.
async fn check_card_refundable(transaction: &mut Tx, sale_id: &str, refund_minor: i64) -> StoreResult<()> {
    let charge = sale_card_charge(transaction, sale_id).await?;
    match charge {
        Some(charge) if charge.refundable_minor() >= refund_minor => Ok(()),
        _ => Err(StoreError::StaleState),
    }
}

/// Locks the purchase's row until commit; `NotFound` when it is gone.
async fn lock_purchase(transaction: &mut Tx, source: ReturnSource, id: &str) -> StoreResult<()> {
    let sql = match source {
        ReturnSource::Order => "UPDATE orders SET customer_name = customer_name WHERE id = $1",
        ReturnSource::Sale => "UPDATE pos_sales SET offline = offline WHERE id = $1",
    };
    let done = sqlx::query(sql).bind(id).execute(&mut **transaction).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The merchant's next credit note number (the series row stays locked until commit).
async fn next_credit_note(transaction: &mut Tx, merchant_id: &str) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO credit_note_series (merchant_id, last_number) VALUES ($1, 1) \
         ON CONFLICT (merchant_id) DO UPDATE SET last_number = credit_note_series.last_number + 1 \
         RETURNING last_number",
    )
    .bind(merchant_id)
    .fetch_one(&mut **transaction)
    .await?;
    Ok(row.try_get("last_number")?)
}

async fn insert_return(transaction: &mut Tx, ret: &ReturnRow) -> StoreResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO returns ({RETURN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21)"
    )))
    .bind(&ret.id)
    .bind(&ret.merchant_id)
    .bind(&ret.location_id)
    .bind(ret.source.as_str())
    .bind(&ret.source_id)
    .bind(ret.currency.code())
    .bind(ret.refund_minor)
    .bind(ret.refund_to.as_str())
    .bind(ret.refund_method.as_str())
    .bind(&ret.session_id)
    .bind(&ret.device_id)
    .bind(&ret.payment_job_id)
    .bind(&ret.customer_key)
    .bind(ret.credit_note_n)
    .bind(&ret.credit_note_number)
    .bind(&ret.reason)
    .bind(breaches_text(&ret.overridden))
    .bind(&ret.override_by)
    .bind(&ret.override_reason)
    .bind(&ret.created_by)
    .bind(ret.created_at_ms)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

async fn insert_line(transaction: &mut Tx, return_id: &str, line: &ReturnLineRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO return_lines (return_id, position, source_part, source_position, sku, quantity, refund_minor, \
         restocked, condition) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(return_id)
    .bind(line.position)
    .bind(&line.source_part)
    .bind(line.source_position)
    .bind(&line.sku)
    .bind(line.quantity)
    .bind(line.refund_minor)
    .bind(flag(line.restocked))
    .bind(line.condition.as_str())
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// Checks inside the transaction that each planned line still sees the returned count it was
/// planned with (`StaleState` when another return came first).
async fn check_still_returnable(transaction: &mut Tx, new: &NewReturn) -> StoreResult<()> {
    let parts: Vec<String> = new.expected.iter().map(|(part, ..)| part.clone()).collect();
    let now = returned_of(&mut **transaction, &parts).await?;
    for (part, position, returned, bought) in &new.expected {
        let seen = now.get(&(part.clone(), *position)).copied().unwrap_or(0);
        let asked: i64 = new
            .lines
            .iter()
            .filter(|line| line.source_part == *part && line.source_position == *position)
            .map(|line| line.quantity)
            .sum();
        if seen != *returned || seen + asked > *bought {
            return Err(StoreError::StaleState);
        }
    }
    Ok(())
}

/// Cash paid out of the session: a cash movement `out` and the session's event.
async fn pay_out_cash(transaction: &mut Tx, new: &NewReturn, ret: &ReturnRow) -> StoreResult<()> {
    let Some(session_id) = &ret.session_id else { return Ok(()) };
    lock_open_session(transaction, session_id).await?;
    let reason = format!("return {}", ret.credit_note_number);
    if ret.refund_minor > 0 {
        sqlx::query(
            "INSERT INTO pos_cash_movements (id, session_id, direction, amount_minor, reason, created_by, created_at_ms) \
             VALUES ($1, $2, 'out', $3, $4, $5, $6)",
        )
        .bind(format!("cm_{}", ret.id))
        .bind(session_id)
        .bind(ret.refund_minor)
        .bind(&reason)
        .bind(&ret.created_by)
        .bind(ret.created_at_ms)
        .execute(&mut **transaction)
        .await?;
    }
    if let Some(event) = &new.session_event {
        let mut event = event.clone();
        if let DomainEvent::PosSessionChanged(changed) = &mut event.event {
            changed.reason = Some(reason);
        }
        insert_event(transaction, event).await?;
    }
    Ok(())
}

/// An exchange's new items and payment, inside the return's transaction: the session the
/// customer pays into is locked and its cash counted (a cash movement `in` of the cash
/// applied); the units leave on-hand later ([`take_exchange_stock`]).
async fn record_exchange(transaction: &mut Tx, ret: &ReturnRow, exchange: &NewExchange) -> StoreResult<()> {
    let payments = serde_json::to_string(&exchange.payments).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    if let Some(session_id) = &exchange.session_id {
        lock_open_session(transaction, session_id).await?;
        let cash: i64 =
            exchange.payments.iter().filter(|payment| payment.method == "cash").map(|p| p.amount_minor).sum();
        if cash > 0 {
            sqlx::query(
                "INSERT INTO pos_cash_movements (id, session_id, direction, amount_minor, reason, created_by, \
                 created_at_ms) VALUES ($1, $2, 'in', $3, $4, $5, $6)",
            )
            .bind(format!("cmx_{}", ret.id))
            .bind(session_id)
            .bind(cash)
            .bind(format!("exchange {}", ret.credit_note_number))
            .bind(&ret.created_by)
            .bind(ret.created_at_ms)
            .execute(&mut **transaction)
            .await?;
        }
    }
    sqlx::query(
        "INSERT INTO return_exchanges (return_id, returned_minor, new_total_minor, difference_minor, session_id, \
         change_minor, payments_json) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&ret.id)
    .bind(exchange.returned_minor)
    .bind(exchange.new_total_minor)
    .bind(exchange.difference_minor)
    .bind(&exchange.session_id)
    .bind(exchange.change_minor)
    .bind(payments)
    .execute(&mut **transaction)
    .await?;
    for (position, line) in exchange.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO return_exchange_lines (return_id, position, sku, quantity, unit_price_minor, total_minor, \
             track_stock) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&ret.id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(&line.sku)
        .bind(line.quantity)
        .bind(line.unit_price_minor)
        .bind(line.total_minor)
        .bind(flag(line.track_stock))
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

/// The exchange's new units out of the return's location's on-hand, in SKU order, after the
/// restocked ones went in (levels are taken in (location, SKU) order as a sale takes them).
async fn take_exchange_stock(transaction: &mut Tx, ret: &ReturnRow, exchange: &NewExchange) -> StoreResult<()> {
    let mut take: BTreeMap<&str, i64> = BTreeMap::new();
    for line in exchange.lines.iter().filter(|line| line.track_stock) {
        *take.entry(line.sku.as_str()).or_default() += line.quantity;
    }
    for (sku, quantity) in take {
        let movement = StockMovementRow {
            id: format!("movx_{}_{sku}", ret.id),
            sku: sku.to_owned(),
            location_id: ret.location_id.clone(),
            merchant_id: ret.merchant_id.clone(),
            delta: -quantity,
            reason: MovementReason::Sale,
            reference: Some(ret.id.clone()),
            channel: Some(Channel::Pos),
            created_by: ret.created_by.clone(),
            created_at_ms: ret.created_at_ms,
            event_id: format!("evtx_{}_{sku}", ret.id),
        };
        ensure_level(transaction, &movement).await?;
        let level = sqlx::query(
            "UPDATE stock_levels SET on_hand = on_hand - $1 \
             WHERE location_id = $2 AND sku = $3 AND on_hand - reserved >= $1 RETURNING on_hand, reserved",
        )
        .bind(quantity)
        .bind(&ret.location_id)
        .bind(sku)
        .fetch_optional(&mut **transaction)
        .await?;
        let Some(level) = level else {
            return Err(StoreError::InsufficientStock { sku: sku.to_owned() });
        };
        let level = (level.try_get("on_hand")?, level.try_get("reserved")?);
        record_movement(transaction, &movement, level).await?;
    }
    Ok(())
}

#[async_trait]
impl ReturnStore for SqlStore {
    async fn get_return_policy(&self, merchant_id: &str) -> StoreResult<Option<ReturnPolicyRow>> {
        let row = sqlx::query(
            "SELECT merchant_id, window_days, needs_receipt, final_sale_skus_json, updated_by, updated_at_ms \
             FROM return_policies WHERE merchant_id = $1",
        )
        .bind(merchant_id)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(ReturnPolicyRow {
            merchant_id: row.try_get("merchant_id")?,
            window_days: row.try_get("window_days")?,
            needs_receipt: get_flag(&row, "needs_receipt")?,
            final_sale_skus: get_parsed(&row, "final_sale_skus_json", |raw| serde_json::from_str::<Vec<String>>(raw))?,
            updated_by: row.try_get("updated_by")?,
            updated_at_ms: row.try_get("updated_at_ms")?,
        }))
    }

    async fn put_return_policy(&self, policy: &ReturnPolicyRow) -> StoreResult<()> {
        let skus =
            serde_json::to_string(&policy.final_sale_skus).map_err(|error| StoreError::Corrupt(error.to_string()))?;
        sqlx::query(
            "INSERT INTO return_policies (merchant_id, window_days, needs_receipt, final_sale_skus_json, updated_by, \
             updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (merchant_id) DO UPDATE SET \
             window_days = excluded.window_days, needs_receipt = excluded.needs_receipt, \
             final_sale_skus_json = excluded.final_sale_skus_json, updated_by = excluded.updated_by, \
             updated_at_ms = excluded.updated_at_ms",
        )
        .bind(&policy.merchant_id)
        .bind(policy.window_days)
        .bind(flag(policy.needs_receipt))
        .bind(skus)
        .bind(&policy.updated_by)
        .bind(policy.updated_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn get_purchase(
        &self,
        source: ReturnSource,
        id: &str,
        merchant_id: &str,
    ) -> StoreResult<Option<PurchaseRecord>> {
        match source {
            ReturnSource::Order => self.order_purchase(id, merchant_id).await,
            ReturnSource::Sale => self.sale_purchase(id, merchant_id).await,
        }
    }

    async fn find_purchases(
        &self,
        merchant_id: &str,
        order_number: Option<i64>,
        receipt_number: Option<&str>,
        phone: Option<&str>,
    ) -> StoreResult<Vec<(ReturnSource, String)>> {
        let mut found = Vec::new();
        if let Some(number) = order_number {
            let rows = sqlx::query(
                "SELECT DISTINCT o.id FROM orders o JOIN fulfillments f ON f.order_id = o.id \
                 WHERE o.number = $1 AND f.merchant_id = $2",
            )
            .bind(number)
            .bind(merchant_id)
            .fetch_all(&self.read)
            .await?;
            for row in &rows {
                found.push((ReturnSource::Order, row.try_get("id")?));
            }
        }
        if let Some(receipt) = receipt_number {
            let rows = sqlx::query(
                "SELECT id FROM pos_sales WHERE receipt_number = $1 AND merchant_id = $2 ORDER BY sold_at_ms DESC LIMIT $3",
            )
            .bind(receipt)
            .bind(merchant_id)
            .bind(MAX_FOUND)
            .fetch_all(&self.read)
            .await?;
            for row in &rows {
                found.push((ReturnSource::Sale, row.try_get("id")?));
            }
        }
        if let Some(phone) = phone {
            let orders = sqlx::query(
                "SELECT o.id, MAX(o.created_at_ms) AS at_ms FROM orders o JOIN fulfillments f ON f.order_id = o.id \
                 WHERE o.customer_phone = $1 AND f.merchant_id = $2 GROUP BY o.id ORDER BY at_ms DESC LIMIT $3",
            )
            .bind(phone)
            .bind(merchant_id)
            .bind(MAX_FOUND)
            .fetch_all(&self.read)
            .await?;
            for row in &orders {
                found.push((ReturnSource::Order, row.try_get("id")?));
            }
            let pattern = format!("%\"phone\":\"{}\"%", like_escape(phone));
            let sales = sqlx::query(
                "SELECT id FROM pos_sales WHERE merchant_id = $1 AND customer_json LIKE $2 ESCAPE '\\' \
                 ORDER BY sold_at_ms DESC LIMIT $3",
            )
            .bind(merchant_id)
            .bind(pattern)
            .bind(MAX_FOUND)
            .fetch_all(&self.read)
            .await?;
            for row in &sales {
                found.push((ReturnSource::Sale, row.try_get("id")?));
            }
        }
        Ok(found)
    }

    async fn record_return(&self, new: &NewReturn) -> StoreResult<ReturnRecord> {
        let mut ret = new.ret.clone();
        let mut transaction = self.write.begin().await?;
        lock_purchase(&mut transaction, ret.source, &ret.source_id).await?;
        check_still_returnable(&mut transaction, new).await?;
        ret.credit_note_n = next_credit_note(&mut transaction, &ret.merchant_id).await?;
        ret.credit_note_number = credit_note_number(ret.credit_note_n);
        if let Some(refund) = &new.card_refund {
            ret.payment_job_id = Some(refund_job_id(&ret.id));
            let owed = Owed {
                id: refund_job_id(&ret.id),
                kind: PaymentJobKind::Refund,
                order_id: &refund.order_id,
                fulfillment_id: Some(&refund.fulfillment_id),
                merchant_id: Some(&ret.merchant_id),
                payment_reference: &refund.payment_reference,
                amount_minor: ret.refund_minor,
                currency: ret.currency,
                now_ms: ret.created_at_ms,
            };
            if refund.on_terminal {
                check_card_refundable(&mut transaction, &ret.source_id, ret.refund_minor).await?;
                enqueue_for_terminal(&mut transaction, owed).await?;
            } else {
                enqueue_in(&mut transaction, owed).await?;
            }
        }
        pay_out_cash(&mut transaction, new, &ret).await?;
        insert_return(&mut transaction, &ret).await?;
        for line in &new.lines {
            insert_line(&mut transaction, &ret.id, line).await?;
        }
        if let Some(exchange) = &new.exchange {
            record_exchange(&mut transaction, &ret, exchange).await?;
        }
        if let Some(credit) = &new.credit {
            apply_credit_entry(&mut transaction, credit).await?;
        }
        // Restocked units back into this location's on-hand, one movement per SKU in SKU order.
        let mut restock: BTreeMap<&str, i64> = BTreeMap::new();
        for line in new.lines.iter().filter(|line| line.restocked) {
            *restock.entry(line.sku.as_str()).or_default() += line.quantity;
        }
        for (sku, quantity) in restock {
            let movement = StockMovementRow {
                id: format!("mov_{}_{sku}", ret.id),
                sku: sku.to_owned(),
                location_id: ret.location_id.clone(),
                merchant_id: ret.merchant_id.clone(),
                delta: quantity,
                reason: MovementReason::Return,
                reference: Some(ret.id.clone()),
                channel: None,
                created_by: ret.created_by.clone(),
                created_at_ms: ret.created_at_ms,
                event_id: format!("evt_{}_{sku}", ret.id),
            };
            move_stock(&mut transaction, &movement).await?;
        }
        if let Some(exchange) = &new.exchange {
            // One unit short rolls the whole return back: no return, no credit note, no move.
            take_exchange_stock(&mut transaction, &ret, exchange).await?;
        }
        transaction.commit().await?;
        Ok(ReturnRecord { ret, lines: new.lines.clone() })
    }

    async fn get_return(&self, id: &str) -> StoreResult<Option<ReturnRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {RETURN_COLUMNS} FROM returns WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(ReturnRecord { ret: return_from(&row)?, lines: read_lines(&self.read, id).await? }))
    }

    async fn get_return_exchange(&self, return_id: &str) -> StoreResult<Option<NewExchange>> {
        let Some(row) = sqlx::query(
            "SELECT returned_minor, new_total_minor, difference_minor, session_id, change_minor, payments_json \
             FROM return_exchanges WHERE return_id = $1",
        )
        .bind(return_id)
        .fetch_optional(&self.read)
        .await?
        else {
            return Ok(None);
        };
        let payments: String = row.try_get("payments_json")?;
        let payments = serde_json::from_str(&payments)
            .map_err(|error| StoreError::Corrupt(format!("an exchange's payments do not read back: {error}")))?;
        let lines = sqlx::query(
            "SELECT sku, quantity, unit_price_minor, total_minor, track_stock FROM return_exchange_lines \
             WHERE return_id = $1 ORDER BY position",
        )
        .bind(return_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|line| {
            Ok(ExchangeLineRow {
                sku: line.try_get("sku")?,
                quantity: line.try_get("quantity")?,
                unit_price_minor: line.try_get("unit_price_minor")?,
                total_minor: line.try_get("total_minor")?,
                track_stock: get_flag(line, "track_stock")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Some(NewExchange {
            returned_minor: row.try_get("returned_minor")?,
            new_total_minor: row.try_get("new_total_minor")?,
            difference_minor: row.try_get("difference_minor")?,
            session_id: row.try_get("session_id")?,
            change_minor: row.try_get("change_minor")?,
            payments,
            lines,
        }))
    }

    async fn list_purchase_returns(&self, source: ReturnSource, source_id: &str) -> StoreResult<Vec<ReturnRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RETURN_COLUMNS} FROM returns WHERE source = $1 AND source_id = $2 ORDER BY created_at_ms, id"
        )))
        .bind(source.as_str())
        .bind(source_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(return_from).collect::<Result<_, _>>()?)
    }

    async fn list_returns_between(
        &self,
        merchant_id: &str,
        location_id: Option<&str>,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<ReturnRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RETURN_COLUMNS} FROM returns WHERE merchant_id = $1 AND ($2 IS NULL OR location_id = $2) \
             AND created_at_ms >= $3 AND created_at_ms < $4 ORDER BY created_at_ms, id"
        )))
        .bind(merchant_id)
        .bind(location_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(return_from).collect::<Result<_, _>>()?)
    }

    async fn list_session_returns(&self, session_id: &str) -> StoreResult<Vec<ReturnRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RETURN_COLUMNS} FROM returns WHERE session_id = $1 ORDER BY created_at_ms, id"
        )))
        .bind(session_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(return_from).collect::<Result<_, _>>()?)
    }

    async fn settlement_returns(
        &self,
        merchant_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<SettlementLineRow>> {
        let rows = sqlx::query(
            "SELECT r.id, o.number, l.name AS location_name, o.channel, r.created_at_ms, r.refund_minor \
             FROM returns r JOIN orders o ON o.id = r.source_id JOIN locations l ON l.id = r.location_id \
             WHERE r.source = 'order' AND r.merchant_id = $1 AND r.created_at_ms >= $2 AND r.created_at_ms < $3 \
             ORDER BY r.created_at_ms, r.id",
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
                    // Only a handed-over part is returned.
                    status: FulfillmentStatus::Collected,
                    created_at_ms: row.try_get("created_at_ms")?,
                    money: SettlementPartRow {
                        captured_minor: 0,
                        refunded_minor: row.try_get("refund_minor")?,
                        merchant_funded_minor: 0,
                        operator_funded_minor: 0,
                        status: FulfillmentStatus::Collected,
                    },
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}
