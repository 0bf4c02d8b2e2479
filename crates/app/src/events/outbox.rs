//! The outbox, read in order: where the dispatcher starts, what came after a sequence number
//! (for the dispatcher's tail and a stream's replay), and the wake-up when any node commits.

use omnicanal_store::OutboxRow;
use omnicanal_store::backend::OutboxListener;

use crate::App;
use crate::error::AppResult;

impl App {
    /// The last sequence number written so far (0 for an empty outbox).
    pub async fn outbox_head(&self) -> AppResult<i64> {
        Ok(self.store.outbox_head().await?)
    }

    /// Up to `limit` events after `after_seq`, in sequence order.
    pub async fn outbox_after(&self, after_seq: i64, limit: i64) -> AppResult<Vec<OutboxRow>> {
        Ok(self.store.outbox_after(after_seq, limit).await?)
    }

    /// A listener told whenever any node commits outbox events, where the database can tell
    /// (PostgreSQL); `None` where one process owns the database and its own wake-up suffices.
    pub async fn listen_for_commits(&self) -> AppResult<Option<CommitListener>> {
        Ok(self.store.listen_outbox().await?.map(CommitListener))
    }
}

/// Hears of every commit to the outbox, by any node.
pub struct CommitListener(OutboxListener);

impl CommitListener {
    /// Waits for the next commit; reconnects by itself after a dropped connection.
    pub async fn next_commit(&mut self) -> AppResult<()> {
        Ok(self.0.wait().await?)
    }
}
