//! Storing a new order inside the caller's transaction: lapsed holds at its locations give
//! their units back first, its sold-out lines refuse it, its tracked lines are reserved, its
//! coupons counted, its documents numbered, its rows, pickup slot places, card capture job and
//! events written, and its idempotency claim linked (if still the request's) — all or nothing.
//!
//! Lines are reserved in (location, SKU) order, sorted here rather than trusted to arrive
//! sorted: on PostgreSQL each reservation locks its level row until commit, and two orders that
//! lock the same rows in the same order cannot deadlock.

use omnicanal_domain::Money;
use omnicanal_domain::events::{DomainEvent, OrderCreated, PartSummary};
use omnicanal_domain::order::DocumentKind;
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::payment_job::PaymentJobKind;
use sqlx::Row;

use super::Tx;
use super::catalog::{check_generation, generation_in};
use super::credit::{record_order_credit, spend_order_credit};
use super::holds::expire_holds_in;
use super::ledger::{level_event, reserve};
use super::payment_jobs::{Owed, capture_job_id, enqueue_in};
use super::slots::book_pickup_slots;
use crate::rows::{FulfillmentRecord, HeldClaim, LineRow, NewEvent, NewOrder, OrderRecord, OrderRow};
use crate::sql::columns::{flag, in_list, values_clause};
use crate::sql::order_rows::fulfillment_columns;
use crate::sql::outbox::insert_events;
use crate::{CouponRefusal, StoreError, StoreResult};

/// Stores `new_order` (see the module docs); a short line is `InsufficientStock` and the caller
/// rolls back. `expire_lapsed_holds` is false when the caller (the group-commit writer) has
/// already expired the holds at these locations for its whole batch.
pub(crate) async fn place_in(
    transaction: &mut Tx,
    new_order: &NewOrder,
    expire_lapsed_holds: bool,
) -> StoreResult<OrderRecord> {
    let order = &new_order.order;
    if new_order.catalog_generation.is_some() {
        check_generation(new_order.catalog_generation, generation_in(transaction).await?)?;
    }
    if expire_lapsed_holds {
        // Lapsed holds at these locations give their units back first, so availability never
        // waits for the sweeper.
        for location_id in order_locations(new_order) {
            expire_holds_in(transaction, Some(location_id), order.created_at_ms, i64::MAX).await?;
        }
    }
    if new_order.catalog_generation.is_none() {
        // Priced from a snapshot, the order was checked against the switches of a generation
        // still current (a switch raises it): only an order priced from fresh reads asks again.
        refuse_sold_out(transaction, new_order).await?;
    }
    spend_order_credit(transaction, new_order).await?;
    let levels = reserve_lines(transaction, new_order).await?;
    redeem_coupons(transaction, new_order).await?;
    let number = insert_order_row(transaction, order).await?;
    let mut fulfillments = new_order.fulfillments.clone();
    number_documents(transaction, new_order.document_kind, &mut fulfillments).await?;
    insert_parts(transaction, new_order, &fulfillments).await?;
    record_order_credit(transaction, new_order).await?;
    book_pickup_slots(transaction, new_order).await?;
    let credit_minor: i64 = new_order.credit_spends.iter().map(|spend| spend.amount_minor).sum();
    queue_capture(transaction, order, credit_minor).await?;
    let mut events = vec![order_created(new_order, number)];
    events.extend(levels.into_iter().enumerate().map(|(index, ((location_id, merchant_id, sku), level))| {
        level_event(
            format!("{}-s{index}", new_order.event_id),
            merchant_id,
            location_id,
            sku,
            level,
            order.created_at_ms,
        )
    }));
    insert_events(transaction, &events).await?;
    if let Some(claim) = &new_order.idempotency {
        link_claim(transaction, claim, &order.id).await?;
    }
    fulfillments.iter_mut().for_each(|part| part.order_id = order.id.clone());
    Ok(OrderRecord { order: OrderRow { number, ..order.clone() }, fulfillments })
}

/// Links the request's idempotency claim to the order, if the claim is still the request's: a
/// claim a retry took over (its token changed) refuses the order, so one key never has two.
async fn link_claim(transaction: &mut Tx, claim: &HeldClaim, order_id: &str) -> StoreResult<()> {
    let linked = sqlx::query(
        "UPDATE idempotency_keys SET resource_id = $1 \
         WHERE scope = $2 AND key = $3 AND claim_token = $4 AND resource_id IS NULL",
    )
    .bind(order_id)
    .bind(&claim.scope)
    .bind(&claim.key)
    .bind(&claim.claim_token)
    .execute(&mut **transaction)
    .await?;
    if linked.rows_affected() == 1 { Ok(()) } else { Err(StoreError::ClaimLost) }
}

/// The distinct locations an order takes stock from, in id order.
pub(crate) fn order_locations(new_order: &NewOrder) -> Vec<&str> {
    let mut locations: Vec<&str> = new_order.fulfillments.iter().map(|part| part.location_id.as_str()).collect();
    locations.sort_unstable();
    locations.dedup();
    locations
}

