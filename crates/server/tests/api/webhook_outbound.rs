//! Webhooks and the outbound policy (contract v2, "Outbound calls"): loopback, private,
//! link-local, unspecified and plain-http destinations are 422 on `url` unless
//! `OMNICANAL_OUTBOUND_ALLOWED_HOSTS` names the host (the tests name `127.0.0.1,localhost`); a
//! node whose allow-list no longer names a registered host posts nothing there; redirects are
//! never followed; and the delivery log tells no network detail apart.

use crate::common;

use std::net::SocketAddr;

use axum::http::{StatusCode as AxumStatus, header};
use common::fixture::BURGER;
use common::webhook::{Receiver, random_secret};
use common::{Fixture, Payment, TestApp, assert_validation_problem, id};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// What the delivery log says when the policy stopped a delivery, and when nothing answered.
const REFUSED: &str = "destination refused by the outbound policy";
const NO_ANSWER: &str = "no HTTP answer";

async fn register(app: &TestApp, token: &str, url: &str) -> common::Resp {
    app.post("/api/v1/webhooks", Some(token), &json!({"url": url, "events": ["order.created"]})).await
}

/// Asserts a 422 on `url` whose message explains the rule.
#[track_caller]
fn assert_refused_url(resp: &common::Resp, url: &str) {
    assert_validation_problem(resp, url);
    let errors = resp.body["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{url}: one error: {}", resp.body);
    assert_eq!(errors[0]["field"], "url", "{url}: the field is named: {}", resp.body);
    let message = errors[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("public host") || message.contains("https"),
        "{url}: the message says what is allowed: {message}"
    );
}

