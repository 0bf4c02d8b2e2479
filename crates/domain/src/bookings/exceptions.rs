//! When a resource (a stylist, a chair, a table) can be booked on one local date, as UTC intervals.
//!
//! Three layers decide it, and this module is the one place that stacks them:
//!
//! 1. the location's weekly opening hours ([`OpeningHours`], never past midnight), unless an
//!    exception day closes the location ([`Exception::Holiday`]) or gives it other hours
//!    ([`Exception::LocationHours`]);
//! 2. the resource's own weekly shifts ([`WorkingWeek`]), unless it has the day off
//!    ([`Exception::DayOff`]) or special hours that day ([`Exception::SpecialHours`]);
//! 3. the intersection of the two, converted to UTC in the location's zone.
//!
//! A shift **may cross midnight** (a bar's tables, 20:00–02:00): it belongs to the date it
//! starts on, and it is bookable past midnight only as far as the next date's opening hours
//! allow (a location "open until 02:00" closes its day at 24:00 and opens the next at 00:00).
//! Precedence on one date: a closure beats other hours, a day off beats special hours, and of
//! several overrides of one kind the last listed wins.
//!
//! Clock changes are lived, not assumed: the UTC intervals are exactly the instants at which
//! the wall clock shows a bookable time (see [`super::local_time::wall_range_to_utc_ms`]), so a
//! skipped hour is never bookable and a repeated one is bookable on both passes.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;

use super::local_time::{self, DAY_MINUTES, LocalTimeError};
use crate::DomainError;
use crate::hours::{MAX_RANGES_PER_DAY, OpeningHours, hhmm};

/// Latest end of an overnight shift: 24:00 of the next day, in minutes after the start date's
/// midnight.
const MAX_END_MINUTE: u16 = 2 * DAY_MINUTES;
/// Most local dates one [`Schedule::bookable_between`] looks at (a bound on one search: the
/// farthest booking window plus the day before).
pub const MAX_SEARCH_DAYS: usize = 400;

/// Shifts of one day: `[start, end)` minutes after local midnight, sorted, non-overlapping,
/// at most [`MAX_RANGES_PER_DAY`]; an end past 1440 runs into the next date.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shifts(Vec<(u16, u16)>);

impl Shifts {
    /// Validates ranges that stay within the day (a location's hours).
    pub fn same_day(field: &str, ranges: &[(u16, u16)]) -> Result<Self, DomainError> {
        Self::checked(field, ranges, DAY_MINUTES)
    }

    /// Validates ranges that may run past midnight, up to 24 hours long (a resource's shifts).
    pub fn overnight_allowed(field: &str, ranges: &[(u16, u16)]) -> Result<Self, DomainError> {
        Self::checked(field, ranges, MAX_END_MINUTE)
    }

    /// The ranges, in minutes.
    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.0
    }

    fn checked(field: &str, ranges: &[(u16, u16)], max_end: u16) -> Result<Self, DomainError> {
        if ranges.len() > MAX_RANGES_PER_DAY {
            return Err(DomainError::invalid(field, format!("at most {MAX_RANGES_PER_DAY} ranges a day")));
        }
        let mut sorted = ranges.to_vec();
        sorted.sort_unstable();
        for (start, end) in &sorted {
            if *start >= DAY_MINUTES || start >= end || *end > max_end || end - start > DAY_MINUTES {
                let message = if max_end > DAY_MINUTES {
                    "each range starts before 24:00 and ends after it starts, at most 24 hours later"
                } else {
                    "each range must end after it starts, on the same day"
                };
                return Err(DomainError::invalid(field, message));
            }
        }
        if sorted.windows(2).any(|pair| pair[0].1 > pair[1].0) {
            return Err(DomainError::invalid(field, "ranges overlap"));
        }
        Ok(Self(sorted))
    }
}

/// A resource's weekly shifts by ISO weekday (1 = Monday … 7 = Sunday); an unlisted day is off.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkingWeek {
    days: BTreeMap<u8, Shifts>,
}

