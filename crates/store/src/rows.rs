//! Rows: the store's own structs, one per table (or joined read), free of sqlx derives.
//!
//! Amounts are integer minor units with a currency code beside them; times are
//! Unix milliseconds; booleans are stored as 0/1 so both backends agree.

use serde::Serialize;

/// Paging for lists: `limit` items after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// At most this many items (already capped by the caller).
    pub limit: i64,
    /// Items to skip.
    pub offset: i64,
}

impl Default for Page {
    fn default() -> Self {
        Self { limit: 100, offset: 0 }
    }
}

/// A person who signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Opaque id.
    pub id: String,
    /// Lower-case e-mail, unique.
    pub email: String,
    /// Argon2 PHC string.
    pub password_hash: String,
    /// `admin`, `merchant_manager`, `staff` or `support_agent`.
    pub role: String,
    /// The merchant a manager or staff member belongs to.
    pub merchant_id: Option<String>,
    /// The location a staff member works at.
    pub location_id: Option<String>,
    /// Creation time.
    pub created_at_ms: i64,
}

/// A bearer token, stored only as its SHA-256 hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// Whose session.
    pub user_id: String,
    /// Expiry.
    pub expires_at_ms: i64,
}

/// A mall or shopping centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteRow {
    /// Opaque id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `CL`, `PE` or `CO`.
    pub country: String,
    /// ISO 4217 code.
    pub currency: String,
    /// IANA time zone.
    pub timezone: String,
    /// A part not accepted within this many minutes is cancelled and refunded (None: no limit).
    pub accept_within_minutes: Option<i64>,
    /// What happens to a part not accepted in time: `cancel_and_refund` (its hold lapses) or
    /// `notify_only` (it stays; the customer is told once). See [`UNACCEPTED_POLICIES`].
    pub unaccepted_policy: String,
    /// Creation time.
    pub created_at_ms: i64,
}

/// The values of [`SiteRow::unaccepted_policy`]; the first is the default.
pub const UNACCEPTED_POLICIES: [&str; 2] = ["cancel_and_refund", "notify_only"];

/// A restaurant or shop business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MerchantRow {
    /// Opaque id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `restaurant` or `retail`.
    pub kind: String,
    /// Commission in basis points.
    pub commission_bps: i64,
    /// Tax id printed on its tax documents (RUT, RUC, NIT).
    pub tax_id: Option<String>,
    /// Creation time.
    pub created_at_ms: i64,
}

/// A merchant's counter or store at a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocationRow {
    /// Opaque id.
    pub id: String,
    /// Owner.
    pub merchant_id: String,
    /// Where it is.
    pub site_id: String,
    /// Display name.
    pub name: String,
    /// Whether customers may pay at the counter.
    pub pay_at_pickup: bool,
    /// Whether it takes orders now.
    pub is_open: bool,
    /// Storefront settings: preparation time, pause, hours, counter, slot capacity.
    pub storefront: StorefrontSettings,
    /// Creation time.
    pub created_at_ms: i64,
}

/// How a location presents itself to customers and takes orders over the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StorefrontSettings {
    /// Usual preparation time, in minutes, shown to customers.
    pub prep_minutes: i64,
    /// Paused ("too busy") until this time; None when not paused.
    pub paused_until_ms: Option<i64>,
    /// Weekly opening hours as JSON (see the domain's `hours` module); None: always open.
    pub opening_hours_json: Option<String>,
    /// Where the counter is ("Local 12, nivel 3").
    pub counter: Option<String>,
    /// Most orders per pickup slot; None: no limit.
    pub slot_capacity: Option<i64>,
}

impl Default for StorefrontSettings {
    fn default() -> Self {
        Self { prep_minutes: 15, paused_until_ms: None, opening_hours_json: None, counter: None, slot_capacity: None }
    }
}

