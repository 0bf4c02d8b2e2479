//! Price lists, promotions, coupons and stored quotes.

use omnicanal_domain::Currency;
use omnicanal_domain::channel::Channel;

/// One price of a price list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceEntryRow {
    /// The SKU.
    pub sku: String,
    /// Unit price in minor units.
    pub price_minor: i64,
    /// Its currency.
    pub currency: Currency,
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
    pub channel: Option<Channel>,
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
