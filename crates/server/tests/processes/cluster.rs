//! Two nodes on one PostgreSQL database: live stock events cross nodes, and the shared stock
//! is never oversold by concurrent orders spread over both.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{Db, Node, PG_ENV, Shop};

const STOCK: i64 = 10;
const CONCURRENT_ORDERS: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_share_one_stock() {
    let Some(db) = Db::postgres().await else {
        println!("two_nodes_share_one_stock: skipped, {PG_ENV} is not set (needs PostgreSQL)");
        return;
    };
    let a = Node::start("A", &db.url).await;
    let b = Node::start("B", &db.url).await;
    let shop = Shop::create(&a.api, STOCK).await;

    // (a) A stock change made on A reaches an SSE client of B within a second.
    let path = format!("/api/v1/stock/events?location_id={}&sku={}", shop.location_id, shop.sku);
    let mut events = b.api.sse(&path, &shop.token).await;
    let sent = tokio::time::Instant::now();
    let order = a.api.post("/api/v1/orders", None, shop.order(1), StatusCode::CREATED).await;
    let answered = sent.elapsed();
    let mut seen = Vec::new();
    let event = loop {
        let Some(event) = events.next_before(sent + Duration::from_secs(1)).await else {
            panic!("node B: no stock.changed with reserved 1 within 1 s of sending an order to node A; seen {seen:?}");
        };
        if event.event == "stock.changed" && event.data["reserved"] == 1 {
            break event;
        }
        seen.push(event);
    };
    println!("order on A answered 201 after {answered:?}; its stock.changed read on B after {:?}", sent.elapsed());
    let data = &event.data;
    assert_eq!(data["sku"], shop.sku.as_str(), "event data: {data}");
    assert_eq!(data["location_id"], shop.location_id.as_str(), "event data: {data}");
    assert_eq!((&data["on_hand"], &data["available"]), (&Value::from(STOCK), &Value::from(STOCK - 1)), "{data}");

    let id = order["id"].as_str().expect("order id");
    let token = order["tracking_token"].as_str().expect("tracking token");
    let on_b = b.api.get(&format!("/api/v1/orders/{id}?token={token}"), None, StatusCode::OK).await;
    assert_eq!(on_b["id"], id, "order {id} read on B: {on_b}");
    assert_eq!(on_b["fulfillments"][0]["lines"][0]["quantity"], 1, "order {id} read on B: {on_b}");

    // (b) 40 concurrent single-unit orders, half on each node, for the units left.
    let remaining = usize::try_from(STOCK - 1).expect("stock");
    let barrier = Arc::new(tokio::sync::Barrier::new(CONCURRENT_ORDERS));
    let mut tasks = Vec::new();
    for i in 0..CONCURRENT_ORDERS {
        let node = if i % 2 == 0 { &a } else { &b };
        let (name, api, body, barrier) = (node.name.clone(), node.api.clone(), shop.order(1), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            (name, api.try_call(Method::POST, "/api/v1/orders", None, Some(&body)).await)
        }));
    }
    let started = Instant::now();
    let mut accepted = Vec::new();
    let mut refused = 0;
    let mut unexpected = Vec::new();
    for task in tasks {
        match task.await.expect("order task") {
            (node, Ok((StatusCode::CREATED, _))) => accepted.push(node),
            (_, Ok((StatusCode::CONFLICT, body))) if body["sku"] == shop.sku.as_str() => refused += 1,
            (node, other) => unexpected.push(format!("node {node}: {other:?}")),
        }
    }
    println!(
        "{CONCURRENT_ORDERS} concurrent orders answered in {:?}; accepted by node: {accepted:?}",
        started.elapsed()
    );
    assert!(unexpected.is_empty(), "answers other than 201 or 409 with the sku: {unexpected:#?}");
    assert_eq!(accepted.len(), remaining, "{remaining} units left: accepted {accepted:?}, 409 {refused}");
    assert_eq!(refused, CONCURRENT_ORDERS - remaining, "409s");
    for node in [&a, &b] {
        let level = shop.level(&node.api).await;
        assert_eq!(level["on_hand"], STOCK, "node {}: {level}", node.name);
        assert_eq!(level["reserved"], STOCK, "node {}: reserved must equal on_hand: {level}", node.name);
        assert_eq!(level["available"], 0, "node {}: {level}", node.name);
    }
    drop((events, a, b));
    drop(db);
}
