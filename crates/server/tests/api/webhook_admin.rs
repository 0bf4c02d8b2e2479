//! Webhook administration: the list (admins see every endpoint, a manager only its
//! merchant's), switching an endpoint off and on (`PATCH {enabled}`: nothing is delivered
//! while it is off, what waited is delivered once it is back on), redelivering a delivered
//! event (same `webhook-id`, the log's attempts grow), and the 403/404/422 refusals.

use crate::common;

use std::time::Duration;

use common::fixture::{BURGER, SUSHI};
use common::webhook::{Attempt, Receiver, random_secret, signature_is_valid};
use common::{Fixture, Payment, Resp, TestApp, assert_validation_problem, fulfillment_at, id};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Registers a webhook that must be accepted; returns its view.
async fn register(app: &TestApp, token: &str, url: &str, events: &[&str], secret: &str) -> Value {
    app.post("/api/v1/webhooks", Some(token), &json!({"url": url, "events": events, "secret": secret}))
        .await
        .expect(StatusCode::CREATED, &format!("register a webhook for {events:?}"))
}

/// `PATCH /api/v1/webhooks/{id}`.
async fn patch(app: &TestApp, token: &str, webhook_id: &str, body: &Value) -> Resp {
    let path = format!("/api/v1/webhooks/{webhook_id}");
    app.send(Method::PATCH, &path, Some(token), common::Body::Json(body.clone()), &[]).await
}

/// Switches a webhook on or off; must be 200 and show the new state.
async fn set_enabled(app: &TestApp, token: &str, webhook_id: &str, enabled: bool) -> Value {
    let view =
        patch(app, token, webhook_id, &json!({"enabled": enabled})).await.expect(StatusCode::OK, "PATCH enabled");
    assert_eq!(view["id"], webhook_id, "{view}");
    assert_eq!(view["enabled"], enabled, "the answer shows the new state: {view}");
    view
}

/// `POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver`.
async fn redeliver(app: &TestApp, token: &str, webhook_id: &str, delivery_id: &str) -> Resp {
    app.post(&format!("/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"), Some(token), &json!({}))
        .await
}

/// Ids of `GET /api/v1/webhooks` as this user (must be 200).
async fn listed_ids(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let list = app.get(&format!("/api/v1/webhooks{query}"), Some(token)).await.expect(StatusCode::OK, "list webhooks");
    list.as_array().unwrap_or_else(|| panic!("webhook list must be an array: {list}")).iter().map(id).collect()
}

/// The delivery log of a webhook (must be 200).
async fn deliveries(app: &TestApp, token: &str, webhook_id: &str) -> Vec<Value> {
    let log = app
        .get(&format!("/api/v1/webhooks/{webhook_id}/deliveries"), Some(token))
        .await
        .expect(StatusCode::OK, "delivery log");
    log.as_array().unwrap_or_else(|| panic!("delivery log must be an array: {log}")).clone()
}

