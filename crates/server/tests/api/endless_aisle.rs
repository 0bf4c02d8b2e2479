//! Endless aisle from the clerk's tablet (issue 17 point 7): the till at one store searches
//! the merchant's catalogue by name, SKU or barcode and sees what every location can
//! promise — its own store first, then the others with their names — and another merchant's
//! people cannot see the till at all. Then it sells what it lacks: for delivery (held at the
//! source, shipped step by step by the source's staff, delivered out of on-hand) or for pickup
//! here (transferred at once, received at the store, handed over at the till by its code),
//! paid at the tablet (cash, card, a gift card, store credit — a cancelled shipment gives the
//! credit back); bad input is refused with nothing recorded, and two tablets selling the last
//! unit at once sell it once.

use crate::common;

use common::{Body, TestApp, clp, id, money, qs, random_hex};
use omnicanal_domain::credit::GiftCardCode;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A retailer with two stores and a warehouse, a jacket in two sizes, a till at Las Condes
/// and the people who work there.
struct Aisle {
    merchant_id: String,
    providencia: String,
    las_condes: String,
    warehouse: String,
    device_id: String,
    session_id: String,
    staff: String,
    manager: String,
    admin: String,
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
    let device_id = id(&device);
    let session = app
        .post("/api/v1/pos/sessions", Some(&staff), &json!({"device_id": device_id, "opening_float": money(20_000)}))
        .await
        .expect(StatusCode::CREATED, "open the tablet's session");
    Aisle {
        merchant_id,
        providencia,
        las_condes,
        warehouse,
        device_id,
        session_id: id(&session),
        staff,
        manager,
        admin,
    }
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

fn cash(amount: i64, tendered: i64) -> Value {
    json!({"method": "cash", "amount": money(amount), "tendered": money(tendered)})
}

fn card(amount: i64) -> Value {
    json!({"method": "card", "amount": money(amount), "card_number": "4242424242424242"})
}

fn delivery() -> Value {
    json!({"kind": "delivery", "address": {"street": "Av. Apoquindo", "number": "4501", "district": "Las Condes",
           "reference": "depto 1203"}})
}

/// An aisle order's body: one line of `sku` from `source`.
fn aisle_body(shop: &Aisle, sku: &str, quantity: i64, source: &str, fulfilment: Value, payments: Value) -> Value {
    json!({
        "session_id": shop.session_id,
        "lines": [{"sku": sku, "quantity": quantity, "source_location_id": source}],
        "fulfilment": fulfilment,
        "customer": {"name": "Ana Rojas", "phone": "+56 9 8765 4321"},
        "payments": payments,
    })
}

fn aisle_path(shop: &Aisle) -> String {
    format!("/api/v1/pos/devices/{}/aisle-orders", shop.device_id)
}

async fn level(app: &TestApp, shop: &Aisle, at: &str, sku: &str) -> (i64, i64) {
    let level = app.stock_level(&shop.admin, at, sku).await;
    (level.on_hand, level.reserved)
}

async fn step(app: &TestApp, token: &str, shipment: &str, body: Value) -> common::Resp {
    app.post(&format!("/api/v1/shipments/{shipment}/steps"), Some(token), &body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivery_sold_on_the_tablet_is_held_at_the_source_then_shipped_and_delivered() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app, &format!("Andina {}", random_hex())).await;
    let body = aisle_body(&shop, "CHAQ-M", 1, &shop.warehouse, delivery(), json!([cash(89_990, 100_000)]));
    let sold = app.post(&aisle_path(&shop), Some(&shop.staff), &body).await.expect(StatusCode::CREATED, "sell");
    assert_eq!(sold["order"]["channel"], "tablet", "{sold}");
    assert_eq!(sold["order"]["total"], money(89_990), "the engine's price");
    assert_eq!(sold["order"]["fulfillments"][0]["location_id"], json!(shop.warehouse), "held at the source");
    assert_eq!((sold["fulfilment"].clone(), sold["change"].clone()), (json!("delivery"), money(10_010)));
    assert_eq!(sold["source_name"], "Bodega Quilicura");
    let shipment = sold["shipment"].clone();
    assert_eq!(
        (shipment["status"].clone(), shipment["recipient_name"].clone()),
        (json!("pending"), json!("Ana Rojas"))
    );
    assert_eq!(shipment["address"]["district"], "Las Condes");
    assert_eq!(level(&app, &shop, &shop.warehouse, "CHAQ-M").await, (7, 1), "one unit held at the warehouse");
    let report = app
        .get(&format!("/api/v1/pos/sessions/{}", shop.session_id), Some(&shop.staff))
        .await
        .expect(StatusCode::OK, "the session");
    assert_eq!(report["expected_cash"], money(20_000 + 89_990), "the cash kept is in the drawer");

    // The warehouse's people move it; the store's staff cannot see the warehouse's shipments.
    let shipment_id = id(&shipment);
    let list = format!("/api/v1/locations/{}/shipments?status=pending", shop.warehouse);
    let pending = app.get(&list, Some(&shop.manager)).await.expect(StatusCode::OK, "the warehouse's shipments");
    assert_eq!(pending["items"].as_array().map(Vec::len), Some(1), "{pending}");
    app.get(&list, Some(&shop.staff)).await.expect_problem(StatusCode::NOT_FOUND, "another location's staff");
    step(&app, &shop.staff, &shipment_id, json!({"to": "picked"}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not theirs");
    let manager = &shop.manager;
    let picked = step(&app, manager, &shipment_id, json!({"to": "picked"})).await.expect(StatusCode::OK, "picked");
    assert_eq!(picked["next"], json!(["packed", "cancelled"]));
    step(&app, manager, &shipment_id, json!({"to": "picked"})).await.expect_problem(StatusCode::CONFLICT, "twice");
    step(&app, manager, &shipment_id, json!({"to": "packed"})).await.expect(StatusCode::OK, "packed");
    let untracked = step(&app, manager, &shipment_id, json!({"to": "shipped"}))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "no tracking");
    assert_eq!(untracked["errors"][0]["field"], "tracking_reference", "{untracked}");
    let shipped = step(&app, manager, &shipment_id, json!({"to": "shipped", "tracking_reference": "CHX-2026/000123"}))
        .await
        .expect(StatusCode::OK, "shipped");
    assert_eq!(shipped["tracking_reference"], "CHX-2026/000123");
    step(&app, manager, &shipment_id, json!({"to": "cancelled"}))
        .await
        .expect_problem(StatusCode::CONFLICT, "gone already");
    step(&app, manager, &shipment_id, json!({"to": "flying"}))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "no such step");
    assert_eq!(level(&app, &shop, &shop.warehouse, "CHAQ-M").await, (7, 1), "still held while in transit");
    let delivered =
        step(&app, manager, &shipment_id, json!({"to": "delivered"})).await.expect(StatusCode::OK, "delivered");
    assert_eq!(delivered["next"], json!([]));
    assert_eq!(level(&app, &shop, &shop.warehouse, "CHAQ-M").await, (6, 0), "the held unit left on-hand");
    let order = app
        .get(&format!("/api/v1/aisle-orders/{}", id(&sold["order"])), Some(&shop.staff))
        .await
        .expect(StatusCode::OK, "the sale");
    assert_eq!(order["order"]["fulfillments"][0]["status"], "collected", "{order}");
    assert_eq!(order["shipment"]["status"], "delivered");
    let delivered_list = format!("/api/v1/locations/{}/shipments?status=delivered&limit=1", shop.warehouse);
    let done = app.get(&delivered_list, Some(&shop.manager)).await.expect(StatusCode::OK, "delivered ones");
    assert_eq!(done["items"][0]["id"], json!(shipment_id));
    let bad = format!("/api/v1/locations/{}/shipments?status=lost&limit=0", shop.warehouse);
    let refused = app.get(&bad, Some(&shop.manager)).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "bad list");
    assert_eq!(refused["errors"].as_array().map(Vec::len), Some(2), "{refused}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pickup_here_is_transferred_received_and_handed_over_at_the_till_by_its_code() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app, &format!("Andina {}", random_hex())).await;
    let body = aisle_body(&shop, "CHAQ-M", 1, &shop.providencia, json!({"kind": "pickup_here"}), json!([card(89_990)]));
    let sold = app.post(&aisle_path(&shop), Some(&shop.staff), &body).await.expect(StatusCode::CREATED, "sell");
    assert_eq!(sold["fulfilment"], "pickup_here", "{sold}");
    assert!(sold["promised_date"].as_str().is_some_and(|d| d.len() == 10), "a promised day: {sold}");
    assert_eq!(sold["payments"][0]["method"], "card");
    assert!(sold["payments"][0]["reference"].is_string(), "the terminal's reference is kept");
    assert_eq!(sold["transfer_ids"].as_array().map(Vec::len), Some(1));
    assert!(sold["shipment"].is_null());
    let part = sold["order"]["fulfillments"][0].clone();
    assert_eq!(part["location_id"], json!(shop.las_condes), "picked up here");
    let code = part["pickup_code"].as_str().unwrap_or_default().to_owned();
    assert_eq!(level(&app, &shop, &shop.providencia, "CHAQ-M").await, (2, 0), "the unit left Providencia");

    let order_id = id(&sold["order"]);
    let receive = format!("/api/v1/aisle-orders/{order_id}/receive");
    let received = app.post(&receive, Some(&shop.staff), &json!({})).await.expect(StatusCode::OK, "received");
    assert_eq!(received["received"], true);
    assert_eq!(received["order"]["fulfillments"][0]["status"], "ready", "{received}");
    app.post(&receive, Some(&shop.staff), &json!({})).await.expect_problem(StatusCode::CONFLICT, "received twice");
    assert_eq!(level(&app, &shop, &shop.las_condes, "CHAQ-M").await, (1, 1), "here, held for the customer");

    let found = app
        .get(&format!("/api/v1/pos/devices/{}/pickups?code={code}", shop.device_id), Some(&shop.staff))
        .await
        .expect(StatusCode::OK, "the code at the till");
    assert_eq!((found["status"].clone(), found["to_collect"].clone()), (json!("ready"), money(0)), "{found}");
    let collect = format!("/api/v1/pos/pickups/{}/collect", id(&part));
    app.post(&collect, Some(&shop.staff), &json!({"session_id": shop.session_id, "pickup_code": code}))
        .await
        .expect(StatusCode::OK, "handed over");
    assert_eq!(level(&app, &shop, &shop.las_condes, "CHAQ-M").await, (0, 0), "sold out of this store");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancelled_shipment_releases_the_units_and_refunds_card_and_cash() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app, &format!("Andina {}", random_hex())).await;
    let payments = json!([card(50_000), cash(39_990, 40_000)]);
    let body = aisle_body(&shop, "CHAQ-M", 1, &shop.warehouse, delivery(), payments);
    let sold = app.post(&aisle_path(&shop), Some(&shop.staff), &body).await.expect(StatusCode::CREATED, "sell");
    assert_eq!(sold["change"], money(10));
    let shipment_id = id(&sold["shipment"]);
    step(&app, &shop.manager, &shipment_id, json!({"to": "picked"})).await.expect(StatusCode::OK, "picked");
    step(&app, &shop.manager, &shipment_id, json!({"to": "cancelled"})).await.expect(StatusCode::OK, "cancelled");
    assert_eq!(level(&app, &shop, &shop.warehouse, "CHAQ-M").await, (7, 0), "released");
    let order_id = id(&sold["order"]);
    let order =
        app.get(&format!("/api/v1/aisle-orders/{order_id}"), Some(&shop.manager)).await.expect(StatusCode::OK, "read");
    assert_eq!(order["cash_refund_owed"], money(39_990), "{order}");
    assert_eq!(order["order"]["fulfillments"][0]["status"], "cancelled");
    let jobs = app
        .get(&format!("/api/v1/payment-jobs?order_id={order_id}"), Some(&shop.admin))
        .await
        .expect(StatusCode::OK, "payment jobs");
    let refunds: Vec<&Value> = jobs.as_array().into_iter().flatten().filter(|job| job["kind"] == "refund").collect();
    assert_eq!(refunds.len(), 1, "the card's refund is a job: {jobs}");
    assert_eq!(refunds[0]["amount"], money(50_000));
    assert_eq!(refunds[0]["payee"], "terminal", "the tablet's card goes back through the till's terminal");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_aisle_orders_are_refused_and_record_nothing() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app, &format!("Andina {}", random_hex())).await;
    let other = retailer(&app, &format!("Otra {}", random_hex())).await;
    let path = aisle_path(&shop);
    let pay = || json!([cash(89_990, 89_990)]);

    let unknown = aisle_body(&shop, "KAYAK-1", 1, &shop.warehouse, delivery(), pay());
    let refused = app
        .post(&path, Some(&shop.staff), &unknown)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown sku");
    assert_eq!(refused["code"], "unknown_sku", "{refused}");
    let foreign = aisle_body(&shop, "CHAQ-M", 1, &other.warehouse, delivery(), pay());
    app.post(&path, Some(&shop.staff), &foreign)
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's location");
    let too_many = aisle_body(&shop, "CHAQ-M", 8, &shop.warehouse, delivery(), json!([cash(8 * 89_990, 8 * 89_990)]));
    let short = app.post(&path, Some(&shop.staff), &too_many).await.expect_problem(StatusCode::CONFLICT, "short");
    assert_eq!((short["code"].clone(), short["sku"].clone()), (json!("insufficient_stock"), json!("CHAQ-M")));
    assert_eq!(short["location_id"], json!(shop.warehouse), "the source is named: {short}");
    let underpaid = aisle_body(&shop, "CHAQ-M", 1, &shop.warehouse, delivery(), json!([cash(1_000, 1_000)]));
    app.post(&path, Some(&shop.staff), &underpaid).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "underpaid");
    let declined = aisle_body(
        &shop,
        "CHAQ-M",
        1,
        &shop.warehouse,
        delivery(),
        json!([{"method": "card", "amount": money(89_990), "card_number": "4000000000000002"}]),
    );
    app.post(&path, Some(&shop.staff), &declined).await.expect_problem(StatusCode::PAYMENT_REQUIRED, "declined");
    let mut nobody = aisle_body(&shop, "CHAQ-M", 0, "", json!({"kind": "delivery"}), json!([]));
    nobody["customer"] = json!({"name": ""});
    let invalid = app
        .post(&path, Some(&shop.staff), &nobody)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "every field");
    let mut fields: Vec<&str> =
        invalid["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    fields.sort_unstable();
    for field in [
        "customer",
        "customer.name",
        "fulfilment.address",
        "lines[0].quantity",
        "lines[0].source_location_id",
        "payments",
    ] {
        assert!(fields.contains(&field), "{field} not in {fields:?}");
    }
    let body = aisle_body(&shop, "CHAQ-M", 1, &shop.warehouse, delivery(), pay());
    app.post(&path, Some(&other.staff), &body).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's till");
    assert_eq!(level(&app, &shop, &shop.warehouse, "CHAQ-M").await, (7, 0), "nothing held");
    let shipments = format!("/api/v1/locations/{}/shipments", shop.warehouse);
    let none = app.get(&shipments, Some(&shop.manager)).await.expect(StatusCode::OK, "no shipment");
    assert_eq!(none["items"], json!([]));
    step(&app, &shop.manager, "shp_unknown", json!({"to": "picked"}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "no such shipment");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_tablets_selling_the_last_unit_at_once_sell_it_once() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app, &format!("Andina {}", random_hex())).await;
    // Providencia keeps one unit of CHAQ-M after this sale leaves two of three.
    let first = aisle_body(&shop, "CHAQ-M", 2, &shop.providencia, delivery(), json!([cash(2 * 89_990, 2 * 89_990)]));
    app.post(&aisle_path(&shop), Some(&shop.staff), &first).await.expect(StatusCode::CREATED, "two of three");
    let last = aisle_body(&shop, "CHAQ-M", 1, &shop.providencia, delivery(), json!([cash(89_990, 89_990)]));
    let path = aisle_path(&shop);
    let (a, b) = tokio::join!(app.post(&path, Some(&shop.staff), &last), app.post(&path, Some(&shop.manager), &last));
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "exactly one sells the last unit");
    assert_eq!(level(&app, &shop, &shop.providencia, "CHAQ-M").await, (3, 3));
    app.stop().await;
}

