//! Failed sign-ins are throttled without handing anyone a lockout: per (account, client
//! address) with growing delays (429 with `Retry-After`, even with the right password, while a
//! delay runs); an attacker elsewhere does not stop the owner; an account under attack only
//! spaces the addresses it signed in from before; one person's typos behind a shared proxy slow
//! nobody else; `OMNICANAL_TRUSTED_PROXY_HEADER` is honoured only when set; the console's form
//! answers the same. Time is a manual clock the tests move.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{ADMIN_EMAIL, ADMIN_PASSWORD, Fixture, TestApp};
use omnicanal_app::ManualClock;
use reqwest::StatusCode;
use reqwest::header::{RETRY_AFTER, SET_COOKIE};
use serde_json::json;

/// A test app on a manual clock, trusting `X-Forwarded-For` when `trusted` (so a test can speak
/// from many addresses).
async fn spawn(trusted: bool, ip_limit: Option<u32>) -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::starting_now());
    let services = omnicanal_server::Services { clock: clock.clone(), ..Default::default() };
    let app = TestApp::spawn_full(
        |config| {
            if trusted {
                config.trusted_proxy_header = Some("X-Forwarded-For".into());
            }
            config.login_ip_limit = ip_limit;
        },
        services,
    )
    .await;
    (app, clock)
}

/// `POST /api/v1/auth/login` as if from `from` (an `X-Forwarded-For` value; `None`: none sent).
async fn login(app: &TestApp, email: &str, password: &str, from: Option<&str>) -> common::Resp {
    let body = common::Body::Json(json!({"email": email, "password": password}));
    let headers: Vec<(&str, &str)> = from.map(|ip| ("X-Forwarded-For", ip)).into_iter().collect();
    app.send(reqwest::Method::POST, "/api/v1/auth/login", None, body, &headers).await
}

/// The `Retry-After` seconds of a 429, checked to be at most five minutes (the longest delay).
#[track_caller]
fn retry_after(headers: &reqwest::header::HeaderMap, what: &str) -> u64 {
    let secs: u64 = headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("{what}: a 429 needs Retry-After in seconds, got {:?}", headers.get(RETRY_AFTER)));
    assert!((1..=5 * 60).contains(&secs), "{what}: Retry-After {secs} is outside 1 s to 5 minutes");
    secs
}

