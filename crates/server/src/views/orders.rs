//! Orders, their parts (fulfilments), lines and payment as the API shows them: the customer
//! sees their whole order, staff their own parts.

use omnicanal_app::ids::rfc3339;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::order::{DocumentKind, OrderStatus};
use omnicanal_domain::payment::{PaymentMethod, PaymentStatus, PaymentTotals};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{FulfillmentRecord, LineRow, OrderRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::MoneyView;

/// A line of a fulfilment.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineView {
    /// SKU.
    pub sku: String,
    /// Units.
    pub quantity: i64,
    /// Product name when sold.
    pub name: Option<String>,
    /// Price of one unit before promotions.
    pub unit_price: MoneyView,
    /// `unit_price × quantity`.
    pub gross: MoneyView,
    /// Promotions' discounts on the line.
    pub discount: MoneyView,
    /// What is paid for the line: `gross − discount`.
    pub total: MoneyView,
    /// Tax contained in `total`.
    pub tax: LineTaxView,
    /// Modifier choices, each with what it adds to the unit price.
    pub modifiers: Vec<ChosenModifierView>,
    /// The customer's note for the kitchen.
    pub note: Option<String>,
}

/// A modifier chosen on a line.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChosenModifierView {
    /// Group.
    pub group: String,
    /// Option.
    pub option: String,
    /// Added to the unit price.
    pub price: MoneyView,
}

/// The tax contained in a line.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineTaxView {
    /// `IVA`, `IGV`, `INC` or `EXENTO`.
    pub code: String,
    /// Rate in basis points (1900 = 19 %).
    pub rate_bps: i64,
    /// The tax.
    pub amount: MoneyView,
}

impl LineView {
    fn new(line: &LineRow, currency: Currency) -> Self {
        let gross = line.pricing.gross_minor.unwrap_or(line.unit_price_minor * line.quantity);
        Self {
            sku: line.sku.clone(),
            quantity: line.quantity,
            name: line.pricing.name.clone(),
            unit_price: MoneyView::from_parts(line.unit_price_minor, currency),
            gross: MoneyView::from_parts(gross, currency),
            discount: MoneyView::from_parts(line.pricing.discount_minor, currency),
            total: MoneyView::from_parts(line.total_minor, currency),
            tax: LineTaxView {
                code: line.pricing.tax_code.clone(),
                rate_bps: line.pricing.tax_rate_bps,
                amount: MoneyView::from_parts(line.pricing.tax_minor, currency),
            },
            modifiers: line
                .pricing
                .modifiers_json
                .as_deref()
                .and_then(|json| serde_json::from_str::<Vec<omnicanal_domain::modifiers::ChosenModifier>>(json).ok())
                .unwrap_or_default()
                .into_iter()
                .map(|m| ChosenModifierView { group: m.group, option: m.option, price: m.price.into() })
                .collect(),
            note: line.pricing.note.clone(),
        }
    }
}

/// A part's tax document: its kind and number in the merchant's own sequence.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentRefView {
    /// `boleta` or `factura`.
    #[schema(value_type = String, example = "boleta")]
    pub kind: DocumentKind,
    /// Number in the merchant's sequence of that kind.
    pub number: i64,
}

