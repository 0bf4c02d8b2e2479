//! Omnicanal's use cases: every operation the product performs, decided in one place.
//!
//! HTTP handlers, pages, the command line and the workers reach the store through this crate
//! and nothing else. Each use case is a method of [`App`] (one `impl App` block per area, in
//! the area's module) taking a typed command — built at the edge, where a request is parsed
//! once — and the [`Caller`] when who asks matters; it reads the time from the app's
//! [`Clock`] and answers with the closed [`AppError`]. No HTTP type lives here: the server
//! maps `AppError` to problem+json in its one table.
//!
//! Money that must move at a provider is never moved inline after a commit: the transaction
//! that owes it writes a payment job, and [`App::run_payment_jobs`] carries it out (see
//! [`payments`]).

pub mod access;
pub mod aisle;
pub mod audit;
pub mod caller;
pub mod catalog;
pub mod click_collect;
pub mod clock;
pub mod connections;
pub mod console;
pub mod credit;
pub mod customers;
pub mod documents;
pub mod error;
pub mod events;
pub mod fulfilment;
pub mod ids;
pub mod imports;
pub mod local_time;
pub mod merchants;
pub mod notifications;
pub mod ordering;
pub mod outbound;
pub mod payments;
pub mod pos;
pub mod price_book;
pub mod pricing;
pub mod reporting;
pub mod retail;
pub mod returns;
pub mod setup;
pub mod signing;
pub mod stock;
// The support desk (issue 18).
pub mod support;
pub mod throttle;
pub mod validation;
pub mod webhooks;
pub mod webshop;
// Bookings, never double-booked (issue 19).
pub mod bookings;

pub use caller::Caller;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{AppError, AppResult, FieldError};
pub use payments::{PaymentError, PaymentProvider};

use std::sync::Arc;

use omnicanal_store::Store;
use tokio::sync::Notify;

use crate::outbound::OutboundPolicy;
use crate::throttle::LoginThrottle;

/// The use-case layer: the store, the clock and the payment provider, the signals that wake
/// the workers after a commit, the sign-in throttle and the outbound policy. Cheap to clone.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    payments: Arc<dyn PaymentProvider>,
    terminal: Arc<dyn pos::terminal::CardTerminal>,
    signals: Arc<Signals>,
    login_throttle: Arc<LoginThrottle>,
    outbound: Arc<OutboundPolicy>,
    printer: Arc<dyn pos::printing::ReceiptPrinter>,
    shop_clients: Arc<dyn connections::client::ShopClients>,
    credentials_key: Arc<connections::credentials::CredentialsKey>,
    connection_timing: connections::engine::ConnectionTiming,
    /// Wrong gift card codes, counted apart from sign-ins (issue 17 point 8).
    gift_card_throttle: Arc<LoginThrottle>,
    /// The catalog rows orders read, kept in memory per catalog generation (issue 20).
    catalog: Arc<pricing::snapshot::CatalogSnapshot>,
}

/// What a committed change wakes, so the workers act at once instead of at their next poll.
#[derive(Debug, Default)]
pub struct Signals {
    /// New outbox events: the dispatcher (SSE) and the webhook fan-out.
    pub outbox: Notify,
    /// New outbox events, for the webhook worker.
    pub webhooks: Notify,
    /// New payment jobs, for the payment worker.
    pub payment_jobs: Notify,
    /// New events or requests for the shop connections' worker (pushes owed, a resync, an
    /// order a shop sent).
    pub connections: Notify,
    /// Stores a batch that may open an incident just came from, for the incident detector.
    pub incident_stores: support::incident_watch::StoresToJudge,
}

impl App {
    /// The layer over a store, a clock and a payment provider.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, payments: Arc<dyn PaymentProvider>) -> Self {
        let login_throttle = Arc::new(LoginThrottle::new(throttle::Limits::default(), clock.clone()));
        let gift_card_throttle = Arc::new(LoginThrottle::new(credit::guess_limits(), clock.clone()));
        let outbound = Arc::new(OutboundPolicy::strict());
        let terminal = Arc::new(pos::terminal::SandboxTerminal);
        let printer = Arc::new(pos::tcp_printer::TcpReceiptPrinter);
        let shop_clients = Arc::new(connections::client::NoShopClients);
        let credentials_key = Arc::new(connections::credentials::CredentialsKey::random());
        Self {
            store,
            clock,
            payments,
            terminal,
            signals: Arc::default(),
            login_throttle,
            outbound,
            printer,
            shop_clients,
            credentials_key,
            connection_timing: connections::engine::ConnectionTiming::default(),
            gift_card_throttle,
            catalog: Arc::default(),
        }
    }

    /// The same layer polling shops and looking for edits in them this often.
    pub fn with_connection_timing(mut self, timing: connections::engine::ConnectionTiming) -> Self {
        self.connection_timing = timing;
        self
    }

    /// The same layer with these shop clients (by default none: every call to a shop fails).
    pub fn with_shop_clients(mut self, clients: Arc<dyn connections::client::ShopClients>) -> Self {
        self.shop_clients = clients;
        self
    }

    /// The same layer with this key for the shop connections' credentials (by default a random
    /// key of this process: credentials stored by another process could not be opened).
    pub fn with_credentials_key(mut self, key: connections::credentials::CredentialsKey) -> Self {
        self.credentials_key = Arc::new(key);
        self
    }

    /// The same layer with these sign-in limits (per node: each node counts alone).
    pub fn with_login_limits(mut self, limits: throttle::Limits) -> Self {
        self.login_throttle = Arc::new(LoginThrottle::new(limits, self.clock.clone()));
        self
    }

    /// The same layer with this card terminal for the tills (by default the sandbox terminal).
    pub fn with_card_terminal(mut self, terminal: Arc<dyn pos::terminal::CardTerminal>) -> Self {
        self.terminal = terminal;
        self
    }

    /// The same layer with this receipt printer for the tills (by default raw TCP, port 9100).
    pub fn with_receipt_printer(mut self, printer: Arc<dyn pos::printing::ReceiptPrinter>) -> Self {
        self.printer = printer;
        self
    }

    /// The same layer with this outbound policy (by default: https to public hosts only).
    pub fn with_outbound_policy(mut self, policy: OutboundPolicy) -> Self {
        self.outbound = Arc::new(policy);
        self
    }

    /// Where the server may send data; the HTTP client that makes outbound calls checks the
    /// addresses it connects to against the same policy.
    pub fn outbound_policy(&self) -> &Arc<OutboundPolicy> {
        &self.outbound
    }

    /// The clock every decision reads.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Now, by the app's clock (Unix milliseconds).
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The signals workers wait on.
    pub fn signals(&self) -> &Arc<Signals> {
        &self.signals
    }

    /// Tells the workers that a change committed events or payment jobs.
    pub fn committed(&self) {
        self.signals.outbox.notify_one();
        self.signals.webhooks.notify_one();
        self.signals.payment_jobs.notify_one();
        self.signals.connections.notify_one();
    }
}
