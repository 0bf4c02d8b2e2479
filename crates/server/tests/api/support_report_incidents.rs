//! The desk's reports beyond tickets (issue 18 points 4 and 6), over HTTP on a manual clock:
//! the incidents of the period by cause and store with their durations (an open one lasting up
//! to now), scoped like the rest of the report; the incident list's cause filter; the
//! deflection share over every problem raised (help sessions plus tickets opened without one,
//! phone tickets left out); and the agents' incidents page with its filters and empty state.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::ManualClock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{self, Fixture, TestApp, open_till, within};

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

fn count_of(list: &Value, key: &str) -> Option<Value> {
    list.as_array().into_iter().flatten().find(|row| row["key"] == key).map(|row| row["count"].clone())
}

/// The incidents list, polled until `done` holds (the detector runs on its own task).
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
async fn the_report_counts_incidents_by_cause_and_store_with_their_durations() {
    let clock = Arc::new(ManualClock::starting_now());
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::builder().merchants(2).stock(5).build(&app).await;
    let agent = agent_token(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    let other_manager = fx.m(1).manager.token(&app).await;

    let empty = app.get("/api/v1/support/reports", Some(&agent)).await.expect(StatusCode::OK, "no incidents yet");
    assert_eq!(empty["incidents"]["total"], 0, "{empty}");
    assert_eq!(empty["incidents"]["median_seconds"], Value::Null, "no duration without incidents");
    assert_eq!(empty["incidents"]["by_cause"].as_array().map(Vec::len), Some(4), "every cause listed");

    // Three print failures open a print incident at the first merchant's store.
    let failures: Vec<Value> =
        (0..3).map(|_| json!({"type": "print_failed", "code": "paper_out", "at": at(&clock)})).collect();
    let batch = json!({"device_id": till.device_id, "events": failures});
    app.post("/api/v1/support/telemetry", Some(&till.staff), &batch).await.expect(StatusCode::ACCEPTED, "failures");
    clock.advance(Duration::from_secs(15));
    incidents_until(&app, &agent, "?status=open", |page| page["total"] == 1).await;
    // Twenty minutes on, still open: it has lasted twenty minutes already.
    for _ in 0..5 {
        clock.advance(Duration::from_secs(4 * 60));
        let heartbeat = json!({"device_id": till.device_id, "events": [{"type": "heartbeat", "at": at(&clock)}]});
        app.post("/api/v1/support/telemetry", Some(&till.staff), &heartbeat).await.expect(StatusCode::ACCEPTED, "hb");
    }

    let report = app.get("/api/v1/support/reports?days=1", Some(&agent)).await.expect(StatusCode::OK, "the desk");
    let incidents = &report["incidents"];
    assert_eq!(incidents["total"], 1, "{report}");
    assert_eq!(count_of(&incidents["by_cause"], "print_failures"), Some(json!(1)), "{incidents}");
    assert_eq!(count_of(&incidents["by_cause"], "payment_declines"), Some(json!(0)), "{incidents}");
    assert_eq!(count_of(&incidents["by_store"], &fx.m(0).location_id), Some(json!(1)), "{incidents}");
    let bucket_total: i64 =
        incidents["duration_minutes"].as_array().into_iter().flatten().filter_map(|b| b["count"].as_i64()).sum();
    assert_eq!(bucket_total, 1, "each incident in one duration bucket: {incidents}");
    let max = incidents["max_seconds"].as_i64().unwrap_or_default();
    if incidents["open_now"] == 1 {
        assert!(max >= 20 * 60, "an open incident lasts up to now: {incidents}");
    } else {
        assert!(max > 0, "a closed incident lasted some time: {incidents}");
    }
    assert_eq!(incidents["median_seconds"], incidents["max_seconds"], "one incident: median is its duration");
    assert_eq!(incidents["p90_seconds"], incidents["max_seconds"]);

    // Scoped like the rest of the report: another merchant's manager sees none, one store's
    // filter keeps it.
    let theirs = app.get("/api/v1/support/reports", Some(&other_manager)).await.expect(StatusCode::OK, "theirs");
    assert_eq!(theirs["incidents"]["total"], 0, "another merchant's incidents are not counted: {theirs}");
    let one_store = format!("/api/v1/support/reports?location_id={}", fx.m(0).location_id);
    let one_store = app.get(&one_store, Some(&agent)).await.expect(StatusCode::OK, "one store");
    assert_eq!(one_store["incidents"]["total"], 1, "{one_store}");
    let elsewhere = format!("/api/v1/support/reports?location_id={}", fx.m(1).location_id);
    let elsewhere = app.get(&elsewhere, Some(&agent)).await.expect(StatusCode::OK, "the other store");
    assert_eq!(elsewhere["incidents"]["total"], 0, "{elsewhere}");

    // The list filters by cause; an unknown cause is a 422 naming it.
    let printers = app.get("/api/v1/support/incidents?cause=print_failures", Some(&agent)).await;
    assert_eq!(printers.expect(StatusCode::OK, "print incidents")["total"], 1);
    let declines = app.get("/api/v1/support/incidents?cause=payment_declines", Some(&agent)).await;
    assert_eq!(declines.expect(StatusCode::OK, "decline incidents")["total"], 0);
    app.get("/api/v1/support/incidents?cause=smoke", Some(&agent))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "an unknown cause");

    // The report page and the incidents page show it, in Spanish by default.
    let mut browser = crate::console_pages::Browser::new(&app);
    browser.sign_in("agent@support.test", "agent-password-1").await;
    let page = browser.get("/support/reports?days=1").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Incidentes por causa"), "the incidents' chart: {}", page.body);
    assert!(page.body.contains("data-testid=\"support-incidents-total\">1<"), "{}", page.body);
    let list = browser.get("/support/incidents").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("Fallas de impresión") && list.body.contains("paper_out × 3"), "{}", list.body);
    assert_eq!(list.body.matches("data-testid=\"incident-row\"").count(), 1);
    let none = browser.get("/support/incidents?cause=till_offline").await;
    assert!(none.body.contains("data-testid=\"incident-empty\""), "{}", none.body);
    let english = browser.get("/support/incidents?lang=en").await;
    assert!(english.body.contains("Print failures"), "{}", english.body);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_deflection_share_counts_tickets_opened_without_a_help_session() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let agent = agent_token(&app).await;
    let (a, b) = (fx.m(0), fx.m(1));
    let cashier_a = a.staff.token(&app).await;
    let cashier_b = b.staff.token(&app).await;
    let manager_a = a.manager.token(&app).await;
    let ticket = |token: String, location: String| {
        let app = &app;
        async move {
            let body = json!({"location_id": location, "subject": "No imprime", "category": "impresora"});
            let made = app.post("/api/v1/support/tickets", Some(&token), &body).await;
            made.expect(StatusCode::CREATED, "a ticket")["id"].as_str().unwrap_or_default().to_owned()
        }
    };
    let session = |token: String| {
        let app = &app;
        async move {
            let made = app.post("/api/v1/support/help-sessions", Some(&token), &json!({"query": "no imprime"})).await;
            made.expect(StatusCode::CREATED, "a help session")["id"].as_str().unwrap_or_default().to_owned()
        }
    };
    let article = app
        .post(
            "/api/v1/support/articles",
            Some(&agent),
            &json!({"locale": "es", "title": "La impresora no imprime", "body": "Revise el papel.",
                    "category": "impresora", "published": true}),
        )
        .await
        .expect(StatusCode::CREATED, "an article");
    let feedback = format!("/api/v1/support/articles/{}/feedback", article["id"].as_str().unwrap_or_default());

    // At a: one problem solved by the article, one help session that ended in a ticket (the
    // ticket is named, so it is counted once), and one ticket straight from the console.
    let solved = session(cashier_a.clone()).await;
    app.post(&feedback, Some(&cashier_a), &json!({"solved": true, "help_session_id": solved}))
        .await
        .expect(StatusCode::CREATED, "solved");
    let ticketed = session(cashier_a.clone()).await;
    let after_help = ticket(cashier_a.clone(), a.location_id.clone()).await;
    app.post(
        &format!("/api/v1/support/help-sessions/{ticketed}/end"),
        Some(&cashier_a),
        &json!({"outcome": "ticket", "ticket_id": after_help}),
    )
    .await
    .expect(StatusCode::OK, "ended in a ticket");
    ticket(cashier_a.clone(), a.location_id.clone()).await;
    // A phone ticket an agent takes is not a problem the knowledge base was offered for.
    ticket(agent.clone(), a.location_id.clone()).await;
    // At b: one ticket without help.
    ticket(cashier_b.clone(), b.location_id.clone()).await;

    let desk = app.get("/api/v1/support/articles/deflection", Some(&agent)).await.expect(StatusCode::OK, "desk");
    assert_eq!(
        (&desk["suggested"], &desk["solved_without_ticket"], &desk["tickets_opened"]),
        (&json!(2), &json!(1), &json!(1))
    );
    assert_eq!(desk["share_solved_bps"], 5000, "the old share is kept as it was: {desk}");
    assert_eq!(
        (&desk["tickets_without_help"], &desk["problems_raised"], &desk["share_of_problems_bps"]),
        (&json!(2), &json!(4), &json!(2500)),
        "1 solved of 2 sessions + 2 tickets without help: {desk}"
    );
    let mine = app.get("/api/v1/support/articles/deflection", Some(&manager_a)).await.expect(StatusCode::OK, "mine");
    assert_eq!(
        (&mine["tickets_without_help"], &mine["problems_raised"], &mine["share_of_problems_bps"]),
        (&json!(1), &json!(3), &json!(3333)),
        "{mine}"
    );

    // The report counts the same, in its scope.
    let report = app.get("/api/v1/support/reports", Some(&agent)).await.expect(StatusCode::OK, "the report");
    let problems = &report["problems"];
    assert_eq!(
        (&problems["help_sessions"], &problems["solved_by_article"], &problems["tickets_without_help"]),
        (&json!(2), &json!(1), &json!(2)),
        "{report}"
    );
    assert_eq!((&problems["problems_raised"], &problems["solved_share_bps"]), (&json!(4), &json!(2500)));
    let at_b = format!("/api/v1/support/reports?location_id={}", b.location_id);
    let at_b = app.get(&at_b, Some(&agent)).await.expect(StatusCode::OK, "store b");
    assert_eq!((&at_b["problems"]["problems_raised"], &at_b["problems"]["solved_share_bps"]), (&json!(1), &json!(0)));
    let mut browser = crate::console_pages::Browser::new(&app);
    browser.sign_in(common::ADMIN_EMAIL, common::ADMIN_PASSWORD).await;
    let page = browser.get("/support/reports").await;
    assert!(page.body.contains("data-testid=\"support-problems-share\">25,0 %<"), "{}", page.body);
    app.stop().await;
}
