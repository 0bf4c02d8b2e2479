//! A booking's deposit (issue 19 point 3): what a booking must put down, where the money
//! stands (one transition table), and what each way a booking ends does with it.
//!
//! The card is authorised when the booking is made and the deposit is captured by a payment
//! job (written with a confirmed booking, or with a hold's confirmation). How the booking ends
//! decides the rest, here and nowhere else: a customer's cancellation (only possible before
//! the location's cancellation deadline — the window refuses a later one) or any staff
//! cancellation gives it back; a hold that lapses voids the authorisation; a no-show or a
//! completed booking keeps it. The money itself moves in the payment worker; the deposit's
//! status follows its job's success ([`DepositStatus::when_its_job_succeeds`]).
//!
//! Giving it back depends on where the capture job stands ([`CaptureJob`]): one never
//! attempted is cancelled and the authorisation voided, so the customer is never charged; one
//! a worker has taken (running, retrying, or waiting for a person) may already have moved the
//! money, so the refund is queued to run only once that capture has succeeded. The store finds
//! which, with a conditional update inside the ending's transaction, and writes the matching
//! ending of the two this module offers.

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

/// What a deposit rule is for, and so what bounds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepositFor {
    /// A service's flat deposit: at most its price, when it has one.
    Service {
        /// The service's price (after the change being checked).
        price: Option<Money>,
    },
    /// A location's table deposit per guest: no price bounds it.
    TablePerGuest,
}

/// A deposit rule as asked (`None`: no deposit), checked the one way every rule is, naming
/// `field`: positive, and within the service's price.
pub fn check_deposit_rule(
    field: &str,
    deposit: Option<Money>,
    owner: DepositFor,
) -> Result<Option<Money>, DomainError> {
    let price = match owner {
        DepositFor::Service { price } => price,
        DepositFor::TablePerGuest => None,
    };
    deposit.map(|deposit| check_deposit(field, deposit, price)).transpose()
}

/// A service's price and deposit as they stand after an edit, checked together. The error
/// names `deposit` when the edit set the deposit, and `price` when only the price moved under
/// the deposit already set: the field the manager must change.
pub fn check_service_price_and_deposit(
    price: Option<Money>,
    deposit: Option<Money>,
    deposit_was_sent: bool,
) -> Result<Option<Money>, DomainError> {
    if deposit_was_sent {
        return check_deposit_rule("deposit", deposit, DepositFor::Service { price });
    }
    match (price, deposit) {
        (Some(price), Some(deposit)) if price.currency != deposit.currency => {
            Err(DomainError::invalid("price", "must be in the deposit's currency (change the deposit too)"))
        }
        (Some(price), Some(deposit)) if price.amount_minor < deposit.amount_minor => Err(DomainError::invalid(
            "price",
            format!(
                "must be at least the service's deposit of {} minor units (lower or clear the deposit too)",
                deposit.amount_minor
            ),
        )),
        _ => Ok(deposit),
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
    /// What becomes of the deposit's capture job.
    pub capture: CaptureStep,
}

/// Where a confirmed booking's capture job stands when the booking is given back its deposit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureJob {
    /// None is outstanding: a held booking's (not queued yet), or one that already succeeded
    /// (the deposit is then captured).
    Settled,
    /// Pending and never attempted: no money has moved, and it can still be cancelled.
    Untouched,
    /// A worker has taken it (running now, waiting to retry, or waiting for a person): the
    /// provider may have captured already, so only a refund after it is safe.
    Taken,
}

/// What an ending does to the deposit's capture job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureStep {
    /// Nothing: none is outstanding, or the deposit is kept (the capture must go on).
    Leave,
    /// Cancel it, in the ending's transaction, only if it is still untouched.
    Cancel,
    /// Let it run; the ending's refund is claimed only once it has succeeded.
    RunFirst,
}