impl WorkingWeek {
    /// Validates weekday → minute ranges; a shift running past midnight must end before the
    /// next weekday's first shift starts.
    pub fn from_minutes(days: &BTreeMap<u8, Vec<(u16, u16)>>) -> Result<Self, DomainError> {
        let mut week = BTreeMap::new();
        for (weekday, ranges) in days {
            let field = format!("working_hours.{weekday}");
            if !(1..=7).contains(weekday) {
                return Err(DomainError::invalid(field, "weekdays are \"1\" (Monday) to \"7\" (Sunday)"));
            }
            week.insert(*weekday, Shifts::overnight_allowed(&field, ranges)?);
        }
        let week = Self { days: week };
        for weekday in 1..=7u8 {
            let spill = week.shifts(weekday).last().map_or(0, |(_, end)| end.saturating_sub(DAY_MINUTES));
            let next_start = week.shifts(weekday % 7 + 1).first().map_or(DAY_MINUTES, |(start, _)| *start);
            if spill > next_start {
                return Err(DomainError::invalid(
                    format!("working_hours.{weekday}"),
                    "a shift past midnight overlaps the next day's first shift",
                ));
            }
        }
        Ok(week)
    }

    /// Parses `{"5": [["20:00", "02:00"]]}`: weekday → `HH:MM` ranges, where an end at or
    /// before the start means the next day (and `"24:00"` is midnight).
    pub fn parse(json: &str) -> Result<Self, DomainError> {
        let unreadable = || {
            DomainError::invalid(
                "working_hours",
                r#"must map weekdays "1" (Monday) to "7" (Sunday) to lists of ["HH:MM", "HH:MM"] ranges"#,
            )
        };
        let raw: BTreeMap<String, Vec<(String, String)>> = serde_json::from_str(json).map_err(|_| unreadable())?;
        let mut days = BTreeMap::new();
        for (day, ranges) in raw {
            let weekday: u8 = day.parse().map_err(|_| unreadable())?;
            let field = format!("working_hours.{day}");
            let mut minutes = Vec::with_capacity(ranges.len());
            for (start, end) in &ranges {
                let (start, end) = (minute_of(&field, start)?, minute_of(&field, end)?);
                minutes.push((start, if end <= start { end + DAY_MINUTES } else { end }));
            }
            days.insert(weekday, minutes);
        }
        Self::from_minutes(&days)
    }

    /// The JSON form [`WorkingWeek::parse`] reads.
    pub fn to_json(&self) -> String {
        let text: BTreeMap<String, Vec<(String, String)>> = self
            .days
            .iter()
            .map(|(day, shifts)| {
                let ranges = shifts
                    .ranges()
                    .iter()
                    .map(|(s, e)| (hhmm(*s), hhmm(if *e > DAY_MINUTES { e - DAY_MINUTES } else { *e })));
                (day.to_string(), ranges.collect())
            })
            .collect();
        serde_json::to_string(&text).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Every day from 00:00 to 24:00: a resource bookable whenever the location is open (a
    /// table, a room), so only opening hours and exception days limit it.
    pub fn whenever_open() -> Self {
        let days = (1..=7).map(|weekday| (weekday, Shifts(vec![(0, DAY_MINUTES)]))).collect();
        Self { days }
    }

    /// A weekday's shifts (empty on a day off).
    pub fn shifts(&self, weekday: u8) -> &[(u16, u16)] {
        self.days.get(&weekday).map_or(&[], Shifts::ranges)
    }
}

/// What is different about one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exception {
    /// The location is closed (a public holiday, an inventory day): nothing is bookable.
    Holiday,
    /// The location opens these hours instead of its weekly ones.
    LocationHours(Shifts),
    /// The resource does not work (a day off, a vacation day).
    DayOff,
    /// The resource works these shifts instead of its weekly ones (still within opening hours).
    SpecialHours(Shifts),
}

/// An exception on a local date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionDay {
    /// The local date it applies to.
    pub date: NaiveDate,
    /// What changes.
    pub exception: Exception,
}

