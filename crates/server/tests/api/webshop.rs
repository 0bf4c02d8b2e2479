//! The merchant's web shop and its retail catalogue (issue 17 points 1 and 2): products with
//! options and a variant per combination (bad combinations are 422s naming each field),
//! stores and a warehouse that sells only online, the shop's catalogue with filters by option
//! and availability, a product's units per store, a pickup order that reserves units at the
//! chosen store, a delivery from the warehouse, and an unknown shop as a 404.

use crate::common;

use common::{Body, TestApp, assert_problem, assert_validation_problem, id, money};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A retailer with two stores at two sites and a warehouse, a t-shirt in size × colour and a
/// backpack without options.
struct Retailer {
    merchant_id: String,
    providencia: String,
    las_condes: String,
    warehouse: String,
    polera: String,
    mochila: String,
}

fn variant(sku: &str, size: &str, colour: &str) -> Value {
    json!({"sku": sku, "price": money(14_990), "barcode": "780123450002", "attributes": {"Talla": size, "Color": colour}})
}

async fn site(app: &TestApp, admin: &str, name: &str) -> String {
    let body = json!({"name": name, "country": "CL", "currency": "CLP", "timezone": "America/Santiago"});
    id(&app.post("/api/v1/sites", Some(admin), &body).await.expect(StatusCode::CREATED, "site"))
}

async fn location(app: &TestApp, admin: &str, merchant_id: &str, site_id: &str, name: &str) -> String {
    let body = json!({"merchant_id": merchant_id, "site_id": site_id, "name": name, "pay_at_pickup": true});
    id(&app.post("/api/v1/locations", Some(admin), &body).await.expect(StatusCode::CREATED, name))
}

async fn retailer(app: &TestApp) -> Retailer {
    let admin = app.admin_token().await;
    let providencia_site = site(app, &admin, "Providencia").await;
    let las_condes_site = site(app, &admin, "Las Condes").await;
    let merchant = app
        .post(
            "/api/v1/merchants",
            Some(&admin),
            &json!({"name": "Andina Outdoor", "kind": "retail", "commission_bps": 0}),
        )
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
    let polera = app
        .post(
            "/api/v1/products",
            Some(&admin),
            &json!({
                "merchant_id": merchant_id, "name": "Polera técnica", "track_stock": true, "category": "Vestuario",
                "options": [{"name": "Talla", "values": ["S", "M"]}, {"name": "Color", "values": ["Azul", "Rojo"]}],
                "variants": [variant("POL-S-AZ", "S", "Azul"), variant("POL-M-AZ", "M", "Azul"),
                             variant("POL-S-RO", "S", "Rojo"), variant("POL-M-RO", "M", "Rojo")],
            }),
        )
        .await
        .expect(StatusCode::CREATED, "product with options");
    let mochila = app
        .post(
            "/api/v1/products",
            Some(&admin),
            &json!({"merchant_id": merchant_id, "name": "Mochila 28 L", "track_stock": true, "category": "Equipo",
                    "variants": [{"sku": "MOCH-28", "price": money(39_990)}]}),
        )
        .await
        .expect(StatusCode::CREATED, "product without options");
    for (at, sku, units) in [
        (&providencia, "POL-M-AZ", 2),
        (&las_condes, "POL-M-AZ", 5),
        (&warehouse, "POL-S-AZ", 3),
        (&providencia, "MOCH-28", 4),
    ] {
        app.add_stock(&admin, at, sku, units).await.expect(StatusCode::CREATED, "stock");
    }
    Retailer { merchant_id, providencia, las_condes, warehouse, polera: id(&polera), mochila: id(&mochila) }
}

