//! How a till sale is paid: one or more tenders (split tender) that must cover the total.
//! Cash may exceed what it pays — the customer hands over more and gets change — but a card
//! never pays more than the total. Offline, the till takes only cash and an external
//! terminal's card payment (typed in with its approval code); its own card terminal needs the
//! network.

use crate::{DomainError, Money};

crate::named_enum! {
    /// How one part of a sale is paid.
    pub enum TenderMethod("method") {
        /// Notes and coins into the drawer.
        Cash => "cash",
        /// The till's card terminal (charged online, through the terminal provider).
        Card => "card",
        /// A terminal the till does not drive; the cashier types its approval code.
        ExternalCard => "external_card",
        /// A gift card of the merchant, by its code (issue 17 point 8): spent in the sale's
        /// own transaction, never below its balance.
        GiftCard => "gift_card",
        /// The customer's store credit, by their e-mail or phone (issue 17 point 8).
        StoreCredit => "store_credit",
    }
}

impl TenderMethod {
    /// Whether a sale made offline may carry this tender.
    pub fn allowed_offline(self) -> bool {
        !matches!(self, TenderMethod::Card | TenderMethod::GiftCard | TenderMethod::StoreCredit)
    }

    /// Whether this tender spends a store-credit balance (a gift card's or a customer's).
    pub fn spends_credit(self) -> bool {
        matches!(self, TenderMethod::GiftCard | TenderMethod::StoreCredit)
    }
}

/// One tender as the till sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tender {
    /// How.
    pub method: TenderMethod,
    /// What it pays towards the total.
    pub amount: Money,
    /// For cash: what the customer handed over, when more than `amount`.
    pub tendered: Option<Money>,
}

/// The tenders settled against a total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderOutcome {
    /// What each tender pays of the total, in order: they add up to the total exactly
    /// (the change is taken off the cash tenders, last first).
    pub applied: Vec<Money>,
    /// What goes back to the customer.
    pub change: Money,
}

