//! The staff's schedule over HTTP (issue 19 point 5): a location's bookings with the
//! customer's name, phone and past no-shows for its staff only (another merchant: 404), the
//! status moves staff make (a forbidden move 409 naming both statuses, a no-show before the
//! start 422), a no-show counted against the customer and freeing the table for a walk-in, a
//! walk-in seated now and refused (409) when nothing is free, and the day's counts.
//!
//! The server runs on a manual clock: Tuesday 2026-12-08 08:00 in Santiago (UTC−3), moved by
//! the test; the food court's restaurants open every day 12:00–23:00.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::Fixture;
use crate::common::bookings::{
    TUESDAY_MORNING_MS, booked, open_noon_to_eleven, party, spawn_on_tuesday_morning, table,
};
use crate::common::{TestApp, assert_problem, assert_validation_problem, qs};

const HOUR_MS: i64 = 3_600_000;

/// Books a couple at `start_at` in `name`'s name (with the shared phone); the booking's id.
async fn book(app: &TestApp, location_id: &str, start_at: &str, name: &str) -> String {
    let mut body = party(location_id, start_at, 2);
    body["customer"]["name"] = json!(name);
    booked(app, &body, "a booking").await.0
}

async fn mark(app: &TestApp, token: &str, id: &str, status: &str) -> crate::common::Resp {
    app.post(&format!("/api/v1/bookings/{id}/status"), Some(token), &json!({"status": status})).await
}

async fn schedule(app: &TestApp, token: &str, location_id: &str, params: &[(&str, &str)]) -> Vec<Value> {
    let path = format!("/api/v1/locations/{location_id}/bookings?{}", qs(params));
    app.get(&path, Some(token)).await.expect(StatusCode::OK, "the schedule").as_array().cloned().unwrap_or_default()
}