/// The kinds of exception days, as the API and the store name them.
pub const EXCEPTION_KINDS: [&str; 4] = ["holiday", "location_hours", "day_off", "special_hours"];

impl Exception {
    /// Builds an exception from its kind and, for `location_hours` and `special_hours`, its
    /// `[["HH:MM", "HH:MM"], …]` ranges (a special shift may end past midnight: an end at or
    /// before its start is the next day). Errors name `kind` or `hours`.
    pub fn parse(kind: &str, hours: Option<&[(String, String)]>) -> Result<Self, DomainError> {
        let ranges = |overnight: bool| -> Result<Shifts, DomainError> {
            let hours = hours.ok_or_else(|| DomainError::invalid("hours", format!("{kind} needs hours")))?;
            let mut minutes = Vec::with_capacity(hours.len());
            for (start, end) in hours {
                let (start, end) = (minute_of("hours", start)?, minute_of("hours", end)?);
                minutes.push((start, if overnight && end <= start { end + DAY_MINUTES } else { end }));
            }
            if minutes.is_empty() {
                return Err(DomainError::invalid("hours", "give at least one range (or use holiday / day_off)"));
            }
            if overnight { Shifts::overnight_allowed("hours", &minutes) } else { Shifts::same_day("hours", &minutes) }
        };
        let no_hours = |exception: Exception| match hours {
            Some(_) => Err(DomainError::invalid("hours", format!("{kind} takes no hours"))),
            None => Ok(exception),
        };
        match kind {
            "holiday" => no_hours(Exception::Holiday),
            "day_off" => no_hours(Exception::DayOff),
            "location_hours" => Ok(Exception::LocationHours(ranges(false)?)),
            "special_hours" => Ok(Exception::SpecialHours(ranges(true)?)),
            _ => Err(DomainError::invalid("kind", format!("must be one of {}", EXCEPTION_KINDS.join(", ")))),
        }
    }

    /// Whether it concerns one resource (a day off, special hours) rather than the location.
    pub fn is_resources(&self) -> bool {
        match self {
            Exception::DayOff | Exception::SpecialHours(_) => true,
            Exception::Holiday | Exception::LocationHours(_) => false,
        }
    }
}

/// Everything that decides a resource's bookable time, borrowed from the caller's rows.
#[derive(Debug, Clone, Copy)]
pub struct Schedule<'a> {
    /// The location's IANA zone.
    pub zone: Tz,
    /// The location's weekly opening hours.
    pub opening: &'a OpeningHours,
    /// The resource's weekly shifts.
    pub week: &'a WorkingWeek,
    /// Exception days of the location and of the resource, in any order.
    pub exceptions: &'a [ExceptionDay],
}

