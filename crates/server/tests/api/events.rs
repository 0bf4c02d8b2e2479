//! Server-sent event streams: the customer's order stream gets one
//! `fulfillment.status_changed` event per status change; the stock stream (staff/admin) gets a
//! change after an order, honours its filters, carries ids and resumes after `Last-Event-ID`.

use crate::common;

use common::fixture::{BURGER, FRIES, SUSHI};
use common::sse::Opened;
use common::{Fixture, Payment, StockLevel, TestApp, fulfillment_at, id, qs};
use reqwest::StatusCode;
use serde_json::Value;

/// The order's event stream path with its tracking token.
fn order_events_path(order: &Value, token: &str) -> String {
    format!("/api/v1/orders/{}/events?{}", id(order), qs(&[("token", token)]))
}

/// The stock event stream path for one SKU at one location.
fn stock_events_path(location_id: &str, sku: &str) -> String {
    format!("/api/v1/stock/events?{}", qs(&[("location_id", location_id), ("sku", sku)]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn order_stream_gets_each_status_change() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let order = app.place_order_ok(&fx, &[burger.line(BURGER, 1), sushi.line(SUSHI, 1)], &Payment::card()).await;
    let token = order["tracking_token"].as_str().unwrap();
    let mut stream = app.sse(&order_events_path(&order, token), None, None).await;

    let f_burger = id(fulfillment_at(&order, &burger.location_id));
    let f_sushi = id(fulfillment_at(&order, &sushi.location_id));
    app.advance(&burger.staff.token(&app).await, &f_burger, &["accepted", "preparing", "ready"]).await;
    app.advance(&sushi.staff.token(&app).await, &f_sushi, &["rejected"]).await;

    let mut expected = vec![
        (f_burger.clone(), "accepted"),
        (f_burger.clone(), "preparing"),
        (f_burger, "ready"),
        (f_sushi, "rejected"),
    ];
    while !expected.is_empty() {
        let ev = stream
            .wait_for(5, &format!("status changes {expected:?}"), |ev| {
                let data = ev.json();
                ev.event == "fulfillment.status_changed"
                    && expected.iter().any(|(f, s)| data["fulfillment_id"] == f.as_str() && data["status"] == *s)
            })
            .await;
        let data = ev.json();
        assert_eq!(data["order_id"], order["id"], "event names the order: {data}");
        expected.retain(|(f, s)| !(data["fulfillment_id"] == f.as_str() && data["status"] == *s));
    }
    drop(stream);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn order_stream_needs_the_tracking_token() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let order = app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    match app.open_sse(&order_events_path(&order, "wrong-token"), None, None).await {
        Opened::Refused(status, _) => assert!(
            [StatusCode::UNAUTHORIZED, StatusCode::NOT_FOUND].contains(&status),
            "a wrong tracking token is refused with 401 or 404, got {status}"
        ),
        Opened::Stream(_) => panic!("the order stream opened with a wrong tracking token"),
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stock_stream_follows_changes_and_resumes_after_last_event_id() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let admin = app.admin_token().await;
    let staff = m.staff.token(&app).await;
    let path = stock_events_path(&m.location_id, BURGER);
    let mut stream = app.sse(&path, Some(&staff), None).await;

    // Another SKU changes first: the filtered stream must not show it.
    app.add_stock(&admin, &m.location_id, FRIES, 1).await.expect(StatusCode::CREATED, "fries receipt");
    app.place_order_ok(&fx, &[m.line(BURGER, 2)], &Payment::card()).await;
    let reserved = stream
        .wait_for(5, "the order's reservation", |ev| ev.json()["sku"] == BURGER && ev.json()["reserved"] == 2)
        .await;
    let level = StockLevel::from_json(&reserved.json());
    assert_eq!(level.location_id, m.location_id);
    assert_eq!(level.triple(), (20, 2, 18), "stock event after the order");
    assert!(
        stream.seen.iter().all(|ev| ev.json()["sku"] != FRIES),
        "the sku filter lets fries through: {:?}",
        stream.seen
    );
    let last_id = reserved.id.clone().expect("stock events carry an `id:`");
    drop(stream);

    // Two changes while disconnected; resuming must replay both, in order.
    for delta in [5, 3] {
        app.add_stock(&admin, &m.location_id, BURGER, delta)
            .await
            .expect(StatusCode::CREATED, "receipt while disconnected");
    }
    let mut resumed = app.sse(&path, Some(&staff), Some(&last_id)).await;
    let first = resumed.wait_for(5, "the first missed change (25, 2, 23)", |ev| ev.json()["on_hand"] == 25).await;
    assert_eq!(StockLevel::from_json(&first.json()).triple(), (25, 2, 23));
    let second = resumed.wait_for(5, "the second missed change (28, 2, 26)", |ev| ev.json()["on_hand"] == 28).await;
    assert_eq!(StockLevel::from_json(&second.json()).triple(), (28, 2, 26));
    assert!(
        resumed.seen.iter().all(|ev| ev.id.as_deref() != Some(last_id.as_str())),
        "the event with Last-Event-ID {last_id} was sent again: {:?}",
        resumed.seen
    );
    assert_ne!(first.id, second.id, "each event has its own id");
    drop(resumed);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stock_stream_needs_auth() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let path = stock_events_path(&fx.m(0).location_id, BURGER);
    match app.open_sse(&path, None, None).await {
        Opened::Refused(status, _) => assert_eq!(status, StatusCode::UNAUTHORIZED),
        Opened::Stream(_) => panic!("the stock stream opened without a token"),
    }
    app.stop().await;
}
