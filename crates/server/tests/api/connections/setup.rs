//! Creating and reading connections: who may, what is refused (every bad field at once), that
//! credentials never come back, that another merchant sees a 404, and that a webhook without
//! the shop's signature is 401 with nothing recorded.

use crate::common;

use common::{Fixture, TestApp, assert_validation_problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn woo_body(fx: &Fixture, base_url: &str) -> Value {
    json!({
        "merchant_id": fx.m(0).id,
        "kind": "woocommerce",
        "name": "Tienda web",
        "base_url": base_url,
        "credentials": {"consumer_key": "ck_test", "consumer_secret": "cs_SECRET-VALUE", "webhook_secret": "whs-SECRET"},
        "location_ids": [fx.m(0).location_id],
    })
}

#[tokio::test]
async fn a_manager_connects_a_shop_and_its_secrets_never_come_back() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let manager = fx.m(0).manager.token(&app).await;
    let created = app
        .post("/api/v1/connections", Some(&manager), &woo_body(&fx, "http://127.0.0.1:9"))
        .await
        .expect(StatusCode::CREATED, "create");
    assert_eq!(created["kind"], "woocommerce");
    assert_eq!(created["status"], "pending");
    let id = created["id"].as_str().expect("an id").to_owned();
    let shown = app.get(&format!("/api/v1/connections/{id}"), Some(&manager)).await.expect(StatusCode::OK, "read");
    for key in ["id", "kind", "status", "last_success_at", "queue_length", "mapped_skus", "unmatched", "conflicts"] {
        assert!(shown.get(key).is_some(), "{key} is shown: {shown}");
    }
    let listed = app.get("/api/v1/connections", Some(&manager)).await.expect(StatusCode::OK, "list");
    for text in [created.to_string(), shown.to_string(), listed.to_string()] {
        assert!(!text.contains("SECRET") && !text.contains("credentials"), "no secret shown: {text}");
    }

    let other = fx.m(1).manager.token(&app).await;
    let hidden = app.get(&format!("/api/v1/connections/{id}"), Some(&other)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "another merchant: {}", hidden.body);
    let again = app.post(&format!("/api/v1/connections/{id}/sync"), Some(&other), &json!({})).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let staff = fx.m(0).staff.token(&app).await;
    let refused = app.post("/api/v1/connections", Some(&staff), &woo_body(&fx, "http://127.0.0.1:9")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    let taken = app.post("/api/v1/connections", Some(&manager), &woo_body(&fx, "http://127.0.0.1:9")).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "the name is taken: {}", taken.body);
    let sync = app.post(&format!("/api/v1/connections/{id}/sync"), Some(&manager), &json!({})).await;
    assert_eq!(sync.status, StatusCode::ACCEPTED, "{}", sync.body);

    // An edit that leaves the credentials out keeps them; one that sends some must send all.
    let mut edit = woo_body(&fx, "http://127.0.0.1:9");
    edit["name"] = json!("Tienda web (nueva)");
    edit["credentials"] = json!({});
    let path = format!("/api/v1/connections/{id}");
    let put = |body: Value| app.send(reqwest::Method::PUT, &path, Some(&manager), common::Body::Json(body), &[]);
    let edited = put(edit.clone()).await.expect(StatusCode::OK, "kept credentials");
    assert_eq!(edited["name"], "Tienda web (nueva)");
    edit["credentials"] = json!({"consumer_key": "ck_new"});
    let partial = put(edit).await;
    assert_validation_problem(&partial, "partial credentials");
    assert!(partial.body.to_string().contains("credentials.consumer_secret"), "{}", partial.body);

    let audit = app
        .get("/api/v1/audit-log?entity=shop_connection", Some(&manager))
        .await
        .expect(StatusCode::OK, "the audit log");
    let text = audit.to_string();
    assert!(text.contains("\"created\"") && text.contains("\"resynced\""), "created and resynced are recorded: {text}");
    assert!(!text.contains("SECRET") && !text.contains("sealed"), "no secret in the log: {text}");
}

