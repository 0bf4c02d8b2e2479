//! Moving a booking to another time (and perhaps another table, staff member or room): one use
//! case for the customer's reschedule by the manage link and the staff's move from the
//! schedule. Only who asks differs — the customer is bound by the location's cancellation
//! window and the minimum notice, staff are not (they move a party that just walked in).
//!
//! The new time is checked as a new booking's is (the grid, the booking window, the opening
//! hours, a resource that takes it) and then claimed by the store in one transaction with the
//! release of the old claims: a cell someone else holds rolls the whole move back (409) and
//! the booking keeps its old time. The booking's own old cells are released first, so a move
//! that overlaps its old time (a quarter of an hour later) is allowed.

use omnicanal_domain::bookings::availability::inside_opening_hours;
use omnicanal_domain::bookings::booking::{BookingWindow, Occupancy, check_start};
use omnicanal_domain::bookings::changes::{ChangedBy, check_change_window, check_movable};
use omnicanal_domain::bookings::refusal::BookingRefusal;
use omnicanal_domain::events::DomainEvent;
use omnicanal_store::{BookingClaim, BookingMove, BookingRow};

use super::book::{announced, event};
use super::command::BookFor;
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::validation::Validator;

/// Where a booking should go: a new start, and a particular resource when named (else the
/// booking's own when it is free then, or any other that takes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveBooking {
    /// The new start (Unix ms).
    pub start_ms: i64,
    /// A particular table, staff member or room.
    pub resource_id: Option<String>,
}

impl MoveBooking {
    /// Parses `start_at` (RFC 3339 with its offset) and `resource_id`.
    pub fn parse(start_at: &str, resource_id: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        let start_ms = chrono::DateTime::parse_from_rfc3339(start_at.trim())
            .map(|at| at.timestamp_millis())
            .map_err(|_| v.push("start_at", "must be an RFC 3339 time with its offset (2026-12-24T20:00:00-03:00)"))
            .ok();
        let resource_id = resource_id.map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned);
        v.done(|| Some(Self { start_ms: start_ms?, resource_id }))
    }
}

impl App {
    /// Moves a booking for the holder of its manage token, until the cancellation window closes.
    pub async fn reschedule_booking(&self, id: &str, token: &str, to: MoveBooking) -> AppResult<BookingRow> {
        let booking = self.booking_by_token(id, token).await?;
        self.move_found_booking(booking, to, ChangedBy::Customer).await
    }

    /// Moves a booking for its location's staff, its merchant's manager or an admin (another
    /// merchant's booking: `NotFound`).
    pub async fn move_booking_as_staff(&self, caller: &Caller, id: &str, to: MoveBooking) -> AppResult<BookingRow> {
        let booking = self.booking_for_staff(caller, id).await?;
        self.move_found_booking(booking, to, ChangedBy::Staff).await
    }

    async fn move_found_booking(&self, booking: BookingRow, to: MoveBooking, by: ChangedBy) -> AppResult<BookingRow> {
        let now_ms = self.now_ms();
        check_movable(booking.status, booking.start_ms, now_ms)?;
        let settings = self.booking_settings(&booking.location_id).await?;
        let zone = self.location_zone(&booking.location_id).await?;
        check_change_window(by, booking.start_ms, now_ms, settings.cancel_window_minutes, zone)?;
        let window = match by {
            ChangedBy::Customer => settings.window,
            ChangedBy::Staff => BookingWindow { min_notice_minutes: 0, ..settings.window },
        };
        check_start(to.start_ms, now_ms, window)?;
        let wants = match (&booking.service_id, booking.party_size) {
            (Some(service_id), _) => BookFor::Service(service_id.clone()),
            (None, Some(party)) => BookFor::Party(party),
            (None, None) => return Err(AppError::internal("a booking is for neither a party nor a service")),
        };
        let plan = self.booking_plan(&booking.location_id, &wants, to.resource_id.as_deref()).await?;
        // The buffer before is work done on site, so it must fall inside the hours too (see
        // `domain::bookings::availability`); the buffer after may run past closing.
        let before_ms = plan.buffer_before_minutes.saturating_mul(60_000);
        let held_minutes = plan.duration_minutes.saturating_add(plan.buffer_before_minutes);
        if !inside_opening_hours(plan.zone, plan.hours.as_ref(), to.start_ms.saturating_sub(before_ms), held_minutes) {
            return Err(AppError::booking_refused(
                "start_at",
                BookingRefusal::LocationClosed,
                "the location is not open for the whole booking then",
            ));
        }
        let wanted = Occupancy::with_buffers(
            to.start_ms,
            plan.duration_minutes,
            plan.buffer_before_minutes,
            plan.buffer_minutes,
        );
        if wanted.start_ms == booking.start_ms && to.resource_id.as_deref().is_none_or(|id| id == booking.resource_id) {
            return Ok(booking);
        }
        // The booking's own resource first, so a move in time keeps its table when it can.
        let mut candidates: Vec<&str> = plan.candidates.iter().map(|resource| resource.id.as_str()).collect();
        candidates.sort_by_key(|id| *id != booking.resource_id);
        for resource_id in candidates {
            let moved = BookingRow {
                resource_id: resource_id.to_owned(),
                start_ms: wanted.start_ms,
                end_ms: wanted.start_ms.saturating_add(plan.duration_minutes.saturating_mul(60_000)),
                blocked_until_ms: wanted.blocked_until_ms,
                ..booking.clone()
            };
            let claims: Vec<BookingClaim> =
                wanted.cell_starts_ms().into_iter().map(|cell| (resource_id.to_owned(), cell)).collect();
            let events = [event(DomainEvent::BookingChanged(announced(&moved)), now_ms)];
            match self.store.move_booking(&moved, &claims, &events).await? {
                BookingMove::Moved => {
                    self.committed();
                    return Ok(moved);
                }
                BookingMove::Taken => continue,
                BookingMove::Gone => {
                    return Err(AppError::Conflict(
                        "the booking changed meanwhile (cancelled or seated); reload it".into(),
                    ));
                }
            }
        }
        Err(AppError::booking_refused(
            "start_at",
            BookingRefusal::SlotTaken,
            "that time is already booked; the booking keeps its time — choose another slot",
        ))
    }
}
