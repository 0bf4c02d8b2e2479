//! Applying a planned transition of a part, inside the caller's transaction: its status (only
//! if it is still where the plan started), the kitchen's promise, its stock, its money with the
//! payment job a card refund needs, and the events that report all of it.
//!
//! The plan comes from the domain (`plan_transition`, or `plan_hold_lapse` for a lapsed hold);
//! this module only carries it out, so transitions, hold expiry and placement's own expiry of
//! lapsed holds all change a part the same way.

use omnicanal_domain::Money;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::{DomainEvent, FulfillmentStatusChanged, PaymentCaptured, PaymentRefunded};
use omnicanal_domain::fulfillment::{MoneyEffect, StockEffect};
use omnicanal_domain::inventory::MovementReason;
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::payment_job::PaymentJobKind;
use sqlx::Row;

use super::Tx;
use super::credit::{give_back_part_credit, part_credit_kept};
use super::ledger::{level_event, record_movement, release, sell};
use super::payment_jobs::{Owed, enqueue_in, refund_job_id};
use super::slots::release_pickup_slot;
use crate::rows::{FulfillmentChange, FulfillmentRecord, NewEvent, StockMovementRow};
use crate::sql::columns::get_parsed;
use crate::sql::order_rows::{LINE_COLUMNS, fulfillment_columns, fulfillment_from, line_from};
use crate::sql::outbox::insert_event;
use crate::{StoreError, StoreResult};

/// How the part's order was sold and paid: what a transition's stock and money effects need.
struct OrderPayment {
    channel: Channel,
    method: PaymentMethod,
    reference: Option<String>,
}

/// Applies `change` to its part and returns the part as it now stands.
pub(crate) async fn apply_change_in(
    transaction: &mut Tx,
    change: &FulfillmentChange,
) -> StoreResult<FulfillmentRecord> {
    let plan = change.plan;
    let preparation = change.preparation;
    let updated = sqlx::query(
        "UPDATE fulfillments SET status = $1, reason = COALESCE($2, reason), updated_at_ms = $3, \
         prep_minutes = COALESCE($6, prep_minutes), accepted_at_ms = COALESCE($7, accepted_at_ms), \
         estimated_ready_ms = COALESCE($8, estimated_ready_ms), \
         ready_at_ms = CASE WHEN $1 = 'ready' THEN COALESCE(ready_at_ms, $3) ELSE ready_at_ms END, \
         collected_at_ms = CASE WHEN $1 = 'collected' THEN $3 ELSE collected_at_ms END \
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
        return Err(StoreError::StaleState);
    }
    let part = read_part_in(transaction, &change.fulfillment_id).await?;
    let payment = order_payment(transaction, &part.order_id).await?;
    // A voided part gives the gift card or store credit it was paid with back to the same
    // balances, in this transaction (the card is then refunded only the rest) — before its
    // stock, as a till sale takes a balance before the shelf, so the two never deadlock.
    let credit_back =
        if plan.to.is_voided() { give_back_part_credit(transaction, &part, change.now_ms).await? } else { 0 };
    if let Some(effect) = plan.stock {
        apply_stock(transaction, change, &part, &payment.channel, effect).await?;
    }
    if plan.to.is_voided() {
        // A part that will not be collected gives its pickup slot place back.
        release_pickup_slot(transaction, &part.id).await?;
    }
    apply_money(transaction, change, &part, &payment, credit_back).await?;
    let status_changed = FulfillmentStatusChanged {
        order_id: part.order_id.clone(),
        fulfillment_id: part.id.clone(),
        merchant_id: part.merchant_id.clone(),
        location_id: part.location_id.clone(),
        from: plan.from,
        status: plan.to,
        reason: change.reason.clone(),
        prep_minutes: part.preparation.prep_minutes,
        estimated_ready_at: part.preparation.estimated_ready_ms,
    };
    let event = NewEvent {
        event_id: change.event_id.clone(),
        created_at_ms: change.now_ms,
        event: DomainEvent::FulfillmentStatusChanged(status_changed),
    };
    insert_event(transaction, event).await?;
    Ok(part)
}

