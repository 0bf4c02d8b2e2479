//! A location's transfers in and out, newest first, for the console's stock page (issue 15
//! point 2): whoever may see the location (staff: their own) sees what it sent and what is on
//! its way to it; receiving one is [`App::receive_transfer`]'s.

use omnicanal_store::TransferRow;

use crate::App;
use crate::caller::Caller;
use crate::error::AppResult;

/// Most transfers the list shows.
pub const LISTED_TRANSFERS: i64 = 100;

impl App {
    /// Transfers that leave or reach a location the caller may see (others: not found).
    pub async fn location_transfers(&self, caller: &Caller, location_id: &str) -> AppResult<Vec<TransferRow>> {
        let location = self.location(caller, location_id).await?;
        Ok(self.store.list_location_transfers(&location.id, LISTED_TRANSFERS).await?)
    }
}
