//! The application state shared by handlers and workers.

use std::sync::Arc;

use omnicanal_store::{OutboxRow, Store};
use tokio::sync::{Notify, broadcast, watch};

use crate::payments::PaymentProvider;

/// How many events a slow SSE subscriber may fall behind before it is told to resync.
pub const EVENT_BUFFER: usize = 4_096;

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Persistence.
    pub store: Arc<dyn Store>,
    /// The card provider.
    pub payments: Arc<dyn PaymentProvider>,
    /// Committed outbox events, fanned out to SSE streams by the dispatcher.
    pub events: broadcast::Sender<Arc<OutboxRow>>,
    /// Wakes the dispatcher right after a local write, instead of waiting for its next poll.
    pub outbox_written: Arc<Notify>,
    /// Wakes the webhook worker the same way.
    pub webhook_work: Arc<Notify>,
    /// Turns true when the server is stopping, so long-lived streams end and shutdown can finish.
    pub shutdown: watch::Receiver<bool>,
    /// The base URL customers reach the server at, without a trailing slash (QR posters print
    /// it); `start` sets it from [`crate::Config::public_base_url`].
    pub public_url: Arc<str>,
    /// Hosts a push subscription's endpoint may name; `start` sets it from
    /// [`crate::config::NotifyConfig::push_allowed_hosts`].
    pub push_allowed_hosts: Arc<crate::notify::subscription::AllowedPushHosts>,
    /// Failed sign-ins per e-mail and per client address, on this node; `start` sets its
    /// address limit from [`crate::Config::login_ip_limit`].
    pub login_throttle: Arc<crate::throttle::LoginThrottle>,
}

impl AppState {
    /// Builds the state around a store, a payment provider and the shutdown signal.
    pub fn new(store: Arc<dyn Store>, payments: Arc<dyn PaymentProvider>, shutdown: watch::Receiver<bool>) -> Self {
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        Self {
            store,
            payments,
            events,
            outbox_written: Arc::new(Notify::new()),
            webhook_work: Arc::new(Notify::new()),
            shutdown,
            public_url: Arc::from("http://127.0.0.1:8080"),
            push_allowed_hosts: Arc::default(),
            login_throttle: Arc::default(),
        }
    }

    /// Tells the dispatcher and the webhook worker that new events were committed.
    pub fn wake_dispatcher(&self) {
        self.outbox_written.notify_one();
        self.webhook_work.notify_one();
    }
}
