//! The application state shared by handlers and workers.

use std::sync::Arc;

use omnicanal_app::App;
use omnicanal_store::OutboxRow;
use tokio::sync::{broadcast, watch};

/// How many events a slow SSE subscriber may fall behind before it is told to resync.
pub const EVENT_BUFFER: usize = 4_096;

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The use cases: every operation goes through here.
    pub app: App,
    /// Committed outbox events, fanned out to SSE streams by the dispatcher.
    pub events: broadcast::Sender<Arc<OutboxRow>>,
    /// Turns true when the server is stopping, so long-lived streams end and shutdown can finish.
    pub shutdown: watch::Receiver<bool>,
    /// The base URL customers reach the server at, without a trailing slash (QR posters print
    /// it); `start` sets it from [`crate::Config::public_base_url`].
    pub public_url: Arc<str>,
    /// Hosts a push subscription's endpoint may name; `start` sets it from
    /// [`crate::config::NotifyConfig::push_allowed_hosts`].
    pub push_allowed_hosts: Arc<crate::notify::subscription::AllowedPushHosts>,
    /// The header a trusted reverse proxy names the client in (`OMNICANAL_TRUSTED_PROXY_HEADER`);
    /// `None`: the client is the TCP peer.
    pub trusted_proxy_header: Option<Arc<axum::http::HeaderName>>,
    /// Sends a till's digital receipt link to the customer through the notification gateway;
    /// `None` when no gateway is configured. `start` sets it.
    pub receipt_links: Option<Arc<crate::notify::receipt_link::ReceiptLinkSender>>,
    /// Sends a customer's sign-in link through the notification gateway; `None` when no
    /// gateway is configured. `start` sets it (issue 17 point 3).
    pub sign_in_links: Option<Arc<crate::notify::sign_in_link::SignInLinkSender>>,
}

impl AppState {
    /// Builds the state around the use cases and the shutdown signal.
    pub fn new(app: App, shutdown: watch::Receiver<bool>) -> Self {
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        Self {
            app,
            events,
            shutdown,
            public_url: Arc::from("http://127.0.0.1:8080"),
            push_allowed_hosts: Arc::default(),
            trusted_proxy_header: None,
            receipt_links: None,
            sign_in_links: None,
        }
    }

    /// Tells the dispatcher and the workers that new events or payment jobs were committed.
    pub fn wake_dispatcher(&self) {
        self.app.committed();
    }
}
