//! Group commit for order placement on SQLite.
//!
//! SQLite has one writer and each durable commit costs an fsync, so committing orders one
//! at a time caps throughput near the fsync rate. Instead, concurrent placements queue to
//! one writer task that takes whatever is waiting (up to [`MAX_BATCH`]), runs each order
//! under its own savepoint inside one transaction (a short order rolls back alone), commits
//! once, and only then answers every caller: each 201 is still durable. PostgreSQL needs no
//! such help — it already groups concurrent commits' WAL flushes — so it commits directly.

use sqlx::{AnyPool, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::tx::holds::expire_holds_in;
use super::tx::placement::{order_locations, place_in};
use crate::backend::{Backend, SqlStore};
use crate::rows::{NewOrder, OrderRecord};
use crate::{StoreError, StoreResult};

/// Most orders committed together.
pub const MAX_BATCH: usize = 256;
/// Placements waiting for the writer before callers are made to wait for room.
pub const QUEUE_LENGTH: usize = 4_096;

/// One placement waiting for the writer.
pub(crate) struct Queued {
    order: NewOrder,
    reply: oneshot::Sender<StoreResult<OrderRecord>>,
}

/// The sending side kept by the store.
pub(crate) type PlacementQueue = mpsc::Sender<Queued>;

/// Starts the writer task and returns its queue.
pub(crate) fn start_writer(pool: AnyPool) -> PlacementQueue {
    let (sender, receiver) = mpsc::channel(QUEUE_LENGTH);
    tokio::spawn(run_writer(pool, receiver));
    sender
}

async fn run_writer(pool: AnyPool, mut receiver: mpsc::Receiver<Queued>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        commit_batch(&pool, std::mem::take(&mut batch)).await;
    }
}

/// Runs every queued order under its own savepoint, commits once, then answers.
async fn commit_batch(pool: &AnyPool, batch: Vec<Queued>) {
    let mut transaction = match pool.begin().await {
        Ok(transaction) => transaction,
        Err(error) => return answer_all(batch, &error.to_string()),
    };
    // Lapsed holds at the batch's locations are released once, before its orders reserve.
    let mut locations: Vec<&str> = batch.iter().flat_map(|queued| order_locations(&queued.order)).collect();
    locations.sort_unstable();
    locations.dedup();
    let now_ms = batch.iter().map(|queued| queued.order.order.created_at_ms).max().unwrap_or(0);
    for location_id in locations {
        if let Err(error) = expire_holds_in(&mut transaction, Some(location_id), now_ms, i64::MAX).await {
            drop(transaction);
            return answer_all(batch, &error.to_string());
        }
    }
    let mut outcomes = Vec::with_capacity(batch.len());
    for queued in &batch {
        match place_under_savepoint(&mut transaction, &queued.order).await {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) => {
                // The transaction itself failed: nothing in it can be trusted.
                drop(transaction);
                return answer_all(batch, &error.to_string());
            }
        }
    }
    if let Err(error) = transaction.commit().await {
        return answer_all(batch, &error.to_string());
    }
    for (queued, outcome) in batch.into_iter().zip(outcomes) {
        let _ = queued.reply.send(outcome);
    }
}

/// Places one order inside a savepoint. The outer `Result` fails only when the savepoint
/// machinery itself fails; the order's own outcome (placed, or refused) is the inner one.
async fn place_under_savepoint(
    transaction: &mut Transaction<'static, sqlx::Any>,
    order: &NewOrder,
) -> Result<StoreResult<OrderRecord>, sqlx::Error> {
    sqlx::query("SAVEPOINT placement").execute(&mut **transaction).await?;
    let outcome = place_in(transaction, order, false).await;
    if outcome.is_err() {
        sqlx::query("ROLLBACK TO SAVEPOINT placement").execute(&mut **transaction).await?;
    }
    sqlx::query("RELEASE SAVEPOINT placement").execute(&mut **transaction).await?;
    Ok(outcome)
}

fn answer_all(batch: Vec<Queued>, error: &str) {
    tracing::error!(%error, orders = batch.len(), "a batch of orders could not be committed");
    for queued in batch {
        let _ = queued.reply.send(Err(StoreError::Unavailable(format!("the order could not be stored: {error}"))));
    }
}

impl SqlStore {
    /// Places an order: through the group-commit writer on SQLite, directly on PostgreSQL.
    pub(crate) async fn place(&self, order: &NewOrder) -> StoreResult<OrderRecord> {
        match (&self.placements, self.backend) {
            (Some(queue), Backend::Sqlite) => {
                let (reply, answer) = oneshot::channel();
                queue
                    .send(Queued { order: order.clone(), reply })
                    .await
                    .map_err(|_| StoreError::Unavailable("the order writer has stopped".into()))?;
                answer.await.map_err(|_| StoreError::Unavailable("the order writer has stopped".into()))?
            }
            _ => {
                let mut transaction = self.write.begin().await?;
                let placed = place_in(&mut transaction, order, true).await?;
                transaction.commit().await?;
                Ok(placed)
            }
        }
    }
}