fn names(catalogue: &Value) -> Vec<String> {
    catalogue["products"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect()
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect()
}

async fn catalogue(app: &TestApp, query: &str) -> Value {
    app.get(&format!("/api/v1/shops/andina-outdoor/products{query}"), None).await.expect(StatusCode::OK, query)
}

fn units_at(product: &Value, sku: &str, location_id: &str) -> Option<i64> {
    let variant = product["variants"].as_array()?.iter().find(|v| v["sku"] == sku)?;
    variant["stores"].as_array()?.iter().find(|s| s["location_id"] == location_id)?["units"].as_i64()
}

fn order_body(fulfilment: Value, sku: &str, quantity: i64, payment: Value) -> Value {
    let mut body = json!({
        "lines": [{"sku": sku, "quantity": quantity}],
        "customer": {"name": "Ana Pérez", "email": "ana@example.cl"},
        "payment": payment,
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), fulfilment.as_object()) {
        body.extend(extra.clone());
    }
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_catalogue_filters_by_option_availability_and_text() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app).await;

    let all = catalogue(&app, "").await;
    assert_eq!(names(&all), ["Mochila 28 L", "Polera técnica"]);
    assert_eq!(all["shop"]["slug"], "andina-outdoor");
    assert_eq!(all["facets"][0], json!({"name": "Talla", "values": ["S", "M"]}));
    let kinds: Vec<&str> =
        all["shop"]["locations"].as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["store", "store", "warehouse"], "stores first, then the warehouse");

    assert_eq!(names(&catalogue(&app, "?Talla=M").await), ["Polera técnica"], "only products offering M");
    assert_eq!(names(&catalogue(&app, &format!("?pickup={}", shop.las_condes)).await), ["Polera técnica"]);
    let small_in_providencia = catalogue(&app, &format!("?Talla=S&pickup={}", shop.providencia)).await;
    assert_eq!(small_in_providencia["total"], 0, "S is only in the warehouse: {small_in_providencia}");
    assert_eq!(names(&catalogue(&app, "?Talla=S&delivery=1").await), ["Polera técnica"], "the warehouse delivers S");
    assert_eq!(names(&catalogue(&app, "?q=MOCHILA").await), ["Mochila 28 L"]);
    assert_eq!(names(&catalogue(&app, "?Color=Verde").await), Vec::<String>::new());
    // By merchant id too.
    app.get(&format!("/api/v1/shops/{}/products", shop.merchant_id), None).await.expect(StatusCode::OK, "by id");

    let bad = app.get("/api/v1/shops/andina-outdoor/products?page=0", None).await;
    assert_validation_problem(&bad, "page 0");
    assert_eq!(fields(&bad.body), ["page"]);
    let warehouse_pickup =
        app.get(&format!("/api/v1/shops/andina-outdoor/products?pickup={}", shop.warehouse), None).await;
    assert_validation_problem(&warehouse_pickup, "a warehouse is no pickup point");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_product_says_how_many_are_left_in_each_store_and_prices_through_the_engine() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app).await;
    let product = app
        .get(&format!("/api/v1/shops/andina-outdoor/products/{}", shop.polera), None)
        .await
        .expect(StatusCode::OK, "product page");
    assert_eq!(product["options"][1], json!({"name": "Color", "values": ["Azul", "Rojo"]}));
    assert_eq!(units_at(&product, "POL-M-AZ", &shop.providencia), Some(2));
    assert_eq!(units_at(&product, "POL-M-AZ", &shop.las_condes), Some(5));
    assert_eq!(units_at(&product, "POL-M-AZ", &shop.warehouse), None, "a warehouse is not listed as a store");
    let small = product["variants"].as_array().unwrap().iter().find(|v| v["sku"] == "POL-S-AZ").unwrap().clone();
    assert_eq!(small["delivery_units"], 3, "the warehouse delivers what no store has");
    assert_eq!(small["attributes"], json!({"Color": "Azul", "Talla": "S"}));
    assert_eq!(small["price"], money(14_990));

    // Another merchant's product, or an unknown shop, is not found.
    let admin = app.admin_token().await;
    let other = app
        .post("/api/v1/merchants", Some(&admin), &json!({"name": "Otra Tienda", "kind": "retail", "commission_bps": 0}))
        .await
        .expect(StatusCode::CREATED, "another merchant");
    let other_site = site(&app, &admin, "Ñuñoa").await;
    location(&app, &admin, &id(&other), &other_site, "Otra Ñuñoa").await;
    let crossed = app.get(&format!("/api/v1/shops/otra-tienda/products/{}", shop.polera), None).await;
    assert_problem(&crossed, StatusCode::NOT_FOUND, "another shop's product");
    assert_problem(&app.get("/api/v1/shops/no-such-shop/products", None).await, StatusCode::NOT_FOUND, "unknown shop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pickup_order_reserves_its_units_at_the_chosen_store() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app).await;
    let path = "/api/v1/shops/andina-outdoor/orders";

    let options = app
        .post(
            "/api/v1/shops/andina-outdoor/fulfilment-options",
            None,
            &json!({"lines": [{"sku": "POL-M-AZ", "quantity": 3}]}),
        )
        .await
        .expect(StatusCode::OK, "where 3 can be had");
    let offered: Vec<&str> = options["pickup"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(offered, [shop.las_condes.as_str()], "only the store that holds 3");

    let card = json!({"method": "card", "card_number": "4242424242424242"});
    let pickup = json!({"fulfilment": "pickup", "location_id": shop.las_condes});
    let placed = app
        .post_idem(path, None, &order_body(pickup, "POL-M-AZ", 2, card.clone()), "shop-order-1")
        .await
        .expect(StatusCode::CREATED, "pickup order");
    assert_eq!(placed["channel"], "web");
    assert!(placed["tracking_token"].is_string());
    let part = &placed["fulfillments"][0];
    assert_eq!(part["location_id"], shop.las_condes.as_str());
    assert!(part["pickup_code"].is_string(), "{placed}");

    let product = app
        .get(&format!("/api/v1/shops/andina-outdoor/products/{}", shop.polera), None)
        .await
        .expect(StatusCode::OK, "after");
    assert_eq!(units_at(&product, "POL-M-AZ", &shop.las_condes), Some(3), "two held at Las Condes");
    assert_eq!(units_at(&product, "POL-M-AZ", &shop.providencia), Some(2), "Providencia untouched");

    // More than the store can promise: 409 with the SKU, nothing reserved.
    let short = app
        .post(
            path,
            None,
            &order_body(json!({"fulfilment": "pickup", "location_id": shop.providencia}), "POL-M-AZ", 3, card.clone()),
        )
        .await;
    assert_problem(&short, StatusCode::CONFLICT, "short at Providencia");
    assert_eq!(short.body["sku"], "POL-M-AZ");
    // A warehouse is never a pickup point; a missing store and a blank name are named.
    let at_warehouse = app
        .post(
            path,
            None,
            &order_body(json!({"fulfilment": "pickup", "location_id": shop.warehouse}), "POL-S-AZ", 1, card.clone()),
        )
        .await;
    assert_validation_problem(&at_warehouse, "pickup at the warehouse");
    assert_eq!(fields(&at_warehouse.body), ["location_id"]);
    let mut nameless = order_body(json!({"fulfilment": "pickup"}), "POL-M-AZ", 1, card);
    nameless["customer"]["name"] = json!(" ");
    let nameless = app.post(path, None, &nameless).await;
    assert_validation_problem(&nameless, "no store, no name");
    assert_eq!(fields(&nameless.body), ["location_id", "customer.name"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivery_order_comes_from_the_warehouse() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app).await;
    let path = "/api/v1/shops/andina-outdoor/orders";
    let address = json!({"fulfilment": "delivery", "delivery_address": {"street": "Av. Providencia", "number": "1234", "district": "Providencia"}});
    let placed = app
        .post(path, None, &order_body(address, "POL-S-AZ", 1, json!({"method": "pay_at_pickup"})))
        .await
        .expect(StatusCode::CREATED, "delivery order");
    assert_eq!(placed["fulfillments"][0]["location_id"], shop.warehouse.as_str());
    let admin = app.admin_token().await;
    assert_eq!(app.stock_level(&admin, &shop.warehouse, "POL-S-AZ").await.reserved, 1);

    let no_address = app
        .post(
            path,
            None,
            &order_body(json!({"fulfilment": "delivery"}), "POL-S-AZ", 1, json!({"method": "pay_at_pickup"})),
        )
        .await;
    assert_validation_problem(&no_address, "a delivery needs an address");
    assert_eq!(fields(&no_address.body), ["delivery_address"]);
    let unknown = app.post(path, None, &order_body(json!({"fulfilment": "delivery", "delivery_address": {"street": "Av. Providencia", "number": "1234", "district": "Providencia"}}), "NOPE", 1, json!({"method": "pay_at_pickup"}))).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unknown.body);
    let _ = shop.mochila;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn options_refuse_bad_combinations_naming_each_field() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app).await;
    let admin = app.admin_token().await;
    let refused = app
        .post(
            "/api/v1/products",
            Some(&admin),
            &json!({
                "merchant_id": shop.merchant_id, "name": "Chaqueta", "track_stock": true,
                "options": [{"name": "Talla", "values": ["S", "M"]}, {"name": "Color", "values": ["Azul", "Azul"]}],
                "variants": [variant("CHA-S", "S", "Azul"), variant("CHA-S2", "S", "Azul"), variant("CHA-XL", "XL", "Azul")],
            }),
        )
        .await;
    assert_validation_problem(&refused, "bad options");
    assert_eq!(fields(&refused.body), ["options[1].values[1]"]);
    let refused = app
        .post(
            "/api/v1/products",
            Some(&admin),
            &json!({
                "merchant_id": shop.merchant_id, "name": "Chaqueta", "track_stock": true,
                "options": [{"name": "Talla", "values": ["S", "M"]}, {"name": "Color", "values": ["Azul"]}],
                "variants": [variant("CHA-S", "S", "Azul"), variant("CHA-S2", "S", "Azul"), variant("CHA-XL", "XL", "Azul"),
                             {"sku": "CHA-NONE", "price": money(1)}],
            }),
        )
        .await;
    assert_validation_problem(&refused, "bad combinations");
    assert_eq!(
        fields(&refused.body),
        [
            "variants[1].attributes",
            "variants[2].attributes.Talla",
            "variants[3].attributes.Talla",
            "variants[3].attributes.Color"
        ]
    );
    // Nothing was created: the SKUs are still free.
    let again = app
        .post(
            "/api/v1/products",
            Some(&admin),
            &json!({"merchant_id": shop.merchant_id, "name": "Chaqueta", "track_stock": true,
                    "options": [{"name": "Talla", "values": ["S"]}], "variants": [variant("CHA-S", "S", "Azul")]}),
        )
        .await;
    again.expect(StatusCode::CREATED, "the same SKU once the combinations are right");

    // A location's kind: a word it knows, and only for the merchant's own manager or an admin.
    let kind_path = format!("/api/v1/locations/{}/kind", shop.providencia);
    let bad = app.send(Method::PUT, &kind_path, Some(&admin), Body::Json(json!({"kind": "depot"})), &[]).await;
    assert_validation_problem(&bad, "unknown kind");
    let missing = app
        .send(Method::PUT, "/api/v1/locations/loc_nope/kind", Some(&admin), Body::Json(json!({"kind": "store"})), &[])
        .await;
    assert_problem(&missing, StatusCode::NOT_FOUND, "unknown location");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_shop_pages_render_filters_stock_and_a_helpful_empty_state() {
    let app = TestApp::spawn().await;
    let shop = retailer(&app).await;
    let page = app.get("/shop/andina-outdoor", None).await.expect(StatusCode::OK, "catalogue page");
    let html = page.as_str().unwrap_or_default();
    assert!(html.contains("Polera técnica") && html.contains("Mochila 28 L"), "{html}");
    assert!(html.contains("Disponible para retiro en Andina Providencia"), "the availability filter");
    let empty = app
        .get(&format!("/shop/andina-outdoor?Talla=S&where=pickup%3A{}", shop.providencia), None)
        .await
        .expect(StatusCode::OK, "empty catalogue page");
    assert!(empty.as_str().unwrap_or_default().contains("data-testid=\"shop-empty\""), "{empty}");
    let product =
        app.get(&format!("/shop/andina-outdoor/p/{}", shop.polera), None).await.expect(StatusCode::OK, "product page");
    let html = product.as_str().unwrap_or_default();
    assert!(html.contains("Quedan 5 en Andina Las Condes, 2 en Andina Providencia."), "{html}");
    let english = app
        .send(
            Method::GET,
            &format!("/shop/andina-outdoor/p/{}", shop.polera),
            None,
            Body::None,
            &[("accept-language", "en")],
        )
        .await
        .expect(StatusCode::OK, "product page in English");
    assert!(
        english.as_str().unwrap_or_default().contains("Left: 5 at Andina Las Condes, 2 at Andina Providencia."),
        "{english}"
    );
    app.get("/shop/andina-outdoor/cart", None).await.expect(StatusCode::OK, "cart page");
    let missing = app.get("/shop/no-such-shop", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.as_str().unwrap_or_default().contains("missing-text"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fulfilment_options_name_every_bad_line() {
    let app = TestApp::spawn().await;
    retailer(&app).await;
    let path = "/api/v1/shops/andina-outdoor/fulfilment-options";
    let bad = app
        .post(path, None, &json!({"lines": [{"sku": "a b", "quantity": 0}, {"sku": "POL-M-AZ", "quantity": 1}]}))
        .await;
    assert_validation_problem(&bad, "bad lines");
    assert_eq!(fields(&bad.body), ["lines[0].sku", "lines[0].quantity"]);
    assert_validation_problem(&app.post(path, None, &json!({"lines": []})).await, "no lines");
    let options = app
        .post(path, None, &json!({"lines": [{"sku": "POL-S-AZ", "quantity": 1}]}))
        .await
        .expect(StatusCode::OK, "S is only in the warehouse");
    assert_eq!(options["pickup"], json!([]), "no store offers it for pickup");
    assert_eq!(options["delivery"], true);
}
