//! Covers `GET /healthz` and the OpenAPI 3.1 document at `GET /api/openapi.json`: it must have
//! a path entry, with the right method, for every route of the contract; every error answer is
//! documented as `application/problem+json`, and the limits the server enforces are in its schemas.

use crate::common;

use common::TestApp;
use reqwest::StatusCode;

/// Every contract route as (method, path with `{}` for parameters).
const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/sites"),
    ("post", "/api/v1/merchants"),
    ("post", "/api/v1/locations"),
    ("post", "/api/v1/users"),
    ("post", "/api/v1/products"),
    ("post", "/api/v1/stock/movements"),
    ("get", "/api/v1/stock"),
    ("get", "/api/v1/stock/events"),
    ("get", "/api/v1/sites/{}/menu"),
    ("post", "/api/v1/orders"),
    ("get", "/api/v1/orders/{}"),
    ("get", "/api/v1/orders/{}/events"),
    ("get", "/api/v1/locations/{}/fulfillments"),
    ("post", "/api/v1/fulfillments/{}/transition"),
    ("get", "/api/v1/merchants/{}/settlement"),
    ("post", "/api/v1/webhooks"),
    ("get", "/api/v1/webhooks/{}/deliveries"),
    ("post", "/api/v1/pos/devices"),
    ("post", "/api/v1/pos/sessions"),
    ("post", "/api/v1/pos/sessions/{}/close"),
    ("post", "/api/v1/pos/sales"),
    ("get", "/api/v1/pos/devices/{}/receipts"),
    ("get", "/api/v1/stock/conflicts"),
    // Product photos (issue 15 point 2).
    ("post", "/api/v1/products/{}/photo"),
    ("delete", "/api/v1/products/{}/photo"),
    // Store credit and gift cards (issue 17 point 8).
    ("post", "/api/v1/gift-cards"),
    ("get", "/api/v1/gift-cards"),
    ("get", "/api/v1/gift-cards/balance"),
    ("post", "/api/v1/store-credit"),
    ("get", "/api/v1/store-credit"),
    ("get", "/api/v1/merchants/{}/credit-policy"),
    ("put", "/api/v1/merchants/{}/credit-policy"),
];

/// `/a/{site_id}/b` → `/a/{}/b`, so parameter names do not matter.
fn normalize(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_200() {
    let app = TestApp::spawn().await;
    let resp = app.get("/healthz", None).await;
    assert_eq!(resp.status, StatusCode::OK, "GET /healthz: {:?}", resp.body);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_is_3_1_and_covers_every_route() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/openapi.json", None).await.expect(StatusCode::OK, "GET /api/openapi.json");
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1"), "`openapi` must be 3.1.x, got {:?}", doc["openapi"]);
    let paths = doc["paths"].as_object().expect("the document needs a `paths` object");
    let documented: Vec<(String, &serde_json::Value)> = paths.iter().map(|(p, item)| (normalize(p), item)).collect();
    let mut missing = Vec::new();
    for (method, route) in ROUTES {
        let found = documented.iter().any(|(p, item)| p == route && item.get(*method).is_some());
        if !found {
            missing.push(format!("{} {route}", method.to_uppercase()));
        }
    }
    assert!(
        missing.is_empty(),
        "routes missing from the OpenAPI document: {missing:?}; documented paths: {:?}",
        paths.keys().collect::<Vec<_>>()
    );
    app.stop().await;
}

/// The operations of the served document, as (`METHOD path`, operation).
fn operations(doc: &serde_json::Value) -> Vec<(String, &serde_json::Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch", "head"] {
            if let Some(operation) = item.get(method) {
                found.push((format!("{} {path}", method.to_uppercase()), operation));
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_answer_is_documented_as_problem_json() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/openapi.json", None).await.expect(StatusCode::OK, "GET /api/openapi.json");
    let mut wrong = Vec::new();
    for (name, operation) in operations(&doc) {
        let responses = operation["responses"].as_object().expect("responses");
        for (status, response) in responses {
            if !(status.starts_with('4') || status.starts_with('5')) {
                continue;
            }
            let content = response["content"].as_object().cloned().unwrap_or_default();
            let problem = content.get("application/problem+json").map(|c| &c["schema"]["$ref"]);
            if problem.and_then(|r| r.as_str()) != Some("#/components/schemas/Problem") || content.len() != 1 {
                wrong.push(format!("{name} {status}: {:?}", content.keys().collect::<Vec<_>>()));
            }
        }
        // What every operation of a kind can answer, from its extractors and layers.
        let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
        let has_path = parameters.iter().any(|p| p["in"] == "path");
        let has_body = operation.get("requestBody").is_some();
        let signed_in = operation.get("security").is_some();
        let mut expected = vec!["500"];
        if has_body {
            expected.extend(["400", "413", "415", "422"]);
        }
        if has_path {
            expected.extend(["400", "404", "422"]);
        }
        if signed_in {
            expected.extend(["401", "403"]);
        }
        for status in expected {
            if !responses.contains_key(status) {
                wrong.push(format!("{name}: no {status}"));
            }
        }
    }
    assert!(wrong.is_empty(), "error answers not documented as application/problem+json: {wrong:#?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_states_the_limits_the_server_enforces() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/openapi.json", None).await.expect(StatusCode::OK, "GET /api/openapi.json");
    // Page size 1 to 500 on every list that pages.
    let mut pages = 0;
    for (name, operation) in operations(&doc) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            if parameter["name"] == "limit" {
                pages += 1;
                assert_eq!(parameter["schema"]["minimum"], 1, "{name}: limit minimum");
                assert_eq!(parameter["schema"]["maximum"], 500, "{name}: limit maximum");
            }
        }
    }
    assert!(pages >= 10, "the paged lists document their limit ({pages} found)");
    let schemas = &doc["components"]["schemas"];
    for (schema, field) in [("CreateUser", "password"), ("PasswordChange", "new_password")] {
        let password = &schemas[schema]["properties"][field];
        assert_eq!(password["minLength"], 10, "{schema}.{field}: {password}");
        assert_eq!(password["maxLength"], 200, "{schema}.{field}: {password}");
    }
    let quantity = &schemas["OrderLineRequest"]["properties"]["quantity"];
    assert_eq!((quantity["minimum"].as_i64(), quantity["maximum"].as_i64()), (Some(1), Some(9_999)), "{quantity}");
    let lines = &schemas["PlaceOrder"]["properties"]["lines"];
    assert_eq!((lines["minItems"].as_i64(), lines["maxItems"].as_i64()), (Some(1), Some(200)), "{lines}");

    // PromotionRequest.kind: one object per kind, told apart by a required `type`, as serde reads it.
    let kind = &schemas["PromotionRequest"]["properties"]["kind"];
    let kind = match kind["$ref"].as_str() {
        Some(reference) => &schemas[reference.trim_start_matches("#/components/schemas/")],
        None => kind,
    };
    let variants = kind["oneOf"].as_array().unwrap_or_else(|| panic!("kind must be a oneOf: {kind}"));
    let mut types: Vec<&str> = variants
        .iter()
        .map(|variant| {
            let required = variant["required"].as_array().cloned().unwrap_or_default();
            assert!(required.contains(&serde_json::json!("type")), "every kind requires `type`: {variant}");
            variant["properties"]["type"]["enum"][0].as_str().unwrap_or_else(|| panic!("a `type` word: {variant}"))
        })
        .collect();
    types.sort_unstable();
    assert_eq!(
        types,
        ["amount_off_lines", "amount_off_order", "bundle", "buy_x_get_y", "percent_off_lines", "percent_off_order"]
    );
    app.stop().await;
}
