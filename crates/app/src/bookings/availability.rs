//! The free slots of a location's day (public), and the plan a booking shares with them:
//! which resources — or which sets of joined tables — could take it, for how long, in which
//! time zone, and when each may be booked.
//!
//! Everything that decides a slot is gathered here and handed to the domain, which decides:
//! - the seatings of a party (`combinations::candidate_seatings`: one table, or up to four
//!   tables of one combinable group), or the service's performers (every staff member and
//!   room when the manager named none);
//! - each resource's bookable instants (`exceptions::Schedule`: the location's opening hours
//!   and exception days ∩ the resource's working week and its own exception days);
//! - what is taken: the cells claimed in the store (`booking_claims`), read for every member,
//!   so a table joined into another booking is taken exactly when claiming it would fail;
//! - the slots (`availability::offered_slots`): every member bookable, none taken.
//!
//! `book` reads the same plan and offers for the day of the requested start, so a slot
//! offered here is one the booking accepts unless someone claims it first.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use omnicanal_domain::bookings::GRID_MS;
use omnicanal_domain::bookings::availability::{Offer, ResourceDay, Search, Slot, offered_slots};
use omnicanal_domain::bookings::booking::Occupancy;
use omnicanal_domain::bookings::combinations::{MAX_COMBINED_TABLES, SeatingError, Table, candidate_seatings};
use omnicanal_domain::bookings::exceptions::{Exception, ExceptionDay, Schedule, WorkingWeek};
use omnicanal_domain::bookings::local_time::{LocalTimeError, day_range_utc_ms};
use omnicanal_domain::bookings::refusal::BookingRefusal;
use omnicanal_domain::bookings::resources::{ResourceKind, TABLE_BUFFER_MINUTES, TABLE_SITTING_MINUTES};
use omnicanal_domain::hours::OpeningHours;
use omnicanal_store::{BookingExceptionRow, BookingResourceDetailsRow, BookingResourceRow, LocationRow};

use super::command::BookFor;
use crate::App;
use crate::error::{AppError, AppResult};

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
    /// How long its resources stay blocked after it.
    pub buffer_minutes: i64,
    /// The service, for appointments.
    pub service_id: Option<String>,
    /// The party size, for tables.
    pub party_size: Option<i64>,
    /// Every resource some offer uses.
    pub candidates: Vec<BookingResourceRow>,
    /// What could take the booking, best first: the member ids of each (one resource, or
    /// joined tables of one group).
    pub offers: Vec<Vec<String>>,
    /// The candidates' details (zone, group, working week), by resource id.
    pub details: BTreeMap<String, BookingResourceDetailsRow>,
    /// How long its resources are held before it (a service's preparation; 0 for tables).
    pub buffer_before_minutes: i64,
}

/// The offers of one local day, with the day's bounds.
#[derive(Debug, Clone)]
pub struct DayOffers {
    /// What the search asks about.
    pub search: Search,
    /// The offers, in the plan's order.
    pub offers: Vec<Offer>,
}

/// Every day of the week, all day: a location without opening hours is always open.
fn always_open() -> AppResult<OpeningHours> {
    let raw = (1..=7).map(|day| (day.to_string(), vec![("00:00".to_owned(), "24:00".to_owned())])).collect();
    OpeningHours::from_ranges(raw).map_err(|error| AppError::internal(error.to_string()))
}

/// A date the calendar cannot place (far outside any booking window) is the request's `date`.
fn local_time_error(error: LocalTimeError) -> AppError {
    AppError::from(omnicanal_domain::DomainError::from(error))
}

fn exception_day(row: &BookingExceptionRow) -> Option<ExceptionDay> {
    let date = NaiveDate::parse_from_str(&row.day, "%Y-%m-%d").ok()?;
    let hours: Option<Vec<(String, String)>> = match &row.hours_json {
        Some(json) => Some(serde_json::from_str(json).ok()?),
        None => None,
    };
    let exception = Exception::parse(&row.kind, hours.as_deref()).ok()?;
    Some(ExceptionDay { date, exception })
}

