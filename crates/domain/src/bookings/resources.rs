//! What can be booked: a location's tables (seats from/to), staff members and rooms, and the
//! services a merchant books on staff or rooms (duration, buffer, price). Each value has one
//! fallible constructor so a command holds only what makes sense.

use crate::{DomainError, Money};

crate::named_enum! {
    /// The kind of a bookable resource.
    pub enum ResourceKind("kind") {
        /// A restaurant table, booked for a party size.
        Table => "table",
        /// A staff member (a stylist), booked for a service.
        Staff => "staff",
        /// A room or chair, booked for a service.
        Room => "room",
    }
}

/// Longest resource or service name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// Most seats a table (or a set of combined tables) may have.
pub const MAX_SEATS: i64 = 100;
/// Longest service, in minutes (a whole working day).
pub const MAX_DURATION_MINUTES: i64 = 720;
/// Longest buffer after (or before) a service, in minutes.
pub const MAX_BUFFER_MINUTES: i64 = 240;
/// How long a table booking holds its table, in minutes (a restaurant's usual sitting).
pub const TABLE_SITTING_MINUTES: i64 = 90;
/// The buffer after a table booking, in minutes (clearing and laying the table).
pub const TABLE_BUFFER_MINUTES: i64 = 15;

/// How many people a table seats: a party fits when `min <= party <= max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seats {
    /// The fewest people the table is given to.
    pub min: i64,
    /// The most people it seats.
    pub max: i64,
}

impl Seats {
    /// Checks 1 <= min <= max <= [`MAX_SEATS`].
    pub fn new(min: i64, max: i64) -> Result<Self, DomainError> {
        if !(1..=MAX_SEATS).contains(&max) {
            return Err(DomainError::invalid("seats_max", format!("must be 1 to {MAX_SEATS}")));
        }
        if !(1..=max).contains(&min) {
            return Err(DomainError::invalid("seats_min", "must be at least 1 and at most seats_max"));
        }
        Ok(Self { min, max })
    }

    /// Whether a party of this size is given this table.
    pub fn fits(self, party: i64) -> bool {
        self.min <= party && party <= self.max
    }
}

/// A resource as a manager describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceSpec {
    /// Its kind.
    pub kind: ResourceKind,
    /// Trimmed, 1 to 120 characters.
    pub name: String,
    /// Seats, for tables only.
    pub seats: Option<Seats>,
}

fn checked_name(raw: &str) -> Result<String, DomainError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(DomainError::invalid("name", "is required"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::invalid("name", format!("must be at most {MAX_NAME_CHARS} characters")));
    }
    Ok(name.to_owned())
}

impl ResourceSpec {
    /// Validates a resource: a table needs `seats_max` (and `seats_min`, 1 by default); staff
    /// and rooms take no seats.
    pub fn new(
        kind: ResourceKind,
        name: &str,
        seats_min: Option<i64>,
        seats_max: Option<i64>,
    ) -> Result<Self, DomainError> {
        let name = checked_name(name)?;
        let seats = match (kind, seats_max) {
            (ResourceKind::Table, Some(max)) => Some(Seats::new(seats_min.unwrap_or(1), max)?),
            (ResourceKind::Table, None) => {
                return Err(DomainError::invalid("seats_max", "a table needs seats_max"));
            }
            (ResourceKind::Staff | ResourceKind::Room, None) if seats_min.is_none() => None,
            (ResourceKind::Staff | ResourceKind::Room, _) => {
                return Err(DomainError::invalid("seats_max", "only tables have seats"));
            }
        };
        Ok(Self { kind, name, seats })
    }
}

/// A service as a manager describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSpec {
    /// Trimmed, 1 to 120 characters.
    pub name: String,
    /// 5 to 720 minutes.
    pub duration_minutes: i64,
    /// 0 to 240 minutes kept free after it (cleaning, notes).
    pub buffer_minutes: i64,
    /// What it costs, if the merchant shows a price.
    pub price: Option<Money>,
    /// 0 to 240 minutes held before it (preparation: a room set up, a colour mixed); 0 from
    /// [`ServiceSpec::new`], set with [`ServiceSpec::with_buffer_before`].
    pub buffer_before_minutes: i64,
}

impl ServiceSpec {
    /// Validates a service.
    pub fn new(
        name: &str,
        duration_minutes: i64,
        buffer_minutes: i64,
        price: Option<Money>,
    ) -> Result<Self, DomainError> {
        let name = checked_name(name)?;
        if !(5..=MAX_DURATION_MINUTES).contains(&duration_minutes) {
            return Err(DomainError::invalid(
                "duration_minutes",
                format!("must be 5 to {MAX_DURATION_MINUTES} minutes"),
            ));
        }
        if !(0..=MAX_BUFFER_MINUTES).contains(&buffer_minutes) {
            return Err(DomainError::invalid("buffer_minutes", format!("must be 0 to {MAX_BUFFER_MINUTES} minutes")));
        }
        if price.is_some_and(|price| price.amount_minor < 0) {
            return Err(DomainError::invalid("price.amount", "must not be negative"));
        }
        Ok(Self { name, duration_minutes, buffer_minutes, price, buffer_before_minutes: 0 })
    }

    /// The same service with `minutes` held before it (0 to [`MAX_BUFFER_MINUTES`]). A
    /// separate step rather than another argument of [`ServiceSpec::new`], so every caller that
    /// knows no buffer before keeps meaning none.
    pub fn with_buffer_before(self, minutes: i64) -> Result<Self, DomainError> {
        if !(0..=MAX_BUFFER_MINUTES).contains(&minutes) {
            return Err(DomainError::invalid(
                "buffer_before_minutes",
                format!("must be 0 to {MAX_BUFFER_MINUTES} minutes"),
            ));
        }
        Ok(Self { buffer_before_minutes: minutes, ..self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_needs_seats_and_staff_has_none() {
        assert!(ResourceSpec::new(ResourceKind::Table, "Mesa 1", Some(2), Some(4)).is_ok());
        assert!(ResourceSpec::new(ResourceKind::Table, "Mesa 1", None, None).is_err());
        assert!(ResourceSpec::new(ResourceKind::Table, "Mesa 1", Some(5), Some(4)).is_err());
        assert!(ResourceSpec::new(ResourceKind::Staff, "Ana", None, Some(2)).is_err());
        assert!(ResourceSpec::new(ResourceKind::Room, "  ", None, None).is_err());
        let seats = Seats::new(2, 4).unwrap_or(Seats { min: 0, max: 0 });
        assert!(seats.fits(2) && seats.fits(4) && !seats.fits(1) && !seats.fits(5));
    }

    #[test]
    fn a_service_has_a_sensible_duration_and_buffer() {
        assert!(ServiceSpec::new("Corte", 45, 10, None).is_ok());
        assert!(ServiceSpec::new("Corte", 0, 10, None).is_err());
        assert!(ServiceSpec::new("Corte", 45, -1, None).is_err());
        assert!(ServiceSpec::new("", 45, 0, None).is_err());
    }

    #[test]
    fn a_buffer_before_is_zero_unless_set_and_bounded_like_the_one_after() -> Result<(), DomainError> {
        let plain = ServiceSpec::new("Color", 90, 10, None)?;
        assert_eq!(plain.buffer_before_minutes, 0);
        assert_eq!(plain.clone().with_buffer_before(15)?.buffer_before_minutes, 15);
        assert!(plain.clone().with_buffer_before(-1).is_err());
        assert!(plain.with_buffer_before(MAX_BUFFER_MINUTES + 1).is_err());
        Ok(())
    }
}
