//! The Omnicanal server: configuration, HTTP API, background workers.
//!
//! `main.rs` is a thin command line over [`start`]; tests call [`start`] directly
//! with a fresh database and talk to the returned address over real HTTP.

pub mod auth;
pub mod config;
pub mod customer_auth;
pub mod demo;
pub mod documents;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod import;
pub mod notify;
pub mod outbound;
pub mod rejections;
pub mod routes;
pub mod shop_sync;
pub mod state;
pub mod views;
pub mod web;
pub mod workers;

pub use config::Config;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::serve::ListenerExt as _;
use omnicanal_store::{Store, StoreError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use omnicanal_app::payments::SandboxCardProvider;
use omnicanal_app::{App, Clock, PaymentProvider, SystemClock};

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

/// What the server runs against besides its database: the clock and the card provider.
/// Production uses the defaults; tests pass a manual clock or a provider that fails on cue.
#[derive(Clone)]
pub struct Services {
    /// Where time comes from.
    pub clock: Arc<dyn Clock>,
    /// The card provider.
    pub payments: Arc<dyn PaymentProvider>,
}

impl Default for Services {
    fn default() -> Self {
        Self { clock: Arc::new(SystemClock), payments: Arc::new(SandboxCardProvider) }
    }
}

/// Connects to the database, applies migrations, seeds (admin, demo) and starts serving.
pub async fn start(config: Config) -> Result<Running, StartError> {
    start_with(config, Services::default()).await
}

/// [`start`] with a chosen clock and card provider.
pub async fn start_with(config: Config, services: Services) -> Result<Running, StartError> {
    let store: Arc<dyn Store> = omnicanal_store::connect(&config.database_url).await?;
    let per_ip = config.login_ip_limit().map_err(StartError::Config)?;
    let limits = omnicanal_app::throttle::Limits { per_ip, ..Default::default() };
    let outbound = config.outbound_policy().map_err(StartError::Config)?;
    let trusted_proxy_header = config.trusted_proxy_header().map_err(StartError::Config)?;
    let credentials_key = config.credentials_key().map_err(StartError::Config)?;
    let connection_timing = config.connection_timing().map_err(StartError::Config)?;
    let outbound = Arc::new(outbound);
    let shop_http = outbound::client(outbound.clone(), omnicanal_connectors::REQUEST_TIMEOUT)
        .map_err(|error| StartError::Config(format!("the shops' HTTP client: {error}")))?;
    let app = App::new(store.clone(), services.clock, services.payments)
        .with_login_limits(limits)
        .with_outbound_policy((*outbound).clone())
        .with_credentials_key(credentials_key)
        .with_connection_timing(connection_timing)
        .with_shop_clients(Arc::new(omnicanal_connectors::HttpShopClients::new(shop_http)));
    bootstrap_admin(&app, &config).await?;
    let demo = if config.demo { demo::load_if_empty(&app).await? } else { demo::DemoSummary::default() };
    let (shutdown, shutdown_signal) = watch::channel(false);
    let mut state = AppState::new(app, shutdown_signal.clone());
    let listener = bind(config.listen).map_err(|source| StartError::Listen { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen { addr: config.listen, source })?;
    state.public_url = config.public_base_url(addr).map_err(StartError::Config)?.into();
    state.push_allowed_hosts = Arc::new(config.notify.push_allowed_hosts.clone());
    state.trusted_proxy_header = trusted_proxy_header.map(Arc::new);
    let notifier = notify::notifier::Notifier::from_config(state.app.clone(), &config.notify).await?;
    state.receipt_links =
        notify::receipt_link::ReceiptLinkSender::from_config(&config.notify, state.app.clock().clone()).map(Arc::new);
    state.sign_in_links =
        notify::sign_in_link::SignInLinkSender::from_config(&config.notify, state.app.clock().clone()).map(Arc::new);
    let notification_events = state.events.subscribe();
    let support_alert_events = state.events.subscribe();
    let support_gateway =
        notify::gateway::GatewayPoster::from_config(&config.notify, state.app.clock().clone()).map(Arc::new);
    // The on-call agents' pushes (issue 18 point 3), signed with the key the notifier loaded.
    let support_push = notify::vapid::VapidKeys::load_or_create(&state.app).await.ok().and_then(|keys| {
        let client = notify::http_client().ok()?;
        Some(Arc::new(notify::web_push::WebPushProvider::new(
            client,
            keys,
            config.notify.vapid_subject.clone(),
            config.notify.push_allowed_hosts.clone(),
            state.app.clock().clone(),
        )))
    });
    // Reminders before a booking (issue 19 point 4) post and push with the same providers.
    let booking_reminder_senders = workers::booking_reminders::ReminderSenders {
        gateway: support_gateway.clone(),
        web_push: support_push.clone(),
        public_url: state.public_url.to_string(),
        // E-mail (issue 19 point 4): `OMNICANAL_SMTP_URL`, under the outbound policy.
        email: notify::smtp::SmtpSender::from_config(&config.notify, outbound.clone())
            .map_err(StartError::Config)?
            .map(|sender| Arc::new(sender) as Arc<dyn omnicanal_app::bookings::reminder_email::EmailSender>),
    };
    let support_channels = workers::support_alerts::AlertChannels { gateway: support_gateway, web_push: support_push };
    let mut tasks = vec![
        tokio::spawn(workers::dispatcher::run(state.clone(), shutdown_signal.clone())),
        tokio::spawn(workers::dispatcher::listen(state.clone(), shutdown_signal.clone())),
        tokio::spawn(workers::webhooks::run(state.clone(), shutdown_signal.clone())),
        tokio::spawn(workers::holds::run(state.clone(), shutdown_signal.clone())),
        tokio::spawn(workers::pickup_expiry::run(state.clone(), shutdown_signal.clone())),
        tokio::spawn(workers::payments::run(state.app.clone(), shutdown_signal.clone())),
        tokio::spawn(workers::connections::run(state.app.clone(), shutdown_signal.clone())),
        tokio::spawn(workers::notifications::run(Arc::new(notifier), notification_events, shutdown_signal.clone())),
        tokio::spawn(workers::support_sla::run(state.clone(), shutdown_signal.clone())),
        tokio::spawn(workers::support_incidents::run(state.clone(), shutdown_signal.clone())),
        tokio::spawn(workers::support_alerts::run(
            state.app.clone(),
            support_channels,
            support_alert_events,
            shutdown_signal.clone(),
        )),
        tokio::spawn(workers::booking_holds::run(state.clone(), shutdown_signal.clone())),
        // Reminders before a booking (issue 19 point 4), over the support sender's channels.
        tokio::spawn(workers::booking_reminders::run(
            state.app.clone(),
            booking_reminder_senders,
            std::time::Duration::from_millis(config.notify.booking_reminder_interval_ms),
            shutdown_signal.clone(),
        )),
    ];
    // The peer address reaches handlers as `ConnectInfo` (the sign-in throttle counts by it,
    // unless a trusted proxy's header names the client: `extract::ClientIp`).
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
async fn bootstrap_admin(app: &App, config: &Config) -> Result<(), StartError> {
    let (Some(email), Some(password)) = (&config.admin_email, &config.admin_password) else {
        return Ok(());
    };
    match app.create_first_admin(email, password.expose()).await {
        Ok(true) => tracing::info!(email = %email, "created the first admin"),
        Ok(false) => {}
        Err(omnicanal_app::AppError::Invalid(errors)) => {
            let why: Vec<String> = errors.iter().map(|error| format!("{} {}", error.field, error.message)).collect();
            return Err(StartError::Config(format!("OMNICANAL_ADMIN_EMAIL/PASSWORD: {}", why.join("; "))));
        }
        Err(error) => return Err(StartError::Config(error.to_string())),
    }
    Ok(())
}
