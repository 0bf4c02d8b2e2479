//! The SLA watcher: writes `support.sla_warning` and `support.sla_breached` for tickets whose
//! clock runs (the use case `App::run_sla_watch` decides; this only keeps time). It looks
//! every [`WATCH_INTERVAL`], and at once when a test moves the manual clock; targets are in
//! minutes, so a pass every 15 seconds is on time.

use std::time::Duration;

use omnicanal_app::clock::next_move;
use tokio::sync::watch;

use crate::state::AppState;

/// How often tickets are looked at.
pub const WATCH_INTERVAL: Duration = Duration::from_secs(15);

/// Runs until `shutdown` turns true.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let app = state.app;
    let mut clock_moved = app.clock().moved();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(WATCH_INTERVAL) => {}
            _ = next_move(&mut clock_moved) => {}
            _ = shutdown.changed() => return,
        }
        match app.run_sla_watch(app.now_ms()).await {
            Ok(0) => {}
            Ok(written) => tracing::info!(written, "SLA warnings and breaches written"),
            Err(error) => tracing::warn!(%error, "SLA watcher failed; will retry"),
        }
    }
}
