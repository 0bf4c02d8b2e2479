//! The customer's booking pages (issue 19 point 5) as the server renders them, on SQLite and
//! PostgreSQL: the food court's page lists only the restaurants with tables, the agenda a
//! merchant's services and its stores with staff (the store's `booking_services_of_merchant`),
//! the manage link opens a booking with its token only, and unknown sites, shops and tokens are
//! the "not found" page. The pages' behaviour is the browser suite's (`bookings-pages.test.mjs`).
//!
//! The pages tell a refusal by its reason, never by the server's English (`booking-refusals.js`);
//! the reasons that share a field are told apart by the stable `code` of the problem's
//! `errors[]` entry, and the second test pins each code against the real API, on both
//! databases, and against the script's table, so a renamed code fails here instead of the pages
//! quietly falling back to their generic text. The messages may be reworded freely.

use chrono::{DurationRound, TimeDelta};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::bookings::{
    TUESDAY_MORNING_MS, appointment, book, booked, open_noon_to_eleven, party, party_at_table, put, resource,
    spawn_on_tuesday_morning, table, with_token,
};
use crate::common::fixture::id_of;
use crate::common::{Fixture, Resp, TestApp, rfc3339_from_now};

/// The script that words the pages' refusals, whose table the API's words must match.
const REFUSALS_JS: &str = include_str!("../../assets/booking-refusals.js");

fn html(body: serde_json::Value) -> String {
    body.as_str().map(str::to_owned).unwrap_or_default()
}

#[tokio::test]
async fn the_booking_pages_show_what_each_place_takes_and_the_manage_link_needs_its_token() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (restaurant, salon) = (fx.m(0), fx.m(1));
    let restaurant_manager = restaurant.manager.token(&app).await;
    let salon_manager = salon.manager.token(&app).await;
    let table = json!({"kind": "table", "name": "Mesa 1", "seats_min": 1, "seats_max": 4});
    app.post(&format!("/api/v1/locations/{}/resources", restaurant.location_id), Some(&restaurant_manager), &table)
        .await
        .expect(StatusCode::CREATED, "a table");
    let stylist = json!({"kind": "staff", "name": "Ana Estilista"});
    app.post(&format!("/api/v1/locations/{}/resources", salon.location_id), Some(&salon_manager), &stylist)
        .await
        .expect(StatusCode::CREATED, "a stylist");
    let service = json!({"merchant_id": salon.id, "name": "Corte de pelo", "duration_minutes": 30,
        "price": {"amount": 12000, "currency": "CLP"}});
    app.post("/api/v1/services", Some(&salon_manager), &service).await.expect(StatusCode::CREATED, "a service");

    let page = html(app.get(&format!("/s/{}/reservar", fx.site_id), None).await.expect(StatusCode::OK, "tables"));
    assert!(page.contains("Reserva una mesa"), "Spanish first");
    assert!(page.contains(&restaurant.location_id), "the restaurant with a table is offered");
    assert!(!page.contains(&salon.location_id), "a place without tables is not");

    let page =
        html(app.get(&format!("/shop/{}/agenda?lang=en", salon.id), None).await.expect(StatusCode::OK, "agenda"));
    assert!(page.contains("Book an appointment") && page.contains("Corte de pelo") && page.contains("$12.000"));
    assert!(page.contains(&salon.location_id) && page.contains("Ana Estilista"));

    // Tomorrow at a quarter hour: inside any window, on the grid.
    let tomorrow = chrono::DateTime::parse_from_rfc3339(&rfc3339_from_now(TimeDelta::days(1))).unwrap_or_default();
    let start = tomorrow.duration_trunc(TimeDelta::minutes(15)).unwrap_or_default();
    let booking = json!({"location_id": restaurant.location_id, "start_at": start.to_rfc3339(), "party_size": 2,
        "customer": {"name": "Camila Rojas", "phone": "+56 9 8765 4321"}});
    let made = app.post("/api/v1/bookings", None, &booking).await.expect(StatusCode::CREATED, "a booking");
    let id = id_of(&made, "booking");
    let token = made["manage_token"].as_str().unwrap_or_default().to_owned();
    let page = html(app.get(&format!("/reservas/{id}?token={token}"), None).await.expect(StatusCode::OK, "manage"));
    assert!(page.contains("Confirmada") && page.contains("Mesa para 2") && page.contains("Camila Rojas"));
    assert!(page.contains("data-testid=\"bk-cancel\""), "a future booking can be cancelled");

    for path in [
        format!("/reservas/{id}?token=not-{token}"),
        format!("/reservas/{id}"),
        "/s/no-such-site/reservar".to_owned(),
        "/shop/no-such-shop/agenda".to_owned(),
    ] {
        let answer = app.get(&path, None).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
    }
}

