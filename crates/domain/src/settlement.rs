//! A merchant's settlement for a period: gross, commission, refunds, promotions, net.
//!
//! Rule: `gross` is what was captured for the merchant's parts and `refunds` what was given
//! back. Promotions funded by the site's operator are paid back to the merchant
//! (`operator_funded`, only for parts not rejected or cancelled); promotions the merchant funds
//! are shown (`merchant_funded`) but move no money, since the customer simply paid less.
//! `commission = round_half_away((gross − refunds + operator_funded) × bps / 10 000)` (see
//! [`Money::basis_points`]): the commission is on the price before the operator's discount, so a
//! mall promotion does not cut the mall's own commission. `net = gross − refunds +
//! operator_funded − commission`, so the figures always add up exactly.

use serde::Serialize;

use crate::catalog::CommissionRate;
use crate::{Currency, DomainError, Money};

/// The settlement figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settlement {
    /// Captured for the merchant's parts.
    pub gross: Money,
    /// The platform's commission.
    pub commission: Money,
    /// Given back to customers.
    pub refunds: Money,
    /// Discounts the merchant funded (information: already out of `gross`).
    pub merchant_funded: Money,
    /// Discounts the operator funded, paid back to the merchant.
    pub operator_funded: Money,
    /// What the merchant receives.
    pub net: Money,
}

/// One part's money, as settlement reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettlementPart {
    /// Captured for the part.
    pub captured: Money,
    /// Refunded for it.
    pub refunded: Money,
    /// Its discount funded by the merchant.
    pub merchant_funded: Money,
    /// Its discount funded by the operator.
    pub operator_funded: Money,
    /// Rejected or cancelled: the sale did not happen, so no promotion is owed.
    pub voided: bool,
}

impl SettlementPart {
    /// A part without promotions.
    pub fn plain(captured: Money, refunded: Money) -> Self {
        let zero = Money::zero(captured.currency);
        Self { captured, refunded, merchant_funded: zero, operator_funded: zero, voided: false }
    }
}

/// Computes the settlement of a merchant's parts by the module's rule.
pub fn settle(
    currency: Currency,
    rate: CommissionRate,
    parts: impl IntoIterator<Item = SettlementPart>,
) -> Result<Settlement, DomainError> {
    let zero = Money::zero(currency);
    let (mut gross, mut refunds, mut merchant_funded, mut operator_funded) = (zero, zero, zero, zero);
    for part in parts {
        gross = gross.checked_add(part.captured)?;
        refunds = refunds.checked_add(part.refunded)?;
        if !part.voided {
            merchant_funded = merchant_funded.checked_add(part.merchant_funded)?;
            operator_funded = operator_funded.checked_add(part.operator_funded)?;
        }
    }
    let base = gross.checked_sub(refunds)?.checked_add(operator_funded)?;
    let commission = base.basis_points(rate.bps());
    let net = base.checked_sub(commission)?;
    Ok(Settlement { gross, commission, refunds, merchant_funded, operator_funded, net })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_rejected_part_is_refunded_and_carries_no_commission() -> Result<(), DomainError> {
        let clp = |amount| Money::new(amount, Currency::Clp);
        let rate = CommissionRate::parse(1000)?;
        let settlement = settle(
            Currency::Clp,
            rate,
            [SettlementPart::plain(clp(10_000), clp(0)), SettlementPart::plain(clp(5_000), clp(5_000))],
        )?;
        assert_eq!(settlement.gross, clp(15_000));
        assert_eq!(settlement.refunds, clp(5_000));
        assert_eq!(settlement.commission, clp(1_000));
        assert_eq!(settlement.net, clp(9_000));
        Ok(())
    }

    #[test]
    fn the_operator_pays_back_its_promotions_on_live_parts() -> Result<(), DomainError> {
        let clp = |amount| Money::new(amount, Currency::Clp);
        let rate = CommissionRate::parse(1000)?;
        let promoted = SettlementPart {
            captured: clp(9_000),
            refunded: clp(0),
            merchant_funded: clp(0),
            operator_funded: clp(1_000),
            voided: false,
        };
        let rejected = SettlementPart {
            captured: clp(4_500),
            refunded: clp(4_500),
            merchant_funded: clp(500),
            operator_funded: clp(0),
            voided: true,
        };
        let s = settle(Currency::Clp, rate, [promoted, rejected])?;
        assert_eq!(s.operator_funded, clp(1_000));
        assert_eq!(s.merchant_funded, clp(0), "a voided part's promotion is not counted");
        assert_eq!(s.commission, clp(1_000), "commission on the price before the operator's discount");
        assert_eq!(s.net, clp(9_000));
        Ok(())
    }

    proptest! {
        #[test]
        fn figures_always_add_up(parts in proptest::collection::vec((0i64..10_000_000, any::<bool>()), 0..50), bps in 0i64..=10_000) {
            let rate = CommissionRate::parse(bps).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let rows = parts.iter().map(|(amount, refunded)| {
                let captured = Money::new(*amount, Currency::Pen);
                SettlementPart::plain(captured, Money::new(if *refunded { *amount } else { 0 }, Currency::Pen))
            });
            let s = settle(Currency::Pen, rate, rows).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(s.gross.amount_minor - s.refunds.amount_minor + s.operator_funded.amount_minor - s.commission.amount_minor, s.net.amount_minor);
            prop_assert!(s.net.amount_minor >= 0);
        }
    }
}
