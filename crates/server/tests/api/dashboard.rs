//! The dashboard over real HTTP: orders placed through the API are counted by the reporting
//! layer exactly (parts, sales, channel, merchant, refusals and their reasons, products), in the
//! page and in each chart's CSV; a merchant manager sees only its own merchant's figures and
//! another site is not found; staff may not open it.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::common;

use common::api::{fulfillment_at, id, pickup_code};
use common::fixture::{BURGER, FRIES, SUSHI};
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, Fixture, Payment, TestApp, money, open_till};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::json;

/// A console session kept by hand (cookies, no redirects followed).
struct Session {
    base: String,
    client: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

impl Session {
    async fn sign_in(app: &TestApp, email: &str, password: &str) -> Session {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .expect("build a client");
        let mut session = Session { base: app.base.clone(), client, cookies: BTreeMap::new() };
        let (_, form) = session.get("/console/login").await;
        let csrf = form
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the login form carries its CSRF token")
            .to_owned();
        let request = session.client.post(format!("{}/console/login", session.base)).form(&[
            ("email", email),
            ("password", password),
            ("csrf", &csrf),
        ]);
        let (status, _) = session.send(request).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "sign in as {email}");
        session
    }

    async fn send(&mut self, mut request: reqwest::RequestBuilder) -> (StatusCode, String) {
        if !self.cookies.is_empty() {
            let header = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            request = request.header(COOKIE, header);
        }
        let response = request.send().await.expect("the request reaches the server");
        for cookie in response.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            let first = cookie.split(';').next().unwrap_or_default();
            if let Some((name, value)) = first.split_once('=')
                && !value.is_empty()
            {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(!status.is_server_error(), "the server answered {status}: {body}");
        (status, body)
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String) {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    /// One chart's CSV as (label, count, gross) rows, after checking its header.
    async fn csv(&mut self, chart: &str, extra: &str) -> Vec<(String, i64, String)> {
        let (status, body) = self.get(&format!("/console/dashboard?format=csv&chart={chart}{extra}")).await;
        assert_eq!(status, StatusCode::OK, "the {chart} CSV: {body}");
        let mut lines = body.lines();
        assert_eq!(lines.next(), Some("label,count,gross_minor,currency"));
        lines
            .map(|line| {
                let (label, rest) = line.rsplit_once("\",").expect("a quoted label");
                let mut cells = rest.split(',');
                let count = cells.next().and_then(|c| c.parse().ok()).expect("a count");
                let gross = cells.next().unwrap_or_default().to_owned();
                (label.trim_start_matches('"').replace("\"\"", "\""), count, gross)
            })
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_dashboard_counts_the_orders_placed_and_keeps_merchants_apart() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (a, b) = (fx.m(0), fx.m(1));

    // Before any order: the empty state, nothing drawn.
    let mut admin = Session::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, page) = admin.get("/console/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-testid=\"dashboard-empty\""), "an empty dashboard says so");

    // Two QR orders: the first with a part at each merchant, the second one part at A, which
    // A's staff rejects with a reason.
    let lines = [fx.line(BURGER, 2), fx.line(SUSHI, 1)];
    let first = app.place_order_ok(&fx, &lines, &Payment::card()).await;
    let second = app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    let rejected = id(fulfillment_at(&second, &a.location_id));
    let staff = a.staff.token(&app).await;
    let accepted = id(fulfillment_at(&first, &a.location_id));
    app.post(
        &format!("/api/v1/fulfillments/{accepted}/transition"),
        Some(&staff),
        &json!({"to": "accepted", "prep_minutes": 15}),
    )
    .await
    .expect(StatusCode::OK, "A accepts its part of the first order in 15 minutes");
    app.post(
        &format!("/api/v1/fulfillments/{rejected}/transition"),
        Some(&staff),
        &json!({"to": "rejected", "reason": "sin pan"}),
    )
    .await
    .expect(StatusCode::OK, "A rejects the second order");
    // Before it is ready, no real preparation or pickup time exists to average.
    let (_, page) = admin.get("/console/dashboard").await;
    assert!(page.contains("data-testid=\"avg-ready\">—<") && page.contains("data-testid=\"avg-collect\">—<"));
    // A prepares the accepted part, and the customer collects it with the code: both times now
    // come from the timestamps the transitions stored, within seconds here.
    app.advance(&staff, &accepted, &["preparing", "ready"]).await;
    let code = pickup_code(fulfillment_at(&first, &a.location_id));
    app.transition(&staff, &accepted, "collected", Some(&code)).await.expect(StatusCode::OK, "handed over");
    // A cash sale at A's till: not an order, counted as channel `pos`.
    let till = open_till(&app, a, 0).await;
    let fries = a.price(FRIES);
    let sale = json!({
        "id": "sale-dash-1",
        "session_id": till.session_id,
        "receipt_number": format!("{}-1", till.series),
        "sold_at": chrono::Utc::now().to_rfc3339(),
        "offline": false,
        "lines": [{"sku": FRIES, "quantity": 1}],
        "payments": [{"method": "cash", "amount": money(fries), "tendered": money(fries)}],
    });
    app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::CREATED, "a till sale");
    let burger_gross = 2 * a.price(BURGER);
    let sushi_gross = b.price(SUSHI);
    assert!(fulfillment_at(&first, &b.location_id).is_object());

