//! The cashier's manual discounts (the till): taken last from what is left of a line after the
//! promotions, merchant-funded, capped at the line, kept apart from lines without one.

use super::*;
use crate::pricing::cart::{MANUAL_DISCOUNT_ID, ManualDiscount};

fn with_manual(sku: &str, quantity: i64, price: i64, manual: ManualDiscount) -> Result<CartLine, DomainError> {
    Ok(CartLine { manual_discount: Some(manual), ..item(sku, quantity, price)? })
}

#[test]
fn a_manual_percent_is_taken_after_the_promotions_from_what_is_left() -> TestResult {
    let promotion = promo("ten", percent_lines(1_000, &[]));
    let line = with_manual("A", 2, 5_000, ManualDiscount::Percent { bps: 1_500 })?;
    let quote = Shop::new(vec![promotion]).quote(vec![line, item("B", 1, 1_000)?])?;
    let a = &quote.lines[0];
    // 10 000 − 1 000 (promotion) = 9 000; 15 % of 9 000 = 1 350.
    assert_eq!((a.discount.amount_minor, a.total.amount_minor), (2_350, 7_650));
    let manual =
        a.discounts.iter().find(|d| d.promotion_id == MANUAL_DISCOUNT_ID).map(|d| (d.amount.amount_minor, d.funded_by));
    assert_eq!(manual, Some((1_350, Funder::Merchant)));
    assert_eq!(a.manual_discount, Some(ManualDiscount::Percent { bps: 1_500 }));
    assert_eq!(quote.lines[1].manual_discount, None);
    assert_eq!(quote.total.amount_minor, 7_650 + 900);
    Ok(())
}

#[test]
fn a_manual_amount_is_capped_and_merged_lines_add_their_amounts() -> TestResult {
    let shop = Shop::new(vec![]);
    let big = with_manual("A", 1, 1_000, ManualDiscount::Amount { amount: clp(5_000) })?;
    assert_eq!(shop.quote(vec![big])?.total.amount_minor, 0, "never below zero");
    let one = with_manual("A", 1, 1_000, ManualDiscount::Amount { amount: clp(100) })?;
    let quote = shop.quote(vec![one.clone(), one, item("A", 1, 1_000)?])?;
    assert_eq!(quote.lines.len(), 2, "a line without the discount stays apart");
    let discounted =
        quote.lines.iter().find(|l| l.manual_discount.is_some()).map(|l| (l.quantity, l.discount.amount_minor));
    assert_eq!(discounted, Some((2, 200)));
    Ok(())
}

#[test]
fn manual_discounts_the_engine_refuses() -> TestResult {
    let shop = Shop::new(vec![]);
    let over = with_manual("A", 1, 1_000, ManualDiscount::Percent { bps: 10_001 })?;
    assert!(matches!(shop.quote(vec![over]), Err(DomainError::Invalid { field, .. }) if field == "manual_discount"));
    let negative = with_manual("A", 1, 1_000, ManualDiscount::Amount { amount: clp(-1) })?;
    assert!(shop.quote(vec![negative]).is_err());
    let soles = with_manual("A", 1, 1_000, ManualDiscount::Amount { amount: Money::new(1, Currency::Pen) })?;
    assert!(matches!(shop.quote(vec![soles]), Err(DomainError::CurrencyMismatch { .. })));
    Ok(())
}
