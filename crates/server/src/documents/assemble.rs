//! From an order's records to the [`DocumentView`] each document shows: the combined receipt
//! for the customer's whole payment, and a part's own boleta or factura.
//!
//! The records come from the use cases (`App::receipt_records`, `App::part_document_records`),
//! which decide who may read them; this only chooses the words and lays out the amounts. Every
//! amount is in the currency of the part or order it belongs to.

use std::collections::BTreeMap;

use chrono::TimeZone;
use omnicanal_app::documents::DocumentRecords;
use omnicanal_domain::Money;
use omnicanal_domain::order::DocumentKind as TaxDocumentKind;
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::pricing::TaxRate;
use omnicanal_store::{FulfillmentRecord, OrderRecord};

use super::{DocumentKind, DocumentLine, DocumentSection, DocumentView, Issuer, Labels, Refund, TaxRow};

/// The customer's combined receipt, with a section per restaurant (pickup codes only for the
/// customer).
pub fn receipt(records: &DocumentRecords) -> DocumentView {
    let order = &records.order;
    let currency = order.order.currency;
    let live = order.fulfillments.iter().filter(|part| !part.status.is_voided());
    let labels = labels(records);
    let refunds: Vec<Refund> = order.fulfillments.iter().filter_map(|part| refund(records, part, &labels)).collect();
    let given_back: i64 = refunds.iter().map(|refund| refund.amount.amount_minor).sum();
    DocumentView {
        kind: DocumentKind::Receipt,
        title: "RECIBO".into(),
        number: None,
        issuer: Issuer { name: records.site.name.clone(), tax_id: None, address: None },
        site_name: records.site.name.clone(),
        issued_at: issued_at(records, order.order.created_at_ms),
        order_number: order.order.number,
        customer_name: order.order.customer_name.clone(),
        customer_tax_id: order.order.customer_tax_id.clone(),
        sections: order.fulfillments.iter().map(|part| section(records, part, true, records.for_customer)).collect(),
        discount_total: Money::new(order.fulfillments.iter().map(|part| part.pricing.discount_minor).sum(), currency),
        taxes: taxes(live, currency),
        total: Money::new(order.order.total_minor, currency),
        total_after_refunds: (!refunds.is_empty()).then(|| Money::new(order.order.total_minor - given_back, currency)),
        refunds,
        payment: payment(order),
        voided: None,
        labels,
    }
}

/// What a rejected or cancelled part gave back: its card refund, or — paid at pickup — the
/// amount no longer asked for; `None` for a part that goes on or gave nothing back. The time is
/// the part's last change, which for a part that ended this way is when it ended.
fn refund(records: &DocumentRecords, part: &FulfillmentRecord, labels: &Labels) -> Option<Refund> {
    if !part.status.is_voided() {
        return None;
    }
    let (word, amount) = match records.order.order.payment_method {
        PaymentMethod::Card | PaymentMethod::PaidInShop => (&labels.refund, part.refunded_minor),
        PaymentMethod::PayAtPickup => (&labels.waived, part.subtotal_minor - part.captured_minor),
    };
    if amount <= 0 {
        return None;
    }
    let place = records.location_names.get(&part.location_id).cloned().unwrap_or_default();
    let lines = part
        .lines
        .iter()
        .map(|line| {
            let name = line.pricing.name.clone().unwrap_or_else(|| line.sku.clone());
            format!("{}{name}", super::quantity_prefix(line.quantity))
        })
        .collect::<Vec<_>>()
        .join(", ");
    Some(Refund {
        label: format!("{word} {place}").trim_end().to_owned(),
        lines,
        at: issued_at(records, part.updated_at_ms),
        amount: Money::new(amount, part.currency),
    })
}

