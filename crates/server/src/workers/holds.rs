//! The hold sweeper: cancels parts still `placed` whose stock hold lapsed, releasing their
//! units and refunding them. Availability never waits for it (placement and stock reads
//! already treat lapsed holds as free); it only tidies and announces the releases.

use std::time::Duration;

use tokio::sync::watch;

use crate::ids::now_ms;
use crate::state::AppState;

/// How often lapsed holds are looked for.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(1);
/// Parts cancelled per transaction.
const BATCH: i64 = 100;

/// Runs until `shutdown` turns true.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(SWEEP_INTERVAL) => {}
            _ = shutdown.changed() => return,
        }
        match state.store.expire_due_holds(now_ms(), BATCH).await {
            Ok(0) => {}
            Ok(expired) => {
                tracing::info!(expired, "cancelled parts whose stock hold lapsed");
                state.wake_dispatcher();
            }
            Err(error) => tracing::warn!(%error, "hold sweeper failed; will retry"),
        }
    }
}
