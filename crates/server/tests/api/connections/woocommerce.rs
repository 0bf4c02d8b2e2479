//! WooCommerce against its fake (the published REST API v3): a sale at the till shows in the
//! shop within 2 s; an order placed in the shop arrives by its signed webhook — delivered three
//! times — and by the poll, and lands in our queue once, as `shop:woocommerce`, reserving
//! stock; its status goes back to the shop when it is ready and handed over; a stock edited in
//! the shop's admin is set back and recorded.

use crate::common;

use common::fixture::{BURGER, FRIES};
use common::{Fixture, money, open_till};
use omnicanal_fakeshops::woocommerce::FakeWooCommerce;
use reqwest::StatusCode;
use serde_json::json;

use super::support::{connect, connection_when, eventually, imported, queue_orders, spawn_fast};

const KEY: &str = "ck_omnicanal";
const SECRET: &str = "cs_omnicanal";
const WEBHOOK_SECRET: &str = "woo-webhook-secret";

fn credentials() -> serde_json::Value {
    json!({"consumer_key": KEY, "consumer_secret": SECRET, "webhook_secret": WEBHOOK_SECRET})
}

/// A connected fake WooCommerce selling the burger at `price`, with none in stock, its first
/// import done; the server's merchant 0 has 10 of each of its SKUs.
struct Connected {
    shop: FakeWooCommerce,
    _serving: omnicanal_fakeshops::Serving,
    app: common::TestApp,
    fx: Fixture,
    id: String,
}

async fn connected_shop(price: i64) -> Connected {
    let shop = FakeWooCommerce::new(KEY, SECRET).with_currency("CLP");
    shop.add_product(BURGER, "Hamburguesa", price, 0);
    let _serving = shop.spawn().await.expect("the fake shop listens");
    let app = spawn_fast().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let id = connect(&app, &fx, "woocommerce", &_serving.base_url(), credentials()).await;
    imported(&app, &fx, &id).await;
    Connected { shop, _serving, app, fx, id }
}

