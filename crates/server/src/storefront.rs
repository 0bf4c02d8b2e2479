//! Whether a location takes orders now (open switch, pause, opening hours) and which pickup
//! slots a cart can choose, in the site's time zone. Used by pricing, the menu and the pages.

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use omnicanal_domain::hours::{OpeningHours, hhmm};
use omnicanal_domain::pricing::LocalTime;
use omnicanal_store::LocationRow;
use serde::Serialize;
use utoipa::ToSchema;

use crate::ids::rfc3339;

/// Length of a pickup slot, in minutes: the store's, which counts each slot's places.
pub const SLOT_MINUTES: i64 = omnicanal_store::PICKUP_SLOT_MINUTES;
/// Extra minutes before the first slot offered, beyond the preparation time.
pub const SLOT_MARGIN_MINUTES: i64 = 5;
/// How far ahead slots are offered, in hours.
pub const SLOT_HORIZON_HOURS: i64 = 12;

/// A location's state for customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LocationState {
    /// Taking orders.
    Open,
    /// Paused by its staff ("too busy") until `until` (RFC 3339).
    Paused {
        /// When orders resume.
        until: String,
    },
    /// Outside its opening hours, or switched off; `opens_at` is the next opening ("Lun 11:00"-style, local `HH:MM` with weekday).
    Closed {
        /// Next opening as ISO weekday and local `HH:MM`, when known.
        opens_at: Option<String>,
    },
}

impl LocationState {
    /// True when orders are taken now.
    pub fn is_open(&self) -> bool {
        matches!(self, LocationState::Open)
    }
}

fn zone(timezone: &str) -> chrono_tz::Tz {
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

/// One pickup slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PickupSlot {
    /// Start (RFC 3339, UTC): send it as the order's `pickup_at`.
    pub start: String,
    /// Local `HH:MM` to show.
    pub label: String,
}

/// The start of the slot containing `at`, in UTC.
pub fn slot_start(at: DateTime<Utc>) -> DateTime<Utc> {
    let seconds = at.timestamp();
    let slot = SLOT_MINUTES * 60;
    Utc.timestamp_opt(seconds - seconds.rem_euclid(slot), 0).single().unwrap_or(at)
}

/// Slot starts from the first one every location can prepare for (its preparation time after
/// now) over the next [`SLOT_HORIZON_HOURS`], keeping those inside every location's hours.
/// Capacity is checked by the caller with `Store::count_pickups` (the places placement counts
/// atomically in `pickup_slot_counts`).
pub fn candidate_slots(locations: &[&LocationRow], timezone: &str, now_ms: i64) -> Vec<(DateTime<Utc>, PickupSlot)> {
    let now = DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
    let prep = locations.iter().map(|l| l.storefront.prep_minutes).max().unwrap_or(0);
    // The first slot starts at least the preparation time plus a margin from now, so a slot the
    // customer picks stays acceptable while she fills in the form (orders need `prep` ahead).
    let earliest = now + Duration::minutes(prep + SLOT_MARGIN_MINUTES);
    let floor = slot_start(earliest);
    let first = if floor < earliest { floor + Duration::minutes(SLOT_MINUTES) } else { floor };
    let zone = zone(timezone);
    (0..(SLOT_HORIZON_HOURS * 60 / SLOT_MINUTES))
        .map(|index| first + Duration::minutes(index * SLOT_MINUTES))
        .filter(|start| locations.iter().all(|l| within_hours(l, timezone, *start)))
        .map(|start| {
            let label = start.with_timezone(&zone).format("%H:%M").to_string();
            (start, PickupSlot { start: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), label })
        })
        .collect()
}