fn gift_card(amount: i64, code: &str) -> Value {
    json!({"method": "gift_card", "amount": money(amount), "reference": code})
}

/// Issues a gift card of `amount` at the shop's merchant: its id and its code (shown once).
async fn issue_card(app: &TestApp, shop: &Aisle, amount: i64) -> (String, String) {
    let body = json!({"merchant_id": shop.merchant_id, "amount": money(amount)});
    let card = app.post("/api/v1/gift-cards", Some(&shop.manager), &body).await.expect(StatusCode::CREATED, "issue");
    (id(&card), card["code"].as_str().unwrap_or_default().to_owned())
}

async fn card_balance(app: &TestApp, shop: &Aisle, code: &str) -> i64 {
    let path = format!("/api/v1/gift-cards/balance?{}", qs(&[("merchant_id", &shop.merchant_id), ("code", code)]));
    clp(&app.get(&path, None).await.expect(StatusCode::OK, "the card's balance")["balance"])
}

async fn customer_balance(app: &TestApp, shop: &Aisle, customer: &str) -> i64 {
    let path = format!("/api/v1/store-credit?{}", qs(&[("merchant_id", &shop.merchant_id), ("customer", customer)]));
    clp(&app.get(&path, Some(&shop.staff)).await.expect(StatusCode::OK, "the customer's credit")["balance"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gift_card_and_cash_pay_an_aisle_order_and_a_cancelled_shipment_gives_the_card_back() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app, &format!("Andina {}", random_hex())).await;
    let (card_id, code) = issue_card(&app, &shop, 50_000).await;
    let payments = json!([gift_card(50_000, &code), cash(39_990, 40_000)]);
    let body = aisle_body(&shop, "CHAQ-M", 1, &shop.warehouse, delivery(), payments);
    let sold = app.post(&aisle_path(&shop), Some(&shop.staff), &body).await.expect(StatusCode::CREATED, "sell");
    assert_eq!(sold["change"], money(10), "{sold}");
    assert_eq!(
        (sold["payments"][0]["method"].clone(), sold["payments"][0]["reference"].clone()),
        (json!("gift_card"), json!(card_id)),
        "the card's id, never its code"
    );
    assert!(!sold.to_string().contains(&code[..14]), "no code in the answer");
    assert_eq!(card_balance(&app, &shop, &code).await, 0, "the card paid its whole balance");
    let session = format!("/api/v1/pos/sessions/{}", shop.session_id);
    let report = app.get(&session, Some(&shop.staff)).await.expect(StatusCode::OK, "the session");
    assert_eq!(report["expected_cash"], money(20_000 + 39_990), "only the cash is in the drawer");

    let shipment_id = id(&sold["shipment"]);
    step(&app, &shop.manager, &shipment_id, json!({"to": "cancelled"})).await.expect(StatusCode::OK, "cancelled");
    assert_eq!(card_balance(&app, &shop, &code).await, 50_000, "the card has its balance back");
    let order_id = id(&sold["order"]);
    let order =
        app.get(&format!("/api/v1/aisle-orders/{order_id}"), Some(&shop.manager)).await.expect(StatusCode::OK, "read");
    assert_eq!(order["cash_refund_owed"], money(39_990), "the cash is owed at the counter: {order}");
    let jobs = app
        .get(&format!("/api/v1/payment-jobs?order_id={order_id}"), Some(&shop.admin))
        .await
        .expect(StatusCode::OK, "payment jobs");
    assert!(jobs.as_array().into_iter().flatten().all(|job| job["kind"] != "refund"), "no card to refund: {jobs}");

    // Store credit: the order's customer (by phone) is the holder when the tender names none.
    let grant = json!({"merchant_id": shop.merchant_id, "customer": "+56987654321", "amount": money(10_000),
                       "reason": "cambio de talla"});
    app.post("/api/v1/store-credit", Some(&shop.manager), &grant).await.expect(StatusCode::CREATED, "grant");
    let payments = json!([{"method": "store_credit", "amount": money(10_000)}, cash(79_990, 79_990)]);
    let body = aisle_body(&shop, "CHAQ-M", 1, &shop.warehouse, delivery(), payments);
    app.post(&aisle_path(&shop), Some(&shop.staff), &body).await.expect(StatusCode::CREATED, "paid with credit");
    assert_eq!(customer_balance(&app, &shop, "+56987654321").await, 0, "the customer's credit was spent");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gift_card_short_of_its_tender_or_mistyped_is_refused_and_records_nothing() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app, &format!("Andina {}", random_hex())).await;
    let (_, code) = issue_card(&app, &shop, 20_000).await;
    let path = aisle_path(&shop);
    let sell = |payments: Value| aisle_body(&shop, "CHAQ-M", 1, &shop.warehouse, delivery(), payments);

    let short = sell(json!([card(49_990), gift_card(40_000, &code)]));
    let refused =
        app.post(&path, Some(&shop.staff), &short).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "short");
    assert_eq!(refused["code"], "insufficient_credit", "{refused}");
    assert_eq!(card_balance(&app, &shop, &code).await, 20_000, "nothing spent");

    let mut typo = code.clone().into_bytes();
    typo[0] = if typo[0] == b'A' { b'B' } else { b'A' };
    let typo = String::from_utf8(typo).unwrap_or_default();
    let mistyped = app
        .post(&path, Some(&shop.staff), &sell(json!([gift_card(89_990, &typo)])))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a typo");
    assert_eq!(mistyped["errors"][0]["field"], "payments[0].reference", "{mistyped}");
    let unknown = GiftCardCode::from_random([7; 15]).grouped();
    app.post(&path, Some(&shop.staff), &sell(json!([gift_card(89_990, &unknown)])))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "no such card");
    let nameless = sell(json!([{"method": "gift_card", "amount": money(89_990)}]));
    let nameless =
        app.post(&path, Some(&shop.staff), &nameless).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "no code");
    assert_eq!(nameless["errors"][0]["field"], "payments[0].reference", "{nameless}");
    let no_credit = sell(json!([{"method": "store_credit", "amount": money(89_990)}]));
    let no_credit = app
        .post(&path, Some(&shop.staff), &no_credit)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a customer without credit");
    assert_eq!(no_credit["code"], "insufficient_credit", "{no_credit}");

    assert_eq!(level(&app, &shop, &shop.warehouse, "CHAQ-M").await, (7, 0), "nothing held");
    let shipments = format!("/api/v1/locations/{}/shipments", shop.warehouse);
    let none = app.get(&shipments, Some(&shop.manager)).await.expect(StatusCode::OK, "no shipment");
    assert_eq!(none["items"], json!([]));
    let report = app
        .get(&format!("/api/v1/pos/sessions/{}", shop.session_id), Some(&shop.staff))
        .await
        .expect(StatusCode::OK, "the session");
    assert_eq!(report["expected_cash"], money(20_000), "no cash taken");
    app.stop().await;
}
