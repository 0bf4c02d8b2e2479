//! The customer's account shows what can still be returned and their store credit (issue 17
//! points 3 and 8): each purchased line with bought, already returned and still returnable —
//! 0 for a final-sale item, past the merchant's window (with the date it ended) or a part not
//! handed over yet — counted as the till counts a return, so the till refuses exactly what the
//! account says cannot come back; each purchase with its credit notes; and
//! `GET /customers/me/credit` with the balance per merchant and its ledger, only for the
//! account's proven e-mails and phones, never another person's.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::{BURGER, FRIES};
use crate::common::webhook::Receiver;
use crate::common::{Body, Fixture, TestApp, clp, id, money, open_till};
use crate::customer_accounts::{app_with_gateway, nth_link, use_link, web_order};

/// Registers `email` (and an unproven `phone`), opens the `n`th link sent and answers the token.
async fn signed_in(app: &TestApp, gateway: &Receiver, n: usize, email: &str, phone: Option<&str>) -> String {
    let mut body = json!({"email": email, "name": "Ana"});
    if let Some(phone) = phone {
        body["phone"] = json!(phone);
    }
    app.post("/api/v1/customers", None, &body).await.expect(StatusCode::ACCEPTED, "registered");
    let (token, _) = nth_link(gateway, n).await;
    let session = use_link(app, &token).await.expect(StatusCode::CREATED, "signed in by the link");
    session["token"].as_str().expect("a token").to_owned()
}

fn purchase<'a>(page: &'a Value, purchase_id: &str) -> &'a Value {
    page["items"].as_array().and_then(|items| items.iter().find(|p| p["id"] == purchase_id)).expect("the purchase")
}