/// One location's part of an order.
#[derive(Debug, Serialize, ToSchema)]
pub struct FulfillmentView {
    /// Opaque id.
    pub id: String,
    /// Its order.
    pub order_id: String,
    /// Merchant.
    pub merchant_id: String,
    /// Location.
    pub location_id: String,
    /// placed, accepted, preparing, ready, collected, rejected or cancelled.
    #[schema(value_type = String, example = "placed")]
    pub status: FulfillmentStatus,
    /// Digits the customer shows at handover (only in the customer's view of the order).
    pub pickup_code: Option<String>,
    /// Lines.
    pub lines: Vec<LineView>,
    /// Sum of the lines before discounts.
    pub gross: MoneyView,
    /// Sum of the lines' discounts.
    pub discount: MoneyView,
    /// Of `discount`, what the merchant funds.
    pub merchant_funded: MoneyView,
    /// Of `discount`, what the site's operator funds (paid back to the merchant in settlement).
    pub operator_funded: MoneyView,
    /// What is paid for the part: the sum of the lines' totals.
    pub subtotal: MoneyView,
    /// Its tax document, numbered in the merchant's sequence.
    pub document: Option<DocumentRefView>,
    /// Refunded for this part.
    pub refunded: MoneyView,
    /// Reason of a rejection (or of an automatic cancellation).
    pub reason: Option<String>,
    /// While `placed`: when the stock hold lapses and the part is cancelled (null: no limit).
    pub hold_expires_at: Option<String>,
    /// Preparation time the merchant gave on acceptance, in minutes (null until accepted).
    pub prep_minutes: Option<i64>,
    /// When the merchant accepted the part (null until then).
    pub accepted_at: Option<String>,
    /// When the part is promised ready: acceptance plus preparation time, or the scheduled
    /// pickup time when that is later (null until accepted).
    pub estimated_ready_at: Option<String>,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

impl FulfillmentView {
    /// The view of a part; `show_pickup_code` is true only for the customer.
    pub fn new(part: &FulfillmentRecord, show_pickup_code: bool) -> Self {
        Self {
            id: part.id.clone(),
            order_id: part.order_id.clone(),
            merchant_id: part.merchant_id.clone(),
            location_id: part.location_id.clone(),
            status: part.status,
            pickup_code: show_pickup_code.then(|| part.pickup_code.clone()),
            lines: part.lines.iter().map(|line| LineView::new(line, part.currency)).collect(),
            gross: MoneyView::from_parts(
                part.pricing.gross_minor.unwrap_or(part.subtotal_minor + part.pricing.discount_minor),
                part.currency,
            ),
            discount: MoneyView::from_parts(part.pricing.discount_minor, part.currency),
            merchant_funded: MoneyView::from_parts(part.pricing.merchant_funded_minor, part.currency),
            operator_funded: MoneyView::from_parts(part.pricing.operator_funded_minor, part.currency),
            subtotal: MoneyView::from_parts(part.subtotal_minor, part.currency),
            document: match (part.pricing.document_kind, part.pricing.document_number) {
                (Some(kind), Some(number)) => Some(DocumentRefView { kind, number }),
                _ => None,
            },
            refunded: MoneyView::from_parts(part.refunded_minor, part.currency),
            reason: part.reason.clone(),
            hold_expires_at: part.hold_expires_at_ms.filter(|_| part.status == FulfillmentStatus::Placed).map(rfc3339),
            prep_minutes: part.preparation.prep_minutes,
            accepted_at: part.preparation.accepted_at_ms.map(rfc3339),
            estimated_ready_at: part.preparation.estimated_ready_ms.map(rfc3339),
            created_at: rfc3339(part.created_at_ms),
            updated_at: rfc3339(part.updated_at_ms),
        }
    }
}

/// The money side of an order.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    /// `card` or `pay_at_pickup`.
    #[schema(value_type = String, example = "card")]
    pub method: PaymentMethod,
    /// captured, pending, refunded, partially_refunded, or voided (pay at pickup, every part cancelled).
    #[schema(value_type = String, example = "captured")]
    pub status: PaymentStatus,
    /// Taken so far.
    pub captured: MoneyView,
    /// Given back so far.
    pub refunded: MoneyView,
    /// Still to be paid at the counter (pay at pickup; 0 once collected or for a card).
    pub outstanding: MoneyView,
}

/// The customer.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
pub struct CustomerView {
    /// Name to call at the counter.
    #[schema(schema_with = crate::views::words::name)]
    pub name: String,
    /// Phone, for notifications.
    pub phone: Option<String>,
    /// E-mail, for receipts.
    pub email: Option<String>,
    /// Tax id (RUT, RUC, NIT) when the customer wants a factura instead of a boleta.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
}

