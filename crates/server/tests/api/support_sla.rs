//! SLAs in store time over HTTP (issue 18 point 3): agents edit the platform's and a merchant's
//! SLA policy (others 403), mark special days (one per scope and date), and anyone who may see a
//! location reads its calendar with why each day has its hours (another merchant's is 404).
//! Bad input is a 4xx problem naming its fields.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Body, Fixture, Resp, TestApp, assert_validation_problem, qs};

async fn agent_token(app: &TestApp) -> String {
    app.post(
        "/api/v1/users",
        Some(&app.admin_token().await),
        &json!({"email": "agente@soporte.test", "password": "agent-password-1", "role": "support_agent"}),
    )
    .await
    .expect(StatusCode::CREATED, "create a support agent");
    app.login("agente@soporte.test", "agent-password-1").await
}

async fn put_policy(app: &TestApp, token: &str, body: Value) -> Resp {
    app.send(Method::PUT, "/api/v1/support/sla-policies", Some(token), Body::Json(body), &[]).await
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"].as_array().map_or_else(Vec::new, |errors| {
        errors.iter().map(|e| e["field"].as_str().unwrap_or_default().to_owned()).collect()
    })
}

fn targets_of(policy: &Value, priority: &str, category: &str) -> (i64, i64) {
    let row = policy["effective"]
        .as_array()
        .and_then(|rows| rows.iter().find(|row| row["priority"] == priority && row["category"] == category))
        .unwrap_or_else(|| panic!("no {priority}/{category} in {policy}"));
    (
        row["targets"]["first_response_minutes"].as_i64().unwrap_or(-1),
        row["special_day_targets"]["first_response_minutes"].as_i64().unwrap_or(-1),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_edit_the_platform_and_a_merchants_sla_policy() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let agent = agent_token(&app).await;
    let manager = m.manager.token(&app).await;

    let builtin = app.get("/api/v1/support/sla-policies", Some(&agent)).await.expect(StatusCode::OK, "the default");
    assert_eq!(builtin["rules"], json!([]));
    assert_eq!(targets_of(&builtin, "urgent", "pagos"), (15, 7), "built-in: halved on special days");

    let platform = json!({"rules": [{"priority": "normal", "first_response_minutes": 60, "resolution_minutes": 600}]});
    let saved = put_policy(&app, &agent, platform).await.expect(StatusCode::OK, "the platform's policy");
    assert_eq!(targets_of(&saved, "normal", "stock"), (60, 60));

    let own = json!({"merchant_id": m.id, "rules": [{"priority": "normal", "category": "pagos",
        "first_response_minutes": 20, "resolution_minutes": 200,
        "special_day_first_response_minutes": 10, "special_day_resolution_minutes": 100}]});
    put_policy(&app, &agent, own).await.expect(StatusCode::OK, "the merchant's policy");
    let path = format!("/api/v1/support/sla-policies?{}", qs(&[("merchant_id", &m.id)]));
    let merchants = app.get(&path, Some(&agent)).await.expect(StatusCode::OK, "the merchant's policy");
    assert_eq!(
        (merchants["rules"].as_array().map(Vec::len), merchants["platform_rules"].as_array().map(Vec::len)),
        (Some(1), Some(1))
    );
    assert_eq!(targets_of(&merchants, "normal", "pagos"), (20, 10));
    assert_eq!(targets_of(&merchants, "normal", "stock"), (60, 60));

    // Refusals: a manager, an unknown merchant, rules that make no sense, JSON that is not one.
    let forbidden = put_policy(&app, &manager, json!({"rules": []})).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN, "{:?}", forbidden.body);
    assert_eq!(app.get(&path, Some(&manager)).await.status, StatusCode::FORBIDDEN);
    let unknown = put_policy(&app, &agent, json!({"merchant_id": "mer_nobody", "rules": []})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{:?}", unknown.body);
    let bad = put_policy(&app, &agent, json!({"rules": [
        {"priority": "critical", "first_response_minutes": 10, "resolution_minutes": 100},
        {"priority": "low", "category": "nada", "first_response_minutes": 50, "resolution_minutes": 10},
        {"priority": "high", "first_response_minutes": 10, "resolution_minutes": 100, "special_day_first_response_minutes": 5}
    ]})).await;
    assert_validation_problem(&bad, "bad rules");
    assert_eq!(
        fields(&bad.body),
        [
            "rules[0].priority",
            "rules[1].category",
            "rules[1].first_response_minutes",
            "rules[2].special_day_resolution_minutes"
        ]
    );
    let malformed = app
        .send(Method::PUT, "/api/v1/support/sla-policies", Some(&agent), Body::Raw(b"{\"rules\": 3".to_vec()), &[])
        .await;
    assert!(malformed.status.is_client_error(), "{:?}", malformed.status);
    let again = app.get("/api/v1/support/sla-policies", Some(&agent)).await.expect(StatusCode::OK, "unchanged");
    assert_eq!(targets_of(&again, "normal", "stock"), (60, 60), "nothing half-applied");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn special_days_shape_a_locations_calendar() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (m, other) = (fx.m(0), fx.m(1));
    let agent = agent_token(&app).await;
    let manager = m.manager.token(&app).await;
    let day = json!([["10:00", "21:00"]]);
    let week = json!({"1": day, "2": day, "3": day, "4": day, "5": day, "6": day, "7": day});
    app.send(
        Method::PATCH,
        &format!("/api/v1/locations/{}", m.location_id),
        Some(&manager),
        Body::Json(json!({"opening_hours": week})),
        &[],
    )
    .await
    .expect(StatusCode::OK, "weekly hours");

    let nochebuena = json!({"merchant_id": m.id, "date": "2026-12-24", "name": "Nochebuena",
        "hours": [["10:00", "18:00"]], "tighter_targets": true});
    let created = app
        .post("/api/v1/support/special-days", Some(&agent), &nochebuena)
        .await
        .expect(StatusCode::CREATED, "a special day");
    assert_eq!(
        (created["hours"].clone(), created["tighter_targets"].clone()),
        (json!([["10:00", "18:00"]]), json!(true))
    );
    let twice = app.post("/api/v1/support/special-days", Some(&agent), &nochebuena).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{:?}", twice.body);
    let by_manager = app.post("/api/v1/support/special-days", Some(&manager), &nochebuena).await;
    assert_eq!(by_manager.status, StatusCode::FORBIDDEN);
    let bad = app
        .post(
            "/api/v1/support/special-days",
            Some(&agent),
            &json!({"date": "2026-02-30", "name": "", "hours": [["18:00", "10:00"]]}),
        )
        .await;
    assert_validation_problem(&bad, "a bad special day");
    assert_eq!(fields(&bad.body), ["date", "name", "hours"]);
    let listed = app
        .get("/api/v1/support/special-days?from=2026-12-01&to=2026-12-31", Some(&agent))
        .await
        .expect(StatusCode::OK, "listed");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));

    // Monday 7 December: weekly hours; Tuesday 8: Inmaculada Concepción, closed.
    let calendar = |location: &str, date: &str, days: &str| {
        format!("/api/v1/support/calendar?{}", qs(&[("location_id", location), ("date", date), ("days", days)]))
    };
    let week_view = app
        .get(&calendar(&m.location_id, "2026-12-07", "3"), Some(&manager))
        .await
        .expect(StatusCode::OK, "the calendar");
    assert_eq!((week_view["timezone"].as_str(), week_view["country"].as_str()), (Some("America/Santiago"), Some("CL")));
    let reasons: Vec<&str> = week_view["days"]
        .as_array()
        .map(|days| days.iter().filter_map(|d| d["reason"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(reasons, ["weekly", "holiday", "weekly"]);
    assert_eq!(week_view["days"][1]["holiday"], "Inmaculada Concepción");
    assert_eq!(week_view["days"][1]["hours"], json!([]));
    assert_eq!(week_view["days"][0]["open_minutes"], 660);
    let christmas =
        app.get(&calendar(&m.location_id, "2026-12-24", "2"), Some(&agent)).await.expect(StatusCode::OK, "Nochebuena");
    assert_eq!(christmas["days"][0]["reason"], "special_day");
    assert_eq!(christmas["days"][0]["special_day"], "Nochebuena");
    assert_eq!(christmas["days"][0]["tighter_targets"], true);
    assert_eq!(christmas["days"][1]["reason"], "holiday");
    // The other merchant has no hours and no special day: open around the clock.
    let around =
        app.get(&calendar(&other.location_id, "2026-12-24", "1"), Some(&agent)).await.expect(StatusCode::OK, "24x7");
    assert_eq!(
        (around["days"][0]["reason"].as_str(), around["days"][0]["open_minutes"].as_i64()),
        (Some("always_open"), Some(1440))
    );
    let hidden = app.get(&calendar(&other.location_id, "2026-12-24", "1"), Some(&manager)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "another merchant's location");
    let bad_query = app.get(&calendar(&m.location_id, "2026-13-01", "0"), Some(&manager)).await;
    assert!(bad_query.status.is_client_error(), "{:?}", bad_query.status);

    let id = created["id"].as_str().unwrap_or_default();
    let path = format!("/api/v1/support/special-days/{id}");
    let gone = app.send(Method::DELETE, &path, Some(&agent), Body::None, &[]).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let again = app.send(Method::DELETE, &path, Some(&agent), Body::None, &[]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

/// The SLA watcher on a manual clock: a normal ticket (120 business minutes to the first
/// response on a store open around the clock) is warned once at 96 minutes and breached once at
/// 120, read straight from the outbox of the test's database (SQLite or PostgreSQL).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_watcher_warns_then_breaches_once_as_the_clock_moves() {
    use std::sync::Arc;
    use std::time::Duration;

    use omnicanal_app::ManualClock;
    use omnicanal_domain::events::EventType;
    use omnicanal_store::EventStore;

    // Monday 7 December 2026, 12:00 in Santiago (no holiday).
    let noon_ms = 1_796_655_600_000;
    let clock = Arc::new(ManualClock::starting_at(noon_ms));
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let staff = fx.m(0).staff.token(&app).await;
    app.post(
        "/api/v1/support/tickets",
        Some(&staff),
        &json!({"location_id": fx.m(0).location_id, "subject": "La impresora no imprime", "description": "Sin papel"}),
    )
    .await
    .expect(StatusCode::CREATED, "a ticket");
    let store = omnicanal_store::connect(app.database_url()).await.expect("the test's database");
    let alerts = || async {
        let rows = store.outbox_after(0, 10_000).await.expect("outbox");
        rows.iter()
            .filter(|row| matches!(row.event_type, EventType::SupportSlaWarning | EventType::SupportSlaBreached))
            .map(|row| row.event_type)
            .collect::<Vec<_>>()
    };
    let wait_for = |count: usize| async move {
        for _ in 0..100 {
            if alerts().await.len() >= count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    clock.set(noon_ms + 95 * 60_000);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(alerts().await, [], "under 80 %");
    clock.set(noon_ms + 97 * 60_000);
    wait_for(1).await;
    clock.set(noon_ms + 121 * 60_000);
    wait_for(2).await;
    clock.set(noon_ms + 122 * 60_000);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(alerts().await, [EventType::SupportSlaWarning, EventType::SupportSlaBreached]);
    app.stop().await;
}
