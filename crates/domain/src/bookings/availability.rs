//! The free slots of one local day: every grid start inside the location's opening hours
//! (read in its time zone, so a day the clock changes is as long as it really is), within the
//! booking window, for which some candidate resource has no booking — buffers included — in
//! any cell the new booking would claim. No I/O: the bookings taken and `now` are passed in.
//!
//! "Free" is decided with [`Occupancy::clashes_with`], the same cells the store claims, so a
//! slot offered here is one the store will accept unless someone books it first.

use chrono::{Datelike, Days, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

use super::GRID_MS;
use super::booking::{BookingWindow, Occupancy};
use crate::hours::OpeningHours;

/// Most slots one answer lists (a 24-hour day on the grid, for a few dozen resources).
pub const MAX_SLOTS: usize = 5_000;

/// The day asked about and what a booking on it takes.
#[derive(Debug, Clone, Copy)]
pub struct DayQuery<'a> {
    /// The local date.
    pub date: NaiveDate,
    /// The location's time zone.
    pub zone: Tz,
    /// Its weekly hours; `None`: open all day.
    pub hours: Option<&'a OpeningHours>,
    /// How long the booking lasts.
    pub duration_minutes: i64,
    /// How long its resource stays blocked after it.
    pub buffer_minutes: i64,
    /// Now (Unix ms).
    pub now_ms: i64,
    /// How soon and how far ahead bookings are taken.
    pub window: BookingWindow,
}

/// A resource that could take the booking, with what it has taken already.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Its id.
    pub resource_id: &'a str,
    /// Its confirmed bookings near the day.
    pub taken: &'a [Occupancy],
}

/// A free slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Start (Unix ms, on the grid).
    pub start_ms: i64,
    /// End of the booking itself, buffer not included (Unix ms).
    pub end_ms: i64,
    /// The resource that is free then.
    pub resource_id: String,
}

/// The instant a local wall-clock time names: the earlier one when the clock goes back, and,
/// when the clock skips it (Chile's midnight in September), the first instant after the gap.
fn local_instant_ms(zone: Tz, date: NaiveDate, minute: u16) -> Option<i64> {
    let (date, minute) = if minute >= 1_440 { (date.checked_add_days(Days::new(1))?, 0) } else { (date, minute) };
    let time = NaiveTime::from_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)?;
    let wall = date.and_time(time);
    // Gaps are at most a few hours; walk forward on the grid until the clock shows a time.
    (0..=16i64).find_map(|step| {
        let shifted = wall.checked_add_signed(chrono::Duration::minutes(step * 15))?;
        zone.from_local_datetime(&shifted).earliest().map(|at| at.timestamp_millis())
    })
}

/// The day's opening ranges as instants `[open, close)`, in order.
pub fn open_intervals(date: NaiveDate, zone: Tz, hours: Option<&OpeningHours>) -> Vec<(i64, i64)> {
    let weekday = u8::try_from(date.weekday().number_from_monday()).unwrap_or(1);
    let ranges: Vec<(u16, u16)> = match hours {
        Some(hours) => hours.ranges(weekday).to_vec(),
        None => vec![(0, 1_440)],
    };
    ranges
        .into_iter()
        .filter_map(|(start, end)| {
            let open = local_instant_ms(zone, date, start)?;
            let close = local_instant_ms(zone, date, end)?;
            (open < close).then_some((open, close))
        })
        .collect()
}

/// Whether a booking from `start_ms` for `duration_minutes` lies inside one opening range of
/// the local day it starts on.
pub fn inside_opening_hours(zone: Tz, hours: Option<&OpeningHours>, start_ms: i64, duration_minutes: i64) -> bool {
    let Some(start) = chrono::DateTime::from_timestamp_millis(start_ms) else { return false };
    let date = start.with_timezone(&zone).date_naive();
    let end_ms = start_ms.saturating_add(duration_minutes.saturating_mul(60_000));
    open_intervals(date, zone, hours).iter().any(|(open, close)| *open <= start_ms && end_ms <= *close)
}

