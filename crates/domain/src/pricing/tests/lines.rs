//! The cart itself: lines merged per location, SKU, choices and note (before any promotion sees
//! them), modifiers added to the unit price, and the carts the engine refuses outright.

use super::*;
use crate::catalog::MAX_QUANTITY_PER_LINE;
use crate::modifiers::ChosenModifier;

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

#[test]
fn modifiers_add_to_the_unit_price_and_keep_lines_apart() -> Result<(), DomainError> {
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
