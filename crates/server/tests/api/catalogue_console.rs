//! The retail catalogue as the console edits it, and the web shop's limits (issue 17 points 1
//! and 2): a product's variant grid saved whole through the API the console page uses (each
//! bad cell named, switched-off variants gone from the shop, a variant's gallery photo shown
//! there), a merchant's chosen shop address (unique, the old address still working), and a
//! store closed now offered for pickup at its next opening.

use std::io::Cursor;
use std::sync::Arc;

use crate::common;
use crate::console_pages::Browser;

use common::fixture::Fixture;
use common::{Body, TestApp, money};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use omnicanal_app::ManualClock;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn fields(body: &Value) -> Vec<String> {
    body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect()
}

fn row(sku: &str, price: i64, size: &str, colour: &str) -> Value {
    json!({"sku": sku, "price": money(price), "attributes": {"Talla": size, "Color": colour}})
}

async fn put_grid(app: &TestApp, token: &str, product_id: &str, body: Value) -> common::Resp {
    app.send(Method::PUT, &format!("/api/v1/products/{product_id}/variant-grid"), Some(token), Body::Json(body), &[])
        .await
}

/// A small image with a colour, as the console's upload sends it.
fn picture(red: u8) -> Vec<u8> {
    let image = RgbImage::from_fn(64, 64, |x, _| Rgb([red, (x % 256) as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image).write_to(&mut out, ImageFormat::Png).expect("encode the test image");
    out.into_inner()
}

async fn upload_gallery(app: &TestApp, token: &str, product_id: &str, bytes: Vec<u8>) -> Value {
    let part = Part::bytes(bytes).file_name("azul.png").mime_str("image/png").expect("a mime type");
    let response = app
        .client
        .post(app.url(&format!("/api/v1/products/{product_id}/gallery")))
        .bearer_auth(token)
        .multipart(Form::new().part("photo", part))
        .send()
        .await
        .expect("the upload is answered");
    assert_eq!(response.status(), StatusCode::CREATED, "a gallery photo is taken");
    response.json::<Value>().await.expect("the photo")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_variant_grid_names_each_bad_cell_and_saves_options_prices_switches_and_photos() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let burger = fx.m(0);
    let manager = burger.manager.token(&app).await;
    let other_manager = fx.m(1).manager.token(&app).await;
    let product_id = burger.products[1].id.clone();
    let grid_path = format!("/api/v1/products/{product_id}/variant-grid");

    let grid = app.get(&grid_path, Some(&manager)).await.expect(StatusCode::OK, "the grid");
    assert_eq!(grid["options"], json!([]), "{grid}");
    assert_eq!(grid["variants"][0]["active"], true, "{grid}");
    app.get(&grid_path, Some(&other_manager)).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's product");
    let staff = burger.staff.token(&app).await;
    put_grid(&app, &staff, &product_id, json!({"variants": [row("X-1", 1, "S", "Azul")]}))
        .await
        .expect_problem(StatusCode::FORBIDDEN, "staff may not edit the grid");

    // Every bad cell at once, each by its path, so the page marks each cell.
    let options = json!([{"name": "Talla", "values": ["S", "M"]}, {"name": "Color", "values": ["Azul", "Negro"]}]);
    let mut bad_price = row("PAPAS-M-AZ", 3990, "M", "Azul");
    bad_price["price"] = money(-5);
    let mut bogus_photo = row("PAPAS-S-AZ", 3490, "S", "Azul");
    bogus_photo["photo_id"] = json!("gph_nope");
    let refused = put_grid(
        &app,
        &manager,
        &product_id,
        json!({"options": options, "variants": [
            bogus_photo, bad_price, row("bad sku", 3490, "S", "Negro"), row("PAPAS-S-AZ2", 3490, "s", "azul"),
            row("PAPAS-L-NE", 3490, "L", "Negro"),
        ]}),
    )
    .await
    .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "bad cells");
    let named = fields(&refused);
    for field in [
        "variants[1].price",
        "variants[2].sku",
        "variants[3].attributes",
        "variants[4].attributes.Talla",
        "variants[0].photo_id",
    ] {
        assert!(named.iter().any(|f| f == field), "{field} is named: {refused}");
    }

    // A SKU another product of the merchant has is a 409 at its row.
    let taken = put_grid(&app, &manager, &product_id, json!({"variants": [row("BURGER-CLASSIC", 3490, "S", "Azul")]}))
        .await
        .expect_problem(StatusCode::CONFLICT, "a SKU of another product");
    assert_eq!(fields(&taken), ["variants[0].sku"], "{taken}");

    // A gallery photo per colour; the grid saves options, prices, a switched-off variant and photos.
    let azul = upload_gallery(&app, &manager, &product_id, picture(10)).await;
    let azul_id = azul["id"].as_str().expect("a photo id").to_owned();
    let card = azul["renditions"].as_array().and_then(|r| r.iter().find(|r| r["size"] == "card")).expect("card")["url"]
        .as_str()
        .expect("a url")
        .to_owned();
    assert!(card.starts_with(&format!("/media/gallery/{azul_id}/card-")), "{card}");
    let served = app.client.get(app.url(&card)).send().await.expect("the card is served");
    assert_eq!(served.status(), StatusCode::OK);
    let mut s_azul = row("PAPAS-S-AZ", 3490, "S", "Azul");
    s_azul["photo_id"] = json!(azul_id);
    let mut m_negro = row("PAPAS-M-NE", 3990, "M", "Negro");
    m_negro["active"] = json!(false);
    let saved = put_grid(
        &app,
        &manager,
        &product_id,
        json!({"options": options, "variants": [
            row("FRIES", 2990, "S", "Negro"), s_azul, row("PAPAS-M-AZ", 3990, "M", "Azul"), m_negro,
        ]}),
    )
    .await
    .expect(StatusCode::OK, "the grid is saved");
    assert_eq!(saved["options"], options, "{saved}");
    let by_sku = |grid: &Value, sku: &str| {
        grid["variants"].as_array().and_then(|v| v.iter().find(|v| v["sku"] == sku).cloned()).unwrap_or(Value::Null)
    };
    assert_eq!(by_sku(&saved, "FRIES")["price"]["amount"], 2990, "the existing variant's price changed: {saved}");
    assert_eq!(by_sku(&saved, "PAPAS-M-NE")["active"], false, "{saved}");
    assert_eq!(by_sku(&saved, "PAPAS-S-AZ")["photo_id"], azul_id.as_str(), "{saved}");
    let again = app.get(&grid_path, Some(&manager)).await.expect(StatusCode::OK, "read back");
    assert_eq!(again["variants"].as_array().map(Vec::len), Some(4), "{again}");
    assert_eq!(again["gallery"][0]["id"], azul_id.as_str(), "{again}");

    // The shop shows the variants on sale, the new price, and the variant's photo.
    let shop_product = app
        .get(&format!("/api/v1/shops/{}/products/{product_id}", burger.id), None)
        .await
        .expect(StatusCode::OK, "the shop's product");
    let skus: Vec<&str> =
        shop_product["variants"].as_array().into_iter().flatten().filter_map(|v| v["sku"].as_str()).collect();
    assert!(!skus.contains(&"PAPAS-M-NE"), "a switched-off variant is not shown: {shop_product}");
    assert_eq!(skus.len(), 3, "{shop_product}");
    assert_eq!(by_sku(&shop_product, "FRIES")["price"]["amount"], 2990, "{shop_product}");
    assert_eq!(by_sku(&shop_product, "PAPAS-S-AZ")["image_url"], card.as_str(), "{shop_product}");
    assert_eq!(by_sku(&shop_product, "PAPAS-M-AZ")["image_url"], Value::Null, "{shop_product}");
    let page = app.client.get(app.url(&format!("/shop/{}/p/{product_id}", burger.id))).send().await.expect("page");
    let html = page.text().await.expect("the page");
    assert!(html.contains(&card), "the product page carries the variant's photo");

    // A switched-off variant cannot be ordered in the shop.
    let order = json!({
        "fulfilment": "pickup", "location_id": burger.location_id,
        "lines": [{"sku": "PAPAS-M-NE", "quantity": 1}],
        "customer": {"name": "Ana"}, "payment": {"method": "card", "card_number": "4242424242424242"},
    });
    let refused = app
        .send(
            Method::POST,
            &format!("/api/v1/shops/{}/orders", burger.id),
            None,
            Body::Json(order),
            &[("Idempotency-Key", "grid-off-1")],
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "an off variant");
    assert_eq!(refused["sku"], "PAPAS-M-NE", "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shop_address_is_chosen_unique_and_the_old_one_keeps_working() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let manager = burger.manager.token(&app).await;
    let sushi_manager = sushi.manager.token(&app).await;
    let path = format!("/api/v1/merchants/{}/shop-slug", burger.id);
    let put = |token: String, path: String, slug: &str| {
        let body = json!({ "slug": slug });
        let app = &app;
        async move { app.send(Method::PUT, &path, Some(&token), Body::Json(body), &[]).await }
    };

    let derived = app.get(&path, Some(&manager)).await.expect(StatusCode::OK, "the address of its name");
    assert_eq!((derived["slug"].clone(), derived["chosen"].clone()), (json!("burger-hub"), json!(false)));
    let refused =
        put(manager.clone(), path.clone(), "Burger Hub!").await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "bad");
    assert_eq!(fields(&refused), ["slug"], "{refused}");
    put(burger.staff.token(&app).await, path.clone(), "burgers").await.expect_problem(StatusCode::FORBIDDEN, "staff");
    put(sushi_manager.clone(), path.clone(), "burgers")
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's");

    let saved = put(manager.clone(), path.clone(), " Hub-Burgers ").await.expect(StatusCode::OK, "chosen");
    assert_eq!((saved["slug"].clone(), saved["chosen"].clone()), (json!("hub-burgers"), json!(true)));
    for address in ["hub-burgers", "burger-hub"] {
        let shop = app
            .get(&format!("/api/v1/shops/{address}/products"), None)
            .await
            .expect(StatusCode::OK, &format!("/shop/{address}"));
        assert_eq!(shop["shop"]["slug"], "hub-burgers", "the shop names its chosen address: {shop}");
    }

    // Taken by another shop: its chosen address, or the address of its name.
    let sushi_path = format!("/api/v1/merchants/{}/shop-slug", sushi.id);
    let taken = put(sushi_manager.clone(), sushi_path.clone(), "hub-burgers")
        .await
        .expect_problem(StatusCode::CONFLICT, "taken");
    assert_eq!(fields(&taken), ["slug"], "{taken}");
    put(sushi_manager.clone(), sushi_path.clone(), "burger-hub")
        .await
        .expect_problem(StatusCode::CONFLICT, "its old one");

    // Renamed: the new address works, the previous chosen one is free again.
    put(manager.clone(), path.clone(), "burger-hub-centro").await.expect(StatusCode::OK, "renamed");
    app.get("/api/v1/shops/burger-hub-centro/products", None).await.expect(StatusCode::OK, "new address");
    put(sushi_manager, sushi_path, "hub-burgers").await.expect(StatusCode::OK, "free again");
    let sushi_shop = app.get("/api/v1/shops/hub-burgers/products", None).await.expect(StatusCode::OK, "sushi's now");
    assert_eq!(sushi_shop["shop"]["merchant_id"], sushi.id.as_str(), "{sushi_shop}");
}

/// 2026-12-08T11:00:00Z, a Tuesday: 08:00 in Santiago (UTC−3 in summer).
const TUESDAY_MORNING_MS: i64 = 1_796_727_600_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_store_closed_now_is_offered_for_pickup_at_its_next_opening() {
    let clock = Arc::new(ManualClock::starting_at(TUESDAY_MORNING_MS));
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let burger = fx.m(0);
    let manager = burger.manager.token(&app).await;
    let every_day: serde_json::Map<String, Value> =
        (1..=7).map(|day| (day.to_string(), json!([["10:00", "20:00"]]))).collect();
    app.send(
        Method::PATCH,
        &format!("/api/v1/locations/{}", burger.location_id),
        Some(&manager),
        Body::Json(json!({"opening_hours": every_day, "prep_minutes": 20})),
        &[],
    )
    .await
    .expect(StatusCode::OK, "hours 10:00–20:00, 20 minutes to prepare");

    let options = app
        .post(
            &format!("/api/v1/shops/{}/fulfilment-options", burger.id),
            None,
            &json!({"lines": [{"sku": "BURGER-CLASSIC", "quantity": 1}]}),
        )
        .await
        .expect(StatusCode::OK, "where the cart can be had");
    let store = &options["pickup"][0];
    assert_eq!(store["id"], burger.location_id.as_str(), "the closed store is offered: {options}");
    assert_eq!(store["open"], false, "{options}");
    let ready_at = store["pickup_ready_at"].as_str().expect("a promised time").to_owned();
    assert!(ready_at.starts_with("2026-12-08T13:20:00"), "10:00 opening + 20 minutes, Santiago: {ready_at}");

    let order = json!({
        "fulfilment": "pickup", "location_id": burger.location_id,
        "lines": [{"sku": "BURGER-CLASSIC", "quantity": 1}],
        "customer": {"name": "Ana"}, "payment": {"method": "card", "card_number": "4242424242424242"},
    });
    let placed = app
        .send(
            Method::POST,
            &format!("/api/v1/shops/{}/orders", burger.id),
            None,
            Body::Json(order.clone()),
            &[("Idempotency-Key", "closed-store-1")],
        )
        .await
        .expect(StatusCode::CREATED, "ordered for the next opening");
    assert!(
        placed["pickup_at"].as_str().is_some_and(|at| at.starts_with("2026-12-08T13:20:00")),
        "the order keeps the promised time: {placed}"
    );

    // Switched off by its staff (not merely outside its hours): no promise, no pickup.
    app.send(
        Method::PATCH,
        &format!("/api/v1/locations/{}", burger.location_id),
        Some(&manager),
        Body::Json(json!({"is_open": false})),
        &[],
    )
    .await
    .expect(StatusCode::OK, "switched off");
    let options = app
        .post(
            &format!("/api/v1/shops/{}/fulfilment-options", burger.id),
            None,
            &json!({"lines": [{"sku": "BURGER-CLASSIC", "quantity": 1}]}),
        )
        .await
        .expect(StatusCode::OK, "where the cart can be had");
    assert_eq!(options["pickup"], json!([]), "{options}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_manager_sets_the_shop_address_and_a_warehouse_in_the_console() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let mut browser = Browser::new(&app);
    browser.sign_in(&burger.manager.email, &burger.manager.password).await;
    let path = format!("/console/merchants/{}/shop", burger.id);
    let page = browser.get(&path).await;
    let csrf = page.csrf_field();
    page.expect(StatusCode::OK, "the shop settings");
    assert!(page.body.contains("value=\"burger-hub\""), "the address of its name");
    assert!(page.body.contains("Bodega: vende solo online"), "the kinds, in Spanish");

    // A taken address is told at the field, in Spanish; a free one is saved.
    let sushi_manager = sushi.manager.token(&app).await;
    app.send(
        Method::PUT,
        &format!("/api/v1/merchants/{}/shop-slug", sushi.id),
        Some(&sushi_manager),
        Body::Json(json!({"slug": "comida-rapida"})),
        &[],
    )
    .await
    .expect(StatusCode::OK, "sushi takes it first");
    let refused =
        browser.post_form(&format!("{path}/slug"), &[("csrf", csrf.as_str()), ("slug", "comida-rapida")]).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "taken");
    assert!(
        refused.body.contains("data-testid=\"error-slug\"")
            && refused.body.contains("Otra tienda ya usa esa dirección")
    );
    browser
        .post_form(&format!("{path}/slug"), &[("csrf", csrf.as_str()), ("slug", "burger-hub-web")])
        .await
        .redirects_to(&format!("{path}?done=slug"), "saved");
    app.get("/api/v1/shops/burger-hub-web/products", None).await.expect(StatusCode::OK, "the new address");

    // The location becomes a warehouse: no longer a pickup point in the shop.
    browser
        .post_form(
            &format!("{path}/locations/{}/kind", burger.location_id),
            &[("csrf", csrf.as_str()), ("kind", "warehouse")],
        )
        .await
        .redirects_to(&format!("{path}?done=kind"), "kind saved");
    let shop = app.get("/api/v1/shops/burger-hub-web/products", None).await.expect(StatusCode::OK, "the shop");
    assert_eq!(shop["shop"]["locations"][0]["kind"], "warehouse", "{shop}");
    assert_eq!(shop["shop"]["locations"][0]["pickup"], false, "{shop}");

    // Another merchant's settings are not found; staff may not see them.
    browser.get(&format!("/console/merchants/{}/shop", sushi.id)).await.expect(StatusCode::NOT_FOUND, "another's");
    let mut staff = Browser::new(&app);
    staff.sign_in(&burger.staff.email, &burger.staff.password).await;
    staff.get(&path).await.expect(StatusCode::FORBIDDEN, "staff");
}
