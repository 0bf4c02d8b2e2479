//! Exchanges at the till and returns in the settlement (issue 17 point 6), through
//! `POST /api/v1/returns` with `exchange_lines`: a size for another of the same price moves
//! no money; a dearer item is paid at the till in cash with change; a cheaper one is refunded
//! the difference; an item out of stock refuses the whole exchange (409 naming the SKU) with
//! nothing changed; a return of an order lowers the merchant's settlement.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::{BURGER, PIZZA_L, PIZZA_M};
use crate::common::{Fixture, OpenTill, Payment, TestApp, clp, fulfillment_at, money, open_till, qs};

/// A till cash sale of `quantity` × `sku`, paid exactly.
async fn cash_sale(app: &TestApp, till: &OpenTill, n: i64, sku: &str, total: i64) -> Value {
    let sale = json!({
        "id": format!("sale-{}", crate::common::random_hex()),
        "session_id": till.session_id,
        "receipt_number": format!("{}-{n}", till.series),
        "sold_at": chrono::Utc::now().to_rfc3339(),
        "offline": false,
        "lines": [{"sku": sku, "quantity": 1}],
        "payments": [{"method": "cash", "amount": money(total)}],
    });
    app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::CREATED, "a cash sale");
    sale
}

/// One unit of the sale's `sku` back (restocked) for one unit of `new_sku`, with `payments`.
fn exchange(sale: &Value, till: &OpenTill, sku: &str, new_sku: &str, quantity: i64, payments: Value) -> Value {
    json!({"sale_id": sale["id"], "location_id": till.location_id, "device_id": till.device_id,
        "lines": [{"sku": sku, "quantity": 1, "restock": true}], "refund_to": "original", "reason": "otra talla",
        "exchange_lines": [{"sku": new_sku, "quantity": quantity}], "payments": payments})
}

async fn on_hand(app: &TestApp, till: &OpenTill, sku: &str) -> i64 {
    app.stock_level(&till.manager, &till.location_id, sku).await.on_hand
}

