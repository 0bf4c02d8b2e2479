//! Escalation to the on-call agent (issue 18 point 3), over HTTP: the rota's roles and bad
//! input; agents' push subscriptions (a host off the allow-list refused); a breached ticket
//! pushed, encrypted and VAPID-signed, to the on-call agent's browser only — judged by a local
//! push service that decrypts it (`push.rs`'s, sharing no code with the server); a gateway
//! that fails once and then answers gets the alert exactly once. Time is moved on a manual
//! clock; the SLA watcher, the incident detector and the alert sender wake when it moves.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::ManualClock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::webhook::{Receiver, random_secret};
use crate::common::{Fixture, TestApp, open_till, qs};
use crate::push::{BrowserKeys, PushService, server_public_key};

/// Monday 7 December 2026, 12:00 in Santiago (no holiday).
const NOON_MS: i64 = 1_796_655_600_000;

/// Creates a support agent; returns (id, token).
async fn agent(app: &TestApp, name: &str) -> (String, String) {
    let email = format!("{name}@support.test");
    let created = app
        .post(
            "/api/v1/users",
            Some(&app.admin_token().await),
            &json!({"email": email, "password": "agent-password-1", "role": "support_agent"}),
        )
        .await
        .expect(StatusCode::CREATED, "create a support agent");
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    (id, app.login(&email, "agent-password-1").await)
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_rota_is_the_desks_and_refuses_bad_shifts() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let admin = app.admin_token().await;
    let staff = fx.m(0).staff.token(&app).await;
    let (ana, ana_token) = agent(&app, "ana").await;
    let (beto, beto_token) = agent(&app, "beto").await;
    let now = chrono::Utc::now().timestamp_millis();
    let shift =
        |user: &str, from: i64, to: i64| json!({"user_id": user, "starts_at": rfc3339(from), "ends_at": rfc3339(to)});

    app.get("/api/v1/support/on-call", None).await.expect_problem(StatusCode::UNAUTHORIZED, "anonymous");
    app.get("/api/v1/support/on-call", Some(&staff)).await.expect_problem(StatusCode::FORBIDDEN, "store staff read");
    app.post("/api/v1/support/on-call", Some(&staff), &shift(&fx.m(0).staff.id, now, now + 3_600_000))
        .await
        .expect_problem(StatusCode::FORBIDDEN, "store staff write");
    app.post("/api/v1/support/on-call/watch", Some(&staff), &json!({"hours": 2}))
        .await
        .expect_problem(StatusCode::FORBIDDEN, "store staff take the watch");
    for (body, what) in [
        (shift("usr_nobody", now, now + 3_600_000), "no such user"),
        (shift(&fx.m(0).staff.id, now, now + 3_600_000), "a store's staff is not an agent"),
        (shift(&ana, now, now), "from = to"),
        (shift(&ana, now + 1, now), "from > to"),
        (shift(&ana, now, now + 32 * 24 * 3_600_000), "longer than a month"),
        (json!({"user_id": ana, "starts_at": "yesterday", "ends_at": "soon"}), "not times"),
    ] {
        app.post("/api/v1/support/on-call", Some(&admin), &body)
            .await
            .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, what);
    }
    app.post("/api/v1/support/on-call", Some(&ana_token), &shift(&beto, now, now + 3_600_000))
        .await
        .expect_problem(StatusCode::FORBIDDEN, "an agent sets only their own shifts");
    for hours in [0, 25] {
        app.post("/api/v1/support/on-call/watch", Some(&ana_token), &json!({"hours": hours}))
            .await
            .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "hours out of range");
    }
    let rota = app.get("/api/v1/support/on-call", Some(&ana_token)).await.expect(StatusCode::OK, "empty rota");
    assert_eq!(rota["on_call_now"], json!([]));

    let watch = app
        .post("/api/v1/support/on-call/watch", Some(&ana_token), &json!({"hours": 2}))
        .await
        .expect(StatusCode::CREATED, "ana takes the watch");
    assert_eq!(watch["user_id"], json!(ana));
    assert_eq!(watch["user_email"], "ana@support.test");
    let beto_shift = app
        .post("/api/v1/support/on-call", Some(&admin), &shift(&beto, now - 60_000, now + 3_600_000))
        .await
        .expect(StatusCode::CREATED, "an admin sets an overlapping shift");
    let rota = app.get("/api/v1/support/on-call", Some(&beto_token)).await.expect(StatusCode::OK, "rota");
    let mut on_call: Vec<String> =
        rota["on_call_now"].as_array().into_iter().flatten().filter_map(|id| id.as_str().map(str::to_owned)).collect();
    on_call.sort();
    let mut both = vec![ana.clone(), beto.clone()];
    both.sort();
    assert_eq!(on_call, both, "overlapping shifts: both on call");
    assert_eq!(rota["shifts"].as_array().map(Vec::len), Some(2));

    let beto_path = format!("/api/v1/support/on-call/{}", beto_shift["id"].as_str().unwrap_or_default());
    let resp = app.send(reqwest::Method::DELETE, &beto_path, Some(&ana_token), crate::common::Body::None, &[]).await;
    resp.expect_problem(StatusCode::FORBIDDEN, "an agent removes only their own shifts");
    let resp = app.send(reqwest::Method::DELETE, &beto_path, Some(&admin), crate::common::Body::None, &[]).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT);
    let resp = app.send(reqwest::Method::DELETE, &beto_path, Some(&admin), crate::common::Body::None, &[]).await;
    resp.expect_problem(StatusCode::NOT_FOUND, "already removed");
    let ana_path = format!("/api/v1/support/on-call/{}", watch["id"].as_str().unwrap_or_default());
    let resp = app.send(reqwest::Method::DELETE, &ana_path, Some(&ana_token), crate::common::Body::None, &[]).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT, "an agent ends their own watch");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn agents_subscribe_their_browsers_to_push_services_on_the_allow_list() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let staff = fx.m(0).staff.token(&app).await;
    let (_, ana) = agent(&app, "ana").await;
    let keys = BrowserKeys::new();
    let refused = keys.subscription("https://push.example/x", "es");
    let body = app
        .post("/api/v1/support/push-subscriptions", Some(&ana), &refused)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a host off the allow-list");
    assert!(body.to_string().contains("endpoint"), "{body}");
    let service = PushService::start(201).await;
    let good = keys.subscription(&service.endpoint("ana"), "en");
    app.post("/api/v1/support/push-subscriptions", Some(&staff), &good)
        .await
        .expect_problem(StatusCode::FORBIDDEN, "store staff");
    app.post("/api/v1/support/push-subscriptions", None, &good)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "anonymous");
    let saved = app
        .post("/api/v1/support/push-subscriptions", Some(&ana), &good)
        .await
        .expect(StatusCode::CREATED, "subscribe");
    assert_eq!(saved["language"], "en");
    app.post("/api/v1/support/push-subscriptions", Some(&ana), &good).await.expect(StatusCode::CREATED, "again");
    let listed = app.get("/api/v1/support/push-subscriptions", Some(&ana)).await.expect(StatusCode::OK, "list");
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "the same endpoint is one subscription");
    let path = format!("/api/v1/support/push-subscriptions?{}", qs(&[("endpoint", &service.endpoint("ana"))]));
    let resp = app.send(reqwest::Method::DELETE, &path, Some(&ana), crate::common::Body::None, &[]).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT);
    let resp = app.send(reqwest::Method::DELETE, &path, Some(&ana), crate::common::Body::None, &[]).await;
    resp.expect_problem(StatusCode::NOT_FOUND, "gone already");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_breach_is_pushed_to_the_on_call_agent_only() {
    let clock = Arc::new(ManualClock::starting_at(NOON_MS));
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let staff = fx.m(0).staff.token(&app).await;
    let (ana, ana_token) = agent(&app, "ana").await;
    let (_, beto_token) = agent(&app, "beto").await;
    let server_key = server_public_key(&app).await;
    let service = PushService::start(201).await;
    let (ana_keys, beto_keys) = (BrowserKeys::new(), BrowserKeys::new());
    for (token, keys, name) in [(&ana_token, &ana_keys, "ana"), (&beto_token, &beto_keys, "beto")] {
        app.post("/api/v1/support/push-subscriptions", Some(token), &keys.subscription(&service.endpoint(name), "es"))
            .await
            .expect(StatusCode::CREATED, "an agent subscribes");
    }
    let watch = app
        .post("/api/v1/support/on-call/watch", Some(&ana_token), &json!({"hours": 4}))
        .await
        .expect(StatusCode::CREATED, "ana takes the watch");
    assert_eq!(watch["user_id"], json!(ana));
    let ticket = app
        .post(
            "/api/v1/support/tickets",
            Some(&staff),
            &json!({"location_id": fx.m(0).location_id, "subject": "La impresora no imprime", "description": "Sin papel"}),
        )
        .await
        .expect(StatusCode::CREATED, "a ticket");
    // 97 minutes: a warning, which goes to the gateway only.
    clock.set(NOON_MS + 97 * 60_000);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(service.received().is_empty(), "a warning is not pushed");
    // 121 business minutes: the first response is overdue.
    clock.set(NOON_MS + 121 * 60_000);
    let pushes = service.wait_for("ana", 1, 20).await;
    let push = &pushes[0];
    assert_eq!(push.header("content-encoding"), "aes128gcm");
    let authorization = push.header("authorization");
    assert!(authorization.starts_with("vapid t="), "VAPID: {authorization}");
    assert!(authorization.ends_with(&format!(", k={server_key}")), "signed with the server's key");
    let plain = ana_keys.decrypt(&push.body).unwrap_or_else(|error| panic!("the push does not decrypt: {error}"));
    let message: Value = serde_json::from_slice(&plain).expect("JSON");
    assert_eq!(message["kind"], "support_alert");
    assert_eq!(message["event_type"], "support.sla_breached");
    assert_eq!(message["lang"], "es");
    assert!(message["title"].as_str().unwrap_or_default().contains("venció"), "{message}");
    assert!(message["body"].as_str().unwrap_or_default().contains(&format!("n.º {}", ticket["number"])), "{message}");
    assert_eq!(message["url"], json!(format!("/support/tickets/{}", ticket["id"].as_str().unwrap_or_default())));
    // More ticks never push again, and the agent off call gets nothing.
    clock.set(NOON_MS + 125 * 60_000);
    clock.set(NOON_MS + 130 * 60_000);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let to = |name: &str| service.received().iter().filter(|push| push.path == format!("/push/{name}")).count();
    assert_eq!(to("ana"), 1, "one push per breach");
    assert_eq!(to("beto"), 0, "the agent off call is not pushed");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gateway_failing_once_gets_the_alert_exactly_once() {
    let gateway = Receiver::start(1).await;
    let (url, secret) = (gateway.url(), random_secret());
    let clock = Arc::new(ManualClock::starting_now());
    let services = omnicanal_server::Services { clock: clock.clone(), ..Default::default() };
    let app = TestApp::spawn_full(
        move |config| {
            config.notify.webhook_url = Some(url);
            config.notify.webhook_secret = Some(omnicanal_server::config::Secret::new(secret));
        },
        services,
    )
    .await;
    let fx = Fixture::builder().merchants(1).stock(5).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    let at = chrono::DateTime::from_timestamp_millis(omnicanal_app::Clock::now_ms(&*clock)).unwrap_or_default();
    let failures: Vec<Value> =
        (0..3).map(|_| json!({"type": "print_failed", "code": "paper_out", "at": at.to_rfc3339()})).collect();
    let batch = json!({"device_id": till.device_id, "events": failures});
    app.post("/api/v1/support/telemetry", Some(&till.staff), &batch).await.expect(StatusCode::ACCEPTED, "failures");
    clock.advance(Duration::from_secs(15));
    let is_alert = |attempt: &crate::common::webhook::Attempt| attempt.json()["data"]["kind"] == "support_alert";
    gateway.wait_until(20, "a first, failed attempt", |attempts| attempts.iter().any(is_alert)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(gateway.attempts().iter().filter(|a| is_alert(a)).count(), 1, "no retry before its time");
    // The retry falls due 30 s later on the app's clock.
    clock.advance(Duration::from_secs(31));
    let seen = gateway
        .wait_until(20, "the retry delivered", |attempts| attempts.iter().any(|a| is_alert(a) && a.answered == 200))
        .await;
    let alerts: Vec<_> = seen.iter().filter(|a| is_alert(a)).collect();
    assert_eq!(alerts.iter().map(|a| a.answered).collect::<Vec<_>>(), [500, 200]);
    assert_eq!(alerts[1].json()["data"]["event_type"], "support.incident_opened");
    let event_id = alerts[1].json()["data"]["event_id"].clone();
    assert_eq!(alerts[0].json()["data"]["event_id"], event_id, "the retry is the same alert");
    assert_eq!(alerts[0].id, alerts[1].id, "and keeps its webhook-id, the gateway's idempotency key");
    // Never again after the success, however the clock moves (the till, silent meanwhile, may
    // open an incident of its own: another alert).
    for _ in 0..4 {
        clock.advance(Duration::from_secs(15 * 60));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let same = gateway.attempts().iter().filter(|a| is_alert(a) && a.json()["data"]["event_id"] == event_id).count();
    assert_eq!(same, 2, "delivered once, never again");
    app.stop().await;
}
