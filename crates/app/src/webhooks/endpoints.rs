//! Webhook endpoints and their delivery logs: admins register endpoints for every merchant's
//! events, managers for their own merchant's; support agents read.
//!
//! The endpoint's URL is checked by the use case that registers it ([`App::create_webhook`]),
//! not by the parse: where the server may send data is the outbound policy's decision
//! ([`crate::outbound`]), and it resolves the host now.
//!
//! A signing secret is shown once: in the answer that creates the endpoint and in the one that
//! rotates it ([`App::rotate_webhook_secret`]). Lists and reads carry the endpoint without it
//! (the server's views drop it), so a support agent who reads every merchant's endpoints cannot
//! forge their deliveries.

use omnicanal_domain::access::Role;
use omnicanal_domain::events::EventType;
use omnicanal_store::{DeliveryRow, Page, WebhookRow};

use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::signing::{new_secret, secret_key};
use crate::validation::Validator;

/// Who may register and switch endpoints, and redeliver.
const WEBHOOK_MANAGERS: [Role; 2] = [Role::Admin, Role::MerchantManager];
/// Who may read endpoints and their logs.
const WEBHOOK_READERS: [Role; 3] = [Role::Admin, Role::MerchantManager, Role::SupportAgent];

/// A new endpoint, parsed: the event types it subscribes to and its signing secret, if given.
/// The URL is kept as typed for [`App::create_webhook`] to check.
#[derive(Clone, PartialEq, Eq)]
pub struct NewWebhook {
    /// Where to POST, as typed.
    pub url: String,
    /// One or more event types.
    pub events: Vec<EventType>,
    /// A `whsec_` secret, or none to have one generated.
    pub secret: Option<String>,
}

impl std::fmt::Debug for NewWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewWebhook").field("url", &self.url).field("events", &self.events).finish_non_exhaustive()
    }
}

/// The event types a webhook may subscribe to, comma-separated (every [`EventType`]).
fn event_type_list() -> String {
    EventType::ALL.iter().map(|event_type| event_type.as_str()).collect::<Vec<_>>().join(", ")
}

impl NewWebhook {
    /// Parses the event types and the secret of a new endpoint, reporting every bad one.
    pub fn parse(url: String, events: &[String], secret: Option<String>) -> AppResult<Self> {
        let mut v = Validator::new();
        if events.is_empty() || events.len() > EventType::ALL.len() {
            v.push("events", format!("list one or more of {}", event_type_list()));
        }
        let mut parsed: Vec<EventType> = Vec::with_capacity(events.len());
        for (index, event) in events.iter().enumerate() {
            match EventType::parse(event) {
                Ok(event_type) => parsed.push(event_type),
                Err(_) => v.push(format!("events[{index}]"), format!("unknown event type; use {}", event_type_list())),
            }
        }
        parsed.dedup();
        if secret.as_deref().is_some_and(|secret| secret_key(secret).is_none()) {
            v.push("secret", "must be whsec_ followed by 16 to 64 bytes in base64");
        }
        v.done(|| Some(Self { url, events: parsed, secret }))
    }
}

impl App {
    /// Registers an endpoint: an admin's receives every merchant's events, a manager's only its
    /// merchant's. A secret is generated when none is given.
    pub async fn create_webhook(&self, caller: &Caller, webhook: NewWebhook) -> AppResult<WebhookRow> {
        caller.require(&WEBHOOK_MANAGERS)?;
        self.outbound
            .resolve_and_check(&webhook.url)
            .await
            .map_err(|refusal| AppError::invalid("url", refusal.message()))?;
        let row = WebhookRow {
            id: new_id("whk"),
            merchant_id: if caller.role == Role::Admin { None } else { caller.merchant_id.clone() },
            url: webhook.url,
            events: webhook.events,
            secret: webhook.secret.unwrap_or_else(new_secret),
            enabled: true,
            created_at_ms: self.now_ms(),
            consecutive_failures: 0,
            disabled_reason: None,
        };
        self.store.insert_webhook(&row).await?;
        self.record_change(caller, Change::created(AuditEntity::Webhook, &row.id, row.merchant_id.as_deref(), &row))
            .await;
        Ok(row)
    }

    /// Endpoints the caller may see, oldest first: every one for the platform, their
    /// merchant's for anyone else (none without a merchant).
    pub async fn list_webhooks(&self, caller: &Caller, page: Page) -> AppResult<Vec<WebhookRow>> {
        caller.require(&WEBHOOK_READERS)?;
        if caller.is_platform() {
            return Ok(self.store.list_webhooks(None, page).await?);
        }
        match caller.merchant_id.as_deref() {
            Some(merchant_id) => Ok(self.store.list_webhooks(Some(merchant_id), page).await?),
            None => Ok(Vec::new()),
        }
    }

