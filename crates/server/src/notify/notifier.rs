//! Which events become notifications, and sending each one once.
//!
//! Every node's worker sees every outbox event, so each send is claimed first in the store
//! (`notification_sends`, one row per notification and target): the node whose claim lands
//! sends, the others skip. A claimed send that fails is logged, retried a little when the
//! failure looks temporary, and not tried again after that — a late "your order is ready" is
//! worth less than a duplicate is annoying.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{
    FulfillmentRecord, OutboxRow, PushSubscriptionRow, Store, StoreResult, pickup_reminder_key, unaccepted_notice_key,
};

use super::messages::{Language, MessageFacts, NotificationKind, render};
use super::vapid::{VapidError, VapidKeys};
use super::web_push::WebPushProvider;
use super::webhook::SignedWebhookProvider;
use super::{Notification, NotificationProvider, Recipient, SendError, http_client};
use crate::config::NotifyConfig;

/// Attempts per send when failures look temporary.
pub const MAX_ATTEMPTS: u32 = 3;
/// Delay before the first retry; doubles each time.
pub const FIRST_RETRY: Duration = Duration::from_secs(1);
/// Parts ready for longer than this before their reminder fell due are not reminded any more
/// (after an outage, say): a reminder hours late is noise.
pub const REMINDER_WINDOW_MS: i64 = 12 * 60 * 60 * 1000;
/// Parts placed longer ago than this are not told "still not accepted" any more (after an outage,
/// or a limit lengthened by hours): the notice is about the wait now.
pub const UNACCEPTED_WINDOW_MS: i64 = 12 * 60 * 60 * 1000;
/// The claim target of a reminder (or notice) itself: its node then sends it to every target.
const REMINDER_DUE_TARGET: &str = "due";

/// Why the notifier could not be built at start.
#[derive(Debug, thiserror::Error)]
pub enum NotifierError {
    /// The configuration is unusable.
    #[error("{0}")]
    Config(String),
    /// The VAPID key pair could not be loaded or created.
    #[error(transparent)]
    Vapid(#[from] VapidError),
}

impl From<NotifierError> for crate::StartError {
    fn from(error: NotifierError) -> Self {
        match error {
            NotifierError::Vapid(VapidError::Store(store)) => crate::StartError::Store(store),
            other => crate::StartError::Config(other.to_string()),
        }
    }
}

/// Turns events and lapsed pickups into notifications and sends them.
pub struct Notifier {
    store: Arc<dyn Store>,
    web_push: Arc<dyn NotificationProvider>,
    gateways: Vec<Arc<dyn NotificationProvider>>,
    pickup_reminder_ms: i64,
}

impl Notifier {
    /// A notifier over these providers (Web Push for subscriptions, gateways for every order).
    pub fn new(
        store: Arc<dyn Store>,
        web_push: Arc<dyn NotificationProvider>,
        gateways: Vec<Arc<dyn NotificationProvider>>,
        pickup_reminder_minutes: u32,
    ) -> Self {
        Self { store, web_push, gateways, pickup_reminder_ms: i64::from(pickup_reminder_minutes) * 60_000 }
    }

    /// The notifier the configuration describes: Web Push signed with the stored VAPID key pair
    /// (generated now if this is the first start) and, when configured, the signed webhook.
    pub async fn from_config(store: Arc<dyn Store>, config: &NotifyConfig) -> Result<Self, NotifierError> {
        config.validate().map_err(NotifierError::Config)?;
        let client = http_client().map_err(|error| NotifierError::Config(format!("HTTP client: {error}")))?;
        let keys = VapidKeys::load_or_create(&*store).await?;
        let web_push = Arc::new(WebPushProvider::new(
            client.clone(),
            keys,
            config.vapid_subject.clone(),
            config.push_allowed_hosts.clone(),
        ));
        let mut gateways: Vec<Arc<dyn NotificationProvider>> = Vec::new();
        if let (Some(url), Some(secret)) = (&config.webhook_url, &config.webhook_secret) {
            let webhook = SignedWebhookProvider::new(client, url.clone(), secret.expose()).ok_or_else(|| {
                NotifierError::Config("OMNICANAL_NOTIFY_WEBHOOK_SECRET is not a whsec_ secret".into())
            })?;
            gateways.push(Arc::new(webhook));
        }
        Ok(Self::new(store, web_push, gateways, config.pickup_reminder_minutes))
    }

