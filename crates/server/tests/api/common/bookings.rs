//! The bookings tests' shared setup (issue 19): a server on a manual clock set to Tuesday
//! 2026-12-08 08:00 in Santiago (UTC−3), the fixture's locations opened 12:00–23:00 every day,
//! tables and stylists added, bookings made and read back with their manage token, and slots
//! turned into the local times a test can compare.
//!
//! One module, so that every bookings test file starts from the same place and a change to how a
//! restaurant or a booking is set up is made once. What a single file alone needs (the staff's
//! status moves, the outbox's events, joined tables) stays in that file.

use std::sync::Arc;

use omnicanal_app::ManualClock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::fixture::id_of;
use super::{Body, Fixture, Resp, TestApp, assert_validation_problem, qs};

/// 2026-12-08T11:00:00Z, a Tuesday: 08:00 in Santiago.
pub const TUESDAY_MORNING_MS: i64 = 1_796_727_600_000;
/// The day after, a Wednesday, in Santiago.
pub const WEDNESDAY: &str = "2026-12-09";
/// The customer's phone every booking below is made with.
pub const PHONE: &str = "+56 9 8765 4321";

/// A server on a manual clock set to [`TUESDAY_MORNING_MS`]; the clock is returned so the test
/// can move it.
pub async fn spawn_on_tuesday_morning() -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::starting_at(TUESDAY_MORNING_MS));
    let services = omnicanal_server::Services { clock: clock.clone(), ..Default::default() };
    (TestApp::spawn_with_services(services).await, clock)
}

/// [`spawn_on_tuesday_morning`] with a chosen card provider (one that records what it is asked,
/// say); the clock is returned so the test can move it.
pub async fn spawn_on_tuesday_morning_paying_with(
    payments: Arc<dyn omnicanal_app::payments::PaymentProvider>,
) -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::starting_at(TUESDAY_MORNING_MS));
    let services = omnicanal_server::Services { clock: clock.clone(), payments };
    (TestApp::spawn_with_services(services).await, clock)
}

/// Opens every location of the fixture 12:00–23:00 every day, as each merchant's manager.
pub async fn open_noon_to_eleven(app: &TestApp, fx: &Fixture) {
    let every_day: serde_json::Map<String, Value> =
        (1..=7).map(|day| (day.to_string(), json!([["12:00", "23:00"]]))).collect();
    for merchant in &fx.merchants {
        let manager = merchant.manager.token(app).await;
        let path = format!("/api/v1/locations/{}", merchant.location_id);
        app.send(Method::PATCH, &path, Some(&manager), Body::Json(json!({"opening_hours": every_day})), &[])
            .await
            .expect(StatusCode::OK, "opening hours");
    }
}

/// A `PUT` with a JSON body, as the bookings' settings routes take it.
pub async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> Resp {
    app.send(Method::PUT, path, Some(token), Body::Json(body), &[]).await
}

/// Asks to add a bookable resource (a table or a stylist) to a location; the answer as it came.
pub async fn add_resource(app: &TestApp, token: &str, location_id: &str, body: Value) -> Resp {
    app.post(&format!("/api/v1/locations/{location_id}/resources"), Some(token), &body).await
}

/// Adds a bookable resource to a location and returns its id.
pub async fn resource(app: &TestApp, token: &str, location_id: &str, body: Value) -> String {
    id_of(&add_resource(app, token, location_id, body).await.expect(StatusCode::CREATED, "a resource"), "resource")
}

/// Adds a table seating one to four and returns its id.
pub async fn table(app: &TestApp, token: &str, location_id: &str, name: &str) -> String {
    let body = json!({"kind": "table", "name": name, "seats_min": 1, "seats_max": 4});
    id_of(&add_resource(app, token, location_id, body).await.expect(StatusCode::CREATED, "a table"), "table")
}

/// Adds a table seating `seats.0` to `seats.1`, checks the answer describes it, returns its id.
pub async fn table_seating(app: &TestApp, token: &str, location_id: &str, name: &str, seats: (i64, i64)) -> String {
    let body = json!({"kind": "table", "name": name, "seats_min": seats.0, "seats_max": seats.1});
    let created = add_resource(app, token, location_id, body).await.expect(StatusCode::CREATED, "a table");
    assert_eq!(created["kind"], "table", "{created}");
    assert_eq!((created["seats_min"].as_i64(), created["seats_max"].as_i64()), (Some(seats.0), Some(seats.1)));
    id_of(&created, "table")
}

/// A location's free slots for the query `params` (`date` with `party_size` or `service_id`).
pub async fn slots(app: &TestApp, location_id: &str, params: &[(&str, &str)]) -> Vec<Value> {
    let path = format!("/api/v1/locations/{location_id}/availability?{}", qs(params));
    app.get(&path, None).await.expect(StatusCode::OK, "availability").as_array().cloned().unwrap_or_default()
}

/// The local times (HH:MM, Santiago in December) the slots start at, for one resource or all,
/// in the order the API gave them.
pub fn local_times(slots: &[Value], resource_id: Option<&str>) -> Vec<String> {
    slots
        .iter()
        .filter(|slot| resource_id.is_none_or(|id| slot["resource_id"] == id))
        .filter_map(|slot| slot["start_at"].as_str())
        .filter_map(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
        .map(|at| (at - chrono::Duration::hours(3)).format("%H:%M").to_string())
        .collect()
}

/// A table booking's body for `party_size` guests, by Camila Rojas with [`PHONE`].
pub fn party(location_id: &str, start_at: &str, party_size: i64) -> Value {
    json!({
        "location_id": location_id,
        "start_at": start_at,
        "party_size": party_size,
        "customer": {"name": "Camila Rojas", "phone": PHONE},
    })
}

/// A booking's body for a couple at one named table.
pub fn party_at_table(location_id: &str, start_at: &str, table_id: &str) -> Value {
    let mut body = party(location_id, start_at, 2);
    body["resource_id"] = json!(table_id);
    body
}

/// An appointment's body for a service, by Javiera with an email.
pub fn appointment(location_id: &str, start_at: &str, service_id: &str) -> Value {
    json!({"location_id": location_id, "start_at": start_at, "service_id": service_id,
           "customer": {"name": "Javiera", "email": "javiera@example.cl"}})
}

/// Asks for a booking, as a customer (no token); the answer as it came.
pub async fn book(app: &TestApp, body: &Value) -> Resp {
    app.post("/api/v1/bookings", None, body).await
}

/// A booking made: its id, its manage token and the whole answer.
pub async fn booked(app: &TestApp, body: &Value, what: &str) -> (String, String, Value) {
    let made = book(app, body).await.expect(StatusCode::CREATED, what);
    let token = made["manage_token"].as_str().unwrap_or_default().to_owned();
    (id_of(&made, "booking"), token, made)
}

/// `path?token=…`, the token escaped.
pub fn with_token(path: &str, token: &str) -> String {
    format!("{path}?{}", qs(&[("token", token)]))
}

/// Asserts a 422 validation problem with an error on `field`.
#[track_caller]
pub fn assert_field(resp: &Resp, field: &str, what: &str) {
    assert_validation_problem(resp, what);
    let errors = resp.body["errors"].as_array().cloned().unwrap_or_default();
    assert!(errors.iter().any(|error| error["field"] == field), "{what}: no error on {field}: {}", resp.body);
}
