//! Weekly opening hours of a location, in the site's local time.
//!
//! Stored as JSON: ISO weekday (`"1"` = Monday … `"7"` = Sunday) → up to four `[start, end)`
//! ranges of `HH:MM`, e.g. `{"1": [["11:00", "15:30"], ["19:00", "23:00"]]}`. A day that is not
//! listed is closed; `"24:00"` ends a range at midnight. A range cannot run past midnight: close
//! the day at `24:00` and open the next at `00:00`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::pricing::LocalTime;

/// Most ranges one day may have.
pub const MAX_RANGES_PER_DAY: usize = 4;

/// A location's week, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningHours {
    /// Ranges of minutes after local midnight, by ISO weekday (1–7), sorted, non-overlapping.
    days: BTreeMap<u8, Vec<(u16, u16)>>,
}

fn minute_of(field: &str, raw: &str) -> Result<u16, DomainError> {
    let invalid = || DomainError::invalid(field, format!("{raw:?} is not a time of day HH:MM (00:00 to 24:00)"));
    let (hours, minutes) = raw.split_once(':').ok_or_else(invalid)?;
    if hours.len() != 2 || minutes.len() != 2 {
        return Err(invalid());
    }
    let hours: u16 = hours.parse().map_err(|_| invalid())?;
    let minutes: u16 = minutes.parse().map_err(|_| invalid())?;
    if minutes >= 60 || hours > 24 || (hours == 24 && minutes > 0) {
        return Err(invalid());
    }
    Ok(hours * 60 + minutes)
}

/// `HH:MM` for a minute of the day.
pub fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

impl OpeningHours {
    /// Parses and validates the JSON form (see the module docs).
    pub fn parse(json: &str) -> Result<Self, DomainError> {
        let raw: BTreeMap<String, Vec<(String, String)>> = serde_json::from_str(json).map_err(|_| {
            DomainError::invalid(
                "opening_hours",
                r#"must map weekdays "1" (Monday) to "7" (Sunday) to lists of ["HH:MM", "HH:MM"] ranges"#,
            )
        })?;
        Self::from_ranges(raw)
    }

    /// Validates weekday → `[start, end)` text ranges.
    pub fn from_ranges(raw: BTreeMap<String, Vec<(String, String)>>) -> Result<Self, DomainError> {
        let mut days = BTreeMap::new();
        for (day, ranges) in raw {
            let field = format!("opening_hours.{day}");
            let weekday: u8 = day
                .parse()
                .ok()
                .filter(|d| (1..=7).contains(d))
                .ok_or_else(|| DomainError::invalid(&field, "weekdays are \"1\" (Monday) to \"7\" (Sunday)"))?;
            if ranges.len() > MAX_RANGES_PER_DAY {
                return Err(DomainError::invalid(&field, format!("at most {MAX_RANGES_PER_DAY} ranges a day")));
            }
            let mut parsed = Vec::with_capacity(ranges.len());
            for (start, end) in &ranges {
                let (start, end) = (minute_of(&field, start)?, minute_of(&field, end)?);
                if start >= end {
                    return Err(DomainError::invalid(&field, "each range must end after it starts, on the same day"));
                }
                parsed.push((start, end));
            }
            parsed.sort_unstable();
            if parsed.windows(2).any(|pair| pair[0].1 > pair[1].0) {
                return Err(DomainError::invalid(&field, "ranges overlap"));
            }
            days.insert(weekday, parsed);
        }
        Ok(Self { days })
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        let raw: BTreeMap<String, Vec<(String, String)>> = self
            .days
            .iter()
            .map(|(day, ranges)| (day.to_string(), ranges.iter().map(|(s, e)| (hhmm(*s), hhmm(*e))).collect()))
            .collect();
        serde_json::to_string(&raw).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Whether the location is open at this local time.
    pub fn is_open_at(&self, at: LocalTime) -> bool {
        self.days.get(&at.weekday).is_some_and(|ranges| ranges.iter().any(|(s, e)| at.minute >= *s && at.minute < *e))
    }

    /// A day's ranges (empty when closed).
    pub fn ranges(&self, weekday: u8) -> &[(u16, u16)] {
        self.days.get(&weekday).map_or(&[], Vec::as_slice)
    }

    /// The next opening after `at` within a week, as (weekday, minute); None if never open.
    pub fn next_opening(&self, at: LocalTime) -> Option<LocalTime> {
        for offset in 0..=7u8 {
            let weekday = (at.weekday - 1 + offset) % 7 + 1;
            for (start, _) in self.ranges(weekday) {
                if offset > 0 || *start > at.minute {
                    return Some(LocalTime { weekday, minute: *start });
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_checks_and_answers() -> Result<(), DomainError> {
        let hours =
            OpeningHours::parse(r#"{"1": [["19:00", "23:00"], ["11:00", "15:30"]], "6": [["10:00", "24:00"]]}"#)?;
        let at = |weekday, h: u16, m: u16| LocalTime { weekday, minute: h * 60 + m };
        assert!(hours.is_open_at(at(1, 12, 0)));
        assert!(!hours.is_open_at(at(1, 15, 30)), "the end is exclusive");
        assert!(!hours.is_open_at(at(2, 12, 0)), "an unlisted day is closed");
        assert!(hours.is_open_at(at(6, 23, 59)));
        assert_eq!(hours.next_opening(at(1, 16, 0)), Some(at(1, 19, 0)));
        assert_eq!(hours.next_opening(at(2, 9, 0)), Some(at(6, 10, 0)));
        assert_eq!(OpeningHours::parse(&hours.to_json())?, hours);
        Ok(())
    }

    #[test]
    fn refuses_what_makes_no_sense() {
        for bad in [
            r#"{"8": []}"#,
            r#"{"1": [["23:00", "01:00"]]}"#,
            r#"{"1": [["10:00", "14:00"], ["13:00", "15:00"]]}"#,
            r#"{"1": [["9:00", "14:00"]]}"#,
            r#"{"1": [["10:00", "24:30"]]}"#,
            r#"["1"]"#,
        ] {
            assert!(OpeningHours::parse(bad).is_err(), "{bad}");
        }
    }
}
