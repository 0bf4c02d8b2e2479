//! What staff do on the schedule (issue 19 point 5): mark a booking seated, completed, a
//! no-show or cancelled, and seat a walk-in.
//!
//! Who: the location's staff, its merchant's managers, admins; another merchant's booking or
//! location is `NotFound`, as if it did not exist. Which moves: the domain's
//! `plan_staff_move`, over the booking's one transition table — a move the table forbids is a
//! conflict naming both statuses, a no-show before the start is invalid. A move that gives the
//! time back (no-show, cancelled, completed) frees the booking's cells in the same transaction
//! as its `booking.changed` (or `booking.cancelled`) event.
//!
//! A walk-in is a booking seated now: its start is now rounded down to the grid and it is
//! claimed by the same `App::claim_first_free` as a customer's booking (no second claim path);
//! the notice and window do not apply to a party already standing at the door.

use omnicanal_domain::access::Role;
use omnicanal_domain::bookings::booking::BookingStatus;
use omnicanal_domain::bookings::refusal::BookingRefusal;
use omnicanal_domain::bookings::staff::{
    StaffMovePlan, StaffMoveRefused, StaffStatus, plan_staff_move, walk_in_occupancy,
};
use omnicanal_domain::events::DomainEvent;
use omnicanal_store::{BookingRow, LocationRow};

use super::book::{announced, event};
use super::command::BookFor;
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::{new_token, sha256_hex};

/// Who works a location's schedule.
pub const BOOKING_STAFF_ROLES: [Role; 3] = [Role::Admin, Role::MerchantManager, Role::Staff];
/// A walk-in's name when staff give none.
pub const WALK_IN_NAME: &str = "Walk-in";
/// Longest walk-in name, in characters (as a customer's).
const MAX_WALK_IN_NAME_CHARS: usize = super::command::MAX_CUSTOMER_NAME_CHARS;

/// A walk-in as staff enter it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkIn {
    /// A party (a table) or a service (staff or a room).
    pub wants: BookFor,
    /// A particular table, staff member or room; any free one when absent.
    pub resource_id: Option<String>,
    /// The guest's name, [`WALK_IN_NAME`] when none was given.
    pub name: String,
}

impl WalkIn {
    /// Parses the form's fields; every bad one is reported.
    pub fn parse(
        party_size: Option<i64>,
        service_id: Option<&str>,
        resource_id: Option<&str>,
        name: Option<&str>,
    ) -> AppResult<Self> {
        let wants = BookFor::parse(party_size, service_id)?;
        let name = name.map(str::trim).filter(|name| !name.is_empty()).unwrap_or(WALK_IN_NAME);
        if name.chars().count() > MAX_WALK_IN_NAME_CHARS {
            return Err(AppError::invalid("name", format!("must be at most {MAX_WALK_IN_NAME_CHARS} characters")));
        }
        let resource_id = resource_id.map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned);
        Ok(Self { wants, resource_id, name: name.to_owned() })
    }
}

