//! Returns and exchanges in any store (issue 17 point 6), through `POST /api/v1/returns` as
//! the contract fixes it: a card order bought at one store and returned at another lands in
//! THAT store's on-hand and queues one refund job; a till cash sale is paid back out of the
//! session; never more than bought minus already returned (also under two tills at once);
//! another merchant's order is 404; each policy outcome (window, override recorded in the
//! audit log, final sale, receipt); credit notes numbered without gaps; an idempotent replay.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::ManualClock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::{BURGER, FRIES, PIZZA_M, id_of};
use crate::common::{Body, Fixture, Payment, Resp, TestApp, clp, fulfillment_at, id, money, open_till, qs};

/// A card order of `lines` at merchant 0 (Burger Hub), handed over.
async fn collected_card_order(app: &TestApp, fx: &Fixture, lines: &[(&str, i64)]) -> Value {
    let burger = fx.m(0);
    let lines: Vec<_> = lines.iter().map(|(sku, quantity)| fx.line(sku, *quantity)).collect();
    let order = app.place_order_ok(fx, &lines, &Payment::card()).await;
    let manager = burger.manager.token(app).await;
    app.fulfil(&manager, fulfillment_at(&order, &burger.location_id)).await;
    order
}

/// A second store of merchant 0.
async fn second_store(app: &TestApp, fx: &Fixture) -> String {
    let admin = app.admin_token().await;
    let store = app
        .post(
            "/api/v1/locations",
            Some(&admin),
            &json!({"merchant_id": fx.m(0).id, "site_id": fx.site_id, "name": "Burger Hub Oeste", "pay_at_pickup": false}),
        )
        .await
        .expect(StatusCode::CREATED, "a second store");
    id_of(&store, "location")
}

fn body(order: &Value, location_id: &str, lines: Value) -> Value {
    json!({"order_id": id(order), "location_id": location_id, "lines": lines, "refund_to": "original", "reason": "no le quedó"})
}

async fn take(app: &TestApp, token: &str, body: &Value) -> Resp {
    app.post("/api/v1/returns", Some(token), body).await
}

