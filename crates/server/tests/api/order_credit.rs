//! Gift cards and store credit spent on orders and at the counter (issue 17 point 8): a web
//! shop or API order paid partly by a gift card (the card captured only the rest), two orders
//! racing for the last balance (one wins, the other 422 with nothing placed), a rejected part
//! giving its credit back, the signed-in customer's store credit, a pay-at-pickup part paid at
//! the till with a gift card, an expired balance refused, and every bad input named.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::ManualClock;
use omnicanal_domain::credit::GiftCardCode;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::BURGER;
use crate::common::{
    Fixture, Payment, TestApp, assert_validation_problem, clp, fulfillment_at, id, money, open_till, pickup_code, qs,
};

async fn issue(app: &TestApp, token: &str, merchant_id: &str, amount: i64) -> String {
    let card = app
        .post("/api/v1/gift-cards", Some(token), &json!({"merchant_id": merchant_id, "amount": money(amount)}))
        .await
        .expect(StatusCode::CREATED, "issue a card");
    card["code"].as_str().expect("the code").to_owned()
}

async fn card_balance(app: &TestApp, merchant_id: &str, code: &str) -> i64 {
    let path = format!("/api/v1/gift-cards/balance?{}", qs(&[("merchant_id", merchant_id), ("code", code)]));
    clp(&app.get(&path, None).await.expect(StatusCode::OK, "the card's balance")["balance"])
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"].as_array().map_or_else(Vec::new, |errors| {
        errors.iter().map(|e| e["field"].as_str().unwrap_or_default().to_owned()).collect()
    })
}

/// An order body for `lines`, paid by `payment` plus the gift card `code`.
fn with_card(fx: &Fixture, lines: &[crate::common::fixture::Line], payment: &Payment, code: &str) -> Value {
    let mut body = fx.order_body(lines, payment);
    body["channel"] = json!("web");
    body["payment"]["gift_card_code"] = json!(code);
    body
}

/// Lets the location take payment at pickup (the fixture's burger place takes cards only).
async fn take_pay_at_pickup(app: &TestApp, location_id: &str) {
    let admin = app.admin_token().await;
    app.send(
        reqwest::Method::PATCH,
        &format!("/api/v1/locations/{location_id}"),
        Some(&admin),
        crate::common::Body::Json(json!({"pay_at_pickup": true})),
        &[],
    )
    .await
    .expect(StatusCode::OK, "pay at pickup");
}

