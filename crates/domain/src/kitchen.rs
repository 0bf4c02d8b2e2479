//! The kitchen's clock: how long a part takes, when it will be ready, when a scheduled part must
//! be started, and whether a part is late (and why).
//!
//! Rules, each with its reason:
//! - A preparation time is 1 to [`MAX_PREP_MINUTES`] minutes: a kitchen promises minutes, not days.
//! - Accepting a part promises it ready at `accepted + prep`; a scheduled part is promised for its
//!   pickup time when that is later, since the customer comes then ([`estimate_ready_ms`]).
//! - A scheduled part should be started `prep` minutes before its pickup ([`start_by_ms`]).
//! - Late ([`lateness`]), first match wins, the customer's wait counting most:
//!   1. `past_pickup`: not collected yet and its scheduled pickup time has passed;
//!   2. `not_accepted`: still `placed` more than [`ACCEPT_WITHIN_MS`] after it arrived, or past
//!      its hold expiry (it is about to be cancelled);
//!   3. `past_estimate`: accepted or preparing, and the promised ready time has passed.
//!
//! A part that is `ready` is only late when its customer's pickup time has passed; final parts
//! are never late. All times are Unix milliseconds passed in by the caller.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::fulfillment::FulfillmentStatus;

/// Longest preparation time accepted, in minutes (four hours).
pub const MAX_PREP_MINUTES: i64 = 240;

/// How long a part may wait for acceptance before it counts as late (five minutes).
pub const ACCEPT_WITHIN_MS: i64 = 5 * 60_000;

/// A preparation time in minutes, 1 to [`MAX_PREP_MINUTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PrepMinutes(i64);

impl PrepMinutes {
    /// Checks a preparation time.
    pub fn parse(minutes: i64) -> Result<Self, DomainError> {
        if (1..=MAX_PREP_MINUTES).contains(&minutes) {
            Ok(Self(minutes))
        } else {
            Err(DomainError::invalid("prep_minutes", format!("must be between 1 and {MAX_PREP_MINUTES} minutes")))
        }
    }

    /// The minutes.
    pub fn minutes(self) -> i64 {
        self.0
    }

    /// The same time in milliseconds.
    pub fn as_ms(self) -> i64 {
        self.0 * 60_000
    }
}

/// When a part accepted at `accepted_at_ms` with `prep` will be ready: `accepted + prep`, or the
/// scheduled pickup time when that is later.
pub fn estimate_ready_ms(accepted_at_ms: i64, prep: PrepMinutes, pickup_at_ms: Option<i64>) -> i64 {
    let earliest = accepted_at_ms.saturating_add(prep.as_ms());
    pickup_at_ms.map_or(earliest, |pickup| pickup.max(earliest))
}

/// When the kitchen should start a scheduled part: `prep` minutes before its pickup (None for
/// parts wanted as soon as possible).
pub fn start_by_ms(pickup_at_ms: Option<i64>, prep_minutes: i64) -> Option<i64> {
    pickup_at_ms.map(|pickup| pickup.saturating_sub(prep_minutes.saturating_mul(60_000)))
}

/// Why a part is late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LateReason {
    /// Still waiting for the merchant to accept it.
    NotAccepted,
    /// Accepted, and the promised ready time has passed.
    PastEstimate,
    /// Not collected, and the customer's scheduled pickup time has passed.
    PastPickup,
}

impl LateReason {
    /// The snake_case name used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            LateReason::NotAccepted => "not_accepted",
            LateReason::PastEstimate => "past_estimate",
            LateReason::PastPickup => "past_pickup",
        }
    }
}

/// What [`lateness`] looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartClock {
    /// Current status.
    pub status: FulfillmentStatus,
    /// When the part was placed.
    pub created_at_ms: i64,
    /// While placed, when its stock hold lapses.
    pub hold_expires_at_ms: Option<i64>,
    /// The promised ready time, once accepted.
    pub estimated_ready_ms: Option<i64>,
    /// The customer's scheduled pickup time (None: as soon as possible).
    pub pickup_at_ms: Option<i64>,
}

