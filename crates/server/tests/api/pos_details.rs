//! Selling details at the till (issue 14 point 3) over HTTP: a line's options priced by the
//! engine as an order's modifiers are, its note kept and shown, a customer attached by phone,
//! and a coupon applied or refused with the engine's reason — plus the bad input each brings
//! (a note over 140 characters, an option the dish does not offer, a phone that is not one).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::FRIES;
use crate::common::{Fixture, OpenTill, TestApp, clp, money, open_till};

const PIZZA: &str = "PIZZA-CAJA";
const PIZZA_BASE: i64 = 9_990;

/// A pizza with a required size and up to two extras, untracked.
async fn create_pizza(app: &TestApp, fx: &Fixture, manager: &str) {
    let groups = json!([
        {"name": "Tamaño", "min": 1, "max": 1, "options": [
            {"name": "Mediana", "price": money(0)}, {"name": "Familiar", "price": money(3_000)}]},
        {"name": "Agregados", "min": 0, "max": 2, "options": [
            {"name": "Extra queso", "price": money(990)}, {"name": "Aceitunas", "price": money(590)},
            {"name": "Sin cebolla", "price": money(0)}]},
    ]);
    let body = json!({
        "merchant_id": fx.m(0).id, "name": "Pizza de la caja", "track_stock": false,
        "modifier_groups": groups, "variants": [{"sku": PIZZA, "price": money(PIZZA_BASE)}],
    });
    app.post("/api/v1/products", Some(manager), &body).await.expect(StatusCode::CREATED, "a pizza with options");
}

fn sale(till: &OpenTill, id: &str, n: u32, lines: Value, cash: i64) -> Value {
    json!({
        "id": id,
        "session_id": till.session_id,
        "receipt_number": format!("{}-{n}", till.series),
        "sold_at": chrono::Utc::now().to_rfc3339(),
        "lines": lines,
        "payments": [{"method": "cash", "amount": money(cash), "tendered": money(cash)}],
    })
}

fn options(choices: &[(&str, &str)]) -> Value {
    Value::Array(choices.iter().map(|(group, option)| json!({"group": group, "option": option})).collect())
}

