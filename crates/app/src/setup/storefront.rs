//! Changes to a location and its storefront: name, payment at pickup, the on/off switch, a
//! pause ("too busy"), preparation time, weekly hours, the counter and the pickup-slot limit.
//!
//! Staff at the counter may only switch their location on or off and pause it; every other
//! change is a manager's, so a command knows which kind it is ([`LocationChanges::needs_manager`]).

use omnicanal_domain::catalog::Name;
use omnicanal_domain::hours::OpeningHours;
use omnicanal_domain::kitchen::PrepMinutes;
use omnicanal_store::LocationRow;

use crate::error::AppResult;
use crate::validation::Validator;

/// Longest pause, in minutes (twelve hours).
pub const MAX_PAUSE_MINUTES: i64 = 720;
/// Longest counter description, in characters.
pub const MAX_COUNTER_CHARS: usize = 80;
/// Most orders one pickup slot may be limited to.
pub const MAX_SLOT_CAPACITY: i64 = 10_000;

/// The fields of a location change as they arrive (every one optional), before parsing.
#[derive(Debug, Clone, Default)]
pub struct LocationChangeFields {
    /// Display name.
    pub name: Option<String>,
    /// Whether customers may pay at pickup.
    pub pay_at_pickup: Option<bool>,
    /// The on/off switch.
    pub is_open: Option<bool>,
    /// Pause for this many minutes, 1 to 720; 0 resumes now.
    pub pause_minutes: Option<i64>,
    /// Usual preparation time, 1 to 240 minutes.
    pub prep_minutes: Option<i64>,
    /// Weekly hours as JSON text (see [`OpeningHours::parse`]).
    pub opening_hours_json: Option<String>,
    /// True drops the opening hours.
    pub always_open: Option<bool>,
    /// Where the counter is.
    pub counter: Option<String>,
    /// Most orders per pickup slot, 1 to 10000; 0 removes the limit.
    pub slot_capacity: Option<i64>,
}

/// A pause of the storefront.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pause {
    /// Take orders again now.
    Resume,
    /// Take none for this many minutes from now.
    For(i64),
}

/// A parsed change to a location: `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocationChanges {
    /// New display name.
    pub name: Option<Name>,
    /// Whether customers may pay at pickup.
    pub pay_at_pickup: Option<bool>,
    /// The on/off switch.
    pub is_open: Option<bool>,
    /// A pause or its end.
    pub pause: Option<Pause>,
    /// Usual preparation time.
    pub prep_minutes: Option<PrepMinutes>,
    /// New weekly hours.
    pub opening_hours: Option<OpeningHours>,
    /// Given at all (true drops the hours; false changes nothing but is a manager's field).
    pub always_open: Option<bool>,
    /// The counter: `Some(None)` clears it.
    pub counter: Option<Option<String>>,
    /// The slot limit: `Some(None)` removes it.
    pub slot_capacity: Option<Option<i64>>,
}

impl LocationChanges {
    /// Parses the fields, reporting every bad one.
    pub fn parse(fields: LocationChangeFields) -> AppResult<Self> {
        let mut v = Validator::new();
        let name = fields.name.as_deref().map(|name| v.check("name", Name::parse("name", name)));
        let pause = match fields.pause_minutes {
            Some(0) => Some(Some(Pause::Resume)),
            Some(minutes @ 1..=MAX_PAUSE_MINUTES) => Some(Some(Pause::For(minutes))),
            Some(_) => Some(v.push_none("pause_minutes", "must be 0 (resume) to 720")),
            None => None,
        };
        let prep_minutes = fields.prep_minutes.map(|minutes| {
            PrepMinutes::parse(minutes).ok().or_else(|| v.push_none("prep_minutes", "must be 1 to 240"))
        });
        let opening_hours =
            fields.opening_hours_json.as_deref().map(|json| v.check("opening_hours", OpeningHours::parse(json)));
        let counter = fields.counter.as_deref().map(str::trim).map(|counter| {
            if counter.chars().count() > MAX_COUNTER_CHARS {
                v.push("counter", format!("must be at most {MAX_COUNTER_CHARS} characters"));
            }
            (!counter.is_empty()).then(|| counter.to_owned())
        });
        let slot_capacity = match fields.slot_capacity {
            Some(0) => Some(Some(None)),
            Some(capacity @ 1..=MAX_SLOT_CAPACITY) => Some(Some(Some(capacity))),
            Some(_) => Some(v.push_none("slot_capacity", "must be 0 (no limit) to 10000")),
            None => None,
        };
        v.done(|| {
            Some(Self {
                name: name.flatten_vetted()?,
                pay_at_pickup: fields.pay_at_pickup,
                is_open: fields.is_open,
                pause: pause.flatten_vetted()?,
                prep_minutes: prep_minutes.flatten_vetted()?,
                opening_hours: opening_hours.flatten_vetted()?,
                always_open: fields.always_open,
                counter,
                slot_capacity: slot_capacity.flatten_vetted()?,
            })
        })
    }

