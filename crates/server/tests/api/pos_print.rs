//! Till receipts over HTTP: a manager sets a till's printer (a private host refused unless
//! the outbound allow-list names it), a sale printed on a local listener that captures the
//! ESC/POS bytes, the same print with the listener down answered `printer_unreachable` (never
//! assumed printed), the 80 mm page and ESC/POS download, and the digital receipt's public
//! link with its QR.
//!
//! The print's failure is a 502, which the harness's `send` refuses as a server fault; that one
//! request goes through the client directly.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

use crate::common::fixture::{BURGER, FRIES};
use crate::common::{Fixture, OpenTill, TestApp, clp, money, open_till};

async fn sell(app: &TestApp, till: &OpenTill, id: &str, n: u32) -> Value {
    let sale = json!({
        "id": id,
        "session_id": till.session_id,
        "receipt_number": format!("{}-{n}", till.series),
        "sold_at": chrono::Utc::now().to_rfc3339(),
        "customer": {"name": "Ana Núñez", "phone": "+56911112222"},
        "lines": [{"sku": BURGER, "quantity": 1}, {"sku": FRIES, "quantity": 2}],
        "payments": [{"method": "cash", "amount": money(19_970), "tendered": money(20_000)}],
    });
    app.post("/api/v1/pos/sales", Some(&till.staff), &sale).await.expect(StatusCode::CREATED, "a cash sale")
}

async fn set_printer(app: &TestApp, till: &OpenTill, token: &str, printer: Value) -> crate::common::Resp {
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/pos/devices/{}/printer", till.device_id),
        Some(token),
        crate::common::Body::Json(json!({"printer": printer})),
        &[],
    )
    .await
}

