//! Reminders before a booking (issue 19 point 4) over HTTP, judged from the receiving end: a
//! table booked one hour ahead (inside the location's 2-hour reminder) gets that reminder at
//! once — one encrypted, VAPID-signed push at a local push service that decrypts it (`push.rs`'s)
//! and one signed webhook at the gateway, in Spanish with Santiago's wall time — the gateway's
//! 500 retried once on the app's clock, with two nodes running the sender and never sending
//! twice; a cancelled booking gets nothing while another at the same hour is reminded in
//! English; and the customer's routes refuse a wrong token (404) and bad fields (422).
//!
//! The server runs on a manual clock at Tuesday 2026-12-08 11:00 in Santiago (UTC−3); the food
//! court's restaurants open every day 12:00–23:00.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::ManualClock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::id_of;
use crate::common::webhook::{Attempt, Receiver, random_secret, signature_is_valid};
use crate::common::{Body, Fixture, TestApp, qs};
use crate::push::{BrowserKeys, PushService, server_public_key};

/// 2026-12-08T14:00:00Z, a Tuesday: 11:00 in Santiago.
const TUESDAY_ELEVEN_MS: i64 = 1_796_738_400_000;

/// A node on a manual clock, with the gateway at `gateway` (when given) and a fast sender.
async fn spawn(clock: Arc<ManualClock>, gateway: Option<(String, String)>) -> TestApp {
    TestApp::spawn_full(
        move |config| {
            config.notify.booking_reminder_interval_ms = 200;
            if let Some((url, secret)) = gateway {
                config.notify.webhook_url = Some(url);
                config.notify.webhook_secret = Some(omnicanal_server::config::Secret::new(secret));
            }
        },
        omnicanal_server::Services { clock, ..Default::default() },
    )
    .await
}

/// Opens the fixture's first location 12:00–23:00 every day and gives it a table for 2–4.
async fn restaurant_with_a_table(app: &TestApp, fx: &Fixture) -> String {
    let merchant = fx.m(0);
    let manager = merchant.manager.token(app).await;
    let every_day: serde_json::Map<String, Value> =
        (1..=7).map(|day| (day.to_string(), json!([["12:00", "23:00"]]))).collect();
    app.send(
        reqwest::Method::PATCH,
        &format!("/api/v1/locations/{}", merchant.location_id),
        Some(&manager),
        Body::Json(json!({"opening_hours": every_day})),
        &[],
    )
    .await
    .expect(StatusCode::OK, "opening hours");
    for name in ["Mesa 1", "Mesa 2"] {
        app.post(
            &format!("/api/v1/locations/{}/resources", merchant.location_id),
            Some(&manager),
            &json!({"kind": "table", "name": name, "seats_min": 1, "seats_max": 4}),
        )
        .await
        .expect(StatusCode::CREATED, "a table");
    }
    merchant.location_id.clone()
}

/// Books a table for two at `start_at`; returns (id, manage token).
async fn book(app: &TestApp, location_id: &str, start_at: &str) -> (String, String) {
    let body = json!({
        "location_id": location_id,
        "start_at": start_at,
        "party_size": 2,
        "customer": {"name": "Camila Rojas", "phone": "+56 9 8765 4321", "email": "camila@example.cl"},
    });
    let made = app.post("/api/v1/bookings", None, &body).await.expect(StatusCode::CREATED, "a booking");
    (id_of(&made, "booking"), made["manage_token"].as_str().unwrap_or_default().to_owned())
}

fn reminders_of<'a>(attempts: &'a [Attempt], booking_id: &str) -> Vec<&'a Attempt> {
    attempts
        .iter()
        .filter(|attempt| {
            attempt.json()["data"]["kind"] == "booking_reminder" && attempt.json()["data"]["booking_id"] == booking_id
        })
        .collect()
}

