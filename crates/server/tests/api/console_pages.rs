//! The merchant console's session over real HTTP, as a browser would do it (cookies kept by
//! hand, redirects not followed): the login form and its cookies, CSRF on forms and on
//! cookie-authenticated API calls, logout revoking the session, the password change, and
//! another merchant's location answering 404.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::common;

use common::{ADMIN_EMAIL, ADMIN_PASSWORD, Fixture, TestApp};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// One answer of a page or of the API.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) location: Option<String>,
    pub(crate) set_cookies: Vec<String>,
    pub(crate) body: String,
}

impl Answer {
    #[track_caller]
    pub(crate) fn expect(&self, status: StatusCode, what: &str) -> &Self {
        assert_eq!(
            self.status,
            status,
            "{what}: expected {status}, got {} with body {}",
            self.status,
            excerpt(&self.body)
        );
        self
    }

    #[track_caller]
    pub(crate) fn redirects_to(&self, to: &str, what: &str) -> &Self {
        self.expect(StatusCode::SEE_OTHER, what);
        assert_eq!(self.location.as_deref(), Some(to), "{what}: redirect target");
        self
    }

    /// The `Set-Cookie` header of cookie `name`, if this answer set it.
    fn set_cookie(&self, name: &str) -> Option<&str> {
        self.set_cookies.iter().map(String::as_str).find(|c| c.starts_with(&format!("{name}=")))
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The value of the first hidden `csrf` field of the page.
    #[track_caller]
    pub(crate) fn csrf_field(&self) -> String {
        let marker = r#"name="csrf" value=""#;
        let start =
            self.body.find(marker).unwrap_or_else(|| panic!("no csrf field in {}", excerpt(&self.body))) + marker.len();
        self.body[start..].split('"').next().unwrap_or_default().to_owned()
    }
}

fn excerpt(body: &str) -> String {
    body.chars().take(600).collect()
}

/// A browser: keeps cookies, never follows redirects.
pub(crate) struct Browser {
    base: String,
    client: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Browser {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .expect("build a client");
        Browser { base: app.base.clone(), client, cookies: BTreeMap::new() }
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let mut request = request;
        if !self.cookies.is_empty() {
            let header = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            request = request.header(COOKIE, header);
        }
        let response = request.send().await.expect("the request reaches the server");
        let status = response.status();
        let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let set_cookies: Vec<String> =
            response.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
        for cookie in &set_cookies {
            let first = cookie.split(';').next().unwrap_or_default();
            let (name, value) = first.split_once('=').unwrap_or((first, ""));
            if value.is_empty() || cookie.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let body = response.text().await.unwrap_or_default();
        assert!(!status.is_server_error(), "the server answered {status}: {}", excerpt(&body));
        Answer { status, location, set_cookies, body }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Answer {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub(crate) async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let request = self.client.post(format!("{}{path}", self.base)).form(fields);
        self.send(request).await
    }

    /// A POST of raw bytes with their content type (a `multipart/form-data` upload).
    pub(crate) async fn post_body(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        self.send(request).await
    }

    /// A JSON API call with the browser's cookies, and `X-CSRF-Token` when `csrf` is given.
    async fn api(&mut self, method: Method, path: &str, body: &Value, csrf: Option<&str>) -> Answer {
        let mut request = self.client.request(method, format!("{}/api/v1{path}", self.base)).json(body);
        if let Some(token) = csrf {
            request = request.header("X-CSRF-Token", token);
        }
        self.send(request).await
    }

    /// Signs in through the form; panics unless it lands on `/console`.
    pub(crate) async fn sign_in(&mut self, email: &str, password: &str) {
        let form = self.get("/console/login").await;
        form.expect(StatusCode::OK, "login form");
        let csrf = form.csrf_field();
        self.post_form("/console/login", &[("email", email), ("password", password), ("csrf", &csrf)])
            .await
            .redirects_to("/console", &format!("sign in as {email}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_login_form_sets_cookies_and_signing_in_opens_a_session() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let staff = &fx.m(0).staff;
    let mut browser = Browser::new(&app);

    browser
        .get("/console/orders?status=ready")
        .await
        .redirects_to("/console/login?next=/console/orders%3Fstatus%3Dready", "a page without a session");

    let form = browser.get("/console/login").await;
    form.expect(StatusCode::OK, "login form");
    let csrf_cookie = form.set_cookie("oc_csrf").expect("the form sets oc_csrf").to_owned();
    assert!(csrf_cookie.contains("SameSite=Strict") && csrf_cookie.contains("Path=/"), "{csrf_cookie}");
    assert!(!csrf_cookie.contains("HttpOnly"), "scripts must read oc_csrf: {csrf_cookie}");
    let csrf = form.csrf_field();
    assert_eq!(Some(csrf.clone()), browser.cookie("oc_csrf"), "the form repeats the cookie");
    assert!(form.body.contains("<html lang=\"es\""), "Spanish by default");
    let english = Browser::new(&app).get("/console/login?lang=en").await;
    assert!(english.body.contains("<html lang=\"en\"") && english.body.contains("Sign in to the console"));
    assert!(english.set_cookie("lang").is_some_and(|c| c.starts_with("lang=en")), "the choice is remembered");
    let again = browser.get("/console/login").await;
    assert!(again.set_cookie("oc_csrf").is_none(), "an existing oc_csrf is kept");

    let wrong = browser
        .post_form("/console/login", &[("email", &staff.email), ("password", "not-the-password"), ("csrf", &csrf)])
        .await;
    wrong.expect(StatusCode::UNAUTHORIZED, "wrong password");
    assert!(wrong.body.contains("Correo o contraseña incorrectos"), "a clear message: {}", excerpt(&wrong.body));
    assert!(wrong.set_cookie("oc_session").is_none());

    let signed_in = browser
        .post_form(
            "/console/login",
            &[("email", &staff.email), ("password", &staff.password), ("csrf", &csrf), ("next", "/console/orders")],
        )
        .await;
    signed_in.redirects_to("/console/orders", "sign in with next");
    let session = signed_in.set_cookie("oc_session").expect("oc_session is set").to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(session.contains(attribute), "oc_session needs {attribute}: {session}");
    }
    assert!(!session.contains("Secure"), "no Secure flag over plain http");
    assert_ne!(browser.cookie("oc_csrf"), Some(csrf), "a new CSRF token with the new session");

    let me = browser.get("/api/v1/auth/me").await;
    me.expect(StatusCode::OK, "the API accepts the session cookie");
    assert_eq!(me.json()["email"], staff.email.as_str());

    let location = format!("/console/locations/{}", fx.m(0).location_id);
    browser.get("/console").await.redirects_to(&location, "staff go to their display");
    let display = browser.get(&location).await;
    display.expect(StatusCode::OK, "the display");
    assert!(display.body.contains("data-testid=\"board\""));
    browser.get("/console/login").await.redirects_to("/console", "signed in: the login form moves on");

    let mut other = Browser::new(&app);
    let form = other.get("/console/login").await;
    let csrf = form.csrf_field();
    other
        .post_form(
            "/console/login",
            &[("email", &staff.email), ("password", &staff.password), ("csrf", &csrf), ("next", "//evil.example/x")],
        )
        .await
        .redirects_to("/console", "next must stay on this site");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forms_and_cookie_api_calls_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let m = fx.m(0);
    let mut browser = Browser::new(&app);

    browser.get("/console/login").await.expect(StatusCode::OK, "login form");
    browser
        .post_form("/console/login", &[("email", &m.staff.email), ("password", &m.staff.password)])
        .await
        .expect(StatusCode::FORBIDDEN, "login without the csrf field");
    browser
        .post_form("/console/login", &[("email", &m.staff.email), ("password", &m.staff.password), ("csrf", "forged")])
        .await
        .expect(StatusCode::FORBIDDEN, "login with a csrf field that is not the cookie");
    assert!(browser.cookie("oc_session").is_none());

    browser.sign_in(&m.staff.email, &m.staff.password).await;
    browser.post_form("/console/logout", &[]).await.expect(StatusCode::FORBIDDEN, "logout without csrf");
    browser.get("/api/v1/auth/me").await.expect(StatusCode::OK, "still signed in");

    let pause = format!("/locations/{}", m.location_id);
    let refused = browser.api(Method::PATCH, &pause, &json!({"pause_minutes": 15}), None).await;
    refused.expect(StatusCode::FORBIDDEN, "cookie API call without X-CSRF-Token");
    assert_eq!(refused.json()["code"], "csrf_failed", "{}", refused.body);
    let forged = browser.api(Method::PATCH, &pause, &json!({"pause_minutes": 15}), Some("forged")).await;
    forged.expect(StatusCode::FORBIDDEN, "cookie API call with the wrong X-CSRF-Token");

    // A cookie planted by another site (a sibling subdomain, say) with a matching header is not
    // the session's token.
    let csrf = browser.cookie("oc_csrf").expect("oc_csrf");
    browser.cookies.insert("oc_csrf".into(), "planted".into());
    let planted = browser.api(Method::PATCH, &pause, &json!({"pause_minutes": 15}), Some("planted")).await;
    planted.expect(StatusCode::FORBIDDEN, "a planted oc_csrf cookie and header");
    browser.post_form("/console/logout", &[("csrf", "planted")]).await.expect(StatusCode::FORBIDDEN, "planted logout");
    browser.cookies.insert("oc_csrf".into(), csrf.clone());

    let paused = browser.api(Method::PATCH, &pause, &json!({"pause_minutes": 15}), Some(&csrf)).await;
    paused.expect(StatusCode::OK, "with the token the change goes through");
    assert!(paused.json()["paused_until"].is_string());
    browser
        .api(Method::PATCH, &pause, &json!({"pause_minutes": 0}), Some(&csrf))
        .await
        .expect(StatusCode::OK, "resume");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_staff_cookie_without_the_csrf_token_moves_no_order_but_leaves_the_customer_alone() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let order = app.place_order_ok(&fx, &[m.line(common::fixture::BURGER, 1)], &common::Payment::card()).await;
    let part = common::id(common::fulfillment_at(&order, &m.location_id));
    let mut browser = Browser::new(&app);
    browser.sign_in(&m.staff.email, &m.staff.password).await;

    let path = format!("/fulfillments/{part}/transition");
    let refused = browser.api(Method::POST, &path, &json!({"to": "accepted"}), None).await;
    refused.expect(StatusCode::UNAUTHORIZED, "the cookie alone is no authority for a change");
    let token = order["tracking_token"].as_str().expect("tracking token");
    let customer_path = format!("{path}?token={token}");
    let accepted = browser.api(Method::POST, &customer_path, &json!({"to": "accepted"}), None).await;
    accepted.expect(StatusCode::CONFLICT, "nor does it lend the customer staff powers");
    let cancelled = browser.api(Method::POST, &customer_path, &json!({"to": "cancelled"}), None).await;
    cancelled.expect(StatusCode::OK, "the customer's own cancel works in a browser that also holds a staff cookie");
    assert_eq!(cancelled.json()["status"], "cancelled");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn logout_revokes_the_session() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let m = fx.m(0);
    let mut browser = Browser::new(&app);
    browser.sign_in(&m.manager.email, &m.manager.password).await;
    let session = browser.cookie("oc_session").expect("oc_session");
    let home = browser.get("/console").await;
    home.expect(StatusCode::OK, "a manager's start page");
    assert!(home.body.contains(&m.location_id), "the manager sees their location");

    let csrf = home.csrf_field();
    let out = browser.post_form("/console/logout", &[("csrf", &csrf)]).await;
    out.redirects_to("/console/login", "logout");
    let cleared = out.set_cookie("oc_session").expect("the cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(browser.cookie("oc_session").is_none());

    browser.cookies.insert("oc_session".into(), session);
    browser.get("/api/v1/auth/me").await.expect(StatusCode::UNAUTHORIZED, "the old session no longer works");
    browser.get("/console").await.redirects_to("/console/login?next=/console", "the console asks to sign in");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_password_change_replaces_the_old_password() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let staff = &fx.m(0).staff;
    let older_token = app.login(&staff.email, &staff.password).await;
    let mut browser = Browser::new(&app);
    browser.sign_in(&staff.email, &staff.password).await;
    let form = browser.get("/console/account").await;
    form.expect(StatusCode::OK, "the account page");
    let csrf = form.csrf_field();
    let new_password = "a-much-longer-password-42";

    let cases: [(&str, &str, &str, &str); 4] = [
        ("not-my-password", new_password, new_password, "La contraseña actual no es correcta"),
        (&staff.password, "short", "short", "al menos 10 caracteres"),
        (&staff.password, new_password, "a-different-password-42", "no coinciden"),
        (&staff.password, &staff.password, &staff.password, "distinta de la actual"),
    ];
    for (current, new, repeat, message) in cases {
        let refused = browser
            .post_form("/console/account", &[("csrf", &csrf), ("current", current), ("new", new), ("repeat", repeat)])
            .await;
        refused.expect(StatusCode::UNPROCESSABLE_ENTITY, message);
        assert!(refused.body.contains(message), "{message}: {}", excerpt(&refused.body));
    }
    browser
        .post_form("/console/account", &[("current", &staff.password), ("new", new_password), ("repeat", new_password)])
        .await
        .expect(StatusCode::FORBIDDEN, "the password change needs the csrf field");

    let changed = browser
        .post_form(
            "/console/account",
            &[("csrf", &csrf), ("current", &staff.password), ("new", new_password), ("repeat", new_password)],
        )
        .await;
    changed.expect(StatusCode::OK, "password changed");
    assert!(changed.body.contains("data-testid=\"account-ok\""), "{}", excerpt(&changed.body));

    let old = app.post("/api/v1/auth/login", None, &json!({"email": staff.email, "password": staff.password})).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED, "the old password fails");
    app.login(&staff.email, new_password).await;
    app.get("/api/v1/auth/me", Some(&older_token))
        .await
        .expect(StatusCode::UNAUTHORIZED, "sessions opened before the change end");
    browser.get("/api/v1/auth/me").await.expect(StatusCode::OK, "the session that changed it stays");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_merchants_location_is_not_found_and_reports_are_for_managers() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(0).build(&app).await;
    let (a, b) = (fx.m(0), fx.m(1));
    let display_a = format!("/console/locations/{}", a.location_id);
    let switches_a = format!("{display_a}/switches");

    let mut staff_b = Browser::new(&app);
    staff_b.sign_in(&b.staff.email, &b.staff.password).await;
    for path in [&display_a, &switches_a] {
        let page = staff_b.get(path).await;
        page.expect(StatusCode::NOT_FOUND, "merchant B's staff on merchant A's location");
        assert!(!page.body.contains(&a.name), "nothing of merchant A shows");
    }
    staff_b.get("/console/locations/loc_nope").await.expect(StatusCode::NOT_FOUND, "an unknown location");
    staff_b.get(&format!("/console/locations/{}", b.location_id)).await.expect(StatusCode::OK, "their own display");
    staff_b.get("/console/reports").await.expect(StatusCode::FORBIDDEN, "reports are for managers");

    let mut manager_b = Browser::new(&app);
    manager_b.sign_in(&b.manager.email, &b.manager.password).await;
    manager_b.get(&display_a).await.expect(StatusCode::NOT_FOUND, "merchant B's manager on merchant A's display");
    let home = manager_b.get("/console").await;
    home.expect(StatusCode::OK, "manager's start page");
    assert!(home.body.contains(&b.location_id) && !home.body.contains(&a.location_id));
    manager_b.get("/console/reports").await.expect(StatusCode::OK, "a manager's reports");
    manager_b.get(&format!("/console/locations/{}/switches", b.location_id)).await.expect(StatusCode::OK, "switches");
    manager_b.get("/console/orders").await.expect(StatusCode::OK, "history");

    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    admin.get(&display_a).await.expect(StatusCode::OK, "an admin sees every location");
    let home = admin.get("/console").await;
    assert!(home.body.contains(&a.location_id) && home.body.contains(&b.location_id));

    let admin_token = app.admin_token().await;
    app.post(
        "/api/v1/users",
        Some(&admin_token),
        &json!({"email": "agent@support.test", "password": "agent-password-1", "role": "support_agent"}),
    )
    .await
    .expect(StatusCode::CREATED, "a support agent");
    let mut agent = Browser::new(&app);
    let form = agent.get("/console/login").await;
    let csrf = form.csrf_field();
    // Support agents sign in to the console for the desk's pages (issue 18), which only they
    // and admins open.
    let signed_in = agent
        .post_form(
            "/console/login",
            &[("email", "agent@support.test"), ("password", "agent-password-1"), ("csrf", &csrf)],
        )
        .await;
    signed_in.redirects_to("/console", "a support agent signs in");
    agent.get("/support").await.expect(StatusCode::OK, "the agent's queue");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refund_the_provider_refuses_for_good_waits_on_the_payments_page_until_retried() {
    use crate::payment_jobs::{ScriptedProvider, exhaust_refund_attempts, job, reject, services, wait_for_jobs};
    let clock = std::sync::Arc::new(omnicanal_app::ManualClock::starting_now());
    let provider = ScriptedProvider::down_for_refunds();
    let app = TestApp::spawn_with_services(services(&clock, &provider)).await;
    let fx = Fixture::builder().merchants(2).stock(5).build(&app).await;
    let order = app.place_order_ok(&fx, &[fx.line(common::fixture::BURGER, 1)], &common::Payment::card()).await;
    reject(&app, &fx, &common::id(&order["fulfillments"][0])).await;
    let jobs = exhaust_refund_attempts(&app, &order, &clock).await;
    let job_id = job(&jobs, "refund").and_then(|j| j["id"].as_str()).unwrap_or_default().to_owned();

    let mut manager = Browser::new(&app);
    manager.sign_in(&fx.m(0).manager.email, &fx.m(0).manager.password).await;
    let home = manager.get("/console").await;
    home.expect(StatusCode::OK, "the manager's start page");
    assert!(home.body.contains(r#"data-testid="payments-attention""#), "the start page says payments wait");
    assert!(home.body.contains("1 pagos necesitan atención"), "{}", excerpt(&home.body));
    let page = manager.get("/console/payments").await;
    page.expect(StatusCode::OK, "the payments page");
    assert!(page.body.contains(&job_id) && page.body.contains("Reembolso") && page.body.contains("$12.990"));
    assert!(page.body.contains("acquirer down"), "the provider's answer is shown");
    assert!(
        page.body.contains(r#"<span data-testid="payment-cause">El proveedor de tarjetas no respondió en ninguno de los intentos.</span>"#),
        "and told in the console's words: {}",
        excerpt(&page.body)
    );

    let mut other = Browser::new(&app);
    other.sign_in(&fx.m(1).manager.email, &fx.m(1).manager.password).await;
    let theirs = other.get("/console/payments").await;
    theirs.expect(StatusCode::OK, "another merchant's payments page");
    assert!(!theirs.body.contains(&job_id) && theirs.body.contains(r#"data-testid="no-payments""#));
    let csrf = theirs.csrf_field();
    other
        .post_form(&format!("/console/payments/{job_id}/retry"), &[("csrf", &csrf)])
        .await
        .expect(StatusCode::NOT_FOUND, "another merchant cannot retry it");
    let mut staff = Browser::new(&app);
    staff.sign_in(&fx.m(0).staff.email, &fx.m(0).staff.password).await;
    staff.get("/console/payments").await.expect(StatusCode::FORBIDDEN, "staff do not see payments");

    provider.back_up();
    let csrf = page.csrf_field();
    manager
        .post_form(&format!("/console/payments/{job_id}/retry"), &[("csrf", "forged")])
        .await
        .expect(StatusCode::FORBIDDEN, "a retry without the session's token");
    manager
        .post_form(&format!("/console/payments/{job_id}/retry"), &[("csrf", &csrf)])
        .await
        .redirects_to("/console/payments", "retry");
    wait_for_jobs(&app, &order, "paid after the retry", |jobs| {
        job(jobs, "refund").is_some_and(|j| j["state"] == "succeeded")
    })
    .await;
    let page = manager.get("/console/payments").await;
    assert!(page.body.contains(r#"data-testid="no-payments""#), "nothing waits any more");
    assert!(!manager.get("/console").await.body.contains("payments-attention"));
    app.stop().await;
}

/// The "Conflictos de stock" page (`web/console/conflicts.rs`): the manager sees the open
/// conflict with its cause in words and resolves it by a form with the session's token;
/// staff are refused, another merchant's manager finds nothing, a forged token moves nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_stock_conflicts_page_lists_the_conflict_and_resolves_it_by_a_count() {
    let app = TestApp::spawn().await;
    let s = crate::stock_conflicts::scene(&app).await;
    let m = s.fx.m(0);
    let conflict_id = s.conflict["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/console/locations/{}/conflicts", m.location_id);
    let mut manager = Browser::new(&app);
    manager.sign_in(&m.manager.email, &m.manager.password).await;
    let page = manager.get(&path).await;
    page.expect(StatusCode::OK, "the conflicts page");
    assert!(page.body.contains(&conflict_id), "{}", excerpt(&page.body));
    assert!(page.body.contains(r#"data-cause="order_placed_while_offline""#));
    assert!(page.body.contains("mientras tanto, el pedido #"), "the cause in words: {}", excerpt(&page.body));
    let display = manager.get(&format!("/console/locations/{}", m.location_id)).await;
    assert!(display.body.contains(r#"data-testid="nav-conflicts""#), "linked from the navigation");

    let mut staff = Browser::new(&app);
    staff.sign_in(&m.staff.email, &m.staff.password).await;
    staff.get(&path).await.expect(StatusCode::FORBIDDEN, "staff do not resolve conflicts");
    let mut other = Browser::new(&app);
    other.sign_in(&s.fx.m(1).manager.email, &s.fx.m(1).manager.password).await;
    other.get(&path).await.expect(StatusCode::NOT_FOUND, "another merchant's location");

    let action = format!("{path}/{conflict_id}/resolve");
    manager
        .post_form(&action, &[("csrf", "forged"), ("action", "count"), ("counted", "1")])
        .await
        .expect(StatusCode::FORBIDDEN, "a form without the session's token");
    let csrf = page.csrf_field();
    let refused = manager.post_form(&action, &[("csrf", &csrf), ("action", "count"), ("counted", "0")]).await;
    refused.expect(StatusCode::CONFLICT, "a count below what the web order holds");
    assert!(refused.body.contains(r#"data-testid="conflict-problem""#), "{}", excerpt(&refused.body));
    manager
        .post_form(&action, &[("csrf", &csrf), ("action", "count"), ("counted", "1")])
        .await
        .redirects_to(&format!("{path}?done=count"), "a count resolves it");
    let after = manager.get(&format!("{path}?done=count")).await;
    assert!(
        after.body.contains(r#"data-testid="conflict-done""#) && after.body.contains(r#"data-testid="no-conflicts""#)
    );
    manager
        .post_form(&action, &[("csrf", &csrf), ("action", "count"), ("counted", "1")])
        .await
        .expect(StatusCode::CONFLICT, "resolving twice");
    app.stop().await;
}

/// The card of location `id` on the mall-wide view (from its opening tag to its end).
#[track_caller]
fn mall_card<'a>(page: &'a Answer, id: &str) -> &'a str {
    let start = page
        .body
        .find(&format!(r#"data-location-id="{id}""#))
        .unwrap_or_else(|| panic!("no card for {id} in {}", excerpt(&page.body)));
    let card = &page.body[start..];
    &card[..card.find("</li>").unwrap_or(card.len())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_mall_view_counts_each_locations_queue_and_late_parts_and_pauses_one_for_admins_only() {
    let clock = std::sync::Arc::new(omnicanal_app::ManualClock::starting_now());
    let services = omnicanal_server::Services {
        clock: clock.clone(),
        payments: std::sync::Arc::new(omnicanal_app::payments::provider::SandboxCardProvider),
    };
    let app = TestApp::spawn_with_services(services).await;
    let fx = Fixture::builder().merchants(2).stock(10).build(&app).await;
    let (a, b) = (fx.m(0), fx.m(1));
    let card = common::Payment::card();
    app.place_order_ok(&fx, &[fx.line(common::fixture::BURGER, 1), fx.line(common::fixture::SUSHI, 1)], &card).await;
    let fries = app.place_order_ok(&fx, &[fx.line(common::fixture::FRIES, 2)], &card).await;
    let handed = app.place_order_ok(&fx, &[fx.line(common::fixture::TEA, 1)], &card).await;
    // A's fries promised in one minute, and B's tea handed over (it leaves the queue).
    let staff_a = a.staff.token(&app).await;
    let fries_part = common::id(&fries["fulfillments"][0]);
    app.post(
        &format!("/api/v1/fulfillments/{fries_part}/transition"),
        Some(&staff_a),
        &json!({"to": "accepted", "prep_minutes": 1}),
    )
    .await
    .expect(StatusCode::OK, "accept the fries for one minute");
    let staff_b = b.staff.token(&app).await;
    let tea_part = common::id(&handed["fulfillments"][0]);
    app.advance(&staff_b, &tea_part, &["accepted", "preparing", "ready"]).await;
    let seen = app.get_order(&handed).await;
    let code = seen["fulfillments"][0]["pickup_code"].as_str().unwrap_or_default().to_owned();
    app.transition(&staff_b, &tea_part, "collected", Some(&code)).await.expect(StatusCode::OK, "tea handed over");
    clock.advance(Duration::from_secs(120));

    let mall = format!("/console/sites/{}", fx.site_id);
    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let home = admin.get("/console").await;
    home.expect(StatusCode::OK, "the admin's start page");
    assert!(home.body.contains(r#"data-testid="site-chooser""#), "the admin chooses a site");
    assert!(home.body.contains(&format!(r#"href="{mall}""#)), "each site links to its mall view");

    let page = admin.get(&mall).await;
    page.expect(StatusCode::OK, "the mall view");
    let (card_a, card_b) = (mall_card(&page, &a.location_id), mall_card(&page, &b.location_id));
    assert!(card_a.contains(r#"data-testid="queue-count">2<"#), "A: burger and fries to hand over: {card_a}");
    assert!(card_a.contains(r#"data-testid="late-count">1<"#), "A: the fries are past their estimate: {card_a}");
    assert!(card_b.contains(r#"data-testid="queue-count">1<"#), "B: the sushi only, the tea was handed over: {card_b}");
    assert!(card_b.contains(r#"data-testid="late-count">0<"#), "B: nothing late: {card_b}");
    assert!(page.body.contains("Por entregar: 3") && page.body.contains("Atrasados: 1"), "{}", excerpt(&page.body));

    let csrf = admin.cookie("oc_csrf");
    admin
        .api(Method::PATCH, &format!("/locations/{}", b.location_id), &json!({"pause_minutes": 30}), csrf.as_deref())
        .await
        .expect(StatusCode::OK, "the admin pauses B from the mall view");
    let page = admin.get(&format!("{mall}?lang=en")).await;
    let card_b = mall_card(&page, &b.location_id);
    assert!(card_b.contains(r#"data-state="paused""#) && card_b.contains("mall-resume"), "B paused: {card_b}");
    assert!(page.body.contains("To hand over: 3") && page.body.contains("Paused: 1"), "English too");

    let mut manager = Browser::new(&app);
    manager.sign_in(&a.manager.email, &a.manager.password).await;
    let refused = manager.get(&mall).await;
    refused.expect(StatusCode::NOT_FOUND, "a merchant manager never reaches the mall view");
    assert!(!refused.body.contains(&b.location_id) && !refused.body.contains(&b.name), "nothing of B shows");
    assert!(!manager.get("/console").await.body.contains("site-chooser"), "no site chooser for managers");
    let mut staff = Browser::new(&app);
    staff.sign_in(&a.staff.email, &a.staff.password).await;
    staff.get(&mall).await.expect(StatusCode::NOT_FOUND, "nor does staff");
    admin.get("/console/sites/site_nope").await.expect(StatusCode::NOT_FOUND, "an unknown site");
    app.stop().await;
}

/// Users page (issue 15 point 1): a manager lists its merchant's users only; another merchant's
/// user is the 404 page, to confirm or to deactivate; a taken e-mail is refused at the field;
/// staff may not open the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_page_keeps_a_manager_to_its_merchant() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(0).build(&app).await;
    let (a, b) = (fx.m(0), fx.m(1));
    let mut manager_a = Browser::new(&app);
    manager_a.sign_in(&a.manager.email, &a.manager.password).await;
    let page = manager_a.get("/console/users").await;
    page.expect(StatusCode::OK, "the manager's users page");
    assert!(page.body.contains(&a.staff.email) && !page.body.contains(&b.staff.email), "its merchant's users only");
    manager_a
        .get(&format!("/console/users/{}/deactivate", b.staff.id))
        .await
        .expect(StatusCode::NOT_FOUND, "another merchant's user");
    let csrf = page.csrf_field();
    manager_a
        .post_form(&format!("/console/users/{}/deactivate", b.staff.id), &[("csrf", &csrf)])
        .await
        .expect(StatusCode::NOT_FOUND, "deactivating another merchant's user");
    app.login(&b.staff.email, &b.staff.password).await;

    let taken = manager_a
        .post_form(
            "/console/users/invite",
            &[("csrf", &csrf), ("email", &a.staff.email), ("role", "staff"), ("location_id", &a.location_id)],
        )
        .await;
    taken.expect(StatusCode::CONFLICT, "a taken e-mail");
    assert!(taken.body.contains(r#"data-testid="error-email""#), "refused at the e-mail field");
    let no_csrf = manager_a
        .post_form(
            "/console/users/invite",
            &[("email", "x@y.test"), ("role", "staff"), ("location_id", &a.location_id)],
        )
        .await;
    no_csrf.expect(StatusCode::FORBIDDEN, "an invitation without the CSRF token");

    let mut staff = Browser::new(&app);
    staff.sign_in(&a.staff.email, &a.staff.password).await;
    staff.get("/console/users").await.expect(StatusCode::FORBIDDEN, "staff manage no users");
    app.stop().await;
}
