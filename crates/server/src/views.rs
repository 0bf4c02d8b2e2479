//! Response bodies: what the API shows of each row, with OpenAPI schemas.

use omnicanal_domain::catalog::{Country, MerchantKind};
use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::EventType;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::order::{DocumentKind, OrderStatus};
use omnicanal_domain::payment::{PaymentMethod, PaymentStatus, PaymentTotals};
use omnicanal_domain::pricing::TaxCategory;
use omnicanal_domain::site::UnacceptedPolicy;
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{
    DeliveryRow, DeliveryState, FulfillmentRecord, LineRow, LocationRow, MerchantRow, OrderRecord, ProductRow, SiteRow,
    StockRow, VariantRow, WebhookRow,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use omnicanal_app::ids::rfc3339;

/// Money as integer minor units: `{"amount": 12990, "currency": "CLP"}` is $12.990.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct MoneyView {
    /// Integer minor units (CLP has none: 12990 is $12.990; PEN has two: 1250 is S/ 12.50).
    pub amount: i64,
    /// ISO 4217 code: CLP, PEN, COP or USD.
    #[schema(value_type = String, example = "CLP")]
    pub currency: Currency,
}

impl MoneyView {
    /// Builds a view from minor units and their currency.
    pub fn from_parts(amount: i64, currency: Currency) -> Self {
        Self { amount, currency }
    }
}

impl From<Money> for MoneyView {
    fn from(money: Money) -> Self {
        Self { amount: money.amount_minor, currency: money.currency }
    }
}

impl From<MoneyView> for Money {
    fn from(view: MoneyView) -> Self {
        Money::new(view.amount, view.currency)
    }
}

/// A mall or shopping centre.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteView {
    /// Opaque id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// CL, PE or CO.
    #[schema(value_type = String, example = "CL")]
    pub country: Country,
    /// Currency code.
    #[schema(value_type = String, example = "CLP")]
    pub currency: Currency,
    /// IANA time zone.
    pub timezone: String,
    /// A part not accepted within this many minutes is dealt with by `unaccepted_policy` (null: no limit).
    pub accept_within_minutes: Option<i64>,
    /// `cancel_and_refund` (a part not accepted in time is cancelled and refunded) or
    /// `notify_only` (it stays, and the customer is told at once that it is still not accepted).
    #[schema(value_type = String, example = "cancel_and_refund")]
    pub unaccepted_policy: UnacceptedPolicy,
    /// Creation time.
    pub created_at: String,
}

