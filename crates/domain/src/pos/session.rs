//! The cash session of a till: opened with a counted float, cash put in or taken out with a
//! reason while open, closed with the counted cash. The one transition table is
//! [`SessionStatus::next_statuses`]; the arithmetic is [`CashTotals::expected`].

use crate::{DomainError, Money};

crate::named_enum! {
    /// Where a cash session stands.
    pub enum SessionStatus("status") {
        /// Selling: sales and cash movements are taken.
        Open => "open",
        /// Counted and closed. Final.
        Closed => "closed",
    }
}

impl SessionStatus {
    /// The statuses a session may move to from this one: the one transition table.
    pub fn next_statuses(self) -> &'static [SessionStatus] {
        match self {
            SessionStatus::Open => &[SessionStatus::Closed],
            SessionStatus::Closed => &[],
        }
    }

    /// `SessionNotOpen` unless sales and cash movements may be recorded in this state.
    pub fn check_open(self) -> Result<(), DomainError> {
        match self {
            SessionStatus::Open => Ok(()),
            SessionStatus::Closed => Err(DomainError::SessionNotOpen),
        }
    }
}

crate::named_enum! {
    /// Which way cash moved outside a sale.
    pub enum CashDirection("direction") {
        /// Put into the drawer (more change).
        In => "in",
        /// Taken out of the drawer (to the safe, a supplier paid).
        Out => "out",
    }
}

/// The cash figures of a session, in the session's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CashTotals {
    /// Counted when the session opened.
    pub opening_float: Money,
    /// Cash kept from sales (what customers handed over minus their change).
    pub cash_sales: Money,
    /// Cash put in.
    pub cash_in: Money,
    /// Cash taken out.
    pub cash_out: Money,
    /// Cash kept from pay-at-pickup orders collected at the till (net of change): money
    /// received in the drawer like a sale's, kept apart because it is not a till sale.
    pub pickup_cash: Money,
}

impl CashTotals {
    /// The cash the drawer should hold: float + cash sales + cash in − cash out, plus the
    /// cash of pay-at-pickup orders collected.
    pub fn expected(&self) -> Result<Money, DomainError> {
        self.opening_float
            .checked_add(self.cash_sales)?
            .checked_add(self.cash_in)?
            .checked_sub(self.cash_out)?
            .checked_add(self.pickup_cash)
    }
}

/// A session's close: what the drawer should hold, what was counted, and the difference
/// (counted − expected: negative when cash is missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseOutcome {
    /// What the drawer should hold.
    pub expected: Money,
    /// What was counted.
    pub counted: Money,
    /// counted − expected.
    pub difference: Money,
}

/// Closes a session in `status` with `counted` cash: only an open session closes, and the
/// count is in its currency and not negative.
pub fn close_session(status: SessionStatus, totals: &CashTotals, counted: Money) -> Result<CloseOutcome, DomainError> {
    if !status.next_statuses().contains(&SessionStatus::Closed) {
        return Err(DomainError::SessionNotOpen);
    }
    if counted.amount_minor < 0 {
        return Err(DomainError::invalid("counted_cash", "must not be negative"));
    }
    let expected = totals.expected()?;
    let difference = counted.checked_sub(expected)?;
    Ok(CloseOutcome { expected, counted, difference })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::Currency;

    fn clp(amount: i64) -> Money {
        Money::new(amount, Currency::Clp)
    }

    fn totals(float: i64, sales: i64, cash_in: i64, cash_out: i64) -> CashTotals {
        CashTotals {
            opening_float: clp(float),
            cash_sales: clp(sales),
            cash_in: clp(cash_in),
            cash_out: clp(cash_out),
            pickup_cash: clp(0),
        }
    }

    #[test]
    fn a_session_that_does_not_add_up_reports_its_difference() {
        let outcome = close_session(SessionStatus::Open, &totals(50_000, 32_970, 10_000, 5_000), clp(86_000));
        assert_eq!(outcome, Ok(CloseOutcome { expected: clp(87_970), counted: clp(86_000), difference: clp(-1_970) }));
    }

    #[test]
    fn a_closed_session_neither_closes_again_nor_sells() {
        let again = close_session(SessionStatus::Closed, &totals(0, 0, 0, 0), clp(0));
        assert_eq!(again, Err(DomainError::SessionNotOpen));
        assert_eq!(SessionStatus::Closed.check_open(), Err(DomainError::SessionNotOpen));
        assert_eq!(SessionStatus::Open.check_open(), Ok(()));
        assert!(close_session(SessionStatus::Open, &totals(0, 0, 0, 0), clp(-1)).is_err());
        let pen = Money::new(0, Currency::Pen);
        assert!(close_session(SessionStatus::Open, &totals(0, 0, 0, 0), pen).is_err(), "another currency");
    }

    #[test]
    fn every_status_is_in_the_table() {
        for status in SessionStatus::ALL {
            assert!(!status.next_statuses().contains(status), "{status} does not lead to itself");
        }
    }

    #[test]
    fn cash_of_collected_pickups_is_expected_in_the_drawer() {
        let with_pickups = CashTotals { pickup_cash: clp(12_990), ..totals(50_000, 10_000, 0, 0) };
        assert_eq!(with_pickups.expected(), Ok(clp(72_990)));
    }

    proptest! {
        #[test]
        fn expected_plus_difference_is_what_was_counted(
            float in 0i64..10_000_000, sales in 0i64..10_000_000, cash_in in 0i64..1_000_000,
            cash_out in 0i64..1_000_000, counted in 0i64..30_000_000,
        ) {
            let outcome = close_session(SessionStatus::Open, &totals(float, sales, cash_in, cash_out), clp(counted));
            let Ok(outcome) = outcome else { return Err(TestCaseError::fail("close refused")) };
            prop_assert_eq!(outcome.expected.amount_minor, float + sales + cash_in - cash_out);
            prop_assert_eq!(outcome.expected.amount_minor + outcome.difference.amount_minor, counted);
        }
    }
}
