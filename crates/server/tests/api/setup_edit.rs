//! Changing what setup made (issue 15 point 1), over real HTTP: `PATCH /merchants/{id}` and its
//! page change a merchant's name, commission and tax id with the same rules as creating one
//! (every bad field named, nothing saved), only for admins; a location's channels page sets a
//! channel's switch, safety buffer and hold as `PUT /locations/{id}/channels/{channel}` does,
//! for its manager but not another merchant's (404).

use crate::common;
use crate::console_pages::Browser;

use common::{ADMIN_EMAIL, ADMIN_PASSWORD, Body, Fixture, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_admin_edits_a_merchant_with_the_rules_it_was_created_with() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(0).build(&app).await;
    let (a, b) = (fx.m(0), fx.m(1));
    let token = app.admin_token().await;
    let path = format!("/api/v1/merchants/{}", a.id);

    // The API: only the fields sent change.
    let changed = app
        .send(
            Method::PATCH,
            &path,
            Some(&token),
            Body::Json(json!({"commission_bps": 1250, "tax_id": "76.123.456-7"})),
            &[],
        )
        .await
        .expect(StatusCode::OK, "a new commission and tax id");
    assert_eq!(changed["commission_bps"], 1250);
    assert_eq!(changed["tax_id"], "76.123.456-7");
    assert_eq!(changed["name"], a.name.as_str(), "the name is kept");
    let refused = app
        .send(Method::PATCH, &path, Some(&token), Body::Json(json!({"name": "", "commission_bps": 20000})), &[])
        .await;
    common::assert_validation_problem(&refused, "a blank name and a commission over 100 %");
    let fields: Vec<&str> =
        refused.body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    assert!(fields.contains(&"name") && fields.contains(&"commission_bps"), "both fields named: {fields:?}");
    let now: Value = app.get(&path, Some(&token)).await.expect(StatusCode::OK, "the merchant");
    assert_eq!(
        (now["name"].as_str(), now["commission_bps"].as_i64()),
        (Some(a.name.as_str()), Some(1250)),
        "nothing saved"
    );
    let cleared = app
        .send(Method::PATCH, &path, Some(&token), Body::Json(json!({"tax_id": null})), &[])
        .await
        .expect(StatusCode::OK, "the tax id cleared");
    assert!(cleared["tax_id"].is_null());
    app.send(Method::PATCH, "/api/v1/merchants/mer_nope", Some(&token), Body::Json(json!({"name": "X"})), &[])
        .await
        .expect_problem(StatusCode::NOT_FOUND, "an unknown merchant");
    let manager = a.manager.token(&app).await;
    app.send(Method::PATCH, &path, Some(&manager), Body::Json(json!({"commission_bps": 0})), &[])
        .await
        .expect_problem(StatusCode::FORBIDDEN, "a manager may not set its own commission");
    let other = format!("/api/v1/merchants/{}", b.id);
    app.send(Method::PATCH, &other, Some(&manager), Body::Json(json!({"name": "Mío"})), &[])
        .await
        .expect_problem(StatusCode::FORBIDDEN, "nor touch another merchant");

    // The page: the form filled in, a bad commission told at its field in Spanish, then saved.
    let mut browser = Browser::new(&app);
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = browser.get(&format!("/console/setup/merchants/{}", a.id)).await;
    assert!(page.body.contains("data-testid=\"merchant-edit\""), "the merchant page links its form");
    let form_path = format!("/console/setup/merchants/{}/edit", a.id);
    let form = browser.get(&form_path).await;
    form.expect(StatusCode::OK, "the form");
    assert!(form.body.contains("value=\"12,5\""), "the commission in Spanish decimals");
    let csrf = form.csrf_field();
    let typed = [
        ("csrf", csrf.as_str()),
        ("name", "Burger Uno"),
        ("kind", "restaurant"),
        ("commission", "doce"),
        ("tax_id", ""),
    ];
    let refused = browser.post_form(&form_path, &typed).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "a commission in words");
    assert!(refused.body.contains("data-testid=\"error-commission\"") && refused.body.contains("Escribe la comisión"));
    assert!(refused.body.contains("value=\"Burger Uno\""), "the name typed is kept");
    let now: Value = app.get(&path, Some(&token)).await.expect(StatusCode::OK, "the merchant");
    assert_eq!(now["name"], a.name.as_str(), "nothing saved");
    let typed = [
        ("csrf", csrf.as_str()),
        ("name", "Burger Uno"),
        ("kind", "restaurant"),
        ("commission", "9,75"),
        ("tax_id", ""),
    ];
    browser
        .post_form(&form_path, &typed)
        .await
        .redirects_to(&format!("/console/setup/merchants/{}?done=merchant_saved", a.id), "saved");
    let now: Value = app.get(&path, Some(&token)).await.expect(StatusCode::OK, "the merchant");
    assert_eq!((now["name"].as_str(), now["commission_bps"].as_i64()), (Some("Burger Uno"), Some(975)));
    let done = browser.get(&format!("/console/setup/merchants/{}?done=merchant_saved", a.id)).await;
    assert!(done.body.contains("Comercio guardado."));

    // A manager is refused the form.
    let mut manager_browser = Browser::new(&app);
    manager_browser.sign_in(&a.manager.email, &a.manager.password).await;
    manager_browser.get(&form_path).await.expect(StatusCode::FORBIDDEN, "a manager's edit form");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_manager_sets_its_locations_channels_and_never_anothers() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(0).build(&app).await;
    let (a, b) = (fx.m(0), fx.m(1));
    let mut browser = Browser::new(&app);
    browser.sign_in(&a.manager.email, &a.manager.password).await;
    let path = format!("/console/setup/locations/{}/channels", a.location_id);
    let page = browser.get(&path).await;
    page.expect(StatusCode::OK, "the channels page");
    for channel in ["qr", "web", "pos", "phone", "kiosk", "tablet"] {
        assert!(page.body.contains(&format!("data-testid=\"channel-{channel}\"")), "a row for {channel}");
    }
    let csrf = page.csrf_field();

    // A buffer in words and a hold of a month: both told at their fields, nothing saved.
    let refused = browser
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("channel", "web"),
                ("enabled", "1"),
                ("safety_buffer", "tres"),
                ("hold_minutes", "50000"),
            ],
        )
        .await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "a bad buffer and hold");
    assert!(
        refused.body.contains("data-testid=\"error-safety_buffer\"")
            && refused.body.contains("data-testid=\"error-hold_minutes\"")
    );
    assert!(refused.body.contains("value=\"tres\""), "the value typed is kept");
    let manager = a.manager.token(&app).await;
    let channels = format!("/api/v1/locations/{}/channels", a.location_id);
    let saved: Value = app.get(&channels, Some(&manager)).await.expect(StatusCode::OK, "the channels");
    assert_eq!(saved, json!([]), "nothing saved: {saved}");

    // The web channel keeps 3 units back and holds carts 20 minutes; the phone is switched off.
    browser
        .post_form(
            &path,
            &[("csrf", &csrf), ("channel", "web"), ("enabled", "1"), ("safety_buffer", "3"), ("hold_minutes", "20")],
        )
        .await
        .redirects_to(&format!("{path}?done=channel"), "web saved");
    browser
        .post_form(&path, &[("csrf", &csrf), ("channel", "phone"), ("safety_buffer", "0"), ("hold_minutes", "")])
        .await
        .redirects_to(&format!("{path}?done=channel"), "phone saved");
    let saved: Value = app.get(&channels, Some(&manager)).await.expect(StatusCode::OK, "the channels");
    let web = saved.as_array().into_iter().flatten().find(|row| row["channel"] == "web").cloned().unwrap_or_default();
    assert_eq!((web["safety_buffer"].as_i64(), web["enabled"].as_bool()), (Some(3), Some(true)), "{saved}");
    let phone =
        saved.as_array().into_iter().flatten().find(|row| row["channel"] == "phone").cloned().unwrap_or_default();
    assert_eq!(phone["enabled"], false, "{saved}");
    let page = browser.get(&format!("{path}?done=channel")).await;
    assert!(page.body.contains("Canal guardado.") && page.body.contains("value=\"3\""));

    // Another merchant's location: not found, by page and by form.
    let other = format!("/console/setup/locations/{}/channels", b.location_id);
    browser.get(&other).await.expect(StatusCode::NOT_FOUND, "another merchant's channels");
    browser
        .post_form(&other, &[("csrf", &csrf), ("channel", "web"), ("safety_buffer", "0")])
        .await
        .expect(StatusCode::NOT_FOUND, "another merchant's channel form");
    // Its staff may look but not change.
    let mut staff = Browser::new(&app);
    staff.sign_in(&a.staff.email, &a.staff.password).await;
    let staff_csrf = staff.get("/console/account").await.csrf_field();
    staff
        .post_form(&path, &[("csrf", &staff_csrf), ("channel", "web"), ("safety_buffer", "0")])
        .await
        .expect(StatusCode::FORBIDDEN, "staff may not change a channel");
    app.stop().await;
}