    /// Switches an endpoint on (which also clears an automatic disabling) or off; deliveries
    /// wait while it is off.
    pub async fn set_webhook_enabled(&self, caller: &Caller, webhook_id: &str, enabled: bool) -> AppResult<WebhookRow> {
        caller.require(&WEBHOOK_MANAGERS)?;
        let before = self.visible_webhook(caller, webhook_id).await?;
        self.store.set_webhook_enabled(webhook_id, enabled).await?;
        let after = self.store.get_webhook(webhook_id).await?.ok_or(AppError::NotFound("webhook"))?;
        let action = if enabled { AuditAction::Activated } else { AuditAction::Deactivated };
        let change = Change::new(AuditEntity::Webhook, webhook_id, action, before.merchant_id.as_deref());
        self.record_change(caller, change.before(&before).after(&after)).await;
        Ok(after)
    }

    /// Replaces an endpoint's signing secret with `secret`, or a generated one; the answer is
    /// the only time the new secret is shown. Deliveries signed from now on, retries of earlier
    /// events too, use it.
    pub async fn rotate_webhook_secret(
        &self,
        caller: &Caller,
        webhook_id: &str,
        secret: Option<String>,
    ) -> AppResult<WebhookRow> {
        caller.require(&WEBHOOK_MANAGERS)?;
        let before = self.visible_webhook(caller, webhook_id).await?;
        if secret.as_deref().is_some_and(|secret| secret_key(secret).is_none()) {
            return Err(AppError::invalid("secret", "must be whsec_ followed by 16 to 64 bytes in base64"));
        }
        let secret = secret.unwrap_or_else(new_secret);
        self.store.set_webhook_secret(webhook_id, &secret).await?;
        let after = self.store.get_webhook(webhook_id).await?.ok_or(AppError::NotFound("webhook"))?;
        // The entry says a rotation happened, never which secret was replaced or set.
        let change =
            Change::new(AuditEntity::Webhook, webhook_id, AuditAction::SecretRotated, before.merchant_id.as_deref());
        self.record_change(caller, change.before(&before).after(&after)).await;
        Ok(after)
    }

    /// An endpoint's delivery log, newest first.
    pub async fn list_webhook_deliveries(
        &self,
        caller: &Caller,
        webhook_id: &str,
        page: Page,
    ) -> AppResult<Vec<DeliveryRow>> {
        caller.require(&WEBHOOK_READERS)?;
        self.visible_webhook(caller, webhook_id).await?;
        Ok(self.store.list_deliveries(webhook_id, page).await?)
    }

    /// Queues a delivery of the endpoint again for an attempt now, whatever its state (after
    /// the receiver was fixed, say); it keeps its event id, so receivers can drop a duplicate.
    pub async fn redeliver_webhook_delivery(
        &self,
        caller: &Caller,
        webhook_id: &str,
        delivery_id: &str,
    ) -> AppResult<DeliveryRow> {
        caller.require(&WEBHOOK_MANAGERS)?;
        self.visible_webhook(caller, webhook_id).await?;
        let delivery = self.store.get_delivery(delivery_id).await?.filter(|delivery| delivery.webhook_id == webhook_id);
        delivery.ok_or(AppError::NotFound("delivery"))?;
        self.store.redeliver(delivery_id, self.now_ms()).await?;
        self.signals.webhooks.notify_one();
        self.store.get_delivery(delivery_id).await?.ok_or(AppError::NotFound("delivery"))
    }

    /// The endpoint if the caller may see it: the platform sees all, a merchant's users only
    /// their merchant's (not the admins' endpoints, which carry every merchant's events).
    async fn visible_webhook(&self, caller: &Caller, webhook_id: &str) -> AppResult<WebhookRow> {
        let webhook = self.store.get_webhook(webhook_id).await?.ok_or(AppError::NotFound("webhook"))?;
        if !caller.is_platform() && webhook.merchant_id != caller.merchant_id {
            return Err(AppError::NotFound("webhook"));
        }
        Ok(webhook)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_and_secret_are_parsed_and_the_url_is_left_to_the_use_case() {
        let events = vec!["order.created".to_owned(), "order.created".to_owned(), "price.changed".to_owned()];
        let parsed = NewWebhook::parse("ftp://x".into(), &events, None).unwrap_or_else(|error| panic!("{error:?}"));
        assert_eq!(parsed.events, [EventType::OrderCreated, EventType::PriceChanged]);
        let Err(AppError::Invalid(errors)) =
            NewWebhook::parse("https://x".into(), &["order.made".to_owned()], Some("nope".into()))
        else {
            panic!("must be refused");
        };
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["events[0]", "secret"]);
        assert!(NewWebhook::parse("https://x".into(), &[], None).is_err());
    }
}
