//! Notifications to the customer's phone: "your order is ready", "rejected and refunded",
//! "remember to pick it up".
//!
//! A [`NotificationProvider`] sends one [`Notification`] to one [`Recipient`]. Two are built in:
//! [`web_push::WebPushProvider`] (RFC 8030 push with RFC 8291 encryption and RFC 8292 VAPID, to
//! each browser that subscribed on the order page) and [`webhook::SignedWebhookProvider`] (a
//! Standard Webhooks POST to a gateway of the operator's choice, say SMS or WhatsApp). Which
//! events become notifications, and who sends each one once across nodes, is
//! [`notifier::Notifier`]'s job; the worker that drives it is `workers::notifications`.

pub mod gateway;
pub mod messages;
pub mod notifier;
pub mod receipt_link;
pub mod sign_in_link;
pub mod smtp;
pub mod subscription;
pub mod vapid;
pub mod web_push;
pub mod webhook;

use std::time::Duration;

use async_trait::async_trait;
use omnicanal_store::PushSubscriptionRow;

pub use messages::{Language, NotificationKind};

/// How long one send may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// One notification, its texts already in the recipient's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Stable id of this notification for this recipient: the same on every retry and node,
    /// so receivers can drop duplicates (sent as `webhook-id`).
    pub id: String,
    /// Why.
    pub kind: NotificationKind,
    /// The texts' language.
    pub language: Language,
    /// The order.
    pub order_id: String,
    /// The part of the order it is about.
    pub fulfillment_id: String,
    /// The title.
    pub title: String,
    /// The text.
    pub body: String,
}

/// Who receives a notification: the order's contact details, and for Web Push the browser.
#[derive(Debug, Clone, Copy, Default)]
pub struct Recipient<'a> {
    /// The customer's phone, as given with the order.
    pub phone: Option<&'a str>,
    /// The customer's e-mail, as given with the order.
    pub email: Option<&'a str>,
    /// The browser subscription to push to (Web Push only).
    pub push: Option<&'a PushSubscriptionRow>,
}

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The push service says the subscription no longer exists (404 or 410): forget it.
    #[error("the subscription is gone (HTTP {0})")]
    Gone(u16),
    /// Worth trying again shortly (no connection, a timeout, 429 or a 5xx).
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Trying again will not help (a 4xx, bad keys, nothing to send to).
    #[error("refused: {0}")]
    Refused(String),
}

/// Sends notifications over one channel. Object-safe, so the worker holds a list of them.
#[async_trait]
pub trait NotificationProvider: Send + Sync {
    /// A short stable name (`web_push`, `webhook`), used in logs and in send claims.
    fn name(&self) -> &str;
    /// Sends one notification to one recipient.
    async fn send(&self, notification: &Notification, recipient: &Recipient<'_>) -> Result<(), SendError>;
}

/// The HTTP client the providers share: bounded time, no redirects (a push service answers
/// directly; following a redirect would POST the customer's message somewhere else).
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder().timeout(REQUEST_TIMEOUT).redirect(reqwest::redirect::Policy::none()).build()
}

/// Classifies an HTTP answer: 2xx is sent; 429 and 5xx are worth a retry; the rest is refused.
pub(crate) fn classify(status: reqwest::StatusCode) -> Result<(), SendError> {
    match status.as_u16() {
        200..=299 => Ok(()),
        404 | 410 => Err(SendError::Gone(status.as_u16())),
        429 | 500..=599 => Err(SendError::Transient(format!("the receiver answered {status}"))),
        _ => Err(SendError::Refused(format!("the receiver answered {status}"))),
    }
}
