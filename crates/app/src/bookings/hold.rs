//! A held booking's two endings: the customer confirms it with the manage token before the
//! hold lapses, or the sweeper expires it and frees its time. Both announce `booking.changed`
//! and both are conditional in the store on the booking still being held with its hold in (or
//! past) time, so a confirmation racing the sweeper — or two nodes' sweepers — settle it once.
//!
//! A hold that lapsed but was not swept yet is refused as expired (409): its time may be
//! offered to others the moment the sweeper runs, so confirming it late would promise a slot
//! the customer no longer holds.

use omnicanal_domain::bookings::booking::BookingStatus;
use omnicanal_domain::bookings::changes::{ConfirmPlan, ConfirmRefused, plan_confirm};
use omnicanal_domain::bookings::refusal::BookingRefusal;
use omnicanal_domain::events::DomainEvent;
use omnicanal_store::BookingRow;

use super::book::{announced, event};
use super::deposits::deposit_job;
use crate::App;
use crate::error::{AppError, AppResult};
use omnicanal_domain::payment_job::PaymentJobKind;

/// Most lapsed holds one sweep expires (the next sweep takes the rest).
pub const HOLD_SWEEP_BATCH: i64 = 200;

impl App {
    /// Confirms a held booking with its manage token; a confirmed one answers as it is.
    pub async fn confirm_booking(&self, id: &str, token: &str) -> AppResult<BookingRow> {
        let booking = self.booking_by_token(id, token).await?;
        let now_ms = self.now_ms();
        let expires_ms = self.store.booking_hold_expiry(&booking.id).await?;
        match plan_confirm(booking.status, expires_ms, now_ms) {
            Ok(ConfirmPlan::AlreadyConfirmed) => Ok(booking),
            Ok(ConfirmPlan::Confirm) => {
                let confirmed = BookingRow { status: BookingStatus::Confirmed, ..booking.clone() };
                let events = [event(DomainEvent::BookingChanged(announced(&confirmed)), now_ms)];
                // A deposit still only authorised is captured by a job written with the confirmation.
                let capture = self.held_deposit(&booking.id).await?.map(|deposit| {
                    deposit_job(PaymentJobKind::Capture, &booking, deposit.amount, &deposit.payment_reference, now_ms)
                });
                let confirmed_now = match &capture {
                    Some(job) => {
                        self.store.confirm_held_booking_with_capture(&booking.id, now_ms, job, &events).await?
                    }
                    None => self.store.confirm_held_booking(&booking.id, now_ms, &events).await?,
                };
                if confirmed_now {
                    if capture.is_some() {
                        self.signals.payment_jobs.notify_one();
                    }
                    self.committed();
                    return Ok(confirmed);
                }
                // Settled meanwhile (expired by the sweeper, cancelled, confirmed twice): read it again.
                let now = self.store.get_booking(&booking.id).await?.ok_or(AppError::NotFound("booking"))?;
                match now.status {
                    BookingStatus::Confirmed => Ok(now),
                    status => Err(refusal(ConfirmRefused::NotHeld(status))),
                }
            }
            Err(refused) => Err(refusal(refused)),
        }
    }

    /// Expires the held bookings whose hold lapsed, freeing their time; how many it expired.
    pub async fn expire_lapsed_booking_holds(&self) -> AppResult<usize> {
        let now_ms = self.now_ms();
        let lapsed = self.store.lapsed_held_bookings(now_ms, HOLD_SWEEP_BATCH).await?;
        let mut expired = 0;
        for booking in lapsed {
            let expired_row = BookingRow { status: BookingStatus::Expired, ..booking.clone() };
            let events = vec![event(DomainEvent::BookingChanged(announced(&expired_row)), now_ms)];
            let from = vec![BookingStatus::Held];
            if self.end_booking(&booking, from, BookingStatus::Expired, Some(now_ms), events).await? {
                expired += 1;
            }
        }
        if expired > 0 {
            self.committed();
        }
        Ok(expired)
    }
}

fn refusal(refused: ConfirmRefused) -> AppError {
    match refused {
        ConfirmRefused::Expired => AppError::booking_refused(
            "status",
            BookingRefusal::HoldExpired,
            "the hold on this booking expired and its time was released; book again",
        ),
        ConfirmRefused::NotHeld(status) => AppError::booking_refused(
            "status",
            BookingRefusal::StatusConflict,
            format!("a {status} booking cannot be confirmed"),
        ),
    }
}