fn count_of(stats: &Value, status: &str) -> i64 {
    let counts = stats["by_status"].as_array().cloned().unwrap_or_default();
    counts.iter().find(|count| count["status"] == status).and_then(|count| count["count"].as_i64()).unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_schedule_shows_customers_to_the_location_staff_only() {
    let (app, _clock) = spawn_on_tuesday_morning().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let manager = burger.manager.token(&app).await;
    let staff = burger.staff.token(&app).await;
    let table_id = table(&app, &manager, &burger.location_id, "Mesa 1").await;
    let id = book(&app, &burger.location_id, "2026-12-08T13:00:00-03:00", "Camila Rojas").await;
    book(&app, &burger.location_id, "2026-12-10T13:00:00-03:00", "Otro día").await;

    for (token, who) in [(&staff, "the location's staff"), (&manager, "the merchant's manager")] {
        let today = schedule(&app, token, &burger.location_id, &[]).await;
        assert_eq!(today.len(), 1, "{who}: today only: {today:?}");
        let listed = &today[0];
        assert_eq!(listed["id"], id.as_str());
        assert_eq!(listed["resource_id"], table_id.as_str());
        assert_eq!(listed["resource_name"], "Mesa 1");
        assert_eq!((listed["status"].as_str(), listed["party_size"].as_i64()), (Some("confirmed"), Some(2)));
        assert_eq!(listed["customer"]["name"], "Camila Rojas");
        assert!(listed["customer"]["phone"].as_str().is_some_and(|phone| !phone.is_empty()), "{listed}");
        assert_eq!(listed["customer"]["past_no_shows"], 0);
    }
    let week = schedule(&app, &staff, &burger.location_id, &[("from", "2026-12-07"), ("to", "2026-12-13")]).await;
    assert_eq!(week.len(), 2, "the week: {week:?}");

    let path = format!("/api/v1/locations/{}/bookings", burger.location_id);
    for token in [sushi.manager.token(&app).await, sushi.staff.token(&app).await] {
        assert_problem(&app.get(&path, Some(&token)).await, StatusCode::NOT_FOUND, "another merchant's schedule");
        let stats = app.get(&format!("/api/v1/locations/{}/booking-stats", burger.location_id), Some(&token)).await;
        assert_problem(&stats, StatusCode::NOT_FOUND, "another merchant's counts");
        assert_problem(&mark(&app, &token, &id, "seated").await, StatusCode::NOT_FOUND, "another merchant's booking");
        let walk_in = format!("/api/v1/locations/{}/walk-ins", burger.location_id);
        let refused = app.post(&walk_in, Some(&token), &json!({"party_size": 2})).await;
        assert_problem(&refused, StatusCode::NOT_FOUND, "another merchant's walk-in");
    }
    assert_eq!(app.get(&path, None).await.status, StatusCode::UNAUTHORIZED);
    let bad = app.get(&format!("{path}?from=yesterday"), Some(&staff)).await;
    assert_validation_problem(&bad, "a from that is no date");
    let long = app.get(&format!("{path}?{}", qs(&[("from", "2026-12-01"), ("to", "2027-02-01")])), Some(&staff)).await;
    assert_validation_problem(&long, "more than 31 days");
    let backwards_path = format!("{path}?{}", qs(&[("from", "2026-12-09"), ("to", "2026-12-08")]));
    assert_validation_problem(&app.get(&backwards_path, Some(&staff)).await, "to before from");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_moves_follow_the_table_and_a_no_show_is_counted_and_frees_the_table() {
    let (app, clock) = spawn_on_tuesday_morning().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let burger = fx.m(0);
    let manager = burger.manager.token(&app).await;
    let staff = burger.staff.token(&app).await;
    let location = burger.location_id.as_str();
    let table_id = table(&app, &manager, location, "Mesa 1").await;
    let late = book(&app, location, "2026-12-08T13:00:00-03:00", "Camila Rojas").await;
    let later = book(&app, location, "2026-12-08T15:00:00-03:00", "Camila Rojas").await;
    let tomorrow = book(&app, location, "2026-12-09T13:00:00-03:00", "Camila Rojas").await;

    let early = mark(&app, &staff, &late, "no_show").await;
    assert_validation_problem(&early, "a no-show before the start");
    assert!(early.body.to_string().contains("status"), "{}", early.body);
    assert_validation_problem(&mark(&app, &staff, &late, "expired").await, "a status staff do not set");

    clock.set(TUESDAY_MORNING_MS + 5 * HOUR_MS + 20 * 60_000); // 13:20: the 13:00 party never came
    let no_show = mark(&app, &staff, &late, "no_show").await.expect(StatusCode::OK, "a no-show");
    assert_eq!(no_show["status"], "no_show");
    mark(&app, &staff, &late, "no_show").await.expect(StatusCode::OK, "the same mark again changes nothing");
    let refused = mark(&app, &staff, &late, "seated").await;
    assert_problem(&refused, StatusCode::CONFLICT, "a no-show cannot be seated");
    let detail = refused.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("no_show") && detail.contains("seated"), "names both statuses: {detail}");

    let listed = schedule(&app, &staff, location, &[]).await;
    let of = |id: &str| listed.iter().find(|booking| booking["id"] == id).cloned().unwrap_or_default();
    assert_eq!(of(&later)["customer"]["past_no_shows"], 1, "the same phone failed to come before: {listed:?}");
    assert_eq!(of(&late)["status"], "no_show");

    // The no-show gave the table back: a walk-in is seated on it now, from 13:15.
    let walk_ins = format!("/api/v1/locations/{location}/walk-ins");
    let body = json!({"party_size": 2, "resource_id": table_id, "name": "Pareja sin reserva"});
    let seated = app.post(&walk_ins, Some(&staff), &body).await.expect(StatusCode::CREATED, "a walk-in");
    assert_eq!(seated["status"], "seated", "{seated}");
    assert_eq!(seated["start_at"], "2026-12-08T16:15:00.000Z", "now rounded down to the grid");
    let full = app.post(&walk_ins, Some(&staff), &json!({"party_size": 2})).await;
    assert_problem(&full, StatusCode::CONFLICT, "one table, taken by the walk-in");
    let too_many = app.post(&walk_ins, Some(&staff), &json!({"party_size": 9})).await;
    assert_validation_problem(&too_many, "no table seats nine");

    mark(&app, &staff, &later, "seated").await.expect(StatusCode::OK, "seated early");
    mark(&app, &manager, &later, "completed").await.expect(StatusCode::OK, "completed");
    let undone = mark(&app, &staff, &later, "cancelled").await;
    assert_problem(&undone, StatusCode::CONFLICT, "a completed booking cannot be cancelled");
    let cancelled = mark(&app, &staff, &tomorrow, "cancelled").await.expect(StatusCode::OK, "cancelled by staff");
    assert_eq!(cancelled["status"], "cancelled");

    let stats_path = format!("/api/v1/locations/{location}/booking-stats?{}", qs(&[("from", "2026-12-08")]));
    let stats = app.get(&stats_path, Some(&manager)).await.expect(StatusCode::OK, "the day's counts");
    assert_eq!(
        (count_of(&stats, "no_show"), count_of(&stats, "completed"), count_of(&stats, "seated")),
        (1, 1, 1),
        "{stats}"
    );
    assert_eq!((count_of(&stats, "cancelled"), stats["total"].as_i64()), (0, Some(3)), "tomorrow's is not today's");
    assert_eq!(stats["no_show_rate_bp"], 3_333, "one no-show in three bookings due");
    app.stop().await;
}
