//! A part changed at the counter before it is handed over: which parts may change, how the
//! stock holds move, and who owes what once the one pricing engine priced the new lines.
//!
//! The till sends the part's lines as they should be (a line left out is removed, a size
//! swapped is one SKU out and another in, an item added is a new line); [`stock_deltas`] turns
//! the before and after into one signed change per SKU, sorted by SKU so two changes lock
//! stock rows in the same order. [`settle_change`] says what the new total means for money: a
//! pay-at-pickup part simply owes the new total; a card part already paid its old one, so a
//! lower total is refunded the difference (a payment job) and a higher one is paid at the till.

use std::collections::BTreeMap;

use crate::fulfillment::FulfillmentStatus;
use crate::payment::PaymentMethod;
use crate::{DomainError, Money};

/// Refuses a part that can no longer change: one handed over, rejected or cancelled.
pub fn changeable(status: FulfillmentStatus) -> Result<(), DomainError> {
    use FulfillmentStatus::*;
    match status {
        Placed | Accepted | Preparing | Ready => Ok(()),
        Collected | Rejected | Cancelled => {
            Err(DomainError::invalid("status", format!("this order is {status}: it can no longer be changed")))
        }
    }
}

/// One SKU's change in reserved units: positive reserves more, negative releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockDelta {
    /// The SKU.
    pub sku: String,
    /// Units to reserve (positive) or release (negative); never zero.
    pub delta: i64,
}

/// The per-SKU change from `before` to `after` (each a list of tracked `(sku, quantity)`
/// lines, a SKU possibly on several lines), sorted by SKU, SKUs left unchanged omitted.
pub fn stock_deltas(before: &[(String, i64)], after: &[(String, i64)]) -> Vec<StockDelta> {
    let mut net: BTreeMap<&str, i64> = BTreeMap::new();
    for (sku, quantity) in before {
        *net.entry(sku.as_str()).or_default() -= quantity;
    }
    for (sku, quantity) in after {
        *net.entry(sku.as_str()).or_default() += quantity;
    }
    net.into_iter()
        .filter(|(_, delta)| *delta != 0)
        .map(|(sku, delta)| StockDelta { sku: sku.to_owned(), delta })
        .collect()
}

/// What a change means for money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeSettlement {
    /// The part's total before.
    pub before: Money,
    /// The part's total after, as the engine priced it.
    pub after: Money,
    /// Given back to the card now (a payment job), zero otherwise.
    pub refund: Money,
    /// What the customer pays at the till when collecting.
    pub to_collect: Money,
}

/// Who owes what after a change: `paid` is what the part's payment took net of refunds (zero
/// for pay at pickup, where nothing is taken before the counter).
pub fn settle_change(
    method: PaymentMethod,
    before: Money,
    after: Money,
    paid: Money,
) -> Result<ChangeSettlement, DomainError> {
    let currency = after.currency;
    if before.currency != currency || paid.currency != currency {
        return Err(DomainError::CurrencyMismatch { left: currency.code(), right: paid.currency.code() });
    }
    let zero = Money::new(0, currency);
    let (refund, to_collect) = match method {
        PaymentMethod::PayAtPickup => (zero, Money::new((after.amount_minor - paid.amount_minor).max(0), currency)),
        PaymentMethod::Card | PaymentMethod::PaidInShop => {
            let difference = after.amount_minor - paid.amount_minor;
            if difference < 0 {
                (Money::new(-difference, currency), zero)
            } else {
                (zero, Money::new(difference, currency))
            }
        }
    };
    Ok(ChangeSettlement { before, after, refund, to_collect })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn clp(amount: i64) -> Money {
        Money::new(amount, Currency::Clp)
    }

    fn lines(raw: &[(&str, i64)]) -> Vec<(String, i64)> {
        raw.iter().map(|(sku, quantity)| ((*sku).to_owned(), *quantity)).collect()
    }

    #[test]
    fn a_swap_releases_one_sku_and_reserves_the_other_in_sku_order() {
        let before = lines(&[("SHIRT-M", 1), ("SOCKS", 2)]);
        let after = lines(&[("SOCKS", 2), ("SHIRT-L", 1), ("CAP", 1)]);
        let deltas = stock_deltas(&before, &after);
        let got: Vec<(&str, i64)> = deltas.iter().map(|d| (d.sku.as_str(), d.delta)).collect();
        assert_eq!(got, [("CAP", 1), ("SHIRT-L", 1), ("SHIRT-M", -1)]);
        assert!(stock_deltas(&before, &before).is_empty());
    }

    #[test]
    fn only_parts_not_yet_handed_over_or_voided_change() {
        for status in FulfillmentStatus::ALL {
            assert_eq!(changeable(status).is_ok(), !status.is_final(), "{status}");
        }
    }

    #[test]
    fn a_card_part_is_refunded_a_lower_total_and_pays_a_higher_one_at_the_till() -> Result<(), DomainError> {
        let lower = settle_change(PaymentMethod::Card, clp(20_000), clp(15_000), clp(20_000))?;
        assert_eq!((lower.refund, lower.to_collect), (clp(5_000), clp(0)));
        let higher = settle_change(PaymentMethod::Card, clp(20_000), clp(26_000), clp(20_000))?;
        assert_eq!((higher.refund, higher.to_collect), (clp(0), clp(6_000)));
        let at_pickup = settle_change(PaymentMethod::PayAtPickup, clp(20_000), clp(26_000), clp(0))?;
        assert_eq!((at_pickup.refund, at_pickup.to_collect), (clp(0), clp(26_000)));
        Ok(())
    }
}