    /// True when the change touches more than the switch and the pause (a manager's fields).
    pub fn needs_manager(&self) -> bool {
        self.name.is_some()
            || self.pay_at_pickup.is_some()
            || self.prep_minutes.is_some()
            || self.opening_hours.is_some()
            || self.always_open.is_some()
            || self.counter.is_some()
            || self.slot_capacity.is_some()
    }

    /// Applies the change to `location` at `now_ms` (a pause runs from now).
    pub fn apply_to(self, location: &mut LocationRow, now_ms: i64) {
        let storefront = &mut location.storefront;
        if let Some(name) = self.name {
            location.name = name.into_inner();
        }
        if let Some(pay_at_pickup) = self.pay_at_pickup {
            location.pay_at_pickup = pay_at_pickup;
        }
        if let Some(is_open) = self.is_open {
            location.is_open = is_open;
        }
        match self.pause {
            Some(Pause::Resume) => storefront.paused_until_ms = None,
            Some(Pause::For(minutes)) => storefront.paused_until_ms = Some(now_ms + minutes * 60_000),
            None => {}
        }
        if let Some(prep) = self.prep_minutes {
            storefront.prep_minutes = prep.minutes();
        }
        if let Some(hours) = self.opening_hours {
            storefront.opening_hours_json = Some(hours.to_json());
        }
        // Both given: "always open" wins, as the field's name promises.
        if self.always_open == Some(true) {
            storefront.opening_hours_json = None;
        }
        if let Some(counter) = self.counter {
            storefront.counter = counter;
        }
        if let Some(capacity) = self.slot_capacity {
            storefront.slot_capacity = capacity;
        }
    }
}

/// A field that was given (`Some`) holds its vetted value, or `None` after an error that the
/// validator recorded; once the validator is clean every given field holds a value.
trait FlattenVetted<T> {
    /// `Some(Some(value))` → `Some(Some(value))`, `None` → `Some(None)`, `Some(None)` → `None`.
    fn flatten_vetted(self) -> Option<Option<T>>;
}

impl<T> FlattenVetted<T> for Option<Option<T>> {
    fn flatten_vetted(self) -> Option<Option<T>> {
        match self {
            Some(Some(value)) => Some(Some(value)),
            Some(None) => None,
            None => Some(None),
        }
    }
}

trait PushNone {
    /// Records an error and answers `None`, for a field's parse.
    fn push_none<T>(&mut self, field: &str, message: &str) -> Option<T>;
}

impl PushNone for Validator {
    fn push_none<T>(&mut self, field: &str, message: &str) -> Option<T> {
        self.push(field, message);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    fn location() -> LocationRow {
        LocationRow {
            id: "loc_1".into(),
            merchant_id: "mer_1".into(),
            site_id: "site_1".into(),
            name: "Napoli".into(),
            pay_at_pickup: false,
            is_open: true,
            storefront: Default::default(),
            created_at_ms: 0,
        }
    }

    #[test]
    fn the_switch_and_the_pause_are_staff_fields() -> AppResult<()> {
        let pause = LocationChanges::parse(LocationChangeFields {
            is_open: Some(false),
            pause_minutes: Some(30),
            ..Default::default()
        })?;
        assert!(!pause.needs_manager());
        let mut row = location();
        pause.apply_to(&mut row, 1_000);
        assert_eq!((row.is_open, row.storefront.paused_until_ms), (false, Some(1_000 + 30 * 60_000)));
        let hours = LocationChanges::parse(LocationChangeFields { always_open: Some(false), ..Default::default() })?;
        assert!(hours.needs_manager(), "always_open is a manager's field even when false");
        Ok(())
    }

    #[test]
    fn always_open_drops_hours_given_with_it_and_blank_counters_clear() -> AppResult<()> {
        let changes = LocationChanges::parse(LocationChangeFields {
            opening_hours_json: Some(r#"{"1":[["10:00","12:00"]]}"#.into()),
            always_open: Some(true),
            counter: Some("  ".into()),
            slot_capacity: Some(0),
            prep_minutes: Some(25),
            ..Default::default()
        })?;
        let mut row = location();
        row.storefront.counter = Some("Local 1".into());
        row.storefront.slot_capacity = Some(4);
        changes.apply_to(&mut row, 0);
        assert_eq!(row.storefront.opening_hours_json, None);
        assert_eq!(
            (row.storefront.counter, row.storefront.slot_capacity, row.storefront.prep_minutes),
            (None, None, 25)
        );
        Ok(())
    }

    #[test]
    fn every_bad_field_is_named() {
        let refused = LocationChanges::parse(LocationChangeFields {
            name: Some(String::new()),
            pause_minutes: Some(721),
            prep_minutes: Some(0),
            opening_hours_json: Some(r#"{"9":[]}"#.into()),
            counter: Some("x".repeat(81)),
            slot_capacity: Some(-1),
            ..Default::default()
        });
        let fields: Vec<String> = match refused {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|error| error.field).collect(),
            other => panic!("expected invalid fields, got {other:?}"),
        };
        assert_eq!(fields, ["name", "pause_minutes", "prep_minutes", "opening_hours", "counter", "slot_capacity"]);
    }
}
