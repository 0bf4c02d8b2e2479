//! The fulfilment state machine: one restaurant's or shop's part of an order.
//!
//! `placed → accepted → preparing → ready → collected`; `rejected` from `placed`
//! or `accepted`; `cancelled` by the customer from `placed`. [`FulfillmentStatus::next_statuses`]
//! is the one table of legal moves; [`plan_transition`] adds who may make them and
//! what each move does to stock and money.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::payment::PaymentMethod;
use crate::{DomainError, Money};

/// Where one part of an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum FulfillmentStatus {
    /// Paid (or to be paid at pickup) and waiting for the merchant.
    Placed,
    /// The merchant has taken it on.
    Accepted,
    /// Being prepared.
    Preparing,
    /// Waiting at the counter for the customer.
    Ready,
    /// Handed over against the pickup code. Final.
    Collected,
    /// Refused by the merchant; stock released and money refunded. Final.
    Rejected,
    /// Withdrawn by the customer before the merchant accepted. Final.
    Cancelled,
}

impl FulfillmentStatus {
    /// Every status, in life-cycle order.
    pub const ALL: [FulfillmentStatus; 7] =
        [Self::Placed, Self::Accepted, Self::Preparing, Self::Ready, Self::Collected, Self::Rejected, Self::Cancelled];

    /// The table of legal transitions: the statuses reachable in one step.
    pub fn next_statuses(self) -> &'static [FulfillmentStatus] {
        use FulfillmentStatus::*;
        match self {
            Placed => &[Accepted, Rejected, Cancelled],
            Accepted => &[Preparing, Rejected],
            Preparing => &[Ready],
            Ready => &[Collected],
            Collected | Rejected | Cancelled => &[],
        }
    }

    /// True for statuses that end the part's life.
    pub fn is_final(self) -> bool {
        self.next_statuses().is_empty()
    }

    /// True when the part no longer counts toward what the customer pays.
    pub fn is_voided(self) -> bool {
        use FulfillmentStatus::*;
        match self {
            Rejected | Cancelled => true,
            Placed | Accepted | Preparing | Ready | Collected => false,
        }
    }

    /// The snake_case name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        use FulfillmentStatus::*;
        match self {
            Placed => "placed",
            Accepted => "accepted",
            Preparing => "preparing",
            Ready => "ready",
            Collected => "collected",
            Rejected => "rejected",
            Cancelled => "cancelled",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == raw)
            .ok_or_else(|| DomainError::invalid("status", format!("unknown status {raw:?}")))
    }
}

impl fmt::Display for FulfillmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who asks for a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// Staff, a manager or an admin acting for the merchant.
    Merchant,
    /// The customer, holding the order's tracking token.
    Customer,
}

/// What a legal transition does to the part's reserved stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockEffect {
    /// Give the reserved units back to availability.
    Release,
    /// The reserved units leave on-hand: the goods were handed over.
    Sell,
}

/// What a legal transition does to the part's money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyEffect {
    /// Give this amount back to the original payment.
    Refund(Money),
    /// Take this amount now (pay at pickup, on handover).
    Capture(Money),
    /// A pay-at-pickup part was voided before handover: the amount is no longer owed.
    Forgive(Money),
}

/// A checked transition with its consequences, ready for the store to apply atomically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionPlan {
    /// Status before.
    pub from: FulfillmentStatus,
    /// Status after.
    pub to: FulfillmentStatus,
    /// Stock consequence, if any.
    pub stock: Option<StockEffect>,
    /// Money consequence, if any.
    pub money: Option<MoneyEffect>,
}

/// What [`plan_transition`] needs to know about the part.
#[derive(Debug, Clone, Copy)]
pub struct TransitionRequest<'a> {
    /// Current status.
    pub from: FulfillmentStatus,
    /// Requested status.
    pub to: FulfillmentStatus,
    /// Who asks.
    pub actor: Actor,
    /// The code the customer shows, when handing over.
    pub presented_pickup_code: Option<&'a str>,
    /// The part's real pickup code.
    pub pickup_code: &'a str,
    /// How the order was paid.
    pub payment_method: PaymentMethod,
    /// The part's subtotal.
    pub subtotal: Money,
}

/// Checks a transition and works out its effects, or refuses it.
pub fn plan_transition(request: TransitionRequest<'_>) -> Result<TransitionPlan, DomainError> {
    let TransitionRequest { from, to, actor, .. } = request;
    let illegal = DomainError::IllegalTransition { from, to };
    if !from.next_statuses().contains(&to) {
        return Err(illegal);
    }
    if actor == Actor::Customer && to != FulfillmentStatus::Cancelled {
        return Err(illegal);
    }
    use FulfillmentStatus::*;
    let (stock, money) = match to {
        Rejected | Cancelled => {
            let refund = match request.payment_method {
                PaymentMethod::Card | PaymentMethod::PaidInShop => Some(MoneyEffect::Refund(request.subtotal)),
                PaymentMethod::PayAtPickup => Some(MoneyEffect::Forgive(request.subtotal)),
            };
            (Some(StockEffect::Release), refund)
        }
        Collected => {
            if !codes_match(request.presented_pickup_code, request.pickup_code) {
                return Err(DomainError::WrongPickupCode);
            }
            let capture = match request.payment_method {
                PaymentMethod::Card | PaymentMethod::PaidInShop => None,
                PaymentMethod::PayAtPickup => Some(MoneyEffect::Capture(request.subtotal)),
            };
            (Some(StockEffect::Sell), capture)
        }
        Placed | Accepted | Preparing | Ready => (None, None),
    };
    Ok(TransitionPlan { from, to, stock, money })
}

