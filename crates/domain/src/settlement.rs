//! A merchant's settlement for a period: gross, commission, refunds, net.
//!
//! Rule: `gross` is what was captured for the merchant's parts, `refunds` what
//! was given back for them, `commission = round_half_away((gross − refunds) × bps / 10 000)`
//! (see [`Money::basis_points`]) and `net = gross − refunds − commission`, so the
//! four figures always add up exactly.

use serde::Serialize;

use crate::catalog::CommissionRate;
use crate::{Currency, DomainError, Money};

/// The four settlement figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settlement {
    /// Captured for the merchant's parts.
    pub gross: Money,
    /// The platform's commission.
    pub commission: Money,
    /// Given back to customers.
    pub refunds: Money,
    /// What the merchant receives.
    pub net: Money,
}

/// Computes the settlement from the captured and refunded amounts of each part.
pub fn settle(
    currency: Currency,
    rate: CommissionRate,
    parts: impl IntoIterator<Item = (Money, Money)>,
) -> Result<Settlement, DomainError> {
    let mut gross = Money::zero(currency);
    let mut refunds = Money::zero(currency);
    for (captured, refunded) in parts {
        gross = gross.checked_add(captured)?;
        refunds = refunds.checked_add(refunded)?;
    }
    let commission = gross.checked_sub(refunds)?.basis_points(rate.bps());
    let net = gross.checked_sub(refunds)?.checked_sub(commission)?;
    Ok(Settlement { gross, commission, refunds, net })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_rejected_part_is_refunded_and_carries_no_commission() -> Result<(), DomainError> {
        let clp = |amount| Money::new(amount, Currency::Clp);
        let rate = CommissionRate::parse(1000)?;
        let settlement = settle(Currency::Clp, rate, [(clp(10_000), clp(0)), (clp(5_000), clp(5_000))])?;
        assert_eq!(settlement.gross, clp(15_000));
        assert_eq!(settlement.refunds, clp(5_000));
        assert_eq!(settlement.commission, clp(1_000));
        assert_eq!(settlement.net, clp(9_000));
        Ok(())
    }

    proptest! {
        #[test]
        fn figures_always_add_up(parts in proptest::collection::vec((0i64..10_000_000, any::<bool>()), 0..50), bps in 0i64..=10_000) {
            let rate = CommissionRate::parse(bps).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let rows = parts.iter().map(|(amount, refunded)| {
                let captured = Money::new(*amount, Currency::Pen);
                (captured, Money::new(if *refunded { *amount } else { 0 }, Currency::Pen))
            });
            let s = settle(Currency::Pen, rate, rows).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(s.gross.amount_minor - s.refunds.amount_minor - s.commission.amount_minor, s.net.amount_minor);
            prop_assert!(s.net.amount_minor >= 0);
        }
    }
}
