//! A booking's life and the time it takes: its status and the one transition table, the grid
//! cells it claims (its time plus its buffers before and after), and whether a requested start
//! may be booked at `now` — on the grid, after the minimum notice, within the days one may book
//! ahead.

use serde::{Deserialize, Serialize};

use super::refusal::BookingRefusal;
use super::{GRID_MINUTES, GRID_MS};
use crate::DomainError;

crate::named_enum! {
    /// Where a booking stands.
    pub enum BookingStatus("status") {
        /// Held for a few minutes while the customer confirms (or pays a deposit): its cells
        /// are claimed, so nobody else can take the slot meanwhile.
        Held => "held",
        /// Booked: its cells are claimed.
        Confirmed => "confirmed",
        /// The party arrived and was seated (or the appointment began): its cells stay claimed.
        Seated => "seated",
        /// Done: the party left or the service was given.
        Completed => "completed",
        /// Marked by staff: the customer never came. Its cells are freed for walk-ins and it is
        /// counted against the customer.
        NoShow => "no_show",
        /// Cancelled by the customer's manage link or by staff: its cells are free again.
        Cancelled => "cancelled",
        /// A hold that was not confirmed in time: its cells are free again.
        Expired => "expired",
    }
}

impl BookingStatus {
    /// The statuses a booking may move to from this one (the one transition table; no `_ =>`
    /// arm, so a new status forces every move to be reconsidered).
    pub fn next_statuses(self) -> &'static [BookingStatus] {
        match self {
            BookingStatus::Held => &[BookingStatus::Confirmed, BookingStatus::Cancelled, BookingStatus::Expired],
            BookingStatus::Confirmed => {
                &[BookingStatus::Seated, BookingStatus::Completed, BookingStatus::NoShow, BookingStatus::Cancelled]
            }
            BookingStatus::Seated => &[BookingStatus::Completed],
            BookingStatus::Completed | BookingStatus::NoShow | BookingStatus::Cancelled | BookingStatus::Expired => &[],
        }
    }

    /// Whether a booking in this status keeps its grid cells claimed (and so is shown as taken
    /// by availability). The store's queries name the same three statuses.
    pub fn holds_time(self) -> bool {
        match self {
            BookingStatus::Held | BookingStatus::Confirmed | BookingStatus::Seated => true,
            BookingStatus::Completed | BookingStatus::NoShow | BookingStatus::Cancelled | BookingStatus::Expired => {
                false
            }
        }
    }

    /// Whether the booking is over, one way or another: nothing more can happen to it.
    pub fn is_final(self) -> bool {
        self.next_statuses().is_empty()
    }
}

/// What a cancellation request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelPlan {
    /// Cancel it and free its cells.
    Cancel,
    /// It was cancelled already: answer as before, change nothing (a retried link).
    AlreadyCancelled,
}

/// Plans a cancellation at `now_ms`: a booking that has started can no longer be cancelled.
pub fn plan_cancel(status: BookingStatus, start_ms: i64, now_ms: i64) -> Result<CancelPlan, DomainError> {
    if status == BookingStatus::Cancelled {
        return Ok(CancelPlan::AlreadyCancelled);
    }
    if !status.next_statuses().contains(&BookingStatus::Cancelled) {
        return Err(DomainError::booking_refused(
            "status",
            BookingRefusal::StatusForbids,
            format!("a {status} booking cannot be cancelled"),
        ));
    }
    if now_ms >= start_ms {
        return Err(DomainError::booking_refused(
            "start_at",
            BookingRefusal::AlreadyStarted,
            "the booking has started; it can no longer be cancelled",
        ));
    }
    Ok(CancelPlan::Cancel)
}

/// How soon and how far ahead a location takes bookings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingWindow {
    /// A booking starts at least this many minutes after it is made.
    pub min_notice_minutes: i64,
    /// And at most this many days ahead.
    pub max_days_ahead: i64,
}

impl BookingWindow {
    /// Every location's window until locations can set their own.
    pub const DEFAULT: BookingWindow = BookingWindow { min_notice_minutes: 30, max_days_ahead: 60 };

    /// The earliest start that may be booked at `now_ms`.
    pub fn earliest_ms(self, now_ms: i64) -> i64 {
        now_ms.saturating_add(self.min_notice_minutes.saturating_mul(60_000))
    }

