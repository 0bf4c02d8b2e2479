//! What the connection tests share: a server polling shops fast, a connection to a fake shop,
//! and waiting (with a deadline) for something to become true.

use crate::common;

use std::future::Future;
use std::time::{Duration, Instant};

use common::{Fixture, TestApp};
use omnicanal_app::connections::engine::ConnectionTiming;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A server that polls shops every 300 ms and looks for edits in them every 400 ms.
pub async fn spawn_fast() -> TestApp {
    TestApp::spawn_with(|config| {
        config.connection_timing = Some(ConnectionTiming { poll_orders_ms: 300, drift_check_ms: 400 });
    })
    .await
}

/// Connects merchant 0's shop of `kind` at `base_url` selling from its location; the id.
pub async fn connect(app: &TestApp, fx: &Fixture, kind: &str, base_url: &str, credentials: Value) -> String {
    let manager = fx.m(0).manager.token(app).await;
    let body = json!({
        "merchant_id": fx.m(0).id,
        "kind": kind,
        "name": format!("{kind} shop"),
        "base_url": base_url,
        "credentials": credentials,
        "location_ids": [fx.m(0).location_id],
    });
    let created = app.post("/api/v1/connections", Some(&manager), &body).await.expect(StatusCode::CREATED, "connect");
    created["id"].as_str().expect("an id").to_owned()
}

/// The connection as its sync page reads it.
pub async fn connection(app: &TestApp, fx: &Fixture, id: &str) -> Value {
    let manager = fx.m(0).manager.token(app).await;
    app.get(&format!("/api/v1/connections/{id}"), Some(&manager)).await.expect(StatusCode::OK, "read connection")
}

/// Waits until the first import finished (every shop item looked at).
pub async fn imported(app: &TestApp, fx: &Fixture, id: &str) -> Value {
    connection_when(app, fx, id, 10_000, "the first import finished", |shown| {
        shown["sync"]["running"] == false && shown["status"] == "active"
    })
    .await
}

/// Reads the connection until `wanted` holds (failing with `what` after `limit_ms`).
pub async fn connection_when(
    app: &TestApp,
    fx: &Fixture,
    id: &str,
    limit_ms: u64,
    what: &str,
    wanted: impl Fn(&Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let shown = connection(app, fx, id).await;
        if wanted(&shown) {
            return shown;
        }
        assert!(started.elapsed() < Duration::from_millis(limit_ms), "{what}: {shown}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Polls `check` every 25 ms until it is true; how long it took, or None after `limit_ms`.
pub async fn eventually<F, Fut>(limit_ms: u64, mut check: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(limit_ms) {
        if check().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    None
}

/// The orders in merchant 0's location's queue whose channel is `channel`.
pub async fn queue_orders(app: &TestApp, fx: &Fixture, channel: &str) -> Vec<Value> {
    let manager = fx.m(0).manager.token(app).await;
    let parts = app
        .get(&format!("/api/v1/locations/{}/fulfillments", fx.m(0).location_id), Some(&manager))
        .await
        .expect(StatusCode::OK, "the location's queue");
    let mut orders = Vec::new();
    for part in parts.as_array().cloned().unwrap_or_default() {
        let order_id = part["order_id"].as_str().unwrap_or_default();
        let order =
            app.get(&format!("/api/v1/orders/{order_id}"), Some(&manager)).await.expect(StatusCode::OK, "an order");
        if order["channel"] == channel {
            orders.push(order);
        }
    }
    orders
}