/// The plan for a part whose stock hold lapsed while it was still `placed`: it is cancelled
/// like a customer's cancellation (stock released, a card refunded, a pay-at-pickup amount no
/// longer owed), on the merchant's account since the merchant did not answer in time.
pub fn plan_hold_lapse(payment_method: PaymentMethod, subtotal: Money) -> TransitionPlan {
    let money = match payment_method {
        PaymentMethod::Card | PaymentMethod::PaidInShop => MoneyEffect::Refund(subtotal),
        PaymentMethod::PayAtPickup => MoneyEffect::Forgive(subtotal),
    };
    TransitionPlan {
        from: FulfillmentStatus::Placed,
        to: FulfillmentStatus::Cancelled,
        stock: Some(StockEffect::Release),
        money: Some(money),
    }
}

/// Compares pickup codes in time independent of where they differ.
fn codes_match(presented: Option<&str>, expected: &str) -> bool {
    let Some(presented) = presented.map(str::trim) else {
        return false;
    };
    if presented.len() != expected.len() {
        return false;
    }
    presented.bytes().zip(expected.bytes()).fold(0u8, |difference, (a, b)| difference | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn request(from: FulfillmentStatus, to: FulfillmentStatus) -> TransitionRequest<'static> {
        TransitionRequest {
            from,
            to,
            actor: Actor::Merchant,
            presented_pickup_code: Some("4821"),
            pickup_code: "4821",
            payment_method: PaymentMethod::Card,
            subtotal: Money::new(12990, Currency::Clp),
        }
    }

    /// The transitions the contract names, written out independently of the table.
    const LEGAL: [(FulfillmentStatus, FulfillmentStatus); 7] = {
        use FulfillmentStatus::*;
        [
            (Placed, Accepted),
            (Accepted, Preparing),
            (Preparing, Ready),
            (Ready, Collected),
            (Placed, Rejected),
            (Accepted, Rejected),
            (Placed, Cancelled),
        ]
    };

    #[test]
    fn every_pair_outside_the_contract_is_refused() {
        for from in FulfillmentStatus::ALL {
            for to in FulfillmentStatus::ALL {
                let outcome = plan_transition(request(from, to));
                if LEGAL.contains(&(from, to)) {
                    assert!(outcome.is_ok(), "{from} → {to} should be legal");
                } else {
                    assert_eq!(outcome, Err(DomainError::IllegalTransition { from, to }));
                }
            }
        }
    }

    #[test]
    fn rejection_of_a_card_part_releases_stock_and_refunds_its_subtotal() {
        let plan = plan_transition(request(FulfillmentStatus::Accepted, FulfillmentStatus::Rejected));
        assert_eq!(
            plan.map(|p| (p.stock, p.money)),
            Ok((Some(StockEffect::Release), Some(MoneyEffect::Refund(Money::new(12990, Currency::Clp)))))
        );
    }

    #[test]
    fn handover_needs_the_right_code() {
        let mut wrong = request(FulfillmentStatus::Ready, FulfillmentStatus::Collected);
        wrong.presented_pickup_code = Some("0000");
        assert_eq!(plan_transition(wrong), Err(DomainError::WrongPickupCode));
        wrong.presented_pickup_code = None;
        assert_eq!(plan_transition(wrong), Err(DomainError::WrongPickupCode));
    }

    #[test]
    fn pay_at_pickup_is_captured_on_handover() {
        let mut handover = request(FulfillmentStatus::Ready, FulfillmentStatus::Collected);
        handover.payment_method = PaymentMethod::PayAtPickup;
        let plan = plan_transition(handover);
        assert_eq!(plan.map(|p| p.money), Ok(Some(MoneyEffect::Capture(Money::new(12990, Currency::Clp)))));
    }

    #[test]
    fn a_lapsed_hold_is_planned_like_a_cancellation() {
        for method in [PaymentMethod::Card, PaymentMethod::PayAtPickup] {
            let mut cancel = request(FulfillmentStatus::Placed, FulfillmentStatus::Cancelled);
            cancel.payment_method = method;
            assert_eq!(Ok(plan_hold_lapse(method, Money::new(12990, Currency::Clp))), plan_transition(cancel));
        }
    }

    #[test]
    fn a_customer_may_only_cancel() {
        let mut customer = request(FulfillmentStatus::Placed, FulfillmentStatus::Accepted);
        customer.actor = Actor::Customer;
        assert!(plan_transition(customer).is_err());
        customer.to = FulfillmentStatus::Cancelled;
        assert!(plan_transition(customer).is_ok());
    }
}