/// Delivers a webhook as the shop would: its headers and raw body, to the connection's address.
async fn deliver(app: &common::TestApp, id: &str, headers: &[(String, String)], body: Vec<u8>) -> serde_json::Value {
    let mut request = app.client.post(app.url(&format!("/api/v1/connections/{id}/webhooks"))).body(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let answer = request.send().await.expect("an answer");
    assert_eq!(answer.status(), StatusCode::OK);
    answer.json().await.expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_sale_reaches_woocommerce_within_two_seconds() {
    let shop = FakeWooCommerce::new(KEY, SECRET).with_currency("CLP");
    shop.add_product(BURGER, "Hamburguesa", 1, 0);
    shop.add_product(FRIES, "Papas", 1, 0);
    let serving = shop.spawn().await.expect("the fake shop listens");
    let app = spawn_fast().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let id = connect(&app, &fx, "woocommerce", &serving.base_url(), credentials()).await;
    imported(&app, &fx, &id).await;
    let in_step =
        eventually(5_000, || async { shop.stock_of(BURGER) == Some(10) && shop.price_of(BURGER) == Some(12_990) })
            .await;
    assert!(in_step.is_some(), "stock and price in step: {:?} {:?}", shop.stock_of(BURGER), shop.price_of(BURGER));

    let till = open_till(&app, fx.m(0), 10_000).await;
    let sale = json!({
        "id": "sale-woo-1",
        "session_id": till.session_id,
        "receipt_number": format!("{}-1", till.series),
        "sold_at": chrono::Utc::now().to_rfc3339(),
        "offline": false,
        "lines": [{"sku": BURGER, "quantity": 3}],
        "payments": [{"method": "cash", "amount": money(3 * 12_990), "tendered": money(3 * 12_990)}],
    });
    app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::CREATED, "a till sale");
    let took = eventually(2_000, || async { shop.stock_of(BURGER) == Some(7) }).await;
    assert!(took.is_some(), "the fake WooCommerce shows the new stock within 2 s: {:?}", shop.stock_of(BURGER));

    let manager = fx.m(0).manager.token(&app).await;
    let product = format!("/api/v1/products/{}", fx.m(0).products[0].id);
    let variants = json!({"variants": [
        {"sku": BURGER, "price": money(11_990)}, {"sku": common::fixture::BURGER_DOUBLE, "price": money(15_990)}]});
    app.send(reqwest::Method::PATCH, &product, Some(&manager), common::Body::Json(variants), &[])
        .await
        .expect(StatusCode::OK, "a new price");
    let repriced = eventually(5_000, || async { shop.price_of(BURGER) == Some(11_990) }).await;
    assert!(repriced.is_some(), "the new price reached the shop within 5 s: {:?}", shop.price_of(BURGER));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_woocommerce_order_lands_once_though_delivered_three_times_and_polled() {
    let Connected { shop, _serving, app, fx, id } = connected_shop(12_990).await;

    let remote = shop.place_order(&[(BURGER, 2)], "Rosa Díaz");
    let (headers, body) = shop.signed_order_webhook(&remote, WEBHOOK_SECRET);
    let mut duplicates = Vec::new();
    for _ in 0..3 {
        let receipt = deliver(&app, &id, &headers, body.clone()).await;
        duplicates.push(receipt["duplicate"].as_bool().unwrap_or_default());
    }
    assert_eq!(duplicates, [false, true, true], "recorded the first time only");
    let arrived = eventually(5_000, || async { !queue_orders(&app, &fx, "shop:woocommerce").await.is_empty() }).await;
    assert!(arrived.is_some(), "the order reached our queue");
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    let orders = queue_orders(&app, &fx, "shop:woocommerce").await;
    assert_eq!(orders.len(), 1, "once, though the webhook came three times and the poll found it: {orders:?}");
    assert_eq!(orders[0]["payment"]["method"], "paid_in_shop", "{}", orders[0]);
    let level = app.stock_level(&fx.m(0).manager.token(&app).await, &fx.m(0).location_id, BURGER).await;
    assert_eq!(level.triple(), (10, 2, 8), "its units are reserved: {level:?}");

    let staff = fx.m(0).staff.token(&app).await;
    let part = &orders[0]["fulfillments"][0];
    let part_id = part["id"].as_str().expect("a part");
    app.advance(&staff, part_id, &["accepted", "preparing", "ready"]).await;
    let told = eventually(5_000, || async { shop.order_status(&remote).as_deref() == Some("processing") }).await;
    assert!(told.is_some(), "ready is told as processing: {:?}", shop.order_status(&remote));
    // The shop's customer never sees our tracking page: the code is the shop's order number,
    // which the shop's confirmation shows.
    let number = shop.order_json(&remote).expect("the order")["number"].as_str().unwrap_or_default().to_owned();
    let wrong = app.transition(&staff, part_id, "collected", Some("0000000")).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.body);
    let collected = app.transition(&staff, part_id, "collected", Some(&number)).await;
    assert_eq!(collected.status, StatusCode::OK, "handed over: {}", collected.body);
    let shipped = eventually(5_000, || async { shop.order_status(&remote).as_deref() == Some("completed") }).await;
    assert!(shipped.is_some(), "handed over is told as completed: {:?}", shop.order_status(&remote));

    let refused = shop.place_order(&[(BURGER, 1)], "Otro Cliente");
    let (headers, body) = shop.signed_order_webhook(&refused, WEBHOOK_SECRET);
    deliver(&app, &id, &headers, body).await;
    let second = eventually(5_000, || async { queue_orders(&app, &fx, "shop:woocommerce").await.len() == 2 }).await;
    assert!(second.is_some(), "the second order arrived");
    let orders = queue_orders(&app, &fx, "shop:woocommerce").await;
    let newest = orders.iter().find(|order| order["customer"]["name"] == "Otro Cliente").expect("the second order");
    let part = newest["fulfillments"][0]["id"].as_str().expect("a part").to_owned();
    let staff_token = fx.m(0).staff.token(&app).await;
    let rejected = app
        .post(
            &format!("/api/v1/fulfillments/{part}/transition"),
            Some(&staff_token),
            &json!({"to": "rejected", "reason": "sin stock real"}),
        )
        .await;
    assert_eq!(rejected.status, StatusCode::OK, "rejected: {}", rejected.body);
    let cancelled = eventually(5_000, || async { shop.order_status(&refused).as_deref() == Some("cancelled") }).await;
    assert!(cancelled.is_some(), "a rejection is told as cancelled: {:?}", shop.order_status(&refused));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stock_edited_in_the_woocommerce_admin_is_set_back_and_recorded() {
    let Connected { shop, _serving, app, fx, id } = connected_shop(12_990).await;
    assert!(eventually(5_000, || async { shop.stock_of(BURGER) == Some(10) }).await.is_some());
    shop.admin_set_stock(BURGER, 500);
    let back = eventually(5_000, || async { shop.stock_of(BURGER) == Some(10) }).await;
    assert!(back.is_some(), "set back to ours: {:?}", shop.stock_of(BURGER));
    let manager = fx.m(0).manager.token(&app).await;
    let recorded = app
        .get(&format!("/api/v1/connections/{id}/conflicts?open=false"), Some(&manager))
        .await
        .expect(StatusCode::OK, "conflicts");
    let reverted = recorded.as_array().expect("a list").iter().find(|c| c["kind"] == "stock_edited_in_shop").cloned();
    let reverted = reverted.unwrap_or_else(|| panic!("recorded: {recorded}"));
    assert_eq!((reverted["ours"].as_i64(), reverted["theirs"].as_i64()), (Some(10), Some(500)), "{reverted}");
    assert_eq!(reverted["resolution"], "reverted");
    connection_when(&app, &fx, &id, 2_000, "nothing left open", |shown| shown["conflicts"] == json!([])).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_the_shop_owns_are_taken_from_it_and_recorded() {
    let shop = FakeWooCommerce::new(KEY, SECRET).with_currency("CLP");
    shop.add_product(BURGER, "Hamburguesa", 11_000, 4);
    let serving = shop.spawn().await.expect("the fake shop listens");
    let app = spawn_fast().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let manager = fx.m(0).manager.token(&app).await;
    let body = json!({
        "merchant_id": fx.m(0).id, "kind": "woocommerce", "name": "Tienda", "base_url": serving.base_url(),
        "credentials": credentials(), "location_ids": [fx.m(0).location_id],
        "stock_owner": "shop", "price_owner": "shop",
    });
    let created = app.post("/api/v1/connections", Some(&manager), &body).await.expect(StatusCode::CREATED, "connect");
    let id = created["id"].as_str().expect("an id").to_owned();
    imported(&app, &fx, &id).await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(shop.stock_of(BURGER), Some(4), "the shop's stock is not overwritten");
    assert_eq!(shop.price_of(BURGER), Some(11_000), "nor its price");

    shop.admin_set_price(BURGER, 13_500);
    shop.admin_set_stock(BURGER, 6);
    let level = eventually(5_000, || async {
        app.stock_level(&manager, &fx.m(0).location_id, BURGER).await.triple() == (6, 0, 6)
    })
    .await;
    assert!(
        level.is_some(),
        "the shop's stock is taken here: {:?}",
        app.stock_level(&manager, &fx.m(0).location_id, BURGER).await
    );
    let priced = eventually(5_000, || async {
        let product = app.get(&format!("/api/v1/products/{}", fx.m(0).products[0].id), Some(&manager)).await;
        product.body.to_string().contains("13500")
    })
    .await;
    assert!(priced.is_some(), "the shop's price is taken here");
    // The value is taken a moment before its record is written, in the same pass.
    let accepted_records = || async {
        let recorded = app
            .get(&format!("/api/v1/connections/{id}/conflicts?open=false"), Some(&manager))
            .await
            .expect(StatusCode::OK, "conflicts");
        let accepted = recorded.as_array().expect("a list").iter().filter(|c| c["resolution"] == "accepted").count();
        (accepted, recorded)
    };
    let both = eventually(2_000, || async { accepted_records().await.0 == 2 }).await;
    let (accepted, recorded) = accepted_records().await;
    assert!(both.is_some() && accepted == 2, "both recorded, once each: {recorded}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_price_changed_on_both_sides_waits_for_a_person_who_takes_the_shops() {
    let shop = FakeWooCommerce::new(KEY, SECRET).with_currency("CLP");
    shop.add_product(BURGER, "Hamburguesa", 12_990, 4);
    shop.add_product(common::fixture::BURGER_DOUBLE, "Doble", 15_990, 4);
    let serving = shop.spawn().await.expect("the fake shop listens");
    let app = spawn_fast().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let manager = fx.m(0).manager.token(&app).await;
    let body = json!({
        "merchant_id": fx.m(0).id, "kind": "woocommerce", "name": "Tienda", "base_url": serving.base_url(),
        "credentials": credentials(), "location_ids": [fx.m(0).location_id], "price_owner": "shop",
    });
    let created = app.post("/api/v1/connections", Some(&manager), &body).await.expect(StatusCode::CREATED, "connect");
    let id = created["id"].as_str().expect("an id").to_owned();
    imported(&app, &fx, &id).await;

    let product = format!("/api/v1/products/{}", fx.m(0).products[0].id);
    let variants = json!({"variants": [
        {"sku": BURGER, "price": money(11_990)}, {"sku": common::fixture::BURGER_DOUBLE, "price": money(15_990)}]});
    app.send(reqwest::Method::PATCH, &product, Some(&manager), common::Body::Json(variants), &[])
        .await
        .expect(StatusCode::OK, "our price changed here");
    shop.admin_set_price(BURGER, 13_990);
    let shown = connection_when(&app, &fx, &id, 5_000, "the conflict is listed", |shown| {
        shown["conflicts"].as_array().is_some_and(|c| c.iter().any(|c| c["kind"] == "price_changed_on_both_sides"))
    })
    .await;
    let conflict = shown["conflicts"][0].clone();
    assert_eq!((conflict["ours"].as_i64(), conflict["theirs"].as_i64()), (Some(11_990), Some(13_990)), "{conflict}");
    assert_eq!(conflict["choices"], json!(["keep_ours", "take_theirs", "dismiss"]));
    assert_eq!(shop.price_of(BURGER), Some(13_990), "nothing overwritten while it waits");
    let path = format!("/api/v1/connections/{id}/conflicts/{}/resolve", conflict["id"].as_str().unwrap_or_default());
    let settled =
        app.post(&path, Some(&manager), &json!({"choice": "take_theirs"})).await.expect(StatusCode::OK, "take");
    assert_eq!(settled["resolution"], "took_theirs");
    assert_eq!(settled["resolved_by"], json!(fx.m(0).manager.email));
    let ours = app.get(&product, Some(&manager)).await.expect(StatusCode::OK, "the product");
    assert!(ours.to_string().contains("13990"), "the shop's price is ours now: {ours}");
    let again = app.post(&path, Some(&manager), &json!({"choice": "take_theirs"})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "settled once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_five_thousand_item_catalogue_is_imported_whole_with_its_progress() {
    let shop = FakeWooCommerce::new(KEY, SECRET).with_currency("CLP");
    shop.seed_catalog(5_000);
    shop.add_product(BURGER, "Hamburguesa", 12_990, 0);
    shop.set_barcode("SKU-00002", "7801234567890");
    let serving = shop.spawn().await.expect("the fake shop listens");
    let app = spawn_fast().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let manager = fx.m(0).manager.token(&app).await;
    // One of ours carries a barcode the shop has under another SKU: matched by barcode.
    let product = json!({"merchant_id": fx.m(0).id, "name": "Por código", "track_stock": true,
        "variants": [{"sku": "OURS-BY-BARCODE", "price": money(1_000), "barcode": "7801234567890"}]});
    app.post("/api/v1/products", Some(&manager), &product).await.expect(StatusCode::CREATED, "a product");
    let id = connect(&app, &fx, "woocommerce", &serving.base_url(), credentials()).await;
    // Whether a read catches the import half way is timing; the figures at the end are not.
    let shown = connection_when(&app, &fx, &id, 60_000, "the 5,001-item import finished", |shown| {
        shown["sync"]["running"] == false && shown["status"] == "active"
    })
    .await;
    assert_eq!(shown["sync"]["done"], 5_001, "{}", shown["sync"]);
    assert_eq!(shown["sync"]["total"], 5_001, "{}", shown["sync"]);
    assert_eq!(shown["mapped_skus"], 2, "by SKU and by barcode: {shown}");
    assert_eq!(shown["unmatched_total"], 4_999);
    assert_eq!(shown["unmatched"].as_array().map(Vec::len), Some(50), "the first page of them");
}
