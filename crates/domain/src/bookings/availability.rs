//! The free slots of one local day: every grid start inside the location's opening hours
//! (read in its time zone, so a day the clock changes is as long as it really is), within the
//! booking window, for which some candidate resource has no booking — buffers included — in
//! any cell the new booking would claim. No I/O: the bookings taken and `now` are passed in.
//!
//! "Free" is decided with [`Occupancy::clashes_with`], the same cells the store claims, so a
//! slot offered here is one the store will accept unless someone books it first.
//!
//! **Buffers and hours.** A service's buffer *after* may run past closing (the chair is swept
//! as the salon closes), but its buffer *before* must lie inside the resource's bookable time:
//! it is work the staff member does — the room set up, the colour mixed — so they must be
//! there, as Square asks of its "blocked time before" (the staff member must be available for
//! it). A stylist whose day starts at 10:00 with a 15-minute preparation is first offered at
//! 10:15, never at 10:00 with the preparation at 09:45 when nobody is in. Both buffers are
//! claimed like the service's own time, so no two bookings' `[start − before, end + after]`
//! ever share a cell.

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
    /// How long its resource is held before it (inside the opening hours).
    pub buffer_before_minutes: i64,
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
    /// The resource that is free then (the first member, for joined tables).
    pub resource_id: String,
    /// Every resource the booking takes: the one above, or every member of joined tables.
    pub resource_ids: Vec<String>,
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
    let before_ms = day.buffer_before_minutes.max(0).saturating_mul(60_000);
    let earliest = day.window.earliest_ms(day.now_ms);
    let latest = day.window.latest_ms(day.now_ms);
    let mut slots = Vec::new();
    for (open, close) in open_intervals(day.date, day.zone, day.hours) {
        // The preparation before the first start falls inside the opening hours too.
        let first = open.saturating_add(before_ms);
        let mut start = first.saturating_add(GRID_MS - 1).div_euclid(GRID_MS).saturating_mul(GRID_MS);
        while start.saturating_add(duration_ms) <= close && slots.len() < MAX_SLOTS {
            if start >= earliest && start <= latest {
                let wanted =
                    Occupancy::with_buffers(start, day.duration_minutes, day.buffer_before_minutes, day.buffer_minutes);
                for candidate in candidates {
                    if !candidate.taken.iter().any(|taken| taken.clashes_with(wanted)) {
                        slots.push(Slot {
                            start_ms: start,
                            end_ms: start.saturating_add(duration_ms),
                            resource_id: candidate.resource_id.to_owned(),
                            resource_ids: vec![candidate.resource_id.to_owned()],
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

/// One resource's day, as a search sees it: when it may be booked and what is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceDay {
    /// The resource.
    pub id: String,
    /// The instants it may be booked (opening hours ∩ its working week, exceptions applied):
    /// UTC `[start, end)` ms, sorted and disjoint (`exceptions::Schedule::bookable_between`).
    pub bookable: Vec<(i64, i64)>,
    /// What its bookings (and their buffers) hold.
    pub taken: Vec<Occupancy>,
}

/// What could take a booking: one resource, or tables of one group joined. It is bookable
/// when *every* member is, and taken when *any* member is — so a combination is never offered
/// over a member's booking or outside a member's hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The members, the first named as the booking's resource.
    pub resource_ids: Vec<String>,
    /// The intersection of the members' bookable instants.
    pub bookable: Vec<(i64, i64)>,
    /// The union of the members' taken time.
    pub taken: Vec<Occupancy>,
}

impl Offer {
    /// The offer of these members (one or several); `None` when no member is given.
    pub fn joining(members: &[&ResourceDay]) -> Option<Offer> {
        let (first, rest) = members.split_first()?;
        let mut bookable = first.bookable.clone();
        let mut taken = first.taken.clone();
        for member in rest {
            bookable = intersect(&bookable, &member.bookable);
            taken.extend(member.taken.iter().copied());
        }
        let resource_ids = members.iter().map(|member| member.id.clone()).collect();
        Some(Offer { resource_ids, bookable, taken })
    }
}

/// The intersection of two sorted, disjoint lists of `[start, end)` intervals.
pub fn intersect(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while let (Some(&(a_start, a_end)), Some(&(b_start, b_end))) = (a.get(i), b.get(j)) {
        let (start, end) = (a_start.max(b_start), a_end.min(b_end));
        if start < end {
            out.push((start, end));
        }
        if a_end < b_end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// A search over one local day: which starts are asked about and what a booking takes.
#[derive(Debug, Clone, Copy)]
pub struct Search {
    /// The first instant of the local day (Unix ms).
    pub day_start_ms: i64,
    /// The first instant of the next local day: starts are offered before it.
    pub day_end_ms: i64,
    /// How long the booking lasts.
    pub duration_minutes: i64,
    /// How long its resources stay blocked after it.
    pub buffer_minutes: i64,
    /// Now (Unix ms).
    pub now_ms: i64,
    /// How soon and how far ahead bookings are taken.
    pub window: BookingWindow,
    /// How long its resources are held before it; this time must be bookable too.
    pub buffer_before_minutes: i64,
}

/// Whether `[start, end)` lies inside one of the sorted, disjoint intervals.
fn inside(intervals: &[(i64, i64)], start_ms: i64, end_ms: i64) -> bool {
    intervals.iter().any(|(open, close)| *open <= start_ms && end_ms <= *close)
}

/// The free slots of the day: every grid start of the day, within the window, at which an
/// offer is bookable for the whole booking and its buffer before (the buffer after may run past
/// closing, as cleaning does; see the module's doc) and no member's taken time shares a cell
/// with the booking and its buffers. By start, then in the offers' order (best first); at most
/// [`MAX_SLOTS`].
pub fn offered_slots(search: &Search, offers: &[Offer]) -> Vec<Slot> {
    let duration_ms = search.duration_minutes.saturating_mul(60_000);
    let before_ms = search.buffer_before_minutes.max(0).saturating_mul(60_000);
    let earliest = search.window.earliest_ms(search.now_ms).max(search.day_start_ms);
    let latest = search.window.latest_ms(search.now_ms).min(search.day_end_ms.saturating_sub(1));
    let first = earliest.saturating_add(GRID_MS - 1).div_euclid(GRID_MS).saturating_mul(GRID_MS);
    let mut slots = Vec::new();
    let mut start = first;
    while start <= latest && slots.len() < MAX_SLOTS {
        let end = start.saturating_add(duration_ms);
        let wanted = Occupancy::with_buffers(
            start,
            search.duration_minutes,
            search.buffer_before_minutes,
            search.buffer_minutes,
        );
        let prepared_from = start.saturating_sub(before_ms);
        for offer in offers {
            if inside(&offer.bookable, prepared_from, end)
                && !offer.taken.iter().any(|taken| taken.clashes_with(wanted))
            {
                slots.push(Slot {
                    start_ms: start,
                    end_ms: end,
                    resource_id: offer.resource_ids.first().cloned().unwrap_or_default(),
                    resource_ids: offer.resource_ids.clone(),
                });
            }
        }
        start = start.saturating_add(GRID_MS);
    }
    slots.truncate(MAX_SLOTS);
    slots
}

/// Whether some offer is bookable for the whole booking from `start_ms`, taken time aside:
/// tells a booking refused because the place is closed (422) from one refused because the
/// time is taken (409).
pub fn bookable_at(offers: &[Offer], start_ms: i64, duration_minutes: i64) -> bool {
    bookable_with_buffer_before_at(offers, start_ms, duration_minutes, 0)
}

/// [`bookable_at`] for a booking whose buffer before must be bookable too (see the module's
/// doc): some offer is bookable over `[start − before, end)`.
pub fn bookable_with_buffer_before_at(
    offers: &[Offer],
    start_ms: i64,
    duration_minutes: i64,
    buffer_before_minutes: i64,
) -> bool {
    let from = start_ms.saturating_sub(buffer_before_minutes.max(0).saturating_mul(60_000));
    let end = start_ms.saturating_add(duration_minutes.saturating_mul(60_000));
    offers.iter().any(|offer| inside(&offer.bookable, from, end))
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

    /// The proptests' resources: `ids[i]` is open one range, `hours[i]` (its first cell after
    /// `day_start_ms`, then how many cells), and holds what `taken(i)` gives it.
    fn resource_days(
        day_start_ms: i64,
        ids: &[&str],
        hours: &[(i64, i64)],
        taken: impl Fn(usize) -> Vec<Occupancy>,
    ) -> Vec<ResourceDay> {
        ids.iter()
            .zip(hours)
            .enumerate()
            .map(|(index, (id, (open, length)))| {
                let opens = day_start_ms + open * GRID_MS;
                ResourceDay {
                    id: (*id).to_owned(),
                    bookable: vec![(opens, opens + length * GRID_MS)],
                    taken: taken(index),
                }
            })
            .collect()
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
            buffer_before_minutes: 0,
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
            before in 0i64..45,
            taken in proptest::collection::vec((0i64..96, 5i64..240, 0i64..60, 0i64..45, 0usize..3), 0..12),
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
                        .filter(|(_, _, _, _, owner)| *owner == resource)
                        .map(|(cell, length, buffer, before, _)| {
                            Occupancy::with_buffers(midnight + cell * GRID_MS, *length, *before, *buffer)
                        })
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
            let query = DayQuery {
                date: day,
                zone,
                hours: Some(&hours),
                duration_minutes: duration,
                buffer_minutes: buffer,
                now_ms,
                window,
                buffer_before_minutes: before,
            };
            for slot in free_slots(&query, &candidates) {
                let index = ids.iter().position(|id| *id == slot.resource_id).unwrap_or(0);
                // [start − before, end + after] of the slot against every booking's, both
                // widened by their own buffers: they may touch, never overlap.
                let blocked_from = slot.start_ms - before * 60_000;
                let blocked_until = slot.end_ms + buffer * 60_000;
                for other in &occupancies[index] {
                    prop_assert!(blocked_from >= other.blocked_until_ms || blocked_until <= other.blocked_from_ms,
                        "slot {slot:?} (buffers {before}/{buffer}) overlaps {other:?}");
                }
                prop_assert!(inside_opening_hours(zone, Some(&hours), slot.start_ms, duration));
                prop_assert!(
                    inside_opening_hours(zone, Some(&hours), blocked_from, before + duration),
                    "{slot:?}: its preparation of {before} min starts before opening"
                );
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

    proptest! {
        #[test]
        fn no_offered_slot_with_its_buffers_overlaps_a_booking_with_its_buffers(
            taken in proptest::collection::vec((0i64..96, 15i64..180, 0i64..60, 0i64..60, 0usize..3), 0..14),
            hours in proptest::collection::vec((0i64..48, 4i64..48), 3),
            duration in 5i64..150,
            before in 0i64..60,
            after in 0i64..60,
        ) {
            let day_start = 1_796_700_000_000i64.div_euclid(GRID_MS) * GRID_MS;
            let ids = ["s0", "s1", "s2"];
            let days = resource_days(day_start, &ids, &hours, |index| {
                taken
                    .iter()
                    .filter(|(_, _, _, _, owner)| *owner == index)
                    .map(|(cell, length, before, after, _)| {
                        Occupancy::with_buffers(day_start + cell * GRID_MS, *length, *before, *after)
                    })
                    .collect()
            });
            let offers: Vec<Offer> = days.iter().filter_map(|day| Offer::joining(&[day])).collect();
            let search = Search {
                day_start_ms: day_start,
                day_end_ms: day_start + 96 * GRID_MS,
                duration_minutes: duration,
                buffer_minutes: after,
                now_ms: day_start - 86_400_000,
                window: BookingWindow::DEFAULT,
                buffer_before_minutes: before,
            };
            for slot in offered_slots(&search, &offers) {
                let Some(day) = days.iter().find(|day| day.id == slot.resource_id) else {
                    return Err(TestCaseError::fail("unknown resource"));
                };
                let from = slot.start_ms - before * 60_000;
                let until = slot.end_ms + after * 60_000;
                for other in &day.taken {
                    prop_assert!(
                        from >= other.blocked_until_ms || until <= other.blocked_from_ms,
                        "{slot:?} with {before}/{after} min overlaps {other:?}"
                    );
                }
                prop_assert!(inside(&day.bookable, from, slot.end_ms), "{slot:?}: its preparation is outside the hours");
                prop_assert!(bookable_with_buffer_before_at(&offers, slot.start_ms, duration, before));
            }
        }
    }

    #[test]
    fn the_first_slot_leaves_room_for_the_preparation_but_cleaning_may_run_past_closing() {
        let day_start = 1_796_700_000_000i64.div_euclid(GRID_MS) * GRID_MS;
        let (opens, closes) = (day_start + 40 * GRID_MS, day_start + 48 * GRID_MS);
        let day = ResourceDay { id: "ana".to_owned(), bookable: vec![(opens, closes)], taken: Vec::new() };
        let offers: Vec<Offer> = Offer::joining(&[&day]).into_iter().collect();
        let search = Search {
            day_start_ms: day_start,
            day_end_ms: day_start + 96 * GRID_MS,
            duration_minutes: 60,
            buffer_minutes: 30,
            now_ms: day_start - 86_400_000,
            window: BookingWindow::DEFAULT,
            buffer_before_minutes: 15,
        };
        let starts: Vec<i64> = offered_slots(&search, &offers).iter().map(|slot| slot.start_ms).collect();
        // Open two hours: the first start is a cell after opening (its 15 minutes of preparation
        // inside the hours); the last ends at closing, its 30 minutes of cleaning past it.
        assert_eq!(starts.first(), Some(&(opens + GRID_MS)));
        assert_eq!(starts.last(), Some(&(closes - 4 * GRID_MS)));
        assert!(!bookable_with_buffer_before_at(&offers, opens, 60, 15));
        assert!(bookable_at(&offers, opens, 60), "without the preparation, opening time is bookable");
    }

    proptest! {
        #[test]
        fn joined_tables_are_offered_only_when_every_member_is_free_and_bookable(
            taken in proptest::collection::vec((0i64..96, 15i64..180, 0usize..5), 0..16),
            hours in proptest::collection::vec((0i64..48, 8i64..48), 5),
            party in 1u16..16,
            duration in 15i64..150,
            buffer in 0i64..30,
        ) {
            use crate::bookings::combinations::{Table, candidate_seatings};
            let day_start = 1_796_700_000_000i64.div_euclid(GRID_MS) * GRID_MS;
            let ids = ["t0", "t1", "t2", "t3", "t4"];
            let days = resource_days(day_start, &ids, &hours, |index| {
                taken
                    .iter()
                    .filter(|(_, _, owner)| *owner == index)
                    .map(|(cell, length, _)| Occupancy::new(day_start + cell * GRID_MS, *length, 15))
                    .collect()
            });
            let tables: Vec<Table> = ids
                .iter()
                .enumerate()
                .map(|(index, id)| Table {
                    id: (*id).to_owned(),
                    seats_min: 1,
                    seats_max: 2 + u16::try_from(index).unwrap_or(0),
                    group: (index < 4).then(|| "terraza".to_owned()),
                })
                .collect();
            let Ok(seatings) = candidate_seatings(&tables, party, 4) else { return Ok(()) };
            let offers: Vec<Offer> = seatings
                .iter()
                .filter_map(|seating| {
                    let members: Vec<&ResourceDay> =
                        seating.table_ids.iter().filter_map(|id| days.iter().find(|day| &day.id == id)).collect();
                    Offer::joining(&members)
                })
                .collect();
            let search = Search {
                day_start_ms: day_start,
                day_end_ms: day_start + 96 * GRID_MS,
                duration_minutes: duration,
                buffer_minutes: buffer,
                now_ms: day_start - 86_400_000,
                window: BookingWindow::DEFAULT,
                buffer_before_minutes: 0,
            };
            for slot in offered_slots(&search, &offers) {
                let wanted = Occupancy::new(slot.start_ms, duration, buffer);
                prop_assert!(!slot.resource_ids.is_empty());
                for member in &slot.resource_ids {
                    let Some(day) = days.iter().find(|day| &day.id == member) else {
                        return Err(TestCaseError::fail("unknown member"));
                    };
                    for other in &day.taken {
                        prop_assert!(!other.clashes_with(wanted), "{slot:?} overlaps {other:?} of {member}");
                        prop_assert!(
                            wanted.start_ms >= other.blocked_until_ms || wanted.blocked_until_ms <= other.start_ms,
                            "{slot:?} overlaps {other:?} of {member} or its buffer"
                        );
                    }
                    prop_assert!(inside(&day.bookable, slot.start_ms, slot.end_ms), "{slot:?} outside {member}'s hours");
                }
            }
        }
    }
}
