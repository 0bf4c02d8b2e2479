//! The free slots of a location's day (public), and the plan a booking shares with them:
//! which resources could take it, for how long, in which time zone and opening hours.
//!
//! The slots themselves are the domain's (`bookings::availability::free_slots`) over the
//! bookings the store holds for the candidates around the day; this module only gathers them.

use chrono::NaiveDate;
use chrono_tz::Tz;
use omnicanal_domain::bookings::availability::{Candidate, DayQuery, Slot, free_slots, open_intervals};
use omnicanal_domain::bookings::booking::Occupancy;
use omnicanal_domain::bookings::resources::{ResourceKind, TABLE_BUFFER_MINUTES, TABLE_SITTING_MINUTES};
use omnicanal_domain::hours::OpeningHours;
use omnicanal_store::{BookingResourceRow, LocationRow};

use super::command::BookFor;
use crate::App;
use crate::error::{AppError, AppResult};

/// A day, as far as held bookings can reach into it from either side (the longest service
/// and buffer are well under a day).
const DAY_MARGIN_MS: i64 = 86_400_000;

/// What a booking at a location takes, whichever slot it gets.
#[derive(Debug, Clone)]
pub struct BookingPlan {
    /// The location.
    pub location: LocationRow,
    /// Its site's time zone.
    pub zone: Tz,
    /// Its weekly hours (`None`: always open).
    pub hours: Option<OpeningHours>,
    /// How long the booking lasts.
    pub duration_minutes: i64,
    /// How long its resource stays blocked after it.
    pub buffer_minutes: i64,
    /// The service, for appointments.
    pub service_id: Option<String>,
    /// The party size, for tables.
    pub party_size: Option<i64>,
    /// The resources that could take it, in the order they are offered (smallest table first).
    pub candidates: Vec<BookingResourceRow>,
}

fn seats_text(resource: &BookingResourceRow) -> String {
    format!("{} seats {} to {}", resource.name, resource.seats_min.unwrap_or(1), resource.seats_max.unwrap_or(0))
}

impl App {
    /// Which resources of the location could take a booking for `wants` (only `resource_id`
    /// when given), and for how long. Another location's resource, an unknown or another
    /// merchant's service: `NotFound`. A party no table seats: invalid, with the reason.
    pub async fn booking_plan(
        &self,
        location_id: &str,
        wants: &BookFor,
        resource_id: Option<&str>,
    ) -> AppResult<BookingPlan> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("location"))?;
        let zone: Tz = site.timezone.parse().unwrap_or(Tz::UTC);
        let hours = match &location.storefront.opening_hours_json {
            Some(json) => Some(OpeningHours::parse(json).map_err(|error| AppError::internal(error.to_string()))?),
            None => None,
        };
        let mut resources = self.store.list_booking_resources(&location.id).await?;
        if let Some(wanted) = resource_id {
            resources.retain(|resource| resource.id == wanted);
            if resources.is_empty() {
                return Err(AppError::NotFound("resource"));
            }
        }
        let (duration_minutes, buffer_minutes, service_id, party_size, candidates) = match wants {
            BookFor::Party(party) => {
                let tables: Vec<BookingResourceRow> =
                    resources.into_iter().filter(|resource| resource.kind == ResourceKind::Table).collect();
                if tables.is_empty() {
                    let message =
                        if resource_id.is_some() { "is not a table" } else { "this location takes no table bookings" };
                    let field = if resource_id.is_some() { "resource_id" } else { "party_size" };
                    return Err(AppError::invalid(field, message));
                }
                let mut fitting: Vec<BookingResourceRow> = tables
                    .iter()
                    .filter(|table| table.seats_min.unwrap_or(1) <= *party && *party <= table.seats_max.unwrap_or(0))
                    .cloned()
                    .collect();
                if fitting.is_empty() {
                    let message = match resource_id {
                        Some(_) => tables.first().map(seats_text).unwrap_or_default(),
                        None => {
                            let largest = tables.iter().filter_map(|table| table.seats_max).max().unwrap_or(0);
                            format!("no table here seats a party of {party} (the largest seats {largest})")
                        }
                    };
                    return Err(AppError::invalid("party_size", message));
                }
                fitting.sort_by_key(|table| (table.seats_max, table.created_ms));
                (TABLE_SITTING_MINUTES, TABLE_BUFFER_MINUTES, None, Some(*party), fitting)
            }
            BookFor::Service(service_id) => {
                let service = self
                    .store
                    .get_booking_service(service_id)
                    .await?
                    .filter(|service| service.merchant_id == location.merchant_id)
                    .ok_or(AppError::NotFound("service"))?;
                let performers: Vec<BookingResourceRow> =
                    resources.into_iter().filter(|resource| resource.kind != ResourceKind::Table).collect();
                if performers.is_empty() {
                    let field = if resource_id.is_some() { "resource_id" } else { "service_id" };
                    return Err(AppError::invalid(field, "no staff member or room here takes this service"));
                }
                (service.duration_minutes, service.buffer_minutes, Some(service.id), None, performers)
            }
        };
        Ok(BookingPlan { location, zone, hours, duration_minutes, buffer_minutes, service_id, party_size, candidates })
    }

    /// The confirmed bookings of the plan's candidates whose held time meets `[from_ms, to_ms)`,
    /// by candidate (in the candidates' order).
    pub(crate) async fn taken_by_candidate(
        &self,
        plan: &BookingPlan,
        from_ms: i64,
        to_ms: i64,
    ) -> AppResult<Vec<Vec<Occupancy>>> {
        let ids: Vec<String> = plan.candidates.iter().map(|resource| resource.id.clone()).collect();
        let bookings = self.store.confirmed_bookings_between(&ids, from_ms, to_ms).await?;
        Ok(ids
            .iter()
            .map(|id| {
                bookings
                    .iter()
                    .filter(|booking| &booking.resource_id == id)
                    .map(|booking| Occupancy { start_ms: booking.start_ms, blocked_until_ms: booking.blocked_until_ms })
                    .collect()
            })
            .collect())
    }

    /// The free slots of a location's local day for a party or a service (public).
    pub async fn booking_availability(
        &self,
        location_id: &str,
        date: NaiveDate,
        wants: &BookFor,
    ) -> AppResult<Vec<Slot>> {
        let plan = self.booking_plan(location_id, wants, None).await?;
        let settings = self.booking_settings(&plan.location.id).await?;
        let Some((midnight, next_midnight)) = open_intervals(date, plan.zone, None).first().copied() else {
            return Ok(Vec::new());
        };
        let taken = self.taken_by_candidate(&plan, midnight - DAY_MARGIN_MS, next_midnight + DAY_MARGIN_MS).await?;
        let candidates: Vec<Candidate<'_>> = plan
            .candidates
            .iter()
            .zip(&taken)
            .map(|(resource, taken)| Candidate { resource_id: &resource.id, taken })
            .collect();
        let query = DayQuery {
            date,
            zone: plan.zone,
            hours: plan.hours.as_ref(),
            duration_minutes: plan.duration_minutes,
            buffer_minutes: plan.buffer_minutes,
            now_ms: self.now_ms(),
            window: settings.window,
        };
        Ok(free_slots(&query, &candidates))
    }
}