/// A product; its sellable units are variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductRow {
    /// Opaque id.
    pub id: String,
    /// Owner.
    pub merchant_id: String,
    /// Display name.
    pub name: String,
    /// Whether stock is counted.
    pub track_stock: bool,
    /// `standard` or `exempt`.
    pub tax_category: String,
    /// Menu category ("Pizzas", "Bebidas").
    pub category: Option<String>,
    /// Photo URL; the menu shows a placeholder without one.
    pub image_url: Option<String>,
    /// Modifier groups as JSON (the domain's `ModifierGroup` list); None: no choices.
    pub modifiers_json: Option<String>,
    /// Creation time.
    pub created_at_ms: i64,
}

/// A sellable variant with its SKU and price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariantRow {
    /// Opaque id.
    pub id: String,
    /// Its product.
    pub product_id: String,
    /// Owner (denormalised for the per-merchant SKU uniqueness).
    pub merchant_id: String,
    /// Unique within the merchant.
    pub sku: String,
    /// Unit price in minor units.
    pub price_minor: i64,
    /// Currency code of the price.
    pub currency: String,
    /// Optional EAN/UPC.
    pub barcode: Option<String>,
    /// JSON object of attributes (size, colour).
    pub attributes_json: String,
}

/// A stock level with its availability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockRow {
    /// The SKU.
    pub sku: String,
    /// Where.
    pub location_id: String,
    /// Units present.
    pub on_hand: i64,
    /// Units promised.
    pub reserved: i64,
    /// `on_hand − reserved`.
    pub available: i64,
}

/// Which stock levels to list; `merchant_id` restricts to one merchant's locations.
#[derive(Debug, Clone, Default)]
pub struct StockFilter {
    /// Only this location.
    pub location_id: Option<String>,
    /// Only this SKU.
    pub sku: Option<String>,
    /// Only this merchant's locations.
    pub merchant_id: Option<String>,
    /// Holds that lapsed by this time do not count as reserved (0 counts every hold).
    pub now_ms: i64,
    /// Paging.
    pub page: Page,
}

/// A stock movement as requested.
#[derive(Debug, Clone)]
pub struct StockMovementRow {
    /// Opaque id.
    pub id: String,
    /// The SKU.
    pub sku: String,
    /// Where.
    pub location_id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// Change to on-hand.
    pub delta: i64,
    /// Reason code (receipt, adjustment, count, ...).
    pub reason: String,
    /// What caused it (an order, a transfer, a count sheet).
    pub reference: Option<String>,
    /// The channel it came through, for sales.
    pub channel: Option<String>,
    /// Who made it.
    pub created_by: Option<String>,
    /// When.
    pub created_at_ms: i64,
    /// Id of the stock.changed event.
    pub event_id: String,
}

/// A recorded movement, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovementRecord {
    /// Opaque id.
    pub id: String,
    /// The SKU.
    pub sku: String,
    /// Where.
    pub location_id: String,
    /// Change to on-hand.
    pub delta: i64,
    /// Reason code.
    pub reason: String,
    /// What caused it.
    pub reference: Option<String>,
    /// Through which channel.
    pub channel: Option<String>,
    /// Who made it.
    pub created_by: Option<String>,
    /// When.
    pub created_at_ms: i64,
}

/// A transfer between two locations of one merchant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRow {
    /// Opaque id.
    pub id: String,
    /// Owner of both locations.
    pub merchant_id: String,
    /// The SKU.
    pub sku: String,
    /// Sent from.
    pub from_location_id: String,
    /// Sent to.
    pub to_location_id: String,
    /// Units.
    pub quantity: i64,
    /// `in_transit` or `received`.
    pub status: String,
    /// Who sent it.
    pub created_by: Option<String>,
    /// When it was sent.
    pub created_at_ms: i64,
    /// When it was received.
    pub received_at_ms: Option<i64>,
}

/// An order to store.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// The order row.
    pub order: OrderRow,
    /// Its parts with lines.
    pub fulfillments: Vec<FulfillmentRecord>,
    /// Event id for order.created.
    pub event_id: String,
    /// Idempotency claim to link to the order in the same transaction, as (scope, key).
    pub idempotency: Option<(String, String)>,
    /// Units each location keeps back from this order's channel, as (location_id, units).
    pub safety_buffers: Vec<(String, i64)>,
    /// Coupon uses to count, each within its limits, or the whole placement is refused.
    pub redemptions: Vec<CouponRedemption>,
    /// `boleta` or `factura`: each part gets the next number of its merchant's sequence of this kind.
    pub document_kind: String,
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

