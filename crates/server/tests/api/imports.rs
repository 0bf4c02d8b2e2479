//! CSV imports over HTTP: stock counts and products, every good row applied, every bad row
//! reported with its line number and reasons, nothing else changed.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common;
use common::fixture::{BURGER, FRIES, SUSHI, TEA};
use common::{Body, Fixture, TestApp};

/// POSTs a CSV body to an import route.
async fn import(app: &TestApp, route: &str, token: &str, csv: &str) -> common::Resp {
    let path = format!("/api/v1/imports/{route}");
    let body = Body::Raw(csv.as_bytes().to_vec());
    app.send(Method::POST, &path, Some(token), body, &[("content-type", "text/csv")]).await
}

fn rejected_lines(report: &Value) -> Vec<u64> {
    report["rejected"]
        .as_array()
        .expect("rejected is an array")
        .iter()
        .map(|r| r["line"].as_u64().unwrap_or(0))
        .collect()
}

#[tokio::test]
async fn stock_import_applies_good_rows_and_reports_bad_ones() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let admin = app.admin_token().await;
    let burger = fx.merchant_of(BURGER);
    let sushi = fx.merchant_of(SUSHI);
    let csv = format!(
        "sku,location_id,on_hand\n{BURGER},{b},42\n{SUSHI},{b},5\n{FRIES},nowhere,3\n{BURGER},{b},-1\n{SUSHI},{s},7\n{TEA},{s},4\nbroken,row\n",
        b = burger.location_id,
        s = sushi.location_id,
    );
    let report = import(&app, "stock", &admin, &csv).await.expect(StatusCode::OK, "stock import");
    assert_eq!(report["rows"], 7, "{report}");
    assert_eq!(report["applied"], 2, "{report}");
    assert_eq!(
        rejected_lines(&report),
        [3, 4, 5, 7, 8],
        "sushi at the burger place, unknown location, negative, untracked tea, short row: {report}"
    );
    for rejected in report["rejected"].as_array().into_iter().flatten() {
        assert!(!rejected["errors"].as_array().expect("errors").is_empty(), "each rejected row says why: {rejected}");
    }
    assert_eq!(app.stock_level(&admin, &burger.location_id, BURGER).await.on_hand, 42);
    assert_eq!(app.stock_level(&admin, &sushi.location_id, SUSHI).await.on_hand, 7);
    let history = format!("/api/v1/stock/movements?location_id={}&sku={BURGER}", burger.location_id);
    let movements = app.get(&history, Some(&admin)).await.expect(StatusCode::OK, "history");
    assert_eq!(movements[0]["reason"], "count", "the import is recorded as a count: {movements}");
}

#[tokio::test]
async fn stock_import_is_scoped_to_the_callers_merchant_and_needs_csv() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let sushi = fx.merchant_of(SUSHI);
    let burger_manager = fx.merchant_of(BURGER).manager.token(&app).await;
    let csv = format!("sku,location_id,on_hand\n{SUSHI},{},99\n", sushi.location_id);
    let report = import(&app, "stock", &burger_manager, &csv).await.expect(StatusCode::OK, "import");
    assert_eq!((report["applied"].as_u64(), rejected_lines(&report)), (Some(0), vec![2]), "{report}");
    let admin = app.admin_token().await;
    assert_ne!(
        app.stock_level(&admin, &sushi.location_id, SUSHI).await.on_hand,
        99,
        "another merchant's stock is untouched"
    );

    let json_body = app.post("/api/v1/imports/stock", Some(&admin), &serde_json::json!({"csv": csv})).await;
    common::assert_problem(&json_body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "JSON is not CSV");
    let wrong_header = import(&app, "stock", &admin, "product,where\nx,y\n").await;
    common::assert_problem(&wrong_header, StatusCode::UNPROCESSABLE_ENTITY, "a file with the wrong columns");
    let anonymous = app
        .send(Method::POST, "/api/v1/imports/stock", None, Body::Raw(csv.into_bytes()), &[("content-type", "text/csv")])
        .await;
    common::assert_problem(&anonymous, StatusCode::UNAUTHORIZED, "no token");
}

#[tokio::test]
async fn catalog_import_creates_products_with_their_variants() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let admin = app.admin_token().await;
    let pizza = fx.m(2);
    let csv = format!(
        "merchant_id,product,sku,price,currency,barcode,track_stock\n\
         {m},Calzone,CALZONE-M,9490,CLP,,true\n\
         {m},Calzone,CALZONE-L,11490,CLP,7801234567890,true\n\
         {m},Agua,AGUA-500,abc,CLP,,\n\
         {m},Limonada,{BURGER}X,1990,XXX,,\n\
         nobody,Pan,PAN-1,500,CLP,,\n\
         {m},Duplicada,CALZONE-M,100,CLP,,\n",
        m = pizza.id,
    );
    let report = import(&app, "catalog", &admin, &csv).await.expect(StatusCode::OK, "catalog import");
    assert_eq!(report["applied"], 2, "{report}");
    assert_eq!(rejected_lines(&report), [4, 5, 6, 7], "{report}");
    let products = app
        .get(&format!("/api/v1/merchants/{}/products", pizza.id), Some(&admin))
        .await
        .expect(StatusCode::OK, "products");
    let calzone =
        products.as_array().expect("array").iter().find(|p| p["name"] == "Calzone").expect("the Calzone product");
    let skus: Vec<&str> =
        calzone["variants"].as_array().expect("variants").iter().filter_map(|v| v["sku"].as_str()).collect();
    assert_eq!(skus, ["CALZONE-L", "CALZONE-M"], "one product, two variants");
    let staff = pizza.staff.token(&app).await;
    let refused = import(&app, "catalog", &staff, &csv).await;
    common::assert_problem(&refused, StatusCode::FORBIDDEN, "staff may not import the catalog");
}