fn line_state(line: &Value) -> (i64, i64, i64, Value) {
    let n = |v: &Value| v.as_i64().unwrap_or(-1);
    (n(&line["quantity"]), n(&line["returned"]), n(&line["returnable"]), line["not_returnable"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_line_shows_what_can_still_be_returned_and_why_not() {
    let (gateway, app, clock) = app_with_gateway().await;
    let fx = Fixture::builder().merchants(1).stock(20).build(&app).await;
    let burger = fx.m(0);
    let manager = burger.manager.token(&app).await;
    let policy = json!({"window_days": 1, "needs_receipt": false, "final_sale_skus": [FRIES]});
    let path = format!("/api/v1/merchants/{}/return-policy", burger.id);
    app.send(reqwest::Method::PUT, &path, Some(&manager), Body::Json(policy), &[])
        .await
        .expect(StatusCode::OK, "a one-day window, fries final sale");
    let till = open_till(&app, burger, 0).await;
    let total = 3 * burger.price(BURGER) + burger.price(FRIES);
    let sold_at = {
        use omnicanal_app::Clock as _;
        clock.now_ms()
    };
    let sale = json!({
        "id": format!("ret-acct-{}", crate::common::random_hex()),
        "session_id": till.session_id,
        "receipt_number": format!("{}-1", till.series),
        "sold_at": omnicanal_app::ids::rfc3339(sold_at),
        "customer": {"email": "ana@example.com"},
        "lines": [{"sku": BURGER, "quantity": 3}, {"sku": FRIES, "quantity": 1}],
        "payments": [{"method": "cash", "amount": money(total)}],
    });
    app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::CREATED, "a till sale");
    let sale_id = sale["id"].as_str().unwrap_or_default().to_owned();
    let order = web_order(&app, &fx, json!({"name": "Ana", "email": "ana@example.com"})).await;
    let one_burger = json!({"sale_id": sale_id, "location_id": till.location_id, "device_id": till.device_id,
        "lines": [{"sku": BURGER, "quantity": 1, "restock": true}], "refund_to": "original", "reason": "fría"});
    let taken =
        app.post("/api/v1/returns", Some(&till.staff), &one_burger).await.expect(StatusCode::CREATED, "one back");

    let customer = signed_in(&app, &gateway, 1, "ana@example.com", None).await;
    let page = app.get("/api/v1/customers/me/purchases", Some(&customer)).await.expect(StatusCode::OK, "history");
    let bought = purchase(&page, &sale_id);
    assert_eq!(line_state(&bought["lines"][0]), (3, 1, 2, Value::Null), "after a partial return: {bought}");
    assert_eq!(line_state(&bought["lines"][1]), (1, 0, 0, json!("final_sale")));
    let returns = bought["returns"].as_array().cloned().unwrap_or_default();
    assert_eq!(returns.len(), 1);
    assert_eq!(returns[0]["credit_note_number"], taken["credit_note"]["number"]);
    assert_eq!(
        (returns[0]["refund_method"].clone(), clp(&returns[0]["refund"])),
        (json!("cash"), clp(&taken["refund"]))
    );
    let ordered = purchase(&page, &id(&order));
    assert_eq!(line_state(&ordered["lines"][0]), (1, 0, 0, json!("not_handed_over")), "not collected yet");

    // Past the one-day window: nothing more, with the day it ended — and the till agrees.
    clock.advance(Duration::from_secs(2 * 86_400));
    let page = app.get("/api/v1/customers/me/purchases", Some(&customer)).await.expect(StatusCode::OK, "history");
    let late = &purchase(&page, &sale_id)["lines"][0];
    assert_eq!(line_state(late), (3, 1, 0, json!("window_passed")));
    assert_eq!(late["return_window_ended_at"], json!(omnicanal_app::ids::rfc3339(sold_at + 86_400_000)));
    let staff = app.login(&burger.staff.email, &burger.staff.password).await;
    let refused = app
        .post("/api/v1/returns", Some(&staff), &one_burger)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "late");
    assert_eq!(refused["errors"][0]["field"], "outside_window");
}

async fn grant(app: &TestApp, manager: &str, merchant_id: &str, customer: &str, amount: i64) {
    let body =
        json!({"merchant_id": merchant_id, "customer": customer, "amount": money(amount), "reason": "compensación"});
    app.post("/api/v1/store-credit", Some(manager), &body).await.expect(StatusCode::CREATED, "credit granted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_account_shows_only_its_own_proven_credit_per_merchant() {
    let (gateway, app, _clock) = app_with_gateway().await;
    let fx = Fixture::builder().merchants(2).stock(5).build(&app).await;
    let (first, second) = (fx.m(0), fx.m(1));
    let (first_manager, second_manager) = (first.manager.token(&app).await, second.manager.token(&app).await);
    grant(&app, &first_manager, &first.id, " ANA@example.com", 5_000).await;
    grant(&app, &second_manager, &second.id, "ana@example.com", 3_000).await;
    // Ana's phone, never proven, and another person's e-mail.
    grant(&app, &first_manager, &first.id, "+56 9 1111 2222", 7_000).await;
    grant(&app, &first_manager, &first.id, "otra@example.com", 9_000).await;

    app.get("/api/v1/customers/me/credit", None).await.expect_problem(StatusCode::UNAUTHORIZED, "no session");
    let ana = signed_in(&app, &gateway, 1, "ana@example.com", Some("+56911112222")).await;
    let credit = app.get("/api/v1/customers/me/credit", Some(&ana)).await.expect(StatusCode::OK, "Ana's credit");
    let balances = credit["balances"].as_array().cloned().unwrap_or_default();
    let mut seen: Vec<(String, i64)> = balances
        .iter()
        .map(|b| (b["merchant_id"].as_str().unwrap_or_default().to_owned(), clp(&b["credit"]["balance"])))
        .collect();
    seen.sort();
    let mut expected = vec![(first.id.clone(), 5_000), (second.id.clone(), 3_000)];
    expected.sort();
    assert_eq!(seen, expected, "only the proven e-mail's credit, at each merchant: {credit}");
    let at_first = balances.iter().find(|b| b["merchant_id"] == json!(first.id)).expect("the first merchant");
    assert_eq!(at_first["credit"]["entries"][0]["reason"], "compensación");
    assert_eq!(at_first["credit"]["expires_at"], Value::Null);
    assert!(at_first["merchant_name"].as_str().is_some_and(|name| !name.is_empty()));

    // Someone with no credit sees none, never Ana's or anyone else's.
    let nobody = signed_in(&app, &gateway, 2, "nadie@example.com", None).await;
    let credit = app.get("/api/v1/customers/me/credit", Some(&nobody)).await.expect(StatusCode::OK, "no credit");
    assert_eq!(credit["balances"], json!([]));
    // A staff token is not a customer session.
    app.get("/api/v1/customers/me/credit", Some(&first_manager))
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "a staff token");
}
