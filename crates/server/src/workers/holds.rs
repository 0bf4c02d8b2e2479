//! The hold sweeper: cancels parts still `placed` whose stock hold lapsed, releasing their
//! units and refunding them (the use case `App::expire_lapsed_holds` decides; this only keeps
//! time). Availability never waits for it (placement and stock reads already treat lapsed
//! holds as free); it only tidies and announces the releases.
//!
//! It sweeps every [`SWEEP_INTERVAL`], and at once when a test moves the manual clock.

use std::time::Duration;

use omnicanal_app::clock::next_move;
use tokio::sync::watch;

use crate::state::AppState;

/// How often lapsed holds are looked for.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(1);

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
        match app.expire_lapsed_holds().await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "cancelled parts whose stock hold lapsed"),
            Err(error) => tracing::warn!(%error, "hold sweeper failed; will retry"),
        }
    }
}
