//! Taxes contained in tax-inclusive prices: Chilean IVA, Peruvian IGV, Colombian INC and IVA,
//! taken out of each line's discounted amount and summed by rate per part and per quote.

use super::*;
use crate::catalog::Country;
use crate::pricing::engine::TaxTotal;
use crate::pricing::tax::TaxCategory;

fn tax_of(line: &QuotedLine) -> (&str, u32, i64, i64) {
    (line.tax.code.as_str(), line.tax.rate_bps, line.tax.base.amount_minor, line.tax.amount.amount_minor)
}

/// `(code, label, base, amount)` of one tax total.
type TaxFigures<'a> = (&'a str, &'a str, i64, i64);

fn tax_totals(totals: &[TaxTotal]) -> Vec<TaxFigures<'_>> {
    totals.iter().map(|t| (t.code.as_str(), t.label.as_str(), t.base.amount_minor, t.amount.amount_minor)).collect()
}

#[test]
fn chilean_iva_is_contained_in_the_price() -> TestResult {
    let quote = Shop::new(vec![]).quote(items(&[("A", 1, 11_900), ("B", 1, 12_990)])?)?;
    assert_eq!(tax_of(line(&quote, "A")?), ("IVA", 1_900, 10_000, 1_900));
    // 12 990 × 19 / 119 = 2 074.03 → 2 074.
    assert_eq!(tax_of(line(&quote, "B")?), ("IVA", 1_900, 10_916, 2_074));
    assert_eq!(tax_totals(&quote.taxes), vec![("IVA", "IVA 19%", 20_916, 3_974)]);
    Ok(())
}

#[test]
fn taxes_come_out_of_the_discounted_amount() -> TestResult {
    let quote = Shop::new(vec![promo("p", percent_lines(1_000, &[]))]).quote(vec![item("A", 1, 11_900)?])?;
    // 10 710 × 19 / 119 = 1 710.
    assert_eq!(tax_of(line(&quote, "A")?), ("IVA", 1_900, 9_000, 1_710));
    Ok(())
}

#[test]
fn peruvian_igv_is_contained_in_the_price() -> TestResult {
    let igv = tax_rate(Country::Peru, true, TaxCategory::Standard);
    let mut shop = Shop::new(vec![]);
    shop.currency = Currency::Pen;
    let soles = |amount| Money::new(amount, Currency::Pen);
    let lines = vec![
        cart_line("l1", "m1", "CEVICHE", 1, soles(1_180), igv.clone())?,
        cart_line("l1", "m1", "CHICHA", 1, soles(1_000), igv)?,
    ];
    let quote = shop.quote(lines)?;
    // S/ 11.80 contains S/ 1.80; S/ 10.00 contains 152.54 → 153 céntimos.
    assert_eq!(tax_of(line(&quote, "CEVICHE")?), ("IGV", 1_800, 1_000, 180));
    assert_eq!(tax_of(line(&quote, "CHICHA")?), ("IGV", 1_800, 847, 153));
    assert_eq!(tax_totals(&quote.taxes), vec![("IGV", "IGV 18%", 1_847, 333)]);
    assert_eq!(quote.total, soles(2_180));
    Ok(())
}

#[test]
fn colombian_restaurants_charge_inc_and_shops_iva_with_totals_per_part() -> TestResult {
    let inc = tax_rate(Country::Colombia, true, TaxCategory::Standard);
    let iva_co = tax_rate(Country::Colombia, false, TaxCategory::Standard);
    let exempt = tax_rate(Country::Colombia, false, TaxCategory::Exempt);
    let mut shop = Shop::new(vec![]);
    shop.currency = Currency::Cop;
    let pesos = |amount| Money::new(amount, Currency::Cop);
    let lines = vec![
        cart_line("restaurant", "m1", "BANDEJA", 2, pesos(10_800), inc)?,
        cart_line("shop", "m2", "CAMISETA", 1, pesos(11_900), iva_co)?,
        cart_line("shop", "m2", "ARROZ", 3, pesos(5_000), exempt)?,
    ];
    let quote = shop.quote(lines)?;
    assert_eq!(tax_of(line(&quote, "BANDEJA")?), ("INC", 800, 20_000, 1_600));
    assert_eq!(tax_of(line(&quote, "CAMISETA")?), ("IVA", 1_900, 10_000, 1_900));
    assert_eq!(tax_of(line(&quote, "ARROZ")?), ("EXENTO", 0, 15_000, 0));
    let parts: Vec<(&str, Vec<TaxFigures<'_>>)> =
        quote.parts.iter().map(|p| (p.location_id.as_str(), tax_totals(&p.taxes))).collect();
    assert_eq!(
        parts,
        vec![
            ("restaurant", vec![("INC", "INC 8%", 20_000, 1_600)]),
            ("shop", vec![("EXENTO", "EXENTO", 15_000, 0), ("IVA", "IVA 19%", 10_000, 1_900)]),
        ]
    );
    assert_eq!(
        tax_totals(&quote.taxes),
        vec![("EXENTO", "EXENTO", 15_000, 0), ("INC", "INC 8%", 20_000, 1_600), ("IVA", "IVA 19%", 10_000, 1_900)]
    );
    assert_eq!(quote.total, pesos(21_600 + 11_900 + 15_000));
    Ok(())
}
