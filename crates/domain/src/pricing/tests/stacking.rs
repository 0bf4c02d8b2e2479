//! The stacking rules of the engine's module docs, one by one: priority and id order, line-level
//! before order-level, order-level stacking on what is left, and what *exclusive* keeps apart.

use super::*;

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