impl From<SiteRow> for SiteView {
    fn from(row: SiteRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            country: row.country,
            currency: row.currency,
            timezone: row.timezone,
            accept_within_minutes: row.accept_within_minutes,
            unaccepted_policy: row.unaccepted_policy,
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// A restaurant or shop business.
#[derive(Debug, Serialize, ToSchema)]
pub struct MerchantView {
    /// Opaque id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `restaurant` or `retail`.
    #[schema(value_type = String, example = "restaurant")]
    pub kind: MerchantKind,
    /// Platform commission in basis points.
    pub commission_bps: i64,
    /// Tax id printed on its tax documents (RUT, RUC, NIT).
    pub tax_id: Option<String>,
    /// Creation time.
    pub created_at: String,
}

impl From<MerchantRow> for MerchantView {
    fn from(row: MerchantRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            kind: row.kind,
            commission_bps: row.commission_bps,
            tax_id: row.tax_id,
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// A merchant's counter or store at a site.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationView {
    /// Opaque id.
    pub id: String,
    /// Owner.
    pub merchant_id: String,
    /// Site.
    pub site_id: String,
    /// Display name.
    pub name: String,
    /// Whether customers may pay at pickup.
    pub pay_at_pickup: bool,
    /// The on/off switch (see also `paused_until` and `opening_hours`).
    pub is_open: bool,
    /// Usual preparation time in minutes, shown to customers.
    pub prep_minutes: i64,
    /// Paused ("too busy") until then.
    pub paused_until: Option<String>,
    /// Weekly hours: ISO weekday "1"–"7" → [["HH:MM","HH:MM"], …]; null: always open.
    #[schema(value_type = Option<Object>)]
    pub opening_hours: Option<serde_json::Value>,
    /// Where the counter is.
    pub counter: Option<String>,
    /// Most orders per 15-minute pickup slot (null: no limit).
    pub slot_capacity: Option<i64>,
    /// Creation time.
    pub created_at: String,
}

impl From<LocationRow> for LocationView {
    fn from(row: LocationRow) -> Self {
        Self {
            id: row.id,
            merchant_id: row.merchant_id,
            site_id: row.site_id,
            name: row.name,
            pay_at_pickup: row.pay_at_pickup,
            is_open: row.is_open,
            prep_minutes: row.storefront.prep_minutes,
            paused_until: row.storefront.paused_until_ms.map(rfc3339),
            opening_hours: row.storefront.opening_hours_json.as_deref().and_then(|j| serde_json::from_str(j).ok()),
            counter: row.storefront.counter,
            slot_capacity: row.storefront.slot_capacity,
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// A sellable variant.
#[derive(Debug, Serialize, ToSchema)]
pub struct VariantView {
    /// Opaque id.
    pub id: String,
    /// Unique within the merchant.
    pub sku: String,
    /// Unit price.
    pub price: MoneyView,
    /// EAN/UPC, if any.
    pub barcode: Option<String>,
    /// Free-form attributes (size, colour).
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
}

impl From<VariantRow> for VariantView {
    fn from(row: VariantRow) -> Self {
        Self {
            price: MoneyView::from_parts(row.price_minor, row.currency),
            attributes: serde_json::from_str(&row.attributes_json).unwrap_or_default(),
            id: row.id,
            sku: row.sku,
            barcode: row.barcode,
        }
    }
}

/// A product with its variants.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductView {
    /// Opaque id.
    pub id: String,
    /// Owner.
    pub merchant_id: String,
    /// Display name.
    pub name: String,
    /// Whether stock is counted.
    pub track_stock: bool,
    /// `standard` or `exempt`.
    #[schema(value_type = String, example = "standard")]
    pub tax_category: TaxCategory,
    /// Menu category.
    pub category: Option<String>,
    /// Photo URL.
    pub image_url: Option<String>,
    /// Choices offered with it.
    pub modifier_groups: Vec<ModifierGroupView>,
    /// Variants, by SKU.
    pub variants: Vec<VariantView>,
}

impl ProductView {
    /// Builds the view of a product and its variants.
    pub fn new(product: ProductRow, variants: Vec<VariantRow>) -> Self {
        Self {
            id: product.id,
            merchant_id: product.merchant_id,
            name: product.name,
            track_stock: product.track_stock,
            tax_category: product.tax_category,
            modifier_groups: modifier_groups(product.modifiers_json.as_deref()),
            category: product.category,
            image_url: product.image_url,
            variants: variants.into_iter().map(VariantView::from).collect(),
        }
    }
}

/// A stock level.
#[derive(Debug, Serialize, ToSchema)]
pub struct StockView {
    /// SKU.
    pub sku: String,
    /// Location.
    pub location_id: String,
    /// Units present.
    pub on_hand: i64,
    /// Units promised to orders.
    pub reserved: i64,
    /// Units that can still be sold.
    pub available: i64,
}

impl From<StockRow> for StockView {
    fn from(row: StockRow) -> Self {
        Self {
            sku: row.sku,
            location_id: row.location_id,
            on_hand: row.on_hand,
            reserved: row.reserved,
            available: row.available,
        }
    }
}

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
}

/// The customer.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
pub struct CustomerView {
    /// Name to call at the counter.
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
            },
            fulfillments: record.fulfillments.iter().map(|part| FulfillmentView::new(part, for_customer)).collect(),
            created_at: rfc3339(order.created_at_ms),
        }
    }
}

/// A webhook endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    /// Opaque id.
    pub id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// Event types delivered.
    #[schema(value_type = Vec<String>)]
    pub events: Vec<EventType>,
    /// Signing secret (`whsec_<base64>`), per the Standard Webhooks specification.
    pub secret: String,
    /// Only this merchant's events, when set.
    pub merchant_id: Option<String>,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Failed attempts since the last success.
    pub consecutive_failures: i64,
    /// Why it was disabled automatically, if it was.
    pub disabled_reason: Option<String>,
}

impl From<WebhookRow> for WebhookView {
    fn from(row: WebhookRow) -> Self {
        Self {
            events: row.events,
            id: row.id,
            url: row.url,
            secret: row.secret,
            merchant_id: row.merchant_id,
            enabled: row.enabled,
            consecutive_failures: row.consecutive_failures,
            disabled_reason: row.disabled_reason,
        }
    }
}

