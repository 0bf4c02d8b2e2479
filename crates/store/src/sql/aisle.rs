//! [`AisleStore`]: the endless aisle's orders, shipments and transfers (issue 17 point 7).
//!
//! An aisle order is placed through the same step as every order (`tx::placement::place_in`:
//! its units reserved at the source in (location, SKU) order by a conditional update, so two
//! tablets selling the last unit cannot both win), then, in the same transaction, what only the
//! aisle has: the till's session locked open with the cash put in, the tenders (a gift card's or
//! store credit's spent from its balance, never below zero), and either the
//! shipment or — for a pickup here — the units sent out of the source as transfers, with the
//! part moved to the selling store so the till's usual handover by pickup code finds it there.
//! A shipment's step and a pickup's arrival each run in one transaction with the part's change
//! (`tx::transition::apply_change_in`), so stock, money and the customer's notice never drift.

use async_trait::async_trait;
use omnicanal_domain::aisle::AisleFulfilment;
use omnicanal_domain::delivery::DeliveryAddress;
use omnicanal_domain::inventory::TransferStatus;
use omnicanal_domain::payment_job::PaymentJobKind;
use omnicanal_domain::pos::TenderMethod;
use omnicanal_domain::shipment::ShipmentStatus;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::get_parsed;
use super::outbox::insert_event;
use super::pos::lock_open_session;
use super::stock::insert_transfer;
use super::tx::Tx;
use super::tx::credit::apply_to_account;
use super::tx::ledger::{move_stock, release, reserve};
use super::tx::payment_jobs::{Owed, enqueue_for_terminal};
use super::tx::placement::place_in;
use super::tx::transition::apply_change_in;
use crate::backend::SqlStore;
use crate::rows::{
    AisleCreditRefund, AisleOrderRecord, AisleOrderRow, AislePaymentRow, AisleReceipt, NewAisleOrder, NewCreditEntry,
    OrderRecord, Page, ShipmentChange, ShipmentRow,
};
use crate::{AisleStore, OrderStore, StoreError, StoreResult};

const AISLE_COLUMNS: &str = "order_id, merchant_id, device_id, session_id, store_location_id, source_location_id, \
     fulfillment_id, mode, promised_date, promised_from, received_at_ms, cash_minor, card_minor, change_minor, \
     cash_refund_owed_minor, created_by, created_at_ms";

const SHIPMENT_COLUMNS: &str = "id, order_id, fulfillment_id, merchant_id, location_id, status, tracking_reference, \
     recipient_name, recipient_phone, street, number, district, address_reference, created_at_ms, updated_at_ms";

