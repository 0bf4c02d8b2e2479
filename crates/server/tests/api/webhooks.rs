//! Webhooks: registration (generated `whsec_` secret, URL validation, roles), deliveries of
//! `order.created` and `fulfillment.status_changed` signed per Standard Webhooks (checked with
//! our own HMAC), and retries with backoff to a failing receiver with a stable `webhook-id`
//! that the delivery log reports with its attempts.

use crate::common;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::fixture::BURGER;
use common::webhook::{Attempt, Receiver, random_secret, signature_is_valid};
use common::{Fixture, Payment, Resp, TestApp, fulfillment_at, id};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// `POST /api/v1/webhooks`.
async fn register(app: &TestApp, token: &str, url: &str, events: &[&str], secret: Option<&str>) -> Resp {
    let mut body = json!({"url": url, "events": events});
    if let Some(secret) = secret {
        body["secret"] = json!(secret);
    }
    app.post("/api/v1/webhooks", Some(token), &body).await
}

/// Whether `needle` occurs as a string anywhere in `v`.
fn contains_str(v: &Value, needle: &str) -> bool {
    match v {
        Value::String(s) => s == needle,
        Value::Array(items) => items.iter().any(|i| contains_str(i, needle)),
        Value::Object(map) => map.values().any(|i| contains_str(i, needle)),
        _ => false,
    }
}

