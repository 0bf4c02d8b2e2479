//! The carts the parity test prices with both engines: seeded, random but shaped like real ones
//! (four locations of three merchants, eight SKUs, every promotion kind, coupons, price lists),
//! with the edges mixed in at a few percent each — zero prices, 9 999 units, prices near the
//! 64-bit limit, mixed currencies, bad SKUs and quantities, empty and oversized carts.
//!
//! The input shape is the JS module's: the engine's own serde types for price lists, promotions
//! and coupons, and [`Line`] for a cart line before its SKU and quantity are parsed.

use omnicanal_domain::catalog::{Quantity, Sku};
use omnicanal_domain::modifiers::ChosenModifier;
use omnicanal_domain::pricing::promotion::{BundleComponent, HappyHour};
use omnicanal_domain::pricing::tax::TaxRate;
use omnicanal_domain::pricing::{
    CartLine, CouponState, Funder, LocalTime, ManualDiscount, PriceList, Promotion, PromotionKind,
};
use omnicanal_domain::{Currency, DomainError, Money};
use serde::Serialize;
use std::collections::HashMap;

/// The pricing instant of every cart; windows are drawn around it.
const NOW: i64 = 1_780_000_000_000;
const CHANNELS: [&str; 7] = ["qr", "web", "pos", "phone", "kiosk", "tablet", "shop:x"];
const LOCATIONS: [(&str, &str); 4] = [("l0", "m0"), ("l1", "m0"), ("l2", "m1"), ("l3", "m2")];
const MERCHANTS: [&str; 3] = ["m0", "m1", "m2"];
const SKUS: [&str; 8] = ["S0", "S1", "S2", "S3", "S4", "S5", "S6", "S7"];

/// SplitMix64: a seeded generator small enough to keep here, so the test needs no new crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    fn range(&mut self, low: i64, high: i64) -> i64 {
        let span = high.abs_diff(low).saturating_add(1);
        low.wrapping_add_unsigned(self.next() % span)
    }

    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let index = usize::try_from(self.next() % items.len() as u64).unwrap_or(0);
        &items[index]
    }

    /// A random subset of `items`, in their order.
    fn subset(&mut self, items: &[&str], percent: u64) -> Vec<String> {
        items.iter().filter(|_| self.chance(percent)).map(|s| (*s).to_owned()).collect()
    }
}

/// A cart line as the JS module takes it: SKU and quantity not yet parsed.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub sku: String,
    pub location_id: String,
    pub merchant_id: String,
    pub quantity: i64,
    pub base_price: Money,
    pub tax: TaxRate,
    pub track_stock: bool,
    pub modifiers: Vec<ChosenModifier>,
    pub note: Option<String>,
    /// A cashier's manual discount (the till's), in the engine's own JSON.
    pub manual_discount: Option<ManualDiscount>,
}

/// Everything `priceCart` takes.
#[derive(Debug, Clone, Serialize)]
pub struct Cart {
    pub currency: Currency,
    pub channel: String,
    pub now_ms: i64,
    pub local: LocalTime,
    pub price_lists: Vec<PriceList>,
    pub promotions: Vec<Promotion>,
    pub coupon_codes: Vec<String>,
    pub coupons: Vec<CouponState>,
    pub lines: Vec<Line>,
}

impl Cart {
    /// The engine's lines, parsed in order as the JS module parses them.
    pub fn cart_lines(&self) -> Result<Vec<CartLine>, DomainError> {
        self.lines
            .iter()
            .map(|line| {
                Ok(CartLine {
                    sku: Sku::parse(&line.sku)?,
                    quantity: Quantity::parse(line.quantity)?,
                    location_id: line.location_id.clone(),
                    merchant_id: line.merchant_id.clone(),
                    base_price: line.base_price,
                    tax: line.tax.clone(),
                    track_stock: line.track_stock,
                    modifiers: line.modifiers.clone(),
                    note: line.note.clone(),
                    manual_discount: line.manual_discount,
                })
            })
            .collect()
    }
}

/// Another currency than `currency`, for the mixed-currency refusals.
fn other(currency: Currency) -> Currency {
    if currency == Currency::Clp { Currency::Pen } else { Currency::Clp }
}

/// A currency that is the cart's except in `percent` % of cases.
fn mostly(rng: &mut Rng, currency: Currency, percent: u64) -> Currency {
    if rng.chance(percent) { other(currency) } else { currency }
}

