//! The commands of bookings, each parsed once at the edge into validated values: a resource,
//! a service, what a booking is for (a party or a service) and the booking itself. Every bad
//! field is reported at once.

use omnicanal_domain::Money;
use omnicanal_domain::bookings::exceptions::{Exception, WorkingWeek};
use omnicanal_domain::bookings::nearest::Coordinates;
use omnicanal_domain::bookings::resources::{MAX_NAME_CHARS, MAX_SEATS, ResourceKind, ResourceSpec, ServiceSpec};

use crate::error::{AppError, AppResult};
use crate::ordering::phone::phone_problem;
use crate::validation::{Validator, plausible_email};

/// Longest customer name, in characters.
pub const MAX_CUSTOMER_NAME_CHARS: usize = 120;
/// Longest phone as written, in characters (the OpenAPI document's bound).
pub const MAX_PHONE_CHARS: usize = 30;
/// Longest e-mail, in characters.
pub const MAX_EMAIL_CHARS: usize = 254;

/// A text longer than the document's bound is refused as sent, before trimming, so what the
/// schema calls too long is never accepted because of its spaces.
fn too_long(field: &str, raw: &str, max: usize) -> AppResult<()> {
    if raw.chars().count() > max {
        return Err(AppError::invalid(field, format!("must be at most {max} characters")));
    }
    Ok(())
}

/// A new table, staff member or room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResource {
    /// What it is.
    pub spec: ResourceSpec,
}

impl NewResource {
    /// Parses the request's fields.
    pub fn parse(kind: &str, name: &str, seats_min: Option<i64>, seats_max: Option<i64>) -> AppResult<Self> {
        too_long("name", name, MAX_NAME_CHARS)?;
        let kind = ResourceKind::parse(kind).map_err(AppError::from)?;
        Ok(Self { spec: ResourceSpec::new(kind, name, seats_min, seats_max)? })
    }
}

/// A new service of a merchant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewService {
    /// The merchant offering it.
    pub merchant_id: String,
    /// What it is.
    pub spec: ServiceSpec,
}

impl NewService {
    /// Parses the request's fields (no buffer: 0 minutes).
    pub fn parse(
        merchant_id: &str,
        name: &str,
        duration_minutes: i64,
        buffer_minutes: Option<i64>,
        price: Option<Money>,
    ) -> AppResult<Self> {
        too_long("name", name, MAX_NAME_CHARS)?;
        let merchant_id = merchant_id.trim();
        if merchant_id.is_empty() {
            return Err(AppError::invalid("merchant_id", "is required"));
        }
        let spec = ServiceSpec::new(name, duration_minutes, buffer_minutes.unwrap_or(0), price)?;
        Ok(Self { merchant_id: merchant_id.to_owned(), spec })
    }

    /// The same service with `buffer_before_minutes` held before it (none when absent).
    pub fn with_buffer_before(self, buffer_before_minutes: Option<i64>) -> AppResult<Self> {
        let spec = self.spec.with_buffer_before(buffer_before_minutes.unwrap_or(0))?;
        Ok(Self { spec, ..self })
    }
}

/// What a booking is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookFor {
    /// A table for this many people.
    Party(i64),
    /// An appointment for this service (its id).
    Service(String),
}

impl BookFor {
    /// Exactly one of `party_size` and `service_id`.
    pub fn parse(party_size: Option<i64>, service_id: Option<&str>) -> AppResult<Self> {
        match (party_size, service_id.map(str::trim)) {
            (Some(party), None) if (1..=MAX_SEATS).contains(&party) => Ok(BookFor::Party(party)),
            (Some(_), None) => Err(AppError::invalid("party_size", format!("must be 1 to {MAX_SEATS}"))),
            (None, Some(service)) if !service.is_empty() => Ok(BookFor::Service(service.to_owned())),
            (Some(_), Some(_)) => Err(AppError::invalid("party_size", "give party_size or service_id, not both")),
            (None, _) => {
                Err(AppError::invalid("party_size", "give party_size (a table) or service_id (an appointment)"))
            }
        }
    }
}

/// Who booked: a name and a way to reach them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingCustomer {
    /// Trimmed, 1 to 120 characters.
    pub name: String,
    /// A plausible phone, when given.
    pub phone: Option<String>,
    /// A plausible e-mail, when given.
    pub email: Option<String>,
}

