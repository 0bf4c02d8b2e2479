//! Webhook signing secrets are shown once: in the answer that creates an endpoint and in the one
//! that rotates its secret (`POST /api/v1/webhooks/{id}/rotate-secret`, the merchant's manager
//! or an admin). Lists, the PATCH answer and delivery logs never carry one — not to a support
//! agent, not to anyone — and after a rotation deliveries are signed with the new secret only.

use crate::common;

use common::fixture::BURGER;
use common::webhook::{Receiver, random_secret, signature_is_valid};
use common::{Fixture, Payment, Resp, TestApp, assert_validation_problem, id};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Whether any string in `value` is or contains a `whsec_` secret, or any key is `secret`.
fn shows_a_secret(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains("whsec_"),
        Value::Array(items) => items.iter().any(shows_a_secret),
        Value::Object(map) => map.iter().any(|(key, item)| key == "secret" || shows_a_secret(item)),
        _ => false,
    }
}

async fn create_support_agent(app: &TestApp) -> String {
    let admin = app.admin_token().await;
    let body = json!({"email": "agent@support.test", "password": "agent-password-1", "role": "support_agent"});
    app.post("/api/v1/users", Some(&admin), &body).await.expect(StatusCode::CREATED, "a support agent");
    app.login("agent@support.test", "agent-password-1").await
}

async fn rotate(app: &TestApp, token: &str, webhook_id: &str, body: Option<Value>) -> Resp {
    let path = format!("/api/v1/webhooks/{webhook_id}/rotate-secret");
    let body = body.map_or(common::Body::None, common::Body::Json);
    app.send(Method::POST, &path, Some(token), body, &[]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_secret_is_shown_at_creation_and_never_in_a_list() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(0).build(&app).await;
    let admin = app.admin_token().await;
    let manager = fx.m(0).manager.token(&app).await;
    let agent = create_support_agent(&app).await;
    let url = "http://127.0.0.1:9/hooks";

    let platform = app
        .post("/api/v1/webhooks", Some(&admin), &json!({"url": url, "events": ["order.created"]}))
        .await
        .expect(StatusCode::CREATED, "the admin's webhook");
    assert!(platform["secret"].as_str().is_some_and(|secret| secret.starts_with("whsec_")), "shown once: {platform}");
    let given = random_secret();
    let merchants = app
        .post("/api/v1/webhooks", Some(&manager), &json!({"url": url, "events": ["order.created"], "secret": given}))
        .await
        .expect(StatusCode::CREATED, "the manager's webhook");
    assert_eq!(merchants["secret"], given.as_str(), "the given secret is echoed once");

    for (token, who, count) in [(&admin, "admin", 2), (&manager, "manager", 1), (&agent, "support agent", 2)] {
        let list = app.get("/api/v1/webhooks", Some(token)).await.expect(StatusCode::OK, who);
        assert_eq!(list.as_array().map(Vec::len), Some(count), "{who}: {list}");
        assert!(!shows_a_secret(&list), "{who} sees a secret in the list: {list}");
        for webhook in list.as_array().into_iter().flatten() {
            assert!(webhook["url"].is_string() && webhook["events"].is_array(), "the rest is shown: {webhook}");
        }
    }
    let patched = app
        .send(
            Method::PATCH,
            &format!("/api/v1/webhooks/{}", id(&merchants)),
            Some(&manager),
            common::Body::Json(json!({"enabled": false})),
            &[],
        )
        .await
        .expect(StatusCode::OK, "PATCH");
    assert!(!shows_a_secret(&patched), "{patched}");
    let log = app
        .get(&format!("/api/v1/webhooks/{}/deliveries", id(&platform)), Some(&agent))
        .await
        .expect(StatusCode::OK, "the agent reads a log");
    assert!(!shows_a_secret(&log), "{log}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rotated_secret_is_shown_once_and_signs_what_follows() {
    let receiver = Receiver::start(0).await;
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let manager = fx.m(0).manager.token(&app).await;
    let first = random_secret();
    let body = json!({"url": receiver.url(), "events": ["order.created"], "secret": first});
    let webhook = id(&app.post("/api/v1/webhooks", Some(&manager), &body).await.expect(StatusCode::CREATED, "create"));

    // Who may not rotate it.
    let agent = create_support_agent(&app).await;
    rotate(&app, &agent, &webhook, None).await.expect_problem(StatusCode::FORBIDDEN, "a support agent rotates");
    let staff = fx.m(0).staff.token(&app).await;
    rotate(&app, &staff, &webhook, None).await.expect_problem(StatusCode::FORBIDDEN, "staff rotates");
    let other = fx.m(1).manager.token(&app).await;
    rotate(&app, &other, &webhook, None).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's manager");
    rotate(&app, &admin, "whk_nope", None).await.expect_problem(StatusCode::NOT_FOUND, "an unknown webhook");
    let weak = rotate(&app, &manager, &webhook, Some(json!({"secret": "whsec_c2hvcnQ="}))).await;
    assert_validation_problem(&weak, "a weak secret");
    app.post(&format!("/api/v1/webhooks/{webhook}/rotate-secret"), None, &json!({}))
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "without a token");

    // The manager rotates (no body: one is generated); the answer shows it, the list does not.
    let rotated = rotate(&app, &manager, &webhook, None).await.expect(StatusCode::OK, "rotate");
    assert_eq!(rotated["id"], webhook.as_str(), "{rotated}");
    let second = rotated["secret"].as_str().unwrap_or_default().to_owned();
    assert!(second.starts_with("whsec_") && second != first, "a new secret: {rotated}");
    let list = app.get("/api/v1/webhooks", Some(&manager)).await.expect(StatusCode::OK, "list");
    assert!(!shows_a_secret(&list), "{list}");

    app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    let attempts = receiver.wait_until(5, "a delivery after the rotation", |all| !all.is_empty()).await;
    assert!(signature_is_valid(&second, &attempts[0]), "signed with the new secret");
    assert!(!signature_is_valid(&first, &attempts[0]), "not with the old one");

    // An admin may rotate it too, to a secret of their choosing.
    let chosen = random_secret();
    let by_admin =
        rotate(&app, &admin, &webhook, Some(json!({"secret": chosen}))).await.expect(StatusCode::OK, "admin");
    assert_eq!(by_admin["secret"], chosen.as_str(), "{by_admin}");
    app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    let attempts = receiver.wait_until(5, "a delivery after the second rotation", |all| all.len() >= 2).await;
    assert!(signature_is_valid(&chosen, &attempts[1]), "signed with the admin's secret");
    // A JSON `null` or `{}` body asks for a generated one, like no body.
    for body in [Value::Null, json!({})] {
        let generated = rotate(&app, &admin, &webhook, Some(body.clone())).await.expect(StatusCode::OK, "generated");
        assert!(generated["secret"].as_str().is_some_and(|secret| secret.starts_with("whsec_")), "{body}: {generated}");
    }
    app.stop().await;
}
