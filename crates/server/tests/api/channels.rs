//! Channel allocation: a per-location, per-channel safety buffer that orders of that channel
//! cannot reserve into (409 naming the SKU) while other channels sell everything; the
//! available-to-promise view that applies it; a channel switched off at a location (orders
//! 422 naming `channel`, the channel's menu leaves the location out); and the refusals of
//! `PUT /locations/{id}/channels/{channel}` (bad input 422, staff 403, another merchant 404).

use crate::common;

use common::fixture::{BURGER, FRIES, SUSHI};
use common::{Fixture, Line, Payment, Resp, TestApp, assert_validation_problem, qs};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// `PUT /api/v1/locations/{location}/channels/{channel}` with a JSON body.
async fn put_channel(app: &TestApp, token: &str, location_id: &str, channel: &str, body: &Value) -> Resp {
    let path = format!("/api/v1/locations/{location_id}/channels/{channel}");
    app.send(Method::PUT, &path, Some(token), common::Body::Json(body.clone()), &[]).await
}

/// Sets an allocation that must be accepted, and checks the answer echoes it.
async fn set_channel(app: &TestApp, token: &str, location_id: &str, channel: &str, buffer: i64, enabled: bool) {
    let body = put_channel(app, token, location_id, channel, &json!({"safety_buffer": buffer, "enabled": enabled}))
        .await
        .expect(StatusCode::OK, &format!("PUT channel {channel} at {location_id}"));
    assert_eq!(body["location_id"], location_id, "allocation location: {body}");
    assert_eq!(body["channel"], channel, "allocation channel: {body}");
    assert_eq!(body["safety_buffer"], buffer, "allocation buffer: {body}");
    assert_eq!(body["enabled"], enabled, "allocation switch: {body}");
    assert!(body["updated_at"].is_string(), "allocation updated_at: {body}");
}

/// `POST /api/v1/orders` through `channel`, paid by card.
async fn order_via(app: &TestApp, fx: &Fixture, channel: &str, lines: &[Line]) -> Resp {
    let mut body = fx.order_body(lines, &Payment::card());
    body["channel"] = json!(channel);
    app.post("/api/v1/orders", None, &body).await
}

/// `GET /api/v1/availability` for one SKU and channel (must be 200).
async fn availability(app: &TestApp, token: &str, site_id: &str, sku: &str, channel: &str) -> Value {
    let path = format!("/api/v1/availability?{}", qs(&[("site_id", site_id), ("sku", sku), ("channel", channel)]));
    app.get(&path, Some(token)).await.expect(StatusCode::OK, &format!("availability of {sku} for {channel}"))
}

/// The entry of `location_id` in an availability answer.
#[track_caller]
fn at_location<'a>(view: &'a Value, location_id: &str) -> &'a Value {
    view["locations"]
        .as_array()
        .unwrap_or_else(|| panic!("availability needs a locations array: {view}"))
        .iter()
        .find(|l| l["location_id"] == location_id)
        .unwrap_or_else(|| panic!("location {location_id} missing from availability {view}"))
}

