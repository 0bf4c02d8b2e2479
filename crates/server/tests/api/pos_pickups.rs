//! The till collects the pay-at-pickup orders of its location by pickup code (issue 14
//! point 4): `GET /pos/devices/{id}/pickups?code=` finds the part, `POST
//! /pos/pickups/{id}/collect` takes the money in the till's open session and hands it over.
//! A wrong code is 404, another merchant's till or code 404, a second collection 409, and the
//! session's expected cash includes the cash collected.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::{BURGER, PIZZA_M};
use crate::common::{
    Fixture, OpenTill, Payment, TestApp, clp, fulfillment_at, id, money, open_till, pickup_code, qs, wrong_code,
};

async fn look_up(app: &TestApp, till: &OpenTill, code: &str) -> crate::common::Resp {
    app.get(&format!("/api/v1/pos/devices/{}/pickups?{}", till.device_id, qs(&[("code", code)])), Some(&till.staff))
        .await
}

fn cash(amount: i64, tendered: i64) -> Value {
    json!([{"method": "cash", "amount": money(amount), "tendered": money(tendered)}])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pay_at_pickup_order_is_collected_at_the_till_once_with_change() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 20_000).await;
    let order = app.place_order_ok(&fx, &[fx.line(PIZZA_M, 2)], &Payment::AtPickup).await;
    let part = fulfillment_at(&order, &pizza.location_id).clone();
    let (part_id, code) = (id(&part), pickup_code(&part));
    let owed = 2 * pizza.price(PIZZA_M);

    // A wrong code is not found, with words the cashier understands; a non-code is a 422.
    let wrong = look_up(&app, &till, &wrong_code(&code)).await.expect_problem(StatusCode::NOT_FOUND, "wrong code");
    assert!(wrong["detail"].as_str().is_some_and(|d| d.contains("pickup code")), "{wrong}");
    look_up(&app, &till, "12ab").await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "not a code");

    // Found while still being made: shown, owed, but not collectable yet.
    let found = look_up(&app, &till, &code).await.expect(StatusCode::OK, "look up the code");
    assert_eq!((found["fulfillment_id"].clone(), found["status"].clone()), (json!(part_id), json!("placed")));
    assert_eq!(clp(&found["to_collect"]), owed);
    assert_eq!(found["lines"][0]["sku"], PIZZA_M);
    assert_eq!(found["lines"][0]["quantity"], 2);
    let collect_path = format!("/api/v1/pos/pickups/{part_id}/collect");
    let body = json!({"session_id": till.session_id, "pickup_code": code, "payments": cash(owed, 30_000)});
    app.post(&collect_path, Some(&till.staff), &body).await.expect_problem(StatusCode::CONFLICT, "not ready yet");

    let manager = pizza.manager.token(&app).await;
    app.advance(&manager, &part_id, &["accepted", "preparing", "ready"]).await;
    assert_eq!(look_up(&app, &till, &code).await.expect(StatusCode::OK, "ready")["status"], "ready");

    // Tenders that do not cover what is owed, or a code that is not the part's: nothing moves.
    let short = json!({"session_id": till.session_id, "payments": cash(owed - 1, owed - 1)});
    app.post(&collect_path, Some(&till.staff), &short).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "short");
    let bad_code =
        json!({"session_id": till.session_id, "pickup_code": wrong_code(&code), "payments": cash(owed, owed)});
    app.post(&collect_path, Some(&till.staff), &bad_code)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "wrong code at collection");

    let collected = app.post(&collect_path, Some(&till.staff), &body).await.expect(StatusCode::OK, "collect in cash");
    assert_eq!(collected["status"], "collected");
    assert_eq!((clp(&collected["amount"]), clp(&collected["change"])), (owed, 30_000 - owed));
    assert_eq!(collected["payments"][0]["method"], "cash");
    assert_eq!(clp(&collected["payments"][0]["amount"]), owed, "cash kept, net of change");

    // Twice → 409, whatever the body; the look-up now says it was collected, nothing owed.
    let again = app.post(&collect_path, Some(&till.staff), &body).await.expect_problem(StatusCode::CONFLICT, "twice");
    assert!(again["detail"].as_str().is_some_and(|d| d.contains("already collected")), "{again}");
    let after = look_up(&app, &till, &code).await.expect(StatusCode::OK, "look up after");
    assert_eq!((after["status"].clone(), clp(&after["to_collect"])), (json!("collected"), 0));
    assert_eq!(after["collection"]["session_id"], json!(till.session_id));

    // The customer's order shows it picked up and paid.
    let seen = app.get_order(&order).await;
    assert_eq!(fulfillment_at(&seen, &pizza.location_id)["status"], "collected");
    assert_eq!(seen["payment"]["status"], "captured", "{seen}");
    assert_eq!(clp(&seen["payment"]["outstanding"]), 0);

    // The session expects the float plus the cash kept, and a close on that count adds up.
    let path = format!("/api/v1/pos/sessions/{}", till.session_id);
    let report = app.get(&path, Some(&till.staff)).await.expect(StatusCode::OK, "report");
    assert_eq!(clp(&report["expected_cash"]), 20_000 + owed);
    assert_eq!((report["pickups"]["count"].clone(), clp(&report["pickups"]["total"])), (json!(1), owed));
    assert_eq!(report["sales_count"], 0, "a collection is not a till sale");
    // The printed report counts the collection apart from the sales, its cash in the drawer.
    let page = app.get(&format!("{path}/report?format=html"), Some(&till.staff)).await;
    let page = page.body.as_str().unwrap_or_default().to_owned();
    for text in ["Retiros cobrados", "Pedidos entregados", "Efectivo de retiros"] {
        assert!(page.contains(text), "the report page shows {text}: {page}");
    }
    let closed = app
        .post(&format!("{path}/close"), Some(&till.staff), &json!({"counted_cash": money(20_000 + owed)}))
        .await
        .expect(StatusCode::OK, "close");
    assert_eq!((clp(&closed["expected_cash"]), clp(&closed["difference"])), (20_000 + owed, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_and_parts_of_other_locations_are_not_found_and_cards_are_charged_on_the_terminal() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let (burger, pizza) = (fx.m(0), fx.m(2));
    let pizza_till = open_till(&app, pizza, 0).await;
    let burger_till = open_till(&app, burger, 0).await;
    let order = app.place_order_ok(&fx, &[fx.line(PIZZA_M, 1), fx.line(BURGER, 1)], &Payment::card()).await;
    let pizza_part = fulfillment_at(&order, &pizza.location_id).clone();
    let code = pickup_code(&pizza_part);

    // Another merchant's till does not find pizza's code; nor may its staff use pizza's till.
    if pickup_code(fulfillment_at(&order, &burger.location_id)) != code {
        look_up(&app, &burger_till, &code).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's code");
    }
    let foreign = app
        .get(
            &format!("/api/v1/pos/devices/{}/pickups?{}", pizza_till.device_id, qs(&[("code", &code)])),
            Some(&burger_till.staff),
        )
        .await;
    foreign.expect_problem(StatusCode::NOT_FOUND, "another merchant's till");
    let collect = json!({"session_id": burger_till.session_id, "payments": []});
    app.post(&format!("/api/v1/pos/pickups/{}/collect", id(&pizza_part)), Some(&burger_till.staff), &collect)
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's part");

    // A card order owes nothing: found with zero to collect, handed over without payments.
    let found = look_up(&app, &pizza_till, &code).await.expect(StatusCode::OK, "card order");
    assert_eq!((found["payment_method"].clone(), clp(&found["to_collect"])), (json!("card"), 0));
    let manager = pizza.manager.token(&app).await;
    app.advance(&manager, &id(&pizza_part), &["accepted", "preparing", "ready"]).await;
    let paid_by_card = json!({"session_id": pizza_till.session_id, "payments": [
        {"method": "card", "amount": money(1), "card_number": "4242424242424242"}]});
    app.post(&format!("/api/v1/pos/pickups/{}/collect", id(&pizza_part)), Some(&pizza_till.staff), &paid_by_card)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a card may not pay more than is owed");
    let handed = json!({"session_id": pizza_till.session_id, "payments": []});
    let done = app
        .post(&format!("/api/v1/pos/pickups/{}/collect", id(&pizza_part)), Some(&pizza_till.staff), &handed)
        .await
        .expect(StatusCode::OK, "hand over a card order");
    assert_eq!((done["status"].clone(), clp(&done["amount"])), (json!("collected"), 0));

    // A pay-at-pickup part paid on the till's terminal: approved, with its approval code; a
    // declined card answers 402 with the issuer's code and leaves the part ready.
    let second = app.place_order_ok(&fx, &[fx.line(PIZZA_M, 1)], &Payment::AtPickup).await;
    let part = id(fulfillment_at(&second, &pizza.location_id));
    app.advance(&manager, &part, &["accepted", "preparing", "ready"]).await;
    let card = |number: &str| {
        json!({"session_id": pizza_till.session_id, "payments": [
            {"method": "card", "amount": money(pizza.price(PIZZA_M)), "card_number": number}]})
    };
    let declined = app
        .post(&format!("/api/v1/pos/pickups/{part}/collect"), Some(&pizza_till.staff), &card("4000000000000002"))
        .await
        .expect_problem(StatusCode::PAYMENT_REQUIRED, "declined");
    assert_eq!(declined["decline_code"], "05", "{declined}");
    let approved = app
        .post(&format!("/api/v1/pos/pickups/{part}/collect"), Some(&pizza_till.staff), &card("4242424242424242"))
        .await
        .expect(StatusCode::OK, "approved");
    assert!(approved["payments"][0]["approval_code"].is_string(), "{approved}");
    let report = app
        .get(&format!("/api/v1/pos/sessions/{}", pizza_till.session_id), Some(&pizza_till.staff))
        .await
        .expect(StatusCode::OK, "report");
    assert_eq!(clp(&report["expected_cash"]), 0, "a card leaves no cash in the drawer");
    let by_card = report["pickups"]["by_method"].as_array().and_then(|m| m.iter().find(|m| m["method"] == "card"));
    assert_eq!(by_card.map(|m| clp(&m["amount"])), Some(pizza.price(PIZZA_M)));
}