/// Polls the delivery log until the entry for `event_id` satisfies `pred`.
async fn wait_for_entry(
    app: &TestApp,
    token: &str,
    webhook_id: &str,
    event_id: &str,
    what: &str,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(4);
    loop {
        let log = deliveries(app, token, webhook_id).await;
        if let Some(entry) = log.iter().find(|d| d["event_id"] == event_id && pred(d)) {
            return entry.clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "delivery log: {what} not seen for {event_id}: {log:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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

/// Attempts that carry `order.created` for this order.
fn created_for<'a>(attempts: &'a [Attempt], order_id: &str) -> Vec<&'a Attempt> {
    attempts.iter().filter(|a| a.event_type() == "order.created" && contains_str(&a.json()["data"], order_id)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_list_is_scoped_and_patch_and_redeliver_refuse_what_they_should() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(0).build(&app).await;
    let admin = app.admin_token().await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let (burger_manager, sushi_manager) = (burger.manager.token(&app).await, sushi.manager.token(&app).await);
    let url = "http://127.0.0.1:9/hooks";

    let platform = id(&register(&app, &admin, url, &["order.created"], &random_secret()).await);
    let burgers = register(&app, &burger_manager, url, &["fulfillment.status_changed"], &random_secret()).await;
    assert_eq!(burgers["merchant_id"], burger.id.as_str(), "a manager's webhook is its merchant's: {burgers}");
    let burgers = id(&burgers);
    let sushis = id(&register(&app, &sushi_manager, url, &["order.created"], &random_secret()).await);

    let mut all = listed_ids(&app, &admin, "").await;
    all.sort();
    let mut expected = vec![platform.clone(), burgers.clone(), sushis.clone()];
    expected.sort();
    assert_eq!(all, expected, "an admin sees every webhook");
    assert_eq!(listed_ids(&app, &burger_manager, "").await, vec![burgers.clone()], "a manager sees its merchant's");
    assert_eq!(listed_ids(&app, &sushi_manager, "").await, vec![sushis.clone()], "a manager sees its merchant's");
    assert_eq!(listed_ids(&app, &admin, "?limit=1").await.len(), 1, "the list pages");
    assert_eq!(listed_ids(&app, &admin, "?limit=2&offset=2").await.len(), 1, "the list pages");
    let list = app.get("/api/v1/webhooks", Some(&admin)).await.expect(StatusCode::OK, "list");
    for w in list.as_array().unwrap() {
        assert_eq!(w["enabled"], true, "new webhooks are on: {w}");
        assert!(w["url"].is_string() && w["events"].is_array(), "{w}");
    }
    assert_validation_problem(&app.get("/api/v1/webhooks?limit=501", Some(&admin)).await, "list limit 501");
    let staff = burger.staff.token(&app).await;
    app.get("/api/v1/webhooks", Some(&staff)).await.expect_problem(StatusCode::FORBIDDEN, "staff list webhooks");
    app.get("/api/v1/webhooks", None).await.expect_problem(StatusCode::UNAUTHORIZED, "list without a token");

    // PATCH: unknown 404, another merchant's 404, the platform's to a manager 404, staff 403, bad body 422.
    patch(&app, &admin, "whk_does_not_exist", &json!({"enabled": false}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "PATCH an unknown webhook");
    patch(&app, &sushi_manager, &burgers, &json!({"enabled": false}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "PATCH another merchant's webhook");
    patch(&app, &burger_manager, &platform, &json!({"enabled": false}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "a manager PATCHes the platform's webhook");
    patch(&app, &staff, &burgers, &json!({"enabled": false}))
        .await
        .expect_problem(StatusCode::FORBIDDEN, "staff PATCH a webhook");
    for (body, what) in [(json!({"enabled": "no"}), "enabled not a boolean"), (json!({}), "enabled missing")] {
        assert_validation_problem(&patch(&app, &burger_manager, &burgers, &body).await, what);
    }
    let list = app.get("/api/v1/webhooks", Some(&admin)).await.expect(StatusCode::OK, "list");
    assert!(list.as_array().unwrap().iter().all(|w| w["enabled"] == true), "no refusal switched anything off: {list}");

    // The owner (and an admin) switch it off and on; the list shows it.
    set_enabled(&app, &burger_manager, &burgers, false).await;
    let mine = app.get("/api/v1/webhooks", Some(&burger_manager)).await.expect(StatusCode::OK, "list");
    assert_eq!(mine[0]["enabled"], false, "{mine}");
    set_enabled(&app, &burger_manager, &burgers, false).await;
    set_enabled(&app, &admin, &burgers, true).await;
    set_enabled(&app, &admin, &sushis, false).await;
    let theirs = app.get("/api/v1/webhooks", Some(&sushi_manager)).await.expect(StatusCode::OK, "list");
    assert_eq!(theirs[0]["enabled"], false, "{theirs}");

    // Redeliver: unknown webhook, unknown delivery, another merchant's webhook: 404; staff 403.
    redeliver(&app, &admin, "whk_does_not_exist", "dlv_does_not_exist")
        .await
        .expect_problem(StatusCode::NOT_FOUND, "redeliver on an unknown webhook");
    redeliver(&app, &admin, &burgers, "dlv_does_not_exist")
        .await
        .expect_problem(StatusCode::NOT_FOUND, "redeliver an unknown delivery");
    redeliver(&app, &sushi_manager, &burgers, "dlv_does_not_exist")
        .await
        .expect_problem(StatusCode::NOT_FOUND, "redeliver on another merchant's webhook");
    redeliver(&app, &staff, &burgers, "dlv_does_not_exist")
        .await
        .expect_problem(StatusCode::FORBIDDEN, "staff redeliver");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nothing_is_delivered_while_disabled_and_it_arrives_once_enabled() {
    let receiver = Receiver::start(0).await;
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let secret = random_secret();
    let webhook = id(&register(&app, &admin, &receiver.url(), &["order.created"], &secret).await);

    set_enabled(&app, &admin, &webhook, false).await;
    let order = app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    let order_id = id(&order);
    // The worker ticks every 200 ms and a first attempt is due at once: 1.2 s is plenty.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(
        receiver.attempts().is_empty(),
        "nothing may be delivered to a disabled webhook: {:?}",
        receiver.attempts().iter().map(|a| (a.id.clone(), a.event_type())).collect::<Vec<_>>()
    );

    set_enabled(&app, &admin, &webhook, true).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let attempts = loop {
        let attempts = receiver.attempts();
        if !created_for(&attempts, &order_id).is_empty() {
            break attempts;
        }
        if tokio::time::Instant::now() >= deadline {
            let log = deliveries(&app, &admin, &webhook).await;
            panic!(
                "the order.created raised while the webhook was off never arrived once it was back on; log: {log:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let created = created_for(&attempts, &order_id);
    assert!(signature_is_valid(&secret, created[0]), "the late delivery is signed: {:?}", created[0]);
    wait_for_entry(&app, &admin, &webhook, &created[0].id, "a delivered entry", |d| d["state"] == "delivered").await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retry_waits_while_disabled_and_runs_once_enabled() {
    let receiver = Receiver::start(1).await;
    let clock = std::sync::Arc::new(omnicanal_app::ManualClock::starting_now());
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let secret = random_secret();
    let webhook = id(&register(&app, &admin, &receiver.url(), &["order.created"], &secret).await);

    let order = app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    let order_id = id(&order);
    let first = receiver.wait_until(3, "a first (failed) attempt", |all| !created_for(all, &order_id).is_empty()).await;
    let event_id = created_for(&first, &order_id)[0].id.clone();
    set_enabled(&app, &admin, &webhook, false).await;
    // The retry is due about 1 s (± 20 %) after the first attempt: move well past it.
    clock.advance(Duration::from_secs(5));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(receiver.attempts().len(), 1, "no retry while disabled: {:?}", receiver.attempts());
    let entry = wait_for_entry(&app, &admin, &webhook, &event_id, "a pending entry", |d| d["state"] == "pending").await;
    assert_eq!(entry["attempts"], 1, "{entry}");
    assert_eq!(entry["last_status"], 500, "{entry}");

    set_enabled(&app, &admin, &webhook, true).await;
    clock.advance(Duration::from_secs(1));
    let attempts = receiver
        .wait_until(3, "the retry after re-enabling", |all| all.iter().any(|a| a.id == event_id && a.answered == 200))
        .await;
    assert_eq!(attempts.len(), 2, "one failed attempt, one retry: {attempts:?}");
    assert!(attempts.iter().all(|a| signature_is_valid(&secret, a)));
    let entry =
        wait_for_entry(&app, &admin, &webhook, &event_id, "a delivered entry", |d| d["state"] == "delivered").await;
    assert_eq!(entry["attempts"], 2, "{entry}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redelivering_a_delivered_event_sends_it_again_with_the_same_id() {
    let receiver = Receiver::start(0).await;
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let manager = burger.manager.token(&app).await;
    let secret = random_secret();
    let webhook = id(&register(&app, &manager, &receiver.url(), &["fulfillment.status_changed"], &secret).await);
    let other = id(&register(&app, &admin, "http://127.0.0.1:9/hooks", &["price.changed"], &random_secret()).await);

    // One order with a part at each restaurant; both parts are accepted.
    let order = app.place_order_ok(&fx, &[burger.line(BURGER, 1), sushi.line(SUSHI, 1)], &Payment::card()).await;
    let burger_part = id(fulfillment_at(&order, &burger.location_id));
    let sushi_part = id(fulfillment_at(&order, &sushi.location_id));
    app.advance(&burger.staff.token(&app).await, &burger_part, &["accepted"]).await;
    app.advance(&sushi.staff.token(&app).await, &sushi_part, &["accepted"]).await;
    let is_burger_accepted =
        |a: &Attempt| a.event_type() == "fulfillment.status_changed" && contains_str(&a.json()["data"], &burger_part);
    let first = receiver.wait_until(3, "burger part accepted", |all| all.iter().any(is_burger_accepted)).await;
    let original = first.iter().find(|a| is_burger_accepted(a)).unwrap().clone();
    let entry =
        wait_for_entry(&app, &manager, &webhook, &original.id, "a delivered entry", |d| d["state"] == "delivered")
            .await;
    assert_eq!(entry["attempts"], 1, "{entry}");
    assert_eq!(entry["event_type"], "fulfillment.status_changed", "{entry}");
    let delivery_id = id(&entry);

    // Only the owner (or an admin) may redeliver, and only through the delivery's own webhook.
    redeliver(&app, &sushi.manager.token(&app).await, &webhook, &delivery_id)
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's manager redelivers");
    redeliver(&app, &admin, &other, &delivery_id)
        .await
        .expect_problem(StatusCode::NOT_FOUND, "a delivery named under another webhook");

    let queued = redeliver(&app, &manager, &webhook, &delivery_id).await.expect(StatusCode::ACCEPTED, "redeliver");
    assert_eq!(queued["id"], delivery_id.as_str(), "the answer is the delivery: {queued}");
    assert_eq!(queued["event_id"], original.id.as_str(), "{queued}");

    let attempts =
        receiver.wait_until(3, "the redelivery", |all| all.iter().filter(|a| a.id == original.id).count() >= 2).await;
    let again: Vec<&Attempt> = attempts.iter().filter(|a| a.id == original.id).collect();
    assert_eq!(again.len(), 2, "delivered once more, not more: {attempts:?}");
    assert_eq!(again[1].json(), original.json(), "the same payload");
    assert!(signature_is_valid(&secret, again[1]), "the redelivery is signed: {:?}", again[1]);
    let entry = wait_for_entry(&app, &admin, &webhook, &original.id, "attempts = 2, delivered", |d| {
        d["attempts"] == 2 && d["state"] == "delivered"
    })
    .await;
    assert_eq!(entry["id"], delivery_id.as_str());
    let log = deliveries(&app, &admin, &webhook).await;
    assert_eq!(
        log.iter().filter(|d| d["event_id"] == original.id.as_str()).count(),
        1,
        "still one delivery entry for the event: {log:#?}"
    );

    // Once more as admin: one more attempt with the same id.
    redeliver(&app, &admin, &webhook, &delivery_id).await.expect(StatusCode::ACCEPTED, "redeliver as admin");
    receiver.wait_until(3, "a third delivery", |all| all.iter().filter(|a| a.id == original.id).count() >= 3).await;
    wait_for_entry(&app, &admin, &webhook, &original.id, "attempts = 3", |d| d["attempts"] == 3).await;

    // The sushi part is another merchant's: never sent to the burger manager's webhook.
    assert!(
        !receiver.attempts().iter().any(|a| contains_str(&a.json()["data"], &sushi_part)),
        "another merchant's status change was delivered: {:?}",
        receiver.attempts().iter().map(Attempt::json).collect::<Vec<_>>()
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_managers_order_created_webhook_receives_its_merchants_orders() {
    let receiver = Receiver::start(0).await;
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let manager = fx.m(0).manager.token(&app).await;
    let webhook = register(&app, &manager, &receiver.url(), &["order.created"], &random_secret()).await;
    assert_eq!(webhook["merchant_id"], fx.m(0).id.as_str(), "{webhook}");

    let order = app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    let order_id = id(&order);
    receiver
        .wait_until(3, "order.created for an order at the manager's restaurant", |all| {
            !created_for(all, &order_id).is_empty()
        })
        .await;
    let other = app.place_order_ok(&fx, &[fx.line(SUSHI, 1)], &Payment::card()).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(created_for(&receiver.attempts(), &id(&other)).is_empty(), "another merchant's order is not sent");
    app.stop().await;
}
