//! Who pays for each discount, as each location's part shows it: the merchant or the site's
//! operator, for merchant and site-wide promotions.

use super::*;

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
