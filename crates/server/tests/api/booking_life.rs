//! A booking's life for the customer (issue 19 point 3) over HTTP, on SQLite and PostgreSQL:
//! a held booking confirmed with its token, a hold that lapses freeing its slot, the manage
//! link's cancellation window (422 naming the deadline, staff still may), the customer's
//! reschedule and the staff's move — one transaction that keeps the old time on a conflict —
//! with `booking.changed` in the outbox, another merchant's booking 404, and the `.ics` file.
//!
//! The server runs on a manual clock set to Tuesday 2026-12-08 08:00 in Santiago (UTC−3); the
//! food court opens 12:00–23:00 every day; the location keeps the default rules (a 10-minute
//! hold, a cancellation window closing 120 minutes before the start).

use std::time::Duration;

use omnicanal_domain::events::EventType;
use omnicanal_store::EventStore;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::bookings::{
    TUESDAY_MORNING_MS, book, booked, open_noon_to_eleven, party_at_table, spawn_on_tuesday_morning, table, with_token,
};
use crate::common::{Fixture, TestApp, assert_problem, assert_validation_problem};

/// 2026-12-09T20:00:00-03:00, the booking's start.
const WEDNESDAY_EIGHT_PM_MS: i64 = 1_796_857_200_000;

/// The types of the outbox's booking events for one booking, oldest first.
async fn booking_events(app: &TestApp, booking_id: &str) -> Vec<EventType> {
    let store = omnicanal_store::connect(app.database_url()).await.expect("the test's database");
    let rows = store.outbox_after(0, 10_000).await.expect("outbox");
    rows.iter().filter(|row| row.payload_json.contains(booking_id)).map(|row| row.event_type).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_held_booking_is_confirmed_and_a_lapsed_hold_frees_its_slot() {
    let (app, clock) = spawn_on_tuesday_morning().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let burger = fx.m(0);
    let manager = burger.manager.token(&app).await;
    let table_id = table(&app, &manager, &burger.location_id, "Mesa 1").await;

    let mut held = party_at_table(&burger.location_id, "2026-12-09T20:00:00-03:00", &table_id);
    held["hold"] = json!(true);
    let (id, token, made) = booked(&app, &held, "a held table").await;
    assert_eq!(made["status"], "held", "{made}");
    assert_eq!(made["hold_expires_at"], "2026-12-08T11:10:00.000Z", "ten minutes: {made}");
    assert_eq!(made["manage_url"], format!("/reservas/{id}?token={token}"));
    assert_eq!(made["calendar_url"], format!("/api/v1/bookings/{id}/calendar.ics?token={token}"));
    assert_problem(&book(&app, &held).await, StatusCode::CONFLICT, "a held slot is taken");

    let confirm = with_token(&format!("/api/v1/bookings/{id}/confirm"), &token);
    assert_problem(
        &app.post(&format!("/api/v1/bookings/{id}/confirm?token=wrong"), None, &json!({})).await,
        StatusCode::NOT_FOUND,
        "a wrong token confirms nothing",
    );
    let confirmed = app.post(&confirm, None, &json!({})).await.expect(StatusCode::OK, "confirm");
    assert_eq!(confirmed["status"], "confirmed", "{confirmed}");
    let again = app.post(&confirm, None, &json!({})).await.expect(StatusCode::OK, "confirm again");
    assert_eq!(again["status"], "confirmed");
    assert_eq!(booking_events(&app, &id).await, [EventType::BookingCreated, EventType::BookingChanged]);

    // A second hold, on another time, is never confirmed: the sweeper expires it and frees it.
    let mut later = party_at_table(&burger.location_id, "2026-12-09T13:00:00-03:00", &table_id);
    later["hold"] = json!(true);
    let (lapsing, lapsing_token, _) = booked(&app, &later, "a second hold").await;
    clock.set(TUESDAY_MORNING_MS + 11 * 60_000);
    let read = with_token(&format!("/api/v1/bookings/{lapsing}"), &lapsing_token);
    let mut status = Value::Null;
    for _ in 0..100 {
        status = app.get(&read, None).await.expect(StatusCode::OK, "the hold")["status"].clone();
        if status == "expired" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "expired", "the sweeper expired the lapsed hold");
    let late_confirm = with_token(&format!("/api/v1/bookings/{lapsing}/confirm"), &lapsing_token);
    let late = app.post(&late_confirm, None, &json!({})).await;
    assert_problem(&late, StatusCode::CONFLICT, "a lapsed hold cannot be confirmed");
    later["hold"] = json!(false);
    book(&app, &later).await.expect(StatusCode::CREATED, "the expired hold's slot books again");
    assert_eq!(booking_events(&app, &lapsing).await, [EventType::BookingCreated, EventType::BookingChanged]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_manage_link_cancels_until_the_window_closes_and_staff_after() {
    let (app, clock) = spawn_on_tuesday_morning().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let burger = fx.m(0);
    let manager = burger.manager.token(&app).await;
    let table_id = table(&app, &manager, &burger.location_id, "Mesa 2").await;
    let (id, token, _) =
        booked(&app, &party_at_table(&burger.location_id, "2026-12-09T20:00:00-03:00", &table_id), "a table").await;

    // 18:01, a minute after the window closed (120 minutes before 20:00).
    clock.set(WEDNESDAY_EIGHT_PM_MS - 119 * 60_000);
    let cancel = with_token(&format!("/api/v1/bookings/{id}/cancel"), &token);
    let late = app.post(&cancel, None, &json!({})).await;
    assert_validation_problem(&late, "a cancel after the window");
    assert!(late.body.to_string().contains("2026-12-09T18:00:00-03:00"), "the deadline is named: {}", late.body);
    let reschedule = with_token(&format!("/api/v1/bookings/{id}/reschedule"), &token);
    let moved_late = app.post(&reschedule, None, &json!({"start_at": "2026-12-09T21:00:00-03:00"})).await;
    assert_validation_problem(&moved_late, "a reschedule after the window");
    let read = app.get(&with_token(&format!("/api/v1/bookings/{id}"), &token), None).await;
    assert_eq!(read.expect(StatusCode::OK, "still booked")["status"], "confirmed");

    let anonymous = app.post(&format!("/api/v1/bookings/{id}/cancel"), None, &json!({})).await;
    assert_problem(&anonymous, StatusCode::NOT_FOUND, "no token and no staff");
    let staff = burger.staff.token(&app).await;
    let by_staff = app.post(&format!("/api/v1/bookings/{id}/cancel"), Some(&staff), &json!({})).await;
    assert_eq!(by_staff.expect(StatusCode::OK, "staff may cancel late")["status"], "cancelled");
    assert_eq!(booking_events(&app, &id).await, [EventType::BookingCreated, EventType::BookingCancelled]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reschedule_moves_to_a_free_slot_and_a_taken_one_keeps_the_old_time() {
    let (app, _clock) = spawn_on_tuesday_morning().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let manager = burger.manager.token(&app).await;
    let table_id = table(&app, &manager, &burger.location_id, "Mesa 3").await;
    let (id, token, _) =
        booked(&app, &party_at_table(&burger.location_id, "2026-12-09T20:00:00-03:00", &table_id), "a table").await;
    let (_, _, _) =
        booked(&app, &party_at_table(&burger.location_id, "2026-12-09T13:00:00-03:00", &table_id), "another").await;

    let reschedule = with_token(&format!("/api/v1/bookings/{id}/reschedule"), &token);
    let moved = app.post(&reschedule, None, &json!({"start_at": "2026-12-09T20:15:00-03:00"})).await;
    let moved = moved.expect(StatusCode::OK, "a quarter of an hour later, overlapping its own old time");
    assert_eq!(moved["start_at"], "2026-12-09T23:15:00.000Z", "{moved}");
    assert_eq!(booking_events(&app, &id).await, [EventType::BookingCreated, EventType::BookingChanged]);

    let taken = app.post(&reschedule, None, &json!({"start_at": "2026-12-09T13:30:00-03:00"})).await;
    assert_problem(&taken, StatusCode::CONFLICT, "onto the other booking");
    let read = app.get(&with_token(&format!("/api/v1/bookings/{id}"), &token), None).await;
    assert_eq!(read.expect(StatusCode::OK, "read")["start_at"], "2026-12-09T23:15:00.000Z", "the old time is kept");
    let mut other = party_at_table(&burger.location_id, "2026-12-09T20:15:00-03:00", &table_id);
    other["customer"]["name"] = json!("Otro");
    assert_problem(&book(&app, &other).await, StatusCode::CONFLICT, "the kept time is still held");
    let off_grid = app.post(&reschedule, None, &json!({"start_at": "2026-12-09T20:20:00-03:00"})).await;
    assert_validation_problem(&off_grid, "off the grid");
    let garbage = app.post(&reschedule, None, &json!({"start_at": "pronto"})).await;
    assert_validation_problem(&garbage, "not a time");

    // Staff move it back; another merchant's manager cannot see it.
    let moved_back = app
        .post(&format!("/api/v1/bookings/{id}/move"), Some(&manager), &json!({"start_at": "2026-12-09T19:00:00-03:00"}))
        .await
        .expect(StatusCode::OK, "the manager moves it");
    assert_eq!(moved_back["start_at"], "2026-12-09T22:00:00.000Z");
    let stranger = sushi.manager.token(&app).await;
    let foreign = app
        .post(
            &format!("/api/v1/bookings/{id}/move"),
            Some(&stranger),
            &json!({"start_at": "2026-12-09T21:00:00-03:00"}),
        )
        .await;
    assert_problem(&foreign, StatusCode::NOT_FOUND, "another merchant's booking");
    let nobody =
        app.post(&format!("/api/v1/bookings/{id}/move"), None, &json!({"start_at": "2026-12-09T21:00:00-03:00"})).await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        booking_events(&app, &id).await,
        [EventType::BookingCreated, EventType::BookingChanged, EventType::BookingChanged]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_booking_downloads_as_a_calendar_file() {
    let (app, _clock) = spawn_on_tuesday_morning().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let burger = fx.m(0);
    let manager = burger.manager.token(&app).await;
    let table_id = table(&app, &manager, &burger.location_id, "Mesa 5").await;
    let (id, token, made) =
        booked(&app, &party_at_table(&burger.location_id, "2026-12-09T20:00:00-03:00", &table_id), "a table").await;
    let calendar_url = made["calendar_url"].as_str().unwrap_or_default().to_owned();

    let ics = app.get(&calendar_url, None).await;
    assert_eq!(ics.status, StatusCode::OK, "{}", ics.body);
    let content_type = ics.headers.get("content-type").and_then(|value| value.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    let text = ics.body.as_str().unwrap_or_default().replace("\r\n ", "");
    assert!(text.starts_with("BEGIN:VCALENDAR"), "{text}");
    assert!(text.contains("DTSTART:20261209T230000Z"), "in UTC: {text}");
    assert!(text.contains("DTEND:20261210T003000Z"), "{text}");
    assert!(text.contains("X-WR-TIMEZONE:America/Santiago"), "the site's zone named: {text}");
    assert!(text.contains(&format!("/reservas/{id}?token={token}")), "the manage link: {text}");
    assert!(text.trim_end().ends_with("END:VCALENDAR"), "{text}");
    let wrong = app.get(&format!("/api/v1/bookings/{id}/calendar.ics?token=wrong"), None).await;
    assert_problem(&wrong, StatusCode::NOT_FOUND, "a wrong token");
    app.stop().await;
}
