//! Workload (d), pricing: the pure pricing engine, in-process, with no server and no I/O.
//!
//! One cart of 20 lines at four locations of three merchants is priced `iterations` times, one
//! quote after another on one thread, against 50 active promotions of every kind (percent and
//! amount off lines, percent and amount off the order, buy X get Y, bundles; some site-wide,
//! some exclusive, some behind happy hours, windows, channels, minimum spends or coupons) and six
//! price lists. Reports the latency of one `price_cart` call (median, p99) and quotes per second.
//! Every quote must equal the first one, and the first must add up, else the run fails.

use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;
use std::time::{Duration, Instant};

use omnicanal_domain::catalog::{Country, Quantity, Sku};
use omnicanal_domain::pricing::promotion::{BundleComponent, HappyHour, NotAppliedReason};
use omnicanal_domain::pricing::tax::tax_rate;
use omnicanal_domain::pricing::{
    CartLine, CouponState, Funder, LocalTime, PriceList, PricingContext, Promotion, PromotionKind, TaxCategory,
    price_cart,
};
use omnicanal_domain::{Currency, Money};

use crate::report::Outcome;
use crate::stats::{Latencies, Row};

/// Settings of the pricing workload.
#[derive(Debug, Clone)]
pub struct PricingOptions {
    /// Quotes to time (after `iterations / 10` untimed warm-up quotes, at most 1 000).
    pub iterations: usize,
}

/// The instant of pricing: a Wednesday, 13:00 on the site's clock.
const NOW_MS: i64 = 1_750_255_200_000;
const LOCAL: LocalTime = LocalTime { weekday: 3, minute: 13 * 60 };
const DAY_MS: i64 = 86_400_000;
const CHANNEL: &str = "qr";
const COUPON: &str = "BENCH10";