    /// How long a part may wait `ready` before its reminder.
    pub fn pickup_reminder(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.pickup_reminder_ms).unwrap_or(0))
    }

    /// What an outbox event asks for: a part becoming `ready`, `rejected` or `cancelled`.
    pub fn wanted(event: &OutboxRow) -> Option<(NotificationKind, String)> {
        if event.event_type != omnicanal_domain::events::EventType::FulfillmentStatusChanged {
            return None;
        }
        let payload: serde_json::Value = serde_json::from_str(&event.payload_json).ok()?;
        let kind = match payload.get("status")?.as_str()? {
            "ready" => NotificationKind::Ready,
            "rejected" => NotificationKind::Rejected,
            "cancelled" => NotificationKind::Cancelled,
            _ => return None,
        };
        Some((kind, payload.get("fulfillment_id")?.as_str()?.to_owned()))
    }

    /// Parts whose pickup reminder falls due by `now_ms`, each claimed for this node (at most `limit`).
    pub async fn claim_due_reminders(&self, now_ms: i64, limit: i64) -> StoreResult<Vec<String>> {
        let due_before = now_ms - self.pickup_reminder_ms;
        let candidates =
            self.store.parts_due_pickup_reminder(due_before - REMINDER_WINDOW_MS, due_before, limit).await?;
        let mut claimed = Vec::with_capacity(candidates.len());
        for fulfillment_id in candidates {
            if self.store.claim_notification(&pickup_reminder_key(&fulfillment_id), REMINDER_DUE_TARGET, now_ms).await?
            {
                claimed.push(fulfillment_id);
            }
        }
        Ok(claimed)
    }

    /// Parts at `notify_only` sites that passed their acceptance limit by `now_ms` still
    /// `placed`, each claimed for this node (at most `limit`): each is told once, by one node.
    pub async fn claim_due_unaccepted(&self, now_ms: i64, limit: i64) -> StoreResult<Vec<String>> {
        let candidates = self.store.parts_due_unaccepted_notice(now_ms - UNACCEPTED_WINDOW_MS, now_ms, limit).await?;
        let mut claimed = Vec::with_capacity(candidates.len());
        for fulfillment_id in candidates {
            if self
                .store
                .claim_notification(&unaccepted_notice_key(&fulfillment_id), REMINDER_DUE_TARGET, now_ms)
                .await?
            {
                claimed.push(fulfillment_id);
            }
        }
        Ok(claimed)
    }

    /// Sends the "still not accepted" notice of a part this node claimed
    /// (see [`Notifier::claim_due_unaccepted`]).
    pub async fn notice_unaccepted(&self, fulfillment_id: &str) -> StoreResult<()> {
        self.notify(&unaccepted_notice_key(fulfillment_id), NotificationKind::NotAccepted, fulfillment_id).await
    }

    /// Sends the reminder of a part this node claimed (see [`Notifier::claim_due_reminders`]).
    pub async fn remind(&self, fulfillment_id: &str) -> StoreResult<()> {
        self.notify(&pickup_reminder_key(fulfillment_id), NotificationKind::PickupReminder, fulfillment_id).await
    }

    /// Sends notification `key` (an outbox event id, or a reminder key) about a part to every
    /// push subscription of its order and to every gateway, each target claimed first.
    pub async fn notify(&self, key: &str, kind: NotificationKind, fulfillment_id: &str) -> StoreResult<()> {
        let Some(part) = self.store.get_fulfillment(fulfillment_id).await? else {
            return Ok(());
        };
        if kind == NotificationKind::PickupReminder && part.status != FulfillmentStatus::Ready {
            return Ok(()); // collected meanwhile
        }
        if kind == NotificationKind::NotAccepted && part.status != FulfillmentStatus::Placed {
            return Ok(()); // answered meanwhile
        }
        let Some(order) = self.store.get_order(&part.order_id).await? else {
            return Ok(());
        };
        let restaurant = self.store.get_merchant(&part.merchant_id).await?.map(|m| m.name).unwrap_or_default();
        let facts = MessageFacts { kind, restaurant, pickup_code: part.pickup_code.clone(), refunded: refunded(&part) };
        let subscriptions = self.store.list_push_subscriptions(&part.order_id).await?;
        let contact = Recipient {
            phone: order.order.customer_phone.as_deref(),
            email: order.order.customer_email.as_deref(),
            push: None,
        };
        for subscription in &subscriptions {
            let language = Language::parse(&subscription.language).unwrap_or(Language::Es);
            let recipient = Recipient { push: Some(subscription), ..contact };
            let target = format!("push:{}", subscription.id);
            self.send_once(key, &target, &*self.web_push, &facts, &part, language, &recipient).await?;
        }
        // Gateways write in the language the customer chose on the order page, if they did.
        let language = subscriptions.first().and_then(|s| Language::parse(&s.language)).unwrap_or(Language::Es);
        for gateway in &self.gateways {
            self.send_once(key, gateway.name(), &**gateway, &facts, &part, language, &contact).await?;
        }
        Ok(())
    }

    #[expect(clippy::too_many_arguments, reason = "one send: who, what, to whom; a struct would only rename them")]
    async fn send_once(
        &self,
        key: &str,
        target: &str,
        provider: &dyn NotificationProvider,
        facts: &MessageFacts,
        part: &FulfillmentRecord,
        language: Language,
        recipient: &Recipient<'_>,
    ) -> StoreResult<()> {
        if !self.store.claim_notification(key, target, crate::ids::now_ms()).await? {
            return Ok(()); // another node has it
        }
        let texts = render(facts, language);
        let notification = Notification {
            id: format!("ntf_{}_{}", key.replace(':', "_"), target.replace(':', "_")),
            kind: facts.kind,
            language,
            order_id: part.order_id.clone(),
            fulfillment_id: part.id.clone(),
            title: texts.title,
            body: texts.body,
        };
        match send_with_retries(provider, &notification, recipient).await {
            Ok(()) => tracing::debug!(provider = provider.name(), %key, fulfillment_id = %part.id, "notification sent"),
            Err(SendError::Gone(status)) => {
                if let Some(subscription) = recipient.push {
                    forget(&*self.store, subscription, status).await?;
                }
            }
            Err(error) => tracing::warn!(
                provider = provider.name(),
                %key,
                order_id = %part.order_id,
                fulfillment_id = %part.id,
                %error,
                "notification not sent"
            ),
        }
        Ok(())
    }
}

