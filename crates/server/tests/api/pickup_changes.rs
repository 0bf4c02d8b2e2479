//! Pay at pickup with changes at the counter (issue 17 point 5): the till finds the order by
//! the customer's phone, swaps a size (repriced by the engine with its promotion), adds and
//! removes lines with the stock holds following, refuses a swap to a size out of stock naming
//! it with nothing changed, makes a card order pay only the difference (or refunds it), and
//! does not find another location's parts.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::{BURGER, PIZZA_L, PIZZA_M};
use crate::common::{Fixture, OpenTill, Payment, TestApp, clp, fulfillment_at, id, money, open_till, pickup_code, qs};

async fn by_phone(app: &TestApp, till: &OpenTill, phone: &str) -> crate::common::Resp {
    let path = format!("/api/v1/pos/devices/{}/pickups/by-phone?{}", till.device_id, qs(&[("phone", phone)]));
    app.get(&path, Some(&till.staff)).await
}

async fn change(app: &TestApp, till: &OpenTill, part_id: &str, lines: &[(&str, i64)]) -> crate::common::Resp {
    let lines: Vec<Value> = lines.iter().map(|(sku, quantity)| json!({"sku": sku, "quantity": quantity})).collect();
    let body = json!({"session_id": till.session_id, "lines": lines});
    app.post(&format!("/api/v1/pos/pickups/{part_id}/change"), Some(&till.staff), &body).await
}

async fn reserved(app: &TestApp, location_id: &str, sku: &str) -> i64 {
    let admin = app.admin_token().await;
    app.stock_level(&admin, location_id, sku).await.reserved
}

