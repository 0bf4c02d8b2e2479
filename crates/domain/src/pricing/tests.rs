//! Tests of the pricing engine through [`price_cart`]: every promotion kind and every reason one
//! does not apply, stacking, price lists, funding and taxes, each to the exact minor unit; then
//! properties over random carts (same price in every channel, exact add-up, bounded discounts).

use std::collections::HashMap;
use std::ops::RangeInclusive;

use proptest::prelude::*;

use super::engine::{CartLine, PricingContext, PromotionOutcome, Quote, QuotedLine, price_cart};
use super::price_list::PriceList;
use super::promotion::{
    BundleComponent, CouponState, Funder, HappyHour, LocalTime, NotAppliedReason, Promotion, PromotionKind,
};
use super::tax::{TaxCategory, TaxRate, tax_rate};
use crate::catalog::{Country, MAX_QUANTITY_PER_LINE, Quantity, Sku};
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

// ---------------------------------------------------------------------------------------------
// Every promotion kind, to the peso.
// ---------------------------------------------------------------------------------------------

struct KindCase {
    name: &'static str,
    kind: PromotionKind,
    /// `(sku, quantity, unit price)` at `l1`.
    lines: Vec<(&'static str, i64, i64)>,
    /// `(sku, discount)` of every line, in SKU order.
    discounts: Vec<(&'static str, i64)>,
    total: i64,
    /// Why it does not apply, when it must not.
    refused: Option<NotAppliedReason>,
}

fn kind_cases() -> Vec<KindCase> {
    let combo = [("BURGER", 1), ("DRINK", 1), ("FRIES", 1)];
    vec![
        KindCase {
            name: "percent off every line",
            kind: percent_lines(1_000, &[]),
            lines: vec![("A", 3, 12_990), ("B", 1, 5_000)],
            // 38 970 × 10 % = 3 897; 5 000 × 10 % = 500.
            discounts: vec![("A", 3_897), ("B", 500)],
            total: 39_573,
            refused: None,
        },
        KindCase {
            name: "percent off rounds half away from zero, per line",
            kind: percent_lines(1_250, &[]),
            lines: vec![("A", 1, 12), ("B", 1, 995), ("C", 3, 333)],
            // 1.5 → 2; 124.375 → 124; 999 × 12.5 % = 124.875 → 125.
            discounts: vec![("A", 2), ("B", 124), ("C", 125)],
            total: 1_755,
            refused: None,
        },
        KindCase {
            name: "percent off some SKUs only",
            kind: percent_lines(2_500, &["A"]),
            lines: vec![("A", 3, 1_000), ("B", 2, 2_000)],
            discounts: vec![("A", 750), ("B", 0)],
            total: 6_250,
            refused: None,
        },
        KindCase {
            name: "amount off every unit, capped at the unit price",
            kind: amount_lines(1_500, &[]),
            lines: vec![("A", 2, 10_000), ("B", 3, 1_000)],
            // 2 × 1 500; B's units cost 1 000, so 3 × 1 000 and B is free.
            discounts: vec![("A", 3_000), ("B", 3_000)],
            total: 17_000,
            refused: None,
        },
        KindCase {
            name: "amount off some SKUs only",
            kind: amount_lines(1_000, &["B"]),
            lines: vec![("A", 1, 5_000), ("B", 2, 4_000)],
            discounts: vec![("A", 0), ("B", 2_000)],
            total: 11_000,
            refused: None,
        },
        KindCase {
            name: "percent off the order, shared in proportion",
            kind: percent_order(1_000),
            lines: vec![("A", 2, 12_990), ("B", 1, 4_990)],
            // 30 970 × 10 % = 3 097, shared 25 980 : 4 990.
            discounts: vec![("A", 2_598), ("B", 499)],
            total: 27_873,
            refused: None,
        },
        KindCase {
            name: "amount off the order, leftover pesos by largest remainder",
            kind: amount_order(100),
            lines: vec![("A", 1, 1_000), ("B", 1, 1_000), ("C", 1, 1_000)],
            discounts: vec![("A", 34), ("B", 33), ("C", 33)],
            total: 2_900,
            refused: None,
        },
        KindCase {
            name: "amount off the order, capped at the cart",
            kind: amount_order(50_000),
            lines: vec![("A", 1, 12_990), ("B", 2, 4_990)],
            discounts: vec![("A", 12_990), ("B", 9_980)],
            total: 0,
            refused: None,
        },
        KindCase {
            name: "2×1 with mixed prices: the cheaper of the pair is free, the odd unit pays",
            kind: buy_get(&["A", "B", "C"], 1, 1, 10_000),
            lines: vec![("A", 1, 10_000), ("B", 1, 8_000), ("C", 1, 5_000)],
            discounts: vec![("A", 0), ("B", 8_000), ("C", 0)],
            total: 15_000,
            refused: None,
        },
        KindCase {
            name: "2×1 over quantities: pairs (1 000, 1 000) and (1 000, 500), one 500 left",
            kind: buy_get(&["A", "B"], 1, 1, 10_000),
            lines: vec![("A", 3, 1_000), ("B", 2, 500)],
            discounts: vec![("A", 1_000), ("B", 500)],
            total: 2_500,
            refused: None,
        },
        KindCase {
            name: "3×2 with mixed prices: groups (3 000 ×3) and (3 000, 2 000, 2 000), one 2 000 left",
            kind: buy_get(&["A", "B"], 2, 1, 10_000),
            lines: vec![("A", 4, 3_000), ("B", 3, 2_000)],
            discounts: vec![("A", 3_000), ("B", 2_000)],
            total: 13_000,
            refused: None,
        },
        KindCase {
            name: "second unit at half price rounds half away from zero",
            kind: buy_get(&["A"], 1, 1, 5_000),
            lines: vec![("A", 2, 1_999)],
            // 999.5 → 1 000.
            discounts: vec![("A", 1_000)],
            total: 2_998,
            refused: None,
        },
        KindCase {
            name: "2×1 needs two matching units",
            kind: buy_get(&["A"], 1, 1, 10_000),
            lines: vec![("A", 1, 1_000), ("B", 1, 1_000)],
            discounts: vec![("A", 0), ("B", 0)],
            total: 2_000,
            refused: Some(NotAppliedReason::NotEnoughItems { needed: 2, present: 1 }),
        },
        KindCase {
            name: "bundle: one set, the extra burger and drink pay full price",
            kind: bundle(&combo, 7_990),
            lines: vec![("BURGER", 2, 5_990), ("DRINK", 2, 1_990), ("FRIES", 1, 2_490)],
            // 10 470 − 7 990 = 2 480 shared 5 990 : 1 990 : 2 490 → 1 418.8 / 471.4 / 589.8.
            discounts: vec![("BURGER", 1_419), ("DRINK", 471), ("FRIES", 590)],
            total: 15_970,
            refused: None,
        },
        KindCase {
            name: "bundle: two sets",
            kind: bundle(&combo, 7_990),
            lines: vec![("BURGER", 2, 5_990), ("DRINK", 2, 1_990), ("FRIES", 2, 2_490)],
            discounts: vec![("BURGER", 2_838), ("DRINK", 943), ("FRIES", 1_179)],
            total: 15_980,
            refused: None,
        },
        KindCase {
            name: "bundle with two units of one component",
            kind: bundle(&[("EMPANADA", 2), ("DRINK", 1)], 5_000),
            lines: vec![("DRINK", 3, 1_500), ("EMPANADA", 5, 2_500)],
            // Two sets (5 / 2 = 2), saving 2 × 1 500 shared 3 000 × 5 000 / 6 500 = 2 307.7 …
            discounts: vec![("DRINK", 692), ("EMPANADA", 2_308)],
            total: 14_000,
            refused: None,
        },
        KindCase {
            name: "bundle missing a component",
            kind: bundle(&combo, 7_990),
            lines: vec![("BURGER", 1, 5_990), ("DRINK", 1, 1_990)],
            discounts: vec![("BURGER", 0), ("DRINK", 0)],
            total: 7_980,
            refused: Some(NotAppliedReason::NotEnoughItems { needed: 3, present: 2 }),
        },
        KindCase {
            name: "bundle dearer than its items gives no saving",
            kind: bundle(&combo, 11_000),
            lines: vec![("BURGER", 1, 5_990), ("DRINK", 1, 1_990), ("FRIES", 1, 2_490)],
            discounts: vec![("BURGER", 0), ("DRINK", 0), ("FRIES", 0)],
            total: 10_470,
            refused: Some(NotAppliedReason::NoSaving),
        },
    ]
}

#[test]
fn every_promotion_kind_to_the_minor_unit() -> TestResult {
    for case in kind_cases() {
        let line_level = case.kind.is_line_level();
        let skus: Vec<String> = case.kind.skus().into_iter().map(str::to_owned).collect();
        let promotion = promo("p", case.kind);
        assert_eq!(promotion.validate(), Ok(()), "{}", case.name);
        let quote = Shop::new(vec![promotion]).quote(items(&case.lines)?)?;
        assert_eq!(discounts(&quote), case.discounts, "{}", case.name);
        assert_eq!(quote.total.amount_minor, case.total, "{}", case.name);
        let given: i64 = case.discounts.iter().map(|(_, amount)| amount).sum();
        assert_eq!(quote.discount.amount_minor, given, "{}", case.name);
        let outcome = outcome(&quote, "p")?;
        assert_eq!(outcome.funded_by, Funder::Merchant, "{}", case.name);
        match &case.refused {
            None => {
                assert!(outcome.applied, "{}", case.name);
                assert_eq!(outcome.amount.amount_minor, given, "{}", case.name);
                assert_eq!((&outcome.reason, &outcome.message), (&None, &None), "{}", case.name);
                for quoted in &quote.lines {
                    assert!(quoted.not_applied.is_empty(), "{}: {:?}", case.name, quoted.not_applied);
                    let mine = quoted.discounts.iter().filter(|d| d.promotion_id == "p").map(|d| d.amount.amount_minor);
                    assert_eq!(mine.sum::<i64>(), quoted.discount.amount_minor, "{}", case.name);
                }
            }
            Some(reason) => {
                assert_refused(&quote, "p", reason)?;
                // Line-level kinds say why on every line they target.
                for quoted in &quote.lines {
                    let targeted = line_level && (skus.is_empty() || skus.contains(&quoted.sku));
                    let expected = if targeted { vec![reason] } else { vec![] };
                    assert_eq!(reasons_on(quoted, "p"), expected, "{}: {}", case.name, quoted.sku);
                    assert!(quoted.discounts.is_empty(), "{}", case.name);
                }
            }
        }
    }
    Ok(())
}

#[test]
fn units_a_2x1_leaves_over_take_the_next_line_promotion() -> TestResult {
    let deal = with(promo("deal", buy_get(&["A", "B", "C"], 1, 1, 10_000)), |p| p.priority = 1);
    let tenth = promo("tenth", percent_lines(1_000, &[]));
    let quote = Shop::new(vec![deal, tenth]).quote(items(&[("A", 1, 10_000), ("B", 1, 8_000), ("C", 1, 5_000)])?)?;
    assert_eq!(discounts(&quote), vec![("A", 0), ("B", 8_000), ("C", 500)]);
    let by = NotAppliedReason::AlreadyDiscounted { by: name("deal") };
    assert_eq!(reasons_on(line(&quote, "A")?, "tenth"), vec![&by]);
    assert_eq!(reasons_on(line(&quote, "B")?, "tenth"), vec![&by]);
    assert!(line(&quote, "C")?.not_applied.is_empty());
    // The paid unit of the pair is part of the deal, with nothing off it.
    let a = line(&quote, "A")?;
    assert_eq!(a.discounts.len(), 1);
    assert_eq!((a.discounts[0].promotion_id.as_str(), a.discounts[0].amount.amount_minor), ("deal", 0));
    assert_eq!(outcome(&quote, "deal")?.amount.amount_minor, 8_000);
    assert_eq!(outcome(&quote, "tenth")?.amount.amount_minor, 500);
    Ok(())
}

#[test]
fn lines_of_one_sku_and_location_are_merged_before_a_2x1() -> TestResult {
    let deal = promo("deal", buy_get(&["A"], 1, 1, 10_000));
    let elsewhere = cart_line("l2", "m1", "A", 1, clp(1_000), iva())?;
    let quote = Shop::new(vec![deal]).quote(vec![item("A", 1, 1_000)?, elsewhere, item("A", 1, 1_000)?])?;
    assert_eq!(quote.lines.len(), 2);
    assert_eq!((quote.lines[0].location_id.as_str(), quote.lines[0].quantity), ("l1", 2));
    // The pair is at l1; the unit at l2 is a group of its own.
    assert_eq!(quote.lines[0].discount.amount_minor, 1_000);
    assert_eq!(quote.lines[1].discount.amount_minor, 0);
    assert_eq!(quote.total.amount_minor, 2_000);
    Ok(())
}

#[test]
fn carts_the_engine_refuses() -> TestResult {
    let shop = Shop::new(vec![]);
    assert!(matches!(shop.quote(vec![]), Err(DomainError::Invalid { field, .. }) if field == "lines"));
    let soles = cart_line("l1", "m1", "A", 1, Money::new(100, Currency::Pen), iva())?;
    assert!(matches!(shop.quote(vec![soles]), Err(DomainError::CurrencyMismatch { .. })));
    let too_many = vec![item("A", MAX_QUANTITY_PER_LINE, 1)?, item("A", 1, 1)?];
    assert!(matches!(shop.quote(too_many), Err(DomainError::Invalid { field, .. }) if field == "quantity"));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Every reason a promotion or coupon does not apply.
// ---------------------------------------------------------------------------------------------

struct GateCase {
    name: &'static str,
    shop: Shop,
    lines: Vec<CartLine>,
    /// The promotion that must not apply, and why.
    promotion: &'static str,
    reason: NotAppliedReason,
    /// The first coupon's promotion and why it did not apply, when a code was entered.
    coupon: Option<(Option<&'static str>, NotAppliedReason)>,
}

fn gate_cases() -> Result<Vec<GateCase>, DomainError> {
    // 10 % off every line of m1, so that the reason also shows on the line.
    let base = || promo("p", percent_lines(1_000, &[]));
    let shop = |change: fn(&mut Promotion)| Shop::new(vec![with(base(), change)]);
    let coupon_shop = |code: &str, state: CouponState| {
        let mut shop = Shop::new(vec![with(base(), |p| p.requires_coupon = true)]);
        shop.codes = vec![code.to_owned()];
        shop.coupons = vec![state];
        shop
    };
    let pizza = || item("PIZZA", 1, 12_990);
    let mut wrong_channel = shop(|p| p.channels = vec!["web".into(), "kiosk".into()]);
    wrong_channel.channel = "qr".into();
    let mut not_combinable = Shop::new(vec![
        with(promo("first", percent_lines(1_000, &[])), |p| p.exclusive = true),
        promo("p", percent_order(500)),
    ]);
    not_combinable.channel = "pos".into();
    Ok(vec![
        GateCase {
            name: "switched off",
            shop: shop(|p| p.active = false),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::Inactive,
            coupon: None,
        },
        GateCase {
            name: "not started (from is inclusive, so one ms early)",
            shop: shop(|p| p.valid_from_ms = Some(NOW + 1)),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::NotStarted,
            coupon: None,
        },
        GateCase {
            name: "expired (to is exclusive)",
            shop: shop(|p| {
                p.valid_from_ms = Some(NOW - 1_000);
                p.valid_to_ms = Some(NOW);
            }),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::Expired,
            coupon: None,
        },
        GateCase {
            name: "wrong channel",
            shop: wrong_channel,
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::WrongChannel,
            coupon: None,
        },
        GateCase {
            name: "wrong location",
            shop: shop(|p| p.location_ids = vec!["l2".into()]),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::WrongLocation,
            coupon: None,
        },
        GateCase {
            name: "outside happy hour (weekdays 17:00–19:00, now Wednesday 16:00)",
            shop: shop(|p| {
                p.happy_hour =
                    Some(HappyHour { weekdays: vec![1, 2, 3, 4, 5], start_minute: 17 * 60, end_minute: 19 * 60 })
            }),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::OutsideHappyHour,
            coupon: None,
        },
        GateCase {
            name: "coupon required and none entered",
            shop: shop(|p| p.requires_coupon = true),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::CouponRequired,
            coupon: None,
        },
        GateCase {
            name: "unknown coupon",
            shop: {
                let mut shop = coupon_shop("NOPE", coupon("WELCOME", "p"));
                shop.codes = vec![" nope ".into()];
                shop
            },
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::CouponRequired,
            coupon: Some((None, NotAppliedReason::UnknownCoupon)),
        },
        GateCase {
            name: "coupon used up",
            shop: coupon_shop("welcome", CouponState { usage_limit: Some(100), used: 100, ..coupon("WELCOME", "p") }),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::CouponLimitReached,
            coupon: Some((Some("p"), NotAppliedReason::CouponLimitReached)),
        },
        GateCase {
            name: "coupon switched off",
            shop: coupon_shop("welcome", CouponState { active: false, ..coupon("WELCOME", "p") }),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::Inactive,
            coupon: Some((Some("p"), NotAppliedReason::Inactive)),
        },
        GateCase {
            name: "customer used the coupon as often as allowed",
            shop: coupon_shop(
                "welcome",
                CouponState { per_customer_limit: Some(1), used_by_customer: Some(1), ..coupon("WELCOME", "p") },
            ),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::CustomerLimitReached,
            coupon: Some((Some("p"), NotAppliedReason::CustomerLimitReached)),
        },
        GateCase {
            name: "coupon limited per customer and the customer is unknown",
            shop: coupon_shop(
                "welcome",
                CouponState { per_customer_limit: Some(1), used_by_customer: None, ..coupon("WELCOME", "p") },
            ),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::CustomerUnknown,
            coupon: Some((Some("p"), NotAppliedReason::CustomerUnknown)),
        },
        GateCase {
            name: "minimum spend not met",
            shop: shop(|p| p.min_spend = Some(clp(20_000))),
            lines: vec![pizza()?, item("SODA", 2, 1_990)?],
            promotion: "p",
            reason: NotAppliedReason::MinimumNotMet { minimum: clp(20_000), actual: clp(16_970) },
            coupon: None,
        },
        GateCase {
            name: "not enough items for a 3×2",
            shop: Shop::new(vec![promo("p", buy_get(&["PIZZA", "SODA"], 2, 1, 10_000))]),
            lines: vec![pizza()?, item("SODA", 1, 1_990)?],
            promotion: "p",
            reason: NotAppliedReason::NotEnoughItems { needed: 3, present: 2 },
            coupon: None,
        },
        GateCase {
            name: "already discounted by a line promotion that goes first",
            shop: Shop::new(vec![with(promo("first", amount_lines(500, &[])), |p| p.priority = 1), base()]),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::AlreadyDiscounted { by: name("first") },
            coupon: None,
        },
        GateCase {
            name: "not combinable with an exclusive line promotion",
            shop: not_combinable,
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::NotCombinable { with: name("first") },
            coupon: None,
        },
    ])
}

#[test]
fn every_reason_a_promotion_does_not_apply() -> TestResult {
    for case in gate_cases()? {
        let quote = case.shop.quote(case.lines)?;
        assert_refused(&quote, case.promotion, &case.reason).map_err(|e| missing(format!("{}: {e}", case.name)))?;
        let line_level =
            case.shop.promotions.iter().find(|p| p.id == case.promotion).is_some_and(|p| p.kind.is_line_level());
        for quoted in &quote.lines {
            let expected = if line_level { vec![&case.reason] } else { vec![] };
            assert_eq!(reasons_on(quoted, case.promotion), expected, "{}: {}", case.name, quoted.sku);
            let note = quoted.not_applied.iter().find(|n| n.promotion_id == case.promotion);
            if let Some(note) = note {
                assert_eq!(note.message, case.reason.message(), "{}", case.name);
                assert_eq!(note.name, name(case.promotion), "{}", case.name);
            }
            assert!(quoted.discounts.iter().all(|d| d.promotion_id != case.promotion), "{}", case.name);
        }
        match &case.coupon {
            None => assert!(quote.coupons.is_empty(), "{}", case.name),
            Some((promotion_id, reason)) => {
                assert_eq!(quote.coupons.len(), 1, "{}", case.name);
                let coupon = &quote.coupons[0];
                assert_eq!(coupon.promotion_id.as_deref(), *promotion_id, "{}", case.name);
                assert!(!coupon.applied, "{}", case.name);
                assert_eq!(coupon.reason.as_ref(), Some(reason), "{}", case.name);
                assert_eq!(coupon.message.as_deref(), Some(reason.message().as_str()), "{}", case.name);
                assert_eq!(quote.redeemed_coupons().count(), 0, "{}", case.name);
            }
        }
    }
    Ok(())
}

#[test]
fn the_same_promotions_apply_when_their_gates_open() -> TestResult {
    // Each gate case's promotion, with its condition met, applies: the gates are not stuck shut.
    let happy = HappyHour { weekdays: vec![3], start_minute: 15 * 60, end_minute: 17 * 60 };
    let late = HappyHour { weekdays: vec![2], start_minute: 22 * 60, end_minute: 60 };
    let open = [
        with(promo("p", percent_lines(1_000, &[])), |p| {
            p.valid_from_ms = Some(NOW);
            p.valid_to_ms = Some(NOW + 1);
            p.channels = vec!["qr".into()];
            p.location_ids = vec!["l1".into()];
            p.happy_hour = Some(happy.clone());
            p.min_spend = Some(clp(12_990));
        }),
        with(promo("p", percent_lines(1_000, &[])), |p| p.happy_hour = Some(late.clone())),
    ];
    for (index, promotion) in open.into_iter().enumerate() {
        let mut shop = Shop::new(vec![promotion]);
        if index == 1 {
            // Tuesday's 22:00–01:00 window, at 00:30 on Wednesday.
            shop.local = LocalTime { weekday: 3, minute: 30 };
        }
        let quote = shop.quote(vec![item("PIZZA", 1, 12_990)?])?;
        assert_eq!(quote.discount.amount_minor, 1_299, "case {index}");
        assert!(outcome(&quote, "p")?.applied, "case {index}");
    }
    Ok(())
}

#[test]
fn a_valid_coupon_unlocks_its_promotion_and_is_redeemed() -> TestResult {
    let mut shop = Shop::new(vec![with(promo("p", amount_order(2_000)), |p| p.requires_coupon = true)]);
    shop.codes = vec![" welcome ".into(), "WELCOME".into(), "other".into()];
    shop.coupons = vec![CouponState {
        usage_limit: Some(100),
        used: 99,
        per_customer_limit: Some(2),
        used_by_customer: Some(1),
        ..coupon("WELCOME", "p")
    }];
    let quote = shop.quote(vec![item("PIZZA", 1, 12_990)?])?;
    assert_eq!(quote.total.amount_minor, 10_990);
    assert!(outcome(&quote, "p")?.applied);
    // Codes are normalised and counted once; the unknown one says so.
    assert_eq!(quote.coupons.len(), 2);
    let (welcome, other) = (&quote.coupons[0], &quote.coupons[1]);
    assert_eq!((welcome.code.as_str(), welcome.promotion_id.as_deref(), welcome.applied), ("WELCOME", Some("p"), true));
    assert_eq!((&welcome.reason, &welcome.message), (&None, &None));
    assert_eq!(
        (other.code.as_str(), other.applied, other.reason.as_ref()),
        ("OTHER", false, Some(&NotAppliedReason::UnknownCoupon))
    );
    assert_eq!(quote.redeemed_coupons().map(|c| c.code.as_str()).collect::<Vec<_>>(), vec!["WELCOME"]);
    Ok(())
}

#[test]
fn a_valid_coupon_whose_promotion_gives_nothing_is_not_redeemed() -> TestResult {
    let mut shop = Shop::new(vec![with(promo("p", amount_order(2_000)), |p| {
        p.requires_coupon = true;
        p.min_spend = Some(clp(50_000));
    })]);
    shop.codes = vec!["welcome".into()];
    shop.coupons = vec![coupon("WELCOME", "p")];
    let quote = shop.quote(vec![item("PIZZA", 1, 12_990)?])?;
    let reason = NotAppliedReason::MinimumNotMet { minimum: clp(50_000), actual: clp(12_990) };
    assert_refused(&quote, "p", &reason)?;
    assert_eq!(quote.coupons[0].reason.as_ref(), Some(&reason));
    assert!(!quote.coupons[0].applied);
    assert_eq!(quote.redeemed_coupons().count(), 0);
    Ok(())
}

#[test]
fn each_code_reports_its_own_verdict() -> TestResult {
    // Two codes of one promotion, one used up: the valid one unlocks it, the other says why not.
    for codes in [["old", "new"], ["new", "old"]] {
        let mut shop = Shop::new(vec![with(promo("p", amount_order(1_000)), |p| p.requires_coupon = true)]);
        shop.codes = codes.iter().map(|c| (*c).to_owned()).collect();
        shop.coupons = vec![CouponState { usage_limit: Some(10), used: 10, ..coupon("OLD", "p") }, coupon("NEW", "p")];
        let quote = shop.quote(vec![item("PIZZA", 1, 12_990)?])?;
        assert_eq!(quote.discount.amount_minor, 1_000, "{codes:?}");
        let old = quote.coupons.iter().find(|c| c.code == "OLD").ok_or_else(|| missing("OLD".into()))?;
        let new = quote.coupons.iter().find(|c| c.code == "NEW").ok_or_else(|| missing("NEW".into()))?;
        assert_eq!(
            (old.applied, old.reason.as_ref()),
            (false, Some(&NotAppliedReason::CouponLimitReached)),
            "{codes:?}"
        );
        assert_eq!((new.applied, new.reason.as_ref()), (true, None), "{codes:?}");
        assert_eq!(quote.redeemed_coupons().map(|c| c.code.as_str()).collect::<Vec<_>>(), vec!["NEW"], "{codes:?}");
    }
    Ok(())
}

#[test]
fn a_promotion_that_would_give_nothing_does_not_apply() -> TestResult {
    // 0.01 % of $100 rounds to nothing: the promotion does not apply and its coupon is not used.
    let mut shop = Shop::new(vec![with(promo("p", percent_order(1)), |p| p.requires_coupon = true)]);
    shop.codes = vec!["tiny".into()];
    shop.coupons = vec![coupon("TINY", "p")];
    let quote = shop.quote(vec![item("GUM", 1, 100)?])?;
    assert_refused(&quote, "p", &NotAppliedReason::NoSaving)?;
    assert_eq!(
        (quote.coupons[0].applied, quote.coupons[0].reason.as_ref()),
        (false, Some(&NotAppliedReason::NoSaving))
    );
    assert_eq!(quote.redeemed_coupons().count(), 0);
    // A free item takes nothing off: the line says so and keeps no discount entry.
    let quote = Shop::new(vec![promo("p", amount_lines(500, &["FREE"]))]).quote(vec![item("FREE", 2, 0)?])?;
    assert_refused(&quote, "p", &NotAppliedReason::NoSaving)?;
    let free = line(&quote, "FREE")?;
    assert!(free.discounts.is_empty());
    assert_eq!(reasons_on(free, "p"), vec![&NotAppliedReason::NoSaving]);
    Ok(())
}

#[test]
fn promotions_that_skipped_validation_do_not_panic() -> TestResult {
    let broken = vec![
        promo("empty-group", buy_get(&["A"], 0, 0, 10_000)),
        promo("zero-component", bundle(&[("A", 0), ("B", 1)], 100)),
        promo("huge-group", buy_get(&["A"], i64::MAX, 1, 10_000)),
    ];
    assert!(broken.iter().all(|p| p.validate().is_err()));
    let quote = Shop::new(broken).quote(items(&[("A", 3, 1_000), ("B", 1, 1_000)])?)?;
    assert_eq!(quote.discount.amount_minor, 0);
    assert!(quote.promotions.iter().all(|o| !o.applied));
    // A negative price (refused by the catalog) takes no discount rather than panicking.
    let negative = Shop::new(vec![promo("p", percent_lines(1_000, &[]))]).quote(vec![item("A", 1, -100)?])?;
    assert_eq!((negative.discount.amount_minor, negative.total.amount_minor), (0, -100));
    Ok(())
}

#[test]
fn a_promotion_of_another_merchant_is_not_considered() -> TestResult {
    let theirs = with(promo("p", percent_order(1_000)), |p| p.merchant_id = Some("m2".into()));
    let quote = Shop::new(vec![theirs]).quote(vec![item("PIZZA", 1, 12_990)?])?;
    assert!(quote.promotions.is_empty());
    assert_eq!(quote.total.amount_minor, 12_990);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Stacking.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_higher_priority_line_promotion_takes_the_line() -> TestResult {
    // Ids sort the other way, so priority is what decides.
    let high = with(promo("z-high", percent_lines(2_000, &[])), |p| p.priority = 10);
    let low = with(promo("a-low", percent_lines(1_000, &[])), |p| p.priority = 5);
    let quote = Shop::new(vec![low, high]).quote(vec![item("A", 1, 10_000)?])?;
    assert_eq!(discounts(&quote), vec![("A", 2_000)]);
    let reason = NotAppliedReason::AlreadyDiscounted { by: name("z-high") };
    assert_eq!(reasons_on(line(&quote, "A")?, "a-low"), vec![&reason]);
    assert_refused(&quote, "a-low", &reason)?;
    assert_eq!(quote.promotions.iter().map(|o| o.promotion_id.as_str()).collect::<Vec<_>>(), vec!["z-high", "a-low"]);
    Ok(())
}

#[test]
fn priority_ties_are_broken_by_id() -> TestResult {
    let b = promo("b", percent_lines(2_000, &[]));
    let a = promo("a", percent_lines(1_000, &[]));
    let quote = Shop::new(vec![b, a]).quote(vec![item("A", 1, 10_000)?])?;
    assert_eq!(discounts(&quote), vec![("A", 1_000)]);
    assert_refused(&quote, "b", &NotAppliedReason::AlreadyDiscounted { by: name("a") })?;
    Ok(())
}

#[test]
fn line_promotions_go_before_order_promotions_whatever_their_priority() -> TestResult {
    let order = with(promo("a-order", percent_order(1_000)), |p| p.priority = 100);
    let lines = with(promo("z-line", amount_lines(1_000, &[])), |p| p.priority = -5);
    let quote = Shop::new(vec![order, lines]).quote(vec![item("A", 1, 10_000)?])?;
    // 1 000 off the unit first, then 10 % of the 9 000 left.
    let a = line(&quote, "A")?;
    let applied: Vec<(&str, i64)> =
        a.discounts.iter().map(|d| (d.promotion_id.as_str(), d.amount.amount_minor)).collect();
    assert_eq!(applied, vec![("z-line", 1_000), ("a-order", 900)]);
    assert_eq!(quote.total.amount_minor, 8_100);
    Ok(())
}

#[test]
fn order_promotions_stack_on_what_is_left() -> TestResult {
    let percent = with(promo("percent", percent_order(1_000)), |p| p.priority = 2);
    let amount = with(promo("amount", amount_order(1_000)), |p| p.priority = 1);
    let quote = Shop::new(vec![amount, percent]).quote(items(&[("A", 1, 6_000), ("B", 1, 4_000)])?)?;
    // 10 % of 10 000 = 1 000 (600 + 400); then 1 000 of the 9 000 left (600 + 400).
    assert_eq!(discounts(&quote), vec![("A", 1_200), ("B", 800)]);
    assert_eq!(outcome(&quote, "percent")?.amount.amount_minor, 1_000);
    assert_eq!(outcome(&quote, "amount")?.amount.amount_minor, 1_000);
    Ok(())
}

#[test]
fn an_exclusive_line_promotion_keeps_order_promotions_off_its_lines() -> TestResult {
    let exclusive = with(promo("excl", percent_lines(1_000, &["A"])), |p| p.exclusive = true);
    let order = promo("order", percent_order(1_000));
    let shop = Shop::new(vec![exclusive, order]);
    let quote = shop.quote(items(&[("A", 1, 10_000), ("B", 1, 5_000)])?)?;
    assert_eq!(discounts(&quote), vec![("A", 1_000), ("B", 500)]);
    assert_eq!(line(&quote, "A")?.discounts.len(), 1);
    assert_eq!(outcome(&quote, "order")?.amount.amount_minor, 500);
    // With only the exclusive line, the order promotion has nothing it may discount.
    let alone = shop.quote(vec![item("A", 1, 10_000)?])?;
    assert_refused(&alone, "order", &NotAppliedReason::NotCombinable { with: name("excl") })?;
    assert!(line(&alone, "A")?.not_applied.is_empty(), "order promotions explain themselves in promotions[]");
    Ok(())
}

#[test]
fn a_line_promotion_after_an_exclusive_one_does_not_lift_its_exclusivity() -> TestResult {
    // An exclusive 2×1 takes two of three A, a plain 10 % takes the third: A still has an
    // exclusive discount, so the order promotion stays off it.
    let deal = with(promo("deal", buy_get(&["A"], 1, 1, 10_000)), |p| {
        p.exclusive = true;
        p.priority = 10;
    });
    let tenth = promo("tenth", percent_lines(1_000, &["A"]));
    let order = promo("order", percent_order(1_000));
    let quote = Shop::new(vec![deal, tenth, order]).quote(items(&[("A", 3, 1_000), ("B", 1, 5_000)])?)?;
    assert_eq!(discounts(&quote), vec![("A", 1_100), ("B", 500)]);
    let a: Vec<&str> = line(&quote, "A")?.discounts.iter().map(|d| d.promotion_id.as_str()).collect();
    assert_eq!(a, vec!["deal", "tenth"]);
    assert_eq!(outcome(&quote, "order")?.amount.amount_minor, 500);
    Ok(())
}

#[test]
fn an_exclusive_order_promotion_skips_lines_with_other_discounts() -> TestResult {
    let lines = promo("lines", percent_lines(1_000, &["A"]));
    let exclusive = with(promo("excl", percent_order(2_000)), |p| p.exclusive = true);
    let quote = Shop::new(vec![lines, exclusive]).quote(items(&[("A", 1, 10_000), ("B", 1, 5_000)])?)?;
    assert_eq!(discounts(&quote), vec![("A", 1_000), ("B", 1_000)]);
    assert_eq!(outcome(&quote, "excl")?.amount.amount_minor, 1_000);
    Ok(())
}

#[test]
fn an_exclusive_order_promotion_and_other_order_promotions_exclude_each_other() -> TestResult {
    let cart = || items(&[("A", 1, 10_000)]);
    // The exclusive one first: the other finds the line taken.
    let exclusive = with(promo("excl", percent_order(2_000)), |p| {
        p.exclusive = true;
        p.priority = 5;
    });
    let plain = with(promo("plain", percent_order(1_000)), |p| p.priority = 1);
    let quote = Shop::new(vec![plain.clone(), exclusive.clone()]).quote(cart()?)?;
    assert_eq!(discounts(&quote), vec![("A", 2_000)]);
    assert_refused(&quote, "plain", &NotAppliedReason::NotCombinable { with: name("excl") })?;
    // The plain one first: the exclusive one refuses to combine with it.
    let exclusive = with(exclusive, |p| p.priority = 1);
    let plain = with(plain, |p| p.priority = 5);
    let quote = Shop::new(vec![exclusive, plain]).quote(cart()?)?;
    assert_eq!(discounts(&quote), vec![("A", 1_000)]);
    assert_refused(&quote, "excl", &NotAppliedReason::NotCombinable { with: name("plain") })?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Price lists and funding.
// ---------------------------------------------------------------------------------------------

fn price_list(
    id: &str,
    channel: Option<&str>,
    location: Option<&str>,
    window: (Option<i64>, Option<i64>),
    price: i64,
) -> PriceList {
    PriceList {
        id: id.into(),
        name: format!("List {id}"),
        merchant_id: "m1".into(),
        channel: channel.map(Into::into),
        location_id: location.map(Into::into),
        valid_from_ms: window.0,
        valid_to_ms: window.1,
        active: true,
        prices: HashMap::from([("PIZZA".to_owned(), clp(price))]),
    }
}

#[test]
fn the_price_source_names_the_winning_list() -> TestResult {
    let always = (None, None);
    let mut other_merchant = price_list("theirs", Some("web"), Some("l1"), always, 1);
    other_merchant.merchant_id = "m2".into();
    let mut switched_off = price_list("off", Some("web"), Some("l1"), always, 2);
    switched_off.active = false;
    let mut shop = Shop::new(vec![promo("p", percent_lines(1_000, &[]))]);
    shop.price_lists = vec![
        price_list("year", None, None, always, 10_000),
        price_list("xmas", None, None, (Some(NOW - 10), Some(NOW + 10)), 9_000),
        price_list("web", Some("web"), None, always, 9_500),
        price_list("l1", None, Some("l1"), always, 8_800),
        price_list("l1-web", Some("web"), Some("l1"), always, 8_500),
        other_merchant,
        switched_off,
    ];
    let cases = [
        ("web", "l1", NOW, Some("l1-web"), 8_500),
        ("qr", "l1", NOW, Some("l1"), 8_800),
        ("web", "l2", NOW, Some("web"), 9_500),
        ("qr", "l2", NOW, Some("xmas"), 9_000),
        ("qr", "l2", NOW + 10, Some("year"), 10_000),
    ];
    for (channel, location, now, list, price) in cases {
        shop.channel = channel.into();
        shop.now_ms = now;
        let quote = shop.quote(vec![cart_line(location, "m1", "PIZZA", 2, clp(12_990), iva())?])?;
        let quoted = line(&quote, "PIZZA")?;
        let case = format!("{channel} at {location}");
        assert_eq!(quoted.price_source.kind, "price_list", "{case}");
        assert_eq!(quoted.price_source.price_list_id.as_deref(), list, "{case}");
        assert_eq!(quoted.price_source.price_list_name, list.map(|id| format!("List {id}")), "{case}");
        assert_eq!((quoted.base_price, quoted.unit_price), (clp(12_990), clp(price)), "{case}");
        assert_eq!(quoted.gross.amount_minor, 2 * price, "{case}");
        // Promotions work from the list's price.
        assert_eq!(quoted.discount.amount_minor, 2 * price / 10, "{case}");
    }
    // A SKU no list prices keeps its base price.
    shop.channel = "web".into();
    let quote = shop.quote(vec![item("SODA", 1, 1_990)?])?;
    let soda = line(&quote, "SODA")?;
    assert_eq!((soda.price_source.kind.as_str(), soda.price_source.price_list_id.as_ref()), ("base", None));
    assert_eq!(soda.unit_price, clp(1_990));
    Ok(())
}

#[test]
fn funding_shows_in_each_part() -> TestResult {
    let merchant = promo("merchant", amount_lines(1_000, &["A"]));
    let site = with(promo("site", percent_order(1_000)), |p| {
        p.merchant_id = None;
        p.funded_by = Funder::Operator;
    });
    let lines = vec![item("A", 1, 10_000)?, cart_line("l3", "m2", "B", 1, clp(5_000), iva())?];
    let quote = Shop::new(vec![site, merchant]).quote(lines)?;
    // A: 1 000 by its merchant, then 10 % of 14 000 = 1 400 shared 9 000 : 5 000.
    assert_eq!(discounts(&quote), vec![("A", 1_900), ("B", 500)]);
    let parts: Vec<(&str, &str, i64, i64, i64, i64)> = quote
        .parts
        .iter()
        .map(|p| {
            (
                p.location_id.as_str(),
                p.merchant_id.as_str(),
                p.discount.amount_minor,
                p.merchant_funded.amount_minor,
                p.operator_funded.amount_minor,
                p.subtotal.amount_minor,
            )
        })
        .collect();
    assert_eq!(parts, vec![("l1", "m1", 1_900, 1_000, 900, 8_100), ("l3", "m2", 500, 0, 500, 4_500)]);
    assert_eq!(outcome(&quote, "site")?.funded_by, Funder::Operator);
    assert_eq!(outcome(&quote, "merchant")?.funded_by, Funder::Merchant);
    let funders: Vec<Funder> = line(&quote, "A")?.discounts.iter().map(|d| d.funded_by).collect();
    assert_eq!(funders, vec![Funder::Merchant, Funder::Operator]);
    Ok(())
}

#[test]
fn a_merchant_funded_site_wide_promotion_is_merchant_funded() -> TestResult {
    let site = with(promo("site", percent_lines(5_000, &[])), |p| p.merchant_id = None);
    let lines = vec![item("A", 1, 1_000)?, cart_line("l3", "m2", "B", 1, clp(3_000), iva())?];
    let quote = Shop::new(vec![site]).quote(lines)?;
    let funded: Vec<(i64, i64)> =
        quote.parts.iter().map(|p| (p.merchant_funded.amount_minor, p.operator_funded.amount_minor)).collect();
    assert_eq!(funded, vec![(500, 0), (1_500, 0)]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Taxes contained in the prices.
// ---------------------------------------------------------------------------------------------

fn tax_of(line: &QuotedLine) -> (&str, u32, i64, i64) {
    (line.tax.code.as_str(), line.tax.rate_bps, line.tax.base.amount_minor, line.tax.amount.amount_minor)
}

/// `(code, label, base, amount)` of one tax total.
type TaxFigures<'a> = (&'a str, &'a str, i64, i64);

fn tax_totals(totals: &[super::engine::TaxTotal]) -> Vec<TaxFigures<'_>> {
    totals.iter().map(|t| (t.code.as_str(), t.label.as_str(), t.base.amount_minor, t.amount.amount_minor)).collect()
}

#[test]
fn chilean_iva_is_contained_in_the_price() -> TestResult {
    let quote = Shop::new(vec![]).quote(items(&[("A", 1, 11_900), ("B", 1, 12_990)])?)?;
    assert_eq!(tax_of(line(&quote, "A")?), ("IVA", 1_900, 10_000, 1_900));
    // 12 990 × 19 / 119 = 2 074.03 → 2 074.
    assert_eq!(tax_of(line(&quote, "B")?), ("IVA", 1_900, 10_916, 2_074));
    assert_eq!(tax_totals(&quote.taxes), vec![("IVA", "IVA 19%", 20_916, 3_974)]);
    Ok(())
}

#[test]
fn taxes_come_out_of_the_discounted_amount() -> TestResult {
    let quote = Shop::new(vec![promo("p", percent_lines(1_000, &[]))]).quote(vec![item("A", 1, 11_900)?])?;
    // 10 710 × 19 / 119 = 1 710.
    assert_eq!(tax_of(line(&quote, "A")?), ("IVA", 1_900, 9_000, 1_710));
    Ok(())
}

#[test]
fn peruvian_igv_is_contained_in_the_price() -> TestResult {
    let igv = tax_rate(Country::Peru, true, TaxCategory::Standard);
    let mut shop = Shop::new(vec![]);
    shop.currency = Currency::Pen;
    let soles = |amount| Money::new(amount, Currency::Pen);
    let lines = vec![
        cart_line("l1", "m1", "CEVICHE", 1, soles(1_180), igv.clone())?,
        cart_line("l1", "m1", "CHICHA", 1, soles(1_000), igv)?,
    ];
    let quote = shop.quote(lines)?;
    // S/ 11.80 contains S/ 1.80; S/ 10.00 contains 152.54 → 153 céntimos.
    assert_eq!(tax_of(line(&quote, "CEVICHE")?), ("IGV", 1_800, 1_000, 180));
    assert_eq!(tax_of(line(&quote, "CHICHA")?), ("IGV", 1_800, 847, 153));
    assert_eq!(tax_totals(&quote.taxes), vec![("IGV", "IGV 18%", 1_847, 333)]);
    assert_eq!(quote.total, soles(2_180));
    Ok(())
}

#[test]
fn colombian_restaurants_charge_inc_and_shops_iva_with_totals_per_part() -> TestResult {
    let inc = tax_rate(Country::Colombia, true, TaxCategory::Standard);
    let iva_co = tax_rate(Country::Colombia, false, TaxCategory::Standard);
    let exempt = tax_rate(Country::Colombia, false, TaxCategory::Exempt);
    let mut shop = Shop::new(vec![]);
    shop.currency = Currency::Cop;
    let pesos = |amount| Money::new(amount, Currency::Cop);
    let lines = vec![
        cart_line("restaurant", "m1", "BANDEJA", 2, pesos(10_800), inc)?,
        cart_line("shop", "m2", "CAMISETA", 1, pesos(11_900), iva_co)?,
        cart_line("shop", "m2", "ARROZ", 3, pesos(5_000), exempt)?,
    ];
    let quote = shop.quote(lines)?;
    assert_eq!(tax_of(line(&quote, "BANDEJA")?), ("INC", 800, 20_000, 1_600));
    assert_eq!(tax_of(line(&quote, "CAMISETA")?), ("IVA", 1_900, 10_000, 1_900));
    assert_eq!(tax_of(line(&quote, "ARROZ")?), ("EXENTO", 0, 15_000, 0));
    let parts: Vec<(&str, Vec<TaxFigures<'_>>)> =
        quote.parts.iter().map(|p| (p.location_id.as_str(), tax_totals(&p.taxes))).collect();
    assert_eq!(
        parts,
        vec![
            ("restaurant", vec![("INC", "INC 8%", 20_000, 1_600)]),
            ("shop", vec![("EXENTO", "EXENTO", 15_000, 0), ("IVA", "IVA 19%", 10_000, 1_900)]),
        ]
    );
    assert_eq!(
        tax_totals(&quote.taxes),
        vec![("EXENTO", "EXENTO", 15_000, 0), ("INC", "INC 8%", 20_000, 1_600), ("IVA", "IVA 19%", 10_000, 1_900)]
    );
    assert_eq!(quote.total, pesos(21_600 + 11_900 + 15_000));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Properties over random carts and promotions.
// ---------------------------------------------------------------------------------------------

const CHANNELS: [&str; 7] = ["qr", "web", "pos", "phone", "kiosk", "tablet", "shop:x"];
/// Locations and their merchants: m0 has two.
const LOCATIONS: [(&str, &str); 4] = [("l0", "m0"), ("l1", "m0"), ("l2", "m1"), ("l3", "m2")];
const MERCHANTS: [&str; 3] = ["m0", "m1", "m2"];
const SKU_COUNT: usize = 8;

fn fail(error: DomainError) -> TestCaseError {
    TestCaseError::fail(error.to_string())
}

fn skus(size: RangeInclusive<usize>) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence((0..SKU_COUNT).collect::<Vec<_>>(), size)
        .prop_map(|indices| indices.into_iter().map(|index| format!("S{index}")).collect())
}

fn kind(currency: Currency) -> impl Strategy<Value = PromotionKind> {
    let money = move |range: std::ops::Range<i64>| range.prop_map(move |amount| Money::new(amount, currency));
    prop_oneof![
        (1u32..=10_000, skus(0..=3)).prop_map(|(bps, skus)| PromotionKind::PercentOffLines { bps, skus }),
        (money(1..50_000), skus(0..=3)).prop_map(|(amount, skus)| PromotionKind::AmountOffLines { amount, skus }),
        (1u32..=10_000).prop_map(|bps| PromotionKind::PercentOffOrder { bps }),
        money(1..500_000).prop_map(|amount| PromotionKind::AmountOffOrder { amount }),
        (skus(1..=4), 1i64..=3, 1i64..=2, 1u32..=10_000)
            .prop_map(|(skus, buy, get, get_off_bps)| PromotionKind::BuyXGetY { skus, buy, get, get_off_bps }),
        (skus(2..=3), proptest::collection::vec(1i64..=2, 3), money(0..400_000)).prop_map(
            |(skus, quantities, price)| {
                let components =
                    skus.into_iter().zip(quantities).map(|(sku, quantity)| BundleComponent { sku, quantity }).collect();
                PromotionKind::Bundle { components, price }
            }
        ),
    ]
}

/// A coupon for a promotion: its limits and whether the customer typed its code.
#[derive(Debug, Clone)]
struct CouponSpec {
    state: CouponState,
    entered: bool,
}

fn coupon_spec() -> impl Strategy<Value = CouponSpec> {
    (
        proptest::option::of(0i64..3),
        0i64..3,
        proptest::option::of(0i64..3),
        proptest::option::of(0i64..3),
        proptest::bool::weighted(0.9),
        proptest::bool::weighted(0.7),
    )
        .prop_map(|(usage_limit, used, per_customer_limit, used_by_customer, active, entered)| CouponSpec {
            state: CouponState {
                code: String::new(),
                promotion_id: String::new(),
                usage_limit,
                used,
                per_customer_limit,
                used_by_customer,
                active,
            },
            entered,
        })
}

/// A random valid promotion (id and name set later); `channels` lets it name channels.
fn promotion(currency: Currency, channels: bool) -> impl Strategy<Value = (Promotion, CouponSpec)> {
    (
        kind(currency),
        0..=MERCHANTS.len(),
        any::<bool>(),
        -2i32..=2,
        proptest::bool::weighted(0.25),
        proptest::option::weighted(0.2, 0i64..300_000),
        proptest::option::weighted(0.2, proptest::sample::subsequence(vec![0usize, 1, 2, 3], 1..=2)),
        proptest::sample::subsequence(CHANNELS.to_vec(), 0..=2),
        (0u8..6, 0u8..6, proptest::bool::weighted(0.2), proptest::bool::weighted(0.95)),
        coupon_spec(),
    )
        .prop_map(
            move |(kind, merchant, operator, priority, exclusive, min_spend, locations, names, flags, spec)| {
                let (hours, window, requires_coupon, active) = flags;
                let promotion = Promotion {
                    id: String::new(),
                    name: String::new(),
                    merchant_id: MERCHANTS.get(merchant).map(|m| (*m).to_owned()),
                    funded_by: if operator { Funder::Operator } else { Funder::Merchant },
                    kind,
                    channels: if channels { names.into_iter().map(str::to_owned).collect() } else { vec![] },
                    location_ids: locations
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|index| LOCATIONS.get(index).map(|(l, _)| (*l).to_owned()))
                        .collect(),
                    valid_from_ms: match window {
                        1 => Some(NOW - 1_000),
                        2 => Some(NOW - 2_000),
                        3 => Some(NOW + 1),
                        _ => None,
                    },
                    valid_to_ms: match window {
                        1 => Some(NOW + 1_000),
                        2 => Some(NOW),
                        _ => None,
                    },
                    happy_hour: match hours {
                        1 => Some(HappyHour { weekdays: vec![3], start_minute: 15 * 60, end_minute: 17 * 60 }),
                        2 => Some(HappyHour { weekdays: vec![6, 7], start_minute: 12 * 60, end_minute: 15 * 60 }),
                        _ => None,
                    },
                    min_spend: min_spend.map(|amount| Money::new(amount, currency)),
                    requires_coupon,
                    priority,
                    exclusive,
                    active,
                };
                (promotion, spec)
            },
        )
}

fn price_list_strategy(currency: Currency, channels: bool) -> impl Strategy<Value = PriceList> {
    (
        0..MERCHANTS.len(),
        proptest::option::of(0..LOCATIONS.len()),
        proptest::option::weighted(0.5, proptest::sample::select(CHANNELS.to_vec())),
        0u8..4,
        proptest::bool::weighted(0.9),
        proptest::collection::btree_map(0..SKU_COUNT, 0i64..200_000, 1..=5),
    )
        .prop_map(move |(merchant, location, channel, window, active, prices)| PriceList {
            id: String::new(),
            name: String::new(),
            merchant_id: MERCHANTS.get(merchant).copied().unwrap_or("m0").to_owned(),
            channel: channel.filter(|_| channels).map(str::to_owned),
            location_id: location.and_then(|index| LOCATIONS.get(index)).map(|(l, _)| (*l).to_owned()),
            valid_from_ms: (window == 1).then_some(NOW - 10),
            valid_to_ms: match window {
                1 => Some(NOW + 10),
                2 => Some(NOW),
                _ => None,
            },
            active,
            prices: prices.into_iter().map(|(sku, price)| (format!("S{sku}"), Money::new(price, currency))).collect(),
        })
}

/// A priced cart and everything around it.
#[derive(Debug, Clone)]
struct Scenario {
    currency: Currency,
    lines: Vec<CartLine>,
    promotions: Vec<Promotion>,
    price_lists: Vec<PriceList>,
    coupons: Vec<CouponState>,
    codes: Vec<String>,
    local: LocalTime,
}

impl Scenario {
    fn quote(&self, channel: &str) -> Result<Quote, TestCaseError> {
        let context = PricingContext {
            currency: self.currency,
            channel,
            now_ms: NOW,
            local: self.local,
            price_lists: &self.price_lists,
            promotions: &self.promotions,
            coupon_codes: &self.codes,
            coupons: &self.coupons,
        };
        price_cart(&context, self.lines.clone()).map_err(fail)
    }
}

/// Settings of the scenarios a property draws.
#[derive(Debug, Clone, Copy)]
struct Draw {
    /// Promotions and price lists may name channels.
    channels: bool,
    /// Lines may repeat a SKU at a location (merged by the engine); else quantities up to the maximum.
    repeats: bool,
    /// Unit prices up to 10 000 000 000 minor units, not only up to 200 000.
    large_prices: bool,
}

fn currency() -> impl Strategy<Value = Currency> {
    proptest::sample::select(vec![Currency::Clp, Currency::Pen, Currency::Cop])
}

fn raw_lines(draw: Draw) -> BoxedStrategy<Vec<(usize, usize, i64)>> {
    let place = (0..LOCATIONS.len(), 0..SKU_COUNT);
    if draw.repeats {
        proptest::collection::vec((place, 1i64..=50).prop_map(|((l, s), q)| (l, s, q)), 1..30).boxed()
    } else {
        let quantity = prop_oneof![1i64..=50, 1i64..=MAX_QUANTITY_PER_LINE];
        proptest::collection::btree_map(place, quantity, 1..20)
            .prop_map(|lines| lines.into_iter().map(|((l, s), q)| (l, s, q)).collect())
            .boxed()
    }
}

fn scenario(draw: Draw) -> impl Strategy<Value = Scenario> {
    currency().prop_flat_map(move |currency| {
        // Small prices too, where percentages round to nothing.
        let price = if draw.large_prices {
            prop_oneof![4 => 0i64..200_000, 1 => 0i64..20, 2 => 0i64..=10_000_000_000].boxed()
        } else {
            prop_oneof![4 => 0i64..200_000, 1 => 0i64..20].boxed()
        };
        (
            Just(currency),
            proptest::collection::vec(price, LOCATIONS.len() * SKU_COUNT),
            proptest::collection::vec(0usize..4, LOCATIONS.len()),
            raw_lines(draw),
            proptest::collection::vec(promotion(currency, draw.channels), 0..=10),
            proptest::collection::vec(price_list_strategy(currency, draw.channels), 0..=4),
            proptest::bool::ANY,
        )
            .prop_filter_map("valid lines", build_scenario)
    })
}

type Parts =
    (Currency, Vec<i64>, Vec<usize>, Vec<(usize, usize, i64)>, Vec<(Promotion, CouponSpec)>, Vec<PriceList>, bool);

fn build_scenario(parts: Parts) -> Option<Scenario> {
    let (currency, prices, taxes, raw, promotions, mut price_lists, afternoon) = parts;
    let rates = [
        tax_rate(Country::Chile, false, TaxCategory::Standard),
        tax_rate(Country::Peru, false, TaxCategory::Standard),
        tax_rate(Country::Colombia, true, TaxCategory::Standard),
        tax_rate(Country::Colombia, false, TaxCategory::Exempt),
    ];
    let mut lines = Vec::with_capacity(raw.len());
    for (location, sku, quantity) in raw {
        let (location_id, merchant_id) = LOCATIONS.get(location)?;
        let price = *prices.get(location * SKU_COUNT + sku)?;
        let tax = rates.get(*taxes.get(location)?)?.clone();
        lines.push(
            cart_line(location_id, merchant_id, &format!("S{sku}"), quantity, Money::new(price, currency), tax).ok()?,
        );
    }
    let mut coupons = Vec::new();
    let mut codes = vec!["no-such-code".to_owned()];
    let mut kept = Vec::with_capacity(promotions.len());
    for (index, (mut promotion, spec)) in promotions.into_iter().enumerate() {
        promotion.id = format!("p{index:02}");
        promotion.name = format!("Promo {index}");
        if promotion.requires_coupon || index % 3 == 0 {
            let code = format!("C-{}", promotion.id).to_uppercase();
            if spec.entered {
                codes.push(format!(" {} ", code.to_lowercase()));
            }
            coupons.push(CouponState { code, promotion_id: promotion.id.clone(), ..spec.state });
        }
        promotion.validate().ok()?;
        kept.push(promotion);
    }
    for (index, list) in price_lists.iter_mut().enumerate() {
        list.id = format!("pl{index}");
        list.name = format!("List {index}");
    }
    let local = if afternoon { WEDNESDAY_4PM } else { LocalTime { weekday: 6, minute: 13 * 60 } };
    Some(Scenario { currency, lines, promotions: kept, price_lists, coupons, codes, local })
}

fn sum(amounts: impl Iterator<Item = Money>) -> i64 {
    amounts.map(|m| m.amount_minor).sum()
}

/// Totals of `(code, rate)` over some lines' taxes: `(base, amount)`.
fn taxes_by_rate<'a>(lines: impl Iterator<Item = &'a QuotedLine>) -> Vec<((String, u32), (i64, i64))> {
    let mut totals: std::collections::BTreeMap<(String, u32), (i64, i64)> = std::collections::BTreeMap::new();
    for line in lines {
        let entry = totals.entry((line.tax.code.clone(), line.tax.rate_bps)).or_default();
        entry.0 += line.tax.base.amount_minor;
        entry.1 += line.tax.amount.amount_minor;
    }
    totals.into_iter().collect()
}

fn totals_by_rate(totals: &[super::engine::TaxTotal]) -> Vec<((String, u32), (i64, i64))> {
    totals.iter().map(|t| ((t.code.clone(), t.rate_bps), (t.base.amount_minor, t.amount.amount_minor))).collect()
}

/// Every figure of the quote adds up exactly, in one currency.
fn check_adds_up(quote: &Quote) -> Result<(), TestCaseError> {
    let currency = quote.currency;
    for line in &quote.lines {
        let figures =
            [line.base_price, line.unit_price, line.gross, line.discount, line.total, line.tax.base, line.tax.amount];
        prop_assert!(figures.iter().chain(line.discounts.iter().map(|d| &d.amount)).all(|m| m.currency == currency));
        prop_assert_eq!(line.gross.amount_minor, line.unit_price.amount_minor * line.quantity);
        prop_assert_eq!(line.gross.amount_minor - line.discount.amount_minor, line.total.amount_minor);
        prop_assert_eq!(sum(line.discounts.iter().map(|d| d.amount)), line.discount.amount_minor);
        prop_assert_eq!(line.tax.base.amount_minor + line.tax.amount.amount_minor, line.total.amount_minor);
        prop_assert!(line.total.amount_minor >= 0);
        prop_assert!(line.tax.amount.amount_minor >= 0 && line.tax.base.amount_minor >= 0);
    }
    prop_assert_eq!(quote.gross.amount_minor, sum(quote.lines.iter().map(|l| l.gross)));
    prop_assert_eq!(quote.discount.amount_minor, sum(quote.lines.iter().map(|l| l.discount)));
    prop_assert_eq!(quote.total.amount_minor, sum(quote.lines.iter().map(|l| l.total)));
    prop_assert_eq!(quote.gross.amount_minor - quote.discount.amount_minor, quote.total.amount_minor);
    // Parts.
    prop_assert_eq!(sum(quote.parts.iter().map(|p| p.gross)), quote.gross.amount_minor);
    prop_assert_eq!(sum(quote.parts.iter().map(|p| p.discount)), quote.discount.amount_minor);
    prop_assert_eq!(sum(quote.parts.iter().map(|p| p.subtotal)), quote.total.amount_minor);
    for part in &quote.parts {
        let lines = || quote.lines.iter().filter(|l| l.location_id == part.location_id);
        prop_assert_eq!(
            part.merchant_funded.amount_minor + part.operator_funded.amount_minor,
            part.discount.amount_minor
        );
        prop_assert_eq!(part.gross.amount_minor - part.discount.amount_minor, part.subtotal.amount_minor);
        prop_assert_eq!(part.subtotal.amount_minor, sum(lines().map(|l| l.total)));
        prop_assert_eq!(totals_by_rate(&part.taxes), taxes_by_rate(lines()));
        prop_assert_eq!(
            sum(part.taxes.iter().map(|t| t.base)) + sum(part.taxes.iter().map(|t| t.amount)),
            part.subtotal.amount_minor
        );
    }
    prop_assert_eq!(totals_by_rate(&quote.taxes), taxes_by_rate(quote.lines.iter()));
    prop_assert_eq!(sum(quote.taxes.iter().map(|t| t.amount)), sum(quote.lines.iter().map(|l| l.tax.amount)));
    // Promotions: what each gave is on the lines, and together they are the discount.
    let applied = quote.promotions.iter().filter(|o| o.applied);
    prop_assert_eq!(sum(applied.map(|o| o.amount)), quote.discount.amount_minor);
    for outcome in &quote.promotions {
        let on_lines = quote.lines.iter().flat_map(|l| &l.discounts).filter(|d| d.promotion_id == outcome.promotion_id);
        prop_assert_eq!(sum(on_lines.map(|d| d.amount)), outcome.amount.amount_minor);
        prop_assert_eq!(outcome.applied, outcome.reason.is_none());
        prop_assert_eq!(outcome.reason.is_some(), outcome.message.is_some());
        if outcome.applied {
            prop_assert!(outcome.amount.amount_minor > 0, "{} applied and gave nothing", outcome.promotion_id);
        }
    }
    // Lines are merged per location and SKU and sorted; one part per location, sorted.
    let keys: Vec<(&str, &str)> = quote.lines.iter().map(|l| (l.location_id.as_str(), l.sku.as_str())).collect();
    prop_assert!(keys.windows(2).all(|pair| pair[0] < pair[1]), "lines not merged and sorted: {:?}", keys);
    let locations: Vec<&str> = quote.parts.iter().map(|p| p.location_id.as_str()).collect();
    let mut expected: Vec<&str> = keys.iter().map(|(location, _)| *location).collect();
    expected.dedup();
    prop_assert_eq!(locations, expected);
    for coupon in &quote.coupons {
        prop_assert!(coupon.applied != coupon.reason.is_some(), "coupon {} without a reason", coupon.code);
        if coupon.applied {
            let promotion = quote.promotions.iter().find(|o| Some(&o.promotion_id) == coupon.promotion_id.as_ref());
            prop_assert!(promotion.is_some_and(|o| o.applied), "coupon {} redeemed for nothing", coupon.code);
        }
    }
    Ok(())
}

/// The stacking rules of the engine's module docs hold on every line.
fn check_stacking(quote: &Quote, promotions: &[Promotion]) -> Result<(), TestCaseError> {
    let by_id: HashMap<&str, &Promotion> = promotions.iter().map(|p| (p.id.as_str(), p)).collect();
    for line in &quote.lines {
        let mut given = Vec::with_capacity(line.discounts.len());
        for discount in &line.discounts {
            let promotion =
                by_id.get(discount.promotion_id.as_str()).ok_or_else(|| TestCaseError::fail("unknown id"))?;
            prop_assert_eq!(discount.funded_by, promotion.funded_by);
            given.push(*promotion);
        }
        let ids: Vec<&str> = given.iter().map(|p| p.id.as_str()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        prop_assert_eq!(unique.len(), ids.len(), "a promotion applied twice to {}", line.sku);
        // Line-level discounts come first.
        let first_order = given.iter().position(|p| !p.kind.is_line_level()).unwrap_or(given.len());
        prop_assert!(given.iter().skip(first_order).all(|p| !p.kind.is_line_level()));
        let (line_level, order_level) = given.split_at(first_order);
        if line_level.iter().any(|p| p.exclusive) {
            prop_assert!(order_level.is_empty(), "{}: exclusive line discount and order discounts {:?}", line.sku, ids);
        }
        if order_level.iter().any(|p| p.exclusive) {
            prop_assert_eq!(given.len(), 1, "{}: an exclusive order discount combined: {:?}", line.sku, ids);
        }
        // A line only explains line-level promotions aimed at it, which gave it nothing.
        for note in &line.not_applied {
            let promotion = by_id.get(note.promotion_id.as_str()).ok_or_else(|| TestCaseError::fail("unknown id"))?;
            prop_assert!(promotion.kind.is_line_level());
            prop_assert!(
                !ids.contains(&note.promotion_id.as_str()),
                "{} both applied and not to {}",
                note.promotion_id,
                line.sku
            );
            prop_assert_eq!(&note.message, &note.reason.message());
        }
        // A promotion gives only where its merchant, SKUs and locations allow.
        for promotion in &given {
            prop_assert!(promotion.merchant_id.as_ref().is_none_or(|m| *m == line.merchant_id));
            let skus = promotion.kind.skus();
            prop_assert!(skus.is_empty() || skus.contains(&line.sku.as_str()));
            prop_assert!(promotion.location_ids.is_empty() || promotion.location_ids.contains(&line.location_id));
        }
    }
    Ok(())
}

/// The quote without what names the channel.
fn channel_free(quote: &Quote) -> Quote {
    Quote { channel: String::new(), ..quote.clone() }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Channel-agnostic promotions and price lists: the same cart costs the same in every
    /// channel, line by line, and in whatever order its lines come.
    #[test]
    fn one_price_in_every_channel(scenario in scenario(Draw { channels: false, repeats: true, large_prices: false })) {
        let reference = channel_free(&scenario.quote("qr")?);
        check_adds_up(&reference)?;
        check_stacking(&reference, &scenario.promotions)?;
        for channel in CHANNELS {
            let quote = scenario.quote(channel)?;
            prop_assert_eq!(&quote.channel, channel);
            prop_assert_eq!(channel_free(&quote), reference.clone(), "channel {}", channel);
        }
        let mut reversed = scenario.clone();
        reversed.lines.reverse();
        prop_assert_eq!(channel_free(&reversed.quote("web")?), reference);
    }

    /// Any quantity, any price, CLP, PEN or COP, any channel: every figure adds up exactly and
    /// the stacking rules hold.
    #[test]
    fn every_figure_adds_up(
        scenario in scenario(Draw { channels: true, repeats: false, large_prices: true }),
        channel in proptest::sample::select(CHANNELS.to_vec()),
    ) {
        let quote = scenario.quote(channel)?;
        check_adds_up(&quote)?;
        check_stacking(&quote, &scenario.promotions)?;
    }

    /// Discounts never exceed the gross amount, line by line.
    #[test]
    fn discounts_never_exceed_gross(scenario in scenario(Draw { channels: true, repeats: true, large_prices: false })) {
        let quote = scenario.quote("web")?;
        for line in &quote.lines {
            prop_assert!(line.discount.amount_minor >= 0);
            prop_assert!(line.discount.amount_minor <= line.gross.amount_minor, "{}: {:?}", line.sku, line.discounts);
        }
        prop_assert!(quote.discount.amount_minor <= quote.gross.amount_minor);
    }

    /// Without promotions a cart costs the sum of unit price × quantity: of base prices without
    /// price lists, of the listed prices with them.
    #[test]
    fn no_promotions_no_discount(scenario in scenario(Draw { channels: true, repeats: true, large_prices: true })) {
        let mut bare = scenario.clone();
        bare.promotions.clear();
        bare.price_lists.clear();
        let quote = bare.quote("pos")?;
        let expected: i64 = bare.lines.iter().map(|l| l.base_price.amount_minor * l.quantity.get()).sum();
        prop_assert_eq!(quote.total.amount_minor, expected);
        prop_assert_eq!(quote.discount.amount_minor, 0);
        prop_assert!(quote.promotions.is_empty());
        prop_assert!(quote.lines.iter().all(|l| l.price_source.kind == "base" && l.unit_price == l.base_price));
        let mut listed = scenario;
        listed.promotions.clear();
        let quote = listed.quote("web")?;
        let expected: i64 = quote.lines.iter().map(|l| l.unit_price.amount_minor * l.quantity).sum();
        prop_assert_eq!(quote.total.amount_minor, expected);
        prop_assert_eq!(quote.discount.amount_minor, 0);
        check_adds_up(&quote)?;
    }
}

#[test]
fn modifiers_add_to_the_unit_price_and_keep_lines_apart() -> Result<(), DomainError> {
    use crate::modifiers::ChosenModifier;
    let extra = |option: &str, amount: i64| ChosenModifier {
        group: "Agregados".into(),
        option: option.into(),
        price: clp(amount),
    };
    let mut cheese = item("PIZZA", 1, 8_990)?;
    cheese.modifiers = vec![extra("Extra queso", 990)];
    let mut plain = item("PIZZA", 2, 8_990)?;
    plain.note = Some("sin cebolla".into());
    let mut cheese_again = item("PIZZA", 1, 8_990)?;
    cheese_again.modifiers = vec![extra("Extra queso", 990)];
    let promotions: Vec<Promotion> = Vec::new();
    let lists: Vec<PriceList> = Vec::new();
    let context = PricingContext {
        currency: Currency::Clp,
        channel: "qr",
        now_ms: 0,
        local: LocalTime { weekday: 1, minute: 0 },
        price_lists: &lists,
        promotions: &promotions,
        coupon_codes: &[],
        coupons: &[],
    };
    let quote = price_cart(&context, vec![cheese, plain, cheese_again])?;
    assert_eq!(quote.lines.len(), 2, "equal choices merge, different ones do not");
    let with_cheese = quote.lines.iter().find(|l| !l.modifiers.is_empty()).ok_or(DomainError::Overflow)?;
    assert_eq!((with_cheese.quantity, with_cheese.unit_price.amount_minor), (2, 9_980));
    let with_note = quote.lines.iter().find(|l| l.note.is_some()).ok_or(DomainError::Overflow)?;
    assert_eq!((with_note.quantity, with_note.total.amount_minor), (2, 17_980));
    assert_eq!(quote.total.amount_minor, 2 * 9_980 + 17_980);
    Ok(())
}