impl App {
    /// The location, when the caller works its schedule: another merchant's (or, for staff,
    /// another location) is `NotFound(what)`; a role that does not work schedules is `Forbidden`.
    pub(crate) async fn schedule_location(
        &self,
        caller: &Caller,
        location_id: &str,
        what: &'static str,
    ) -> AppResult<LocationRow> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound(what))?;
        caller.check_location(&location.merchant_id, &location.id).map_err(|_| AppError::NotFound(what))?;
        caller.require(&BOOKING_STAFF_ROLES)?;
        Ok(location)
    }

    /// Marks a booking seated, completed, a no-show or cancelled; the same mark again answers
    /// the booking unchanged.
    pub async fn set_booking_status(&self, caller: &Caller, id: &str, wanted: StaffStatus) -> AppResult<BookingRow> {
        let booking = self.store.get_booking(id).await?.ok_or(AppError::NotFound("booking"))?;
        self.schedule_location(caller, &booking.location_id, "booking").await?;
        let now_ms = self.now_ms();
        let to = match plan_staff_move(booking.status, wanted, booking.start_ms, now_ms) {
            Ok(StaffMovePlan::AlreadyThere) => return Ok(booking),
            Ok(StaffMovePlan::Move { to, .. }) => to,
            Err(StaffMoveRefused::NotAllowed { from, to }) => {
                return Err(AppError::booking_refused(
                    "status",
                    BookingRefusal::StatusConflict,
                    format!("a {from} booking cannot be marked {to}"),
                ));
            }
            Err(StaffMoveRefused::NoShowBeforeStart) => {
                return Err(AppError::booking_refused(
                    "status",
                    BookingRefusal::NoShowTooEarly,
                    "a booking is a no-show only once its start has passed",
                ));
            }
        };
        let cancelled_ms = if to == BookingStatus::Cancelled { Some(now_ms) } else { booking.cancelled_ms };
        let moved = BookingRow { status: to, cancelled_ms, ..booking.clone() };
        let announced = announced(&moved);
        let domain_event = if to == BookingStatus::Cancelled {
            DomainEvent::BookingCancelled(announced)
        } else {
            DomainEvent::BookingChanged(announced)
        };
        if self.end_booking(&booking, vec![booking.status], to, None, vec![event(domain_event, now_ms)]).await? {
            self.committed();
            return Ok(moved);
        }
        // Moved meanwhile by another tap: judge the request again against what is stored.
        let stored = self.store.get_booking(id).await?.ok_or(AppError::NotFound("booking"))?;
        if stored.status == to {
            return Ok(stored);
        }
        Err(AppError::booking_refused(
            "status",
            BookingRefusal::StatusConflict,
            format!("a {} booking cannot be marked {to}", stored.status),
        ))
    }

    /// Seats a walk-in now on a free table (or staff member or room) of the location; nothing
    /// free is a conflict.
    pub async fn walk_in(&self, caller: &Caller, location_id: &str, walk_in: WalkIn) -> AppResult<BookingRow> {
        let location = self.schedule_location(caller, location_id, "location").await?;
        let plan = self.booking_plan(&location.id, &walk_in.wants, walk_in.resource_id.as_deref()).await?;
        let now_ms = self.now_ms();
        // No opening hours, no working week: a walk-in is "now, whatever is free" (see
        // `walk_in_occupancy`); only the claim can refuse it.
        let wanted = walk_in_occupancy(now_ms, plan.duration_minutes, plan.buffer_before_minutes, plan.buffer_minutes);
        let start_ms = wanted.start_ms;
        let template = BookingRow {
            id: String::new(),
            merchant_id: plan.location.merchant_id.clone(),
            location_id: plan.location.id.clone(),
            resource_id: String::new(),
            service_id: plan.service_id.clone(),
            party_size: plan.party_size,
            start_ms,
            end_ms: start_ms.saturating_add(plan.duration_minutes.saturating_mul(60_000)),
            blocked_until_ms: wanted.blocked_until_ms,
            status: BookingStatus::Seated,
            customer_name: walk_in.name,
            customer_phone: None,
            customer_email: None,
            // A walk-in has no manage link: every booking carries a token's hash, and
            // `claim_first_free` sets the derived one's, which nobody is shown.
            manage_token_hash: sha256_hex(new_token().as_bytes()),
            created_ms: now_ms,
            cancelled_ms: None,
        };
        self.claim_first_free(&plan.offers, wanted, template, None, None, now_ms).await.map_err(|error| match error {
            AppError::BookingRefused { refusal: BookingRefusal::SlotTaken, .. } => {
                AppError::booking_refused("start_at", BookingRefusal::NothingFree, "nothing that fits is free now")
            }
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_in_needs_a_party_or_a_service_and_gets_a_name() {
        let walk_in = WalkIn::parse(Some(2), None, Some(" "), None);
        assert_eq!(
            walk_in.ok(),
            Some(WalkIn { wants: BookFor::Party(2), resource_id: None, name: WALK_IN_NAME.to_owned() })
        );
        assert!(WalkIn::parse(None, None, None, Some("Ana")).is_err());
        assert!(WalkIn::parse(Some(2), None, None, Some(&"a".repeat(121))).is_err());
    }
}
