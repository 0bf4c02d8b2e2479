//! The audit log (issue 15 point 3) over real HTTP: a site's change is recorded with its
//! values before and after; a user's creation, an invitation's acceptance and a password change
//! are recorded with no password in them; the list pages and filters; a merchant's manager reads
//! only its merchant's entries (another merchant's filter or entry is 404); staff are refused
//! (403); the console's page shows the same entries under the same rules.

use crate::common;
use crate::console_pages::Browser;

use common::{ADMIN_EMAIL, ADMIN_PASSWORD, Fixture, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The audit log's entries matching `query` (a query string without `?`), as `token`.
async fn audit(app: &TestApp, token: &str, query: &str) -> Value {
    app.get(&format!("/api/v1/audit-log?{query}"), Some(token)).await.expect(StatusCode::OK, &format!("audit {query}"))
}

/// A `PATCH` with a JSON body as `token`.
async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> common::Resp {
    app.send(reqwest::Method::PATCH, path, Some(token), common::Body::Json(body), &[]).await
}

/// The field change named `field` of an entry.
fn change<'a>(entry: &'a Value, field: &str) -> &'a Value {
    entry["changes"]
        .as_array()
        .and_then(|changes| changes.iter().find(|change| change["field"] == field))
        .unwrap_or_else(|| panic!("no change of {field} in {entry}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_site_change_is_recorded_with_who_and_the_values_before_and_after() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let old_name =
        app.get(&format!("/api/v1/sites/{}", fx.site_id), None).await.expect(StatusCode::OK, "site")["name"].clone();
    let changes =
        json!({"name": "Costanera Renombrada", "accept_within_minutes": 20, "unaccepted_policy": "notify_only"});
    patch(&app, &admin, &format!("/api/v1/sites/{}", fx.site_id), changes)
        .await
        .expect(StatusCode::OK, "change the site");

    let found = audit(&app, &admin, &format!("entity=site&entity_id={}", fx.site_id)).await;
    let entry = &found["items"][0];
    assert_eq!(entry["action"], "updated", "newest first: the change, then the creation: {found}");
    assert_eq!(entry["actor"]["email"], ADMIN_EMAIL);
    assert_eq!(entry["actor"]["role"], "admin");
    assert_eq!(entry["merchant_id"], Value::Null, "a site is the platform's own");
    assert_eq!(entry["before"]["accept_within_minutes"], Value::Null);
    assert_eq!(entry["after"]["accept_within_minutes"], 20);
    assert_eq!(change(entry, "accept_within_minutes")["after"], 20);
    assert_eq!(change(entry, "unaccepted_policy")["before"], "cancel_and_refund");
    assert_eq!(change(entry, "unaccepted_policy")["after"], "notify_only");
    assert_eq!(change(entry, "name")["before"], old_name);
    assert_eq!(change(entry, "name")["after"], "Costanera Renombrada");
    assert!(
        entry["changes"].as_array().is_some_and(|changes| changes.len() == 3),
        "only the changed fields are listed: {entry}"
    );
    assert_eq!(found["items"][1]["action"], "created");

    let one = app
        .get(&format!("/api/v1/audit-log/{}", entry["id"].as_str().unwrap()), Some(&admin))
        .await
        .expect(StatusCode::OK, "one entry");
    assert_eq!(one["id"], entry["id"]);
    app.get("/api/v1/audit-log/aud_missing", Some(&admin)).await.expect_problem(StatusCode::NOT_FOUND, "no such entry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn users_and_passwords_are_recorded_without_any_password() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let password = "clave-secreta-del-cajero-77";
    let created = app
        .post(
            "/api/v1/users",
            Some(&admin),
            &json!({"email": "cajero@burger.test", "password": password, "role": "staff",
                    "merchant_id": fx.m(0).id, "location_id": fx.m(0).location_id}),
        )
        .await
        .expect(StatusCode::CREATED, "create a user");
    let user_id = created["id"].as_str().unwrap().to_owned();
    let cashier = app.login("cajero@burger.test", password).await;
    let new_password = "otra-clave-secreta-88";
    app.post(
        "/api/v1/auth/password",
        Some(&cashier),
        &json!({"current_password": password, "new_password": new_password}),
    )
    .await;

    let found = audit(&app, &admin, &format!("entity=user&entity_id={user_id}")).await;
    assert_eq!(found["total"], 2, "the creation and the password change: {found}");
    let text = found.to_string();
    for secret in [password, new_password, "argon2", "password_hash"] {
        assert!(!text.contains(secret), "the log holds no {secret}: {text}");
    }
    assert_eq!(found["items"][0]["action"], "password_changed");
    assert_eq!(found["items"][0]["actor"]["email"], "cajero@burger.test");
    let creation = &found["items"][1];
    assert_eq!(creation["action"], "created");
    assert_eq!(creation["merchant_id"], fx.m(0).id.as_str(), "a staff user is its merchant's");
    assert_eq!(creation["after"]["email"], "cajero@burger.test");
    assert_eq!(creation["after"]["role"], "staff");

    // An invitation and its acceptance: recorded, with neither the link's token nor a password.
    let invitation = app
        .post(
            "/api/v1/users/invitations",
            Some(&admin),
            &json!({"email": "nueva@burger.test", "role": "staff", "merchant_id": fx.m(0).id,
                    "location_id": fx.m(0).location_id}),
        )
        .await
        .expect(StatusCode::CREATED, "invite");
    let token = invitation["token"].as_str().unwrap();
    app.post(&format!("/api/v1/invitations/{token}/accept"), None, &json!({"password": "primera-clave-1"}))
        .await
        .expect(StatusCode::OK, "accept");
    let invited = audit(&app, &admin, "entity=invitation").await;
    let actions: Vec<&str> = invited["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["accepted", "created"]);
    let text = invited.to_string();
    assert!(!text.contains(token) && !text.contains("primera-clave-1"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_log_pages_and_filters() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;

    let everything = audit(&app, &admin, "per_page=100").await;
    let total = everything["total"].as_i64().unwrap();
    assert!(total >= 6, "the fixture's site, merchants, locations, users and products: {total}");
    let first = audit(&app, &admin, "per_page=2&page=1").await;
    let second = audit(&app, &admin, "per_page=2&page=2").await;
    assert_eq!(
        (first["total"].as_i64(), first["page"].as_i64(), first["per_page"].as_i64()),
        (Some(total), Some(1), Some(2))
    );
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    assert_ne!(first["items"][0]["id"], second["items"][0]["id"], "pages do not repeat");
    assert_eq!(first["items"][0]["id"], everything["items"][0]["id"], "newest first on every page");
    let times: Vec<&str> = everything["items"].as_array().unwrap().iter().filter_map(|e| e["at"].as_str()).collect();
    assert!(times.windows(2).all(|pair| pair[0] >= pair[1]), "newest first: {times:?}");

    let of_merchant = audit(&app, &admin, &format!("merchant_id={}", fx.m(1).id)).await;
    assert!(of_merchant["total"].as_i64() > Some(0));
    assert!(of_merchant["items"].as_array().unwrap().iter().all(|e| e["merchant_id"] == fx.m(1).id.as_str()));
    let products = audit(&app, &admin, "entity=product").await;
    assert!(products["items"].as_array().unwrap().iter().all(|e| e["entity"] == "product" && e["action"] == "created"));
    assert!(products["total"].as_i64() >= Some(2));

    // Text search finds a value inside the snapshots, in any case; the actor filter by e-mail.
    let name = fx.m(0).name.to_uppercase();
    let by_text = audit(&app, &admin, &common::qs(&[("q", &name)])).await;
    assert!(by_text["items"].as_array().unwrap().iter().any(|e| e["entity_id"] == fx.m(0).id.as_str()), "{by_text}");
    let by_actor = audit(&app, &admin, &common::qs(&[("actor", ADMIN_EMAIL)])).await;
    assert_eq!(by_actor["total"].as_i64(), Some(total), "the admin made every change of the fixture");
    let nobody = audit(&app, &admin, "actor=nobody%40else.test").await;
    assert_eq!(nobody["total"], 0);

    for bad in ["entity=spaceship", "per_page=101", "page=0", "q=%00"] {
        let refused = app.get(&format!("/api/v1/audit-log?{bad}"), Some(&admin)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {:?}", refused.body);
    }
    app.get("/api/v1/audit-log?merchant_id=mer_nobody", Some(&admin))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "an unknown merchant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_manager_reads_only_its_merchants_entries_and_staff_none() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let manager = fx.m(0).manager.token(&app).await;

    // The manager changes its location: recorded under its merchant, by the manager.
    patch(&app, &manager, &format!("/api/v1/locations/{}", fx.m(0).location_id), json!({"prep_minutes": 25}))
        .await
        .expect(StatusCode::OK, "the manager changes its location");

    let own = audit(&app, &manager, "per_page=100").await;
    let items = own["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|e| e["merchant_id"] == fx.m(0).id.as_str()), "only its merchant's: {own}");
    let latest = &items[0];
    assert_eq!((latest["entity"].as_str(), latest["action"].as_str()), (Some("location"), Some("updated")));
    assert_eq!(latest["actor"]["email"], fx.m(0).manager.email.as_str());
    assert_eq!(change(latest, "prep_minutes")["after"], 25);
    audit(&app, &manager, &format!("merchant_id={}", fx.m(0).id)).await;

    // Another merchant: its filter and its entries are not found, and so are the platform's.
    app.get(&format!("/api/v1/audit-log?merchant_id={}", fx.m(1).id), Some(&manager))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's filter");
    let theirs = audit(&app, &admin, &format!("merchant_id={}&per_page=1", fx.m(1).id)).await;
    let their_entry = theirs["items"][0]["id"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/audit-log/{their_entry}"), Some(&manager))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's entry");
    let site_entry = audit(&app, &admin, "entity=site&per_page=1").await["items"][0]["id"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/audit-log/{site_entry}"), Some(&manager))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "a platform entry");
    let mine = latest["id"].as_str().unwrap();
    app.get(&format!("/api/v1/audit-log/{mine}"), Some(&manager)).await.expect(StatusCode::OK, "its own entry");

    let staff = fx.m(0).staff.token(&app).await;
    app.get("/api/v1/audit-log", Some(&staff)).await.expect_problem(StatusCode::FORBIDDEN, "staff");
    app.get(&format!("/api/v1/audit-log/{mine}"), Some(&staff)).await.expect_problem(StatusCode::FORBIDDEN, "staff");
    app.get("/api/v1/audit-log", None).await.expect_problem(StatusCode::UNAUTHORIZED, "nobody signed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_console_page_shows_the_log_under_the_same_rules() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    patch(&app, &admin, &format!("/api/v1/sites/{}", fx.site_id), json!({"accept_within_minutes": 45}))
        .await
        .expect(StatusCode::OK, "change the site");

    let mut browser = Browser::new(&app);
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = browser.get("/console/audit?entity=site").await;
    page.expect(StatusCode::OK, "the audit page");
    assert!(page.body.contains("data-testid=\"nav-audit\""), "the nav links the page");
    assert!(page.body.contains("Registro de cambios"), "in Spanish");
    assert!(page.body.contains("data-field=\"accept_within_minutes\""), "the changed field is shown");
    assert!(page.body.contains("<ins data-testid=\"audit-after\">45</ins>"), "with its new value");
    assert!(!page.body.contains("data-entity=\"merchant\""), "filtered to sites");
    let second = browser.get("/console/audit?page=2&entity=site").await;
    second.expect(StatusCode::OK, "a page past the end is an empty page");

    let mut manager = Browser::new(&app);
    manager.sign_in(&fx.m(0).manager.email, &fx.m(0).manager.password).await;
    let own = manager.get("/console/audit").await;
    own.expect(StatusCode::OK, "the manager's page");
    assert!(own.body.contains(&fx.m(0).location_id) && !own.body.contains(&fx.m(1).location_id), "its merchant only");
    assert!(!own.body.contains("data-entity=\"site\""), "no platform entries");
    manager
        .get(&format!("/console/audit?merchant_id={}", fx.m(1).id))
        .await
        .expect(StatusCode::NOT_FOUND, "another merchant's filter");

    let mut staff = Browser::new(&app);
    staff.sign_in(&fx.m(0).staff.email, &fx.m(0).staff.password).await;
    staff.get("/console/audit").await.expect(StatusCode::FORBIDDEN, "staff");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_back_office_edits_are_recorded_too() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let a = fx.m(0);
    let admin = app.admin_token().await;
    let manager = a.manager.token(&app).await;

    // A merchant's commission, by the admin.
    patch(&app, &admin, &format!("/api/v1/merchants/{}", a.id), json!({"commission_bps": 1234}))
        .await
        .expect(StatusCode::OK, "a new commission");
    let found = audit(&app, &admin, &format!("entity=merchant&entity_id={}", a.id)).await;
    assert_eq!(change(&found["items"][0], "commission_bps")["after"], 1234, "{found}");

    // A product renamed and archived by its manager: two entries, the manager's merchant's.
    let product = a.products[0].id.clone();
    patch(&app, &manager, &format!("/api/v1/products/{product}"), json!({"name": "Hamburguesa de la casa"}))
        .await
        .expect(StatusCode::OK, "a product renamed");
    app.post(&format!("/api/v1/products/{product}/archive"), Some(&manager), &json!({}))
        .await
        .expect(StatusCode::OK, "a product archived");
    let found = audit(&app, &manager, &format!("entity=product&entity_id={product}")).await;
    let actions: Vec<&str> =
        found["items"].as_array().into_iter().flatten().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["archived", "updated", "created"], "newest first: {found}");
    assert_eq!(change(&found["items"][0], "archived")["after"], true);
    assert_eq!(change(&found["items"][1], "name")["after"], "Hamburguesa de la casa");
    assert_eq!(found["items"][1]["merchant_id"], a.id.as_str());
    app.stop().await;
}
