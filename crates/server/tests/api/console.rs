//! The merchant console's API: accepting with a preparation time, the live queue, sold-out
//! switches reaching the menu, orders and streams, the location's event stream, kitchen tickets,
//! the order search, the day's takings, the settlement CSV, logout and password change — each
//! with its isolation (another merchant's staff gets 404) and its bad input (422).

use crate::common;

use common::fixture::{BURGER, FRIES, SUSHI, TEA};
use common::sse::Opened;
use common::{Body, Fixture, Payment, TestApp, assert_problem, assert_validation_problem, clp, fulfillment_at, id, qs};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// `PUT` or `DELETE` of a sold-out switch.
async fn switch(app: &TestApp, method: Method, token: &str, location_id: &str, sku: &str) -> common::Resp {
    app.send(method, &format!("/api/v1/locations/{location_id}/sold-out/{sku}"), Some(token), Body::None, &[]).await
}

/// The menu variant with this SKU.
fn menu_variant<'a>(menu: &'a Value, sku: &str) -> &'a Value {
    menu["locations"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|location| location["products"].as_array().into_iter().flatten())
        .flat_map(|product| product["variants"].as_array().into_iter().flatten())
        .find(|variant| variant["sku"] == sku)
        .unwrap_or_else(|| panic!("{sku} is not on the menu: {menu}"))
}

