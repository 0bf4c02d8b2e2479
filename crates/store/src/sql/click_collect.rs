//! [`ClickCollectStore`]: a store's pick list, a merchant's pickup settings, the release of
//! parts not collected in time, and a part changed at the counter (issue 17 points 4 and 5).
//!
//! The release sweep runs like the hold sweep (`tx::holds`): due parts are read, each is
//! carried out through the one transition step (`tx::transition::apply_change_in`) with ids
//! derived from the part, so two nodes sweeping at once release a part once — the second
//! finds it no longer `ready` (`StaleState`, skipped), and its event and refund job ids collide
//! with the first's. A change at the counter is one transaction: the part's row is updated
//! only at the version (`change_count`) and status the till read, so of two tills changing the
//! same part the second loses whole (`StaleState`) instead of overwriting; then the stock holds
//! move in SKU order (a short SKU is `InsufficientStock` with its SKU and nothing is kept), the
//! lines are replaced, the order's totals follow, a card's refund is queued as a payment job,
//! and the change is recorded. Limits: the sweep takes `limit` parts per call; the phone
//! look-up reads at most `limit` open parts of the location.

use async_trait::async_trait;
use omnicanal_domain::Money;
use omnicanal_domain::click_collect::expiry::PICKUP_EXPIRED_REASON;
use omnicanal_domain::click_collect::plan_pickup_expiry;
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::payment_job::PaymentJobKind;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::{flag, get_parsed};
use super::order_rows::{currency, read_order, read_part};
use super::outbox::insert_event;
use super::pos::lock_open_session;
use super::tx::Tx;
use super::tx::ledger::{level_event, release, reserve};
use super::tx::payment_jobs::{Owed, enqueue_in};
use super::tx::transition::apply_change_in;
use crate::backend::SqlStore;
use crate::rows::{
    ChangedLine, FulfillmentChange, NewPickupChange, OrderRecord, Page, PickListRow, PickupChangeRow, Preparation,
    SkuBarcodeRow,
};
use crate::{ClickCollectStore, StoreError, StoreResult};

/// The id of the refund job a change at the counter owes a card (one per change).
pub fn change_refund_job_id(fulfillment_id: &str, change_id: &str) -> String {
    format!("pj_refund_{fulfillment_id}_{change_id}")
}

const CHANGE_COLUMNS: &str = "id, fulfillment_id, order_id, merchant_id, location_id, session_id, device_id, \
    created_by, created_at_ms, currency, before_total_minor, after_total_minor, refund_minor, to_collect_minor, \
    before_json, after_json";

fn lines_json(lines: &[ChangedLine]) -> StoreResult<String> {
    serde_json::to_string(lines).map_err(|_| StoreError::Inconsistent("a change's lines could not be written"))
}

