//! Booking (public, no account), and reading or cancelling a booking with its manage token.
//!
//! A booking is checked in this order — the location, what it is for (a table that seats the
//! party, a service of this merchant, the resource asked for), the start (on the grid, after
//! the notice, within the window: `check_start`), the opening hours — and only then claimed:
//! each free candidate in turn is offered to the store, whose claim on the grid cells is what
//! refuses a second booking (`BookingInsert::Taken`), so no interleaving of requests or nodes
//! books one resource twice. When every candidate is taken the answer is a conflict (409).
//!
//! The manage token is 256 bits derived from the booking's id under a server key
//! ([`super::manage_token`]), shown once in the answer; only its SHA-256 is kept (it guards one
//! booking, so a slow hash buys nothing a 256-bit secret does not have).
//! A wrong token is `NotFound`, as if the booking did not exist.
//!
//! A booking asked with `hold` is stored `held` until the location's `hold_minutes` pass: its
//! cells are claimed exactly as a confirmed booking's, so nobody takes the slot while the
//! customer confirms (`hold`'s confirmation and the sweeper that expires lapsed holds are in
//! [`super::hold`]). A customer's cancel by the manage link closes with the location's
//! cancellation window (`changes::check_change_window`); staff may cancel until the start.

use chrono::{FixedOffset, Offset, TimeZone};
use chrono_tz::Tz;
use omnicanal_domain::access::Role;
use omnicanal_domain::bookings::availability::{bookable_with_buffer_before_at, offered_slots};
use omnicanal_domain::bookings::booking::{
    BookingAnnounced, BookingStatus, CancelPlan, Occupancy, check_start, plan_cancel,
};
use omnicanal_domain::bookings::changes::{ChangedBy, check_change_window};
use omnicanal_domain::bookings::deposits::DepositStatus;
use omnicanal_domain::bookings::local_time::{LocalTimeError, local_date_at, to_utc_ms};
use omnicanal_domain::bookings::refusal::BookingRefusal;
use omnicanal_domain::events::DomainEvent;
use omnicanal_domain::payment_job::PaymentJobKind;
use omnicanal_store::{BookingDepositRow, BookingInsert, BookingRow, NewEvent};

use super::command::BookingRequest;
use super::deposits::{AuthorisedDeposit, DepositCard, deposit_job};
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::{constant_time_eq, new_id, sha256_hex};

/// Who may manage a location's bookings besides the customer: its staff, its merchant's
/// manager, an admin.
pub const BOOKING_STAFF_ROLES: [Role; 3] = [Role::Admin, Role::MerchantManager, Role::Staff];

/// A booking just made, with the manage token shown this once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingMade {
    /// The booking.
    pub booking: BookingRow,
    /// The secret of the manage link (cancel, read).
    pub manage_token: String,
    /// When a held booking's hold lapses (Unix ms); `None` for a booking confirmed at once.
    pub hold_expires_ms: Option<i64>,
}

pub(crate) fn announced(booking: &BookingRow) -> BookingAnnounced {
    BookingAnnounced {
        booking_id: booking.id.clone(),
        merchant_id: booking.merchant_id.clone(),
        location_id: booking.location_id.clone(),
        resource_id: booking.resource_id.clone(),
        service_id: booking.service_id.clone(),
        party_size: booking.party_size,
        start_at: booking.start_ms,
        end_at: booking.end_ms,
        status: booking.status,
    }
}

pub(crate) fn event(event: DomainEvent, now_ms: i64) -> NewEvent {
    NewEvent { event_id: new_id("evt"), created_at_ms: now_ms, event }
}