/// A booking as the customer asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRequest {
    /// The location.
    pub location_id: String,
    /// The start (Unix ms); the grid and the window are the use case's checks.
    pub start_ms: i64,
    /// The UTC offset the start was written with, seconds east; `None` for `Z` or `+00:00` (a
    /// UTC instant, which makes no claim about the site's clock). The use case refuses an offset that is
    /// not the site's at that instant (the hour a clock change skips, a wrong zone).
    pub start_offset_seconds: Option<i32>,
    /// A party or a service.
    pub wants: BookFor,
    /// A particular table, staff member or room; any free one when absent.
    pub resource_id: Option<String>,
    /// Who books.
    pub customer: BookingCustomer,
}

/// The raw fields of a booking request, as the edge read them.
#[derive(Debug, Clone, Copy)]
pub struct BookingFields<'a> {
    /// `location_id`.
    pub location_id: &'a str,
    /// `start_at` (RFC 3339).
    pub start_at: &'a str,
    /// `party_size`.
    pub party_size: Option<i64>,
    /// `service_id`.
    pub service_id: Option<&'a str>,
    /// `resource_id`.
    pub resource_id: Option<&'a str>,
    /// `customer.name`.
    pub name: &'a str,
    /// `customer.phone`.
    pub phone: Option<&'a str>,
    /// `customer.email`.
    pub email: Option<&'a str>,
}

impl BookingRequest {
    /// Parses a booking, reporting every bad field at once.
    pub fn parse(fields: BookingFields<'_>) -> AppResult<Self> {
        too_long("customer.name", fields.name, MAX_CUSTOMER_NAME_CHARS)?;
        too_long("customer.phone", fields.phone.unwrap_or_default(), MAX_PHONE_CHARS)?;
        too_long("customer.email", fields.email.unwrap_or_default(), MAX_EMAIL_CHARS)?;
        let mut v = Validator::new();
        let location_id = fields.location_id.trim();
        if location_id.is_empty() {
            v.push("location_id", "is required");
        }
        let start_at = fields.start_at.trim();
        // `Z`, `+00:00` and `-00:00` all write a UTC instant (RFC 3339 §4.3; chrono prints
        // `+00:00`), which makes no claim about the site's clock.
        let written_in_utc =
            start_at.ends_with(['Z', 'z']) || start_at.ends_with("+00:00") || start_at.ends_with("-00:00");
        let start = chrono::DateTime::parse_from_rfc3339(start_at)
            .map(|at| (at.timestamp_millis(), (!written_in_utc).then(|| at.offset().local_minus_utc())))
            .map_err(|_| v.push("start_at", "must be an RFC 3339 time with its offset (2026-12-24T20:00:00-03:00)"))
            .ok();
        let wants = match BookFor::parse(fields.party_size, fields.service_id) {
            Ok(wants) => Some(wants),
            Err(AppError::Invalid(errors)) => {
                for error in errors {
                    v.push(error.field, error.message);
                }
                None
            }
            Err(other) => return Err(other),
        };
        let name = fields.name.trim();
        if name.is_empty() {
            v.push("customer.name", "is required");
        } else if name.chars().count() > MAX_CUSTOMER_NAME_CHARS {
            v.push("customer.name", format!("must be at most {MAX_CUSTOMER_NAME_CHARS} characters"));
        }
        let phone = fields.phone.map(str::trim).filter(|phone| !phone.is_empty());
        if let Some(problem) = phone.and_then(|phone| phone_problem(Some(phone))) {
            v.push(problem.field, problem.message);
        }
        let email = fields.email.map(str::trim).filter(|email| !email.is_empty());
        if email.is_some_and(|email| !plausible_email(email)) {
            v.push("customer.email", "is not an e-mail address");
        }
        let resource_id = fields.resource_id.map(str::trim).filter(|id| !id.is_empty());
        v.done(|| {
            Some(Self {
                location_id: location_id.to_owned(),
                start_ms: start?.0,
                start_offset_seconds: start?.1,
                wants: wants?,
                resource_id: resource_id.map(str::to_owned),
                customer: BookingCustomer {
                    name: name.to_owned(),
                    phone: phone.map(str::to_owned),
                    email: email.map(str::to_owned),
                },
            })
        })
    }
}

/// Longest zone or combinable group name, in characters.
pub const MAX_LABEL_CHARS: usize = 60;
/// Most performers one service names.
pub const MAX_PERFORMERS: usize = 100;
/// Longest comuna or district name, in characters.
pub const MAX_COMUNA_CHARS: usize = 80;

/// Weekday → `[["HH:MM", "HH:MM"], …]` as the edge read it: a range that is not two times is
/// refused here, naming the field, rather than by the JSON reader.
pub type RawWeek = std::collections::BTreeMap<String, Vec<Vec<String>>>;