impl DepositStatus {
    /// What a booking's move from `from` to `to` does to a deposit in this status, its capture
    /// job standing as `capture`; `None` when the deposit is left as it is (a seating, or a
    /// deposit already settled).
    pub fn on_booking_move(self, from: BookingStatus, to: BookingStatus, capture: CaptureJob) -> Option<DepositEnding> {
        let void =
            |capture| DepositEnding { status: DepositStatus::VoidPending, job: Some(PaymentJobKind::Void), capture };
        let refund = |capture| DepositEnding {
            status: DepositStatus::RefundPending,
            job: Some(PaymentJobKind::Refund),
            capture,
        };
        let release = match (from, self, capture) {
            // Only authorised, no capture queued: the authorisation is released.
            (BookingStatus::Held, _, _) => void(CaptureStep::Leave),
            // Captured: given back.
            (_, DepositStatus::Captured, _) | (_, _, CaptureJob::Settled) => refund(CaptureStep::Leave),
            // The capture has not run: it never will, and the authorisation is released.
            (_, _, CaptureJob::Untouched) => void(CaptureStep::Cancel),
            // It may be running: the refund waits for it.
            (_, _, CaptureJob::Taken) => refund(CaptureStep::RunFirst),
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
                Some(DepositEnding { status: DepositStatus::Kept, job: None, capture: CaptureStep::Leave })
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

    fn ending(status: DepositStatus, job: Option<PaymentJobKind>, capture: CaptureStep) -> Option<DepositEnding> {
        Some(DepositEnding { status, job, capture })
    }

    #[test]
    fn a_cancellation_refunds_a_captured_deposit_and_voids_a_held_one() {
        let refund = DepositStatus::Captured.on_booking_move(
            BookingStatus::Confirmed,
            BookingStatus::Cancelled,
            CaptureJob::Settled,
        );
        assert_eq!(refund, ending(DepositStatus::RefundPending, Some(PaymentJobKind::Refund), CaptureStep::Leave));
        let void =
            DepositStatus::Authorised.on_booking_move(BookingStatus::Held, BookingStatus::Expired, CaptureJob::Settled);
        assert_eq!(void, ending(DepositStatus::VoidPending, Some(PaymentJobKind::Void), CaptureStep::Leave));
        let held_cancel = DepositStatus::Authorised.on_booking_move(
            BookingStatus::Held,
            BookingStatus::Cancelled,
            CaptureJob::Settled,
        );
        assert_eq!(held_cancel.map(|ending| ending.job), Some(Some(PaymentJobKind::Void)));
    }

    #[test]
    fn a_cancellation_before_the_capture_ran_cancels_it_and_voids_and_one_after_a_worker_took_it_refunds_after_it() {
        for from in [BookingStatus::Confirmed, BookingStatus::Seated] {
            let untouched =
                DepositStatus::Authorised.on_booking_move(from, BookingStatus::Cancelled, CaptureJob::Untouched);
            assert_eq!(untouched, ending(DepositStatus::VoidPending, Some(PaymentJobKind::Void), CaptureStep::Cancel));
            let taken = DepositStatus::Authorised.on_booking_move(from, BookingStatus::Cancelled, CaptureJob::Taken);
            assert_eq!(
                taken,
                ending(DepositStatus::RefundPending, Some(PaymentJobKind::Refund), CaptureStep::RunFirst)
            );
        }
        // Already captured: whatever the caller guessed, a plain refund.
        let captured = DepositStatus::Captured.on_booking_move(
            BookingStatus::Confirmed,
            BookingStatus::Cancelled,
            CaptureJob::Untouched,
        );
        assert_eq!(captured, ending(DepositStatus::RefundPending, Some(PaymentJobKind::Refund), CaptureStep::Leave));
        // A kept deposit's capture goes on.
        let kept = DepositStatus::Authorised.on_booking_move(
            BookingStatus::Confirmed,
            BookingStatus::NoShow,
            CaptureJob::Untouched,
        );
        assert_eq!(kept, ending(DepositStatus::Kept, None, CaptureStep::Leave));
    }

    #[test]
    fn a_no_show_or_a_completed_booking_keeps_it_and_a_seating_changes_nothing() {
        for to in [BookingStatus::NoShow, BookingStatus::Completed] {
            let kept = DepositStatus::Captured.on_booking_move(BookingStatus::Confirmed, to, CaptureJob::Settled);
            assert_eq!(kept, ending(DepositStatus::Kept, None, CaptureStep::Leave));
        }
        let seated = BookingStatus::Seated;
        assert_eq!(
            DepositStatus::Captured.on_booking_move(BookingStatus::Confirmed, seated, CaptureJob::Settled),
            None
        );
        let refunded = DepositStatus::Refunded.on_booking_move(
            BookingStatus::Confirmed,
            BookingStatus::Cancelled,
            CaptureJob::Settled,
        );
        assert_eq!(refunded, None);
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

    #[test]
    fn every_rule_is_checked_one_way_and_an_edit_checks_price_and_deposit_together() {
        let clp = |amount| Money::new(amount, Currency::Clp);
        let service = DepositFor::Service { price: Some(clp(10_000)) };
        assert_eq!(check_deposit_rule("deposit", None, service), Ok(None));
        assert_eq!(check_deposit_rule("deposit", Some(clp(4_000)), service), Ok(Some(clp(4_000))));
        assert!(check_deposit_rule("deposit", Some(clp(12_000)), service).is_err());
        let per_guest = check_deposit_rule("table_deposit_per_guest", Some(clp(50_000)), DepositFor::TablePerGuest);
        assert_eq!(per_guest, Ok(Some(clp(50_000))));
        let field = |result: Result<Option<Money>, DomainError>| match result {
            Err(DomainError::Invalid { field, .. }) => field,
            other => format!("{other:?}"),
        };
        // The price lowered under the deposit already set: the price is named.
        assert_eq!(field(check_service_price_and_deposit(Some(clp(3_000)), Some(clp(4_000)), false)), "price");
        // A deposit sent above the price: the deposit is named.
        assert_eq!(field(check_service_price_and_deposit(Some(clp(3_000)), Some(clp(4_000)), true)), "deposit");
        assert_eq!(check_service_price_and_deposit(Some(clp(3_000)), None, true), Ok(None));
        assert_eq!(check_service_price_and_deposit(Some(clp(5_000)), Some(clp(4_000)), false), Ok(Some(clp(4_000))));
    }
}
