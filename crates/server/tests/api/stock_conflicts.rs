//! Resolving a stock conflict over HTTP (`POST /stock/conflicts/{id}/resolve`): an offline till
//! sale took the last unit a web order had reserved meanwhile, and the manager counts the
//! shelf, transfers the shortfall from another location, or cancels and refunds the order —
//! each recorded once, with its movements; staff may not, another merchant is told nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::{BURGER, id_of};
use crate::common::{Fixture, OpenTill, Payment, TestApp, fulfillment_at, money, open_till, qs};

/// A till sale made offline 30 minutes ago of the last burger, which a web order reserved
/// after it: one open conflict. Returns the conflict as listed and the order.
pub(crate) struct Scene {
    pub(crate) fx: Fixture,
    pub(crate) manager: String,
    pub(crate) staff: String,
    pub(crate) conflict: Value,
    pub(crate) order: Value,
}

pub(crate) async fn scene(app: &TestApp) -> Scene {
    let fx = Fixture::builder().merchants(2).stock(1).build(app).await;
    let m = fx.m(0);
    let OpenTill { series, session_id, staff, manager, .. } = open_till(app, m, 0).await;
    let sold_at = (chrono::Utc::now() - chrono::Duration::minutes(30)).to_rfc3339();
    let order = app.place_order_ok(&fx, &[m.line(BURGER, 1)], &Payment::card()).await;
    let sale = json!({
        "id": "off-1",
        "session_id": session_id,
        "receipt_number": format!("{series}-1"),
        "sold_at": sold_at,
        "offline": true,
        "lines": [{"sku": BURGER, "quantity": 1}],
        "payments": [{"method": "cash", "amount": money(12_990), "tendered": money(12_990)}],
    });
    app.post("/api/v1/pos/sales", Some(&staff), &sale).await.expect(StatusCode::CREATED, "the offline sale");
    let listed = list(app, &manager, &m.location_id).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    Scene { conflict: listed[0].clone(), order, fx, manager, staff }
}

async fn list(app: &TestApp, token: &str, location_id: &str) -> Value {
    app.get(&format!("/api/v1/stock/conflicts?{}", qs(&[("location_id", location_id)])), Some(token))
        .await
        .expect(StatusCode::OK, "list conflicts")
}

