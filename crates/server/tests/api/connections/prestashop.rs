//! PrestaShop against its fake (the published Webservice; no webhooks, so orders are polled):
//! a stock edited in the shop's admin is set back to ours and recorded; an order for a SKU we do
//! not sell waits for a person, listed as a conflict whose choices work; a shop that answers
//! garbage or fails is backed off and the connection says so, and nothing is lost.

use crate::common;

use common::Fixture;
use common::fixture::{BURGER, FRIES};
use omnicanal_fakeshops::prestashop::FakePrestaShop;
use reqwest::StatusCode;
use serde_json::json;

use super::support::{connect, connection_when, eventually, imported, queue_orders, spawn_fast};

const KEY: &str = "PRESTASHOPWEBSERVICEKEY0123456789";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stock_edited_in_the_prestashop_admin_is_reverted_and_recorded() {
    let shop = FakePrestaShop::with_currency(KEY, "CLP");
    shop.add_product(BURGER, "Hamburguesa", 12_990, 0);
    let serving = shop.spawn().await.expect("the fake shop listens");
    let app = spawn_fast().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let id = connect(&app, &fx, "prestashop", &serving.base_url(), json!({"api_key": KEY})).await;
    imported(&app, &fx, &id).await;
    assert!(eventually(5_000, || async { shop.stock_of(BURGER) == Some(10) }).await.is_some(), "in step");

    shop.admin_set_stock(BURGER, 42);
    let back = eventually(5_000, || async { shop.stock_of(BURGER) == Some(10) }).await;
    assert!(back.is_some(), "reverted: {:?}", shop.stock_of(BURGER));
    let manager = fx.m(0).manager.token(&app).await;
    let all = app
        .get(&format!("/api/v1/connections/{id}/conflicts?open=false"), Some(&manager))
        .await
        .expect(StatusCode::OK, "conflicts");
    let recorded = all.as_array().expect("a list").iter().any(|conflict| {
        conflict["kind"] == "stock_edited_in_shop" && conflict["theirs"] == 42 && conflict["resolution"] == "reverted"
    });
    assert!(recorded, "recorded: {all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_for_an_unknown_sku_waits_for_a_person_and_garbage_is_backed_off() {
    let shop = FakePrestaShop::with_currency(KEY, "CLP");
    shop.add_product(FRIES, "Papas", 3_490, 0);
    shop.add_product("PS-ONLY", "Solo en la tienda", 1_000, 5);
    let serving = shop.spawn().await.expect("the fake shop listens");
    let app = spawn_fast().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let id = connect(&app, &fx, "prestashop", &serving.base_url(), json!({"api_key": KEY})).await;
    imported(&app, &fx, &id).await;

    let remote = shop.place_order(&[("PS-ONLY", 1)], "Marta Ruiz");
    let shown = connection_when(&app, &fx, &id, 5_000, "the order is listed for a person", |shown| {
        shown["orders_needing_attention"] == 1
    })
    .await;
    let conflict = shown["conflicts"]
        .as_array()
        .expect("conflicts")
        .iter()
        .find(|conflict| conflict["kind"] == "order_unknown_sku")
        .cloned()
        .unwrap_or_else(|| panic!("listed: {shown}"));
    assert_eq!(conflict["remote_order_id"], json!(remote));
    assert!(conflict["detail"].as_str().unwrap_or_default().contains("PS-ONLY"), "{conflict}");
    assert_eq!(conflict["choices"], json!(["retry", "cancel_in_shop", "dismiss"]));
    assert!(queue_orders(&app, &fx, "shop:prestashop").await.is_empty(), "nothing placed");
    let manager = fx.m(0).manager.token(&app).await;
    let path = format!("/api/v1/connections/{id}/conflicts/{}/resolve", conflict["id"].as_str().unwrap_or_default());
    let wrong = app.post(&path, Some(&manager), &json!({"choice": "keep_ours"})).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.body);
    app.post(&path, Some(&manager), &json!({"choice": "cancel_in_shop"})).await.expect(StatusCode::OK, "cancel");
    let cancelled = eventually(5_000, || async { shop.order_status(&remote).as_deref() == Some("6") }).await;
    assert!(cancelled.is_some(), "cancelled in the shop: {:?}", shop.order_status(&remote));

    shop.garbage_next(50);
    let failing = connection_when(&app, &fx, &id, 5_000, "the connection shows the garbage", |shown| {
        shown["status"] == "failing"
    })
    .await;
    assert!(failing["last_error"].as_str().unwrap_or_default().contains("could not be read"), "{failing}");
    let calls = shop.requests().len();
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert!(shop.requests().len() < calls + 6, "backed off, not hammered: {} → {}", calls, shop.requests().len());
}
