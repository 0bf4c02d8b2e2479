//! Managers set bookings up: a location's tables, staff and rooms (with a table's zone and
//! combinable group and a resource's working week), exception days, a merchant's services and
//! who performs them, and where a location is (for "nearest to me").
//! Admins may set up any merchant's; a merchant's manager only its own — another merchant's
//! location or merchant is `NotFound`, so its ids cannot be probed.

use chrono::NaiveDate;
use omnicanal_domain::access::Role;
use omnicanal_domain::bookings::resources::ResourceKind;
use omnicanal_store::{
    BookingExceptionRow, BookingResourceDetailsRow, BookingResourceRow, BookingServiceRow, LocationPlaceRow,
    LocationRow,
};

use super::command::{LocationPlace, NewException, NewResource, NewService, ResourceDetails};
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
        let row = self.new_service_row(caller, service).await?;
        self.store.insert_booking_service(&row).await?;
        Ok(row)
    }

    /// A new service's row, once the caller may add it to its merchant (not stored yet).
    pub(crate) async fn new_service_row(&self, caller: &Caller, service: NewService) -> AppResult<BookingServiceRow> {
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
            buffer_before_minutes: spec.buffer_before_minutes,
        };
        Ok(row)
    }

    /// A location's resources (anyone may read them: customers pick a table or a stylist).
    pub async fn booking_resources(&self, location_id: &str) -> AppResult<Vec<BookingResourceRow>> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        Ok(self.store.list_booking_resources(&location.id).await?)
    }
}

/// A resource with its details (zone, combinable group, working week), as the setup pages and
/// `GET /locations/{id}/resources` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceWithDetails {
    /// The resource.
    pub resource: BookingResourceRow,
    /// Its details, when its manager set any.
    pub details: Option<BookingResourceDetailsRow>,
}

/// A service with who performs it (empty: every staff member and room of a location).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceWithPerformers {
    /// The service.
    pub service: BookingServiceRow,
    /// The resources that perform it.
    pub performer_ids: Vec<String>,
}

/// Most services one merchant's list shows.
pub const MAX_SERVICES_LISTED: i64 = 500;

impl App {
    /// A resource the caller may set up: another merchant's (or, for staff, another
    /// location's) is `NotFound`.
    async fn resource_for_setup(&self, caller: &Caller, resource_id: &str) -> AppResult<BookingResourceRow> {
        caller.require(&BOOKING_SETUP_ROLES)?;
        let resource = self.store.get_booking_resource(resource_id).await?.ok_or(AppError::NotFound("resource"))?;
        caller.check_merchant(&resource.merchant_id, "resource")?;
        Ok(resource)
    }

    /// A location the caller may set up.
    async fn location_for_setup(&self, caller: &Caller, location_id: &str) -> AppResult<LocationRow> {
        caller.require(&BOOKING_SETUP_ROLES)?;
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        Ok(location)
    }

    /// Sets a resource's zone, combinable group (tables only) and working week.
    pub async fn set_resource_details(
        &self,
        caller: &Caller,
        resource_id: &str,
        details: ResourceDetails,
    ) -> AppResult<ResourceWithDetails> {
        let resource = self.resource_for_setup(caller, resource_id).await?;
        if details.combine_group.is_some() && resource.kind != ResourceKind::Table {
            return Err(AppError::invalid("combine_group", "only tables are joined"));
        }
        let row = BookingResourceDetailsRow {
            resource_id: resource.id.clone(),
            zone: details.zone,
            combine_group: details.combine_group,
            working_hours_json: details.working_week.map(|week| week.to_json()),
            updated_ms: self.now_ms(),
        };
        self.store.put_booking_resource_details(&row).await?;
        Ok(ResourceWithDetails { resource, details: Some(row) })
    }