/// Signature, headers and envelope of one attempt are as Standard Webhooks says.
#[track_caller]
fn assert_well_formed(secret: &str, attempt: &Attempt) {
    assert!(!attempt.id.is_empty(), "webhook-id header missing");
    let ts: i64 =
        attempt.timestamp.parse().unwrap_or_else(|_| panic!("webhook-timestamp must be integer seconds: {attempt:?}"));
    let now = chrono::Utc::now().timestamp();
    assert!((now - ts).abs() < 300, "webhook-timestamp {ts} is not close to now {now}");
    assert!(
        signature_is_valid(secret, attempt),
        "webhook-signature does not verify: {:?} for body {}",
        attempt.signature,
        String::from_utf8_lossy(&attempt.body)
    );
    let body = attempt.json();
    assert!(body["type"].is_string(), "payload needs `type`: {body}");
    assert!(body["timestamp"].is_string(), "payload needs `timestamp`: {body}");
    assert!(body["data"].is_object(), "payload needs a `data` object: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn registration_generates_a_secret_and_validates_input() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let admin = app.admin_token().await;
    let url = "http://127.0.0.1:9/hooks";

    let created = register(&app, &admin, url, &["order.created"], None)
        .await
        .expect(StatusCode::CREATED, "register without a secret");
    assert!(created["id"].is_string(), "webhook id: {created}");
    assert_eq!(created["url"], url);
    assert_eq!(created["events"], json!(["order.created"]));
    let secret = created["secret"].as_str().unwrap_or_default();
    let key = secret
        .strip_prefix("whsec_")
        .and_then(|b64| BASE64.decode(b64).ok())
        .unwrap_or_else(|| panic!("generated secret must be whsec_<base64>, got {secret:?}"));
    assert!(key.len() >= 16, "generated key is too short: {} bytes", key.len());

    let mine = random_secret();
    let given = register(&app, &admin, url, &["order.created"], Some(&mine))
        .await
        .expect(StatusCode::CREATED, "register with a secret");
    assert_eq!(given["secret"], mine.as_str(), "the given secret is kept");

    for bad_url in ["ftp://example.com/hooks", "not a url", ""] {
        register(&app, &admin, bad_url, &["order.created"], None)
            .await
            .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, &format!("url {bad_url:?}"));
    }
    app.post("/api/v1/webhooks", Some(&admin), &json!({"url": url, "events": "order.created"}))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "events is not a list");

    let manager = fx.m(0).manager.token(&app).await;
    register(&app, &manager, url, &["fulfillment.status_changed"], None)
        .await
        .expect(StatusCode::CREATED, "a merchant manager registers a webhook");

    let log = app
        .get(&format!("/api/v1/webhooks/{}/deliveries", id(&created)), Some(&admin))
        .await
        .expect(StatusCode::OK, "delivery log of a new webhook");
    assert_eq!(log, json!([]), "nothing delivered yet");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn order_and_status_change_deliveries_are_signed() {
    let receiver = Receiver::start(0).await;
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let webhook = register(&app, &admin, &receiver.url(), &["order.created", "fulfillment.status_changed"], None)
        .await
        .expect(StatusCode::CREATED, "register");
    let secret = webhook["secret"].as_str().unwrap().to_owned();

    let order = app.place_order_ok(&fx, &[m.line(BURGER, 1)], &Payment::card()).await;
    let fid = id(fulfillment_at(&order, &m.location_id));
    app.advance(&m.staff.token(&app).await, &fid, &["accepted"]).await;

    let order_id = id(&order);
    let is_created = |a: &Attempt| a.event_type() == "order.created" && contains_str(&a.json()["data"], &order_id);
    let is_accepted = |a: &Attempt| {
        let data = a.json()["data"].clone();
        a.event_type() == "fulfillment.status_changed" && contains_str(&data, &fid) && contains_str(&data, "accepted")
    };
    let attempts = receiver
        .wait_until(10, "order.created and fulfillment.status_changed", |all| {
            all.iter().any(is_created) && all.iter().any(is_accepted)
        })
        .await;
    for a in &attempts {
        assert_well_formed(&secret, a);
    }
    let created = attempts.iter().find(|a| is_created(a)).unwrap();
    let accepted = attempts.iter().find(|a| is_accepted(a)).unwrap();
    assert_ne!(created.id, accepted.id, "different events have different webhook-ids");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_receiver_gets_the_event_later_with_a_stable_id() {
    let receiver = Receiver::start(2).await;
    // Retries wait on the app's clock; the test moves it past each backoff instead of sleeping.
    let clock = std::sync::Arc::new(omnicanal_app::ManualClock::starting_now());
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let secret = random_secret();
    let webhook = register(&app, &admin, &receiver.url(), &["order.created"], Some(&secret))
        .await
        .expect(StatusCode::CREATED, "register");
    app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    receiver
        .wait_until(5, "a first (failed) attempt", |all| all.iter().any(|a| a.event_type() == "order.created"))
        .await;
    for _ in 0..20 {
        if receiver.attempts().iter().any(|a| a.answered == 200 && a.event_type() == "order.created") {
            break;
        }
        clock.advance(Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let attempts = receiver
        .wait_until(5, "a successful delivery after two 500s", |all| {
            all.iter().any(|a| a.answered == 200 && a.event_type() == "order.created")
        })
        .await;
    let created: Vec<&Attempt> = attempts.iter().filter(|a| a.event_type() == "order.created").collect();
    assert!(created.len() >= 3, "two failures then a success: {} attempts", created.len());
    for a in &created {
        assert_well_formed(&secret, a);
        assert_eq!(a.id, created[0].id, "webhook-id is stable across retries");
        assert_eq!(a.json(), created[0].json(), "the payload is the same on every retry");
    }

    // The delivery log shows the event and its attempts.
    let event_id = created[0].id.clone();
    let path = format!("/api/v1/webhooks/{}/deliveries", id(&webhook));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let log = app.get(&path, Some(&admin)).await.expect(StatusCode::OK, "delivery log");
        let entry = log
            .as_array()
            .unwrap_or_else(|| panic!("delivery log must be an array: {log}"))
            .iter()
            .find(|d| d["event_id"] == event_id.as_str())
            .cloned();
        let done = entry.as_ref().is_some_and(|e| e["attempts"].as_i64().unwrap_or(0) >= 3);
        if done {
            let entry = entry.unwrap();
            if let Some(status) = entry["last_status"].as_i64() {
                assert_eq!(status, 200, "last attempt succeeded: {entry}");
            }
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "delivery log has no entry for {event_id} with attempts >= 3: {log}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pending_delivery_survives_a_restart() {
    let receiver = Receiver::start(usize::MAX).await;
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let secret = random_secret();
    register(&app, &admin, &receiver.url(), &["order.created"], Some(&secret))
        .await
        .expect(StatusCode::CREATED, "register");
    app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    let failed = receiver
        .wait_until(10, "a first (failed) attempt", |all| all.iter().any(|a| a.event_type() == "order.created"))
        .await;
    let event_id = failed[0].id.clone();

    let app = app.restart().await;
    receiver.heal();
    let attempts = receiver
        .wait_until(20, "delivery after the restart", |all| all.iter().any(|a| a.answered == 200 && a.id == event_id))
        .await;
    for a in attempts.iter().filter(|a| a.id == event_id) {
        assert_well_formed(&secret, a);
    }
    app.stop().await;
}
