//! Incidents before anyone calls (issue 18 point 5), over HTTP on a manual clock: a burst of
//! sandbox card declines (code 05) at one store opens one incident with its evidence while
//! another store's normal traffic opens none, it stays one incident, and it closes once the
//! signal has been normal for a while; telemetry's roles, 404s and bad input; print failures; a
//! large sync backlog. Time is moved, never slept through — the detector wakes when the clock
//! moves — except in the fast-path test, whose point is the wall-clock lag with the clock still.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::ManualClock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Fixture, OpenTill, TestApp, money, open_till, qs, within};

/// A support agent's token.
async fn agent_token(app: &TestApp) -> String {
    app.post(
        "/api/v1/users",
        Some(&app.admin_token().await),
        &json!({"email": "agent@support.test", "password": "agent-password-1", "role": "support_agent"}),
    )
    .await
    .expect(StatusCode::CREATED, "create a support agent");
    app.login("agent@support.test", "agent-password-1").await
}

/// RFC 3339 of the manual clock's now.
fn at(clock: &ManualClock) -> String {
    use omnicanal_app::clock::Clock;
    chrono::DateTime::from_timestamp_millis(clock.now_ms()).unwrap_or_default().to_rfc3339()
}

/// A card sale of one `sku` at `price` at `till` with `card`.
fn card_sale(till: &OpenTill, clock: &ManualClock, (sku, price): (&str, i64), id: &str, n: u32, card: &str) -> Value {
    json!({
        "id": id,
        "session_id": till.session_id,
        "receipt_number": format!("{}-{n}", till.series),
        "sold_at": at(clock),
        "offline": false,
        "lines": [{"sku": sku, "quantity": 1}],
        "payments": [{"method": "card", "amount": money(price), "card_number": card}],
    })
}

/// A till says it is alive.
async fn heartbeat(app: &TestApp, till: &OpenTill, clock: &ManualClock) {
    let body = json!({"device_id": till.device_id, "events": [{"type": "heartbeat", "at": at(clock)}]});
    app.post("/api/v1/support/telemetry", Some(&till.staff), &body).await.expect(StatusCode::ACCEPTED, "heartbeat");
}

