//! The pickup sweeper (issue 17 point 4): releases ready parts not collected within their
//! merchant's `pickup_expiry_days` — units freed, money refunded or forgiven, customer told.
//! The use case `App::expire_uncollected_pickups` decides; this only keeps time, so every node
//! may run it (a part is released once: see `omnicanal_store`'s `sql/click_collect.rs`).
//!
//! It sweeps every [`SWEEP_INTERVAL`], and at once when a test moves the manual clock.

use std::time::Duration;

use omnicanal_app::clock::next_move;
use tokio::sync::watch;

use crate::state::AppState;

/// How often uncollected parts are looked for (waits are counted in days; a minute is plenty).
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// Runs until `shutdown` turns true.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let app = state.app;
    let mut clock_moved = app.clock().moved();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(SWEEP_INTERVAL) => {}
            _ = next_move(&mut clock_moved) => {}
            _ = shutdown.changed() => return,
        }
        match app.expire_uncollected_pickups().await {
            Ok(0) => {}
            Ok(released) => tracing::info!(released, "released ready orders not collected in time"),
            Err(error) => tracing::warn!(%error, "pickup sweeper failed; will retry"),
        }
    }
}