fn field_of(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_line_with_options_and_a_note_is_priced_as_online_and_kept() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    create_pizza(&app, &fx, &till.manager).await;

    // The till's snapshot carries the groups its picker shows.
    let catalog = app
        .get(&format!("/api/v1/pos/catalog?location_id={}", till.location_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "the till's snapshot");
    let pizza = catalog["items"].as_array().and_then(|items| items.iter().find(|i| i["sku"] == PIZZA)).cloned();
    let pizza = pizza.unwrap_or_else(|| panic!("the pizza is in the snapshot: {catalog}"));
    assert_eq!(pizza["modifier_groups"][0]["name"], "Tamaño", "{pizza}");
    assert_eq!(pizza["modifier_groups"][1]["options"][0]["price"], money(990), "{pizza}");

    // Online, an order prices the same choices at the same unit price.
    let family = options(&[("Tamaño", "Familiar"), ("Agregados", "Extra queso")]);
    let unit = PIZZA_BASE + 3_000 + 990;
    let lines = json!([
        {"sku": PIZZA, "quantity": 2, "options": family, "note": "  bien cocida  "},
        {"sku": PIZZA, "quantity": 1, "modifiers": options(&[("Tamaño", "Mediana")])},
        {"sku": FRIES, "quantity": 1},
    ]);
    let total = 2 * unit + PIZZA_BASE + 3_490;
    let body = sale(&till, "opt-1", 1, lines, total);
    let sold = app.post("/api/v1/pos/sales", Some(&till.staff), &body).await.expect(StatusCode::CREATED, "a sale");
    assert_eq!(clp(&sold["total"]), total, "{sold}");
    let sold_lines = sold["lines"].as_array().cloned().unwrap_or_default();
    assert_eq!(sold_lines.len(), 3, "one line per dish and choices: {sold}");
    let family_line = sold_lines.iter().find(|l| l["note"] == "bien cocida").cloned().unwrap_or(Value::Null);
    assert_eq!(clp(&family_line["unit_price"]), unit, "{sold}");
    assert_eq!(family_line["quantity"], 2);
    let chosen: Vec<(String, i64)> = family_line["options"]
        .as_array()
        .map(|o| o.iter().map(|o| (o["option"].as_str().unwrap_or_default().to_owned(), clp(&o["price"]))).collect())
        .unwrap_or_default();
    assert_eq!(chosen, [("Extra queso".to_owned(), 990), ("Familiar".to_owned(), 3_000)], "{family_line}");
    let medium = sold_lines.iter().find(|l| l["sku"] == PIZZA && l["note"].is_null()).cloned().unwrap_or(Value::Null);
    assert_eq!(clp(&medium["unit_price"]), PIZZA_BASE, "{sold}");

    // The sale view shows them; the same body again is the same sale, another note is another body.
    let shown =
        app.get("/api/v1/pos/sales/opt-1", Some(&till.staff)).await.expect(StatusCode::OK, "the sale as recorded");
    assert_eq!(shown, sold);
    let again = app.post("/api/v1/pos/sales", Some(&till.staff), &body).await.expect(StatusCode::OK, "a repeat");
    assert_eq!(again, sold);
    let mut other = body.clone();
    other["lines"][0]["note"] = json!("sin sal");
    app.post("/api/v1/pos/sales", Some(&till.staff), &other)
        .await
        .expect_problem(StatusCode::CONFLICT, "the same id with another note");

    // Bad details are 422s naming the line; nothing is recorded.
    let long = sale(
        &till,
        "opt-2",
        2,
        json!([{"sku": PIZZA, "quantity": 1, "options": options(&[("Tamaño", "Mediana")]), "note": "x".repeat(141)}]),
        PIZZA_BASE,
    );
    let problem = app
        .post("/api/v1/pos/sales", Some(&till.staff), &long)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a note over 140 characters");
    assert_eq!(field_of(&problem), ["lines[0].note"], "{problem}");
    let unknown = sale(
        &till,
        "opt-3",
        2,
        json!([{"sku": PIZZA, "quantity": 1, "options": options(&[("Tamaño", "Gigante")])}]),
        PIZZA_BASE,
    );
    let problem = app
        .post("/api/v1/pos/sales", Some(&till.staff), &unknown)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "an option the pizza does not offer");
    assert_eq!(field_of(&problem), ["lines[0].modifiers"], "{problem}");
    let missing = sale(&till, "opt-4", 2, json!([{"sku": PIZZA, "quantity": 1}]), PIZZA_BASE);
    app.post("/api/v1/pos/sales", Some(&till.staff), &missing)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "the required size not chosen");
    let mut bad_phone = sale(&till, "opt-5", 2, json!([{"sku": FRIES, "quantity": 1}]), 3_490);
    bad_phone["customer"] = json!({"phone": "llámame"});
    let problem = app
        .post("/api/v1/pos/sales", Some(&till.staff), &bad_phone)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a phone that is not one");
    assert_eq!(field_of(&problem), ["customer.phone"], "{problem}");
    for id in ["opt-2", "opt-3", "opt-4", "opt-5"] {
        app.get(&format!("/api/v1/pos/sales/{id}"), Some(&till.staff))
            .await
            .expect_problem(StatusCode::NOT_FOUND, "a refused sale is not recorded");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coupon_at_the_till_is_applied_or_refused_with_the_engines_reason() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(20).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    let promotion = app
        .post(
            "/api/v1/promotions",
            Some(&till.manager),
            &json!({"merchant_id": fx.m(0).id, "name": "Cupón de la caja", "requires_coupon": true,
                    "kind": {"type": "percent_off_order", "bps": 1000}}),
        )
        .await
        .expect(StatusCode::CREATED, "a promotion with a coupon");
    let coupons = format!("/api/v1/promotions/{}/coupons", promotion["id"].as_str().unwrap_or_default());
    app.post(&coupons, Some(&till.manager), &json!({"code": "CAJA10", "usage_limit": 1}))
        .await
        .expect(StatusCode::CREATED, "a coupon good once");

    // The till's snapshot carries it, so the till prices it offline too.
    let catalog = app
        .get(&format!("/api/v1/pos/catalog?location_id={}", till.location_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "the till's snapshot");
    assert_eq!(catalog["coupons"][0]["code"], "CAJA10", "{catalog}");
    assert_eq!(catalog["coupons"][0]["used"], 0, "{catalog}");

    let fries = json!([{"sku": FRIES, "quantity": 2}]);
    let mut with_coupon = sale(&till, "cup-1", 1, fries.clone(), 6_282);
    with_coupon["coupon"] = json!(" caja10 ");
    with_coupon["customer"] = json!({"phone": "+56 9 1234 5678", "name": "Ana"});
    let sold =
        app.post("/api/v1/pos/sales", Some(&till.staff), &with_coupon).await.expect(StatusCode::CREATED, "coupon sale");
    assert_eq!((clp(&sold["total"]), clp(&sold["discount"])), (6_282, 698), "{sold}");
    assert_eq!(sold["coupons"][0]["code"], "CAJA10", "{sold}");
    assert_eq!(sold["coupons"][0]["applied"], true, "{sold}");
    assert_eq!(sold["customer"]["phone"], "+56 9 1234 5678");
    let applied =
        sold["promotions"].as_array().and_then(|p| p.iter().find(|p| p["name"] == "Cupón de la caja")).cloned();
    assert_eq!(applied.map(|p| p["applied"].clone()), Some(json!(true)), "{sold}");

    // Used up: the next sale is recorded at full price and says why the coupon did not apply.
    let mut used_up = sale(&till, "cup-2", 2, fries.clone(), 6_980);
    used_up["coupon"] = json!("CAJA10");
    let full = app.post("/api/v1/pos/sales", Some(&till.staff), &used_up).await.expect(StatusCode::CREATED, "used up");
    assert_eq!(clp(&full["total"]), 6_980, "{full}");
    assert_eq!(full["coupons"][0]["applied"], false, "{full}");
    assert_eq!(full["coupons"][0]["reason"]["code"], "coupon_limit_reached", "{full}");
    assert!(full["coupons"][0]["message"].as_str().is_some_and(|m| !m.is_empty()), "{full}");

    let mut unknown = sale(&till, "cup-3", 3, fries.clone(), 6_980);
    unknown["coupon"] = json!("NOEXISTE");
    let full = app.post("/api/v1/pos/sales", Some(&till.staff), &unknown).await.expect(StatusCode::CREATED, "unknown");
    assert_eq!(full["coupons"][0]["reason"]["code"], "unknown_coupon", "{full}");
    // A till that priced it with the coupon is short of the total: a clear 422, not a sale.
    let mut short = sale(&till, "cup-4", 4, fries, 6_282);
    short["coupon"] = json!("CAJA10");
    app.post("/api/v1/pos/sales", Some(&till.staff), &short)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "tenders short of the total without the coupon");

    let after = app
        .get(&format!("/api/v1/pos/catalog?location_id={}", till.location_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "the snapshot again");
    assert_eq!(after["coupons"][0]["used"], 1, "one use counted: {after}");
    app.stop().await;
}