async fn jobs_of(app: &TestApp, order: &Value) -> Vec<Value> {
    let admin = app.admin_token().await;
    let path = format!("/api/v1/payment-jobs?{}", qs(&[("order_id", id(order).as_str())]));
    app.get(&path, Some(&admin)).await.expect(StatusCode::OK, "payment jobs").as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gift_card_pays_part_of_an_order_and_comes_back_when_the_part_is_rejected() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (m, other) = (fx.m(0), fx.m(1));
    let manager = m.manager.token(&app).await;
    let code = issue(&app, &manager, &m.id, 5_000).await;
    let burger = m.price(BURGER);

    let lines = [fx.line(BURGER, 1)];
    let placed = app
        .post("/api/v1/orders", None, &with_card(&fx, &lines, &Payment::card(), &code))
        .await
        .expect(StatusCode::CREATED, "card and gift card");
    assert_eq!(card_balance(&app, &m.id, &code).await, 0, "the card's 5,000 went to the order");
    assert_eq!(clp(&placed["payment"]["captured"]), burger, "paid in full: card plus gift card");
    let jobs = jobs_of(&app, &placed).await;
    let capture = jobs.iter().find(|job| job["kind"] == "capture").expect("a capture job");
    assert_eq!(clp(&capture["amount"]), burger - 5_000, "the card is captured only the rest");

    // The card is empty now: a second order with it is refused whole, nothing placed.
    let on_hand = app.stock_level(&manager, &m.location_id, BURGER).await;
    let refused = app.post("/api/v1/orders", None, &with_card(&fx, &lines, &Payment::card(), &code)).await;
    let problem = refused.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "an empty card");
    assert_eq!(problem["code"], "insufficient_credit");
    let after = app.stock_level(&manager, &m.location_id, BURGER).await;
    assert_eq!((after.on_hand, after.reserved), (on_hand.on_hand, on_hand.reserved), "nothing reserved");

    // The merchant rejects the part: the gift card gets its 5,000 back, the card the rest.
    let part = id(fulfillment_at(&placed, &m.location_id));
    app.transition(&manager, &part, "rejected", None).await.expect(StatusCode::OK, "rejected");
    assert_eq!(card_balance(&app, &m.id, &code).await, 5_000, "credit given back");
    let jobs = jobs_of(&app, &placed).await;
    let refund = jobs.iter().find(|job| job["kind"] == "refund").expect("a refund job");
    assert_eq!(clp(&refund["amount"]), burger - 5_000, "the card is refunded only its share");
    let seen = app.get_order(&placed).await;
    assert_eq!(clp(&seen["payment"]["refunded"]), burger);

    // Bad input: a typo is a 422 naming the field, a code of no card a 404, another merchant's
    // card a 404 (a card pays only its merchant's parts).
    let mut typo = code.clone().into_bytes();
    typo[0] = if typo[0] == b'A' { b'B' } else { b'A' };
    let typo = String::from_utf8(typo).expect("ascii");
    let bad = app.post("/api/v1/orders", None, &with_card(&fx, &lines, &Payment::card(), &typo)).await;
    assert_validation_problem(&bad, "a mistyped code");
    assert_eq!(fields(&bad.body), ["payment.gift_card_code"]);
    let unknown = GiftCardCode::from_random([7; 15]).grouped();
    app.post("/api/v1/orders", None, &with_card(&fx, &lines, &Payment::card(), &unknown))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "no such card");
    let theirs = issue(&app, &other.manager.token(&app).await, &other.id, 5_000).await;
    app.post("/api/v1/orders", None, &with_card(&fx, &lines, &Payment::card(), &theirs))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's card");
    assert_eq!(card_balance(&app, &other.id, &theirs).await, 5_000, "untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_orders_racing_for_the_last_balance_place_one() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(20).build(&app).await;
    let m = fx.m(0);
    let manager = m.manager.token(&app).await;
    let burger = m.price(BURGER);
    take_pay_at_pickup(&app, &m.location_id).await;
    let code = issue(&app, &manager, &m.id, burger).await;
    let body = with_card(&fx, &[fx.line(BURGER, 1)], &Payment::AtPickup, &code);
    let (a, b) = tokio::join!(app.post("/api/v1/orders", None, &body), app.post("/api/v1/orders", None, &body));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::UNPROCESSABLE_ENTITY], "{} / {}", a.body, b.body);
    let loser = if a.status == StatusCode::CREATED { &b } else { &a };
    assert_eq!(loser.body["code"], "insufficient_credit", "{}", loser.body);
    assert_eq!(card_balance(&app, &m.id, &code).await, 0);
    let level = app.stock_level(&manager, &m.location_id, BURGER).await;
    assert_eq!(level.reserved, 1, "only the winner reserved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_shop_takes_a_gift_card_and_the_till_collects_the_rest_with_another() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let manager = m.manager.token(&app).await;
    let burger = m.price(BURGER);
    take_pay_at_pickup(&app, &m.location_id).await;
    let web_card = issue(&app, &manager, &m.id, 3_000).await;
    let till_card = issue(&app, &manager, &m.id, 4_000).await;
    let till = open_till(&app, m, 0).await;

    let body = json!({
        "fulfilment": "pickup", "location_id": m.location_id,
        "lines": [{"sku": BURGER, "quantity": 1}],
        "customer": {"name": "Ana", "email": "ana@example.com"},
        "payment": {"method": "pay_at_pickup", "gift_card_code": web_card},
    });
    let placed = app
        .post(&format!("/api/v1/shops/{}/orders", m.id), None, &body)
        .await
        .expect(StatusCode::CREATED, "a web shop order paid partly by a gift card");
    assert_eq!(clp(&placed["payment"]["outstanding"]), burger - 3_000);
    assert_eq!(card_balance(&app, &m.id, &web_card).await, 0);

    let part = fulfillment_at(&placed, &m.location_id).clone();
    let (part_id, code) = (id(&part), pickup_code(&part));
    app.advance(&manager, &part_id, &["accepted", "preparing", "ready"]).await;
    let look_up = format!("/api/v1/pos/devices/{}/pickups?{}", till.device_id, qs(&[("code", &code)]));
    let looked = app.get(&look_up, Some(&till.staff)).await.expect(StatusCode::OK, "look up");
    let owed = clp(&looked["to_collect"]);
    assert_eq!(owed, burger - 3_000, "the till collects what the web gift card did not pay");

    let collect = format!("/api/v1/pos/pickups/{part_id}/collect");
    // More than the till's card holds, alone: refused, nothing collected.
    let over = json!({"session_id": till.session_id, "payments": [{"method": "gift_card", "amount": money(owed), "reference": till_card}]});
    let problem = app
        .post(&collect, Some(&till.staff), &over)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "more than the card holds");
    assert_eq!(problem["code"], "insufficient_credit");
    assert_eq!(card_balance(&app, &m.id, &till_card).await, 4_000);
    // No code at all names the tender's reference.
    let blank = json!({"session_id": till.session_id, "payments": [{"method": "gift_card", "amount": money(owed)}]});
    let blank = app.post(&collect, Some(&till.staff), &blank).await;
    assert_validation_problem(&blank, "no code");
    assert_eq!(fields(&blank.body), ["payments[0].reference"]);

    let paid = json!({"session_id": till.session_id, "payments": [
        {"method": "gift_card", "amount": money(4_000), "reference": till_card},
        {"method": "cash", "amount": money(owed - 4_000), "tendered": money(owed - 4_000)},
    ]});
    let collected = app.post(&collect, Some(&till.staff), &paid).await.expect(StatusCode::OK, "gift card and cash");
    assert_eq!(collected["status"], "collected");
    assert_eq!(card_balance(&app, &m.id, &till_card).await, 0);
    let seen = app.get_order(&placed).await;
    assert_eq!((clp(&seen["payment"]["captured"]), clp(&seen["payment"]["outstanding"])), (burger, 0));
    let report = app
        .get(&format!("/api/v1/pos/sessions/{}", till.session_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "report");
    assert_eq!(clp(&report["expected_cash"]), owed - 4_000, "only the cash is in the drawer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_gift_card_is_refused_on_an_order() {
    let clock = Arc::new(ManualClock::starting_now());
    let services = omnicanal_server::Services { clock: clock.clone(), ..Default::default() };
    let app = TestApp::spawn_with_services(services).await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let manager = m.manager.token(&app).await;
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/merchants/{}/credit-policy", m.id),
        Some(&manager),
        crate::common::Body::Json(json!({"credit_expiry_days": 30})),
        &[],
    )
    .await
    .expect(StatusCode::OK, "30 days");
    let code = issue(&app, &manager, &m.id, 5_000).await;
    clock.advance(Duration::from_secs(31 * 86_400));
    let body = with_card(&fx, &[fx.line(BURGER, 1)], &Payment::card(), &code);
    let problem = app
        .post("/api/v1/orders", None, &body)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "an expired card");
    assert_eq!(problem["code"], "credit_expired");
}

