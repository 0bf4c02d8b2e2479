//! Stock operations beyond receipts: counts (on-hand set to the counted figure, the
//! difference reported and recorded; never below what is reserved), transfers between two
//! locations of one merchant (out at once, in on receipt, exactly once), and the movement
//! history of a location (reasons, deltas, references, newest first, paginated, isolated).

use crate::common;

use std::time::Duration;

use common::fixture::{BURGER, BURGER_DOUBLE, FRIES, SUSHI, TEA, id_of};
use common::{Fixture, Payment, Resp, TestApp, assert_validation_problem, fulfillment_at, id, qs};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Creates another location of merchant `i` at the fixture's site (as admin).
async fn second_location(app: &TestApp, fx: &Fixture, i: usize) -> String {
    let admin = app.admin_token().await;
    let m = fx.m(i);
    let body = app
        .post(
            "/api/v1/locations",
            Some(&admin),
            &json!({
                "merchant_id": m.id,
                "site_id": fx.site_id,
                "name": format!("{} Bodega", m.name),
                "pay_at_pickup": false,
            }),
        )
        .await
        .expect(StatusCode::CREATED, "create a second location");
    id_of(&body, "location")
}

/// Creates a staff user of merchant `i` at `location_id` (as admin) and logs in.
async fn staff_at(app: &TestApp, fx: &Fixture, i: usize, location_id: &str) -> String {
    let admin = app.admin_token().await;
    let email = format!("staff-{}@bodega.test", common::random_hex());
    let password = format!("pw-{}", common::random_hex());
    app.post(
        "/api/v1/users",
        Some(&admin),
        &json!({
            "email": email,
            "password": password,
            "role": "staff",
            "merchant_id": fx.m(i).id,
            "location_id": location_id,
        }),
    )
    .await
    .expect(StatusCode::CREATED, "create a staff user at the second location");
    app.login(&email, &password).await
}

/// `POST /api/v1/stock/counts`.
async fn count(app: &TestApp, token: &str, location_id: &str, sku: &str, counted: i64) -> Resp {
    app.post("/api/v1/stock/counts", Some(token), &json!({"sku": sku, "location_id": location_id, "counted": counted}))
        .await
}

/// `POST /api/v1/stock/transfers`.
async fn transfer(app: &TestApp, token: &str, sku: &str, from: &str, to: &str, quantity: i64) -> Resp {
    app.post(
        "/api/v1/stock/transfers",
        Some(token),
        &json!({"sku": sku, "from_location_id": from, "to_location_id": to, "quantity": quantity}),
    )
    .await
}

/// `POST /api/v1/stock/transfers/{id}/receive`.
async fn receive(app: &TestApp, token: &str, transfer_id: &str) -> Resp {
    app.post(&format!("/api/v1/stock/transfers/{transfer_id}/receive"), Some(token), &json!({})).await
}

/// `GET /api/v1/stock/movements?location_id=&…`.
async fn movements(app: &TestApp, token: &str, location_id: &str, extra: &[(&str, &str)]) -> Resp {
    let mut params = vec![("location_id", location_id)];
    params.extend_from_slice(extra);
    app.get(&format!("/api/v1/stock/movements?{}", qs(&params)), Some(token)).await
}

/// The movement list (must be 200 and an array).
async fn movement_list(app: &TestApp, token: &str, location_id: &str, extra: &[(&str, &str)]) -> Vec<Value> {
    let list = movements(app, token, location_id, extra).await.expect(StatusCode::OK, "list movements");
    list.as_array().unwrap_or_else(|| panic!("movements must be an array, got {list}")).clone()
}

/// `(reason, delta)` of each movement.
fn reasons_and_deltas(list: &[Value]) -> Vec<(String, i64)> {
    list.iter()
        .map(|m| (m["reason"].as_str().unwrap_or_default().to_owned(), m["delta"].as_i64().unwrap_or(i64::MIN)))
        .collect()
}

/// Movements are stamped in milliseconds; keep steps whose order is asserted in distinct ones.
async fn tick() {
    tokio::time::sleep(Duration::from_millis(5)).await;
}