/// One event's delivery to one webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// Delivery id.
    pub id: String,
    /// The event id, sent as `webhook-id`; stable across retries.
    pub event_id: String,
    /// Event type.
    #[schema(value_type = String, example = "order.created")]
    pub event_type: EventType,
    /// Attempts so far.
    pub attempts: i64,
    /// HTTP status of the last attempt (null when it did not connect or has not run).
    pub last_status: Option<i64>,
    /// Last error.
    pub last_error: Option<String>,
    /// pending, delivered or failed.
    #[schema(value_type = String, example = "pending")]
    pub state: DeliveryState,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<String>,
}

impl From<DeliveryRow> for DeliveryView {
    fn from(row: DeliveryRow) -> Self {
        Self {
            next_attempt_at: (row.state == DeliveryState::Pending).then(|| rfc3339(row.next_attempt_at_ms)),
            id: row.id,
            event_id: row.event_id,
            event_type: row.event_type,
            attempts: row.attempts,
            last_status: row.last_status,
            last_error: row.last_error,
            state: row.state,
        }
    }
}

/// A choice the customer makes in one modifier group.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChoiceView {
    /// The group's name ("Tamaño").
    pub group: String,
    /// The option's name ("Familiar").
    pub option: String,
}

impl From<&ChoiceView> for omnicanal_domain::modifiers::Choice {
    fn from(view: &ChoiceView) -> Self {
        Self { group: view.group.clone(), option: view.option.clone() }
    }
}

/// One option of a modifier group.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ModifierOptionView {
    /// Name ("Extra queso", "Sin cebolla").
    pub name: String,
    /// Added to the unit price (zero for free choices).
    pub price: MoneyView,
}

/// A product's modifier group: choose between `min` and `max` options.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ModifierGroupView {
    /// Name ("Tamaño", "Agregados").
    pub name: String,
    /// At least this many (1 makes it required).
    pub min: u8,
    /// At most this many.
    pub max: u8,
    /// The options.
    pub options: Vec<ModifierOptionView>,
}

impl From<ModifierGroupView> for omnicanal_domain::modifiers::ModifierGroup {
    fn from(view: ModifierGroupView) -> Self {
        Self {
            name: view.name.trim().to_owned(),
            min: view.min,
            max: view.max,
            options: view
                .options
                .into_iter()
                .map(|o| omnicanal_domain::modifiers::ModifierOption {
                    name: o.name.trim().to_owned(),
                    price: o.price.into(),
                })
                .collect(),
        }
    }
}

impl From<omnicanal_domain::modifiers::ModifierGroup> for ModifierGroupView {
    fn from(group: omnicanal_domain::modifiers::ModifierGroup) -> Self {
        Self {
            name: group.name,
            min: group.min,
            max: group.max,
            options: group
                .options
                .into_iter()
                .map(|o| ModifierOptionView { name: o.name, price: o.price.into() })
                .collect(),
        }
    }
}

/// A product's modifier groups, read from the stored JSON.
pub fn modifier_groups(json: Option<&str>) -> Vec<ModifierGroupView> {
    json.and_then(|json| serde_json::from_str::<Vec<omnicanal_domain::modifiers::ModifierGroup>>(json).ok())
        .unwrap_or_default()
        .into_iter()
        .map(ModifierGroupView::from)
        .collect()
}

/// A location's state for customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
#[schema(as = LocationState)]
pub enum LocationStateView {
    /// Taking orders.
    Open,
    /// Paused by its staff ("too busy") until `until` (RFC 3339).
    Paused {
        /// When orders resume.
        until: String,
    },
    /// Outside its opening hours, or switched off; `opens_at` is the next opening ("Lun 11:00"-style, local `HH:MM` with weekday).
    Closed {
        /// Next opening as ISO weekday and local `HH:MM`, when known.
        opens_at: Option<String>,
    },
}

impl From<omnicanal_app::catalog::LocationState> for LocationStateView {
    fn from(state: omnicanal_app::catalog::LocationState) -> Self {
        use omnicanal_app::catalog::LocationState;
        match state {
            LocationState::Open => Self::Open,
            LocationState::Paused { until } => Self::Paused { until },
            LocationState::Closed { opens_at } => Self::Closed { opens_at },
        }
    }
}

impl LocationStateView {
    /// True when orders are taken now.
    pub fn is_open(&self) -> bool {
        matches!(self, Self::Open)
    }
}
