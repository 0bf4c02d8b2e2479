//! Phone orders (issue 14, point 8): a location's staff takes an order over the phone through
//! `POST /api/v1/locations/{id}/phone-orders`; it carries the `phone` channel and lands in the
//! location's queue like any order. A visitor cannot claim the channel through the public
//! `POST /api/v1/orders`, nobody outside the location can take one there, and a missing or
//! malformed phone is a 422 naming its field.

use crate::common;

use common::fixture::{BURGER, PIZZA_M};
use common::{Fixture, Payment, TestApp, assert_problem, assert_validation_problem, fulfillment_at, id};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn phone_body(sku: &str, phone: Option<&str>, payment: Value) -> Value {
    json!({
        "customer": {"name": "Carla Soto", "phone": phone},
        "lines": [{"sku": sku, "quantity": 1, "note": "sin cebolla"}],
        "payment": payment,
    })
}

fn fields(resp: &common::Resp) -> Vec<String> {
    resp.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_take_a_phone_order_into_their_queue() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    let staff = pizza.staff.token(&app).await;
    let path = format!("/api/v1/locations/{}/phone-orders", pizza.location_id);

    let placed = app
        .post(&path, Some(&staff), &phone_body(PIZZA_M, Some("+56 9 8765 4321"), json!({"method": "pay_at_pickup"})))
        .await
        .expect(StatusCode::CREATED, "phone order paid at pickup");
    assert_eq!(placed["payment"]["method"], "pay_at_pickup");
    let part = id(fulfillment_at(&placed, &pizza.location_id));

    let queue = app
        .get(&format!("/api/v1/locations/{}/queue", pizza.location_id), Some(&staff))
        .await
        .expect(StatusCode::OK, "queue");
    let item = queue["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|item| item["fulfillment_id"] == part.as_str())
        .unwrap_or_else(|| panic!("the phone order is in the queue: {queue}"));
    assert_eq!(item["channel"], "phone");
    assert_eq!(item["customer_name"], "Carla Soto");
    assert_eq!(item["lines"][0]["note"], "sin cebolla");
    assert_eq!(item["payment_method"], "pay_at_pickup");

    // The manager may take one too, by card now.
    let manager = pizza.manager.token(&app).await;
    app.post(
        &path,
        Some(&manager),
        &phone_body(PIZZA_M, Some("22345678"), json!({"method": "card", "card_number": "4242424242424242"})),
    )
    .await
    .expect(StatusCode::CREATED, "manager, card");

    // Lines always belong to the path's location: another merchant's SKU is refused, not placed elsewhere.
    let foreign =
        app.post(&path, Some(&staff), &phone_body(BURGER, Some("22345678"), json!({"method": "pay_at_pickup"}))).await;
    assert_validation_problem(&foreign, "another merchant's SKU");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_phone_route_is_for_the_locations_staff_and_the_public_route_keeps_the_contract() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let (burger, pizza) = (fx.m(0), fx.m(2));
    let staff = pizza.staff.token(&app).await;

    // No session at all, or another merchant's staff: nothing is placed.
    let path = format!("/api/v1/locations/{}/phone-orders", pizza.location_id);
    let order = phone_body(PIZZA_M, Some("+56 9 8765 4321"), json!({"method": "pay_at_pickup"}));
    assert_problem(&app.post(&path, None, &order).await, StatusCode::UNAUTHORIZED, "anonymous");
    let other = burger.staff.token(&app).await;
    assert_problem(&app.post(&path, Some(&other), &order).await, StatusCode::NOT_FOUND, "another merchant's staff");
    let queue = app
        .get(&format!("/api/v1/locations/{}/queue", pizza.location_id), Some(&staff))
        .await
        .expect(StatusCode::OK, "queue");
    assert_eq!(queue["items"].as_array().map(Vec::len), Some(0), "nothing was placed: {queue}");

    // The contract names `phone` among POST /orders' channels: an integration placing a phone
    // order there is served as before.
    let mut body = fx.order_body(&[pizza.line(PIZZA_M, 1)], &Payment::AtPickup);
    body["channel"] = json!("phone");
    body["customer"]["phone"] = json!("+56 9 8765 4321");
    let placed = app.post("/api/v1/orders", None, &body).await.expect(StatusCode::CREATED, "public phone order");
    assert_eq!(placed["channel"], "phone", "{placed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_phone_order_without_a_good_phone_is_refused_with_its_fields() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let (burger, pizza) = (fx.m(0), fx.m(2));
    let staff = pizza.staff.token(&app).await;
    let path = format!("/api/v1/locations/{}/phone-orders", pizza.location_id);

    for (what, phone) in
        [("no phone", None), ("blank", Some("  ")), ("too short", Some("12345")), ("letters", Some("call me"))]
    {
        let resp = app.post(&path, Some(&staff), &phone_body(PIZZA_M, phone, json!({"method": "pay_at_pickup"}))).await;
        assert_validation_problem(&resp, what);
        assert_eq!(fields(&resp), ["customer.phone"], "{what}");
    }
    // Every bad field at once.
    let mut body = phone_body(PIZZA_M, Some("abc"), json!({"method": "card"}));
    body["customer"]["name"] = json!("");
    body["customer"]["email"] = json!("not-an-email");
    let resp = app.post(&path, Some(&staff), &body).await;
    assert_validation_problem(&resp, "several");
    let mut got = fields(&resp);
    got.sort();
    assert_eq!(got, ["customer.email", "customer.name", "customer.phone", "payment.card_number"]);

    // A location that does not take payment at pickup refuses it for phone orders too.
    let burger_staff = burger.staff.token(&app).await;
    let resp = app
        .post(
            &format!("/api/v1/locations/{}/phone-orders", burger.location_id),
            Some(&burger_staff),
            &phone_body(BURGER, Some("+56 9 8765 4321"), json!({"method": "pay_at_pickup"})),
        )
        .await;
    assert_validation_problem(&resp, "pay at pickup where it is off");
}

fn delivery_body(address: Value) -> Value {
    let mut body = phone_body(PIZZA_M, Some("+56 9 8765 4321"), json!({"method": "pay_at_pickup"}));
    body["fulfilment"] = json!("delivery");
    body["delivery_address"] = address;
    body["pickup_at"] = json!(common::rfc3339_from_now(chrono::Duration::hours(2)));
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_phone_order_for_delivery_shows_its_address_and_phone_on_the_display() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    let staff = pizza.staff.token(&app).await;
    let path = format!("/api/v1/locations/{}/phone-orders", pizza.location_id);
    let address = json!({"street": "Av. Providencia", "number": "1234", "district": "Providencia",
        "reference": "portón verde, depto 31"});

    let resp = app.post(&path, Some(&staff), &delivery_body(address.clone())).await;
    if resp.status == StatusCode::UNPROCESSABLE_ENTITY && fields(&resp) == ["pickup_at"] {
        // Two hours ahead may fall outside today's opening hours: deliver as soon as possible.
        let mut body = delivery_body(address.clone());
        body.as_object_mut().map(|o| o.remove("pickup_at"));
        app.post(&path, Some(&staff), &body).await.expect(StatusCode::CREATED, "delivery, ASAP");
    } else {
        assert_eq!(resp.status, StatusCode::CREATED, "delivery at a time: {}", resp.body);
    }
    let placed = app
        .get(&format!("/api/v1/locations/{}/queue", pizza.location_id), Some(&staff))
        .await
        .expect(StatusCode::OK, "queue");
    let item = &placed["items"][0];
    assert_eq!(item["channel"], "phone");
    assert_eq!(item["fulfilment"], "delivery");
    assert_eq!(item["customer_phone"], "+56 9 8765 4321", "the card shows whom to call: {item}");
    assert_eq!(item["delivery_address"], address);
    assert_eq!(item["delivery_line"], "Av. Providencia 1234, Providencia (portón verde, depto 31)");

    // The order view names it a delivery with its address; a pickup says pickup and has none.
    let order = app
        .get(&format!("/api/v1/orders/{}", item["order_id"].as_str().unwrap_or_default()), Some(&staff))
        .await
        .expect(StatusCode::OK, "the order as staff see it");
    assert_eq!((order["fulfilment"].clone(), order["delivery_address"].clone()), (json!("delivery"), address));
    let pickup = app
        .post(&path, Some(&staff), &phone_body(PIZZA_M, Some("22345678"), json!({"method": "pay_at_pickup"})))
        .await
        .expect(StatusCode::CREATED, "a pickup");
    assert_eq!(pickup["fulfilment"], "pickup");
    assert!(pickup.get("delivery_address").is_none(), "{pickup}");

    // A web order's card carries no phone: only phone orders show it.
    app.place_order_ok(&fx, &[fx.line(PIZZA_M, 1)], &Payment::AtPickup).await;
    let queue = app
        .get(&format!("/api/v1/locations/{}/queue", pizza.location_id), Some(&staff))
        .await
        .expect(StatusCode::OK, "queue");
    let web = queue["items"].as_array().into_iter().flatten().find(|item| item["channel"] != "phone");
    assert_eq!(web.map(|item| item["customer_phone"].clone()), Some(Value::Null), "{queue}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivery_without_a_good_address_is_refused_with_every_field() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    let staff = pizza.staff.token(&app).await;
    let path = format!("/api/v1/locations/{}/phone-orders", pizza.location_id);

    let mut no_address = delivery_body(Value::Null);
    no_address.as_object_mut().map(|o| o.remove("delivery_address"));
    let resp = app.post(&path, Some(&staff), &no_address).await;
    assert_validation_problem(&resp, "delivery without an address");
    assert_eq!(fields(&resp), ["delivery_address"]);

    let resp =
        app.post(&path, Some(&staff), &delivery_body(json!({"street": " ", "number": "abc", "district": "9"}))).await;
    assert_validation_problem(&resp, "bad address");
    assert_eq!(
        fields(&resp),
        ["delivery_address.street", "delivery_address.number", "delivery_address.district"],
        "{}",
        resp.body
    );

    let mut pickup_with_address =
        delivery_body(json!({"street": "Av. Providencia", "number": "1234", "district": "Providencia"}));
    pickup_with_address["fulfilment"] = json!("pickup");
    let resp = app.post(&path, Some(&staff), &pickup_with_address).await;
    assert_eq!(fields(&resp), ["delivery_address"], "{}", resp.body);

    let mut drone = delivery_body(json!({"street": "Av. Providencia", "number": "1234", "district": "Providencia"}));
    drone["fulfilment"] = json!("drone");
    drone["customer"]["phone"] = json!("123");
    let resp = app.post(&path, Some(&staff), &drone).await;
    assert_eq!(fields(&resp), ["customer.phone", "fulfilment"], "every bad field at once: {}", resp.body);

    let queue = app
        .get(&format!("/api/v1/locations/{}/queue", pizza.location_id), Some(&staff))
        .await
        .expect(StatusCode::OK, "queue");
    assert_eq!(queue["items"].as_array().map(Vec::len), Some(0), "nothing was placed: {queue}");
}
