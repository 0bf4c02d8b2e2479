//! Store credit and gift cards over HTTP (issue 17 point 8): a manager issues a card whose code
//! is shown once, anyone holding the code reads its balance, guessed codes are throttled (typos
//! are not guesses), a manager grants a customer credit that staff read with its ledger, credit
//! expires by the merchant's policy, and another merchant learns nothing (404).

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::ManualClock;
use omnicanal_domain::credit::GiftCardCode;
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use serde_json::{Value, json};

use crate::common::fixture::{BURGER, SUSHI};
use crate::common::{Fixture, OpenTill, TestApp, assert_validation_problem, clp, money, open_till, qs};

async fn issue(app: &TestApp, token: &str, merchant_id: &str, amount: i64) -> crate::common::Resp {
    app.post("/api/v1/gift-cards", Some(token), &json!({"merchant_id": merchant_id, "amount": money(amount)})).await
}

async fn balance(app: &TestApp, merchant_id: &str, code: &str) -> crate::common::Resp {
    app.get(&format!("/api/v1/gift-cards/balance?{}", qs(&[("merchant_id", merchant_id), ("code", code)])), None).await
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"].as_array().map_or_else(Vec::new, |errors| {
        errors.iter().map(|e| e["field"].as_str().unwrap_or_default().to_owned()).collect()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gift_card_code_is_shown_once_and_reads_its_balance_at_its_merchant_only() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (m, other) = (fx.m(0), fx.m(1));
    let manager = m.manager.token(&app).await;

    let card = issue(&app, &manager, &m.id, 25_000).await.expect(StatusCode::CREATED, "issue a card");
    let code = card["code"].as_str().expect("the code, once").to_owned();
    assert_eq!(code.len(), 19, "16 characters grouped by four: {code}");
    assert_eq!(clp(&card["balance"]), 25_000);
    assert_eq!(card["last4"].as_str(), Some(&code[15..]));

    // The list shows the card by its last four characters, never its code.
    let list = app
        .get(&format!("/api/v1/gift-cards?{}", qs(&[("merchant_id", m.id.as_str())])), Some(&manager))
        .await
        .expect(StatusCode::OK, "list cards");
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], card["id"]);
    assert!(!list.to_string().contains(&code[..14]), "no code in the list: {list}");

    // Anyone with the code reads the balance, typed in any case without dashes.
    let typed = code.replace('-', "").to_lowercase();
    let read = balance(&app, &m.id, &typed).await.expect(StatusCode::OK, "the card's balance");
    assert_eq!(clp(&read["balance"]), 25_000);
    assert_eq!(
        (read["holder"].as_str(), read["expired"].as_bool()),
        (Some(format!("…{}", &code[15..]).as_str()), Some(false))
    );
    assert_eq!(read["entries"], json!([]), "the public balance has no ledger");

    // At another merchant, or at one that does not exist, the same code is simply not found.
    balance(&app, &other.id, &code).await.expect_problem(StatusCode::NOT_FOUND, "the card at another merchant");
    balance(&app, "mer_nope", &code).await.expect_problem(StatusCode::NOT_FOUND, "an unknown merchant");

    // Only managers of the merchant (and admins) issue cards; bad input names every field.
    let staff = m.staff.token(&app).await;
    issue(&app, &staff, &m.id, 1_000).await.expect_problem(StatusCode::FORBIDDEN, "staff may not issue");
    let theirs = other.manager.token(&app).await;
    issue(&app, &theirs, &m.id, 1_000).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's manager");
    let bad = app.post("/api/v1/gift-cards", Some(&manager), &json!({"amount": money(0)})).await;
    assert_validation_problem(&bad, "no merchant, zero value");
    assert_eq!(fields(&bad.body), ["merchant_id", "amount.amount"]);
    let listed = app
        .get(&format!("/api/v1/gift-cards?{}", qs(&[("merchant_id", m.id.as_str())])), Some(&manager))
        .await
        .expect(StatusCode::OK, "list cards");
    assert_eq!(listed["total"], 1, "nothing issued by the refusals");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessed_codes_are_throttled_while_typos_are_refused_without_counting() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let manager = m.manager.token(&app).await;
    let card = issue(&app, &manager, &m.id, 10_000).await.expect(StatusCode::CREATED, "issue a card");
    let code = card["code"].as_str().expect("code").to_owned();

    // A typo fails the check character: a 422 naming the code, as often as it happens.
    let mut typo = code.clone().into_bytes();
    typo[0] = if typo[0] == b'A' { b'B' } else { b'A' };
    let typo = String::from_utf8(typo).expect("ascii");
    for _ in 0..6 {
        let refused = balance(&app, &m.id, &typo).await;
        assert_validation_problem(&refused, "a mistyped code");
        assert_eq!(fields(&refused.body), ["code"]);
    }

    // Well-formed codes that match no card: three misses, then 429 with Retry-After.
    for n in 0..3u8 {
        let guess = GiftCardCode::from_random([n; 15]).grouped();
        balance(&app, &m.id, &guess).await.expect_problem(StatusCode::NOT_FOUND, "a guess");
    }
    let guess = GiftCardCode::from_random([9; 15]).grouped();
    let throttled = balance(&app, &m.id, &guess).await;
    let retry_after =
        throttled.headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    assert!(retry_after.is_some_and(|secs| secs >= 1), "Retry-After: {:?}", throttled.headers);
    throttled.expect_problem(StatusCode::TOO_MANY_REQUESTS, "the fourth guess in a row");
    // While the delay runs, even the right code waits (the throttle does not look it up).
    balance(&app, &m.id, &code).await.expect_problem(StatusCode::TOO_MANY_REQUESTS, "the right code, too soon");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_credit_is_granted_read_by_staff_and_expires_by_the_merchant_policy() {
    let clock = Arc::new(ManualClock::starting_now());
    let services = omnicanal_server::Services { clock: clock.clone(), ..Default::default() };
    let app = TestApp::spawn_with_services(services).await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (m, other) = (fx.m(0), fx.m(1));
    let manager = m.manager.token(&app).await;
    let policy = format!("/api/v1/merchants/{}/credit-policy", m.id);

    let none = app.get(&policy, Some(&manager)).await.expect(StatusCode::OK, "the default policy");
    assert_eq!(none["credit_expiry_days"], Value::Null, "credit never expires by default");
    let bad = app
        .send(
            reqwest::Method::PUT,
            &policy,
            Some(&manager),
            crate::common::Body::Json(json!({"credit_expiry_days": 0})),
            &[],
        )
        .await;
    assert_validation_problem(&bad, "zero days");
    let set = app
        .send(
            reqwest::Method::PUT,
            &policy,
            Some(&manager),
            crate::common::Body::Json(json!({"credit_expiry_days": 30})),
            &[],
        )
        .await
        .expect(StatusCode::OK, "30 days");
    assert_eq!(set["credit_expiry_days"], 30);

    let grant = json!({"merchant_id": m.id, "customer": "  Ana@Example.CL ", "amount": money(5_000), "reason": "late delivery"});
    let granted = app.post("/api/v1/store-credit", Some(&manager), &grant).await.expect(StatusCode::CREATED, "grant");
    assert_eq!((granted["holder"].as_str(), clp(&granted["balance"])), (Some("ana@example.cl"), 5_000));
    assert!(granted["expires_at"].is_string(), "30 days from now: {granted}");
    assert_eq!(granted["entries"][0]["reason"], "late delivery");
    assert_eq!(granted["entries"][0]["by_user"], json!(m.manager.id));

    // Bad grants name every field and change nothing; staff may not grant.
    let bad = app
        .post(
            "/api/v1/store-credit",
            Some(&manager),
            &json!({"merchant_id": m.id, "customer": "ana@", "amount": money(-5)}),
        )
        .await;
    assert_validation_problem(&bad, "a bad grant");
    assert_eq!(fields(&bad.body), ["customer", "amount.amount", "reason"]);
    let staff = m.staff.token(&app).await;
    app.post("/api/v1/store-credit", Some(&staff), &grant).await.expect_problem(StatusCode::FORBIDDEN, "staff grant");

    // Staff read the customer's balance and ledger by any spelling of the e-mail.
    let read_path = |merchant: &str, customer: &str| {
        format!("/api/v1/store-credit?{}", qs(&[("merchant_id", merchant), ("customer", customer)]))
    };
    let read = app.get(&read_path(&m.id, "ANA@example.cl"), Some(&staff)).await.expect(StatusCode::OK, "staff read");
    assert_eq!((clp(&read["balance"]), read["total_entries"].as_i64()), (5_000, Some(1)));
    let theirs = other.manager.token(&app).await;
    app.get(&read_path(&m.id, "ana@example.cl"), Some(&theirs))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant");
    app.get(&read_path(&other.id, "ana@example.cl"), Some(&theirs))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "no credit at their own merchant");

    // The grant is in the audit log.
    let audit = app
        .get(&format!("/api/v1/audit-log?{}", qs(&[("entity", "store_credit")])), Some(&manager))
        .await
        .expect(StatusCode::OK, "audit log");
    assert!(audit.to_string().contains("late delivery"), "{audit}");

    // 31 days later the balance has expired: nothing left to spend.
    clock.advance(Duration::from_secs(31 * 86_400));
    // Sessions lapse too: sign in again.
    let staff = app.login(&m.staff.email, &m.staff.password).await;
    let expired = app.get(&read_path(&m.id, "ana@example.cl"), Some(&staff)).await.expect(StatusCode::OK, "read");
    assert_eq!((expired["expired"].as_bool(), clp(&expired["balance"])), (Some(true), 0));
}