/// Moves the clock a little a few times, giving the senders of every node time to act.
async fn let_time_pass(clock: &ManualClock, steps: u32) {
    for _ in 0..steps {
        clock.advance(Duration::from_secs(20));
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_booking_inside_its_last_reminder_is_reminded_at_once_by_push_and_gateway_exactly_once() {
    let gateway = Receiver::start(1).await;
    let secret = random_secret();
    let clock = Arc::new(ManualClock::starting_at(TUESDAY_ELEVEN_MS));
    let app = spawn(clock.clone(), Some((gateway.url(), secret.clone()))).await;
    // A second node on the same database, clock and gateway runs its own sender.
    let (url, node_secret) = (gateway.url(), secret.clone());
    let second = app
        .second_node_with(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }, move |config| {
            config.notify.booking_reminder_interval_ms = 200;
            config.notify.webhook_url = Some(url);
            config.notify.webhook_secret = Some(omnicanal_server::config::Secret::new(node_secret));
        })
        .await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let location_id = restaurant_with_a_table(&app, &fx).await;
    let server_key = server_public_key(&app).await;
    let service = PushService::start(201).await;
    let keys = BrowserKeys::new();

    let (booking_id, token) = book(&app, &location_id, "2026-12-08T12:00:00-03:00").await;
    let subscribed = app
        .post(
            &format!("/api/v1/bookings/{booking_id}/push-subscriptions?{}", qs(&[("token", &token)])),
            None,
            &keys.subscription(&service.endpoint("camila"), "es"),
        )
        .await
        .expect(StatusCode::CREATED, "the confirmation page subscribes");
    assert_eq!(subscribed["booking_id"], booking_id.as_str());
    assert_eq!(subscribed["language"], "es");

    // The push: encrypted for this browser, signed with the server's key, in Spanish.
    let pushes = service.wait_for("camila", 1, 20).await;
    let push = &pushes[0];
    assert_eq!(push.header("content-encoding"), "aes128gcm");
    assert!(push.header("authorization").ends_with(&format!(", k={server_key}")), "VAPID-signed");
    let plain = keys.decrypt(&push.body).unwrap_or_else(|error| panic!("the push does not decrypt: {error}"));
    let message: Value = serde_json::from_slice(&plain).expect("JSON");
    assert_eq!(message["kind"], "booking_reminder");
    assert_eq!(message["lang"], "es");
    let text = message["body"].as_str().unwrap_or_default();
    assert!(text.starts_with("Recordatorio: tu reserva en "), "{message}");
    assert!(text.contains("es hoy a las 12:00 (mesa para 2)."), "Santiago's wall time: {message}");
    assert!(message["url"].as_str().unwrap_or_default().starts_with(&format!("/reservas/{booking_id}")));

    // The gateway: the first attempt answered 500; the retry falls due 30 s later.
    gateway.wait_until(20, "a first, failed attempt", |attempts| !reminders_of(attempts, &booking_id).is_empty()).await;
    // Time moves past the retry's; moved again if the failure was recorded after a move (its
    // retry is then timed from the moved clock).
    let delivered = |attempts: &[Attempt]| reminders_of(attempts, &booking_id).iter().any(|a| a.answered == 200);
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        clock.advance(Duration::from_secs(31));
        tokio::time::sleep(Duration::from_millis(1_000)).await;
        if delivered(&gateway.attempts()) {
            break;
        }
    }
    gateway.wait_until(5, "the retry delivered", delivered).await;
    let_time_pass(&clock, 6).await;
    let attempts = gateway.attempts();
    let sent = reminders_of(&attempts, &booking_id);
    assert_eq!(sent.iter().map(|attempt| attempt.answered).collect::<Vec<_>>(), [500, 200], "once, after one retry");
    assert_eq!(sent[0].id, sent[1].id, "the retry keeps its webhook-id");
    assert!(signature_is_valid(&secret, sent[1]), "signed per Standard Webhooks");
    let data = &sent[1].json()["data"];
    assert_eq!(data["language"], "es");
    assert_eq!(data["phone"], "+56 9 8765 4321");
    let body = data["body"].as_str().unwrap_or_default();
    assert!(body.contains("es hoy a las 12:00 (mesa para 2)."), "{data}");
    assert!(body.contains(&format!("/reservas/{booking_id}?token={token}")), "the manage link: {data}");
    assert_eq!(service.received().len(), 1, "one push, whichever node sent it");

    let deliveries = app
        .get(&format!("/api/v1/bookings/{booking_id}/reminders?{}", qs(&[("token", &token)])), None)
        .await
        .expect(StatusCode::OK, "the customer reads what was sent");
    let states: Vec<(i64, String)> = deliveries
        .as_array()
        .into_iter()
        .flatten()
        .map(|job| (job["offset_minutes"].as_i64().unwrap_or_default(), job["state"].as_str().unwrap_or("").into()))
        .collect();
    assert_eq!(states, [(120, "sent".to_owned()), (120, "sent".to_owned())], "{deliveries}");
    second.shutdown().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancelled_booking_is_not_reminded_and_the_customer_chooses_english() {
    let gateway = Receiver::start(0).await;
    let clock = Arc::new(ManualClock::starting_at(TUESDAY_ELEVEN_MS));
    let app = spawn(clock.clone(), Some((gateway.url(), random_secret()))).await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let location_id = restaurant_with_a_table(&app, &fx).await;
    // Three hours ahead: the 2-hour reminder falls due at 12:00.
    let (cancelled, cancel_token) = book(&app, &location_id, "2026-12-08T14:00:00-03:00").await;
    let (kept, kept_token) = book(&app, &location_id, "2026-12-08T14:00:00-03:00").await;
    app.post(&format!("/api/v1/bookings/{cancelled}/cancel?{}", qs(&[("token", &cancel_token)])), None, &json!({}))
        .await
        .expect(StatusCode::OK, "cancelled");
    let english = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/bookings/{kept}/reminder-preferences?{}", qs(&[("token", &kept_token)])),
            None,
            Body::Json(json!({"language": "en"})),
            &[],
        )
        .await
        .expect(StatusCode::OK, "the customer reads English");
    assert_eq!(english["language"], "en");
    let_time_pass(&clock, 3).await;
    assert!(reminders_of(&gateway.attempts(), &kept).is_empty(), "not before its time");

    clock.set(TUESDAY_ELEVEN_MS + 3_600_000);
    let attempts = gateway
        .wait_until(20, "the kept booking's reminder", |attempts| !reminders_of(attempts, &kept).is_empty())
        .await;
    let data = &reminders_of(&attempts, &kept)[0].json()["data"];
    assert_eq!(data["language"], "en");
    assert!(
        data["body"].as_str().unwrap_or_default().contains("is today at 14:00 (table for 2)."),
        "English, Santiago's wall time: {data}"
    );
    let_time_pass(&clock, 4).await;
    assert!(reminders_of(&gateway.attempts(), &cancelled).is_empty(), "a cancelled booking gets none");
    assert_eq!(reminders_of(&gateway.attempts(), &kept).len(), 1, "and the kept one only one");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_reminder_routes_want_the_manage_token_and_good_fields() {
    let clock = Arc::new(ManualClock::starting_at(TUESDAY_ELEVEN_MS));
    let app = spawn(clock, None).await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let location_id = restaurant_with_a_table(&app, &fx).await;
    let (booking_id, token) = book(&app, &location_id, "2026-12-08T16:00:00-03:00").await;
    let service = PushService::start(201).await;
    let keys = BrowserKeys::new();
    let subscribe = |query: String| format!("/api/v1/bookings/{booking_id}/push-subscriptions{query}");
    let good = keys.subscription(&service.endpoint("x"), "en");
    for query in [String::new(), format!("?{}", qs(&[("token", "not-the-token")]))] {
        app.post(&subscribe(query), None, &good).await.expect_problem(StatusCode::NOT_FOUND, "no or a wrong token");
    }
    app.post(&format!("/api/v1/bookings/bkg_nope/push-subscriptions?{}", qs(&[("token", &token)])), None, &good)
        .await
        .expect_problem(StatusCode::NOT_FOUND, "no such booking");
    let with_token = subscribe(format!("?{}", qs(&[("token", &token)])));
    let refused = app
        .post(&with_token, None, &keys.subscription("https://push.example/x", "es"))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a push host off the allow-list");
    assert!(refused.to_string().contains("endpoint"), "{refused}");
    app.post(&with_token, None, &good).await.expect(StatusCode::CREATED, "subscribed");
    app.post(&with_token, None, &good).await.expect(StatusCode::CREATED, "again: refreshed");
    let preferences = format!("/api/v1/bookings/{booking_id}/reminder-preferences?{}", qs(&[("token", &token)]));
    let resp = app.send(reqwest::Method::PUT, &preferences, None, Body::Json(json!({"language": "fr"})), &[]).await;
    let problem = resp.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a language other than es or en");
    assert!(problem.to_string().contains("language"), "{problem}");
    let wrong = format!("/api/v1/bookings/{booking_id}/reminder-preferences?{}", qs(&[("token", "nope")]));
    app.send(reqwest::Method::PUT, &wrong, None, Body::Json(json!({"language": "es"})), &[])
        .await
        .expect_problem(StatusCode::NOT_FOUND, "a wrong token");
    let none = app
        .get(&format!("/api/v1/bookings/{booking_id}/reminders?{}", qs(&[("token", &token)])), None)
        .await
        .expect(StatusCode::OK, "nothing sent yet");
    assert_eq!(none, json!([]));
    app.stop().await;
}