fn change_from(row: &AnyRow) -> StoreResult<PickupChangeRow> {
    let parse = |column: &str| -> StoreResult<Vec<ChangedLine>> {
        let raw: String = row.try_get(column)?;
        serde_json::from_str(&raw).map_err(|_| StoreError::Inconsistent("a change's lines are not readable"))
    };
    Ok(PickupChangeRow {
        id: row.try_get("id")?,
        fulfillment_id: row.try_get("fulfillment_id")?,
        order_id: row.try_get("order_id")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        session_id: row.try_get("session_id")?,
        device_id: row.try_get("device_id")?,
        created_by: row.try_get("created_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
        currency: get_parsed(row, "currency", currency)?,
        before_total_minor: row.try_get("before_total_minor")?,
        after_total_minor: row.try_get("after_total_minor")?,
        refund_minor: row.try_get("refund_minor")?,
        to_collect_minor: row.try_get("to_collect_minor")?,
        before: parse("before_json")?,
        after: parse("after_json")?,
    })
}

/// Releases up to `limit` ready parts whose wait is over by `now_ms` (see the module docs).
async fn expire_uncollected_in(transaction: &mut Tx, now_ms: i64, default_days: i64, limit: i64) -> StoreResult<usize> {
    let due = sqlx::query(
        "SELECT f.id, f.subtotal_minor, f.captured_minor, f.refunded_minor, f.currency, o.payment_method \
         FROM fulfillments f JOIN orders o ON o.id = f.order_id \
         LEFT JOIN merchant_pickup_settings s ON s.merchant_id = f.merchant_id \
         WHERE f.status = 'ready' AND f.ready_at_ms IS NOT NULL \
         AND f.ready_at_ms + COALESCE(s.pickup_expiry_days, $2) * 86400000 <= $1 \
         ORDER BY f.ready_at_ms, f.id LIMIT $3",
    )
    .bind(now_ms)
    .bind(default_days)
    .bind(limit)
    .fetch_all(&mut **transaction)
    .await?;
    let mut released = 0;
    for row in &due {
        let id: String = row.try_get("id")?;
        let currency = get_parsed(row, "currency", currency)?;
        let subtotal = Money::new(row.try_get("subtotal_minor")?, currency);
        let captured: i64 = row.try_get("captured_minor")?;
        let refunded: i64 = row.try_get("refunded_minor")?;
        let method = get_parsed(row, "payment_method", PaymentMethod::parse)?;
        let change = FulfillmentChange {
            // Deterministic ids: a part is released at most once, whichever node sweeps.
            event_id: format!("evt_pickup_expired_{id}"),
            money_event_id: format!("evt_pickup_expired_refund_{id}"),
            fulfillment_id: id,
            plan: plan_pickup_expiry(method, subtotal, Money::new(captured - refunded, currency)),
            reason: Some(PICKUP_EXPIRED_REASON.into()),
            preparation: Preparation::default(),
            now_ms,
        };
        match apply_change_in(transaction, &change).await {
            Ok(_) => released += 1,
            // Collected at the counter, or released by another node, meanwhile.
            Err(StoreError::StaleState) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(released)
}

/// Moves the part's stock holds: releases first-come in SKU order, reserving what is added
/// (nothing kept back: the cashier sees the item on the shelf); a short SKU refuses it all.
async fn move_holds(transaction: &mut Tx, new: &NewPickupChange) -> StoreResult<()> {
    let change = &new.change;
    for (index, (sku, delta)) in new.stock_deltas.iter().enumerate() {
        let level = if *delta < 0 {
            release(transaction, -delta, &change.location_id, sku).await?
        } else {
            reserve(transaction, *delta, &change.location_id, sku, 0)
                .await?
                .ok_or_else(|| StoreError::InsufficientStock { sku: sku.clone() })?
        };
        let event_id = format!("{}-s{index}", new.event_id);
        let event = level_event(event_id, &change.merchant_id, &change.location_id, sku, level, change.created_at_ms);
        insert_event(transaction, event).await?;
    }
    Ok(())
}

/// Replaces the part's lines with the new ones.
async fn replace_lines(transaction: &mut Tx, new: &NewPickupChange) -> StoreResult<()> {
    let part_id = &new.change.fulfillment_id;
    sqlx::query("DELETE FROM fulfillment_lines WHERE fulfillment_id = $1")
        .bind(part_id)
        .execute(&mut **transaction)
        .await?;
    for (position, line) in new.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO fulfillment_lines (fulfillment_id, position, sku, quantity, unit_price_minor, total_minor, \
             track_stock, name, gross_minor, discount_minor, tax_code, tax_rate_bps, tax_minor, modifiers_json, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(part_id)
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
        .bind(&line.pricing.note)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

/// The order's totals follow the part; a card refund owed is queued with its event.
async fn settle_order(transaction: &mut Tx, new: &NewPickupChange) -> StoreResult<()> {
    let change = &new.change;
    sqlx::query(
        "UPDATE orders SET total_minor = total_minor + $1, outstanding_minor = outstanding_minor + $2, \
         refunded_minor = refunded_minor + $3 WHERE id = $4",
    )
    .bind(change.after_total_minor - change.before_total_minor)
    .bind(new.outstanding_delta_minor)
    .bind(change.refund_minor)
    .bind(&change.order_id)
    .execute(&mut **transaction)
    .await?;
    if change.refund_minor > 0
        && let Some(reference) = &new.payment_reference
    {
        let owed = Owed {
            id: change_refund_job_id(&change.fulfillment_id, &change.id),
            kind: PaymentJobKind::Refund,
            order_id: &change.order_id,
            fulfillment_id: Some(&change.fulfillment_id),
            merchant_id: Some(&change.merchant_id),
            payment_reference: reference,
            amount_minor: change.refund_minor,
            currency: change.currency,
            now_ms: change.created_at_ms,
        };
        enqueue_in(transaction, owed).await?;
    }
    if let Some(event) = &new.refund_event {
        insert_event(transaction, event.clone()).await?;
    }
    Ok(())
}

async fn insert_change(transaction: &mut Tx, change: &PickupChangeRow) -> StoreResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO pickup_changes ({CHANGE_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    )))
    .bind(&change.id)
    .bind(&change.fulfillment_id)
    .bind(&change.order_id)
    .bind(&change.merchant_id)
    .bind(&change.location_id)
    .bind(&change.session_id)
    .bind(&change.device_id)
    .bind(&change.created_by)
    .bind(change.created_at_ms)
    .bind(change.currency.code())
    .bind(change.before_total_minor)
    .bind(change.after_total_minor)
    .bind(change.refund_minor)
    .bind(change.to_collect_minor)
    .bind(lines_json(&change.before)?)
    .bind(lines_json(&change.after)?)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

#[async_trait]
impl ClickCollectStore for SqlStore {
    async fn pickup_expiry_days(&self, merchant_id: &str) -> StoreResult<Option<i64>> {
        let row = sqlx::query("SELECT pickup_expiry_days FROM merchant_pickup_settings WHERE merchant_id = $1")
            .bind(merchant_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(|row| row.try_get("pickup_expiry_days")).transpose()?)
    }

    async fn set_pickup_expiry_days(&self, merchant_id: &str, days: i64, now_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO merchant_pickup_settings (merchant_id, pickup_expiry_days, updated_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (merchant_id) DO UPDATE SET pickup_expiry_days = $2, updated_at_ms = $3",
        )
        .bind(merchant_id)
        .bind(days)
        .bind(now_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn list_pick_list(&self, location_id: &str, page: Page) -> StoreResult<Vec<PickListRow>> {
        let rows = sqlx::query(
            "SELECT f.id, o.number, o.customer_name, o.customer_phone, o.payment_method \
             FROM fulfillments f JOIN orders o ON o.id = f.order_id \
             WHERE f.location_id = $1 AND f.status IN ('placed', 'accepted', 'preparing') \
             ORDER BY f.created_at_ms, f.id LIMIT $2 OFFSET $3",
        )
        .bind(location_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        let mut list = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            let Some(part) = read_part(&self.read, &id).await? else { continue };
            list.push(PickListRow {
                part,
                order_number: row.try_get("number")?,
                customer_name: row.try_get("customer_name")?,
                customer_phone: row.try_get("customer_phone")?,
                payment_method: get_parsed(row, "payment_method", PaymentMethod::parse)?,
            });
        }
        Ok(list)
    }

    async fn sku_barcodes(&self, merchant_id: &str, skus: &[String]) -> StoreResult<Vec<SkuBarcodeRow>> {
        let mut found = Vec::with_capacity(skus.len());
        for sku in skus {
            let row = sqlx::query("SELECT sku, barcode FROM variants WHERE merchant_id = $1 AND sku = $2")
                .bind(merchant_id)
                .bind(sku)
                .fetch_optional(&self.read)
                .await?;
            if let Some(row) = row {
                found.push(SkuBarcodeRow { sku: row.try_get("sku")?, barcode: row.try_get("barcode")? });
            }
        }
        Ok(found)
    }

    async fn expire_uncollected_pickups(&self, now_ms: i64, default_days: i64, limit: i64) -> StoreResult<usize> {
        let mut transaction = self.write.begin().await?;
        let released = expire_uncollected_in(&mut transaction, now_ms, default_days, limit).await?;
        transaction.commit().await?;
        Ok(released)
    }

    async fn open_parts_with_phone(&self, location_id: &str, limit: i64) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT f.id, o.customer_phone FROM fulfillments f JOIN orders o ON o.id = f.order_id \
             WHERE f.location_id = $1 AND f.status IN ('placed', 'accepted', 'preparing', 'ready') \
             AND o.customer_phone IS NOT NULL ORDER BY f.created_at_ms DESC, f.id DESC LIMIT $2",
        )
        .bind(location_id)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("customer_phone")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    async fn part_change_count(&self, fulfillment_id: &str) -> StoreResult<Option<i64>> {
        let row = sqlx::query("SELECT change_count FROM fulfillments WHERE id = $1")
            .bind(fulfillment_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(|row| row.try_get("change_count")).transpose()?)
    }

    async fn change_pickup_part(&self, new: &NewPickupChange) -> StoreResult<OrderRecord> {
        let change = &new.change;
        let mut transaction = self.write.begin().await?;
        if let Some(session_id) = &change.session_id {
            lock_open_session(&mut transaction, session_id).await?;
        }
        let updated = sqlx::query(
            "UPDATE fulfillments SET subtotal_minor = $1, gross_minor = $2, discount_minor = $3, \
             merchant_funded_minor = $4, operator_funded_minor = $5, refunded_minor = refunded_minor + $6, \
             change_count = change_count + 1, updated_at_ms = $7 \
             WHERE id = $8 AND status = $9 AND change_count = $10",
        )
        .bind(change.after_total_minor)
        .bind(new.gross_minor)
        .bind(new.discount_minor)
        .bind(new.merchant_funded_minor)
        .bind(new.operator_funded_minor)
        .bind(change.refund_minor)
        .bind(change.created_at_ms)
        .bind(&change.fulfillment_id)
        .bind(new.expected_status.as_str())
        .bind(new.expected_change_count)
        .execute(&mut *transaction)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::StaleState);
        }
        move_holds(&mut transaction, new).await?;
        replace_lines(&mut transaction, new).await?;
        settle_order(&mut transaction, new).await?;
        insert_change(&mut transaction, change).await?;
        transaction.commit().await?;
        read_order(&self.write, &change.order_id).await?.ok_or(StoreError::NotFound)
    }

    async fn list_pickup_changes(&self, fulfillment_id: &str) -> StoreResult<Vec<PickupChangeRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CHANGE_COLUMNS} FROM pickup_changes WHERE fulfillment_id = $1 ORDER BY created_at_ms, id"
        )))
        .bind(fulfillment_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(change_from).collect()
    }

    async fn list_session_pickup_changes(&self, session_id: &str) -> StoreResult<Vec<PickupChangeRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CHANGE_COLUMNS} FROM pickup_changes WHERE session_id = $1 ORDER BY created_at_ms, id"
        )))
        .bind(session_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(change_from).collect()
    }

    async fn order_coupon_codes(&self, order_id: &str) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(
            "SELECT c.code FROM coupon_redemptions r JOIN coupons c ON c.id = r.coupon_id WHERE r.order_id = $1 \
             ORDER BY c.code",
        )
        .bind(order_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(|row| row.try_get("code")).collect::<Result<_, _>>()?)
    }
}
