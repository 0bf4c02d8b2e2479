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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use omnicanal_domain::catalog::{Country, MerchantKind};
    use omnicanal_domain::site::UnacceptedPolicy;
    use omnicanal_store::SetupStore;

    use super::*;
    use crate::ids::new_id;
    use crate::payments::provider::SandboxCardProvider;
    use crate::{AppResult, ManualClock};

    /// An app over a new SQLite file in `dir`, with one site and merchant A's location in it,
    /// and merchant B with no location yet.
    async fn mall(dir: &std::path::Path) -> AppResult<(App, LocationRow, MerchantRow)> {
        std::fs::create_dir_all(dir).map_err(|error| AppError::Internal(Box::new(error)))?;
        let store = omnicanal_store::connect(&format!("sqlite://{}", dir.join("db.sqlite").display())).await?;
        let site = SiteRow {
            id: new_id("site"),
            name: "Costanera".into(),
            country: Country::Chile,
            currency: Currency::Clp,
            timezone: "America/Santiago".into(),
            accept_within_minutes: None,
            unaccepted_policy: UnacceptedPolicy::default(),
            created_at_ms: 0,
        };
        let merchant = |name: &str| MerchantRow {
            id: new_id("mer"),
            name: name.into(),
            kind: MerchantKind::Restaurant,
            commission_bps: 1_000,
            tax_id: None,
            created_at_ms: 0,
        };
        let (a, b) = (merchant("A"), merchant("B"));
        let location = LocationRow {
            id: new_id("loc"),
            merchant_id: a.id.clone(),
            site_id: site.id.clone(),
            name: "Nivel 5".into(),
            pay_at_pickup: true,
            is_open: true,
            storefront: Default::default(),
            created_at_ms: 0,
        };
        store.insert_site(&site).await?;
        store.insert_merchant(&a).await?;
        store.insert_merchant(&b).await?;
        store.insert_location(&location).await?;
        let app = App::new(store.into_dyn(), Arc::new(ManualClock::starting_at(0)), Arc::new(SandboxCardProvider));
        Ok((app, location, b))
    }

    fn caller(role: Role, merchant_id: &str, location_id: Option<&str>) -> Caller {
        Caller {
            id: new_id("usr"),
            email: "x@y.z".into(),
            role,
            merchant_id: Some(merchant_id.to_owned()),
            location_id: location_id.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn pages_see_their_own_locations_and_say_when_no_site_is_in_scope() -> AppResult<()> {
        let dir = std::env::temp_dir().join(new_id("omni-app"));
        let (app, location, other) = mall(&dir).await?;
        let staff = caller(Role::Staff, &location.merchant_id, Some(&location.id));
        assert_eq!(app.console_location(&staff, &location.id).await?.site.timezone, "America/Santiago");
        let stranger = caller(Role::MerchantManager, &other.id, None);
        assert!(matches!(app.console_location(&stranger, &location.id).await, Err(AppError::NotFound(_))));
        assert!(app.console_locations(&stranger).await?.locations.is_empty());
        let scope = app.records_scope(&stranger, None).await?;
        assert_eq!((scope.merchant_id.as_deref(), scope.home), (Some(other.id.as_str()), None));
        let home = app.records_scope(&staff, None).await?.home;
        assert_eq!(home.map(|home| home.currency), Some(Currency::Clp));
        drop(app);
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
