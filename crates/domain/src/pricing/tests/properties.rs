//! Properties over random carts and promotions: one price in every channel, every figure adding
//! up exactly, discounts bounded by the gross amount, and the stacking rules on every line.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;

use super::strategies::{CHANNELS, Draw, scenario};
use super::*;
use crate::pricing::engine::TaxTotal;

fn sum(amounts: impl Iterator<Item = Money>) -> i64 {
    amounts.map(|m| m.amount_minor).sum()
}

/// Totals of `(code, rate)` over some lines' taxes: `(base, amount)`.
fn taxes_by_rate<'a>(lines: impl Iterator<Item = &'a QuotedLine>) -> Vec<((String, u32), (i64, i64))> {
    let mut totals: BTreeMap<(String, u32), (i64, i64)> = BTreeMap::new();
    for line in lines {
        let entry = totals.entry((line.tax.code.clone(), line.tax.rate_bps)).or_default();
        entry.0 += line.tax.base.amount_minor;
        entry.1 += line.tax.amount.amount_minor;
    }
    totals.into_iter().collect()
}

fn totals_by_rate(totals: &[TaxTotal]) -> Vec<((String, u32), (i64, i64))> {
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
