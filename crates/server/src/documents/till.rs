//! A till sale's receipt as a [`DocumentView`], so the one set of renderers prints it: ESC/POS
//! for the store's printer, the 80 mm HTML page for the browser's print, and the digital
//! receipt's public page.
//!
//! The view's fields were made for web orders; a till sale fills them so: the issuer is the
//! merchant, the "site" line is the store (the till's location), the number is the receipt
//! number (`T3ABCD-12`), the order line names the till and the number in its series
//! ("Caja 1: #12"), one section holds the lines with every promotion's discount under its
//! line, and the payment line lists each tender with the cash handed over and the change.
//! The tax row is the tax the sale contains under the country's tax name (a till sale keeps
//! the amount, not the rate). Not a tax document: the foot says to keep it for exchanges.

use chrono::TimeZone;
use omnicanal_app::pos::printing::SaleReceipt;
use omnicanal_app::pos::sales::{SaleAnswerLine, SaleAnswerPayment};
use omnicanal_domain::Money;
use omnicanal_domain::pos::TenderMethod;
use omnicanal_domain::pricing::MANUAL_DISCOUNT_ID;

use super::{DocumentKind, DocumentLine, DocumentSection, DocumentView, Issuer, Labels, TaxRow};
use crate::web::i18n::Lang;

/// The receipt of a till sale in `lang`.
pub fn sale_receipt(receipt: &SaleReceipt, lang: Lang) -> DocumentView {
    let sale = &receipt.sale;
    let english = lang == Lang::En;
    let mut labels = if english { english_labels() } else { Labels::spanish() };
    labels.tax_id = match receipt.site.country.code() {
        "PE" => "RUC".into(),
        "CO" => "NIT".into(),
        _ => "RUT".into(),
    };
    labels.order = receipt.device.name.clone();
    labels.receipt_note = if english {
        "Keep this receipt for exchanges and returns."
    } else {
        "Conserve este ticket para cambios y devoluciones."
    }
    .into();
    let tax_name = if receipt.site.country.code() == "PE" { "IGV" } else { "IVA" };
    let lines = sale
        .lines
        .iter()
        .map(|line| DocumentLine {
            description: line_description(line, english),
            quantity: line.quantity,
            unit_price: line.unit_price,
            gross: line.gross,
            discounts: line
                .discounts
                .iter()
                .map(|discount| {
                    // The engine names the cashier's discount in Spanish; the receipt says it in
                    // its own language.
                    let name = if discount.promotion_id == MANUAL_DISCOUNT_ID && english {
                        "Manual discount".to_owned()
                    } else {
                        discount.name.clone()
                    };
                    (name, discount.amount)
                })
                .collect(),
            total: line.total,
        })
        .collect();
    let customer = sale.customer.as_ref().and_then(|customer| {
        [&customer.name, &customer.phone, &customer.email].into_iter().flatten().find(|text| !text.trim().is_empty())
    });
    DocumentView {
        kind: DocumentKind::Receipt,
        title: if english { "SALES RECEIPT" } else { "TICKET DE VENTA" }.into(),
        number: Some(sale.receipt_number.clone()),
        issuer: Issuer { name: receipt.merchant.name.clone(), tax_id: receipt.merchant.tax_id.clone(), address: None },
        site_name: receipt.location.name.clone(),
        issued_at: local_time(receipt, &sale.sold_at),
        order_number: sale.receipt_number.rsplit('-').next().and_then(|n| n.parse().ok()).unwrap_or(0),
        customer_name: customer.cloned().unwrap_or_else(|| "—".into()),
        customer_tax_id: None,
        sections: vec![DocumentSection { heading: None, pickup_code: None, lines, subtotal: sale.total }],
        discount_total: sale.discount,
        taxes: (sale.tax.amount_minor != 0)
            .then(|| TaxRow {
                label: tax_name.into(),
                base: Money::new(sale.total.amount_minor - sale.tax.amount_minor, sale.total.currency),
                amount: sale.tax,
            })
            .into_iter()
            .collect(),
        total: sale.total,
        refunds: Vec::new(),
        total_after_refunds: None,
        payment: Some(payments(&sale.payments, sale.change, english)),
        voided: None,
        labels,
    }
}

