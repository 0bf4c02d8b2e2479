//! One price everywhere: price lists, promotions, coupons and taxes, computed by one pure engine
//! for every channel, with an explanation of every result.
//!
//! - [`price_list`]: which unit price applies (scope and window rule, conflict check).
//! - [`promotion`]: what promotions and coupons are, their validation, why one did not apply.
//! - [`tax`]: taxes contained in tax-inclusive prices by country, and the rounding rule.
//! - [`engine`]: [`engine::price_cart`], the order of steps and the stacking rules; it
//!   re-exports what it takes (`cart.rs`: [`CartLine`], [`PricingContext`]) and what it returns
//!   (`quote.rs`: [`Quote`] and the lines, parts and outcomes in it).

mod cart;
pub mod engine;
pub mod offer;
pub mod price_list;
pub mod promotion;
mod quote;
pub mod tax;

#[cfg(test)]
mod tests;

pub use cart::{MANUAL_DISCOUNT_ID, MANUAL_DISCOUNT_NAME, ManualDiscount};
pub use engine::{CartLine, PricingContext, Quote, price_cart};
pub use price_list::PriceList;
pub use promotion::{CouponState, Funder, LocalTime, Promotion, PromotionKind};
pub use tax::{TaxCategory, TaxRate};
