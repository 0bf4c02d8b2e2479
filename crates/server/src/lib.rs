//! The Omnicanal server: configuration, HTTP API, background workers.
//!
//! `main.rs` is a thin command line over [`start`]; tests call [`start`] directly
//! with a fresh database and talk to the returned address over real HTTP.

pub mod auth;
pub mod config;
pub mod demo;
pub mod documents;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod ids;
pub mod import;
pub mod notify;
pub mod ordering;
pub mod payments;
pub mod pricing;
pub mod routes;
pub mod signing;
pub mod state;
pub mod storefront;
pub mod throttle;
pub mod validate;
pub mod views;
pub mod web;
pub mod workers;

pub use config::Config;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::serve::ListenerExt as _;
use omnicanal_store::{Store, StoreError, UserRow};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::{Role, hash_password};
use crate::ids::{new_id, now_ms};
use crate::payments::SandboxCardProvider;
use crate::state::AppState;

/// A server that is listening; call [`Running::shutdown`] to stop it.
pub struct Running {
    /// The address the server is bound to (useful when the configuration asked for port 0).
    pub addr: SocketAddr,
    /// What `--demo` loaded (empty without it).
    pub demo: demo::DemoSummary,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting connections, lets in-flight requests finish and stops the workers.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Errors that prevent the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Opens the database and applies its migrations (the `migrate` command).
pub async fn migrate(config: &Config) -> Result<(), StartError> {
    omnicanal_store::connect(&config.database_url).await?;
    Ok(())
}

/// Connects to the database, applies migrations, seeds (admin, demo) and starts serving.
pub async fn start(config: Config) -> Result<Running, StartError> {
    let store: Arc<dyn Store> = omnicanal_store::connect(&config.database_url).await?;
    bootstrap_admin(&*store, &config).await?;
    let demo = if config.demo { demo::load_if_empty(&*store).await? } else { demo::DemoSummary::default() };
    let (shutdown, shutdown_signal) = watch::channel(false);
    let mut state = AppState::new(store, Arc::new(SandboxCardProvider), shutdown_signal.clone());
    let listener = bind(config.listen).map_err(|source| StartError::Listen { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen { addr: config.listen, source })?;
    state.public_url = config.public_base_url(addr).map_err(StartError::Config)?.into();
    state.push_allowed_hosts = Arc::new(config.notify.push_allowed_hosts.clone());
    let per_ip = config.login_ip_limit().map_err(StartError::Config)?;
    state.login_throttle = Arc::new(throttle::LoginThrottle::new(throttle::Limits { per_ip, ..Default::default() }));
    let notifier = notify::notifier::Notifier::from_config(state.store.clone(), &config.notify).await?;
    let notification_events = state.events.subscribe();
    let mut tasks = vec![
        tokio::spawn(workers::dispatcher::run(state.clone(), shutdown_signal.clone())),
        tokio::spawn(workers::dispatcher::listen(state.clone(), shutdown_signal.clone())),
        tokio::spawn(workers::webhooks::run(state.clone(), shutdown_signal.clone())),
        tokio::spawn(workers::holds::run(state.clone(), shutdown_signal.clone())),
        tokio::spawn(workers::notifications::run(Arc::new(notifier), notification_events, shutdown_signal.clone())),
    ];
    // The peer address reaches handlers as `ConnectInfo` (the sign-in throttle counts by it).
    let app = routes::app(state).into_make_service_with_connect_info::<SocketAddr>();
    let mut server_shutdown = shutdown_signal;
    tasks.push(tokio::spawn(async move {
        let graceful = async move {
            let _ = server_shutdown.wait_for(|stop| *stop).await;
        };
        // Events are small writes; without TCP_NODELAY, Nagle's algorithm held the second of two
        // back-to-back SSE events for up to ~40 ms (seen by the kitchen-display benchmark).
        let listener = listener.tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "could not set TCP_NODELAY");
            }
        });
        if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(graceful).await {
            tracing::error!(%error, "server stopped with an error");
        }
    }));
    tracing::info!(%addr, database = %omnicanal_store::backend::redact(&config.database_url), "omnicanal listening on http://{addr}");
    Ok(Running { addr, demo, shutdown, tasks })
}

/// How many connections may wait to be accepted: a Black Friday burst must not overflow it
/// (the default of 128 made a cold burst of 1,000 buyers retry their connections).
pub const LISTEN_BACKLOG: u32 = 4_096;

fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Creates the first admin from the configuration when the database has no users.
async fn bootstrap_admin(store: &dyn Store, config: &Config) -> Result<(), StartError> {
    let (Some(email), Some(password)) = (&config.admin_email, &config.admin_password) else {
        return Ok(());
    };
    if store.count_users().await? > 0 {
        return Ok(());
    }
    if password.expose().chars().count() < routes::users::MIN_PASSWORD_CHARS {
        return Err(StartError::Config(format!(
            "OMNICANAL_ADMIN_PASSWORD must have at least {} characters",
            routes::users::MIN_PASSWORD_CHARS
        )));
    }
    let password_hash = hash_password(password.expose()).map_err(|e| StartError::Config(e.to_string()))?;
    store
        .insert_user(&UserRow {
            id: new_id("usr"),
            email: email.trim().to_lowercase(),
            password_hash,
            role: Role::Admin,
            merchant_id: None,
            location_id: None,
            created_at_ms: now_ms(),
        })
        .await?;
    tracing::info!(email = %email, "created the first admin");
    Ok(())
}
