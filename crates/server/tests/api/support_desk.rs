//! The agents' console and the desk's macros over HTTP (issue 18 points 1–4): agents and
//! admins write, list, change and remove macros, a store's users are refused, a missing macro
//! is 404 and bad input names its fields; the pages `/support`, `/support/tickets/{id}` and
//! `/support/macros` open for an agent and are refused to staff.

use crate::common;
use crate::console_pages::Browser;

use common::{Body, Fixture, TestApp, assert_validation_problem};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn agent_token(app: &TestApp) -> String {
    let admin = app.admin_token().await;
    let body = json!({"email": "mesa@soporte.test", "password": "agent-password-1", "role": "support_agent"});
    app.post("/api/v1/users", Some(&admin), &body).await.expect(StatusCode::CREATED, "a support agent");
    app.login("mesa@soporte.test", "agent-password-1").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn agents_keep_the_desks_macros_and_stores_may_not_touch_them() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let staff = fx.m(0).staff.token(&app).await;
    let manager = fx.m(0).manager.token(&app).await;
    let agent = agent_token(&app).await;
    let admin = app.admin_token().await;

    let saved = app
        .post(
            "/api/v1/support/macros",
            Some(&agent),
            &json!({"title": " Saludo ", "body": "Hola {store}, revisamos el ticket #{number}."}),
        )
        .await
        .expect(StatusCode::CREATED, "an agent saves a macro");
    assert_eq!(saved["title"], "Saludo");
    let id = saved["id"].as_str().unwrap_or_default().to_owned();
    app.post(
        "/api/v1/support/macros",
        Some(&admin),
        &json!({"title": "Añadir papel", "body": "Cambie el rollo, {cashier}."}),
    )
    .await
    .expect(StatusCode::CREATED, "an admin saves a macro");

    let listed = app.get("/api/v1/support/macros", Some(&agent)).await;
    assert_eq!(listed.status, StatusCode::OK, "the desk's macros: {}", listed.body);
    assert_eq!(listed.headers.get("x-total-count").and_then(|v| v.to_str().ok()), Some("2"));
    let titles: Vec<&str> =
        listed.body.as_array().map(|all| all.iter().filter_map(|m| m["title"].as_str()).collect()).unwrap_or_default();
    assert_eq!(titles, ["Añadir papel", "Saludo"], "by title");

    // A store's users are refused: macros are the desk's tool.
    for token in [&staff, &manager] {
        app.get("/api/v1/support/macros", Some(token)).await.expect(StatusCode::FORBIDDEN, "a store lists no macros");
        app.post("/api/v1/support/macros", Some(token), &json!({"title": "x", "body": "y"}))
            .await
            .expect(StatusCode::FORBIDDEN, "a store writes no macros");
        app.send(Method::DELETE, &format!("/api/v1/support/macros/{id}"), Some(token), Body::None, &[])
            .await
            .expect(StatusCode::FORBIDDEN, "a store removes no macros");
    }
    app.get("/api/v1/support/macros", None).await.expect(StatusCode::UNAUTHORIZED, "no token");

    // Bad input names every field; a placeholder typo is refused.
    let bad = app.post("/api/v1/support/macros", Some(&agent), &json!({"title": "", "body": ""})).await;
    assert_validation_problem(&bad, "empty title and body");
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|f| f["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(fields, ["title", "body"]);
    let typo =
        app.post("/api/v1/support/macros", Some(&agent), &json!({"title": "Typo", "body": "Hola {tienda}"})).await;
    assert_validation_problem(&typo, "an unknown placeholder");
    let long = app.post("/api/v1/support/macros", Some(&agent), &json!({"title": "x".repeat(121), "body": "y"})).await;
    assert_validation_problem(&long, "a title too long");
    let nothing = app
        .send(Method::PATCH, &format!("/api/v1/support/macros/{id}"), Some(&agent), Body::Json(json!({})), &[])
        .await;
    assert_validation_problem(&nothing, "a change with no field");
    let not_json = app.post("/api/v1/support/macros", Some(&agent), &json!({"title": 5})).await;
    assert!(not_json.status.is_client_error(), "a malformed body is a 4xx: {}", not_json.status);

    // Change, then remove; a missing macro is 404.
    let changed = app
        .send(
            Method::PATCH,
            &format!("/api/v1/support/macros/{id}"),
            Some(&agent),
            Body::Json(json!({"body": "Hola {store}"})),
            &[],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "an agent changes a macro: {}", changed.body);
    assert_eq!((changed.body["title"].as_str(), changed.body["body"].as_str()), (Some("Saludo"), Some("Hola {store}")));
    app.send(Method::DELETE, &format!("/api/v1/support/macros/{id}"), Some(&agent), Body::None, &[])
        .await
        .expect(StatusCode::NO_CONTENT, "an agent removes a macro");
    app.send(Method::DELETE, &format!("/api/v1/support/macros/{id}"), Some(&agent), Body::None, &[])
        .await
        .expect(StatusCode::NOT_FOUND, "removed twice");
    app.send(Method::PATCH, "/api/v1/support/macros/mac_missing", Some(&agent), Body::Json(json!({"title": "x"})), &[])
        .await
        .expect(StatusCode::NOT_FOUND, "a missing macro");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_desks_pages_open_for_agents_and_are_refused_to_staff() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let shop = fx.m(0);
    let staff_token = shop.staff.token(&app).await;
    agent_token(&app).await;
    let ticket = app
        .post(
            "/api/v1/support/tickets",
            Some(&staff_token),
            &json!({"location_id": shop.location_id, "subject": "Sin papel"}),
        )
        .await
        .expect(StatusCode::CREATED, "a ticket to look at");
    let ticket_path = format!("/support/tickets/{}", ticket["id"].as_str().unwrap_or_default());

    let mut agent = Browser::new(&app);
    let form = agent.get("/console/login?next=/support").await;
    form.expect(StatusCode::OK, "login form");
    let csrf = form.csrf_field();
    agent
        .post_form(
            "/console/login",
            &[("email", "mesa@soporte.test"), ("password", "agent-password-1"), ("csrf", &csrf), ("next", "/support")],
        )
        .await
        .redirects_to("/support", "an agent signs in to the desk");
    for path in ["/support", ticket_path.as_str(), "/support/macros"] {
        let page = agent.get(path).await;
        page.expect(StatusCode::OK, path);
        assert!(
            page.body.contains("/support/kb") && page.body.contains("/support/sla"),
            "{path} links the desk's pages"
        );
    }
    agent.get("/support/tickets/tkt_missing").await.expect(StatusCode::NOT_FOUND, "a missing ticket");
    agent.get("/static/support/ticket.js").await.expect(StatusCode::OK, "the ticket page's script");

    let mut staff = Browser::new(&app);
    staff.sign_in(&shop.staff.email, &shop.staff.password).await;
    for path in ["/support", ticket_path.as_str(), "/support/macros"] {
        staff.get(path).await.expect(StatusCode::FORBIDDEN, "staff do not work the desk");
    }
    let mut nobody = Browser::new(&app);
    let answer = nobody.get("/support").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "no session: to the login page");
    assert!(answer.location.as_deref().is_some_and(|to| to.starts_with("/console/login?next=")), "{answer:?}");
}
