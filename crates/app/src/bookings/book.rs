//! Booking (public, no account), and reading or cancelling a booking with its manage token.
//!
//! A booking is checked in this order — the location, what it is for (a table that seats the
//! party, a service of this merchant, the resource asked for), the start (on the grid, after
//! the notice, within the window: `check_start`), the opening hours — and only then claimed:
//! each free candidate in turn is offered to the store, whose claim on the grid cells is what
//! refuses a second booking (`BookingInsert::Taken`), so no interleaving of requests or nodes
//! books one resource twice. When every candidate is taken the answer is a conflict (409).
//!
//! The manage token is 256 random bits, shown once in the answer; only its SHA-256 is kept
//! (it guards one booking, so a slow hash buys nothing a 256-bit secret does not have).
//! A wrong token is `NotFound`, as if the booking did not exist.

use omnicanal_domain::bookings::availability::inside_opening_hours;
use omnicanal_domain::bookings::booking::{
    BookingAnnounced, BookingStatus, CancelPlan, Occupancy, check_start, plan_cancel,
};
use omnicanal_domain::events::DomainEvent;
use omnicanal_store::{BookingInsert, BookingRow, NewEvent};

use super::command::BookingRequest;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::ids::{constant_time_eq, new_id, new_token, sha256_hex};

/// A booking just made, with the manage token shown this once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingMade {
    /// The booking.
    pub booking: BookingRow,
    /// The secret of the manage link (cancel, read).
    pub manage_token: String,
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

impl App {
    /// Books a table or an appointment (public).
    pub async fn book(&self, request: BookingRequest) -> AppResult<BookingMade> {
        let plan = self.booking_plan(&request.location_id, &request.wants, request.resource_id.as_deref()).await?;
        let now_ms = self.now_ms();
        let settings = self.booking_settings(&plan.location.id).await?;
        check_start(request.start_ms, now_ms, settings.window)?;
        if !inside_opening_hours(plan.zone, plan.hours.as_ref(), request.start_ms, plan.duration_minutes) {
            return Err(AppError::invalid("start_at", "the location is not open for the whole booking then"));
        }
        let wanted = Occupancy::new(request.start_ms, plan.duration_minutes, plan.buffer_minutes);
        let taken = self
            .taken_by_candidate(
                &plan,
                wanted.start_ms,
                wanted.blocked_until_ms.saturating_add(omnicanal_domain::bookings::GRID_MS),
            )
            .await?;
        let token = new_token();
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
            status: BookingStatus::Confirmed,
            customer_name: request.customer.name,
            customer_phone: request.customer.phone,
            customer_email: request.customer.email,
            manage_token_hash: sha256_hex(token.as_bytes()),
            created_ms: now_ms,
            cancelled_ms: None,
        };
        let booking = self.claim_first_free(&plan, &taken, wanted, template, now_ms).await?;
        Ok(BookingMade { booking, manage_token: token })
    }

    /// Offers the booking `template` to each free candidate of the plan in turn and keeps the
    /// first the store's claim accepts (with its `booking.created` event); every candidate
    /// taken is a conflict. Shared by [`App::book`] and the staff's walk-ins, so the claim is
    /// made one way only.
    pub(crate) async fn claim_first_free(
        &self,
        plan: &super::availability::BookingPlan,
        taken: &[Vec<Occupancy>],
        wanted: Occupancy,
        template: BookingRow,
        now_ms: i64,
    ) -> AppResult<BookingRow> {
        // What was read is only a hint of which candidate to try first; the claim decides.
        for (resource, held) in plan.candidates.iter().zip(taken) {
            if held.iter().any(|other| other.clashes_with(wanted)) {
                continue;
            }
            let booking = BookingRow { id: new_id("bkg"), resource_id: resource.id.clone(), ..template.clone() };
            let events = [event(DomainEvent::BookingCreated(announced(&booking)), now_ms)];
            match self.store.insert_booking(&booking, &wanted.cell_starts_ms(), &events).await? {
                BookingInsert::Booked => {
                    self.committed();
                    return Ok(booking);
                }
                BookingInsert::Taken => continue,
            }
        }
        Err(AppError::Conflict("that time is already booked; choose another slot".into()))
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
    /// the cancelled booking. A booking that has started can no longer be cancelled.
    pub async fn cancel_booking(&self, id: &str, token: &str) -> AppResult<BookingRow> {
        let booking = self.booking_by_token(id, token).await?;
        let now_ms = self.now_ms();
        match plan_cancel(booking.status, booking.start_ms, now_ms)? {
            CancelPlan::AlreadyCancelled => Ok(booking),
            CancelPlan::Cancel => {
                let cancelled =
                    BookingRow { status: BookingStatus::Cancelled, cancelled_ms: Some(now_ms), ..booking.clone() };
                let events = [event(DomainEvent::BookingCancelled(announced(&cancelled)), now_ms)];
                if self.store.cancel_booking(&booking.id, now_ms, &events).await? {
                    self.committed();
                    Ok(cancelled)
                } else {
                    // Cancelled meanwhile by another request: answer what is stored.
                    self.store.get_booking(id).await?.ok_or(AppError::NotFound("booking"))
                }
            }
        }
    }
}
