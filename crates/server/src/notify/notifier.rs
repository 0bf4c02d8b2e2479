//! Sending each due notification once, through the configured providers.
//!
//! What is due, to whom, and the claims that make each send happen on one node only are the
//! app's (`omnicanal_app::notifications::sends`); this module renders the texts and drives the
//! providers. A claimed send that fails is logged, retried a little when the failure looks
//! temporary, and not tried again after that — a late "your order is ready" is worth less than
//! a duplicate is annoying.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::notifications::{NotificationPlan, pickup_reminder_key, unaccepted_notice_key};
use omnicanal_app::{App, AppError, AppResult};
use omnicanal_store::{OutboxRow, PushSubscriptionRow, StoreError};

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
            NotifierError::Vapid(VapidError::App(AppError::Internal(cause))) => match cause.downcast::<StoreError>() {
                Ok(store) => crate::StartError::Store(*store),
                Err(other) => crate::StartError::Config(other.to_string()),
            },
            other => crate::StartError::Config(other.to_string()),
        }
    }
}

/// Turns events and lapsed pickups into notifications and sends them.
pub struct Notifier {
    app: App,
    web_push: Arc<dyn NotificationProvider>,
    gateways: Vec<Arc<dyn NotificationProvider>>,
    pickup_reminder_ms: i64,
}

impl Notifier {
    /// A notifier over these providers (Web Push for subscriptions, gateways for every order).
    pub fn new(
        app: App,
        web_push: Arc<dyn NotificationProvider>,
        gateways: Vec<Arc<dyn NotificationProvider>>,
        pickup_reminder_minutes: u32,
    ) -> Self {
        Self { app, web_push, gateways, pickup_reminder_ms: i64::from(pickup_reminder_minutes) * 60_000 }
    }

    /// The notifier the configuration describes: Web Push signed with the stored VAPID key pair
    /// (generated now if this is the first start) and, when configured, the signed webhook.
    pub async fn from_config(app: App, config: &NotifyConfig) -> Result<Self, NotifierError> {
        config.validate().map_err(NotifierError::Config)?;
        let client = http_client().map_err(|error| NotifierError::Config(format!("HTTP client: {error}")))?;
        let keys = VapidKeys::load_or_create(&app).await?;
        let web_push = Arc::new(WebPushProvider::new(
            client.clone(),
            keys,
            config.vapid_subject.clone(),
            config.push_allowed_hosts.clone(),
            app.clock().clone(),
        ));
        let mut gateways: Vec<Arc<dyn NotificationProvider>> = Vec::new();
        if let (Some(url), Some(secret)) = (&config.webhook_url, &config.webhook_secret) {
            let webhook = SignedWebhookProvider::new(client, url.clone(), secret.expose(), app.clock().clone())
                .ok_or_else(|| {
                    NotifierError::Config("OMNICANAL_NOTIFY_WEBHOOK_SECRET is not a whsec_ secret".into())
                })?;
            gateways.push(Arc::new(webhook));
        }
        Ok(Self::new(app, web_push, gateways, config.pickup_reminder_minutes))
    }

