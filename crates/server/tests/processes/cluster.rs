//! Two nodes on one PostgreSQL database: live stock events cross nodes, the shared stock is
//! never oversold by concurrent orders spread over both, and one node killed mid-load loses
//! nothing either node accepted — its cut-off requests, resent to the other node with their
//! keys, get their orders at once (its claims die with it).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{Api, Db, Node, PG_ENV, Shop};

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

const LOAD_STOCK: i64 = 100_000;
const CLIENTS_PER_NODE: usize = 8;
const KILL_A_AFTER: usize = 120;
const B_ANSWERS_AFTER_THE_KILL: usize = 60;

/// A keyed order one client sent.
struct Sent {
    key: String,
    body: Value,
    quantity: i64,
}

/// What the load's clients saw: orders accepted (id → units), requests cut off by the kill,
/// answers that should not have happened.
#[derive(Default)]
struct Seen {
    accepted: HashMap<String, i64>,
    cut_off: Vec<Sent>,
    failures: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_killed_mid_load_loses_nothing_accepted() {
    let Some(db) = Db::postgres().await else {
        println!("a_node_killed_mid_load_loses_nothing_accepted: skipped, {PG_ENV} is not set (needs PostgreSQL)");
        return;
    };
    let mut a = Node::start("A", &db.url).await;
    let b = Node::start("B", &db.url).await;
    let shop = Arc::new(Shop::create(&a.api, LOAD_STOCK).await);

    // Keyed orders from 8 clients per node until told to stop; A is killed along the way.
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (answers, killed, stop) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let mut clients = Vec::new();
    for client in 0..2 * CLIENTS_PER_NODE {
        let node = if client % 2 == 0 { &a } else { &b };
        let load = Load { api: node.api.clone(), shop: shop.clone(), seen: seen.clone(), answers: answers.clone() };
        let (killed, stop) = (killed.clone(), stop.clone());
        let on_a = client % 2 == 0;
        clients.push(tokio::spawn(async move { load.run(client, on_a, &killed, &stop).await }));
    }
    wait_for(&answers, KILL_A_AFTER).await;
    killed.store(true, Ordering::SeqCst);
    a.sigkill();
    let at_kill = answers.load(Ordering::SeqCst);
    wait_for(&answers, at_kill + B_ANSWERS_AFTER_THE_KILL).await;
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        tokio::time::timeout(Duration::from_secs(15), client).await.expect("client hung").expect("client");
    }
    let mut seen = std::mem::take(&mut *seen.lock().expect("seen"));
    assert!(seen.failures.is_empty(), "unexpected answers: {:#?}", seen.failures);
    let answered_by_both = seen.accepted.len();

    // A's requests cut off by the kill, resent to B with their keys: their order or a fresh one.
    let cut_off = std::mem::take(&mut seen.cut_off);
    let mut committed_on_a = 0;
    for sent in &cut_off {
        let answer = b.api.try_post_keyed("/api/v1/orders", &sent.body, &sent.key).await;
        match answer {
            Ok((StatusCode::CREATED, replayed, order)) => {
                committed_on_a += usize::from(replayed);
                seen.accepted.insert(order["id"].as_str().expect("order id").to_owned(), sent.quantity);
            }
            other => panic!("{}: cut off on A, resent to B: {other:?}", sent.key),
        }
    }

    // Everything accepted is whole on B, and nothing else was stored.
    let token = b.api.admin_token().await;
    for (id, quantity) in &seen.accepted {
        let order = b.api.get(&format!("/api/v1/orders/{id}"), Some(&token), StatusCode::OK).await;
        assert_eq!(order["fulfillments"][0]["lines"][0]["quantity"], *quantity, "order {id}: {order}");
    }
    let orders_in_store = shop.orders_in_store(&b.api).await;
    assert_eq!(orders_in_store, seen.accepted, "the orders stored are exactly those accepted or resent");
    let level = shop.level(&b.api).await;
    assert_eq!(level["reserved"], orders_in_store.values().sum::<i64>(), "reserved for exactly those: {level}");
    println!(
        "A killed after {at_kill} answers; {answered_by_both} orders answered by A and B, {} of A's requests cut off \
         and resent to B ({committed_on_a} of them had committed on A); {} orders stored",
        cut_off.len(),
        orders_in_store.len()
    );
    drop((a, b));
    drop(db);
}

/// Waits (up to 20 s) until `answers` reaches `count`.
async fn wait_for(answers: &AtomicUsize, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while answers.load(Ordering::SeqCst) < count {
        assert!(Instant::now() < deadline, "only {} of {count} answers in 20 s", answers.load(Ordering::SeqCst));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// One client of the load, bound to one node.
struct Load {
    api: Api,
    shop: Arc<Shop>,
    seen: Arc<Mutex<Seen>>,
    answers: Arc<AtomicUsize>,
}

impl Load {
    async fn run(self, client: usize, on_a: bool, killed: &AtomicBool, stop: &AtomicBool) {
        for n in 0.. {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            let quantity = i64::try_from(1 + (client + n) % 3).expect("quantity");
            let sent = Sent {
                key: format!("load-{client}-{n}-{:08x}", rand::random::<u32>()),
                body: self.shop.order(quantity),
                quantity,
            };
            let answer = self.api.try_post_keyed("/api/v1/orders", &sent.body, &sent.key).await;
            let mut seen = self.seen.lock().expect("seen");
            match answer {
                Ok((StatusCode::CREATED, _, order)) => {
                    seen.accepted.insert(order["id"].as_str().expect("order id").to_owned(), quantity);
                    self.answers.fetch_add(1, Ordering::SeqCst);
                }
                Ok((status, _, body)) => return seen.failures.push(format!("client {client}: {status} {body}")),
                Err(_) if on_a && killed.load(Ordering::SeqCst) => return seen.cut_off.push(sent),
                Err(error) => return seen.failures.push(format!("client {client} (on A: {on_a}): {error}")),
            }
        }
    }
}