/// The delivery log entries of a webhook once one has an outcome (polls up to 5 s).
async fn settled_log(app: &TestApp, token: &str, webhook_id: &str) -> Vec<Value> {
    let path = format!("/api/v1/webhooks/{webhook_id}/deliveries");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let log = app.get(&path, Some(token)).await.expect(StatusCode::OK, "delivery log");
        let entries = log.as_array().cloned().unwrap_or_default();
        if entries.iter().any(|entry| entry["attempts"].as_i64().unwrap_or(0) >= 1) {
            return entries;
        }
        assert!(tokio::time::Instant::now() < deadline, "no attempt logged for {webhook_id}: {log}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_forbidden_destination_is_422_at_registration() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let admin = app.admin_token().await;
    let manager = fx.m(0).manager.token(&app).await;
    let forbidden = [
        // Loopback not named exactly, in every spelling (these all mean 127.0.0.2; the
        // spellings of 127.0.0.1 are that named host, and refused without an allow-list below).
        "http://127.0.0.2:9/hooks",
        "https://127.0.0.2/hooks",
        "https://127.2/hooks",
        "https://2130706434/hooks",
        "https://0x7f000002/hooks",
        "https://[::1]/hooks",
        "http://[::1]:9/hooks",
        "https://sub.localhost/hooks",
        // Unspecified.
        "http://0.0.0.0:9/hooks",
        "https://0.0.0.0/hooks",
        "https://[::]/hooks",
        // Link-local: the cloud metadata service, and IPv6's.
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fe80::1]/hooks",
        // Private, shared (CGNAT) and unique-local ranges, and IPv4 hidden in IPv6.
        "https://10.0.0.1/hooks",
        "https://172.16.5.4/hooks",
        "https://192.168.1.10/hooks",
        "https://100.64.0.1/hooks",
        "https://[fd00::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://[::ffff:169.254.169.254]/hooks",
        // Plain http to a public host.
        "http://93.184.216.34/hooks",
        "http://hooks.example.com/hooks",
        // A name that does not resolve.
        "https://no-such-host.invalid/hooks",
        // Not http at all.
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
    ];
    for url in forbidden {
        assert_refused_url(&register(&app, &admin, url).await, url);
        assert_refused_url(&register(&app, &manager, url).await, &format!("{url} (manager)"));
    }
    let list = app.get("/api/v1/webhooks", Some(&admin)).await.expect(StatusCode::OK, "list");
    assert_eq!(list, json!([]), "nothing was registered");

    // The hosts the allow-list names, exactly, are accepted over plain http; so is https to a
    // public address.
    for url in ["http://127.0.0.1:9/hooks", "http://localhost:9/hooks", "https://93.184.216.34/hooks"] {
        register(&app, &admin, url).await.expect(StatusCode::CREATED, url);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_an_allow_list_loopback_is_refused_too() {
    let app = TestApp::spawn_with(|config| config.outbound_allowed_hosts = Some(String::new())).await;
    let admin = app.admin_token().await;
    let loopback = [
        "http://127.0.0.1:9/hooks",
        "https://127.0.0.1:9/hooks",
        "https://127.1/hooks",
        "https://2130706433/hooks",
        "https://0x7f000001/hooks",
        "http://localhost:9/hooks",
        "https://localhost/",
    ];
    for url in loopback {
        assert_refused_url(&register(&app, &admin, url).await, url);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_whose_allow_list_no_longer_names_the_host_posts_nothing_there() {
    let receiver = Receiver::start(0).await;
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let by_address = id(&register(&app, &admin, &receiver.url()).await.expect(StatusCode::CREATED, "127.0.0.1"));
    let by_name = format!("http://localhost:{}/hooks", receiver.addr.port());
    let by_name = id(&register(&app, &admin, &by_name).await.expect(StatusCode::CREATED, "localhost"));

    // The node that sends has no exemption (as a production node must not).
    let app = app.restart_with(|config| config.outbound_allowed_hosts = Some(String::new()), Default::default()).await;
    let admin = app.admin_token().await;
    app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    for webhook in [&by_address, &by_name] {
        let log = settled_log(&app, &admin, webhook).await;
        let entry = &log[0];
        assert_eq!(entry["last_error"], REFUSED, "the log says the policy refused it, nothing more: {entry}");
        assert!(entry["last_status"].is_null(), "{entry}");
        assert_eq!(entry["state"], "pending", "it waits for a policy that allows it: {entry}");
    }
    assert!(receiver.attempts().is_empty(), "nothing was posted: {:?}", receiver.attempts().len());
    app.stop().await;
}

/// A receiver that answers every request with `status` and a `Location` pointing at `to`.
async fn redirector(status: AxumStatus, to: String) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let app = axum::Router::new().fallback(move || {
        let to = to.clone();
        async move { (status, [(header::LOCATION, to)]) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the redirector");
    let addr = listener.local_addr().expect("its address");
    (
        addr,
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_redirect_is_the_receivers_answer_and_is_never_followed() {
    let target = Receiver::start(0).await;
    let (found, found_task) = redirector(AxumStatus::FOUND, target.url()).await;
    let (temporary, temporary_task) = redirector(AxumStatus::TEMPORARY_REDIRECT, target.url()).await;
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let mut webhooks = Vec::new();
    for (addr, status) in [(found, 302), (temporary, 307)] {
        let url = format!("http://{addr}/hooks");
        webhooks.push((id(&register(&app, &admin, &url).await.expect(StatusCode::CREATED, &url)), status));
    }

    app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    for (webhook, status) in webhooks {
        let log = settled_log(&app, &admin, &webhook).await;
        assert_eq!(log[0]["last_status"], status, "the redirect is logged as the answer: {}", log[0]);
        assert_eq!(log[0]["state"], "pending", "and retried at the same URL later: {}", log[0]);
    }
    assert!(target.attempts().is_empty(), "the redirect's target never receives anything");
    found_task.abort();
    temporary_task.abort();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failures_before_an_http_answer_read_alike_in_the_log() {
    // A port nobody listens on, and one that accepts and hangs up at once.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("its address")
    };
    let hang_up = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let hang_up_addr = hang_up.local_addr().expect("its address");
    let hang_up_task = tokio::spawn(async move {
        while let Ok((socket, _)) = hang_up.accept().await {
            drop(socket);
        }
    });
    let failing = Receiver::start(usize::MAX).await;
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let register_at = async |url: String| {
        id(&app
            .post(
                "/api/v1/webhooks",
                Some(&admin),
                &json!({"url": url, "events": ["order.created"], "secret": random_secret()}),
            )
            .await
            .expect(StatusCode::CREATED, &url))
    };
    let to_closed = register_at(format!("http://{closed}/hooks")).await;
    let to_hang_up = register_at(format!("http://{hang_up_addr}/hooks")).await;
    let to_500 = register_at(failing.url()).await;

    app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    for webhook in [&to_closed, &to_hang_up] {
        let entry = settled_log(&app, &admin, webhook).await.remove(0);
        assert_eq!(entry["last_error"], NO_ANSWER, "no port or network detail: {entry}");
        assert!(entry["last_status"].is_null(), "{entry}");
    }
    // An HTTP answer from an allowed endpoint is still shown.
    let entry = settled_log(&app, &admin, &to_500).await.remove(0);
    assert_eq!(entry["last_status"], 500, "{entry}");
    hang_up_task.abort();
    app.stop().await;
}
