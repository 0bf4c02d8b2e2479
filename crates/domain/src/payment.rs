//! Payment arithmetic: what was captured, what was refunded, and the status that follows.

use serde::{Deserialize, Serialize};

use crate::{DomainError, Money};

/// How the customer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Charged at checkout through a card provider.
    Card,
    /// Paid at the counter when each part is handed over.
    PayAtPickup,
    /// Paid to an external shop (WooCommerce, Shopify…) before the order reached us: nothing
    /// is charged or refunded here; a cancellation is told back to the shop, which refunds.
    PaidInShop,
}

impl PaymentMethod {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Card => "card",
            PaymentMethod::PayAtPickup => "pay_at_pickup",
            PaymentMethod::PaidInShop => "paid_in_shop",
        }
    }
    /// Parses the snake_case name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw {
            "card" => Ok(PaymentMethod::Card),
            "pay_at_pickup" => Ok(PaymentMethod::PayAtPickup),
            "paid_in_shop" => Ok(PaymentMethod::PaidInShop),
            _ => Err(DomainError::invalid("payment.method", "must be card or pay_at_pickup")),
        }
    }
}

/// The state of an order's money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Nothing taken yet (pay at pickup).
    Pending,
    /// Taken, nothing given back.
    Captured,
    /// Part of what was taken was given back.
    PartiallyRefunded,
    /// Everything taken was given back.
    Refunded,
    /// Pay at pickup, and every part was rejected or cancelled: nothing is owed.
    Voided,
}

impl PaymentStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Captured => "captured",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::Voided => "voided",
        }
    }
}

/// The money side of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentTotals {
    /// How the order is paid.
    pub method: PaymentMethod,
    /// Taken from the customer so far.
    pub captured: Money,
    /// Given back so far.
    pub refunded: Money,
    /// What the customer still owes at pickup (pay at pickup only).
    pub outstanding: Money,
}

impl PaymentTotals {
    /// The status that the totals imply.
    pub fn status(self) -> PaymentStatus {
        let captured = self.captured.amount_minor;
        let refunded = self.refunded.amount_minor;
        if refunded > 0 {
            if refunded >= captured { PaymentStatus::Refunded } else { PaymentStatus::PartiallyRefunded }
        } else if self.outstanding.amount_minor > 0 {
            PaymentStatus::Pending
        } else if captured > 0 {
            PaymentStatus::Captured
        } else if self.method == PaymentMethod::PayAtPickup {
            PaymentStatus::Voided
        } else {
            PaymentStatus::Captured
        }
    }

    /// Records a refund, refusing more than remains captured.
    pub fn refund(self, amount: Money) -> Result<PaymentTotals, DomainError> {
        let refunded = self.refunded.checked_add(amount)?;
        if amount.amount_minor < 0 || refunded.amount_minor > self.captured.amount_minor {
            return Err(DomainError::RefundExceedsCaptured);
        }
        Ok(PaymentTotals { refunded, ..self })
    }

    /// Records a capture at pickup, moving the amount from outstanding to captured.
    pub fn capture(self, amount: Money) -> Result<PaymentTotals, DomainError> {
        Ok(PaymentTotals {
            captured: self.captured.checked_add(amount)?,
            outstanding: self.outstanding.checked_sub(amount)?,
            ..self
        })
    }

    /// Records that a part was voided before pickup, so its amount is no longer owed.
    pub fn forgive(self, amount: Money) -> Result<PaymentTotals, DomainError> {
        Ok(PaymentTotals { outstanding: self.outstanding.checked_sub(amount)?, ..self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;
    use proptest::prelude::*;

    fn clp(amount: i64) -> Money {
        Money::new(amount, Currency::Clp)
    }

    fn card(total: i64) -> PaymentTotals {
        PaymentTotals { method: PaymentMethod::Card, captured: clp(total), refunded: clp(0), outstanding: clp(0) }
    }

    #[test]
    fn status_follows_refunds() -> Result<(), DomainError> {
        let paid = card(30_000);
        assert_eq!(paid.status(), PaymentStatus::Captured);
        let partly = paid.refund(clp(10_000))?;
        assert_eq!(partly.status(), PaymentStatus::PartiallyRefunded);
        assert_eq!(partly.refund(clp(20_000))?.status(), PaymentStatus::Refunded);
        assert_eq!(partly.refund(clp(20_001)), Err(DomainError::RefundExceedsCaptured));
        Ok(())
    }

    #[test]
    fn pay_at_pickup_is_pending_until_every_part_is_settled() -> Result<(), DomainError> {
        let due = PaymentTotals {
            method: PaymentMethod::PayAtPickup,
            captured: clp(0),
            refunded: clp(0),
            outstanding: clp(15_000),
        };
        assert_eq!(due.status(), PaymentStatus::Pending);
        let one_collected = due.capture(clp(10_000))?;
        assert_eq!(one_collected.status(), PaymentStatus::Pending);
        assert_eq!(one_collected.forgive(clp(5_000))?.status(), PaymentStatus::Captured);
        assert_eq!(due.forgive(clp(15_000))?.status(), PaymentStatus::Voided);
        Ok(())
    }

    proptest! {
        #[test]
        fn refunds_of_parts_never_exceed_the_capture(parts in proptest::collection::vec(1i64..1_000_000, 1..20), refund_mask in proptest::collection::vec(any::<bool>(), 20)) {
            let total: i64 = parts.iter().sum();
            let mut payment = card(total);
            let mut expected_refund = 0;
            for (part, refund) in parts.iter().zip(refund_mask) {
                if refund {
                    payment = payment.refund(clp(*part)).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    expected_refund += part;
                }
            }
            prop_assert_eq!(payment.refunded.amount_minor, expected_refund);
            prop_assert!(payment.refunded.amount_minor <= payment.captured.amount_minor);
            prop_assert!(payment.refund(clp(total - expected_refund + 1)).is_err());
        }
    }
}
