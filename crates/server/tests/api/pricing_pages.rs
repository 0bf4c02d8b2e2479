//! Prices and promotions in the browser (issue 15 point 2), over real HTTP as a browser posts
//! the forms of `/console/pricing`: a price list whose window overlaps another of the same
//! scope is refused at the window fields in the page's language and nothing is saved; an unknown
//! SKU at the prices; a bad percentage at the percentage; a taken coupon code at the code; what
//! the pages save is what the API reads; another merchant's manager gets 404 for the pages and
//! for the API objects. The listing's search and sort and ending a promotion are the API's too.

use crate::common;
use crate::console_pages::Browser;

use common::fixture::BURGER;
use common::{Body, Fixture, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The id in a list's row `data-id="…"` of the row named `name`.
fn row_id(body: &str, name: &str) -> String {
    let marker = format!("data-name=\"{name}\" data-id=\"");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no row named {name}")) + marker.len();
    body[start..].split('"').next().unwrap_or_default().to_owned()
}

/// A price list's form fields with the session's token.
fn list_form<'a>(csrf: &'a str, name: &'a str, from: &'a str, to: &'a str, prices: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("csrf", csrf), ("name", name), ("valid_from", from), ("valid_to", to), ("prices", prices), ("active", "on")]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_manager_keeps_price_lists_from_the_pages_and_an_overlap_is_refused_at_the_window() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let manager = &fx.m(0).manager;
    let token = manager.token(&app).await;
    let mut browser = Browser::new(&app);
    browser.sign_in(&manager.email, &manager.password).await;

    let page = browser.get("/console/pricing").await;
    page.expect(StatusCode::OK, "the pricing page");
    assert!(page.body.contains("data-testid=\"nav-pricing\""), "the nav links it for a manager");
    assert!(page.body.contains("data-testid=\"lists-empty\""), "an empty state that says what a list is for");
    let csrf = page.csrf_field();

    let (price_9990, price_8990) = (format!("{BURGER} 9.990"), format!("{BURGER} 8990"));
    let navidad = list_form(&csrf, "Navidad", "2099-12-01T00:00", "2099-12-31T00:00", &price_9990);
    let created = browser.post_form("/console/pricing/price-lists", &navidad).await;
    created.redirects_to("/console/pricing/price-lists?done=created", "a good list");
    let lists: Value = app.get("/api/v1/price-lists", Some(&token)).await.expect(StatusCode::OK, "lists");
    assert_eq!(lists[0]["prices"][0]["price"]["amount"], 9990, "the page's list is the API's: {lists}");

    // Without the token nothing is saved.
    let mut no_token = navidad.clone();
    no_token.retain(|(k, _)| *k != "csrf");
    browser.post_form("/console/pricing/price-lists", &no_token).await.expect(StatusCode::FORBIDDEN, "no CSRF");

    // A window that partly overlaps Navidad: refused at the window, in Spanish, nothing saved.
    let overlap = list_form(&csrf, "Fin de año", "2099-12-20T00:00", "2100-01-10T00:00", &price_8990);
    let refused = browser.post_form("/console/pricing/price-lists", &overlap).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "an overlapping window");
    assert!(refused.body.contains("data-testid=\"error-valid_from\""), "told at the window");
    assert!(refused.body.contains("se cruzan con la lista «Navidad»"), "in Spanish, naming the other list");
    assert!(refused.body.contains("value=\"Fin de año\"") && refused.body.contains("value=\"2099-12-20T00:00\""));
    assert!(!refused.body.contains("overlaps"), "no server English");
    let lists: Value = app.get("/api/v1/price-lists", Some(&token)).await.expect(StatusCode::OK, "lists");
    assert_eq!(lists.as_array().map(Vec::len), Some(1), "nothing saved: {lists}");

    // The same in English.
    browser.get("/console/pricing?lang=en").await.expect(StatusCode::OK, "English");
    let refused = browser.post_form("/console/pricing/price-lists", &overlap).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "an overlapping window");
    assert!(refused.body.contains("cross the list “Navidad”"), "in English");
    browser.get("/console/pricing?lang=es").await.expect(StatusCode::OK, "Spanish again");

    // An unknown SKU and a price that is not an amount, each at its line; the end before the start.
    let bad = list_form(&csrf, "Rara", "2098-01-02T00:00", "2098-01-01T00:00", "NOEXISTE 100");
    let refused = browser.post_form("/console/pricing/price-lists", &bad).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "an unknown SKU");
    assert!(refused.body.contains("data-testid=\"error-prices\"") && refused.body.contains("no vende NOEXISTE"));
    let bad = list_form(&csrf, "Rara", "", "", "BURGER-CLASSIC cien");
    let refused = browser.post_form("/console/pricing/price-lists", &bad).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "a price that is not an amount");
    assert!(refused.body.contains("Línea 1: Escribe un precio en CLP"), "{}", refused.body);

    // Search, sort and the edit form.
    let found = browser.get("/console/pricing/price-lists?q=NAVI&sort=-name").await;
    found.expect(StatusCode::OK, "a search");
    let id = row_id(&found.body, "Navidad");
    let none = browser.get("/console/pricing/price-lists?q=zzz").await;
    assert!(none.body.contains("data-testid=\"lists-no-match\""));
    let edit = browser.get(&format!("/console/pricing/price-lists/{id}")).await;
    edit.expect(StatusCode::OK, "the edit form");
    assert!(edit.body.contains("value=\"2099-12-01T00:00\""), "the window shown in local time");
    let changed = list_form(&csrf, "Navidad", "2099-12-01T00:00", "2099-12-31T00:00", &price_8990);
    browser
        .post_form(&format!("/console/pricing/price-lists/{id}"), &changed)
        .await
        .redirects_to("/console/pricing/price-lists?done=saved", "saved");
    let list: Value = app.get(&format!("/api/v1/price-lists/{id}"), Some(&token)).await.expect(StatusCode::OK, "list");
    assert_eq!(list["prices"][0]["price"]["amount"], 8990);

    // Delete, asked first.
    let ask = browser.get(&format!("/console/pricing/price-lists/{id}/delete")).await;
    ask.expect(StatusCode::OK, "the confirmation");
    assert!(ask.body.contains("data-testid=\"confirm-text\"") && ask.body.contains("Navidad"));
    let path = format!("/console/pricing/price-lists/{id}/delete");
    browser.post_form(&path, &[]).await.expect(StatusCode::FORBIDDEN, "no CSRF");
    browser
        .post_form(&path, &[("csrf", &csrf)])
        .await
        .redirects_to("/console/pricing/price-lists?done=deleted", "deleted");
    app.get(&format!("/api/v1/price-lists/{id}"), Some(&token)).await.expect(StatusCode::NOT_FOUND, "gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn promotions_and_coupons_from_the_pages_with_refusals_at_their_fields() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let manager = &fx.m(0).manager;
    let token = manager.token(&app).await;
    let mut browser = Browser::new(&app);
    browser.sign_in(&manager.email, &manager.password).await;
    let page = browser.get("/console/pricing/promotions").await;
    page.expect(StatusCode::OK, "the promotions page");
    assert!(page.body.contains("data-testid=\"promotions-empty\""));
    let csrf = page.csrf_field();
    let form = |percent: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", "Bienvenida".to_owned()),
            ("kind", "percent_off_order".to_owned()),
            ("percent", percent.to_owned()),
            ("channels", "web".to_owned()),
            ("channels", "qr".to_owned()),
            ("requires_coupon", "on".to_owned()),
            ("active", "on".to_owned()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| fields;
    for (percent, what) in [("150", "over 100 %"), ("diez", "not a number"), ("0", "nothing off")] {
        let fields = post(form(percent));
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = browser.post_form("/console/pricing/promotions", &pairs).await;
        refused.expect(StatusCode::UNPROCESSABLE_ENTITY, what);
        assert!(refused.body.contains("data-testid=\"error-percent\""), "{what}: told at the percentage");
        assert!(refused.body.contains("Escribe un porcentaje mayor que 0 y hasta 100"), "{what}: in Spanish");
        assert!(!refused.body.contains("basis points"), "{what}: no server English");
        assert!(refused.body.contains(&format!("value=\"{percent}\"")), "{what}: what was typed is kept");
    }
    // A bad time of day is told at the hours; a buy-X-get-Y without SKUs at the SKUs.
    let mut fields = post(form("10"));
    fields.push(("weekdays", "1".into()));
    fields.push(("hours_start", "25:00".into()));
    fields.push(("hours_end", "18:00".into()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser.post_form("/console/pricing/promotions", &pairs).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "a bad hour");
    assert!(refused.body.contains("data-testid=\"error-happy_hour\""));
    let mut fields = post(form("10"));
    fields.retain(|(k, _)| *k != "kind");
    fields.extend([
        ("kind", "buy_x_get_y".into()),
        ("buy", "1".into()),
        ("get", "1".into()),
        ("get_off", "100".into()),
    ]);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser.post_form("/console/pricing/promotions", &pairs).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "2x1 without SKUs");
    assert!(refused.body.contains("data-testid=\"error-skus\"") && refused.body.contains("al menos un SKU"));
    let promotions: Value = app.get("/api/v1/promotions", Some(&token)).await.expect(StatusCode::OK, "promotions");
    assert_eq!(promotions.as_array().map(Vec::len), Some(0), "nothing saved: {promotions}");

    let fields = post(form("12,5"));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser
        .post_form("/console/pricing/promotions", &pairs)
        .await
        .redirects_to("/console/pricing/promotions?done=created", "a good promotion");
    let promotions: Value = app.get("/api/v1/promotions", Some(&token)).await.expect(StatusCode::OK, "promotions");
    let promotion = &promotions[0];
    assert_eq!(promotion["kind"], json!({"type": "percent_off_order", "bps": 1250}), "{promotion}");
    assert_eq!(promotion["channels"], json!(["web", "qr"]));
    assert_eq!(promotion["requires_coupon"], true);
    let promotion_id = promotion["id"].as_str().unwrap_or_default().to_owned();
    let edit = browser.get(&format!("/console/pricing/promotions/{promotion_id}")).await;
    edit.expect(StatusCode::OK, "the edit form");
    assert!(edit.body.contains("value=\"12.5\""), "the percentage shown as typed");

    // Coupons: a code, then the same code again (any case) refused at the code.
    let coupons = format!("/console/pricing/promotions/{promotion_id}/coupons");
    let page = browser.get(&coupons).await;
    page.expect(StatusCode::OK, "the coupons page");
    assert!(page.body.contains("data-testid=\"coupon-form\"") && page.body.contains("data-testid=\"coupons-empty\""));
    let bad = [("csrf", csrf.as_str()), ("code", "HOLA10"), ("usage_limit", "mil"), ("per_customer_limit", "0")];
    let refused = browser.post_form(&coupons, &bad).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "bad limits");
    assert!(
        refused.body.contains("data-testid=\"error-usage_limit\"") && refused.body.contains("Escribe un número entero")
    );
    let good = [("csrf", csrf.as_str()), ("code", "hola10"), ("usage_limit", "100"), ("per_customer_limit", "1")];
    browser.post_form(&coupons, &good).await.redirects_to(&format!("{coupons}?done=created"), "a coupon");
    let again = browser.post_form(&coupons, &[("csrf", csrf.as_str()), ("code", "HOLA10")]).await;
    again.expect(StatusCode::CONFLICT, "a taken code");
    assert!(
        again.body.contains("data-testid=\"error-code\"") && again.body.contains("Ya existe un cupón con ese código")
    );
    let listed: Value = app
        .get(&format!("/api/v1/promotions/{promotion_id}/coupons"), Some(&token))
        .await
        .expect(StatusCode::OK, "coupons");
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "one coupon: {listed}");
    assert_eq!((listed[0]["code"].as_str(), listed[0]["usage_limit"].as_i64()), (Some("HOLA10"), Some(100)));
    let coupon_id = listed[0]["id"].as_str().unwrap_or_default().to_owned();

    // Deactivate it, asked first.
    let ask = browser.get(&format!("/console/pricing/coupons/{coupon_id}/deactivate")).await;
    ask.expect(StatusCode::OK, "the confirmation");
    assert!(ask.body.contains("HOLA10"));
    browser
        .post_form(&format!("/console/pricing/coupons/{coupon_id}/deactivate"), &[("csrf", &csrf)])
        .await
        .redirects_to(&format!("{coupons}?done=deactivated"), "deactivated");
    let listed: Value =
        app.get(&format!("/api/v1/promotions/{promotion_id}/coupons"), Some(&token)).await.expect(StatusCode::OK, "");
    assert_eq!(listed[0]["active"], false);

    // End the promotion, asked first.
    let end = format!("/console/pricing/promotions/{promotion_id}/end");
    browser.get(&end).await.expect(StatusCode::OK, "the confirmation");
    browser.post_form(&end, &[("csrf", &csrf)]).await.redirects_to("/console/pricing/promotions?done=ended", "ended");
    let ended: Value =
        app.get(&format!("/api/v1/promotions/{promotion_id}"), Some(&token)).await.expect(StatusCode::OK, "promotion");
    assert_eq!(ended["active"], false, "{ended}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_merchants_manager_gets_404_for_the_pages_and_the_api_objects() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(0).build(&app).await;
    let (mine, theirs) = (fx.m(0), fx.m(1));
    let token = mine.manager.token(&app).await;
    let list = app
        .post(
            "/api/v1/price-lists",
            Some(&token),
            &json!({"merchant_id": mine.id, "name": "Web", "channel": "web", "prices": [{"sku": BURGER, "price": {"amount": 9990, "currency": "CLP"}}]}),
        )
        .await
        .expect(StatusCode::CREATED, "a list");
    let list_id = list["id"].as_str().unwrap_or_default().to_owned();
    let promotion = app
        .post(
            "/api/v1/promotions",
            Some(&token),
            &json!({"merchant_id": mine.id, "name": "Diez", "kind": {"type": "percent_off_order", "bps": 1000}, "requires_coupon": true}),
        )
        .await
        .expect(StatusCode::CREATED, "a promotion");
    let promotion_id = promotion["id"].as_str().unwrap_or_default().to_owned();
    let coupon = app
        .post(&format!("/api/v1/promotions/{promotion_id}/coupons"), Some(&token), &json!({"code": "DIEZ"}))
        .await
        .expect(StatusCode::CREATED, "a coupon");
    let coupon_id = coupon["id"].as_str().unwrap_or_default().to_owned();

    let mut stranger = Browser::new(&app);
    stranger.sign_in(&theirs.manager.email, &theirs.manager.password).await;
    let own = stranger.get("/console/pricing").await;
    own.expect(StatusCode::OK, "their own pricing page");
    assert!(!own.body.contains("data-name=\"Web\""), "not my list");
    let csrf = own.csrf_field();
    for path in [
        format!("/console/pricing/price-lists?merchant_id={}", mine.id),
        format!("/console/pricing/promotions?merchant_id={}", mine.id),
        format!("/console/pricing/price-lists/{list_id}"),
        format!("/console/pricing/price-lists/{list_id}/delete"),
        format!("/console/pricing/promotions/{promotion_id}"),
        format!("/console/pricing/promotions/{promotion_id}/end"),
        format!("/console/pricing/promotions/{promotion_id}/coupons"),
        format!("/console/pricing/coupons/{coupon_id}/deactivate"),
    ] {
        stranger.get(&path).await.expect(StatusCode::NOT_FOUND, &path);
        let fields = [("csrf", csrf.as_str()), ("merchant_id", mine.id.as_str()), ("name", "Mía")];
        stranger.post_form(&path, &fields).await.expect(StatusCode::NOT_FOUND, &path);
    }
    let other = theirs.manager.token(&app).await;
    for path in [
        format!("/api/v1/price-lists/{list_id}"),
        format!("/api/v1/promotions/{promotion_id}"),
        format!("/api/v1/promotions/{promotion_id}/coupons"),
    ] {
        app.get(&path, Some(&other)).await.expect(StatusCode::NOT_FOUND, &path);
    }
    let patch = |path: String, token: String, body: Value| {
        let app = &app;
        async move { app.send(Method::PATCH, &path, Some(&token), Body::Json(body), &[]).await }
    };
    patch(format!("/api/v1/promotions/{promotion_id}"), other.clone(), json!({"active": false}))
        .await
        .expect(StatusCode::NOT_FOUND, "their manager may not end my promotion");
    patch(format!("/api/v1/coupons/{coupon_id}"), other.clone(), json!({"active": false}))
        .await
        .expect(StatusCode::NOT_FOUND, "nor switch my coupon");
    let still: Value =
        app.get(&format!("/api/v1/promotions/{promotion_id}"), Some(&token)).await.expect(StatusCode::OK, "mine");
    assert_eq!(still["active"], true, "nothing changed");

    // Staff keep no prices: 403 on the pages.
    let mut staff = Browser::new(&app);
    staff.sign_in(&mine.staff.email, &mine.staff.password).await;
    staff.get("/console/pricing").await.expect(StatusCode::FORBIDDEN, "staff");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_api_searches_sorts_and_ends_promotions_like_the_pages() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let mine = fx.m(0);
    let token = mine.manager.token(&app).await;
    for (name, from) in
        [("Verano", "2099-01-01T00:00"), ("almuerzo", "2098-01-01T00:00"), ("Navidad", "2099-12-01T00:00")]
    {
        app.post(
            "/api/v1/promotions",
            Some(&token),
            &json!({"merchant_id": mine.id, "name": name, "kind": {"type": "percent_off_order", "bps": 500}, "valid_from": from}),
        )
        .await
        .expect(StatusCode::CREATED, name);
    }
    let names = |body: &Value| -> Vec<String> {
        body.as_array().into_iter().flatten().filter_map(|p| p["name"].as_str().map(str::to_owned)).collect()
    };
    let plain: Value = app.get("/api/v1/promotions", Some(&token)).await.expect(StatusCode::OK, "plain");
    assert_eq!(names(&plain), ["Verano", "almuerzo", "Navidad"], "the historic order stays");
    let by_name: Value = app.get("/api/v1/promotions?sort=name", Some(&token)).await.expect(StatusCode::OK, "by name");
    assert_eq!(names(&by_name), ["almuerzo", "Navidad", "Verano"]);
    let found: Value =
        app.get("/api/v1/promotions?q=A&sort=-valid_from&limit=2", Some(&token)).await.expect(StatusCode::OK, "search");
    assert_eq!(names(&found), ["Navidad", "Verano"], "all three hold an a; the latest start first, two a page");
    app.get("/api/v1/promotions?sort=price", Some(&token)).await.expect(StatusCode::UNPROCESSABLE_ENTITY, "bad sort");
    app.get("/api/v1/price-lists?sort=-name", Some(&token)).await.expect(StatusCode::OK, "lists sort too");

    let id = plain[0]["id"].as_str().unwrap_or_default().to_owned();
    let ended = app
        .send(
            Method::PATCH,
            &format!("/api/v1/promotions/{id}"),
            Some(&token),
            Body::Json(json!({"active": false})),
            &[],
        )
        .await
        .expect(StatusCode::OK, "ended");
    assert_eq!((ended["active"].as_bool(), ended["name"].as_str()), (Some(false), Some("Verano")), "{ended}");
    assert_eq!(ended["kind"]["bps"], 500, "the rest unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_operator_funded_promotion_is_switched_and_given_coupons_by_admins_only() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let mine = fx.m(0);
    let admin = app.admin_token().await;
    let manager = mine.manager.token(&app).await;
    let body = json!({"merchant_id": mine.id, "name": "La casa invita", "funded_by": "operator",
        "kind": {"type": "percent_off_order", "bps": 1000}, "requires_coupon": true});
    let promotion = app
        .post("/api/v1/promotions", Some(&admin), &body)
        .await
        .expect(StatusCode::CREATED, "the operator's promotion");
    let id = promotion["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/promotions/{id}");
    let send = |token: String, body: Value| {
        let path = path.clone();
        let app = &app;
        async move { app.send(Method::PATCH, &path, Some(&token), Body::Json(body), &[]).await }
    };
    send(admin.clone(), json!({"active": false})).await.expect(StatusCode::OK, "the admin ends it");
    send(manager.clone(), json!({"active": true}))
        .await
        .expect_problem(StatusCode::FORBIDDEN, "its merchant's manager may not restart the operator's money");
    app.post(&format!("{path}/coupons"), Some(&manager), &json!({"code": "GRATIS"}))
        .await
        .expect_problem(StatusCode::FORBIDDEN, "nor hand out its coupons");
    let coupon = app.post(&format!("{path}/coupons"), Some(&admin), &json!({"code": "GRATIS"})).await;
    let coupon_id =
        coupon.expect(StatusCode::CREATED, "the admin's coupon")["id"].as_str().unwrap_or_default().to_owned();
    app.send(
        Method::PATCH,
        &format!("/api/v1/coupons/{coupon_id}"),
        Some(&manager),
        Body::Json(json!({"active": false})),
        &[],
    )
    .await
    .expect_problem(StatusCode::FORBIDDEN, "nor switch them");
    let now: Value = app.get(&path, Some(&admin)).await.expect(StatusCode::OK, "the promotion");
    assert_eq!(now["active"], false, "still ended: {now}");
    app.stop().await;
}
