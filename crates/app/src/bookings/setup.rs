//! Managers set bookings up: a location's tables, staff and rooms, and a merchant's services.
//! Admins may set up any merchant's; a merchant's manager only its own — another merchant's
//! location or merchant is `NotFound`, so its ids cannot be probed.

use omnicanal_domain::access::Role;
use omnicanal_store::{BookingResourceRow, BookingServiceRow};

use super::command::{NewResource, NewService};
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;

/// Who may set bookings up.
pub const BOOKING_SETUP_ROLES: [Role; 2] = [Role::Admin, Role::MerchantManager];

impl App {
    /// Adds a table, staff member or room to a location.
    pub async fn create_booking_resource(
        &self,
        caller: &Caller,
        location_id: &str,
        resource: NewResource,
    ) -> AppResult<BookingResourceRow> {
        caller.require(&BOOKING_SETUP_ROLES)?;
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        let spec = resource.spec;
        let row = BookingResourceRow {
            id: new_id("res"),
            merchant_id: location.merchant_id,
            location_id: location.id,
            kind: spec.kind,
            name: spec.name,
            seats_min: spec.seats.map(|seats| seats.min),
            seats_max: spec.seats.map(|seats| seats.max),
            created_ms: self.now_ms(),
        };
        self.store.insert_booking_resource(&row).await?;
        Ok(row)
    }

    /// Adds a service a merchant books on its staff and rooms.
    pub async fn create_booking_service(&self, caller: &Caller, service: NewService) -> AppResult<BookingServiceRow> {
        caller.require(&BOOKING_SETUP_ROLES)?;
        caller.check_merchant(&service.merchant_id, "merchant")?;
        let merchant = self.store.get_merchant(&service.merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
        let spec = service.spec;
        let row = BookingServiceRow {
            id: new_id("svc"),
            merchant_id: merchant.id,
            name: spec.name,
            duration_minutes: spec.duration_minutes,
            buffer_minutes: spec.buffer_minutes,
            price: spec.price,
            created_ms: self.now_ms(),
        };
        self.store.insert_booking_service(&row).await?;
        Ok(row)
    }

    /// A location's resources (anyone may read them: customers pick a table or a stylist).
    pub async fn booking_resources(&self, location_id: &str) -> AppResult<Vec<BookingResourceRow>> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        Ok(self.store.list_booking_resources(&location.id).await?)
    }
}
