//! Backend selection and set-up: chosen once from the URL scheme.
//!
//! SQLite: one file in WAL mode with `synchronous=FULL` (a 201 survives a power
//! cut), a single write connection so writers queue instead of failing with
//! `SQLITE_BUSY`, and a pool of readers beside it. PostgreSQL: one pool for
//! both, fsync and synchronous_commit left at their durable defaults.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

use crate::{Store, StoreError, StoreResult};

/// The two databases Omnicanal runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded, the default: one file beside the binary.
    Sqlite,
    /// Shared by several nodes.
    Postgres,
}

impl Backend {
    /// Picks the backend from a `sqlite:` or `postgres:` URL.
    pub fn from_url(url: &str) -> StoreResult<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }
}

/// The one store implementation: the same SQL over either backend.
#[derive(Clone)]
pub struct SqlStore {
    pub(crate) backend: Backend,
    /// Connections for reads (a pool of several).
    pub(crate) read: AnyPool,
    /// Connections for writes (one for SQLite, the shared pool for PostgreSQL).
    pub(crate) write: AnyPool,
    /// The URL, kept to open a dedicated `LISTEN` connection on PostgreSQL.
    pub(crate) url: String,
    /// The group-commit queue for order placement (SQLite).
    pub(crate) placements: Option<crate::sql::group_commit::PlacementQueue>,
    /// This process's boot, registered when it first claims an idempotency key.
    pub(crate) boot: crate::boot::BootCell,
}

/// Connects, applies the backend's migrations and returns the store.
pub async fn connect(url: &str) -> StoreResult<Arc<SqlStore>> {
    sqlx::any::install_default_drivers();
    let backend = Backend::from_url(url)?;
    let store = match backend {
        Backend::Sqlite => connect_sqlite(url).await?,
        Backend::Postgres => connect_postgres(url).await?,
    };
    store.migrate().await?;
    Ok(Arc::new(store))
}

/// Hides the password of a database URL for logs and messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn sqlite_url_with_create(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

async fn connect_sqlite(url: &str) -> StoreResult<SqlStore> {
    let options = AnyConnectOptions::from_str(&sqlite_url_with_create(url))?.disable_statement_logging();
    let pragmas = |pool: AnyPoolOptions| {
        pool.after_connect(|connection, _| {
            Box::pin(async move {
                connection
                    .execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                Ok(())
            })
        })
    };
    let write = pragmas(AnyPoolOptions::new().max_connections(1).min_connections(1))
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options.clone())
        .await?;
    let read = pragmas(AnyPoolOptions::new().max_connections(8))
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await?;
    let placements = Some(crate::sql::group_commit::start_writer(write.clone()));
    Ok(SqlStore { backend: Backend::Sqlite, read, write, url: url.to_owned(), placements, boot: Default::default() })
}

async fn connect_postgres(url: &str) -> StoreResult<SqlStore> {
    let options = AnyConnectOptions::from_str(url)?.disable_statement_logging();
    let pool = AnyPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await?;
    Ok(SqlStore {
        backend: Backend::Postgres,
        read: pool.clone(),
        write: pool,
        url: url.to_owned(),
        placements: None,
        boot: Default::default(),
    })
}

/// Wakes a waiter whenever another connection commits outbox events (PostgreSQL `LISTEN`).
pub struct OutboxListener(sqlx::postgres::PgListener);

/// The channel the outbox trigger notifies (see the PostgreSQL migrations).
pub const OUTBOX_CHANNEL: &str = "omnicanal_outbox";

impl OutboxListener {
    /// Waits for the next notification; reconnects by itself after a dropped connection.
    pub async fn wait(&mut self) -> StoreResult<()> {
        self.0.recv().await?;
        Ok(())
    }
}

impl SqlStore {
    /// A listener for outbox commits by any node, on PostgreSQL; `None` on SQLite, where one
    /// process owns the file and the in-process wake-up suffices.
    pub async fn listen_outbox(&self) -> StoreResult<Option<OutboxListener>> {
        match self.backend {
            Backend::Sqlite => Ok(None),
            Backend::Postgres => {
                let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
                listener.listen(OUTBOX_CHANNEL).await?;
                Ok(Some(OutboxListener(listener)))
            }
        }
    }

    async fn migrate(&self) -> StoreResult<()> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrator.run(&self.write).await.map_err(StoreError::Migration)
    }

    /// The store as the trait object the application holds.
    pub fn into_dyn(self: Arc<Self>) -> Arc<dyn Store> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_backend_from_the_scheme() {
        assert_eq!(Backend::from_url("sqlite://x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("postgres://u@h/db").ok(), Some(Backend::Postgres));
        assert!(Backend::from_url("mysql://x").is_err());
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://me:secret@h/db"), "postgres://me:***@h/db");
        assert_eq!(redact("sqlite://omnicanal.db"), "sqlite://omnicanal.db");
    }
}
