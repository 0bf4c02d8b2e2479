//! What the console's pages read: the locations a user works with, one location with its site,
//! its merchant's products for the switches, and the scope of the records pages.
//!
//! A location whose site is missing is "not found" rather than shown in a time zone or currency
//! guessed for it: every time and amount on these pages is read in the site's own.

use omnicanal_domain::Currency;
use omnicanal_domain::access::Role;
use omnicanal_store::{LocationRow, MerchantRow, Page, ProductRow, SiteRow, VariantRow};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// Most locations listed on the start page.
pub const MAX_LOCATIONS: i64 = 500;
/// Most merchants an admin chooses from.
pub const MAX_MERCHANTS: i64 = 500;

/// A location with its site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteLocation {
    /// The location.
    pub location: LocationRow,
    /// Its site (time zone, currency).
    pub site: SiteRow,
}

/// The start page's locations, with their sites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleLocations {
    /// Each location with its site.
    pub locations: Vec<(LocationRow, SiteRow)>,
    /// When they were read, by the app's clock (for open or closed).
    pub now_ms: i64,
}

/// A location's products, for its sold-out switches.
pub type Catalog = Vec<(ProductRow, Vec<VariantRow>)>;

/// Where a merchant sells, as the records pages read dates and amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteHome {
    /// The time zone dates are typed in.
    pub timezone: String,
    /// The currency amounts are shown in.
    pub currency: Currency,
}

/// The scope of the records pages (history, reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordsScope {
    /// The merchant whose records are shown (an admin's choice; `None` until they choose).
    pub merchant_id: Option<String>,
    /// The merchants an admin chooses from (empty for others).
    pub merchants: Vec<MerchantRow>,
    /// The merchant's locations the user may see (staff: only their own).
    pub locations: Vec<LocationRow>,
    /// The site of the first of those locations; `None` when there is no location to read.
    pub home: Option<SiteHome>,
    /// When the scope was read, by the app's clock (for "today").
    pub now_ms: i64,
}

impl App {
    /// The locations the console's start page lists: a manager's merchant's, every location
    /// (up to [`MAX_LOCATIONS`]) for platform users.
    pub async fn console_locations(&self, caller: &Caller) -> AppResult<ConsoleLocations> {
        let locations = match &caller.merchant_id {
            Some(merchant_id) if caller.role != Role::Admin => self.store.list_merchant_locations(merchant_id).await?,
            _ => self.all_locations().await?,
        };
        let mut sites: Vec<SiteRow> = Vec::new();
        let mut listed = Vec::with_capacity(locations.len());
        for location in locations {
            let site = match sites.iter().find(|site| site.id == location.site_id) {
                Some(site) => site.clone(),
                None => {
                    // Locations reference their site; one without is a fault, not a guess.
                    let site = self.store.get_site(&location.site_id).await?.ok_or_else(|| {
                        AppError::internal(format!("location {} has no site {}", location.id, location.site_id))
                    })?;
                    sites.push(site.clone());
                    site
                }
            };
            listed.push((location, site));
        }
        Ok(ConsoleLocations { locations: listed, now_ms: self.now_ms() })
    }

    async fn all_locations(&self) -> AppResult<Vec<LocationRow>> {
        let mut all = Vec::new();
        for site in self.store.list_sites(Page { limit: MAX_LOCATIONS, offset: 0 }).await? {
            all.extend(self.store.list_site_locations(&site.id).await?);
            if all.len() >= usize::try_from(MAX_LOCATIONS).unwrap_or(usize::MAX) {
                break;
            }
        }
        Ok(all)
    }

    /// A location the caller may see, with its site (another merchant's is not found).
    pub async fn console_location(&self, caller: &Caller, location_id: &str) -> AppResult<SiteLocation> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("location"))?;
        Ok(SiteLocation { location, site })
    }

    /// A location the caller may see with its merchant's products, for the switches page.
    pub async fn console_switches(&self, caller: &Caller, location_id: &str) -> AppResult<(SiteLocation, Catalog)> {
        let found = self.console_location(caller, location_id).await?;
        let products = self.store.list_merchant_products(&found.location.merchant_id).await?;
        Ok((found, products))
    }

    /// The merchant, locations and site the records pages show: an admin's chosen merchant
    /// (among the first [`MAX_MERCHANTS`]), else the caller's own; staff see only their location.
    pub async fn records_scope(&self, caller: &Caller, asked_merchant: Option<&str>) -> AppResult<RecordsScope> {
        let mut merchants = Vec::new();
        let merchant_id = if caller.role == Role::Admin {
            merchants = self.store.list_merchants(Page { limit: MAX_MERCHANTS, offset: 0 }).await?;
            asked_merchant.filter(|id| merchants.iter().any(|merchant| merchant.id == *id)).map(str::to_owned)
        } else {
            caller.merchant_id.clone()
        };
        let mut locations = match &merchant_id {
            Some(id) => self.store.list_merchant_locations(id).await?,
            None => Vec::new(),
        };
        if caller.role == Role::Staff {
            locations.retain(|location| caller.location_id.as_deref() == Some(location.id.as_str()));
        }
        let home = match locations.first() {
            Some(location) => {
                let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("location"))?;
                Some(SiteHome { timezone: site.timezone, currency: site.currency })
            }
            None => None,
        };
        Ok(RecordsScope { merchant_id, merchants, locations, home, now_ms: self.now_ms() })
    }
}