/// A part's tax document: a factura when the customer gave a tax id, else a boleta, numbered in
/// its merchant's sequence; void once the part was rejected or cancelled.
pub fn tax_document(records: &DocumentRecords, part: &FulfillmentRecord) -> DocumentView {
    let order = &records.order;
    let factura = part.pricing.document_kind == Some(TaxDocumentKind::Factura);
    let merchant = records.merchants.get(&part.merchant_id).cloned().unwrap_or_default();
    let voided = part.status.is_voided().then(|| part.reason.clone().unwrap_or_else(|| part.status.to_string()));
    DocumentView {
        kind: if factura { DocumentKind::Factura } else { DocumentKind::Boleta },
        title: if factura { "FACTURA ELECTRÓNICA".into() } else { "BOLETA ELECTRÓNICA".into() },
        number: part.pricing.document_number.map(|number| format!("{}-{number:06}", if factura { "F" } else { "B" })),
        issuer: Issuer { name: merchant.name, tax_id: merchant.tax_id, address: None },
        site_name: records.site.name.clone(),
        issued_at: issued_at(records, part.created_at_ms),
        order_number: order.order.number,
        customer_name: order.order.customer_name.clone(),
        customer_tax_id: order.order.customer_tax_id.clone(),
        sections: vec![section(records, part, false, false)],
        discount_total: Money::new(part.pricing.discount_minor, part.currency),
        taxes: taxes(std::iter::once(part), part.currency),
        total: Money::new(part.subtotal_minor, part.currency),
        refunds: Vec::new(),
        total_after_refunds: None,
        payment: payment(order),
        voided,
        labels: labels(records),
    }
}

/// The labels in Spanish, with the tax id's name of the site's country.
fn labels(records: &DocumentRecords) -> Labels {
    let mut labels = Labels::spanish();
    labels.tax_id = match records.site.country.code() {
        "PE" => "RUC".into(),
        "CO" => "NIT".into(),
        _ => "RUT".into(),
    };
    labels
}

/// `ms` as the site's local "DD-MM-YYYY HH:MM".
fn issued_at(records: &DocumentRecords, ms: i64) -> String {
    let utc = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    match records.site.timezone.parse::<chrono_tz::Tz>() {
        Ok(zone) => zone.from_utc_datetime(&utc.naive_utc()).format("%d-%m-%Y %H:%M").to_string(),
        Err(_) => utc.format("%d-%m-%Y %H:%M UTC").to_string(),
    }
}

/// A part's lines with the names of their discounts (from the quote the order was placed with).
fn section(records: &DocumentRecords, part: &FulfillmentRecord, heading: bool, pickup_code: bool) -> DocumentSection {
    let money = |amount| Money::new(amount, part.currency);
    let lines = part
        .lines
        .iter()
        .map(|line| {
            let discounts = records
                .quote
                .as_ref()
                .and_then(|quote| quote.lines.iter().find(|q| q.location_id == part.location_id && q.sku == line.sku))
                .map(|quoted| quoted.discounts.iter().map(|d| (d.name.clone(), d.amount)).collect())
                .unwrap_or_default();
            DocumentLine {
                description: line.pricing.name.clone().unwrap_or_else(|| line.sku.clone()),
                quantity: line.quantity,
                unit_price: money(line.unit_price_minor),
                gross: money(line.pricing.gross_minor.unwrap_or(line.unit_price_minor * line.quantity)),
                discounts,
                total: money(line.total_minor),
            }
        })
        .collect();
    DocumentSection {
        heading: heading.then(|| records.location_names.get(&part.location_id).cloned().unwrap_or_default()),
        pickup_code: pickup_code.then(|| part.pickup_code.clone()),
        lines,
        subtotal: money(part.subtotal_minor),
    }
}

/// The taxes contained in the parts' lines, one row per tax and rate.
fn taxes<'a>(parts: impl Iterator<Item = &'a FulfillmentRecord>, currency: omnicanal_domain::Currency) -> Vec<TaxRow> {
    let mut totals: BTreeMap<(String, i64), (i64, i64)> = BTreeMap::new();
    for line in parts.flat_map(|part| part.lines.iter()) {
        let entry = totals.entry((line.pricing.tax_code.clone(), line.pricing.tax_rate_bps)).or_default();
        entry.0 += line.total_minor - line.pricing.tax_minor;
        entry.1 += line.pricing.tax_minor;
    }
    totals
        .into_iter()
        .map(|((code, rate), (base, amount))| TaxRow {
            label: TaxRate { code, rate_bps: u32::try_from(rate).unwrap_or(0) }.label(),
            base: Money::new(base, currency),
            amount: Money::new(amount, currency),
        })
        .collect()
}

/// How the order is paid, as printed.
fn payment(order: &OrderRecord) -> Option<String> {
    Some(match order.order.payment_method {
        PaymentMethod::Card => "Tarjeta".into(),
        PaymentMethod::PayAtPickup => "Pago al retirar".into(),
        PaymentMethod::PaidInShop => "Pagado en la tienda online".into(),
    })
}
