//! Shopify against its fake (the published Admin GraphQL API and webhooks): an order placed in
//! the shop reaches our queue once — its `orders/create` webhook delivered three times, to two
//! nodes, and the poll finding it too, and again after a restart; a wrong signature is 401.

use crate::common;

use common::fixture::{BURGER, FRIES};
use common::{Fixture, TestApp};
use omnicanal_fakeshops::shopify::FakeShopify;
use reqwest::StatusCode;
use serde_json::json;

use super::support::{connect, eventually, imported, queue_orders, spawn_fast};

const TOKEN: &str = "shpat_omnicanal";
const WEBHOOK_SECRET: &str = "shopify-app-secret";

async fn deliver(app_base: &str, id: &str, headers: &[(String, String)], body: &[u8]) -> serde_json::Value {
    let mut request =
        reqwest::Client::new().post(format!("{app_base}/api/v1/connections/{id}/webhooks")).body(body.to_vec());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let answer = request.send().await.expect("an answer");
    assert_eq!(answer.status(), StatusCode::OK);
    answer.json().await.expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopify_order_lands_once_across_deliveries_nodes_polls_and_a_restart() {
    let shop = FakeShopify::new(TOKEN, WEBHOOK_SECRET);
    shop.set_currency("CLP", 0);
    shop.add_product(BURGER, "Hamburguesa", 12_990, 0);
    shop.add_product(FRIES, "Papas", 3_490, 0);
    let serving = shop.spawn().await.expect("the fake shop listens");
    let app = spawn_fast().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let credentials = json!({"access_token": TOKEN, "webhook_secret": WEBHOOK_SECRET});
    let id = connect(&app, &fx, "shopify", &serving.base_url(), credentials).await;
    imported(&app, &fx, &id).await;
    assert!(eventually(5_000, || async { shop.stock_of(FRIES) == Some(10) }).await.is_some(), "in step");

    let remote = shop.place_order(&[(FRIES, 1), (BURGER, 1)], "Luis Soto");
    let (headers, body) = shop.signed_order_webhook(&remote, WEBHOOK_SECRET);
    let second = app.second_node(omnicanal_server::Services::default()).await;
    let second_base = format!("http://{}", second.addr);
    let (a, b, c) = tokio::join!(
        deliver(&app.base, &id, &headers, &body),
        deliver(&second_base, &id, &headers, &body),
        deliver(&app.base, &id, &headers, &body),
    );
    let firsts = [&a, &b, &c].iter().filter(|receipt| receipt["duplicate"] == false).count();
    assert_eq!(firsts, 1, "recorded once: {a} {b} {c}");
    assert_eq!(a["remote_id"], json!(remote));

    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let forged = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/connections/{id}/webhooks")))
        .header(
            "x-shopify-hmac-sha256",
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("x-shopify-hmac-sha256"))
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        )
        .header("x-shopify-topic", "orders/create")
        .body(tampered)
        .send()
        .await
        .expect("an answer");
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED, "a body that is not the one signed");

    let arrived = eventually(5_000, || async { !queue_orders(&app, &fx, "shop:shopify").await.is_empty() }).await;
    assert!(arrived.is_some(), "the order reached our queue");
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    assert_eq!(queue_orders(&app, &fx, "shop:shopify").await.len(), 1, "once on two nodes, polled too");
    second.shutdown().await;

    let app: TestApp = app.restart().await;
    deliver(&app.base, &id, &headers, &body).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    let orders = queue_orders(&app, &fx, "shop:shopify").await;
    assert_eq!(orders.len(), 1, "still once after a restart: {orders:?}");
    assert_eq!(orders[0]["channel"], "shop:shopify");
}