/// How one location sells through one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelAllocationRow {
    /// The location.
    pub location_id: String,
    /// The channel (`web`, `qr`, `pos`, ... or `shop:<connector>`).
    pub channel: String,
    /// Units kept back from this channel (for walk-in customers, say).
    pub safety_buffer: i64,
    /// Whether the location sells through this channel at all.
    pub enabled: bool,
    /// How long an order's hold lasts while not accepted (None: no limit).
    pub hold_ttl_ms: Option<i64>,
    /// Last change.
    pub updated_at_ms: i64,
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
    /// `qr`, `web`, `pos`, ... or `shop:<connector>`.
    pub channel: String,
    /// Customer's name.
    pub customer_name: String,
    /// Customer's phone.
    pub customer_phone: Option<String>,
    /// Customer's e-mail.
    pub customer_email: Option<String>,
    /// Secret that lets the customer follow the order.
    pub tracking_token: String,
    /// Currency code.
    pub currency: String,
    /// Sum of the parts.
    pub total_minor: i64,
    /// `card` or `pay_at_pickup`.
    pub payment_method: String,
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
    /// Current status (snake_case).
    pub status: String,
    /// Code the customer shows at handover.
    pub pickup_code: String,
    /// Sum of the lines.
    pub subtotal_minor: i64,
    /// Currency code.
    pub currency: String,
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
    /// `boleta` or `factura`.
    pub document_kind: Option<String>,
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

/// A remembered request for `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRow {
    /// Who sent it (a user id, or `public`).
    pub scope: String,
    /// The client's key.
    pub key: String,
    /// SHA-256 of method, path and body.
    pub request_hash: String,
    /// HTTP status of the first answer; 0 while it is being processed.
    pub status: i64,
    /// Body of the first answer.
    pub body: Option<String>,
    /// The resource the request created, linked in the same transaction.
    pub resource_id: Option<String>,
    /// Claim time.
    pub created_at_ms: i64,
}

/// An event written in the same transaction as the change it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Monotonic sequence number (SSE `id`).
    pub seq: i64,
    /// Stable event id (webhook-id).
    pub event_id: String,
    /// `order.created`, `stock.changed`, ...
    pub event_type: String,
    /// The merchant concerned, for isolation.
    pub merchant_id: Option<String>,
    /// The order concerned.
    pub order_id: Option<String>,
    /// The location concerned.
    pub location_id: Option<String>,
    /// The SKU concerned.
    pub sku: Option<String>,
    /// JSON payload.
    pub payload_json: String,
    /// When.
    pub created_at_ms: i64,
}

/// A webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    /// Opaque id.
    pub id: String,
    /// Only this merchant's events, or all for an admin's webhook.
    pub merchant_id: Option<String>,
    /// Where to POST.
    pub url: String,
    /// JSON array of event types.
    pub events_json: String,
    /// `whsec_<base64>` signing secret.
    pub secret: String,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Creation time.
    pub created_at_ms: i64,
    /// Failed attempts since the last success.
    pub consecutive_failures: i64,
    /// Why it was disabled automatically, if it was.
    pub disabled_reason: Option<String>,
}

/// A queued or finished delivery of one event to one webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    /// Opaque id.
    pub id: String,
    /// Target.
    pub webhook_id: String,
    /// Outbox sequence of the event.
    pub event_seq: i64,
    /// Stable event id, sent as `webhook-id`.
    pub event_id: String,
    /// Event type.
    pub event_type: String,
    /// Attempts so far.
    pub attempts: i64,
    /// HTTP status of the last attempt (0 when it did not connect).
    pub last_status: Option<i64>,
    /// Last error text.
    pub last_error: Option<String>,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    /// When to try next.
    pub next_attempt_at_ms: i64,
    /// Creation time.
    pub created_at_ms: i64,
}