    /// The latest start that may be booked at `now_ms`.
    pub fn latest_ms(self, now_ms: i64) -> i64 {
        now_ms.saturating_add(self.max_days_ahead.saturating_mul(86_400_000))
    }
}

/// Whether a start may be booked at `now_ms`: on the grid, not in the past nor within the
/// minimum notice, not beyond the window. Each refusal names `start_at` and says why.
pub fn check_start(start_ms: i64, now_ms: i64, window: BookingWindow) -> Result<(), DomainError> {
    if start_ms.rem_euclid(GRID_MS) != 0 {
        return Err(DomainError::booking_refused(
            "start_at",
            BookingRefusal::OffGrid,
            format!("bookings start on the {GRID_MINUTES}-minute grid (:00, :15, :30, :45)"),
        ));
    }
    if start_ms < now_ms {
        return Err(DomainError::booking_refused("start_at", BookingRefusal::InThePast, "is in the past"));
    }
    if start_ms < window.earliest_ms(now_ms) {
        return Err(DomainError::booking_refused(
            "start_at",
            BookingRefusal::TooLittleNotice,
            format!("bookings are taken at least {} minutes ahead", window.min_notice_minutes),
        ));
    }
    if start_ms > window.latest_ms(now_ms) {
        return Err(DomainError::booking_refused(
            "start_at",
            BookingRefusal::TooFarAhead,
            format!("bookings are taken at most {} days ahead", window.max_days_ahead),
        ));
    }
    Ok(())
}

/// The time a booking holds its resource: from its start minus the buffer before it (the
/// preparation a service needs: a room set up, a colour mixed) to its end plus the buffer after
/// it. The booking's own start and end stay the service's time; only the claim widens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occupancy {
    /// Its start (Unix ms, on the grid).
    pub start_ms: i64,
    /// Its end plus its buffer (Unix ms).
    pub blocked_until_ms: i64,
    /// Its start minus its buffer before (Unix ms): the first instant the resource is held.
    /// Equal to `start_ms` when there is no buffer before.
    pub blocked_from_ms: i64,
}

impl Occupancy {
    /// A booking of `duration_minutes` with `buffer_minutes` after it and none before.
    pub fn new(start_ms: i64, duration_minutes: i64, buffer_minutes: i64) -> Self {
        Self::with_buffers(start_ms, duration_minutes, 0, buffer_minutes)
    }

    /// A booking of `duration_minutes` with `before_minutes` held before its start and
    /// `after_minutes` after its end.
    pub fn with_buffers(start_ms: i64, duration_minutes: i64, before_minutes: i64, after_minutes: i64) -> Self {
        let blocked = duration_minutes.saturating_add(after_minutes).max(1);
        Self {
            start_ms,
            blocked_until_ms: start_ms.saturating_add(blocked.saturating_mul(60_000)),
            blocked_from_ms: start_ms.saturating_sub(before_minutes.max(0).saturating_mul(60_000)),
        }
    }

    /// One claimed grid cell read back from the store: taken from its start to the next cell.
    pub fn cell(cell_start_ms: i64) -> Self {
        Self {
            start_ms: cell_start_ms,
            blocked_until_ms: cell_start_ms.saturating_add(GRID_MS),
            blocked_from_ms: cell_start_ms,
        }
    }

    /// The grid cells it claims, as the index range `[first, past_last)`: every cell its time
    /// touches, buffers included, so two occupancies that overlap share at least one cell.
    pub fn cells(self) -> (i64, i64) {
        let from = self.blocked_from_ms.min(self.start_ms);
        (from.div_euclid(GRID_MS), self.blocked_until_ms.saturating_add(GRID_MS - 1).div_euclid(GRID_MS))
    }

    /// The start (Unix ms) of each claimed cell, as the store keys them.
    pub fn cell_starts_ms(self) -> Vec<i64> {
        let (first, past_last) = self.cells();
        (first..past_last).map(|cell| cell.saturating_mul(GRID_MS)).collect()
    }

    /// Whether the two claim a cell in common.
    pub fn clashes_with(self, other: Occupancy) -> bool {
        let (a_first, a_past) = self.cells();
        let (b_first, b_past) = other.cells();
        a_first < b_past && b_first < a_past
    }
}