/// A unit price: usually shop-sized, sometimes zero, rarely up to the catalog's limit of 10^12
/// (9 999 of those pass Number's exact range, which the JS module answers with BigInts; 201 such
/// lines still fit in i64, where the engine's unchecked sums would panic in a debug build).
fn price(rng: &mut Rng) -> i64 {
    match rng.range(0, 99) {
        0..=2 => 0,
        3..=4 => rng.range(100_000_000_000, 1_000_000_000_000),
        5..=9 => rng.range(1, 99),
        // A common shelf price, so lines tie on price and the tie rules are exercised.
        10..=19 => 990,
        _ => rng.range(100, 40_000),
    }
}

/// One random cart, priced at [`NOW`].
pub fn cart(rng: &mut Rng) -> Cart {
    let currency = *rng.pick(&[Currency::Clp, Currency::Clp, Currency::Pen, Currency::Cop, Currency::Usd]);
    let base_prices: Vec<i64> = SKUS.iter().map(|_| price(rng)).collect();
    // Most lines at one location, so 2×1s and combos find their units together.
    let home = *rng.pick(&LOCATIONS);
    let mut lines: Vec<Line> = (0..rng.range(1, 6)).map(|_| line(rng, currency, &base_prices, home)).collect();
    match rng.range(0, 199) {
        0 => lines.clear(),
        1 => lines = (0..201).map(|_| line(rng, currency, &base_prices, home)).collect(),
        2 => lines.push(Line { quantity: 9_999, ..lines[0].clone() }),
        3 => lines.truncate(1),
        // The catalog's largest price, 9 999 times: past Number's exact range, within i64.
        4..=5 => {
            lines[0].base_price.amount_minor = 1_000_000_000_000;
            lines[0].quantity = 9_999;
        }
        _ => {}
    }
    if rng.range(0, 199) == 3 && !lines.is_empty() {
        // One line whose gross passes the 64-bit limit: refused as an overflow.
        lines[0].base_price.amount_minor = 1_000_000_000_000_000;
        lines[0].quantity = 9_999;
        lines[0].modifiers.clear();
    }
    let mut promotions: Vec<Promotion> = (0..rng.range(0, 6)).map(|n| promotion(rng, currency, n)).collect();
    if rng.chance(8) {
        stacked(rng, &mut promotions);
    }
    let (coupons, coupon_codes) = coupons(rng, &promotions);
    let any_minute = rng.range(0, 1_439);
    // Minutes inside and at the edges of the generated happy hours, and any other.
    let minute = *rng.pick(&[any_minute, 16 * 60, 13 * 60, 23 * 60, 30, 17 * 60, 12 * 60]);
    Cart {
        currency,
        channel: (*rng.pick(&CHANNELS)).to_owned(),
        now_ms: NOW,
        local: LocalTime {
            weekday: u8::try_from(rng.range(1, 7)).unwrap_or(1),
            minute: u16::try_from(minute).unwrap_or(0),
        },
        price_lists: (0..rng.range(0, 4)).map(|n| price_list(rng, currency, n)).collect(),
        promotions,
        coupon_codes,
        coupons,
        lines,
    }
}

fn line(rng: &mut Rng, currency: Currency, base_prices: &[i64], home: (&str, &str)) -> Line {
    let index = usize::try_from(if rng.chance(60) { rng.range(0, 2) } else { rng.range(0, 7) }).unwrap_or(0);
    let (location, merchant) = if rng.chance(70) { home } else { *rng.pick(&LOCATIONS) };
    let sku = match rng.range(0, 299) {
        0 => format!("  {}\t", SKUS[index]),
        1 => "bad sku!".to_owned(),
        2 => String::new(),
        3 => "X".repeat(65),
        4 => "ñ".repeat(40),
        _ => SKUS[index].to_owned(),
    };
    let quantity = match rng.range(0, 99) {
        0 => 9_999,
        1 => 5_000,
        2 if rng.chance(30) => 0,
        3 if rng.chance(30) => 10_000,
        4..=20 => rng.range(4, 12),
        _ => rng.range(1, 3),
    };
    let modifiers = (0..*rng.pick(&[0, 0, 0, 1, 2]))
        .map(|_| {
            let (group, option, amount) =
                *rng.pick(&[("size", "big", 500), ("extra", "cheese", 300), ("extra", "none", -200)]);
            ChosenModifier {
                group: group.to_owned(),
                option: option.to_owned(),
                price: Money::new(amount, mostly(rng, currency, 2)),
            }
        })
        .collect();
    let tax = rng.pick(&[("IVA", 1_900), ("IGV", 1_800), ("INC", 800), ("EXENTO", 0), ("IVA", 1_950)]);
    Line {
        sku,
        location_id: location.to_owned(),
        merchant_id: merchant.to_owned(),
        quantity,
        base_price: Money::new(base_prices[index], mostly(rng, currency, 1)),
        tax: TaxRate { code: tax.0.to_owned(), rate_bps: tax.1 },
        track_stock: rng.chance(50),
        modifiers,
        note: rng.chance(15).then(|| (*rng.pick(&["sin cebolla", "bien cocido"])).to_owned()),
        manual_discount: manual_discount(rng, currency),
    }
}

