//! Where a merchant sells: the currency and time zone its prices, windows and reports are read in.

use omnicanal_domain::Currency;

use crate::App;
use crate::error::AppResult;

impl App {
    /// The currency and time zone a merchant sells in: those of the site of its first location
    /// (CLP and UTC when it has none yet).
    pub async fn merchant_home(&self, merchant_id: &str) -> AppResult<(Currency, String)> {
        let locations = self.store.list_merchant_locations(merchant_id).await?;
        if let Some(location) = locations.first()
            && let Some(site) = self.store.get_site(&location.site_id).await?
        {
            return Ok((site.currency, site.timezone));
        }
        Ok((Currency::Clp, "UTC".to_owned()))
    }
}