/// How to reach a customer (for per-customer coupon limits).
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone, Default)]
pub struct CustomerContact {
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// An order: one payment, one part per location.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    /// Opaque id.
    pub id: String,
    /// Human-friendly number.
    pub number: i64,
    /// Site.
    pub site_id: String,
    /// Channel it came through.
    #[schema(value_type = String, example = "qr")]
    pub channel: Channel,
    /// placed, in_progress, ready, completed or cancelled (derived from the parts).
    #[schema(value_type = String, example = "placed")]
    pub status: OrderStatus,
    /// Sum of the parts: what the customer pays.
    pub total: MoneyView,
    /// Promotions' discounts included in `total`.
    pub discount: MoneyView,
    /// Secret for following the order without an account (customer's view only).
    pub tracking_token: Option<String>,
    /// Customer.
    pub customer: CustomerView,
    /// Requested pickup time, if scheduled.
    pub pickup_at: Option<String>,
    /// The table the customer ordered from, if any.
    pub table: Option<String>,
    /// Payment.
    pub payment: PaymentView,
    /// One part per location.
    pub fulfillments: Vec<FulfillmentView>,
    /// Creation time.
    pub created_at: String,
    /// `pickup`, or `delivery` for a phone order delivered to `delivery_address`.
    #[schema(example = "pickup")]
    pub fulfilment: String,
    /// Where a delivery goes (phone orders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_address: Option<DeliveryAddressView>,
}

/// A delivery address: street, number, commune or district, and a reference for the rider.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeliveryAddressView {
    /// Street ("Av. Providencia"), 1 to 120 characters with a letter.
    #[schema(min_length = 1, max_length = 120)]
    pub street: String,
    /// House number ("1234", "1502-B") or "S/N", up to 20 characters.
    #[schema(min_length = 1, max_length = 20)]
    pub number: String,
    /// Commune or district ("Providencia", "Miraflores"), up to 80 characters.
    #[schema(min_length = 1, max_length = 80)]
    pub district: String,
    /// A reference for the rider ("portón verde, depto 31"), up to 200 characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub reference: Option<String>,
}

impl From<&omnicanal_domain::delivery::DeliveryAddress> for DeliveryAddressView {
    fn from(address: &omnicanal_domain::delivery::DeliveryAddress) -> Self {
        Self {
            street: address.street.clone(),
            number: address.number.clone(),
            district: address.district.clone(),
            reference: address.reference.clone(),
        }
    }
}

impl OrderView {
    /// The view of an order; `for_customer` shows the tracking token and pickup codes.
    pub fn new(record: &OrderRecord, for_customer: bool) -> Self {
        let order = &record.order;
        let currency = order.currency;
        let totals = PaymentTotals {
            method: order.payment_method,
            captured: Money::new(order.captured_minor, currency),
            refunded: Money::new(order.refunded_minor, currency),
            outstanding: Money::new(order.outstanding_minor, currency),
        };
        let statuses: Vec<FulfillmentStatus> = record.fulfillments.iter().map(|part| part.status).collect();
        Self {
            id: order.id.clone(),
            number: order.number,
            site_id: order.site_id.clone(),
            channel: order.channel.clone(),
            status: OrderStatus::derive(&statuses),
            total: MoneyView::from_parts(order.total_minor, order.currency),
            discount: MoneyView::from_parts(
                record.fulfillments.iter().map(|part| part.pricing.discount_minor).sum(),
                order.currency,
            ),
            tracking_token: for_customer.then(|| order.tracking_token.clone()),
            customer: CustomerView {
                name: order.customer_name.clone(),
                phone: order.customer_phone.clone(),
                email: order.customer_email.clone(),
                tax_id: order.customer_tax_id.clone(),
            },
            pickup_at: order.pickup_at.clone(),
            table: order.table_label.clone(),
            payment: PaymentView {
                method: order.payment_method,
                status: totals.status(),
                captured: totals.captured.into(),
                refunded: totals.refunded.into(),
                outstanding: totals.outstanding.into(),
            },
            fulfillments: record.fulfillments.iter().map(|part| FulfillmentView::new(part, for_customer)).collect(),
            created_at: rfc3339(order.created_at_ms),
            fulfilment: if order.delivery.is_some() { "delivery" } else { "pickup" }.to_owned(),
            delivery_address: order.delivery.as_ref().map(DeliveryAddressView::from),
        }
    }
}
