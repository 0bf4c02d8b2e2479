//! One event's way to the endpoints that may see it: fanned out once, signed, refused and
//! retried after its delay, then delivered; a node whose outbound policy no longer allows the
//! endpoint does not POST; a rotated secret signs what follows.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use omnicanal_domain::access::Role;
use omnicanal_store::{DeliveryState, Page};

use super::delivery::{PostFailure, WebhookPost, WebhookSender};
use super::endpoints::NewWebhook;
use super::test_store::{caller, merchant, ten_percent_off, test_app};
use crate::error::{AppError, AppResult};
use crate::outbound::{OutboundPolicy, REFUSED_BY_POLICY};
use crate::signing::{new_secret, secret_key, sign};

/// A receiver that answers every POST with `status` and keeps what it was sent.
struct Receiver {
    status: i64,
    posts: Mutex<Vec<WebhookPost>>,
}

impl Receiver {
    fn answering(status: i64) -> Self {
        Self { status, posts: Mutex::new(Vec::new()) }
    }

    fn posts(&self) -> Vec<WebhookPost> {
        self.posts.lock().map(|posts| posts.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl WebhookSender for Receiver {
    async fn post(&self, post: &WebhookPost) -> Result<i64, PostFailure> {
        if let Ok(mut posts) = self.posts.lock() {
            posts.push(post.clone());
        }
        if (200..300).contains(&self.status) {
            Ok(self.status)
        } else {
            Err(PostFailure { status: Some(self.status), error: format!("the receiver answered {}", self.status) })
        }
    }
}

#[tokio::test]
async fn an_event_reaches_only_the_endpoints_that_may_see_it_and_is_retried_until_delivered() -> AppResult<()> {
    let test = test_app().await;
    let app = &test.app;
    let (mine, theirs) = (merchant(app, "Heladería").await, merchant(app, "Cafetería").await);
    let admin = caller(Role::Admin, None);
    let secret = new_secret();
    let price_changes = ["price.changed".to_owned()];
    let everyone = NewWebhook::parse("http://127.0.0.1:9/all".into(), &price_changes, Some(secret.clone()))?;
    let platform = app.create_webhook(&admin, everyone).await?;
    let other = NewWebhook::parse("http://127.0.0.1:9/theirs".into(), &price_changes, None)?;
    app.create_webhook(&caller(Role::MerchantManager, Some(&theirs)), other).await?;
    let bad_url = NewWebhook::parse("ftp://x".into(), &price_changes, None)?;
    assert!(app.create_webhook(&admin, bad_url).await.is_err(), "the use case checks the URL");

    app.create_promotion(&caller(Role::MerchantManager, Some(&mine)), ten_percent_off(&mine, false)).await?;
    assert_eq!(app.fan_out_webhook_events().await?, 1);
    assert_eq!(app.fan_out_webhook_events().await?, 0, "an event is fanned out once");
    let due = app.due_webhook_deliveries().await?;
    assert_eq!(due.len(), 1, "the other merchant's endpoint does not hear of it");
    assert_eq!(due[0].delivery.webhook_id, platform.id);

    let refusing = Receiver::answering(503);
    app.attempt_webhook_delivery(&due[0], &refusing).await?;
    let log = app.list_webhook_deliveries(&admin, &platform.id, Page::default()).await?;
    assert_eq!((log[0].attempts, log[0].state, log[0].last_status), (1, DeliveryState::Pending, Some(503)));
    assert!(app.due_webhook_deliveries().await?.is_empty(), "nothing is due before the retry delay");

    test.clock.advance(Duration::from_secs(2));
    let due = app.due_webhook_deliveries().await?;
    let accepting = Receiver::answering(204);
    app.attempt_webhook_delivery(&due[0], &accepting).await?;
    let log = app.list_webhook_deliveries(&admin, &platform.id, Page::default()).await?;
    assert_eq!((log[0].attempts, log[0].state), (2, DeliveryState::Delivered));

    let post = &accepting.posts()[0];
    assert_eq!(post.message_id, refusing.posts()[0].message_id, "the webhook-id is stable across retries");
    assert_eq!(post.timestamp_secs, app.now_ms() / 1000, "dated by the app's clock");
    let key = secret_key(&secret).unwrap_or_default();
    assert_eq!(post.signature, sign(&key, &post.message_id, post.timestamp_secs, post.body.as_bytes()));
    let body: serde_json::Value = serde_json::from_str(&post.body).unwrap_or_default();
    assert_eq!((body["type"].as_str(), body["data"]["cause"].as_str()), (Some("price.changed"), Some("promotion")));
    Ok(())
}

#[tokio::test]
async fn a_node_whose_policy_no_longer_allows_the_endpoint_posts_nothing() -> AppResult<()> {
    let test = test_app().await;
    let admin = caller(Role::Admin, None);
    let mine = merchant(&test.app, "Heladería").await;
    let price_changes = ["price.changed".to_owned()];
    let loopback = NewWebhook::parse("http://127.0.0.1:9/hooks".into(), &price_changes, None)?;
    let webhook = test.app.create_webhook(&admin, loopback).await?;
    let refused = NewWebhook::parse("https://169.254.169.254/latest".into(), &price_changes, None)?;
    assert!(matches!(test.app.create_webhook(&admin, refused).await, Err(AppError::Invalid(_))));

    // Another node on the same database, whose allow-list names nothing.
    let strict_node = test.app.clone().with_outbound_policy(OutboundPolicy::strict());
    strict_node.create_promotion(&caller(Role::MerchantManager, Some(&mine)), ten_percent_off(&mine, false)).await?;
    strict_node.fan_out_webhook_events().await?;
    let receiver = Receiver::answering(204);
    for due in strict_node.due_webhook_deliveries().await? {
        strict_node.attempt_webhook_delivery(&due, &receiver).await?;
    }
    assert!(receiver.posts().is_empty(), "nothing is sent where the sending node's policy refuses");
    let log = strict_node.list_webhook_deliveries(&admin, &webhook.id, Page::default()).await?;
    assert_eq!((log[0].last_status, log[0].last_error.as_deref()), (None, Some(REFUSED_BY_POLICY)));
    assert_eq!(log[0].state, DeliveryState::Pending, "retried later, when the policy may allow it");
    Ok(())
}

#[tokio::test]
async fn a_rotated_secret_signs_what_follows_and_only_its_owners_may_rotate() -> AppResult<()> {
    let test = test_app().await;
    let app = &test.app;
    let (mine, theirs) = (merchant(app, "Heladería").await, merchant(app, "Cafetería").await);
    let manager = caller(Role::MerchantManager, Some(&mine));
    let price_changes = ["price.changed".to_owned()];
    let new = NewWebhook::parse("http://localhost:9/hooks".into(), &price_changes, Some(new_secret()))?;
    let webhook = app.create_webhook(&manager, new).await?;

    let refusals = [
        (caller(Role::SupportAgent, None), "a support agent reads but may not rotate"),
        (caller(Role::Staff, Some(&mine)), "staff may not rotate"),
    ];
    for (who, what) in refusals {
        assert!(matches!(app.rotate_webhook_secret(&who, &webhook.id, None).await, Err(AppError::Forbidden)), "{what}");
    }
    let other = caller(Role::MerchantManager, Some(&theirs));
    assert!(matches!(app.rotate_webhook_secret(&other, &webhook.id, None).await, Err(AppError::NotFound(_))));
    let bad = app.rotate_webhook_secret(&manager, &webhook.id, Some("whsec_short".into())).await;
    assert!(matches!(bad, Err(AppError::Invalid(_))));

    let rotated = app.rotate_webhook_secret(&manager, &webhook.id, None).await?;
    assert_ne!(rotated.secret, webhook.secret);
    let admins = app.rotate_webhook_secret(&caller(Role::Admin, None), &webhook.id, None).await?;
    assert_ne!(admins.secret, rotated.secret, "an admin may rotate it too");

    app.create_promotion(&manager, ten_percent_off(&mine, false)).await?;
    app.fan_out_webhook_events().await?;
    let receiver = Receiver::answering(204);
    for due in app.due_webhook_deliveries().await? {
        app.attempt_webhook_delivery(&due, &receiver).await?;
    }
    let post = receiver.posts().pop().unwrap_or_else(|| panic!("one delivery"));
    let key = secret_key(&admins.secret).unwrap_or_default();
    assert_eq!(post.signature, sign(&key, &post.message_id, post.timestamp_secs, post.body.as_bytes()));
    Ok(())
}
