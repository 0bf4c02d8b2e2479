//! Web Push (RFC 8030) to a browser's subscription: the message is JSON encrypted for that
//! browser alone (RFC 8291, `aes128gcm`) by `web-push-native`, and the request is signed with
//! the server's VAPID key (RFC 8292). Our own `reqwest` client sends it.

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use omnicanal_app::Clock;
use web_push_native::p256::PublicKey;

use super::subscription::{AUTH_BYTES, AllowedPushHosts};
use super::vapid::VapidKeys;
use super::{Notification, NotificationProvider, Recipient, SendError, classify};

/// How long a push service keeps an undelivered message (seconds): after an hour "ready" is stale.
pub const TIME_TO_LIVE_SECONDS: u32 = 60 * 60;

/// Sends to browsers' push subscriptions.
#[derive(Clone)]
pub struct WebPushProvider {
    client: reqwest::Client,
    keys: VapidKeys,
    subject: String,
    allowed_hosts: AllowedPushHosts,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for WebPushProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebPushProvider")
            .field("keys", &self.keys)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

impl WebPushProvider {
    /// A provider signing with `keys`, naming `subject` (`mailto:` or `https:`) as the contact,
    /// pushing only to endpoints `allowed_hosts` names (a subscription stored under an older,
    /// wider list is refused rather than called); its JWTs are dated by `clock`.
    pub fn new(
        client: reqwest::Client,
        keys: VapidKeys,
        subject: String,
        allowed_hosts: AllowedPushHosts,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { client, keys, subject, allowed_hosts, clock }
    }
}

/// The notification tag of a part's message of one kind: `<fulfilment id>:<kind>` — what
/// `assets/order.js` uses for the notifications it shows itself.
pub fn tag(fulfillment_id: &str, kind: super::NotificationKind) -> String {
    format!("{fulfillment_id}:{}", kind.as_str())
}

/// What the service worker receives (`event.data.json()`).
pub fn payload(notification: &Notification, open_path: Option<&str>) -> String {
    serde_json::json!({
        "title": notification.title,
        "body": notification.body,
        "kind": notification.kind.as_str(),
        "lang": notification.language.as_str(),
        "order_id": notification.order_id,
        "fulfillment_id": notification.fulfillment_id,
        // One tag per part and kind: the order page, when open, shows the same notification
        // under the same tag, so the phone replaces it instead of alerting twice.
        "tag": tag(&notification.fulfillment_id, notification.kind),
        "url": open_path.unwrap_or("/"),
    })
    .to_string()
}

#[async_trait]
impl NotificationProvider for WebPushProvider {
    fn name(&self) -> &str {
        "web_push"
    }

    async fn send(&self, notification: &Notification, recipient: &Recipient<'_>) -> Result<(), SendError> {
        let subscription = recipient.push.ok_or_else(|| SendError::Refused("no push subscription".into()))?;
        let message = payload(notification, subscription.open_path.as_deref());
        let target =
            PushTarget { endpoint: &subscription.endpoint, p256dh: &subscription.p256dh, auth: &subscription.auth };
        self.send_payload(&target, message).await
    }
}

/// Where one push goes: a subscription's endpoint and keys (an order's or a support agent's).
#[derive(Debug, Clone, Copy)]
pub struct PushTarget<'a> {
    /// The push service URL.
    pub endpoint: &'a str,
    /// The browser's P-256 public key (base64url).
    pub p256dh: &'a str,
    /// The browser's auth secret (base64url).
    pub auth: &'a str,
}

impl WebPushProvider {
    /// Encrypts `message` (what the service worker reads with `event.data.json()`) for
    /// `target`'s browser, signs the request with the VAPID key and POSTs it: the one way any
    /// push leaves the server, whatever it is about.
    pub async fn send_payload(&self, target: &PushTarget<'_>, message: String) -> Result<(), SendError> {
        let endpoint =
            reqwest::Url::parse(target.endpoint).map_err(|_| SendError::Refused("the endpoint is not a URL".into()))?;
        self.allowed_hosts.check(&endpoint).map_err(|reason| SendError::Refused(format!("the endpoint {reason}")))?;
        let browser_key = URL_SAFE_NO_PAD
            .decode(target.p256dh)
            .ok()
            .and_then(|bytes| PublicKey::from_sec1_bytes(&bytes).ok())
            .ok_or_else(|| SendError::Refused("the subscription's p256dh is not a P-256 key".into()))?;
        let auth = URL_SAFE_NO_PAD
            .decode(target.auth)
            .ok()
            .filter(|auth| auth.len() == AUTH_BYTES)
            .ok_or_else(|| SendError::Refused("the subscription's auth secret is not 16 bytes".into()))?;
        let body = web_push_native::encrypt(
            message.into_bytes(),
            &browser_key,
            &web_push_native::Auth::clone_from_slice(&auth),
        )
        .map_err(|error| SendError::Refused(format!("could not encrypt: {error}")))?;
        let authorization = self.keys.authorization(&endpoint, &self.subject, self.clock.now_ms() / 1000);
        let response = self
            .client
            .post(endpoint)
            .header("ttl", TIME_TO_LIVE_SECONDS.to_string())
            .header("urgency", "high")
            .header("content-encoding", "aes128gcm")
            .header("content-type", "application/octet-stream")
            .header("authorization", authorization)
            .body(body)
            .send()
            .await
            .map_err(|error| SendError::Transient(format!("could not reach the push service: {error}")))?;
        classify(response.status())
    }
}
