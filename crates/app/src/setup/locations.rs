//! Locations (a merchant's counter or store at a site): created by an admin or the merchant's
//! manager, read by whoever may see the location, changed as [`super::storefront`] allows.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::Name;
use omnicanal_store::{LocationRow, StorefrontSettings};

use super::storefront::LocationChanges;
use crate::App;
use crate::audit::{AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// A new location, parsed; the merchant and site it names are checked by [`App::create_location`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLocation {
    /// Owner.
    pub merchant_id: String,
    /// Site.
    pub site_id: String,
    /// Display name.
    pub name: Name,
    /// Whether customers may pay at pickup.
    pub pay_at_pickup: bool,
}

impl NewLocation {
    /// Parses a new location.
    pub fn parse(merchant_id: String, site_id: String, name: &str, pay_at_pickup: bool) -> AppResult<Self> {
        let mut v = Validator::new();
        let name = v.check("name", Name::parse("name", name));
        v.done(|| Some(Self { merchant_id, site_id, name: name?, pay_at_pickup }))
    }
}

impl App {
    /// Creates a location, open and with the default storefront. Admins create them for any
    /// merchant, a manager for its own; a merchant the caller may not see is "no such merchant".
    pub async fn create_location(&self, caller: &Caller, location: NewLocation) -> AppResult<LocationRow> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let mut v = Validator::new();
        let merchant_visible = caller.check_merchant(&location.merchant_id, "merchant").is_ok();
        if !merchant_visible || self.store.get_merchant(&location.merchant_id).await?.is_none() {
            v.push("merchant_id", "no such merchant");
        }
        if self.store.get_site(&location.site_id).await?.is_none() {
            v.push("site_id", "no such site");
        }
        v.finish()?;
        let row = LocationRow {
            id: new_id("loc"),
            merchant_id: location.merchant_id,
            site_id: location.site_id,
            name: location.name.into_inner(),
            pay_at_pickup: location.pay_at_pickup,
            is_open: true,
            storefront: StorefrontSettings::default(),
            created_at_ms: self.now_ms(),
        };
        self.store.insert_location(&row).await?;
        self.record_change(caller, Change::created(AuditEntity::Location, &row.id, Some(&row.merchant_id), &row)).await;
        Ok(row)
    }

    /// One location the caller may see (staff: only their own; others' are not found).
    pub async fn location(&self, caller: &Caller, id: &str) -> AppResult<LocationRow> {
        let location = self.store.get_location(id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        Ok(location)
    }

    /// Changes a location. Managers and admins may change everything; the location's staff may
    /// only switch it on or off and pause it ([`LocationChanges::needs_manager`]).
    pub async fn update_location(&self, caller: &Caller, id: &str, changes: LocationChanges) -> AppResult<LocationRow> {
        let mut location = self.location(caller, id).await?;
        caller.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
        if changes.needs_manager() && caller.role == Role::Staff {
            return Err(AppError::Forbidden);
        }
        let before = location.clone();
        changes.apply_to(&mut location, self.now_ms());
        self.store.update_location(&location).await?;
        let change =
            Change::updated(AuditEntity::Location, &location.id, Some(&location.merchant_id), &before, &location);
        self.record_change(caller, change).await;
        Ok(location)
    }
}
