//! A store's business calendar, and minutes counted on it.
//!
//! SLA targets are business minutes on **the store's own calendar**: its weekly opening hours,
//! in its site's IANA time zone (Chile changes its clocks, at local midnight), closed on its
//! country's public holidays, and with special days (Black Friday, Nochebuena) that may set
//! their own hours. A day's hours are decided in this order:
//!
//! 1. a special day with an hours override: those hours (an empty list closes the day);
//! 2. a public holiday of the country: closed;
//! 3. the weekly hours of that weekday.
//!
//! A store without weekly hours is open around the clock, holidays included: nothing says
//! when it closes, and a desk that stopped the clock on a guess would let tickets wait.
//!
//! Arithmetic is done in UTC milliseconds over each local day's open intervals, so a clock
//! change shortens or lengthens the day it happens on, as the store lives it. A local time
//! skipped by a clock change is read with the offset before the change.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::holidays::holiday_on;
use crate::DomainError;
use crate::catalog::Country;
use crate::hours::{MAX_RANGES_PER_DAY, OpeningHours};

/// Milliseconds in a minute.
pub const MINUTE_MS: i64 = 60_000;
/// Minutes in a day; a range may end at 24:00.
const DAY_MINUTES: u16 = 1_440;
/// How many days in a row a search may find closed before it says the calendar never opens
/// (a year and a bit: every holiday and special day is then behind it).
const MAX_CLOSED_DAYS: i64 = 400;

/// A day's open ranges: `[start, end)` minutes after local midnight, sorted, non-overlapping.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DayHours(Vec<(u16, u16)>);

impl DayHours {
    /// Open the whole day.
    pub fn all_day() -> Self {
        Self(vec![(0, DAY_MINUTES)])
    }

    /// Closed all day.
    pub fn closed() -> Self {
        Self(Vec::new())
    }

    /// Parses `[["10:00", "14:00"], ["16:00", "20:00"]]` (the same ranges as one weekday of
    /// [`OpeningHours`]); `[]` closes the day.
    pub fn parse(field: &str, json: &str) -> Result<Self, DomainError> {
        let ranges: Vec<(String, String)> = serde_json::from_str(json)
            .map_err(|_| DomainError::invalid(field, r#"must be a list of ["HH:MM", "HH:MM"] ranges"#))?;
        if ranges.len() > MAX_RANGES_PER_DAY {
            return Err(DomainError::invalid(field, format!("at most {MAX_RANGES_PER_DAY} ranges a day")));
        }
        // One weekday of the week's parser checks every range the same way.
        let week = OpeningHours::from_ranges(BTreeMap::from([("1".to_owned(), ranges)]))
            .map_err(|error| DomainError::invalid(field, error.to_string()))?;
        Ok(Self(week.ranges(1).to_vec()))
    }

    /// The JSON form [`DayHours::parse`] reads.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.as_text()).unwrap_or_else(|_| "[]".to_owned())
    }

    /// The ranges as `HH:MM` pairs.
    pub fn as_text(&self) -> Vec<(String, String)> {
        self.0.iter().map(|(start, end)| (crate::hours::hhmm(*start), crate::hours::hhmm(*end))).collect()
    }

    /// The ranges in minutes after local midnight.
    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.0
    }

    /// Minutes open (on a day without a clock change).
    pub fn open_minutes(&self) -> i64 {
        self.0.iter().map(|(start, end)| i64::from(end - start)).sum()
    }
}

/// A day the platform, a merchant or a site marks: other hours, tighter SLA targets, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialDay {
    /// The local date.
    pub date: NaiveDate,
    /// What it is ("Black Friday", "Nochebuena").
    pub name: String,
    /// The day's hours instead of the usual ones (and open even on a holiday); None: usual.
    pub hours: Option<DayHours>,
    /// Whether the tighter special-day SLA targets apply to tickets opened that day.
    pub tighter_targets: bool,
}

/// Why a day has the hours it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayReason {
    /// The store's weekly hours for that weekday.
    Weekly,
    /// No weekly hours: open around the clock.
    AlwaysOpen,
    /// A public holiday: closed.
    Holiday,
    /// A special day's hours override.
    SpecialDay,
}

/// One local day of a calendar, as shown to agents and used by the arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    /// The local date.
    pub date: NaiveDate,
    /// Its open ranges.
    pub hours: DayHours,
    /// Why those hours.
    pub reason: DayReason,
    /// The public holiday's name, if the day is one (even when a special day opens it).
    pub holiday: Option<&'static str>,
    /// The special day's name, if any.
    pub special_day: Option<String>,
    /// Whether tighter SLA targets apply to tickets opened that day.
    pub tighter_targets: bool,
}