/// The sign-in link the gateway received last, as its token.
async fn sign_in_token(gateway: &crate::common::webhook::Receiver) -> String {
    let attempts = gateway
        .wait_until(10, "a sign-in link", |attempts| {
            attempts.iter().any(|a| a.json()["data"]["kind"] == "customer_sign_in_link")
        })
        .await;
    let data = attempts
        .iter()
        .map(crate::common::webhook::Attempt::json)
        .find(|body| body["data"]["kind"] == "customer_sign_in_link")
        .expect("a link")["data"]
        .clone();
    let body = data["body"].as_str().expect("a text").to_owned();
    body.rsplit_once("#link=").map(|(_, token)| token.to_owned()).expect("the link in the text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_signed_in_customers_store_credit_pays_a_web_order_and_comes_back() {
    let gateway = crate::common::webhook::Receiver::start(0).await;
    let (url, secret) = (gateway.url(), crate::common::webhook::random_secret());
    let app = TestApp::spawn_full(
        move |config| {
            config.notify.webhook_url = Some(url);
            config.notify.webhook_secret = Some(omnicanal_server::config::Secret::new(secret));
        },
        omnicanal_server::Services::default(),
    )
    .await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let manager = m.manager.token(&app).await;
    let burger = m.price(BURGER);
    take_pay_at_pickup(&app, &m.location_id).await;
    app.post(
        "/api/v1/customers",
        None,
        &json!({"email": "ana@example.com", "name": "Ana", "password": "una clave larga"}),
    )
    .await
    .expect(StatusCode::ACCEPTED, "registered");
    let link = sign_in_token(&gateway).await;
    let session = app
        .post(&format!("/api/v1/customers/sign-in-links/{link}"), None, &json!({}))
        .await
        .expect(StatusCode::CREATED, "signed in");
    let customer = session["token"].as_str().expect("a token").to_owned();
    let grant =
        json!({"merchant_id": m.id, "customer": "Ana@Example.com", "amount": money(4_000), "reason": "devolución"});
    app.post("/api/v1/store-credit", Some(&manager), &grant).await.expect(StatusCode::CREATED, "grant");

    let mut body = fx.order_body(&[fx.line(BURGER, 1)], &Payment::AtPickup);
    body["channel"] = json!("web");
    body["payment"]["store_credit"] = json!(true);
    let anonymous = app.post("/api/v1/orders", None, &body).await;
    anonymous.expect_problem(StatusCode::UNAUTHORIZED, "store credit needs the customer signed in");
    app.post("/api/v1/orders", Some("not-a-session"), &body)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "an unknown customer token");

    let placed = app.post("/api/v1/orders", Some(&customer), &body).await.expect(StatusCode::CREATED, "store credit");
    assert_eq!(clp(&placed["payment"]["outstanding"]), burger - 4_000, "the rest is paid at pickup");
    let read_path =
        format!("/api/v1/store-credit?{}", qs(&[("merchant_id", m.id.as_str()), ("customer", "ana@example.com")]));
    let read = app.get(&read_path, Some(&manager)).await.expect(StatusCode::OK, "read");
    assert_eq!(clp(&read["balance"]), 0);
    assert_eq!(read["entries"][0]["source_kind"], "order");

    // Nothing left: a second order with store credit is refused whole.
    let problem = app
        .post("/api/v1/orders", Some(&customer), &body)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "no credit left");
    assert_eq!(problem["code"], "insufficient_credit");

    // The part lapses uncollected (the merchant rejects it here): the credit comes back.
    let part = id(fulfillment_at(&placed, &m.location_id));
    app.transition(&manager, &part, "rejected", None).await.expect(StatusCode::OK, "rejected");
    let read = app.get(&read_path, Some(&manager)).await.expect(StatusCode::OK, "read again");
    assert_eq!(clp(&read["balance"]), 4_000);
    assert_eq!(read["entries"][0]["source_kind"], "order_refund");
    let seen = app.get_order(&placed).await;
    assert_eq!(clp(&seen["payment"]["outstanding"]), 0, "nothing owed any more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_page_issues_cards_shows_a_ledger_grants_and_sets_the_policy() {
    use crate::console_pages::Browser;
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (m, other) = (fx.m(0), fx.m(1));
    let mut manager = Browser::new(&app);
    manager.sign_in(&m.manager.email, &m.manager.password).await;
    let page = manager.get("/console/credit").await;
    page.expect(StatusCode::OK, "the credit page");
    assert!(page.body.contains(r#"data-testid="credit-cards-empty""#), "the empty state");
    let csrf = page.csrf_field();

    let issued = manager.post_form("/console/credit/gift-cards", &[("csrf", &csrf), ("amount", "25.000")]).await;
    issued.expect(StatusCode::OK, "a card issued");
    let marker = r#"data-testid="credit-issued-code""#;
    let code = issued.body.split(marker).next().and_then(|head| head.rsplit("value=\"").next()).unwrap_or_default();
    let code = code.split('"').next().unwrap_or_default().to_owned();
    assert_eq!(code.len(), 19, "the code, grouped by four: {code}");
    assert_eq!(card_balance(&app, &m.id, &code).await, 25_000);
    let list = manager.get("/console/credit").await;
    list.expect(StatusCode::OK, "the list");
    assert!(
        list.body.contains(&format!("…{}", &code[15..])) && !list.body.contains(&code[..9]),
        "never the code again"
    );
    manager
        .post_form("/console/credit/gift-cards", &[("csrf", &csrf), ("amount", "veinte")])
        .await
        .expect(StatusCode::OK, "a bad amount is said on the page");

    manager
        .post_form(
            "/console/credit/grant",
            &[("csrf", &csrf), ("customer", "ana@example.com"), ("amount", "3000"), ("reason", "cortesía")],
        )
        .await
        .expect(StatusCode::SEE_OTHER, "granted");
    let ledger = manager.get(&format!("/console/credit?{}", qs(&[("customer", "ana@example.com")]))).await;
    ledger.expect(StatusCode::OK, "the customer's ledger");
    assert!(ledger.body.contains("$3.000") && ledger.body.contains("cortesía"), "balance and reason shown");
    manager
        .post_form("/console/credit/policy", &[("csrf", &csrf), ("days", "30")])
        .await
        .expect(StatusCode::SEE_OTHER, "policy");
    let policy = app
        .get(&format!("/api/v1/merchants/{}/credit-policy", m.id), Some(&m.manager.token(&app).await))
        .await
        .expect(StatusCode::OK, "policy");
    assert_eq!(policy["credit_expiry_days"], 30);

    // Without the form's token nothing happens; another merchant's page is not found; staff may not.
    manager
        .post_form("/console/credit/gift-cards", &[("amount", "1000")])
        .await
        .expect(StatusCode::FORBIDDEN, "no CSRF token");
    manager
        .get(&format!("/console/credit?{}", qs(&[("merchant_id", other.id.as_str())])))
        .await
        .expect(StatusCode::NOT_FOUND, "another merchant");
    let mut staff = Browser::new(&app);
    staff.sign_in(&m.staff.email, &m.staff.password).await;
    staff.get("/console/credit").await.expect(StatusCode::FORBIDDEN, "staff");
}

/// A return of an order paid part by gift card never refunds the card more than the card paid:
/// the first burger back goes to the card, the second — more than is left on the card — back to
/// the gift card that paid the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_return_refunds_the_card_at_most_what_it_paid_and_the_rest_to_the_gift_card() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let manager = m.manager.token(&app).await;
    let burger = m.price(BURGER);
    let code = issue(&app, &manager, &m.id, burger / 2).await;
    let placed = app
        .post("/api/v1/orders", None, &with_card(&fx, &[fx.line(BURGER, 2)], &Payment::card(), &code))
        .await
        .expect(StatusCode::CREATED, "card and gift card");
    app.fulfil(&manager, fulfillment_at(&placed, &m.location_id)).await;
    let back = json!({"order_id": id(&placed), "location_id": m.location_id, "refund_to": "original", "reason": "no",
        "lines": [{"sku": BURGER, "quantity": 1, "restock": true}]});

    let first = app.post("/api/v1/returns", Some(&manager), &back).await.expect(StatusCode::CREATED, "first back");
    assert_eq!((first["refund_method"].clone(), clp(&first["refund"])), (json!("card"), burger));
    let second = app.post("/api/v1/returns", Some(&manager), &back).await.expect(StatusCode::CREATED, "second back");
    assert_eq!((second["refund_method"].clone(), clp(&second["refund"])), (json!("store_credit"), burger));
    assert_eq!(card_balance(&app, &m.id, &code).await, burger, "the rest went back to the gift card");
    let refunds: Vec<Value> = jobs_of(&app, &placed).await.into_iter().filter(|job| job["kind"] == "refund").collect();
    assert_eq!(refunds.len(), 1, "one card refund only: {refunds:?}");
    assert_eq!(clp(&refunds[0]["amount"]), burger);
}

/// A pay-at-pickup order collected at the till with a gift card goes back to that gift card when
/// returned, not out of the drawer in cash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pickup_collected_with_a_gift_card_is_returned_to_the_gift_card() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let manager = m.manager.token(&app).await;
    let burger = m.price(BURGER);
    take_pay_at_pickup(&app, &m.location_id).await;
    let code = issue(&app, &manager, &m.id, burger).await;
    let till = open_till(&app, m, 0).await;
    let mut body = fx.order_body(&[fx.line(BURGER, 1)], &Payment::card());
    body["payment"] = json!({"method": "pay_at_pickup"});
    let placed = app.post("/api/v1/orders", None, &body).await.expect(StatusCode::CREATED, "pay at pickup");
    let part_id = id(fulfillment_at(&placed, &m.location_id));
    app.advance(&manager, &part_id, &["accepted", "preparing", "ready"]).await;
    let paid = json!({"session_id": till.session_id, "payments": [
        {"method": "gift_card", "amount": money(burger), "reference": code}]});
    app.post(&format!("/api/v1/pos/pickups/{part_id}/collect"), Some(&till.staff), &paid)
        .await
        .expect(StatusCode::OK, "collected with the gift card");
    assert_eq!(card_balance(&app, &m.id, &code).await, 0);

    let back = json!({"order_id": id(&placed), "location_id": m.location_id, "device_id": till.device_id,
        "refund_to": "original", "reason": "no", "lines": [{"sku": BURGER, "quantity": 1, "restock": true}]});
    let taken = app.post("/api/v1/returns", Some(&till.staff), &back).await.expect(StatusCode::CREATED, "returned");
    assert_eq!((taken["refund_method"].clone(), clp(&taken["refund"])), (json!("store_credit"), burger));
    assert_eq!(card_balance(&app, &m.id, &code).await, burger, "back on the gift card");
    let report = app
        .get(&format!("/api/v1/pos/sessions/{}", till.session_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "report");
    assert_eq!(clp(&report["expected_cash"]), 0, "nothing left the drawer");
}
