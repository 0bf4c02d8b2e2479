//! The customer's booking pages (issue 19 point 5) as the server renders them, on SQLite and
//! PostgreSQL: the food court's page lists only the restaurants with tables, the agenda a
//! merchant's services and its stores with staff (the store's `booking_services_of_merchant`),
//! the manage link opens a booking with its token only, and unknown sites, shops and tokens are
//! the "not found" page. The pages' behaviour is the browser suite's (`bookings-pages.test.mjs`).

use chrono::{DurationRound, TimeDelta};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::fixture::id_of;
use crate::common::{Fixture, TestApp, rfc3339_from_now};

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
