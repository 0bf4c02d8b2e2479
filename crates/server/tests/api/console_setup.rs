//! The admin's setup pages (issue 15) over real HTTP, as a browser posts their forms: a site
//! created from the form (with the session's CSRF token) is the API's site; a bad time zone is
//! refused at its field in Spanish, nothing saved; a merchant's commission typed in % is stored
//! in basis points and a location opens at the site; a merchant's manager is refused every page.

use crate::common;
use crate::console_pages::Browser;

use common::{ADMIN_EMAIL, ADMIN_PASSWORD, Fixture, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

/// The id in a `…/{id}?done=…` redirect.
fn created_id(location: Option<&str>, prefix: &str) -> String {
    let location = location.unwrap_or_default();
    let rest = location.strip_prefix(prefix).unwrap_or_else(|| panic!("{location} is not under {prefix}"));
    rest.split('?').next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_admin_sets_up_a_site_a_merchant_and_a_location_from_the_pages() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let mut browser = Browser::new(&app);
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let page = browser.get("/console/setup/sites").await;
    page.expect(StatusCode::OK, "the sites page");
    assert!(page.body.contains("data-testid=\"nav-setup-sites\""), "the admin's nav links the page");
    let csrf = page.csrf_field();

    let site = [("name", "Mall Plaza Oeste"), ("country", "CL"), ("currency", "CLP"), ("timezone", "America/Santiago")];
    browser
        .post_form("/console/setup/sites", &site)
        .await
        .expect(StatusCode::FORBIDDEN, "a form without its CSRF token");
    let sites: Value = app.get("/api/v1/sites", Some(&token)).await.expect(StatusCode::OK, "sites");
    assert!(!sites.to_string().contains("Mall Plaza Oeste"), "nothing saved without the token");

    // A bad time zone and a currency not the country's: each told at its field, nothing saved.
    let refused = browser
        .post_form(
            "/console/setup/sites",
            &[
                ("csrf", &csrf),
                ("name", "Mall Plaza Oeste"),
                ("country", "CL"),
                ("currency", "PEN"),
                ("timezone", "Marte/Olimpo"),
            ],
        )
        .await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "a bad time zone");
    assert!(refused.body.contains("data-testid=\"error-timezone\""), "the time zone's message is at its field");
    assert!(refused.body.contains("Escribe una zona horaria IANA"), "in Spanish");
    assert!(refused.body.contains("data-testid=\"error-currency\""), "the currency's too");
    assert!(!refused.body.contains("data-testid=\"error-name\""), "the name was fine");
    assert!(refused.body.contains("value=\"Marte&#x2f;Olimpo\""), "what was typed is kept (escaped)");
    assert!(!refused.body.contains("must be"), "no server English");
    let sites: Value = app.get("/api/v1/sites", Some(&token)).await.expect(StatusCode::OK, "sites");
    assert!(!sites.to_string().contains("Mall Plaza Oeste"), "nothing saved when refused");

    let mut with_csrf = site.to_vec();
    with_csrf.push(("csrf", &csrf));
    let created = browser.post_form("/console/setup/sites", &with_csrf).await;
    created.expect(StatusCode::SEE_OTHER, "a good site");
    let site_id = created_id(created.location.as_deref(), "/console/setup/sites/");
    let api_site: Value = app.get(&format!("/api/v1/sites/{site_id}"), None).await.expect(StatusCode::OK, "the site");
    assert_eq!(
        (api_site["name"].as_str(), api_site["timezone"].as_str()),
        (Some("Mall Plaza Oeste"), Some("America/Santiago"))
    );

    // The list finds it by a part of its name, in any case; a wildcard is only a character.
    let found = browser.get("/console/setup/sites?q=plaza%20OESTE").await;
    found.expect(StatusCode::OK, "a search");
    assert!(found.body.contains("Mall Plaza Oeste") && found.body.contains("data-testid=\"setup-site\""));
    let none = browser.get("/console/setup/sites?q=%25").await;
    assert!(none.body.contains("data-testid=\"setup-no-match\"") && !none.body.contains("data-testid=\"setup-site\""));

    // Its policy: a limit out of range refused at the field, then a good one saved.
    let path = format!("/console/setup/sites/{site_id}");
    let bad = browser
        .post_form(&path, &[("csrf", &csrf), ("accept_within_minutes", "999"), ("unaccepted_policy", "notify_only")])
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY, "a limit over 240");
    assert!(bad.body.contains("data-testid=\"error-accept_within_minutes\""));
    browser
        .post_form(&path, &[("csrf", &csrf), ("accept_within_minutes", "12"), ("unaccepted_policy", "notify_only")])
        .await
        .expect(StatusCode::SEE_OTHER, "a good policy");
    let api_site: Value = app.get(&format!("/api/v1/sites/{site_id}"), None).await.expect(StatusCode::OK, "the site");
    assert_eq!(api_site["accept_within_minutes"], 12, "{api_site}");
    assert_eq!(api_site["unaccepted_policy"], "notify_only");
    let shown = browser.get(&format!("{path}?done=policy")).await;
    assert!(shown.body.contains("12 min") && shown.body.contains("Solo se avisa al cliente"), "the page shows it");

    // Its QR posters: a bad list of tables is told at its field; a good one leads to the PDF.
    let bad = browser.get(&format!("{path}/posters?tables=1%2C%2C2")).await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY, "a bad list of tables");
    assert!(bad.body.contains("data-testid=\"error-tables\"") && bad.body.contains("value=\"1,,2\""));
    let to_pdf = browser.get(&format!("{path}/posters?tables=1-3")).await;
    let pdf_path = format!("/api/v1/sites/{site_id}/posters?format=pdf&tables=1-3");
    to_pdf.redirects_to(&pdf_path, "a good list of tables");
    let pdf = browser.get(&pdf_path).await;
    pdf.expect(StatusCode::OK, "the session opens the posters");
    assert!(pdf.body.starts_with("%PDF"), "a PDF");

    // A merchant: the commission typed in %, stored in basis points.
    let bad = browser
        .post_form(
            "/console/setup/merchants",
            &[("csrf", &csrf), ("name", "Sushi Oeste"), ("kind", "restaurant"), ("commission", "doce")],
        )
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY, "a commission that is not a number");
    assert!(bad.body.contains("data-testid=\"error-commission\"") && !bad.body.contains("data-testid=\"error-name\""));
    let created = browser
        .post_form(
            "/console/setup/merchants",
            &[("csrf", &csrf), ("name", "Sushi Oeste"), ("kind", "restaurant"), ("commission", "12,5")],
        )
        .await;
    created.expect(StatusCode::SEE_OTHER, "a good merchant");
    let merchant_id = created_id(created.location.as_deref(), "/console/setup/merchants/");
    let merchant: Value =
        app.get(&format!("/api/v1/merchants/{merchant_id}"), Some(&token)).await.expect(StatusCode::OK, "the merchant");
    assert_eq!(merchant["commission_bps"], 1250, "{merchant}");

    // Its location at the new site.
    let locations = format!("/console/setup/merchants/{merchant_id}/locations");
    let bad = browser.post_form(&locations, &[("csrf", &csrf), ("site_id", &site_id), ("name", " ")]).await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY, "no name");
    assert!(bad.body.contains("data-testid=\"error-name\""), "the name's message is at its field");
    let bad = browser.post_form(&locations, &[("csrf", &csrf), ("site_id", "site_missing"), ("name", "Patio")]).await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY, "no such site");
    assert!(bad.body.contains("data-testid=\"error-site_id\"") && bad.body.contains("Elige un sitio que exista"));
    browser
        .post_form(
            &locations,
            &[("csrf", &csrf), ("site_id", &site_id), ("name", "Sushi Oeste Patio"), ("pay_at_pickup", "1")],
        )
        .await
        .expect(StatusCode::SEE_OTHER, "a good location");
    let page = browser.get(&format!("/console/setup/merchants/{merchant_id}")).await;
    page.expect(StatusCode::OK, "the merchant page");
    assert!(page.body.contains("Sushi Oeste Patio"), "the location is listed");
    let site_page = browser.get(&path).await;
    assert!(site_page.body.contains("Sushi Oeste Patio"), "and at its site");

    // Its settings: a word for the slot capacity and a prep time out of range, each at its field;
    // then good ones saved as the API's location.
    let marker = "data-location-id=\"";
    let start = page.body.find(marker).expect("a listed location") + marker.len();
    let location_id = page.body[start..].split('"').next().unwrap_or_default().to_owned();
    let settings = format!("/console/setup/locations/{location_id}");
    browser.get(&settings).await.expect(StatusCode::OK, "the settings page");
    let bad = browser
        .post_form(
            &settings,
            &[("csrf", &csrf), ("name", "Sushi Oeste Patio"), ("prep_minutes", "999"), ("slot_capacity", "muchos")],
        )
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY, "bad settings");
    assert!(
        bad.body.contains("data-testid=\"error-prep_minutes\"")
            && bad.body.contains("data-testid=\"error-slot_capacity\"")
    );
    assert!(bad.body.contains("Escribe un número de 0 (sin límite) a 10000."), "in Spanish");
    browser
        .post_form(
            &settings,
            &[
                ("csrf", &csrf),
                ("name", "Sushi Oeste Patio"),
                ("prep_minutes", "12"),
                ("counter", "Local 4"),
                ("slot_capacity", "20"),
            ],
        )
        .await
        .expect(StatusCode::SEE_OTHER, "good settings");
    let api_location: Value =
        app.get(&format!("/api/v1/locations/{location_id}"), Some(&token)).await.expect(StatusCode::OK, "the location");
    assert_eq!((api_location["prep_minutes"].as_i64(), api_location["slot_capacity"].as_i64()), (Some(12), Some(20)));
    assert_eq!(
        (api_location["counter"].as_str(), api_location["pay_at_pickup"].as_bool()),
        (Some("Local 4"), Some(false))
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_merchant_manager_is_refused_the_setup_pages() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let manager = &fx.m(0).manager;
    let mut browser = Browser::new(&app);
    browser.sign_in(&manager.email, &manager.password).await;
    let csrf = browser.get("/console/account").await.csrf_field();
    let home = browser.get("/console").await;
    assert!(!home.body.contains("nav-setup-sites"), "no setup links for a manager");
    let merchant_page = format!("/console/setup/merchants/{}", fx.m(0).id);
    for path in ["/console/setup/sites", "/console/setup/merchants", merchant_page.as_str()] {
        browser.get(path).await.expect(StatusCode::FORBIDDEN, path);
    }
    let site = [
        ("csrf", csrf.as_str()),
        ("name", "Otro mall"),
        ("country", "CL"),
        ("currency", "CLP"),
        ("timezone", "America/Santiago"),
    ];
    browser.post_form("/console/setup/sites", &site).await.expect(StatusCode::FORBIDDEN, "a manager's site");
    let merchant = [("csrf", csrf.as_str()), ("name", "Otro"), ("kind", "retail"), ("commission", "1")];
    browser
        .post_form("/console/setup/merchants", &merchant)
        .await
        .expect(StatusCode::FORBIDDEN, "a manager's merchant");
    let token = app.admin_token().await;
    let sites: Value = app.get("/api/v1/sites", Some(&token)).await.expect(StatusCode::OK, "sites");
    assert!(!sites.to_string().contains("Otro mall"), "nothing saved");
    app.stop().await;
}