#[tokio::test]
async fn bad_connections_are_refused_with_every_field_named() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let manager = fx.m(0).manager.token(&app).await;
    let bad = app
        .post(
            "/api/v1/connections",
            Some(&manager),
            &json!({
                "merchant_id": fx.m(0).id,
                "kind": "ebay",
                "name": "",
                "base_url": "",
                "credentials": {},
                "location_ids": [],
                "stock_buffer": -1,
                "stock_owner": "nobody",
            }),
        )
        .await;
    assert_validation_problem(&bad, "every bad field");
    let fields: Vec<String> = bad.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| error["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    for field in ["kind", "name", "base_url", "location_ids", "stock_buffer", "stock_owner"] {
        assert!(fields.iter().any(|f| f == field), "{field} named: {fields:?}");
    }

    let mut missing = woo_body(&fx, "http://127.0.0.1:9");
    missing["credentials"] = json!({"consumer_key": "ck", "password": "x"});
    let refused = app.post("/api/v1/connections", Some(&manager), &missing).await;
    assert_validation_problem(&refused, "credentials");
    let text = refused.body.to_string();
    assert!(text.contains("credentials.consumer_secret") && text.contains("credentials.password"), "{text}");

    let private = app.post("/api/v1/connections", Some(&manager), &woo_body(&fx, "https://10.1.2.3")).await;
    assert_validation_problem(&private, "a private address");
    assert_eq!(private.body["errors"][0]["field"], "base_url", "{}", private.body);

    let mut elsewhere = woo_body(&fx, "http://127.0.0.1:9");
    elsewhere["location_ids"] = json!([fx.m(1).location_id]);
    let foreign = app.post("/api/v1/connections", Some(&manager), &elsewhere).await;
    assert_validation_problem(&foreign, "another merchant's location");

    let mut other_merchant = woo_body(&fx, "http://127.0.0.1:9");
    other_merchant["merchant_id"] = json!(fx.m(1).id);
    let hidden = app.post("/api/v1/connections", Some(&manager), &other_merchant).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
}

#[tokio::test]
async fn a_webhook_without_the_shops_signature_is_401_and_records_nothing() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let manager = fx.m(0).manager.token(&app).await;
    let created = app
        .post("/api/v1/connections", Some(&manager), &woo_body(&fx, "http://127.0.0.1:9"))
        .await
        .expect(StatusCode::CREATED, "create");
    let id = created["id"].as_str().expect("an id");
    let path = format!("/api/v1/connections/{id}/webhooks");
    let body = br#"{"id": 77, "line_items": []}"#.to_vec();
    let unsigned = app.post_raw(&path, None, body.clone()).await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED, "{}", unsigned.body);
    let forged = app
        .client
        .post(app.url(&path))
        .header("content-type", "application/json")
        .header("x-wc-webhook-signature", "bm90IHRoZSBzaWduYXR1cmU=")
        .header("x-wc-webhook-topic", "order.created")
        .body(body)
        .send()
        .await
        .expect("an answer");
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let orders =
        app.get(&format!("/api/v1/connections/{id}/orders"), Some(&manager)).await.expect(StatusCode::OK, "orders");
    assert_eq!(orders, json!([]), "nothing recorded");
    // WooCommerce's unsigned ping when the webhook is saved in the shop is answered, and records nothing.
    let ping = app
        .client
        .post(app.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("webhook_id=12")
        .send()
        .await
        .expect("an answer");
    assert_eq!(ping.status(), StatusCode::OK);
    let orders =
        app.get(&format!("/api/v1/connections/{id}/orders"), Some(&manager)).await.expect(StatusCode::OK, "orders");
    assert_eq!(orders, json!([]), "the ping records nothing");
    let unknown = app.post_raw("/api/v1/connections/con_nope/webhooks", None, b"{}".to_vec()).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
