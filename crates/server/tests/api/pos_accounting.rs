//! The till's money accounting over HTTP (issue 14, points 2 and 3): a manager's PIN and the
//! approvals it gives at a till (right, wrong, locked after five wrong in a row), line discounts
//! and voids above the till's limits refused without an approval, the session's report with
//! its real figures, closing by denominations, and the report as a page, PDF and ESC/POS.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::fixture::{BURGER, FRIES};
use crate::common::{Body, Fixture, TestApp, clp, money};

/// A registered till with an open session, worked by the location's staff.
struct Till {
    device_id: String,
    series: String,
    session_id: String,
    staff: String,
    manager: String,
}

async fn open_till(app: &TestApp, fx: &Fixture, float: i64) -> Till {
    let m = fx.m(0);
    let manager = m.manager.token(app).await;
    let device = app
        .post("/api/v1/pos/devices", Some(&manager), &json!({"location_id": m.location_id, "name": "Caja 1"}))
        .await
        .expect(StatusCode::CREATED, "register a till");
    let device_id = device["id"].as_str().expect("an id").to_owned();
    let series = device["receipt_series"].as_str().expect("a series").to_owned();
    let staff = m.staff.token(app).await;
    let session = app
        .post("/api/v1/pos/sessions", Some(&staff), &json!({"device_id": device_id, "opening_float": money(float)}))
        .await
        .expect(StatusCode::CREATED, "open a session");
    Till { device_id, series, session_id: session["id"].as_str().expect("an id").to_owned(), staff, manager }
}

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
    let till = open_till(&app, &fx, 0).await;
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
