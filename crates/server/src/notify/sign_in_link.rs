//! A customer's sign-in link sent to their e-mail or phone through the notification gateway the
//! operator configured (`OMNICANAL_NOTIFY_WEBHOOK_URL` and `_SECRET`): the same signed Standard
//! Webhooks POST as a till's digital receipt ([`super::receipt_link`]), with
//! `kind: "customer_sign_in_link"` and the link in the text.
//!
//! Sent at once and not retried (the customer asks again), and never logged: the link opens the
//! account. There is no e-mail provider of our own: the gateway decides how to deliver.

use std::sync::Arc;

use omnicanal_app::Clock;
use omnicanal_domain::customers::Identifier;

use super::SendError;
use super::gateway::GatewayPoster;
use crate::config::NotifyConfig;

/// Sends sign-in links to the configured gateway.
#[derive(Debug, Clone)]
pub struct SignInLinkSender {
    gateway: GatewayPoster,
}

impl SignInLinkSender {
    /// The sender for the configured gateway; `None` when none is configured.
    pub fn from_config(config: &NotifyConfig, clock: Arc<dyn Clock>) -> Option<Self> {
        GatewayPoster::from_config(config, clock).map(|gateway| Self { gateway })
    }

    /// Sends `text` (which holds the link) to `to`, in `language` (`es`/`en`).
    pub async fn send(&self, to: &Identifier, language: &str, title: &str, text: &str) -> Result<(), SendError> {
        let (phone, email) = match to {
            Identifier::Phone(phone) => (Some(phone.as_str()), None),
            Identifier::Email(email) => (None, Some(email.as_str())),
        };
        self.gateway
            .post(serde_json::json!({
                "order_id": null,
                "fulfillment_id": null,
                "kind": "customer_sign_in_link",
                "language": language,
                "title": title,
                "body": text,
                "phone": phone,
                "email": email,
            }))
            .await
    }
}
