//! Magento 2 against its fake (Adobe's published REST API): the first import maps our SKUs and
//! pushes our stock and prices; a sale here reaches the shop's MSI source item; a shop answering
//! 429 gets the push later, in order, the latest value last; an order placed in the shop is
//! polled into our queue once, as `shop:magento`; wrong credentials stop the connection with a
//! plain message instead of a crash loop.

use crate::common;

use common::fixture::{BURGER, FRIES};
use common::{Fixture, Payment};
use omnicanal_fakeshops::magento::FakeMagento;
use reqwest::StatusCode;
use serde_json::json;

use super::support::{connect, connection, connection_when, eventually, imported, queue_orders, spawn_fast};

const TOKEN: &str = "magento-integration-token";

#[tokio::test]
async fn magento_is_kept_in_step_and_a_429_only_delays_the_push() {
    let shop = FakeMagento::new(TOKEN);
    shop.add_product(BURGER, "Hamburguesa", 99_00, 0);
    shop.add_product(FRIES, "Papas", 1_00, 0);
    shop.add_product("MAG-ONLY", "Solo en Magento", 5_00, 3);
    let serving = shop.spawn().await.expect("the fake shop listens");
    let app = spawn_fast().await;
    let fx = Fixture::create(&app).await;
    let id = connect(&app, &fx, "magento", &serving.base_url(), json!({"token": TOKEN})).await;
    let shown = imported(&app, &fx, &id).await;
    assert_eq!(shown["mapped_skus"], 2, "{shown}");
    assert_eq!(shown["unmatched"][0]["sku"], "MAG-ONLY", "{shown}");
    let manager = fx.m(0).manager.token(&app).await;
    let made = app
        .post(
            &format!("/api/v1/connections/{id}/unmatched/create"),
            Some(&manager),
            &json!({"remote_key": shown["unmatched"][0]["remote_key"]}),
        )
        .await
        .expect(StatusCode::CREATED, "one click creates the shop's item here");
    assert_eq!(made["sku"], "MAG-ONLY");
    let linked = super::support::connection_when(&app, &fx, &id, 3_000, "created and linked", |shown| {
        shown["mapped_skus"] == 3 && shown["unmatched_total"] == 0
    })
    .await;
    assert_eq!(linked["unmatched"], json!([]));
    // The fake keeps prices with two decimals: 12990 pesos are 12990.00, 1299000 hundredths.
    let in_step = eventually(5_000, || async {
        shop.stock_of(BURGER) == Some(20) && shop.price_of(BURGER) == Some(12_990 * 100)
    })
    .await;
    assert!(
        in_step.is_some(),
        "our stock and price reached the shop: {:?} {:?}",
        shop.stock_of(BURGER),
        shop.price_of(BURGER)
    );

    app.place_order_ok(&fx, &[fx.line(BURGER, 2)], &Payment::card()).await;
    let took = eventually(2_000, || async { shop.stock_of(BURGER) == Some(18) }).await;
    assert!(took.is_some(), "a sale reached the shop within 2 s: {:?}", shop.stock_of(BURGER));

    shop.throttle_next(2);
    app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    let later = eventually(10_000, || async { shop.stock_of(BURGER) == Some(16) }).await;
    assert!(later.is_some(), "the throttled push arrived later: {:?}", shop.stock_of(BURGER));
    let burger_pushes: Vec<i64> =
        shop.pushes().into_iter().filter(|(sku, _)| sku == BURGER).map(|(_, quantity)| quantity).collect();
    assert!(burger_pushes.windows(2).all(|pair| pair[0] >= pair[1]), "in order: {burger_pushes:?}");
    assert_eq!(burger_pushes.last(), Some(&16), "the latest value last: {burger_pushes:?}");
    assert!(shop.requests().iter().any(|request| request.contains("source-items")), "MSI was used");

    let remote = shop.place_order(&[(FRIES, 2)], "Ana Pérez");
    let arrived = eventually(5_000, || async { !queue_orders(&app, &fx, "shop:magento").await.is_empty() }).await;
    assert!(arrived.is_some(), "the shop's order {remote} reached our queue");
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let orders = queue_orders(&app, &fx, "shop:magento").await;
    assert_eq!(orders.len(), 1, "once, though polled again and again: {orders:?}");
    assert_eq!(orders[0]["customer"]["name"], "Ana Pérez", "{}", orders[0]);
}

#[tokio::test]
async fn wrong_magento_credentials_stop_the_connection_with_a_plain_message() {
    let shop = FakeMagento::new(TOKEN);
    shop.add_product(BURGER, "Hamburguesa", 99_00, 0);
    let serving = shop.spawn().await.expect("the fake shop listens");
    let app = spawn_fast().await;
    let fx = Fixture::create(&app).await;
    let id = connect(&app, &fx, "magento", &serving.base_url(), json!({"token": "wrong-token"})).await;
    let shown = connection_when(&app, &fx, &id, 5_000, "the connection says the credentials were refused", |shown| {
        shown["status"] == "auth_failed"
    })
    .await;
    assert!(shown["last_error"].as_str().unwrap_or_default().contains("credentials"), "{shown}");
    let calls = shop.requests().len();
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    assert_eq!(shop.requests().len(), calls, "no crash loop against a shop that says no");

    let manager = fx.m(0).manager.token(&app).await;
    let fixed = json!({
        "merchant_id": fx.m(0).id, "kind": "magento", "name": "magento shop", "base_url": serving.base_url(),
        "credentials": {"token": TOKEN}, "location_ids": [fx.m(0).location_id],
    });
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/connections/{id}"),
        Some(&manager),
        common::Body::Json(fixed),
        &[],
    )
    .await
    .expect(StatusCode::OK, "new credentials");
    let recovered = eventually(5_000, || async { connection(&app, &fx, &id).await["status"] == "active" }).await;
    assert!(recovered.is_some(), "the new credentials work: {}", connection(&app, &fx, &id).await);
}