/// A store's calendar: weekly hours, time zone, country's holidays and special days.
#[derive(Debug, Clone)]
pub struct StoreCalendar {
    weekly: Option<OpeningHours>,
    zone: Tz,
    country: Country,
    special_days: BTreeMap<NaiveDate, SpecialDay>,
}

impl StoreCalendar {
    /// A calendar from its parts; `weekly` None means open around the clock. When two special
    /// days share a date, the later one in `special_days` wins (callers pass the most specific
    /// last).
    pub fn new(
        weekly: Option<OpeningHours>,
        zone: Tz,
        country: Country,
        special_days: impl IntoIterator<Item = SpecialDay>,
    ) -> Self {
        let special_days = special_days.into_iter().map(|day| (day.date, day)).collect();
        Self { weekly, zone, country, special_days }
    }

    /// Parses an IANA zone name (`America/Santiago`).
    pub fn zone(name: &str) -> Result<Tz, DomainError> {
        name.parse().map_err(|_| DomainError::invalid("timezone", format!("{name:?} is not an IANA time zone")))
    }

    /// The local date at an instant.
    pub fn local_date(&self, at_ms: i64) -> NaiveDate {
        let utc = chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
        utc.with_timezone(&self.zone).date_naive()
    }

    /// A local day's hours and the reason for them.
    pub fn day(&self, date: NaiveDate) -> CalendarDay {
        let holiday = holiday_on(self.country, date);
        let special = self.special_days.get(&date);
        let (hours, reason) = match (special.and_then(|day| day.hours.clone()), &self.weekly) {
            (Some(hours), _) => (hours, DayReason::SpecialDay),
            (None, None) => (DayHours::all_day(), DayReason::AlwaysOpen),
            (None, Some(_)) if holiday.is_some() => (DayHours::closed(), DayReason::Holiday),
            (None, Some(week)) => {
                let weekday = u8::try_from(date.weekday().number_from_monday()).unwrap_or(1);
                (DayHours(week.ranges(weekday).to_vec()), DayReason::Weekly)
            }
        };
        CalendarDay {
            date,
            hours,
            reason,
            holiday,
            special_day: special.map(|day| day.name.clone()),
            tighter_targets: special.is_some_and(|day| day.tighter_targets),
        }
    }

    /// The instant of a local date and minute (1440 = the next midnight).
    fn instant(&self, date: NaiveDate, minute: u16) -> Option<i64> {
        let local: NaiveDateTime = date.and_hms_opt(0, 0, 0)? + Duration::minutes(i64::from(minute));
        let resolved = self.zone.from_local_datetime(&local).earliest().or_else(|| {
            // Skipped by a clock change: read with the offset before it, which is the same
            // instant as one hour later on the new offset.
            self.zone.from_local_datetime(&(local + Duration::hours(1))).earliest()
        })?;
        Some(resolved.timestamp_millis())
    }

    /// A local day's open intervals as UTC milliseconds `[start, end)`.
    fn intervals(&self, date: NaiveDate) -> Vec<(i64, i64)> {
        self.day(date)
            .hours
            .ranges()
            .iter()
            .filter_map(|(start, end)| Some((self.instant(date, *start)?, self.instant(date, *end)?)))
            .filter(|(start, end)| end > start)
            .collect()
    }

    /// The instant `business_ms` of open time after `start_ms`; None when the calendar never
    /// opens again. Zero or less answers `start_ms`.
    pub fn add_business_ms(&self, start_ms: i64, business_ms: i64) -> Option<i64> {
        if business_ms <= 0 {
            return Some(start_ms);
        }
        let mut remaining = business_ms;
        // The day before too: a clock change can put part of a local day before its date.
        let mut date = self.local_date(start_ms).pred_opt()?;
        let mut closed_days = 0;
        while closed_days <= MAX_CLOSED_DAYS {
            let mut opened = false;
            for (open, close) in self.intervals(date) {
                if close <= start_ms {
                    continue;
                }
                opened = true;
                let from = open.max(start_ms);
                if close - from >= remaining {
                    return Some(from + remaining);
                }
                remaining -= close - from;
            }
            closed_days = if opened { 0 } else { closed_days + 1 };
            date = date.succ_opt()?;
        }
        None
    }

