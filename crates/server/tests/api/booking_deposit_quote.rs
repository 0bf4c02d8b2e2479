//! The deposit told before booking (issue 19 point 3), on SQLite and PostgreSQL: the public
//! service reads (`GET /services`, `GET /services/{id}`) carry the deposit a service asks for,
//! and `GET /locations/{id}/deposit-quote` answers what a table for a party or a service puts
//! down with the cancellation window that refunds it — the same amount the booking then
//! authorises on the card. Bad input is a 4xx naming the field, never a 500.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::bookings::{PHONE, assert_field, open_noon_to_eleven, put, spawn_on_tuesday_morning};
use crate::common::fixture::id_of;
use crate::common::{Fixture, TestApp, assert_problem, assert_problem_shape, clp, money, qs};

const APPROVED: &str = "4242424242424242";
const WEDNESDAY_EIGHT_PM: &str = "2026-12-09T20:00:00-03:00";

/// A location's quote for `params` (`party_size` or `service_id`), as it came.
async fn quote(app: &TestApp, location_id: &str, params: &[(&str, &str)]) -> crate::common::Resp {
    app.get(&format!("/api/v1/locations/{location_id}/deposit-quote?{}", qs(params)), None).await
}

/// Sets the location's rules with a cancellation window of three hours and, when given, a
/// table deposit per guest.
async fn rules(app: &TestApp, fx: &Fixture, per_guest: Option<i64>) {
    let merchant = fx.m(0);
    let manager = merchant.manager.token(app).await;
    let mut body = json!({
        "min_notice_minutes": 30, "max_days_ahead": 60, "cancel_window_minutes": 180, "hold_minutes": 10,
        "reminder_offsets_minutes": [1440],
    });
    if let Some(amount) = per_guest {
        body["table_deposit_per_guest"] = money(amount);
    }
    let path = format!("/api/v1/locations/{}/booking-settings", merchant.location_id);
    put(app, &path, &manager, body).await.expect(StatusCode::OK, "the booking rules");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_party_is_quoted_its_table_deposit_and_the_booking_authorises_that_amount() {
    let (app, _clock) = spawn_on_tuesday_morning().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let location_id = fx.m(0).location_id.clone();
    let manager = fx.m(0).manager.token(&app).await;
    let body = json!({"kind": "table", "name": "Mesa 1", "seats_min": 1, "seats_max": 4});
    app.post(&format!("/api/v1/locations/{location_id}/resources"), Some(&manager), &body)
        .await
        .expect(StatusCode::CREATED, "a table");

    // No table deposit yet: nothing to put down, and the window is still told.
    rules(&app, &fx, None).await;
    let none = quote(&app, &location_id, &[("party_size", "3")]).await.expect(StatusCode::OK, "no deposit");
    assert_eq!(none, json!({"deposit": null, "cancel_window_minutes": 180}));

    rules(&app, &fx, Some(5_000)).await;
    let quoted = quote(&app, &location_id, &[("party_size", "3")]).await.expect(StatusCode::OK, "a party of three");
    assert_eq!(quoted["deposit"], money(15_000), "three guests × 5,000: {quoted}");
    assert_eq!(quoted["cancel_window_minutes"], 180, "{quoted}");

    // The booking puts down exactly what was quoted.
    let booking = json!({
        "location_id": location_id, "start_at": WEDNESDAY_EIGHT_PM, "party_size": 3,
        "customer": {"name": "Camila Rojas", "phone": PHONE},
        "payment": {"method": "card", "card_number": APPROVED},
    });
    let made = app.post("/api/v1/bookings", None, &booking).await.expect(StatusCode::CREATED, "the booking");
    assert_eq!(made["deposit"]["amount"], quoted["deposit"], "{made}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_public_service_reads_and_the_quote_tell_a_services_deposit() {
    let (app, _clock) = spawn_on_tuesday_morning().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let merchant = fx.m(0);
    let manager = merchant.manager.token(&app).await;
    let create = |name: &str, deposit: Option<i64>| {
        let mut body =
            json!({"merchant_id": merchant.id, "name": name, "duration_minutes": 90, "price": money(35_000)});
        if let Some(amount) = deposit {
            body["deposit"] = money(amount);
        }
        body
    };
    let color = app.post("/api/v1/services", Some(&manager), &create("Color", Some(10_000))).await;
    let color_id = id_of(&color.expect(StatusCode::CREATED, "Color"), "service");
    let cut = app.post("/api/v1/services", Some(&manager), &create("Corte", None)).await;
    let cut_id = id_of(&cut.expect(StatusCode::CREATED, "Corte"), "service");

    let listed = app
        .get(&format!("/api/v1/services?{}", qs(&[("merchant_id", &merchant.id)])), None)
        .await
        .expect(StatusCode::OK, "the public list");
    let of = |id: &str| -> Value {
        listed.as_array().and_then(|all| all.iter().find(|service| service["id"] == id)).cloned().unwrap_or_default()
    };
    assert_eq!(clp(&of(&color_id)["deposit"]), 10_000, "{listed}");
    assert!(of(&cut_id).get("deposit").is_none(), "no deposit, no field: {listed}");
    assert!(of(&cut_id)["performer_ids"].is_array(), "the existing fields stay: {listed}");

    let read = app.get(&format!("/api/v1/services/{color_id}"), None).await.expect(StatusCode::OK, "the public read");
    assert_eq!(read["deposit"], money(10_000), "{read}");
    assert_eq!(read["name"], "Color", "{read}");

    let location_id = &merchant.location_id;
    let quoted = quote(&app, location_id, &[("service_id", &color_id)]).await.expect(StatusCode::OK, "Color");
    assert_eq!(quoted["deposit"], money(10_000), "{quoted}");
    assert_eq!(quoted["cancel_window_minutes"], 120, "the default window: {quoted}");
    let quoted = quote(&app, location_id, &[("service_id", &cut_id)]).await.expect(StatusCode::OK, "Corte");
    assert_eq!(quoted["deposit"], Value::Null, "{quoted}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bad_quote_request_is_a_4xx_naming_what_is_wrong() {
    let (app, _clock) = spawn_on_tuesday_morning().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let location_id = fx.m(0).location_id.clone();
    let other_manager = fx.m(1).manager.token(&app).await;
    let body = json!({"merchant_id": fx.m(1).id, "name": "Color", "duration_minutes": 90, "deposit": money(10_000)});
    let theirs = app.post("/api/v1/services", Some(&other_manager), &body).await;
    let their_service = id_of(&theirs.expect(StatusCode::CREATED, "another merchant's service"), "service");

    assert_field(&quote(&app, &location_id, &[]).await, "party_size", "neither a party nor a service");
    assert_field(&quote(&app, &location_id, &[("party_size", "0")]).await, "party_size", "a party of none");
    assert_field(
        &quote(&app, &location_id, &[("party_size", "2"), ("service_id", &their_service)]).await,
        "party_size",
        "both",
    );
    let not_a_number = quote(&app, &location_id, &[("party_size", "two")]).await;
    assert!(not_a_number.status.is_client_error(), "{} {}", not_a_number.status, not_a_number.body);
    assert_problem_shape(&not_a_number, "a party that is not a number");
    assert_problem(&quote(&app, "loc_nowhere", &[("party_size", "2")]).await, StatusCode::NOT_FOUND, "no location");
    assert_problem(
        &quote(&app, &location_id, &[("service_id", "svc_nowhere")]).await,
        StatusCode::NOT_FOUND,
        "no service",
    );
    assert_problem(
        &quote(&app, &location_id, &[("service_id", &their_service)]).await,
        StatusCode::NOT_FOUND,
        "another merchant's service",
    );
}
