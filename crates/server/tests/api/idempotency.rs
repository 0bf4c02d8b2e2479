//! `Idempotency-Key` on POST /orders, POST /stock/movements and transitions: a retry with the
//! same key and body answers the first response again and does nothing twice (even when the
//! retries race), and the same key with another body is 409.

use crate::common;

use common::fixture::{BURGER, SUSHI};
use common::{Fixture, Payment, TestApp, fulfillment_at, id, random_hex};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn order_retry_with_the_same_key_returns_the_first_order() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let body = fx.order_body(&[m.line(BURGER, 2)], &Payment::card());
    let key = random_hex();

    let first = app.post_idem("/api/v1/orders", None, &body, &key).await.expect(StatusCode::CREATED, "first attempt");
    let again = app
        .post_idem("/api/v1/orders", None, &body, &key)
        .await
        .expect(StatusCode::CREATED, "retry answers the first status");
    assert_eq!(again, first, "retry answers the first body (same order)");
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (20, 2, 18), "reserved once");
    assert_eq!(app.fulfillment_ids(&admin, &m.location_id).await.len(), 1, "one part created");

    let other = fx.order_body(&[m.line(BURGER, 3)], &Payment::card());
    app.post_idem("/api/v1/orders", None, &other, &key)
        .await
        .expect_problem(StatusCode::CONFLICT, "same key, another body");
    assert_eq!(
        app.stock_level(&admin, &m.location_id, BURGER).await.reserved,
        2,
        "the conflicting retry reserved nothing"
    );

    // A new key is a new order.
    let second =
        app.post_idem("/api/v1/orders", None, &body, &random_hex()).await.expect(StatusCode::CREATED, "another key");
    assert_ne!(second["id"], first["id"], "a new key makes a new order");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_retries_of_one_order_reserve_once() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let body = fx.order_body(&[m.line(BURGER, 1)], &Payment::card());
    let key = random_hex();
    let answers = join_all((0..8).map(|_| app.post_idem("/api/v1/orders", None, &body, &key))).await;
    let mut ids = Vec::new();
    for a in &answers {
        match a.status {
            StatusCode::CREATED => ids.push(a.body["id"].clone()),
            StatusCode::CONFLICT => common::assert_problem_shape(a, "in-flight retry"),
            other => panic!("racing retry answered {other}: {}", a.body),
        }
    }
    assert!(!ids.is_empty(), "at least one retry got the order");
    assert!(ids.iter().all(|i| *i == ids[0]), "every 201 is the same order: {ids:?}");
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (20, 1, 19), "reserved exactly once");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stock_movement_retry_applies_once() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let body = json!({"sku": BURGER, "location_id": m.location_id, "delta": 5, "reason": "receipt"});
    let key = random_hex();
    let first = app
        .post_idem("/api/v1/stock/movements", Some(&admin), &body, &key)
        .await
        .expect(StatusCode::CREATED, "first movement");
    assert_eq!(first["on_hand"], 25);
    let again = app
        .post_idem("/api/v1/stock/movements", Some(&admin), &body, &key)
        .await
        .expect(StatusCode::CREATED, "retried movement");
    assert_eq!(again, first, "retry answers the first body");
    let mut other = body.clone();
    other["delta"] = json!(6);
    app.post_idem("/api/v1/stock/movements", Some(&admin), &other, &key)
        .await
        .expect_problem(StatusCode::CONFLICT, "same key, another delta");
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (25, 0, 25), "applied once");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn transition_retry_returns_the_first_result_and_refunds_once() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let order = app.place_order_ok(&fx, &[burger.line(BURGER, 1), sushi.line(SUSHI, 1)], &Payment::card()).await;
    let f_burger = id(fulfillment_at(&order, &burger.location_id));
    let f_sushi = id(fulfillment_at(&order, &sushi.location_id));
    let burger_staff = burger.staff.token(&app).await;
    let sushi_staff = sushi.staff.token(&app).await;
    let transition = |fid: &str| format!("/api/v1/fulfillments/{fid}/transition");

    let key = random_hex();
    let accept = json!({"to": "accepted"});
    let first = app
        .post_idem(&transition(&f_burger), Some(&burger_staff), &accept, &key)
        .await
        .expect(StatusCode::OK, "accept");
    let again = app
        .post_idem(&transition(&f_burger), Some(&burger_staff), &accept, &key)
        .await
        .expect(StatusCode::OK, "retried accept answers 200 again, not 409");
    assert_eq!(again, first, "same body as the first accept");
    app.post_idem(&transition(&f_burger), Some(&burger_staff), &accept, &random_hex())
        .await
        .expect_problem(StatusCode::CONFLICT, "a new accept of an accepted part");

    let key = random_hex();
    let reject = json!({"to": "rejected", "reason": "cerrado"});
    for attempt in 0..3 {
        let r = app
            .post_idem(&transition(&f_sushi), Some(&sushi_staff), &reject, &key)
            .await
            .expect(StatusCode::OK, &format!("reject attempt {attempt}"));
        assert_eq!(r["status"], "rejected");
    }
    let seen = app.get_order(&order).await;
    assert_eq!(common::clp(&seen["payment"]["refunded"]), sushi.price(SUSHI), "refunded once: {}", seen["payment"]);
    app.stop().await;
}