impl Schedule<'_> {
    /// The bookable ranges of the shifts that start on `date`, in minutes after its local
    /// midnight (past 1440 for the part after midnight), merged where they touch.
    pub fn working_minutes(&self, date: NaiveDate) -> Vec<(u16, u16)> {
        let next = date.succ_opt();
        let mut open: Vec<(u16, u16)> = self.opening_on(Some(date));
        open.extend(self.opening_on(next).iter().map(|(s, e)| (s + DAY_MINUTES, e + DAY_MINUTES)));
        let shifts = self.shifts_on(date);
        let mut bookable = Vec::new();
        for (shift_start, shift_end) in shifts {
            for (open_start, open_end) in &open {
                let (start, end) = (shift_start.max(*open_start), shift_end.min(*open_end));
                if start < end {
                    bookable.push((start, end));
                }
            }
        }
        merge(bookable)
    }

    /// [`Schedule::working_minutes`] as UTC `[start, end)` milliseconds, sorted and disjoint:
    /// exactly the instants at which the wall clock shows a bookable time (a range inside a
    /// skipped hour vanishes; one the clock goes back into may become two).
    pub fn working_intervals_utc(&self, date: NaiveDate) -> Result<Vec<(i64, i64)>, LocalTimeError> {
        let midnight = date.and_hms_opt(0, 0, 0).ok_or(LocalTimeError::OutOfRange)?;
        let wall = |minute: u16| {
            midnight.checked_add_signed(Duration::minutes(i64::from(minute))).ok_or(LocalTimeError::OutOfRange)
        };
        let mut intervals = Vec::new();
        for (start, end) in self.working_minutes(date) {
            intervals.extend(local_time::wall_range_to_utc_ms(self.zone, wall(start)?, wall(end)?)?);
        }
        Ok(merge(intervals))
    }

    /// The bookable UTC intervals that fall inside the local day `date`: its own shifts and
    /// the previous date's shifts that ran past midnight, clipped to the day — what a day view
    /// needs.
    pub fn bookable_within_day(&self, date: NaiveDate) -> Result<Vec<(i64, i64)>, LocalTimeError> {
        let (day_start, day_end) = local_time::day_range_utc_ms(self.zone, date)?;
        self.bookable_between(day_start, day_end)
    }

    /// The bookable UTC intervals inside `[from_ms, to_ms)`, merged across midnights (a table
    /// open 18:00–24:00 and 00:00–02:00 is one evening) — what a slot search needs, since a
    /// booking may run past midnight. At most [`MAX_SEARCH_DAYS`] local dates are looked at.
    pub fn bookable_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<(i64, i64)>, LocalTimeError> {
        if from_ms >= to_ms {
            return Ok(Vec::new());
        }
        let first = local_time::local_date_at(self.zone, from_ms).ok_or(LocalTimeError::OutOfRange)?;
        let last = local_time::local_date_at(self.zone, to_ms).ok_or(LocalTimeError::OutOfRange)?;
        // The date before too: its shifts may run past midnight into the window.
        let mut date = first.pred_opt().ok_or(LocalTimeError::OutOfRange)?;
        let mut intervals = Vec::new();
        for _ in 0..MAX_SEARCH_DAYS {
            if date > last {
                break;
            }
            intervals.extend(self.working_intervals_utc(date)?);
            date = date.succ_opt().ok_or(LocalTimeError::OutOfRange)?;
        }
        let clipped = intervals
            .into_iter()
            .map(|(start, end)| (start.max(from_ms), end.min(to_ms)))
            .filter(|(start, end)| start < end)
            .collect();
        Ok(merge(clipped))
    }

    fn exceptions_on(&self, date: NaiveDate) -> impl Iterator<Item = &Exception> {
        self.exceptions.iter().filter(move |day| day.date == date).map(|day| &day.exception)
    }

    fn opening_on(&self, date: Option<NaiveDate>) -> Vec<(u16, u16)> {
        let Some(date) = date else { return Vec::new() };
        if self.exceptions_on(date).any(|exception| matches!(exception, Exception::Holiday)) {
            return Vec::new();
        }
        let special = self.exceptions_on(date).filter_map(|exception| match exception {
            Exception::LocationHours(shifts) => Some(shifts.ranges().to_vec()),
            _ => None,
        });
        special.last().unwrap_or_else(|| self.opening.ranges(iso_weekday(date)).to_vec())
    }

    fn shifts_on(&self, date: NaiveDate) -> Vec<(u16, u16)> {
        if self.exceptions_on(date).any(|exception| matches!(exception, Exception::DayOff)) {
            return Vec::new();
        }
        let special = self.exceptions_on(date).filter_map(|exception| match exception {
            Exception::SpecialHours(shifts) => Some(shifts.ranges().to_vec()),
            _ => None,
        });
        special.last().unwrap_or_else(|| self.week.shifts(iso_weekday(date)).to_vec())
    }
}

fn iso_weekday(date: NaiveDate) -> u8 {
    u8::try_from(date.weekday().number_from_monday()).unwrap_or(1)
}

