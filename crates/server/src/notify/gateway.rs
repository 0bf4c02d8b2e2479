//! One message to the notification gateway the operator configured
//! (`OMNICANAL_NOTIFY_WEBHOOK_URL` and `_SECRET`), sent at once as a signed Standard Webhooks
//! POST in the body shape of [`super::webhook::SignedWebhookProvider`]'s.
//!
//! Shared by the messages a request sends while the customer waits — a till's receipt link, a
//! customer's sign-in link — so the envelope, the signing and the client are written once.

use std::sync::Arc;

use omnicanal_app::Clock;
use omnicanal_app::ids::{new_id, rfc3339};
use omnicanal_app::signing::secret_key;

use super::webhook::{EVENT_TYPE, post_signed};
use super::{SendError, http_client};
use crate::config::NotifyConfig;

/// Posts messages to the configured gateway.
#[derive(Clone)]
pub struct GatewayPoster {
    client: reqwest::Client,
    url: String,
    key: Vec<u8>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for GatewayPoster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayPoster").field("url", &self.url).finish_non_exhaustive()
    }
}

impl GatewayPoster {
    /// The poster for the configured gateway; `None` when none is configured (or the secret is
    /// not a `whsec_` one, which the notifier refuses at start anyway).
    pub fn from_config(config: &NotifyConfig, clock: Arc<dyn Clock>) -> Option<Self> {
        let (Some(url), Some(secret)) = (&config.webhook_url, &config.webhook_secret) else {
            return None;
        };
        Some(Self { client: http_client().ok()?, url: url.clone(), key: secret_key(secret.expose())?, clock })
    }

    /// Sends `data` (the message's fields) wrapped in the webhook's envelope, signed.
    pub async fn post(&self, data: serde_json::Value) -> Result<(), SendError> {
        self.post_as(&new_id("msg"), data).await
    }

    /// Sends `data` as message `message_id`: a retry of one message keeps its `webhook-id`, so
    /// the gateway can tell it from a new one (Standard Webhooks' idempotency key).
    pub async fn post_as(&self, message_id: &str, data: serde_json::Value) -> Result<(), SendError> {
        let now_ms = self.clock.now_ms();
        let body = serde_json::json!({"type": EVENT_TYPE, "timestamp": rfc3339(now_ms), "data": data}).to_string();
        post_signed(&self.client, &self.url, &self.key, message_id, now_ms, body).await
    }
}
