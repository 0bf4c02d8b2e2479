//! The shop connections' worker: keeps time; every decision is the use cases'
//! (`omnicanal_app::connections`). It wakes when a commit wrote events (a sale, a price list),
//! when a webhook brought an order or a person asked for a resync, when a test moves the manual
//! clock, and otherwise every [`TICK`] — how changes committed on another node, polls and
//! retries whose delay ran out are found. Each wake routes the new events to the push queues,
//! then works every connection this node can lease, a few at a time.

use std::time::Duration;

use futures::StreamExt;
use omnicanal_app::App;
use omnicanal_app::clock::next_move;
use tokio::sync::watch;

/// How often the worker looks for work when nothing wakes it.
pub const TICK: Duration = Duration::from_millis(250);
/// How long a wake-up by a commit waits for the commits that follow it, so a busy till or web
/// shop routes many sales' events per pass rather than reading once per order (issue 20).
pub const COALESCE: Duration = Duration::from_millis(100);
/// Connections worked at the same time on this node.
pub const CONCURRENT_CONNECTIONS: usize = 4;
/// Event batches routed per wake before the connections get their turn.
const MAX_EVENT_BATCHES_PER_WAKE: usize = 20;

/// Runs until `shutdown` turns true.
pub async fn run(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut clock_moved = app.clock().moved();
    loop {
        tokio::select! {
            _ = app.signals().connections.notified() => tokio::time::sleep(COALESCE).await,
            _ = next_move(&mut clock_moved) => {}
            _ = tokio::time::sleep(TICK) => {}
            _ = shutdown.changed() => return,
        }
        route_events(&app).await;
        work_connections(&app).await;
    }
}

async fn route_events(app: &App) {
    for _ in 0..MAX_EVENT_BATCHES_PER_WAKE {
        match app.route_connection_events().await {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "routing events to shop connections failed; will retry");
                break;
            }
        }
    }
}

async fn work_connections(app: &App) {
    let ids = match app.connection_ids().await {
        Ok(ids) => ids,
        Err(error) => {
            tracing::warn!(%error, "could not list shop connections; will retry");
            return;
        }
    };
    futures::stream::iter(ids)
        .for_each_concurrent(CONCURRENT_CONNECTIONS, |id| async move {
            if let Err(error) = app.work_connection(&id).await {
                tracing::warn!(%error, connection_id = %id, "a shop connection's pass failed; will retry");
            }
        })
        .await;
}