/// Sorted, with touching or overlapping ranges joined (24:00 of one day meets 00:00 of the next).
fn merge<T: Ord + Copy>(mut ranges: Vec<(T, T)>) -> Vec<(T, T)> {
    ranges.sort_unstable();
    let mut merged: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

fn minute_of(field: &str, raw: &str) -> Result<u16, DomainError> {
    let invalid = || DomainError::invalid(field, format!("{raw:?} is not a time of day HH:MM (00:00 to 24:00)"));
    let (hours, minutes) = raw.split_once(':').ok_or_else(invalid)?;
    if hours.len() != 2 || minutes.len() != 2 || !raw.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return Err(invalid());
    }
    let (hours, minutes): (u16, u16) = (hours.parse().map_err(|_| invalid())?, minutes.parse().map_err(|_| invalid())?);
    if minutes >= 60 || hours > 24 || (hours == 24 && minutes > 0) {
        return Err(invalid());
    }
    Ok(hours * 60 + minutes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;
    use chrono_tz::America::{Lima, Santiago};
    use proptest::prelude::*;

    const HOUR_MS: i64 = 3_600_000;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        date(y, mo, d).and_time(NaiveTime::from_hms_opt(h, mi, 0).unwrap_or_default()).and_utc().timestamp_millis()
    }

    fn every_day(ranges: &str) -> String {
        let days: Vec<String> = (1..=7).map(|d| format!(r#""{d}": {ranges}"#)).collect();
        format!("{{{}}}", days.join(","))
    }

    /// A mall in Lima open 10:00–22:00 daily; a stylist working Monday to Saturday 10:00–14:00
    /// and 15:00–19:00.
    fn lima() -> Result<(OpeningHours, WorkingWeek), DomainError> {
        let opening = OpeningHours::parse(&every_day(r#"[["10:00", "22:00"]]"#))?;
        let shift = r#"[["10:00", "14:00"], ["15:00", "19:00"]]"#;
        let week = WorkingWeek::parse(&format!(
            r#"{{"1": {shift}, "2": {shift}, "3": {shift}, "4": {shift}, "5": {shift}, "6": {shift}}}"#
        ))?;
        Ok((opening, week))
    }

    #[test]
    fn weekly_shifts_inside_opening_hours() -> Result<(), Box<dyn std::error::Error>> {
        let (opening, week) = lima()?;
        let schedule = Schedule { zone: Lima, opening: &opening, week: &week, exceptions: &[] };
        // Monday 7 December 2026; Lima is UTC-5.
        assert_eq!(
            schedule.working_intervals_utc(date(2026, 12, 7))?,
            vec![(utc(2026, 12, 7, 15, 0), utc(2026, 12, 7, 19, 0)), (utc(2026, 12, 7, 20, 0), utc(2026, 12, 8, 0, 0)),]
        );
        assert!(schedule.working_intervals_utc(date(2026, 12, 13))?.is_empty(), "Sunday is off");
        Ok(())
    }

    #[test]
    fn exception_days_close_shorten_or_replace() -> Result<(), Box<dyn std::error::Error>> {
        let (opening, week) = lima()?;
        let exceptions = [
            // Tuesday 8 December: Inmaculada Concepción, the mall is closed.
            ExceptionDay { date: date(2026, 12, 8), exception: Exception::Holiday },
            ExceptionDay {
                date: date(2026, 12, 8),
                exception: Exception::SpecialHours(Shifts::overnight_allowed("x", &[(600, 1200)])?),
            },
            // Wednesday 9: the stylist's day off.
            ExceptionDay { date: date(2026, 12, 9), exception: Exception::DayOff },
            // Thursday 24: the mall closes at 18:00; the stylist works 12:00–20:00 that day.
            ExceptionDay {
                date: date(2026, 12, 24),
                exception: Exception::LocationHours(Shifts::same_day("x", &[(600, 1080)])?),
            },
            ExceptionDay {
                date: date(2026, 12, 24),
                exception: Exception::SpecialHours(Shifts::overnight_allowed("x", &[(720, 1200)])?),
            },
        ];
        let schedule = Schedule { zone: Lima, opening: &opening, week: &week, exceptions: &exceptions };
        assert!(schedule.working_intervals_utc(date(2026, 12, 8))?.is_empty(), "a holiday beats special hours");
        assert!(schedule.working_intervals_utc(date(2026, 12, 9))?.is_empty());
        assert_eq!(schedule.working_minutes(date(2026, 12, 24)), vec![(720, 1080)]);
        assert_eq!(
            schedule.working_intervals_utc(date(2026, 12, 24))?,
            vec![(utc(2026, 12, 24, 17, 0), utc(2026, 12, 24, 23, 0))]
        );
        assert_eq!(schedule.working_minutes(date(2026, 12, 10)), vec![(600, 840), (900, 1140)], "the usual Thursday");
        Ok(())
    }

    /// A bar on the food court's terrace: open until 02:00 on Friday and Saturday nights
    /// (closing its day at 24:00 and opening the next at 00:00), a table bookable 20:00–02:00.
    fn bar() -> Result<(OpeningHours, WorkingWeek), DomainError> {
        let opening = OpeningHours::parse(
            r#"{"5": [["18:00", "24:00"]], "6": [["00:00", "02:00"], ["18:00", "24:00"]], "7": [["00:00", "02:00"]]}"#,
        )?;
        let week = WorkingWeek::parse(r#"{"5": [["20:00", "02:00"]], "6": [["20:00", "02:00"]]}"#)?;
        Ok((opening, week))
    }

    #[test]
    fn a_shift_crosses_midnight_when_the_next_day_opens_at_00() -> Result<(), Box<dyn std::error::Error>> {
        let (opening, week) = bar()?;
        let schedule = Schedule { zone: Lima, opening: &opening, week: &week, exceptions: &[] };
        // Friday 11 December 2026, 20:00 to Saturday 02:00, one interval.
        assert_eq!(schedule.working_minutes(date(2026, 12, 11)), vec![(1200, 1560)]);
        assert_eq!(
            schedule.working_intervals_utc(date(2026, 12, 11))?,
            vec![(utc(2026, 12, 12, 1, 0), utc(2026, 12, 12, 7, 0))]
        );
        // If Saturday is closed, Friday's shift stops at midnight.
        let closed = [ExceptionDay { date: date(2026, 12, 12), exception: Exception::Holiday }];
        let schedule = Schedule { exceptions: &closed, ..schedule };
        assert_eq!(schedule.working_minutes(date(2026, 12, 11)), vec![(1200, 1440)]);
        // The day view of Saturday shows Friday's spill, then Saturday's own evening.
        let schedule = Schedule { exceptions: &[], ..schedule };
        assert_eq!(
            schedule.bookable_within_day(date(2026, 12, 12))?,
            vec![
                (utc(2026, 12, 12, 5, 0), utc(2026, 12, 12, 7, 0)),
                (utc(2026, 12, 13, 1, 0), utc(2026, 12, 13, 5, 0)),
            ]
        );
        Ok(())
    }

    #[test]
    fn a_table_is_bookable_whenever_the_location_is_open_across_midnight() -> Result<(), Box<dyn std::error::Error>> {
        let (opening, _) = bar()?;
        let week = WorkingWeek::whenever_open();
        let schedule = Schedule { zone: Lima, opening: &opening, week: &week, exceptions: &[] };
        // Friday 11 December 2026 18:00 to Sunday 13 December 02:00, Lima time.
        let window = (utc(2026, 12, 11, 5, 0), utc(2026, 12, 14, 5, 0));
        assert_eq!(
            schedule.bookable_between(window.0, window.1)?,
            vec![
                (utc(2026, 12, 11, 23, 0), utc(2026, 12, 12, 7, 0)),
                (utc(2026, 12, 12, 23, 0), utc(2026, 12, 13, 7, 0)),
            ]
        );
        assert_eq!(
            schedule.bookable_between(utc(2026, 12, 12, 2, 0), utc(2026, 12, 12, 3, 0))?,
            vec![(utc(2026, 12, 12, 2, 0), utc(2026, 12, 12, 3, 0))]
        );
        assert!(schedule.bookable_between(window.1, window.0)?.is_empty());
        Ok(())
    }

    #[test]
    fn chile_clock_change_nights_are_lived() -> Result<(), Box<dyn std::error::Error>> {
        let (opening, week) = bar()?;
        let schedule = Schedule { zone: Santiago, opening: &opening, week: &week, exceptions: &[] };
        // Saturday 5 September 2026, 20:00 (UTC-4) to Sunday 02:00 (UTC-3): the clock skips
        // 00:00–00:59, so the six-hour shift lasts five.
        let night = schedule.working_intervals_utc(date(2026, 9, 5))?;
        assert_eq!(night, vec![(utc(2026, 9, 6, 0, 0), utc(2026, 9, 6, 5, 0))]);
        // Saturday 4 April 2026: the clock repeats 23:00–23:59, so the shift lasts seven hours.
        let night = schedule.working_intervals_utc(date(2026, 4, 4))?;
        assert_eq!(night, vec![(utc(2026, 4, 4, 23, 0), utc(2026, 4, 5, 6, 0))]);
        assert_eq!(night[0].1 - night[0].0, 7 * HOUR_MS);
        // A Sunday shift inside the skipped hour vanishes; one across it starts at the jump.
        let opening = OpeningHours::parse(&every_day(r#"[["00:00", "24:00"]]"#))?;
        let week = WorkingWeek::parse(r#"{"7": [["00:00", "00:30"], ["00:45", "03:00"]]}"#)?;
        let schedule = Schedule { zone: Santiago, opening: &opening, week: &week, exceptions: &[] };
        assert_eq!(
            schedule.working_intervals_utc(date(2026, 9, 6))?,
            vec![(utc(2026, 9, 6, 4, 0), utc(2026, 9, 6, 6, 0))]
        );
        Ok(())
    }

    #[test]
    fn working_weeks_are_checked_and_round_trip() -> Result<(), DomainError> {
        let week = WorkingWeek::parse(
            r#"{"1": [["15:00", "19:00"], ["10:00", "14:00"]], "5": [["22:00", "06:00"]], "7": [["09:00", "24:00"]]}"#,
        )?;
        assert_eq!(week.shifts(1), [(600, 840), (900, 1140)]);
        assert_eq!(week.shifts(5), [(1320, 1800)]);
        assert_eq!(WorkingWeek::parse(&week.to_json())?, week);
        for bad in [
            r#"{"8": []}"#,
            r#"{"x": []}"#,
            r#"{"1": [["10:00", "14:00"], ["13:00", "15:00"]]}"#,
            r#"{"1": [["9:00", "14:00"]]}"#,
            r#"{"1": [["24:00", "02:00"]]}"#,
            r#"{"1": [["10:00", "24:30"]]}"#,
            r#"{"1": [["+1:00", "02:00"]]}"#,
            r#"{"1": [["22:00", "03:00"]], "2": [["02:00", "05:00"]]}"#,
            r#"{"7": [["22:00", "03:00"]], "1": [["02:00", "05:00"]]}"#,
            r#"{"1": [["01:00", "02:00"], ["03:00", "04:00"], ["05:00", "06:00"], ["07:00", "08:00"], ["09:00", "10:00"]]}"#,
            r#"["1"]"#,
        ] {
            assert!(WorkingWeek::parse(bad).is_err(), "{bad}");
        }
        assert!(Shifts::same_day("x", &[(1200, 1500)]).is_err());
        assert!(Shifts::overnight_allowed("x", &[(1200, 1500)]).is_ok());
        assert!(Shifts::overnight_allowed("x", &[(100, 1600)]).is_err(), "longer than a day");
        Ok(())
    }

    /// Up to two ranges a day on a quarter-hour grid, for the properties.
    fn day_ranges(max_end: u16) -> impl Strategy<Value = Vec<(u16, u16)>> {
        prop::collection::vec((0u16..96, 1u16..40), 0..3).prop_map(move |raw| {
            let mut ranges: Vec<(u16, u16)> = Vec::new();
            for (start, length) in raw {
                let (start, end) = (start * 15, (start + length) * 15);
                if end <= max_end && ranges.iter().all(|(s, e)| end <= *s || start >= *e) {
                    ranges.push((start, end));
                }
            }
            ranges
        })
    }

    fn schedules() -> impl Strategy<Value = (OpeningHours, WorkingWeek)> {
        (prop::collection::vec(day_ranges(DAY_MINUTES), 7), prop::collection::vec(day_ranges(MAX_END_MINUTE), 7))
            .prop_filter_map("weeks whose overnight shifts collide with the next day's are refused", |(open, work)| {
                let text =
                    |ranges: &Vec<(u16, u16)>| ranges.iter().map(|(s, e)| (hhmm(*s), hhmm(*e))).collect::<Vec<_>>();
                let opening = (1..=7u8).zip(&open).map(|(day, ranges)| (day.to_string(), text(ranges))).collect();
                let work = (1..=7u8).zip(work).collect();
                Some((OpeningHours::from_ranges(opening).ok()?, WorkingWeek::from_minutes(&work).ok()?))
            })
    }

    /// Dates of 2026 around Chile's clock changes, and a few ordinary ones.
    fn dates() -> impl Strategy<Value = NaiveDate> {
        prop_oneof![
            Just(date(2026, 4, 4)),
            Just(date(2026, 4, 5)),
            Just(date(2026, 9, 5)),
            Just(date(2026, 9, 6)),
            (1u32..=365).prop_map(|day| NaiveDate::from_yo_opt(2026, day).unwrap_or_default())
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1_000))]

        /// An instant is in the UTC intervals exactly when the wall clock then shows a minute
        /// (counted from the date's midnight) inside the date's bookable ranges.
        #[test]
        fn utc_intervals_are_exactly_the_bookable_wall_times((opening, week) in schedules(), date in dates(),
                                                             zone in prop_oneof![Just(Santiago), Just(Lima)],
                                                             probes in prop::collection::vec(0i64..(3 * 1_440), 40)) {
            let schedule = Schedule { zone, opening: &opening, week: &week, exceptions: &[] };
            let minutes = schedule.working_minutes(date);
            let intervals = schedule.working_intervals_utc(date).unwrap_or_default();
            for pair in intervals.windows(2) {
                prop_assert!(pair[0].1 < pair[1].0, "sorted and disjoint");
            }
            prop_assert!(intervals.iter().all(|(start, end)| start < end));
            let (day_start, _) = local_time::day_range_utc_ms(zone, date).unwrap_or_default();
            for probe in probes {
                // Minutes from two hours before the day starts, over three days, plus a second.
                let at = day_start - 2 * HOUR_MS + probe * 60_000 + 1_000;
                let local = local_time::local_at(zone, at).unwrap_or_default();
                let wall_minute = (local - date.and_hms_opt(0, 0, 0).unwrap_or_default()).num_minutes();
                let shown = minutes.iter().any(|(s, e)| i64::from(*s) <= wall_minute && wall_minute < i64::from(*e));
                let covered = intervals.iter().any(|(s, e)| *s <= at && at < *e);
                prop_assert_eq!(shown, covered, "at {} the clock shows {}", at, local);
                if covered {
                    let weekday = u8::try_from(local.date().weekday().number_from_monday()).unwrap_or(1);
                    let minute = u16::try_from(wall_minute.rem_euclid(1_440)).unwrap_or(0);
                    let open = opening.is_open_at(crate::pricing::LocalTime { weekday, minute });
                    prop_assert!(open, "bookable while closed at {}", local);
                }
            }
        }
    }
}
