//! What staff do to the day's bookings: mark one seated, completed, a no-show or cancelled,
//! and seat a walk-in. The moves allowed are the booking's one transition table
//! ([`BookingStatus::next_statuses`]) — this module adds only the staff's own rules on top: a
//! no-show cannot be marked before the booking's start, the same move sent twice changes
//! nothing (a retried tap), and which moves free the booking's grid cells.

use super::GRID_MS;
use super::booking::BookingStatus;

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
    fn the_no_show_rate_is_in_basis_points_of_the_bookings_due() {
        assert_eq!(no_show_rate_bp(0, 0, 0), 0);
        assert_eq!(no_show_rate_bp(1, 1, 2), 2_500);
        assert_eq!(no_show_rate_bp(1, 0, 2), 3_333);
    }
}
