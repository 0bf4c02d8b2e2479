//! A location's wall clock to UTC instants, with the clock changes named instead of guessed.
//!
//! Customers book "Saturday at 21:00" in the location's IANA zone; bookings, claims and
//! reminders live in UTC milliseconds. Two edges make the conversion a choice, and each gets
//! one answer here so every layer agrees:
//!
//! - **Skipped** wall times (America/Santiago jumps from 00:00 to 01:00 on the first Sunday of
//!   September): asking to *book* one is an error, [`LocalTimeError::Skipped`] — a 4xx, never a
//!   slot silently moved an hour. Where a *range* (working hours) starts or ends in the gap,
//!   [`minute_to_utc_ms_lived`] reads it as the instant the clock jumps, so the day is as long
//!   as it is lived.
//! - **Repeated** wall times (Santiago's clock goes back from 00:00 to 23:00 on the first Sunday
//!   of April): the earlier instant, the one a customer reaches first.
//!
//! A wall-clock *range* is converted exactly by [`wall_range_to_utc_ms`]: the instants at which
//! the clock shows a time inside it, which is two intervals when the clock goes back into a
//! range that starts inside the repeated hour.
//!
//! Nothing reads the clock; the zone data is chrono-tz's compiled copy of the IANA database.

use chrono::{Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;

use crate::DomainError;

/// Minutes in a day; minute 1440 is the next local midnight.
pub const DAY_MINUTES: u16 = 1_440;
/// How far a skipped wall time is walked forward to find the clock's jump: longer than any
/// gap the IANA database records (Samoa skipped a whole day in 2011).
const MAX_GAP_MINUTES: i64 = 2 * 1_440;

/// Why a local date and time has no single instant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalTimeError {
    /// The zone name is not in the IANA database.
    #[error("{name:?} is not an IANA time zone")]
    UnknownZone {
        /// The name given.
        name: String,
    },
    /// The clock skips this wall time (a clock change moves it forward).
    #[error("{local} does not exist in {zone}: the clock skips it")]
    Skipped {
        /// The wall time asked for.
        local: NaiveDateTime,
        /// The zone's IANA name.
        zone: &'static str,
    },
    /// A minute of the day past 24:00.
    #[error("minute {minute} is not a time of day (0 to 1440)")]
    MinuteOutOfRange {
        /// The minute given.
        minute: u16,
    },
    /// A date outside what the calendar can count.
    #[error("date out of range")]
    OutOfRange,
}

impl From<LocalTimeError> for DomainError {
    fn from(error: LocalTimeError) -> Self {
        let field = match error {
            LocalTimeError::UnknownZone { .. } => "timezone",
            LocalTimeError::Skipped { .. } | LocalTimeError::MinuteOutOfRange { .. } => "time",
            LocalTimeError::OutOfRange => "date",
        };
        DomainError::invalid(field, error.to_string())
    }
}

/// Parses an IANA zone name (`America/Santiago`).
pub fn parse_zone(name: &str) -> Result<Tz, LocalTimeError> {
    name.parse().map_err(|_| LocalTimeError::UnknownZone { name: name.to_owned() })
}

/// The UTC instant (Unix milliseconds) of a wall time: the earlier one when the wall time
/// happens twice, [`LocalTimeError::Skipped`] when it never happens.
pub fn to_utc_ms(zone: Tz, date: NaiveDate, time: NaiveTime) -> Result<i64, LocalTimeError> {
    let local = date.and_time(time);
    match zone.from_local_datetime(&local) {
        LocalResult::Single(instant) | LocalResult::Ambiguous(instant, _) => Ok(instant.timestamp_millis()),
        LocalResult::None => Err(LocalTimeError::Skipped { local, zone: zone.name() }),
    }
}

/// [`to_utc_ms`] for a minute after local midnight (`1440` is the next midnight), the form
/// opening and working hours use.
pub fn minute_to_utc_ms(zone: Tz, date: NaiveDate, minute: u16) -> Result<i64, LocalTimeError> {
    let local = local_minute(date, minute)?;
    to_utc_ms(zone, local.date(), local.time())
}

/// Like [`minute_to_utc_ms`], but a skipped minute is read as the instant the clock jumps
/// (the first instant after the gap): the bound of an hours range, never a booking.
pub fn minute_to_utc_ms_lived(zone: Tz, date: NaiveDate, minute: u16) -> Result<i64, LocalTimeError> {
    let local = local_minute(date, minute)?;
    lived(zone, local)
}

