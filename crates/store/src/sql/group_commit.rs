//! Group commit for order placement on SQLite.
//!
//! SQLite has one writer and each durable commit costs an fsync, so committing orders one
//! at a time caps throughput near the fsync rate. Instead, concurrent placements queue to
//! one writer task that takes whatever is waiting (up to [`MAX_BATCH`]), places them all inside
//! one transaction, commits once, and only then answers every caller: each 201 is still
//! durable. PostgreSQL needs no such help — it already groups concurrent commits' WAL flushes —
//! so it commits directly.
//!
//! Inside the transaction, the batch's plain orders are placed set-based
//! ([`place_plain_batch`]): a fixed number of statements however many there are, because on
//! SQLite each statement's hand-off to the driver's thread costs more CPU than its work (issue
//! 20). The other orders (claims, coupons, credit, pickup slots, delivery) then run `place_in`
//! one by one, each under its own savepoint so a refused one rolls back alone. Should a
//! set-based statement fail, its savepoint is rolled back and those orders take the one-by-one
//! path too, so one bad order never fails the others.

use sqlx::{AnyPool, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::tx::batch_placement::{is_plain, place_plain_batch};
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

/// Places every queued order (plain ones set-based, the others under savepoints), commits once,
/// then answers.
async fn commit_batch(pool: &AnyPool, batch: Vec<Queued>) {
    // BEGIN IMMEDIATE takes SQLite's write lock before the first read, so the levels and
    // sold-out switches the set-based placement reads cannot change before it writes.
    let mut transaction = match pool.begin_with("BEGIN IMMEDIATE").await {
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
    let mut outcomes: Vec<Option<StoreResult<OrderRecord>>> = batch.iter().map(|_| None).collect();
    let plain: Vec<usize> = (0..batch.len()).filter(|&index| is_plain(&batch[index].order)).collect();
    if !plain.is_empty() {
        let orders: Vec<&NewOrder> = plain.iter().map(|&index| &batch[index].order).collect();
        match place_set_under_savepoint(&mut transaction, &orders).await {
            Ok(Some(placed)) => {
                for (index, outcome) in plain.into_iter().zip(placed) {
                    outcomes[index] = Some(outcome);
                }
            }
            // The set failed and was rolled back: its orders go one by one below.
            Ok(None) => {}
            Err(error) => {
                drop(transaction);
                return answer_all(batch, &error.to_string());
            }
        }
    }
    for (queued, outcome) in batch.iter().zip(outcomes.iter_mut()) {
        if outcome.is_some() {
            continue;
        }
        match place_under_savepoint(&mut transaction, &queued.order).await {
            Ok(placed) => *outcome = Some(placed),
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
        let outcome = outcome.unwrap_or(Err(StoreError::Inconsistent("the order writer skipped an order")));
        let _ = queued.reply.send(outcome);
    }
}

/// Places plain orders set-based inside a savepoint. `Ok(None)`: a statement failed and the
/// savepoint was rolled back (the caller places them one by one); the outer error means the
/// savepoint machinery itself failed.
async fn place_set_under_savepoint(
    transaction: &mut Transaction<'static, sqlx::Any>,
    orders: &[&NewOrder],
) -> Result<Option<Vec<StoreResult<OrderRecord>>>, sqlx::Error> {
    sqlx::query("SAVEPOINT plain_orders").execute(&mut **transaction).await?;
    let placed = match place_plain_batch(transaction, orders).await {
        Ok(placed) => Some(placed),
        Err(error) => {
            tracing::warn!(%error, orders = orders.len(), "set-based placement failed; placing one by one");
            sqlx::query("ROLLBACK TO SAVEPOINT plain_orders").execute(&mut **transaction).await?;
            None
        }
    };
    sqlx::query("RELEASE SAVEPOINT plain_orders").execute(&mut **transaction).await?;
    Ok(placed)
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

/// Runs `orders` as one batch of the writer and returns each one's answer, in order: lets tests
/// make a batch of exactly these orders, which the queue only does by timing.
#[cfg(test)]
pub(crate) async fn commit_together(pool: &AnyPool, orders: Vec<NewOrder>) -> Vec<StoreResult<OrderRecord>> {
    let mut batch = Vec::with_capacity(orders.len());
    let mut answers = Vec::with_capacity(orders.len());
    for order in orders {
        let (reply, answer) = oneshot::channel();
        batch.push(Queued { order, reply });
        answers.push(answer);
    }
    commit_batch(pool, batch).await;
    let mut outcomes = Vec::with_capacity(answers.len());
    for answer in answers {
        outcomes.push(answer.await.unwrap_or(Err(StoreError::Unavailable("no answer".into()))));
    }
    outcomes
}
