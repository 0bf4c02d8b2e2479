//! A service's buffer before (issue 19 point 1) and walk-ins outside the hours, over HTTP on
//! both databases: a service created and edited with `buffer_before_minutes` (bad values 422
//! naming it, another merchant's service 404); the preparation claimed like the service's own
//! time — a booking ending inside it refused (409), one ending as it starts accepted, and of
//! racing bookings that overlap only through it exactly one made — while the booking's own
//! `start_at`/`end_at` stay the service's time; the first slot leaves room for the preparation
//! inside the opening hours (a start whose preparation falls before opening is 422); and
//! walk-ins seated before the place opens and on a stylist's day off, on purpose.
//!
//! The clock is Tuesday 2026-12-08 08:00 in Santiago (UTC−3); the locations open every day
//! 12:00–23:00.

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::bookings::{
    WEDNESDAY, assert_field, book, local_times, open_noon_to_eleven, resource, slots, spawn_on_tuesday_morning,
};
use crate::common::fixture::id_of;
use crate::common::{Body, Fixture, Resp, TestApp, assert_problem, assert_validation_problem};

async fn service(app: &TestApp, token: &str, body: Value) -> Value {
    app.post("/api/v1/services", Some(token), &body).await.expect(StatusCode::CREATED, "a service")
}

async fn patch_service(app: &TestApp, token: &str, id: &str, body: Value) -> Resp {
    app.send(Method::PATCH, &format!("/api/v1/services/{id}"), Some(token), Body::Json(body), &[]).await
}

/// Local start times (HH:MM, Santiago in December) of Wednesday's slots for a service, each once.
async fn slot_times(app: &TestApp, location_id: &str, service_id: &str) -> Vec<String> {
    let mut times =
        local_times(&slots(app, location_id, &[("date", WEDNESDAY), ("service_id", service_id)]).await, None);
    times.dedup();
    times
}