fn skus(pickup: &Value) -> Vec<(String, i64)> {
    pickup["lines"]
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .map(|l| (l["sku"].as_str().unwrap_or_default().to_owned(), l["quantity"].as_i64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_size_swapped_at_the_counter_is_repriced_with_its_promotion_the_holds_follow_and_cash_pays_the_new_total() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 20_000).await;
    let manager = pizza.manager.token(&app).await;
    let promo = json!({"merchant_id": pizza.id, "name": "Familiar a mitad",
        "kind": {"type": "percent_off_lines", "bps": 5000, "skus": [PIZZA_L]}});
    app.post("/api/v1/promotions", Some(&manager), &promo).await.expect(StatusCode::CREATED, "promotion");
    let (m_before, l_before) =
        (reserved(&app, &pizza.location_id, PIZZA_M).await, reserved(&app, &pizza.location_id, PIZZA_L).await);
    let order = app.place_order_ok(&fx, &[fx.line(PIZZA_M, 1)], &Payment::AtPickup).await;
    let part_id = id(fulfillment_at(&order, &pizza.location_id));

    // Found by the customer's phone, typed with or without the country code.
    for phone in ["+56 9 1111 2222", "911112222"] {
        let found = by_phone(&app, &till, phone).await.expect(StatusCode::OK, "look up by phone");
        assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
        assert_eq!(found[0]["fulfillment_id"], json!(part_id));
    }
    by_phone(&app, &till, "12").await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "too short a phone");
    let nobody = by_phone(&app, &till, "+56 9 9999 0000").await.expect(StatusCode::OK, "nobody");
    assert_eq!(nobody, json!([]));

    // M → L: the engine prices L with its promotion; M's hold is freed and L's placed.
    let swapped = change(&app, &till, &part_id, &[(PIZZA_L, 1)]).await.expect(StatusCode::OK, "swap M for L");
    let half_l = pizza.price(PIZZA_L) / 2;
    assert_eq!(clp(&swapped["pickup"]["subtotal"]), half_l, "{swapped}");
    assert_eq!(clp(&swapped["pickup"]["to_collect"]), half_l);
    assert_eq!(
        (clp(&swapped["change"]["before_total"]), clp(&swapped["change"]["after_total"])),
        (pizza.price(PIZZA_M), half_l)
    );
    assert_eq!(swapped["change"]["before"][0]["sku"], PIZZA_M);
    assert_eq!(swapped["change"]["after"][0]["sku"], PIZZA_L);
    assert_eq!(reserved(&app, &pizza.location_id, PIZZA_M).await, m_before, "M's hold freed");
    assert_eq!(reserved(&app, &pizza.location_id, PIZZA_L).await, l_before + 1, "L held");

    // An item added holds it; removed again, it is freed.
    let added = change(&app, &till, &part_id, &[(PIZZA_L, 1), (PIZZA_M, 2)]).await.expect(StatusCode::OK, "add");
    assert_eq!(clp(&added["pickup"]["subtotal"]), half_l + 2 * pizza.price(PIZZA_M));
    assert_eq!(reserved(&app, &pizza.location_id, PIZZA_M).await, m_before + 2, "added line held");
    let removed = change(&app, &till, &part_id, &[(PIZZA_L, 1)]).await.expect(StatusCode::OK, "remove");
    assert_eq!(skus(&removed["pickup"]), [(PIZZA_L.to_owned(), 1)]);
    assert_eq!(reserved(&app, &pizza.location_id, PIZZA_M).await, m_before, "removed line freed");

    // Bad input names every field, nothing changes.
    let bad = app
        .post(
            &format!("/api/v1/pos/pickups/{part_id}/change"),
            Some(&till.staff),
            &json!({"session_id": till.session_id, "lines": [{"sku": "", "quantity": 0}]}),
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "bad lines");
    let fields: Vec<&str> =
        bad["errors"].as_array().map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect()).unwrap_or_default();
    assert_eq!(fields, ["lines[0].sku", "lines[0].quantity"], "{bad}");
    change(&app, &till, &part_id, &[]).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "no lines");

    // Every change is on the order's record and the session's.
    let changes = app
        .get(&format!("/api/v1/pos/pickups/{part_id}/changes"), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "changes");
    assert_eq!(changes.as_array().map(Vec::len), Some(3), "{changes}");
    assert!(changes[0]["changed_by"].is_string() && changes[0]["changed_at"].is_string());
    let in_session = app
        .get(&format!("/api/v1/pos/sessions/{}/pickup-changes", till.session_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "session changes");
    assert_eq!(in_session.as_array().map(Vec::len), Some(3));

    // Picked, then paid in cash with change; the order shows the new total.
    app.post(&format!("/api/v1/fulfillments/{part_id}/picked"), Some(&till.staff), &json!({}))
        .await
        .expect(StatusCode::OK, "picked");
    let body = json!({"session_id": till.session_id,
        "payments": [{"method": "cash", "amount": money(half_l), "tendered": money(10_000)}]});
    let collected = app
        .post(&format!("/api/v1/pos/pickups/{part_id}/collect"), Some(&till.staff), &body)
        .await
        .expect(StatusCode::OK, "collect");
    assert_eq!((clp(&collected["amount"]), clp(&collected["change"])), (half_l, 10_000 - half_l));
    let seen = app.get_order(&order).await;
    assert_eq!(clp(&seen["total"]), half_l, "{seen}");
    assert_eq!(clp(&seen["payment"]["outstanding"]), 0);
    assert_eq!(reserved(&app, &pizza.location_id, PIZZA_L).await, l_before, "L sold, no longer held");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swap_to_a_size_out_of_stock_is_refused_naming_it_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 0).await;
    let admin = app.admin_token().await;
    let l = app.stock_level(&admin, &pizza.location_id, PIZZA_L).await;
    let empty = json!({"sku": PIZZA_L, "location_id": pizza.location_id, "delta": -l.on_hand, "reason": "adjustment"});
    app.post("/api/v1/stock/movements", Some(&admin), &empty).await.expect(StatusCode::CREATED, "empty L");
    let order = app.place_order_ok(&fx, &[fx.line(PIZZA_M, 1)], &Payment::AtPickup).await;
    let part = fulfillment_at(&order, &pizza.location_id).clone();
    let m_held = reserved(&app, &pizza.location_id, PIZZA_M).await;

    let refused =
        change(&app, &till, &id(&part), &[(PIZZA_L, 1)]).await.expect_problem(StatusCode::CONFLICT, "L is out");
    assert_eq!(refused["sku"], PIZZA_L, "{refused}");
    assert_eq!(reserved(&app, &pizza.location_id, PIZZA_M).await, m_held, "M still held");
    assert_eq!(reserved(&app, &pizza.location_id, PIZZA_L).await, 0);
    let path = format!("/api/v1/pos/devices/{}/pickups?{}", till.device_id, qs(&[("code", &pickup_code(&part))]));
    let found = app.get(&path, Some(&till.staff)).await.expect(StatusCode::OK, "look up");
    assert_eq!(skus(&found), [(PIZZA_M.to_owned(), 1)]);
    assert_eq!(clp(&found["to_collect"]), pizza.price(PIZZA_M));
    let changes = app.get(&format!("/api/v1/pos/pickups/{}/changes", id(&part)), Some(&till.staff)).await;
    assert_eq!(changes.expect(StatusCode::OK, "changes"), json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_order_pays_only_the_difference_at_the_till_or_is_refunded_it() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 0).await;
    let (m, l) = (pizza.price(PIZZA_M), pizza.price(PIZZA_L));

    // M paid by card, swapped for L: only L − M is paid at the till.
    let up = app.place_order_ok(&fx, &[fx.line(PIZZA_M, 1)], &Payment::card()).await;
    let up_part = id(fulfillment_at(&up, &pizza.location_id));
    let swapped = change(&app, &till, &up_part, &[(PIZZA_L, 1)]).await.expect(StatusCode::OK, "M → L");
    assert_eq!((clp(&swapped["change"]["to_collect"]), clp(&swapped["change"]["refund"])), (l - m, 0));
    assert_eq!(clp(&swapped["pickup"]["to_collect"]), l - m);
    app.post(&format!("/api/v1/fulfillments/{up_part}/picked"), Some(&till.staff), &json!({}))
        .await
        .expect(StatusCode::OK, "picked");
    let body = json!({"session_id": till.session_id,
        "payments": [{"method": "cash", "amount": money(l - m), "tendered": money(l - m)}]});
    let collected = app
        .post(&format!("/api/v1/pos/pickups/{up_part}/collect"), Some(&till.staff), &body)
        .await
        .expect(StatusCode::OK, "collect the difference");
    assert_eq!(clp(&collected["amount"]), l - m);
    let seen = app.get_order(&up).await;
    assert_eq!((clp(&seen["total"]), clp(&seen["payment"]["captured"])), (l, l), "{seen}");

    // L paid by card, swapped for M: the difference is refunded by a payment job.
    let down = app.place_order_ok(&fx, &[fx.line(PIZZA_L, 1)], &Payment::card()).await;
    let down_part = id(fulfillment_at(&down, &pizza.location_id));
    let swapped = change(&app, &till, &down_part, &[(PIZZA_M, 1)]).await.expect(StatusCode::OK, "L → M");
    assert_eq!((clp(&swapped["change"]["refund"]), clp(&swapped["pickup"]["to_collect"])), (l - m, 0));
    let seen = app.get_order(&down).await;
    assert_eq!(clp(&seen["payment"]["refunded"]), l - m, "{seen}");
    let admin = app.admin_token().await;
    let jobs = app
        .get(&format!("/api/v1/payment-jobs?{}", qs(&[("order_id", id(&down).as_str())])), Some(&admin))
        .await
        .expect(StatusCode::OK, "jobs");
    let refunds: Vec<i64> = jobs
        .as_array()
        .map(|jobs| jobs.iter().filter(|j| j["kind"] == "refund").map(|j| clp(&j["amount"])).collect())
        .unwrap_or_default();
    assert_eq!(refunds, [l - m], "{jobs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_locations_parts_are_not_found_at_the_till() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let (burger, pizza) = (fx.m(0), fx.m(2));
    let burger_till = open_till(&app, burger, 0).await;
    let pizza_till = open_till(&app, pizza, 0).await;
    let order = app.place_order_ok(&fx, &[fx.line(PIZZA_M, 1)], &Payment::AtPickup).await;
    let pizza_part = id(fulfillment_at(&order, &pizza.location_id));

    // Burger's till neither finds pizza's part by phone nor may change it.
    let found = by_phone(&app, &burger_till, "+56911112222").await.expect(StatusCode::OK, "burger's look-up");
    assert_eq!(found, json!([]));
    change(&app, &burger_till, &pizza_part, &[(BURGER, 1)])
        .await
        .expect_problem(StatusCode::NOT_FOUND, "other location");
    // Burger's staff cannot use pizza's till either.
    let foreign = app
        .post(
            &format!("/api/v1/pos/pickups/{pizza_part}/change"),
            Some(&burger_till.staff),
            &json!({"session_id": pizza_till.session_id, "lines": [{"sku": PIZZA_L, "quantity": 1}]}),
        )
        .await;
    foreign.expect_problem(StatusCode::NOT_FOUND, "another merchant's session");
    app.get(&format!("/api/v1/pos/pickups/{pizza_part}/changes"), Some(&burger_till.staff))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's changes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_changes_of_one_part_at_once_never_both_overwrite() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 0).await;
    let (m_before, l_before) =
        (reserved(&app, &pizza.location_id, PIZZA_M).await, reserved(&app, &pizza.location_id, PIZZA_L).await);
    let order = app.place_order_ok(&fx, &[fx.line(PIZZA_M, 1)], &Payment::AtPickup).await;
    let part_id = id(fulfillment_at(&order, &pizza.location_id));
    let (a, b) =
        tokio::join!(change(&app, &till, &part_id, &[(PIZZA_L, 1)]), change(&app, &till, &part_id, &[(PIZZA_M, 3)]));
    let statuses = [a.status, b.status];
    assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT), "{statuses:?}");
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert!(won >= 1, "at least one change lands: {statuses:?}");
    let changes = app.get(&format!("/api/v1/pos/pickups/{part_id}/changes"), Some(&till.staff)).await;
    assert_eq!(changes.expect(StatusCode::OK, "changes").as_array().map(Vec::len), Some(won));
    // The holds match the lines the part ended with, whichever change came last.
    let path = format!(
        "/api/v1/pos/devices/{}/pickups?{}",
        till.device_id,
        qs(&[("code", &pickup_code(fulfillment_at(&order, &pizza.location_id)))])
    );
    let lines = skus(&app.get(&path, Some(&till.staff)).await.expect(StatusCode::OK, "look up"));
    let held = |sku: &str| lines.iter().filter(|(s, _)| s == sku).map(|(_, q)| q).sum::<i64>();
    assert_eq!(reserved(&app, &pizza.location_id, PIZZA_M).await, m_before + held(PIZZA_M));
    assert_eq!(reserved(&app, &pizza.location_id, PIZZA_L).await, l_before + held(PIZZA_L));
}