    // The admin: both merchants, one channel, the refusal and its reason, the products.
    let channels = admin.csv("channels", "").await;
    assert_eq!(
        channels,
        vec![("Caja".to_owned(), 1, fries.to_string()), ("QR".to_owned(), 2, (burger_gross + sushi_gross).to_string())]
    );
    let merchants = admin.csv("merchants", "&days=30").await;
    assert_eq!(
        merchants,
        vec![(a.name.clone(), 2, (burger_gross + fries).to_string()), (b.name.clone(), 1, sushi_gross.to_string())],
        "per merchant, most sales first (the rejected part is not a sale)"
    );
    let rejections = admin.csv("rejections", "").await;
    assert_eq!(rejections, vec![("Rechazado: sin pan".to_owned(), 1, String::new())]);
    let products = admin.csv("products", "").await;
    assert!(products[0].0.starts_with("Hamburguesa"), "the best seller by units: {products:?}");
    assert_eq!((products[0].1, products[0].2.clone()), (2, burger_gross.to_string()));
    assert!(products.contains(&("Papas fritas".to_owned(), 1, fries.to_string())), "the till's lines: {products:?}");
    let days = admin.csv("days", "").await;
    assert_eq!(days.len(), 7, "one row a day, the empty ones at zero");
    assert_eq!(days.iter().map(|(_, count, _)| count).sum::<i64>(), 3);
    let hours = admin.csv("hours", "").await;
    assert_eq!(hours.len(), 24);
    assert_eq!(
        hours.iter().map(|(_, _, gross)| gross.parse::<i64>().unwrap_or(0)).sum::<i64>(),
        burger_gross + sushi_gross + fries
    );
    let (_, page) = admin.get("/console/dashboard").await;
    assert!(page.contains("<svg") && page.contains("role=\"img\"") && page.contains(&b.name));
    assert!(!page.contains("data-testid=\"dashboard-empty\""));
    assert!(page.contains("data-testid=\"avg-prep\">15 min<"), "the promised preparation time, averaged");
    assert!(page.contains("data-testid=\"avg-accept\">0:0"), "accepted within seconds");
    assert!(page.contains("data-testid=\"avg-ready\">0:0"), "made ready within seconds of acceptance");
    assert!(page.contains("data-testid=\"avg-collect\">0:0"), "collected within seconds of ready");
    let refunds = page.split("data-testid=\"total-refunds\">").nth(1).and_then(|rest| rest.split('<').next());
    assert_eq!(a.price(BURGER), 12990);
    assert_eq!(refunds, Some("$12.990"), "the rejected part was refunded");

    // A's manager: only A's figures; B is nowhere, another site is not found.
    let mut manager_a = Session::sign_in(&app, &a.manager.email, &a.manager.password).await;
    let merchants = manager_a.csv("merchants", "").await;
    assert_eq!(merchants, vec![(a.name.clone(), 2, (burger_gross + fries).to_string())]);
    let products = manager_a.csv("products", "").await;
    assert!(products.iter().all(|(name, _, _)| name != "Roll de salmón"), "B's products stay B's");
    let channels = manager_a.csv("channels", &format!("&site_id={}", fx.site_id)).await;
    assert_eq!(
        channels,
        vec![("Caja".to_owned(), 1, fries.to_string()), ("QR".to_owned(), 1, burger_gross.to_string())]
    );
    let (status, page) = manager_a.get("/console/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains(&b.name) && !page.contains("Roll de salmón"), "nothing of merchant B shows");
    let (status, _) = manager_a.get("/console/dashboard?site_id=site_nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an unknown site is not found");
    let (status, _) = manager_a.get("/console/dashboard?days=365").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = manager_a.get("/console/dashboard?format=csv&chart=secrets").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Staff do not read dashboards.
    let mut staff_b = Session::sign_in(&app, &b.staff.email, &b.staff.password).await;
    let (status, page) = staff_b.get("/console/dashboard").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!page.contains(&a.name));
}
