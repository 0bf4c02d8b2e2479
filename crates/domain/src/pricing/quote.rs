//! What the pricing engine returns: a [`Quote`] with every line, part and total priced, and the
//! explanation of each figure (price source, discounts given, promotions and coupons that did not
//! apply, and why).
//!
//! These are the types channels serialise and store with an order, so they are kept apart from
//! the algorithm that fills them in; the engine re-exports them under their old paths.

use serde::{Deserialize, Serialize};

use super::promotion::{Funder, NotAppliedReason};
use crate::modifiers::ChosenModifier;
use crate::{Currency, Money};

/// Where a line's unit price came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceSource {
    /// `base` or `price_list`.
    pub kind: String,
    /// The list, when one applied.
    pub price_list_id: Option<String>,
    /// Its name.
    pub price_list_name: Option<String>,
}

/// A discount given to a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedDiscount {
    /// The promotion.
    pub promotion_id: String,
    /// Its name.
    pub name: String,
    /// Off this line.
    pub amount: Money,
    /// Who pays for it.
    pub funded_by: Funder,
}

/// A promotion that was considered and did not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotApplied {
    /// The promotion.
    pub promotion_id: String,
    /// Its name.
    pub name: String,
    /// Why, as a code with details.
    pub reason: NotAppliedReason,
    /// Why, in plain words.
    pub message: String,
}

/// The tax in one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTax {
    /// `IVA`, `IGV`, `INC` or `EXENTO`.
    pub code: String,
    /// Basis points.
    pub rate_bps: u32,
    /// The line's amount without the tax.
    pub base: Money,
    /// The tax.
    pub amount: Money,
}

/// A priced line with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotedLine {
    /// What is bought.
    pub sku: String,
    /// Where it is picked up.
    pub location_id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// How many.
    pub quantity: i64,
    /// Whether stock is counted for it.
    pub track_stock: bool,
    /// The variant's base unit price.
    pub base_price: Money,
    /// The unit price charged before promotions: the list (or base) price plus the modifiers.
    pub unit_price: Money,
    /// Modifier choices, each with what it adds to the unit price.
    #[serde(default)]
    pub modifiers: Vec<ChosenModifier>,
    /// The customer's note for the kitchen.
    #[serde(default)]
    pub note: Option<String>,
    /// Where `unit_price` came from.
    pub price_source: PriceSource,
    /// `unit_price × quantity`.
    pub gross: Money,
    /// Discounts given, in the order they were applied.
    pub discounts: Vec<AppliedDiscount>,
    /// Their sum.
    pub discount: Money,
    /// `gross − discount`: what is paid for the line.
    pub total: Money,
    /// The tax contained in `total`.
    pub tax: LineTax,
    /// Line-level promotions that target this line and did not apply.
    pub not_applied: Vec<NotApplied>,
    /// The cashier's manual discount asked for on this line, as given (what it took is among
    /// `discounts`, as `manual`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_discount: Option<super::cart::ManualDiscount>,
}

/// The taxes of several lines of one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxTotal {
    /// `IVA`, `IGV`, `INC` or `EXENTO`.
    pub code: String,
    /// Basis points.
    pub rate_bps: u32,
    /// As printed, e.g. `IVA 19%`.
    pub label: String,
    /// Amount without the tax.
    pub base: Money,
    /// The tax.
    pub amount: Money,
}

/// One location's part of the cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotedPart {
    /// The location.
    pub location_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Sum of the lines' gross amounts.
    pub gross: Money,
    /// Sum of their discounts.
    pub discount: Money,
    /// Of `discount`, what the merchant funds.
    pub merchant_funded: Money,
    /// Of `discount`, what the site's operator funds.
    pub operator_funded: Money,
    /// What is paid for the part: `gross − discount`.
    pub subtotal: Money,
    /// Taxes contained in `subtotal`, by rate.
    pub taxes: Vec<TaxTotal>,
}

/// What became of one promotion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionOutcome {
    /// The promotion.
    pub promotion_id: String,
    /// Its name.
    pub name: String,
    /// Whether it gave anything.
    pub applied: bool,
    /// What it gave in all.
    pub amount: Money,
    /// Who pays for it.
    pub funded_by: Funder,
    /// Why not, when it did not apply.
    pub reason: Option<NotAppliedReason>,
    /// Why not, in plain words.
    pub message: Option<String>,
}

/// What became of one coupon code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponOutcome {
    /// The code, normalised.
    pub code: String,
    /// The promotion it unlocks, when the code exists.
    pub promotion_id: Option<String>,
    /// Whether its promotion gave a discount (only then is a use counted).
    pub applied: bool,
    /// Why not.
    pub reason: Option<NotAppliedReason>,
    /// Why not, in plain words.
    pub message: Option<String>,
}

/// A priced cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Currency of every amount.
    pub currency: Currency,
    /// The channel priced for.
    pub channel: String,
    /// When it was priced (Unix ms).
    pub priced_at_ms: i64,
    /// Lines, merged per location and SKU, sorted by location then SKU.
    pub lines: Vec<QuotedLine>,
    /// One part per location, sorted by location.
    pub parts: Vec<QuotedPart>,
    /// Sum of the gross amounts.
    pub gross: Money,
    /// Sum of the discounts.
    pub discount: Money,
    /// What the customer pays.
    pub total: Money,
    /// Taxes contained in `total`, by rate.
    pub taxes: Vec<TaxTotal>,
    /// Every promotion considered for this cart.
    pub promotions: Vec<PromotionOutcome>,
    /// Every coupon code entered.
    pub coupons: Vec<CouponOutcome>,
}

impl Quote {
    /// Codes of coupons whose promotion gave a discount (their uses are counted on placement).
    pub fn redeemed_coupons(&self) -> impl Iterator<Item = &CouponOutcome> {
        self.coupons.iter().filter(|coupon| coupon.applied)
    }
}
