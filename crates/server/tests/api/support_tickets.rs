//! The support desk's tickets over HTTP (issue 18 point 1): a store asks for help with what
//! its till knew, the desk answers and notes, the clock pauses while the desk waits on the
//! store, and nobody sees another merchant's tickets.

use std::sync::Arc;
use std::time::Duration;

use crate::common;

use common::{Body, Fixture, TestApp, assert_validation_problem};
use omnicanal_app::ManualClock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// 2026-12-08T15:00:00Z, a Tuesday afternoon in Santiago.
const TUESDAY_NOON_MS: i64 = 1_796_742_000_000;

async fn agent_token(app: &TestApp) -> String {
    let admin = app.admin_token().await;
    let body = json!({"email": "agente@soporte.test", "password": "agent-password-1", "role": "support_agent"});
    app.post("/api/v1/users", Some(&admin), &body).await.expect(StatusCode::CREATED, "a support agent");
    app.login("agente@soporte.test", "agent-password-1").await
}

fn ms(rfc3339: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339.as_str().unwrap_or_default())
        .map(|at| at.timestamp_millis())
        .unwrap_or_else(|_| panic!("not a time: {rfc3339}"))
}

async fn merge(app: &TestApp, from: &str, into: &str, token: &str) -> common::Resp {
    app.post(&format!("/api/v1/support/tickets/{from}/merge"), Some(token), &json!({"into_id": into})).await
}

