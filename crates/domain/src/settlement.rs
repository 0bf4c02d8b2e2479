//! A merchant's settlement for a period: gross, commission, refunds, promotions, net.
//!
//! Rule: `gross` is what was captured for the merchant's parts and `refunds` what was given
//! back. Promotions funded by the site's operator are paid back to the merchant
//! (`operator_funded`, only for parts not rejected or cancelled); promotions the merchant funds
//! are shown (`merchant_funded`) but move no money, since the customer simply paid less.
//! `commission = round_half_away((gross − refunds + operator_funded) × bps / 10 000)` (see
//! [`Money::basis_points`]): the commission is on the price before the operator's discount, so a
//! mall promotion does not cut the mall's own commission. `net = gross − refunds +
//! operator_funded − commission`, so the figures always add up exactly. [`settle_parts`] also
//! splits them per part (the commission by largest remainder), rows adding up to the totals.

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

/// One part's share of a settlement: its own figures, with the commission allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PartSettlement {
    /// Captured for the part.
    pub gross: Money,
    /// Refunded for it.
    pub refunds: Money,
    /// Its discount funded by the merchant (zero for a voided part, as in the totals).
    pub merchant_funded: Money,
    /// Its discount funded by the operator (zero for a voided part, as in the totals).
    pub operator_funded: Money,
    /// Its share of the settlement's commission.
    pub commission: Money,
    /// `gross − refunds + operator_funded − commission`.
    pub net: Money,
}

/// Settles `parts` like [`settle`] and also splits the result per part, for a statement with
/// one row per part.
///
/// The commission is computed once on the total (so the totals are exactly [`settle`]'s) and
/// then allocated to the parts in proportion to each part's base (`gross − refunds +
/// operator_funded`) by largest remainder ([`Money::allocate`]): rounding each part on its own
/// would make the rows disagree with the total by a peso here and there. Every column of the
/// rows therefore adds up exactly to the same column of the totals.
pub fn settle_parts(
    currency: Currency,
    rate: CommissionRate,
    parts: &[SettlementPart],
) -> Result<(Settlement, Vec<PartSettlement>), DomainError> {
    let totals = settle(currency, rate, parts.iter().copied())?;
    let zero = Money::zero(currency);
    let mut rows = Vec::with_capacity(parts.len());
    let mut weights = Vec::with_capacity(parts.len());
    for part in parts {
        let (merchant_funded, operator_funded) =
            if part.voided { (zero, zero) } else { (part.merchant_funded, part.operator_funded) };
        let base = part.captured.checked_sub(part.refunded)?.checked_add(operator_funded)?;
        weights.push(u64::try_from(base.amount_minor).unwrap_or(0));
        rows.push(PartSettlement {
            gross: part.captured,
            refunds: part.refunded,
            merchant_funded,
            operator_funded,
            commission: zero,
            net: base,
        });
    }
    for (row, commission) in rows.iter_mut().zip(totals.commission.allocate(&weights)) {
        row.commission = commission;
        row.net = row.net.checked_sub(commission)?;
    }
    Ok((totals, rows))
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

    #[test]
    fn part_rows_share_the_commission_so_they_add_up_to_the_totals() -> Result<(), DomainError> {
        let clp = |amount| Money::new(amount, Currency::Clp);
        let rate = CommissionRate::parse(1500)?;
        // Three parts of 1 005: 150.75 each on its own rounds to 151 (453), but the total is 452.
        let parts = [SettlementPart::plain(clp(1_005), clp(0)); 3];
        let (totals, rows) = settle_parts(Currency::Clp, rate, &parts)?;
        assert_eq!(totals.commission, clp(452));
        let commissions: Vec<i64> = rows.iter().map(|row| row.commission.amount_minor).collect();
        assert_eq!(commissions, [151, 151, 150]);
        assert_eq!(rows.iter().map(|row| row.net.amount_minor).sum::<i64>(), totals.net.amount_minor);
        Ok(())
    }

    #[test]
    fn a_voided_part_row_carries_no_promotion_and_no_commission() -> Result<(), DomainError> {
        let clp = |amount| Money::new(amount, Currency::Clp);
        let rate = CommissionRate::parse(1000)?;
        let rejected = SettlementPart {
            captured: clp(4_500),
            refunded: clp(4_500),
            merchant_funded: clp(500),
            operator_funded: clp(300),
            voided: true,
        };
        let (_, rows) = settle_parts(Currency::Clp, rate, &[SettlementPart::plain(clp(10_000), clp(0)), rejected])?;
        assert_eq!((rows[1].merchant_funded, rows[1].operator_funded), (clp(0), clp(0)));
        assert_eq!((rows[1].commission, rows[1].net), (clp(0), clp(0)));
        assert_eq!((rows[0].commission, rows[0].net), (clp(1_000), clp(9_000)));
        Ok(())
    }

    proptest! {
        #[test]
        fn part_rows_always_add_up_to_the_totals(
            parts in proptest::collection::vec((0i64..10_000_000, 0u8..3, 0i64..50_000, 0i64..50_000, any::<bool>()), 0..40),
            bps in 0i64..=10_000,
        ) {
            let rate = CommissionRate::parse(bps).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let pen = |amount| Money::new(amount, Currency::Pen);
            let parts: Vec<SettlementPart> = parts
                .iter()
                .map(|&(captured, refund, merchant, operator, voided)| SettlementPart {
                    captured: pen(captured),
                    // None, half (rounded down) or all of it refunded.
                    refunded: pen(captured * i64::from(refund) / 2),
                    merchant_funded: pen(merchant),
                    operator_funded: pen(operator),
                    voided,
                })
                .collect();
            let (totals, rows) =
                settle_parts(Currency::Pen, rate, &parts).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let plain = settle(Currency::Pen, rate, parts.iter().copied()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(totals, plain);
            let column = |pick: fn(&PartSettlement) -> Money| rows.iter().map(|row| pick(row).amount_minor).sum::<i64>();
            prop_assert_eq!(column(|r| r.gross), totals.gross.amount_minor);
            prop_assert_eq!(column(|r| r.refunds), totals.refunds.amount_minor);
            prop_assert_eq!(column(|r| r.merchant_funded), totals.merchant_funded.amount_minor);
            prop_assert_eq!(column(|r| r.operator_funded), totals.operator_funded.amount_minor);
            prop_assert_eq!(column(|r| r.commission), totals.commission.amount_minor);
            prop_assert_eq!(column(|r| r.net), totals.net.amount_minor);
            for row in &rows {
                prop_assert_eq!(
                    row.gross.amount_minor - row.refunds.amount_minor + row.operator_funded.amount_minor
                        - row.commission.amount_minor,
                    row.net.amount_minor
                );
                prop_assert!(row.commission.amount_minor >= 0);
            }
        }

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