/// A start written with an offset the site's clock does not show at that instant is refused,
/// naming `start_at`: either the wall time it names does not exist (the hour Chile skips on
/// the first Sunday of September) or the offset is another zone's. Taking such a start at its
/// instant would book a time the customer never saw on the site's clock.
fn check_offset(zone: Tz, start_ms: i64, offset_seconds: Option<i32>) -> AppResult<()> {
    let Some(offset_seconds) = offset_seconds else { return Ok(()) };
    let Some(instant) = chrono::DateTime::from_timestamp_millis(start_ms) else {
        return Err(AppError::invalid("start_at", "is out of range"));
    };
    let site_offset = zone.offset_from_utc_datetime(&instant.naive_utc()).fix();
    if site_offset.local_minus_utc() == offset_seconds {
        return Ok(());
    }
    let written = FixedOffset::east_opt(offset_seconds).unwrap_or(site_offset);
    let wall = instant.with_timezone(&written).naive_local();
    let (refusal, message) = match to_utc_ms(zone, wall.date(), wall.time()) {
        Err(LocalTimeError::Skipped { .. }) => (
            BookingRefusal::LocalTimeSkipped,
            format!(
                "the local time {} does not exist in {}: the clock skips that hour",
                wall.format("%Y-%m-%d %H:%M"),
                zone.name()
            ),
        ),
        _ => (
            BookingRefusal::WrongOffset,
            format!(
                "the offset {written} is not {}'s at that time ({site_offset}); write the site's local time",
                zone.name()
            ),
        ),
    };
    Err(AppError::booking_refused("start_at", refusal, message))
}

impl App {
    /// Books a table or an appointment (public), confirmed at once.
    pub async fn book(&self, request: BookingRequest) -> AppResult<BookingMade> {
        self.book_with_hold(request, false).await
    }

    /// Books a table or an appointment (public); with `hold`, held for the location's
    /// `hold_minutes` until the customer confirms it.
    pub async fn book_with_hold(&self, request: BookingRequest, hold: bool) -> AppResult<BookingMade> {
        self.book_paying(request, hold, None).await
    }

    /// Books as [`App::book_with_hold`] does, paying the deposit the service or the table asks
    /// for (if any) with `card`: authorised after every other check, just before the claim.
    pub async fn book_paying(
        &self,
        request: BookingRequest,
        hold: bool,
        card: Option<DepositCard>,
    ) -> AppResult<BookingMade> {
        let plan = self.booking_plan(&request.location_id, &request.wants, request.resource_id.as_deref()).await?;
        let now_ms = self.now_ms();
        let settings = self.booking_settings(&plan.location.id).await?;
        check_offset(plan.zone, request.start_ms, request.start_offset_seconds)?;
        check_start(request.start_ms, now_ms, settings.window)?;
        let date = local_date_at(plan.zone, request.start_ms)
            .ok_or_else(|| AppError::invalid("start_at", "is out of range"))?;
        let day = self.day_offers(&plan, date).await?;
        if !bookable_with_buffer_before_at(
            &day.offers,
            request.start_ms,
            plan.duration_minutes,
            plan.buffer_before_minutes,
        ) {
            return Err(AppError::booking_refused(
                "start_at",
                BookingRefusal::LocationClosed,
                "the location is not open for the whole booking then",
            ));
        }
        let wanted = Occupancy::with_buffers(
            request.start_ms,
            plan.duration_minutes,
            plan.buffer_before_minutes,
            plan.buffer_minutes,
        );
        let hold_expires_ms = hold.then(|| now_ms.saturating_add(settings.hold_minutes.saturating_mul(60_000)));
        let template = BookingRow {
            id: String::new(),
            merchant_id: plan.location.merchant_id.clone(),
            location_id: plan.location.id.clone(),
            resource_id: String::new(),
            service_id: plan.service_id.clone(),
            party_size: plan.party_size,
            start_ms: wanted.start_ms,
            end_ms: wanted.start_ms.saturating_add(plan.duration_minutes.saturating_mul(60_000)),
            blocked_until_ms: wanted.blocked_until_ms,
            status: if hold { BookingStatus::Held } else { BookingStatus::Confirmed },
            customer_name: request.customer.name,
            customer_phone: request.customer.phone,
            customer_email: request.customer.email,
            // Set per booking id by `claim_first_free`.
            manage_token_hash: String::new(),
            created_ms: now_ms,
            cancelled_ms: None,
        };
        // What was read is only a hint of which offer to try first; the claim decides.
        let free = offered_slots(&day.search, &day.offers);
        let offers: Vec<Vec<String>> =
            free.iter()
                .filter(|slot| slot.start_ms == request.start_ms)
                .map(|slot| {
                    if slot.resource_ids.is_empty() {
                        vec![slot.resource_id.clone()]
                    } else {
                        slot.resource_ids.clone()
                    }
                })
                .collect();
        let deposit = match self.booking_deposit_due(&plan.location.id, &request.wants).await? {
            Some(amount) => Some(self.authorise_deposit(amount, card.as_ref()).await?),
            None => None,
        };
        let claimed = self.claim_first_free(&offers, wanted, template, hold_expires_ms, deposit.as_ref(), now_ms).await;
        let booking = match (claimed, deposit) {
            (Ok(booking), _) => booking,
            (Err(error), Some(deposit)) => {
                // Nothing was booked: the card's hold is released.
                self.queue_void(&deposit.payment_reference, &deposit.payment_reference, deposit.amount).await;
                return Err(error);
            }
            (Err(error), None) => return Err(error),
        };
        let manage_token = self.derived_manage_token(&booking.id);
        Ok(BookingMade { booking, manage_token, hold_expires_ms })
    }