/// A cashier's manual discount on a quarter of the lines: percents from nothing to all of it
/// (rarely past 100 %, refused), amounts from a peso to more than the line (capped), rarely
/// negative or in another currency (refused).
fn manual_discount(rng: &mut Rng, currency: Currency) -> Option<ManualDiscount> {
    if !rng.chance(25) {
        return None;
    }
    if rng.chance(50) {
        let bps = match rng.range(0, 99) {
            0 => 10_001,
            1..=5 => 10_000,
            6..=10 => 0,
            11..=40 => *rng.pick(&[500, 1_000, 1_250, 1_500, 3_333, 5_000]),
            _ => u32::try_from(rng.range(1, 9_999)).unwrap_or(1),
        };
        Some(ManualDiscount::Percent { bps })
    } else {
        let amount = match rng.range(0, 99) {
            0 => -1,
            1..=5 => 0,
            6..=10 => 1_000_000_000_000_000,
            _ => rng.range(1, 20_000),
        };
        Some(ManualDiscount::Amount { amount: Money::new(amount, mostly(rng, currency, 1)) })
    }
}

/// A window around [`NOW`]: open, current, over, not begun.
fn window(rng: &mut Rng) -> (Option<i64>, Option<i64>) {
    match rng.range(0, 9) {
        0 => (Some(NOW - 1_000), Some(NOW + 1_000)),
        1 => (Some(NOW - 2_000), Some(NOW)),
        2 => (Some(NOW + 1), None),
        3 => (Some(NOW), None),
        4 => (None, Some(NOW + 1)),
        5 => (Some(NOW - 500), Some(NOW + 500)),
        _ => (None, None),
    }
}

fn price_list(rng: &mut Rng, currency: Currency, n: i64) -> PriceList {
    let (valid_from_ms, valid_to_ms) = window(rng);
    PriceList {
        // Ids repeat now and then: ties between lists are then broken as the engine says.
        id: format!("pl{}", if rng.chance(10) { 0 } else { rng.range(1, 9) * 10 + n }),
        name: format!("Lista {n}"),
        merchant_id: (*rng.pick(&MERCHANTS)).to_owned(),
        channel: rng.chance(30).then(|| (*rng.pick(&CHANNELS)).to_owned()),
        location_id: rng.chance(30).then(|| rng.pick(&LOCATIONS).0.to_owned()),
        valid_from_ms,
        valid_to_ms,
        active: rng.chance(90),
        prices: list_prices(rng, currency),
    }
}

fn list_prices(rng: &mut Rng, currency: Currency) -> HashMap<String, Money> {
    let mut prices = HashMap::new();
    for sku in SKUS {
        if rng.chance(50) {
            prices.insert(sku.to_owned(), Money::new(price(rng), mostly(rng, currency, 3)));
        }
    }
    prices
}

fn kind(rng: &mut Rng, currency: Currency) -> PromotionKind {
    let amount = |rng: &mut Rng, low, high| Money::new(rng.range(low, high), mostly(rng, currency, 2));
    let skus = |rng: &mut Rng, percent| rng.subset(&SKUS, percent);
    let bps = |rng: &mut Rng| {
        let any = rng.range(1, 10_000);
        u32::try_from(*rng.pick(&[any, 10_000, 5_000, 1_000, 1])).unwrap_or(1)
    };
    match rng.range(0, 6) {
        0 => PromotionKind::PercentOffLines { bps: bps(rng), skus: skus(rng, 25) },
        1 => PromotionKind::AmountOffLines { amount: amount(rng, 1, 50_000), skus: skus(rng, 25) },
        2 => PromotionKind::PercentOffOrder { bps: bps(rng) },
        3 => PromotionKind::AmountOffOrder { amount: amount(rng, 1, 500_000) },
        4 => {
            let mut skus = skus(rng, 40);
            if skus.is_empty() {
                skus.push((*rng.pick(&SKUS)).to_owned());
            }
            // `Promotion::validate` refuses a zero; the engine must still not divide by it.
            let buy = if rng.chance(2) { 0 } else { rng.range(1, 3) };
            PromotionKind::BuyXGetY { skus, buy, get: rng.range(1, 2), get_off_bps: bps(rng) }
        }
        _ => {
            let mut names = if rng.chance(80) { rng.subset(&SKUS[..3], 70) } else { skus(rng, 30) };
            while names.len() < 2 {
                names.push((*rng.pick(&SKUS)).to_owned());
                names.dedup();
            }
            let components = names
                .into_iter()
                .map(|sku| BundleComponent { sku, quantity: if rng.chance(1) { 0 } else { rng.range(1, 2) } })
                .collect();
            let price = if rng.chance(80) { amount(rng, 0, 15_000) } else { amount(rng, 0, 60_000) };
            PromotionKind::Bundle { components, price }
        }
    }
}

