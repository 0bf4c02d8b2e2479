//! The commands of bookings, each parsed once at the edge into validated values: a resource,
//! a service, what a booking is for (a party or a service) and the booking itself. Every bad
//! field is reported at once.

use omnicanal_domain::Money;
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
        let start_ms = chrono::DateTime::parse_from_rfc3339(fields.start_at.trim())
            .map(|at| at.timestamp_millis())
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
                start_ms: start_ms?,
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
