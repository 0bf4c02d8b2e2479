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
}

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