/// An appointment on Wednesday at `local_time` (HH:MM in Santiago).
fn appointment(location_id: &str, local_time: &str, service_id: &str) -> Value {
    crate::common::bookings::appointment(location_id, &format!("{WEDNESDAY}T{local_time}:00-03:00"), service_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_buffer_before_is_claimed_inside_the_hours_and_the_booking_keeps_its_time() {
    let (app, _clock) = spawn_on_tuesday_morning().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let (salon, other) = (fx.m(0), fx.m(1));
    let manager = salon.manager.token(&app).await;
    let location = salon.location_id.as_str();
    resource(&app, &manager, location, json!({"kind": "staff", "name": "Ana"})).await;

    let bad = app
        .post(
            "/api/v1/services",
            Some(&manager),
            &json!({"merchant_id": salon.id, "name": "Color", "duration_minutes": 60, "buffer_before_minutes": -1}),
        )
        .await;
    assert_field(&bad, "buffer_before_minutes", "a negative buffer before");
    let color = service(
        &app,
        &manager,
        json!({"merchant_id": salon.id, "name": "Color", "duration_minutes": 60, "buffer_before_minutes": 30}),
    )
    .await;
    assert_eq!((color["buffer_before_minutes"].as_i64(), color["buffer_minutes"].as_i64()), (Some(30), Some(0)));
    let color_id = id_of(&color, "color");
    let cut = service(&app, &manager, json!({"merchant_id": salon.id, "name": "Corte", "duration_minutes": 45})).await;
    assert_eq!(cut["buffer_before_minutes"], 0, "none unless asked: {cut}");
    let cut_id = id_of(&cut, "cut");

    // The salon opens at 12:00: the colour's first start leaves its 30 minutes of preparation
    // inside the hours; a start whose preparation would begin before opening is refused.
    let first = slot_times(&app, location, &color_id).await;
    assert_eq!(first.first().map(String::as_str), Some("12:30"), "{first:?}");
    assert_field(&book(&app, &appointment(location, "12:00", &color_id)).await, "start_at", "preparation before 12:00");

    // Of ten racing bookings that overlap only through the preparation, one is made.
    let racing: Vec<Value> = (0..10)
        .map(|n| {
            if n % 2 == 0 { appointment(location, "14:00", &color_id) } else { appointment(location, "13:15", &cut_id) }
        })
        .collect();
    let answers = join_all(racing.iter().map(|body| book(&app, body))).await;
    let made: Vec<&Resp> = answers.iter().filter(|answer| answer.status == StatusCode::CREATED).collect();
    assert_eq!(made.len(), 1, "exactly one: {:?}", answers.iter().map(|a| a.status).collect::<Vec<_>>());
    assert!(answers.iter().all(|answer| matches!(answer.status, StatusCode::CREATED | StatusCode::CONFLICT)));
    // Start over from a known state: cancel the winner through its manage link.
    let winner = made[0];
    let cancel = format!(
        "/api/v1/bookings/{}/cancel?token={}",
        winner.body["id"].as_str().unwrap_or_default(),
        winner.body["manage_token"].as_str().unwrap_or_default()
    );
    let cancelled = app.post(&cancel, None, &json!({})).await;
    assert!(cancelled.status.is_success(), "cancelled: {} {}", cancelled.status, cancelled.body);

    // The colour at 14:00 holds 13:30–15:00 but is booked 14:00–15:00.
    let booked = book(&app, &appointment(location, "14:00", &color_id)).await.expect(StatusCode::CREATED, "the colour");
    assert_eq!(booked["start_at"], "2026-12-09T17:00:00.000Z", "{booked}");
    assert_eq!(booked["end_at"], "2026-12-09T18:00:00.000Z", "the service's time, preparation not included");
    let inside = book(&app, &appointment(location, "13:15", &cut_id)).await;
    assert_problem(&inside, StatusCode::CONFLICT, "a cut ending 14:00 runs into the 13:30 preparation");
    book(&app, &appointment(location, "12:45", &cut_id)).await.expect(StatusCode::CREATED, "a cut ending at 13:30");
    let cut_times = slot_times(&app, location, &cut_id).await;
    for taken in ["12:45", "13:00", "13:15", "13:30", "14:00", "14:45"] {
        assert!(!cut_times.iter().any(|at| at == taken), "{taken} is held: {cut_times:?}");
    }
    assert!(cut_times.iter().any(|at| at == "15:00"), "free again when the colour ends: {cut_times:?}");
    // Another colour cannot start at 15:00: its preparation would run into the first colour.
    let colour_times = slot_times(&app, location, &color_id).await;
    assert_eq!(colour_times.first().map(String::as_str), Some("15:30"), "{colour_times:?}");

    // Editing the service: bad values name their field; another merchant's is 404; an empty
    // edit is refused; without preparation the colour may follow another at once.
    let too_long = patch_service(&app, &manager, &color_id, json!({"buffer_before_minutes": 300})).await;
    assert_field(&too_long, "buffer_before_minutes", "more than 240 minutes");
    assert_validation_problem(&patch_service(&app, &manager, &color_id, json!({})).await, "nothing to change");
    let theirs = other.manager.token(&app).await;
    let stolen = patch_service(&app, &theirs, &color_id, json!({"buffer_before_minutes": 0})).await;
    assert_problem(&stolen, StatusCode::NOT_FOUND, "another merchant's service");
    let path = format!("/api/v1/services/{color_id}");
    let anonymous = app.send(Method::PATCH, &path, None, Body::Json(json!({"buffer_before_minutes": 0})), &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let edited =
        patch_service(&app, &manager, &color_id, json!({"buffer_before_minutes": 0, "name": "Color y brillo"}))
            .await
            .expect(StatusCode::OK, "edited");
    assert_eq!((edited["buffer_before_minutes"].as_i64(), edited["name"].as_str()), (Some(0), Some("Color y brillo")));
    assert_eq!(edited["duration_minutes"], 60, "what was not sent is kept: {edited}");
    let read = app.get(&format!("/api/v1/services/{color_id}"), None).await.expect(StatusCode::OK, "read");
    assert_eq!(read["buffer_before_minutes"], 0, "{read}");
    // Without preparation a colour fits right after the first one; the bookings already made
    // keep what they claimed (13:30–14:00 is still held).
    let now_first = slot_times(&app, location, &color_id).await;
    assert_eq!(now_first.first().map(String::as_str), Some("15:00"), "{now_first:?}");
    let keeps = book(&app, &appointment(location, "13:15", &cut_id)).await;
    assert_problem(&keeps, StatusCode::CONFLICT, "the first colour keeps its preparation");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn walk_ins_skip_the_opening_hours_and_the_working_week_on_purpose() {
    let (app, _clock) = spawn_on_tuesday_morning().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let place = fx.m(0);
    let manager = place.manager.token(&app).await;
    let staff = place.staff.token(&app).await;
    let location = place.location_id.as_str();
    resource(&app, &manager, location, json!({"kind": "table", "name": "Mesa 1", "seats_max": 4})).await;
    let ana = resource(&app, &manager, location, json!({"kind": "staff", "name": "Ana"})).await;
    // Ana works Wednesdays only; today is Tuesday, 08:00, four hours before opening.
    let week = json!({"working_hours": {"3": [["12:00", "20:00"]]}});
    app.send(Method::PUT, &format!("/api/v1/resources/{ana}/details"), Some(&manager), Body::Json(week), &[])
        .await
        .expect(StatusCode::OK, "Ana's week");
    let cut = service(&app, &manager, json!({"merchant_id": place.id, "name": "Corte", "duration_minutes": 45})).await;
    let cut_id = id_of(&cut, "cut");
    let color = service(
        &app,
        &manager,
        json!({"merchant_id": place.id, "name": "Color", "duration_minutes": 60, "buffer_before_minutes": 30}),
    )
    .await;
    let color_id = id_of(&color, "color");

    // A customer booking ahead cannot have 08:00 — the place is closed and Ana is off …
    let ahead = json!({"location_id": location, "start_at": "2026-12-08T12:00:00-03:00", "service_id": cut_id,
                       "customer": {"name": "Javiera", "phone": "+56 9 8765 4321"}});
    assert_field(&book(&app, &ahead).await, "start_at", "Ana does not work on Tuesdays");

    // … but the people standing at the counter now are seated: a walk-in is "now, whatever is free".
    let walk_ins = format!("/api/v1/locations/{location}/walk-ins");
    let table =
        app.post(&walk_ins, Some(&staff), &json!({"party_size": 2})).await.expect(StatusCode::CREATED, "a table");
    assert_eq!(
        (table["status"].as_str(), table["start_at"].as_str()),
        (Some("seated"), Some("2026-12-08T11:00:00.000Z"))
    );
    let haircut = app.post(&walk_ins, Some(&staff), &json!({"service_id": cut_id})).await;
    let haircut = haircut.expect(StatusCode::CREATED, "a cut with Ana on her day off");
    assert_eq!(haircut["resource_id"], ana.as_str());
    // Only another booking's claim refuses a walk-in: Ana is busy until 08:45.
    let busy = app.post(&walk_ins, Some(&staff), &json!({"service_id": color_id})).await;
    assert_problem(&busy, StatusCode::CONFLICT, "Ana is cutting");
    app.stop().await;
}