/// The code of one refusal that `booking-refusals.js` reads: the answer must have `status`
/// (with the problem code that status always has), carry `code` on `field`'s entry of
/// `errors[]`, and the script's table must map that code to `reason`.
#[track_caller]
fn assert_refusal_code(resp: &Resp, status: StatusCode, field: &str, code: &str, reason: &str) {
    assert_eq!(resp.status, status, "{reason}: {}", resp.body);
    let problem_code = if status == StatusCode::CONFLICT { "conflict" } else { "validation_failed" };
    assert_eq!(resp.body["code"], problem_code, "{reason}: {}", resp.body);
    let errors = resp.body["errors"].as_array().cloned().unwrap_or_default();
    let on_field: Vec<&Value> = errors.iter().filter(|error| error["field"] == field).collect();
    assert!(
        on_field.iter().any(|error| error["code"] == code),
        "{reason}: the API no longer refuses {field} with code {code:?}: {}",
        resp.body
    );
    assert!(
        REFUSALS_JS.contains(&format!("    {code}: [\"{reason}\"")),
        "{reason}: booking-refusals.js does not map the code {code:?} to {reason:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_refusal_the_pages_word_carries_the_code_their_script_reads() {
    let (app, clock) = spawn_on_tuesday_morning().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let place = fx.m(0);
    let manager = place.manager.token(&app).await;
    let staff = place.staff.token(&app).await;
    let location = place.location_id.as_str();
    let table_id = table(&app, &manager, location, "Mesa 1").await;

    // A customer's booking, each way it can be refused (clock: Tuesday 08:00).
    let cases = [
        ("2026-12-08T07:00:00-03:00", 2, "start_at", "in_the_past", "past"),
        ("2026-12-08T08:15:00-03:00", 2, "start_at", "too_little_notice", "too_soon"),
        ("2027-03-01T13:00:00-03:00", 2, "start_at", "too_far_ahead", "too_far"),
        ("2026-12-09T20:01:00-03:00", 2, "start_at", "off_grid", "off_grid"),
        ("2026-12-09T09:00:00-03:00", 2, "start_at", "location_closed", "closed"),
        ("2026-09-06T00:30:00-04:00", 2, "start_at", "local_time_skipped", "no_such_time"),
        ("2026-12-10T00:00:00+01:00", 2, "start_at", "wrong_offset", "wrong_offset"),
        ("2026-12-09T20:00:00-03:00", 9, "party_size", "party_too_large", "party_too_large"),
    ];
    for (start_at, party_size, field, code, reason) in cases {
        let refused = book(&app, &party(location, start_at, party_size)).await;
        assert_refusal_code(&refused, StatusCode::UNPROCESSABLE_ENTITY, field, code, reason);
    }
    // The numbers the pages' texts need are still in the messages (the script takes them by
    // their shape: the notice's minutes, the days ahead, the largest table).
    let too_soon = book(&app, &party(location, "2026-12-08T08:15:00-03:00", 2)).await;
    assert!(too_soon.body["errors"][0]["message"].to_string().contains("30"), "{}", too_soon.body);
    let too_large = book(&app, &party(location, "2026-12-09T20:00:00-03:00", 9)).await;
    assert!(too_large.body["errors"][0]["message"].to_string().ends_with(" 4)\""), "{}", too_large.body);
    let (id, token, _) =
        booked(&app, &party_at_table(location, "2026-12-09T20:00:00-03:00", &table_id), "a table").await;
    let taken = book(&app, &party_at_table(location, "2026-12-09T20:00:00-03:00", &table_id)).await;
    assert_refusal_code(&taken, StatusCode::CONFLICT, "start_at", "slot_taken", "taken");
    let stranger = app.get(&format!("/api/v1/bookings/{id}?token=wrong"), None).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND, "not_found: {}", stranger.body);

    // A stylist who does not perform the service.
    let ana = resource(&app, &manager, location, json!({"kind": "staff", "name": "Ana"})).await;
    let bea = resource(&app, &manager, location, json!({"kind": "staff", "name": "Bea"})).await;
    let service = json!({"merchant_id": place.id, "name": "Corte", "duration_minutes": 30});
    let service = app.post("/api/v1/services", Some(&manager), &service).await.expect(StatusCode::CREATED, "a service");
    let service_id = id_of(&service, "service");
    put(&app, &format!("/api/v1/services/{service_id}/performers"), &manager, json!({"resource_ids": [ana]}))
        .await
        .expect(StatusCode::OK, "performers");
    let mut with_bea = appointment(location, "2026-12-09T13:00:00-03:00", &service_id);
    with_bea["resource_id"] = json!(bea);
    let refused = book(&app, &with_bea).await;
    assert_refusal_code(&refused, StatusCode::UNPROCESSABLE_ENTITY, "resource_id", "not_a_performer", "not_performer");

    // The staff's marks: a no-show before the start, then a move the transition table refuses.
    let mark = |staff: String, status: &'static str| {
        let (app, id) = (&app, &id);
        async move { app.post(&format!("/api/v1/bookings/{id}/status"), Some(&staff), &json!({"status": status})).await }
    };
    let early = mark(staff, "no_show").await;
    assert_refusal_code(&early, StatusCode::UNPROCESSABLE_ENTITY, "status", "no_show_too_early", "no_show_too_early");

    // 18:01 on Wednesday: the customer's change window closed at 18:00.
    clock.set(TUESDAY_MORNING_MS + 34 * 3_600_000 + 60_000);
    let reschedule = with_token(&format!("/api/v1/bookings/{id}/reschedule"), &token);
    let late = app.post(&reschedule, None, &json!({"start_at": "2026-12-09T21:00:00-03:00"})).await;
    assert_refusal_code(
        &late,
        StatusCode::UNPROCESSABLE_ENTITY,
        "start_at",
        "change_deadline_passed",
        "deadline_passed",
    );
    assert!(
        late.body.to_string().contains("until 2026-12-09T18:00:00-03:00 ("),
        "the deadline, then a space: {}",
        late.body
    );

    // 20:30: the booking has started; staff can no longer move it; a no-show cannot be seated.
    // The morning's sessions have expired by then: staff and manager sign in again.
    clock.set(TUESDAY_MORNING_MS + 36 * 3_600_000 + 30 * 60_000);
    let manager = app.login(&place.manager.email, &place.manager.password).await;
    let staff = app.login(&place.staff.email, &place.staff.password).await;
    let moved = app
        .post(&format!("/api/v1/bookings/{id}/move"), Some(&manager), &json!({"start_at": "2026-12-09T22:00:00-03:00"}))
        .await;
    assert_refusal_code(&moved, StatusCode::UNPROCESSABLE_ENTITY, "start_at", "already_started", "started");
    mark(staff.clone(), "no_show").await.expect(StatusCode::OK, "a no-show after the start");
    let seated = mark(staff, "seated").await;
    assert_refusal_code(&seated, StatusCode::CONFLICT, "status", "status_conflict", "status");

    // The code is documented on the problem's error entry.
    let doc = app.get("/api/openapi.json", None).await.expect(StatusCode::OK, "the OpenAPI document");
    let entry = &doc["components"]["schemas"]["FieldError"];
    assert_eq!(entry["properties"]["code"]["type"][0], "string", "errors[].code: {entry}");
    assert!(!entry["required"].to_string().contains("\"code\""), "optional: {entry}");
    app.stop().await;
}