/// The outcome of one delivery attempt.
#[derive(Debug, Clone)]
pub struct DeliveryAttempt {
    /// Which delivery.
    pub delivery_id: String,
    /// Its webhook, whose failure count the attempt updates.
    pub webhook_id: String,
    /// Disable the webhook when its consecutive failures reach this many.
    pub disable_after_failures: i64,
    /// HTTP status, or None when it did not connect.
    pub status: Option<i64>,
    /// Error text.
    pub error: Option<String>,
    /// New state.
    pub state: String,
    /// When to try again.
    pub next_attempt_at_ms: i64,
}

/// A variant with what pricing needs of its product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellableRow {
    /// The variant.
    pub variant: VariantRow,
    /// The product's name.
    pub product_name: String,
    /// Whether stock is counted.
    pub track_stock: bool,
    /// `standard` or `exempt`.
    pub tax_category: String,
    /// The product's modifier groups as JSON.
    pub modifiers_json: Option<String>,
}

/// One price of a price list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceEntryRow {
    /// The SKU.
    pub sku: String,
    /// Unit price in minor units.
    pub price_minor: i64,
    /// Currency code.
    pub currency: String,
}

/// A merchant's price list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceListRow {
    /// Opaque id.
    pub id: String,
    /// Owner.
    pub merchant_id: String,
    /// Display name.
    pub name: String,
    /// Only for this channel, when set.
    pub channel: Option<String>,
    /// Only at this location, when set.
    pub location_id: Option<String>,
    /// Window start (inclusive).
    pub valid_from_ms: Option<i64>,
    /// Window end (exclusive).
    pub valid_to_ms: Option<i64>,
    /// Whether it is used.
    pub active: bool,
    /// Creation time.
    pub created_at_ms: i64,
    /// Last change.
    pub updated_at_ms: i64,
    /// Its prices, by SKU.
    pub entries: Vec<PriceEntryRow>,
}

/// A promotion: lookup columns plus the engine's definition as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionRow {
    /// Opaque id.
    pub id: String,
    /// Owner; `None` for a site-wide promotion.
    pub merchant_id: Option<String>,
    /// The site of a site-wide promotion.
    pub site_id: Option<String>,
    /// Display name.
    pub name: String,
    /// Whether it is used.
    pub active: bool,
    /// The domain `Promotion` as JSON.
    pub definition_json: String,
    /// Creation time.
    pub created_at_ms: i64,
    /// Last change.
    pub updated_at_ms: i64,
}

/// A coupon code unlocking a promotion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponRow {
    /// Opaque id.
    pub id: String,
    /// The promotion it unlocks.
    pub promotion_id: String,
    /// The code, upper case, unique.
    pub code: String,
    /// Uses allowed in all.
    pub usage_limit: Option<i64>,
    /// Uses allowed per customer.
    pub per_customer_limit: Option<i64>,
    /// Uses so far.
    pub used: i64,
    /// Whether it can be used.
    pub active: bool,
    /// Creation time.
    pub created_at_ms: i64,
}

/// A stored quote, valid until `expires_at_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteRow {
    /// Opaque id.
    pub id: String,
    /// The site priced for.
    pub site_id: String,
    /// Hash of the request it answers (lines, channel, coupons, customer).
    pub request_hash: String,
    /// The quote (JSON).
    pub quote_json: String,
    /// Creation time.
    pub created_at_ms: i64,
    /// Expiry.
    pub expires_at_ms: i64,
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
    pub status: String,
}

/// A browser's Web Push subscription for one order (`PushSubscription.toJSON()` plus language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSubscriptionRow {
    /// Opaque id.
    pub id: String,
    /// The order followed.
    pub order_id: String,
    /// The push service URL messages are POSTed to.
    pub endpoint: String,
    /// The browser's P-256 public key (uncompressed point, base64url without padding).
    pub p256dh: String,
    /// The browser's 16-byte auth secret (base64url without padding).
    pub auth: String,
    /// `es` or `en`.
    pub language: String,
    /// The path a click on the notification opens, if given.
    pub open_path: Option<String>,
    /// Creation time.
    pub created_at_ms: i64,
}
