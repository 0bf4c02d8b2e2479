//! Covers `GET /healthz` and the OpenAPI 3.1 document at `GET /api/openapi.json`: it must have
//! a path entry, with the right method, for every route of the contract.

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
