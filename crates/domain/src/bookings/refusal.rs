//! Why a booking was refused, as a stable code (issue 19, review: "refusals told apart by words").
//!
//! Several refusals share a field (`start_at` is refused for being in the past, too soon, too
//! far, off the grid, closed, past the change deadline...), and the pages word each one in the
//! visitor's language. They used to tell them apart by the English of the message, so a
//! reworded message silently broke a page. Each refusal now carries one of these codes beside
//! its field and message; the message stays English, for developers, and may change freely.
//!
//! The codes are part of the API (the problem's `errors[].code`): a code, once shipped, is never
//! renamed or reused for another meaning — add a variant instead. The HTTP edge decides the
//! status of each (`crates/server/src/error.rs`), in its one table.

use serde::Serialize;

/// One reason a booking, or a change to one, is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingRefusal {
    /// The start is not on the booking grid.
    OffGrid,
    /// The start is in the past.
    InThePast,
    /// The start is within the location's minimum notice.
    TooLittleNotice,
    /// The start is beyond how far ahead the location takes bookings.
    TooFarAhead,
    /// The written local time does not exist in the site's zone (a clock change skips it).
    LocalTimeSkipped,
    /// The written UTC offset is not the site's at that time.
    WrongOffset,
    /// The location (or the resource) is not open for the whole booking then.
    LocationClosed,
    /// The customer's window to cancel or move the booking online has closed.
    ChangeDeadlinePassed,
    /// The booking has started, so it can no longer be cancelled or moved.
    AlreadyStarted,
    /// No table, nor combination of tables, seats the party.
    PartyTooLarge,
    /// The staff member or room named does not perform the service.
    NotAPerformer,
    /// A booking is marked a no-show only once its start has passed.
    NoShowTooEarly,
    /// The booking's status does not allow the change asked for (a cancelled booking moved).
    StatusForbids,
    /// The booking's status has moved on and the mark or confirmation asked for no longer
    /// applies (a no-show seated, a cancelled hold confirmed): a conflict with its state.
    StatusConflict,
    /// The time asked for is already booked.
    SlotTaken,
    /// The hold lapsed before it was confirmed and its time was released.
    HoldExpired,
    /// A walk-in: nothing that fits is free now.
    NothingFree,
    /// The service or the table asks for a deposit and the request brought no card to pay it.
    DepositRequired,
}

impl BookingRefusal {
    /// Every refusal, for tests and tables that must cover them all.
    pub const ALL: [BookingRefusal; 18] = [
        BookingRefusal::OffGrid,
        BookingRefusal::InThePast,
        BookingRefusal::TooLittleNotice,
        BookingRefusal::TooFarAhead,
        BookingRefusal::LocalTimeSkipped,
        BookingRefusal::WrongOffset,
        BookingRefusal::LocationClosed,
        BookingRefusal::ChangeDeadlinePassed,
        BookingRefusal::AlreadyStarted,
        BookingRefusal::PartyTooLarge,
        BookingRefusal::NotAPerformer,
        BookingRefusal::NoShowTooEarly,
        BookingRefusal::StatusForbids,
        BookingRefusal::StatusConflict,
        BookingRefusal::SlotTaken,
        BookingRefusal::HoldExpired,
        BookingRefusal::NothingFree,
        BookingRefusal::DepositRequired,
    ];

    /// The stable snake_case code, as the API sends it.
    pub fn code(self) -> &'static str {
        match self {
            BookingRefusal::OffGrid => "off_grid",
            BookingRefusal::InThePast => "in_the_past",
            BookingRefusal::TooLittleNotice => "too_little_notice",
            BookingRefusal::TooFarAhead => "too_far_ahead",
            BookingRefusal::LocalTimeSkipped => "local_time_skipped",
            BookingRefusal::WrongOffset => "wrong_offset",
            BookingRefusal::LocationClosed => "location_closed",
            BookingRefusal::ChangeDeadlinePassed => "change_deadline_passed",
            BookingRefusal::AlreadyStarted => "already_started",
            BookingRefusal::PartyTooLarge => "party_too_large",
            BookingRefusal::NotAPerformer => "not_a_performer",
            BookingRefusal::NoShowTooEarly => "no_show_too_early",
            BookingRefusal::StatusForbids => "status_forbids",
            BookingRefusal::StatusConflict => "status_conflict",
            BookingRefusal::SlotTaken => "slot_taken",
            BookingRefusal::HoldExpired => "hold_expired",
            BookingRefusal::NothingFree => "nothing_free",
            BookingRefusal::DepositRequired => "deposit_required",
        }
    }
}

impl std::fmt::Display for BookingRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::BookingRefusal;

    #[test]
    fn every_code_is_distinct_snake_case_and_matches_its_serde_name() {
        let mut seen = std::collections::HashSet::new();
        for refusal in BookingRefusal::ALL {
            let code = refusal.code();
            assert!(seen.insert(code), "{code} is used twice");
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{code}");
            assert_eq!(serde_json::to_value(refusal).ok(), Some(serde_json::Value::from(code)));
        }
    }
}
