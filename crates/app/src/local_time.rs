//! A site's wall-clock time: what a happy hour reads, and how a price list's window typed in
//! local time ("2026-12-24T18:00") becomes an instant in the site's time zone.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use omnicanal_domain::pricing::LocalTime;

/// The site's wall-clock time at `now_ms`, for happy hours.
pub fn local_time(timezone: &str, now_ms: i64) -> LocalTime {
    let utc = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
    let (weekday, minute) = match timezone.parse::<chrono_tz::Tz>() {
        Ok(zone) => {
            let local = utc.with_timezone(&zone);
            (local.weekday().number_from_monday(), local.hour() * 60 + local.minute())
        }
        Err(_) => (utc.weekday().number_from_monday(), utc.hour() * 60 + utc.minute()),
    };
    LocalTime { weekday: u8::try_from(weekday).unwrap_or(1), minute: u16::try_from(minute).unwrap_or(0) }
}

/// Parses a window bound: RFC 3339 with an offset, or a local date-time (`2026-12-24T18:00`) or
/// date (`2026-12-24`, midnight) read in `timezone`.
pub fn parse_local_instant(raw: &str, timezone: &str) -> Result<i64, String> {
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(time.timestamp_millis());
    }
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M"))
        .or_else(|_| NaiveDate::parse_from_str(raw, "%Y-%m-%d").map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default()))
        .map_err(|_| "must be RFC 3339 (2026-12-24T18:00:00-03:00) or a local time (2026-12-24T18:00)".to_owned())?;
    let zone: chrono_tz::Tz = timezone.parse().map_err(|_| format!("unknown time zone {timezone}"))?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|time| time.timestamp_millis())
        .ok_or_else(|| format!("{raw} does not exist in {timezone} (a clock change skips it)"))
}
