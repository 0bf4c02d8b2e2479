//! Random scenarios for the properties: carts over four locations of three merchants, valid
//! promotions of every kind with their coupons, and price lists, in CLP, PEN or COP.

use std::ops::RangeInclusive;

use proptest::prelude::*;

use super::*;
use crate::catalog::MAX_QUANTITY_PER_LINE;
use crate::pricing::promotion::HappyHour;

pub(super) const CHANNELS: [&str; 7] = ["qr", "web", "pos", "phone", "kiosk", "tablet", "shop:x"];
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
pub(super) struct Scenario {
    pub(super) currency: Currency,
    pub(super) lines: Vec<CartLine>,
    pub(super) promotions: Vec<Promotion>,
    pub(super) price_lists: Vec<PriceList>,
    pub(super) coupons: Vec<CouponState>,
    pub(super) codes: Vec<String>,
    pub(super) local: LocalTime,
}

impl Scenario {
    pub(super) fn quote(&self, channel: &str) -> Result<Quote, TestCaseError> {
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
pub(super) struct Draw {
    /// Promotions and price lists may name channels.
    pub(super) channels: bool,
    /// Lines may repeat a SKU at a location (merged by the engine); else quantities up to the maximum.
    pub(super) repeats: bool,
    /// Unit prices up to 10 000 000 000 minor units, not only up to 200 000.
    pub(super) large_prices: bool,
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

pub(super) fn scenario(draw: Draw) -> impl Strategy<Value = Scenario> {
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
