//! The location or merchant a console user may work with.
//!
//! A location of another merchant, or another location for staff, is "not found" exactly like
//! one that does not exist, so ids cannot be probed; a role that may not do something within
//! its own merchant is "forbidden".

use omnicanal_domain::access::Role;
use omnicanal_store::{LocationRow, MerchantRow};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// The roles that work a location's queue and switches.
pub const LOCATION_ROLES: [Role; 3] = [Role::Admin, Role::MerchantManager, Role::Staff];
/// The roles that read a merchant's records (search, takings).
pub const RECORD_ROLES: [Role; 4] = [Role::Admin, Role::MerchantManager, Role::Staff, Role::SupportAgent];

impl App {
    /// A location the caller may work at: not found when they may not see it, forbidden for a
    /// role that does not work locations.
    pub(crate) async fn workable_location(&self, caller: &Caller, location_id: &str) -> AppResult<LocationRow> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        caller.require(&LOCATION_ROLES)?;
        Ok(location)
    }

    /// The merchant whose records the caller reads, after the caller's access to it.
    pub(crate) async fn readable_merchant(&self, caller: &Caller, merchant_id: &str) -> AppResult<MerchantRow> {
        caller.check_merchant(merchant_id, "merchant")?;
        caller.require(&RECORD_ROLES)?;
        self.store.get_merchant(merchant_id).await?.ok_or(AppError::NotFound("merchant"))
    }

    /// The location a merchant's records are narrowed to: staff are held to their own (naming
    /// another is not found), a named location must be the merchant's.
    pub(crate) async fn scoped_location(
        &self,
        caller: &Caller,
        merchant_id: &str,
        wanted: Option<&str>,
    ) -> AppResult<Option<LocationRow>> {
        let wanted = match (caller.role, wanted) {
            (Role::Staff, Some(wanted)) if caller.location_id.as_deref() != Some(wanted) => {
                return Err(AppError::NotFound("location"));
            }
            (Role::Staff, _) => Some(caller.location_id.as_deref().ok_or(AppError::NotFound("location"))?),
            (_, wanted) => wanted,
        };
        let Some(id) = wanted else { return Ok(None) };
        let location = self.store.get_location(id).await?.filter(|location| location.merchant_id == merchant_id);
        location.map(Some).ok_or(AppError::NotFound("location"))
    }
}