    /// A location's resources with their details (public: customers pick a table or a stylist).
    pub async fn booking_resources_with_details(&self, location_id: &str) -> AppResult<Vec<ResourceWithDetails>> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        let resources = self.store.list_booking_resources(&location.id).await?;
        let details = self.store.list_booking_resource_details(&location.id).await?;
        Ok(resources
            .into_iter()
            .map(|resource| {
                let details = details.iter().find(|row| row.resource_id == resource.id).cloned();
                ResourceWithDetails { resource, details }
            })
            .collect())
    }

    /// Adds an exception day to a location or to one of its resources (another location's
    /// resource: `NotFound`).
    pub async fn add_booking_exception(
        &self,
        caller: &Caller,
        location_id: &str,
        exception: NewException,
    ) -> AppResult<BookingExceptionRow> {
        let location = self.location_for_setup(caller, location_id).await?;
        if let Some(resource_id) = &exception.resource_id {
            self.store
                .get_booking_resource(resource_id)
                .await?
                .filter(|resource| resource.location_id == location.id)
                .ok_or(AppError::NotFound("resource"))?;
        }
        let hours_json = match &exception.hours {
            Some(hours) => Some(serde_json::to_string(hours).map_err(|error| AppError::internal(error.to_string()))?),
            None => None,
        };
        let row = BookingExceptionRow {
            id: new_id("bex"),
            location_id: location.id,
            resource_id: exception.resource_id,
            day: exception.date.format("%Y-%m-%d").to_string(),
            kind: exception.kind,
            hours_json,
            created_ms: self.now_ms(),
        };
        self.store.insert_booking_exception(&row).await?;
        Ok(row)
    }

    /// A location's exception days from `from` to `to` (at most a year apart).
    pub async fn booking_exceptions(
        &self,
        caller: &Caller,
        location_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<BookingExceptionRow>> {
        let location = self.location_for_setup(caller, location_id).await?;
        if to < from || (to - from).num_days() > 400 {
            return Err(AppError::invalid("to", "must be on or after from, at most 400 days later"));
        }
        let (from, to) = (from.format("%Y-%m-%d").to_string(), to.format("%Y-%m-%d").to_string());
        Ok(self.store.list_booking_exceptions(&location.id, &from, &to).await?)
    }

    /// Removes an exception day of a location.
    pub async fn delete_booking_exception(&self, caller: &Caller, location_id: &str, id: &str) -> AppResult<()> {
        let location = self.location_for_setup(caller, location_id).await?;
        if self.store.delete_booking_exception(&location.id, id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound("exception"))
        }
    }

    /// Sets who performs a service: staff members and rooms of the service's merchant
    /// (another merchant's resource: `NotFound`; a table: invalid).
    pub async fn set_service_performers(
        &self,
        caller: &Caller,
        service_id: &str,
        resource_ids: Vec<String>,
    ) -> AppResult<ServiceWithPerformers> {
        caller.require(&BOOKING_SETUP_ROLES)?;
        let service = self.store.get_booking_service(service_id).await?.ok_or(AppError::NotFound("service"))?;
        caller.check_merchant(&service.merchant_id, "service")?;
        for id in &resource_ids {
            let resource = self
                .store
                .get_booking_resource(id)
                .await?
                .filter(|resource| resource.merchant_id == service.merchant_id)
                .ok_or(AppError::NotFound("resource"))?;
            if resource.kind == ResourceKind::Table {
                return Err(AppError::invalid(
                    "resource_ids",
                    format!("{} is a table; tables perform no service", resource.id),
                ));
            }
        }
        self.store.set_service_performers(&service.id, &resource_ids).await?;
        Ok(ServiceWithPerformers { service, performer_ids: resource_ids })
    }

    /// A merchant's services (public: the booking pages list them).
    pub async fn booking_services(&self, merchant_id: &str) -> AppResult<Vec<ServiceWithPerformers>> {
        let merchant = self.store.get_merchant(merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
        let services = self.store.list_booking_services(&merchant.id, MAX_SERVICES_LISTED).await?;
        let mut listed = Vec::with_capacity(services.len());
        for service in services {
            let performer_ids = self.store.service_performers(&service.id).await?;
            listed.push(ServiceWithPerformers { service, performer_ids });
        }
        Ok(listed)
    }

    /// A service with its performers (public).
    pub async fn booking_service(&self, service_id: &str) -> AppResult<ServiceWithPerformers> {
        let service = self.store.get_booking_service(service_id).await?.ok_or(AppError::NotFound("service"))?;
        let performer_ids = self.store.service_performers(&service.id).await?;
        Ok(ServiceWithPerformers { service, performer_ids })
    }

    /// Sets where a location is (its coordinates and comuna).
    pub async fn set_location_place(
        &self,
        caller: &Caller,
        location_id: &str,
        place: LocationPlace,
    ) -> AppResult<LocationPlaceRow> {
        let location = self.location_for_setup(caller, location_id).await?;
        let micro = |degrees: f64| (degrees * 1_000_000.0).round() as i64;
        let row = LocationPlaceRow {
            location_id: location.id,
            latitude_e6: micro(place.coordinates.latitude()),
            longitude_e6: micro(place.coordinates.longitude()),
            comuna: place.comuna,
            updated_ms: self.now_ms(),
        };
        self.store.put_location_place(&row).await?;
        Ok(row)
    }

    /// Where a location is (public), when its manager set it.
    pub async fn location_place(&self, location_id: &str) -> AppResult<LocationPlaceRow> {
        self.store.get_location_place(location_id).await?.ok_or(AppError::NotFound("place"))
    }

    /// A location's booking rules (public: pages say how far ahead one may book); an unknown
    /// location is `NotFound`.
    pub async fn public_booking_settings(
        &self,
        location_id: &str,
    ) -> AppResult<omnicanal_domain::bookings::settings::BookingSettings> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        self.booking_settings(&location.id).await
    }
}
