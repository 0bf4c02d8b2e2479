//! A customer's sign-in link sent to their e-mail or phone through the notification gateway the
//! operator configured (`OMNICANAL_NOTIFY_WEBHOOK_URL` and `_SECRET`): the same signed Standard
//! Webhooks POST as a till's digital receipt ([`super::receipt_link`]), with
//! `kind: "customer_sign_in_link"` and the link in the text.
//!
//! Sent at once and not retried (the customer asks again), and never logged: the link opens the
//! account. There is no e-mail provider of our own: the gateway decides how to deliver.

use std::sync::Arc;

use omnicanal_app::Clock;
use omnicanal_app::ids::{new_id, rfc3339};
use omnicanal_app::signing::secret_key;
use omnicanal_domain::customers::Identifier;

use super::webhook::{EVENT_TYPE, post_signed};
use super::{SendError, http_client};
use crate::config::NotifyConfig;

/// Sends sign-in links to the configured gateway.
#[derive(Clone)]
pub struct SignInLinkSender {
    client: reqwest::Client,
    url: String,
    key: Vec<u8>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SignInLinkSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInLinkSender").field("url", &self.url).finish_non_exhaustive()
    }
}

impl SignInLinkSender {
    /// The sender for the configured gateway; `None` when none is configured.
    pub fn from_config(config: &NotifyConfig, clock: Arc<dyn Clock>) -> Option<Self> {
        let (Some(url), Some(secret)) = (&config.webhook_url, &config.webhook_secret) else {
            return None;
        };
        Some(Self { client: http_client().ok()?, url: url.clone(), key: secret_key(secret.expose())?, clock })
    }

    /// Sends `text` (which holds the link) to `to`, in `language` (`es`/`en`).
    pub async fn send(&self, to: &Identifier, language: &str, title: &str, text: &str) -> Result<(), SendError> {
        let now_ms = self.clock.now_ms();
        let (phone, email) = match to {
            Identifier::Phone(phone) => (Some(phone.as_str()), None),
            Identifier::Email(email) => (None, Some(email.as_str())),
        };
        let body = serde_json::json!({
            "type": EVENT_TYPE,
            "timestamp": rfc3339(now_ms),
            "data": {
                "order_id": null,
                "fulfillment_id": null,
                "kind": "customer_sign_in_link",
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
