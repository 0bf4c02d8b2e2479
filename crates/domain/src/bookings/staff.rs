//! What staff do to the day's bookings: mark one seated, completed, a no-show or cancelled,
//! and seat a walk-in. The moves allowed are the booking's one transition table
//! ([`BookingStatus::next_statuses`]) — this module adds only the staff's own rules on top: a
//! no-show cannot be marked before the booking's start, the same move sent twice changes
//! nothing (a retried tap), and which moves free the booking's grid cells. A walk-in is placed
//! now without asking the opening hours or the staff's working week ([`walk_in_occupancy`]).

use super::GRID_MS;
use super::booking::{BookingStatus, Occupancy};

crate::named_enum! {
    /// A status staff may set by hand (held, confirmed and expired are the customer's or the
    /// clock's, never a tap on the schedule).
    pub enum StaffStatus("status") {
        /// The party arrived.
        Seated => "seated",
        /// The party left, or the service was given.
        Completed => "completed",
        /// The customer never came.
        NoShow => "no_show",
        /// Called off by the location.
        Cancelled => "cancelled",
    }
}

impl StaffStatus {
    /// The booking status it sets.
    pub fn status(self) -> BookingStatus {
        match self {
            StaffStatus::Seated => BookingStatus::Seated,
            StaffStatus::Completed => BookingStatus::Completed,
            StaffStatus::NoShow => BookingStatus::NoShow,
            StaffStatus::Cancelled => BookingStatus::Cancelled,
        }
    }
}

/// What a staff move does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffMovePlan {
    /// Move the booking to `to`; when `frees_time`, its claimed cells are released with it.
    Move {
        /// The new status.
        to: BookingStatus,
        /// Whether the new status gives the booking's time back (`!holds_time()`).
        frees_time: bool,
    },
    /// The booking is in that status already: answer it unchanged.
    AlreadyThere,
}

/// Why a staff move is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffMoveRefused {
    /// The transition table has no move from `from` to `to` (a conflict with the booking's state).
    NotAllowed {
        /// Where the booking stands.
        from: BookingStatus,
        /// Where staff asked to move it.
        to: BookingStatus,
    },
    /// A no-show marked before the booking started: the customer may still come.
    NoShowBeforeStart,
}

/// Plans a staff move of a booking in `from` that starts at `start_ms`, at `now_ms`.
pub fn plan_staff_move(
    from: BookingStatus,
    wanted: StaffStatus,
    start_ms: i64,
    now_ms: i64,
) -> Result<StaffMovePlan, StaffMoveRefused> {
    let to = wanted.status();
    if from == to {
        return Ok(StaffMovePlan::AlreadyThere);
    }
    if !from.next_statuses().contains(&to) {
        return Err(StaffMoveRefused::NotAllowed { from, to });
    }
    if to == BookingStatus::NoShow && now_ms < start_ms {
        return Err(StaffMoveRefused::NoShowBeforeStart);
    }
    Ok(StaffMovePlan::Move { to, frees_time: !to.holds_time() })
}

/// A walk-in's start: now, rounded down to the grid, so its claim covers the cell it sits in.
pub fn walk_in_start_ms(now_ms: i64) -> i64 {
    now_ms.div_euclid(GRID_MS).saturating_mul(GRID_MS)
}

/// The time a walk-in holds: from the cell it arrives in, for the service's (or the sitting's)
/// duration, with the same buffers as a booking — the buffer before included, even though it
/// lies in the past, so no two bookings' `[start − before, end + after]` ever overlap, walk-ins
/// or not (a resource still held just now by a booking that was not completed is not free).
///
/// **Walk-ins skip the opening hours and the working weeks, on purpose.** A walk-in is "now,
/// whatever is free": the person is standing at the counter, so if staff are there to seat
/// them the place is open, whatever the hours published for customers booking ahead say (a
/// kitchen that stays open late, a stylist who came in on a day off). That is why this takes
/// no hours and no week: only the claim — another booking's cells — can refuse a walk-in.
pub fn walk_in_occupancy(now_ms: i64, duration_minutes: i64, before_minutes: i64, after_minutes: i64) -> Occupancy {
    Occupancy::with_buffers(walk_in_start_ms(now_ms), duration_minutes, before_minutes, after_minutes)
}

/// The no-show rate, in basis points (1/100 of a percent), of the bookings that were due: the
/// no-shows over the no-shows, seated and completed ones. 0 when none was due.
pub fn no_show_rate_bp(no_shows: i64, seated: i64, completed: i64) -> i64 {
    let due = no_shows.saturating_add(seated).saturating_add(completed);
    if due <= 0 { 0 } else { no_shows.saturating_mul(10_000) / due }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn staff_moves_follow_the_one_transition_table() {
        for &from in BookingStatus::ALL {
            for &wanted in StaffStatus::ALL {
                let to = wanted.status();
                let planned = plan_staff_move(from, wanted, NOW - 1, NOW);
                if from == to {
                    assert_eq!(planned, Ok(StaffMovePlan::AlreadyThere));
                } else if from.next_statuses().contains(&to) {
                    assert_eq!(planned, Ok(StaffMovePlan::Move { to, frees_time: !to.holds_time() }));
                } else {
                    assert_eq!(planned, Err(StaffMoveRefused::NotAllowed { from, to }));
                }
            }
        }
    }

    #[test]
    fn a_no_show_waits_for_the_start_and_frees_the_table() {
        let early = plan_staff_move(BookingStatus::Confirmed, StaffStatus::NoShow, NOW + 1, NOW);
        assert_eq!(early, Err(StaffMoveRefused::NoShowBeforeStart));
        let late = plan_staff_move(BookingStatus::Confirmed, StaffStatus::NoShow, NOW, NOW);
        assert_eq!(late, Ok(StaffMovePlan::Move { to: BookingStatus::NoShow, frees_time: true }));
        let seated = plan_staff_move(BookingStatus::Confirmed, StaffStatus::Seated, NOW + 1, NOW);
        assert_eq!(seated, Ok(StaffMovePlan::Move { to: BookingStatus::Seated, frees_time: false }));
    }

    #[test]
    fn a_walk_in_starts_in_the_cell_it_arrives_in() {
        assert_eq!(walk_in_start_ms(NOW), NOW);
        assert_eq!(walk_in_start_ms(NOW + GRID_MS - 1), NOW);
        assert_eq!(walk_in_start_ms(NOW + GRID_MS), NOW + GRID_MS);
    }

    #[test]
    fn a_walk_in_at_any_hour_holds_its_buffers_and_nothing_asks_about_hours() {
        // 03:07 UTC on a night no place is open: a walk-in is still placed, from its cell.
        let night = NOW + 3 * 3_600_000 + 7 * 60_000;
        let held = walk_in_occupancy(night, 60, 15, 10);
        assert_eq!(held.start_ms, walk_in_start_ms(night));
        assert_eq!(held.blocked_from_ms, held.start_ms - GRID_MS, "the buffer before is held, in the past");
        assert_eq!(held, Occupancy::with_buffers(held.start_ms, 60, 15, 10));
    }

    #[test]
    fn the_no_show_rate_is_in_basis_points_of_the_bookings_due() {
        assert_eq!(no_show_rate_bp(0, 0, 0), 0);
        assert_eq!(no_show_rate_bp(1, 1, 2), 2_500);
        assert_eq!(no_show_rate_bp(1, 0, 2), 3_333);
    }
}
