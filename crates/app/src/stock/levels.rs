//! Reading stock levels: staff see their location, managers their merchant, platform users all.

use omnicanal_domain::access::Role;
use omnicanal_store::{Page, StockFilter, StockRow};

use crate::App;
use crate::caller::Caller;
use crate::error::AppResult;

/// Which levels to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelQuery {
    /// Only this location (one the caller may see).
    pub location_id: Option<String>,
    /// Only this SKU.
    pub sku: Option<String>,
    /// Paging.
    pub page: Page,
}

impl App {
    /// Stock levels the caller may see. Naming a location they may not see is "not found";
    /// naming none lists their own location (staff), their merchant's, or every one (platform).
    /// Holds that have lapsed by now no longer count as reserved.
    pub async fn stock_levels(&self, caller: &Caller, query: LevelQuery) -> AppResult<Vec<StockRow>> {
        if let Some(location_id) = &query.location_id {
            self.location(caller, location_id).await?;
        }
        let location_id = match (caller.role, query.location_id) {
            (Role::Staff, None) => caller.location_id.clone(),
            (_, given) => given,
        };
        let merchant_id = if caller.is_platform() { None } else { caller.merchant_id.clone() };
        if !caller.is_platform() && merchant_id.is_none() {
            return Ok(Vec::new());
        }
        let filter = StockFilter { location_id, sku: query.sku, merchant_id, now_ms: self.now_ms(), page: query.page };
        Ok(self.store.list_stock(&filter).await?)
    }
}