/// The free slots of the day, by start then by the candidates' order.
pub fn free_slots(day: &DayQuery<'_>, candidates: &[Candidate<'_>]) -> Vec<Slot> {
    let duration_ms = day.duration_minutes.saturating_mul(60_000);
    let earliest = day.window.earliest_ms(day.now_ms);
    let latest = day.window.latest_ms(day.now_ms);
    let mut slots = Vec::new();
    for (open, close) in open_intervals(day.date, day.zone, day.hours) {
        let mut start = open.saturating_add(GRID_MS - 1).div_euclid(GRID_MS).saturating_mul(GRID_MS);
        while start.saturating_add(duration_ms) <= close && slots.len() < MAX_SLOTS {
            if start >= earliest && start <= latest {
                let wanted = Occupancy::new(start, day.duration_minutes, day.buffer_minutes);
                for candidate in candidates {
                    if !candidate.taken.iter().any(|taken| taken.clashes_with(wanted)) {
                        slots.push(Slot {
                            start_ms: start,
                            end_ms: start.saturating_add(duration_ms),
                            resource_id: candidate.resource_id.to_owned(),
                        });
                    }
                }
            }
            start = start.saturating_add(GRID_MS);
        }
    }
    slots.truncate(MAX_SLOTS);
    slots
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use chrono::Timelike;

    use super::*;
    use crate::bookings::booking::check_start;
    use crate::pricing::LocalTime;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn week(start: &str, end: &str) -> Result<OpeningHours, crate::DomainError> {
        let raw: BTreeMap<String, Vec<(String, String)>> =
            (1..=7).map(|day| (day.to_string(), vec![(start.to_owned(), end.to_owned())])).collect();
        OpeningHours::from_ranges(raw)
    }

    fn santiago() -> Tz {
        "America/Santiago".parse().unwrap_or(Tz::UTC)
    }

    #[test]
    fn a_taken_table_is_not_offered_and_its_buffer_is_held() -> Result<(), crate::DomainError> {
        let zone = santiago();
        let hours = week("12:00", "17:00")?;
        let day = date(2026, 12, 10);
        let opens = open_intervals(day, zone, Some(&hours))[0].0;
        let query = DayQuery {
            date: day,
            zone,
            hours: Some(&hours),
            duration_minutes: 90,
            buffer_minutes: 15,
            now_ms: opens - 86_400_000,
            window: BookingWindow::DEFAULT,
        };
        let taken = [Occupancy::new(opens + 60 * 60_000, 90, 15)];
        let slots = free_slots(&query, &[Candidate { resource_id: "t1", taken: &taken }]);
        let starts: Vec<i64> = slots.iter().map(|slot| (slot.start_ms - opens) / 60_000).collect();
        // Every start to 14:30 would run into the 13:00 booking or its buffer; 15:30 is the last
        // start whose 90 minutes end by closing time.
        assert_eq!(starts, vec![165, 180, 195, 210]);
        Ok(())
    }

    #[test]
    fn the_night_chile_skips_an_hour_is_an_hour_shorter() {
        // Chile moves its clocks from 00:00 to 01:00 on the first Sunday of September 2026.
        let zone = santiago();
        let short = open_intervals(date(2026, 9, 6), zone, None);
        let usual = open_intervals(date(2026, 9, 13), zone, None);
        assert_eq!(short.len(), 1);
        assert_eq!(short[0].1 - short[0].0, 23 * 3_600_000);
        assert_eq!(usual[0].1 - usual[0].0, 24 * 3_600_000);
    }

    proptest! {
        #[test]
        fn no_offered_slot_overlaps_a_booking_or_its_buffer_and_all_are_inside_the_hours(
            open_hour in 0u16..20,
            open_len in 1u16..8,
            duration in 5i64..200,
            buffer in 0i64..60,
            taken in proptest::collection::vec((0i64..96, 5i64..240, 0i64..60, 0usize..3), 0..12),
            now_offset_cells in -200i64..96,
            day_of_month in 1u32..28,
        ) {
            let zone = santiago();
            let close_hour = (open_hour + open_len).min(24);
            let Ok(hours) = week(&format!("{open_hour:02}:00"), &format!("{close_hour:02}:00")) else {
                return Err(TestCaseError::fail("hours"));
            };
            let day = date(2026, 9, day_of_month);
            let midnight = open_intervals(day, zone, None)[0].0;
            let occupancies: Vec<Vec<Occupancy>> = (0..3)
                .map(|resource| {
                    taken
                        .iter()
                        .filter(|(_, _, _, owner)| *owner == resource)
                        .map(|(cell, length, buffer, _)| Occupancy::new(midnight + cell * GRID_MS, *length, *buffer))
                        .collect()
                })
                .collect();
            let ids = ["a", "b", "c"];
            let candidates: Vec<Candidate<'_>> = ids
                .iter()
                .zip(&occupancies)
                .map(|(id, taken)| Candidate { resource_id: id, taken })
                .collect();
            let now_ms = midnight + now_offset_cells * GRID_MS + 7_000;
            let window = BookingWindow::DEFAULT;
            let query = DayQuery { date: day, zone, hours: Some(&hours), duration_minutes: duration, buffer_minutes: buffer, now_ms, window };
            for slot in free_slots(&query, &candidates) {
                let index = ids.iter().position(|id| *id == slot.resource_id).unwrap_or(0);
                let blocked_until = slot.end_ms + buffer * 60_000;
                for other in &occupancies[index] {
                    prop_assert!(slot.start_ms >= other.blocked_until_ms || blocked_until <= other.start_ms,
                        "slot {slot:?} overlaps {other:?}");
                }
                prop_assert!(inside_opening_hours(zone, Some(&hours), slot.start_ms, duration));
                // And read back on the wall clock, independently of how the slots were made.
                for at in [slot.start_ms, slot.end_ms - 60_000] {
                    let wall = chrono::DateTime::from_timestamp_millis(at).unwrap_or_default().with_timezone(&zone);
                    let local = LocalTime {
                        weekday: u8::try_from(wall.weekday().number_from_monday()).unwrap_or(0),
                        minute: u16::try_from(wall.hour() * 60 + wall.minute()).unwrap_or(0),
                    };
                    prop_assert!(hours.is_open_at(local), "{slot:?} at {wall} is outside the hours");
                }
                prop_assert!(check_start(slot.start_ms, now_ms, window).is_ok());
            }
        }
    }
}
