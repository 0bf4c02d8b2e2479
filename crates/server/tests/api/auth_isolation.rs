//! Authentication and merchant isolation: login answers, bad credentials (401), missing or
//! invalid tokens (401), wrong role (403), and another merchant's fulfillments, settlement,
//! stock and orders answering 404 to its staff and manager while nothing changes.

use crate::common;

use common::fixture::{BURGER, SUSHI, id_of};
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, Fixture, Payment, TestApp, assert_status_in, fulfillment_at, id, money, qs};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The raw login answer.
async fn login_body(app: &TestApp, email: &str, password: &str) -> common::Resp {
    app.post("/api/v1/auth/login", None, &json!({"email": email, "password": password})).await
}

#[track_caller]
fn assert_absent(user: &Value, field: &str) {
    assert!(user.get(field).is_none_or(Value::is_null), "user.{field} must be absent or null: {user}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn login_answers_a_token_and_the_user() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let m = fx.m(0);

    let admin = login_body(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(StatusCode::OK, "admin login");
    assert!(admin["token"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(admin["user"]["id"].is_string());
    assert_eq!(admin["user"]["email"], ADMIN_EMAIL);
    assert_eq!(admin["user"]["role"], "admin");
    assert_absent(&admin["user"], "merchant_id");
    assert_absent(&admin["user"], "location_id");

    let staff = login_body(&app, &m.staff.email, &m.staff.password).await.expect(StatusCode::OK, "staff login");
    let user = &staff["user"];
    assert_eq!(user["id"], m.staff.id.as_str());
    assert_eq!(user["role"], "staff");
    assert_eq!(user["merchant_id"], m.id.as_str());
    assert_eq!(user["location_id"], m.location_id.as_str());

    let manager = login_body(&app, &m.manager.email, &m.manager.password).await.expect(StatusCode::OK, "manager login");
    assert_eq!(manager["user"]["role"], "merchant_manager");
    assert_eq!(manager["user"]["merchant_id"], m.id.as_str());
    assert_absent(&manager["user"], "location_id");

    let agent = app
        .post(
            "/api/v1/users",
            Some(&app.admin_token().await),
            &json!({"email": "agent@support.test", "password": "agent-password-1", "role": "support_agent"}),
        )
        .await
        .expect(StatusCode::CREATED, "create a support agent");
    let agent_login =
        login_body(&app, "agent@support.test", "agent-password-1").await.expect(StatusCode::OK, "support agent login");
    assert_eq!(agent_login["user"]["id"], agent["id"]);
    assert_eq!(agent_login["user"]["role"], "support_agent");
    assert_absent(&agent_login["user"], "merchant_id");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_credentials_are_401() {
    let app = TestApp::spawn().await;
    login_body(&app, ADMIN_EMAIL, "wrong-password").await.expect_problem(StatusCode::UNAUTHORIZED, "wrong password");
    login_body(&app, "nobody@test.local", ADMIN_PASSWORD)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "unknown e-mail");
    app.post("/api/v1/auth/login", None, &json!({"email": ADMIN_EMAIL}))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "login without a password");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn protected_routes_need_a_valid_token() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let order = app.place_order_ok(&fx, &[m.line(BURGER, 1)], &Payment::card()).await;
    let fid = id(fulfillment_at(&order, &m.location_id));
    let stock_query = qs(&[("location_id", m.location_id.as_str())]);
    let routes: Vec<(Method, String, Value)> = vec![
        (
            Method::POST,
            "/api/v1/sites".into(),
            json!({"name": "X", "country": "CL", "currency": "CLP", "timezone": "America/Santiago"}),
        ),
        (Method::POST, "/api/v1/merchants".into(), json!({"name": "X", "kind": "retail", "commission_bps": 100})),
        (
            Method::POST,
            "/api/v1/products".into(),
            json!({"merchant_id": m.id, "name": "X", "track_stock": true,
                   "variants": [{"sku": "X-1", "price": money(1000)}]}),
        ),
        (
            Method::POST,
            "/api/v1/stock/movements".into(),
            json!({"sku": BURGER, "location_id": m.location_id, "delta": 5, "reason": "receipt"}),
        ),
        (Method::GET, format!("/api/v1/stock?{stock_query}"), Value::Null),
        (Method::GET, format!("/api/v1/stock/events?{stock_query}"), Value::Null),
        (Method::GET, format!("/api/v1/locations/{}/fulfillments", m.location_id), Value::Null),
        (Method::POST, format!("/api/v1/fulfillments/{fid}/transition"), json!({"to": "accepted"})),
        (Method::GET, format!("/api/v1/merchants/{}/settlement", m.id), Value::Null),
        (
            Method::POST,
            "/api/v1/webhooks".into(),
            json!({"url": "http://127.0.0.1:9/hook", "events": ["order.created"]}),
        ),
    ];
    for token in [None, Some("not-a-real-token")] {
        for (method, path, body) in &routes {
            let body = if body.is_null() { common::Body::None } else { common::Body::Json(body.clone()) };
            app.send(method.clone(), path, token, body, &[])
                .await
                .expect_problem(StatusCode::UNAUTHORIZED, &format!("{method} {path} with token {token:?}"));
        }
    }
    let admin = app.admin_token().await;
    let seen = app
        .get(&format!("/api/v1/orders/{}", id(&order)), Some(&admin))
        .await
        .expect(StatusCode::OK, "order after the refused calls");
    assert_eq!(fulfillment_at(&seen, &m.location_id)["status"], "placed", "no refused call changed the part");
    assert_eq!(
        app.stock_level(&admin, &m.location_id, BURGER).await.triple(),
        (20, 1, 19),
        "no refused call moved stock"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_cannot_do_setup_and_is_403() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let m = fx.m(0);
    let staff = m.staff.token(&app).await;
    let attempts = [
        ("/api/v1/sites", json!({"name": "Otro", "country": "CL", "currency": "CLP", "timezone": "America/Santiago"})),
        ("/api/v1/merchants", json!({"name": "Otro", "kind": "retail", "commission_bps": 100})),
        ("/api/v1/users", json!({"email": "x@burger.test", "password": "password-123", "role": "admin"})),
        ("/api/v1/webhooks", json!({"url": "http://127.0.0.1:9/hook", "events": ["order.created"]})),
    ];
    for (path, body) in attempts {
        app.post(path, Some(&staff), &body).await.expect_problem(StatusCode::FORBIDDEN, &format!("staff POST {path}"));
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_merchants_data_is_404_and_unchanged() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let order = app.place_order_ok(&fx, &[burger.line(BURGER, 1)], &Payment::card()).await;
    let fid = id(fulfillment_at(&order, &burger.location_id));

    for (who, token) in
        [("sushi staff", sushi.staff.token(&app).await), ("sushi manager", sushi.manager.token(&app).await)]
    {
        let token = Some(token.as_str());
        let hidden = [
            (Method::GET, format!("/api/v1/locations/{}/fulfillments", burger.location_id)),
            (Method::GET, format!("/api/v1/merchants/{}/settlement", burger.id)),
            (Method::GET, format!("/api/v1/stock?{}", qs(&[("location_id", burger.location_id.as_str())]))),
            (Method::GET, format!("/api/v1/orders/{}", id(&order))),
        ];
        for (method, path) in hidden {
            app.send(method.clone(), &path, token, common::Body::None, &[])
                .await
                .expect_problem(StatusCode::NOT_FOUND, &format!("{who}: {method} {path}"));
        }
        for to in ["accepted", "rejected"] {
            app.post(&format!("/api/v1/fulfillments/{fid}/transition"), token, &json!({"to": to}))
                .await
                .expect_problem(StatusCode::NOT_FOUND, &format!("{who}: move burger part to {to}"));
        }
        let movement = app
            .post(
                "/api/v1/stock/movements",
                token,
                &json!({"sku": BURGER, "location_id": burger.location_id, "delta": 5, "reason": "receipt"}),
            )
            .await;
        assert_status_in(
            &movement,
            &[StatusCode::NOT_FOUND, StatusCode::UNPROCESSABLE_ENTITY],
            &format!("{who}: stock movement at the burger"),
        );
    }

    let seen = app.get_order(&order).await;
    assert_eq!(fulfillment_at(&seen, &burger.location_id)["status"], "placed");
    assert_eq!(
        app.stock_level(&admin, &burger.location_id, BURGER).await.triple(),
        (20, 1, 19),
        "burger stock untouched by the other merchant"
    );

    // The burger's own people do see and change it.
    let burger_staff = burger.staff.token(&app).await;
    assert_eq!(app.fulfillment_ids(&burger_staff, &burger.location_id).await, vec![fid.clone()]);
    let burger_manager = burger.manager.token(&app).await;
    app.settlement(&burger_manager, &burger.id, &[]).await.expect(StatusCode::OK, "manager reads its own settlement");
    app.advance(&burger_manager, &fid, &["accepted"]).await;
    app.advance(&burger_staff, &fid, &["preparing"]).await;
    app.advance(&admin, &fid, &["ready"]).await;
    // And the sushi staff still sees its own (empty) queue and stock.
    let sushi_staff = sushi.staff.token(&app).await;
    assert!(app.fulfillment_ids(&sushi_staff, &sushi.location_id).await.is_empty());
    assert_eq!(app.stock_level(&sushi_staff, &sushi.location_id, SUSHI).await.triple(), (20, 0, 20));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_manager_sets_up_only_its_own_merchant() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(0).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let manager = sushi.manager.token(&app).await;
    let product = |merchant_id: &str, sku: &str| {
        json!({"merchant_id": merchant_id, "name": "Gyoza", "track_stock": true,
               "variants": [{"sku": sku, "price": money(4990)}]})
    };
    let refused = app.post("/api/v1/products", Some(&manager), &product(&burger.id, "GYOZA-1")).await;
    assert_status_in(
        &refused,
        &[StatusCode::FORBIDDEN, StatusCode::NOT_FOUND, StatusCode::UNPROCESSABLE_ENTITY],
        "sushi manager creates a product for the burger",
    );
    let refused = app
        .post(
            "/api/v1/locations",
            Some(&manager),
            &json!({"merchant_id": burger.id, "site_id": fx.site_id, "name": "Otra", "pay_at_pickup": false}),
        )
        .await;
    assert_status_in(
        &refused,
        &[StatusCode::FORBIDDEN, StatusCode::NOT_FOUND, StatusCode::UNPROCESSABLE_ENTITY],
        "sushi manager creates a location for the burger",
    );
    let created = app
        .post("/api/v1/products", Some(&manager), &product(&sushi.id, "GYOZA-2"))
        .await
        .expect(StatusCode::CREATED, "sushi manager creates its own product");
    id_of(&created, "product");
    app.stop().await;
}
