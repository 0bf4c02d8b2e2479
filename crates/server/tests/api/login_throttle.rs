//! Failed sign-ins are throttled: after 5 wrong passwords for one e-mail (or, here, 3 failures
//! from one address) the next attempt is 429 with `Retry-After` — even with the right password —
//! while other e-mails sign in as usual; the console's form shows the same refusal.

use crate::common;

use common::{ADMIN_EMAIL, ADMIN_PASSWORD, Fixture, TestApp};
use reqwest::StatusCode;
use reqwest::header::{RETRY_AFTER, SET_COOKIE};
use serde_json::json;

async fn login(app: &TestApp, email: &str, password: &str) -> common::Resp {
    app.post("/api/v1/auth/login", None, &json!({"email": email, "password": password})).await
}

/// The `Retry-After` seconds of a 429, checked to lie within the 15-minute window.
#[track_caller]
fn retry_after(headers: &reqwest::header::HeaderMap, what: &str) -> u64 {
    let secs: u64 = headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("{what}: a 429 needs Retry-After in seconds, got {:?}", headers.get(RETRY_AFTER)));
    assert!((1..=15 * 60).contains(&secs), "{what}: Retry-After {secs} is outside the 15-minute window");
    secs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sixth_attempt_for_an_email_is_429_even_with_the_right_password() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let staff = &fx.m(0).staff;

    for n in 1..=5 {
        login(&app, ADMIN_EMAIL, &format!("wrong-password-{n}"))
            .await
            .expect_problem(StatusCode::UNAUTHORIZED, &format!("wrong password {n}"));
    }
    let refused = login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let secs = retry_after(&refused.headers, "the sixth attempt");
    let problem = refused.expect_problem(StatusCode::TOO_MANY_REQUESTS, "the sixth attempt, right password");
    assert_eq!(problem["code"], "too_many_requests");
    assert_eq!(problem["type"], "urn:omnicanal:problem:too_many_requests");
    let minutes = secs.div_ceil(60);
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.starts_with("too many failed sign-ins; try again in "), "a clear detail: {detail}");
    assert!(detail.contains(&format!("{minutes} minute")), "the detail names the wait ({secs} s): {detail}");
    assert!(problem.get("token").is_none());

    let same_email = login(&app, &format!("  {}  ", ADMIN_EMAIL.to_uppercase()), ADMIN_PASSWORD).await;
    same_email.expect_problem(StatusCode::TOO_MANY_REQUESTS, "the same e-mail in capitals and with spaces");

    // Another e-mail from the same address is unaffected: its wrong password is 401, its right one 200.
    login(&app, &staff.email, "not-the-password").await.expect_problem(StatusCode::UNAUTHORIZED, "other e-mail");
    let signed_in = login(&app, &staff.email, &staff.password).await.expect(StatusCode::OK, "other e-mail, right");
    assert!(signed_in["token"].is_string());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failures_from_one_address_are_limited_across_emails_and_a_success_clears_the_email() {
    let app = TestApp::spawn_with(|config| config.login_ip_limit = Some(3)).await;

    // A success clears the e-mail's failures (and does not count against the address).
    for n in 1..=2 {
        login(&app, ADMIN_EMAIL, "wrong-password").await.expect_problem(StatusCode::UNAUTHORIZED, &format!("{n}"));
    }
    login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(StatusCode::OK, "the right password after two wrong");

    login(&app, "nobody@test.local", "whatever").await.expect_problem(StatusCode::UNAUTHORIZED, "unknown e-mail");
    // Three failures from 127.0.0.1 now: every e-mail is refused from here, the right password too.
    let refused = login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    retry_after(&refused.headers, "over the address limit");
    refused.expect_problem(StatusCode::TOO_MANY_REQUESTS, "over the address limit");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_console_form_shows_the_refusal_with_429() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let staff = &fx.m(0).staff;
    for n in 1..=5 {
        login(&app, &staff.email, "not-the-password").await.expect_problem(StatusCode::UNAUTHORIZED, &format!("{n}"));
    }

    let form = app.client.get(format!("{}/console/login", app.base)).send().await.expect("the login form");
    assert_eq!(form.status(), StatusCode::OK);
    let cookie = form
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| value.split(';').next().filter(|pair| pair.starts_with("oc_csrf=")))
        .expect("the form sets oc_csrf")
        .to_owned();
    let csrf = cookie.trim_start_matches("oc_csrf=").to_owned();
    let answer = app
        .client
        .post(format!("{}/console/login", app.base))
        .header("Cookie", &cookie)
        .form(&[("email", staff.email.as_str()), ("password", staff.password.as_str()), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("the form's POST");
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS, "the right password, after five wrong ones");
    let secs = retry_after(answer.headers(), "the console form");
    assert!(
        answer.headers().get_all(SET_COOKIE).iter().all(|value| !value.as_bytes().starts_with(b"oc_session")),
        "no session is opened"
    );
    let body = answer.text().await.unwrap_or_default();
    let message = format!("Demasiados intentos fallidos. Vuelve a intentarlo en {} min.", secs.div_ceil(60));
    assert!(body.contains(&message), "the form says why and for how long: {body}");
    assert!(body.contains("data-testid=\"login-error\""), "shown where the wrong-password message goes");
    app.stop().await;
}