/// The only stock row of `sku` at `location_id`, or `None` when the location has no row for it.
async fn level_or_none(app: &TestApp, token: &str, location_id: &str, sku: &str) -> Option<(i64, i64, i64)> {
    let rows = app
        .get(&format!("/api/v1/stock?{}", qs(&[("location_id", location_id), ("sku", sku)])), Some(token))
        .await
        .expect(StatusCode::OK, "GET stock");
    let rows = rows.as_array().unwrap_or_else(|| panic!("stock must be an array: {rows}")).clone();
    assert!(rows.len() <= 1, "at most one row per location and sku: {rows:?}");
    rows.first().map(|r| common::StockLevel::from_json(r).triple())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_count_sets_on_hand_and_reports_the_difference() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let staff = m.staff.token(&app).await;

    // 20 received, 17 found on the shelf.
    let counted = count(&app, &staff, &m.location_id, BURGER, 17).await.expect(StatusCode::CREATED, "count 17");
    assert_eq!(counted["difference"], -3, "17 counted − 20 on hand: {counted}");
    let level = common::StockLevel::from_json(&counted["level"]);
    assert_eq!((level.sku.as_str(), level.location_id.as_str()), (BURGER, m.location_id.as_str()), "{counted}");
    assert_eq!(level.triple(), (17, 0, 17), "{counted}");
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (17, 0, 17));

    // Found more than recorded; counting the same figure again is a difference of 0.
    tick().await;
    let up = count(&app, &staff, &m.location_id, BURGER, 25).await.expect(StatusCode::CREATED, "count 25");
    assert_eq!(up["difference"], 8, "{up}");
    tick().await;
    let same = count(&app, &staff, &m.location_id, BURGER, 25).await.expect(StatusCode::CREATED, "count 25 again");
    assert_eq!(same["difference"], 0, "{same}");
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (25, 0, 25));

    // An order reserves 4; a count below 4 is refused and changes nothing.
    let order = app.place_order_ok(&fx, &[m.line(BURGER, 4)], &Payment::card()).await;
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (25, 4, 21));
    let history_before = movement_list(&app, &admin, &m.location_id, &[("sku", BURGER)]).await;
    for below in [3, 0] {
        count(&app, &staff, &m.location_id, BURGER, below)
            .await
            .expect_problem(StatusCode::CONFLICT, &format!("count {below} below the 4 reserved"));
    }
    assert_eq!(
        app.stock_level(&admin, &m.location_id, BURGER).await.triple(),
        (25, 4, 21),
        "the refusal changed nothing"
    );
    assert_eq!(
        movement_list(&app, &admin, &m.location_id, &[("sku", BURGER)]).await,
        history_before,
        "a refused count records no movement"
    );
    // Exactly the reserved figure is allowed.
    tick().await;
    let exact = count(&app, &staff, &m.location_id, BURGER, 4).await.expect(StatusCode::CREATED, "count = reserved");
    assert_eq!(exact["difference"], -21, "{exact}");
    assert_eq!(common::StockLevel::from_json(&exact["level"]).triple(), (4, 4, 0));

    // The history lists the counts with reason "count", the user and the signed difference.
    let history = movement_list(&app, &admin, &m.location_id, &[("sku", BURGER)]).await;
    let counts: Vec<&Value> = history.iter().filter(|mv| mv["reason"] == "count").collect();
    let deltas: Vec<i64> = counts.iter().map(|mv| mv["delta"].as_i64().unwrap()).collect();
    assert_eq!(deltas, vec![-21, 0, 8, -3], "count movements newest first: {history:?}");
    for mv in &counts {
        assert_eq!(mv["sku"], BURGER);
        assert_eq!(mv["location_id"], m.location_id.as_str());
        assert_eq!(mv["created_by"], m.staff.id.as_str(), "the counting user is recorded: {mv}");
        assert!(mv["id"].is_string() && mv["created_at"].is_string(), "{mv}");
    }

    // The order can still be collected from the counted stock.
    let f = fulfillment_at(&order, &m.location_id);
    app.fulfil(&staff, f).await;
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (0, 0, 0));

    // A count for a SKU never received before creates its level.
    let manager = m.manager.token(&app).await;
    let loc2 = second_location(&app, &fx, 0).await;
    assert_eq!(level_or_none(&app, &admin, &loc2, FRIES).await, None, "nothing at the new location yet");
    let first = count(&app, &manager, &loc2, FRIES, 6).await.expect(StatusCode::CREATED, "first count at loc2");
    assert_eq!(first["difference"], 6, "{first}");
    assert_eq!(level_or_none(&app, &admin, &loc2, FRIES).await, Some((6, 0, 6)));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_count_refuses_bad_input_and_foreign_locations() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let staff = burger.staff.token(&app).await;
    let loc = burger.location_id.as_str();

    let cases: [(&str, Value, &str, &str); 8] = [
        ("negative counted", json!({"sku": BURGER, "location_id": loc, "counted": -1}), "counted", ""),
        ("counted above the limit", json!({"sku": BURGER, "location_id": loc, "counted": 10_000_001}), "counted", ""),
        ("unknown sku", json!({"sku": "NOPE-1", "location_id": loc, "counted": 1}), "sku", ""),
        ("another merchant's sku", json!({"sku": SUSHI, "location_id": loc, "counted": 1}), "sku", ""),
        ("untracked sku", json!({"sku": TEA, "location_id": sushi.location_id, "counted": 1}), "sku", "sushi"),
        ("malformed sku", json!({"sku": "", "location_id": loc, "counted": 1}), "sku", ""),
        ("unknown location", json!({"sku": BURGER, "location_id": "loc_nope", "counted": 1}), "location_id", ""),
        ("counted not an integer", json!({"sku": BURGER, "location_id": loc, "counted": 1.5}), "", ""),
    ];
    let sushi_manager = sushi.manager.token(&app).await;
    for (what, body, field, who) in cases {
        let token = if who == "sushi" { &sushi_manager } else { &staff };
        let resp = app.post("/api/v1/stock/counts", Some(token), &body).await;
        assert_validation_problem(&resp, what);
        if !field.is_empty() {
            let errors = resp.body["errors"].as_array().unwrap();
            assert!(
                errors.iter().any(|e| e["field"] == field),
                "{what}: expected an error on `{field}`: {}",
                resp.body
            );
        }
    }

    // Another merchant's staff and manager: the location does not exist for them.
    for (token, who) in [(sushi.staff.token(&app).await, "sushi staff"), (sushi_manager.clone(), "sushi manager")] {
        let resp = count(&app, &token, loc, BURGER, 1).await;
        assert_validation_problem(&resp, &format!("{who} counts at the burger location"));
    }
    count(&app, "", loc, BURGER, 1).await.expect_problem(StatusCode::UNAUTHORIZED, "count without a token");
    assert_eq!(app.stock_level(&admin, loc, BURGER).await.triple(), (20, 0, 20), "no refusal changed the stock");
    let counts: Vec<Value> =
        movement_list(&app, &admin, loc, &[]).await.into_iter().filter(|mv| mv["reason"] == "count").collect();
    assert!(counts.is_empty(), "no count movement was recorded: {counts:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_transfer_leaves_at_once_and_arrives_on_receipt_exactly_once() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let manager = burger.manager.token(&app).await;
    let (a, b) = (burger.location_id.clone(), second_location(&app, &fx, 0).await);
    app.add_stock(&admin, &b, BURGER, 3).await.expect(StatusCode::CREATED, "3 burgers already at b");

    let sent = transfer(&app, &manager, BURGER, &a, &b, 5).await.expect(StatusCode::CREATED, "send 5 from a to b");
    let tid = id(&sent);
    assert_eq!(sent["sku"], BURGER);
    assert_eq!(sent["from_location_id"], a.as_str());
    assert_eq!(sent["to_location_id"], b.as_str());
    assert_eq!(sent["quantity"], 5);
    assert_eq!(sent["status"], "in_transit");
    assert!(sent["created_at"].is_string(), "{sent}");
    assert!(sent["received_at"].is_null(), "not received yet: {sent}");

    assert_eq!(app.stock_level(&admin, &a, BURGER).await.triple(), (15, 0, 15), "the source drops at once");
    assert_eq!(app.stock_level(&admin, &b, BURGER).await.triple(), (3, 0, 3), "the destination waits for receipt");
    let out = movement_list(&app, &admin, &a, &[("sku", BURGER)]).await;
    assert_eq!(out[0]["reason"], "transfer_out", "{out:?}");
    assert_eq!(out[0]["delta"], -5);
    assert_eq!(out[0]["reference"], tid.as_str(), "the movement references the transfer: {:?}", out[0]);
    assert_eq!(out[0]["created_by"], burger.manager.id.as_str());
    let in_transit = app
        .get(&format!("/api/v1/stock/transfers/{tid}"), Some(&manager))
        .await
        .expect(StatusCode::OK, "get the transfer");
    assert_eq!(in_transit["status"], "in_transit");

    // Someone else's staff cannot receive it (404), nor can the source location's staff.
    let sushi_staff = sushi.staff.token(&app).await;
    receive(&app, &sushi_staff, &tid).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's staff receives");
    let sushi_manager = sushi.manager.token(&app).await;
    receive(&app, &sushi_manager, &tid)
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's manager receives");
    app.get(&format!("/api/v1/stock/transfers/{tid}"), Some(&sushi_manager))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's manager reads the transfer");
    let burger_staff = burger.staff.token(&app).await;
    receive(&app, &burger_staff, &tid)
        .await
        .expect_problem(StatusCode::NOT_FOUND, "staff of the source location (not the destination) receives");
    receive(&app, &manager, "trf_does_not_exist").await.expect_problem(StatusCode::NOT_FOUND, "an unknown transfer");
    assert_eq!(app.stock_level(&admin, &b, BURGER).await.triple(), (3, 0, 3), "the refusals changed nothing");

    // The destination's own staff receive it.
    let b_staff = staff_at(&app, &fx, 0, &b).await;
    let received = receive(&app, &b_staff, &tid).await.expect(StatusCode::OK, "staff of b receive at b");
    assert_eq!(received["id"], tid.as_str());
    assert_eq!(received["status"], "received");
    assert!(received["received_at"].is_string(), "{received}");
    assert_eq!(app.stock_level(&admin, &b, BURGER).await.triple(), (8, 0, 8), "the destination rises on receipt");
    assert_eq!(app.stock_level(&admin, &a, BURGER).await.triple(), (15, 0, 15), "the source is not touched again");
    let into = movement_list(&app, &admin, &b, &[("sku", BURGER)]).await;
    assert_eq!(reasons_and_deltas(&into), vec![("transfer_in".into(), 5), ("receipt".into(), 3)], "{into:?}");
    assert_eq!(into[0]["reference"], tid.as_str());

    receive(&app, &manager, &tid).await.expect_problem(StatusCode::CONFLICT, "receive twice");
    receive(&app, &admin, &tid).await.expect_problem(StatusCode::CONFLICT, "receive twice, as admin");
    assert_eq!(app.stock_level(&admin, &b, BURGER).await.triple(), (8, 0, 8), "received exactly once");
    let after = app
        .get(&format!("/api/v1/stock/transfers/{tid}"), Some(&admin))
        .await
        .expect(StatusCode::OK, "get the received transfer");
    assert_eq!(after["status"], "received");
    assert_eq!(after["received_at"], received["received_at"]);

    // A transfer to a location with no row for the SKU creates it on receipt; admins may send.
    let to_new = transfer(&app, &admin, BURGER_DOUBLE, &a, &b, 2).await.expect(StatusCode::CREATED, "admin sends");
    assert_eq!(level_or_none(&app, &admin, &b, BURGER_DOUBLE).await.map(|l| l.0).unwrap_or(0), 0, "nothing before");
    receive(&app, &admin, &id(&to_new)).await.expect(StatusCode::OK, "admin receives");
    assert_eq!(level_or_none(&app, &admin, &b, BURGER_DOUBLE).await, Some((2, 0, 2)));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_transfer_refuses_bad_routes_and_short_stock() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let manager = burger.manager.token(&app).await;
    let (a, b) = (burger.location_id.clone(), second_location(&app, &fx, 0).await);
    let foreign = sushi.location_id.clone();

    // Same location, another merchant's location (as its manager and as admin), unknown ones.
    let field_of = |resp: &Resp| -> Vec<String> {
        resp.body["errors"]
            .as_array()
            .map(|e| e.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let same = transfer(&app, &manager, BURGER, &a, &a, 1).await;
    assert_validation_problem(&same, "a transfer to the same location");
    assert!(field_of(&same).contains(&"to_location_id".to_owned()), "{}", same.body);
    for token in [&manager, &admin] {
        let resp = transfer(&app, token, BURGER, &a, &foreign, 1).await;
        assert_validation_problem(&resp, "a transfer to another merchant's location");
        assert!(field_of(&resp).contains(&"to_location_id".to_owned()), "{}", resp.body);
    }
    let resp = transfer(&app, &manager, BURGER, &foreign, &a, 1).await;
    assert_validation_problem(&resp, "a transfer from another merchant's location");
    let resp = transfer(&app, &manager, BURGER, &a, "loc_nope", 1).await;
    assert_validation_problem(&resp, "a transfer to an unknown location");
    for (quantity, what) in [(0, "zero units"), (-2, "negative units"), (10_000, "10000 units")] {
        let resp = transfer(&app, &manager, BURGER, &a, &b, quantity).await;
        assert_validation_problem(&resp, what);
        assert!(field_of(&resp).contains(&"quantity".to_owned()), "{what}: {}", resp.body);
    }
    let resp = transfer(&app, &manager, SUSHI, &a, &b, 1).await;
    assert_validation_problem(&resp, "another merchant's sku");
    let resp = transfer(&app, &admin, TEA, &foreign, &foreign, 1).await;
    assert_validation_problem(&resp, "an untracked sku to the same location");
    transfer(&app, &burger.staff.token(&app).await, BURGER, &a, &b, 1)
        .await
        .expect_problem(StatusCode::FORBIDDEN, "staff send a transfer");

    // More than available at the source: 409 naming the SKU, nothing moves.
    let short = transfer(&app, &manager, BURGER, &a, &b, 21).await.expect_problem(StatusCode::CONFLICT, "21 of 20");
    assert_eq!(short["sku"], BURGER, "the 409 names the SKU: {short}");
    // Reserved units are not available to send.
    app.place_order_ok(&fx, &[burger.line(BURGER, 15)], &Payment::card()).await;
    let short = transfer(&app, &manager, BURGER, &a, &b, 6).await.expect_problem(StatusCode::CONFLICT, "6 of 5 free");
    assert_eq!(short["sku"], BURGER, "{short}");
    let short = transfer(&app, &manager, BURGER, &b, &a, 1).await.expect_problem(StatusCode::CONFLICT, "none at b");
    assert_eq!(short["sku"], BURGER, "{short}");
    assert_eq!(app.stock_level(&admin, &a, BURGER).await.triple(), (20, 15, 5), "nothing left the source");
    assert!(
        level_or_none(&app, &admin, &b, BURGER).await.is_none_or(|l| l == (0, 0, 0)),
        "nothing reached the destination"
    );
    let out: Vec<Value> =
        movement_list(&app, &admin, &a, &[]).await.into_iter().filter(|mv| mv["reason"] == "transfer_out").collect();
    assert!(out.is_empty(), "no transfer_out was recorded: {out:?}");
    transfer(&app, &manager, BURGER, &a, &b, 5).await.expect(StatusCode::CREATED, "exactly what is free");
    assert_eq!(app.stock_level(&admin, &a, BURGER).await.triple(), (15, 15, 0));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_movement_history_lists_every_change_newest_first() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let manager = burger.manager.token(&app).await;
    let staff = burger.staff.token(&app).await;
    let loc = burger.location_id.clone();
    let loc2 = second_location(&app, &fx, 0).await;
    tick().await;

    // receipt (fixture, 20) → sale of 2 through qr → count to 15 → transfer of 4 out.
    let order = app.place_order_ok(&fx, &[burger.line(BURGER, 2)], &Payment::card()).await;
    app.fulfil(&staff, fulfillment_at(&order, &loc)).await;
    tick().await;
    count(&app, &staff, &loc, BURGER, 15).await.expect(StatusCode::CREATED, "count");
    tick().await;
    let sent = transfer(&app, &manager, BURGER, &loc, &loc2, 4).await.expect(StatusCode::CREATED, "transfer");
    assert_eq!(app.stock_level(&admin, &loc, BURGER).await.triple(), (11, 0, 11));

    let history = movement_list(&app, &manager, &loc, &[("sku", BURGER)]).await;
    assert_eq!(
        reasons_and_deltas(&history),
        vec![("transfer_out".into(), -4), ("count".into(), -3), ("sale".into(), -2), ("receipt".into(), 20)],
        "newest first: {history:#?}"
    );
    let (out, counted, sale, receipt) = (&history[0], &history[1], &history[2], &history[3]);
    assert_eq!(out["reference"], id(&sent).as_str(), "{out}");
    assert_eq!(sale["reference"], id(&order).as_str(), "the sale references its order: {sale}");
    assert_eq!(sale["channel"], "qr", "the sale records the order's channel: {sale}");
    assert!(counted["channel"].is_null() && receipt["channel"].is_null(), "only sales carry a channel");
    assert_eq!(counted["created_by"], burger.staff.id.as_str());
    assert!(receipt["reference"].is_null(), "{receipt}");
    let mut ids: Vec<&str> = history.iter().map(|mv| mv["id"].as_str().expect("string id")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), history.len(), "ids are unique");
    for mv in &history {
        assert_eq!(mv["sku"], BURGER);
        assert_eq!(mv["location_id"], loc.as_str());
    }
    // Deltas add up to the level.
    assert_eq!(history.iter().map(|mv| mv["delta"].as_i64().unwrap()).sum::<i64>(), 11);

    // Without a SKU filter the other SKUs' receipts are listed too, still newest first.
    let all = movement_list(&app, &staff, &loc, &[]).await;
    assert_eq!(all.len(), 6, "4 burger movements + receipts of BURGER-DOUBLE and FRIES: {all:#?}");
    assert_eq!(reasons_and_deltas(&all[..3]), reasons_and_deltas(&history[..3]));
    let mut others: Vec<&str> = all[3..].iter().map(|mv| mv["sku"].as_str().unwrap()).collect();
    others.sort();
    assert_eq!(others, vec![BURGER, BURGER_DOUBLE, FRIES], "the three receipts are the oldest: {all:#?}");
    let times: Vec<&str> = all.iter().map(|mv| mv["created_at"].as_str().expect("created_at")).collect();
    let parsed: Vec<chrono::DateTime<chrono::FixedOffset>> = times
        .iter()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap_or_else(|_| panic!("created_at RFC 3339: {t}")))
        .collect();
    assert!(parsed.windows(2).all(|w| w[0] >= w[1]), "created_at never increases down the list: {times:?}");

    // Pagination walks the same list.
    let mut paged = Vec::new();
    for offset in [0, 2, 4, 6] {
        let page = movement_list(&app, &admin, &loc, &[("limit", "2"), ("offset", &offset.to_string())]).await;
        assert!(page.len() <= 2, "limit 2 gives at most 2: {page:?}");
        if offset == 6 {
            assert!(page.is_empty(), "past the end: {page:?}");
        }
        paged.extend(page);
    }
    assert_eq!(paged, all, "limit/offset pages concatenate to the full list");
    let one = movement_list(&app, &admin, &loc, &[("sku", BURGER), ("limit", "1"), ("offset", "2")]).await;
    assert_eq!(one, vec![sale.clone()]);
    let max = movement_list(&app, &admin, &loc, &[("limit", "500")]).await;
    assert_eq!(max.len(), 6, "limit 500 is allowed");

    // The destination of the transfer has only the transfer_out's twin once received.
    assert!(movement_list(&app, &admin, &loc2, &[]).await.is_empty(), "in transit: nothing at the destination yet");
    receive(&app, &manager, &id(&sent)).await.expect(StatusCode::OK, "receive");
    let there = movement_list(&app, &admin, &loc2, &[]).await;
    assert_eq!(reasons_and_deltas(&there), vec![("transfer_in".into(), 4)], "{there:?}");
    assert!(movement_list(&app, &admin, &loc, &[("sku", SUSHI)]).await.is_empty(), "an unsold SKU: none");

    // Bad paging 422; missing location 422; another merchant's location or staff elsewhere 404.
    for (params, what) in [
        (vec![("limit", "501")], "limit 501"),
        (vec![("limit", "0")], "limit 0"),
        (vec![("offset", "-1")], "negative offset"),
        (vec![("limit", "ten")], "limit not a number"),
    ] {
        assert_validation_problem(&movements(&app, &admin, &loc, &params).await, what);
    }
    assert_validation_problem(&app.get("/api/v1/stock/movements", Some(&admin)).await, "no location_id");
    let sushi_manager = sushi.manager.token(&app).await;
    movements(&app, &sushi_manager, &loc, &[])
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's manager reads the history");
    movements(&app, &sushi.staff.token(&app).await, &loc, &[])
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's staff reads the history");
    movements(&app, &staff, &loc2, &[])
        .await
        .expect_problem(StatusCode::NOT_FOUND, "staff read another location of their merchant");
    movements(&app, &admin, "loc_nope", &[]).await.expect_problem(StatusCode::NOT_FOUND, "an unknown location");
    movements(&app, "", &loc, &[]).await.expect_problem(StatusCode::UNAUTHORIZED, "no token");
    app.stop().await;
}