/// `(sku, unit price, quantity)`.
type Item = (&'static str, i64, i64);

/// `(location, merchant, its five lines)`: 20 lines in all.
const CART: [(&str, &str, [Item; 5]); 4] = [
    (
        "l-sushi",
        "m-sushi",
        [("ROLL", 7_990, 2), ("NIGIRI", 5_490, 1), ("MISO", 2_490, 2), ("GYOZA", 4_990, 1), ("TEA", 1_990, 3)],
    ),
    (
        "l-burger-centro",
        "m-burger",
        [("BURGER", 6_990, 2), ("FRIES", 2_490, 2), ("DRINK", 1_990, 2), ("SHAKE", 3_490, 1), ("NUGGETS", 3_990, 1)],
    ),
    (
        "l-burger-mall",
        "m-burger",
        [("BURGER", 6_990, 1), ("FRIES", 2_490, 1), ("DRINK", 1_990, 3), ("SHAKE", 3_490, 2), ("SALAD", 4_490, 1)],
    ),
    (
        "l-cafe",
        "m-cafe",
        [("LATTE", 2_990, 2), ("CROISSANT", 1_990, 2), ("MUFFIN", 2_290, 1), ("JUICE", 2_790, 1), ("TOAST", 3_490, 1)],
    ),
];

/// The cart, the promotions, the price lists and the coupon the workload prices.
struct Fixture {
    lines: Vec<CartLine>,
    promotions: Vec<Promotion>,
    price_lists: Vec<PriceList>,
    coupons: Vec<CouponState>,
    codes: Vec<String>,
}

fn clp(amount: i64) -> Money {
    Money::new(amount, Currency::Clp)
}

fn fixture() -> Result<Fixture, String> {
    let iva = tax_rate(Country::Chile, true, TaxCategory::Standard);
    let mut lines = Vec::with_capacity(20);
    for (location, merchant, items) in CART {
        for (sku, price, quantity) in items {
            lines.push(CartLine {
                sku: Sku::parse(sku).map_err(|e| e.to_string())?,
                location_id: location.to_owned(),
                merchant_id: merchant.to_owned(),
                quantity: Quantity::parse(quantity).map_err(|e| e.to_string())?,
                base_price: clp(price),
                tax: iva.clone(),
                track_stock: true,
                modifiers: Vec::new(),
                note: None,
            });
        }
    }
    // Each merchant's SKUs (deduplicated, in cart order) and base prices.
    let mut menus: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut prices: HashMap<&str, i64> = HashMap::new();
    for (_, merchant, items) in CART {
        let menu = menus.entry(merchant).or_default();
        for (sku, price, _) in items {
            if !menu.contains(&sku) {
                menu.push(sku);
            }
            prices.insert(sku, price);
        }
    }
    let all: Vec<&str> = menus.values().flatten().copied().collect();
    let scopes: Vec<(Option<&str>, &[&str])> = vec![
        (Some("m-sushi"), menus.get("m-sushi").map(Vec::as_slice).unwrap_or_default()),
        (Some("m-burger"), menus.get("m-burger").map(Vec::as_slice).unwrap_or_default()),
        (Some("m-cafe"), menus.get("m-cafe").map(Vec::as_slice).unwrap_or_default()),
        (None, all.as_slice()),
    ];
    let mut promotions = Vec::with_capacity(50);
    for i in 0..50usize {
        let (merchant, menu) = scopes.get(i % scopes.len()).cloned().ok_or("no scope")?;
        let pick = |offset: usize, count: usize| -> Vec<String> {
            (0..count)
                .filter_map(|k| menu.get((i / 4 + offset + k) % menu.len().max(1)))
                .map(|s| (*s).to_owned())
                .collect()
        };
        let step = i64::try_from(i).unwrap_or(0);
        let kind = match i % 6 {
            0 => PromotionKind::PercentOffLines { bps: 500 + (i as u32 * 137) % 2_000, skus: pick(0, 1 + i % 2) },
            1 => PromotionKind::AmountOffLines { amount: clp(200 + step * 10), skus: pick(1, 1) },
            2 => PromotionKind::BuyXGetY {
                skus: pick(2, 2),
                buy: 1 + step % 2,
                get: 1,
                get_off_bps: if i % 4 == 2 { 10_000 } else { 5_000 },
            },
            3 => {
                let components: Vec<BundleComponent> =
                    pick(0, 2 + i % 2).into_iter().map(|sku| BundleComponent { sku, quantity: 1 }).collect();
                let normal: i64 = components.iter().filter_map(|c| prices.get(c.sku.as_str())).sum();
                PromotionKind::Bundle { components, price: clp(normal * 4 / 5) }
            }
            4 => PromotionKind::PercentOffOrder { bps: 300 + i as u32 * 20 },
            _ => PromotionKind::AmountOffOrder { amount: clp(1_000 + step * 50) },
        };
        let promotion = Promotion {
            id: format!("promo-{i:02}"),
            name: format!("Promotion {i}"),
            merchant_id: merchant.map(str::to_owned),
            funded_by: if merchant.is_none() { Funder::Operator } else { Funder::Merchant },
            kind,
            channels: if i % 4 == 1 { vec!["qr".into(), "web".into()] } else { vec![] },
            location_ids: if i % 7 == 3 { vec!["l-burger-mall".into(), "l-cafe".into()] } else { vec![] },
            valid_from_ms: (i % 3 == 0).then_some(NOW_MS - DAY_MS),
            valid_to_ms: (i % 3 == 0).then_some(NOW_MS + DAY_MS),
            happy_hour: (i % 5 == 0).then(|| HappyHour {
                weekdays: vec![1, 2, 3, 4, 5],
                start_minute: 12 * 60,
                end_minute: 15 * 60,
            }),
            min_spend: (i % 6 >= 4).then(|| clp(10_000 + step * 300)),
            requires_coupon: i % 17 == 0,
            priority: i32::try_from((i * 7) % 5).unwrap_or(0),
            exclusive: i % 13 == 0,
            active: true,
        };
        promotion.validate().map_err(|e| format!("promotion {i}: {e}"))?;
        promotions.push(promotion);
    }
    let list = |id: &str, merchant: &str, channel: Option<&str>, location: Option<&str>, window: bool| PriceList {
        id: id.to_owned(),
        name: id.to_owned(),
        merchant_id: merchant.to_owned(),
        channel: channel.map(str::to_owned),
        location_id: location.map(str::to_owned),
        valid_from_ms: window.then_some(NOW_MS - 7 * DAY_MS),
        valid_to_ms: window.then_some(NOW_MS + 7 * DAY_MS),
        active: true,
        prices: HashMap::new(),
    };
    let with_prices = |mut list: PriceList, entries: &[(&str, i64)]| {
        list.prices = entries.iter().map(|(sku, price)| ((*sku).to_owned(), clp(*price))).collect();
        list
    };
    let price_lists = vec![
        with_prices(list("sushi-2025", "m-sushi", None, None, false), &[("ROLL", 7_490), ("TEA", 1_790)]),
        with_prices(list("burger-mall", "m-burger", None, Some("l-burger-mall"), true), &[("BURGER", 6_490)]),
        with_prices(list("burger-qr", "m-burger", Some("qr"), None, false), &[("FRIES", 2_290), ("SHAKE", 3_290)]),
        with_prices(list("cafe-year", "m-cafe", None, None, false), &[("LATTE", 2_790), ("TOAST", 3_290)]),
        with_prices(list("cafe-week", "m-cafe", None, None, true), &[("LATTE", 2_590)]),
        with_prices(list("cafe-web", "m-cafe", Some("web"), None, false), &[("LATTE", 2_490)]),
    ];
    let coupons: Vec<CouponState> = promotions
        .iter()
        .filter(|p| p.requires_coupon)
        .take(1)
        .map(|p| CouponState {
            code: COUPON.to_owned(),
            promotion_id: p.id.clone(),
            usage_limit: Some(1_000),
            used: 10,
            per_customer_limit: Some(1),
            used_by_customer: Some(0),
            active: true,
        })
        .collect();
    Ok(Fixture { lines, promotions, price_lists, coupons, codes: vec![COUPON.to_lowercase()] })
}

/// Runs the workload.
pub fn run(options: &PricingOptions) -> Result<Outcome, String> {
    let fixture = fixture()?;
    let context = PricingContext {
        currency: Currency::Clp,
        channel: CHANNEL,
        now_ms: NOW_MS,
        local: LOCAL,
        price_lists: &fixture.price_lists,
        promotions: &fixture.promotions,
        coupon_codes: &fixture.codes,
        coupons: &fixture.coupons,
    };
    let reference =
        price_cart(&context, fixture.lines.clone()).map_err(|e| format!("the cart cannot be priced: {e}"))?;

    let warmup = (options.iterations / 10).min(1_000);
    for _ in 0..warmup {
        let _ = black_box(price_cart(black_box(&context), black_box(fixture.lines.clone())));
    }
    let mut latencies = Latencies::new();
    let mut errors = 0u64;
    let mut different = 0u64;
    let mut inside = Duration::ZERO;
    let started = Instant::now();
    for _ in 0..options.iterations {
        let lines = fixture.lines.clone();
        let sent = Instant::now();
        let quote = price_cart(black_box(&context), black_box(lines));
        let took = sent.elapsed();
        inside += took;
        latencies.record(took);
        match quote {
            Ok(quote) => different += u64::from(quote.total != reference.total || quote.lines != reference.lines),
            Err(_) => errors += 1,
        }
    }
    let elapsed = started.elapsed();
    let per_second = options.iterations as f64 / elapsed.as_secs_f64().max(1e-9);
    let summary = latencies.summary();

    let applied = reference.promotions.iter().filter(|p| p.applied).count();
    let mut refused: BTreeMap<String, usize> = BTreeMap::new();
    for outcome in reference.promotions.iter().filter(|p| !p.applied) {
        *refused.entry(reason_code(outcome.reason.as_ref())).or_default() += 1;
    }
    let discounts: usize = reference.lines.iter().map(|l| l.discounts.len()).sum();
    let locations = reference.parts.len();

    let mut outcome = Outcome::default();
    outcome.say(format!(
        "pricing [in-process]: {} lines at {locations} locations, {} promotions, {} price lists; {} quotes after {warmup} warm-up, one thread",
        fixture.lines.len(),
        fixture.promotions.len(),
        fixture.price_lists.len(),
        options.iterations,
    ));
    outcome.say(format!(
        "  the quote: gross {} − discount {} = total {}; {applied} promotions applied ({discounts} line discounts), {} considered and refused: {}",
        reference.gross,
        reference.discount,
        reference.total,
        refused.values().sum::<usize>(),
        refused.iter().map(|(code, n)| format!("{code}×{n}")).collect::<Vec<_>>().join(" "),
    ));
    outcome.say(format!(
        "  latency µs per quote: p50 {}  p90 {}  p99 {}  max {}",
        micros(summary.p50),
        micros(summary.p90),
        micros(summary.p99),
        micros(summary.max)
    ));
    outcome.say(format!(
        "  {per_second:.0} quotes/s over {:.2} s of wall time (cart clone and result check included; {:.1} µs mean inside price_cart)",
        elapsed.as_secs_f64(),
        inside.as_secs_f64() * 1e6 / options.iterations.max(1) as f64
    ));

    if errors > 0 {
        outcome.fail(format!("pricing: {errors} quotes failed"));
    }
    if different > 0 {
        outcome.fail(format!("pricing: {different} quotes differ from the first one"));
    }
    if reference.gross.amount_minor - reference.discount.amount_minor != reference.total.amount_minor {
        outcome.fail("pricing: gross − discount ≠ total");
    }
    let given: i64 = reference.promotions.iter().filter(|p| p.applied).map(|p| p.amount.amount_minor).sum();
    if given != reference.discount.amount_minor {
        outcome
            .fail(format!("pricing: promotions gave {given} but the discount is {}", reference.discount.amount_minor));
    }
    if applied == 0 {
        outcome.fail("pricing: no promotion applied, the fixture measures nothing");
    }
    let iterations = u64::try_from(options.iterations).unwrap_or(u64::MAX);
    outcome.rows.push(Row {
        workload: "pricing".into(),
        backend: "in-process".into(),
        requests: iterations,
        ok: iterations.saturating_sub(errors + different),
        conflicts: 0,
        other_4xx: 0,
        server_errors: 0,
        transport_errors: errors,
        seconds: elapsed.as_secs_f64(),
        per_second,
        latency: summary,
        notes: format!(
            "price_cart, {} lines / {locations} locations, {} promotions ({applied} applied), {} price lists, one thread; p50 {} µs, p99 {} µs",
            fixture.lines.len(),
            fixture.promotions.len(),
            fixture.price_lists.len(),
            micros(summary.p50),
            micros(summary.p99)
        ),
    });
    Ok(outcome)
}

/// Milliseconds as microseconds for the summary.
fn micros(value: Option<f64>) -> String {
    value.map(|ms| format!("{:.1}", ms * 1000.0)).unwrap_or_else(|| "–".to_owned())
}

fn reason_code(reason: Option<&NotAppliedReason>) -> String {
    let Some(reason) = reason else { return "?".to_owned() };
    let code = match reason {
        NotAppliedReason::Inactive => "inactive",
        NotAppliedReason::NotStarted => "not_started",
        NotAppliedReason::Expired => "expired",
        NotAppliedReason::WrongChannel => "wrong_channel",
        NotAppliedReason::WrongLocation => "wrong_location",
        NotAppliedReason::OutsideHappyHour => "outside_happy_hour",
        NotAppliedReason::CouponRequired => "coupon_required",
        NotAppliedReason::CouponLimitReached => "coupon_limit_reached",
        NotAppliedReason::CustomerLimitReached => "customer_limit_reached",
        NotAppliedReason::CustomerUnknown => "customer_unknown",
        NotAppliedReason::UnknownCoupon => "unknown_coupon",
        NotAppliedReason::MinimumNotMet { .. } => "minimum_not_met",
        NotAppliedReason::NotEnoughItems { .. } => "not_enough_items",
        NotAppliedReason::AlreadyDiscounted { .. } => "already_discounted",
        NotAppliedReason::NotCombinable { .. } => "not_combinable",
        NotAppliedReason::NoSaving => "no_saving",
    };
    code.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_is_what_the_docs_say() -> Result<(), String> {
        let fixture = fixture()?;
        assert_eq!(fixture.lines.len(), 20);
        assert_eq!(fixture.promotions.len(), 50);
        assert!(fixture.promotions.iter().all(|p| p.active));
        let kinds: std::collections::BTreeSet<&str> = fixture
            .promotions
            .iter()
            .map(|p| match p.kind {
                PromotionKind::PercentOffLines { .. } => "percent_off_lines",
                PromotionKind::AmountOffLines { .. } => "amount_off_lines",
                PromotionKind::PercentOffOrder { .. } => "percent_off_order",
                PromotionKind::AmountOffOrder { .. } => "amount_off_order",
                PromotionKind::BuyXGetY { .. } => "buy_x_get_y",
                PromotionKind::Bundle { .. } => "bundle",
            })
            .collect();
        assert_eq!(kinds.len(), 6);
        Ok(())
    }

    #[test]
    fn a_short_run_passes_its_checks() -> Result<(), String> {
        let outcome = run(&PricingOptions { iterations: 50 })?;
        assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
        assert_eq!(outcome.rows.len(), 1);
        Ok(())
    }
}