/// A pizza whose size and extras are chosen (untracked), for merchant `merchant_id`.
async fn pizza_with_choices(app: &TestApp, manager: &str, merchant_id: &str) {
    let groups = json!([
        {"name": "Tamaño", "min": 1, "max": 1, "options": [
            {"name": "Mediana", "price": money(0)}, {"name": "Familiar", "price": money(3_000)}]},
        {"name": "Agregados", "min": 0, "max": 2, "options": [
            {"name": "Extra queso", "price": money(990)}, {"name": "Aceitunas", "price": money(590)}]},
    ]);
    let body = json!({"merchant_id": merchant_id, "name": "Pizza a tu gusto", "track_stock": false,
        "modifier_groups": groups, "variants": [{"sku": "PIZZA-GUSTO", "price": money(9_990)}]});
    app.post("/api/v1/products", Some(manager), &body).await.expect(StatusCode::CREATED, "a pizza with choices");
}

/// A line changed at the counter (its quantity here) keeps the customer's modifiers and note,
/// priced again with them; an added line has none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_changed_at_the_counter_keeps_its_modifiers_and_note() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 0).await;
    let manager = pizza.manager.token(&app).await;
    pizza_with_choices(&app, &manager, &pizza.id).await;
    let mut body = fx.order_body(&[], &Payment::AtPickup);
    body["lines"] = json!([{"sku": "PIZZA-GUSTO", "location_id": pizza.location_id, "quantity": 1,
        "modifiers": [{"group": "Tamaño", "option": "Familiar"}, {"group": "Agregados", "option": "Extra queso"}],
        "note": "bien cocida"}]);
    let order = app.post("/api/v1/orders", None, &body).await.expect(StatusCode::CREATED, "an order with choices");
    let part_id = id(fulfillment_at(&order, &pizza.location_id));

    let changed =
        change(&app, &till, &part_id, &[("PIZZA-GUSTO", 2), (PIZZA_M, 1)]).await.expect(StatusCode::OK, "two");
    let unit = 9_990 + 3_000 + 990;
    assert_eq!(
        clp(&changed["pickup"]["subtotal"]),
        2 * unit + pizza.price(PIZZA_M),
        "priced with the choices: {changed}"
    );
    let read = app.get_order(&order).await;
    let lines = fulfillment_at(&read, &pizza.location_id)["lines"].as_array().cloned().unwrap_or_default();
    let gusto = lines.iter().find(|l| l["sku"] == "PIZZA-GUSTO").expect("the pizza");
    let mut options: Vec<&str> =
        gusto["modifiers"].as_array().into_iter().flatten().filter_map(|m| m["option"].as_str()).collect();
    options.sort_unstable();
    assert_eq!(
        (options, gusto["note"].clone(), gusto["quantity"].clone()),
        (vec!["Extra queso", "Familiar"], json!("bien cocida"), json!(2))
    );
    let added = lines.iter().find(|l| l["sku"] == PIZZA_M).expect("the added pizza");
    assert_eq!((added["modifiers"].clone(), added["note"].clone()), (json!([]), Value::Null));
}

