//! A location's parts, newest first, for those who work there.

use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_store::{FulfillmentRecord, Page};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

impl App {
    /// The parts of a location, newest first, optionally in one status: its staff, its
    /// merchant's managers and platform users (another merchant's location is not found).
    pub async fn location_fulfillments(
        &self,
        caller: &Caller,
        location_id: &str,
        status: Option<FulfillmentStatus>,
        page: Page,
    ) -> AppResult<Vec<FulfillmentRecord>> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        Ok(self.store.list_location_fulfillments(&location.id, status, page).await?)
    }
}
