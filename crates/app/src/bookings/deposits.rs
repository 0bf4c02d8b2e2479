//! Deposits on bookings (issue 19 point 3): what a booking must put down, the card's
//! authorisation before it is claimed, and the one way a booking ends with its deposit.
//!
//! The amount is a rule of what is booked: a service's flat deposit, or its location's table
//! deposit per guest (`omnicanal_domain::bookings::deposits::TableDeposit` says why per
//! guest). The card is authorised once the request passed every other check and just before
//! the claim, so a refused booking never holds money; a claim lost to another booking queues
//! the authorisation's void. A confirmed booking is stored with its deposit and the capture
//! job in one transaction; a held one with its deposit only, and its confirmation queues the
//! capture. Every ending goes through `App::end_booking`, where the domain decides the
//! deposit's refund, void or keeping and the store writes the job with the ending — a capture
//! that has not run yet is cancelled there and the authorisation voided instead of refunded.
//!
//! Deposit jobs are ordinary payment jobs carried out by the payment worker: their
//! `order_id` is the booking's id and their id starts with [`DEPOSIT_JOB_PREFIX`].

use omnicanal_domain::Money;
use omnicanal_domain::bookings::booking::BookingStatus;
use omnicanal_domain::bookings::deposits::{
    CaptureJob, CaptureStep, DepositEnding, DepositFor, DepositStatus, TableDeposit, check_deposit_rule,
};
use omnicanal_domain::bookings::refusal::BookingRefusal;
use omnicanal_domain::payment_job::{PaymentJobKind, PaymentJobState, PaymentPayee};
use omnicanal_domain::pos::{DeclineCode, NextStep};
use omnicanal_store::{
    BookingDepositRow, BookingEnd, BookingRow, DepositEnd, DepositMove, DepositRuleKind, DepositRuleRow, NewEvent,
    PaymentJobRow,
};

use super::command::BookFor;
use super::setup::BOOKING_SETUP_ROLES;
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::payments::PaymentError;

/// The start of every deposit job's id: `pj_deposit_{kind}_{booking id}`.
pub const DEPOSIT_JOB_PREFIX: &str = "pj_deposit_";

/// A card number given for a deposit, kept out of logs.
#[derive(Clone, PartialEq, Eq)]
pub struct DepositCard(String);

impl DepositCard {
    /// A card number as sent; an empty one is none.
    pub fn parse(number: Option<&str>) -> Option<Self> {
        number.map(str::trim).filter(|number| !number.is_empty()).map(|number| Self(number.to_owned()))
    }
}

impl std::fmt::Debug for DepositCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DepositCard(…)")
    }
}

/// A deposit authorised for a booking about to be claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthorisedDeposit {
    pub(crate) amount: Money,
    pub(crate) payment_reference: String,
}

/// The id of a booking's deposit job of `kind`.
pub fn deposit_job_id(kind: PaymentJobKind, booking_id: &str) -> String {
    format!("{DEPOSIT_JOB_PREFIX}{kind}_{booking_id}")
}

/// A deposit's payment job, pending and due now.
pub(crate) fn deposit_job(
    kind: PaymentJobKind,
    booking: &BookingRow,
    amount: Money,
    payment_reference: &str,
    now_ms: i64,
) -> PaymentJobRow {
    PaymentJobRow {
        id: deposit_job_id(kind, &booking.id),
        kind,
        payee: PaymentPayee::Provider,
        state: PaymentJobState::Pending,
        order_id: booking.id.clone(),
        fulfillment_id: None,
        merchant_id: Some(booking.merchant_id.clone()),
        payment_reference: payment_reference.to_owned(),
        amount_minor: amount.amount_minor,
        currency: amount.currency,
        attempts: 0,
        next_attempt_at_ms: now_ms,
        last_error: None,
        created_at_ms: now_ms,
        updated_at_ms: now_ms,
    }
}

