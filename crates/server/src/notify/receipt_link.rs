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

use super::SendError;
use super::gateway::GatewayPoster;
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
#[derive(Debug, Clone)]
pub struct ReceiptLinkSender {
    gateway: GatewayPoster,
}

impl ReceiptLinkSender {
    /// The sender for the configured gateway; `None` when none is configured.
    pub fn from_config(config: &NotifyConfig, clock: Arc<dyn Clock>) -> Option<Self> {
        GatewayPoster::from_config(config, clock).map(|gateway| Self { gateway })
    }

    /// Sends `text` (which holds the link) about `sale_id` to `to`, in `language` (`es`/`en`).
    pub async fn send(&self, sale_id: &str, to: &LinkRecipient, language: &str, text: &str) -> Result<(), SendError> {
        let (phone, email) = match to {
            LinkRecipient::Phone(phone) => (Some(phone.as_str()), None),
            LinkRecipient::Email(email) => (None, Some(email.as_str())),
        };
        let title = if language == "en" { "Your receipt" } else { "Su ticket de compra" };
        self.gateway
            .post(serde_json::json!({
                "order_id": null,
                "fulfillment_id": null,
                "sale_id": sale_id,
                "kind": "digital_receipt",
                "language": language,
                "title": title,
                "body": text,
                "phone": phone,
                "email": email,
            }))
            .await
    }
}