/// A reserved line's (location, merchant, SKU) and the level after its reservation.
type Reserved<'a> = ((&'a str, &'a str, &'a str), (i64, i64));

/// Reserves every tracked line, in (location, SKU) order (see the module docs).
async fn reserve_lines<'a>(transaction: &mut Tx, new_order: &'a NewOrder) -> StoreResult<Vec<Reserved<'a>>> {
    let mut lines: Vec<(&FulfillmentRecord, &LineRow)> = new_order
        .fulfillments
        .iter()
        .flat_map(|part| part.lines.iter().filter(|line| line.track_stock).map(move |line| (part, line)))
        .collect();
    lines.sort_by(|(a_part, a_line), (b_part, b_line)| {
        (a_part.location_id.as_str(), a_line.sku.as_str()).cmp(&(b_part.location_id.as_str(), b_line.sku.as_str()))
    });
    let mut levels = Vec::with_capacity(lines.len());
    for (part, line) in lines {
        let buffer = new_order.safety_buffer(&part.location_id);
        match reserve(transaction, line.quantity, &part.location_id, &line.sku, buffer).await? {
            Some(level) => {
                levels.push(((part.location_id.as_str(), part.merchant_id.as_str(), line.sku.as_str()), level))
            }
            None => return Err(StoreError::InsufficientStock { sku: line.sku.clone() }),
        }
    }
    Ok(levels)
}

/// `order.created`, with each part as it was placed.
pub(crate) fn order_created(new_order: &NewOrder, number: i64) -> NewEvent {
    let order = &new_order.order;
    let created = OrderCreated {
        order_id: order.id.clone(),
        number,
        site_id: order.site_id.clone(),
        channel: order.channel.clone(),
        total: Money::new(order.total_minor, order.currency),
        fulfillments: new_order
            .fulfillments
            .iter()
            .map(|part| PartSummary {
                id: part.id.clone(),
                merchant_id: part.merchant_id.clone(),
                location_id: part.location_id.clone(),
                status: part.status,
                subtotal: Money::new(part.subtotal_minor, part.currency),
            })
            .collect(),
    };
    NewEvent {
        event_id: new_order.event_id.clone(),
        created_at_ms: order.created_at_ms,
        event: DomainEvent::OrderCreated(created),
    }
}

/// A card order owes its provider the capture of what was authorised: its total less what gift
/// cards and store credit paid (`credit_minor`).
async fn queue_capture(transaction: &mut Tx, order: &OrderRow, credit_minor: i64) -> StoreResult<()> {
    if let (PaymentMethod::Card, Some(reference)) = (order.payment_method, &order.payment_reference) {
        let owed = Owed {
            id: capture_job_id(&order.id),
            kind: PaymentJobKind::Capture,
            order_id: &order.id,
            fulfillment_id: None,
            merchant_id: None,
            payment_reference: reference,
            amount_minor: order.total_minor - credit_minor,
            currency: order.currency,
            now_ms: order.created_at_ms,
        };
        enqueue_in(transaction, owed).await?;
    }
    Ok(())
}