async fn expected_cash(app: &TestApp, till: &OpenTill) -> i64 {
    let report = app
        .get(&format!("/api/v1/pos/sessions/{}", till.session_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "session report");
    clp(&report["expected_cash"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_size_for_another_of_the_same_price_moves_no_money_but_moves_the_stock() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(3).stock(20).build(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 20_000).await;
    let price = pizza.price(PIZZA_M);
    // The large one costs the same today.
    app.send(
        reqwest::Method::PATCH,
        &format!("/api/v1/products/{}", pizza.products[0].id),
        Some(&till.manager),
        crate::common::Body::Json(
            json!({"variants": [{"sku": PIZZA_M, "price": money(price)}, {"sku": PIZZA_L, "price": money(price)}]}),
        ),
        &[],
    )
    .await
    .expect(StatusCode::OK, "same price for both sizes");
    let sale = cash_sale(&app, &till, 1, PIZZA_M, price).await;
    let (m_before, l_before, cash_before) =
        (on_hand(&app, &till, PIZZA_M).await, on_hand(&app, &till, PIZZA_L).await, expected_cash(&app, &till).await);

    let taken = app
        .post("/api/v1/returns", Some(&till.staff), &exchange(&sale, &till, PIZZA_M, PIZZA_L, 1, json!([])))
        .await
        .expect(StatusCode::CREATED, "an even exchange");
    assert_eq!(clp(&taken["refund"]), 0, "{taken}");
    assert_eq!(taken["credit_note"]["number"], "NC-1");
    assert_eq!((clp(&taken["exchange"]["total"]), clp(&taken["exchange"]["difference"])), (price, 0));
    assert_eq!(taken["exchange"]["lines"][0]["sku"], PIZZA_L);
    assert_eq!(on_hand(&app, &till, PIZZA_M).await, m_before + 1, "the returned size is back");
    assert_eq!(on_hand(&app, &till, PIZZA_L).await, l_before - 1, "the new size left this store");
    assert_eq!(expected_cash(&app, &till).await, cash_before, "no money moved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dearer_item_is_paid_in_cash_with_change_and_a_cheaper_one_refunds_the_difference() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(3).stock(20).build(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 20_000).await;
    let (m, l) = (pizza.price(PIZZA_M), pizza.price(PIZZA_L));
    let small = cash_sale(&app, &till, 1, PIZZA_M, m).await;
    let large = cash_sale(&app, &till, 2, PIZZA_L, l).await;
    let cash = expected_cash(&app, &till).await;
    assert_eq!(cash, 20_000 + m + l);

    // Dearer: the customer owes the difference and pays it in cash, handing over more.
    let owed = l - m;
    let unpaid = app
        .post("/api/v1/returns", Some(&till.staff), &exchange(&small, &till, PIZZA_M, PIZZA_L, 1, json!([])))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "the difference must be paid");
    assert_eq!(unpaid["errors"][0]["field"], "payments", "{unpaid}");
    let payments = json!([{"method": "cash", "amount": money(owed), "tendered": money(owed + 1_000)}]);
    let dearer = app
        .post("/api/v1/returns", Some(&till.staff), &exchange(&small, &till, PIZZA_M, PIZZA_L, 1, payments))
        .await
        .expect(StatusCode::CREATED, "a dearer exchange");
    assert_eq!(clp(&dearer["refund"]), 0, "{dearer}");
    assert_eq!((clp(&dearer["exchange"]["difference"]), clp(&dearer["exchange"]["change"])), (owed, 1_000), "{dearer}");
    assert_eq!(dearer["exchange"]["session_id"], json!(till.session_id));
    assert_eq!(expected_cash(&app, &till).await, cash + owed, "the difference is in the drawer, the change is not");

    // Cheaper: the difference comes back in cash out of the session, the return's own rule.
    let cheaper = app
        .post("/api/v1/returns", Some(&till.staff), &exchange(&large, &till, PIZZA_L, PIZZA_M, 1, json!([])))
        .await
        .expect(StatusCode::CREATED, "a cheaper exchange");
    assert_eq!((cheaper["refund_method"].clone(), clp(&cheaper["refund"])), (json!("cash"), owed), "{cheaper}");
    assert_eq!(clp(&cheaper["exchange"]["difference"]), -owed);
    assert_eq!(expected_cash(&app, &till).await, cash, "what came in went back out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_out_of_stock_refuses_the_exchange_with_nothing_changed() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(3).stock(20).build(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 20_000).await;
    let (m, l) = (pizza.price(PIZZA_M), pizza.price(PIZZA_L));
    let sale = cash_sale(&app, &till, 1, PIZZA_M, m).await;
    let (m_before, l_before, cash_before) =
        (on_hand(&app, &till, PIZZA_M).await, on_hand(&app, &till, PIZZA_L).await, expected_cash(&app, &till).await);

    let owed = (l_before + 1) * l - m;
    let payments = json!([{"method": "cash", "amount": money(owed)}]);
    let short = app
        .post("/api/v1/returns", Some(&till.staff), &exchange(&sale, &till, PIZZA_M, PIZZA_L, l_before + 1, payments))
        .await
        .expect_problem(StatusCode::CONFLICT, "more than this store has");
    assert_eq!(short["sku"], PIZZA_L, "{short}");

    // Nothing changed: still returnable, stock and drawer as they were, no credit note used.
    let path = format!(
        "/api/v1/returns/lookup?{}",
        qs(&[("location_id", &till.location_id), ("sale_id", sale["id"].as_str().unwrap_or_default())])
    );
    let found = app.get(&path, Some(&till.staff)).await.expect(StatusCode::OK, "look up");
    assert_eq!(found[0]["lines"][0]["returnable"], json!(1));
    assert_eq!(on_hand(&app, &till, PIZZA_M).await, m_before);
    assert_eq!(on_hand(&app, &till, PIZZA_L).await, l_before);
    assert_eq!(expected_cash(&app, &till).await, cash_before);
    let plain = json!({"sale_id": sale["id"], "location_id": till.location_id, "device_id": till.device_id,
        "lines": [{"sku": PIZZA_M, "quantity": 1, "restock": true}], "refund_to": "original", "reason": "fría"});
    let taken =
        app.post("/api/v1/returns", Some(&till.staff), &plain).await.expect(StatusCode::CREATED, "a plain return");
    assert_eq!(taken["credit_note"]["number"], "NC-1", "the refused exchange took no credit note");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_return_of_an_order_lowers_the_settlement_and_shows_in_its_statement() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(20).build(&app).await;
    let burger = fx.m(0);
    let manager = burger.manager.token(&app).await;
    let order = app.place_order_ok(&fx, &[burger.line(BURGER, 2)], &Payment::card()).await;
    app.fulfil(&manager, fulfillment_at(&order, &burger.location_id)).await;
    let before = app.settlement_ok(&burger.id).await;
    let price = burger.price(BURGER);

    let back = json!({"order_id": order["id"], "location_id": burger.location_id,
        "lines": [{"sku": BURGER, "quantity": 1, "restock": true}], "refund_to": "original", "reason": "fría"});
    app.post("/api/v1/returns", Some(&manager), &back).await.expect(StatusCode::CREATED, "a return");
    let after = app.settlement_ok(&burger.id).await;
    assert_eq!(after.gross, before.gross, "what was captured stays");
    assert_eq!(after.refunds, before.refunds + price, "the refund reduces the period's sales");
    assert_eq!(
        after.commission,
        ((after.gross - after.refunds) * 1500 + 5_000) / 10_000,
        "commission on what stayed sold"
    );
    assert_eq!(after.net, after.gross - after.refunds - after.commission);

    // The statement has a row for the return, and its columns still add up to the settlement.
    let text = app
        .client
        .get(app.url(&format!("/api/v1/merchants/{}/settlement.csv", burger.id)))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("text");
    let rows: Vec<Vec<String>> = text.lines().map(|line| line.split(',').map(str::to_owned).collect()).collect();
    assert_eq!(rows.len(), 1 + 2 + 1, "header, the part, the return, the total: {text}");
    let refunded: i64 = rows[1..3].iter().map(|row| row[6].parse::<i64>().expect("integer")).sum();
    assert_eq!(refunded, after.refunds);
    assert_eq!(rows[2][6].parse::<i64>().ok(), Some(price), "the return's row: {text}");
}

/// `GET /returns/{id}` of an exchange shows its new items, the difference and how it was
/// settled (the cash tendered), as the answer to the exchange did; a plain return shows none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_return_shows_the_exchange_and_how_it_was_settled() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(3).stock(20).build(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 20_000).await;
    let (m, l) = (pizza.price(PIZZA_M), pizza.price(PIZZA_L));
    let small = cash_sale(&app, &till, 1, PIZZA_M, m).await;
    let owed = l - m;
    let payments = json!([{"method": "cash", "amount": money(owed), "tendered": money(owed + 1_000)}]);
    let dearer = app
        .post("/api/v1/returns", Some(&till.staff), &exchange(&small, &till, PIZZA_M, PIZZA_L, 1, payments))
        .await
        .expect(StatusCode::CREATED, "a dearer exchange");
    let path = format!("/api/v1/returns/{}", dearer["id"].as_str().unwrap_or_default());
    let read = app.get(&path, Some(&till.staff)).await.expect(StatusCode::OK, "the return");
    assert_eq!(read["exchange"]["lines"], dearer["exchange"]["lines"], "{read}");
    assert_eq!((clp(&read["exchange"]["difference"]), clp(&read["exchange"]["change"])), (owed, 1_000));
    assert_eq!(read["exchange"]["session_id"], json!(till.session_id));
    let paid = &read["exchange"]["payments"][0];
    assert_eq!(
        (paid["method"].clone(), clp(&paid["amount"]), clp(&paid["tendered"])),
        (json!("cash"), owed, owed + 1_000)
    );
    assert_eq!(read["purchase_label"], small["receipt_number"]);

    let plain = cash_sale(&app, &till, 2, PIZZA_M, m).await;
    let back = json!({"sale_id": plain["id"], "location_id": till.location_id, "device_id": till.device_id,
        "lines": [{"sku": PIZZA_M, "quantity": 1, "restock": true}], "refund_to": "original", "reason": "fría"});
    let taken = app.post("/api/v1/returns", Some(&till.staff), &back).await.expect(StatusCode::CREATED, "a return");
    let path = format!("/api/v1/returns/{}", taken["id"].as_str().unwrap_or_default());
    let read = app.get(&path, Some(&till.staff)).await.expect(StatusCode::OK, "the plain return");
    assert_eq!(read["exchange"], Value::Null);
}
