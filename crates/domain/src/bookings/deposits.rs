//! A booking's deposit (issue 19 point 3): what a booking must put down, where the money
//! stands (one transition table), and what each way a booking ends does with it.
//!
//! The card is authorised when the booking is made and the deposit is captured by a payment
//! job (written with a confirmed booking, or with a hold's confirmation). How the booking ends
//! decides the rest, here and nowhere else: a customer's cancellation (only possible before
//! the location's cancellation deadline — the window refuses a later one) or any staff
//! cancellation refunds it; a hold that lapses voids the authorisation; a no-show or a
//! completed booking keeps it. The money itself moves in the payment worker; the deposit's
//! status follows its job's success ([`DepositStatus::when_its_job_succeeds`]).
//!
//! Known limit: a cancellation that comes before the capture job ran queues the refund while
//! the capture is still pending; a provider that refuses to refund money not yet captured
//! leaves the refund in `needs_attention`, where a person retries it once the capture is done.

use serde::{Deserialize, Serialize};

use super::booking::BookingStatus;
use crate::payment_job::PaymentJobKind;
use crate::{DomainError, Money};

crate::named_enum! {
    /// Where a booking's deposit stands.
    pub enum DepositStatus("deposit_status") {
        /// The card holds the amount; a held booking's deposit, or a confirmed one's whose
        /// capture has not run yet.
        Authorised => "authorised",
        /// Taken from the card.
        Captured => "captured",
        /// Being given back (a refund job is queued).
        RefundPending => "refund_pending",
        /// Given back.
        Refunded => "refunded",
        /// The authorisation is being released (a void job is queued).
        VoidPending => "void_pending",
        /// Released: the customer was never charged.
        Voided => "voided",
        /// Kept by the merchant: the customer did not come, or was served.
        Kept => "kept",
    }
}

/// How a location's table deposit is counted.
///
/// Per guest, not flat: a table held for eight costs the restaurant four times what a table
/// for two does when nobody comes, and a flat amount that deters a no-show of eight would make
/// a couple's booking unreasonably dear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDeposit {
    /// Charged for each guest of the party.
    pub per_guest: Money,
}

impl TableDeposit {
    /// The deposit of a party of `party_size`.
    pub fn for_party(self, party_size: i64) -> Money {
        Money::new(self.per_guest.amount_minor.saturating_mul(party_size.max(1)), self.per_guest.currency)
    }
}

/// A deposit amount as asked: positive, and (for a service with a price) at most the price.
pub fn check_deposit(field: &str, deposit: Money, price: Option<Money>) -> Result<Money, DomainError> {
    if deposit.amount_minor <= 0 {
        return Err(DomainError::invalid(field, "must be more than zero (leave it out for no deposit)"));
    }
    if let Some(price) = price {
        if price.currency != deposit.currency {
            return Err(DomainError::invalid(field, "must be in the price's currency"));
        }
        if deposit.amount_minor > price.amount_minor {
            return Err(DomainError::invalid(field, "must be at most the service's price"));
        }
    }
    Ok(deposit)
}

/// What ending a booking does with its deposit: the deposit's new status and the payment job
/// to queue in the same transaction, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepositEnding {
    /// The deposit's status once the booking has ended.
    pub status: DepositStatus,
    /// The money to move.
    pub job: Option<PaymentJobKind>,
}

impl DepositStatus {
    /// What a booking's move from `from` to `to` does to a deposit in this status; `None`
    /// when the deposit is left as it is (a seating, or a deposit already settled).
    pub fn on_booking_move(self, from: BookingStatus, to: BookingStatus) -> Option<DepositEnding> {
        let release = match from {
            // Only authorised: nothing was captured, so the authorisation is released.
            BookingStatus::Held => {
                DepositEnding { status: DepositStatus::VoidPending, job: Some(PaymentJobKind::Void) }
            }
            BookingStatus::Confirmed
            | BookingStatus::Seated
            | BookingStatus::Completed
            | BookingStatus::NoShow
            | BookingStatus::Cancelled
            | BookingStatus::Expired => {
                DepositEnding { status: DepositStatus::RefundPending, job: Some(PaymentJobKind::Refund) }
            }
        };
        let open = match self {
            DepositStatus::Authorised | DepositStatus::Captured => true,
            DepositStatus::RefundPending
            | DepositStatus::Refunded
            | DepositStatus::VoidPending
            | DepositStatus::Voided
            | DepositStatus::Kept => false,
        };
        if !open {
            return None;
        }
        match to {
            BookingStatus::Cancelled | BookingStatus::Expired => Some(release),
            BookingStatus::Completed | BookingStatus::NoShow => {
                Some(DepositEnding { status: DepositStatus::Kept, job: None })
            }
            BookingStatus::Held | BookingStatus::Confirmed | BookingStatus::Seated => None,
        }
    }

