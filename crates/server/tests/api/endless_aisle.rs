//! Endless aisle from the clerk's tablet (issue 17 point 7): the till at one store searches
//! the merchant's catalogue by name, SKU or barcode and sees what every location can
//! promise — its own store first, then the others with their names — and another merchant's
//! people cannot see the till at all.

use crate::common;

use common::{Body, TestApp, id, money, random_hex};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A retailer with two stores and a warehouse, a jacket in two sizes, a till at Las Condes
/// and the people who work there.
struct Aisle {
    providencia: String,
    las_condes: String,
    warehouse: String,
    device_id: String,
    staff: String,
    manager: String,
}

async fn site(app: &TestApp, admin: &str, name: &str) -> String {
    let body = json!({"name": name, "country": "CL", "currency": "CLP", "timezone": "America/Santiago"});
    id(&app.post("/api/v1/sites", Some(admin), &body).await.expect(StatusCode::CREATED, "site"))
}

async fn location(app: &TestApp, admin: &str, merchant_id: &str, site_id: &str, name: &str) -> String {
    let body = json!({"merchant_id": merchant_id, "site_id": site_id, "name": name, "pay_at_pickup": true});
    id(&app.post("/api/v1/locations", Some(admin), &body).await.expect(StatusCode::CREATED, name))
}

async fn user(app: &TestApp, admin: &str, role: &str, merchant_id: &str, location_id: Option<&str>) -> String {
    let email = format!("{role}.{}@andina.test", random_hex());
    let password = "una-clave-larga-2026";
    let mut body = json!({"email": email, "password": password, "role": role, "merchant_id": merchant_id});
    if let Some(location_id) = location_id {
        body["location_id"] = json!(location_id);
    }
    app.post("/api/v1/users", Some(admin), &body).await.expect(StatusCode::CREATED, role);
    app.login(&email, password).await
}

async fn retailer(app: &TestApp, name: &str) -> Aisle {
    let admin = app.admin_token().await;
    let providencia_site = site(app, &admin, "Providencia").await;
    let las_condes_site = site(app, &admin, "Las Condes").await;
    let merchant = app
        .post("/api/v1/merchants", Some(&admin), &json!({"name": name, "kind": "retail", "commission_bps": 0}))
        .await
        .expect(StatusCode::CREATED, "merchant");
    let merchant_id = id(&merchant);
    let providencia = location(app, &admin, &merchant_id, &providencia_site, "Andina Providencia").await;
    let las_condes = location(app, &admin, &merchant_id, &las_condes_site, "Andina Las Condes").await;
    let warehouse = location(app, &admin, &merchant_id, &las_condes_site, "Bodega Quilicura").await;
    app.send(
        Method::PUT,
        &format!("/api/v1/locations/{warehouse}/kind"),
        Some(&admin),
        Body::Json(json!({"kind": "warehouse"})),
        &[],
    )
    .await
    .expect(StatusCode::OK, "make the warehouse one");
    app.post(
        "/api/v1/products",
        Some(&admin),
        &json!({
            "merchant_id": merchant_id, "name": "Chaqueta impermeable", "track_stock": true,
            "options": [{"name": "Talla", "values": ["M", "L"]}],
            "variants": [
                {"sku": "CHAQ-M", "price": money(89_990), "barcode": "7801234599001", "attributes": {"Talla": "M"}},
                {"sku": "CHAQ-L", "price": money(89_990), "barcode": "7801234599002", "attributes": {"Talla": "L"}},
            ],
        }),
    )
    .await
    .expect(StatusCode::CREATED, "jacket");
    app.post(
        "/api/v1/products",
        Some(&admin),
        &json!({"merchant_id": merchant_id, "name": "Mochila 28 L", "track_stock": true,
                "variants": [{"sku": "MOCH-28", "price": money(39_990)}]}),
    )
    .await
    .expect(StatusCode::CREATED, "backpack");
    for (at, sku, units) in [(&providencia, "CHAQ-M", 3), (&warehouse, "CHAQ-M", 7), (&las_condes, "MOCH-28", 2)] {
        app.add_stock(&admin, at, sku, units).await.expect(StatusCode::CREATED, "stock");
    }
    let manager = user(app, &admin, "merchant_manager", &merchant_id, None).await;
    let staff = user(app, &admin, "staff", &merchant_id, Some(&las_condes)).await;
    let device = app
        .post("/api/v1/pos/devices", Some(&manager), &json!({"location_id": las_condes, "name": "Tablet 1"}))
        .await
        .expect(StatusCode::CREATED, "register the tablet");
    Aisle { providencia, las_condes, warehouse, device_id: id(&device), staff, manager }
}