    /// [`StoreCalendar::add_business_ms`] in minutes.
    pub fn add_business_minutes(&self, start_ms: i64, minutes: i64) -> Option<i64> {
        self.add_business_ms(start_ms, minutes.saturating_mul(MINUTE_MS))
    }

    /// Open time between two instants, in milliseconds (0 when `to_ms` is not after `from_ms`).
    pub fn business_ms_between(&self, from_ms: i64, to_ms: i64) -> i64 {
        if to_ms <= from_ms {
            return 0;
        }
        let (Some(first), last) = (self.local_date(from_ms).pred_opt(), self.local_date(to_ms)) else {
            return 0;
        };
        let mut total = 0;
        let mut date = first;
        while date <= last {
            for (open, close) in self.intervals(date) {
                let (start, end) = (open.max(from_ms), close.min(to_ms));
                if end > start {
                    total += end - start;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total
    }

    /// Whole business minutes between two instants.
    pub fn business_minutes_between(&self, from_ms: i64, to_ms: i64) -> i64 {
        self.business_ms_between(from_ms, to_ms) / MINUTE_MS
    }

    /// Whether the store is open at an instant.
    pub fn is_open_at(&self, at_ms: i64) -> bool {
        let date = self.local_date(at_ms);
        [date.pred_opt(), Some(date)]
            .into_iter()
            .flatten()
            .flat_map(|date| self.intervals(date))
            .any(|(open, close)| open <= at_ms && at_ms < close)
    }

    /// The first instant at or after `at_ms` when the store is open.
    pub fn next_open(&self, at_ms: i64) -> Option<i64> {
        // One millisecond of open time ends one millisecond after the opening.
        self.add_business_ms(at_ms, 1).map(|end| end - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ms(zone: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        zone.with_ymd_and_hms(y, mo, d, h, mi, 0).earliest().map(|t| t.timestamp_millis()).unwrap_or_default()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    /// A mall store in Santiago: 10:00–21:00 Monday to Saturday, 11:00–20:00 on Sunday.
    fn santiago() -> StoreCalendar {
        let week = OpeningHours::parse(
            r#"{"1":[["10:00","21:00"]],"2":[["10:00","21:00"]],"3":[["10:00","21:00"]],"4":[["10:00","21:00"]],
               "5":[["10:00","21:00"]],"6":[["10:00","21:00"]],"7":[["11:00","20:00"]]}"#,
        )
        .ok();
        let nochebuena = SpecialDay {
            date: date(2026, 12, 24),
            name: "Nochebuena".to_owned(),
            hours: Some(DayHours(vec![(600, 1080)])),
            tighter_targets: true,
        };
        StoreCalendar::new(week, chrono_tz::America::Santiago, Country::Chile, [nochebuena])
    }

    /// Weekdays only, with a lunch break: closed days and gaps for the properties.
    fn bogota() -> StoreCalendar {
        let day = r#"[["09:00","13:00"],["14:00","18:00"]]"#;
        let week = OpeningHours::parse(&format!(r#"{{"1":{day},"2":{day},"3":{day},"4":{day},"5":{day}}}"#)).ok();
        StoreCalendar::new(week, chrono_tz::America::Bogota, Country::Colombia, [])
    }

    #[test]
    fn opened_at_closing_is_due_after_the_next_opening() {
        let zone = chrono_tz::America::Santiago;
        let calendar = santiago();
        // Monday 7 December 2026 at 21:00; Tuesday 8 December is a holiday: due Wednesday 10:30.
        let due = calendar.add_business_minutes(ms(zone, 2026, 12, 7, 21, 0), 30);
        assert_eq!(due, Some(ms(zone, 2026, 12, 9, 10, 30)));
        assert_eq!(calendar.day(date(2026, 12, 8)).reason, DayReason::Holiday);
        assert_eq!(calendar.day(date(2026, 12, 8)).holiday, Some("Inmaculada Concepción"));
    }

    #[test]
    fn a_special_day_sets_its_own_hours() {
        let zone = chrono_tz::America::Santiago;
        let calendar = santiago();
        let day = calendar.day(date(2026, 12, 24));
        assert_eq!((day.reason, day.tighter_targets), (DayReason::SpecialDay, true));
        // Opened at 17:30 on Nochebuena (closes at 18:00), 60 minutes: 30 that day, the 25th is
        // Navidad, so 30 more from 10:00 on the 26th.
        let due = calendar.add_business_minutes(ms(zone, 2026, 12, 24, 17, 30), 60);
        assert_eq!(due, Some(ms(zone, 2026, 12, 26, 10, 30)));
    }

    #[test]
    fn chile_clock_change_days_count_as_lived() {
        let zone = chrono_tz::America::Santiago;
        let calendar = StoreCalendar::new(None, zone, Country::Chile, []);
        // Clocks go forward at midnight on Sunday 6 September 2026: that local day has 23 hours.
        let start = ms(zone, 2026, 9, 5, 12, 0);
        let end = ms(zone, 2026, 9, 6, 12, 0);
        assert_eq!(calendar.business_minutes_between(start, end), 23 * 60);
        assert_eq!(calendar.add_business_minutes(start, 23 * 60), Some(end));
    }

    #[test]
    fn a_calendar_that_never_opens_has_no_due_time() {
        let week = OpeningHours::parse("{}").ok();
        let calendar = StoreCalendar::new(week, chrono_tz::America::Lima, Country::Peru, []);
        assert_eq!(calendar.add_business_minutes(0, 1), None);
        assert_eq!(calendar.add_business_minutes(0, 0), Some(0));
    }

    #[test]
    fn day_hours_parse_and_refuse() {
        assert_eq!(DayHours::parse("hours", r#"[["10:00","18:00"]]"#).map(|d| d.open_minutes()), Ok(480));
        assert_eq!(DayHours::parse("hours", "[]"), Ok(DayHours::closed()));
        assert!(DayHours::parse("hours", r#"[["18:00","10:00"]]"#).is_err());
        assert!(DayHours::parse("hours", r#"{"1":[]}"#).is_err());
    }

    /// Instants from 2025 to 2028, to the second.
    fn instant() -> impl Strategy<Value = i64> {
        (1_735_700_000i64..1_830_000_000).prop_map(|seconds| seconds * 1_000)
    }

    fn calendars() -> impl Strategy<Value = StoreCalendar> {
        prop_oneof![Just(santiago()), Just(bogota())]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn adding_in_two_steps_is_adding_once(calendar in calendars(), start in instant(), a in 0i64..3_000, b in 0i64..3_000) {
            let once = calendar.add_business_minutes(start, a + b);
            let twice = calendar.add_business_minutes(start, a).and_then(|mid| calendar.add_business_minutes(mid, b));
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn between_counts_what_add_added(calendar in calendars(), start in instant(), minutes in 0i64..5_000) {
            let due = calendar.add_business_minutes(start, minutes);
            prop_assert!(due.is_some());
            prop_assert_eq!(calendar.business_minutes_between(start, due.unwrap_or_default()), minutes);
        }

        #[test]
        fn due_is_never_in_closed_time(calendar in calendars(), start in instant(), minutes in 1i64..5_000) {
            let due = calendar.add_business_minutes(start, minutes).unwrap_or_default();
            // Due at a closing instant is the end of open time; just before it the store is open.
            prop_assert!(calendar.is_open_at(due - 1), "due {} follows closed time", due);
        }

        #[test]
        fn opened_while_closed_is_due_next_opening_plus_minutes(calendar in calendars(), start in instant(), minutes in 1i64..600) {
            prop_assume!(!calendar.is_open_at(start));
            let opening = calendar.next_open(start).unwrap_or_default();
            prop_assert_eq!(calendar.add_business_minutes(start, minutes), calendar.add_business_minutes(opening, minutes));
            prop_assert!(calendar.is_open_at(opening));
            prop_assert_eq!(calendar.business_ms_between(start, opening), 0);
        }

        #[test]
        fn a_pause_does_not_age_a_ticket(calendar in calendars(), opened in instant(), minutes in 1i64..3_000,
                                         pause_after in 0i64..5_000_000, pause_for in 0i64..400_000_000) {
            let due = calendar.add_business_minutes(opened, minutes).unwrap_or_default();
            let (paused_from, paused_to) = (opened + pause_after, opened + pause_after + pause_for);
            let extended = calendar.add_business_ms(due, calendar.business_ms_between(paused_from, paused_to)).unwrap_or_default();
            // The business time the ticket ran (open time from its opening to its due time,
            // minus the pause) is still its target.
            let ran = calendar.business_ms_between(opened, extended)
                - calendar.business_ms_between(paused_from.max(opened), paused_to.min(extended));
            prop_assert!(paused_to > extended || ran == minutes * MINUTE_MS, "ran {} of {}", ran, minutes * MINUTE_MS);
            prop_assert!(extended >= due);
        }
    }
}