/// The UTC range `[start, end)` of a local day: from its first instant to the next day's
/// first. 24 hours on most days; 23 when the clock goes forward, 25 when it goes back.
pub fn day_range_utc_ms(zone: Tz, date: NaiveDate) -> Result<(i64, i64), LocalTimeError> {
    let start = minute_to_utc_ms_lived(zone, date, 0)?;
    let end = minute_to_utc_ms_lived(zone, date, DAY_MINUTES)?;
    Ok((start, end))
}

/// The UTC intervals `[start, end)` during which the wall clock in `zone` reads a time in
/// `[from, to)`, sorted and disjoint: one interval, none when the whole range is skipped, two
/// when the clock goes back inside the range and part of the repeated stretch lies outside it.
/// Ranges are expected to be at most a day or two long (one clock change inside).
pub fn wall_range_to_utc_ms(
    zone: Tz,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<(i64, i64)>, LocalTimeError> {
    let low = lived(zone, from)?;
    let high = lived_latest(zone, to)?;
    if low >= high {
        return Ok(Vec::new());
    }
    // The offset at `high` itself, not just before it: when `to` is repeated, `high` is its
    // second pass and the clock may go back exactly there.
    let (before, after) = (offset_ms(zone, low), offset_ms(zone, high));
    if after >= before {
        // No backward jump: the wall clock only moves forward over [low, high).
        return Ok(vec![(low, high)]);
    }
    let jump = first_instant_with_offset(zone, low, high, after);
    let (from_ms, to_ms) = (from.and_utc().timestamp_millis(), to.and_utc().timestamp_millis());
    // Before the jump the wall clock reads `t + before`; from it on, `t + after`.
    let pieces = [(low, jump.min(to_ms - before)), (jump.max(from_ms - after), high)];
    let mut intervals: Vec<(i64, i64)> = Vec::with_capacity(2);
    for (start, end) in pieces.into_iter().filter(|(start, end)| start < end) {
        match intervals.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => intervals.push((start, end)),
        }
    }
    Ok(intervals)
}

/// The wall time at an instant; None outside chrono's range.
pub fn local_at(zone: Tz, at_ms: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp_millis(at_ms).map(|utc| utc.with_timezone(&zone).naive_local())
}

/// The local date at an instant; None outside chrono's range.
pub fn local_date_at(zone: Tz, at_ms: i64) -> Option<NaiveDate> {
    local_at(zone, at_ms).map(|local| local.date())
}

fn local_minute(date: NaiveDate, minute: u16) -> Result<NaiveDateTime, LocalTimeError> {
    if minute > DAY_MINUTES {
        return Err(LocalTimeError::MinuteOutOfRange { minute });
    }
    let midnight = date.and_hms_opt(0, 0, 0).ok_or(LocalTimeError::OutOfRange)?;
    midnight.checked_add_signed(Duration::minutes(i64::from(minute))).ok_or(LocalTimeError::OutOfRange)
}

/// The earlier instant of a wall time, or for a skipped one the first instant after the gap.
fn lived(zone: Tz, local: NaiveDateTime) -> Result<i64, LocalTimeError> {
    // Gaps in the IANA data begin and end on whole minutes, so walking minute by minute finds
    // the first wall time after the gap, whose instant is the jump itself.
    for minutes in 0..=MAX_GAP_MINUTES {
        let probe = local.checked_add_signed(Duration::minutes(minutes)).ok_or(LocalTimeError::OutOfRange)?;
        if let Some(instant) = zone.from_local_datetime(&probe).earliest() {
            return Ok(instant.timestamp_millis());
        }
    }
    Err(LocalTimeError::Skipped { local, zone: zone.name() })
}

/// The later instant of a wall time, or for a skipped one the first instant after the gap.
fn lived_latest(zone: Tz, local: NaiveDateTime) -> Result<i64, LocalTimeError> {
    match zone.from_local_datetime(&local) {
        LocalResult::Ambiguous(_, later) => Ok(later.timestamp_millis()),
        LocalResult::Single(_) | LocalResult::None => lived(zone, local),
    }
}

/// The zone's offset from UTC at an instant, milliseconds (east positive).
fn offset_ms(zone: Tz, at_ms: i64) -> i64 {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .map_or(0, |utc| i64::from(zone.offset_from_utc_datetime(&utc.naive_utc()).fix().local_minus_utc()) * 1_000)
}