    /// Offers the booking `template` to each offer in turn — one resource, or joined tables
    /// whose first member is the booking's resource — and keeps the first the store's claim
    /// accepts (with its `booking.created` event, and its hold when `hold_expires_ms` is set);
    /// every offer taken is a conflict. Shared by [`App::book_with_hold`] and the staff's
    /// walk-ins, so a booking is claimed one way only.
    pub(crate) async fn claim_first_free(
        &self,
        offers: &[Vec<String>],
        wanted: Occupancy,
        template: BookingRow,
        hold_expires_ms: Option<i64>,
        deposit: Option<&AuthorisedDeposit>,
        now_ms: i64,
    ) -> AppResult<BookingRow> {
        for members in offers {
            let Some(first) = members.first() else { continue };
            let mut booking = BookingRow { id: new_id("bkg"), resource_id: first.clone(), ..template.clone() };
            // The manage token is derived from the id (`super::manage_token`), so a reminder
            // can carry it later without a copy of it being stored.
            booking.manage_token_hash = sha256_hex(self.derived_manage_token(&booking.id).as_bytes());
            let events = [event(DomainEvent::BookingCreated(announced(&booking)), now_ms)];
            let cells = wanted.cell_starts_ms();
            if let Some(deposit) = deposit {
                // A confirmed booking's deposit is captured by a job written with it; a held
                // one's when the hold is confirmed.
                let capture = hold_expires_ms.is_none().then(|| {
                    deposit_job(PaymentJobKind::Capture, &booking, deposit.amount, &deposit.payment_reference, now_ms)
                });
                let row = BookingDepositRow {
                    booking_id: booking.id.clone(),
                    amount: deposit.amount,
                    payment_reference: deposit.payment_reference.clone(),
                    status: DepositStatus::Authorised,
                    job_id: capture.as_ref().map(|job| job.id.clone()),
                    updated_ms: now_ms,
                };
                let joined = if members.len() > 1 { members.as_slice() } else { &[] };
                let claimed = self
                    .store
                    .insert_booking_with_deposit(
                        &booking,
                        joined,
                        &cells,
                        hold_expires_ms,
                        &row,
                        capture.as_ref(),
                        &events,
                    )
                    .await?;
                if claimed == BookingInsert::Booked {
                    self.committed();
                    self.signals.payment_jobs.notify_one();
                    return Ok(booking);
                }
                continue;
            }
            let claimed = match (members.len(), hold_expires_ms) {
                (0 | 1, None) => self.store.insert_booking(&booking, &cells, &events).await?,
                (0 | 1, Some(expires_ms)) => {
                    self.store.insert_held_booking(&booking, &cells, expires_ms, &events).await?
                }
                (_, hold) => self.store.insert_joined_booking(&booking, members, &cells, hold, &events).await?,
            };
            match claimed {
                BookingInsert::Booked => {
                    self.committed();
                    return Ok(booking);
                }
                BookingInsert::Taken => continue,
            }
        }
        Err(AppError::booking_refused(
            "start_at",
            BookingRefusal::SlotTaken,
            "that time is already booked; choose another slot",
        ))
    }

