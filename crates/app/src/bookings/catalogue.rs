//! What the customer's booking pages show before anyone books (issue 19 point 5): the food
//! court's restaurants that take table bookings, a merchant's services and the stores whose
//! staff or rooms perform them, and a booking read by its manage link with everything its page
//! names (where, what, with whom, in which time zone, until when it may be changed).
//!
//! All public: a site, a shop and a booking's token are what a customer already holds. Each
//! list is small and bounded (a site's or a merchant's locations), so resources are read per
//! location rather than by a query of their own.

use omnicanal_domain::bookings::resources::ResourceKind;
use omnicanal_domain::bookings::settings::BookingSettings;
use omnicanal_store::{BookingResourceRow, BookingRow, BookingServiceRow, LocationRow, SiteRow};

use crate::App;
use crate::error::{AppError, AppResult};

/// A location offered for booking, with the resources a customer may pick among.
#[derive(Debug, Clone)]
pub struct BookableLocation {
    /// The location.
    pub location: LocationRow,
    /// Its tables (restaurants) or its staff and rooms (stores), oldest first.
    pub resources: Vec<BookingResourceRow>,
    /// Its booking rules (how far ahead a customer may book).
    pub settings: BookingSettings,
}

impl BookableLocation {
    /// The most people one of its tables seats (0 when it has none).
    pub fn largest_table(&self) -> i64 {
        self.resources.iter().filter(|r| r.kind == ResourceKind::Table).filter_map(|r| r.seats_max).max().unwrap_or(0)
    }
}

/// A booking as its manage page shows it.
#[derive(Debug, Clone)]
pub struct ManagedBooking {
    /// The booking.
    pub booking: BookingRow,
    /// Where.
    pub location: LocationRow,
    /// The location's site (its time zone and currency).
    pub site: SiteRow,
    /// The table, staff member or room.
    pub resource: Option<BookingResourceRow>,
    /// The service, for appointments.
    pub service: Option<BookingServiceRow>,
    /// The location's rules (the cancellation window the page announces).
    pub settings: BookingSettings,
}

impl App {
    /// The site's locations that have at least one table, by name, each with its tables.
    /// An unknown site: `NotFound`.
    pub async fn site_table_locations(&self, site_id: &str) -> AppResult<(SiteRow, Vec<BookableLocation>)> {
        let site = self.store.get_site(site_id).await?.ok_or(AppError::NotFound("site"))?;
        let locations = self.store.list_site_locations(&site.id).await?;
        let bookable = self.bookable(locations, |kind| kind == ResourceKind::Table).await?;
        Ok((site, bookable))
    }

    /// A merchant's services, by name (public: the agenda page lists them).
    pub async fn services_of(&self, merchant_id: &str) -> AppResult<Vec<BookingServiceRow>> {
        Ok(self.store.booking_services_of_merchant(merchant_id).await?)
    }

    /// A merchant's locations with staff or rooms, by name, each with them.
    pub async fn merchant_service_locations(&self, merchant_id: &str) -> AppResult<Vec<BookableLocation>> {
        let locations = self.store.list_merchant_locations(merchant_id).await?;
        self.bookable(locations, |kind| kind != ResourceKind::Table).await
    }

    /// A booking with what its manage page names, for the holder of its token (else
    /// `NotFound`, as if it did not exist).
    pub async fn managed_booking(&self, id: &str, token: &str) -> AppResult<ManagedBooking> {
        let booking = self.booking_by_token(id, token).await?;
        let location = self.store.get_location(&booking.location_id).await?.ok_or(AppError::NotFound("booking"))?;
        let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("booking"))?;
        let resource = self.store.get_booking_resource(&booking.resource_id).await?;
        let service = match &booking.service_id {
            Some(service_id) => self.store.get_booking_service(service_id).await?,
            None => None,
        };
        let settings = self.booking_settings(&location.id).await?;
        Ok(ManagedBooking { booking, location, site, resource, service, settings })
    }

    /// The locations among `locations` with a resource of a kind `wanted` keeps, by name.
    async fn bookable(
        &self,
        locations: Vec<LocationRow>,
        wanted: impl Fn(ResourceKind) -> bool,
    ) -> AppResult<Vec<BookableLocation>> {
        let mut bookable = Vec::new();
        for location in locations {
            let resources: Vec<BookingResourceRow> = self
                .store
                .list_booking_resources(&location.id)
                .await?
                .into_iter()
                .filter(|resource| wanted(resource.kind))
                .collect();
            if resources.is_empty() {
                continue;
            }
            let settings = self.booking_settings(&location.id).await?;
            bookable.push(BookableLocation { location, resources, settings });
        }
        bookable.sort_by(|a, b| a.location.name.cmp(&b.location.name));
        Ok(bookable)
    }
}
