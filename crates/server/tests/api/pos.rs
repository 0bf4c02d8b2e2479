//! The till (POS) over HTTP: the contract routes, roles and isolation across merchants, every
//! bad input the issue lists as a clear 4xx, sales recorded exactly once, and an offline sale
//! whose units a web order took meanwhile turned into a stock conflict.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::{BURGER, FRIES};
use crate::common::{Fixture, OpenTill, Payment, TestApp, clp, money, open_till, qs};

fn cash_sale(till: &OpenTill, id: &str, n: u32, lines: Value, amount: i64, tendered: i64) -> Value {
    json!({
        "id": id,
        "session_id": till.session_id,
        "receipt_number": format!("{}-{n}", till.series),
        "sold_at": chrono::Utc::now().to_rfc3339(),
        "offline": false,
        "lines": lines,
        "payments": [{"method": "cash", "amount": money(amount), "tendered": money(tendered)}],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_sells_with_change_once_and_its_session_does_not_add_up() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 50_000).await;
    let again = app
        .post(
            "/api/v1/pos/sessions",
            Some(&till.staff),
            &json!({"device_id": till.device_id, "opening_float": money(0)}),
        )
        .await;
    again.expect_problem(StatusCode::CONFLICT, "a second open session on one till");

    let lines = json!([{"sku": BURGER, "quantity": 1}, {"sku": FRIES, "quantity": 2}]);
    let sale = cash_sale(&till, "sale-0001", 1, lines, 19_970, 30_000);
    let first =
        app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::CREATED, "a cash sale");
    assert_eq!(first["id"], "sale-0001");
    assert_eq!(first["receipt_number"], json!(format!("{}-1", till.series)));
    assert_eq!((clp(&first["total"]), clp(&first["change"])), (19_970, 10_030));
    assert_eq!(first["conflicts"], json!([]));
    assert!(first["promotions"].is_array(), "the engine's promotions are reported: {first}");
    assert_eq!(first["lines"].as_array().map(Vec::len), Some(2));
    for _ in 0..2 {
        let repeat =
            app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::OK, "the same sale");
        assert_eq!(repeat, first, "a repeat answers the first answer");
    }
    let admin = app.admin_token().await;
    let level = app.stock_level(&admin, &fx.m(0).location_id, FRIES).await;
    assert_eq!(level.on_hand, 8, "two fries left the shelf once");
    let receipts = app
        .get(&format!("/api/v1/pos/devices/{}/receipts", till.device_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "receipt report");
    assert_eq!((receipts["last_number"].clone(), receipts["gaps"].clone()), (json!(1), json!([])));
    assert_eq!(receipts["duplicates"], json!([]));

    let cash_in = app
        .post(
            &format!("/api/v1/pos/sessions/{}/cash-movements", till.session_id),
            Some(&till.staff),
            &json!({"direction": "in", "amount": money(5_000), "reason": "sencillo"}),
        )
        .await
        .expect(StatusCode::CREATED, "cash in");
    assert_eq!(cash_in["direction"], "in");
    let report = app
        .get(&format!("/api/v1/pos/sessions/{}", till.session_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "session report");
    assert_eq!((report["sales_count"].clone(), clp(&report["expected_cash"])), (json!(1), 74_970));

    let closed = app
        .post(
            &format!("/api/v1/pos/sessions/{}/close", till.session_id),
            Some(&till.staff),
            &json!({"counted_cash": money(74_000)}),
        )
        .await
        .expect(StatusCode::OK, "close");
    assert_eq!(closed["status"], "closed");
    assert_eq!(
        (clp(&closed["expected_cash"]), clp(&closed["counted_cash"]), clp(&closed["difference"])),
        (74_970, 74_000, -970)
    );
    let cash_total = closed["totals"].as_array().and_then(|t| t.iter().find(|t| t["method"] == "cash")).cloned();
    assert_eq!(cash_total.map(|t| clp(&t["amount"])), Some(19_970));
    let late = cash_sale(&till, "sale-0002", 2, json!([{"sku": FRIES, "quantity": 1}]), 3_490, 3_490);
    app.post("/api/v1/pos/sales", Some(&till.staff), &late)
        .await
        .expect_problem(StatusCode::CONFLICT, "closed session");
    app.post(
        &format!("/api/v1/pos/sessions/{}/close", till.session_id),
        Some(&till.staff),
        &json!({"counted_cash": money(0)}),
    )
    .await
    .expect_problem(StatusCode::CONFLICT, "closing twice");
    let repeat = app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await;
    assert_eq!(repeat.expect(StatusCode::OK, "a repeat after the close"), first);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_terminal_approves_and_declines_with_codes_and_next_steps() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    let card_sale = |id: &str, n: u32, card: &str, offline: bool| {
        json!({
            "id": id,
            "session_id": till.session_id,
            "receipt_number": format!("{}-{n}", till.series),
            "sold_at": chrono::Utc::now().to_rfc3339(),
            "offline": offline,
            "lines": [{"sku": FRIES, "quantity": 1}],
            "payments": [{"method": "card", "amount": money(3_490), "card_number": card}],
        })
    };
    let approved = app
        .post("/api/v1/pos/sales", Some(&till.staff), &card_sale("card-ok", 1, "4242424242424242", false))
        .await
        .expect(StatusCode::CREATED, "approved card");
    assert_eq!(approved["payments"][0]["card_last4"], "4242");
    assert!(approved["payments"][0]["approval_code"].is_string());
    for (card, code, step) in [
        ("4000000000000002", "05", "ask_another_method"),
        ("4000000000009995", "51", "split_or_another_method"),
        ("4000000000000069", "54", "ask_another_card"),
        ("4000000000000119", "91", "retry_or_external_terminal"),
    ] {
        let problem = app
            .post("/api/v1/pos/sales", Some(&till.staff), &card_sale(&format!("card-{code}"), 2, card, false))
            .await
            .expect_problem(StatusCode::PAYMENT_REQUIRED, &format!("card {card}"));
        assert_eq!((problem["decline_code"].as_str(), problem["next_step"].as_str()), (Some(code), Some(step)));
    }
    let offline =
        app.post("/api/v1/pos/sales", Some(&till.staff), &card_sale("card-off", 2, "4242424242424242", true)).await;
    let problem = offline.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a card sale offline");
    assert_eq!(problem["errors"][0]["field"], "payments[0].method");
    let external = json!({
        "id": "ext-1",
        "session_id": till.session_id,
        "receipt_number": format!("{}-2", till.series),
        "sold_at": chrono::Utc::now().to_rfc3339(),
        "offline": true,
        "lines": [{"sku": FRIES, "quantity": 1}],
        "payments": [{"method": "external_card", "amount": money(3_490), "reference": "AUTH-778899"}],
    });
    let sold =
        app.post("/api/v1/pos/sales", Some(&till.staff), &external).await.expect(StatusCode::CREATED, "external");
    assert_eq!(sold["payments"][0]["reference"], "AUTH-778899");
    let receipts = app
        .get(&format!("/api/v1/pos/devices/{}/receipts", till.device_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "receipts");
    assert_eq!(receipts["last_number"], 2, "declined sales take no number: {receipts}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tills_are_their_locations_and_invisible_to_other_merchants() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(5).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    let (ours, theirs) = (fx.m(0), fx.m(1));
    let other_staff = theirs.staff.token(&app).await;
    let other_manager = theirs.manager.token(&app).await;
    let staff = ours.staff.token(&app).await;

    let registered = app
        .post("/api/v1/pos/devices", Some(&staff), &json!({"location_id": ours.location_id, "name": "Caja 2"}))
        .await;
    registered.expect_problem(StatusCode::FORBIDDEN, "staff do not register tills");
    let foreign = app
        .post("/api/v1/pos/devices", Some(&other_manager), &json!({"location_id": ours.location_id, "name": "Caja X"}))
        .await;
    foreign.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "another merchant's location is no location");
    for (index, token) in [&other_staff, &other_manager].into_iter().enumerate() {
        for path in [
            format!("/api/v1/pos/devices/{}", till.device_id),
            format!("/api/v1/pos/devices/{}/receipts", till.device_id),
            format!("/api/v1/pos/sessions/{}", till.session_id),
            format!("/api/v1/pos/devices?{}", qs(&[("location_id", &ours.location_id)])),
            format!("/api/v1/stock/conflicts?{}", qs(&[("location_id", &ours.location_id)])),
        ] {
            app.get(&path, Some(token)).await.expect_problem(StatusCode::NOT_FOUND, &path);
        }
        let open = json!({"device_id": till.device_id, "opening_float": money(0)});
        let open = app.post("/api/v1/pos/sessions", Some(token), &open).await;
        open.expect_problem(StatusCode::NOT_FOUND, "another merchant's till");
        let sale = cash_sale(&till, &format!("x-{index}"), 1, json!([{"sku": BURGER, "quantity": 1}]), 12_990, 12_990);
        app.post("/api/v1/pos/sales", Some(token), &sale)
            .await
            .expect_problem(StatusCode::NOT_FOUND, "another's session");
        let path = format!("/api/v1/pos/sessions/{}/close", till.session_id);
        let close = app.post(&path, Some(token), &json!({"counted_cash": money(0)})).await;
        close.expect_problem(StatusCode::NOT_FOUND, "closing another merchant's session");
    }
    let listed = app
        .get(&format!("/api/v1/pos/devices?{}", qs(&[("location_id", &ours.location_id)])), Some(&staff))
        .await
        .expect(StatusCode::OK, "our tills");
    assert_eq!(listed[0]["open_session_id"], json!(till.session_id));
    app.get("/api/v1/pos/devices/nope", Some(&staff)).await.expect_problem(StatusCode::NOT_FOUND, "no such till");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_sales_are_clear_refusals_and_nothing_is_recorded_twice() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    let post = |body: Value| {
        let app = &app;
        let token = till.staff.clone();
        async move { app.post("/api/v1/pos/sales", Some(&token), &body).await }
    };
    let unknown = post(cash_sale(&till, "u-1", 1, json!([{"sku": "NOPE-1", "quantity": 1}]), 100, 100)).await;
    let problem = unknown.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "an unknown SKU");
    assert_eq!(problem["sku"], "NOPE-1");
    let short = post(cash_sale(&till, "u-2", 1, json!([{"sku": FRIES, "quantity": 1}]), 3_000, 3_000)).await;
    short.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "tender short of the total");
    let wrong_series = json!({
        "id": "u-3", "session_id": till.session_id, "receipt_number": "ZZZ-1", "sold_at": "2026-01-01T10:00:00Z",
        "offline": true, "lines": [{"sku": FRIES, "quantity": 1}],
        "payments": [{"method": "cash", "amount": money(3_490)}],
    });
    post(wrong_series).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "another series");
    let garbage = json!({"id": "", "session_id": till.session_id, "receipt_number": "x", "sold_at": "later",
        "offline": false, "lines": [], "payments": [{"method": "cheque", "amount": money(1)}]});
    let problem = post(garbage).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "every bad field");
    assert!(problem["errors"].as_array().map_or(0, Vec::len) >= 4, "{problem}");
    // Cash beyond any drawer would overflow the session's sums: refused, as a float would be.
    let huge = cash_sale(&till, "u-4", 1, json!([{"sku": FRIES, "quantity": 1}]), 3_490, 4_000_000_000_000_000_000);
    let problem = post(huge).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "an absurd cash tendered");
    assert_eq!(problem["errors"][0]["field"], "payments[0].tendered", "{problem}");
    // A sale dated a day before its session opened would be priced at that old time.
    let mut stale = cash_sale(&till, "u-5", 1, json!([{"sku": FRIES, "quantity": 1}]), 3_490, 3_490);
    stale["sold_at"] = json!((chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339());
    stale["offline"] = json!(true);
    let problem = post(stale).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a sale before its session");
    assert_eq!(problem["errors"][0]["field"], "sold_at", "{problem}");

    let sale = cash_sale(&till, "s-1", 1, json!([{"sku": FRIES, "quantity": 1}]), 3_490, 5_000);
    post(sale.clone()).await.expect(StatusCode::CREATED, "a sale");
    let mut changed = sale.clone();
    changed["lines"][0]["quantity"] = json!(2);
    changed["payments"][0]["amount"] = money(6_980);
    changed["payments"][0]["tendered"] = money(10_000);
    post(changed).await.expect_problem(StatusCode::CONFLICT, "the same id with another body");
    let reused = cash_sale(&till, "s-2", 1, json!([{"sku": FRIES, "quantity": 1}]), 3_490, 3_490);
    post(reused).await.expect_problem(StatusCode::CONFLICT, "a receipt number reused");
    let skipped = cash_sale(&till, "s-4", 4, json!([{"sku": FRIES, "quantity": 1}]), 3_490, 3_490);
    post(skipped).await.expect(StatusCode::CREATED, "receipt 4");
    let receipts = app
        .get(&format!("/api/v1/pos/devices/{}/receipts", till.device_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "receipts");
    assert_eq!(receipts["last_number"], 4);
    assert_eq!(receipts["gaps"], json!([format!("{}-2", till.series), format!("{}-3", till.series)]));
    assert_eq!(receipts["duplicates"][0]["refused_sale_id"], "s-2");
    assert_eq!(receipts["duplicates"][0]["sale_id"], "s-1");
    let admin = app.admin_token().await;
    assert_eq!(app.stock_level(&admin, &fx.m(0).location_id, FRIES).await.on_hand, 8, "two sales, two units");
    let online_short = cash_sale(&till, "s-5", 5, json!([{"sku": FRIES, "quantity": 9}]), 31_410, 31_410);
    let problem = post(online_short).await.expect_problem(StatusCode::CONFLICT, "online and short");
    assert_eq!(problem["sku"], FRIES);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_sale_whose_last_unit_went_online_opens_a_stock_conflict() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(1).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    let m = fx.m(0);
    let order = app.place_order_ok(&fx, &[m.line(BURGER, 1)], &Payment::card()).await;
    let sold_at = (chrono::Utc::now() - chrono::Duration::minutes(30)).to_rfc3339();
    let offline = json!({
        "id": "off-1",
        "session_id": till.session_id,
        "receipt_number": format!("{}-1", till.series),
        "sold_at": sold_at,
        "offline": true,
        "customer": {"phone": "+56 9 1111 2222"},
        "lines": [{"sku": BURGER, "quantity": 2}],
        "payments": [{"method": "cash", "amount": money(25_980), "tendered": money(30_000)}],
    });
    let sale =
        app.post("/api/v1/pos/sales", Some(&till.staff), &offline).await.expect(StatusCode::CREATED, "offline sale");
    assert_eq!(clp(&sale["change"]), 4_020);
    let conflicts = sale["conflicts"].as_array().cloned().unwrap_or_default();
    assert_eq!(conflicts.len(), 1, "{sale}");
    assert_eq!(conflicts[0]["sku"], BURGER);
    assert_eq!(conflicts[0]["shortfall"], 2, "the web order holds the only unit");
    assert_eq!(conflicts[0]["cause"], "offline_sale_short");
    assert_eq!(conflicts[0]["order_id"], order["id"]);
    let manager = m.manager.token(&app).await;
    let listed = app
        .get(&format!("/api/v1/stock/conflicts?{}", qs(&[("location_id", &m.location_id)])), Some(&manager))
        .await
        .expect(StatusCode::OK, "conflicts");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["id"], conflicts[0]["id"]);
    assert_eq!(listed[0]["sale_id"], "off-1");
    assert_eq!(listed[0]["status"], "open");
    let level = app.stock_level(&manager, &m.location_id, BURGER).await;
    assert_eq!((level.on_hand, level.reserved), (1, 1), "never a silent negative");
    let again =
        app.post("/api/v1/pos/sales", Some(&till.staff), &offline).await.expect(StatusCode::OK, "drained again");
    assert_eq!(again, sale);
    let online = cash_sale(&till, "on-1", 2, json!([{"sku": BURGER, "quantity": 1}]), 12_990, 12_990);
    let problem = app.post("/api/v1/pos/sales", Some(&till.staff), &online).await;
    assert_eq!(problem.expect_problem(StatusCode::CONFLICT, "online and short")["sku"], BURGER);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_is_priced_by_the_engine_with_each_promotion_applied_or_explained() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    let m = fx.m(0);
    let manager = m.manager.token(&app).await;
    for (name, channel) in [("Papas caja", "pos"), ("Papas web", "web")] {
        let body = json!({
            "merchant_id": m.id, "name": name, "channels": [channel],
            "kind": {"type": "percent_off_lines", "bps": 5000, "skus": [FRIES]},
        });
        app.post("/api/v1/promotions", Some(&manager), &body).await.expect(StatusCode::CREATED, name);
    }
    let sale = cash_sale(&till, "promo-1", 1, json!([{"sku": FRIES, "quantity": 2}]), 3_490, 5_000);
    let sold = app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::CREATED, "promo sale");
    assert_eq!((clp(&sold["total"]), clp(&sold["discount"]), clp(&sold["change"])), (3_490, 3_490, 1_510));
    let promotions = sold["promotions"].as_array().cloned().unwrap_or_default();
    let by_name = |name: &str| promotions.iter().find(|p| p["name"] == name).cloned().unwrap_or(Value::Null);
    assert_eq!(by_name("Papas caja")["applied"], true, "{sold}");
    assert_eq!(by_name("Papas web")["applied"], false, "{sold}");
    assert_eq!(by_name("Papas web")["reason"]["code"], "wrong_channel", "{sold}");
    let full_price = cash_sale(&till, "promo-2", 2, json!([{"sku": FRIES, "quantity": 2}]), 6_980, 6_980);
    let overpaid = app.post("/api/v1/pos/sales", Some(&till.staff), &full_price).await;
    assert_eq!(overpaid.expect(StatusCode::CREATED, "overpaid by cash is change")["change"], money(3_490));
    app.stop().await;
}
