//! Reading orders, their parts and lines: the column lists and row readers every order
//! statement shares (placement, transitions, the queue, the search), in one place.

use omnicanal_domain::Currency;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::order::DocumentKind;
use omnicanal_domain::payment::PaymentMethod;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use super::columns::{get_flag, get_parsed, get_parsed_opt};
use crate::rows::{
    FulfillmentRecord, LinePricing, LineRow, OrderRecord, OrderRow, PartPricing, Preparation, SettlementPartRow,
};

/// The orders columns read back (not `quote_json`, which only the quote route reads).
macro_rules! order_columns {
    () => {
        "id, number, site_id, channel, customer_name, customer_phone, customer_email, \
    tracking_token, currency, total_minor, payment_method, payment_reference, captured_minor, refunded_minor, \
    outstanding_minor, pickup_at, customer_tax_id, table_label, created_at_ms, \
    delivery_street, delivery_number, delivery_district, delivery_reference"
    };
}
pub(crate) use order_columns;

/// The fulfilments columns, read back and inserted alike (23 of them).
macro_rules! fulfillment_columns {
    () => {
        "id, order_id, merchant_id, location_id, status, pickup_code, subtotal_minor, \
    currency, captured_minor, refunded_minor, reason, created_at_ms, updated_at_ms, hold_expires_at_ms, \
    gross_minor, discount_minor, merchant_funded_minor, operator_funded_minor, document_kind, document_number, \
    prep_minutes, accepted_at_ms, estimated_ready_ms"
    };
}
pub(crate) use fulfillment_columns;

/// The fulfilment_lines columns read back, with the part they belong to.
pub(crate) const LINE_COLUMNS: &str = "fulfillment_id, sku, quantity, unit_price_minor, total_minor, track_stock, \
    name, gross_minor, discount_minor, tax_code, tax_rate_bps, tax_minor, modifiers_json, note";

/// Parses a currency code column.
pub(crate) fn currency(raw: &str) -> Result<Currency, omnicanal_domain::DomainError> {
    raw.parse()
}

pub(crate) fn order_from(row: &AnyRow) -> Result<OrderRow, sqlx::Error> {
    Ok(OrderRow {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        site_id: row.try_get("site_id")?,
        channel: get_parsed(row, "channel", Channel::parse)?,
        customer_name: row.try_get("customer_name")?,
        customer_phone: row.try_get("customer_phone")?,
        customer_email: row.try_get("customer_email")?,
        tracking_token: row.try_get("tracking_token")?,
        currency: get_parsed(row, "currency", currency)?,
        total_minor: row.try_get("total_minor")?,
        payment_method: get_parsed(row, "payment_method", PaymentMethod::parse)?,
        payment_reference: row.try_get("payment_reference")?,
        captured_minor: row.try_get("captured_minor")?,
        refunded_minor: row.try_get("refunded_minor")?,
        outstanding_minor: row.try_get("outstanding_minor")?,
        pickup_at: row.try_get("pickup_at")?,
        customer_tax_id: row.try_get("customer_tax_id")?,
        table_label: row.try_get("table_label")?,
        quote_json: None,
        created_at_ms: row.try_get("created_at_ms")?,
        delivery: delivery_from(row)?,
    })
}

/// The delivery address of an order row; None for a pickup (no street stored).
fn delivery_from(row: &AnyRow) -> Result<Option<omnicanal_domain::delivery::DeliveryAddress>, sqlx::Error> {
    let street: Option<String> = row.try_get("delivery_street")?;
    let Some(street) = street else { return Ok(None) };
    Ok(Some(omnicanal_domain::delivery::DeliveryAddress {
        street,
        number: row.try_get::<Option<String>, _>("delivery_number")?.unwrap_or_default(),
        district: row.try_get::<Option<String>, _>("delivery_district")?.unwrap_or_default(),
        reference: row.try_get("delivery_reference")?,
    }))
}

/// A part's money for settlement, from a row with its money columns and `status`.
pub(crate) fn settlement_part_from(row: &AnyRow) -> Result<SettlementPartRow, sqlx::Error> {
    Ok(SettlementPartRow {
        captured_minor: row.try_get("captured_minor")?,
        refunded_minor: row.try_get("refunded_minor")?,
        merchant_funded_minor: row.try_get("merchant_funded_minor")?,
        operator_funded_minor: row.try_get("operator_funded_minor")?,
        status: get_parsed(row, "status", FulfillmentStatus::parse)?,
    })
}

pub(crate) fn fulfillment_from(row: &AnyRow) -> Result<FulfillmentRecord, sqlx::Error> {
    Ok(FulfillmentRecord {
        id: row.try_get("id")?,
        order_id: row.try_get("order_id")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        status: get_parsed(row, "status", FulfillmentStatus::parse)?,
        pickup_code: row.try_get("pickup_code")?,
        subtotal_minor: row.try_get("subtotal_minor")?,
        currency: get_parsed(row, "currency", currency)?,
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
            document_kind: get_parsed_opt(row, "document_kind", DocumentKind::parse)?,
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

/// One part with its lines, through any executor (pool or transaction).
pub(crate) async fn read_part<'c, E>(executor: E, id: &str) -> Result<Option<FulfillmentRecord>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = Any> + Copy,
{
    let Some(row) = sqlx::query(concat!("SELECT ", fulfillment_columns!(), " FROM fulfillments WHERE id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?
    else {
        return Ok(None);
    };
    let mut part = fulfillment_from(&row)?;
    let sql = format!("SELECT {LINE_COLUMNS} FROM fulfillment_lines WHERE fulfillment_id = $1 ORDER BY position");
    let lines = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(executor).await?;
    part.lines = lines.iter().map(|row| line_from(row).map(|(_, line)| line)).collect::<Result<_, _>>()?;
    Ok(Some(part))
}

/// A whole order through any executor (pool or transaction).
pub(crate) async fn read_order<'c, E>(executor: E, id: &str) -> Result<Option<OrderRecord>, sqlx::Error>
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
