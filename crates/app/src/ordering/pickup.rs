//! Pickup slots: which times a cart can be collected at, and whether a chosen time can still
//! be promised.
//!
//! A slot is [`SLOT_MINUTES`] long (the store counts its places per slot). The room checked here
//! only spares a card authorisation for a slot already full; the place itself is taken
//! atomically by `Store::place_order` (a slot filled meanwhile is the same conflict, and nothing
//! is written).

use chrono::{DateTime, Duration, TimeZone, Utc};
use omnicanal_store::{LocationRow, SiteRow};

use crate::App;
use crate::catalog::storefront::{within_hours, zone};
use crate::error::{AppError, AppResult};
use crate::pricing::cart::PricedCart;

/// Length of a pickup slot, in minutes: the store's, which counts each slot's places.
pub const SLOT_MINUTES: i64 = omnicanal_store::PICKUP_SLOT_MINUTES;
/// Extra minutes before the first slot offered, beyond the preparation time.
pub const SLOT_MARGIN_MINUTES: i64 = 5;
/// How far ahead slots are offered, in hours.
pub const SLOT_HORIZON_HOURS: i64 = 12;
/// How far ahead a pickup may be scheduled, in milliseconds (7 days).
pub const MAX_SCHEDULE_AHEAD_MS: i64 = 7 * 24 * 3_600_000;
/// Most locations one slot request may name.
pub const MAX_SLOT_LOCATIONS: usize = 50;

/// One pickup slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupSlot {
    /// Start (RFC 3339, UTC, whole seconds): the order's `pickup_at`.
    pub start: String,
    /// Local `HH:MM` to show.
    pub label: String,
}

/// A slot offered to a cart, with whether it still has room at every location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotOffer {
    /// The slot.
    pub slot: PickupSlot,
    /// False when a location of the cart has no room left in it.
    pub available: bool,
}

/// The locations a cart's pickup slots are asked for, parsed from a comma-separated list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRequest {
    /// 1 to [`MAX_SLOT_LOCATIONS`] location ids.
    pub location_ids: Vec<String>,
}

impl SlotRequest {
    /// Parses `a,b,c` (blanks ignored) into 1 to [`MAX_SLOT_LOCATIONS`] ids.
    pub fn parse(location_ids: &str) -> AppResult<Self> {
        let ids: Vec<String> =
            location_ids.split(',').map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned).collect();
        if ids.is_empty() || ids.len() > MAX_SLOT_LOCATIONS {
            return Err(AppError::invalid(
                "location_ids",
                format!("name 1 to {MAX_SLOT_LOCATIONS} locations of the site"),
            ));
        }
        Ok(Self { location_ids: ids })
    }
}

/// The start of the slot containing `at`, in UTC.
pub fn slot_start(at: DateTime<Utc>) -> DateTime<Utc> {
    let seconds = at.timestamp();
    let slot = SLOT_MINUTES * 60;
    Utc.timestamp_opt(seconds - seconds.rem_euclid(slot), 0).single().unwrap_or(at)
}

/// Slot starts from the first one every location can prepare for (its preparation time after
/// now) over the next [`SLOT_HORIZON_HOURS`], keeping those inside every location's hours.
/// Room is not checked here (see [`App::pickup_slots`]).
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

/// The slot containing `at_ms`, as the store's counting range `[from, to)`.
fn slot_range(at_ms: i64) -> (i64, i64) {
    let start = slot_start(DateTime::from_timestamp_millis(at_ms).unwrap_or_default());
    (start.timestamp_millis(), (start + Duration::minutes(SLOT_MINUTES)).timestamp_millis())
}

