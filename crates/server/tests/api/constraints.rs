//! Every create route driven into the key it collides with or the reference it lacks answers
//! a clear 409 (taken) or 422 (missing) problem that names the field — never a 500, never
//! database text (issue 11, point 5: constraint violations are typed in the store and mapped
//! once).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::BURGER;
use crate::common::{Fixture, Resp, TestApp, id, money};

/// Asserts a problem with `status` whose `errors` name `field`, and no database wording.
#[track_caller]
fn assert_names_field(resp: &Resp, status: StatusCode, field: &str, what: &str) {
    crate::common::assert_problem(resp, status, what);
    let errors = resp.body["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors.iter().any(|error| error["field"] == field && error["message"].as_str().is_some_and(|m| !m.is_empty())),
        "{what}: expected an error naming {field:?}, got {}",
        resp.body
    );
    let text = resp.body.to_string().to_lowercase();
    for leak in ["constraint", "sqlite", "violates", "duplicate key", "foreign key", "unique"] {
        assert!(!text.contains(leak), "{what}: database wording {leak:?} reached the client: {}", resp.body);
    }
}

fn product(merchant_id: &str, sku: &str) -> Value {
    json!({"merchant_id": merchant_id, "name": "Otra", "track_stock": true,
           "variants": [{"sku": sku, "price": money(1000)}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_taken_key_is_409_naming_the_field() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let burger = fx.m(0);

    let taken_email = json!({"email": burger.staff.email.to_uppercase(), "password": "password-123",
        "role": "staff", "merchant_id": burger.id, "location_id": burger.location_id});
    let resp = app.post("/api/v1/users", Some(&admin), &taken_email).await;
    assert_names_field(&resp, StatusCode::CONFLICT, "email", "a user's e-mail, in another case");

    let resp = app.post("/api/v1/products", Some(&admin), &product(&burger.id, BURGER)).await;
    assert_names_field(&resp, StatusCode::CONFLICT, "sku", "a SKU the merchant already sells");
    let twice = json!({"merchant_id": burger.id, "name": "Doble", "track_stock": true,
        "variants": [{"sku": "NEW-1", "price": money(1000)}, {"sku": "NEW-1", "price": money(1200)}]});
    let resp = app.post("/api/v1/products", Some(&admin), &twice).await;
    assert!(
        matches!(resp.status, StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY),
        "one SKU twice in a product: {} {}",
        resp.status,
        resp.body
    );
    let listed = app.get(&format!("/api/v1/merchants/{}/products", burger.id), Some(&admin)).await;
    assert!(!listed.body.to_string().contains("Doble"), "nothing of the refused product was stored");

    let promotion = app
        .post(
            "/api/v1/promotions",
            Some(&admin),
            &json!({"merchant_id": burger.id, "name": "Con cupón", "requires_coupon": true,
                    "kind": {"type": "percent_off_order", "bps": 1000}}),
        )
        .await
        .expect(StatusCode::CREATED, "a promotion with coupons");
    let coupons = format!("/api/v1/promotions/{}/coupons", id(&promotion));
    app.post(&coupons, Some(&admin), &json!({"code": "VERANO"})).await.expect(StatusCode::CREATED, "a coupon");
    let resp = app.post(&coupons, Some(&admin), &json!({"code": "verano"})).await;
    assert_names_field(&resp, StatusCode::CONFLICT, "code", "a coupon code in use");
    assert_eq!(resp.body["code"], "conflict");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_missing_reference_is_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let (burger, sushi) = (fx.m(0), fx.m(1));

    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "/api/v1/locations",
            json!({"merchant_id": "mer_nope", "site_id": fx.site_id, "name": "X", "pay_at_pickup": false}),
            "merchant_id",
        ),
        (
            "/api/v1/locations",
            json!({"merchant_id": burger.id, "site_id": "site_nope", "name": "X", "pay_at_pickup": false}),
            "site_id",
        ),
        ("/api/v1/products", product("mer_nope", "X-1"), "merchant_id"),
        (
            "/api/v1/users",
            json!({"email": "m@x.test", "password": "password-123", "role": "merchant_manager",
                   "merchant_id": "mer_nope"}),
            "merchant_id",
        ),
        (
            "/api/v1/users",
            json!({"email": "s@x.test", "password": "password-123", "role": "staff",
                   "merchant_id": burger.id, "location_id": sushi.location_id}),
            "location_id",
        ),
        (
            "/api/v1/price-lists",
            json!({"merchant_id": burger.id, "name": "Local", "location_id": "loc_nope",
                   "prices": [{"sku": BURGER, "price": money(9990)}]}),
            "location_id",
        ),
        (
            "/api/v1/promotions",
            json!({"merchant_id": null, "site_id": "site_nope", "name": "Del mall",
                   "kind": {"type": "percent_off_order", "bps": 500}}),
            "site_id",
        ),
        (
            "/api/v1/stock/transfers",
            json!({"sku": BURGER, "from_location_id": burger.location_id, "to_location_id": "loc_nope",
                   "quantity": 1}),
            "to_location_id",
        ),
    ];
    for (path, body, field) in cases {
        let resp = app.post(path, Some(&admin), &body).await;
        assert_names_field(&resp, StatusCode::UNPROCESSABLE_ENTITY, field, &format!("POST {path} {body}"));
    }
    app.stop().await;
}