/// A wrong password from `from`, waiting out (on the manual clock) any delay first.
async fn fail_patiently(app: &TestApp, clock: &ManualClock, email: &str, from: Option<&str>) {
    let answer = login(app, email, "not-the-password", from).await;
    if answer.status == StatusCode::TOO_MANY_REQUESTS {
        clock.advance(Duration::from_secs(retry_after(&answer.headers, "waiting it out")));
        login(app, email, "not-the-password", from).await.expect_problem(StatusCode::UNAUTHORIZED, "after the wait");
    } else {
        answer.expect_problem(StatusCode::UNAUTHORIZED, "a wrong password");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_three_failures_from_one_address_the_next_attempt_waits_and_the_wait_grows() {
    let (app, clock) = spawn(false, None).await;
    for n in 1..=3 {
        login(&app, ADMIN_EMAIL, &format!("wrong-{n}"), None).await.expect_problem(StatusCode::UNAUTHORIZED, "wrong");
    }
    let refused = login(&app, ADMIN_EMAIL, ADMIN_PASSWORD, None).await;
    assert_eq!(retry_after(&refused.headers, "the fourth attempt"), 1);
    let problem = refused.expect_problem(StatusCode::TOO_MANY_REQUESTS, "the fourth attempt, right password");
    assert_eq!(problem["code"], "too_many_requests");
    assert_eq!(problem["type"], "urn:omnicanal:problem:too_many_requests");
    assert_eq!(problem["detail"], "too many failed sign-ins; try again in 1 second", "{problem}");
    assert!(problem.get("token").is_none());
    let same = login(&app, &format!("  {}  ", ADMIN_EMAIL.to_uppercase()), ADMIN_PASSWORD, None).await;
    same.expect_problem(StatusCode::TOO_MANY_REQUESTS, "the same e-mail in capitals and with spaces");

    clock.advance(Duration::from_secs(1));
    login(&app, ADMIN_EMAIL, "wrong-4", None).await.expect_problem(StatusCode::UNAUTHORIZED, "after the wait");
    let refused = login(&app, ADMIN_EMAIL, ADMIN_PASSWORD, None).await;
    assert_eq!(retry_after(&refused.headers, "after a fourth failure"), 2, "the delay doubles");
    clock.advance(Duration::from_secs(2));
    login(&app, ADMIN_EMAIL, ADMIN_PASSWORD, None).await.expect(StatusCode::OK, "the right password, once waited");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_attacker_at_one_address_does_not_stop_the_owner_at_another() {
    let (app, clock) = spawn(true, None).await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let manager = &fx.m(0).manager;
    // Five wrong passwords used to lock the account for 15 minutes, from anywhere.
    for _ in 0..5 {
        fail_patiently(&app, &clock, &manager.email, Some("203.0.113.66")).await;
    }
    login(&app, &manager.email, &manager.password, Some("203.0.113.66"))
        .await
        .expect_problem(StatusCode::TOO_MANY_REQUESTS, "the attacker's address waits");
    let signed_in = login(&app, &manager.email, &manager.password, Some("198.51.100.7")).await;
    assert!(signed_in.expect(StatusCode::OK, "the owner elsewhere, at once")["token"].is_string());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_account_under_attack_only_spaces_the_addresses_it_signed_in_from() {
    let (app, clock) = spawn(true, None).await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let manager = &fx.m(0).manager;
    let office = Some("198.51.100.7");
    login(&app, &manager.email, &manager.password, office).await.expect(StatusCode::OK, "signed in at the office");

    // Black Friday: wrong passwords from many addresses, far past the account's ceiling.
    for n in 0..40 {
        fail_patiently(&app, &clock, &manager.email, Some(&format!("10.9.{}.{}", n / 200, n % 200 + 1))).await;
    }
    let elsewhere = login(&app, &manager.email, &manager.password, Some("192.0.2.200")).await;
    let wait = retry_after(&elsewhere.headers, "a new address during the attack");
    assert!(wait > 60, "a new address is slowed down hard ({wait} s), never beyond five minutes");
    elsewhere.expect_problem(StatusCode::TOO_MANY_REQUESTS, "a new address during the attack");

    // The office signs in at once; after a typo there it is spaced by seconds, not refused.
    login(&app, &manager.email, &manager.password, office).await.expect(StatusCode::OK, "the office, at once");
    login(&app, &manager.email, "typo", office).await.expect_problem(StatusCode::UNAUTHORIZED, "a typo");
    let spaced = login(&app, &manager.email, &manager.password, office).await;
    assert!(retry_after(&spaced.headers, "right after the typo") <= 5, "slowed by seconds at most");
    spaced.expect_problem(StatusCode::TOO_MANY_REQUESTS, "right after the typo");
    clock.advance(Duration::from_secs(5));
    login(&app, &manager.email, &manager.password, office).await.expect(StatusCode::OK, "five seconds later");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn users_behind_one_proxy_are_not_locked_out_by_one_users_failures() {
    // No trusted header: everyone is 127.0.0.1, as everyone behind one proxy would be.
    let (app, clock) = spawn(false, Some(3)).await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let (staff, manager) = (&fx.m(0).staff, &fx.m(0).manager);
    for _ in 0..12 {
        fail_patiently(&app, &clock, &staff.email, None).await;
    }
    login(&app, &manager.email, &manager.password, None).await.expect(StatusCode::OK, "another user, at once");
    login(&app, ADMIN_EMAIL, ADMIN_PASSWORD, None).await.expect(StatusCode::OK, "the admin, at once");

    // Guessing many different accounts from one address is stuffing: with a limit of 3 accounts,
    // a fourth account that never signed in here waits, while one that did does not.
    for user in ["nobody1@test.local", "nobody2@test.local"] {
        login(&app, user, "whatever", None).await.expect_problem(StatusCode::UNAUTHORIZED, user);
    }
    let stuffed = login(&app, "nobody3@test.local", "whatever", None).await;
    retry_after(&stuffed.headers, "a fourth account from the address");
    stuffed.expect_problem(StatusCode::TOO_MANY_REQUESTS, "a fourth account from the address");
    login(&app, &manager.email, &manager.password, None).await.expect(StatusCode::OK, "a known user still signs in");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_trusted_proxy_header_is_honoured_only_when_configured() {
    // Not configured: a client's X-Forwarded-For changes nothing; all three come from 127.0.0.1.
    let (app, _clock) = spawn(false, None).await;
    for spoofed in ["1.1.1.1", "2.2.2.2", "3.3.3.3"] {
        login(&app, ADMIN_EMAIL, "wrong", Some(spoofed)).await.expect_problem(StatusCode::UNAUTHORIZED, spoofed);
    }
    login(&app, ADMIN_EMAIL, ADMIN_PASSWORD, Some("4.4.4.4"))
        .await
        .expect_problem(StatusCode::TOO_MANY_REQUESTS, "a spoofed header is ignored");
    app.stop().await;

    // Configured: the right-most entry, the one the proxy added, is the client.
    let (app, _clock) = spawn(true, None).await;
    for spoofed in ["1.1.1.1, 198.51.100.1", "2.2.2.2, 198.51.100.2", "3.3.3.3, 198.51.100.3"] {
        login(&app, ADMIN_EMAIL, "wrong", Some(spoofed)).await.expect_problem(StatusCode::UNAUTHORIZED, spoofed);
    }
    login(&app, ADMIN_EMAIL, ADMIN_PASSWORD, Some("198.51.100.4")).await.expect(StatusCode::OK, "another client");
    for forged in ["7.7.7.7, 198.51.100.9", "8.8.8.8, 198.51.100.9", "9.9.9.9, 198.51.100.9"] {
        login(&app, ADMIN_EMAIL, "wrong", Some(forged)).await.expect_problem(StatusCode::UNAUTHORIZED, forged);
    }
    login(&app, ADMIN_EMAIL, ADMIN_PASSWORD, Some("6.6.6.6, 198.51.100.9"))
        .await
        .expect_problem(StatusCode::TOO_MANY_REQUESTS, "the client cannot pick another address by prepending one");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_console_form_follows_the_same_rules() {
    let (app, clock) = spawn(false, None).await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let staff = &fx.m(0).staff;
    for n in 1..=3 {
        login(&app, &staff.email, "not-the-password", None)
            .await
            .expect_problem(StatusCode::UNAUTHORIZED, &format!("{n}"));
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
    let no_redirects = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client that shows the redirect");
    let submit = || {
        no_redirects
            .post(format!("{}/console/login", app.base))
            .header("Cookie", &cookie)
            .form(&[("email", staff.email.as_str()), ("password", staff.password.as_str()), ("csrf", csrf.as_str())])
            .send()
    };
    let answer = submit().await.expect("the form's POST");
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS, "the right password, after three wrong ones");
    assert_eq!(retry_after(answer.headers(), "the console form"), 1);
    assert!(
        answer.headers().get_all(SET_COOKIE).iter().all(|value| !value.as_bytes().starts_with(b"oc_session")),
        "no session is opened"
    );
    let body = answer.text().await.unwrap_or_default();
    assert!(
        body.contains("Demasiados intentos fallidos. Vuelve a intentarlo en 1 s."),
        "says why and how long: {body}"
    );
    assert!(body.contains("data-testid=\"login-error\""), "shown where the wrong-password message goes");

    clock.advance(Duration::from_secs(1));
    let answer = submit().await.expect("the form's POST");
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "signed in once the second has passed");
    app.stop().await;
}