fn skus(page: &Value) -> Vec<String> {
    page["items"].as_array().into_iter().flatten().filter_map(|i| i["sku"].as_str().map(str::to_owned)).collect()
}

fn item<'a>(page: &'a Value, sku: &str) -> &'a Value {
    page["items"].as_array().and_then(|items| items.iter().find(|i| i["sku"] == sku)).unwrap_or(&Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_tablet_sees_every_locations_promise_this_store_first() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app, &format!("Andina {}", random_hex())).await;
    let path = |q: &str| format!("/api/v1/pos/devices/{}/aisle?q={q}", shop.device_id);

    let found = app.get(&path("chaqueta"), Some(&shop.staff)).await.expect(StatusCode::OK, "search by name");
    assert_eq!(skus(&found), ["CHAQ-L", "CHAQ-M"], "by name, then SKU: {found}");
    assert_eq!(found["total"], 2);
    assert_eq!(found["location_id"], json!(shop.las_condes));
    let jacket = item(&found, "CHAQ-M");
    assert_eq!(jacket["price"], money(89_990));
    assert_eq!(jacket["attributes"], json!({"Talla": "M"}));
    let locations = jacket["locations"].as_array().cloned().unwrap_or_default();
    let listed: Vec<(&str, i64, bool)> = locations
        .iter()
        .map(|l| (l["location_id"].as_str().unwrap_or_default(), l["units"].as_i64().unwrap_or(-1), l["here"] == true))
        .collect();
    assert_eq!(
        listed,
        [
            (shop.las_condes.as_str(), 0, true),
            (shop.providencia.as_str(), 3, false),
            (shop.warehouse.as_str(), 7, false),
        ],
        "this store first (it has none), then the other store, then the warehouse: {found}"
    );
    assert_eq!(locations[1]["name"], "Andina Providencia");
    assert_eq!(locations[1]["site_name"], "Providencia");
    assert_eq!(locations[2]["kind"], "warehouse");

    let by_sku = app.get(&path("moch-28"), Some(&shop.manager)).await.expect(StatusCode::OK, "search by SKU");
    assert_eq!(skus(&by_sku), ["MOCH-28"]);
    assert_eq!(item(&by_sku, "MOCH-28")["locations"][0]["units"], 2, "this store has two");
    let by_barcode = app.get(&path("7801234599002"), Some(&shop.staff)).await.expect(StatusCode::OK, "by barcode");
    assert_eq!(skus(&by_barcode), ["CHAQ-L"]);
    let nothing = app.get(&path("kayak"), Some(&shop.staff)).await.expect(StatusCode::OK, "no match");
    assert_eq!(nothing["total"], 0);

    let all = format!("/api/v1/pos/devices/{}/aisle?limit=1&offset=1", shop.device_id);
    let second = app.get(&all, Some(&shop.staff)).await.expect(StatusCode::OK, "second page");
    assert_eq!(second["total"], 3);
    assert_eq!(second["items"].as_array().map(Vec::len), Some(1));
    let bad = format!("/api/v1/pos/devices/{}/aisle?limit=0&q={}", shop.device_id, "x".repeat(101));
    let refused = app.get(&bad, Some(&shop.staff)).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "bad query");
    let mut fields: Vec<&str> =
        refused["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["limit", "q"], "every bad field named: {refused}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_merchants_till_is_not_found() {
    let app = TestApp::spawn().await;
    let one = retailer(&app, &format!("Andina {}", random_hex())).await;
    let other = retailer(&app, &format!("Otra {}", random_hex())).await;
    let path = format!("/api/v1/pos/devices/{}/aisle?q=chaqueta", one.device_id);
    app.get(&path, Some(&other.staff)).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's staff");
    app.get(&path, Some(&other.manager)).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's manager");
    app.get(&path, None).await.expect_problem(StatusCode::UNAUTHORIZED, "no sign-in");
    let unknown = "/api/v1/pos/devices/dev_unknown/aisle";
    app.get(unknown, Some(&one.manager)).await.expect_problem(StatusCode::NOT_FOUND, "no such till");
    app.stop().await;
}
