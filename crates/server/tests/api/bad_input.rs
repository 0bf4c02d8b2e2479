//! Bad input never yields a 5xx and never stores anything: malformed JSON (400), wrong types,
//! missing fields and failed validation (422 problem+json), quantities and line counts beyond
//! the limits, unknown references in bodies (422) and in paths (404), bodies over 1 MiB (413),
//! list limits over 500 (422), random bodies generated with proptest, and the framework's own
//! refusals (body limit on any route, 405 with its Allow, a path that is not UTF-8, a missing
//! content type, an unknown route) as problem documents.

use crate::common;

use std::cell::Cell;

use common::fixture::{BURGER, SUSHI};
use common::{
    Fixture, Payment, StockLevel, TestApp, assert_problem_shape, assert_status_in, assert_validation_problem, money,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ONE_MIB: usize = 1024 * 1024;

/// An edit applied to a valid request body.
type Edit = fn(&mut Value);

/// A fixture of two merchants with 20 units each, and its stock before the test.
async fn setup() -> (TestApp, Fixture, Vec<StockLevel>) {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let before = app.stock_snapshot(&fx).await;
    (app, fx, before)
}

/// Stock is as it was and no fulfillment exists anywhere.
async fn assert_nothing_stored(app: &TestApp, fx: &Fixture, before: &[StockLevel]) {
    assert_eq!(app.stock_snapshot(fx).await, before, "stock unchanged");
    let admin = app.admin_token().await;
    for m in &fx.merchants {
        assert!(app.fulfillment_ids(&admin, &m.location_id).await.is_empty(), "no order part stored at {}", m.name);
    }
}

/// A valid one-line card order for a burger.
fn valid_order(fx: &Fixture) -> Value {
    fx.order_body(&[fx.line(BURGER, 1)], &Payment::card())
}

/// A valid order with `edit` applied.
fn order_with(fx: &Fixture, edit: impl FnOnce(&mut Value)) -> Value {
    let mut body = valid_order(fx);
    edit(&mut body);
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn malformed_json_is_400() {
    let (app, fx, before) = setup().await;
    let admin = app.admin_token().await;
    let cases: [(&str, Option<&str>, &[u8]); 5] = [
        ("/api/v1/orders", None, b"{\"site_id\": "),
        ("/api/v1/orders", None, b"{'lines': []}"),
        ("/api/v1/auth/login", None, b"not json at all"),
        ("/api/v1/stock/movements", Some(&admin), b"{\"sku\": \"BURGER-CLASSIC\",}"),
        ("/api/v1/sites", Some(&admin), b"{\"name\": \"X\", \"country\": "),
    ];
    for (path, token, bytes) in cases {
        app.post_raw(path, token, bytes.to_vec()).await.expect_problem(
            StatusCode::BAD_REQUEST,
            &format!("malformed JSON to {path}: {}", String::from_utf8_lossy(bytes)),
        );
    }
    assert_nothing_stored(&app, &fx, &before).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_types_and_missing_fields_are_422() {
    let (app, fx, before) = setup().await;
    let edits: &[(&str, Edit)] = &[
        ("quantity is a string", |b| b["lines"][0]["quantity"] = json!("two")),
        ("quantity is a fraction", |b| b["lines"][0]["quantity"] = json!(1.5)),
        ("lines is a string", |b| b["lines"] = json!("all of them")),
        ("lines is empty", |b| b["lines"] = json!([])),
        ("no lines", |b| drop(b.as_object_mut().unwrap().remove("lines"))),
        ("no customer", |b| drop(b.as_object_mut().unwrap().remove("customer"))),
        ("customer without name", |b| b["customer"] = json!({"phone": "+56911112222"})),
        ("site_id is a number", |b| b["site_id"] = json!(42)),
        ("no payment", |b| drop(b.as_object_mut().unwrap().remove("payment"))),
        ("unknown payment method", |b| b["payment"] = json!({"method": "cash"})),
        ("unknown channel", |b| b["channel"] = json!("fax")),
        ("no channel", |b| drop(b.as_object_mut().unwrap().remove("channel"))),
        ("line without sku", |b| drop(b["lines"][0].as_object_mut().unwrap().remove("sku"))),
        ("body is an array", |b| *b = json!([])),
        ("body is null", |b| *b = Value::Null),
    ];
    for (what, edit) in edits {
        let body = order_with(&fx, edit);
        app.post("/api/v1/orders", None, &body).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, what);
    }
    assert_nothing_stored(&app, &fx, &before).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quantities_outside_1_to_9999_are_422() {
    let (app, fx, before) = setup().await;
    for quantity in [json!(0), json!(-1), json!(10_000), json!(1_000_000_000_000i64)] {
        let body = order_with(&fx, |b| b["lines"][0]["quantity"] = quantity.clone());
        let resp = app.post("/api/v1/orders", None, &body).await;
        assert_validation_problem(&resp, &format!("quantity {quantity}"));
    }
    // 9999 is inside the limit: it is refused for stock, not for validation.
    let body = order_with(&fx, |b| b["lines"][0]["quantity"] = json!(9_999));
    let problem = app
        .post("/api/v1/orders", None, &body)
        .await
        .expect_problem(StatusCode::CONFLICT, "9999 burgers with 20 in stock");
    assert_eq!(problem["sku"], BURGER);
    assert_nothing_stored(&app, &fx, &before).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unknown_references_in_an_order_are_422() {
    let (app, fx, before) = setup().await;
    let problem = app
        .post("/api/v1/orders", None, &order_with(&fx, |b| b["lines"][0]["sku"] = json!("NO-SUCH-SKU")))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown sku");
    assert_eq!(problem["sku"], "NO-SUCH-SKU", "the problem names the sku");

    let sushi_location = fx.m(1).location_id.clone();
    let problem = app
        .post("/api/v1/orders", None, &order_with(&fx, |b| b["lines"][0]["location_id"] = json!(sushi_location)))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "burger sku at the sushi location");
    assert_eq!(problem["sku"], BURGER, "the problem names the sku");

    let cases: [(&str, Edit); 2] = [
        ("unknown location", |b| b["lines"][0]["location_id"] = json!("no-such-location")),
        ("unknown site", |b| b["site_id"] = json!("no-such-site")),
    ];
    for (what, edit) in cases {
        app.post("/api/v1/orders", None, &order_with(&fx, edit))
            .await
            .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, what);
    }
    assert_nothing_stored(&app, &fx, &before).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn too_many_lines_are_refused() {
    let (app, fx, before) = setup().await;
    for count in [201usize, 10_000] {
        let lines = vec![fx.line(BURGER, 1); count];
        let body = fx.order_body(&lines, &Payment::card());
        let size = serde_json::to_vec(&body).unwrap().len();
        let resp = app.post("/api/v1/orders", None, &body).await;
        let expected = if size > ONE_MIB { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::UNPROCESSABLE_ENTITY };
        common::assert_problem(&resp, expected, &format!("{count} lines ({size} bytes)"));
    }
    assert_nothing_stored(&app, &fx, &before).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bodies_over_1_mib_are_413() {
    let (app, fx, before) = setup().await;
    let huge = "a".repeat(ONE_MIB + ONE_MIB / 2);
    let body = order_with(&fx, |b| b["customer"]["name"] = json!(huge));
    for (path, body) in [("/api/v1/orders", body), ("/api/v1/auth/login", json!({"email": huge, "password": "x"}))] {
        // The server may answer 413 on seeing the length and close before the client has written
        // the whole body; the client then sees a reset instead of the answer, and sends again.
        let mut attempts = 0;
        let response = loop {
            match app.client.post(app.url(path)).json(&body).send().await {
                Ok(response) => break response,
                Err(error) if attempts < 5 => {
                    attempts += 1;
                    eprintln!("POST {path}: {error}; sending again");
                }
                Err(error) => panic!("POST {path}: {error}"),
            }
        };
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "1.5 MiB to {path}");
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(content_type.starts_with("application/problem+json"), "{path}: {content_type}");
    }
    assert_nothing_stored(&app, &fx, &before).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unknown_ids_in_the_path_are_404() {
    let (app, _fx, _) = setup().await;
    let admin = app.admin_token().await;
    let cases: [(Method, &str, Option<&str>, Value); 9] = [
        (Method::GET, "/api/v1/orders/no-such-order", Some(&admin), Value::Null),
        (Method::GET, "/api/v1/orders/no-such-order?token=abc", None, Value::Null),
        (Method::GET, "/api/v1/orders/no-such-order/events?token=abc", None, Value::Null),
        (Method::POST, "/api/v1/fulfillments/no-such-fulfillment/transition", Some(&admin), json!({"to": "accepted"})),
        (Method::GET, "/api/v1/locations/no-such-location/fulfillments", Some(&admin), Value::Null),
        (Method::GET, "/api/v1/merchants/no-such-merchant/settlement", Some(&admin), Value::Null),
        (Method::GET, "/api/v1/sites/no-such-site/menu", None, Value::Null),
        (Method::GET, "/api/v1/webhooks/no-such-webhook/deliveries", Some(&admin), Value::Null),
        (Method::GET, "/api/v1/no-such-route", Some(&admin), Value::Null),
    ];
    for (method, path, token, body) in cases {
        let body = if body.is_null() { common::Body::None } else { common::Body::Json(body) };
        app.send(method.clone(), path, token, body, &[])
            .await
            .expect_problem(StatusCode::NOT_FOUND, &format!("{method} {path}"));
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn list_limit_over_500_is_422() {
    let (app, fx, _) = setup().await;
    let admin = app.admin_token().await;
    let location = &fx.m(0).location_id;
    let list = format!("/api/v1/locations/{location}/fulfillments");
    app.get(&format!("{list}?limit=500"), Some(&admin)).await.expect(StatusCode::OK, "limit 500 is allowed");
    let resp = app.get(&format!("{list}?limit=501"), Some(&admin)).await;
    common::assert_problem(&resp, StatusCode::UNPROCESSABLE_ENTITY, "fulfillments limit 501");
    let resp = app.get(&format!("/api/v1/stock?location_id={location}&limit=501"), Some(&admin)).await;
    common::assert_problem(&resp, StatusCode::UNPROCESSABLE_ENTITY, "stock limit 501");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_stock_movements_change_nothing() {
    let (app, fx, before) = setup().await;
    let admin = app.admin_token().await;
    let location = fx.m(0).location_id.clone();
    let movement = |edit: Edit| {
        let mut body = json!({"sku": BURGER, "location_id": location, "delta": 5, "reason": "receipt"});
        edit(&mut body);
        body
    };
    let cases: [(&str, Edit); 7] = [
        ("the most negative delta", |b| b["delta"] = json!(i64::MIN)),
        ("the largest delta", |b| b["delta"] = json!(i64::MAX)),
        ("unknown sku", |b| b["sku"] = json!("NO-SUCH-SKU")),
        ("unknown location", |b| b["location_id"] = json!("no-such-location")),
        ("delta is a string", |b| b["delta"] = json!("five")),
        ("no reason", |b| drop(b.as_object_mut().unwrap().remove("reason"))),
        ("sushi sku at the burger", |b| b["sku"] = json!(SUSHI)),
    ];
    for (what, edit) in cases {
        app.post("/api/v1/stock/movements", Some(&admin), &movement(edit))
            .await
            .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, what);
    }
    app.post("/api/v1/stock/movements", Some(&admin), &movement(|b| b["delta"] = json!(-21)))
        .await
        .expect_problem(StatusCode::CONFLICT, "on_hand would go below zero");
    assert_nothing_stored(&app, &fx, &before).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_setup_requests_are_422() {
    let (app, fx, _) = setup().await;
    let admin = app.admin_token().await;
    let (burger, site) = (fx.m(0), fx.site_id.as_str());
    let cases = [
        ("/api/v1/sites", json!({"name": "X", "country": "US", "currency": "USD", "timezone": "America/New_York"})),
        ("/api/v1/sites", json!({"name": "X", "country": "CL", "timezone": "America/Santiago"})),
        ("/api/v1/merchants", json!({"name": "X", "kind": "restaurant", "commission_bps": -1})),
        ("/api/v1/merchants", json!({"name": "X", "kind": "bakery", "commission_bps": 100})),
        (
            "/api/v1/locations",
            json!({"merchant_id": "no-such-merchant", "site_id": site, "name": "X", "pay_at_pickup": false}),
        ),
        (
            "/api/v1/locations",
            json!({"merchant_id": burger.id, "site_id": "no-such-site", "name": "X", "pay_at_pickup": false}),
        ),
        (
            "/api/v1/users",
            json!({"email": "s@x.test", "password": "password-123", "role": "staff", "merchant_id": burger.id}),
        ),
        ("/api/v1/users", json!({"email": "m@x.test", "password": "password-123", "role": "merchant_manager"})),
        ("/api/v1/users", json!({"email": "r@x.test", "password": "password-123", "role": "root"})),
        (
            "/api/v1/products",
            json!({"merchant_id": burger.id, "name": "X", "track_stock": true,
                   "variants": [{"sku": "X-1", "price": {"amount": 12.5, "currency": "CLP"}}]}),
        ),
        (
            "/api/v1/products",
            json!({"merchant_id": "no-such-merchant", "name": "X", "track_stock": true,
                   "variants": [{"sku": "X-2", "price": money(1000)}]}),
        ),
    ];
    for (path, body) in cases {
        app.post(path, Some(&admin), &body)
            .await
            .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, &format!("POST {path} {body}"));
    }
    let duplicate = app
        .post(
            "/api/v1/products",
            Some(&admin),
            &json!({"merchant_id": burger.id, "name": "Copia", "track_stock": true,
                    "variants": [{"sku": BURGER, "price": money(1000)}]}),
        )
        .await;
    assert_status_in(
        &duplicate,
        &[StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY],
        "a SKU the merchant already has",
    );
    assert_problem_shape(&duplicate, "duplicate sku");
    let menu = app.get(&format!("/api/v1/sites/{site}/menu"), None).await.expect(StatusCode::OK, "menu");
    assert_eq!(menu["locations"].as_array().map(Vec::len), Some(2), "no location was added: {menu}");
    app.stop().await;
}

/// Any JSON value, small.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-3i64..10_010).prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        Just(Value::from(BURGER)),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Where in a valid order body a random value is put.
const POINTERS: &[&str] = &[
    "",
    "/site_id",
    "/channel",
    "/customer",
    "/customer/name",
    "/lines",
    "/lines/0",
    "/lines/0/sku",
    "/lines/0/location_id",
    "/lines/0/quantity",
    "/payment",
    "/payment/method",
    "/payment/card_number",
    "/pickup_at",
];

#[derive(Debug, Clone)]
enum Input {
    Raw(Vec<u8>),
    Mutated(&'static str, Value),
}

fn arb_input() -> impl Strategy<Value = Input> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64).prop_map(Input::Raw),
        (prop::sample::select(POINTERS), arb_json()).prop_map(|(p, v)| Input::Mutated(p, v)),
    ]
}

/// Random order bodies never give a 5xx, every 4xx is a problem document, and stock is reserved
/// exactly for the orders that were accepted.
#[test]
fn random_order_bodies_never_5xx_and_reserve_only_for_201() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (app, fx) = rt.block_on(async {
        let app = TestApp::spawn().await;
        let fx = Fixture::builder().merchants(1).build(&app).await;
        (app, fx)
    });
    let reserved_by_201 = Cell::new(0i64);
    let mut runner =
        TestRunner::new(Config { cases: 48, failure_persistence: None, max_shrink_iters: 32, ..Config::default() });
    let result = runner.run(&arb_input(), |input| {
        let resp = rt.block_on(async {
            match &input {
                Input::Raw(bytes) => app.post_raw("/api/v1/orders", None, bytes.clone()).await,
                Input::Mutated(pointer, value) => {
                    let mut body = valid_order(&fx);
                    match body.pointer_mut(pointer) {
                        Some(slot) => *slot = value.clone(),
                        None => body = value.clone(),
                    }
                    app.post("/api/v1/orders", None, &body).await
                }
            }
        });
        prop_assert!(
            resp.status.is_client_error() || resp.status == StatusCode::CREATED,
            "unexpected {} for {input:?}: {}",
            resp.status,
            resp.body
        );
        if resp.status == StatusCode::CREATED {
            let units: i64 = resp.body["fulfillments"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|f| f["lines"].as_array().cloned().unwrap_or_default())
                .filter(|l| l["sku"] == BURGER)
                .filter_map(|l| l["quantity"].as_i64())
                .sum();
            reserved_by_201.set(reserved_by_201.get() + units);
        } else {
            assert_problem_shape(&resp, &format!("{input:?}"));
        }
        Ok(())
    });
    rt.block_on(async {
        if let Err(e) = result {
            panic!("{e}");
        }
        let admin = app.admin_token().await;
        let level = app.stock_level(&admin, &fx.m(0).location_id, BURGER).await;
        assert_eq!(level.reserved, reserved_by_201.get(), "reserved units equal those of the accepted orders");
        assert_eq!(level.on_hand, 20, "ordering never changes on_hand");
        app.stop().await;
    });
}

/// The framework's own refusals (body limit, method, path, content type, query) are problem
/// documents too, with the framework's status kept and a `detail` that says what to change.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn framework_refusals_are_problem_documents() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let send = |method: Method, path: &str, content_type: Option<&str>, body: Vec<u8>| {
        let url = app.url(path);
        let (client, admin) = (app.client.clone(), admin.clone());
        let content_type = content_type.map(str::to_owned);
        async move {
            // The server may answer 413 on seeing the length and close before the client has
            // written the whole body; the client then sees a reset instead of the answer.
            let mut attempts = 0;
            let response = loop {
                let mut request = client.request(method.clone(), &url).bearer_auth(&admin).body(body.clone());
                if let Some(content_type) = &content_type {
                    request = request.header("content-type", content_type.as_str());
                }
                match request.send().await {
                    Ok(response) => break response,
                    Err(error) if attempts < 5 => {
                        attempts += 1;
                        eprintln!("{method} {url}: {error}; sending again");
                    }
                    Err(error) => panic!("{method} {url}: {error}"),
                }
            };
            let (status, headers) = (response.status(), response.headers().clone());
            let body = response.bytes().await.expect("body");
            let body = serde_json::from_slice(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
            common::Resp { status, headers, body }
        }
    };
    let over_the_limit = vec![b'a'; ONE_MIB + ONE_MIB / 2];
    let cases: Vec<(&str, common::Resp, StatusCode, &str)> = vec![
        (
            "a 1.5 MiB CSV import",
            send(Method::POST, "/api/v1/imports/stock", Some("text/csv"), over_the_limit.clone()).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "1 MiB",
        ),
        (
            "a 1.5 MiB catalogue import",
            send(Method::POST, "/api/v1/imports/catalog", Some("text/csv"), over_the_limit.clone()).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "1 MiB",
        ),
        (
            "a CSV import that is not UTF-8",
            send(Method::POST, "/api/v1/imports/stock", Some("text/csv"), vec![0xff, 0xfe, b'\n']).await,
            StatusCode::BAD_REQUEST,
            "UTF-8",
        ),
        (
            "a CSV import sent as JSON",
            send(Method::POST, "/api/v1/imports/stock", Some("application/json"), b"{}".to_vec()).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "text/csv",
        ),
        (
            "an order without a content type",
            send(Method::POST, "/api/v1/orders", None, b"{}".to_vec()).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "application/json",
        ),
        (
            "a path segment that is not UTF-8",
            send(Method::GET, "/api/v1/orders/%FF%FE", None, Vec::new()).await,
            StatusCode::BAD_REQUEST,
            "UTF-8",
        ),
        (
            "a query that does not parse",
            send(Method::GET, "/api/v1/sites/any/menu?include_closed=maybe", None, Vec::new()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "include_closed",
        ),
        (
            "an unknown route under /api",
            send(Method::GET, "/api/v2/orders", None, Vec::new()).await,
            StatusCode::NOT_FOUND,
            "route",
        ),
        (
            "a 1.5 MiB sign-in form (outside /api, the framework's refusal is a problem too)",
            send(Method::POST, "/console/login", Some("application/x-www-form-urlencoded"), over_the_limit).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "1 MiB",
        ),
    ];
    for (what, response, status, hint) in cases {
        common::assert_problem(&response, status, what);
        // The detail says what to change; a validation problem says it per field, in `errors`.
        let said = format!("{} {}", response.body["detail"], response.body["errors"]);
        assert!(said.contains(hint), "{what}: the problem should name {hint:?}: {}", response.body);
    }

    // A method the route lacks: 405, and the Allow header still lists the ones it has.
    let response = send(Method::DELETE, "/api/v1/orders", None, Vec::new()).await;
    common::assert_problem(&response, StatusCode::METHOD_NOT_ALLOWED, "DELETE /api/v1/orders");
    let allow = response.headers.get("allow").and_then(|value| value.to_str().ok()).unwrap_or_default();
    assert!(allow.contains("POST"), "the 405 keeps its Allow header: {allow:?}");
    let response = send(Method::PUT, "/api/v1/sites", Some("application/json"), b"{}".to_vec()).await;
    common::assert_problem(&response, StatusCode::METHOD_NOT_ALLOWED, "PUT /api/v1/sites");
    assert!(response.headers.contains_key("allow"), "the 405 keeps its Allow header");

    // The pages' own error pages stay HTML for the browser: a sign-in form without its CSRF token.
    let response = app
        .client
        .post(app.url("/console/login"))
        .form(&[("email", "x@x.test"), ("password", "wrong-password")])
        .send()
        .await
        .expect("request");
    assert!(response.status().is_client_error(), "a form without its CSRF token is refused: {}", response.status());
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "a page's own refusal stays HTML, got {content_type:?}");
    app.stop().await;
}