/// What was refunded for a part, if anything.
fn refunded(part: &FulfillmentRecord) -> Option<Money> {
    let currency: Currency = part.currency;
    (part.refunded_minor > 0).then(|| Money::new(part.refunded_minor, currency))
}

/// Drops every subscription with a gone endpoint (a browser may follow several orders with it).
async fn forget(store: &dyn Store, subscription: &PushSubscriptionRow, status: u16) -> StoreResult<()> {
    let removed = store.delete_push_endpoint(&subscription.endpoint).await?;
    let host = reqwest::Url::parse(&subscription.endpoint).ok().and_then(|url| url.host_str().map(str::to_owned));
    tracing::info!(status, host = host.as_deref().unwrap_or(""), removed, "push subscription gone; removed");
    Ok(())
}

/// Sends, retrying temporary failures with a doubling delay, up to [`MAX_ATTEMPTS`] in all.
async fn send_with_retries(
    provider: &dyn NotificationProvider,
    notification: &Notification,
    recipient: &Recipient<'_>,
) -> Result<(), SendError> {
    let mut delay = FIRST_RETRY;
    let mut attempt = 1;
    loop {
        match provider.send(notification, recipient).await {
            Err(SendError::Transient(reason)) if attempt < MAX_ATTEMPTS => {
                tracing::debug!(provider = provider.name(), attempt, %reason, "notification send failed; retrying");
                tokio::time::sleep(delay).await;
                delay *= 2;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}
