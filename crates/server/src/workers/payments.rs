//! The payment worker: carries out the captures, refunds and voids the books owe the card
//! provider (the use case `App::run_payment_jobs` decides everything; this only keeps time).
//!
//! It runs when a commit queued a job, when a test moves the manual clock, and otherwise every
//! [`POLL_INTERVAL`], which is also how jobs queued on another node and retries whose delay
//! ran out are found.

use std::time::Duration;

use omnicanal_app::App;
use omnicanal_app::clock::next_move;
use tokio::sync::watch;

/// How often due jobs are looked for when nothing wakes the worker.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// How long a wake-up waits for more commits before claiming: captures need no haste, and under
/// load one claim then takes the jobs of many orders at once instead of one each.
pub const COALESCE: Duration = Duration::from_millis(200);

/// Runs until `shutdown` turns true.
pub async fn run(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut clock_moved = app.clock().moved();
    loop {
        loop {
            match app.run_payment_jobs().await {
                // A full batch may have left more due jobs behind it.
                Ok(attempted) if attempted as i64 >= omnicanal_app::payments::jobs::BATCH => continue,
                Ok(_) => break,
                Err(error) => {
                    tracing::warn!(%error, "payment worker failed; will retry");
                    break;
                }
            }
        }
        tokio::select! {
            _ = app.signals().payment_jobs.notified() => tokio::time::sleep(COALESCE).await,
            _ = next_move(&mut clock_moved) => {}
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
    }
}
