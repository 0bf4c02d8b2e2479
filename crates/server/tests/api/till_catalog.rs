//! The till's snapshot (`GET /api/v1/pos/catalog`, issue 14): what a till keeps to price
//! offline — its location's variants with barcode, base price and tax, and the promotions in
//! the pricing engine's own shape — for the location's staff and its merchant's managers only.

use crate::common;

use common::{TestApp, random_hex};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Shop {
    location_id: String,
    manager: String,
    staff: String,
}

async fn shop(app: &TestApp, site_id: &str) -> Shop {
    let admin = app.admin_token().await;
    let merchant = app
        .post(
            "/api/v1/merchants",
            Some(&admin),
            &json!({"name": format!("Tienda {}", random_hex()), "kind": "retail", "commission_bps": 0}),
        )
        .await
        .expect(StatusCode::CREATED, "merchant");
    let merchant_id = merchant["id"].as_str().unwrap_or_default().to_owned();
    let location = app
        .post(
            "/api/v1/locations",
            Some(&admin),
            &json!({"merchant_id": merchant_id, "site_id": site_id, "name": "Centro", "pay_at_pickup": false}),
        )
        .await
        .expect(StatusCode::CREATED, "location");
    let location_id = location["id"].as_str().unwrap_or_default().to_owned();
    let password = "una-clave-larga-2026";
    let manager_email = format!("jefa.{}@tienda.test", random_hex());
    let staff_email = format!("caja.{}@tienda.test", random_hex());
    app.post(
        "/api/v1/users",
        Some(&admin),
        &json!({"email": manager_email, "password": password, "role": "merchant_manager", "merchant_id": merchant_id}),
    )
    .await
    .expect(StatusCode::CREATED, "manager");
    app.post(
        "/api/v1/users",
        Some(&admin),
        &json!({"email": staff_email, "password": password, "role": "staff", "merchant_id": merchant_id, "location_id": location_id}),
    )
    .await
    .expect(StatusCode::CREATED, "staff");
    let manager = app.login(&manager_email, password).await;
    app.post(
        "/api/v1/products",
        Some(&manager),
        &json!({"merchant_id": merchant_id, "name": "Cuaderno", "track_stock": true,
            "variants": [{"sku": "CUAD-1", "price": {"amount": 2990, "currency": "CLP"}, "barcode": "7801234500011"}]}),
    )
    .await
    .expect(StatusCode::CREATED, "product");
    app.post(
        "/api/v1/promotions",
        Some(&manager),
        &json!({"merchant_id": merchant_id, "name": "Cuadernos 10%", "kind": {"type": "percent_off_lines", "bps": 1000, "skus": ["CUAD-1"]}}),
    )
    .await
    .expect(StatusCode::CREATED, "promotion");
    let staff = app.login(&staff_email, password).await;
    Shop { location_id, manager, staff }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_till_snapshot_carries_what_the_engine_prices_with_for_its_own_people_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let site = app
        .post(
            "/api/v1/sites",
            Some(&admin),
            &json!({"name": "Mall", "country": "CL", "currency": "CLP", "timezone": "America/Santiago"}),
        )
        .await
        .expect(StatusCode::CREATED, "site");
    let site_id = site["id"].as_str().unwrap_or_default().to_owned();
    let one = shop(&app, &site_id).await;
    let other = shop(&app, &site_id).await;
    let path = format!("/api/v1/pos/catalog?location_id={}", one.location_id);

    for token in [&one.manager, &one.staff] {
        let snapshot: Value = app.get(&path, Some(token)).await.expect(StatusCode::OK, "the till's snapshot");
        assert_eq!(snapshot["currency"], "CLP");
        assert_eq!(snapshot["channel"], "pos");
        assert_eq!(snapshot["timezone"], "America/Santiago");
        let item = &snapshot["items"][0];
        assert_eq!(item["sku"], "CUAD-1");
        assert_eq!(item["barcode"], "7801234500011");
        assert_eq!(item["base_price"], json!({"amount": 2990, "currency": "CLP"}));
        assert_eq!(item["tax"], json!({"code": "IVA", "rate_bps": 1900}));
        let promotions = snapshot["promotions"].as_array().cloned().unwrap_or_default();
        assert_eq!(promotions.len(), 1, "{snapshot}");
        assert_eq!(promotions[0]["kind"]["type"], "percent_off_lines");
    }

    app.get(&path, Some(&other.staff)).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's staff");
    app.get(&path, Some(&other.manager)).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's manager");
    app.get(&path, None).await.expect_problem(StatusCode::UNAUTHORIZED, "no sign-in");
    let unknown = "/api/v1/pos/catalog?location_id=loc_unknown";
    app.get(unknown, Some(&one.manager)).await.expect_problem(StatusCode::NOT_FOUND, "no such location");
    app.stop().await;
}
