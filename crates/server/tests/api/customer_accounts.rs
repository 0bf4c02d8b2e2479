//! Customer accounts over HTTP (issue 17 point 3): one history joining web orders and till
//! sales by the account's verified e-mail and by its phone, never another customer's; a guest
//! order claimed only with its tracking token; sign-in links that work once and not after 15
//! minutes, sent through the notification gateway and never answered differently for an unknown
//! e-mail; password guessing throttled (429); every bad field named; and a customer token that
//! opens no staff route.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::ManualClock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::{BURGER, FRIES, Line, Payment};
use crate::common::webhook::{Attempt, Receiver, random_secret};
use crate::common::{Fixture, OpenTill, TestApp, money, open_till};

/// A server whose notification gateway is the receiver, on a clock the test moves.
pub(crate) async fn app_with_gateway() -> (Receiver, TestApp, Arc<ManualClock>) {
    let gateway = Receiver::start(0).await;
    let (url, secret) = (gateway.url(), random_secret());
    let clock = Arc::new(ManualClock::starting_now());
    let services = omnicanal_server::Services { clock: clock.clone(), ..Default::default() };
    let app = TestApp::spawn_full(
        move |config| {
            config.notify.webhook_url = Some(url);
            config.notify.webhook_secret = Some(omnicanal_server::config::Secret::new(secret));
        },
        services,
    )
    .await;
    (gateway, app, clock)
}

fn links(attempts: &[Attempt]) -> Vec<Value> {
    attempts
        .iter()
        .map(Attempt::json)
        .filter(|body| body["data"]["kind"] == "customer_sign_in_link")
        .map(|body| body["data"].clone())
        .collect()
}

/// Waits for the `n`th sign-in link sent and returns its token and where it went.
pub(crate) async fn nth_link(gateway: &Receiver, n: usize) -> (String, Value) {
    let attempts = gateway.wait_until(10, "a sign-in link", |attempts| links(attempts).len() >= n).await;
    let data = links(&attempts)[n - 1].clone();
    let body = data["body"].as_str().expect("a text").to_owned();
    let token = body.rsplit_once("#link=").map(|(_, token)| token.to_owned()).expect("the link in the text");
    (token, data)
}

pub(crate) async fn use_link(app: &TestApp, token: &str) -> crate::common::Resp {
    app.post(&format!("/api/v1/customers/sign-in-links/{token}"), None, &json!({})).await
}

/// Places a web order for 1 burger with this customer.
pub(crate) async fn web_order(app: &TestApp, fx: &Fixture, customer: Value) -> Value {
    let line = Line { sku: BURGER.into(), location_id: fx.m(0).location_id.clone(), quantity: 1 };
    let mut body = fx.order_body(&[line], &Payment::card());
    body["channel"] = json!("web");
    body["customer"] = customer;
    app.post("/api/v1/orders", None, &body).await.expect(StatusCode::CREATED, "a web order")
}

