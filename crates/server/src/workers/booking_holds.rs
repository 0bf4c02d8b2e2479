//! The booking-hold sweeper (issue 19 point 3): expires held bookings the customer did not
//! confirm within the location's `hold_minutes`, freeing their time and announcing
//! `booking.changed`. The use case `App::expire_lapsed_booking_holds` decides; this only keeps
//! time, so every node may run it — a hold is expired once, by the store's conditional update
//! (see `omnicanal_store`'s `sql/booking_life.rs`).
//!
//! It sweeps every [`SWEEP_INTERVAL`], and at once when a test moves the manual clock.

use std::time::Duration;

use omnicanal_app::clock::next_move;
use tokio::sync::watch;

use crate::state::AppState;

/// How often lapsed holds are looked for (holds last minutes; a few seconds late is harmless,
/// and availability already counts a held slot as taken only while it is held).
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(5);

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
        match app.expire_lapsed_booking_holds().await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "expired booking holds not confirmed in time"),
            Err(error) => tracing::warn!(%error, "booking-hold sweeper failed; will retry"),
        }
    }
}
