//! Who may print a site's QR posters: admins and support agents for any site, and a merchant
//! manager for a site where their merchant has a location (the posters of a food hall hang in
//! its shared seating, so any of its restaurants may print them). Another manager gets "not
//! found", as for any resource not theirs; staff are forbidden. The drawing is the server's.

use omnicanal_domain::access::Role;
use omnicanal_store::SiteRow;

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

impl App {
    /// The site whose posters the caller asks to print, if they may.
    pub async fn poster_site(&self, caller: &Caller, site_id: &str) -> AppResult<SiteRow> {
        caller.require(&[Role::Admin, Role::SupportAgent, Role::MerchantManager])?;
        // No site id has control characters, and PostgreSQL refuses a NUL in a text parameter.
        if site_id.chars().any(char::is_control) {
            return Err(AppError::NotFound("site"));
        }
        let site = self.site(site_id).await?;
        if caller.is_platform() {
            return Ok(site);
        }
        let Some(merchant_id) = caller.merchant_id.as_deref() else {
            return Err(AppError::NotFound("site"));
        };
        let locations = self.store.list_merchant_locations(merchant_id).await?;
        if locations.iter().any(|location| location.site_id == site.id) {
            Ok(site)
        } else {
            Err(AppError::NotFound("site"))
        }
    }
}