fn pairs(field: &str, ranges: &[Vec<String>]) -> AppResult<Vec<(String, String)>> {
    ranges
        .iter()
        .map(|range| match range.as_slice() {
            [start, end] => Ok((start.clone(), end.clone())),
            _ => Err(AppError::invalid(field, "each range is two times [\"HH:MM\", \"HH:MM\"]")),
        })
        .collect()
}

fn label(field: &str, raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(raw) = raw else { return Ok(None) };
    too_long(field, raw, MAX_LABEL_CHARS)?;
    let trimmed = raw.trim();
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

/// A resource's zone, combinable group and working week (each absent: none / whenever the
/// location is open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceDetails {
    /// The area it is in.
    pub zone: Option<String>,
    /// Tables of one group may be joined.
    pub combine_group: Option<String>,
    /// Its weekly shifts.
    pub working_week: Option<WorkingWeek>,
}

impl ResourceDetails {
    /// Parses the request's fields.
    pub fn parse(zone: Option<&str>, combine_group: Option<&str>, working_hours: Option<&RawWeek>) -> AppResult<Self> {
        let zone = label("zone", zone)?;
        let combine_group = label("combine_group", combine_group)?;
        let working_week = match working_hours {
            Some(raw) => {
                let mut text = std::collections::BTreeMap::new();
                for (day, ranges) in raw {
                    text.insert(day.clone(), pairs(&format!("working_hours.{day}"), ranges)?);
                }
                let json = serde_json::to_string(&text).map_err(|error| AppError::internal(error.to_string()))?;
                Some(WorkingWeek::parse(&json)?)
            }
            None => None,
        };
        Ok(Self { zone, combine_group, working_week })
    }
}

/// An exception day of a location or of one of its resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewException {
    /// The local date.
    pub date: chrono::NaiveDate,
    /// `holiday`, `location_hours`, `day_off` or `special_hours`.
    pub kind: String,
    /// The hours, for `location_hours` and `special_hours`, as `[["HH:MM", "HH:MM"], …]`.
    pub hours: Option<Vec<(String, String)>>,
    /// The resource, or `None` for the whole location.
    pub resource_id: Option<String>,
}

impl NewException {
    /// Parses the request's fields; the kind and hours are checked by the domain's `Exception`.
    pub fn parse(date: &str, kind: &str, hours: Option<&[Vec<String>]>, resource_id: Option<&str>) -> AppResult<Self> {
        let date = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::invalid("date", "must be a date YYYY-MM-DD"))?;
        let hours = hours.map(|ranges| pairs("hours", ranges)).transpose()?;
        Exception::parse(kind, hours.as_deref())?;
        let resource_id = resource_id.map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned);
        Ok(Self { date, kind: kind.to_owned(), hours, resource_id })
    }
}

/// Who performs a service: ids, deduplicated, at most [`MAX_PERFORMERS`].
pub fn parse_performers(resource_ids: &[String]) -> AppResult<Vec<String>> {
    if resource_ids.len() > MAX_PERFORMERS {
        return Err(AppError::invalid("resource_ids", format!("at most {MAX_PERFORMERS}")));
    }
    let mut ids: Vec<String> = resource_ids.iter().map(|id| id.trim().to_owned()).filter(|id| !id.is_empty()).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Where a location is.
#[derive(Debug, Clone, PartialEq)]
pub struct LocationPlace {
    /// Its position.
    pub coordinates: Coordinates,
    /// Its comuna or district.
    pub comuna: Option<String>,
}

impl LocationPlace {
    /// Parses the request's fields.
    pub fn parse(latitude: f64, longitude: f64, comuna: Option<&str>) -> AppResult<Self> {
        let coordinates = Coordinates::new(latitude, longitude).map_err(omnicanal_domain::DomainError::from)?;
        let comuna = match comuna {
            Some(raw) => {
                too_long("comuna", raw, MAX_COMUNA_CHARS)?;
                Some(raw.trim().to_owned()).filter(|comuna| !comuna.is_empty())
            }
            None => None,
        };
        Ok(Self { coordinates, comuna })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> BookingFields<'static> {
        BookingFields {
            location_id: "loc_1",
            start_at: "2026-12-24T20:00:00-03:00",
            party_size: Some(4),
            service_id: None,
            resource_id: None,
            name: "Ana",
            phone: Some("+56 9 1234 5678"),
            email: None,
        }
    }

    #[test]
    fn a_booking_parses_and_every_bad_field_is_named() {
        assert!(BookingRequest::parse(fields()).is_ok());
        let bad = BookingFields { start_at: "tomorrow", party_size: None, name: " ", email: Some("x"), ..fields() };
        let Err(AppError::Invalid(errors)) = BookingRequest::parse(bad) else { return };
        let named: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(named, vec!["start_at", "party_size", "customer.name", "customer.email"]);
    }
}