    /// A booking, for the holder of its manage token.
    pub async fn booking_by_token(&self, id: &str, token: &str) -> AppResult<BookingRow> {
        let booking = self.store.get_booking(id).await?.ok_or(AppError::NotFound("booking"))?;
        if !constant_time_eq(&sha256_hex(token.as_bytes()), &booking.manage_token_hash) {
            return Err(AppError::NotFound("booking"));
        }
        Ok(booking)
    }

    /// Cancels a booking with its manage token and frees its time; cancelling again answers
    /// the cancelled booking. A booking that has started can no longer be cancelled, and the
    /// customer's link closes `cancel_window_minutes` before the start (422 naming the deadline).
    pub async fn cancel_booking(&self, id: &str, token: &str) -> AppResult<BookingRow> {
        let booking = self.booking_by_token(id, token).await?;
        self.cancel_found_booking(booking, ChangedBy::Customer).await
    }

    /// Cancels a booking for the location's staff, its merchant's manager or an admin, at any
    /// time before it starts (the customer's window does not bind them). Another merchant's
    /// booking, or another location's for staff, is `NotFound`.
    pub async fn cancel_booking_as_staff(&self, caller: &Caller, id: &str) -> AppResult<BookingRow> {
        let booking = self.booking_for_staff(caller, id).await?;
        self.cancel_found_booking(booking, ChangedBy::Staff).await
    }

    /// A booking, for the staff of its location, its merchant's manager or an admin.
    pub async fn booking_for_staff(&self, caller: &Caller, id: &str) -> AppResult<BookingRow> {
        caller.require(&BOOKING_STAFF_ROLES)?;
        let booking = self.store.get_booking(id).await?.ok_or(AppError::NotFound("booking"))?;
        if !caller.sees_location(&booking.merchant_id, &booking.location_id) {
            return Err(AppError::NotFound("booking"));
        }
        Ok(booking)
    }

    /// The site's time zone of a location (UTC when unknown), for deadlines and calendars.
    pub(crate) async fn location_zone(&self, location_id: &str) -> AppResult<Tz> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("location"))?;
        Ok(site.timezone.parse().unwrap_or(Tz::UTC))
    }

    async fn cancel_found_booking(&self, booking: BookingRow, by: ChangedBy) -> AppResult<BookingRow> {
        let id = booking.id.clone();
        let now_ms = self.now_ms();
        let plan = plan_cancel(booking.status, booking.start_ms, now_ms)?;
        if plan == CancelPlan::Cancel {
            let settings = self.booking_settings(&booking.location_id).await?;
            let zone = self.location_zone(&booking.location_id).await?;
            check_change_window(by, booking.start_ms, now_ms, settings.cancel_window_minutes, zone)?;
        }
        match plan {
            CancelPlan::AlreadyCancelled => Ok(booking),
            CancelPlan::Cancel => {
                let cancelled =
                    BookingRow { status: BookingStatus::Cancelled, cancelled_ms: Some(now_ms), ..booking.clone() };
                let events = vec![event(DomainEvent::BookingCancelled(announced(&cancelled)), now_ms)];
                let from = vec![BookingStatus::Held, BookingStatus::Confirmed];
                if self.end_booking(&booking, from, BookingStatus::Cancelled, None, events).await? {
                    self.committed();
                    Ok(cancelled)
                } else {
                    // Cancelled meanwhile by another request: answer what is stored.
                    self.store.get_booking(&id).await?.ok_or(AppError::NotFound("booking"))
                }
            }
        }
    }
}
