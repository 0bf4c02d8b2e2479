//! When a pickup at a store will be ready, promised to the customer before ordering: its
//! preparation time from now while the store is open, or from its next opening (by its weekly
//! hours, in the site's local time) while it is closed — so a store closed at night is still
//! offered, with the honest time, instead of being hidden.
//!
//! Pure: the caller passes the local time now. Limit: a daylight-saving change between now and
//! the opening shifts the promise by that hour (the order's own check reads the real clock).

use crate::hours::OpeningHours;
use crate::pricing::LocalTime;

const MINUTES_PER_DAY: i64 = 24 * 60;
const MINUTES_PER_WEEK: i64 = 7 * MINUTES_PER_DAY;

/// Minutes from `now` until an order placed now is ready: `prep_minutes` when the store is
/// open now (no hours: always open), else the minutes to its next opening plus
/// `prep_minutes`. None when its hours never open.
pub fn pickup_ready_in_minutes(hours: Option<&OpeningHours>, now: LocalTime, prep_minutes: i64) -> Option<i64> {
    let prep_minutes = prep_minutes.max(0);
    let Some(hours) = hours else { return Some(prep_minutes) };
    if hours.is_open_at(now) {
        return Some(prep_minutes);
    }
    let opening = hours.next_opening(now)?;
    let days = (i64::from(opening.weekday) - i64::from(now.weekday)).rem_euclid(7);
    let mut until = days * MINUTES_PER_DAY + i64::from(opening.minute) - i64::from(now.minute);
    if until <= 0 {
        // The same weekday next week (the store opens only earlier today).
        until += MINUTES_PER_WEEK;
    }
    Some(until + prep_minutes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DomainError;

    fn at(weekday: u8, hour: u16, minute: u16) -> LocalTime {
        LocalTime { weekday, minute: hour * 60 + minute }
    }

    #[test]
    fn a_closed_store_promises_its_next_opening_plus_preparation() -> Result<(), DomainError> {
        // Monday to Saturday 10:00–20:00.
        let week = r#"{"1": [["10:00","20:00"]], "2": [["10:00","20:00"]], "3": [["10:00","20:00"]],
            "4": [["10:00","20:00"]], "5": [["10:00","20:00"]], "6": [["10:00","20:00"]]}"#;
        let hours = OpeningHours::parse(week)?;
        assert_eq!(pickup_ready_in_minutes(Some(&hours), at(2, 12, 0), 30), Some(30), "open now");
        assert_eq!(pickup_ready_in_minutes(Some(&hours), at(2, 8, 15), 30), Some(105 + 30), "before opening");
        assert_eq!(pickup_ready_in_minutes(Some(&hours), at(2, 21, 0), 20), Some(13 * 60 + 20), "overnight");
        assert_eq!(
            pickup_ready_in_minutes(Some(&hours), at(6, 20, 0), 0),
            Some(38 * 60),
            "Saturday night waits for Monday"
        );
        assert_eq!(pickup_ready_in_minutes(None, at(7, 3, 0), 15), Some(15), "no hours: always open");
        let once = OpeningHours::parse(r#"{"3": [["09:00","10:00"]]}"#)?;
        assert_eq!(pickup_ready_in_minutes(Some(&once), at(3, 11, 0), 0), Some(MINUTES_PER_WEEK - 120));
        let never = OpeningHours::parse("{}")?;
        assert_eq!(pickup_ready_in_minutes(Some(&never), at(3, 11, 0), 0), None);
        Ok(())
    }
}