/// A till sale of one burger ($12.990) paid by these tenders, sold at `sold_at`.
fn sale(id: &str, till: &OpenTill, n: u32, sold_at: &str, payments: Value) -> Value {
    json!({
        "id": id,
        "session_id": till.session_id,
        "receipt_number": format!("{}-{n}", till.series),
        "sold_at": sold_at,
        "lines": [{"sku": BURGER, "quantity": 1}],
        "payments": payments,
    })
}

fn now_text() -> String {
    chrono::Utc::now().to_rfc3339()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gift_card_pays_at_the_till_once_and_never_beyond_its_balance() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let m = fx.m(0);
    let till = open_till(&app, m, 0).await;
    let card = issue(&app, &till.manager, &m.id, 20_000).await.expect(StatusCode::CREATED, "issue a card");
    let code = card["code"].as_str().expect("code").to_owned();
    let on_hand = app.stock_level(&till.manager, &m.location_id, BURGER).await.on_hand;

    let paid = sale(
        "gc-1",
        &till,
        1,
        &now_text(),
        json!([{"method": "gift_card", "amount": money(12_990), "reference": code}]),
    );
    let first =
        app.post("/api/v1/pos/sales", Some(&till.staff), &paid).await.expect(StatusCode::CREATED, "paid by card");
    assert_eq!(first["payments"][0]["method"], "gift_card");
    assert_eq!(first["payments"][0]["reference"], card["id"], "the card's id, never its code: {first}");
    assert!(!first.to_string().contains(&code[..14]), "no code in the answer");
    let read = balance(&app, &m.id, &code).await.expect(StatusCode::OK, "balance");
    assert_eq!(clp(&read["balance"]), 7_010);
    // The till retries the same sale: recorded once, spent once.
    app.post("/api/v1/pos/sales", Some(&till.staff), &paid).await.expect(StatusCode::OK, "a retry replays");
    assert_eq!(clp(&balance(&app, &m.id, &code).await.expect(StatusCode::OK, "balance")["balance"]), 7_010);

    // A second burger by the card alone is more than it holds: 422, and no sale, stock or spend.
    let short = sale(
        "gc-2",
        &till,
        2,
        &now_text(),
        json!([{"method": "gift_card", "amount": money(12_990), "reference": code}]),
    );
    let refused = app.post("/api/v1/pos/sales", Some(&till.staff), &short).await;
    let problem = refused.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "more than the balance");
    assert_eq!(problem["code"], "insufficient_credit");
    app.get("/api/v1/pos/sales/gc-2", Some(&till.staff)).await.expect_problem(StatusCode::NOT_FOUND, "not recorded");
    let after = app.stock_level(&till.manager, &m.location_id, BURGER).await.on_hand;
    assert_eq!(after, on_hand - 1, "only the first burger left the shelf");

    // The rest of the card and cash together pay it; then the card is empty.
    let split = sale(
        "gc-3",
        &till,
        2,
        &now_text(),
        json!([{"method": "gift_card", "amount": money(7_010), "reference": code}, {"method": "cash", "amount": money(5_980)}]),
    );
    app.post("/api/v1/pos/sales", Some(&till.staff), &split).await.expect(StatusCode::CREATED, "card and cash");
    assert_eq!(clp(&balance(&app, &m.id, &code).await.expect(StatusCode::OK, "balance")["balance"]), 0);

    // A mistyped code names the tender; another merchant's till does not know the card.
    let typo = sale(
        "gc-4",
        &till,
        3,
        &now_text(),
        json!([{"method": "gift_card", "amount": money(12_990), "reference": "ABCD-EFGH-JKMN-PQRS"}]),
    );
    let bad = app.post("/api/v1/pos/sales", Some(&till.staff), &typo).await;
    assert_validation_problem(&bad, "a mistyped code");
    assert_eq!(fields(&bad.body), ["payments[0].reference"]);
    let theirs = open_till(&app, fx.m(1), 0).await;
    let elsewhere = json!({
        "id": "gc-5", "session_id": theirs.session_id, "receipt_number": format!("{}-1", theirs.series),
        "sold_at": now_text(), "lines": [{"sku": SUSHI, "quantity": 1}],
        "payments": [{"method": "gift_card", "amount": money(fx.m(1).price(SUSHI)), "reference": code}],
    });
    app.post("/api/v1/pos/sales", Some(&theirs.staff), &elsewhere)
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's card");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_credit_pays_at_the_till_until_it_expires() {
    let clock = Arc::new(ManualClock::starting_now());
    let services = omnicanal_server::Services { clock: clock.clone(), ..Default::default() };
    let app = TestApp::spawn_with_services(services).await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let till = open_till(&app, m, 0).await;
    let policy = format!("/api/v1/merchants/{}/credit-policy", m.id);
    app.send(
        reqwest::Method::PUT,
        &policy,
        Some(&till.manager),
        crate::common::Body::Json(json!({"credit_expiry_days": 30})),
        &[],
    )
    .await
    .expect(StatusCode::OK, "30 days");
    let grant = json!({"merchant_id": m.id, "customer": "+56 9 1234 5678", "amount": money(5_000), "reason": "return"});
    app.post("/api/v1/store-credit", Some(&till.manager), &grant).await.expect(StatusCode::CREATED, "grant");
    // The ledger is newest first by time: the sale comes a second after the grant.
    clock.advance(Duration::from_secs(1));

    let at = |clock: &ManualClock| {
        chrono::DateTime::from_timestamp_millis(omnicanal_app::Clock::now_ms(clock))
            .map(|t| t.to_rfc3339())
            .unwrap_or_default()
    };
    let over = sale(
        "sc-1",
        &till,
        1,
        &at(&clock),
        json!([{"method": "store_credit", "amount": money(12_990), "reference": "+56912345678"}]),
    );
    let problem = app
        .post("/api/v1/pos/sales", Some(&till.staff), &over)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "over");
    assert_eq!(problem["code"], "insufficient_credit");
    let nobody = sale(
        "sc-2",
        &till,
        1,
        &at(&clock),
        json!([{"method": "store_credit", "amount": money(100), "reference": "bea@example.cl"}, {"method": "cash", "amount": money(12_890)}]),
    );
    let problem = app
        .post("/api/v1/pos/sales", Some(&till.staff), &nobody)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "no credit");
    assert_eq!(problem["code"], "insufficient_credit");

    let part = sale(
        "sc-3",
        &till,
        1,
        &at(&clock),
        json!([{"method": "store_credit", "amount": money(3_000), "reference": "+56 9 1234-5678"}, {"method": "cash", "amount": money(9_990)}]),
    );
    app.post("/api/v1/pos/sales", Some(&till.staff), &part).await.expect(StatusCode::CREATED, "credit and cash");
    let read_path =
        format!("/api/v1/store-credit?{}", qs(&[("merchant_id", m.id.as_str()), ("customer", "+56912345678")]));
    let read = app.get(&read_path, Some(&till.staff)).await.expect(StatusCode::OK, "read");
    assert_eq!(clp(&read["balance"]), 2_000);
    assert_eq!(read["entries"][0]["source_kind"], "pos_sale");
    assert_eq!(read["entries"][0]["source_id"], "sc-3/0");
    assert_eq!(clp(&read["entries"][0]["amount"]), -3_000);

    // 31 days on, the rest has expired: the till is told so, and nothing is recorded.
    clock.advance(Duration::from_secs(31 * 86_400));
    // Sign-in sessions lapse meanwhile; the till's cash session stays open.
    let staff = app.login(&m.staff.email, &m.staff.password).await;
    let late = sale(
        "sc-4",
        &till,
        2,
        &at(&clock),
        json!([{"method": "store_credit", "amount": money(1_000), "reference": "+56912345678"}, {"method": "cash", "amount": money(11_990)}]),
    );
    let problem = app
        .post("/api/v1/pos/sales", Some(&staff), &late)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "expired");
    assert_eq!(problem["code"], "credit_expired");
    app.get("/api/v1/pos/sales/sc-4", Some(&staff)).await.expect_problem(StatusCode::NOT_FOUND, "not recorded");
}
