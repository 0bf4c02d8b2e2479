//! One event's way to the endpoints that may see it: fanned out once, signed, refused and
//! retried after its delay, then delivered.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use omnicanal_domain::access::Role;
use omnicanal_store::{DeliveryState, Page};

use super::delivery::{PostFailure, WebhookPost, WebhookSender};
use super::endpoints::NewWebhook;
use super::test_store::{caller, merchant, ten_percent_off, test_app};
use crate::error::AppResult;
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