/// Whether the part is late at `now_ms`, and why (see the module's rules).
pub fn lateness(part: &PartClock, now_ms: i64) -> Option<LateReason> {
    use FulfillmentStatus::*;
    let waiting = match part.status {
        Placed | Accepted | Preparing | Ready => true,
        Collected | Rejected | Cancelled => false,
    };
    if !waiting {
        return None;
    }
    if part.pickup_at_ms.is_some_and(|pickup| now_ms > pickup) {
        return Some(LateReason::PastPickup);
    }
    match part.status {
        Placed => {
            let unanswered = now_ms > part.created_at_ms.saturating_add(ACCEPT_WITHIN_MS);
            let lapsed = part.hold_expires_at_ms.is_some_and(|expiry| now_ms >= expiry);
            (unanswered || lapsed).then_some(LateReason::NotAccepted)
        }
        Accepted | Preparing => {
            part.estimated_ready_ms.is_some_and(|ready| now_ms > ready).then_some(LateReason::PastEstimate)
        }
        Ready | Collected | Rejected | Cancelled => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FulfillmentStatus::*;

    const T0: i64 = 1_700_000_000_000;
    const MINUTE: i64 = 60_000;

    fn clock(status: FulfillmentStatus) -> PartClock {
        PartClock { status, created_at_ms: T0, hold_expires_at_ms: None, estimated_ready_ms: None, pickup_at_ms: None }
    }

    #[test]
    fn preparation_times_are_one_minute_to_four_hours() {
        assert!(PrepMinutes::parse(0).is_err());
        assert!(PrepMinutes::parse(-5).is_err());
        assert!(PrepMinutes::parse(241).is_err());
        assert_eq!(PrepMinutes::parse(1).map(PrepMinutes::minutes), Ok(1));
        assert_eq!(PrepMinutes::parse(240).map(PrepMinutes::as_ms), Ok(240 * MINUTE));
    }

    #[test]
    fn the_estimate_is_acceptance_plus_preparation_or_the_later_pickup() -> Result<(), DomainError> {
        let prep = PrepMinutes::parse(20)?;
        assert_eq!(estimate_ready_ms(T0, prep, None), T0 + 20 * MINUTE);
        assert_eq!(estimate_ready_ms(T0, prep, Some(T0 + 120 * MINUTE)), T0 + 120 * MINUTE, "scheduled later");
        assert_eq!(estimate_ready_ms(T0, prep, Some(T0 + 5 * MINUTE)), T0 + 20 * MINUTE, "pickup too soon");
        Ok(())
    }

    #[test]
    fn a_scheduled_part_starts_its_preparation_time_before_pickup() {
        assert_eq!(start_by_ms(Some(T0 + 60 * MINUTE), 15), Some(T0 + 45 * MINUTE));
        assert_eq!(start_by_ms(None, 15), None, "as soon as possible: no start time");
    }

    #[test]
    fn a_placed_part_is_late_after_five_minutes_or_when_its_hold_lapses() {
        let part = clock(Placed);
        assert_eq!(lateness(&part, T0 + 5 * MINUTE), None, "exactly five minutes is still on time");
        assert_eq!(lateness(&part, T0 + 5 * MINUTE + 1), Some(LateReason::NotAccepted));
        let held = PartClock { hold_expires_at_ms: Some(T0 + 2 * MINUTE), ..part };
        assert_eq!(lateness(&held, T0 + MINUTE), None);
        assert_eq!(lateness(&held, T0 + 2 * MINUTE), Some(LateReason::NotAccepted));
    }

    #[test]
    fn an_accepted_or_preparing_part_is_late_past_its_estimate() {
        for status in [Accepted, Preparing] {
            let part = PartClock { estimated_ready_ms: Some(T0 + 20 * MINUTE), ..clock(status) };
            assert_eq!(lateness(&part, T0 + 20 * MINUTE), None, "{status}");
            assert_eq!(lateness(&part, T0 + 20 * MINUTE + 1), Some(LateReason::PastEstimate), "{status}");
        }
        let no_estimate = clock(Accepted);
        assert_eq!(lateness(&no_estimate, T0 + 600 * MINUTE), None, "accepted before estimates existed");
    }

    #[test]
    fn a_scheduled_part_not_collected_is_late_past_its_pickup_time() {
        for status in [Placed, Accepted, Preparing, Ready] {
            let part = PartClock {
                pickup_at_ms: Some(T0 + 60 * MINUTE),
                estimated_ready_ms: Some(T0 + 60 * MINUTE),
                ..clock(status)
            };
            assert_eq!(lateness(&part, T0 + 61 * MINUTE), Some(LateReason::PastPickup), "{status}");
        }
        let ready = PartClock { pickup_at_ms: Some(T0 + 60 * MINUTE), ..clock(Ready) };
        assert_eq!(lateness(&ready, T0 + 59 * MINUTE), None, "ready before pickup is on time");
        let placed_early = PartClock { pickup_at_ms: Some(T0 + 60 * MINUTE), ..clock(Placed) };
        assert_eq!(lateness(&placed_early, T0 + 10 * MINUTE), Some(LateReason::NotAccepted));
    }

    #[test]
    fn finished_parts_are_never_late() {
        for status in [Collected, Rejected, Cancelled] {
            let part = PartClock {
                pickup_at_ms: Some(T0),
                estimated_ready_ms: Some(T0),
                hold_expires_at_ms: Some(T0),
                ..clock(status)
            };
            assert_eq!(lateness(&part, T0 + 1_000 * MINUTE), None, "{status}");
        }
    }

    #[test]
    fn late_reasons_have_their_api_names() {
        assert_eq!(LateReason::NotAccepted.as_str(), "not_accepted");
        assert_eq!(LateReason::PastEstimate.as_str(), "past_estimate");
        assert_eq!(LateReason::PastPickup.as_str(), "past_pickup");
    }
}
