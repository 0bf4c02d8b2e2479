//! Issue 14 point 9: a till sale's stock event reaches a connector's webhook within a second,
//! as any channel's; its sale and its session's events go through the same outbox. The test
//! sells at the till, then watches the registered receiver for the `stock.changed` showing the
//! units gone, and logs the latency (run with `--nocapture` to read it).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::common::fixture::FRIES;
use crate::common::webhook::{Attempt, Receiver};
use crate::common::{Fixture, TestApp, money, open_till};

/// What the issue promises: stock events reach the web shop and connectors within a second.
const WITHIN: Duration = Duration::from_secs(1);

/// The first delivery matching `pred`, looked for every 2 ms up to `limit`; with when it was seen.
async fn first_delivery(receiver: &Receiver, limit: Duration, pred: impl Fn(&Attempt) -> bool) -> Option<Instant> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if receiver.attempts().iter().any(&pred) {
            return Some(Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_till_sale_reaches_a_stock_webhook_within_a_second() {
    let receiver = Receiver::start(0).await;
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(50).build(&app).await;
    let m = fx.m(0);
    let admin = app.admin_token().await;
    app.post(
        "/api/v1/webhooks",
        Some(&admin),
        &json!({"url": receiver.url(), "events": ["stock.changed", "pos.sale_recorded", "pos.session_changed"]}),
    )
    .await
    .expect(StatusCode::CREATED, "register the connector's webhook");
    let till = open_till(&app, m, 0).await;
    // Let the set-up's own events drain first, so they do not queue ahead of the sale's.
    let quiet = |a: &Attempt| a.event_type() == "pos.session_changed";
    assert!(first_delivery(&receiver, Duration::from_secs(5), quiet).await.is_some(), "the session's event arrives");

    let mut latencies = Vec::new();
    for n in 1..=5 {
        let sale = json!({
            "id": format!("prop-{n}"), "session_id": till.session_id, "receipt_number": format!("{}-{n}", till.series),
            "sold_at": chrono::Utc::now().to_rfc3339(), "offline": false,
            "lines": [{"sku": FRIES, "quantity": 1}],
            "payments": [{"method": "cash", "amount": money(3_490)}],
        });
        let sent = Instant::now();
        app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::CREATED, "a till sale");
        let on_hand = 50 - n;
        let stock_event = |a: &Attempt| {
            let data = a.json()["data"].clone();
            a.event_type() == "stock.changed" && data["sku"] == FRIES && data["on_hand"] == json!(on_hand)
        };
        let arrived = first_delivery(&receiver, Duration::from_secs(10), stock_event)
            .await
            .unwrap_or_else(|| panic!("sale {n}: no stock.changed with on_hand {on_hand} reached the webhook"));
        let latency = arrived - sent;
        println!("till sale {n} → stock.changed webhook: {} ms", latency.as_millis());
        latencies.push(latency);
        let recorded = |a: &Attempt| {
            a.event_type() == "pos.sale_recorded" && a.json()["data"]["sale_id"] == json!(format!("prop-{n}"))
        };
        assert!(
            first_delivery(&receiver, Duration::from_secs(5), recorded).await.is_some(),
            "sale {n}: pos.sale_recorded went through the outbox too"
        );
    }
    latencies.sort();
    let worst = latencies.last().copied().unwrap_or_default();
    println!("till sale → stock webhook over {} sales: median {:?}, worst {worst:?}", latencies.len(), latencies[2]);
    assert!(worst < WITHIN, "a till sale's stock event took {worst:?} to reach the webhook (promise: {WITHIN:?})");
    app.stop().await;
}