/// `booking.created` and `booking.cancelled`: what a staff schedule, a webhook or a reminder
/// reads. The customer's name and contact stay out, so a webhook never spreads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingAnnounced {
    /// The booking.
    pub booking_id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// The location.
    pub location_id: String,
    /// The table, staff member or room.
    pub resource_id: String,
    /// The service booked, for appointments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// The party size, for tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party_size: Option<i64>,
    /// Its start (RFC 3339).
    #[serde(with = "crate::time::rfc3339_ms")]
    pub start_at: i64,
    /// Its end, buffer not included (RFC 3339).
    #[serde(with = "crate::time::rfc3339_ms")]
    pub end_at: i64,
    /// Its status now.
    pub status: BookingStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000; // on the grid

    #[test]
    fn a_start_must_be_on_the_grid_and_inside_the_window() {
        let window = BookingWindow::DEFAULT;
        let in_two_hours = NOW + 2 * 3_600_000;
        assert!(check_start(in_two_hours, NOW, window).is_ok());
        // Each refusal names `start_at` with its own code, which the pages word.
        let refused = |start_ms: i64| match check_start(start_ms, NOW, window) {
            Err(DomainError::BookingRefused { field, refusal, .. }) if field == "start_at" => Some(refusal),
            _ => None,
        };
        assert_eq!(refused(in_two_hours + 60_000), Some(BookingRefusal::OffGrid), "a one-minute shift");
        assert_eq!(refused(NOW - GRID_MS), Some(BookingRefusal::InThePast));
        assert_eq!(refused(NOW + GRID_MS), Some(BookingRefusal::TooLittleNotice));
        assert_eq!(refused(NOW + 61 * 86_400_000), Some(BookingRefusal::TooFarAhead));
    }

    #[test]
    fn cells_cover_the_buffer_and_round_up() {
        let booking = Occupancy::new(NOW, 50, 0);
        assert_eq!(booking.cell_starts_ms(), vec![NOW, NOW + GRID_MS, NOW + 2 * GRID_MS, NOW + 3 * GRID_MS]);
        let with_buffer = Occupancy::new(NOW, 90, 15);
        assert_eq!(with_buffer.cell_starts_ms().len(), 7);
        assert!(with_buffer.clashes_with(Occupancy::new(NOW + 90 * 60_000, 30, 0)), "the buffer is held");
        assert!(!with_buffer.clashes_with(Occupancy::new(NOW + 105 * 60_000, 30, 0)));
    }

    #[test]
    fn the_buffer_before_is_claimed_but_the_booking_keeps_its_start() {
        let prepared = Occupancy::with_buffers(NOW, 60, 15, 10);
        assert_eq!(prepared.start_ms, NOW, "the service still starts at its time");
        assert_eq!(prepared.blocked_from_ms, NOW - GRID_MS);
        assert_eq!(prepared.cell_starts_ms().first(), Some(&(NOW - GRID_MS)));
        // 15 before + 60 + 10 after rounds up to six cells.
        assert_eq!(prepared.cell_starts_ms().len(), 6);
        // A booking ending when the preparation starts is fine; one ending inside it is not.
        assert!(!prepared.clashes_with(Occupancy::new(NOW - 75 * 60_000, 60, 0)));
        assert!(prepared.clashes_with(Occupancy::new(NOW - 60 * 60_000, 60, 0)));
        assert_eq!(Occupancy::with_buffers(NOW, 60, 0, 10), Occupancy::new(NOW, 60, 10));
        assert_eq!(Occupancy::cell(NOW).cell_starts_ms(), vec![NOW]);
    }

    #[test]
    fn only_live_bookings_hold_time_and_final_ones_move_nowhere() {
        for &status in BookingStatus::ALL {
            assert_eq!(status.is_final(), status.next_statuses().is_empty());
            if status.is_final() {
                assert!(!status.holds_time(), "{status} is over but holds its cells");
            }
        }
        assert!(BookingStatus::Held.holds_time() && BookingStatus::Seated.holds_time());
        assert!(!BookingStatus::NoShow.holds_time());
    }

    #[test]
    fn a_booking_is_cancelled_once_and_only_before_it_starts() {
        assert_eq!(plan_cancel(BookingStatus::Confirmed, NOW + 1, NOW), Ok(CancelPlan::Cancel));
        assert_eq!(plan_cancel(BookingStatus::Cancelled, NOW + 1, NOW), Ok(CancelPlan::AlreadyCancelled));
        assert!(plan_cancel(BookingStatus::Confirmed, NOW, NOW).is_err());
    }
}
