//! The hold sweep: parts still `placed` whose stock hold lapsed are cancelled, their units
//! released and their money refunded (or no longer owed), in batches.
//!
//! Availability never waits for the sweep (placement and stock reads already treat a lapsed
//! hold as free); it only tidies the books and announces the releases.

use crate::App;
use crate::error::AppResult;

/// Parts cancelled per sweep (one transaction).
pub const HOLD_SWEEP_BATCH: i64 = 100;

impl App {
    /// Cancels up to [`HOLD_SWEEP_BATCH`] parts whose hold lapsed by the app's clock; how many.
    pub async fn expire_lapsed_holds(&self) -> AppResult<usize> {
        let expired = self.store.expire_due_holds(self.now_ms(), HOLD_SWEEP_BATCH).await?;
        if expired > 0 {
            // The cancellations wrote events and refund jobs.
            self.committed();
        }
        Ok(expired)
    }
}
