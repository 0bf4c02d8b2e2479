//! Whether a location takes orders now — its on/off switch, a pause, its opening hours — read
//! in the site's time zone, and the public reads of sites the customer pages start from.
//!
//! The state is a pure function of the location and an instant, so pricing, the menu, the
//! customer pages and the console all agree on it.

use chrono::{DateTime, Datelike, Timelike, Utc};
use omnicanal_domain::hours::{OpeningHours, hhmm};
use omnicanal_domain::pricing::LocalTime;
use omnicanal_store::{LocationRow, Page, SiteRow};
use serde::Serialize;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::ids::rfc3339;

/// Most sites the home page lists.
pub const MAX_LISTED_SITES: i64 = 50;

/// A location's state for customers. Serialised as `{"state": "open"}`,
/// `{"state": "paused", "until": …}` or `{"state": "closed", "opens_at": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LocationState {
    /// Taking orders.
    Open,
    /// Paused by its staff ("too busy") until `until` (RFC 3339).
    Paused {
        /// When orders resume.
        until: String,
    },
    /// Outside its opening hours, or switched off.
    Closed {
        /// The next opening as ISO weekday and local `HH:MM` ("1 11:00"), when known.
        opens_at: Option<String>,
    },
}

impl LocationState {
    /// True when orders are taken now.
    pub fn is_open(&self) -> bool {
        matches!(self, LocationState::Open)
    }
}

/// The site's time zone; UTC when the stored name is unknown.
pub(crate) fn zone(timezone: &str) -> chrono_tz::Tz {
    timezone.parse().unwrap_or(chrono_tz::UTC)
}

/// The local weekday and minute of an instant.
pub fn local_at(timezone: &str, at: DateTime<Utc>) -> LocalTime {
    let local = at.with_timezone(&zone(timezone));
    LocalTime {
        weekday: u8::try_from(local.weekday().number_from_monday()).unwrap_or(1),
        minute: u16::try_from(local.hour() * 60 + local.minute()).unwrap_or(0),
    }
}

/// The location's opening hours, if it has valid ones (none: always open).
pub fn hours_of(location: &LocationRow) -> Option<OpeningHours> {
    location.storefront.opening_hours_json.as_deref().and_then(|json| OpeningHours::parse(json).ok())
}

/// Whether the location is open at `at` by its hours (ignoring pause and switch).
pub fn within_hours(location: &LocationRow, timezone: &str, at: DateTime<Utc>) -> bool {
    hours_of(location).is_none_or(|hours| hours.is_open_at(local_at(timezone, at)))
}

/// The location's state at `now_ms`.
pub fn location_state(location: &LocationRow, timezone: &str, now_ms: i64) -> LocationState {
    let now = DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
    if !location.is_open {
        return LocationState::Closed { opens_at: None };
    }
    if let Some(until) = location.storefront.paused_until_ms.filter(|until| *until > now_ms) {
        return LocationState::Paused { until: rfc3339(until) };
    }
    match hours_of(location) {
        Some(hours) if !hours.is_open_at(local_at(timezone, now)) => LocationState::Closed {
            opens_at: hours.next_opening(local_at(timezone, now)).map(|t| format!("{} {}", t.weekday, hhmm(t.minute))),
        },
        _ => LocationState::Open,
    }
}

impl App {
    /// The sites the public home page lists (the first [`MAX_LISTED_SITES`]).
    pub async fn storefront_sites(&self) -> AppResult<Vec<SiteRow>> {
        Ok(self.store.list_sites(Page { limit: MAX_LISTED_SITES, offset: 0 }).await?)
    }

    /// A site, for the public pages and the menu; `NotFound("site")` when there is none.
    pub async fn storefront_site(&self, site_id: &str) -> AppResult<SiteRow> {
        self.store.get_site(site_id).await?.ok_or(AppError::NotFound("site"))
    }
}

#[cfg(test)]
mod tests {
    use omnicanal_store::StorefrontSettings;

    use super::*;

    /// 2023-11-14T22:13:20Z, a Tuesday: 19:13 in Santiago (UTC−3).
    const TUESDAY_EVENING: i64 = 1_700_000_000_000;

    fn location(hours: Option<&str>) -> LocationRow {
        LocationRow {
            id: "loc".into(),
            merchant_id: "mer".into(),
            site_id: "site".into(),
            name: "Pizzería".into(),
            pay_at_pickup: true,
            is_open: true,
            storefront: StorefrontSettings {
                opening_hours_json: hours.map(str::to_owned),
                ..StorefrontSettings::default()
            },
            created_at_ms: 0,
        }
    }

    #[test]
    fn switch_pause_and_hours_decide_the_state_in_the_site_time_zone() {
        let tz = "America/Santiago";
        assert_eq!(location_state(&location(None), tz, TUESDAY_EVENING), LocationState::Open);
        let mut off = location(None);
        off.is_open = false;
        assert_eq!(location_state(&off, tz, TUESDAY_EVENING), LocationState::Closed { opens_at: None });
        let mut paused = location(None);
        paused.storefront.paused_until_ms = Some(TUESDAY_EVENING + 60_000);
        assert!(matches!(location_state(&paused, tz, TUESDAY_EVENING), LocationState::Paused { .. }));
        assert!(location_state(&paused, tz, TUESDAY_EVENING + 60_000).is_open(), "a pause ends by itself");
        let lunch_only = location(Some(r#"{"2": [["11:00", "15:00"]], "3": [["11:00", "15:00"]]}"#));
        assert_eq!(
            location_state(&lunch_only, tz, TUESDAY_EVENING),
            LocationState::Closed { opens_at: Some("3 11:00".into()) }
        );
        assert!(location_state(&lunch_only, "UTC", TUESDAY_EVENING - 8 * 3_600_000).is_open());
    }
}