impl App {
    /// Pickup slots a cart at these locations of `site_id` can choose: after every location's
    /// preparation time, inside every location's opening hours, each with whether it still has
    /// room (public). An unknown site is `NotFound`; a location of another site is invalid.
    pub async fn pickup_slots(&self, site_id: &str, request: &SlotRequest) -> AppResult<Vec<SlotOffer>> {
        let site = self.store.get_site(site_id).await?.ok_or(AppError::NotFound("site"))?;
        let mut locations = Vec::with_capacity(request.location_ids.len());
        for location_id in &request.location_ids {
            match self.store.get_location(location_id).await?.filter(|l| l.site_id == site.id) {
                Some(location) => locations.push(location),
                None => {
                    return Err(AppError::invalid(
                        "location_ids",
                        format!("{location_id} is not a location of this site"),
                    ));
                }
            }
        }
        let refs: Vec<&LocationRow> = locations.iter().collect();
        let mut offers = Vec::new();
        for (start, slot) in candidate_slots(&refs, &site.timezone, self.now_ms()) {
            let (from, to) = slot_range(start.timestamp_millis());
            let mut available = true;
            for location in &locations {
                if let Some(capacity) = location.storefront.slot_capacity
                    && self.store.count_pickups(&location.id, from, to).await? >= capacity
                {
                    available = false;
                }
            }
            offers.push(SlotOffer { slot, available });
        }
        Ok(offers)
    }

    /// A scheduled pickup must be within [`MAX_SCHEDULE_AHEAD_MS`], far enough ahead for every
    /// part's preparation, inside every location's hours, and in a slot with room at each.
    pub(crate) async fn check_pickup_slot(
        &self,
        site: &SiteRow,
        priced: &PricedCart,
        at_ms: i64,
        now_ms: i64,
    ) -> AppResult<()> {
        if at_ms > now_ms + MAX_SCHEDULE_AHEAD_MS {
            return Err(AppError::invalid("pickup_at", "must be within the next 7 days"));
        }
        let at = DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
        let (from, to) = slot_range(at_ms);
        for location in priced.locations.values() {
            let prep_minutes = location.storefront.prep_minutes;
            if at_ms < now_ms + prep_minutes * 60_000 {
                return Err(AppError::invalid(
                    "pickup_at",
                    format!("{} needs {prep_minutes} minutes to prepare the order", location.name),
                ));
            }
            if !within_hours(location, &site.timezone, at) {
                return Err(AppError::invalid("pickup_at", format!("{} is closed at that time", location.name)));
            }
            if let Some(capacity) = location.storefront.slot_capacity
                && self.store.count_pickups(&location.id, from, to).await? >= capacity
            {
                return Err(AppError::SlotFull { location_name: location.name.clone() });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use omnicanal_store::StorefrontSettings;

    use super::*;

    fn location(prep_minutes: i64, hours: Option<&str>) -> LocationRow {
        LocationRow {
            id: "loc".into(),
            merchant_id: "mer".into(),
            site_id: "site".into(),
            name: "Sushi".into(),
            pay_at_pickup: false,
            is_open: true,
            storefront: StorefrontSettings {
                prep_minutes,
                opening_hours_json: hours.map(str::to_owned),
                ..StorefrontSettings::default()
            },
            created_at_ms: 0,
        }
    }

    #[test]
    fn slots_start_after_the_longest_preparation_and_stay_inside_the_hours() {
        // 2023-11-14T22:13:20Z.
        let now = 1_700_000_000_000;
        let quick = location(10, None);
        let slow = location(30, None);
        let slots = candidate_slots(&[&quick, &slow], "UTC", now);
        assert_eq!(slots.first().map(|(_, slot)| slot.start.as_str()), Some("2023-11-14T23:00:00Z"));
        assert_eq!(slots.len() as i64, SLOT_HORIZON_HOURS * 60 / SLOT_MINUTES);
        let tuesday_until_23 = location(10, Some(r#"{"2": [["09:00", "23:00"]]}"#));
        let labels: Vec<String> =
            candidate_slots(&[&tuesday_until_23], "UTC", now).into_iter().map(|(_, slot)| slot.label).collect();
        assert_eq!(labels, ["22:30", "22:45"]);
    }

    #[test]
    fn a_slot_request_names_one_to_fifty_locations() {
        assert_eq!(SlotRequest::parse(" a, ,b ").map(|r| r.location_ids).ok(), Some(vec!["a".into(), "b".into()]));
        assert!(SlotRequest::parse(" , ").is_err());
        assert!(SlotRequest::parse(&vec!["x"; MAX_SLOT_LOCATIONS + 1].join(",")).is_err());
    }
}
