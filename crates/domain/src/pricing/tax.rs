//! Taxes contained in tax-inclusive shelf prices, by country.
//!
//! Shelf prices in Chile, Peru and Colombia include the tax, so the tax is taken *out of* a
//! line's final amount rather than added on top.
//!
//! | country | merchant | category `standard` | category `exempt` |
//! | --- | --- | --- | --- |
//! | CL | any | IVA 19 % | exento 0 % |
//! | PE | any | IGV 18 % | exonerado 0 % |
//! | CO | retail | IVA 19 % | excluido 0 % |
//! | CO | restaurant | impuesto al consumo (INC) 8 %, instead of IVA | excluido 0 % |
//!
//! **Rounding rule.** For a line whose final amount (after discounts) is `G` minor units at rate
//! `r` basis points, `tax = round_half_away_from_zero(G × r / (10 000 + r))` and `base = G − tax`.
//! It is computed once per line, in the currency's minor unit (a whole peso for CLP and COP, a
//! céntimo for PEN); every total is a sum of line figures, so `Σ base + Σ tax = Σ G` exactly and
//! no rounding drift can appear between lines, documents and the order.

use serde::{Deserialize, Serialize};

use crate::catalog::Country;
use crate::{DomainError, Money};

/// How a product is taxed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TaxCategory {
    /// The country's general rate (or the restaurant rate where one applies).
    #[default]
    Standard,
    /// No tax (exempt, exonerated or excluded goods).
    Exempt,
}

impl TaxCategory {
    /// Parses `standard` or `exempt`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw {
            "standard" => Ok(TaxCategory::Standard),
            "exempt" => Ok(TaxCategory::Exempt),
            _ => Err(DomainError::invalid("tax_category", "must be standard or exempt")),
        }
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaxCategory::Standard => "standard",
            TaxCategory::Exempt => "exempt",
        }
    }
}

/// One tax rate as printed on documents.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TaxRate {
    /// Short code: `IVA`, `IGV`, `INC` or `EXENTO`.
    pub code: String,
    /// Rate in basis points (1 900 = 19 %).
    pub rate_bps: u32,
}

impl TaxRate {
    /// The label printed on documents, e.g. `IVA 19%`.
    pub fn label(&self) -> String {
        if self.rate_bps == 0 {
            return self.code.clone();
        }
        let whole = self.rate_bps / 100;
        let fraction = self.rate_bps % 100;
        if fraction == 0 { format!("{} {whole}%", self.code) } else { format!("{} {whole}.{fraction:02}%", self.code) }
    }
}

/// The rate for a product of `category` sold by a merchant in `country`.
pub fn tax_rate(country: Country, is_restaurant: bool, category: TaxCategory) -> TaxRate {
    let (code, rate_bps) = match (category, country, is_restaurant) {
        (TaxCategory::Exempt, _, _) => ("EXENTO", 0),
        (TaxCategory::Standard, Country::Chile, _) => ("IVA", 1_900),
        (TaxCategory::Standard, Country::Peru, _) => ("IGV", 1_800),
        (TaxCategory::Standard, Country::Colombia, true) => ("INC", 800),
        (TaxCategory::Standard, Country::Colombia, false) => ("IVA", 1_900),
    };
    TaxRate { code: code.to_owned(), rate_bps }
}

/// The tax contained in a tax-inclusive amount, by the module's rounding rule.
pub fn tax_included(gross: Money, rate_bps: u32) -> Money {
    let numerator = i128::from(gross.amount_minor) * i128::from(rate_bps);
    let denominator = 10_000i128 + i128::from(rate_bps);
    let half = denominator / 2;
    let rounded = if numerator >= 0 { (numerator + half) / denominator } else { (numerator - half) / denominator };
    // |rounded| ≤ |gross|, so it fits in i64.
    Money::new(i64::try_from(rounded).unwrap_or(0), gross.currency)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    #[test]
    fn rates_by_country_and_kind() {
        assert_eq!(tax_rate(Country::Chile, true, TaxCategory::Standard).label(), "IVA 19%");
        assert_eq!(tax_rate(Country::Peru, false, TaxCategory::Standard).label(), "IGV 18%");
        assert_eq!(tax_rate(Country::Colombia, true, TaxCategory::Standard).label(), "INC 8%");
        assert_eq!(tax_rate(Country::Colombia, false, TaxCategory::Standard).label(), "IVA 19%");
        assert_eq!(tax_rate(Country::Chile, false, TaxCategory::Exempt).rate_bps, 0);
    }

    #[test]
    fn tax_is_taken_out_of_the_shelf_price() {
        // $11.900 with IVA 19 % contains $1.900.
        assert_eq!(tax_included(Money::new(11_900, Currency::Clp), 1_900).amount_minor, 1_900);
        // $12.990: 12 990 × 19 / 119 = 2 074.03… → 2 074.
        assert_eq!(tax_included(Money::new(12_990, Currency::Clp), 1_900).amount_minor, 2_074);
        // S/ 10.00 with IGV 18 %: 1 000 × 18 / 118 = 152.54… → 153 céntimos.
        assert_eq!(tax_included(Money::new(1_000, Currency::Pen), 1_800).amount_minor, 153);
        assert_eq!(tax_included(Money::new(0, Currency::Cop), 800).amount_minor, 0);
    }
}
