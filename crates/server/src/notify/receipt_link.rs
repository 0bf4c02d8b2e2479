//! A till's digital receipt sent to the customer's phone or e-mail through the notification
//! gateway the operator configured (`OMNICANAL_NOTIFY_WEBHOOK_URL` and `_SECRET`): the same
//! signed Standard Webhooks POST and body shape as [`super::webhook::SignedWebhookProvider`]'s,
//! with `kind: "digital_receipt"`, the sale instead of an order, and the link in the text.
//!
//! It is sent at once, while the customer stands at the counter, not through the notifications
//! worker: the worker's notifications are about orders' parts (claimed once per part across
//! nodes), and a receipt link is one request's answer. Nothing is retried: the till shows
//! whether the gateway took it, and the QR stays on screen either way. There is no e-mail
//! provider of our own: an e-mail address is handed to the same gateway, which decides.

use std::sync::Arc;

use omnicanal_app::Clock;
use omnicanal_app::ids::{new_id, rfc3339};
use omnicanal_app::signing::secret_key;

use super::webhook::{EVENT_TYPE, post_signed};
use super::{SendError, http_client};
use crate::config::NotifyConfig;

/// Where a receipt link goes: one phone or one e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkRecipient {
    /// A phone (SMS or WhatsApp, as the gateway does), digits with an optional `+`.
    Phone(String),
    /// An e-mail address.
    Email(String),
}

/// Sends receipt links to the configured gateway.
#[derive(Clone)]
pub struct ReceiptLinkSender {
    client: reqwest::Client,
    url: String,
    key: Vec<u8>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ReceiptLinkSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiptLinkSender").field("url", &self.url).finish_non_exhaustive()
    }
}

impl ReceiptLinkSender {
    /// The sender for the configured gateway; `None` when none is configured (or the secret is
    /// not a `whsec_` one, which the notifier refuses at start anyway).
    pub fn from_config(config: &NotifyConfig, clock: Arc<dyn Clock>) -> Option<Self> {
        let (Some(url), Some(secret)) = (&config.webhook_url, &config.webhook_secret) else {
            return None;
        };
        Some(Self { client: http_client().ok()?, url: url.clone(), key: secret_key(secret.expose())?, clock })
    }

    /// Sends `text` (which holds the link) about `sale_id` to `to`, in `language` (`es`/`en`).
    pub async fn send(&self, sale_id: &str, to: &LinkRecipient, language: &str, text: &str) -> Result<(), SendError> {
        let now_ms = self.clock.now_ms();
        let (phone, email) = match to {
            LinkRecipient::Phone(phone) => (Some(phone.as_str()), None),
            LinkRecipient::Email(email) => (None, Some(email.as_str())),
        };
        let title = if language == "en" { "Your receipt" } else { "Su ticket de compra" };
        let body = serde_json::json!({
            "type": EVENT_TYPE,
            "timestamp": rfc3339(now_ms),
            "data": {
                "order_id": null,
                "fulfillment_id": null,
                "sale_id": sale_id,
                "kind": "digital_receipt",
                "language": language,
                "title": title,
                "body": text,
                "phone": phone,
                "email": email,
            },
        })
        .to_string();
        post_signed(&self.client, &self.url, &self.key, &new_id("msg"), now_ms, body).await
    }
}