    /// The status once the deposit's latest job succeeded: a capture makes it captured, a
    /// refund refunded, a void voided; a settled status stays (a kept deposit's capture).
    pub fn when_its_job_succeeds(self) -> DepositStatus {
        match self {
            DepositStatus::Authorised => DepositStatus::Captured,
            DepositStatus::RefundPending => DepositStatus::Refunded,
            DepositStatus::VoidPending => DepositStatus::Voided,
            DepositStatus::Captured | DepositStatus::Refunded | DepositStatus::Voided | DepositStatus::Kept => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    #[test]
    fn a_cancellation_refunds_a_confirmed_deposit_and_voids_a_held_one() {
        let refund = DepositStatus::Captured.on_booking_move(BookingStatus::Confirmed, BookingStatus::Cancelled);
        assert_eq!(
            refund,
            Some(DepositEnding { status: DepositStatus::RefundPending, job: Some(PaymentJobKind::Refund) })
        );
        let void = DepositStatus::Authorised.on_booking_move(BookingStatus::Held, BookingStatus::Expired);
        assert_eq!(void, Some(DepositEnding { status: DepositStatus::VoidPending, job: Some(PaymentJobKind::Void) }));
        let held_cancel = DepositStatus::Authorised.on_booking_move(BookingStatus::Held, BookingStatus::Cancelled);
        assert_eq!(held_cancel.map(|ending| ending.job), Some(Some(PaymentJobKind::Void)));
    }

    #[test]
    fn a_no_show_or_a_completed_booking_keeps_it_and_a_seating_changes_nothing() {
        for to in [BookingStatus::NoShow, BookingStatus::Completed] {
            let kept = DepositStatus::Captured.on_booking_move(BookingStatus::Confirmed, to);
            assert_eq!(kept, Some(DepositEnding { status: DepositStatus::Kept, job: None }));
        }
        assert_eq!(DepositStatus::Captured.on_booking_move(BookingStatus::Confirmed, BookingStatus::Seated), None);
        assert_eq!(DepositStatus::Refunded.on_booking_move(BookingStatus::Confirmed, BookingStatus::Cancelled), None);
    }

    #[test]
    fn each_job_settles_its_pending_status_and_leaves_settled_ones() {
        assert_eq!(DepositStatus::Authorised.when_its_job_succeeds(), DepositStatus::Captured);
        assert_eq!(DepositStatus::RefundPending.when_its_job_succeeds(), DepositStatus::Refunded);
        assert_eq!(DepositStatus::VoidPending.when_its_job_succeeds(), DepositStatus::Voided);
        assert_eq!(DepositStatus::Kept.when_its_job_succeeds(), DepositStatus::Kept);
    }

    #[test]
    fn deposits_are_positive_within_the_price_and_tables_count_guests() {
        let price = Some(Money::new(20_000, Currency::Clp));
        assert!(check_deposit("deposit", Money::new(5_000, Currency::Clp), price).is_ok());
        assert!(check_deposit("deposit", Money::new(25_000, Currency::Clp), price).is_err());
        assert!(check_deposit("deposit", Money::new(0, Currency::Clp), None).is_err());
        assert!(check_deposit("deposit", Money::new(5, Currency::Pen), price).is_err());
        let table = TableDeposit { per_guest: Money::new(3_000, Currency::Clp) };
        assert_eq!(table.for_party(4), Money::new(12_000, Currency::Clp));
    }
}