/// The positions of `names` in `body`, in the order they appear there.
fn order_of<'a>(body: &str, names: &[&'a str]) -> Vec<&'a str> {
    let mut found: Vec<(usize, &str)> =
        names.iter().map(|name| (body.find(&format!(">{name}<")).unwrap_or(usize::MAX), *name)).collect();
    found.sort();
    found.into_iter().map(|(_, name)| name).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_setup_and_user_lists_sort_by_name_either_way_or_by_age() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    for name in ["Zeta Sushi", "alfa Café", "Mu Tacos"] {
        let merchant = serde_json::json!({"name": name, "kind": "restaurant", "commission_bps": 1000});
        app.post("/api/v1/merchants", Some(&token), &merchant).await.expect(StatusCode::CREATED, name);
    }
    let names = ["Zeta Sushi", "alfa Café", "Mu Tacos"];
    let mut browser = Browser::new(&app);
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let oldest = browser.get("/console/setup/merchants").await;
    assert_eq!(order_of(&oldest.body, &names), ["Zeta Sushi", "alfa Café", "Mu Tacos"], "oldest first by default");
    assert!(oldest.body.contains("aria-sort=\"none\""));
    let by_name = browser.get("/console/setup/merchants?sort=name").await;
    assert_eq!(order_of(&by_name.body, &names), ["alfa Café", "Mu Tacos", "Zeta Sushi"], "A to Z, any case");
    assert!(
        by_name.body.contains("aria-sort=\"ascending\"")
            && by_name.body.contains("href=\"/console/setup/merchants?sort=-name\"")
    );
    let reversed = browser.get("/console/setup/merchants?sort=-name&q=a").await;
    assert_eq!(
        order_of(&reversed.body, &names),
        ["Zeta Sushi", "Mu Tacos", "alfa Café"],
        "Z to A, with the search kept"
    );
    assert!(reversed.body.contains("href=\"/console/setup/merchants?q=a&amp;sort=name\""), "the header turns it round");
    let newest = browser.get("/console/setup/merchants?sort=-created").await;
    assert_eq!(order_of(&newest.body, &names), ["Mu Tacos", "alfa Café", "Zeta Sushi"], "newest first");
    let unknown = browser.get("/console/setup/merchants?sort=precio;DROP").await;
    unknown.expect(StatusCode::OK, "an unknown order is the default one");
    assert_eq!(order_of(&unknown.body, &names), ["Zeta Sushi", "alfa Café", "Mu Tacos"]);
    browser.get("/console/setup/sites?sort=-name").await.expect(StatusCode::OK, "the sites list sorts too");

    for email in ["b.orden@test.cl", "a.orden@test.cl", "c.orden@test.cl"] {
        let user = serde_json::json!({"email": email, "password": "una-clave-larga", "role": "support_agent"});
        app.post("/api/v1/users", Some(&token), &user).await.expect(StatusCode::CREATED, email);
    }
    let emails = ["a.orden@test.cl", "b.orden@test.cl", "c.orden@test.cl"];
    let users = browser.get("/console/users?q=orden&sort=-email").await;
    assert_eq!(order_of(&users.body, &emails), ["c.orden@test.cl", "b.orden@test.cl", "a.orden@test.cl"]);
    let users = browser.get("/console/users?q=orden&sort=-created").await;
    assert_eq!(order_of(&users.body, &emails), ["c.orden@test.cl", "a.orden@test.cl", "b.orden@test.cl"]);
    let users = browser.get("/console/users?q=orden").await;
    assert_eq!(order_of(&users.body, &emails), emails, "by e-mail by default");
    app.stop().await;
}