/// Location ids of the site menu for `channel` (public).
async fn menu_locations(app: &TestApp, site_id: &str, channel: &str) -> Vec<String> {
    let path = format!("/api/v1/sites/{site_id}/menu?{}", qs(&[("channel", channel)]));
    let menu = app.get(&path, None).await.expect(StatusCode::OK, &format!("menu for {channel}"));
    menu["locations"]
        .as_array()
        .unwrap_or_else(|| panic!("menu needs a locations array: {menu}"))
        .iter()
        .map(|l| l["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// `available_quantity` of a SKU in a menu.
fn menu_quantity(menu: &Value, sku: &str) -> Option<i64> {
    menu["locations"]
        .as_array()?
        .iter()
        .flat_map(|l| l["products"].as_array().into_iter().flatten())
        .flat_map(|p| p["variants"].as_array().into_iter().flatten())
        .find(|v| v["sku"] == sku)
        .and_then(|v| v["available_quantity"].as_i64())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_safety_buffer_holds_units_back_from_its_channel_only() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let manager = m.manager.token(&app).await;

    // Before any allocation every channel may promise everything available.
    let web = availability(&app, &admin, &fx.site_id, BURGER, "web").await;
    assert_eq!(at_location(&web, &m.location_id)["available_to_promise"], 20, "no buffer yet: {web}");

    set_channel(&app, &manager, &m.location_id, "web", 18, true).await;
    let listed = app
        .get(&format!("/api/v1/locations/{}/channels", m.location_id), Some(&manager))
        .await
        .expect(StatusCode::OK, "list allocations");
    let listed = listed.as_array().unwrap_or_else(|| panic!("allocations must be an array: {listed}"));
    assert_eq!(listed.len(), 1, "one allocation: {listed:?}");
    assert_eq!((listed[0]["channel"].clone(), listed[0]["safety_buffer"].clone()), (json!("web"), json!(18)));

    let web = availability(&app, &admin, &fx.site_id, BURGER, "web").await;
    assert_eq!(web["site_id"], fx.site_id.as_str());
    assert_eq!(web["sku"], BURGER);
    assert_eq!(web["channel"], "web");
    let here = at_location(&web, &m.location_id);
    assert_eq!(
        (here["available"].as_i64(), here["safety_buffer"].as_i64(), here["enabled"].as_bool()),
        (Some(20), Some(18), Some(true)),
        "{here}"
    );
    assert_eq!(here["available_to_promise"], 2, "20 available − 18 kept back: {web}");
    assert_eq!(web["available_to_promise"], 2, "the site total is the sum over its locations: {web}");
    let web_menu = app
        .get(&format!("/api/v1/sites/{}/menu?channel=web", fx.site_id), None)
        .await
        .expect(StatusCode::OK, "web menu");
    assert_eq!(menu_quantity(&web_menu, BURGER), Some(2), "the web menu applies the buffer: {web_menu}");

    // Web may reserve only while available − 18 ≥ quantity.
    let refused = order_via(&app, &fx, "web", &[m.line(BURGER, 3)])
        .await
        .expect_problem(StatusCode::CONFLICT, "a web order of 3 eats into the buffer");
    assert_eq!(refused["sku"], BURGER, "the 409 names the SKU: {refused}");
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (20, 0, 20), "nothing reserved");

    order_via(&app, &fx, "web", &[m.line(BURGER, 2)]).await.expect(StatusCode::CREATED, "a web order of 2 fits");
    order_via(&app, &fx, "pos", &[m.line(BURGER, 3)])
        .await
        .expect(StatusCode::CREATED, "pos has no buffer and may sell into it");
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (20, 5, 15));
    order_via(&app, &fx, "web", &[m.line(BURGER, 1)])
        .await
        .expect_problem(StatusCode::CONFLICT, "web has used up its share");

    // Available to promise = max(0, available − buffer) for web; everything for pos.
    let web = availability(&app, &admin, &fx.site_id, BURGER, "web").await;
    let here = at_location(&web, &m.location_id);
    assert_eq!((here["available"].as_i64(), here["available_to_promise"].as_i64()), (Some(15), Some(0)), "{web}");
    assert_eq!(web["available_to_promise"], 0, "never negative: {web}");
    let pos = availability(&app, &admin, &fx.site_id, BURGER, "pos").await;
    let here = at_location(&pos, &m.location_id);
    assert_eq!((here["safety_buffer"].as_i64(), here["available_to_promise"].as_i64()), (Some(0), Some(15)), "{pos}");

    // The buffer is per SKU level: another SKU of the same location has its own 20 available.
    let fries = availability(&app, &admin, &fx.site_id, FRIES, "web").await;
    assert_eq!(at_location(&fries, &m.location_id)["available_to_promise"], 2, "{fries}");

    // Lowering the buffer frees units for web at once.
    set_channel(&app, &manager, &m.location_id, "web", 10, true).await;
    let web = availability(&app, &admin, &fx.site_id, BURGER, "web").await;
    assert_eq!(web["available_to_promise"], 5, "15 − 10: {web}");
    order_via(&app, &fx, "web", &[m.line(BURGER, 5)])
        .await
        .expect(StatusCode::CREATED, "web order of 5 after lowering");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_channel_switched_off_refuses_orders_and_leaves_the_menu() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let (burger, sushi) = (fx.m(0), fx.m(1));

    set_channel(&app, &admin, &burger.location_id, "qr", 0, false).await;

    let refused = order_via(&app, &fx, "qr", &[burger.line(BURGER, 1)]).await;
    assert_validation_problem(&refused, "a qr order at a location closed to qr");
    let errors = refused.body["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["field"] == "channel"), "the 422 names `channel`: {}", refused.body);
    // A cart that also touches an open location is refused as a whole.
    let mixed = order_via(&app, &fx, "qr", &[sushi.line(SUSHI, 1), burger.line(BURGER, 1)]).await;
    assert_validation_problem(&mixed, "a qr cart with a line at the closed location");
    assert_eq!(
        app.stock_level(&admin, &sushi.location_id, SUSHI).await.triple(),
        (20, 0, 20),
        "the refused cart reserved nothing"
    );

    let qr_menu = menu_locations(&app, &fx.site_id, "qr").await;
    assert!(!qr_menu.contains(&burger.location_id), "the qr menu leaves the closed location out: {qr_menu:?}");
    assert!(qr_menu.contains(&sushi.location_id), "other locations stay on the qr menu: {qr_menu:?}");
    let default_menu = app
        .get(&format!("/api/v1/sites/{}/menu", fx.site_id), None)
        .await
        .expect(StatusCode::OK, "menu without a channel (qr by default)");
    let default_ids: Vec<&str> =
        default_menu["locations"].as_array().unwrap().iter().filter_map(|l| l["id"].as_str()).collect();
    assert!(!default_ids.contains(&burger.location_id.as_str()), "the default menu is qr's: {default_ids:?}");
    let web_menu = menu_locations(&app, &fx.site_id, "web").await;
    assert!(web_menu.contains(&burger.location_id), "the web menu still lists it: {web_menu:?}");

    let qr = availability(&app, &admin, &fx.site_id, BURGER, "qr").await;
    let here = at_location(&qr, &burger.location_id);
    assert_eq!((here["enabled"].as_bool(), here["available_to_promise"].as_i64()), (Some(false), Some(0)), "{qr}");

    order_via(&app, &fx, "web", &[burger.line(BURGER, 1)]).await.expect(StatusCode::CREATED, "web still sells there");
    order_via(&app, &fx, "qr", &[sushi.line(SUSHI, 1)]).await.expect(StatusCode::CREATED, "qr still sells elsewhere");

    // Switching it back on restores qr.
    set_channel(&app, &admin, &burger.location_id, "qr", 0, true).await;
    order_via(&app, &fx, "qr", &[burger.line(BURGER, 1)]).await.expect(StatusCode::CREATED, "qr back on");
    assert!(menu_locations(&app, &fx.site_id, "qr").await.contains(&burger.location_id), "back on the qr menu");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn allocation_refuses_bad_input_staff_and_other_merchants() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(0).build(&app).await;
    let admin = app.admin_token().await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let manager = burger.manager.token(&app).await;
    let loc = &burger.location_id;

    let bad: [(&str, Value, &str); 7] = [
        ("web", json!({"safety_buffer": -1, "enabled": true}), "a negative buffer"),
        ("web", json!({"safety_buffer": 1_000_001, "enabled": true}), "a buffer above the limit"),
        ("fax", json!({"safety_buffer": 0, "enabled": true}), "an unknown channel"),
        ("shop:", json!({"safety_buffer": 0, "enabled": true}), "a shop channel without a connector"),
        ("WEB", json!({"safety_buffer": 0, "enabled": true}), "a channel in capitals"),
        ("web", json!({"safety_buffer": 1}), "a missing `enabled`"),
        ("web", json!({"safety_buffer": "5", "enabled": true}), "a buffer that is a string"),
    ];
    for (channel, body, what) in bad {
        let resp = put_channel(&app, &manager, loc, channel, &body).await;
        assert_validation_problem(&resp, what);
    }
    let resp = put_channel(&app, &manager, loc, "fax", &json!({"safety_buffer": 0, "enabled": true})).await;
    assert!(
        resp.body["errors"].as_array().unwrap().iter().any(|e| e["field"] == "channel"),
        "an unknown channel is reported on `channel`: {}",
        resp.body
    );
    let resp = put_channel(&app, &manager, loc, "web", &json!({"safety_buffer": -1, "enabled": true})).await;
    assert!(
        resp.body["errors"].as_array().unwrap().iter().any(|e| e["field"] == "safety_buffer"),
        "a negative buffer is reported on `safety_buffer`: {}",
        resp.body
    );
    let list = app.get(&format!("/api/v1/locations/{loc}/channels"), Some(&admin)).await.expect(StatusCode::OK, "list");
    assert_eq!(list, json!([]), "nothing was stored by the refused requests");

    // A shop connector channel is a valid name.
    set_channel(&app, &manager, loc, "shop:mercado-libre", 2, true).await;

    // Staff may read their location's allocations but not change them.
    let staff = burger.staff.token(&app).await;
    put_channel(&app, &staff, loc, "web", &json!({"safety_buffer": 1, "enabled": true}))
        .await
        .expect_problem(StatusCode::FORBIDDEN, "staff change an allocation");

    // Another merchant's manager and staff cannot see the location at all.
    let other_manager = sushi.manager.token(&app).await;
    let other_staff = sushi.staff.token(&app).await;
    for (token, who) in [(&other_manager, "another merchant's manager"), (&other_staff, "another merchant's staff")] {
        put_channel(&app, token, loc, "web", &json!({"safety_buffer": 1, "enabled": false}))
            .await
            .expect_problem(StatusCode::NOT_FOUND, &format!("{who} sets an allocation"));
        app.get(&format!("/api/v1/locations/{loc}/channels"), Some(token))
            .await
            .expect_problem(StatusCode::NOT_FOUND, &format!("{who} lists allocations"));
    }
    put_channel(&app, &admin, "loc_does_not_exist", "web", &json!({"safety_buffer": 1, "enabled": true}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "an unknown location");
    put_channel(&app, "", loc, "web", &json!({"safety_buffer": 1, "enabled": true}))
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "no token");

    let list = app.get(&format!("/api/v1/locations/{loc}/channels"), Some(&staff)).await.expect(StatusCode::OK, "list");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "only the accepted allocation is stored: {list}");
    assert_eq!(list[0]["channel"], "shop:mercado-libre");

    // Availability: bad channel 422, unknown site 404, no token 401.
    let path = format!("/api/v1/availability?{}", qs(&[("site_id", &fx.site_id), ("sku", BURGER), ("channel", "fax")]));
    assert_validation_problem(&app.get(&path, Some(&admin)).await, "availability for an unknown channel");
    let path = format!("/api/v1/availability?{}", qs(&[("site_id", "site_nope"), ("sku", BURGER)]));
    app.get(&path, Some(&admin)).await.expect_problem(StatusCode::NOT_FOUND, "availability at an unknown site");
    let path = format!("/api/v1/availability?{}", qs(&[("sku", BURGER)]));
    assert_validation_problem(&app.get(&path, Some(&admin)).await, "availability without a site");
    let path = format!("/api/v1/availability?{}", qs(&[("site_id", &fx.site_id), ("sku", BURGER)]));
    app.get(&path, None).await.expect_problem(StatusCode::UNAUTHORIZED, "availability without a token");

    // Another merchant's manager does not see the burger location in the availability answer.
    let seen = app.get(&path, Some(&other_manager)).await.expect(StatusCode::OK, "availability as another merchant");
    assert_eq!(seen["locations"], json!([]), "{seen}");
    assert_eq!(seen["channel"], "web", "the channel defaults to web: {seen}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_channel_hold_time_stamps_the_part_until_the_merchant_accepts() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let burger = fx.merchant_of(BURGER);
    let manager = burger.manager.token(&app).await;
    let body = json!({"safety_buffer": 0, "enabled": true, "hold_minutes": 15});
    let saved =
        put_channel(&app, &manager, &burger.location_id, "web", &body).await.expect(StatusCode::OK, "hold time");
    assert_eq!(saved["hold_minutes"], 15, "{saved}");
    for bad in [0, -5, 7 * 24 * 60 + 1] {
        let body = json!({"safety_buffer": 0, "enabled": true, "hold_minutes": bad});
        let refused = put_channel(&app, &manager, &burger.location_id, "web", &body).await;
        assert_validation_problem(&refused, &format!("hold_minutes {bad}"));
    }

    let before = chrono::Utc::now();
    let order = order_via(&app, &fx, "web", &[fx.line(BURGER, 1)]).await.expect(StatusCode::CREATED, "web order");
    let part = &order["fulfillments"][0];
    let deadline = chrono::DateTime::parse_from_rfc3339(part["hold_expires_at"].as_str().expect("a hold deadline"))
        .expect("RFC 3339");
    let minutes = (deadline.with_timezone(&chrono::Utc) - before).num_seconds() as f64 / 60.0;
    assert!((14.9..=15.1).contains(&minutes), "the hold lasts 15 minutes, got {minutes}");
    let qr = order_via(&app, &fx, "qr", &[fx.line(BURGER, 1)]).await.expect(StatusCode::CREATED, "qr order");
    assert!(qr["fulfillments"][0]["hold_expires_at"].is_null(), "no hold time for qr: {qr}");

    let staff = burger.staff.token(&app).await;
    let part_id = part["id"].as_str().expect("part id");
    let accepted = app.transition(&staff, part_id, "accepted", None).await.expect(StatusCode::OK, "accept");
    assert!(accepted["hold_expires_at"].is_null(), "accepting ends the time limit: {accepted}");
}
