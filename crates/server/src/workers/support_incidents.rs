//! The incident detector's clock (issue 18 point 5): calls `App::detect_incidents` every
//! [`TICK_INTERVAL`], and at once when a test moves the manual clock. The use case decides
//! everything — which node runs the tick (a conditional update), what the rules say, what opens
//! and closes; this only keeps time. A tick every five seconds with a ten-second gap between
//! claimed ticks keeps detection well within a minute of a burst.

use std::time::Duration;

use omnicanal_app::clock::next_move;
use tokio::sync::watch;

use crate::state::AppState;

/// How often a node offers to run the detector.
pub const TICK_INTERVAL: Duration = Duration::from_secs(5);

/// Runs until `shutdown` turns true.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let app = state.app;
    let mut clock_moved = app.clock().moved();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(TICK_INTERVAL) => {}
            _ = next_move(&mut clock_moved) => {}
            _ = shutdown.changed() => return,
        }
        match app.detect_incidents().await {
            Ok(tick) if tick.opened + tick.closed > 0 => {
                tracing::info!(opened = tick.opened, closed = tick.closed, "incident detector tick")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "incident detector failed; will retry"),
        }
    }
}
