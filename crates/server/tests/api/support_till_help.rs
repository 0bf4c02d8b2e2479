//! "Pedir ayuda" from the till, the server's side (issue 18 point 1): a till's ticket carries
//! the server's own last print failure of that till and last card decline of its store, and a
//! ticket keeps photos that only those who may read the ticket can add and read.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::FRIES;
use crate::common::{Fixture, TestApp, money, open_till};

fn picture(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image).write_to(&mut out, format).expect("encode the test image");
    out.into_inner()
}

/// Posts the raw image straight through the client (the harness sends JSON).
async fn upload(app: &TestApp, token: &str, ticket_id: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/support/tickets/{ticket_id}/photos")))
        .bearer_auth(token)
        .header("content-type", "image/png")
        .body(bytes)
        .send()
        .await
        .expect("the upload is answered");
    let status = response.status();
    (status, response.json::<Value>().await.unwrap_or(Value::Null))
}

async fn open_ticket(app: &TestApp, token: &str, location_id: &str, device_id: Option<&str>) -> Value {
    let body = json!({"location_id": location_id, "subject": "Ayuda", "category": "impresora",
                      "source": "till", "device_id": device_id, "context": {"app_version": "test"}});
    app.post("/api/v1/support/tickets", Some(token), &body).await.expect(StatusCode::CREATED, "a ticket")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tills_ticket_carries_the_servers_last_print_failure_and_decline() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let till = open_till(&app, fx.m(0), 0).await;

    // Before anything failed, the server adds nothing.
    let quiet = open_ticket(&app, &till.staff, &till.location_id, Some(&till.device_id)).await;
    assert!(quiet["context"].get("server").is_none(), "nothing to add: {quiet}");
    assert_eq!(quiet["context"]["app_version"], "test");

    // A card is declined (05) on a sale that is not recorded.
    let sale = |id: &str, n: u32, payment: Value| {
        json!({"id": id, "session_id": till.session_id, "receipt_number": format!("{}-{n}", till.series),
               "sold_at": chrono::Utc::now().to_rfc3339(), "lines": [{"sku": FRIES, "quantity": 1}],
               "payments": [payment]})
    };
    let declined = json!({"method": "card", "amount": money(3_490), "card_number": "4000000000000002"});
    app.post("/api/v1/pos/sales", Some(&till.staff), &sale("help-card", 1, declined))
        .await
        .expect_problem(StatusCode::PAYMENT_REQUIRED, "the sandbox declines");

    // A cash sale whose receipt does not print: the printer's port has nobody listening.
    let cash = json!({"method": "cash", "amount": money(3_490), "tendered": money(5_000)});
    app.post("/api/v1/pos/sales", Some(&till.staff), &sale("help-cash", 2, cash))
        .await
        .expect(StatusCode::CREATED, "a cash sale");
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("its address").port()
    };
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/pos/devices/{}/printer", till.device_id),
        Some(&till.manager),
        crate::common::Body::Json(json!({"printer": {"host": "127.0.0.1", "port": port}})),
        &[],
    )
    .await
    .expect(StatusCode::OK, "a printer nobody answers at");
    let printed = app
        .client
        .post(app.url("/api/v1/pos/sales/help-cash/print"))
        .bearer_auth(&till.staff)
        .send()
        .await
        .expect("the print is answered");
    assert_eq!(printed.status(), StatusCode::BAD_GATEWAY, "the printer is unreachable");

    let ticket = open_ticket(&app, &till.staff, &till.location_id, Some(&till.device_id)).await;
    let server = &ticket["context"]["server"];
    assert_eq!(server["last_decline"]["code"], "05", "{ticket}");
    assert!(server["last_decline"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{server}");
    assert_eq!(server["last_printer_error"]["kind"], "refused", "{server}");
    assert!(server["last_printer_error"]["at"].is_string(), "{server}");
    assert_eq!(ticket["context"]["app_version"], "test", "the till's own context is kept");

    // A console ticket (no till) is left as sent.
    let console = open_ticket(&app, &till.staff, &till.location_id, None).await;
    assert!(console["context"].get("server").is_none(), "{console}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_keeps_photos_for_those_who_may_read_it() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(0).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let staff = burger.staff.token(&app).await;
    let manager = burger.manager.token(&app).await;
    let other_staff = sushi.staff.token(&app).await;
    let ticket = open_ticket(&app, &staff, &burger.location_id, None).await;
    let id = ticket["id"].as_str().expect("an id").to_owned();

    let (status, photo) = upload(&app, &staff, &id, picture(1600, 800, ImageFormat::Png)).await;
    assert_eq!(status, StatusCode::CREATED, "staff send a photo: {photo}");
    assert_eq!((photo["width"].clone(), photo["height"].clone()), (json!(1200), json!(600)), "resized: {photo}");
    let (status, _) = upload(&app, &manager, &id, picture(40, 40, ImageFormat::Jpeg)).await;
    assert_eq!(status, StatusCode::CREATED, "the manager too");

    let detail = app.get(&format!("/api/v1/support/tickets/{id}"), Some(&manager)).await.expect(StatusCode::OK, "it");
    assert_eq!(detail["photo_ids"].as_array().map(Vec::len), Some(2), "{detail}");
    assert_eq!(detail["photo_ids"][0], photo["id"]);

    let url = photo["url"].as_str().expect("a url").to_owned();
    let read = app.client.get(app.url(&url)).bearer_auth(&manager).send().await.expect("read");
    assert_eq!(read.status(), StatusCode::OK);
    assert!(read.headers()["cache-control"].to_str().unwrap_or_default().starts_with("private"));
    let bytes = read.bytes().await.expect("the image");
    assert!(image::load_from_memory(&bytes).is_ok(), "an image comes back");

    // Another merchant neither reads nor adds; nobody reads without credentials.
    let stranger = app.client.get(app.url(&url)).bearer_auth(&other_staff).send().await.expect("read");
    assert_eq!(stranger.status(), StatusCode::NOT_FOUND, "another merchant's photo");
    let (status, _) = upload(&app, &other_staff, &id, picture(40, 40, ImageFormat::Png)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another merchant's ticket");
    let anonymous = app.client.get(app.url(&url)).send().await.expect("read");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let missing = app.client.get(app.url(&format!("/api/v1/support/tickets/{id}/photos/tph_nope"))).bearer_auth(&staff);
    assert_eq!(missing.send().await.expect("read").status(), StatusCode::NOT_FOUND);

    // Not an image, empty, or too big: clear 4xx problems.
    let (status, problem) = upload(&app, &staff, &id, b"%PDF-1.4 not an image".to_vec()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "photo", "{problem}");
    let (status, problem) = upload(&app, &staff, &id, Vec::new()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let mut huge = picture(40, 40, ImageFormat::Png);
    huge.resize(5 * 1024 * 1024 + 10, 0);
    let (status, problem) = upload(&app, &staff, &id, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
}
