//! The count of a drawer at the close, note by note and coin by coin: each denomination's
//! value and how many were counted, which must add up to the counted cash.
//!
//! The till offers the notes and coins of the site's currency ([`denominations_of`]); the server
//! accepts any positive value (a drawer may hold an old coin) but refuses a count that does not
//! add up, so the report's per-denomination lines and its total never disagree.

use crate::{Currency, DomainError, Money};

/// Most denomination lines one count may carry.
pub const MAX_DENOMINATION_LINES: usize = 40;
/// Most pieces of one denomination counted (a bank's bundle is 1 000 notes).
pub const MAX_PIECES: i64 = 1_000_000;

/// Chilean pesos in circulation, largest first: notes 20 000 to 1 000, coins 500 to 10.
pub const CLP_DENOMINATIONS: [i64; 9] = [20_000, 10_000, 5_000, 2_000, 1_000, 500, 100, 50, 10];

/// The notes and coins the till offers for a currency (minor units, largest first); empty when
/// the till has no list for it (the cashier then types the total).
pub fn denominations_of(currency: Currency) -> &'static [i64] {
    match currency {
        Currency::Clp => &CLP_DENOMINATIONS,
        _ => &[],
    }
}

/// One line of a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DenominationCount {
    /// The note's or coin's value, in minor units.
    pub value_minor: i64,
    /// How many were counted.
    pub count: i64,
}

/// Adds a count up: each value more than zero, each count 0 to [`MAX_PIECES`], one line per
/// value; the total is in `currency`.
pub fn count_total(currency: Currency, lines: &[DenominationCount]) -> Result<Money, DomainError> {
    if lines.len() > MAX_DENOMINATION_LINES {
        return Err(DomainError::invalid("denominations", format!("at most {MAX_DENOMINATION_LINES} lines")));
    }
    let mut total = Money::zero(currency);
    for (index, line) in lines.iter().enumerate() {
        if line.value_minor <= 0 {
            return Err(DomainError::invalid(format!("denominations[{index}].value"), "must be more than zero"));
        }
        if !(0..=MAX_PIECES).contains(&line.count) {
            return Err(DomainError::invalid(
                format!("denominations[{index}].count"),
                format!("must be 0 to {MAX_PIECES}"),
            ));
        }
        if lines[..index].iter().any(|earlier| earlier.value_minor == line.value_minor) {
            return Err(DomainError::invalid(format!("denominations[{index}].value"), "is counted twice"));
        }
        let amount = Money::new(line.value_minor, currency).checked_mul(line.count)?;
        total = total.checked_add(amount)?;
    }
    Ok(total)
}

/// The counted cash of a close: the count's total when only a count is given, the typed total
/// when only that is, and both when they agree; a count that does not add up to the typed total
/// is refused.
pub fn counted_cash(
    currency: Currency,
    typed: Option<Money>,
    lines: Option<&[DenominationCount]>,
) -> Result<Money, DomainError> {
    match (typed, lines) {
        (Some(typed), None) => Ok(typed),
        (None, Some(lines)) => count_total(currency, lines),
        (Some(typed), Some(lines)) => {
            let total = count_total(currency, lines)?;
            if total == typed {
                Ok(typed)
            } else {
                Err(DomainError::invalid(
                    "denominations",
                    format!("add up to {} but counted_cash is {}", total.amount_minor, typed.amount_minor),
                ))
            }
        }
        (None, None) => Err(DomainError::invalid("counted_cash", "give counted_cash, denominations or both")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(value_minor: i64, count: i64) -> DenominationCount {
        DenominationCount { value_minor, count }
    }

    #[test]
    fn a_count_adds_up_to_the_counted_cash() {
        let lines = [line(20_000, 2), line(1_000, 3), line(100, 7), line(10, 0)];
        assert_eq!(count_total(Currency::Clp, &lines), Ok(Money::new(43_700, Currency::Clp)));
        let typed = Some(Money::new(43_700, Currency::Clp));
        assert_eq!(counted_cash(Currency::Clp, typed, Some(&lines)), Ok(Money::new(43_700, Currency::Clp)));
        assert_eq!(counted_cash(Currency::Clp, None, Some(&lines)), Ok(Money::new(43_700, Currency::Clp)));
        assert_eq!(counted_cash(Currency::Clp, typed, None), Ok(Money::new(43_700, Currency::Clp)));
    }

    #[test]
    fn a_count_that_does_not_add_up_is_refused() {
        let lines = [line(5_000, 1)];
        assert!(counted_cash(Currency::Clp, Some(Money::new(5_010, Currency::Clp)), Some(&lines)).is_err());
        assert!(counted_cash(Currency::Clp, None, None).is_err());
        assert!(count_total(Currency::Clp, &[line(0, 1)]).is_err());
        assert!(count_total(Currency::Clp, &[line(10, -1)]).is_err());
        assert!(count_total(Currency::Clp, &[line(10, 1), line(10, 2)]).is_err(), "a value twice");
        assert!(count_total(Currency::Clp, &[line(i64::MAX, 2)]).is_err(), "overflow is refused");
        assert_eq!(denominations_of(Currency::Clp).len(), 9);
    }
}