async fn refund_jobs(app: &TestApp, order: &Value) -> Vec<Value> {
    let admin = app.admin_token().await;
    let path = format!("/api/v1/payment-jobs?{}", qs(&[("order_id", id(order).as_str())]));
    let jobs = app.get(&path, Some(&admin)).await.expect(StatusCode::OK, "payment jobs");
    jobs.as_array().cloned().unwrap_or_default().into_iter().filter(|job| job["kind"] == "refund").collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_order_returned_at_another_store_restocks_there_and_refunds_the_card() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(20).build(&app).await;
    let burger = fx.m(0);
    let (store_a, store_b) = (burger.location_id.clone(), second_store(&app, &fx).await);
    let manager = burger.manager.token(&app).await;
    let order = collected_card_order(&app, &fx, &[(BURGER, 3)]).await;
    let price = burger.price(BURGER);
    let a_before = app.stock_level(&manager, &store_a, BURGER).await.on_hand;

    // More than bought: 422 naming the line, nothing changed.
    let too_many =
        take(&app, &manager, &body(&order, &store_b, json!([{"sku": BURGER, "quantity": 4, "restock": true}])))
            .await
            .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "more than bought");
    assert_eq!(too_many["errors"][0]["field"], "lines[0].quantity", "{too_many}");
    assert!(refund_jobs(&app, &order).await.is_empty());

    // One unit back at store B: 201 with the contract's fields; B's on-hand rises, A's does not.
    let first = take(&app, &manager, &body(&order, &store_b, json!([{"sku": BURGER, "quantity": 1, "restock": true}])))
        .await
        .expect(StatusCode::CREATED, "a return at store B");
    assert_eq!(first["location_id"], json!(store_b));
    assert_eq!(clp(&first["refund"]), price);
    assert_eq!(first["credit_note"]["number"], "NC-1");
    assert_eq!((first["refund_method"].clone(), first["lines"][0]["restocked"].clone()), (json!("card"), json!(true)));
    assert_eq!(app.stock_level(&manager, &store_b, BURGER).await.on_hand, 1, "restocked at THIS store");
    assert_eq!(app.stock_level(&manager, &store_a, BURGER).await.on_hand, a_before, "not where it was bought");

    // The card: one refund job for exactly the refund.
    let jobs = refund_jobs(&app, &order).await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(clp(&jobs[0]["amount"]), price);
    assert_eq!(jobs[0]["id"], json!(first["payment_job_id"]));

    // The rest, damaged: not restocked, the next credit note; then nothing is left.
    let rest = take(&app, &manager, &body(&order, &store_b, json!([{"sku": BURGER, "quantity": 2, "restock": false}])))
        .await
        .expect(StatusCode::CREATED, "the rest");
    assert_eq!((rest["credit_note"]["number"].clone(), clp(&rest["refund"])), (json!("NC-2"), 2 * price));
    assert_eq!(
        (rest["lines"][0]["restocked"].clone(), rest["lines"][0]["condition"].clone()),
        (json!(false), json!("damaged"))
    );
    assert_eq!(app.stock_level(&manager, &store_b, BURGER).await.on_hand, 1, "damaged units stay out of on-hand");
    take(&app, &manager, &body(&order, &store_b, json!([{"sku": BURGER, "quantity": 1, "restock": true}])))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "nothing left to return");
    assert_eq!(refund_jobs(&app, &order).await.len(), 2);

    // The look-up says what was returned; the return reads back.
    let path = format!("/api/v1/returns/lookup?{}", qs(&[("location_id", &store_b), ("order_id", &id(&order))]));
    let found = app.get(&path, Some(&manager)).await.expect(StatusCode::OK, "look up");
    assert_eq!(
        (found[0]["lines"][0]["returned"].clone(), found[0]["lines"][0]["returnable"].clone()),
        (json!(3), json!(0))
    );
    assert_eq!(found[0]["returns"].as_array().map(Vec::len), Some(2));
    let read = app.get(&format!("/api/v1/returns/{}", id(&first)), Some(&manager)).await.expect(StatusCode::OK, "read");
    assert_eq!(read["credit_note"]["number"], "NC-1");

    // The day's takings show the returns where they happened: at B, not at A.
    let takings = |location: String| {
        let path = format!("/api/v1/merchants/{}/takings?{}", burger.id, qs(&[("location_id", &location)]));
        let manager = manager.clone();
        let app = &app;
        async move { app.get(&path, Some(&manager)).await.expect(StatusCode::OK, "takings") }
    };
    let at_b = takings(store_b.clone()).await;
    assert_eq!((at_b["returns"]["count"].clone(), clp(&at_b["returns"]["refunded"])), (json!(2), 3 * price));
    assert_eq!(at_b["returns"]["by_method"][0]["method"], "card");
    assert_eq!(takings(store_a.clone()).await["returns"]["count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_merchants_order_is_not_found_and_bad_bodies_name_every_field() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(20).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let order = collected_card_order(&app, &fx, &[(BURGER, 1)]).await;
    let sushi_manager = sushi.manager.token(&app).await;
    let lines = json!([{"sku": BURGER, "quantity": 1, "restock": true}]);
    take(&app, &sushi_manager, &body(&order, &sushi.location_id, lines.clone()))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's order");
    // Nor may sushi's people take a return at burger's store.
    take(&app, &sushi_manager, &body(&order, &burger.location_id, lines))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's store");
    let bad =
        json!({"location_id": "", "lines": [{"sku": "no sku", "quantity": 0}], "refund_to": "cheque", "reason": ""});
    let problem = take(&app, &sushi_manager, &bad).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "bad body");
    let fields: Vec<_> = problem["errors"].as_array().into_iter().flatten().map(|e| e["field"].clone()).collect();
    for field in ["order_id", "location_id", "lines[0].sku", "lines[0].quantity", "refund_to", "reason"] {
        assert!(fields.contains(&json!(field)), "{field} in {problem}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_policy_outcome_and_the_override_is_recorded() {
    let clock = Arc::new(ManualClock::starting_now());
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::builder().merchants(2).stock(20).build(&app).await;
    let burger = fx.m(0);
    let (manager, staff) = (burger.manager.token(&app).await, burger.staff.token(&app).await);
    let policy = json!({"window_days": 30, "needs_receipt": true, "final_sale_skus": [FRIES]});
    let path = format!("/api/v1/merchants/{}/return-policy", burger.id);
    let set = app
        .send(reqwest::Method::PUT, &path, Some(&manager), Body::Json(policy.clone()), &[])
        .await
        .expect(StatusCode::OK, "set");
    assert_eq!(set["window_days"], 30);
    app.send(reqwest::Method::PUT, &path, Some(&staff), Body::Json(policy.clone()), &[])
        .await
        .expect_problem(StatusCode::FORBIDDEN, "staff");
    let order = collected_card_order(&app, &fx, &[(BURGER, 3), (FRIES, 1)]).await;
    let store = burger.location_id.clone();
    let one = json!([{"sku": BURGER, "quantity": 1, "restock": true}]);

    // Within the window with the receipt: allowed.
    take(&app, &staff, &body(&order, &store, one.clone())).await.expect(StatusCode::CREATED, "within the window");
    // A final-sale item: refused, naming the rule.
    let fries = take(&app, &staff, &body(&order, &store, json!([{"sku": FRIES, "quantity": 1, "restock": true}])))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "final sale");
    assert_eq!(
        (fries["code"].clone(), fries["errors"][0]["field"].clone()),
        (json!("return_policy_refused"), json!("final_sale"))
    );
    // Without the receipt where the policy needs it: refused.
    let mut no_receipt = body(&order, &store, one.clone());
    no_receipt["has_receipt"] = json!(false);
    let refused = take(&app, &staff, &no_receipt).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "no receipt");
    assert_eq!(refused["errors"][0]["field"], "no_receipt");

    // After the window: refused; staff cannot override alone; a manager's override passes.
    clock.advance(Duration::from_secs(31 * 86_400));
    // Sessions lapse over a month: sign in again.
    let manager = app.login(&burger.manager.email, &burger.manager.password).await;
    let staff = app.login(&burger.staff.email, &burger.staff.password).await;
    let late = take(&app, &staff, &body(&order, &store, one.clone()))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "late");
    assert_eq!(late["errors"][0]["field"], "outside_window");
    let mut overridden = body(&order, &store, one.clone());
    overridden["override"] = json!({"reason": "cliente frecuente"});
    take(&app, &staff, &overridden).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "staff without approval");
    let passed = take(&app, &manager, &overridden).await.expect(StatusCode::CREATED, "manager's override");
    assert_eq!(passed["overridden"], json!(["outside_window"]));
    assert_eq!(passed["override_by"], json!(burger.manager.id));
    let audit = format!(
        "/api/v1/audit-log?{}",
        qs(&[("entity", "return"), ("entity_id", passed["id"].as_str().unwrap_or_default())])
    );
    let entries = app.get(&audit, Some(&manager)).await.expect(StatusCode::OK, "audit log");
    assert_eq!(entries["total"], 1, "the override is recorded: {entries}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_cash_sale_returned_pays_cash_out_of_the_session() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 20_000).await;
    let price = pizza.price(PIZZA_M);
    let sale = json!({
        "id": format!("sale-{}", crate::common::random_hex()),
        "session_id": till.session_id,
        "receipt_number": format!("{}-1", till.series),
        "sold_at": chrono::Utc::now().to_rfc3339(),
        "offline": false,
        "lines": [{"sku": PIZZA_M, "quantity": 2}],
        "payments": [{"method": "cash", "amount": money(2 * price), "tendered": money(2 * price)}],
    });
    let sold = app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::CREATED, "a cash sale");
    let on_hand = app.stock_level(&till.manager, &till.location_id, PIZZA_M).await.on_hand;

    // Found by its receipt number, then one pizza back in cash.
    let path = format!(
        "/api/v1/returns/lookup?{}",
        qs(&[
            ("location_id", &till.location_id),
            ("receipt_number", sold["receipt_number"].as_str().unwrap_or_default())
        ])
    );
    let found = app.get(&path, Some(&till.staff)).await.expect(StatusCode::OK, "look up by receipt");
    assert_eq!((found[0]["source"].clone(), found[0]["lines"][0]["returnable"].clone()), (json!("sale"), json!(2)));
    let back = json!({"sale_id": sale["id"], "location_id": till.location_id, "device_id": till.device_id,
        "lines": [{"sku": PIZZA_M, "quantity": 1, "restock": true}], "refund_to": "original", "reason": "fría"});
    let taken = take(&app, &till.staff, &back).await.expect(StatusCode::CREATED, "a cash return");
    assert_eq!((taken["refund_method"].clone(), clp(&taken["refund"])), (json!("cash"), price));
    assert_eq!(taken["session_id"], json!(till.session_id));
    assert_eq!(app.stock_level(&till.manager, &till.location_id, PIZZA_M).await.on_hand, on_hand + 1);

    // The session expects the float plus the sale minus the cash paid back.
    let report = app
        .get(&format!("/api/v1/pos/sessions/{}", till.session_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "report");
    assert_eq!(clp(&report["expected_cash"]), 20_000 + 2 * price - price);
    assert_eq!((report["refunds_count"].clone(), clp(&report["refunds"])), (json!(1), price));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_tills_returning_the_last_unit_at_once_one_succeeds_and_replays_are_idempotent() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(20).build(&app).await;
    let burger = fx.m(0);
    let manager = burger.manager.token(&app).await;
    let staff = burger.staff.token(&app).await;
    let order = collected_card_order(&app, &fx, &[(BURGER, 1)]).await;
    let one = body(&order, &burger.location_id, json!([{"sku": BURGER, "quantity": 1, "restock": true}]));
    let (a, b) = tokio::join!(take(&app, &manager, &one), take(&app, &staff, &one));
    let mut statuses = vec![a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, vec![StatusCode::CREATED, StatusCode::UNPROCESSABLE_ENTITY], "exactly one wins");
    assert_eq!(refund_jobs(&app, &order).await.len(), 1);

    // An idempotent replay gives the same return and takes no second credit note.
    let order = collected_card_order(&app, &fx, &[(BURGER, 2)]).await;
    let one = body(&order, &burger.location_id, json!([{"sku": BURGER, "quantity": 1, "restock": true}]));
    let first =
        app.post_idem("/api/v1/returns", Some(&manager), &one, "ret-key-1").await.expect(StatusCode::CREATED, "first");
    let again =
        app.post_idem("/api/v1/returns", Some(&manager), &one, "ret-key-1").await.expect(StatusCode::CREATED, "replay");
    assert_eq!(
        (first["id"].clone(), first["credit_note"].clone()),
        (again["id"].clone(), again["credit_note"].clone())
    );
    let next = take(&app, &manager, &one).await.expect(StatusCode::CREATED, "the other unit");
    let number = |v: &Value| {
        v["credit_note"]["number"].as_str().and_then(|n| n.strip_prefix("NC-")).and_then(|n| n.parse::<i64>().ok())
    };
    assert_eq!(number(&next), number(&first).map(|n| n + 1), "credit notes are consecutive");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_return_to_store_credit_lands_in_the_customers_ledger_and_a_till_sale_without_customer_needs_one() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(20).build(&app).await;
    let burger = fx.m(0);
    let manager = burger.manager.token(&app).await;
    let order = collected_card_order(&app, &fx, &[(BURGER, 2)]).await;
    let mut credit = body(&order, &burger.location_id, json!([{"sku": BURGER, "quantity": 1, "restock": true}]));
    credit["refund_to"] = json!("store_credit");
    let taken = take(&app, &manager, &credit).await.expect(StatusCode::CREATED, "to store credit");
    assert_eq!(taken["refund_method"], "store_credit");
    assert!(refund_jobs(&app, &order).await.is_empty(), "no card refund for store credit");
    // The order's customer (ana@example.com) now holds the refund, however the phone/e-mail is typed.
    let path = format!("/api/v1/store-credit?{}", qs(&[("merchant_id", &burger.id), ("customer", " ANA@example.com")]));
    let statement = app.get(&path, Some(&manager)).await.expect(StatusCode::OK, "the customer's credit");
    assert_eq!(clp(&statement["balance"]), burger.price(BURGER));

    // A till sale with no customer: store credit needs one named.
    let till = open_till(&app, burger, 0).await;
    let sale_id = format!("sale-{}", crate::common::random_hex());
    let price = burger.price(FRIES);
    let sale = json!({"id": sale_id, "session_id": till.session_id, "receipt_number": format!("{}-1", till.series),
        "sold_at": chrono::Utc::now().to_rfc3339(), "offline": false, "lines": [{"sku": FRIES, "quantity": 1}],
        "payments": [{"method": "cash", "amount": money(price), "tendered": money(price)}]});
    app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::CREATED, "a sale");
    let mut back = json!({"sale_id": sale_id, "location_id": till.location_id, "lines": [{"sku": FRIES, "quantity": 1, "restock": true}],
        "refund_to": "store_credit", "reason": "cambio de opinión"});
    let missing = take(&app, &till.staff, &back).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "no customer");
    assert_eq!(missing["errors"][0]["field"], "customer");
    back["customer"] = json!("+56 9 3333 4444");
    take(&app, &till.staff, &back).await.expect(StatusCode::CREATED, "with a customer");
}

