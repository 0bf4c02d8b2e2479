//! Journey 1 end to end (multi-restaurant order, one payment): the site menu, a card order
//! split into one fulfillment per restaurant, each part walked to collection with its pickup
//! code or rejected and refunded, settlements by the rule, pay at pickup, customer cancel, and
//! the refusals (declined card 402, unknown card 422, short stock 409, pay at pickup not allowed).

use crate::common;

use common::fixture::{BURGER, FRIES, PIZZA_L, PIZZA_M, SUSHI, TEA};
use common::{
    CARD_DECLINED, Fixture, Line, Payment, Settlement, TestApp, clp, fulfillment_at, id, pickup_code, qs,
    rfc3339_from_now, wrong_code,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Checks the contract's order object against the lines it was placed with.
fn assert_order_matches(fx: &Fixture, order: &Value, lines: &[Line]) {
    assert!(order["id"].is_string(), "order id: {order}");
    assert!(order["number"].as_i64().is_some_and(|n| n > 0), "order number must be a positive integer: {order}");
    assert!(order["status"].is_string(), "order status: {order}");
    assert!(order["tracking_token"].as_str().is_some_and(|t| !t.is_empty()), "order needs a tracking_token: {order}");
    assert_eq!(clp(&order["total"]), fx.total_of(lines), "order total");

    let fulfillments = order["fulfillments"].as_array().expect("fulfillments array");
    let mut locations: Vec<&str> = lines.iter().map(|l| l.location_id.as_str()).collect();
    locations.sort();
    locations.dedup();
    assert_eq!(fulfillments.len(), locations.len(), "one fulfillment per location in the cart: {order}");
    let mut sum = 0;
    for location in locations {
        let f = fulfillment_at(order, location);
        let merchant = fx.merchants.iter().find(|m| m.location_id == location).unwrap();
        assert_eq!(f["merchant_id"], merchant.id.as_str(), "fulfillment merchant");
        assert_eq!(f["status"], "placed", "a new part is placed");
        pickup_code(f);
        let mine: Vec<&Line> = lines.iter().filter(|l| l.location_id == location).collect();
        let got = f["lines"].as_array().expect("fulfillment lines array");
        assert_eq!(got.len(), mine.len(), "lines of the part at {location}: {f}");
        for l in &mine {
            let line = got
                .iter()
                .find(|g| g["sku"] == l.sku.as_str())
                .unwrap_or_else(|| panic!("line {} missing from {f}", l.sku));
            let price = merchant.price(&l.sku);
            assert_eq!(line["quantity"], l.quantity, "line quantity");
            assert_eq!(clp(&line["unit_price"]), price, "unit price of {}", l.sku);
            assert_eq!(clp(&line["total"]), price * l.quantity, "line total of {}", l.sku);
        }
        let subtotal: i64 = mine.iter().map(|l| merchant.price(&l.sku) * l.quantity).sum();
        assert_eq!(clp(&f["subtotal"]), subtotal, "subtotal at {location}");
        sum += subtotal;
    }
    assert_eq!(clp(&order["total"]), sum, "total = sum of subtotals");
}

/// Asserts the order's payment block.
#[track_caller]
fn assert_payment(order: &Value, method: &str, status: &str, captured: i64, refunded: i64) {
    let p = &order["payment"];
    assert_eq!(p["method"], method, "payment method: {p}");
    assert_eq!(p["status"], status, "payment status: {p}");
    assert_eq!(clp(&p["captured"]), captured, "payment captured: {p}");
    assert_eq!(clp(&p["refunded"]), refunded, "payment refunded: {p}");
}

/// Finds a variant in the menu by SKU.
fn menu_variant<'a>(menu: &'a Value, sku: &str) -> &'a Value {
    menu["locations"]
        .as_array()
        .expect("menu locations array")
        .iter()
        .flat_map(|l| l["products"].as_array().expect("products array"))
        .flat_map(|p| p["variants"].as_array().expect("variants array"))
        .find(|v| v["sku"] == sku)
        .unwrap_or_else(|| panic!("{sku} not in the menu: {menu}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn multi_restaurant_card_order_is_split_fulfilled_refunded_and_settled() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let admin = app.admin_token().await;
    let (burger, sushi, pizza) = (fx.m(0), fx.m(1), fx.m(2));
    let lines = vec![burger.line(BURGER, 1), sushi.line(SUSHI, 2), pizza.line(PIZZA_M, 1), pizza.line(PIZZA_L, 1)];
    let order = app.place_order_ok(&fx, &lines, &Payment::card()).await;
    assert_order_matches(&fx, &order, &lines);
    let total = fx.total_of(&lines);
    assert_payment(&order, "card", "captured", total, 0);
    assert_eq!(
        app.stock_level(&admin, &sushi.location_id, SUSHI).await.triple(),
        (20, 2, 18),
        "the order reserves its units"
    );
    let by_admin = app
        .get(&format!("/api/v1/orders/{}", id(&order)), Some(&admin))
        .await
        .expect(StatusCode::OK, "admin reads the order");
    assert_eq!(by_admin["id"], order["id"]);

    // Each restaurant's display lists only its own part.
    for m in &fx.merchants {
        let staff = m.staff.token(&app).await;
        assert_eq!(
            app.fulfillment_ids(&staff, &m.location_id).await,
            vec![id(fulfillment_at(&order, &m.location_id))],
            "{} sees exactly its part",
            m.name
        );
    }

    // Burger: the full happy path with the checks on the way.
    let f_burger = fulfillment_at(&order, &burger.location_id);
    let burger_staff = burger.staff.token(&app).await;
    let fid = id(f_burger);
    app.advance(&burger_staff, &fid, &["accepted", "preparing", "ready"]).await;
    let ready =
        app.fulfillments(&burger_staff, &burger.location_id, Some("ready")).await.expect(StatusCode::OK, "list ready");
    assert_eq!(ready.as_array().map(Vec::len), Some(1), "one ready part: {ready}");
    let placed = app
        .fulfillments(&burger_staff, &burger.location_id, Some("placed"))
        .await
        .expect(StatusCode::OK, "list placed");
    assert_eq!(placed, json!([]), "nothing placed any more at the burger");
    app.transition(&burger_staff, &fid, "collected", None)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "collect without code");
    let code = pickup_code(f_burger);
    app.transition(&burger_staff, &fid, "collected", Some(&wrong_code(&code)))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "collect with a wrong code");
    app.transition(&burger_staff, &fid, "accepted", None)
        .await
        .expect_problem(StatusCode::CONFLICT, "ready → accepted is illegal");
    let collected = app
        .transition(&burger_staff, &fid, "collected", Some(&code))
        .await
        .expect(StatusCode::OK, "collect with the right code");
    assert_eq!(collected["status"], "collected");
    assert_eq!(collected["id"], fid.as_str());

    // Pizza: collected by its staff.
    let pizza_staff = pizza.staff.token(&app).await;
    app.fulfil(&pizza_staff, fulfillment_at(&order, &pizza.location_id)).await;

    // Sushi: rejected from placed, with a reason.
    let f_sushi = id(fulfillment_at(&order, &sushi.location_id));
    let sushi_staff = sushi.staff.token(&app).await;
    let rejected = app
        .post(
            &format!("/api/v1/fulfillments/{f_sushi}/transition"),
            Some(&sushi_staff),
            &json!({"to": "rejected", "reason": "sin arroz"}),
        )
        .await
        .expect(StatusCode::OK, "reject the sushi part");
    assert_eq!(rejected["status"], "rejected");
    app.transition(&sushi_staff, &f_sushi, "accepted", None)
        .await
        .expect_problem(StatusCode::CONFLICT, "rejected is final");

    let seen = app.get_order(&order).await;
    for m in &fx.merchants {
        assert_eq!(
            pickup_code(fulfillment_at(&seen, &m.location_id)),
            pickup_code(fulfillment_at(&order, &m.location_id)),
            "the customer's view shows the pickup code of {}",
            m.name
        );
    }
    let sushi_subtotal = 2 * sushi.price(SUSHI);
    assert_payment(&seen, "card", "partially_refunded", total, sushi_subtotal);
    for (m, status) in [(burger, "collected"), (sushi, "rejected"), (pizza, "collected")] {
        assert_eq!(fulfillment_at(&seen, &m.location_id)["status"], status, "{} part", m.name);
    }

    // Stock: rejected units are released, collected units leave on_hand.
    for (m, sku, expected) in [
        (sushi, SUSHI, (20, 0, 20)),
        (burger, BURGER, (19, 0, 19)),
        (pizza, PIZZA_M, (19, 0, 19)),
        (pizza, PIZZA_L, (19, 0, 19)),
    ] {
        assert_eq!(
            app.stock_level(&admin, &m.location_id, sku).await.triple(),
            expected,
            "stock of {sku} (on_hand, reserved, available)"
        );
    }

    // Settlements by the rule; 12990 × 15% = 1948.5 rounds half up to 1949.
    let expected = [
        (burger, Settlement::expected(12990, 0, burger.commission_bps)),
        (sushi, Settlement::expected(sushi_subtotal, sushi_subtotal, sushi.commission_bps)),
        (pizza, Settlement::expected(10990 + 14990, 0, pizza.commission_bps)),
    ];
    assert_eq!(expected[0].1, Settlement { gross: 12990, commission: 1949, refunds: 0, net: 11041 });
    let window =
        [("from", rfc3339_from_now(chrono::Duration::hours(-1))), ("to", rfc3339_from_now(chrono::Duration::hours(1)))];
    let window: Vec<(&str, &str)> = window.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let future = rfc3339_from_now(chrono::Duration::hours(1));
    for (m, want) in expected {
        assert_eq!(app.settlement_ok(&m.id).await, want, "settlement of {}", m.name);
        let manager = m.manager.token(&app).await;
        let in_window =
            app.settlement(&manager, &m.id, &window).await.expect(StatusCode::OK, "manager reads its settlement");
        assert_eq!(Settlement::from_json(&in_window), want, "{} in window", m.name);
        let later = app
            .settlement(&manager, &m.id, &[("from", future.as_str())])
            .await
            .expect(StatusCode::OK, "settlement from the future");
        assert_eq!(
            Settlement::from_json(&later),
            Settlement::expected(0, 0, m.commission_bps),
            "{}: nothing happened after `from`",
            m.name
        );
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn menu_shows_locations_prices_and_live_availability() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let path = format!("/api/v1/sites/{}/menu", fx.site_id);
    let menu = app.get(&path, None).await.expect(StatusCode::OK, "public menu");
    assert_eq!(menu["site"]["id"], fx.site_id.as_str());
    assert_eq!(menu["site"]["currency"], "CLP");
    let locations = menu["locations"].as_array().expect("locations array");
    assert_eq!(locations.len(), 3, "three open locations: {menu}");
    for m in &fx.merchants {
        let l = locations
            .iter()
            .find(|l| l["id"] == m.location_id.as_str())
            .unwrap_or_else(|| panic!("{} missing from the menu", m.name));
        assert_eq!(l["merchant_id"], m.id.as_str());
        assert_eq!(l["merchant_name"], m.name.as_str());
        assert_eq!(l["pay_at_pickup"], m.pay_at_pickup);
        assert!(l["name"].is_string());
        for sku in m.products.iter().flat_map(|p| &p.variants) {
            let v = menu_variant(&menu, &sku.sku);
            assert_eq!(clp(&v["price"]), sku.price, "menu price of {}", sku.sku);
        }
    }
    let burger = menu_variant(&menu, BURGER);
    assert_eq!(burger["available"], true);
    assert_eq!(burger["available_quantity"], 20);
    let tea = menu_variant(&menu, TEA);
    assert_eq!(tea["available"], true, "untracked stock is available");
    assert!(tea["available_quantity"].is_null(), "untracked stock has no quantity: {tea}");

    app.place_order_ok(&fx, &[fx.line(FRIES, 20)], &Payment::card()).await;
    let menu = app.get(&path, None).await.expect(StatusCode::OK, "menu again");
    let fries = menu_variant(&menu, FRIES);
    assert_eq!(fries["available"], false, "sold out after the order: {fries}");
    assert_eq!(fries["available_quantity"], 0);
    assert_eq!(menu_variant(&menu, BURGER)["available_quantity"], 20);

    app.get("/api/v1/sites/no-such-site/menu", None)
        .await
        .expect_problem(StatusCode::NOT_FOUND, "menu of an unknown site");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pay_at_pickup_is_pending_until_collected_then_captured_and_settled() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    assert!(pizza.pay_at_pickup);
    let lines = [pizza.line(PIZZA_L, 2)];
    let subtotal = 2 * pizza.price(PIZZA_L);
    let order = app.place_order_ok(&fx, &lines, &Payment::AtPickup).await;
    assert_order_matches(&fx, &order, &lines);
    assert_payment(&order, "pay_at_pickup", "pending", 0, 0);
    assert_eq!(
        app.settlement_ok(&pizza.id).await,
        Settlement::expected(0, 0, pizza.commission_bps),
        "nothing captured before collection"
    );
    let admin = app.admin_token().await;
    assert_eq!(app.stock_level(&admin, &pizza.location_id, PIZZA_L).await.triple(), (20, 2, 18));

    let staff = pizza.staff.token(&app).await;
    app.fulfil(&staff, fulfillment_at(&order, &pizza.location_id)).await;
    let seen = app.get_order(&order).await;
    assert_payment(&seen, "pay_at_pickup", "captured", subtotal, 0);
    assert_eq!(
        app.settlement_ok(&pizza.id).await,
        Settlement::expected(subtotal, 0, pizza.commission_bps),
        "captured at collection"
    );
    assert_eq!(app.stock_level(&admin, &pizza.location_id, PIZZA_L).await.triple(), (18, 0, 18));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pay_at_pickup_where_not_allowed_is_422_and_reserves_nothing() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let before = app.stock_snapshot(&fx).await;
    let mixed = [fx.line(PIZZA_M, 1), fx.line(BURGER, 1)];
    app.place_order(&fx, &mixed, &Payment::AtPickup)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "burger does not allow it");
    app.place_order(&fx, &[fx.line(SUSHI, 1)], &Payment::AtPickup)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "sushi does not allow it");
    assert_eq!(app.stock_snapshot(&fx).await, before, "nothing reserved");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn declined_card_is_402_and_reserves_nothing() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let before = app.stock_snapshot(&fx).await;
    let lines = [fx.line(BURGER, 1), fx.line(SUSHI, 2)];
    app.place_order(&fx, &lines, &Payment::Card(CARD_DECLINED.into()))
        .await
        .expect_problem(StatusCode::PAYMENT_REQUIRED, "declined card");
    assert_eq!(app.stock_snapshot(&fx).await, before, "nothing reserved");
    let admin = app.admin_token().await;
    for m in &fx.merchants {
        assert!(app.fulfillment_ids(&admin, &m.location_id).await.is_empty(), "no part created at {}", m.name);
        assert_eq!(
            app.settlement_ok(&m.id).await,
            Settlement::expected(0, 0, m.commission_bps),
            "nothing charged to {}",
            m.name
        );
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unknown_or_missing_card_number_is_422() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let before = app.stock_snapshot(&fx).await;
    let lines = [fx.line(BURGER, 1)];
    app.place_order(&fx, &lines, &Payment::Card("5555555555554444".into()))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a card the sandbox does not know");
    let mut body = fx.order_body(&lines, &Payment::card());
    body["payment"] = json!({"method": "card"});
    app.post("/api/v1/orders", None, &body)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "card without a number");
    assert_eq!(app.stock_snapshot(&fx).await, before, "nothing reserved");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn short_stock_is_409_naming_the_sku_and_reserves_nothing() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let before = app.stock_snapshot(&fx).await;
    let lines = [fx.line(BURGER, 1), fx.line(SUSHI, 21)];
    let problem = app
        .place_order(&fx, &lines, &Payment::card())
        .await
        .expect_problem(StatusCode::CONFLICT, "21 sushi with 20 in stock");
    assert_eq!(problem["sku"], SUSHI, "the problem names the short SKU");
    assert_eq!(app.stock_snapshot(&fx).await, before, "nothing reserved");
    let admin = app.admin_token().await;
    assert!(app.fulfillment_ids(&admin, &fx.m(0).location_id).await.is_empty(), "no burger part was created");
    // Exactly what is available is fine.
    app.place_order_ok(&fx, &[fx.line(SUSHI, 20)], &Payment::card()).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn customer_cancels_a_placed_part_with_the_tracking_token() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let lines = [burger.line(BURGER, 1), sushi.line(SUSHI, 1)];
    let order = app.place_order_ok(&fx, &lines, &Payment::card()).await;
    let token = order["tracking_token"].as_str().unwrap().to_owned();
    let cancel = |fid: String, token: String| {
        let app = &app;
        async move {
            app.post(
                &format!("/api/v1/fulfillments/{fid}/transition?{}", qs(&[("token", token.as_str())])),
                None,
                &json!({"to": "cancelled"}),
            )
            .await
        }
    };
    let f_burger = id(fulfillment_at(&order, &burger.location_id));
    let f_sushi = id(fulfillment_at(&order, &sushi.location_id));

    let refused = cancel(f_sushi.clone(), "not-the-token".into()).await;
    common::assert_status_in(
        &refused,
        &[StatusCode::UNAUTHORIZED, StatusCode::NOT_FOUND],
        "cancel with a wrong tracking token",
    );
    let cancelled =
        cancel(f_burger.clone(), token.clone()).await.expect(StatusCode::OK, "customer cancels the placed burger part");
    assert_eq!(cancelled["status"], "cancelled");

    app.advance(&sushi.staff.token(&app).await, &f_sushi, &["accepted"]).await;
    cancel(f_sushi.clone(), token.clone()).await.expect_problem(StatusCode::CONFLICT, "cannot cancel once accepted");

    let seen = app.get_order(&order).await;
    let total = fx.total_of(&lines);
    assert_payment(&seen, "card", "partially_refunded", total, burger.price(BURGER));
    assert_eq!(fulfillment_at(&seen, &sushi.location_id)["status"], "accepted");
    assert_eq!(
        app.stock_level(&admin, &burger.location_id, BURGER).await.triple(),
        (20, 0, 20),
        "cancelled units are released"
    );

    // Cancelling every part refunds everything.
    let fries = [burger.line(FRIES, 2)];
    let order = app.place_order_ok(&fx, &fries, &Payment::card()).await;
    let token = order["tracking_token"].as_str().unwrap().to_owned();
    cancel(id(fulfillment_at(&order, &burger.location_id)), token).await.expect(StatusCode::OK, "cancel the only part");
    let total = fx.total_of(&fries);
    assert_payment(&app.get_order(&order).await, "card", "refunded", total, total);
    assert_eq!(
        app.settlement_ok(&burger.id).await,
        Settlement::expected(total + burger.price(BURGER), total + burger.price(BURGER), burger.commission_bps,),
        "burger: both cancelled parts are captured and refunded"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pickup_can_be_scheduled() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let mut body = fx.order_body(&[fx.line(BURGER, 1)], &Payment::card());
    body["pickup_at"] = json!(rfc3339_from_now(chrono::Duration::hours(1)));
    app.post("/api/v1/orders", None, &body).await.expect(StatusCode::CREATED, "order with a pickup time");
    body["pickup_at"] = json!("mañana a mediodía");
    app.post("/api/v1/orders", None, &body)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "pickup_at that is not RFC 3339");
    app.stop().await;
}
