//! Click & collect (issue 17 point 4): a store's pick list shows only its own parts to pick,
//! marking one picked makes it ready (the customer is told through the usual channels), and a
//! ready order not collected within the merchant's `pickup_expiry_days` is released once —
//! its hold freed, its card refunded by a payment job, a pay-at-pickup amount no longer owed.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::ManualClock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::fixture::{BURGER, PIZZA_M};
use crate::common::{Body, Fixture, Payment, TestApp, clp, fulfillment_at, id, qs, within};

async fn pick_list(app: &TestApp, token: &str, location_id: &str) -> crate::common::Resp {
    app.get(&format!("/api/v1/locations/{location_id}/pick-list"), Some(token)).await
}

async fn put_settings(app: &TestApp, token: &str, merchant_id: &str, days: i64) -> crate::common::Resp {
    let path = format!("/api/v1/merchants/{merchant_id}/pickup-settings");
    app.send(Method::PUT, &path, Some(token), Body::Json(json!({"pickup_expiry_days": days})), &[]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pick_list_shows_only_the_stores_parts_and_picked_makes_them_ready() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let (burger, pizza) = (fx.m(0), fx.m(2));
    let staff = pizza.staff.token(&app).await;
    let empty = pick_list(&app, &staff, &pizza.location_id).await.expect(StatusCode::OK, "empty list");
    assert_eq!(empty["items"], json!([]));

    let order = app.place_order_ok(&fx, &[fx.line(PIZZA_M, 2), fx.line(BURGER, 1)], &Payment::card()).await;
    let part_id = id(fulfillment_at(&order, &pizza.location_id));
    let list = pick_list(&app, &staff, &pizza.location_id).await.expect(StatusCode::OK, "pick list");
    let items = list["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "only the pizza part: {list}");
    let item = &items[0];
    assert_eq!(item["fulfillment_id"], json!(part_id));
    assert_eq!(
        (item["customer_name"].clone(), item["order_number"].clone()),
        (json!("Ana Pérez"), order["number"].clone())
    );
    assert_eq!((item["lines"][0]["sku"].clone(), item["lines"][0]["quantity"].clone()), (json!(PIZZA_M), json!(2)));
    assert!(item["age_minutes"].as_i64().is_some_and(|age| age >= 0), "{item}");
    assert!(item["lines"][0].get("barcode").is_some(), "the barcode is always there, null when unknown");

    // Another merchant's people do not see it; bad paging is a 422.
    let burger_staff = burger.staff.token(&app).await;
    pick_list(&app, &burger_staff, &pizza.location_id).await.expect_problem(StatusCode::NOT_FOUND, "other merchant");
    let path = format!("/api/v1/locations/{}/pick-list?{}", pizza.location_id, qs(&[("limit", "0")]));
    app.get(&path, Some(&staff)).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "limit 0");
    app.post(&format!("/api/v1/fulfillments/{part_id}/picked"), Some(&burger_staff), &json!({}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's part");

    // Picked: ready for the customer (told through the usual channels), off the list.
    let picked = app
        .post(&format!("/api/v1/fulfillments/{part_id}/picked"), Some(&staff), &json!({}))
        .await
        .expect(StatusCode::OK, "picked");
    assert_eq!(picked["status"], "ready");
    let list = pick_list(&app, &staff, &pizza.location_id).await.expect(StatusCode::OK, "after picking");
    assert_eq!(list["items"], json!([]));
    let seen = app.get_order(&order).await;
    assert_eq!(fulfillment_at(&seen, &pizza.location_id)["status"], "ready");
}

async fn status_of(app: &TestApp, order: &Value, location_id: &str) -> String {
    let seen = app.get_order(order).await;
    fulfillment_at(&seen, location_id)["status"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_not_collected_in_time_is_released_once_its_hold_freed_and_its_card_refunded() {
    let clock = Arc::new(ManualClock::starting_now());
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::create(&app).await;
    let (burger, pizza) = (fx.m(0), fx.m(2));
    let manager = pizza.manager.token(&app).await;
    let staff = pizza.staff.token(&app).await;

    // The wait is the merchant's to set (its managers), bounded, and another merchant's is not found.
    let path = format!("/api/v1/merchants/{}/pickup-settings", pizza.id);
    let default = app.get(&path, Some(&staff)).await.expect(StatusCode::OK, "default settings");
    assert_eq!((default["pickup_expiry_days"].clone(), default["is_default"].clone()), (json!(7), json!(true)));
    put_settings(&app, &staff, &pizza.id, 2).await.expect_problem(StatusCode::FORBIDDEN, "staff may not");
    put_settings(&app, &manager, &pizza.id, 0).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "0 days");
    let burger_manager = burger.manager.token(&app).await;
    put_settings(&app, &burger_manager, &pizza.id, 2).await.expect_problem(StatusCode::NOT_FOUND, "other merchant");
    let set = put_settings(&app, &manager, &pizza.id, 2).await.expect(StatusCode::OK, "two days");
    assert_eq!((set["pickup_expiry_days"].clone(), set["is_default"].clone()), (json!(2), json!(false)));

    let admin = app.admin_token().await;
    let held_before = app.stock_level(&admin, &pizza.location_id, PIZZA_M).await.reserved;
    let by_card = app.place_order_ok(&fx, &[fx.line(PIZZA_M, 1)], &Payment::card()).await;
    let at_pickup = app.place_order_ok(&fx, &[fx.line(PIZZA_M, 1)], &Payment::AtPickup).await;
    for order in [&by_card, &at_pickup] {
        let part_id = id(fulfillment_at(order, &pizza.location_id));
        app.post(&format!("/api/v1/fulfillments/{part_id}/picked"), Some(&staff), &json!({}))
            .await
            .expect(StatusCode::OK, "picked");
    }
    assert_eq!(app.stock_level(&admin, &pizza.location_id, PIZZA_M).await.reserved, held_before + 2);

    // A day later both still wait.
    clock.advance(Duration::from_secs(86_400));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(status_of(&app, &by_card, &pizza.location_id).await, "ready");

    // Past two days both are released: holds freed, the card refunded, nothing owed at pickup.
    clock.advance(Duration::from_secs(86_400 + 60));
    within(15, "both released", async {
        while status_of(&app, &by_card, &pizza.location_id).await != "cancelled"
            || status_of(&app, &at_pickup, &pizza.location_id).await != "cancelled"
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    // Sessions lapse over days of the manual clock: sign in again.
    let admin = app.login(crate::common::ADMIN_EMAIL, crate::common::ADMIN_PASSWORD).await;
    assert_eq!(app.stock_level(&admin, &pizza.location_id, PIZZA_M).await.reserved, held_before);
    let card_seen = app.get_order(&by_card).await;
    assert_eq!(clp(&card_seen["payment"]["refunded"]), pizza.price(PIZZA_M), "{card_seen}");
    let reason = fulfillment_at(&card_seen, &pizza.location_id)["reason"].as_str().unwrap_or_default().to_owned();
    assert!(reason.contains("not collected"), "{reason}");
    let pickup_seen = app.get_order(&at_pickup).await;
    assert_eq!(clp(&pickup_seen["payment"]["outstanding"]), 0, "{pickup_seen}");

    // Once: more sweeps add no second refund.
    clock.advance(Duration::from_secs(86_400));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let admin = app.login(crate::common::ADMIN_EMAIL, crate::common::ADMIN_PASSWORD).await;
    let jobs = app
        .get(&format!("/api/v1/payment-jobs?{}", qs(&[("order_id", id(&by_card).as_str())])), Some(&admin))
        .await
        .expect(StatusCode::OK, "jobs");
    let refunds = jobs.as_array().map(|jobs| jobs.iter().filter(|j| j["kind"] == "refund").count());
    assert_eq!(refunds, Some(1), "{jobs}");
    let seen = app.get_order(&by_card).await;
    assert_eq!(clp(&seen["payment"]["refunded"]), pizza.price(PIZZA_M));
}
