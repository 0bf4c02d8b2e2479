//! Stock conflicts: units a location sold that its ledger did not have (an offline till sale
//! after a web order took the last unit, or a shelf counted wrong), listed for the manager with
//! their cause, the sale that found them and the order that may no longer be served.

use omnicanal_store::{Page, StockConflictRow};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// The statuses a conflict can be in.
pub const CONFLICT_STATUSES: [&str; 2] = ["open", "resolved"];

impl App {
    /// A location's stock conflicts, newest first, of one status when given.
    pub async fn stock_conflicts(
        &self,
        caller: &Caller,
        location_id: &str,
        status: Option<&str>,
        page: Page,
    ) -> AppResult<Vec<StockConflictRow>> {
        caller.require(&crate::pos::TILL_ROLES)?;
        if let Some(status) = status
            && !CONFLICT_STATUSES.contains(&status)
        {
            return Err(AppError::invalid("status", "must be open or resolved"));
        }
        let location = self.location(caller, location_id).await?;
        Ok(self.store.list_stock_conflicts(&location.id, status, page).await?)
    }
}