/// The order's coupon is re-applied to the changed part by the engine (its own use not
/// counted against a limit of one); when the part no longer qualifies it is dropped with the
/// engine's reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_orders_coupon_is_reapplied_to_the_change_or_dropped_with_the_reason() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let pizza = fx.m(2);
    let till = open_till(&app, pizza, 0).await;
    let manager = pizza.manager.token(&app).await;
    let promo = json!({"merchant_id": pizza.id, "name": "Familiar con cupón", "requires_coupon": true,
        "kind": {"type": "percent_off_lines", "bps": 1000, "skus": [PIZZA_L]}});
    let promotion =
        app.post("/api/v1/promotions", Some(&manager), &promo).await.expect(StatusCode::CREATED, "promotion");
    let coupons = format!("/api/v1/promotions/{}/coupons", promotion["id"].as_str().unwrap_or_default());
    app.post(&coupons, Some(&manager), &json!({"code": "FAMILIAR10", "usage_limit": 1}))
        .await
        .expect(StatusCode::CREATED, "a coupon good once");
    let mut body = fx.order_body(&[fx.line(PIZZA_L, 1)], &Payment::AtPickup);
    body["coupon_codes"] = json!(["FAMILIAR10"]);
    let order = app.post("/api/v1/orders", None, &body).await.expect(StatusCode::CREATED, "an order with the coupon");
    let part_id = id(fulfillment_at(&order, &pizza.location_id));
    let large = pizza.price(PIZZA_L);
    assert_eq!(clp(&fulfillment_at(&order, &pizza.location_id)["subtotal"]), large - large / 10, "{order}");

    let two = change(&app, &till, &part_id, &[(PIZZA_L, 2)]).await.expect(StatusCode::OK, "two large");
    assert_eq!(
        (two["coupons"][0]["code"].clone(), two["coupons"][0]["applied"].clone()),
        (json!("FAMILIAR10"), json!(true)),
        "{two}"
    );
    assert_eq!(clp(&two["pickup"]["subtotal"]), 2 * large - 2 * large / 10);

    let medium = change(&app, &till, &part_id, &[(PIZZA_M, 1)]).await.expect(StatusCode::OK, "a medium instead");
    let dropped = &medium["coupons"][0];
    assert_eq!((dropped["code"].clone(), dropped["applied"].clone()), (json!("FAMILIAR10"), json!(false)), "{medium}");
    assert!(dropped["message"].as_str().is_some_and(|m| !m.is_empty()), "the reason is shown: {medium}");
    assert_eq!(clp(&medium["pickup"]["subtotal"]), pizza.price(PIZZA_M), "no discount left");
}
