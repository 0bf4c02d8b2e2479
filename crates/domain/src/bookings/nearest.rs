//! "Nearest to me": locations ranked by great-circle distance from the visitor's position.
//!
//! Distances are haversine on a sphere of the Earth's mean radius, rounded to whole metres:
//! within 0.5 % of the ellipsoid, which is far below what ranking the stores of one city
//! needs, and with no geodesy crate. Equal distances are broken by location id so a page shows
//! the same order on every request. Coordinates are validated once, at the edge
//! ([`Coordinates::new`], [`Coordinates::parse`]); the ranking itself cannot fail.

use std::cmp::Ordering;

use crate::DomainError;

/// The Earth's mean radius (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Most locations one ranking takes (a limit on the work one request can ask for).
pub const MAX_PLACES: usize = 5_000;

/// A validated position: latitude in [-90, 90], longitude in [-180, 180], degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    latitude: f64,
    longitude: f64,
}

/// Why a position was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoordinatesError {
    /// Latitude outside [-90, 90] or not a number.
    #[error("latitude {0} is outside -90 to 90 degrees")]
    LatitudeOutOfRange(f64),
    /// Longitude outside [-180, 180] or not a number.
    #[error("longitude {0} is outside -180 to 180 degrees")]
    LongitudeOutOfRange(f64),
    /// Text that is not `latitude,longitude`.
    #[error("a position is written \"latitude,longitude\" in decimal degrees, e.g. \"-33.4172,-70.6043\"")]
    Unreadable,
}

impl From<CoordinatesError> for DomainError {
    fn from(error: CoordinatesError) -> Self {
        let field = match error {
            CoordinatesError::LatitudeOutOfRange(_) => "latitude",
            CoordinatesError::LongitudeOutOfRange(_) => "longitude",
            CoordinatesError::Unreadable => "near",
        };
        DomainError::invalid(field, error.to_string())
    }
}

impl Coordinates {
    /// A position from decimal degrees; NaN and infinities are out of range.
    pub fn new(latitude: f64, longitude: f64) -> Result<Self, CoordinatesError> {
        if !(-90.0..=90.0).contains(&latitude) {
            return Err(CoordinatesError::LatitudeOutOfRange(latitude));
        }
        if !(-180.0..=180.0).contains(&longitude) {
            return Err(CoordinatesError::LongitudeOutOfRange(longitude));
        }
        Ok(Self { latitude, longitude })
    }

    /// Parses `"latitude,longitude"` (spaces around either number allowed).
    pub fn parse(text: &str) -> Result<Self, CoordinatesError> {
        let (latitude, longitude) = text.split_once(',').ok_or(CoordinatesError::Unreadable)?;
        let number = |raw: &str| raw.trim().parse::<f64>().map_err(|_| CoordinatesError::Unreadable);
        Self::new(number(latitude)?, number(longitude)?)
    }

    /// Latitude, degrees.
    pub fn latitude(self) -> f64 {
        self.latitude
    }

    /// Longitude, degrees.
    pub fn longitude(self) -> f64 {
        self.longitude
    }

    /// Great-circle distance to `other`, whole metres.
    pub fn distance_m(self, other: Coordinates) -> u64 {
        let (phi1, phi2) = (self.latitude.to_radians(), other.latitude.to_radians());
        let half_dphi = (phi2 - phi1) / 2.0;
        let half_dlambda = (other.longitude - self.longitude).to_radians() / 2.0;
        let a = half_dphi.sin().powi(2) + phi1.cos() * phi2.cos() * half_dlambda.sin().powi(2);
        // Rounding can push `a` a hair outside [0, 1] for antipodal points; asin would give NaN.
        let central_angle = 2.0 * a.clamp(0.0, 1.0).sqrt().asin();
        let metres = (EARTH_RADIUS_M * central_angle).round();
        // A whole number from 0 to half the circumference (about 20 015 km): the cast is exact
        // (and a float-to-integer `as` saturates rather than wraps in any case).
        metres.max(0.0) as u64
    }
}

/// A location to rank.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// The location's id.
    pub id: String,
    /// Where it is.
    pub coordinates: Coordinates,
}

/// A location and how far it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    /// The location's id.
    pub id: String,
    /// Great-circle distance from the asked-for point, whole metres.
    pub distance_m: u64,
}

/// The places nearest `from`, closest first, ties by id; at most `limit` of them, and only the
/// first [`MAX_PLACES`] places are considered.
pub fn nearest(from: Coordinates, places: &[Place], limit: usize) -> Vec<Ranked> {
    let mut ranked: Vec<Ranked> = places
        .iter()
        .take(MAX_PLACES)
        .map(|place| Ranked { id: place.id.clone(), distance_m: from.distance_m(place.coordinates) })
        .collect();
    ranked.sort_by(by_distance_then_id);
    ranked.truncate(limit);
    ranked
}

