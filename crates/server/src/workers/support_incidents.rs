//! The incident detector's clock (issue 18 point 5): calls `App::detect_incidents` every
//! [`TICK_INTERVAL`], and at once when a test moves the manual clock; and, a [`DEBOUNCE`] after a
//! batch of declines or print failures marks its store, `App::judge_stores_now` for the stores
//! marked meanwhile. The use cases decide everything — which node runs the tick (a conditional
//! update), what the rules say, what opens and closes; this only keeps time.
//!
//! The periodic tick keeps what only time reveals (a till gone silent, an incident quiet long
//! enough to close) within ten seconds; the fast path brings a burst of declines to an incident
//! in about a second instead of up to ten. The debounce makes a store's burst of many batches
//! cost one judgement, and the tick keeps its own schedule however often the fast path runs.

use std::time::Duration;

use omnicanal_app::clock::next_move;
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};

use crate::state::AppState;

/// How often a node offers to run the detector.
pub const TICK_INTERVAL: Duration = Duration::from_secs(5);
/// How long the fast path waits after the first mark before judging the marked stores.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// Runs until `shutdown` turns true.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let app = state.app;
    let mut clock_moved = app.clock().moved();
    let mut ticks = tokio::time::interval_at(Instant::now() + TICK_INTERVAL, TICK_INTERVAL);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        let fast = tokio::select! {
            _ = ticks.tick() => false,
            _ = next_move(&mut clock_moved) => false,
            _ = app.signals().incident_stores.marked() => true,
            _ = shutdown.changed() => return,
        };
        if fast {
            tokio::select! {
                _ = tokio::time::sleep(DEBOUNCE) => {}
                _ = shutdown.changed() => return,
            }
            let stores = app.signals().incident_stores.take();
            match app.judge_stores_now(&stores).await {
                Ok(tick) if tick.opened > 0 => {
                    tracing::info!(opened = tick.opened, stores = stores.len(), "incident detector fast path")
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "incident detector fast path failed; the tick will judge"),
            }
            continue;
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
