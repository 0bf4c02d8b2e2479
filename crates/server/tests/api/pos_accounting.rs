//! The till's money accounting over HTTP (issue 14, points 2 and 3): a manager's PIN and the
//! approvals it gives at a till (right, wrong, locked after five wrong in a row), line discounts
//! and voids above the till's limits refused without an approval, the session's report with
//! its real figures, closing by denominations, and the report as a page, PDF and ESC/POS.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::fixture::{BURGER, FRIES};
use crate::common::{Body, Fixture, OpenTill, TestApp, clp, money, open_till};

async fn set_pin(app: &TestApp, token: &str, pin: &str) -> StatusCode {
    app.send(Method::PUT, "/api/v1/users/me/pin", Some(token), Body::Json(json!({"pin": pin})), &[]).await.status
}

fn approval(pin: &str, action: &str, amount: Option<i64>) -> Value {
    json!({"pin": pin, "action": action, "amount": amount.map(money), "reason": "cliente frecuente"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_managers_pin_approves_and_five_wrong_pins_lock_the_till() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    assert_eq!(set_pin(&app, &till.manager, "4821").await, StatusCode::NO_CONTENT, "a manager sets a PIN");
    assert_eq!(set_pin(&app, &till.staff, "1111").await, StatusCode::FORBIDDEN, "staff have no PIN");
    assert_eq!(set_pin(&app, &till.manager, "12a4").await, StatusCode::UNPROCESSABLE_ENTITY, "digits only");
    let other_manager = fx.m(1).manager.token(&app).await;
    assert_eq!(set_pin(&app, &other_manager, "9999").await, StatusCode::NO_CONTENT);
    let path = format!("/api/v1/pos/devices/{}/approvals", till.device_id);

    let approved = app
        .post(&path, Some(&till.staff), &approval("4821", "line_discount", Some(2_000)))
        .await
        .expect(StatusCode::CREATED, "the manager's PIN");
    assert!(approved["approval_id"].as_str().is_some_and(|id| id.starts_with("apr")), "{approved}");
    assert_eq!(approved["manager"]["id"], json!(fx.m(0).manager.id));
    assert_eq!(approved["session_id"], json!(till.session_id));
    assert_eq!(clp(&approved["amount"]), 2_000);

    let wrong = app.post(&path, Some(&till.staff), &approval("9999", "line_void", None)).await;
    let wrong = wrong.expect_problem(StatusCode::FORBIDDEN, "another merchant's manager's PIN");
    assert_eq!((wrong["code"].clone(), wrong["attempts_left"].clone()), (json!("pin_wrong"), json!(4)));
    for left in [3, 2, 1] {
        let wrong = app.post(&path, Some(&till.staff), &approval("0000", "line_void", None)).await;
        assert_eq!(wrong.expect_problem(StatusCode::FORBIDDEN, "wrong")["attempts_left"], json!(left));
    }
    let locked = app.post(&path, Some(&till.staff), &approval("0000", "line_void", None)).await;
    let locked = locked.expect_problem(StatusCode::LOCKED, "the fifth wrong PIN locks");
    assert_eq!(locked["code"], "pin_locked");
    assert!(locked["locked_until"].as_str().is_some(), "{locked}");
    let still = app.post(&path, Some(&till.staff), &approval("4821", "line_void", None)).await;
    assert_eq!(
        still.expect_problem(StatusCode::LOCKED, "even the right PIN waits")["code"],
        "pin_locked",
        "nothing is approved while locked"
    );
    app.post(&path, Some(&till.staff), &json!({"pin": "1", "action": "refund", "reason": ""}))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "bad fields");
    let other_staff = fx.m(1).staff.token(&app).await;
    app.post(&path, Some(&other_staff), &approval("4821", "line_void", None))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's till");
    app.stop().await;
}

fn sale(till: &OpenTill, id: &str, n: u32, lines: Value, voided: Value, amount: i64, tendered: i64) -> Value {
    json!({
        "id": id,
        "session_id": till.session_id,
        "receipt_number": format!("{}-{n}", till.series),
        "sold_at": chrono::Utc::now().to_rfc3339(),
        "offline": false,
        "lines": lines,
        "voided_lines": voided,
        "payments": [{"method": "cash", "amount": money(amount), "tendered": money(tendered)}],
    })
}

fn field_of(problem: &Value) -> String {
    problem["errors"][0]["field"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discounts_and_voids_above_the_limit_need_an_approval_and_the_report_adds_everything_up() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 10_000).await;
    assert_eq!(set_pin(&app, &till.manager, "4821").await, StatusCode::NO_CONTENT);
    let limits = app
        .get(&format!("/api/v1/pos/devices/{}/limits", till.device_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "the till's limits");
    assert_eq!((limits["line_discount_bps"].clone(), clp(&limits["line_void_amount"])), (json!(1000), 10_000));
    let approvals = format!("/api/v1/pos/devices/{}/approvals", till.device_id);

    // 5 % is within the limit: 12 990 − 650 (649.5 rounds away from zero).
    let within = json!([{"sku": BURGER, "quantity": 1, "manual_discount": {"percent_bps": 500}}]);
    let first = app
        .post("/api/v1/pos/sales", Some(&till.staff), &sale(&till, "acc-1", 1, within, json!([]), 12_340, 12_340))
        .await
        .expect(StatusCode::CREATED, "a discount within the limit");
    assert_eq!(clp(&first["total"]), 12_340);
    assert_eq!(first["lines"][0]["discounts"][0]["promotion_id"], "manual");

    // 20 % is above it: refused without an approval, then taken with one.
    let above = json!([{"sku": BURGER, "quantity": 1, "manual_discount": {"percent_bps": 2000}}]);
    let refused = app
        .post(
            "/api/v1/pos/sales",
            Some(&till.staff),
            &sale(&till, "acc-2", 2, above.clone(), json!([]), 10_392, 20_000),
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a discount above the limit without approval");
    assert_eq!(field_of(&refused), "lines[0].approval_id", "{refused}");
    let void_approval = app
        .post(&approvals, Some(&till.staff), &approval("4821", "line_void", Some(20_000)))
        .await
        .expect(StatusCode::CREATED, "an approval for a void");
    let wrong_action = json!([{"sku": BURGER, "quantity": 1, "manual_discount": {"percent_bps": 2000},
        "approval_id": void_approval["approval_id"]}]);
    let refused = app
        .post("/api/v1/pos/sales", Some(&till.staff), &sale(&till, "acc-2", 2, wrong_action, json!([]), 10_392, 20_000))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "an approval of another action");
    assert_eq!(field_of(&refused), "lines[0].approval_id");
    let discount_approval = app
        .post(&approvals, Some(&till.staff), &approval("4821", "line_discount", Some(2_598)))
        .await
        .expect(StatusCode::CREATED, "an approval for the discount");
    let approved = json!([{"sku": BURGER, "quantity": 1, "manual_discount": {"percent_bps": 2000},
        "approval_id": discount_approval["approval_id"]}]);
    let second = sale(&till, "acc-2", 2, approved.clone(), json!([]), 10_392, 20_000);
    let recorded =
        app.post("/api/v1/pos/sales", Some(&till.staff), &second).await.expect(StatusCode::CREATED, "approved");
    assert_eq!((clp(&recorded["total"]), clp(&recorded["change"])), (10_392, 9_608));
    app.post("/api/v1/pos/sales", Some(&till.staff), &second).await.expect(StatusCode::OK, "a repeat is the same sale");
    let reused = app
        .post("/api/v1/pos/sales", Some(&till.staff), &sale(&till, "acc-3", 3, approved, json!([]), 10_392, 20_000))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "an approval used by another sale");
    assert_eq!(field_of(&reused), "lines[0].approval_id");

    // Voids: fries (3 490) within the limit; a burger (12 990) above it needs the void approval.
    let lines = json!([{"sku": FRIES, "quantity": 1}]);
    let voided = json!([{"sku": FRIES, "quantity": 1}, {"sku": BURGER, "quantity": 1}]);
    let refused = app
        .post("/api/v1/pos/sales", Some(&till.staff), &sale(&till, "acc-4", 4, lines.clone(), voided, 3_490, 3_490))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a void above the limit without approval");
    assert_eq!(field_of(&refused), "voided_lines[1].approval_id");
    // Three fries voided one by one are worth 10 470 together: above the limit, as one line of three.
    let split = json!([{"sku": FRIES, "quantity": 1}, {"sku": FRIES, "quantity": 1}, {"sku": FRIES, "quantity": 1}]);
    let refused = app
        .post("/api/v1/pos/sales", Some(&till.staff), &sale(&till, "acc-4s", 4, lines.clone(), split, 3_490, 3_490))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "a void split into small entries");
    assert_eq!(field_of(&refused), "voided_lines[0].approval_id");
    let voided = json!([{"sku": FRIES, "quantity": 1},
        {"sku": BURGER, "quantity": 1, "approval_id": void_approval["approval_id"]}]);
    app.post("/api/v1/pos/sales", Some(&till.staff), &sale(&till, "acc-4", 4, lines, voided, 3_490, 3_490))
        .await
        .expect(StatusCode::CREATED, "an approved void");

    app.post(
        &format!("/api/v1/pos/sessions/{}/cash-movements", till.session_id),
        Some(&till.staff),
        &json!({"direction": "out", "amount": money(2_000), "reason": "pago proveedor"}),
    )
    .await
    .expect(StatusCode::CREATED, "cash out");
    let report_path = format!("/api/v1/pos/sessions/{}/report", till.session_id);
    let report = app.get(&report_path, Some(&till.staff)).await.expect(StatusCode::OK, "the report as JSON");
    let cash = report["totals"].as_array().and_then(|t| t.iter().find(|t| t["method"] == "cash")).cloned();
    assert_eq!(cash.map(|t| clp(&t["amount"])), Some(26_222));
    assert_eq!(clp(&report["expected_cash"]), 10_000 + 26_222 - 2_000);
    assert_eq!((clp(&report["discounts_manual"]), clp(&report["discounts_promotions"])), (3_248, 0));
    assert_eq!((report["voids"].clone(), clp(&report["voids_value"])), (json!(2), 16_480));
    assert_eq!((report["approvals_count"].clone(), clp(&report["refunds"])), (json!(2), 0));
    assert_eq!(report["cash_movements"][0]["reason"], "pago proveedor");

    // A count that does not add up to the counted cash is refused; the count alone closes.
    let close = format!("/api/v1/pos/sessions/{}/close", till.session_id);
    let notes = json!([{"value": 20000, "count": 1}, {"value": 10000, "count": 1}, {"value": 2000, "count": 2}]);
    app.post(&close, Some(&till.staff), &json!({"counted_cash": money(34_222), "denominations": notes}))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "denominations that do not add up");
    let closed = app
        .post(&close, Some(&till.staff), &json!({"denominations": notes}))
        .await
        .expect(StatusCode::OK, "closed by denominations");
    assert_eq!(
        (clp(&closed["expected_cash"]), clp(&closed["counted_cash"]), clp(&closed["difference"])),
        (34_222, 34_000, -222)
    );
    assert_eq!(closed["denominations"].as_array().map(Vec::len), Some(3));
    assert_eq!((clp(&closed["denominations"][2]["value"]), clp(&closed["denominations"][2]["amount"])), (2_000, 4_000));

    let html = app.get(&format!("{report_path}?format=html"), Some(&till.staff)).await;
    assert!(html.content_type().starts_with("text/html"), "{}", html.content_type());
    let page = html.body.as_str().unwrap_or_default().to_owned();
    for text in ["Informe de caja", "Diferencia", "-$222", "pago proveedor", "$20.000 × 1", "Descuentos manuales"] {
        assert!(page.contains(text), "the page shows {text}: {page}");
    }
    let english = app.get(&format!("{report_path}?format=html&lang=en"), Some(&till.staff)).await;
    assert!(english.body.as_str().unwrap_or_default().contains("Till report"));
    let pdf = app.get(&format!("{report_path}?format=pdf"), Some(&till.staff)).await;
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(pdf.body.as_str().unwrap_or_default().starts_with("%PDF"), "a PDF");
    let escpos = app.get(&format!("{report_path}?format=escpos&width=58"), Some(&till.staff)).await;
    assert_eq!(escpos.content_type(), "application/octet-stream");
    let bytes = escpos.body.as_str().unwrap_or_default().to_owned();
    assert!(bytes.starts_with("\u{1b}@\u{1b}t\u{10}"), "ESC @, then code page 16");
    assert!(bytes.contains("DIFERENCIA") || bytes.contains("Diferencia"), "{bytes:?}");
    app.get(&format!("{report_path}?format=docx"), Some(&till.staff))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "an unknown format");
    app.stop().await;
}
