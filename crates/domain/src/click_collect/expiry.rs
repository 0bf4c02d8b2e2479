//! How long a ready part waits for its customer, and what releasing it does.
//!
//! A part that is `ready` and not collected within the merchant's `pickup_expiry_days` is
//! released: cancelled with a reason, its reserved units given back, and its money undone — a
//! card's captured amount (net of what was already refunded) refunded by a payment job, a
//! pay-at-pickup amount no longer owed. The sweep that finds due parts lives in the store; the
//! plan of each release is made here, so it is the same on every node.

use crate::fulfillment::{FulfillmentStatus, MoneyEffect, StockEffect, TransitionPlan};
use crate::payment::PaymentMethod;
use crate::{DomainError, Money};

/// Days a ready part waits when the merchant set nothing.
pub const DEFAULT_PICKUP_EXPIRY_DAYS: i64 = 7;
/// Longest wait a merchant may set (a season's layaway is another feature).
pub const MAX_PICKUP_EXPIRY_DAYS: i64 = 90;
/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// The reason recorded on a released part (the customer is told through the usual channels).
pub const PICKUP_EXPIRED_REASON: &str = "not collected in time: released";

/// Days a ready part waits before it is released: 1 to [`MAX_PICKUP_EXPIRY_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PickupExpiryDays(i64);

impl PickupExpiryDays {
    /// Checks a number of days.
    pub fn parse(days: i64) -> Result<Self, DomainError> {
        if (1..=MAX_PICKUP_EXPIRY_DAYS).contains(&days) {
            Ok(Self(days))
        } else {
            Err(DomainError::invalid("pickup_expiry_days", format!("must be 1 to {MAX_PICKUP_EXPIRY_DAYS} days")))
        }
    }

    /// The default wait.
    pub fn default_days() -> Self {
        Self(DEFAULT_PICKUP_EXPIRY_DAYS)
    }

    /// The number of days.
    pub fn days(self) -> i64 {
        self.0
    }

    /// When a part made ready at `ready_at_ms` is due to be released.
    pub fn due_at_ms(self, ready_at_ms: i64) -> i64 {
        ready_at_ms.saturating_add(self.0.saturating_mul(DAY_MS))
    }
}

/// The plan for a ready part released for not being collected: `ready → cancelled`, its units
/// released, and its money undone — a card (or a shop's payment) refunded what it paid and was
/// not yet given back, a pay-at-pickup amount still owed forgiven. `paid` is what the part's
/// payment took net of refunds; `subtotal` what the part costs now.
pub fn plan_pickup_expiry(payment_method: PaymentMethod, subtotal: Money, paid: Money) -> TransitionPlan {
    let money = match payment_method {
        PaymentMethod::Card | PaymentMethod::PaidInShop => (paid.amount_minor > 0).then_some(MoneyEffect::Refund(paid)),
        PaymentMethod::PayAtPickup => {
            let owed = Money::new((subtotal.amount_minor - paid.amount_minor).max(0), subtotal.currency);
            (owed.amount_minor > 0).then_some(MoneyEffect::Forgive(owed))
        }
    };
    TransitionPlan {
        from: FulfillmentStatus::Ready,
        to: FulfillmentStatus::Cancelled,
        stock: Some(StockEffect::Release),
        money,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn clp(amount: i64) -> Money {
        Money::new(amount, Currency::Clp)
    }

    #[test]
    fn days_are_bounded_and_due_counts_from_ready() {
        assert!(PickupExpiryDays::parse(0).is_err());
        assert!(PickupExpiryDays::parse(MAX_PICKUP_EXPIRY_DAYS + 1).is_err());
        let week = PickupExpiryDays::parse(7).map(|days| days.due_at_ms(1_000));
        assert_eq!(week, Ok(1_000 + 7 * DAY_MS));
        assert_eq!(PickupExpiryDays::default_days().days(), DEFAULT_PICKUP_EXPIRY_DAYS);
    }

    #[test]
    fn a_card_part_is_refunded_what_it_paid_and_a_pay_at_pickup_part_is_forgiven() {
        let card = plan_pickup_expiry(PaymentMethod::Card, clp(20_000), clp(18_000));
        assert_eq!((card.from, card.to), (FulfillmentStatus::Ready, FulfillmentStatus::Cancelled));
        assert_eq!((card.stock, card.money), (Some(StockEffect::Release), Some(MoneyEffect::Refund(clp(18_000)))));
        let at_pickup = plan_pickup_expiry(PaymentMethod::PayAtPickup, clp(20_000), clp(0));
        assert_eq!(at_pickup.money, Some(MoneyEffect::Forgive(clp(20_000))));
        let nothing_paid = plan_pickup_expiry(PaymentMethod::Card, clp(20_000), clp(0));
        assert_eq!(nothing_paid.money, None);
    }
}
