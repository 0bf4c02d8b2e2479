//! "Nearest to me" (public): the locations nearest the visitor's position — or in the comuna
//! or district named — with their free slots of a day, for a party or a service.
//!
//! The ranking is the domain's (`nearest::nearest`, great-circle); the slots are each
//! location's `booking_availability`. Only locations that take the booking appear: a service
//! is its merchant's, so only that merchant's locations are asked; a location with no table
//! that seats the party (or nobody who performs the service) is left out rather than failing
//! the whole answer. At most [`MAX_NEAREST`] locations are searched, so one request stays cheap.

use chrono::NaiveDate;
use omnicanal_domain::bookings::availability::Slot;
use omnicanal_domain::bookings::nearest::{Coordinates, Place, nearest};

use super::command::BookFor;
use crate::App;
use crate::error::{AppError, AppResult};

/// Most locations one answer lists (and searches).
pub const MAX_NEAREST: usize = 10;
/// Most located places one ranking reads.
const MAX_PLACES_READ: i64 = 5_000;

/// Where the visitor is: a position, or a comuna or district by name.
#[derive(Debug, Clone, PartialEq)]
pub enum NearTo {
    /// Decimal degrees.
    Position(Coordinates),
    /// A comuna's name, matched without regard to case or surrounding spaces.
    Comuna(String),
}

/// A location near the visitor, with its free slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearbyLocation {
    /// The location.
    pub location_id: String,
    /// Its name.
    pub name: String,
    /// Its comuna, when set.
    pub comuna: Option<String>,
    /// How far it is, metres (a position only).
    pub distance_m: Option<u64>,
    /// Its free slots that day.
    pub slots: Vec<Slot>,
}

fn degrees(micro: i64) -> f64 {
    micro as f64 / 1_000_000.0
}

impl App {
    /// The locations nearest `near` with their free slots on `date`, closest first.
    pub async fn nearest_availability(
        &self,
        near: &NearTo,
        date: NaiveDate,
        wants: &BookFor,
    ) -> AppResult<Vec<NearbyLocation>> {
        let merchant = match wants {
            BookFor::Service(id) => {
                Some(self.store.get_booking_service(id).await?.ok_or(AppError::NotFound("service"))?.merchant_id)
            }
            BookFor::Party(_) => None,
        };
        let places = self.store.list_location_places(MAX_PLACES_READ).await?;
        let mut ranked: Vec<(String, Option<u64>, Option<String>)> = match near {
            NearTo::Position(from) => {
                let located: Vec<Place> = places
                    .iter()
                    .filter_map(|place| {
                        let at = Coordinates::new(degrees(place.latitude_e6), degrees(place.longitude_e6)).ok()?;
                        Some(Place { id: place.location_id.clone(), coordinates: at })
                    })
                    .collect();
                nearest(*from, &located, located.len())
                    .into_iter()
                    .map(|ranked| {
                        let comuna = places.iter().find(|p| p.location_id == ranked.id).and_then(|p| p.comuna.clone());
                        (ranked.id, Some(ranked.distance_m), comuna)
                    })
                    .collect()
            }
            NearTo::Comuna(name) => places
                .iter()
                .filter(|place| place.comuna.as_deref().is_some_and(|c| c.trim().eq_ignore_ascii_case(name.trim())))
                .map(|place| (place.location_id.clone(), None, place.comuna.clone()))
                .collect(),
        };
        let mut answer = Vec::new();
        for (location_id, distance_m, comuna) in ranked.drain(..) {
            if answer.len() >= MAX_NEAREST {
                break;
            }
            let Some(location) = self.store.get_location(&location_id).await? else { continue };
            if merchant.as_ref().is_some_and(|merchant| merchant != &location.merchant_id) {
                continue;
            }
            match self.booking_availability(&location.id, date, wants).await {
                Ok(slots) => answer.push(NearbyLocation {
                    location_id: location.id,
                    name: location.name,
                    comuna,
                    distance_m,
                    slots,
                }),
                // This location does not take this booking (no table seats the party, nobody
                // performs the service): the others still answer.
                Err(AppError::Invalid(_) | AppError::BookingRefused { .. } | AppError::NotFound(_)) => continue,
                Err(other) => return Err(other),
            }
        }
        Ok(answer)
    }
}