/// The first instant in `(low, high]` whose offset is `offset`, given that `high` has it and
/// `low` does not, and that the offset changes once in between (a bisection, bounded).
fn first_instant_with_offset(zone: Tz, mut low: i64, mut high: i64, offset: i64) -> i64 {
    for _ in 0..64 {
        if high - low <= 1 {
            break;
        }
        let middle = low + (high - low) / 2;
        if offset_ms(zone, middle) == offset {
            high = middle;
        } else {
            low = middle;
        }
    }
    high
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::{Bogota, Lima, Santiago};
    use proptest::prelude::*;

    const HOUR_MS: i64 = 3_600_000;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    /// Unix milliseconds of a UTC wall time, for the expected values.
    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        date(y, mo, d).and_time(time(h, mi)).and_utc().timestamp_millis()
    }

    #[test]
    fn santiago_skips_the_first_hour_of_6_september_2026() {
        for minute in [0, 30, 59] {
            let asked = to_utc_ms(Santiago, date(2026, 9, 6), time(0, minute));
            assert!(matches!(asked, Err(LocalTimeError::Skipped { zone: "America/Santiago", .. })), "00:{minute}");
        }
        // 23:59 on the 5th is still winter time (UTC-4); 01:00 on the 6th is summer time (UTC-3).
        assert_eq!(to_utc_ms(Santiago, date(2026, 9, 5), time(23, 59)), Ok(utc(2026, 9, 6, 3, 59)));
        assert_eq!(to_utc_ms(Santiago, date(2026, 9, 6), time(1, 0)), Ok(utc(2026, 9, 6, 4, 0)));
        // A range bound in the gap is the jump itself.
        assert_eq!(minute_to_utc_ms_lived(Santiago, date(2026, 9, 6), 30), Ok(utc(2026, 9, 6, 4, 0)));
        assert_eq!(minute_to_utc_ms(Santiago, date(2026, 9, 6), 60), Ok(utc(2026, 9, 6, 4, 0)));
        let refused: DomainError =
            LocalTimeError::Skipped { local: date(2026, 9, 6).and_time(time(0, 30)), zone: "America/Santiago" }.into();
        assert!(matches!(refused, DomainError::Invalid { ref field, .. } if field == "time"));
    }

    #[test]
    fn santiago_repeats_the_last_hour_of_4_april_2026_and_picks_the_earlier() {
        // At 00:00 on 5 April the clock goes back to 23:00 on the 4th: 23:30 happens at UTC-3
        // first, then at UTC-4.
        assert_eq!(to_utc_ms(Santiago, date(2026, 4, 4), time(23, 30)), Ok(utc(2026, 4, 5, 2, 30)));
        assert_eq!(to_utc_ms(Santiago, date(2026, 4, 4), time(22, 59)), Ok(utc(2026, 4, 5, 1, 59)));
        assert_eq!(to_utc_ms(Santiago, date(2026, 4, 5), time(0, 0)), Ok(utc(2026, 4, 5, 4, 0)));
    }

    #[test]
    fn chile_clock_change_days_are_23_and_25_hours_long() -> Result<(), LocalTimeError> {
        let (start, end) = day_range_utc_ms(Santiago, date(2026, 9, 6))?;
        assert_eq!((start, end), (utc(2026, 9, 6, 4, 0), utc(2026, 9, 7, 3, 0)));
        assert_eq!(end - start, 23 * HOUR_MS);
        let (start, end) = day_range_utc_ms(Santiago, date(2026, 4, 4))?;
        assert_eq!((start, end), (utc(2026, 4, 4, 3, 0), utc(2026, 4, 5, 4, 0)));
        assert_eq!(end - start, 25 * HOUR_MS);
        let (start, end) = day_range_utc_ms(Santiago, date(2026, 9, 5))?;
        assert_eq!(end - start, 24 * HOUR_MS);
        // The day before the gap ends where the short day begins: no instant lost or doubled.
        assert_eq!(end, day_range_utc_ms(Santiago, date(2026, 9, 6))?.0);
        Ok(())
    }

    #[test]
    fn lima_and_bogota_keep_utc_minus_5_all_year() -> Result<(), LocalTimeError> {
        for zone in [Lima, Bogota] {
            for (m, d) in [(1, 15), (4, 5), (9, 6), (12, 24)] {
                let (start, end) = day_range_utc_ms(zone, date(2026, m, d))?;
                assert_eq!(start, utc(2026, m, d, 5, 0));
                assert_eq!(end - start, 24 * HOUR_MS);
                assert_eq!(to_utc_ms(zone, date(2026, m, d), time(0, 30)), Ok(utc(2026, m, d, 5, 30)));
            }
        }
        assert_eq!(local_at(Lima, utc(2026, 12, 25, 4, 59)), Some(date(2026, 12, 24).and_time(time(23, 59))));
        assert_eq!(local_date_at(Bogota, utc(2026, 12, 25, 5, 0)), Some(date(2026, 12, 25)));
        Ok(())
    }

    #[test]
    fn wall_ranges_cover_exactly_the_instants_that_show_them() -> Result<(), LocalTimeError> {
        let wall = |d: u32, h: u32, m: u32| date(2026, 4, d).and_time(time(h, m));
        // 22:00–24:00 on 4 April: three hours, the repeated one included.
        assert_eq!(
            wall_range_to_utc_ms(Santiago, wall(4, 22, 0), wall(5, 0, 0))?,
            vec![(utc(2026, 4, 5, 1, 0), utc(2026, 4, 5, 4, 0))]
        );
        // 23:30–24:00: half an hour on each pass of the repeated hour, with 23:00–23:29 of the
        // second pass left out.
        assert_eq!(
            wall_range_to_utc_ms(Santiago, wall(4, 23, 30), wall(5, 0, 0))?,
            vec![(utc(2026, 4, 5, 2, 30), utc(2026, 4, 5, 3, 0)), (utc(2026, 4, 5, 3, 30), utc(2026, 4, 5, 4, 0)),]
        );
        // 22:00–23:30: both passes of 23:00–23:29, with the first pass's 23:30–23:59 (outside
        // the range) between them.
        assert_eq!(
            wall_range_to_utc_ms(Santiago, wall(4, 22, 0), wall(4, 23, 30))?,
            vec![(utc(2026, 4, 5, 1, 0), utc(2026, 4, 5, 2, 30)), (utc(2026, 4, 5, 3, 0), utc(2026, 4, 5, 3, 30)),]
        );
        // Ending where the repeated hour starts: the clock goes back exactly at the range's end.
        assert_eq!(
            wall_range_to_utc_ms(Santiago, wall(4, 22, 45), wall(4, 23, 0))?,
            vec![(utc(2026, 4, 5, 1, 45), utc(2026, 4, 5, 2, 0))]
        );
        // Wholly inside the skipped hour: nothing; across it: from the jump.
        let sept = |h: u32, m: u32| date(2026, 9, 6).and_time(time(h, m));
        assert_eq!(wall_range_to_utc_ms(Santiago, sept(0, 10), sept(0, 50))?, vec![]);
        assert_eq!(
            wall_range_to_utc_ms(Santiago, sept(0, 10), sept(2, 0))?,
            vec![(utc(2026, 9, 6, 4, 0), utc(2026, 9, 6, 5, 0))]
        );
        assert_eq!(
            wall_range_to_utc_ms(Lima, wall(4, 22, 0), wall(5, 1, 0))?,
            vec![(utc(2026, 4, 5, 3, 0), utc(2026, 4, 5, 6, 0))]
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Local days tile time: each instant lies in its own local date's range, and one
        /// day's range ends where the next one's starts.
        #[test]
        fn local_days_partition_time(zone in prop_oneof![Just(Santiago), Just(Lima), Just(Bogota)],
                                     seconds in 1_735_700_000i64..1_830_000_000) {
            let at = seconds * 1_000;
            let day = local_date_at(zone, at).unwrap_or_default();
            let (start, end) = day_range_utc_ms(zone, day).unwrap_or_default();
            prop_assert!(start <= at && at < end, "{} not in {}", at, day);
            prop_assert!((23 * HOUR_MS..=25 * HOUR_MS).contains(&(end - start)));
            let next = day.succ_opt().unwrap_or_default();
            prop_assert_eq!(day_range_utc_ms(zone, next).map(|(next_start, _)| next_start), Ok(end));
        }

        /// A wall time read off the clock converts back to the instant, or to the earlier pass
        /// of a repeated hour.
        #[test]
        fn a_shown_wall_time_converts_back(zone in prop_oneof![Just(Santiago), Just(Lima)],
                                           minutes in 28_928_000i64..30_500_000) {
            let at = minutes * 60_000;
            let local = local_at(zone, at).unwrap_or_default();
            let back = to_utc_ms(zone, local.date(), local.time());
            prop_assert!(back.is_ok());
            let back = back.unwrap_or_default();
            prop_assert!(back == at || (back < at && at - back <= HOUR_MS));
            prop_assert_eq!(local_at(zone, back), Some(local));
        }
    }

    #[test]
    fn names_and_minutes_are_checked() {
        assert_eq!(parse_zone("America/Santiago"), Ok(Santiago));
        assert_eq!(parse_zone("Mars/Olympus"), Err(LocalTimeError::UnknownZone { name: "Mars/Olympus".to_owned() }));
        assert_eq!(
            minute_to_utc_ms(Lima, date(2026, 1, 1), 1_441),
            Err(LocalTimeError::MinuteOutOfRange { minute: 1_441 })
        );
        assert_eq!(minute_to_utc_ms(Lima, date(2026, 1, 1), 1_440), Ok(utc(2026, 1, 2, 5, 0)));
    }
}