/// Refuses the order when one of its lines was switched to sold out at its location, read inside
/// the order's transaction so a switch committed before it is never missed.
async fn refuse_sold_out(transaction: &mut Tx, new_order: &NewOrder) -> StoreResult<()> {
    let locations = order_locations(new_order);
    let sql =
        format!("SELECT location_id, sku FROM sold_out_items WHERE location_id IN {}", in_list(1, locations.len()));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for location_id in &locations {
        query = query.bind(location_id.to_string());
    }
    let rows = query.fetch_all(&mut **transaction).await?;
    if rows.is_empty() {
        return Ok(());
    }
    let switched_off: Vec<(String, String)> = rows
        .iter()
        .map(|row| Ok((row.try_get("location_id")?, row.try_get("sku")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    for part in &new_order.fulfillments {
        let refused =
            |line: &&LineRow| switched_off.iter().any(|(at, sku)| *at == part.location_id && *sku == line.sku);
        if let Some(line) = part.lines.iter().find(refused) {
            return Err(StoreError::SoldOut { sku: line.sku.clone() });
        }
    }
    Ok(())
}

/// Counts each coupon use within its limits; a coupon used up meanwhile refuses the order.
async fn redeem_coupons(transaction: &mut Tx, new_order: &NewOrder) -> StoreResult<()> {
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
                refusal: CouponRefusal::UsedUpOrOff,
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
                    refusal: CouponRefusal::CustomerLimit,
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
    transaction: &mut Tx,
    kind: DocumentKind,
    parts: &mut [FulfillmentRecord],
) -> StoreResult<()> {
    for part in parts {
        let row = sqlx::query(
            "INSERT INTO document_sequences (merchant_id, kind, last_number) VALUES ($1, $2, 1) \
             ON CONFLICT (merchant_id, kind) DO UPDATE SET last_number = document_sequences.last_number + 1 \
             RETURNING last_number",
        )
        .bind(&part.merchant_id)
        .bind(kind.as_str())
        .fetch_one(&mut **transaction)
        .await?;
        part.pricing.document_kind = Some(kind);
        part.pricing.document_number = Some(row.try_get("last_number")?);
    }
    Ok(())
}

/// Inserts the order's header row and returns the number the database gave it.
async fn insert_order_row(transaction: &mut Tx, order: &OrderRow) -> StoreResult<i64> {
    let sql = format!(
        "INSERT INTO orders ({ORDER_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
         RETURNING number"
    );
    let number_row = bind_order(sqlx::query(sqlx::AssertSqlSafe(sql)), order).fetch_one(&mut **transaction).await?;
    // A phone order to deliver (issue 14 point 8): its address, in the same transaction.
    if let Some(delivery) = &order.delivery {
        sqlx::query(
            "UPDATE orders SET delivery_street = $1, delivery_number = $2, delivery_district = $3, \
             delivery_reference = $4 WHERE id = $5",
        )
        .bind(&delivery.street)
        .bind(&delivery.number)
        .bind(&delivery.district)
        .bind(&delivery.reference)
        .bind(&order.id)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(number_row.try_get("number")?)
}

/// Inserts every part with one statement and every line with another.
async fn insert_parts(transaction: &mut Tx, new_order: &NewOrder, parts: &[FulfillmentRecord]) -> StoreResult<()> {
    let sql =
        format!("INSERT INTO fulfillments ({}) VALUES {}", fulfillment_columns!(), values_clause(parts.len(), 23));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for part in parts {
        query = bind_part(query, part, &new_order.order.id);
    }
    query.execute(&mut **transaction).await?;
    let line_count: usize = parts.iter().map(|part| part.lines.len()).sum();
    if line_count == 0 {
        return Ok(());
    }
    let sql = format!("INSERT INTO fulfillment_lines ({LINE_COLUMNS}) VALUES {}", values_clause(line_count, 15));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for part in parts {
        for (position, line) in part.lines.iter().enumerate() {
            query = bind_line(query, &part.id, position, line);
        }
    }
    query.execute(&mut **transaction).await?;
    Ok(())
}

/// The columns [`bind_order`] binds, in its order (the delivery address is written apart).
pub(crate) const ORDER_COLUMNS: &str = "id, site_id, channel, customer_name, customer_phone, customer_email, \
    tracking_token, currency, total_minor, payment_method, payment_reference, captured_minor, refunded_minor, \
    outstanding_minor, pickup_at, customer_tax_id, quote_json, created_at_ms, table_label";

/// Binds an order's header row, in [`ORDER_COLUMNS`] order.
pub(crate) fn bind_order<'q>(query: Bound<'q>, order: &'q OrderRow) -> Bound<'q> {
    query
        .bind(&order.id)
        .bind(&order.site_id)
        .bind(order.channel.to_string())
        .bind(&order.customer_name)
        .bind(&order.customer_phone)
        .bind(&order.customer_email)
        .bind(&order.tracking_token)
        .bind(order.currency.code())
        .bind(order.total_minor)
        .bind(order.payment_method.as_str())
        .bind(&order.payment_reference)
        .bind(order.captured_minor)
        .bind(order.refunded_minor)
        .bind(order.outstanding_minor)
        .bind(&order.pickup_at)
        .bind(&order.customer_tax_id)
        .bind(&order.quote_json)
        .bind(order.created_at_ms)
        .bind(&order.table_label)
}

/// A query with its bound values, as the row binders below take and give it.
pub(crate) type Bound<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds one part's row, in `fulfillment_columns!` order, for the order `order_id`: the one
/// place the part's columns meet its fields, whichever way the parts are inserted.
pub(crate) fn bind_part<'q>(query: Bound<'q>, part: &'q FulfillmentRecord, order_id: &'q str) -> Bound<'q> {
    query
        .bind(&part.id)
        .bind(order_id)
        .bind(&part.merchant_id)
        .bind(&part.location_id)
        .bind(part.status.as_str())
        .bind(&part.pickup_code)
        .bind(part.subtotal_minor)
        .bind(part.currency.code())
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
        .bind(part.pricing.document_kind.map(|kind| kind.as_str()))
        .bind(part.pricing.document_number)
        .bind(part.preparation.prep_minutes)
        .bind(part.preparation.accepted_at_ms)
        .bind(part.preparation.estimated_ready_ms)
}

/// The columns [`bind_line`] binds, in its order.
pub(crate) const LINE_COLUMNS: &str = "fulfillment_id, position, sku, quantity, unit_price_minor, total_minor, \
    track_stock, name, gross_minor, discount_minor, tax_code, tax_rate_bps, tax_minor, modifiers_json, note";

/// Binds one line's row, in [`LINE_COLUMNS`] order.
pub(crate) fn bind_line<'q>(
    query: Bound<'q>,
    fulfillment_id: &'q str,
    position: usize,
    line: &'q LineRow,
) -> Bound<'q> {
    query
        .bind(fulfillment_id)
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
}
