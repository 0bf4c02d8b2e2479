//! Bookings (issue 19) over HTTP, as the contract fixes them: a table booked and cancelled
//! with its manage token, a taken slot answered 409, twenty simultaneous bookings of one table
//! and time giving exactly one booking, each bad request a 422 naming its field, another
//! merchant's location or resource 404, and an appointment that holds its service's buffer.
//!
//! The server runs on a manual clock set to Tuesday 2026-12-08 08:00 in Santiago (UTC−3), and
//! the food court's restaurants open every day 12:00–23:00, so every time below is fixed.

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::bookings::{
    WEDNESDAY, add_resource, appointment, assert_field, book, local_times, open_noon_to_eleven, party, slots,
    spawn_on_tuesday_morning, table_seating,
};
use crate::common::fixture::id_of;
use crate::common::{Fixture, TestApp, assert_problem, qs};

async fn spawn() -> TestApp {
    spawn_on_tuesday_morning().await.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_table_is_booked_taken_once_and_freed_by_its_manage_link() {
    let app = spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let burger = fx.m(0);
    let manager = burger.manager.token(&app).await;
    let table_id = table_seating(&app, &manager, &burger.location_id, "Mesa 4", (2, 4)).await;
    let three = [("date", WEDNESDAY), ("party_size", "3")];

    let before = local_times(&slots(&app, &burger.location_id, &three).await, Some(&table_id));
    assert_eq!(before.first().map(String::as_str), Some("12:00"), "{before:?}");
    assert_eq!(before.last().map(String::as_str), Some("21:30"), "a 90-minute sitting ends by 23:00: {before:?}");
    assert!(before.contains(&"20:00".to_owned()));

    let made = book(&app, &party(&burger.location_id, "2026-12-09T20:00:00-03:00", 3))
        .await
        .expect(StatusCode::CREATED, "a table for three");
    assert_eq!(made["status"], "confirmed", "{made}");
    assert_eq!(made["resource_id"], table_id.as_str());
    assert_eq!(made["start_at"], "2026-12-09T23:00:00.000Z");
    assert_eq!(made["end_at"], "2026-12-10T00:30:00.000Z");
    let token = made["manage_token"].as_str().expect("the manage token, shown once").to_owned();
    let id = id_of(&made, "booking");

    let after = local_times(&slots(&app, &burger.location_id, &three).await, Some(&table_id));
    // 18:15 + 90 min + the 15-minute buffer ends at 20:00; 18:30 would run into the booking.
    assert!(after.contains(&"18:15".to_owned()), "{after:?}");
    for taken in ["18:30", "19:00", "20:00", "21:00", "21:30"] {
        assert!(!after.contains(&taken.to_owned()), "{taken} is taken: {after:?}");
    }

    let again = book(&app, &party(&burger.location_id, "2026-12-09T20:00:00-03:00", 2)).await;
    assert_problem(&again, StatusCode::CONFLICT, "the same table and time");
    let overlapping = book(&app, &party(&burger.location_id, "2026-12-09T21:15:00-03:00", 2)).await;
    assert_problem(&overlapping, StatusCode::CONFLICT, "inside the booking's buffer");

    let read = app.get(&format!("/api/v1/bookings/{id}?{}", qs(&[("token", &token)])), None).await;
    let read = read.expect(StatusCode::OK, "the booking, with its token");
    assert!(read.get("manage_token").is_none(), "the token is shown once: {read}");
    let stranger = app.get(&format!("/api/v1/bookings/{id}?token=wrong"), None).await;
    assert_problem(&stranger, StatusCode::NOT_FOUND, "a wrong token");
    let wrong_cancel = app.post(&format!("/api/v1/bookings/{id}/cancel?token=wrong"), None, &json!({})).await;
    assert_problem(&wrong_cancel, StatusCode::NOT_FOUND, "a wrong token cancels nothing");

    let cancel_path = format!("/api/v1/bookings/{id}/cancel?{}", qs(&[("token", &token)]));
    let cancelled = app.post(&cancel_path, None, &json!({})).await.expect(StatusCode::OK, "cancel");
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    let twice = app.post(&cancel_path, None, &json!({})).await.expect(StatusCode::OK, "cancel again");
    assert_eq!(twice["status"], "cancelled");

    let freed = local_times(&slots(&app, &burger.location_id, &three).await, Some(&table_id));
    assert_eq!(freed, before, "cancelling frees the time");
    book(&app, &party(&burger.location_id, "2026-12-09T20:00:00-03:00", 4))
        .await
        .expect(StatusCode::CREATED, "the freed slot books again");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_simultaneous_bookings_of_one_table_and_time_give_exactly_one() {
    let app = spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let burger = fx.m(0);
    let manager = burger.manager.token(&app).await;
    let table_id = table_seating(&app, &manager, &burger.location_id, "Mesa 1", (1, 6)).await;
    let mut body = party(&burger.location_id, "2026-12-09T13:00:00-03:00", 2);
    body["resource_id"] = json!(table_id);

    let answers = join_all((0..20).map(|_| book(&app, &body))).await;
    let created = answers.iter().filter(|resp| resp.status == StatusCode::CREATED).count();
    let conflicts = answers.iter().filter(|resp| resp.status == StatusCode::CONFLICT).count();
    let others: Vec<String> = answers
        .iter()
        .filter(|resp| ![StatusCode::CREATED, StatusCode::CONFLICT].contains(&resp.status))
        .map(|resp| format!("{} {}", resp.status, resp.body))
        .collect();
    assert_eq!((created, conflicts), (1, 19), "exactly one booking; other answers: {others:?}");

    // Without naming the table, twenty more for a shifted time: still one table, one booking.
    let shifted = party(&burger.location_id, "2026-12-09T16:00:00-03:00", 2);
    let answers = join_all((0..20).map(|_| book(&app, &shifted))).await;
    let created = answers.iter().filter(|resp| resp.status == StatusCode::CREATED).count();
    assert_eq!(created, 1, "one table, one booking");
    assert!(answers.iter().all(|resp| [StatusCode::CREATED, StatusCode::CONFLICT].contains(&resp.status)));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_bookings_are_refused_naming_the_field_and_nothing_is_booked() {
    let app = spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let burger = fx.m(0);
    let manager = burger.manager.token(&app).await;
    let table_id = table_seating(&app, &manager, &burger.location_id, "Mesa 2", (2, 4)).await;
    let location = burger.location_id.as_str();

    let cases = [
        ("2026-12-08T07:00:00-03:00", 2, "start_at", "an hour ago"),
        ("2026-12-08T08:15:00-03:00", 2, "start_at", "within the 30-minute notice"),
        ("2027-03-01T13:00:00-03:00", 2, "start_at", "beyond the 60 days one may book ahead"),
        ("2026-12-09T20:01:00-03:00", 2, "start_at", "a one-minute shift off the grid"),
        ("2026-12-09T09:00:00-03:00", 2, "start_at", "before opening"),
        ("2026-12-09T22:00:00-03:00", 2, "start_at", "a sitting past closing"),
        ("2026-12-09T20:00:00-03:00", 9, "party_size", "a party no table seats"),
        ("mañana a las ocho", 2, "start_at", "not a time"),
    ];
    for (start_at, party_size, field, what) in cases {
        assert_field(&book(&app, &party(location, start_at, party_size)).await, field, what);
    }
    let too_large = book(&app, &party(location, "2026-12-09T20:00:00-03:00", 9)).await;
    assert!(too_large.body.to_string().contains("the largest seats 4"), "a clear message: {}", too_large.body);

    let mut both = party(location, "2026-12-09T20:00:00-03:00", 2);
    both["service_id"] = json!("svc_x");
    assert_field(&book(&app, &both).await, "party_size", "a party and a service at once");
    let mut neither = party(location, "2026-12-09T20:00:00-03:00", 2);
    neither.as_object_mut().map(|body| body.remove("party_size"));
    assert_field(&book(&app, &neither).await, "party_size", "neither a party nor a service");
    let mut nameless = party(location, "2026-12-09T20:00:00-03:00", 2);
    nameless["customer"]["name"] = json!("  ");
    assert_field(&book(&app, &nameless).await, "customer.name", "a blank name");
    let mut unknown_service = party(location, "2026-12-09T20:00:00-03:00", 2);
    unknown_service.as_object_mut().map(|body| body.remove("party_size"));
    unknown_service["service_id"] = json!("svc_nope");
    assert_problem(&book(&app, &unknown_service).await, StatusCode::NOT_FOUND, "an unknown service");

    let bad_date =
        app.get(&format!("/api/v1/locations/{location}/availability?date=09-12-2026&party_size=2"), None).await;
    assert_field(&bad_date, "date", "a date that is not YYYY-MM-DD");
    let seatless = add_resource(&app, &manager, location, json!({"kind": "table", "name": "Mesa sin sillas"})).await;
    assert_field(&seatless, "seats_max", "a table without seats");
    let seated_staff =
        add_resource(&app, &manager, location, json!({"kind": "staff", "name": "Ana", "seats_max": 2})).await;
    assert_field(&seated_staff, "seats_max", "a stylist has no seats");

    let free = local_times(&slots(&app, location, &[("date", WEDNESDAY), ("party_size", "2")]).await, Some(&table_id));
    assert_eq!(free.len(), 39, "nothing was booked: 12:00 to 21:30 every quarter hour: {free:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_merchants_location_resource_and_service_are_not_found() {
    let app = spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let burger_manager = burger.manager.token(&app).await;
    let sushi_manager = sushi.manager.token(&app).await;
    let sushi_table = table_seating(&app, &sushi_manager, &sushi.location_id, "Barra", (1, 2)).await;
    table_seating(&app, &burger_manager, &burger.location_id, "Mesa 1", (1, 4)).await;

    let body = json!({"kind": "table", "name": "Intrusa", "seats_max": 4});
    let other_location = add_resource(&app, &burger_manager, &sushi.location_id, body.clone()).await;
    assert_problem(&other_location, StatusCode::NOT_FOUND, "another merchant's location");
    assert_problem(
        &add_resource(&app, &burger_manager, "loc_nope", body.clone()).await,
        StatusCode::NOT_FOUND,
        "no such location",
    );
    let staff = burger.staff.token(&app).await;
    assert_problem(
        &add_resource(&app, &staff, &burger.location_id, body).await,
        StatusCode::FORBIDDEN,
        "staff do not set bookings up",
    );
    let service = json!({"merchant_id": sushi.id, "name": "Omakase", "duration_minutes": 60});
    let other_merchant = app.post("/api/v1/services", Some(&burger_manager), &service).await;
    assert_problem(&other_merchant, StatusCode::NOT_FOUND, "another merchant's service");
    let sushi_service = app
        .post("/api/v1/services", Some(&sushi_manager), &service)
        .await
        .expect(StatusCode::CREATED, "its own service");

    let mut elsewhere = party(&burger.location_id, "2026-12-09T20:00:00-03:00", 2);
    elsewhere["resource_id"] = json!(sushi_table);
    assert_problem(&book(&app, &elsewhere).await, StatusCode::NOT_FOUND, "a table of another location");
    let mut foreign_service = party(&burger.location_id, "2026-12-09T20:00:00-03:00", 2);
    foreign_service.as_object_mut().map(|body| body.remove("party_size"));
    foreign_service["service_id"] = sushi_service["id"].clone();
    assert_problem(&book(&app, &foreign_service).await, StatusCode::NOT_FOUND, "another merchant's service");
    let nowhere = book(&app, &party("loc_nope", "2026-12-09T20:00:00-03:00", 2)).await;
    assert_problem(&nowhere, StatusCode::NOT_FOUND, "no such location");
    let path = format!("/api/v1/locations/loc_nope/availability?date={WEDNESDAY}&party_size=2");
    assert_problem(&app.get(&path, None).await, StatusCode::NOT_FOUND, "availability of no location");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_appointment_holds_its_stylist_for_the_service_and_its_buffer() {
    let app = spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let salon = fx.m(0);
    let manager = salon.manager.token(&app).await;
    let stylist = add_resource(&app, &manager, &salon.location_id, json!({"kind": "staff", "name": "Valentina"}))
        .await
        .expect(StatusCode::CREATED, "a stylist");
    let stylist_id = id_of(&stylist, "stylist");
    let service = app
        .post(
            "/api/v1/services",
            Some(&manager),
            &json!({"merchant_id": salon.id, "name": "Corte y peinado", "duration_minutes": 45,
                    "buffer_minutes": 15, "price": {"amount": 18990, "currency": "CLP"}}),
        )
        .await
        .expect(StatusCode::CREATED, "a service");
    assert_eq!(service["price"]["amount"], 18990, "{service}");
    let service_id = id_of(&service, "service");

    let made = book(&app, &appointment(&salon.location_id, "2026-12-09T12:00:00-03:00", &service_id))
        .await
        .expect(StatusCode::CREATED, "an appointment");
    assert_eq!(made["resource_id"], stylist_id.as_str());
    assert_eq!(made["end_at"], "2026-12-09T15:45:00.000Z");

    let free = local_times(
        &slots(&app, &salon.location_id, &[("date", WEDNESDAY), ("service_id", &service_id)]).await,
        Some(&stylist_id),
    );
    assert!(!free.contains(&"12:45".to_owned()), "the buffer after the service is held: {free:?}");
    assert_eq!(free.first().map(String::as_str), Some("13:00"), "{free:?}");
    let tables = app
        .get(&format!("/api/v1/locations/{}/availability?date={WEDNESDAY}&party_size=2", salon.location_id), None)
        .await;
    assert_field(&tables, "party_size", "a salon takes no table bookings");
    app.stop().await;
}
