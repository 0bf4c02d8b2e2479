//! The manager's catalogue (issue 15 point 2) over real HTTP: a product edit is checked like a
//! new product and saved whole (a SKU of another product is 409 at that variant's field, a
//! variant with history is kept), archiving hides a product from the menu, the list searches,
//! sorts and pages, a category is renamed on all its products, and a manager of one merchant
//! gets 404 for another's products — over the API and the console pages alike.

use crate::common;
use crate::console_pages::Browser;

use common::fixture::{BURGER, BURGER_DOUBLE, FRIES};
use common::{Fixture, TestApp, money};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn patch(app: &TestApp, token: &str, path: &str, body: &Value) -> common::Resp {
    app.send(Method::PATCH, path, Some(token), common::Body::Json(body.clone()), &[]).await
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect()
}

fn skus(product: &Value) -> Vec<String> {
    product["variants"].as_array().into_iter().flatten().filter_map(|v| v["sku"].as_str().map(str::to_owned)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_product_edit_is_checked_like_a_new_product_and_saved_whole() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let burger = fx.m(0);
    let token = burger.manager.token(&app).await;
    let path = format!("/api/v1/products/{}", burger.products[0].id);
    let before: Value = app.get(&path, Some(&token)).await.expect(StatusCode::OK, "the burger");

    // Every bad field at once, nothing saved.
    let bad = patch(
        &app,
        &token,
        &path,
        &json!({"name": " ", "variants": [
        {"sku": BURGER, "price": money(12990)}, {"sku": BURGER_DOUBLE, "price": money(-1)}]}),
    )
    .await
    .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a blank name and a negative price");
    assert_eq!(fields(&bad), ["name", "variants[1].price"]);

    // A SKU the merchant has on another product: 409 at that variant's sku, nothing saved.
    let taken = patch(
        &app,
        &token,
        &path,
        &json!({"variants": [
        {"sku": BURGER, "price": money(11990)}, {"sku": BURGER_DOUBLE, "price": money(15990)},
        {"sku": FRIES, "price": money(1000)}]}),
    )
    .await
    .expect_problem(StatusCode::CONFLICT, "a SKU of the fries");
    assert_eq!(fields(&taken), ["variants[2].sku"]);
    assert_eq!(taken["code"], "sku_taken");
    let after: Value = app.get(&path, Some(&token)).await.expect(StatusCode::OK, "the burger");
    assert_eq!(after, before, "a refused edit changes nothing");

    // A good edit: a price changed, a variant added with its size, the rest of the product.
    let edited = patch(
        &app,
        &token,
        &path,
        &json!({
        "name": "Hamburguesa clásica",
        "category": "Hamburguesas",
        "description": "Con queso y tomate",
        "allergens": ["milk", "gluten"],
        "modifier_groups": [{"name": "Agregados", "min": 0, "max": 2, "options": [
            {"name": "Tocino", "price": money(1500)}, {"name": "Palta", "price": money(1200)}]}],
        "variants": [
            {"sku": BURGER, "price": money(11990)},
            {"sku": BURGER_DOUBLE, "price": money(15990)},
            {"sku": "BURGER-XL", "price": money(18990), "barcode": "7800000000011", "attributes": {"size": "XL"}}]}),
    )
    .await
    .expect(StatusCode::OK, "a good edit");
    assert_eq!(edited["name"], "Hamburguesa clásica");
    assert_eq!(edited["allergens"], json!(["gluten", "milk"]));
    assert_eq!(edited["modifier_groups"][0]["options"].as_array().map(Vec::len), Some(2));
    assert_eq!(skus(&edited), [BURGER, BURGER_DOUBLE, "BURGER-XL"]);
    assert_eq!(edited["variants"][0]["price"]["amount"], 11990);
    assert_eq!(edited["variants"][2]["attributes"]["size"], "XL");
    assert_eq!(edited["archived"], false);

    // A variant without history goes; one stocked stays and the edit is refused whole.
    let dropped = patch(
        &app,
        &token,
        &path,
        &json!({"variants": [
        {"sku": BURGER, "price": money(11990)}, {"sku": BURGER_DOUBLE, "price": money(15990)}]}),
    )
    .await
    .expect(StatusCode::OK, "the new variant removed");
    assert_eq!(skus(&dropped), [BURGER, BURGER_DOUBLE]);
    let kept = patch(&app, &token, &path, &json!({"name": "Otra", "variants": [{"sku": BURGER, "price": money(1)}]}))
        .await
        .expect_problem(StatusCode::CONFLICT, "a stocked variant removed");
    assert_eq!(kept["code"], "variant_has_history");
    let after: Value = app.get(&path, Some(&token)).await.expect(StatusCode::OK, "the burger");
    assert_eq!((after["name"].as_str(), skus(&after).len()), (Some("Hamburguesa clásica"), 2), "nothing half-saved");
    // The freed SKU can be taken by another product.
    let fries_path = format!("/api/v1/products/{}", burger.products[1].id);
    patch(
        &app,
        &token,
        &fries_path,
        &json!({"variants": [
        {"sku": FRIES, "price": money(3490)}, {"sku": "BURGER-XL", "price": money(100)}]}),
    )
    .await
    .expect(StatusCode::OK, "a removed SKU is free again");
    // Staff may not edit.
    let staff = burger.staff.token(&app).await;
    patch(&app, &staff, &path, &json!({"name": "x"})).await.expect_problem(StatusCode::FORBIDDEN, "staff");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_archived_product_leaves_the_menu_and_comes_back() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let burger = fx.m(0);
    let token = burger.manager.token(&app).await;
    let product = &burger.products[0].id;
    let menu_path = format!("/api/v1/sites/{}/menu?include_closed=true", fx.site_id);
    let menu = app.get(&menu_path, None).await.expect(StatusCode::OK, "the menu");
    assert!(menu.to_string().contains(BURGER));

    let archived = app
        .post(&format!("/api/v1/products/{product}/archive"), Some(&token), &json!({}))
        .await
        .expect(StatusCode::OK, "archive");
    assert_eq!(archived["archived"], true);
    assert!(archived["archived_at"].is_string());
    let menu = app.get(&menu_path, None).await.expect(StatusCode::OK, "the menu");
    assert!(!menu.to_string().contains(BURGER), "off the menu: {menu}");
    assert!(menu.to_string().contains(FRIES), "the others stay");
    let list_path = format!("/api/v1/merchants/{}/products", burger.id);
    let listed = app.get(&list_path, Some(&token)).await.expect(StatusCode::OK, "the list");
    assert!(!listed.to_string().contains(BURGER), "off the plain list");
    let archived_list =
        app.get(&format!("{list_path}?archived=true"), Some(&token)).await.expect(StatusCode::OK, "archived only");
    assert_eq!(archived_list.as_array().map(Vec::len), Some(1));
    // Still readable by id, for history.
    app.get(&format!("/api/v1/products/{product}"), Some(&token)).await.expect(StatusCode::OK, "kept");
    // An order naming it anyway is refused at the line; a till's sale of it (which may have
    // been rung up offline before the archive) is still recorded.
    let refused = app.place_order(&fx, &[fx.line(BURGER, 1)], &common::Payment::card()).await;
    common::assert_validation_problem(&refused, "an archived SKU ordered by name");
    assert!(refused.body.to_string().contains("no longer sells"), "{}", refused.body);
    let till = common::open_till(&app, burger, 0).await;
    let price = burger.price(BURGER);
    let sale = json!({
        "id": "sale-archived-1",
        "session_id": till.session_id,
        "receipt_number": format!("{}-1", till.series),
        "sold_at": chrono::Utc::now().to_rfc3339(),
        "offline": true,
        "lines": [{"sku": BURGER, "quantity": 1}],
        "payments": [{"method": "cash", "amount": common::money(price), "tendered": common::money(price)}],
    });
    app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::CREATED, "the till's sale");

    app.post(&format!("/api/v1/products/{product}/unarchive"), Some(&token), &json!({}))
        .await
        .expect(StatusCode::OK, "unarchive");
    let menu = app.get(&menu_path, None).await.expect(StatusCode::OK, "the menu");
    assert!(menu.to_string().contains(BURGER), "back on the menu");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_product_list_searches_sorts_and_pages() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let burger = fx.m(0);
    let token = burger.manager.token(&app).await;
    let list = format!("/api/v1/merchants/{}/products", burger.id);
    for (name, sku, price, barcode) in [
        ("Bebida", "DRINK-1", 1500, "7801111"),
        ("Ensalada", "SALAD-1", 6990, "7802222"),
        ("Agua", "WATER", 990, "7803333"),
    ] {
        app.post(
            "/api/v1/products",
            Some(&token),
            &json!({"merchant_id": burger.id, "name": name, "track_stock": false,
            "category": "Extras", "variants": [{"sku": sku, "price": money(price), "barcode": barcode}]}),
        )
        .await
        .expect(StatusCode::CREATED, name);
    }
    // The old call: every product on sale, by name, no header needed.
    let all = app.get(&list, Some(&token)).await.expect(StatusCode::OK, "the plain list");
    let names = |v: &Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(|p| p["name"].as_str().map(str::to_owned)).collect()
    };
    assert_eq!(names(&all), ["Agua", "Bebida", "Ensalada", "Hamburguesa", "Papas fritas"]);

    let by_name = app.get(&format!("{list}?q=ENSA"), Some(&token)).await;
    assert_eq!(by_name.headers.get("x-total-count").and_then(|h| h.to_str().ok()), Some("1"));
    assert_eq!(names(&by_name.expect(StatusCode::OK, "by name")), ["Ensalada"]);
    let by_sku = app.get(&format!("{list}?q=burger-double"), Some(&token)).await.expect(StatusCode::OK, "by sku");
    assert_eq!(names(&by_sku), ["Hamburguesa"]);
    let by_barcode = app.get(&format!("{list}?q=7803"), Some(&token)).await.expect(StatusCode::OK, "by barcode");
    assert_eq!(names(&by_barcode), ["Agua"]);
    let wildcard = app.get(&format!("{list}?q=%25"), Some(&token)).await.expect(StatusCode::OK, "a % is a character");
    assert_eq!(names(&wildcard), Vec::<String>::new());

    let by_price = app.get(&format!("{list}?sort=-price"), Some(&token)).await.expect(StatusCode::OK, "by price");
    assert_eq!(names(&by_price), ["Hamburguesa", "Ensalada", "Papas fritas", "Bebida", "Agua"]);
    let page = app.get(&format!("{list}?sort=name&limit=2&offset=2"), Some(&token)).await;
    assert_eq!(page.headers.get("x-total-count").and_then(|h| h.to_str().ok()), Some("5"));
    assert_eq!(names(&page.expect(StatusCode::OK, "page 2")), ["Ensalada", "Hamburguesa"]);
    let by_category =
        app.get(&format!("{list}?sort=category&limit=2"), Some(&token)).await.expect(StatusCode::OK, "by category");
    assert_eq!(names(&by_category), ["Hamburguesa", "Papas fritas"], "no category first");

    let bad = app
        .get(&format!("{list}?sort=colour&limit=0"), Some(&token))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a bad sort and limit");
    assert_eq!(fields(&bad), ["sort", "limit"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_category_is_renamed_on_all_its_products() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let burger = fx.m(0);
    let token = burger.manager.token(&app).await;
    for product in &burger.products {
        patch(&app, &token, &format!("/api/v1/products/{}", product.id), &json!({"category": "Platos"}))
            .await
            .expect(StatusCode::OK, "a category");
    }
    app.post(&format!("/api/v1/products/{}/archive", burger.products[1].id), Some(&token), &json!({}))
        .await
        .expect(StatusCode::OK, "archive the fries");
    let path = format!("/api/v1/merchants/{}/categories", burger.id);
    let categories = app.get(&path, Some(&token)).await.expect(StatusCode::OK, "categories");
    assert_eq!(categories, json!([{"name": "Platos", "products": 1, "archived_products": 1}]));

    let rename = format!("{path}/rename");
    let bad = app
        .post(&rename, Some(&token), &json!({"from": "Platos", "to": "x".repeat(41)}))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a long name");
    assert_eq!(fields(&bad), ["to"]);
    app.post(&rename, Some(&token), &json!({"from": "Postres", "to": "Dulces"}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "no such category");
    let renamed = app
        .post(&rename, Some(&token), &json!({"from": "Platos", "to": "Fondos"}))
        .await
        .expect(StatusCode::OK, "rename");
    assert_eq!(renamed, json!({"name": "Fondos", "products": 2}));
    let categories = app.get(&path, Some(&token)).await.expect(StatusCode::OK, "categories");
    assert_eq!(categories, json!([{"name": "Fondos", "products": 1, "archived_products": 1}]));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_manager_gets_404_for_another_merchants_catalogue() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (mine, theirs) = (fx.m(0), fx.m(1));
    let token = mine.manager.token(&app).await;
    let product = &theirs.products[0].id;
    let product_path = format!("/api/v1/products/{product}");
    app.get(&product_path, Some(&token)).await.expect_problem(StatusCode::NOT_FOUND, "GET");
    patch(&app, &token, &product_path, &json!({"name": "Mío"})).await.expect_problem(StatusCode::NOT_FOUND, "PATCH");
    app.post(&format!("{product_path}/archive"), Some(&token), &json!({}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "archive");
    for path in
        [format!("/api/v1/merchants/{}/products?q=a", theirs.id), format!("/api/v1/merchants/{}/categories", theirs.id)]
    {
        app.get(&path, Some(&token)).await.expect_problem(StatusCode::NOT_FOUND, &path);
    }

    let mut browser = Browser::new(&app);
    browser.sign_in(&mine.manager.email, &mine.manager.password).await;
    let list = browser.get(&format!("/console/catalog?merchant={}", theirs.id)).await;
    list.expect(StatusCode::OK, "the list shows the manager's own merchant");
    assert!(list.body.contains("Hamburguesa") && !list.body.contains("Roll de salm"));
    let csrf = list.csrf_field();
    browser.get(&format!("/console/catalog/products/{product}")).await.expect(StatusCode::NOT_FOUND, "edit page");
    browser
        .get(&format!("/console/catalog/products/{product}/archive"))
        .await
        .expect(StatusCode::NOT_FOUND, "confirm page");
    browser
        .post_form(&format!("/console/catalog/products/{product}/archive"), &[("csrf", &csrf)])
        .await
        .expect(StatusCode::NOT_FOUND, "archive form");
    browser
        .post_form(&format!("/console/catalog/products/{product}"), &[("csrf", &csrf), ("name", "Mío")])
        .await
        .expect(StatusCode::NOT_FOUND, "edit form");
    let admin = app.admin_token().await;
    let still: Value = app.get(&product_path, Some(&admin)).await.expect(StatusCode::OK, "their product");
    assert_eq!(still["name"], "Roll de salmón");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_manager_creates_and_edits_a_product_from_the_pages() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let burger = fx.m(0);
    let mut browser = Browser::new(&app);
    browser.sign_in(&burger.manager.email, &burger.manager.password).await;
    let form = browser.get("/console/catalog/products/new").await;
    form.expect(StatusCode::OK, "the new product form");
    assert!(form.body.contains("data-testid=\"nav-catalog\""), "the nav links the catalogue");
    assert!(form.body.contains("name=\"allergens\" value=\"gluten\""), "allergens from the domain's table");
    let csrf = form.csrf_field();
    let fields = |sku2: &str| -> Vec<(String, String)> {
        [
            ("csrf", csrf.as_str()),
            ("merchant_id", "someone-else"),
            ("name", "Polera"),
            ("category", "Ropa"),
            ("currency", "CLP"),
            ("track_stock", "1"),
            ("allergens", "milk"),
            ("v.0.sku", "POL-M"),
            ("v.0.price", "9.990"),
            ("v.0.size", "M"),
            ("v.0.color", "Rojo"),
            ("v.1.sku", sku2),
            ("v.1.price", "10990"),
            ("v.1.size", "L"),
            ("v.2.sku", ""),
            ("g.0.name", "Estampado"),
            ("g.0.min", "0"),
            ("g.0.max", "1"),
            ("g.0.o.0.name", "Logo"),
            ("g.0.o.0.price", "1000"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    };
    let taken = fields(FRIES);
    let refs: Vec<(&str, &str)> = taken.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = browser.post_form("/console/catalog/products", &refs).await;
    refused.expect(StatusCode::CONFLICT, "a SKU of the fries");
    assert!(refused.body.contains("data-testid=\"error-variant-sku\""), "at the variant's field");
    assert!(refused.body.contains("ya es de otro producto"), "in Spanish");
    assert!(refused.body.contains("value=\"Polera\"") && refused.body.contains("value=\"Estampado\""), "kept");

    let good = fields("POL-L");
    let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.post_form("/console/catalog/products", &refs).await.expect(StatusCode::SEE_OTHER, "created");
    let token = burger.manager.token(&app).await;
    let found = app
        .get(&format!("/api/v1/merchants/{}/products?q=polera", burger.id), Some(&token))
        .await
        .expect(StatusCode::OK, "the new product");
    let product = &found[0];
    assert_eq!(skus(product), ["POL-L", "POL-M"]);
    assert_eq!(product["variants"][1]["price"]["amount"], 9990);
    assert_eq!(product["variants"][1]["attributes"], json!({"size": "M", "color": "Rojo"}));
    assert_eq!(product["modifier_groups"][0]["name"], "Estampado");
    assert_eq!(product["merchant_id"].as_str(), Some(burger.id.as_str()), "a manager's own merchant");

    // The edit form shows it; a bad price is refused at its row; a good edit saves.
    let id = product["id"].as_str().unwrap_or_default();
    let edit = browser.get(&format!("/console/catalog/products/{id}")).await;
    edit.expect(StatusCode::OK, "the edit form");
    assert!(edit.body.contains(&format!("/console/catalog/products/{id}/photo")), "the photo link");
    let bad = [("csrf", csrf.as_str()), ("name", "Polera"), ("v.0.sku", "POL-M"), ("v.0.price", "diez")];
    let refused = browser.post_form(&format!("/console/catalog/products/{id}"), &bad).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "a price in words");
    assert!(refused.body.contains("data-testid=\"error-variant-price\"") && refused.body.contains("value=\"diez\""));
    let edit = [("csrf", csrf.as_str()), ("name", "Polera básica"), ("v.0.sku", "POL-M"), ("v.0.price", "8990")];
    browser.post_form(&format!("/console/catalog/products/{id}"), &edit).await.expect(StatusCode::SEE_OTHER, "saved");
    let saved: Value =
        app.get(&format!("/api/v1/products/{id}"), Some(&token)).await.expect(StatusCode::OK, "the edited product");
    assert_eq!((saved["name"].as_str(), skus(&saved)), (Some("Polera básica"), vec!["POL-M".to_owned()]));
    // The form sends every column: size and colour left blank are taken off.
    assert_eq!(saved["variants"][0]["attributes"], json!({}));
    app.stop().await;
}