impl App {
    /// Which resources of the location could take a booking for `wants` (only `resource_id`
    /// when given), and for how long. Another location's resource, an unknown or another
    /// merchant's service: `NotFound`. A party no table or combination seats: invalid, naming
    /// `party_size` and the largest party that can be seated. A resource that does not
    /// perform the service: invalid, naming `resource_id`.
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
        let details: BTreeMap<String, BookingResourceDetailsRow> = self
            .store
            .list_booking_resource_details(&location.id)
            .await?
            .into_iter()
            .map(|row| (row.resource_id.clone(), row))
            .collect();
        let mut buffer_before_minutes = 0;
        let (duration_minutes, buffer_minutes, service_id, party_size, candidates, offers) = match wants {
            BookFor::Party(party) => {
                let (candidates, offers) = seat_party(resources, &details, *party, resource_id.is_some())?;
                (TABLE_SITTING_MINUTES, TABLE_BUFFER_MINUTES, None, Some(*party), candidates, offers)
            }
            BookFor::Service(service_id) => {
                let service = self
                    .store
                    .get_booking_service(service_id)
                    .await?
                    .filter(|service| service.merchant_id == location.merchant_id)
                    .ok_or(AppError::NotFound("service"))?;
                let named = self.store.service_performers(&service.id).await?;
                let performers: Vec<BookingResourceRow> = resources
                    .into_iter()
                    .filter(|resource| resource.kind != ResourceKind::Table)
                    .filter(|resource| named.is_empty() || named.contains(&resource.id))
                    .collect();
                if performers.is_empty() {
                    return Err(match resource_id {
                        Some(_) => AppError::booking_refused(
                            "resource_id",
                            BookingRefusal::NotAPerformer,
                            "does not perform this service",
                        ),
                        None => AppError::invalid("service_id", "no staff member or room here performs this service"),
                    });
                }
                let offers = performers.iter().map(|resource| vec![resource.id.clone()]).collect();
                buffer_before_minutes = service.buffer_before_minutes;
                (service.duration_minutes, service.buffer_minutes, Some(service.id), None, performers, offers)
            }
        };
        Ok(BookingPlan {
            location,
            zone,
            hours,
            duration_minutes,
            buffer_minutes,
            service_id,
            party_size,
            candidates,
            offers,
            details,
            buffer_before_minutes,
        })
    }

    /// The plan's offers on a local date: each candidate's bookable instants that day (and
    /// into the night, for a booking running past midnight) and the cells claimed on it.
    pub(crate) async fn day_offers(&self, plan: &BookingPlan, date: NaiveDate) -> AppResult<DayOffers> {
        let settings = self.booking_settings(&plan.location.id).await?;
        let (day_start_ms, day_end_ms) = day_range_utc_ms(plan.zone, date).map_err(local_time_error)?;
        let reach_ms = plan.duration_minutes.saturating_add(plan.buffer_minutes).saturating_mul(60_000);
        let until_ms = day_end_ms.saturating_add(reach_ms);
        // A first start's buffer before reaches into the evening before: read its hours and claims too.
        let read_from_ms = day_start_ms.saturating_sub(plan.buffer_before_minutes.saturating_mul(60_000));
        let from_day = date.pred_opt().unwrap_or(date).format("%Y-%m-%d").to_string();
        let to_day = date.checked_add_days(chrono::Days::new(2)).unwrap_or(date).format("%Y-%m-%d").to_string();
        let exception_rows = self.store.list_booking_exceptions(&plan.location.id, &from_day, &to_day).await?;
        let ids: Vec<String> = plan.candidates.iter().map(|resource| resource.id.clone()).collect();
        let cells = self.store.claimed_cells_between(&ids, read_from_ms, until_ms).await?;
        let opening = match &plan.hours {
            Some(hours) => hours.clone(),
            None => always_open()?,
        };
        let mut days = BTreeMap::new();
        for resource in &plan.candidates {
            let week = match plan.details.get(&resource.id).and_then(|row| row.working_hours_json.as_deref()) {
                Some(json) => WorkingWeek::parse(json).map_err(|error| AppError::internal(error.to_string()))?,
                None => WorkingWeek::whenever_open(),
            };
            let exceptions: Vec<ExceptionDay> = exception_rows
                .iter()
                .filter(|row| row.resource_id.is_none() || row.resource_id.as_deref() == Some(resource.id.as_str()))
                .filter_map(exception_day)
                .collect();
            let schedule = Schedule { zone: plan.zone, opening: &opening, week: &week, exceptions: &exceptions };
            let bookable = schedule.bookable_between(read_from_ms, until_ms).map_err(local_time_error)?;
            let taken =
                cells.iter().filter(|(id, _)| id == &resource.id).map(|(_, cell)| Occupancy::cell(*cell)).collect();
            days.insert(resource.id.clone(), ResourceDay { id: resource.id.clone(), bookable, taken });
        }
        let offers = plan
            .offers
            .iter()
            .filter_map(|members| {
                let members: Vec<&ResourceDay> = members.iter().filter_map(|id| days.get(id)).collect();
                Offer::joining(&members)
            })
            .collect();
        let search = Search {
            day_start_ms,
            day_end_ms,
            duration_minutes: plan.duration_minutes,
            buffer_minutes: plan.buffer_minutes,
            now_ms: self.now_ms(),
            window: settings.window,
            buffer_before_minutes: plan.buffer_before_minutes,
        };
        Ok(DayOffers { search, offers })
    }

    /// The time held on each of the plan's candidates in `[from_ms, to_ms)`, by candidate (in
    /// the candidates' order), read from the claimed cells — so a table that is a member of
    /// another booking on joined tables is seen as taken.
    pub async fn taken_by_candidate(
        &self,
        plan: &BookingPlan,
        from_ms: i64,
        to_ms: i64,
    ) -> AppResult<Vec<Vec<Occupancy>>> {
        let ids: Vec<String> = plan.candidates.iter().map(|resource| resource.id.clone()).collect();
        let first_cell_ms = from_ms.div_euclid(GRID_MS).saturating_mul(GRID_MS);
        let cells = self.store.claimed_cells_between(&ids, first_cell_ms, to_ms).await?;
        Ok(ids
            .iter()
            .map(|id| {
                cells
                    .iter()
                    .filter(|(resource_id, _)| resource_id == id)
                    .map(|(_, cell)| Occupancy::cell(*cell))
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
        let day = self.day_offers(&plan, date).await?;
        Ok(offered_slots(&day.search, &day.offers))
    }
}

/// The tables that could seat a party and how: one table, or up to
/// [`MAX_COMBINED_TABLES`] of one combinable group (none joined when one table was asked for).
fn seat_party(
    resources: Vec<BookingResourceRow>,
    details: &BTreeMap<String, BookingResourceDetailsRow>,
    party: i64,
    one_table_asked: bool,
) -> AppResult<(Vec<BookingResourceRow>, Vec<Vec<String>>)> {
    let tables: Vec<BookingResourceRow> =
        resources.into_iter().filter(|resource| resource.kind == ResourceKind::Table).collect();
    if tables.is_empty() {
        return Err(match one_table_asked {
            true => AppError::invalid("resource_id", "is not a table"),
            false => AppError::invalid("party_size", "this location takes no table bookings"),
        });
    }
    let seats = |value: Option<i64>, default: u16| value.and_then(|seats| u16::try_from(seats).ok()).unwrap_or(default);
    let as_seating: Vec<Table> = tables
        .iter()
        .map(|table| Table {
            id: table.id.clone(),
            seats_min: seats(table.seats_min, 1),
            seats_max: seats(table.seats_max, 0),
            group: details.get(&table.id).and_then(|row| row.combine_group.clone()),
        })
        .collect();
    let party = u16::try_from(party).map_err(|_| AppError::invalid("party_size", "is too large"))?;
    let joined = if one_table_asked { 1 } else { MAX_COMBINED_TABLES };
    let seatings = candidate_seatings(&as_seating, party, joined).map_err(|error| match error {
        SeatingError::PartyTooLarge { party, largest } => AppError::booking_refused(
            "party_size",
            BookingRefusal::PartyTooLarge,
            format!("no table or combination of tables here seats a party of {party} (the largest seats {largest})"),
        ),
        other => AppError::from(omnicanal_domain::DomainError::from(other)),
    })?;
    let offers: Vec<Vec<String>> = seatings.into_iter().map(|seating| seating.table_ids).collect();
    let used: Vec<BookingResourceRow> =
        tables.into_iter().filter(|table| offers.iter().any(|members| members.contains(&table.id))).collect();
    Ok((used, offers))
}