/// POST `/print` straight through the client: a 502 is this route's documented answer.
async fn print(app: &TestApp, till: &OpenTill, sale_id: &str) -> (StatusCode, Value) {
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/pos/sales/{sale_id}/print")))
        .bearer_auth(&till.staff)
        .send()
        .await
        .unwrap_or_else(|error| panic!("print: {error}"));
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// A printer that keeps every byte of one connection.
async fn capturing_printer() -> (u16, tokio::task::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|error| panic!("{error}"));
    let port = listener.local_addr().unwrap_or_else(|error| panic!("{error}")).port();
    let captured = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap_or_else(|error| panic!("{error}"));
        let mut bytes = Vec::new();
        let _ = socket.read_to_end(&mut bytes).await;
        bytes
    });
    (port, captured)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_prints_on_the_tills_printer_and_a_dead_printer_is_told() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    let sale = sell(&app, &till, "print-0001", 1).await;
    let receipt_number = sale["receipt_number"].as_str().expect("a number").to_owned();

    let (status, body) = print(&app, &till, "print-0001").await;
    assert_eq!(status, StatusCode::CONFLICT, "no printer set yet: {body}");

    let (port, captured) = capturing_printer().await;
    set_printer(&app, &till, &till.staff, json!({"host": "127.0.0.1", "port": port}))
        .await
        .expect_problem(StatusCode::FORBIDDEN, "staff do not set printers");
    let device = set_printer(&app, &till, &till.manager, json!({"host": "127.0.0.1", "port": port}))
        .await
        .expect(StatusCode::OK, "the manager sets the printer");
    assert_eq!(
        (device["printer"]["host"].clone(), device["printer"]["port"].clone()),
        (json!("127.0.0.1"), json!(port))
    );
    let shown = app
        .get(&format!("/api/v1/pos/devices/{}", till.device_id), Some(&till.staff))
        .await
        .expect(StatusCode::OK, "the till");
    assert_eq!(shown["printer"]["port"], json!(port), "the till shows its printer: {shown}");

    let (status, printed) = print(&app, &till, "print-0001").await;
    assert_eq!(status, StatusCode::OK, "printed: {printed}");
    assert_eq!(
        (printed["printed"].clone(), printed["printer_status"].clone()),
        (json!(true), json!("no_status_answer"))
    );
    let bytes = crate::common::within(10, "the printer's bytes", captured).await.unwrap_or_default();
    assert_eq!(printed["bytes"].as_u64(), Some(bytes.len() as u64 - 3), "every byte after the status request");
    assert!(bytes.starts_with(&[0x10, 0x04, 0x04, 0x1b, b'@']), "status request, then ESC @: {:?}", &bytes[..8]);
    assert!(contains(&bytes, receipt_number.as_bytes()), "the receipt number is printed");
    assert!(contains(&bytes, format!("${}", "19.970").as_bytes()), "the total is printed");
    assert!(contains(&bytes, b"vuelto $30"), "the change is printed");
    assert!(contains(&bytes, &[0x1d, b'V', 1]), "the paper is cut");
    assert!(contains(&bytes, b"Ana N\xfa\xf1ez"), "the customer, in Windows-1252");

    // The printer is switched off: nothing listens at its port any more.
    let (status, problem) = print(&app, &till, "print-0001").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "a dead printer is a failure: {problem}");
    assert_eq!(
        (problem["code"].clone(), problem["printer_failure"].clone()),
        (json!("printer_unreachable"), json!("refused"))
    );
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("refused")), "{problem}");

    let (status, _) = print(&app, &till, "no-such-sale").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let empty = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/pos/devices/{}/printer", till.device_id),
            Some(&till.manager),
            crate::common::Body::Json(json!({})),
            &[],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "a body without `printer` removes nothing");
    set_printer(&app, &till, &till.manager, Value::Null).await.expect(StatusCode::OK, "printer removed");
    let shown = app.get(&format!("/api/v1/pos/devices/{}", till.device_id), Some(&till.staff)).await;
    assert!(shown.expect(StatusCode::OK, "the till").get("printer").is_none());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printer_inside_the_network_needs_the_allow_list() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    for host in ["192.168.1.50", "10.0.0.7", "169.254.169.254", "127.0.0.2", "[::1]x"] {
        let problem = set_printer(&app, &till, &till.manager, json!({"host": host}))
            .await
            .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, host);
        assert_eq!(problem["errors"][0]["field"], "printer.host", "{host}: {problem}");
    }
    let problem = set_printer(&app, &till, &till.manager, json!({"host": "192.168.1.50"})).await.body;
    let message = problem["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("OMNICANAL_OUTBOUND_ALLOWED_HOSTS"), "the refusal says what to set: {message}");
    for (body, field) in [
        (json!({"host": "printer.local", "port": 0}), "printer.port"),
        (json!({"host": "http://x/", "port": 9100}), "printer.host"),
        (json!({"host": "x", "port": 70_000}), "printer.port"),
    ] {
        let problem = set_printer(&app, &till, &till.manager, body.clone())
            .await
            .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, &body.to_string());
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    // localhost is named in the tests' allow-list, so it is accepted, with the default port.
    let device = set_printer(&app, &till, &till.manager, json!({"host": "localhost"}))
        .await
        .expect(StatusCode::OK, "an allowed host");
    assert_eq!(device["printer"]["port"], 9100);
    let stranger = fx.m(1).manager.token(&app).await;
    set_printer(&app, &till, &stranger, json!({"host": "127.0.0.1"}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's till");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receipt_prints_in_the_browser_and_as_a_digital_receipt() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    let sale = sell(&app, &till, "digital-0001", 1).await;
    let number = sale["receipt_number"].as_str().expect("a number").to_owned();
    assert_eq!(clp(&sale["total"]), 19_970);

    let page = app.get("/api/v1/pos/sales/digital-0001/receipt", Some(&till.staff)).await;
    assert!(page.content_type().starts_with("text/html"), "{}", page.content_type());
    let html = page.expect(StatusCode::OK, "the 80 mm page");
    let html = html.as_str().unwrap_or_default();
    assert!(html.contains(&number) && html.contains("TICKET DE VENTA") && html.contains("window.print()"), "{html}");
    let escpos = app.get("/api/v1/pos/sales/digital-0001/receipt?format=escpos", Some(&till.staff)).await;
    assert_eq!(escpos.content_type(), "application/octet-stream");
    app.get("/api/v1/pos/sales/digital-0001/receipt?format=doc", Some(&till.staff))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "an unknown format");

    let link = app
        .post("/api/v1/pos/sales/digital-0001/digital-receipt", Some(&till.staff), &json!({}))
        .await
        .expect(StatusCode::CREATED, "a digital receipt");
    let url = link["url"].as_str().expect("a url").to_owned();
    assert!(url.contains("/r/") && url.len() > 40, "an unguessable link: {url}");
    assert!(link["qr_svg"].as_str().is_some_and(|svg| svg.contains("<svg")), "a QR: {link}");
    let path = url.split_once("/r/").map(|(_, token)| format!("/r/{token}")).expect("a token");
    let public = app.get(&path, None).await;
    assert_eq!(public.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("private, no-store"));
    let html = public.expect(StatusCode::OK, "the public receipt");
    let html = html.as_str().unwrap_or_default();
    assert!(html.contains(&number) && html.contains("$19.970") && html.contains("Ana Núñez"), "{html}");
    let english = app.get(&format!("{path}?lang=en"), None).await.expect(StatusCode::OK, "in English");
    assert!(english.as_str().is_some_and(|html| html.contains("SALES RECEIPT")), "{english}");
    let missing = app.get("/r/not-a-token", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let stranger = fx.m(1).manager.token(&app).await;
    app.post("/api/v1/pos/sales/digital-0001/digital-receipt", Some(&stranger), &json!({}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's sale");
    app.get("/api/v1/pos/sales/digital-0001/receipt", Some(&stranger))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's receipt");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_is_checked_again_at_each_print() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    sell(&app, &till, "policy-0001", 1).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|error| panic!("{error}"));
    let port = listener.local_addr().unwrap_or_else(|error| panic!("{error}")).port();
    set_printer(&app, &till, &till.manager, json!({"host": "127.0.0.1", "port": port}))
        .await
        .expect(StatusCode::OK, "allowed when set");

    // The node that prints no longer names loopback: the stored printer is refused, unreached.
    let app = app.restart_with(|config| config.outbound_allowed_hosts = Some(String::new()), Default::default()).await;
    let till = OpenTill { staff: fx.m(0).staff.token(&app).await, ..till };
    let (status, problem) = print(&app, &till, "policy-0001").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "printer.host", "{problem}");
    let reached = tokio::time::timeout(std::time::Duration::from_millis(300), listener.accept()).await;
    assert!(reached.is_err(), "no connection was opened to a refused printer");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_link_is_sent_through_the_notification_gateway() {
    use crate::common::webhook::{Receiver, random_secret, signature_is_valid};
    let gateway = Receiver::start(0).await;
    let secret = random_secret();
    let (url, configured) = (gateway.url(), secret.clone());
    let app = TestApp::spawn_with(move |config| {
        config.notify.webhook_url = Some(url);
        config.notify.webhook_secret = Some(omnicanal_server::config::Secret::new(configured));
    })
    .await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    sell(&app, &till, "send-0001", 1).await;
    let path = "/api/v1/pos/sales/send-0001/digital-receipt";
    for (bad, field) in [
        (json!({"phone": "12"}), "send_to.phone"),
        (json!({"email": "no-at-sign"}), "send_to.email"),
        (json!({}), "send_to"),
        (json!({"phone": "+56911112222", "email": "a@b.cl"}), "send_to"),
    ] {
        let problem = app
            .post(path, Some(&till.staff), &json!({"send_to": bad}))
            .await
            .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, &bad.to_string());
        assert_eq!(problem["errors"][0]["field"], field, "{bad}");
    }
    app.post("/api/v1/pos/sales/nope/digital-receipt", Some(&till.staff), &json!({"send_to": {"phone": "12"}}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "an unknown sale before its recipient");
    assert!(gateway.attempts().is_empty(), "nothing sent for a refused request");

    let sent = app
        .post(path, Some(&till.staff), &json!({"send_to": {"phone": "+56 9 1111 2222"}}))
        .await
        .expect(StatusCode::CREATED, "sent");
    assert_eq!(sent["sent"], json!({"to": "phone", "delivered": true}));
    let attempts = gateway.wait_until(10, "the link", |attempts| !attempts.is_empty()).await;
    assert!(signature_is_valid(&secret, &attempts[0]), "signed with the gateway's secret");
    let data = attempts[0].json()["data"].clone();
    assert_eq!((data["kind"].clone(), data["sale_id"].clone()), (json!("digital_receipt"), json!("send-0001")));
    assert_eq!(data["phone"], "+56911112222");
    let link = sent["url"].as_str().expect("a url");
    assert!(data["body"].as_str().is_some_and(|body| body.ends_with(link)), "the text carries the link: {data}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_gateway_sending_is_a_conflict_and_the_qr_still_comes() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;
    sell(&app, &till, "nogw-0001", 1).await;
    let path = "/api/v1/pos/sales/nogw-0001/digital-receipt";
    let problem = app
        .post(path, Some(&till.staff), &json!({"send_to": {"email": "ana@example.com"}}))
        .await
        .expect_problem(StatusCode::CONFLICT, "no gateway");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("OMNICANAL_NOTIFY_WEBHOOK_URL")), "{problem}");
    let link = app.post(path, Some(&till.staff), &json!({})).await.expect(StatusCode::CREATED, "a link");
    assert!(link.get("sent").is_none());
    for _ in 1..20 {
        app.post(path, Some(&till.staff), &json!({})).await.expect(StatusCode::CREATED, "more links");
    }
    app.post(path, Some(&till.staff), &json!({})).await.expect_problem(StatusCode::CONFLICT, "at most 20 per sale");
    app.stop().await;
}
