//! Customer notifications: browsers' push subscriptions.

/// A browser's Web Push subscription for one order (`PushSubscription.toJSON()` plus language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSubscriptionRow {
    /// Opaque id.
    pub id: String,
    /// The order followed.
    pub order_id: String,
    /// The push service URL messages are POSTed to.
    pub endpoint: String,
    /// The browser's P-256 public key (uncompressed point, base64url without padding).
    pub p256dh: String,
    /// The browser's 16-byte auth secret (base64url without padding).
    pub auth: String,
    /// `es` or `en`.
    pub language: String,
    /// The path a click on the notification opens, if given.
    pub open_path: Option<String>,
    /// Creation time.
    pub created_at_ms: i64,
}