async fn patch(app: &TestApp, path: &str, token: &str, body: Value) -> common::Resp {
    app.send(Method::PATCH, path, Some(token), Body::Json(body), &[]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_store_asks_for_help_with_its_context_and_the_desk_answers_without_showing_its_notes() {
    let clock = Arc::new(ManualClock::starting_at(TUESDAY_NOON_MS));
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::builder().merchants(2).stock(0).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let staff = burger.staff.token(&app).await;
    let other_staff = sushi.staff.token(&app).await;
    let agent = agent_token(&app).await;

    let context = json!({
        "device": {"name": "Caja 1"}, "connectivity": "online", "unsent_sales": 0,
        "last_printer_error": {"message": "sin papel", "at": "2026-12-08T14:58:00Z"},
        "last_decline": {"code": "05", "message": "Transacción negada"},
    });
    let opened = app
        .post(
            "/api/v1/support/tickets",
            Some(&staff),
            &json!({"location_id": burger.location_id, "subject": "La impresora no imprime",
                    "description": "Hay cola y no sale la boleta", "category": "impresora", "context": context,
                    "source": "till"}),
        )
        .await
        .expect(StatusCode::CREATED, "staff open a ticket from the till");
    for field in ["id", "number", "status", "priority", "first_response_due_at", "resolution_due_at"] {
        assert!(!opened[field].is_null(), "{field} in {opened}");
    }
    assert_eq!(opened["status"], "new");
    assert_eq!(opened["priority"], "normal");
    assert_eq!(opened["context"]["last_decline"]["code"], "05", "the till's context is kept: {opened}");
    let id = opened["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/support/tickets/{id}");
    assert!(ms(&opened["first_response_due_at"]) > TUESDAY_NOON_MS);
    assert!(ms(&opened["resolution_due_at"]) >= ms(&opened["first_response_due_at"]));

    // Who sees it: the desk and the store; another merchant's staff are told it does not exist.
    let listed = app.get("/api/v1/support/tickets", Some(&agent)).await.expect(StatusCode::OK, "the desk's list");
    assert!(listed.as_array().is_some_and(|tickets| tickets.iter().any(|t| t["id"] == id.as_str())), "{listed}");
    let theirs = app.get("/api/v1/support/tickets", Some(&other_staff)).await.expect(StatusCode::OK, "sushi's list");
    assert_eq!(theirs, json!([]), "another store sees none of burger's tickets");
    app.get(&path, Some(&other_staff)).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's ticket");
    app.post(&format!("{path}/messages"), Some(&other_staff), &json!({"body": "hola"}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "writing on another merchant's ticket");
    let filtered = app.get(&format!("/api/v1/support/tickets?location_id={}", sushi.location_id), Some(&staff)).await;
    filtered.expect_problem(StatusCode::NOT_FOUND, "staff naming another store");

    // The desk notes internally, then answers and waits on the store: the clock pauses.
    clock.advance(Duration::from_secs(10 * 60));
    app.post(&format!("{path}/messages"), Some(&agent), &json!({"body": "Parece el rollo", "internal": true}))
        .await
        .expect(StatusCode::CREATED, "an internal note");
    let answer = app
        .post(
            &format!("{path}/messages"),
            Some(&agent),
            &json!({"body": "Revise el papel y reinicie la impresora", "status": "waiting_on_store"}),
        )
        .await
        .expect(StatusCode::CREATED, "the desk answers");
    assert_eq!(answer["internal"], false);
    let seen_by_store = app.get(&path, Some(&staff)).await.expect(StatusCode::OK, "the store reads its ticket");
    let bodies: Vec<&str> =
        seen_by_store["messages"].as_array().into_iter().flatten().filter_map(|m| m["body"].as_str()).collect();
    assert_eq!(bodies, ["Revise el papel y reinicie la impresora"], "the store never sees the note");
    assert_eq!(seen_by_store["status"], "waiting_on_store");
    assert_eq!(seen_by_store["sla_paused"], true);
    assert!(!seen_by_store["first_responded_at"].is_null(), "the first answer is recorded");
    let seen_by_desk = app.get(&path, Some(&agent)).await.expect(StatusCode::OK, "the desk reads it");
    assert_eq!(seen_by_desk["messages"].as_array().map(Vec::len), Some(2), "the desk sees its note too");

    // An hour waiting on the store does not age the ticket.
    let due_before = ms(&seen_by_store["resolution_due_at"]);
    clock.advance(Duration::from_secs(60 * 60));
    app.post(&format!("{path}/messages"), Some(&staff), &json!({"body": "Sigue sin imprimir"}))
        .await
        .expect(StatusCode::CREATED, "the store answers");
    let resumed = app.get(&path, Some(&agent)).await.expect(StatusCode::OK, "after the store's answer");
    assert_eq!(resumed["status"], "open", "the store's answer reopens it");
    assert_eq!(resumed["sla_paused"], false);
    assert_eq!(ms(&resumed["resolution_due_at"]) - due_before, 60 * 60 * 1000, "pushed by the pause");

    // Staff may mark it solved but not reprioritise it; the desk may.
    patch(&app, &path, &staff, json!({"priority": "urgent"})).await.expect_problem(StatusCode::FORBIDDEN, "staff");
    let urgent = patch(&app, &path, &agent, json!({"priority": "urgent"})).await.expect(StatusCode::OK, "urgent");
    assert!(ms(&urgent["resolution_due_at"]) < ms(&resumed["resolution_due_at"]), "urgent is due sooner");
    let solved = patch(&app, &path, &staff, json!({"status": "resolved"})).await.expect(StatusCode::OK, "solved");
    assert_eq!(solved["status"], "resolved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queues_merges_and_bad_input() {
    let clock = Arc::new(ManualClock::starting_at(TUESDAY_NOON_MS));
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::builder().merchants(2).stock(0).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let staff = burger.staff.token(&app).await;
    let manager = burger.manager.token(&app).await;
    let agent = agent_token(&app).await;

    let bad = app
        .post(
            "/api/v1/support/tickets",
            Some(&staff),
            &json!({"location_id": burger.location_id, "subject": " ", "category": "toaster",
                    "priority": "critical", "context": [1, 2]}),
        )
        .await;
    assert_validation_problem(&bad, "every bad field at once");
    let fields: Vec<&str> =
        bad.body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    for field in ["subject", "category", "priority", "context"] {
        assert!(fields.contains(&field), "{field} in {}", bad.body);
    }
    let elsewhere = app
        .post("/api/v1/support/tickets", Some(&staff), &json!({"location_id": sushi.location_id, "subject": "x"}))
        .await;
    assert_validation_problem(&elsewhere, "staff may not open a ticket for another merchant's store");
    let none = app.get("/api/v1/support/tickets", Some(&agent)).await.expect(StatusCode::OK, "empty desk");
    assert_eq!(none, json!([]));

    let open = |subject: &'static str, token: String| {
        let app = &app;
        let location = burger.location_id.clone();
        async move {
            app.post("/api/v1/support/tickets", Some(&token), &json!({"location_id": location, "subject": subject}))
                .await
                .expect(StatusCode::CREATED, subject)
        }
    };
    let first = open("La promoción no aplica a la falda", staff.clone()).await;
    let duplicate = open("Promo de la falda", manager.clone()).await;
    let phoned = open("Llamada: terminal dice transacción negada", agent.clone()).await;
    assert_eq!(phoned["source"], "phone", "an agent's ticket is a phone call");
    assert_eq!(first["source"], "console");

    let search = app.get("/api/v1/support/tickets?q=falda", Some(&agent)).await;
    assert_eq!(search.headers.get("x-total-count").and_then(|v| v.to_str().ok()), Some("2"), "{}", search.body);
    let number = first["number"].as_i64().unwrap_or_default();
    let by_number = app.get(&format!("/api/v1/support/tickets?q=%23{number}"), Some(&agent)).await;
    assert_eq!(by_number.body.as_array().map(Vec::len), Some(1), "by its number: {}", by_number.body);
    let mine = app.get("/api/v1/support/tickets?queue=mine", Some(&agent)).await.expect(StatusCode::OK, "mine");
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "the agent's phone call is theirs: {mine}");
    let overdue = app.get("/api/v1/support/tickets?queue=overdue", Some(&agent)).await.expect(StatusCode::OK, "ok");
    assert_eq!(overdue, json!([]), "nothing is late yet");
    clock.advance(Duration::from_secs(3 * 60 * 60));
    let overdue = app.get("/api/v1/support/tickets?queue=overdue", Some(&agent)).await.expect(StatusCode::OK, "late");
    assert_eq!(overdue.as_array().map(Vec::len), Some(3), "unanswered after three hours: {overdue}");
    let bad_query = app.get("/api/v1/support/tickets?status=lost&queue=later&limit=0", Some(&agent)).await;
    assert_validation_problem(&bad_query, "bad filters");

    // Merge the duplicate; writing on it afterwards is refused, the note lands on the one kept.
    let (first_id, duplicate_id) =
        (first["id"].as_str().unwrap_or_default(), duplicate["id"].as_str().unwrap_or_default());
    merge(&app, duplicate_id, first_id, &staff).await.expect_problem(StatusCode::FORBIDDEN, "staff may not merge");
    assert_validation_problem(&merge(&app, first_id, first_id, &agent).await, "into itself");
    let merged = merge(&app, duplicate_id, first_id, &agent).await.expect(StatusCode::OK, "merged");
    assert_eq!(merged["status"], "merged");
    assert_eq!(merged["merged_into_id"], first_id);
    app.post(&format!("/api/v1/support/tickets/{duplicate_id}/messages"), Some(&staff), &json!({"body": "¿y?"}))
        .await
        .expect_problem(StatusCode::CONFLICT, "a merged ticket takes no messages");
    let kept = app.get(&format!("/api/v1/support/tickets/{first_id}"), Some(&agent)).await.expect(StatusCode::OK, "");
    assert!(kept["messages"][0]["body"].as_str().is_some_and(|b| b.contains("Promo de la falda")), "{kept}");
    let staff_view =
        app.get(&format!("/api/v1/support/tickets/{first_id}"), Some(&staff)).await.expect(StatusCode::OK, "");
    assert_eq!(staff_view["messages"], json!([]), "the merge note is the desk's own");

    // Bad changes.
    let path = format!("/api/v1/support/tickets/{first_id}");
    assert_validation_problem(&patch(&app, &path, &agent, json!({})).await, "an empty change");
    assert_validation_problem(&patch(&app, &path, &agent, json!({"assignee_id": burger.staff.id})).await, "staff");
    assert_validation_problem(
        &app.post(&format!("{path}/messages"), Some(&staff), &json!({"body": "nota", "internal": true})).await,
        "the store writes no internal notes",
    );
    assert_validation_problem(
        &app.post(&format!("{path}/messages"), Some(&agent), &json!({"body": ""})).await,
        "empty",
    );
    let closed = patch(&app, &path, &agent, json!({"status": "closed"})).await.expect(StatusCode::OK, "closed");
    assert_eq!(closed["status"], "closed");
    assert_validation_problem(&patch(&app, &path, &agent, json!({"status": "open"})).await, "closed is final");
    app.get("/api/v1/support/tickets/tkt_nothing", Some(&agent)).await.expect_problem(StatusCode::NOT_FOUND, "none");
    app.get("/api/v1/support/tickets", None).await.expect_problem(StatusCode::UNAUTHORIZED, "signed out");
}
