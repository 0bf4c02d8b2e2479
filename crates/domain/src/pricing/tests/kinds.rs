//! Every promotion kind, to the peso: a table of carts with the exact discount each line gets,
//! and what units a buy X get Y leaves for the next line-level promotion.

use super::*;

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

/// Every case, kind by kind.
fn kind_cases() -> Vec<KindCase> {
    [line_cases(), order_cases(), buy_x_get_y_cases(), bundle_cases()].into_iter().flatten().collect()
}

/// A percentage or an amount off lines: rounding per line, SKU filters, the unit-price cap.
fn line_cases() -> Vec<KindCase> {
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
    ]
}

/// A percentage or an amount off the order, shared among the lines.
fn order_cases() -> Vec<KindCase> {
    vec![
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
    ]
}

/// Buy X get Y: which units are discounted, rounding, too few units.
fn buy_x_get_y_cases() -> Vec<KindCase> {
    vec![
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
    ]
}

/// Bundles: one or more sets, several units of a component, a missing component, no saving.
fn bundle_cases() -> Vec<KindCase> {
    let combo = [("BURGER", 1), ("DRINK", 1), ("FRIES", 1)];
    vec![
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
