//! Money as integer minor units with a currency that knows its exponent.
//!
//! No floats anywhere: amounts are `i64` minor units (a Chilean peso has no
//! decimals, so 12 990 CLP is `12990`; 12.50 PEN is `1250`). Arithmetic is
//! checked and refuses to mix currencies.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::DomainError;

/// The currencies Omnicanal prices in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// Chilean peso, no decimals.
    #[serde(rename = "CLP")]
    Clp,
    /// Peruvian sol, two decimals.
    #[serde(rename = "PEN")]
    Pen,
    /// Colombian peso, priced without decimals as is the practice in shops.
    #[serde(rename = "COP")]
    Cop,
    /// US dollar, two decimals.
    #[serde(rename = "USD")]
    Usd,
}

impl Currency {
    /// All supported currencies.
    pub const ALL: [Currency; 4] = [Currency::Clp, Currency::Pen, Currency::Cop, Currency::Usd];

    /// ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Clp => "CLP",
            Currency::Pen => "PEN",
            Currency::Cop => "COP",
            Currency::Usd => "USD",
        }
    }

    /// Number of decimal digits in a minor unit (CLP 0, PEN 2).
    ///
    /// COP is priced in whole pesos: cents have not circulated for decades and
    /// shelf prices never show them.
    pub fn exponent(self) -> u32 {
        match self {
            Currency::Clp | Currency::Cop => 0,
            Currency::Pen | Currency::Usd => 2,
        }
    }

    /// Symbol shown before the amount.
    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Clp | Currency::Cop | Currency::Usd => "$",
            Currency::Pen => "S/ ",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = DomainError;
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or_else(|| DomainError::invalid("currency", format!("unsupported currency {code:?}")))
    }
}

/// An amount of money in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Integer minor units (pesos for CLP, céntimos for PEN).
    #[serde(rename = "amount")]
    pub amount_minor: i64,
    /// The currency of the amount.
    pub currency: Currency,
}

impl Money {
    /// Builds an amount from minor units.
    pub fn new(amount_minor: i64, currency: Currency) -> Self {
        Self { amount_minor, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    fn same_currency(self, other: Money) -> Result<(), DomainError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(DomainError::CurrencyMismatch { left: self.currency.code(), right: other.currency.code() })
        }
    }

