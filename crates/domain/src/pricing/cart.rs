//! What the pricing engine is given: the cart's lines and everything around them (currency,
//! channel, clock, price lists, promotions, coupons).
//!
//! Kept apart from the engine so a reader of a caller sees the whole input in one short file;
//! the engine re-exports these types, so they are named `pricing::engine::CartLine` and
//! `pricing::CartLine` as before.

use super::price_list::PriceList;
use super::promotion::{CouponState, LocalTime, Promotion};
use super::tax::TaxRate;
use crate::catalog::{Quantity, Sku};
use crate::modifiers::ChosenModifier;
use crate::{Currency, Money};

/// One line of a cart, with what the catalog knows about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    /// What is bought.
    pub sku: Sku,
    /// Where it is picked up.
    pub location_id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// How many.
    pub quantity: Quantity,
    /// The variant's base unit price.
    pub base_price: Money,
    /// The tax contained in its price.
    pub tax: TaxRate,
    /// Whether stock is counted for it.
    pub track_stock: bool,
    /// Checked modifier choices; their prices are added to the unit price.
    pub modifiers: Vec<ChosenModifier>,
    /// The customer's note for the kitchen.
    pub note: Option<String>,
    /// A discount the cashier gave this line by hand at the till, if any.
    pub manual_discount: Option<ManualDiscount>,
}

/// A discount a cashier gives one line by hand at the till (above the till's limit, approved
/// by a manager's PIN). It is taken last, from what is left of the line after every promotion,
/// so promotions are decided on the price before the cashier's gesture and never see it; it
/// is merchant-funded and listed among the line's discounts as [`MANUAL_DISCOUNT_ID`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ManualDiscount {
    /// This many basis points of what is left of the line (0 to 10 000), rounded half away
    /// from zero.
    Percent {
        /// Basis points (1 000 = 10 %).
        bps: u32,
    },
    /// This much off the line (capped at what is left of it); lines merged sum their amounts.
    Amount {
        /// Off the line.
        amount: Money,
    },
}

/// The `promotion_id` of a manual discount among a line's discounts.
pub const MANUAL_DISCOUNT_ID: &str = "manual";
/// Its name on the quote and the receipt.
pub const MANUAL_DISCOUNT_NAME: &str = "Descuento manual";

/// Everything the engine needs besides the lines.
#[derive(Debug, Clone, Copy)]
pub struct PricingContext<'a> {
    /// The site's currency.
    pub currency: Currency,
    /// The channel the cart comes through.
    pub channel: &'a str,
    /// The instant of pricing (Unix ms).
    pub now_ms: i64,
    /// The same instant on the site's wall clock.
    pub local: LocalTime,
    /// Price lists of the merchants in the cart.
    pub price_lists: &'a [PriceList],
    /// Promotions of the merchants in the cart and of the site.
    pub promotions: &'a [Promotion],
    /// The codes the customer entered, as typed.
    pub coupon_codes: &'a [String],
    /// The coupons found for those codes.
    pub coupons: &'a [CouponState],
}
