//! What may change in a booking once it is made, and until when: the customer's cancellation
//! window (a cancel or a move by the manage link closes `cancel_window_minutes` before the
//! start; staff always may), which statuses may be moved to another time, and whether a hold
//! may still be confirmed. Pure rules: the app reads the clock and the settings and passes them.
//!
//! A refusal by the window is a `BookingRefused` on `start_at` (answered 422), not a conflict (409): the
//! request is wrong for this booking at this time whatever anyone else does — retrying never
//! helps — just as cancelling a booking that has started is. Its message names the deadline in
//! the site's own time zone, so the customer reads the hour they know.

use chrono::TimeZone;
use chrono_tz::Tz;

use super::booking::BookingStatus;
use super::refusal::BookingRefusal;
use crate::DomainError;

/// Who asks for the change: the customer's window binds only the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangedBy {
    /// The holder of the manage token.
    Customer,
    /// The location's staff, its manager or an admin.
    Staff,
}

/// The last instant (Unix ms) a customer may cancel or move a booking starting at `start_ms`.
pub fn customer_deadline_ms(start_ms: i64, cancel_window_minutes: i64) -> i64 {
    start_ms.saturating_sub(cancel_window_minutes.saturating_mul(60_000))
}

/// An instant in the site's zone, `2026-12-09T18:00:00-03:00`, for messages.
pub fn local_rfc3339(at_ms: i64, zone: Tz) -> String {
    match zone.timestamp_millis_opt(at_ms).single() {
        Some(local) => local.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        None => at_ms.to_string(),
    }
}

/// Whether `by` may still change (cancel or move) a booking starting at `start_ms`, at `now_ms`:
/// staff until it starts, the customer until the window closes. The refusal names the deadline.
pub fn check_change_window(
    by: ChangedBy,
    start_ms: i64,
    now_ms: i64,
    cancel_window_minutes: i64,
    zone: Tz,
) -> Result<(), DomainError> {
    if by == ChangedBy::Staff {
        return Ok(());
    }
    let deadline_ms = customer_deadline_ms(start_ms, cancel_window_minutes);
    if now_ms > deadline_ms {
        return Err(DomainError::booking_refused(
            "start_at",
            BookingRefusal::ChangeDeadlinePassed,
            format!(
                "the booking could be cancelled or moved online until {} ({cancel_window_minutes} minutes before it \
                 starts); please call the location",
                local_rfc3339(deadline_ms, zone)
            ),
        ));
    }
    Ok(())
}

/// Whether a booking in `status` starting at `start_ms` may be moved at `now_ms`: only a held or
/// confirmed one that has not started (seated, over or cancelled bookings stay where they were).
pub fn check_movable(status: BookingStatus, start_ms: i64, now_ms: i64) -> Result<(), DomainError> {
    let movable = match status {
        BookingStatus::Held | BookingStatus::Confirmed => true,
        BookingStatus::Seated
        | BookingStatus::Completed
        | BookingStatus::NoShow
        | BookingStatus::Cancelled
        | BookingStatus::Expired => false,
    };
    if !movable {
        return Err(DomainError::booking_refused(
            "status",
            BookingRefusal::StatusForbids,
            format!("a {status} booking cannot be moved"),
        ));
    }
    if now_ms >= start_ms {
        return Err(DomainError::booking_refused(
            "start_at",
            BookingRefusal::AlreadyStarted,
            "the booking has started; it can no longer be moved",
        ));
    }
    Ok(())
}

/// What confirming a booking does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmPlan {
    /// A live hold: confirm it.
    Confirm,
    /// Confirmed (or further along) already: answer as it is, change nothing (a retried link).
    AlreadyConfirmed,
}

/// Plans confirming a booking at `now_ms` whose hold lapses at `hold_expires_ms`. A lapsed or
/// expired hold is `Expired` (the slot may have been taken since: book again); a cancelled
/// booking cannot be confirmed.
pub fn plan_confirm(
    status: BookingStatus,
    hold_expires_ms: Option<i64>,
    now_ms: i64,
) -> Result<ConfirmPlan, ConfirmRefused> {
    match status {
        BookingStatus::Held => match hold_expires_ms {
            Some(expires_ms) if now_ms >= expires_ms => Err(ConfirmRefused::Expired),
            _ => Ok(ConfirmPlan::Confirm),
        },
        BookingStatus::Confirmed | BookingStatus::Seated | BookingStatus::Completed => {
            Ok(ConfirmPlan::AlreadyConfirmed)
        }
        BookingStatus::Expired => Err(ConfirmRefused::Expired),
        BookingStatus::Cancelled | BookingStatus::NoShow => Err(ConfirmRefused::NotHeld(status)),
    }
}

/// Why a booking cannot be confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmRefused {
    /// Its hold lapsed: its time may be someone else's now.
    Expired,
    /// It is not held any more.
    NotHeld(BookingStatus),
}

/// Whether a hold made at `now_ms` with a lapse at `expires_ms` has lapsed at `at_ms`.
pub fn hold_lapsed(expires_ms: i64, at_ms: i64) -> bool {
    at_ms >= expires_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: i64 = 1_796_857_200_000; // 2026-12-09T20:00:00-03:00

    fn unreachable_refusal(result: &Result<(), DomainError>) {
        assert!(result.is_err(), "a late change must be refused: {result:?}");
    }

    #[test]
    fn the_customer_may_change_until_the_window_closes_and_staff_always() {
        let zone: Tz = chrono_tz::America::Santiago;
        let deadline = customer_deadline_ms(START, 120);
        assert!(check_change_window(ChangedBy::Customer, START, deadline, 120, zone).is_ok());
        let late = check_change_window(ChangedBy::Customer, START, deadline + 1, 120, zone);
        let Err(DomainError::BookingRefused { field, refusal: BookingRefusal::ChangeDeadlinePassed, message }) = &late
        else {
            unreachable_refusal(&late);
            return;
        };
        assert_eq!(field, "start_at");
        assert!(message.contains("2026-12-09T18:00:00-03:00"), "the deadline in local time: {message}");
        assert!(check_change_window(ChangedBy::Staff, START, START - 1, 120, zone).is_ok());
    }

    #[test]
    fn only_live_bookings_before_their_start_move() {
        assert!(check_movable(BookingStatus::Confirmed, START, START - 1).is_ok());
        assert!(check_movable(BookingStatus::Held, START, START - 1).is_ok());
        assert!(check_movable(BookingStatus::Confirmed, START, START).is_err());
        for status in [BookingStatus::Seated, BookingStatus::Cancelled, BookingStatus::Expired] {
            assert!(check_movable(status, START, 0).is_err(), "{status}");
        }
    }

    #[test]
    fn a_hold_is_confirmed_once_and_only_before_it_lapses() {
        assert_eq!(plan_confirm(BookingStatus::Held, Some(10), 9), Ok(ConfirmPlan::Confirm));
        assert_eq!(plan_confirm(BookingStatus::Held, Some(10), 10), Err(ConfirmRefused::Expired));
        assert_eq!(plan_confirm(BookingStatus::Confirmed, None, 99), Ok(ConfirmPlan::AlreadyConfirmed));
        assert_eq!(plan_confirm(BookingStatus::Expired, None, 0), Err(ConfirmRefused::Expired));
        assert!(matches!(plan_confirm(BookingStatus::Cancelled, None, 0), Err(ConfirmRefused::NotHeld(_))));
        assert!(hold_lapsed(10, 10) && !hold_lapsed(10, 9));
    }
}