/// A line as printed: its name, then its options as the kitchen ticket writes them and its note,
/// so two lines of one product with other options read apart.
fn line_description(line: &SaleAnswerLine, english: bool) -> String {
    let mut text = line.name.clone();
    if !line.options.is_empty() {
        let options: Vec<String> =
            line.options.iter().map(|chosen| format!("{}: {}", chosen.group, chosen.option)).collect();
        text.push_str(&format!(" ({})", options.join(", ")));
    }
    if let Some(note) = line.note.as_deref().map(str::trim).filter(|note| !note.is_empty()) {
        text.push_str(&format!(" · {} {note}", if english { "Note:" } else { "Nota:" }));
    }
    text
}

/// Each tender as printed: "Efectivo $20.000 (recibido $25.000, vuelto $5.000), Tarjeta ****4242 aut. 123456".
fn payments(payments: &[SaleAnswerPayment], change: Money, english: bool) -> String {
    let words = if english {
        ["Cash", "Card", "External card", "handed over", "change", "auth."]
    } else {
        ["Efectivo", "Tarjeta", "Tarjeta externa", "recibido", "vuelto", "aut."]
    };
    let mut printed = Vec::new();
    for payment in payments {
        let mut text = match payment.method {
            TenderMethod::Cash => format!("{} {}", words[0], payment.amount.display()),
            TenderMethod::Card => format!("{} {}", words[1], payment.amount.display()),
            TenderMethod::ExternalCard => format!("{} {}", words[2], payment.amount.display()),
            TenderMethod::GiftCard => {
                format!("{} {}", if english { "Gift card" } else { "Tarjeta de regalo" }, payment.amount.display())
            }
            TenderMethod::StoreCredit => {
                format!("{} {}", if english { "Store credit" } else { "Saldo a favor" }, payment.amount.display())
            }
        };
        if let Some(last4) = &payment.card_last4 {
            text.push_str(&format!(" ****{last4}"));
        }
        if let Some(code) = payment.approval_code.as_ref().or(payment.reference.as_ref()) {
            text.push_str(&format!(" {} {code}", words[5]));
        }
        if payment.method == TenderMethod::Cash
            && let Some(tendered) = payment.tendered
            && tendered != payment.amount
        {
            text.push_str(&format!(" ({} {}, {} {})", words[3], tendered.display(), words[4], change.display()));
        }
        printed.push(text);
    }
    printed.join(", ")
}

/// The sale's time (RFC 3339) as the site's local "DD-MM-YYYY HH:MM".
fn local_time(receipt: &SaleReceipt, rfc3339: &str) -> String {
    let Ok(time) = chrono::DateTime::parse_from_rfc3339(rfc3339) else {
        return rfc3339.to_owned();
    };
    let utc = time.naive_utc();
    match receipt.site.timezone.parse::<chrono_tz::Tz>() {
        Ok(zone) => zone.from_utc_datetime(&utc).format("%d-%m-%Y %H:%M").to_string(),
        Err(_) => utc.format("%d-%m-%Y %H:%M UTC").to_string(),
    }
}

/// The English labels, for the digital receipt's page in English.
fn english_labels() -> Labels {
    let text = |s: &str| s.to_owned();
    Labels {
        number: text("No."),
        issued_at: text("Date"),
        order: text("Order"),
        customer: text("Customer"),
        tax_id: text("Tax id"),
        pickup_code: text("Pickup code"),
        description: text("Description"),
        quantity: text("Qty"),
        unit_price: text("Unit price"),
        amount: text("Amount"),
        each: text("each"),
        subtotal: text("Subtotal"),
        discounts: text("Discounts"),
        taxes_included: text("Taxes included"),
        net: text("Net"),
        total: text("Total"),
        payment: text("Payment"),
        voided: text("VOID"),
        refund: text("Refund"),
        waived: text("Not charged"),
        total_after_refunds: text("New total"),
        receipt_note: text(""),
        thanks: text("Thank you for your purchase!"),
        print: text("Print"),
        page: text("Page"),
        page_of: text("of"),
    }
}
