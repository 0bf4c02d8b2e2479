//! Boots: which run of which process holds an idempotency claim, and whether it still runs.
//!
//! A claim whose request is still running must never be taken from it, and a claim whose
//! process died must be free at once — not after a timeout — because its client is retrying.
//! So every process that takes claims registers a boot (a row of `boots`: a number never
//! reused, so it names one run of one process) and stamps its claims with it; a retry that
//! finds an unanswered claim asks whether its boot still runs.
//!
//! - **PostgreSQL**, several nodes: the boot takes the session advisory lock
//!   ([`BOOT_LOCK_NAMESPACE`], boot id) on a connection of its own and keeps it for as long as
//!   the process runs. When the process dies, its socket closes, PostgreSQL ends the session
//!   and the lock goes with it; another node asks `pg_try_advisory_xact_lock_shared` for that
//!   key — granted (and released at once, with the statement's transaction) means nobody holds
//!   it. Shared, so that two nodes asking about the same boot at once never take each other's
//!   question for the boot's own lock.
//!   TCP keepalives on the lock session make PostgreSQL notice a vanished host (no FIN) within
//!   about 15 s. A task pings the session and takes the lock again on a new one if it drops.
//! - **SQLite**: one process owns the file (see `backend`), so every boot but this one is over.
//!
//! Liveness can be wrong for a moment (the lock session dropped by the network while the
//! process lives): the claims are fenced by their token (`claim_token`), so a claim taken over
//! by mistake only makes the first holder's late writes — its order, its answer — fail, never
//! land twice.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{Connection, PgConnection};
use tokio::sync::{OnceCell, oneshot};

use crate::backend::{Backend, SqlStore};
use crate::{StoreError, StoreResult};

/// The first key of every boot's advisory lock (`OMNC`), so our locks stay apart from any
/// other user of the database's advisory locks.
pub const BOOT_LOCK_NAMESPACE: i32 = 0x4F4D_4E43;

/// How often the lock session is checked.
const LOCK_PING_EVERY: Duration = Duration::from_secs(5);
/// Wait between attempts to open a new lock session.
const RELOCK_RETRY_EVERY: Duration = Duration::from_secs(1);

/// This process's boot, registered on first use and shared by every clone of the store.
pub(crate) type BootCell = Arc<OnceCell<Boot>>;

/// A registered boot; on PostgreSQL, dropping it (with the last clone of the store) ends the
/// task that holds the lock, which closes the lock session.
pub(crate) struct Boot {
    id: i64,
    _stop_lock_keeper: Option<oneshot::Sender<()>>,
}

impl SqlStore {
    /// This process's boot (see the module docs).
    pub(crate) async fn boot_id(&self) -> StoreResult<i64> {
        let boot = self.boot.get_or_try_init(|| self.register_boot()).await?;
        Ok(boot.id)
    }

    /// Whether the run `boot_id` is still running (see the module docs).
    pub(crate) async fn boot_running(&self, boot_id: i64) -> StoreResult<bool> {
        if self.boot.get().is_some_and(|boot| boot.id == boot_id) {
            return Ok(true);
        }
        match self.backend {
            Backend::Sqlite => Ok(false),
            Backend::Postgres => {
                let lock_free: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock_shared($1, $2)")
                    .bind(BOOT_LOCK_NAMESPACE)
                    .bind(lock_key(boot_id)?)
                    .fetch_one(&self.write)
                    .await?;
                Ok(!lock_free)
            }
        }
    }

    async fn register_boot(&self) -> StoreResult<Boot> {
        let id: i64 =
            sqlx::query_scalar("INSERT INTO boots DEFAULT VALUES RETURNING id").fetch_one(&self.write).await?;
        let stop_lock_keeper = match self.backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let session = lock_session(&self.url, id).await?;
                let (stop, stopped) = oneshot::channel();
                tokio::spawn(keep_lock(self.url.clone(), id, session, stopped));
                Some(stop)
            }
        };
        tracing::info!(boot = id, "this process holds its idempotency claims as boot {id}");
        Ok(Boot { id, _stop_lock_keeper: stop_lock_keeper })
    }
}

/// The second key of a boot's lock.
fn lock_key(boot_id: i64) -> StoreResult<i32> {
    i32::try_from(boot_id).map_err(|_| StoreError::Corrupt(format!("boot {boot_id} is beyond the lock keys")))
}

/// A new session holding the boot's lock, with keepalives short enough that the server notices
/// a vanished host.
async fn lock_session(url: &str, boot_id: i64) -> StoreResult<PgConnection> {
    let mut session = PgConnection::connect(url).await?;
    sqlx::raw_sql("SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3")
        .execute(&mut session)
        .await?;
    // Waits if an earlier session of this boot is still being torn down by the server.
    sqlx::query("SELECT pg_advisory_lock($1, $2)")
        .bind(BOOT_LOCK_NAMESPACE)
        .bind(lock_key(boot_id)?)
        .execute(&mut session)
        .await?;
    Ok(session)
}

/// Keeps the boot's lock until `stop` fires or is dropped: pings the session and, if it
/// dropped, takes the lock again on a new one.
async fn keep_lock(url: String, boot_id: i64, mut session: PgConnection, mut stop: oneshot::Receiver<()>) {
    loop {
        tokio::select! {
            _ = &mut stop => break,
            () = tokio::time::sleep(LOCK_PING_EVERY) => {}
        }
        if session.ping().await.is_ok() {
            continue;
        }
        tracing::warn!(boot = boot_id, "the boot's lock session dropped: taking the lock again");
        session = loop {
            match lock_session(&url, boot_id).await {
                Ok(session) => break session,
                Err(error) => tracing::warn!(boot = boot_id, %error, "cannot take the boot's lock yet"),
            }
            tokio::select! {
                _ = &mut stop => return,
                () = tokio::time::sleep(RELOCK_RETRY_EVERY) => {}
            }
        };
    }
    let _ = session.close().await;
}