fn promotion(rng: &mut Rng, currency: Currency, n: i64) -> Promotion {
    let (valid_from_ms, valid_to_ms) = window(rng);
    Promotion {
        id: format!("p{}", rng.range(0, 9) * 10 + n),
        name: format!("Promo {n}"),
        merchant_id: rng.chance(75).then(|| (*rng.pick(&MERCHANTS)).to_owned()),
        funded_by: if rng.chance(30) { Funder::Operator } else { Funder::Merchant },
        kind: kind(rng, currency),
        channels: if rng.chance(25) { rng.subset(&CHANNELS, 40) } else { Vec::new() },
        location_ids: if rng.chance(20) { rng.subset(&["l0", "l1", "l2", "l3"], 50) } else { Vec::new() },
        valid_from_ms,
        valid_to_ms,
        happy_hour: match rng.range(0, 9) {
            0 => Some(HappyHour { weekdays: vec![3], start_minute: 15 * 60, end_minute: 17 * 60 }),
            1 => Some(HappyHour { weekdays: vec![5, 6], start_minute: 22 * 60, end_minute: 60 }),
            2 => Some(HappyHour { weekdays: vec![1, 2, 3, 4, 5, 6, 7], start_minute: 12 * 60, end_minute: 15 * 60 }),
            3 => Some(HappyHour { weekdays: vec![7], start_minute: 23 * 60, end_minute: 120 }),
            _ => None,
        },
        min_spend: rng.chance(20).then(|| Money::new(rng.range(0, 60_000), mostly(rng, currency, 5))),
        requires_coupon: rng.chance(25),
        priority: i32::try_from(rng.range(-2, 2)).unwrap_or(0),
        exclusive: rng.chance(25),
        active: rng.chance(95),
    }
}

/// Several open promotions on the same few SKUs, so the stacking rules (one line-level discount
/// per unit, exclusive ones combining with nothing) meet each other often.
fn stacked(rng: &mut Rng, promotions: &mut [Promotion]) {
    for promotion in promotions.iter_mut() {
        promotion.merchant_id = None;
        promotion.channels.clear();
        promotion.location_ids.clear();
        promotion.valid_from_ms = None;
        promotion.valid_to_ms = None;
        promotion.happy_hour = None;
        promotion.requires_coupon = false;
        promotion.active = true;
        promotion.exclusive = rng.chance(40);
        match &mut promotion.kind {
            PromotionKind::PercentOffLines { skus, .. } | PromotionKind::AmountOffLines { skus, .. } => {
                *skus = rng.subset(&SKUS[..2], 60);
            }
            PromotionKind::BuyXGetY { skus, .. } => *skus = vec![SKUS[0].to_owned()],
            _ => {}
        }
    }
}

/// Coupons for some promotions (two for one of them now and then) and the codes the customer
/// typed: theirs in any case and spacing, unknown ones, empty ones and repeats.
fn coupons(rng: &mut Rng, promotions: &[Promotion]) -> (Vec<CouponState>, Vec<String>) {
    let mut coupons = Vec::new();
    let mut codes = Vec::new();
    for (n, promotion) in promotions.iter().enumerate() {
        let count = if promotion.requires_coupon { rng.range(1, 2) } else { i64::from(rng.chance(10)) };
        for k in 0..count {
            let code = format!("CUPÓN{n}{k}");
            let small = |rng: &mut Rng| rng.chance(50).then(|| rng.range(0, 2));
            coupons.push(CouponState {
                code: code.clone(),
                promotion_id: promotion.id.clone(),
                usage_limit: small(rng),
                used: rng.range(0, 2),
                per_customer_limit: small(rng),
                used_by_customer: small(rng),
                active: rng.chance(90),
            });
            if rng.chance(75) {
                codes.push(match rng.range(0, 3) {
                    0 => format!("  {}\n", code.to_lowercase()),
                    1 => code.to_lowercase(),
                    _ => code,
                });
            }
        }
    }
    for _ in 0..*rng.pick(&[0, 0, 0, 1, 2]) {
        codes.push((*rng.pick(&["NOPE", "", "   ", "cupón00"])).to_owned());
    }
    if !codes.is_empty() && rng.chance(10) {
        codes.push(codes[0].clone());
    }
    (coupons, codes)
}
