//! The generic gateway provider: each notification POSTed as JSON to one URL, signed per
//! Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with a `whsec_`
//! secret, so an SMS or WhatsApp gateway — or a small adapter in front of one — can verify it
//! and deliver the text to the customer's phone.
//!
//! The body: `{"type": "notification.requested", "timestamp", "data": {order_id, fulfillment_id,
//! kind, language, title, body, phone, email}}`.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use omnicanal_app::Clock;

use super::{Notification, NotificationProvider, Recipient, SendError, classify};
use omnicanal_app::ids::rfc3339;
use omnicanal_app::signing::{secret_key, sign};

/// The `type` of every body this provider sends.
pub const EVENT_TYPE: &str = "notification.requested";

/// POSTs notifications to a gateway.
#[derive(Clone)]
pub struct SignedWebhookProvider {
    client: reqwest::Client,
    url: String,
    key: Vec<u8>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for SignedWebhookProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedWebhookProvider").field("url", &self.url).finish_non_exhaustive()
    }
}

impl SignedWebhookProvider {
    /// A provider for `url` signing with `secret` (`whsec_…`) and dating by `clock`; `None` if
    /// the secret is not one.
    pub fn new(client: reqwest::Client, url: String, secret: &str, clock: Arc<dyn Clock>) -> Option<Self> {
        Some(Self { client, url, key: secret_key(secret)?, clock })
    }

    /// The JSON body for one notification sent at `now_ms`.
    pub fn body(notification: &Notification, recipient: &Recipient<'_>, now_ms: i64) -> String {
        serde_json::json!({
            "type": EVENT_TYPE,
            "timestamp": rfc3339(now_ms),
            "data": {
                "order_id": notification.order_id,
                "fulfillment_id": notification.fulfillment_id,
                "kind": notification.kind.as_str(),
                "language": notification.language.as_str(),
                "title": notification.title,
                "body": notification.body,
                "phone": recipient.phone,
                "email": recipient.email,
            },
        })
        .to_string()
    }
}

#[async_trait]
impl NotificationProvider for SignedWebhookProvider {
    fn name(&self) -> &str {
        "webhook"
    }

    async fn send(&self, notification: &Notification, recipient: &Recipient<'_>) -> Result<(), SendError> {
        let now_ms = self.clock.now_ms();
        let body = Self::body(notification, recipient, now_ms);
        post_signed(&self.client, &self.url, &self.key, &notification.id, now_ms, body).await
    }
}

/// POSTs `body` to the gateway at `url` as message `id`, signed with `key` per Standard
/// Webhooks and dated `now_ms`: the one way every message to the gateway goes (a notification
/// about an order, a till's receipt link). A gateway's 404 or 410 is a misconfiguration, not a
/// customer who went away, so it is `Refused` rather than `Gone`.
pub(super) async fn post_signed(
    client: &reqwest::Client,
    url: &str,
    key: &[u8],
    id: &str,
    now_ms: i64,
    body: String,
) -> Result<(), SendError> {
    let timestamp = now_ms / 1000;
    let signature = sign(key, id, timestamp, body.as_bytes());
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|error| SendError::Transient(format!("could not reach the gateway: {error}")))?;
    classify(response.status()).map_err(|error| match error {
        SendError::Gone(status) => SendError::Refused(format!("the gateway answered {status}")),
        other => other,
    })
}