/// Settles `tenders` against `total`: each amount positive (a cash `tendered` at least its
/// amount), non-cash tenders at most the total, and everything handed over at least the total;
/// the excess is the change.
pub fn settle_tenders(total: Money, tenders: &[Tender]) -> Result<TenderOutcome, DomainError> {
    let currency = total.currency;
    let mut handed = Vec::with_capacity(tenders.len());
    for (index, tender) in tenders.iter().enumerate() {
        let field = format!("payments[{index}]");
        if tender.amount.currency != currency {
            return Err(DomainError::invalid(format!("{field}.amount"), format!("must be in {currency}")));
        }
        if tender.amount.amount_minor <= 0 {
            return Err(DomainError::invalid(format!("{field}.amount"), "must be more than zero"));
        }
        let given = match (tender.method, tender.tendered) {
            (TenderMethod::Cash, Some(tendered)) => {
                if tendered.currency != currency || tendered.amount_minor < tender.amount.amount_minor {
                    return Err(DomainError::invalid(
                        format!("{field}.tendered"),
                        "must be in the sale's currency and at least the amount",
                    ));
                }
                tendered
            }
            (_, Some(_)) => {
                return Err(DomainError::invalid(format!("{field}.tendered"), "only cash is tendered"));
            }
            (_, None) => tender.amount,
        };
        handed.push(given);
    }
    let non_cash = Money::sum(
        currency,
        tenders.iter().zip(&handed).filter(|(t, _)| t.method != TenderMethod::Cash).map(|(_, given)| *given),
    )?;
    if non_cash.amount_minor > total.amount_minor {
        return Err(DomainError::invalid("payments", "card payments may not exceed the total"));
    }
    let paid = Money::sum(currency, handed.iter().copied())?;
    if paid.amount_minor < total.amount_minor {
        return Err(DomainError::invalid(
            "payments",
            format!("the payments ({paid}) do not cover the total ({total})"),
        ));
    }
    let change = paid.checked_sub(total)?;
    let mut left = change.amount_minor;
    let mut applied = handed.clone();
    for (tender, applied) in tenders.iter().zip(applied.iter_mut()).rev() {
        if left == 0 {
            break;
        }
        if tender.method == TenderMethod::Cash {
            let taken = left.min(applied.amount_minor);
            applied.amount_minor -= taken;
            left -= taken;
        }
    }
    Ok(TenderOutcome { applied, change })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::Currency;

    fn clp(amount: i64) -> Money {
        Money::new(amount, Currency::Clp)
    }

    fn cash(amount: i64, tendered: Option<i64>) -> Tender {
        Tender { method: TenderMethod::Cash, amount: clp(amount), tendered: tendered.map(clp) }
    }

    fn card(amount: i64) -> Tender {
        Tender { method: TenderMethod::Card, amount: clp(amount), tendered: None }
    }

    #[test]
    fn cash_may_exceed_the_total_and_the_excess_is_the_change() {
        let outcome = settle_tenders(clp(12_990), &[cash(12_990, Some(20_000))]);
        assert_eq!(outcome, Ok(TenderOutcome { applied: vec![clp(12_990)], change: clp(7_010) }));
        let split = settle_tenders(clp(10_000), &[card(6_000), cash(5_000, None)]);
        assert_eq!(split, Ok(TenderOutcome { applied: vec![clp(6_000), clp(4_000)], change: clp(1_000) }));
    }

    #[test]
    fn tenders_that_do_not_cover_or_overpay_by_card_are_refused() {
        assert!(settle_tenders(clp(10_000), &[cash(9_999, None)]).is_err());
        assert!(settle_tenders(clp(10_000), &[card(10_001)]).is_err());
        assert!(settle_tenders(clp(10_000), &[card(10_000), card(1)]).is_err());
        assert!(settle_tenders(clp(10_000), &[cash(10_000, Some(9_000))]).is_err());
        assert!(settle_tenders(clp(10_000), &[cash(0, None), card(10_000)]).is_err());
        let pen = Tender { method: TenderMethod::Cash, amount: Money::new(10_000, Currency::Pen), tendered: None };
        assert!(settle_tenders(clp(10_000), &[pen]).is_err());
        assert_eq!(settle_tenders(clp(0), &[]).map(|o| o.change), Ok(clp(0)), "a free sale needs no tender");
        assert!(!TenderMethod::Card.allowed_offline());
        assert!(TenderMethod::ExternalCard.allowed_offline());
    }

    proptest! {
        #[test]
        fn what_the_tenders_pay_adds_up_to_the_total(
            total in 0i64..1_000_000,
            parts in proptest::collection::vec((0u8..3, 1i64..500_000, 0i64..100_000), 1..5),
        ) {
            let tenders: Vec<Tender> = parts.iter().map(|(kind, amount, extra)| match kind {
                0 => cash(*amount, Some(amount + extra)),
                1 => card(*amount),
                _ => Tender { method: TenderMethod::ExternalCard, amount: clp(*amount), tendered: None },
            }).collect();
            if let Ok(outcome) = settle_tenders(clp(total), &tenders) {
                let applied: i64 = outcome.applied.iter().map(|m| m.amount_minor).sum();
                prop_assert_eq!(applied, total);
                prop_assert!(outcome.change.amount_minor >= 0);
                for (tender, applied) in tenders.iter().zip(&outcome.applied) {
                    prop_assert!(applied.amount_minor >= 0);
                    if tender.method != TenderMethod::Cash {
                        prop_assert_eq!(*applied, tender.amount);
                    }
                }
            } else {
                let handed: i64 = tenders.iter().map(|t| t.tendered.unwrap_or(t.amount).amount_minor).sum();
                let non_cash: i64 = tenders.iter().filter(|t| t.method != TenderMethod::Cash).map(|t| t.amount.amount_minor).sum();
                prop_assert!(handed < total || non_cash > total);
            }
        }
    }
}