/// An order time `hours` from now on a 15-minute boundary (a pickup slot's start).
fn slot_in(hours: i64) -> String {
    let at = chrono::Utc::now() + chrono::Duration::hours(hours);
    let seconds = at.timestamp() - at.timestamp().rem_euclid(15 * 60);
    chrono::DateTime::from_timestamp(seconds, 0).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn ms(rfc3339: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339.as_str().unwrap_or_else(|| panic!("not a time: {rfc3339}")))
        .unwrap_or_else(|e| panic!("{rfc3339}: {e}"))
        .timestamp_millis()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn accepting_promises_a_ready_time_and_the_queue_shows_it() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let staff = burger.staff.token(&app).await;
    let first = app.place_order_ok(&fx, &[burger.line(BURGER, 2), burger.line(FRIES, 1)], &Payment::card()).await;
    let second = app.place_order_ok(&fx, &[burger.line(BURGER, 1)], &Payment::card()).await;
    let part = id(fulfillment_at(&first, &burger.location_id));
    let path = format!("/api/v1/fulfillments/{part}/transition");

    for bad in [0, 241, -3] {
        let resp = app.post(&path, Some(&staff), &json!({"to": "accepted", "prep_minutes": bad})).await;
        assert_validation_problem(&resp, &format!("prep_minutes {bad}"));
        assert_eq!(resp.body["errors"][0]["field"], "prep_minutes");
    }
    let accepted = app
        .post(&path, Some(&staff), &json!({"to": "accepted", "prep_minutes": 20}))
        .await
        .expect(StatusCode::OK, "accept with 20 minutes");
    assert_eq!(accepted["prep_minutes"], 20);
    let promised = ms(&accepted["estimated_ready_at"]) - ms(&accepted["accepted_at"]);
    assert_eq!(promised, 20 * 60_000, "ready 20 minutes after acceptance: {accepted}");
    let preparing = app.post(&path, Some(&staff), &json!({"to": "preparing"})).await.expect(StatusCode::OK, "prepare");
    assert_eq!(preparing["estimated_ready_at"], accepted["estimated_ready_at"], "preparing keeps the estimate");
    let customer_view = app.get_order(&first).await;
    let theirs = fulfillment_at(&customer_view, &burger.location_id);
    assert_eq!(theirs["estimated_ready_at"], accepted["estimated_ready_at"], "the customer sees the estimate");

    // Without a time, the location's usual preparation time (15 minutes) is promised.
    let other = id(fulfillment_at(&second, &burger.location_id));
    let default = app.transition(&staff, &other, "accepted", None).await.expect(StatusCode::OK, "accept");
    assert_eq!(default["prep_minutes"], 15);

    let queue = app
        .get(&format!("/api/v1/locations/{}/queue", burger.location_id), Some(&staff))
        .await
        .expect(StatusCode::OK, "queue");
    assert_eq!(queue["location"]["id"], burger.location_id.as_str());
    assert_eq!(queue["location"]["prep_minutes"], 15);
    assert_eq!(queue["location"]["status"]["state"], "open");
    assert!(queue["now"].is_string());
    let items = queue["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    let item = &items[0];
    assert_eq!(item["fulfillment_id"], part.as_str(), "oldest first");
    assert_eq!(item["order_id"], first["id"]);
    assert_eq!(item["order_number"], first["number"]);
    assert_eq!((item["channel"].as_str(), item["customer_name"].as_str()), (Some("qr"), Some("Ana Pérez")));
    assert_eq!((item["status"].as_str(), item["table"].clone()), (Some("preparing"), Value::Null));
    assert_eq!(
        (item["pickup_at"].clone(), item["start_by"].clone()),
        (Value::Null, Value::Null),
        "as soon as possible"
    );
    assert_eq!(item["estimated_ready_at"], accepted["estimated_ready_at"]);
    assert_eq!((item["late"].as_bool(), item["late_reason"].clone()), (Some(false), Value::Null));
    assert_eq!(
        item["lines"][0],
        json!({"sku": BURGER, "name": "Hamburguesa", "quantity": 2, "modifiers": [], "note": null})
    );
    assert_eq!(clp(&item["subtotal"]), 2 * 12990 + 3490);
    assert_eq!((item["payment_method"].as_str(), clp(&item["to_collect"])), (Some("card"), 0));
    assert!(item["document"]["number"].is_i64(), "its boleta: {item}");
    assert!(item.get("pickup_code").is_none(), "the queue never shows the customer's code");

    // Finished parts only with include_done.
    app.post(
        &format!("/api/v1/fulfillments/{other}/transition"),
        Some(&staff),
        &json!({"to": "rejected", "reason": "sin pan"}),
    )
    .await
    .expect(StatusCode::OK, "reject");
    let live = app.get(&format!("/api/v1/locations/{}/queue", burger.location_id), Some(&staff)).await;
    assert_eq!(live.body["items"].as_array().map(Vec::len), Some(1));
    let all = app
        .get(&format!("/api/v1/locations/{}/queue?include_done=true", burger.location_id), Some(&staff))
        .await
        .expect(StatusCode::OK, "with done");
    assert_eq!(all["items"][1]["status"], "rejected");
    assert_eq!(all["items"][1]["reason"], "sin pan");

    let bad = app.get(&format!("/api/v1/locations/{}/queue?limit=501", burger.location_id), Some(&staff)).await;
    assert_validation_problem(&bad, "limit 501");
    let bad =
        app.get(&format!("/api/v1/locations/{}/queue?include_done=maybe", burger.location_id), Some(&staff)).await;
    assert_validation_problem(&bad, "include_done=maybe");
    let intruder = sushi.staff.token(&app).await;
    let resp = app.get(&format!("/api/v1/locations/{}/queue", burger.location_id), Some(&intruder)).await;
    assert_problem(&resp, StatusCode::NOT_FOUND, "another merchant's queue");
    let resp = app.get(&format!("/api/v1/locations/{}/queue", burger.location_id), None).await;
    assert_problem(&resp, StatusCode::UNAUTHORIZED, "queue without a token");
    let manager = burger.manager.token(&app).await;
    app.get(&format!("/api/v1/locations/{}/queue", burger.location_id), Some(&manager))
        .await
        .expect(StatusCode::OK, "manager");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scheduled_and_pay_at_pickup_parts_show_when_to_start_and_what_to_collect() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(3).build(&app).await;
    let pizza = fx.m(2);
    let staff = pizza.staff.token(&app).await;
    let mut body = fx.order_body(&[pizza.line(common::fixture::PIZZA_M, 1)], &Payment::AtPickup);
    let pickup = slot_in(3);
    body["pickup_at"] = json!(pickup);
    let order = app.post("/api/v1/orders", None, &body).await.expect(StatusCode::CREATED, "scheduled order");
    let part = id(fulfillment_at(&order, &pizza.location_id));
    let queue = app
        .get(&format!("/api/v1/locations/{}/queue", pizza.location_id), Some(&staff))
        .await
        .expect(StatusCode::OK, "queue");
    let item = &queue["items"][0];
    assert_eq!(ms(&item["pickup_at"]), ms(&json!(pickup)));
    assert_eq!(ms(&item["pickup_at"]) - ms(&item["start_by"]), 15 * 60_000, "start 15 minutes before pickup");
    assert_eq!(clp(&item["to_collect"]), 10990, "paid at the counter");
    let accepted = app
        .post(
            &format!("/api/v1/fulfillments/{part}/transition"),
            Some(&staff),
            &json!({"to": "accepted", "prep_minutes": 10}),
        )
        .await
        .expect(StatusCode::OK, "accept");
    assert_eq!(ms(&accepted["estimated_ready_at"]), ms(&json!(pickup)), "a scheduled part is promised for its pickup");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sold_out_switch_reaches_the_menu_orders_and_the_stock_stream() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let staff = burger.staff.token(&app).await;
    let admin = app.admin_token().await;
    let stock_path = format!("/api/v1/stock/events?{}", qs(&[("location_id", &burger.location_id), ("sku", FRIES)]));
    let mut stock = app.sse(&stock_path, Some(&staff), None).await;

    let on = switch(&app, Method::PUT, &staff, &burger.location_id, FRIES).await.expect(StatusCode::OK, "sold out");
    assert_eq!((on["location_id"].as_str(), on["sku"].as_str()), (Some(burger.location_id.as_str()), Some(FRIES)));
    assert_eq!((on["sold_out"].as_bool(), on["name"].as_str()), (Some(true), Some("Papas fritas")));
    assert!(on["since"].is_string());
    let again = switch(&app, Method::PUT, &staff, &burger.location_id, FRIES).await.expect(StatusCode::OK, "twice");
    assert_eq!(again["since"], on["since"], "idempotent");
    let event = stock.wait_for(5, "the sold-out event", |ev| ev.json()["sold_out"] == true).await;
    assert_eq!(event.event, "stock.changed");
    let data = event.json();
    assert_eq!(
        (data["sku"].as_str(), data["on_hand"].as_i64(), data["available"].as_i64()),
        (Some(FRIES), Some(20), Some(20))
    );

    let listed = app
        .get(&format!("/api/v1/locations/{}/sold-out", burger.location_id), Some(&staff))
        .await
        .expect(StatusCode::OK, "list");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["sku"], FRIES);

    let menu = app.get(&format!("/api/v1/sites/{}/menu", fx.site_id), None).await.expect(StatusCode::OK, "menu");
    let fries = menu_variant(&menu, FRIES);
    assert_eq!((fries["available"].as_bool(), fries["sold_out"].as_bool()), (Some(false), Some(true)));
    assert_eq!(menu_variant(&menu, BURGER)["available"], true, "only that SKU");
    let availability = app
        .get(&format!("/api/v1/availability?{}", qs(&[("site_id", &fx.site_id), ("sku", FRIES)])), Some(&admin))
        .await
        .expect(StatusCode::OK, "availability");
    assert_eq!(
        (availability["available_to_promise"].as_i64(), availability["locations"][0]["sold_out"].as_bool()),
        (Some(0), Some(true))
    );

    let before = app.stock_level(&admin, &burger.location_id, FRIES).await;
    let refused = app.place_order(&fx, &[burger.line(BURGER, 1), burger.line(FRIES, 1)], &Payment::card()).await;
    assert_problem(&refused, StatusCode::CONFLICT, "ordering a sold-out SKU");
    assert_eq!((refused.body["code"].as_str(), refused.body["sku"].as_str()), (Some("sold_out"), Some(FRIES)));
    assert_eq!(app.stock_level(&admin, &burger.location_id, FRIES).await, before, "nothing reserved");
    // Another merchant's SKU of the same name stays on sale: the switch is per location.
    app.place_order_ok(&fx, &[sushi.line(SUSHI, 1)], &Payment::card()).await;

    let off = switch(&app, Method::DELETE, &staff, &burger.location_id, FRIES).await.expect(StatusCode::OK, "back");
    assert_eq!((off["sold_out"].as_bool(), off["since"].clone()), (Some(false), Value::Null));
    stock.wait_for(5, "the back-on-sale event", |ev| ev.json()["sold_out"] == false).await;
    app.place_order_ok(&fx, &[burger.line(FRIES, 1)], &Payment::card()).await;
    switch(&app, Method::DELETE, &staff, &burger.location_id, FRIES).await.expect(StatusCode::OK, "again: idempotent");

    // An untracked product can be switched too; its event carries no figures.
    let sushi_staff = sushi.staff.token(&app).await;
    switch(&app, Method::PUT, &sushi_staff, &sushi.location_id, TEA).await.expect(StatusCode::OK, "tea");
    let refused = app.place_order(&fx, &[sushi.line(TEA, 1)], &Payment::card()).await;
    assert_eq!(refused.body["code"], "sold_out");

    let unknown = switch(&app, Method::PUT, &staff, &burger.location_id, "NOPE-1").await;
    assert_problem(&unknown, StatusCode::NOT_FOUND, "unknown SKU");
    let foreign = switch(&app, Method::PUT, &staff, &burger.location_id, SUSHI).await;
    assert_problem(&foreign, StatusCode::NOT_FOUND, "another merchant's SKU");
    let bad = switch(&app, Method::PUT, &staff, &burger.location_id, "bad%20sku").await;
    assert_validation_problem(&bad, "a malformed SKU");
    let intruder = switch(&app, Method::PUT, &sushi_staff, &burger.location_id, FRIES).await;
    assert_problem(&intruder, StatusCode::NOT_FOUND, "another merchant's location");
    let resp = app.get(&format!("/api/v1/locations/{}/sold-out", burger.location_id), Some(&sushi_staff)).await;
    assert_problem(&resp, StatusCode::NOT_FOUND, "another merchant's list");
    drop(stock);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_location_stream_carries_its_orders_parts_and_stock_and_resumes() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let staff = burger.staff.token(&app).await;
    let path = format!("/api/v1/locations/{}/events", burger.location_id);

    // The stream opens with `retry: 1000` so a browser reconnects within a second.
    let resp = app.client.get(app.url(&path)).bearer_auth(&staff).send().await.expect("open");
    assert_eq!(resp.status(), StatusCode::OK);
    let mut raw = resp.bytes_stream();
    let first =
        common::within(5, "first chunk", futures::StreamExt::next(&mut raw)).await.expect("a chunk").expect("bytes");
    assert!(String::from_utf8_lossy(&first).starts_with("retry: 1000"), "first chunk: {first:?}");
    drop(raw);

    let mut stream = app.sse(&path, Some(&staff), None).await;
    app.place_order_ok(&fx, &[sushi.line(SUSHI, 1)], &Payment::card()).await;
    let order = app.place_order_ok(&fx, &[burger.line(BURGER, 1), sushi.line(SUSHI, 1)], &Payment::card()).await;
    let created = stream.wait_for(5, "order.created", |ev| ev.event == "order.created").await;
    assert_eq!(created.json()["order_id"], order["id"], "only orders with a part here");
    let parts = created.json()["fulfillments"].as_array().cloned().expect("parts");
    assert_eq!(parts.len(), 1, "only this location's part of a shared order: {parts:?}");
    assert_eq!(parts[0]["location_id"], burger.location_id.as_str());
    assert!(created.json().get("total").is_none(), "not the order's total, which shows what others sold");
    let part = id(fulfillment_at(&order, &burger.location_id));
    app.advance(&staff, &part, &["accepted"]).await;
    app.advance(&sushi.staff.token(&app).await, &id(fulfillment_at(&order, &sushi.location_id)), &["accepted"]).await;
    let changed = stream.wait_for(5, "status change", |ev| ev.event == "fulfillment.status_changed").await;
    assert_eq!(changed.json()["fulfillment_id"], part.as_str());
    assert!(changed.json()["estimated_ready_at"].is_string(), "the change carries the estimate");
    switch(&app, Method::PUT, &staff, &burger.location_id, FRIES).await.expect(StatusCode::OK, "sold out");
    let stock = stream.wait_for(5, "sold-out stock event", |ev| ev.json()["sold_out"] == true).await;
    assert_eq!(stock.json()["location_id"], burger.location_id.as_str());
    for ev in &stream.seen {
        let data = ev.json();
        assert!(
            data["location_id"].as_str().is_none_or(|l| l == burger.location_id),
            "an event of another location leaked: {ev:?}"
        );
    }
    let last = created.id.clone().expect("events carry ids");
    drop(stream);

    let mut resumed = app.sse(&path, Some(&staff), Some(&last)).await;
    resumed.wait_for(5, "the status change replayed", |ev| ev.event == "fulfillment.status_changed").await;
    assert!(resumed.seen.iter().all(|ev| ev.event != "order.created"), "nothing before Last-Event-ID");
    drop(resumed);

    match app.open_sse(&path, Some(&sushi.staff.token(&app).await), None).await {
        Opened::Refused(status, _) => assert_eq!(status, StatusCode::NOT_FOUND, "another merchant's staff"),
        Opened::Stream(_) => panic!("another merchant's staff opened the stream"),
    }
    match app.open_sse(&path, None, None).await {
        Opened::Refused(status, _) => assert_eq!(status, StatusCode::UNAUTHORIZED),
        Opened::Stream(_) => panic!("the stream opened without a token"),
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_table_of_a_qr_order_reaches_the_queue_and_the_ticket() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let burger = fx.m(0);
    let staff = burger.staff.token(&app).await;
    let mut body = fx.order_body(&[burger.line(BURGER, 1)], &Payment::card());
    body["table"] = json!("x".repeat(21));
    let resp = app.post("/api/v1/orders", None, &body).await;
    assert_validation_problem(&resp, "a 21-character table");
    assert_eq!(resp.body["errors"][0]["field"], "table");

    body["table"] = json!(" 12 ");
    let order = app.post("/api/v1/orders", None, &body).await.expect(StatusCode::CREATED, "order from table 12");
    assert_eq!(order["table"], "12", "trimmed and kept on the order");
    let part = id(fulfillment_at(&order, &burger.location_id));
    let queue = app
        .get(&format!("/api/v1/locations/{}/queue", burger.location_id), Some(&staff))
        .await
        .expect(StatusCode::OK, "queue");
    assert_eq!(queue["items"][0]["table"], "12");
    let page = app.get(&format!("/api/v1/fulfillments/{part}/ticket"), Some(&staff)).await;
    assert!(
        page.body.as_str().is_some_and(|html| html.contains("Mesa") && html.contains("12")),
        "the ticket names the table"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kitchen_tickets_print_as_escpos_and_html() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let staff = burger.staff.token(&app).await;
    let order = app.place_order_ok(&fx, &[burger.line(BURGER, 2)], &Payment::card()).await;
    let part = id(fulfillment_at(&order, &burger.location_id));
    app.advance(&staff, &part, &["accepted"]).await;
    let number = order["number"].as_i64().expect("number").to_string();

    for width in ["58", "80"] {
        let resp = app
            .client
            .get(app.url(&format!("/api/v1/fulfillments/{part}/ticket?format=escpos&width={width}")))
            .bearer_auth(&staff)
            .send()
            .await
            .expect("ticket");
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "application/octet-stream");
        let bytes = resp.bytes().await.expect("bytes");
        assert!(bytes.starts_with(b"\x1b@"), "ESC @ first");
        assert!(bytes.windows(number.len()).any(|w| w == number.as_bytes()), "carries the order number");
        assert!(bytes.windows(16).any(|w| w == b"LO ANTES POSIBLE"), "as soon as possible");
        assert!(bytes.ends_with(b"\x1dV\x01"), "ends with a cut");
    }
    let page = app.get(&format!("/api/v1/fulfillments/{part}/ticket?width=58"), Some(&staff)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.content_type().starts_with("text/html"));
    let html = page.body.as_str().expect("html text");
    assert!(html.contains(&format!("#{number}")) && html.contains("Hamburguesa") && html.contains("@media print"));
    assert!(html.contains("Aceptado"), "the acceptance time is printed");
    assert!(!html.contains("12.990"), "no prices on a kitchen ticket");

    let bad = app.get(&format!("/api/v1/fulfillments/{part}/ticket?format=pdf"), Some(&staff)).await;
    assert_validation_problem(&bad, "format pdf");
    let bad = app.get(&format!("/api/v1/fulfillments/{part}/ticket?width=72"), Some(&staff)).await;
    assert_validation_problem(&bad, "width 72");
    let intruder = sushi.staff.token(&app).await;
    let resp = app.get(&format!("/api/v1/fulfillments/{part}/ticket"), Some(&intruder)).await;
    assert_problem(&resp, StatusCode::NOT_FOUND, "another merchant's ticket");
    let resp = app.get(&format!("/api/v1/fulfillments/{part}/ticket"), None).await;
    assert_problem(&resp, StatusCode::UNAUTHORIZED, "a ticket without a token");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_search_finds_orders_within_what_the_reader_may_see() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let admin = app.admin_token().await;
    let annex = app
        .post(
            "/api/v1/locations",
            Some(&admin),
            &json!({"merchant_id": burger.id, "site_id": fx.site_id, "name": "Burger Hub Anexo", "pay_at_pickup": false}),
        )
        .await
        .expect(StatusCode::CREATED, "second location");
    let annex_id = id(&annex);
    app.add_stock(&admin, &annex_id, BURGER, 5).await.expect(StatusCode::CREATED, "annex stock");
    let mut body = fx.order_body(&[burger.line(BURGER, 1)], &Payment::card());
    body["customer"] = json!({"name": "Bruno Díaz", "phone": "+56 9 8765 4321"});
    let bruno = app.post("/api/v1/orders", None, &body).await.expect(StatusCode::CREATED, "bruno");
    let ana = app.place_order_ok(&fx, &[burger.line(BURGER, 1)], &Payment::card()).await;
    let mut body = fx.order_body(
        &[common::Line { sku: BURGER.into(), location_id: annex_id.clone(), quantity: 1 }],
        &Payment::card(),
    );
    body["customer"]["name"] = json!("Carla 100%");
    app.post("/api/v1/orders", None, &body).await.expect(StatusCode::CREATED, "annex order");
    app.place_order_ok(&fx, &[sushi.line(SUSHI, 1)], &Payment::card()).await;

    let manager = burger.manager.token(&app).await;
    let search = |token: String, query: String| {
        let app = &app;
        let merchant = burger.id.clone();
        async move { app.get(&format!("/api/v1/merchants/{merchant}/orders?{query}"), Some(&token)).await }
    };
    let all = search(manager.clone(), String::new()).await.expect(StatusCode::OK, "all");
    assert_eq!((all["total"].as_i64(), all["limit"].as_i64(), all["offset"].as_i64()), (Some(3), Some(100), Some(0)));
    let first = &all["items"][0];
    assert_eq!(first["customer_name"], "Carla 100%", "newest first");
    assert_eq!(first["location_name"], "Burger Hub Anexo");
    for key in ["fulfillment_id", "order_id", "location_id", "channel", "status", "created_at"] {
        assert!(first[key].is_string(), "{key} in {first}");
    }
    assert_eq!((clp(&first["subtotal"]), clp(&first["refunded"])), (12990, 0));
    let by_name = search(manager.clone(), qs(&[("q", "bRuNo")])).await.expect(StatusCode::OK, "name");
    assert_eq!(by_name["items"][0]["order_id"], bruno["id"]);
    let by_phone = search(manager.clone(), qs(&[("q", "87654321")])).await.expect(StatusCode::OK, "phone");
    assert_eq!(by_phone["total"], 1);
    let by_number =
        search(manager.clone(), qs(&[("q", &format!("#{}", ana["number"]))])).await.expect(StatusCode::OK, "number");
    assert_eq!(by_number["items"][0]["order_id"], ana["id"]);
    let literal = search(manager.clone(), qs(&[("q", "0%")])).await.expect(StatusCode::OK, "percent");
    assert_eq!(literal["total"], 1, "a % matches itself");
    let placed = search(manager.clone(), qs(&[("status", "placed"), ("limit", "1"), ("offset", "1")])).await;
    let placed = placed.expect(StatusCode::OK, "status and paging");
    assert_eq!((placed["total"].as_i64(), placed["items"].as_array().map(Vec::len)), (Some(3), Some(1)));
    let today = chrono::Utc::now().date_naive();
    let window = qs(&[("from", &today.to_string()), ("to", &(today + chrono::Days::new(1)).to_string())]);
    assert_eq!(search(manager.clone(), window).await.expect(StatusCode::OK, "dates")["total"], 3);

    // Staff only see their own location; asking for another is 404.
    let staff = burger.staff.token(&app).await;
    let own = search(staff.clone(), String::new()).await.expect(StatusCode::OK, "staff");
    assert_eq!(own["total"], 2, "the annex's order is not theirs");
    let resp = search(staff.clone(), qs(&[("location_id", &annex_id)])).await;
    assert_problem(&resp, StatusCode::NOT_FOUND, "staff asking for another location");
    let resp = search(manager.clone(), qs(&[("location_id", &sushi.location_id)])).await;
    assert_problem(&resp, StatusCode::NOT_FOUND, "another merchant's location");
    let resp = search(sushi.manager.token(&app).await, String::new()).await;
    assert_problem(&resp, StatusCode::NOT_FOUND, "another merchant");

    for (query, field) in [
        (qs(&[("status", "eaten")]), "status"),
        (qs(&[("from", "yesterday")]), "from"),
        (qs(&[("from", "2026-01-02"), ("to", "2026-01-01")]), "to"),
        (qs(&[("limit", "501")]), "limit"),
        (qs(&[("q", &"x".repeat(101))]), "q"),
    ] {
        let resp = search(manager.clone(), query).await;
        assert_validation_problem(&resp, field);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_days_takings_are_grouped_by_channel() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    app.place_order_ok(&fx, &[burger.line(BURGER, 1)], &Payment::card()).await;
    let mut body = fx.order_body(&[burger.line(FRIES, 2)], &Payment::card());
    body["channel"] = json!("web");
    let web = app.post("/api/v1/orders", None, &body).await.expect(StatusCode::CREATED, "web order");
    let staff = burger.staff.token(&app).await;
    app.post(
        &format!("/api/v1/fulfillments/{}/transition", id(fulfillment_at(&web, &burger.location_id))),
        Some(&staff),
        &json!({"to": "rejected"}),
    )
    .await
    .expect(StatusCode::OK, "reject the web order");

    let manager = burger.manager.token(&app).await;
    let takings = app
        .get(&format!("/api/v1/merchants/{}/takings", burger.id), Some(&manager))
        .await
        .expect(StatusCode::OK, "today's takings");
    assert_eq!((takings["timezone"].as_str(), takings["currency"].as_str()), (Some("America/Santiago"), Some("CLP")));
    assert!(takings["date"].as_str().is_some_and(|d| d.len() == 10));
    let channels: Vec<(String, i64, i64, i64, i64)> = takings["channels"]
        .as_array()
        .expect("channels")
        .iter()
        .map(|c| {
            (
                c["channel"].as_str().unwrap().to_owned(),
                c["orders"].as_i64().unwrap(),
                clp(&c["gross"]),
                clp(&c["refunds"]),
                clp(&c["net"]),
            )
        })
        .collect();
    assert_eq!(channels, [("qr".into(), 1, 12990, 0, 12990), ("web".into(), 0, 6980, 6980, 0)]);
    let total = &takings["total"];
    assert_eq!(
        (total["orders"].as_i64(), clp(&total["gross"]), clp(&total["refunds"]), clp(&total["net"])),
        (Some(1), 19970, 6980, 12990)
    );

    let other_day = app
        .get(&format!("/api/v1/merchants/{}/takings?date=2020-01-01", burger.id), Some(&manager))
        .await
        .expect(StatusCode::OK, "another day");
    assert_eq!(other_day["channels"], json!([]));
    assert_eq!(other_day["from"], "2020-01-01T03:00:00.000Z", "the day starts at Santiago's midnight");
    let own = app
        .get(&format!("/api/v1/merchants/{}/takings", burger.id), Some(&staff))
        .await
        .expect(StatusCode::OK, "staff");
    assert_eq!(own["location_id"], burger.location_id.as_str(), "staff see their own location");
    let resp =
        app.get(&format!("/api/v1/merchants/{}/takings?location_id=someone-else", burger.id), Some(&staff)).await;
    assert_problem(&resp, StatusCode::NOT_FOUND, "staff asking for another location");
    let resp = app.get(&format!("/api/v1/merchants/{}/takings?date=01-02-2026", burger.id), Some(&manager)).await;
    assert_validation_problem(&resp, "a date not in YYYY-MM-DD");
    let resp = app.get(&format!("/api/v1/merchants/{}/takings", burger.id), Some(&sushi.staff.token(&app).await)).await;
    assert_problem(&resp, StatusCode::NOT_FOUND, "another merchant");
    app.stop().await;
}

/// Parses the settlement CSV into its rows (header first).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines().map(|line| line.split(',').map(str::to_owned).collect()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_settlement_csv_has_a_row_per_part_and_totals_equal_to_the_settlement() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let staff = burger.staff.token(&app).await;
    // Two live parts of 3 490 at 15 %: 523.5 each, so rounding each alone would charge 1 048
    // where the settlement charges 1 047; the rows must share the total's commission instead.
    let mut parts = Vec::new();
    for _ in 0..3 {
        let order = app.place_order_ok(&fx, &[burger.line(FRIES, 1)], &Payment::card()).await;
        parts.push(id(fulfillment_at(&order, &burger.location_id)));
    }
    app.advance(&staff, &parts[2], &["rejected"]).await;
    let manager = burger.manager.token(&app).await;
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/merchants/{}/settlement.csv", burger.id)))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("csv");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = resp.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert!(disposition.starts_with("attachment;") && disposition.contains(".csv"), "{disposition}");
    let text = resp.text().await.expect("text");
    let rows = csv_rows(&text);
    assert_eq!(
        rows[0],
        [
            "date",
            "order_number",
            "location",
            "channel",
            "status",
            "gross",
            "refunded",
            "merchant_funded",
            "operator_funded",
            "commission",
            "net",
            "currency"
        ]
    );
    assert_eq!(rows.len(), 1 + 3 + 1, "header, one row per part, total: {text}");
    let total = rows.last().expect("total");
    assert_eq!(total[0], "TOTAL");
    let settlement = app.settlement(&manager, &burger.id, &[]).await.expect(StatusCode::OK, "JSON settlement");
    let column = |index: usize| rows[1..4].iter().map(|row| row[index].parse::<i64>().expect("integer")).sum::<i64>();
    for (index, key) in [(5, "gross"), (6, "refunds"), (9, "commission"), (10, "net")] {
        assert_eq!(total[index].parse::<i64>().unwrap(), clp(&settlement[key]), "{key} total equals the settlement");
        assert_eq!(column(index), clp(&settlement[key]), "{key} rows add up to the total");
    }
    assert_eq!(total[11], "CLP");
    assert_eq!(rows[3][4], "rejected");
    assert!(rows[1][0].ends_with("-03:00") || rows[1][0].ends_with("-04:00"), "local time: {}", rows[1][0]);

    let resp = app.get(&format!("/api/v1/merchants/{}/settlement.csv", burger.id), Some(&staff)).await;
    assert_problem(&resp, StatusCode::FORBIDDEN, "staff do not read the settlement");
    let resp = app
        .get(&format!("/api/v1/merchants/{}/settlement.csv", burger.id), Some(&sushi.manager.token(&app).await))
        .await;
    assert_problem(&resp, StatusCode::NOT_FOUND, "another merchant's manager");
    let resp = app.get(&format!("/api/v1/merchants/{}/settlement.csv?from=soon", burger.id), Some(&manager)).await;
    assert_validation_problem(&resp, "from=soon");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn logout_ends_the_session_and_a_password_change_ends_the_others() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let staff = &fx.m(0).staff;
    let phone = app.login(&staff.email, &staff.password).await;
    let tablet = app.login(&staff.email, &staff.password).await;

    let change = |token: String, body: Value| {
        let app = &app;
        async move { app.post("/api/v1/auth/password", Some(&token), &body).await }
    };
    let short = change(tablet.clone(), json!({"current_password": staff.password, "new_password": "short"})).await;
    assert_validation_problem(&short, "a short password");
    assert_eq!(short.body["errors"][0]["field"], "new_password");
    let long =
        change(tablet.clone(), json!({"current_password": staff.password, "new_password": "x".repeat(201)})).await;
    assert_validation_problem(&long, "a 201-character password");
    let wrong =
        change(tablet.clone(), json!({"current_password": "not-it-at-all", "new_password": "brand-new-password"}))
            .await;
    assert_validation_problem(&wrong, "a wrong current password");
    assert_eq!(wrong.body["errors"][0]["field"], "current_password");
    let missing = change(tablet.clone(), json!({"new_password": "brand-new-password"})).await;
    assert_validation_problem(&missing, "no current password");

    let changed =
        change(tablet.clone(), json!({"current_password": staff.password, "new_password": "brand-new-password"})).await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{:?}", changed.body);
    assert_problem(
        &app.get("/api/v1/auth/me", Some(&phone)).await,
        StatusCode::UNAUTHORIZED,
        "the other session ended",
    );
    app.get("/api/v1/auth/me", Some(&tablet)).await.expect(StatusCode::OK, "the changing session stays");
    let old = app.post("/api/v1/auth/login", None, &json!({"email": staff.email, "password": staff.password})).await;
    assert_problem(&old, StatusCode::UNAUTHORIZED, "the old password");
    let fresh = app.login(&staff.email, "brand-new-password").await;

    let out = app.post("/api/v1/auth/logout", Some(&tablet), &Value::Null).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_problem(&app.get("/api/v1/auth/me", Some(&tablet)).await, StatusCode::UNAUTHORIZED, "logged out");
    app.get("/api/v1/auth/me", Some(&fresh)).await.expect(StatusCode::OK, "other sessions are untouched by logout");
    assert_problem(&app.post("/api/v1/auth/logout", None, &Value::Null).await, StatusCode::UNAUTHORIZED, "no token");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_console_route_is_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/openapi.json", None).await.expect(StatusCode::OK, "openapi");
    let paths = &doc["paths"];
    for (method, path) in [
        ("get", "/api/v1/locations/{id}/queue"),
        ("get", "/api/v1/locations/{id}/events"),
        ("get", "/api/v1/locations/{id}/sold-out"),
        ("put", "/api/v1/locations/{id}/sold-out/{sku}"),
        ("delete", "/api/v1/locations/{id}/sold-out/{sku}"),
        ("get", "/api/v1/fulfillments/{id}/ticket"),
        ("get", "/api/v1/merchants/{id}/orders"),
        ("get", "/api/v1/merchants/{id}/takings"),
        ("get", "/api/v1/merchants/{id}/settlement.csv"),
        ("post", "/api/v1/auth/logout"),
        ("post", "/api/v1/auth/password"),
    ] {
        assert!(
            paths[path][method].is_object(),
            "{} {path} is missing from the OpenAPI document",
            method.to_uppercase()
        );
    }
    let transition = &doc["components"]["schemas"]["TransitionBody"]["properties"];
    assert!(transition["prep_minutes"].is_object(), "the transition body documents prep_minutes");
    app.stop().await;
}