/// The till's returns screen (issue 17 point 6): what a scanner types from a digital receipt's
/// QR — its link, or the token alone — finds the sale; another merchant's till finds nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_digital_receipts_qr_text_finds_the_sale() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 20_000).await;
    let price = pizza.price(PIZZA_M);
    let sale = json!({
        "id": format!("sale-{}", crate::common::random_hex()),
        "session_id": till.session_id,
        "receipt_number": format!("{}-1", till.series),
        "sold_at": chrono::Utc::now().to_rfc3339(),
        "offline": false,
        "lines": [{"sku": PIZZA_M, "quantity": 1}],
        "payments": [{"method": "cash", "amount": money(price), "tendered": money(price)}],
    });
    app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::CREATED, "a cash sale");
    let sale_id = sale["id"].as_str().unwrap_or_default();
    let link = app
        .post(&format!("/api/v1/pos/sales/{sale_id}/digital-receipt"), Some(&till.staff), &json!({}))
        .await
        .expect(StatusCode::CREATED, "a digital receipt");
    let url = link["url"].as_str().unwrap_or_default().to_owned();
    let token = url.rsplit('/').next().unwrap_or_default().to_owned();
    assert!(url.contains("/r/") && !token.is_empty(), "a receipt link: {url}");

    for text in [url.clone(), token.clone()] {
        let path =
            format!("/api/v1/returns/lookup?{}", qs(&[("location_id", &till.location_id), ("receipt_number", &text)]));
        let found = app.get(&path, Some(&till.staff)).await.expect(StatusCode::OK, "look up by the QR's text");
        assert_eq!(found.as_array().map(Vec::len), Some(1), "one purchase for {text}: {found}");
        assert_eq!((found[0]["source"].clone(), found[0]["id"].clone()), (json!("sale"), json!(sale_id)));
    }

    // Another merchant's till: the same token finds nothing.
    let other = open_till(&app, fx.m(0), 0).await;
    let path =
        format!("/api/v1/returns/lookup?{}", qs(&[("location_id", &other.location_id), ("receipt_number", &token)]));
    let found = app.get(&path, Some(&other.staff)).await.expect(StatusCode::OK, "another merchant's lookup");
    assert_eq!(found, json!([]));
}