/// The incidents matching `query`, polled until `done` holds (the detector runs on its own task).
async fn incidents_until(app: &TestApp, token: &str, query: &str, done: impl Fn(&Value) -> bool) -> Value {
    within(20, &format!("incidents {query}"), async {
        loop {
            let page = app.get(&format!("/api/v1/support/incidents{query}"), Some(token)).await;
            let page = page.expect(StatusCode::OK, "list incidents");
            if done(&page) {
                return page;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_declines_at_one_store_opens_one_incident_and_it_closes_when_normal() {
    let clock = Arc::new(ManualClock::starting_now());
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::builder().merchants(2).stock(20).build(&app).await;
    let (burst, calm) = (open_till(&app, fx.m(0), 0).await, open_till(&app, fx.m(1), 0).await);
    let agent = agent_token(&app).await;
    let item = |i: usize| {
        let variant = &fx.m(i).products[0].variants[0];
        (variant.sku.as_str(), variant.price)
    };

    // Six declines (05) at one store in a minute; one approved sale and one decline at the other.
    for n in 0..6 {
        let sale = card_sale(&burst, &clock, item(0), &format!("burst-{n}"), n + 1, "4000000000000002");
        let problem = app
            .post("/api/v1/pos/sales", Some(&burst.staff), &sale)
            .await
            .expect_problem(StatusCode::PAYMENT_REQUIRED, "declined");
        assert_eq!(problem["decline_code"], "05");
    }
    let ok = card_sale(&calm, &clock, item(1), "calm-ok", 1, "4242424242424242");
    app.post("/api/v1/pos/sales", Some(&calm.staff), &ok).await.expect(StatusCode::CREATED, "approved");
    let one = card_sale(&calm, &clock, item(1), "calm-declined", 2, "4000000000000002");
    app.post("/api/v1/pos/sales", Some(&calm.staff), &one).await.expect_problem(StatusCode::PAYMENT_REQUIRED, "one");
    heartbeat(&app, &calm, &clock).await;

    // Within a minute of the burst the detector has run (here: 15 s later) and opened one.
    clock.advance(Duration::from_secs(15));
    let open_query = "?".to_owned() + &qs(&[("status", "open")]);
    // The fast path may open it at the fifth decline; the tick then refreshes the evidence to six.
    let page = incidents_until(&app, &agent, &open_query, |page| {
        page["total"] == 1 && page["items"][0]["evidence"]["count"] == 6
    })
    .await;
    let incident = &page["items"][0];
    assert_eq!(incident["location_id"], json!(burst.location_id));
    assert_eq!(incident["cause"], "payment_declines");
    assert_eq!(incident["status"], "open");
    assert_eq!(incident["evidence"]["count"], 6);
    assert_eq!(incident["evidence"]["codes"]["05"], 6);
    assert_eq!(incident["evidence"]["devices"], json!([burst.device_id]));
    assert!(incident["evidence"]["window_start"].is_string() && incident["opened_at"].is_string());
    let id = incident["id"].as_str().unwrap_or_default().to_owned();

    // More ticks while it still passes: still one incident; the calm store has none.
    for _ in 0..3 {
        clock.advance(Duration::from_secs(20));
        heartbeat(&app, &burst, &clock).await;
        heartbeat(&app, &calm, &clock).await;
    }
    let all = app.get("/api/v1/support/incidents", Some(&agent)).await.expect(StatusCode::OK, "all");
    assert_eq!(all["total"], 1, "one incident per store and cause: {all}");
    let calm_query = "?".to_owned() + &qs(&[("location_id", calm.location_id.as_str())]);
    let none = app.get(&format!("/api/v1/support/incidents{calm_query}"), Some(&agent)).await;
    assert_eq!(none.expect(StatusCode::OK, "calm store")["total"], 0);

    // Normal again: the burst leaves the window after ten minutes, then ten quiet minutes close it.
    for _ in 0..7 {
        clock.advance(Duration::from_secs(4 * 60));
        heartbeat(&app, &burst, &clock).await;
        heartbeat(&app, &calm, &clock).await;
    }
    let closed_query = "?".to_owned() + &qs(&[("status", "closed")]);
    let closed = incidents_until(&app, &agent, &closed_query, |page| page["total"] == 1).await;
    assert_eq!(closed["items"][0]["id"], json!(id));
    let shown = app.get(&format!("/api/v1/support/incidents/{id}"), Some(&agent)).await;
    let shown = shown.expect(StatusCode::OK, "one incident");
    assert_eq!(shown["status"], "closed");
    assert!(shown["closed_at"].is_string());
    let all = app.get("/api/v1/support/incidents", Some(&agent)).await.expect(StatusCode::OK, "all");
    assert_eq!(all["total"], 1, "nothing else opened: {all}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn telemetry_is_the_tills_own_and_bad_batches_are_clear_4xx() {
    let clock = Arc::new(ManualClock::starting_now());
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::builder().merchants(2).stock(5).build(&app).await;
    let (mine, theirs) = (open_till(&app, fx.m(0), 0).await, open_till(&app, fx.m(1), 0).await);
    let agent = agent_token(&app).await;
    let admin = app.admin_token().await;
    let batch = |device: &str, events: Value| json!({"device_id": device, "events": events});
    let ok_events = json!([{"type": "sync_backlog", "code": "3", "at": at(&clock)}]);
    let post = |token: String, body: Value| {
        let app = &app;
        async move { app.post("/api/v1/support/telemetry", Some(&token), &body).await }
    };

    // Who may post: the till's staff and manager; another merchant's till is 404; agents 403.
    let accepted = post(mine.staff.clone(), batch(&mine.device_id, ok_events.clone())).await;
    assert_eq!(accepted.expect(StatusCode::ACCEPTED, "staff")["accepted"], 1);
    post(mine.manager.clone(), batch(&mine.device_id, ok_events.clone())).await.expect(StatusCode::ACCEPTED, "manager");
    post(mine.staff.clone(), batch(&theirs.device_id, ok_events.clone()))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's till");
    post(mine.staff.clone(), batch("dev_nope", ok_events.clone()))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "no till");
    post(agent.clone(), batch(&mine.device_id, ok_events.clone())).await.expect_problem(StatusCode::FORBIDDEN, "agent");

    // Bad batches: every bad field named, nothing half-taken.
    let bad = post(
        mine.staff.clone(),
        batch(
            &mine.device_id,
            json!([
                {"type": "smoke", "at": at(&clock)},
                {"type": "payment_declined", "code": "no spaces", "at": at(&clock)},
                {"type": "print_failed", "at": "yesterday"},
            ]),
        ),
    )
    .await;
    let problem = bad.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "three bad events");
    let fields: Vec<&str> =
        problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, vec!["events[0].type", "events[1].code", "events[2].at"]);
    post(mine.staff.clone(), batch(&mine.device_id, json!([])))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "empty");
    let too_many: Vec<Value> = (0..501).map(|_| json!({"type": "heartbeat", "at": at(&clock)})).collect();
    post(mine.staff.clone(), batch(&mine.device_id, json!(too_many)))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "501 events");
    let old = json!([{"type": "offline", "at": "2020-01-01T00:00:00Z"}]);
    post(mine.staff.clone(), batch(&mine.device_id, old))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "too old");
    let malformed = app.post_raw("/api/v1/support/telemetry", Some(&mine.staff), b"{\"device_id\": ".to_vec()).await;
    assert!(malformed.status.is_client_error(), "malformed JSON: {}", malformed.status);

    // Three print failures in ten minutes open a print incident, seen by agents and admins only.
    let failures: Vec<Value> =
        (0..3).map(|_| json!({"type": "print_failed", "code": "paper_out", "at": at(&clock)})).collect();
    post(mine.staff.clone(), batch(&mine.device_id, json!(failures))).await.expect(StatusCode::ACCEPTED, "failures");
    clock.advance(Duration::from_secs(15));
    let page = incidents_until(&app, &agent, "", |page| page["total"] == 1).await;
    assert_eq!(page["items"][0]["cause"], "print_failures");
    assert_eq!(page["items"][0]["evidence"]["codes"]["paper_out"], 3);
    let id = page["items"][0]["id"].as_str().unwrap_or_default().to_owned();
    app.get("/api/v1/support/incidents", Some(&admin)).await.expect(StatusCode::OK, "admin reads");
    for token in [&mine.staff, &mine.manager] {
        app.get("/api/v1/support/incidents", Some(token)).await.expect_problem(StatusCode::FORBIDDEN, "store people");
        app.get(&format!("/api/v1/support/incidents/{id}"), Some(token))
            .await
            .expect_problem(StatusCode::FORBIDDEN, "store people, one");
    }
    app.get("/api/v1/support/incidents/inc_nope", Some(&agent)).await.expect_problem(StatusCode::NOT_FOUND, "none");
    app.get("/api/v1/support/incidents?status=bogus", Some(&agent))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "status");
    app.get("/api/v1/support/incidents?per_page=0", Some(&agent))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "per_page");
    app.get("/api/v1/support/incidents", None).await.expect_problem(StatusCode::UNAUTHORIZED, "anonymous");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_incident_opened_pages_the_desk_through_the_gateway_once() {
    let (gateway, app, clock) = crate::customer_accounts::app_with_gateway().await;
    let fx = Fixture::builder().merchants(1).stock(5).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    let failures: Vec<Value> =
        (0..3).map(|_| json!({"type": "print_failed", "code": "paper_out", "at": at(&clock)})).collect();
    let batch = json!({"device_id": till.device_id, "events": failures});
    app.post("/api/v1/support/telemetry", Some(&till.staff), &batch).await.expect(StatusCode::ACCEPTED, "failures");
    clock.advance(Duration::from_secs(15));
    let is_alert = |body: &Value| body["data"]["kind"] == "support_alert";
    let seen = gateway.wait_until(20, "a support alert", |attempts| attempts.iter().any(|a| is_alert(&a.json()))).await;
    let alert = seen.iter().map(|a| a.json()).find(|body| is_alert(body)).unwrap_or_default();
    assert_eq!(alert["data"]["event_type"], "support.incident_opened");
    assert_eq!(alert["data"]["location_id"], json!(till.location_id));
    assert_eq!(alert["data"]["event"]["cause"], "print_failures");
    assert!(alert["data"]["title"].as_str().unwrap_or_default().contains("impresora"), "{alert}");
    assert!(alert["data"]["title_en"].as_str().unwrap_or_default().contains("printer"), "{alert}");
    let title = alert["data"]["title"].as_str().unwrap_or_default();
    assert!(!title.contains(&till.location_id), "the store is named by its name, not its id: {title}");
    // More ticks refresh the incident but never page again.
    for _ in 0..3 {
        clock.advance(Duration::from_secs(20));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let alerts = gateway.attempts().iter().filter(|a| is_alert(&a.json())).count();
    assert_eq!(alerts, 1, "one alert per incident opened");
    app.stop().await;
}

/// The detector's fast path: a burst of declines sent as telemetry opens its incident about a
/// second after the crossing batch, with the manual clock standing still, so no periodic tick can
/// claim the lease (it needs the clock ten seconds on); the other store's few declines open none.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_declines_opens_its_incident_without_waiting_for_a_tick() {
    let clock = Arc::new(ManualClock::starting_now());
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::builder().merchants(2).stock(5).build(&app).await;
    let (burst, calm) = (open_till(&app, fx.m(0), 0).await, open_till(&app, fx.m(1), 0).await);
    let agent = agent_token(&app).await;
    // Moving the clock runs one tick now, which takes the lease for the next ten (manual) seconds;
    // the pause only lets that tick start before the burst.
    clock.advance(Duration::from_secs(15));
    tokio::time::sleep(Duration::from_millis(500)).await;

    let decline = |till: &OpenTill| json!({"device_id": till.device_id, "events": [{"type": "payment_declined", "code": "05", "at": at(&clock)}]});
    for _ in 0..2 {
        app.post("/api/v1/support/telemetry", Some(&calm.staff), &decline(&calm))
            .await
            .expect(StatusCode::ACCEPTED, "calm");
    }
    for _ in 0..5 {
        app.post("/api/v1/support/telemetry", Some(&burst.staff), &decline(&burst))
            .await
            .expect(StatusCode::ACCEPTED, "burst");
    }
    let open_query = "?".to_owned() + &qs(&[("status", "open")]);
    let page = within(5, "the fast path opens the incident", async {
        loop {
            let page = app.get(&format!("/api/v1/support/incidents{open_query}"), Some(&agent)).await;
            let page = page.expect(StatusCode::OK, "list incidents");
            if page["total"] != 0 {
                return page;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["items"][0]["location_id"], json!(burst.location_id));
    assert_eq!(page["items"][0]["cause"], "payment_declines");
    assert_eq!(page["items"][0]["evidence"]["count"], 5);

    // More declines at the burst store do not open a second; the calm store still has none.
    app.post("/api/v1/support/telemetry", Some(&burst.staff), &decline(&burst))
        .await
        .expect(StatusCode::ACCEPTED, "more");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let all = app.get("/api/v1/support/incidents", Some(&agent)).await.expect(StatusCode::OK, "all");
    assert_eq!(all["total"], 1, "one incident per store and cause: {all}");
    app.stop().await;
}

/// A till holding 50 unsent sales or more opens a `sync_backlog` incident; a store whose till
/// reports smaller backlogs, however often, opens none.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_large_sync_backlog_opens_one_incident() {
    let clock = Arc::new(ManualClock::starting_now());
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::builder().merchants(2).stock(5).build(&app).await;
    let (stuck, fine) = (open_till(&app, fx.m(0), 0).await, open_till(&app, fx.m(1), 0).await);
    let agent = agent_token(&app).await;
    let backlog = |till: &OpenTill, sizes: &[&str]| {
        let events: Vec<Value> =
            sizes.iter().map(|size| json!({"type": "sync_backlog", "code": size, "at": at(&clock)})).collect();
        json!({"device_id": till.device_id, "events": events})
    };
    let post = |till: &OpenTill, body: Value| {
        let (app, token) = (&app, till.staff.clone());
        async move { app.post("/api/v1/support/telemetry", Some(&token), &body).await }
    };
    post(&fine, backlog(&fine, &["12", "30", "49", "49"])).await.expect(StatusCode::ACCEPTED, "small backlogs");
    post(&stuck, backlog(&stuck, &["12", "35"])).await.expect(StatusCode::ACCEPTED, "growing");
    post(&stuck, backlog(&stuck, &["61"])).await.expect(StatusCode::ACCEPTED, "stuck");
    clock.advance(Duration::from_secs(15));
    let open_query = "?".to_owned() + &qs(&[("status", "open")]);
    let page = incidents_until(&app, &agent, &open_query, |page| page["total"] == 1).await;
    let incident = &page["items"][0];
    assert_eq!(incident["location_id"], json!(stuck.location_id));
    assert_eq!(incident["cause"], "sync_backlog");
    assert_eq!(incident["evidence"]["count"], 61, "the largest backlog: {incident}");
    assert_eq!(incident["evidence"]["threshold"], 50);
    assert_eq!(incident["evidence"]["devices"], json!([stuck.device_id]));

    clock.advance(Duration::from_secs(15));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let all = app.get("/api/v1/support/incidents", Some(&agent)).await.expect(StatusCode::OK, "all");
    assert_eq!(all["total"], 1, "only the stuck till's store: {all}");
    app.stop().await;
}