async fn resolve(app: &TestApp, token: &str, id: &Value, body: Value) -> crate::common::Resp {
    app.post(&format!("/api/v1/stock/conflicts/{}/resolve", id.as_str().unwrap_or_default()), Some(token), &body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_says_which_order_took_the_units_and_is_resolved_by_counting_once() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let m = s.fx.m(0);
    let c = &s.conflict;
    assert_eq!(c["cause"], "offline_sale_short");
    assert_eq!(c["cause_detail"], "order_placed_while_offline", "the web order came after the till sold: {c}");
    assert_eq!(c["order_id"], s.order["id"]);
    assert_eq!(c["order_channel"], "qr");
    assert!(c["cause_text"].as_str().is_some_and(|text| text.contains("meanwhile")), "{c}");
    assert_eq!(c["choices"], json!(["count", "transfer", "cancel_order"]));
    assert_eq!(c["shortfall"], 1);

    // The web order holds the one unit the ledger has: a count below it is refused, nothing kept.
    resolve(&app, &s.manager, &c["id"], json!({"action": "count", "counted": 0}))
        .await
        .expect_problem(StatusCode::CONFLICT, "a count below what the order holds");
    assert_eq!(list(&app, &s.manager, &m.location_id).await[0]["status"], "open");

    let resolved = resolve(&app, &s.manager, &c["id"], json!({"action": "count", "counted": 1}))
        .await
        .expect(StatusCode::OK, "count the shelf");
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolution"]["action"], "count");
    assert_eq!(resolved["resolution"]["counted"], 1);
    assert_eq!(resolved["resolution"]["resolved_by"], json!(m.manager.id));
    assert_eq!(resolved["resolution"]["movement_ids"].as_array().map(Vec::len), Some(1));
    assert_eq!(resolved["choices"], json!([]));
    let level = app.stock_level(&s.manager, &m.location_id, BURGER).await;
    assert_eq!((level.on_hand, level.reserved), (1, 1));

    resolve(&app, &s.manager, &c["id"], json!({"action": "count", "counted": 1}))
        .await
        .expect_problem(StatusCode::CONFLICT, "resolving twice");
    let open = app
        .get(
            &format!("/api/v1/stock/conflicts?{}", qs(&[("location_id", &m.location_id), ("status", "open")])),
            Some(&s.manager),
        )
        .await
        .expect(StatusCode::OK, "open ones");
    assert_eq!(open, json!([]));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_is_resolved_by_a_transfer_from_a_location_that_has_the_units() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let m = s.fx.m(0);
    let admin = app.admin_token().await;
    let bodega = app
        .post(
            "/api/v1/locations",
            Some(&admin),
            &json!({"merchant_id": m.id, "site_id": s.fx.site_id, "name": "Bodega", "pay_at_pickup": false}),
        )
        .await
        .expect(StatusCode::CREATED, "a second location");
    let bodega = id_of(&bodega, "location");
    let short = resolve(&app, &s.manager, &s.conflict["id"], json!({"action": "transfer", "from_location_id": bodega}))
        .await
        .expect_problem(StatusCode::CONFLICT, "the source lacks the units");
    assert_eq!(short["sku"], BURGER);
    let foreign = s.fx.m(1).location_id.clone();
    resolve(&app, &s.manager, &s.conflict["id"], json!({"action": "transfer", "from_location_id": foreign}))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "another merchant's location");

    app.add_stock(&admin, &bodega, BURGER, 5).await.expect(StatusCode::CREATED, "stock the bodega");
    let resolved =
        resolve(&app, &s.manager, &s.conflict["id"], json!({"action": "transfer", "from_location_id": bodega}))
            .await
            .expect(StatusCode::OK, "transfer in");
    assert_eq!(resolved["resolution"]["action"], "transfer");
    assert_eq!(resolved["resolution"]["from_location_id"], json!(bodega));
    assert!(resolved["resolution"]["transfer_id"].is_string(), "{resolved}");
    assert_eq!(resolved["resolution"]["movement_ids"].as_array().map(Vec::len), Some(3), "out, in, the sale");
    let there = app.stock_level(&admin, &bodega, BURGER).await;
    assert_eq!(there.on_hand, 4);
    let here = app.stock_level(&admin, &m.location_id, BURGER).await;
    assert_eq!((here.on_hand, here.reserved), (1, 1), "the unit that came in serves the web order");
    resolve(&app, &s.manager, &s.conflict["id"], json!({"action": "transfer", "from_location_id": bodega}))
        .await
        .expect_problem(StatusCode::CONFLICT, "resolving twice");
    assert_eq!(app.stock_level(&admin, &bodega, BURGER).await.on_hand, 4, "nothing moved the second time");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_the_order_rejects_it_through_the_ordinary_refund() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let m = s.fx.m(0);
    resolve(&app, &s.manager, &s.conflict["id"], json!({"action": "cancel_order", "order_id": "ord_other"}))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "not the conflict's order");
    let resolved =
        resolve(&app, &s.manager, &s.conflict["id"], json!({"action": "cancel_order", "order_id": s.order["id"]}))
            .await
            .expect(StatusCode::OK, "cancel the order");
    let part = fulfillment_at(&s.order, &m.location_id);
    let part_id = part["id"].as_str().unwrap_or_default();
    assert_eq!(resolved["order_status"], "rejected");
    assert_eq!(resolved["resolution"]["refund_job_id"], json!(format!("pj_refund_{part_id}")));
    assert_eq!(resolved["resolution"]["uncovered"], 0);
    let level = app.stock_level(&s.manager, &m.location_id, BURGER).await;
    assert_eq!((level.on_hand, level.reserved), (0, 0), "the ledger now says what the shelf has");
    let order = app
        .get(
            &format!(
                "/api/v1/orders/{}?{}",
                s.order["id"].as_str().unwrap_or_default(),
                qs(&[("token", s.order["tracking_token"].as_str().unwrap_or_default())])
            ),
            None,
        )
        .await
        .expect(StatusCode::OK, "the customer's order");
    assert_eq!(fulfillment_at(&order, &m.location_id)["status"], "rejected");
    resolve(&app, &s.manager, &s.conflict["id"], json!({"action": "cancel_order", "order_id": s.order["id"]}))
        .await
        .expect_problem(StatusCode::CONFLICT, "resolving twice");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_merchants_managers_and_admins_resolve() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let id = &s.conflict["id"];
    let count = json!({"action": "count", "counted": 1});
    resolve(&app, &s.staff, id, count.clone()).await.expect_problem(StatusCode::FORBIDDEN, "staff");
    let other = s.fx.m(1).manager.token(&app).await;
    resolve(&app, &other, id, count.clone()).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's manager");
    app.get(&format!("/api/v1/stock/conflicts/{}", id.as_str().unwrap_or_default()), Some(&other))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant reads it");
    resolve(&app, &s.manager, &json!("scf_nothing"), count.clone())
        .await
        .expect_problem(StatusCode::NOT_FOUND, "no such conflict");
    let bad = resolve(&app, &s.manager, id, json!({"action": "shrug"})).await;
    bad.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "an unknown action");
    resolve(&app, &s.manager, id, json!({"action": "count"}))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a count without a figure");
    let admin = app.admin_token().await;
    let resolved = resolve(&app, &admin, id, count).await.expect(StatusCode::OK, "an admin resolves");
    assert_eq!(resolved["status"], "resolved");
    app.stop().await;
}