/// A till sale paid by card gives the refund back to that card: the return queues a refund job
/// for the till's terminal (not the order provider), which the worker carries out; nothing
/// leaves the drawer. A return larger than what is left on the card (a sale paid part in cash)
/// is paid in cash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_card_sale_is_refunded_to_the_card_through_the_terminal() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 20_000).await;
    let price = pizza.price(PIZZA_M);
    let sale = |n: u32, payments: Value| {
        json!({
            "id": format!("sale-{}", crate::common::random_hex()),
            "session_id": till.session_id,
            "receipt_number": format!("{}-{n}", till.series),
            "sold_at": chrono::Utc::now().to_rfc3339(),
            "offline": false,
            "lines": [{"sku": PIZZA_M, "quantity": 2}],
            "payments": payments,
        })
    };
    let by_card = sale(1, json!([{"method": "card", "amount": money(2 * price), "card_number": "4242424242424242"}]));
    app.post("/api/v1/pos/sales", Some(&till.staff), &by_card).await.expect(StatusCode::CREATED, "a card sale");
    let back = |sale: &Value, quantity: i64| {
        json!({"sale_id": sale["id"], "location_id": till.location_id, "device_id": till.device_id,
            "lines": [{"sku": PIZZA_M, "quantity": quantity, "restock": true}], "refund_to": "original", "reason": "fría"})
    };

    // Each pizza back goes to the card, one terminal refund job each, carried out.
    for _ in 0..2 {
        let taken = take(&app, &till.staff, &back(&by_card, 1)).await.expect(StatusCode::CREATED, "a card return");
        assert_eq!((taken["refund_method"].clone(), clp(&taken["refund"])), (json!("card"), price));
        assert!(taken["session_id"].is_null(), "no cash left the drawer: {taken}");
    }
    let jobs = crate::payment_jobs::wait_for_jobs(&app, &by_card, "terminal refunds carried out", |jobs| {
        jobs.len() == 2 && jobs.iter().all(|job| job["state"] == "succeeded")
    })
    .await;
    for job in &jobs {
        assert_eq!((job["kind"].clone(), job["payee"].clone()), (json!("refund"), json!("terminal")));
        assert_eq!(clp(&job["amount"]), price);
    }

    // Part cash, part card: both pizzas back is more than the card paid, so it is cash.
    let mixed = sale(
        2,
        json!([{"method": "cash", "amount": money(price), "tendered": money(price)},
               {"method": "card", "amount": money(price), "card_number": "4242424242424242"}]),
    );
    app.post("/api/v1/pos/sales", Some(&till.staff), &mixed).await.expect(StatusCode::CREATED, "a mixed sale");
    let taken = take(&app, &till.staff, &back(&mixed, 2)).await.expect(StatusCode::CREATED, "a mixed return");
    assert_eq!((taken["refund_method"].clone(), clp(&taken["refund"])), (json!("cash"), 2 * price));

    // The drawer expects the float, the mixed sale's cash, minus the cash paid back.
    let report = app
        .get(&format!("/api/v1/pos/sessions/{}", till.session_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "report");
    assert_eq!(clp(&report["expected_cash"]), 20_000 + price - 2 * price);
}
