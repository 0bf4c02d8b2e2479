//! Concurrency: the server never sells what it does not have (60 racing single-unit orders for
//! 10 units → exactly 10 created), racing rejections refund once, and racing stock receipts all
//! count. No request may answer 5xx.

use crate::common;

use std::sync::Arc;

use common::fixture::BURGER;
use common::{Fixture, Payment, Resp, TestApp, clp, fulfillment_at, id};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

/// Runs `n` copies of a request concurrently on the runtime's worker threads.
async fn race<F, Fut>(n: usize, make: F) -> Vec<Resp>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Resp> + Send + 'static,
{
    let handles: Vec<_> = (0..n).map(|i| tokio::spawn(make(i))).collect();
    join_all(handles).await.into_iter().map(|r| r.expect("a racing request panicked (see its message above)")).collect()
}

/// Counts answers by status.
fn count(answers: &[Resp], status: StatusCode) -> usize {
    answers.iter().filter(|a| a.status == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_racing_orders_for_ten_units_sell_exactly_ten() {
    let app = Arc::new(TestApp::spawn().await);
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let m = fx.m(0);
    let body = Arc::new(fx.order_body(&[m.line(BURGER, 1)], &Payment::card()));
    let answers = common::within(
        60,
        "60 racing orders",
        race(60, |_| {
            let (app, body) = (app.clone(), body.clone());
            async move { app.post("/api/v1/orders", None, &body).await }
        }),
    )
    .await;

    let created = count(&answers, StatusCode::CREATED);
    let conflicts = count(&answers, StatusCode::CONFLICT);
    assert_eq!(
        (created, conflicts),
        (10, 50),
        "exactly 10 created and 50 refused for stock; statuses: {:?}",
        answers.iter().map(|a| a.status.as_u16()).collect::<Vec<_>>()
    );
    for a in answers.iter().filter(|a| a.status == StatusCode::CONFLICT) {
        common::assert_problem(a, StatusCode::CONFLICT, "sold out");
        assert_eq!(a.body["sku"], BURGER, "the 409 names the sku");
    }
    let mut numbers: Vec<i64> = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .map(|a| a.body["number"].as_i64().expect("order number"))
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 10, "order numbers are distinct: {numbers:?}");

    let admin = app.admin_token().await;
    assert_eq!(
        app.stock_level(&admin, &m.location_id, BURGER).await.triple(),
        (10, 10, 0),
        "(on_hand, reserved, available) after the rush"
    );
    assert_eq!(app.fulfillment_ids(&admin, &m.location_id).await.len(), 10, "ten parts in the kitchen queue");
    Arc::into_inner(app).expect("no clone of the app left").stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_rejections_of_one_part_refund_once() {
    let app = Arc::new(TestApp::spawn().await);
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let order = app.place_order_ok(&fx, &[m.line(BURGER, 3)], &Payment::card()).await;
    let path = Arc::new(format!("/api/v1/fulfillments/{}/transition", id(fulfillment_at(&order, &m.location_id))));
    let staff = Arc::new(m.staff.token(&app).await);
    let answers = common::within(
        30,
        "10 racing rejections",
        race(10, |_| {
            let (app, path, staff) = (app.clone(), path.clone(), staff.clone());
            async move { app.post(&path, Some(&staff), &json!({"to": "rejected"})).await }
        }),
    )
    .await;
    assert_eq!(
        (count(&answers, StatusCode::OK), count(&answers, StatusCode::CONFLICT)),
        (1, 9),
        "one rejection wins, the others are illegal transitions: {:?}",
        answers.iter().map(|a| a.status.as_u16()).collect::<Vec<_>>()
    );
    let seen = app.get_order(&order).await;
    assert_eq!(clp(&seen["payment"]["refunded"]), 3 * m.price(BURGER), "refunded exactly once: {}", seen["payment"]);
    assert_eq!(seen["payment"]["status"], "refunded");
    let admin = app.admin_token().await;
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (20, 0, 20), "released exactly once");
    Arc::into_inner(app).expect("no clone of the app left").stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_stock_receipts_all_count() {
    let app = Arc::new(TestApp::spawn().await);
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let admin = Arc::new(app.admin_token().await);
    let location = Arc::new(m.location_id.clone());
    let answers = common::within(
        30,
        "30 racing receipts",
        race(30, |_| {
            let (app, admin, location) = (app.clone(), admin.clone(), location.clone());
            async move { app.add_stock(&admin, &location, BURGER, 1).await }
        }),
    )
    .await;
    assert_eq!(
        count(&answers, StatusCode::CREATED),
        30,
        "every receipt applies: {:?}",
        answers.iter().map(|a| a.status.as_u16()).collect::<Vec<_>>()
    );
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (50, 0, 50));
    Arc::into_inner(app).expect("no clone of the app left").stop().await;
}
