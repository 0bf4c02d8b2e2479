//! What the menu tells a visitor about a dish (issue #13, point 7), over HTTP: a product's
//! description and allergens, checked field by field when created and returned by the product
//! and the menu; and the promotions on now, each placed where it applies (the dish it names, the
//! restaurant it covers, the whole site) with the parts of its label, and the page's words.

use crate::common;

use chrono::{Duration, SecondsFormat, Utc};
use chrono_tz::America::Santiago;
use common::{Fixture, Merchant, TestApp, assert_validation_problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A product body of `merchant_id` with one CLP variant `sku` and `extra` fields merged in.
fn product_body(merchant_id: &str, sku: &str, extra: Value) -> Value {
    let mut body = json!({
        "merchant_id": merchant_id,
        "name": "Ceviche mixto",
        "track_stock": false,
        "variants": [{"sku": sku, "price": {"amount": 8_990, "currency": "CLP"}}],
    });
    if let Value::Object(extra) = extra {
        for (key, value) in extra {
            body[key] = value;
        }
    }
    body
}

/// The menu's entry for the product named `name`, and its location's.
#[track_caller]
fn find<'a>(menu: &'a Value, name: &str) -> (&'a Value, &'a Value) {
    menu["locations"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|location| {
            location["products"].as_array()?.iter().find(|p| p["name"] == name).map(|product| (location, product))
        })
        .unwrap_or_else(|| panic!("{name:?} missing from the menu {menu}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn catalog_descriptions_and_allergens_are_checked_and_reach_the_menu() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let manager = fx.m(0).manager.token(&app).await;
    let merchant_id = fx.m(0).id.clone();

    let body = product_body(
        &merchant_id,
        "CEV-MIX",
        json!({"description": "  Pescado y mariscos en limón,\ncon choclo. ", "allergens": ["fish", "shellfish", "fish"]}),
    );
    let created = app.post("/api/v1/products", Some(&manager), &body).await.expect(StatusCode::CREATED, "product");
    assert_eq!(created["description"], "Pescado y mariscos en limón,\ncon choclo.", "trimmed: {created}");
    assert_eq!(created["allergens"], json!(["shellfish", "fish"]), "each once, in the table's order: {created}");
    let path = format!("/api/v1/products/{}", created["id"].as_str().unwrap_or_default());
    let read = app.get(&path, Some(&manager)).await.expect(StatusCode::OK, "read the product");
    assert_eq!((&read["description"], &read["allergens"]), (&created["description"], &created["allergens"]));

    // Every bad field at once, each named: a description past 500 characters, an unknown code.
    let bad = product_body(
        &merchant_id,
        "BAD-1",
        json!({"description": "á".repeat(501), "allergens": ["milk", "chocolate"]}),
    );
    let refused = app.post("/api/v1/products", Some(&manager), &bad).await;
    assert_validation_problem(&refused, "too long a description and an unknown allergen");
    let mut fields: Vec<&str> =
        refused.body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["allergens[1]", "description"], "{}", refused.body);
    let control = product_body(&merchant_id, "CTL-1", json!({"description": "bell\u{7}"}));
    assert_validation_problem(&app.post("/api/v1/products", Some(&manager), &control).await, "a control character");
    let too_many = product_body(&merchant_id, "MNY-1", json!({"allergens": vec!["milk"; 15]}));
    assert_validation_problem(&app.post("/api/v1/products", Some(&manager), &too_many).await, "15 codes");

    // Without them: no description, no allergens (older clients send neither).
    let plain = product_body(&merchant_id, "PLN-1", json!({"name": "Agua sin gas"}));
    let plain = app.post("/api/v1/products", Some(&manager), &plain).await.expect(StatusCode::CREATED, "plain");
    assert_eq!((&plain["description"], &plain["allergens"]), (&Value::Null, &json!([])), "{plain}");

    let menu = app.get(&format!("/api/v1/sites/{}/menu", fx.site_id), None).await.expect(StatusCode::OK, "menu");
    let (_, product) = find(&menu, "Ceviche mixto");
    assert_eq!(product["description"], created["description"], "{product}");
    assert_eq!(product["allergens"], json!(["shellfish", "fish"]), "{product}");
    assert_eq!(product["promotions"], json!([]), "{product}");

    // The page words them from its catalog.
    let page = app.get(&format!("/s/{}", fx.site_id), None).await;
    let html = page.body.as_str().unwrap_or_default();
    assert!(html.contains("Contiene: Crustáceos, Pescado"), "allergens in Spanish");
    assert!(html.contains("Pescado y mariscos en limón"), "the description");
    let english = app.get(&format!("/s/{}?lang=en", fx.site_id), None).await;
    assert!(english.body.as_str().unwrap_or_default().contains("Contains: Crustaceans, Fish"), "in English");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn menu_promotions_on_now_are_placed_where_they_apply() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (first, second) = (fx.m(0), fx.m(1));
    let manager = first.manager.token(&app).await;
    let admin = app.admin_token().await;
    let sku = first.products[0].variants[0].sku.clone();
    let promote = |body: Value, token: String| {
        let app = &app;
        async move { app.post("/api/v1/promotions", Some(&token), &body).await.expect(StatusCode::CREATED, "promotion") }
    };

    let ends = Utc::now() + Duration::hours(2);
    let two_for_one = promote(
        json!({"merchant_id": first.id, "name": "2x1 de la casa", "valid_to": ends.to_rfc3339_opts(SecondsFormat::Secs, true),
               "kind": {"type": "buy_x_get_y", "skus": [sku], "buy": 1, "get": 1, "get_off_bps": 10_000}}),
        manager.clone(),
    )
    .await;
    let whole_restaurant = promote(
        json!({"merchant_id": first.id, "name": "10% en todo", "kind": {"type": "percent_off_order", "bps": 1_000}}),
        manager.clone(),
    )
    .await;
    let mall = promote(
        json!({"site_id": fx.site_id, "name": "Patio -5%", "funded_by": "operator",
               "kind": {"type": "percent_off_order", "bps": 500}}),
        admin.clone(),
    )
    .await;
    // Not on now, or not without a coupon: never announced.
    let tomorrow = (Utc::now().with_timezone(&Santiago) + Duration::days(1)).format("%u").to_string();
    let weekday: u8 = tomorrow.parse().unwrap_or(1);
    promote(
        json!({"merchant_id": first.id, "name": "Mañana", "happy_hour": {"weekdays": [weekday], "start": "00:00", "end": "00:01"},
               "kind": {"type": "percent_off_order", "bps": 2_000}}),
        manager.clone(),
    )
    .await;
    promote(
        json!({"merchant_id": first.id, "name": "Con cupón", "requires_coupon": true,
               "kind": {"type": "percent_off_order", "bps": 3_000}}),
        manager.clone(),
    )
    .await;

    let menu = app.get(&format!("/api/v1/sites/{}/menu", fx.site_id), None).await.expect(StatusCode::OK, "menu");
    let ids = |list: &Value| -> Vec<String> {
        list.as_array().into_iter().flatten().filter_map(|p| p["id"].as_str().map(str::to_owned)).collect()
    };
    assert_eq!(
        ids(&menu["promotions"]),
        [mall["id"].as_str().unwrap_or_default()],
        "site-wide: {}",
        menu["promotions"]
    );
    let location = |merchant: &Merchant| {
        menu["locations"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|l| l["id"] == merchant.location_id)
            .cloned()
            .unwrap_or_default()
    };
    let (here, there) = (location(first), location(second));
    assert_eq!(ids(&here["promotions"]), [whole_restaurant["id"].as_str().unwrap_or_default()], "{here}");
    assert_eq!(ids(&there["promotions"]), Vec::<String>::new(), "another restaurant's are not its: {there}");
    let product = here["products"].as_array().into_iter().flatten().find(|p| p["variants"][0]["sku"] == sku.as_str());
    let announced = &product.unwrap_or_else(|| panic!("{sku} on the menu: {here}"))["promotions"];
    assert_eq!(ids(announced), [two_for_one["id"].as_str().unwrap_or_default()], "{announced}");
    let badge = &announced[0];
    assert_eq!(
        (badge["kind"].as_str(), badge["buy"].as_i64(), badge["get"].as_i64()),
        (Some("buy_x_get_y"), Some(1), Some(1))
    );
    assert_eq!(badge["bps"], 10_000);
    let local = ends.with_timezone(&Santiago).format("%H:%M").to_string();
    match badge["ends"].as_str() {
        // Two hours from now is "today" only when it falls at the close of the day.
        Some("today") => assert!(local == "00:00" || local == "23:59", "{badge}"),
        Some("at_time") => assert_eq!(badge["ends_local_time"], local.as_str(), "{badge}"),
        other => panic!("a promotion ending in two hours says when: {other:?} in {badge}"),
    }
    assert!(badge["ends_at"].as_str().is_some_and(|at| at.ends_with('Z')), "{badge}");
    assert_eq!(here["promotions"][0]["ends"], "later", "no end: nothing to say");

    // The page says them in the visitor's words, on the dish, the restaurant and the site.
    let page = app.get(&format!("/s/{}", fx.site_id), None).await;
    let html = page.body.as_str().unwrap_or_default();
    assert!(html.contains(&format!("2×1 hasta las {local}")) || html.contains("2×1 hoy"), "the dish's 2×1");
    assert!(html.contains(">-10%<"), "the restaurant's 10%");
    assert!(html.contains(">-5%<"), "the mall's 5%");
    let english = app.get(&format!("/s/{}?lang=en", fx.site_id), None).await;
    let html = english.body.as_str().unwrap_or_default();
    assert!(html.contains(&format!("2×1 until {local}")) || html.contains("2×1 today"), "in English");
    app.stop().await;
}
