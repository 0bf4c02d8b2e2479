//! Tests of the pricing engine through [`price_cart`]: every promotion kind and every reason one
//! does not apply, stacking, price lists, funding and taxes, each to the exact minor unit; then
//! properties over random carts (same price in every channel, exact add-up, bounded discounts).
//!
//! This file holds what every topic shares: the fixed instant and clock, builders of lines and
//! promotions, a [`Shop`] that prices, and look-ups into a quote. One file per topic follows.

mod coupons;
mod funding;
mod gates;
mod kinds;
mod lines;
mod manual;
mod price_lists;
mod properties;
mod stacking;
mod strategies;
mod taxes;

use super::engine::{CartLine, PricingContext, PromotionOutcome, Quote, QuotedLine, price_cart};
use super::price_list::PriceList;
use super::promotion::{BundleComponent, CouponState, Funder, LocalTime, NotAppliedReason, Promotion, PromotionKind};
use super::tax::{TaxCategory, TaxRate, tax_rate};
use crate::catalog::{Country, Quantity, Sku};
use crate::{Currency, DomainError, Money};

type TestResult = Result<(), DomainError>;

/// The instant every test prices at.
const NOW: i64 = 1_750_000_000_000;
/// Wednesday 16:00 on the site's clock.
const WEDNESDAY_4PM: LocalTime = LocalTime { weekday: 3, minute: 16 * 60 };

fn clp(amount: i64) -> Money {
    Money::new(amount, Currency::Clp)
}

fn iva() -> TaxRate {
    tax_rate(Country::Chile, false, TaxCategory::Standard)
}

fn cart_line(
    location: &str,
    merchant: &str,
    sku: &str,
    quantity: i64,
    price: Money,
    tax: TaxRate,
) -> Result<CartLine, DomainError> {
    Ok(CartLine {
        sku: Sku::parse(sku)?,
        location_id: location.into(),
        merchant_id: merchant.into(),
        quantity: Quantity::parse(quantity)?,
        base_price: price,
        tax,
        track_stock: true,
        modifiers: Vec::new(),
        note: None,
        manual_discount: None,
    })
}

/// A CLP line with IVA at location `l1` of merchant `m1`.
fn item(sku: &str, quantity: i64, price: i64) -> Result<CartLine, DomainError> {
    cart_line("l1", "m1", sku, quantity, clp(price), iva())
}

fn items(lines: &[(&str, i64, i64)]) -> Result<Vec<CartLine>, DomainError> {
    lines.iter().map(|(sku, quantity, price)| item(sku, *quantity, *price)).collect()
}

/// The display name of promotion `id`, as `by` and `with` in reasons name it.
fn name(id: &str) -> String {
    format!("Promo {id}")
}

/// An active, merchant-funded promotion of merchant `m1`, everywhere and always.
fn promo(id: &str, kind: PromotionKind) -> Promotion {
    Promotion {
        id: id.into(),
        name: name(id),
        merchant_id: Some("m1".into()),
        funded_by: Funder::Merchant,
        kind,
        channels: vec![],
        location_ids: vec![],
        valid_from_ms: None,
        valid_to_ms: None,
        happy_hour: None,
        min_spend: None,
        requires_coupon: false,
        priority: 0,
        exclusive: false,
        active: true,
    }
}

fn with(mut promotion: Promotion, change: impl FnOnce(&mut Promotion)) -> Promotion {
    change(&mut promotion);
    promotion
}

fn percent_lines(bps: u32, skus: &[&str]) -> PromotionKind {
    PromotionKind::PercentOffLines { bps, skus: skus.iter().map(|s| (*s).to_owned()).collect() }
}

fn amount_lines(amount: i64, skus: &[&str]) -> PromotionKind {
    PromotionKind::AmountOffLines { amount: clp(amount), skus: skus.iter().map(|s| (*s).to_owned()).collect() }
}