    /// `self + other`, refusing mixed currencies and overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, DomainError> {
        self.same_currency(other)?;
        let amount = self.amount_minor.checked_add(other.amount_minor).ok_or(DomainError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self - other`, refusing mixed currencies and overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, DomainError> {
        self.same_currency(other)?;
        let amount = self.amount_minor.checked_sub(other.amount_minor).ok_or(DomainError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self × quantity`, refusing overflow.
    pub fn checked_mul(self, quantity: i64) -> Result<Money, DomainError> {
        let amount = self.amount_minor.checked_mul(quantity).ok_or(DomainError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// Sums `amounts`, all of which must be in `currency`.
    pub fn sum(currency: Currency, amounts: impl IntoIterator<Item = Money>) -> Result<Money, DomainError> {
        amounts.into_iter().try_fold(Money::zero(currency), Money::checked_add)
    }

    /// `bps` basis points of this amount, rounded half away from zero.
    ///
    /// Rounding rule (written down once, used for every commission): the exact
    /// product `amount × bps / 10 000` is rounded to the nearest minor unit,
    /// halves away from zero, so 0.5 peso of commission is charged as 1.
    pub fn basis_points(self, bps: u32) -> Money {
        let product = i128::from(self.amount_minor) * i128::from(bps);
        let half = 5_000i128 * product.signum();
        let rounded = (product + half) / 10_000;
        // |rounded| ≤ |amount| × 10 000 / 10 000 whenever bps ≤ 10 000; larger bps are refused by
        // `CommissionRate`, so the conversion cannot fail in practice; saturate to be total.
        Money::new(i64::try_from(rounded).unwrap_or(i64::MAX), self.currency)
    }

    /// Splits this amount in proportion to `weights` so that the parts add up exactly.
    ///
    /// Largest-remainder method: each part gets the floor of its share and the
    /// pesos left over go one each to the parts with the largest remainders
    /// (earlier parts first on ties). All-zero weights split evenly.
    pub fn allocate(self, weights: &[u64]) -> Vec<Money> {
        if weights.is_empty() {
            return Vec::new();
        }
        let even = vec![1u64; weights.len()];
        let weights = if weights.iter().all(|w| *w == 0) { &even[..] } else { weights };
        let total_weight: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        let amount = i128::from(self.amount_minor);
        let mut parts: Vec<i128> = Vec::with_capacity(weights.len());
        let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
        for (index, weight) in weights.iter().enumerate() {
            let share = amount * i128::from(*weight);
            parts.push(share.div_euclid(total_weight));
            remainders.push((share.rem_euclid(total_weight), index));
        }
        let mut left_over = amount - parts.iter().sum::<i128>();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, index) in remainders {
            if left_over == 0 {
                break;
            }
            if let Some(part) = parts.get_mut(index) {
                *part += 1;
                left_over -= 1;
            }
        }
        parts.into_iter().map(|part| Money::new(i64::try_from(part).unwrap_or(0), self.currency)).collect()
    }

    /// The amount as people read it: `$12.990` for CLP, `S/ 12.50` for PEN.
    pub fn display(self) -> String {
        let exponent = self.currency.exponent();
        let divisor = 10i64.pow(exponent);
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let absolute = self.amount_minor.unsigned_abs();
        let whole = absolute / divisor.unsigned_abs();
        let fraction = absolute % divisor.unsigned_abs();
        let (group_separator, decimal_separator) = match self.currency {
            Currency::Clp | Currency::Cop => ('.', ','),
            Currency::Pen | Currency::Usd => (',', '.'),
        };
        let digits = whole.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (position, digit) in digits.chars().enumerate() {
            if position > 0 && (digits.len() - position).is_multiple_of(3) {
                grouped.push(group_separator);
            }
            grouped.push(digit);
        }
        let symbol = self.currency.symbol();
        if exponent == 0 {
            format!("{sign}{symbol}{grouped}")
        } else {
            let width = exponent as usize;
            format!("{sign}{symbol}{grouped}{decimal_separator}{fraction:0width$}")
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn displays_amounts_as_people_read_them() {
        assert_eq!(Money::new(12990, Currency::Clp).display(), "$12.990");
        assert_eq!(Money::new(1250, Currency::Pen).display(), "S/ 12.50");
        assert_eq!(Money::new(1_234_567, Currency::Cop).display(), "$1.234.567");
        assert_eq!(Money::new(-5, Currency::Pen).display(), "-S/ 0.05");
    }

    #[test]
    fn refuses_to_mix_currencies() {
        let clp = Money::new(1, Currency::Clp);
        let pen = Money::new(1, Currency::Pen);
        assert!(matches!(clp.checked_add(pen), Err(DomainError::CurrencyMismatch { .. })));
    }

    #[test]
    fn commission_rounds_half_away_from_zero() {
        assert_eq!(Money::new(5, Currency::Clp).basis_points(1000).amount_minor, 1); // 0.5 → 1
        assert_eq!(Money::new(4, Currency::Clp).basis_points(1000).amount_minor, 0); // 0.4 → 0
        assert_eq!(Money::new(-5, Currency::Clp).basis_points(1000).amount_minor, -1);
        assert_eq!(Money::new(12990, Currency::Clp).basis_points(1250).amount_minor, 1624); // 1623.75
    }

    #[test]
    fn parses_currency_codes() {
        assert_eq!("CLP".parse::<Currency>(), Ok(Currency::Clp));
        assert!("XXX".parse::<Currency>().is_err());
    }

    proptest! {
        #[test]
        fn allocation_never_loses_a_peso(amount in -1_000_000_000i64..1_000_000_000, weights in proptest::collection::vec(0u64..1_000_000, 1..20)) {
            let parts = Money::new(amount, Currency::Clp).allocate(&weights);
            prop_assert_eq!(parts.len(), weights.len());
            prop_assert_eq!(parts.iter().map(|p| p.amount_minor).sum::<i64>(), amount);
        }

        #[test]
        fn allocation_parts_stay_within_one_unit_of_their_share(amount in 0i64..1_000_000_000, weights in proptest::collection::vec(1u64..1_000, 1..10)) {
            let parts = Money::new(amount, Currency::Pen).allocate(&weights);
            let total: u64 = weights.iter().sum();
            for (part, weight) in parts.iter().zip(&weights) {
                let exact = i128::from(amount) * i128::from(*weight) / i128::from(total);
                prop_assert!((i128::from(part.amount_minor) - exact).abs() <= 1);
            }
        }

        #[test]
        fn commission_plus_net_is_the_gross(amount in 0i64..10_000_000_000, bps in 0u32..=10_000) {
            let gross = Money::new(amount, Currency::Cop);
            let commission = gross.basis_points(bps);
            prop_assert!(commission.amount_minor <= amount && commission.amount_minor >= 0);
            let net = gross.checked_sub(commission).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(net.amount_minor + commission.amount_minor, amount);
        }
    }
}