/// What ending `booking` (moving it to `to`) writes for its deposit, as the domain decides it.
///
/// A confirmed booking's deposit still only authorised has a capture job that has not
/// succeeded; whether a worker has taken it is only known inside the ending's transaction,
/// so both endings are prepared and the store picks one (`DepositEnd`).
fn deposit_end(
    deposit: &BookingDepositRow,
    booking: &BookingRow,
    to: BookingStatus,
    now_ms: i64,
) -> Option<DepositEnd> {
    let capture_outstanding = deposit.status == DepositStatus::Authorised && booking.status != BookingStatus::Held;
    let capture = if capture_outstanding { CaptureJob::Untouched } else { CaptureJob::Settled };
    let as_move = |ending: DepositEnding| DepositMove {
        status: ending.status,
        job: ending.job.map(|kind| deposit_job(kind, booking, deposit.amount, &deposit.payment_reference, now_ms)),
        capture: ending.capture,
    };
    let first = deposit.status.on_booking_move(booking.status, to, capture)?;
    let if_capture_taken = match first.capture {
        CaptureStep::Cancel => deposit.status.on_booking_move(booking.status, to, CaptureJob::Taken).unwrap_or(first),
        CaptureStep::Leave | CaptureStep::RunFirst => first,
    };
    Some(DepositEnd {
        capture_job_id: deposit_job_id(PaymentJobKind::Capture, &booking.id),
        first: as_move(first),
        if_capture_taken: as_move(if_capture_taken),
    })
}

impl App {
    /// The deposit a booking of `wants` at `location_id` must put down, if any.
    pub async fn booking_deposit_due(&self, location_id: &str, wants: &BookFor) -> AppResult<Option<Money>> {
        Ok(match wants {
            BookFor::Service(service_id) => self.store.get_deposit_rule(service_id).await?.map(|rule| rule.amount),
            BookFor::Party(party_size) => self
                .store
                .get_deposit_rule(location_id)
                .await?
                .map(|rule| TableDeposit { per_guest: rule.amount }.for_party(*party_size)),
        })
    }

    /// Authorises the deposit on `card`: none given is 422 naming `payment` and the amount, a
    /// declined card is 402 with its decline code.
    pub(crate) async fn authorise_deposit(
        &self,
        amount: Money,
        card: Option<&DepositCard>,
    ) -> AppResult<AuthorisedDeposit> {
        let Some(card) = card else {
            return Err(AppError::booking_refused(
                "payment",
                BookingRefusal::DepositRequired,
                format!(
                    "this booking needs a deposit of {} ({} minor units): give payment {{\"method\": \"card\", \
                     \"card_number\": …}}",
                    amount.display(),
                    amount.amount_minor
                ),
            ));
        };
        match self.payments.authorize(&card.0, amount).await {
            Ok(payment_reference) => Ok(AuthorisedDeposit { amount, payment_reference }),
            Err(PaymentError::Declined) => Err(AppError::CardDeclined {
                decline_code: DeclineCode::DoNotHonour,
                next_step: NextStep::AnotherMethod,
            }),
            Err(PaymentError::InvalidCard(message) | PaymentError::Refused(message)) => {
                Err(AppError::invalid("payment.card_number", message))
            }
            Err(PaymentError::Unavailable(message)) => Err(AppError::Unavailable(message)),
        }
    }

    /// A booking's deposit, when it has one.
    pub async fn booking_deposit(&self, booking_id: &str) -> AppResult<Option<BookingDepositRow>> {
        Ok(self.store.get_booking_deposit(booking_id).await?)
    }

    /// The deposits of these bookings (those that have one).
    pub async fn booking_deposits(&self, booking_ids: &[String]) -> AppResult<Vec<BookingDepositRow>> {
        Ok(self.store.booking_deposits_of(booking_ids).await?)
    }

    /// Sets (or with `None` removes) a service's deposit (its merchant's manager, an admin);
    /// at most the service's price when it has one.
    pub async fn set_service_deposit(
        &self,
        caller: &Caller,
        service_id: &str,
        deposit: Option<Money>,
    ) -> AppResult<Option<Money>> {
        caller.require(&BOOKING_SETUP_ROLES)?;
        let service = self.store.get_booking_service(service_id).await?.ok_or(AppError::NotFound("service"))?;
        caller.check_merchant(&service.merchant_id, "service")?;
        let owner = DepositFor::Service { price: service.price };
        self.put_deposit_rule(&service.id, DepositRuleKind::Service, "deposit", deposit, owner).await
    }

