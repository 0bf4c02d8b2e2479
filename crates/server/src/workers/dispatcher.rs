//! Tails the outbox and broadcasts each committed event to the SSE streams.
//!
//! It is woken right after local writes and polls otherwise, so events written
//! by another node sharing the database arrive too. On PostgreSQL a sequence
//! number can commit after a higher one; the dispatcher waits up to
//! [`GAP_WAIT`] for a missing number before skipping it (a rolled-back insert
//! leaves a gap that never fills).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::state::AppState;

/// How often the outbox is polled when nothing local wakes the dispatcher.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// How long a gap in sequence numbers is waited for.
pub const GAP_WAIT: Duration = Duration::from_secs(2);
/// Events read per query.
const BATCH: i64 = 500;

/// Runs until `shutdown` turns true.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let mut cursor = match state.app.outbox_head().await {
        Ok(head) => head,
        Err(error) => {
            tracing::error!(%error, "dispatcher cannot read the outbox head; starting from zero");
            0
        }
    };
    let mut gap_since: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = state.app.signals().outbox.notified() => {}
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
        loop {
            let rows = match state.app.outbox_after(cursor, BATCH).await {
                Ok(rows) => rows,
                Err(error) => {
                    tracing::warn!(%error, "dispatcher could not read the outbox");
                    break;
                }
            };
            let fetched = rows.len();
            for row in rows {
                if row.seq != cursor + 1 {
                    let since = *gap_since.get_or_insert_with(Instant::now);
                    if since.elapsed() < GAP_WAIT {
                        break;
                    }
                }
                gap_since = None;
                cursor = row.seq;
                // No receivers is normal (nobody is listening); ignore the error.
                let _ = state.events.send(Arc::new(row));
            }
            if i64::try_from(fetched).unwrap_or(0) < BATCH || gap_since.is_some() {
                break;
            }
        }
    }
}

/// Wakes the dispatcher whenever any node commits outbox events (PostgreSQL `LISTEN`).
///
/// Why LISTEN/NOTIFY rather than NATS: the database that already orders and stores every
/// event can announce it, so several nodes need no second service to install, run and keep
/// consistent with it; the poll above remains as a safety net if a notification is missed.
pub async fn listen(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let mut listener = match state.app.listen_for_commits().await {
        Ok(Some(listener)) => listener,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, "cannot LISTEN for outbox commits; relying on polling");
            return;
        }
    };
    loop {
        tokio::select! {
            received = listener.next_commit() => match received {
                Ok(()) => state.wake_dispatcher(),
                Err(error) => {
                    tracing::warn!(%error, "outbox LISTEN connection failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            },
            _ = shutdown.changed() => return,
        }
    }
}