    /// The use cases, whose clock the worker keeps time by.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// How long a part may wait `ready` before its reminder.
    pub fn pickup_reminder(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.pickup_reminder_ms).unwrap_or(0))
    }

    /// What an outbox event asks for: a part becoming `ready`, `rejected` or `cancelled`.
    pub fn wanted(event: &OutboxRow) -> Option<(NotificationKind, String)> {
        NotificationKind::wanted(event)
    }

    /// Parts whose pickup reminder is due now, each claimed for this node (at most `limit`).
    pub async fn claim_due_reminders(&self, limit: i64) -> AppResult<Vec<String>> {
        self.app.claim_due_pickup_reminders(self.pickup_reminder_ms, limit).await
    }

    /// Parts at `notify_only` sites past their acceptance limit and still `placed`, each
    /// claimed for this node (at most `limit`): each is told once, by one node.
    pub async fn claim_due_unaccepted(&self, limit: i64) -> AppResult<Vec<String>> {
        self.app.claim_due_unaccepted_notices(limit).await
    }

    /// Sends the "still not accepted" notice of a part this node claimed
    /// (see [`Notifier::claim_due_unaccepted`]).
    pub async fn notice_unaccepted(&self, fulfillment_id: &str) -> AppResult<()> {
        self.notify(&unaccepted_notice_key(fulfillment_id), NotificationKind::NotAccepted, fulfillment_id).await
    }

    /// Sends the reminder of a part this node claimed (see [`Notifier::claim_due_reminders`]).
    pub async fn remind(&self, fulfillment_id: &str) -> AppResult<()> {
        self.notify(&pickup_reminder_key(fulfillment_id), NotificationKind::PickupReminder, fulfillment_id).await
    }

    /// Sends notification `key` (an outbox event id, or a reminder key) about a part to every
    /// push subscription of its order and to every gateway, each target claimed first.
    pub async fn notify(&self, key: &str, kind: NotificationKind, fulfillment_id: &str) -> AppResult<()> {
        let Some(plan) = self.app.notification_plan(kind, fulfillment_id).await? else {
            return Ok(());
        };
        let facts = MessageFacts {
            kind,
            restaurant: plan.restaurant.clone(),
            pickup_code: plan.pickup_code.clone(),
            refunded: plan.refunded,
        };
        let contact = Recipient { phone: plan.phone.as_deref(), email: plan.email.as_deref(), push: None };
        for subscription in &plan.subscriptions {
            let language = Language::parse(&subscription.language).unwrap_or(Language::Es);
            let recipient = Recipient { push: Some(subscription), ..contact };
            let send = OneSend { key, target: format!("push:{}", subscription.id), facts: &facts, language };
            self.send_once(&send, &*self.web_push, &plan, &recipient).await?;
        }
        for gateway in &self.gateways {
            let send =
                OneSend { key, target: gateway.name().to_owned(), facts: &facts, language: plan.gateway_language };
            self.send_once(&send, &**gateway, &plan, &contact).await?;
        }
        Ok(())
    }

    /// Claims one send and makes it; a push service that says the subscription is gone has it
    /// forgotten.
    async fn send_once(
        &self,
        send: &OneSend<'_>,
        provider: &dyn NotificationProvider,
        plan: &NotificationPlan,
        recipient: &Recipient<'_>,
    ) -> AppResult<()> {
        if !self.app.claim_notification_send(send.key, &send.target).await? {
            return Ok(()); // another node has it
        }
        let texts = render(send.facts, send.language);
        let notification = Notification {
            id: format!("ntf_{}_{}", send.key.replace(':', "_"), send.target.replace(':', "_")),
            kind: send.facts.kind,
            language: send.language,
            order_id: plan.order_id.clone(),
            fulfillment_id: plan.fulfillment_id.clone(),
            title: texts.title,
            body: texts.body,
        };
        let key = send.key;
        match send_with_retries(provider, &notification, recipient).await {
            Ok(()) => {
                tracing::debug!(provider = provider.name(), %key, fulfillment_id = %plan.fulfillment_id, "notification sent");
            }
            Err(SendError::Gone(status)) => {
                if let Some(subscription) = recipient.push {
                    self.forget(subscription, status).await?;
                }
            }
            Err(error) => tracing::warn!(
                provider = provider.name(),
                %key,
                order_id = %plan.order_id,
                fulfillment_id = %plan.fulfillment_id,
                %error,
                "notification not sent"
            ),
        }
        Ok(())
    }

    /// Drops every subscription with a gone endpoint (a browser may follow several orders with it).
    async fn forget(&self, subscription: &PushSubscriptionRow, status: u16) -> AppResult<()> {
        let removed = self.app.forget_push_endpoint(&subscription.endpoint).await?;
        let host = reqwest::Url::parse(&subscription.endpoint).ok().and_then(|url| url.host_str().map(str::to_owned));
        tracing::info!(status, host = host.as_deref().unwrap_or(""), removed, "push subscription gone; removed");
        Ok(())
    }
}

/// One notification to one target: the claim's key and target, and the texts' facts and language.
struct OneSend<'a> {
    key: &'a str,
    target: String,
    facts: &'a MessageFacts,
    language: Language,
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