    /// Sets (or with `None` removes) a location's table deposit per guest (its manager, an admin).
    pub async fn set_table_deposit(
        &self,
        caller: &Caller,
        location_id: &str,
        per_guest: Option<Money>,
    ) -> AppResult<Option<Money>> {
        caller.require(&BOOKING_SETUP_ROLES)?;
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        let (kind, field) = (DepositRuleKind::TablePerGuest, "table_deposit_per_guest");
        self.put_deposit_rule(&location.id, kind, field, per_guest, DepositFor::TablePerGuest).await
    }

    /// Checks a deposit rule the domain's one way (naming `field`) and stores it, or removes
    /// the owner's rule when `deposit` is `None`.
    async fn put_deposit_rule(
        &self,
        owner_id: &str,
        kind: DepositRuleKind,
        field: &str,
        deposit: Option<Money>,
        owner: DepositFor,
    ) -> AppResult<Option<Money>> {
        match check_deposit_rule(field, deposit, owner)? {
            Some(amount) => {
                let rule = DepositRuleRow { owner_id: owner_id.to_owned(), kind, amount, updated_ms: self.now_ms() };
                self.store.put_deposit_rule(&rule).await?;
                Ok(Some(amount))
            }
            None => {
                self.store.delete_deposit_rule(owner_id).await?;
                Ok(None)
            }
        }
    }

    /// Adds a service with its deposit, if it asks for one, in one store transaction: the
    /// deposit is checked first, so a bad deposit stores nothing, and a failed write stores
    /// neither.
    pub async fn create_booking_service_with_deposit(
        &self,
        caller: &Caller,
        service: crate::bookings::NewService,
        deposit: Option<Money>,
    ) -> AppResult<(omnicanal_store::BookingServiceRow, Option<Money>)> {
        let deposit = check_deposit_rule("deposit", deposit, DepositFor::Service { price: service.spec.price })?;
        let row = self.new_service_row(caller, service).await?;
        let rule = deposit.map(|amount| DepositRuleRow {
            owner_id: row.id.clone(),
            kind: DepositRuleKind::Service,
            amount,
            updated_ms: row.created_ms,
        });
        self.store.insert_booking_service_with_deposit(&row, rule.as_ref()).await?;
        Ok((row, deposit))
    }

    /// A deposit rule (a service's, or a location's per guest), when set.
    pub async fn deposit_rule(&self, owner_id: &str) -> AppResult<Option<Money>> {
        Ok(self.store.get_deposit_rule(owner_id).await?.map(|rule| rule.amount))
    }

    /// Ends (or moves) `booking` from one of `from` to `to` with its events, and its deposit as
    /// the domain decides (refund, void, kept), in one store transaction; false when it was
    /// changed meanwhile. `hold_lapsed_by_ms` makes it the sweeper's expiry.
    pub(crate) async fn end_booking(
        &self,
        booking: &BookingRow,
        from: Vec<BookingStatus>,
        to: BookingStatus,
        hold_lapsed_by_ms: Option<i64>,
        events: Vec<NewEvent>,
    ) -> AppResult<bool> {
        let now_ms = self.now_ms();
        let deposit = match self.store.get_booking_deposit(&booking.id).await? {
            Some(deposit) => deposit_end(&deposit, booking, to, now_ms),
            None => None,
        };
        let queues_money = deposit.as_ref().is_some_and(|end| end.first.job.is_some());
        let end = BookingEnd { booking_id: booking.id.clone(), from, to, hold_lapsed_by_ms, now_ms, events, deposit };
        let ended = self.store.end_booking(&end).await?;
        if ended && queues_money {
            self.signals.payment_jobs.notify_one();
        }
        Ok(ended)
    }

    /// Whether a held booking has a deposit still only authorised: its confirmation queues
    /// the capture.
    pub(crate) async fn held_deposit(&self, booking_id: &str) -> AppResult<Option<BookingDepositRow>> {
        Ok(self
            .store
            .get_booking_deposit(booking_id)
            .await?
            .filter(|deposit| deposit.status == DepositStatus::Authorised))
    }
}