fn by_distance_then_id(a: &Ranked, b: &Ranked) -> Ordering {
    a.distance_m.cmp(&b.distance_m).then_with(|| a.id.cmp(&b.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(latitude: f64, longitude: f64) -> Coordinates {
        Coordinates::new(latitude, longitude).unwrap_or(Coordinates { latitude: 0.0, longitude: 0.0 })
    }

    fn place(id: &str, latitude: f64, longitude: f64) -> Place {
        Place { id: id.to_owned(), coordinates: at(latitude, longitude) }
    }

    #[test]
    fn ranks_santiago_stores_from_an_office_in_providencia() {
        let office = at(-33.4263, -70.6200);
        let stores = [
            place("costanera", -33.4175, -70.6067),
            place("plaza-egana", -33.4539, -70.5700),
            place("florida", -33.5106, -70.6077),
            place("vina", -33.0245, -71.5518),
        ];
        let ranked = nearest(office, &stores, 3);
        let order: Vec<&str> = ranked.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(order, ["costanera", "plaza-egana", "florida"]);
        // Costanera Center is about 1.6 km away; Viña del Mar about 94 km.
        assert!((1_400..1_800).contains(&ranked[0].distance_m), "{}", ranked[0].distance_m);
        assert!((90_000..100_000).contains(&office.distance_m(stores[3].coordinates)));
    }

    #[test]
    fn equal_distances_are_ordered_by_id() {
        let origin = at(0.0, 0.0);
        let ranked = nearest(origin, &[place("b", 0.0, 1.0), place("a", 0.0, -1.0), place("c", 1.0, 0.0)], 10);
        assert_eq!(ranked.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(ranked[0].distance_m, ranked[1].distance_m);
    }

    #[test]
    fn refuses_positions_off_the_globe() {
        assert_eq!(Coordinates::new(90.5, 0.0), Err(CoordinatesError::LatitudeOutOfRange(90.5)));
        assert_eq!(Coordinates::new(0.0, -180.5), Err(CoordinatesError::LongitudeOutOfRange(-180.5)));
        assert!(matches!(Coordinates::new(f64::NAN, 0.0), Err(CoordinatesError::LatitudeOutOfRange(_))));
        assert!(matches!(Coordinates::new(0.0, f64::INFINITY), Err(CoordinatesError::LongitudeOutOfRange(_))));
        assert_eq!(Coordinates::parse(" -33.4263 , -70.62 "), Ok(at(-33.4263, -70.62)));
        assert_eq!(Coordinates::parse("-33.4263"), Err(CoordinatesError::Unreadable));
        assert_eq!(Coordinates::parse("north,west"), Err(CoordinatesError::Unreadable));
        assert_eq!(Coordinates::parse("-91,0"), Err(CoordinatesError::LatitudeOutOfRange(-91.0)));
        let refused: DomainError = CoordinatesError::LatitudeOutOfRange(91.0).into();
        assert!(matches!(refused, DomainError::Invalid { ref field, .. } if field == "latitude"));
    }

    #[test]
    fn antipodes_are_half_the_world_apart() {
        let half_circumference = (EARTH_RADIUS_M * std::f64::consts::PI).round();
        let distance = at(0.0, 0.0).distance_m(at(0.0, 180.0));
        assert_eq!(distance.to_string(), format!("{half_circumference}"));
        assert_eq!(at(90.0, 0.0).distance_m(at(-90.0, 0.0)), distance);
    }

    fn coordinates() -> impl Strategy<Value = Coordinates> {
        (-90.0f64..=90.0, -180.0f64..=180.0).prop_map(|(latitude, longitude)| at(latitude, longitude))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn distance_is_symmetric_and_zero_to_itself(a in coordinates(), b in coordinates()) {
            prop_assert_eq!(a.distance_m(b), b.distance_m(a));
            prop_assert_eq!(a.distance_m(a), 0);
            prop_assert!(a.distance_m(b) <= 20_015_100);
        }

        #[test]
        fn ranking_is_sorted_complete_and_bounded(from in coordinates(), spots in prop::collection::vec(coordinates(), 0..30), limit in 0usize..40) {
            let places: Vec<Place> = spots.iter().enumerate()
                .map(|(i, c)| Place { id: format!("loc-{:02}", i % 10), coordinates: *c }).collect();
            let ranked = nearest(from, &places, limit);
            prop_assert_eq!(ranked.len(), places.len().min(limit));
            for pair in ranked.windows(2) {
                prop_assert!(by_distance_then_id(&pair[0], &pair[1]) != Ordering::Greater);
            }
            for entry in &ranked {
                let place = places.iter().find(|p| p.id == entry.id && from.distance_m(p.coordinates) == entry.distance_m);
                prop_assert!(place.is_some());
            }
            // Nothing left out is nearer than the farthest kept.
            if let Some(last) = ranked.last() {
                let nearer = places.iter().filter(|p| from.distance_m(p.coordinates) < last.distance_m).count();
                prop_assert!(nearer < ranked.len());
            }
        }
    }
}
