//! Orders, their parts (fulfilments) and lines, and the changes applied to them.

use omnicanal_domain::Currency;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::fulfillment::{FulfillmentStatus, TransitionPlan};
use omnicanal_domain::order::DocumentKind;
use omnicanal_domain::payment::PaymentMethod;

/// An order to store.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// The order row.
    pub order: OrderRow,
    /// Its parts with lines.
    pub fulfillments: Vec<FulfillmentRecord>,
    /// Event id for `order.created` (the store derives the ids of the stock events from it).
    pub event_id: String,
    /// Idempotency claim to link to the order in the same transaction; if the claim is no
    /// longer this request's (a retry took it over), the order is refused as `ClaimLost`.
    pub idempotency: Option<crate::rows::HeldClaim>,
    /// Units each location keeps back from this order's channel, as (location_id, units).
    pub safety_buffers: Vec<(String, i64)>,
    /// Coupon uses to count, each within its limits, or the whole placement is refused.
    pub redemptions: Vec<CouponRedemption>,
    /// Each part gets the next number of its merchant's sequence of this kind.
    pub document_kind: DocumentKind,
    /// Gift cards and store credit it is partly paid with, each spent in the order's
    /// transaction (a balance short by then refuses the whole order).
    pub credit_spends: Vec<crate::rows::OrderCreditSpend>,
    /// The catalog generation (see [`crate::OrderStore::catalog_generation`]) the order was
    /// priced at from a snapshot: placement refuses it as `CatalogChanged` when the catalog
    /// has moved on since. `None`: priced from rows read for this order, nothing to check.
    pub catalog_generation: Option<i64>,
}

/// One coupon use counted when an order is placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponRedemption {
    /// The coupon.
    pub coupon_id: String,
    /// Its code (for the error message).
    pub code: String,
    /// Normalised e-mail or phone, for per-customer limits.
    pub customer_key: Option<String>,
}

impl NewOrder {
    /// The safety buffer that applies at `location_id` (0 when none is set).
    pub fn safety_buffer(&self, location_id: &str) -> i64 {
        self.safety_buffers.iter().find(|(id, _)| id == location_id).map_or(0, |(_, units)| *units)
    }
}

/// An order's header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    /// Opaque id.
    pub id: String,
    /// Human-friendly number, assigned by the store.
    pub number: i64,
    /// Where it was placed.
    pub site_id: String,
    /// The channel it came through.
    pub channel: Channel,
    /// Customer's name.
    pub customer_name: String,
    /// Customer's phone.
    pub customer_phone: Option<String>,
    /// Customer's e-mail.
    pub customer_email: Option<String>,
    /// Secret that lets the customer follow the order.
    pub tracking_token: String,
    /// The order's currency.
    pub currency: Currency,
    /// Sum of the parts.
    pub total_minor: i64,
    /// How it is paid.
    pub payment_method: PaymentMethod,
    /// Provider's reference for the charge.
    pub payment_reference: Option<String>,
    /// Captured so far.
    pub captured_minor: i64,
    /// Refunded so far.
    pub refunded_minor: i64,
    /// Still owed at pickup.
    pub outstanding_minor: i64,
    /// Requested pickup time (RFC 3339), if scheduled.
    pub pickup_at: Option<String>,
    /// The customer's tax id, when a factura was asked for.
    pub customer_tax_id: Option<String>,
    /// The table the customer ordered from (a QR poster's `?table=`), if any.
    pub table_label: Option<String>,
    /// The priced quote the order was placed with (JSON), so later price changes never alter it.
    pub quote_json: Option<String>,
    /// Where a phone order is delivered; None: picked up.
    pub delivery: Option<omnicanal_domain::delivery::DeliveryAddress>,
    /// Creation time.
    pub created_at_ms: i64,
}