fn percent_order(bps: u32) -> PromotionKind {
    PromotionKind::PercentOffOrder { bps }
}

fn amount_order(amount: i64) -> PromotionKind {
    PromotionKind::AmountOffOrder { amount: clp(amount) }
}

fn buy_get(skus: &[&str], buy: i64, get: i64, get_off_bps: u32) -> PromotionKind {
    PromotionKind::BuyXGetY { skus: skus.iter().map(|s| (*s).to_owned()).collect(), buy, get, get_off_bps }
}

fn bundle(components: &[(&str, i64)], price: i64) -> PromotionKind {
    PromotionKind::Bundle {
        components: components
            .iter()
            .map(|(sku, quantity)| BundleComponent { sku: (*sku).into(), quantity: *quantity })
            .collect(),
        price: clp(price),
    }
}

fn coupon(code: &str, promotion_id: &str) -> CouponState {
    CouponState {
        code: code.into(),
        promotion_id: promotion_id.into(),
        usage_limit: None,
        used: 0,
        per_customer_limit: None,
        used_by_customer: Some(0),
        active: true,
    }
}

/// Everything besides the lines, owned, so a test can build it and then price.
#[derive(Debug, Clone)]
struct Shop {
    currency: Currency,
    channel: String,
    now_ms: i64,
    local: LocalTime,
    price_lists: Vec<PriceList>,
    promotions: Vec<Promotion>,
    codes: Vec<String>,
    coupons: Vec<CouponState>,
}

impl Shop {
    fn new(promotions: Vec<Promotion>) -> Self {
        Shop {
            currency: Currency::Clp,
            channel: "qr".into(),
            now_ms: NOW,
            local: WEDNESDAY_4PM,
            price_lists: vec![],
            promotions,
            codes: vec![],
            coupons: vec![],
        }
    }

    fn quote(&self, lines: Vec<CartLine>) -> Result<Quote, DomainError> {
        let context = PricingContext {
            currency: self.currency,
            channel: &self.channel,
            now_ms: self.now_ms,
            local: self.local,
            price_lists: &self.price_lists,
            promotions: &self.promotions,
            coupon_codes: &self.codes,
            coupons: &self.coupons,
        };
        price_cart(&context, lines)
    }
}

fn missing(what: String) -> DomainError {
    DomainError::invalid("test", what)
}

fn line<'a>(quote: &'a Quote, sku: &str) -> Result<&'a QuotedLine, DomainError> {
    quote.lines.iter().find(|line| line.sku == sku).ok_or_else(|| missing(format!("no line {sku}")))
}

fn outcome<'a>(quote: &'a Quote, id: &str) -> Result<&'a PromotionOutcome, DomainError> {
    quote.promotions.iter().find(|o| o.promotion_id == id).ok_or_else(|| missing(format!("no outcome for {id}")))
}

/// `(sku, discount)` of every line, in the quote's order.
fn discounts(quote: &Quote) -> Vec<(&str, i64)> {
    quote.lines.iter().map(|line| (line.sku.as_str(), line.discount.amount_minor)).collect()
}

/// The reasons recorded on a line for promotion `id`.
fn reasons_on<'a>(line: &'a QuotedLine, id: &str) -> Vec<&'a NotAppliedReason> {
    line.not_applied.iter().filter(|n| n.promotion_id == id).map(|n| &n.reason).collect()
}

/// Asserts that promotion `id` did not apply for `reason`, with a message, and gave nothing.
fn assert_refused(quote: &Quote, id: &str, reason: &NotAppliedReason) -> TestResult {
    let outcome = outcome(quote, id)?;
    assert!(!outcome.applied, "{id} should not apply");
    assert_eq!(outcome.amount.amount_minor, 0, "{id}");
    assert_eq!(outcome.reason.as_ref(), Some(reason), "{id}");
    assert_eq!(outcome.message.as_deref(), Some(reason.message().as_str()), "{id}");
    Ok(())
}
