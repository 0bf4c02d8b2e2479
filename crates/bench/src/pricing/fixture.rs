//! The pricing workload's fixture: one cart of 20 lines at four locations of three merchants,
//! 50 promotions of every kind and gate, six price lists and one coupon, all built from
//! constants so every run prices exactly the same thing.
//!
//! Kept apart from the timing loop and the report: it is data, and reads best on its own.

use std::collections::{BTreeMap, HashMap};

use omnicanal_domain::catalog::{Country, Quantity, Sku};
use omnicanal_domain::pricing::promotion::{BundleComponent, HappyHour};
use omnicanal_domain::pricing::tax::tax_rate;
use omnicanal_domain::pricing::{
    CartLine, CouponState, Funder, LocalTime, PriceList, Promotion, PromotionKind, TaxCategory,
};
use omnicanal_domain::{Currency, Money};

/// The instant of pricing: a Wednesday, 13:00 on the site's clock.
pub(super) const NOW_MS: i64 = 1_750_255_200_000;
pub(super) const LOCAL: LocalTime = LocalTime { weekday: 3, minute: 13 * 60 };
const DAY_MS: i64 = 86_400_000;
pub(super) const CHANNEL: &str = "qr";
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
pub(super) struct Fixture {
    pub(super) lines: Vec<CartLine>,
    pub(super) promotions: Vec<Promotion>,
    pub(super) price_lists: Vec<PriceList>,
    pub(super) coupons: Vec<CouponState>,
    pub(super) codes: Vec<String>,
}

fn clp(amount: i64) -> Money {
    Money::new(amount, Currency::Clp)
}

/// The cart and everything it is priced against.
pub(super) fn fixture() -> Result<Fixture, String> {
    let lines = cart_lines()?;
    let (menus, prices) = menus_and_prices();
    let promotions = promotions(&menus, &prices)?;
    let coupons = coupons(&promotions);
    Ok(Fixture { lines, promotions, price_lists: price_lists(), coupons, codes: vec![COUPON.to_lowercase()] })
}

/// The 20 lines of [`CART`], with Chilean IVA.
fn cart_lines() -> Result<Vec<CartLine>, String> {
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
                manual_discount: None,
            });
        }
    }
    Ok(lines)
}

/// Merchant → its SKUs (deduplicated, in cart order).
type Menus = BTreeMap<&'static str, Vec<&'static str>>;
/// SKU → base price.
type Prices = HashMap<&'static str, i64>;

/// Each merchant's SKUs and every SKU's base price.
fn menus_and_prices() -> (Menus, Prices) {
    let mut menus: Menus = BTreeMap::new();
    let mut prices: Prices = HashMap::new();
    for (_, merchant, items) in CART {
        let menu = menus.entry(merchant).or_default();
        for (sku, price, _) in items {
            if !menu.contains(&sku) {
                menu.push(sku);
            }
            prices.insert(sku, price);
        }
    }
    (menus, prices)
}

/// 50 valid promotions, taking turns among the three merchants and the site (every fourth is
/// site-wide and operator-funded), the six kinds, and the gates that may keep one off.
fn promotions(menus: &Menus, prices: &Prices) -> Result<Vec<Promotion>, String> {
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
        let promotion = promotion(i, merchant, promotion_kind(i, menu, prices));
        promotion.validate().map_err(|e| format!("promotion {i}: {e}"))?;
        promotions.push(promotion);
    }
    Ok(promotions)
}

/// The `i`-th promotion's kind, on SKUs of `menu`.
fn promotion_kind(i: usize, menu: &[&str], prices: &Prices) -> PromotionKind {
    let pick = |offset: usize, count: usize| -> Vec<String> {
        (0..count).filter_map(|k| menu.get((i / 4 + offset + k) % menu.len().max(1))).map(|s| (*s).to_owned()).collect()
    };
    let step = i64::try_from(i).unwrap_or(0);
    match i % 6 {
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
    }
}

/// The `i`-th promotion of `merchant` (`None`: site-wide), with its gates.
fn promotion(i: usize, merchant: Option<&str>, kind: PromotionKind) -> Promotion {
    let step = i64::try_from(i).unwrap_or(0);
    Promotion {
        id: format!("promo-{i:02}"),
        name: format!("Promotion {i}"),
        merchant_id: merchant.map(str::to_owned),
        funded_by: if merchant.is_none() { Funder::Operator } else { Funder::Merchant },
        kind,
        channels: if i % 4 == 1 { vec!["qr".into(), "web".into()] } else { vec![] },
        location_ids: if i % 7 == 3 { vec!["l-burger-mall".into(), "l-cafe".into()] } else { vec![] },
        valid_from_ms: i.is_multiple_of(3).then_some(NOW_MS - DAY_MS),
        valid_to_ms: i.is_multiple_of(3).then_some(NOW_MS + DAY_MS),
        happy_hour: i.is_multiple_of(5).then(|| HappyHour {
            weekdays: vec![1, 2, 3, 4, 5],
            start_minute: 12 * 60,
            end_minute: 15 * 60,
        }),
        min_spend: (i % 6 >= 4).then(|| clp(10_000 + step * 300)),
        requires_coupon: i.is_multiple_of(17),
        priority: i32::try_from((i * 7) % 5).unwrap_or(0),
        exclusive: i.is_multiple_of(13),
        active: true,
    }
}

/// Six price lists: by merchant, location, channel and week, some overlapping.
fn price_lists() -> Vec<PriceList> {
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
    vec![
        with_prices(list("sushi-2025", "m-sushi", None, None, false), &[("ROLL", 7_490), ("TEA", 1_790)]),
        with_prices(list("burger-mall", "m-burger", None, Some("l-burger-mall"), true), &[("BURGER", 6_490)]),
        with_prices(list("burger-qr", "m-burger", Some("qr"), None, false), &[("FRIES", 2_290), ("SHAKE", 3_290)]),
        with_prices(list("cafe-year", "m-cafe", None, None, false), &[("LATTE", 2_790), ("TOAST", 3_290)]),
        with_prices(list("cafe-week", "m-cafe", None, None, true), &[("LATTE", 2_590)]),
        with_prices(list("cafe-web", "m-cafe", Some("web"), None, false), &[("LATTE", 2_490)]),
    ]
}

/// The coupon [`COUPON`], for the first promotion that needs one.
fn coupons(promotions: &[Promotion]) -> Vec<CouponState> {
    promotions
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
        .collect()
}