/// The part with its lines, read inside the transaction.
async fn read_part_in(transaction: &mut Tx, id: &str) -> StoreResult<FulfillmentRecord> {
    let row = sqlx::query(concat!("SELECT ", fulfillment_columns!(), " FROM fulfillments WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut **transaction)
        .await?;
    let mut part = fulfillment_from(&row)?;
    let sql = format!("SELECT {LINE_COLUMNS} FROM fulfillment_lines WHERE fulfillment_id = $1 ORDER BY position");
    let lines = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(&mut **transaction).await?;
    part.lines = lines.iter().map(|row| line_from(row).map(|(_, line)| line)).collect::<Result<_, _>>()?;
    Ok(part)
}

async fn order_payment(transaction: &mut Tx, order_id: &str) -> StoreResult<OrderPayment> {
    let row = sqlx::query("SELECT channel, payment_method, payment_reference FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(&mut **transaction)
        .await?;
    Ok(OrderPayment {
        channel: get_parsed(&row, "channel", Channel::parse)?,
        method: get_parsed(&row, "payment_method", PaymentMethod::parse)?,
        reference: row.try_get("payment_reference")?,
    })
}

/// Releases or sells the part's reserved lines, each with its event (a sale is a movement too).
async fn apply_stock(
    transaction: &mut Tx,
    change: &FulfillmentChange,
    part: &FulfillmentRecord,
    channel: &Channel,
    effect: StockEffect,
) -> StoreResult<()> {
    for (index, line) in part.lines.iter().filter(|line| line.track_stock).enumerate() {
        let event_id = format!("{}-s{index}", change.event_id);
        match effect {
            StockEffect::Sell => {
                let level = sell(transaction, line.quantity, &part.location_id, &line.sku).await?;
                // A sale takes units off the shelf: it belongs in the movement history.
                let sale = StockMovementRow {
                    id: format!("{}-m{index}", change.event_id),
                    sku: line.sku.clone(),
                    location_id: part.location_id.clone(),
                    merchant_id: part.merchant_id.clone(),
                    delta: -line.quantity,
                    reason: MovementReason::Sale,
                    reference: Some(part.order_id.clone()),
                    channel: Some(channel.clone()),
                    created_by: None,
                    created_at_ms: change.now_ms,
                    event_id,
                };
                record_movement(transaction, &sale, level).await?;
            }
            StockEffect::Release => {
                let level = release(transaction, line.quantity, &part.location_id, &line.sku).await?;
                let event =
                    level_event(event_id, &part.merchant_id, &part.location_id, &line.sku, level, change.now_ms);
                insert_event(transaction, event).await?;
            }
        }
    }
    Ok(())
}

/// Applies a transition's money effect to the part and its order: a refund is owed back (with
/// its payment job when a card was charged, and `payment.refunded`), money paid at the counter
/// is captured (`payment.captured`), an amount no longer owed is forgiven.
///
/// Credit (issue 17 point 8) counts as paid on the part from placement on: `credit_back` is
/// what a voided part just gave back to gift cards and store credit, so a card's refund job is
/// the rest, and a pay-at-pickup part records it as refunded and forgives only what was owed;
/// a pay-at-pickup handover captures what the credit did not already pay.
async fn apply_money(
    transaction: &mut Tx,
    change: &FulfillmentChange,
    part: &FulfillmentRecord,
    payment: &OrderPayment,
    credit_back: i64,
) -> StoreResult<()> {
    if credit_back > 0 && payment.method == PaymentMethod::PayAtPickup {
        sqlx::query("UPDATE fulfillments SET refunded_minor = refunded_minor + $1 WHERE id = $2")
            .bind(credit_back)
            .bind(&part.id)
            .execute(&mut **transaction)
            .await?;
        sqlx::query("UPDATE orders SET refunded_minor = refunded_minor + $1 WHERE id = $2")
            .bind(credit_back)
            .bind(&part.order_id)
            .execute(&mut **transaction)
            .await?;
    }
    let Some(effect) = change.plan.money else {
        return Ok(());
    };
    let effect = match effect {
        MoneyEffect::Forgive(amount) => MoneyEffect::Forgive(Money::new(
            amount.amount_minor.min(part.subtotal_minor - credit_back).max(0),
            amount.currency,
        )),
        MoneyEffect::Capture(amount) if payment.method == PaymentMethod::PayAtPickup => {
            let kept = part_credit_kept(transaction, &part.id).await?;
            MoneyEffect::Capture(Money::new((amount.amount_minor - kept).max(0), amount.currency))
        }
        other => other,
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
    let event = match effect {
        MoneyEffect::Refund(amount) => {
            let card_minor = amount.amount_minor - credit_back;
            if let (PaymentMethod::Card, Some(reference), true) = (payment.method, &payment.reference, card_minor > 0) {
                let owed = Owed {
                    id: refund_job_id(&part.id),
                    kind: PaymentJobKind::Refund,
                    order_id: &part.order_id,
                    fulfillment_id: Some(&part.id),
                    merchant_id: Some(&part.merchant_id),
                    payment_reference: reference,
                    amount_minor: card_minor,
                    currency: amount.currency,
                    now_ms: change.now_ms,
                };
                enqueue_in(transaction, owed).await?;
            }
            DomainEvent::PaymentRefunded(PaymentRefunded {
                order_id: part.order_id.clone(),
                fulfillment_id: part.id.clone(),
                merchant_id: part.merchant_id.clone(),
                location_id: part.location_id.clone(),
                amount,
            })
        }
        MoneyEffect::Capture(amount) => DomainEvent::PaymentCaptured(PaymentCaptured {
            order_id: part.order_id.clone(),
            fulfillment_id: Some(part.id.clone()),
            merchant_id: Some(part.merchant_id.clone()),
            location_id: Some(part.location_id.clone()),
            amount,
            method: payment.method,
        }),
        MoneyEffect::Forgive(_) => return Ok(()),
    };
    let event = NewEvent { event_id: change.money_event_id.clone(), created_at_ms: change.now_ms, event };
    insert_event(transaction, event).await?;
    Ok(())
}
