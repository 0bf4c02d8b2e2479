//! Notifications to the customer's phone, driven by committed events and by the clock.
//!
//! The worker listens to every committed outbox event (`AppState::events`, fed by the
//! dispatcher, which on PostgreSQL also sees other nodes' events) and hands parts that became
//! `ready`, `rejected` or `cancelled` to the [`Notifier`]; on a timer it looks for parts `ready`
//! for longer than the configured minutes and sends each one reminder, and — every
//! [`UNACCEPTED_TICK`] — for parts at `notify_only` sites still not accepted past the site's
//! limit, and tells each customer once ("still not accepted"; the part is not cancelled).
//! Every such send is claimed first in the store, so with several nodes one sends it. Sends
//! run as tasks, a bounded number at a time, so a slow push service never holds up the others.
//! The sweeps read "now" from the app's clock, and also run when a test moves a manual clock.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::clock::next_move;
use omnicanal_store::OutboxRow;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinSet;

use crate::notify::notifier::Notifier;

/// Notifications being sent at once; past this the worker waits for one to finish.
pub const MAX_IN_FLIGHT: usize = 16;
/// Reminders (and "still not accepted" notices) taken per sweep.
const REMINDER_BATCH: i64 = 100;
/// How often parts past their acceptance limit are looked for: the customer is to be told at
/// once, and the order page shows its own warning at the limit to the second.
pub const UNACCEPTED_TICK: Duration = Duration::from_secs(2);
/// How long sends still running at shutdown may take to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How often reminders are looked for: a quarter of the reminder delay, between 1 s and a minute.
pub fn reminder_tick(reminder: Duration) -> Duration {
    (reminder / 4).clamp(Duration::from_secs(1), Duration::from_secs(60))
}

/// Runs until `shutdown` turns true. `events` should be subscribed before the dispatcher starts.
pub async fn run(
    notifier: Arc<Notifier>,
    mut events: broadcast::Receiver<Arc<OutboxRow>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut sweep = tokio::time::interval(reminder_tick(notifier.pickup_reminder()));
    sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut unaccepted = tokio::time::interval(UNACCEPTED_TICK);
    unaccepted.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut clock_moved = notifier.app().clock().moved();
    let mut sends = JoinSet::new();
    loop {
        tokio::select! {
            received = events.recv() => match received {
                Ok(event) => notify_of(&notifier, event, &mut sends).await,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "notification worker fell behind the event stream; some notifications were skipped");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = sweep.tick() => send_due_reminders(&notifier, &mut sends).await,
            _ = unaccepted.tick() => send_due_unaccepted(&notifier, &mut sends).await,
            // A test moved the clock: whatever fell due is sent now, not at the next tick.
            _ = next_move(&mut clock_moved) => {
                send_due_reminders(&notifier, &mut sends).await;
                send_due_unaccepted(&notifier, &mut sends).await;
            }
            _ = shutdown.changed() => break,
        }
        while sends.try_join_next().is_some() {}
    }
    let finish = async { while sends.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, finish).await.is_err() {
        sends.abort_all();
    }
}

/// Sends what a committed event asks for, if anything.
async fn notify_of(notifier: &Arc<Notifier>, event: Arc<OutboxRow>, sends: &mut JoinSet<()>) {
    let Some((kind, fulfillment_id)) = Notifier::wanted(&event) else { return };
    make_room(sends).await;
    let notifier = notifier.clone();
    sends.spawn(async move {
        if let Err(error) = notifier.notify(&event.event_id, kind, &fulfillment_id).await {
            tracing::warn!(%error, event_id = %event.event_id, "could not prepare a notification");
        }
    });
}

/// Claims the pickup reminders due now (by the app's clock) and sends each.
async fn send_due_reminders(notifier: &Arc<Notifier>, sends: &mut JoinSet<()>) {
    let due = match notifier.claim_due_reminders(REMINDER_BATCH).await {
        Ok(due) => due,
        Err(error) => {
            tracing::warn!(%error, "could not look for due pickup reminders");
            return;
        }
    };
    for fulfillment_id in due {
        make_room(sends).await;
        let notifier = notifier.clone();
        sends.spawn(async move {
            if let Err(error) = notifier.remind(&fulfillment_id).await {
                tracing::warn!(%error, %fulfillment_id, "could not send a pickup reminder");
            }
        });
    }
}

/// Claims the "still not accepted" notices due now (by the app's clock) and sends each.
async fn send_due_unaccepted(notifier: &Arc<Notifier>, sends: &mut JoinSet<()>) {
    let due = match notifier.claim_due_unaccepted(REMINDER_BATCH).await {
        Ok(due) => due,
        Err(error) => {
            tracing::warn!(%error, "could not look for parts past their acceptance limit");
            return;
        }
    };
    for fulfillment_id in due {
        make_room(sends).await;
        let notifier = notifier.clone();
        sends.spawn(async move {
            if let Err(error) = notifier.notice_unaccepted(&fulfillment_id).await {
                tracing::warn!(%error, %fulfillment_id, "could not send a not-accepted notice");
            }
        });
    }
}

/// Waits until fewer than [`MAX_IN_FLIGHT`] sends are running.
async fn make_room(sends: &mut JoinSet<()>) {
    while sends.len() >= MAX_IN_FLIGHT {
        if sends.join_next().await.is_none() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_are_looked_for_often_enough() {
        assert_eq!(reminder_tick(Duration::ZERO), Duration::from_secs(1));
        assert_eq!(reminder_tick(Duration::from_secs(120)), Duration::from_secs(30));
        assert_eq!(reminder_tick(Duration::from_secs(15 * 60)), Duration::from_secs(60));
    }
}