/// One part of an order with its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfillmentRecord {
    /// Opaque id.
    pub id: String,
    /// Its order.
    pub order_id: String,
    /// The merchant.
    pub merchant_id: String,
    /// The location.
    pub location_id: String,
    /// Where it stands.
    pub status: FulfillmentStatus,
    /// Code the customer shows at handover.
    pub pickup_code: String,
    /// Sum of the lines.
    pub subtotal_minor: i64,
    /// The part's currency.
    pub currency: Currency,
    /// Captured for this part.
    pub captured_minor: i64,
    /// Refunded for this part.
    pub refunded_minor: i64,
    /// Reason of a rejection.
    pub reason: Option<String>,
    /// Creation time.
    pub created_at_ms: i64,
    /// Last change.
    pub updated_at_ms: i64,
    /// While `placed`, when the stock hold lapses (None: held until handled).
    pub hold_expires_at_ms: Option<i64>,
    /// Promotions and tax document of the part.
    pub pricing: PartPricing,
    /// The kitchen's promise, once accepted.
    pub preparation: Preparation,
    /// Lines.
    pub lines: Vec<LineRow>,
}

/// What the merchant promised when accepting a part (all None until then).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Preparation {
    /// Preparation time given on acceptance, in minutes.
    pub prep_minutes: Option<i64>,
    /// When it was accepted.
    pub accepted_at_ms: Option<i64>,
    /// When it was promised ready.
    pub estimated_ready_ms: Option<i64>,
}

/// A part's discounts, who funds them, and its tax document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartPricing {
    /// Sum of the lines before discounts (None for parts stored before pricing existed).
    pub gross_minor: Option<i64>,
    /// Sum of the lines' discounts.
    pub discount_minor: i64,
    /// Of it, funded by the merchant.
    pub merchant_funded_minor: i64,
    /// Of it, funded by the site's operator.
    pub operator_funded_minor: i64,
    /// Its tax document's kind.
    pub document_kind: Option<DocumentKind>,
    /// Number in the merchant's sequence of that kind, assigned by the store.
    pub document_number: Option<i64>,
}

/// One line of a part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    /// The SKU.
    pub sku: String,
    /// How many.
    pub quantity: i64,
    /// Price of one.
    pub unit_price_minor: i64,
    /// What is paid for the line: `unit_price × quantity − discount`.
    pub total_minor: i64,
    /// Whether stock was reserved for it.
    pub track_stock: bool,
    /// Discount and tax of the line.
    pub pricing: LinePricing,
}

/// A line's name at the time of sale, discount and tax.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinePricing {
    /// The product's name when sold.
    pub name: Option<String>,
    /// `unit_price × quantity` (None for lines stored before pricing existed).
    pub gross_minor: Option<i64>,
    /// Discounts on the line.
    pub discount_minor: i64,
    /// `IVA`, `IGV`, `INC` or `EXENTO`.
    pub tax_code: String,
    /// Rate in basis points.
    pub tax_rate_bps: i64,
    /// Tax contained in `total`.
    pub tax_minor: i64,
    /// The modifier choices (the domain's `ChosenModifier` list as JSON).
    pub modifiers_json: Option<String>,
    /// The customer's note for the kitchen.
    pub note: Option<String>,
}

/// An order with all its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    /// Header.
    pub order: OrderRow,
    /// Parts, by location.
    pub fulfillments: Vec<FulfillmentRecord>,
}

/// A merchant's part for settlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementPartRow {
    /// Captured for the part.
    pub captured_minor: i64,
    /// Refunded for it.
    pub refunded_minor: i64,
    /// Discount funded by the merchant.
    pub merchant_funded_minor: i64,
    /// Discount funded by the operator.
    pub operator_funded_minor: i64,
    /// Status (a rejected or cancelled part owes no operator funding).
    pub status: FulfillmentStatus,
}

/// A planned fulfilment transition with what the store needs to apply it.
#[derive(Debug, Clone)]
pub struct FulfillmentChange {
    /// The part.
    pub fulfillment_id: String,
    /// The checked plan (status, stock and money effects).
    pub plan: TransitionPlan,
    /// Reason given for a rejection.
    pub reason: Option<String>,
    /// The kitchen's promise, recorded on acceptance (the fields given; the others are kept).
    pub preparation: Preparation,
    /// When.
    pub now_ms: i64,
    /// Id for the status-changed event (the store derives the ids of the stock events from it).
    pub event_id: String,
    /// Id for the money event, if the plan moves money.
    pub money_event_id: String,
}
