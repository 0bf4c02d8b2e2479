//! A site's day: when it starts, in the site's own time zone.
//!
//! A takings report counts the parts placed between two local midnights, and the console's
//! pages turn a date typed in a filter into that same instant, so the one rule lives here. In
//! Chile summer time starts at midnight, which then does not exist: the day starts at the first
//! local time that does.

use chrono::{NaiveDate, TimeZone};

/// The first instant of `date` in `zone`, in Unix milliseconds (the first existing local time
/// when midnight is skipped by a clock change, as in Chile).
pub fn local_day_start_ms(zone: chrono_tz::Tz, date: NaiveDate) -> i64 {
    (0..24)
        .filter_map(|hour| date.and_hms_opt(hour, 0, 0))
        .find_map(|local| zone.from_local_datetime(&local).earliest())
        .map_or(0, |start| start.timestamp_millis())
}

/// The date it is in `zone` at `now_ms`.
pub fn local_date(zone: chrono_tz::Tz, now_ms: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default().with_timezone(&zone).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(raw: &str) -> NaiveDate {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn a_day_starts_at_local_midnight_or_the_first_hour_that_exists() {
        let santiago = chrono_tz::America::Santiago;
        assert_eq!(local_day_start_ms(santiago, date("2025-07-01")), 1_751_342_400_000);
        // Summer time starts at midnight on 2026-09-06: the day begins at 01:00 local, 04:00 UTC.
        assert_eq!(local_day_start_ms(santiago, date("2026-09-06")), 1_788_667_200_000);
        assert_eq!(local_date(santiago, 1_751_342_400_000), date("2025-07-01"));
        assert_eq!(local_date(santiago, 1_751_342_399_999), date("2025-06-30"));
    }
}