fn aisle_from(row: &AnyRow) -> Result<AisleOrderRow, sqlx::Error> {
    Ok(AisleOrderRow {
        order_id: row.try_get("order_id")?,
        merchant_id: row.try_get("merchant_id")?,
        device_id: row.try_get("device_id")?,
        session_id: row.try_get("session_id")?,
        store_location_id: row.try_get("store_location_id")?,
        source_location_id: row.try_get("source_location_id")?,
        fulfillment_id: row.try_get("fulfillment_id")?,
        mode: get_parsed(row, "mode", AisleFulfilment::parse)?,
        promised_date: row.try_get("promised_date")?,
        promised_from: row.try_get("promised_from")?,
        received_at_ms: row.try_get("received_at_ms")?,
        cash_minor: row.try_get("cash_minor")?,
        card_minor: row.try_get("card_minor")?,
        change_minor: row.try_get("change_minor")?,
        cash_refund_owed_minor: row.try_get("cash_refund_owed_minor")?,
        created_by: row.try_get("created_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn shipment_from(row: &AnyRow) -> Result<ShipmentRow, sqlx::Error> {
    Ok(ShipmentRow {
        id: row.try_get("id")?,
        order_id: row.try_get("order_id")?,
        fulfillment_id: row.try_get("fulfillment_id")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        status: get_parsed(row, "status", ShipmentStatus::parse)?,
        tracking_reference: row.try_get("tracking_reference")?,
        recipient_name: row.try_get("recipient_name")?,
        recipient_phone: row.try_get("recipient_phone")?,
        address: DeliveryAddress {
            street: row.try_get("street")?,
            number: row.try_get("number")?,
            district: row.try_get("district")?,
            reference: row.try_get("address_reference")?,
        },
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}

async fn insert_aisle_row(transaction: &mut Tx, aisle: &AisleOrderRow) -> StoreResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO aisle_orders ({AISLE_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
    )))
    .bind(&aisle.order_id)
    .bind(&aisle.merchant_id)
    .bind(&aisle.device_id)
    .bind(&aisle.session_id)
    .bind(&aisle.store_location_id)
    .bind(&aisle.source_location_id)
    .bind(&aisle.fulfillment_id)
    .bind(aisle.mode.as_str())
    .bind(&aisle.promised_date)
    .bind(&aisle.promised_from)
    .bind(aisle.received_at_ms)
    .bind(aisle.cash_minor)
    .bind(aisle.card_minor)
    .bind(aisle.change_minor)
    .bind(aisle.cash_refund_owed_minor)
    .bind(&aisle.created_by)
    .bind(aisle.created_at_ms)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

async fn insert_payments(transaction: &mut Tx, order_id: &str, payments: &[AislePaymentRow]) -> StoreResult<()> {
    for (position, payment) in payments.iter().enumerate() {
        sqlx::query(
            "INSERT INTO aisle_payments (order_id, position, method, amount_minor, tendered_minor, reference) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(order_id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(payment.method.as_str())
        .bind(payment.amount_minor)
        .bind(payment.tendered_minor)
        .bind(&payment.reference)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

/// The cash kept goes into the till's session as a cash movement `in`, so the drawer's
/// expected cash counts it (as an exchange's difference paid in cash does).
async fn cash_in(transaction: &mut Tx, new: &NewAisleOrder, number: i64) -> StoreResult<()> {
    let aisle = &new.aisle;
    if aisle.cash_minor > 0 {
        sqlx::query(
            "INSERT INTO pos_cash_movements (id, session_id, direction, amount_minor, reason, created_by, \
             created_at_ms) VALUES ($1, $2, 'in', $3, $4, $5, $6)",
        )
        .bind(format!("cma_{}", aisle.order_id))
        .bind(&aisle.session_id)
        .bind(aisle.cash_minor)
        .bind(format!("aisle order {number}"))
        .bind(&aisle.created_by)
        .bind(aisle.created_at_ms)
        .execute(&mut **transaction)
        .await?;
    }
    if let Some(event) = &new.session_event {
        insert_event(transaction, event.clone()).await?;
    }
    Ok(())
}

async fn insert_shipment(transaction: &mut Tx, shipment: &ShipmentRow) -> StoreResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO shipments ({SHIPMENT_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    )))
    .bind(&shipment.id)
    .bind(&shipment.order_id)
    .bind(&shipment.fulfillment_id)
    .bind(&shipment.merchant_id)
    .bind(&shipment.location_id)
    .bind(shipment.status.as_str())
    .bind(&shipment.tracking_reference)
    .bind(&shipment.recipient_name)
    .bind(&shipment.recipient_phone)
    .bind(&shipment.address.street)
    .bind(&shipment.address.number)
    .bind(&shipment.address.district)
    .bind(&shipment.address.reference)
    .bind(shipment.created_at_ms)
    .bind(shipment.updated_at_ms)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// A pickup here: each held line leaves the source as a transfer in transit (its reservation
/// released and its units taken out of on-hand at once), and the part moves to the store with
/// its lines held nowhere until they arrive.
async fn send_to_store(transaction: &mut Tx, new: &NewAisleOrder) -> StoreResult<()> {
    let aisle = &new.aisle;
    for (transfer, out) in &new.transfers {
        release(transaction, transfer.quantity, &transfer.from_location_id, &transfer.sku).await?;
        move_stock(transaction, out).await?;
        insert_transfer(transaction, transfer).await?;
        sqlx::query("INSERT INTO aisle_transfers (transfer_id, order_id) VALUES ($1, $2)")
            .bind(&transfer.id)
            .bind(&aisle.order_id)
            .execute(&mut **transaction)
            .await?;
    }
    sqlx::query("UPDATE fulfillments SET location_id = $1 WHERE id = $2")
        .bind(&aisle.store_location_id)
        .bind(&aisle.fulfillment_id)
        .execute(&mut **transaction)
        .await?;
    sqlx::query("UPDATE fulfillment_lines SET track_stock = 0 WHERE fulfillment_id = $1")
        .bind(&aisle.fulfillment_id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Spends the gift card and store credit tenders from the accounts they name, keyed by the
/// order and the tender's position (as a till sale's, `tx::credit`): a balance that does not
/// cover one refuses the whole order.
async fn spend_credit(transaction: &mut Tx, new: &NewAisleOrder, number: i64) -> StoreResult<()> {
    let order = &new.order.order;
    for (position, payment) in new.payments.iter().enumerate() {
        if !payment.method.spends_credit() {
            continue;
        }
        let account_id =
            payment.reference.as_deref().ok_or(StoreError::Inconsistent("a credit tender names no account"))?;
        let entry = |holder| NewCreditEntry {
            merchant_id: new.aisle.merchant_id.clone(),
            holder,
            currency: order.currency.code().to_owned(),
            amount_minor: -payment.amount_minor,
            reason: format!("aisle order #{number}"),
            source_kind: "aisle_order".to_owned(),
            source_id: format!("{}/{position}", new.aisle.order_id),
            at_ms: new.aisle.created_at_ms,
            by_user: new.aisle.created_by.clone(),
        };
        apply_to_account(transaction, &new.aisle.merchant_id, account_id, entry).await?;
    }
    Ok(())
}

/// Gives a cancelled shipment's gift card or store credit tender back to its account.
async fn credit_back(
    transaction: &mut Tx,
    shipment: &ShipmentRow,
    refund: &AisleCreditRefund,
    currency: omnicanal_domain::Currency,
    now_ms: i64,
) -> StoreResult<()> {
    let entry = |holder| NewCreditEntry {
        merchant_id: shipment.merchant_id.clone(),
        holder,
        currency: currency.code().to_owned(),
        amount_minor: refund.amount_minor,
        reason: "aisle shipment cancelled".to_owned(),
        source_kind: "aisle_cancel".to_owned(),
        source_id: format!("{}/{}", shipment.order_id, refund.position),
        at_ms: now_ms,
        by_user: refund.by_user.clone(),
    };
    apply_to_account(transaction, &shipment.merchant_id, &refund.account_id, entry).await?;
    Ok(())
}

#[async_trait]
impl AisleStore for SqlStore {
    async fn place_aisle_order(&self, new: &NewAisleOrder) -> StoreResult<OrderRecord> {
        let mut transaction = self.write.begin().await?;
        // The session first: a close and an aisle sale never interleave (as a till sale's).
        lock_open_session(&mut transaction, &new.aisle.session_id).await?;
        let placed = place_in(&mut transaction, &new.order, true).await?;
        insert_aisle_row(&mut transaction, &new.aisle).await?;
        insert_payments(&mut transaction, &new.aisle.order_id, &new.payments).await?;
        spend_credit(&mut transaction, new, placed.order.number).await?;
        cash_in(&mut transaction, new, placed.order.number).await?;
        if let Some(shipment) = &new.shipment {
            insert_shipment(&mut transaction, shipment).await?;
        }
        if new.aisle.mode == AisleFulfilment::PickupHere {
            send_to_store(&mut transaction, new).await?;
        }
        transaction.commit().await?;
        self.get_order(&placed.order.id).await?.ok_or(StoreError::Inconsistent("a placed aisle order is missing"))
    }

    async fn get_aisle_order(&self, order_id: &str) -> StoreResult<Option<AisleOrderRecord>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {AISLE_COLUMNS} FROM aisle_orders WHERE order_id = $1")))
                .bind(order_id)
                .fetch_optional(&self.read)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let aisle = aisle_from(&row)?;
        let payments = sqlx::query(
            "SELECT method, amount_minor, tendered_minor, reference FROM aisle_payments \
             WHERE order_id = $1 ORDER BY position",
        )
        .bind(order_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|row| {
            Ok(AislePaymentRow {
                method: get_parsed(row, "method", TenderMethod::parse)?,
                amount_minor: row.try_get("amount_minor")?,
                tendered_minor: row.try_get("tendered_minor")?,
                reference: row.try_get("reference")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let transfer_ids =
            sqlx::query("SELECT transfer_id FROM aisle_transfers WHERE order_id = $1 ORDER BY transfer_id")
                .bind(order_id)
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(|row| row.try_get("transfer_id"))
                .collect::<Result<Vec<String>, sqlx::Error>>()?;
        Ok(Some(AisleOrderRecord { aisle, payments, transfer_ids }))
    }

    async fn get_shipment(&self, id: &str) -> StoreResult<Option<ShipmentRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(shipment_from).transpose()?)
    }

    async fn get_order_shipment(&self, order_id: &str) -> StoreResult<Option<ShipmentRow>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE order_id = $1")))
                .bind(order_id)
                .fetch_optional(&self.read)
                .await?;
        Ok(row.as_ref().map(shipment_from).transpose()?)
    }

    async fn list_location_shipments(
        &self,
        location_id: &str,
        status: Option<ShipmentStatus>,
        page: Page,
    ) -> StoreResult<Vec<ShipmentRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE location_id = $1 AND ($2 IS NULL OR status = $2) \
             ORDER BY created_at_ms, id LIMIT $3 OFFSET $4"
        )))
        .bind(location_id)
        .bind(status.map(ShipmentStatus::as_str))
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(shipment_from).collect::<Result<_, _>>()?)
    }

    async fn step_shipment(&self, change: &ShipmentChange) -> StoreResult<ShipmentRow> {
        let mut transaction = self.write.begin().await?;
        let updated = sqlx::query(
            "UPDATE shipments SET status = $1, tracking_reference = COALESCE($2, tracking_reference), \
             updated_at_ms = $3 WHERE id = $4 AND status = $5",
        )
        .bind(change.to.as_str())
        .bind(change.tracking.as_ref().map(|tracking| tracking.as_str().to_owned()))
        .bind(change.now_ms)
        .bind(&change.shipment_id)
        .bind(change.from.as_str())
        .execute(&mut *transaction)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::StaleState);
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE id = $1")))
            .bind(&change.shipment_id)
            .fetch_one(&mut *transaction)
            .await?;
        let shipment = shipment_from(&row)?;
        if let Some(part_change) = &change.part_change {
            apply_change_in(&mut transaction, part_change).await?;
        }
        let currency = read_order_currency(&mut transaction, &shipment.order_id).await?;
        for (job_id, reference, amount_minor) in &change.card_refunds {
            let owed = Owed {
                id: job_id.clone(),
                kind: PaymentJobKind::Refund,
                order_id: &shipment.order_id,
                fulfillment_id: Some(&shipment.fulfillment_id),
                merchant_id: Some(&shipment.merchant_id),
                payment_reference: reference,
                amount_minor: *amount_minor,
                currency,
                now_ms: change.now_ms,
            };
            // The tablet charged the card on the till's terminal: only the terminal gives it back.
            enqueue_for_terminal(&mut transaction, owed).await?;
        }
        for refund in &change.credit_refunds {
            credit_back(&mut transaction, &shipment, refund, currency, change.now_ms).await?;
        }
        if change.cash_refund_owed_minor > 0 {
            sqlx::query("UPDATE aisle_orders SET cash_refund_owed_minor = $1 WHERE order_id = $2")
                .bind(change.cash_refund_owed_minor)
                .bind(&shipment.order_id)
                .execute(&mut *transaction)
                .await?;
        }
        insert_event(&mut transaction, change.event.clone()).await?;
        transaction.commit().await?;
        Ok(shipment)
    }

    async fn receive_aisle_order(&self, receipt: &AisleReceipt) -> StoreResult<OrderRecord> {
        let mut transaction = self.write.begin().await?;
        let marked = sqlx::query(
            "UPDATE aisle_orders SET received_at_ms = $1 WHERE order_id = $2 AND received_at_ms IS NULL \
             AND mode = 'pickup_here'",
        )
        .bind(receipt.now_ms)
        .bind(&receipt.order_id)
        .execute(&mut *transaction)
        .await?;
        if marked.rows_affected() != 1 {
            return Err(StoreError::StaleState);
        }
        for (transfer_id, into) in &receipt.movements {
            // A transfer someone already received through the stock pages put its units in
            // the store then; only one still in transit is received here.
            let received = sqlx::query(
                "UPDATE stock_transfers SET status = $1, received_at_ms = $2 WHERE id = $3 AND status = $4",
            )
            .bind(TransferStatus::Received.as_str())
            .bind(receipt.now_ms)
            .bind(transfer_id)
            .bind(TransferStatus::InTransit.as_str())
            .execute(&mut *transaction)
            .await?;
            if received.rows_affected() == 1 {
                move_stock(&mut transaction, into).await?;
            }
            // The arrived units are the part's: held at the store until the handover sells them.
            if reserve(&mut transaction, into.delta, &into.location_id, &into.sku, 0).await?.is_none() {
                return Err(StoreError::InsufficientStock { sku: into.sku.clone() });
            }
            sqlx::query("UPDATE fulfillment_lines SET track_stock = 1 WHERE fulfillment_id = $1 AND sku = $2")
                .bind(&receipt.part_change.fulfillment_id)
                .bind(&into.sku)
                .execute(&mut *transaction)
                .await?;
        }
        let part = apply_change_in(&mut transaction, &receipt.part_change).await?;
        transaction.commit().await?;
        self.get_order(&part.order_id).await?.ok_or(StoreError::Inconsistent("a received aisle order is missing"))
    }
}

async fn read_order_currency(transaction: &mut Tx, order_id: &str) -> StoreResult<omnicanal_domain::Currency> {
    let row =
        sqlx::query("SELECT currency FROM orders WHERE id = $1").bind(order_id).fetch_one(&mut **transaction).await?;
    Ok(get_parsed(&row, "currency", super::order_rows::currency)?)
}