/// A till cash sale of a burger and two fries with this customer.
async fn till_sale(app: &TestApp, till: &OpenTill, clock: &ManualClock, n: u32, customer: Value) -> Value {
    use omnicanal_app::Clock as _;
    clock.advance(Duration::from_secs(1));
    let sale = json!({
        "id": format!("acct-sale-{n}"),
        "session_id": till.session_id,
        "receipt_number": format!("{}-{n}", till.series),
        "sold_at": omnicanal_app::ids::rfc3339(clock.now_ms()),
        "customer": customer,
        "lines": [{"sku": BURGER, "quantity": 1}, {"sku": FRIES, "quantity": 2}],
        "payments": [{"method": "cash", "amount": money(19_970), "tendered": money(20_000)}],
    });
    app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::CREATED, "a till sale")
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|p| p["id"].as_str().expect("an id").to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_history_joins_web_orders_and_till_sales_by_email_and_by_phone() {
    let (gateway, app, clock) = app_with_gateway().await;
    let fx = Fixture::builder().merchants(1).stock(20).build(&app).await;
    let by_email = web_order(&app, &fx, json!({"name": "Ana", "email": " Ana@Example.com"})).await;
    clock.advance(Duration::from_secs(1));
    let by_phone = web_order(&app, &fx, json!({"name": "Ana", "phone": "9 1111 2222"})).await;
    clock.advance(Duration::from_secs(1));
    let stranger =
        web_order(&app, &fx, json!({"name": "Otra", "email": "otra@example.com", "phone": "+56933334444"})).await;
    let till = open_till(&app, fx.m(0), 0).await;
    let sale_by_email = till_sale(&app, &till, &clock, 1, json!({"email": "ana@example.com"})).await;
    let sale_by_phone = till_sale(&app, &till, &clock, 2, json!({"phone": "+56 9 1111 2222"})).await;
    let stranger_sale = till_sale(&app, &till, &clock, 3, json!({"email": "otra@example.com"})).await;

    let registered = app
        .post(
            "/api/v1/customers",
            None,
            &json!({"email": "ana@example.com", "phone": "+56911112222", "name": "Ana", "password": "una clave larga"}),
        )
        .await
        .expect(StatusCode::ACCEPTED, "registered");
    assert_eq!(registered, json!({"to": "email"}));
    let (token, data) = nth_link(&gateway, 1).await;
    assert_eq!((data["email"].clone(), data["phone"].clone()), (json!("ana@example.com"), Value::Null));
    let session = use_link(&app, &token).await.expect(StatusCode::CREATED, "signed in by the link");
    let customer = session["token"].as_str().expect("a token").to_owned();
    assert_eq!(session["customer"]["has_password"], true, "the registration's password is set by its link");

    // Only the e-mail is proven so far: its web order and till sale, newest first.
    let page = app.get("/api/v1/customers/me/purchases", Some(&customer)).await.expect(StatusCode::OK, "history");
    assert_eq!(ids(&page), vec![crate::common::id(&sale_by_email), crate::common::id(&by_email)]);
    assert_eq!(page["total"], 2);
    let sale = &page["items"][0];
    assert_eq!((sale["kind"].clone(), sale["channel"].clone()), (json!("sale"), json!("pos")));
    assert_eq!(sale["lines"].as_array().map(Vec::len), Some(2));
    let order = &page["items"][1];
    assert_eq!((order["kind"].clone(), order["channel"].clone()), (json!("order"), json!("web")));
    assert_eq!(order["lines"][0]["sku"], BURGER);
    let receipt = app.get(order["receipt_url"].as_str().expect("a receipt"), None).await;
    assert_eq!(receipt.status, StatusCode::OK, "the order's receipt opens with its token");
    let receipt = app.get(sale["receipt_url"].as_str().expect("a receipt"), Some(&customer)).await;
    assert_eq!(receipt.status, StatusCode::OK, "the sale's receipt opens for its customer");
    let theirs = format!("/api/v1/customers/me/sales/{}/receipt", crate::common::id(&stranger_sale));
    app.get(&theirs, Some(&customer)).await.expect_problem(StatusCode::NOT_FOUND, "another customer's receipt");

    // Proving the phone joins the purchases made with it, typed in any form.
    app.post("/api/v1/customers/sign-in-links", None, &json!({"phone": "9 1111 2222", "country": "CL"}))
        .await
        .expect(StatusCode::ACCEPTED, "a link to the phone");
    let (token, data) = nth_link(&gateway, 2).await;
    assert_eq!(data["phone"], "+56911112222");
    use_link(&app, &token).await.expect(StatusCode::CREATED, "signed in by the phone's link");
    let page = app.get("/api/v1/customers/me/purchases", Some(&customer)).await.expect(StatusCode::OK, "history");
    let mut expected: Vec<String> =
        [&sale_by_phone, &sale_by_email, &by_phone, &by_email].iter().map(|v| crate::common::id(v)).collect();
    assert_eq!(
        ids(&page),
        expected,
        "never {} nor {}",
        crate::common::id(&stranger),
        crate::common::id(&stranger_sale)
    );
    let only_mine = format!("/api/v1/customers/me/purchases?merchant_id={}", fx.m(0).id);
    let page = app.get(&only_mine, Some(&customer)).await.expect(StatusCode::OK, "one merchant's");
    assert_eq!(page["total"], 4);
    let page = app.get("/api/v1/customers/me/purchases?page=2", Some(&customer)).await.expect(StatusCode::OK, "page 2");
    assert!(ids(&page).is_empty());
    expected.clear();

    // A customer token opens no staff route, and a staff token is no customer.
    app.get("/api/v1/auth/me", Some(&customer)).await.expect_problem(StatusCode::UNAUTHORIZED, "staff me");
    let fulfilments = format!("/api/v1/locations/{}/fulfillments", fx.m(0).location_id);
    app.get(&fulfilments, Some(&customer)).await.expect_problem(StatusCode::UNAUTHORIZED, "a staff list");
    app.post("/api/v1/pos/sessions", Some(&customer), &json!({"device_id": till.device_id, "opening_float": money(0)}))
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "a till");
    let staff = fx.m(0).staff.token(&app).await;
    app.get("/api/v1/customers/me", Some(&staff)).await.expect_problem(StatusCode::UNAUTHORIZED, "staff as a customer");

    app.post("/api/v1/customers/me/sign-out", Some(&customer), &json!({})).await.expect(StatusCode::NO_CONTENT, "out");
    app.get("/api/v1/customers/me", Some(&customer)).await.expect_problem(StatusCode::UNAUTHORIZED, "signed out");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_guest_order_joins_only_with_its_tracking_token() {
    let (gateway, app, _clock) = app_with_gateway().await;
    let fx = Fixture::builder().merchants(1).stock(20).build(&app).await;
    let guest = web_order(&app, &fx, json!({"name": "Ana"})).await;
    app.post("/api/v1/customers", None, &json!({"email": "claims@example.com"}))
        .await
        .expect(StatusCode::ACCEPTED, "registered");
    let (token, _) = nth_link(&gateway, 1).await;
    let session = use_link(&app, &token).await.expect(StatusCode::CREATED, "signed in");
    let customer = session["token"].as_str().expect("a token").to_owned();

    let order_id = crate::common::id(&guest);
    for (body, what) in [
        (json!({"order_id": order_id, "token": "not-the-token"}), "a wrong token"),
        (json!({"order_id": "ord_nope", "token": guest["tracking_token"]}), "an unknown order"),
    ] {
        app.post("/api/v1/customers/me/claims", Some(&customer), &body)
            .await
            .expect_problem(StatusCode::NOT_FOUND, what);
    }
    let problem = app
        .post("/api/v1/customers/me/claims", Some(&customer), &json!({"token": ""}))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "no fields");
    assert_eq!(fields(&problem), vec!["order_id", "token"]);
    let page = app.get("/api/v1/customers/me/purchases", Some(&customer)).await.expect(StatusCode::OK, "history");
    assert_eq!(page["total"], 0, "nothing joined by a refused claim");

    let claimed = app
        .post(
            "/api/v1/customers/me/claims",
            Some(&customer),
            &json!({"order_id": order_id, "token": guest["tracking_token"]}),
        )
        .await
        .expect(StatusCode::CREATED, "claimed");
    assert_eq!(claimed["id"], json!(order_id));
    let page = app.get("/api/v1/customers/me/purchases", Some(&customer)).await.expect(StatusCode::OK, "history");
    assert_eq!(ids(&page), vec![order_id]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sign_in_link_works_once_and_not_after_fifteen_minutes() {
    let (gateway, app, clock) = app_with_gateway().await;
    app.post("/api/v1/customers", None, &json!({"email": "once@example.com"})).await.expect(StatusCode::ACCEPTED, "r");
    let (token, _) = nth_link(&gateway, 1).await;
    use_link(&app, &token).await.expect(StatusCode::CREATED, "first use");
    let problem = use_link(&app, &token).await.expect_problem(StatusCode::GONE, "second use");
    assert_eq!(problem["code"], "sign_in_link_unusable");

    let asked = app
        .post("/api/v1/customers/sign-in-links", None, &json!({"email": "ONCE@example.com "}))
        .await
        .expect(StatusCode::ACCEPTED, "a new link");
    let (late, _) = nth_link(&gateway, 2).await;
    clock.advance(Duration::from_secs(15 * 60));
    use_link(&app, &late).await.expect_problem(StatusCode::GONE, "expired");
    use_link(&app, "no-such-token").await.expect_problem(StatusCode::NOT_FOUND, "unknown");

    // An e-mail without an account gets the same answer, and nothing is sent.
    let unknown = app
        .post("/api/v1/customers/sign-in-links", None, &json!({"email": "nobody@example.com"}))
        .await
        .expect(StatusCode::ACCEPTED, "the same answer");
    assert_eq!(unknown, asked);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = links(&gateway.attempts());
    assert_eq!(sent.len(), 2, "no link for an unknown e-mail: {sent:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_guessing_is_throttled() {
    let (gateway, app, _clock) = app_with_gateway().await;
    let sign_in = |password: &str| json!({"email": "pw@example.com", "password": password});
    app.post("/api/v1/customers", None, &json!({"email": "pw@example.com", "password": "una clave larga"}))
        .await
        .expect(StatusCode::ACCEPTED, "registered");
    app.post("/api/v1/customers/sessions", None, &sign_in("una clave larga"))
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "the password works only once the link is used");
    let (token, _) = nth_link(&gateway, 1).await;
    use_link(&app, &token).await.expect(StatusCode::CREATED, "confirmed");
    let session = app
        .post("/api/v1/customers/sessions", None, &sign_in("una clave larga"))
        .await
        .expect(StatusCode::CREATED, "ok");
    assert!(session["token"].as_str().is_some_and(|t| !t.is_empty()));
    for guess in ["guess one!!", "guess two!!", "guess three"] {
        app.post("/api/v1/customers/sessions", None, &sign_in(guess))
            .await
            .expect_problem(StatusCode::UNAUTHORIZED, guess);
    }
    let throttled = app.post("/api/v1/customers/sessions", None, &sign_in("una clave larga")).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", throttled.body);
    assert!(throttled.headers.get("retry-after").is_some());
    app.stop().await;
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| e["field"].as_str().unwrap_or_default().to_owned()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_bodies_name_every_field_and_change_nothing() {
    let (gateway, app, _clock) = app_with_gateway().await;
    for (path, body, expected) in [
        (
            "/api/v1/customers",
            json!({"email": "no-at", "phone": "12ab", "country": "XX", "password": "short"}),
            vec!["country", "email", "phone", "password"],
        ),
        ("/api/v1/customers", json!({"name": "Ana"}), vec!["email"]),
        ("/api/v1/customers", json!({"phone": "912345678"}), vec!["country"]),
        ("/api/v1/customers/sessions", json!({}), vec!["email", "password"]),
        ("/api/v1/customers/sign-in-links", json!({"email": "a@b"}), vec!["email"]),
    ] {
        let problem =
            app.post(path, None, &body).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, &body.to_string());
        assert_eq!(fields(&problem), expected, "{path} {body}");
    }
    app.post("/api/v1/customers", None, &json!({"email": "ok@example.com"})).await.expect(StatusCode::ACCEPTED, "r");
    let (token, _) = nth_link(&gateway, 1).await;
    assert_eq!(links(&gateway.attempts()).len(), 1, "no link for a refused body");
    let session = use_link(&app, &token).await.expect(StatusCode::CREATED, "signed in");
    let customer = session["token"].as_str().expect("a token").to_owned();
    let problem = app
        .get("/api/v1/customers/me/purchases?page=0", Some(&customer))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "page 0");
    assert_eq!(fields(&problem), vec!["page"]);
    let receipt = "/api/v1/customers/me/sales/nope/receipt?lang=fr&format=doc";
    let problem = app.get(receipt, Some(&customer)).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "query");
    assert_eq!(fields(&problem), vec!["lang", "format"]);
    app.stop().await;
}
