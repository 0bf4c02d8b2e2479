//! The customer app's remaining pieces (issue #4) over HTTP: a site's `notify_only` policy for
//! parts not accepted in time (kept, the customer told once, the page warns), pickup slot
//! capacity held under concurrent orders (refused as `slot_full`), a mistyped e-mail refused
//! with its field, and the web app manifest with its icons.

use crate::common;

use std::time::Duration;

use common::fixture::{BURGER, SUSHI};
use common::webhook::{Receiver as WebhookReceiver, random_secret};
use common::{Body, Fixture, Payment, Resp, TestApp, assert_validation_problem, id, qs, rfc3339_from_now};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;

use omnicanal_app::ManualClock;

async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> Resp {
    app.send(Method::PATCH, path, Some(token), Body::Json(body), &[]).await
}

/// Asserts a 422 naming `field`.
#[track_caller]
fn assert_field(resp: &Resp, field: &str, what: &str) {
    assert_validation_problem(resp, what);
    let errors = resp.body["errors"].as_array().expect("errors");
    assert!(errors.iter().any(|e| e["field"] == field), "{what}: expected an error on {field:?}, got {}", resp.body);
}

fn order_page_path(fx: &Fixture, order: &Value) -> String {
    let token = order["tracking_token"].as_str().expect("tracking_token");
    format!("/s/{}/orders/{}?{}", fx.site_id, id(order), qs(&[("token", token)]))
}

/// The `<section data-testid="part">` of `part_id` in an order page.
fn part_section<'a>(html: &'a str, part_id: &str) -> &'a str {
    let start = html.find(&format!("data-fulfillment-id=\"{part_id}\"")).expect("the part's section");
    let end = html[start..].find("</section>").map_or(html.len(), |end| start + end);
    &html[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_site_policy_is_validated_and_shown() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let site_path = format!("/api/v1/sites/{}", fx.site_id);
    let read = app.get(&site_path, None).await.expect(StatusCode::OK, "the site");
    assert_eq!(read["unaccepted_policy"], "cancel_and_refund", "the default: {read}");

    for bad in [json!("shrug"), json!(""), json!("NOTIFY_ONLY")] {
        let refused = patch(&app, &admin, &site_path, json!({"unaccepted_policy": bad})).await;
        assert_field(&refused, "unaccepted_policy", &format!("policy {bad}"));
    }
    assert_validation_problem(&patch(&app, &admin, &site_path, json!({"unaccepted_policy": 3})).await, "a number");
    assert_field(&patch(&app, &admin, &site_path, json!({})).await, "accept_within_minutes", "nothing to change");
    let both_bad =
        patch(&app, &admin, &site_path, json!({"accept_within_minutes": 999, "unaccepted_policy": "x"})).await;
    assert_field(&both_bad, "accept_within_minutes", "both wrong");
    assert_field(&both_bad, "unaccepted_policy", "both wrong");
    let staff = fx.m(0).staff.token(&app).await;
    patch(&app, &staff, &site_path, json!({"unaccepted_policy": "notify_only"}))
        .await
        .expect_problem(StatusCode::FORBIDDEN, "staff set the site's policy");

    let site = patch(&app, &admin, &site_path, json!({"unaccepted_policy": "notify_only"}))
        .await
        .expect(StatusCode::OK, "notify only");
    assert_eq!(site["unaccepted_policy"], "notify_only", "{site}");
    assert!(site["accept_within_minutes"].is_null(), "the limit is left alone: {site}");
    let site =
        patch(&app, &admin, &site_path, json!({"accept_within_minutes": 7})).await.expect(StatusCode::OK, "a limit");
    assert_eq!(
        (site["accept_within_minutes"].as_i64(), site["unaccepted_policy"].as_str()),
        (Some(7), Some("notify_only"))
    );
    let read = app.get(&site_path, None).await.expect(StatusCode::OK, "the site");
    assert_eq!(read["unaccepted_policy"], "notify_only", "saved: {read}");
    let listed = app.get("/api/v1/sites", Some(&admin)).await.expect(StatusCode::OK, "sites");
    assert_eq!(listed[0]["unaccepted_policy"], "notify_only", "{listed}");

    // Under notify_only the limit does not end the hold: nothing cancels the part.
    let order = app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    assert!(order["fulfillments"][0]["hold_expires_at"].is_null(), "{order}");
    let site = patch(&app, &admin, &site_path, json!({"unaccepted_policy": "cancel_and_refund"}))
        .await
        .expect(StatusCode::OK, "back to cancelling");
    assert_eq!(site["unaccepted_policy"], "cancel_and_refund");
    let order = app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    assert!(order["fulfillments"][0]["hold_expires_at"].is_string(), "the limit bounds the hold again: {order}");
    app.stop().await;
}

/// A server whose notifications also go to a signed webhook gateway (the receiver).
/// An app whose notifications go to a webhook gateway, on a clock the test moves: acceptance
/// limits are minutes long, so the test moves time instead of waiting for it.
async fn app_with_gateway() -> (WebhookReceiver, TestApp, Arc<ManualClock>) {
    let gateway = WebhookReceiver::start(0).await;
    let (url, secret) = (gateway.url(), random_secret());
    let clock = Arc::new(ManualClock::starting_now());
    let services = omnicanal_server::Services { clock: clock.clone(), ..Default::default() };
    let app = TestApp::spawn_full(
        move |config| {
            config.notify.webhook_url = Some(url);
            config.notify.webhook_secret = Some(omnicanal_server::config::Secret::new(secret));
        },
        services,
    )
    .await;
    (gateway, app, clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_late_part_at_a_notify_only_site_is_kept_and_its_customer_told_once() {
    let (gateway, app, clock) = app_with_gateway().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    patch(
        &app,
        &admin,
        &format!("/api/v1/sites/{}", fx.site_id),
        json!({"accept_within_minutes": 5, "unaccepted_policy": "notify_only"}),
    )
    .await
    .expect(StatusCode::OK, "notify only after 5 minutes");
    let order = app.place_order_ok(&fx, &[fx.line(BURGER, 1), fx.line(SUSHI, 1)], &Payment::card()).await;
    let burger = common::fulfillment_at(&order, &fx.m(0).location_id);
    let sushi = common::fulfillment_at(&order, &fx.m(1).location_id);
    // Sushi accepts in time; the burger kitchen does not.
    let sushi_staff = fx.m(1).staff.token(&app).await;
    app.advance(&sushi_staff, &id(sushi), &["accepted"]).await;

    // Before the limit: no warning on the page, no notice.
    let page = app.get(&order_page_path(&fx, &order), None).await.expect(StatusCode::OK, "order page");
    let html = page.as_str().expect("html");
    assert!(part_section(html, &id(burger)).contains("data-accept-by="), "the page knows the limit");
    assert!(part_section(html, &id(burger)).contains("data-testid=\"not-accepted\" hidden>"), "no warning yet");
    clock.advance(Duration::from_secs(4 * 60));
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(gateway.attempts().iter().all(|a| a.json()["data"]["kind"] != "not_accepted"), "not yet");

    clock.advance(Duration::from_secs(2 * 60));
    let attempts = gateway
        .wait_until(10, "a not-accepted notice", |attempts| {
            attempts.iter().any(|a| a.json()["data"]["kind"] == "not_accepted")
        })
        .await;
    let notices: Vec<Value> =
        attempts.iter().map(|a| a.json()).filter(|body| body["data"]["kind"] == "not_accepted").collect();
    let data = &notices[0]["data"];
    assert_eq!(data["fulfillment_id"], id(burger), "only the part still waiting: {notices:?}");
    assert_eq!(data["language"], "es");
    assert_eq!(data["title"], "Tu pedido aún no fue aceptado");
    assert!(data["body"].as_str().is_some_and(|b| b.starts_with("Burger Hub todavía no acepta tu pedido")), "{data}");
    // Several sweeps and an hour later, still one notice; and the part was not cancelled.
    for _ in 0..4 {
        clock.advance(Duration::from_secs(15 * 60));
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    let count = gateway.attempts().iter().filter(|a| a.json()["data"]["kind"] == "not_accepted").count();
    assert_eq!(count, 1, "told once");
    let now = app.get_order(&order).await;
    let part = common::fulfillment_at(&now, &fx.m(0).location_id);
    assert_eq!(part["status"], "placed", "notify_only never cancels: {now}");
    assert_eq!(part["refunded"]["amount"], 0);

    // The page warns on that part only, and stops once the kitchen accepts.
    let page = app.get(&order_page_path(&fx, &order), None).await.expect(StatusCode::OK, "order page");
    let html = page.as_str().expect("html");
    let warning = part_section(html, &id(burger));
    assert!(warning.contains("data-testid=\"not-accepted\">"), "a visible warning: {warning}");
    assert!(warning.contains("todavía no acepta esta parte"), "{warning}");
    assert!(part_section(html, &id(sushi)).contains("data-testid=\"not-accepted\" hidden>"), "sushi accepted");
    let burger_staff = fx.m(0).staff.token(&app).await;
    app.advance(&burger_staff, &id(burger), &["accepted"]).await;
    let page = app.get(&order_page_path(&fx, &order), None).await.expect(StatusCode::OK, "order page");
    assert!(part_section(page.as_str().expect("html"), &id(burger)).contains("data-testid=\"not-accepted\" hidden>"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_late_part_at_a_cancelling_site_gets_no_not_accepted_notice() {
    let (gateway, app, clock) = app_with_gateway().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    patch(&app, &admin, &format!("/api/v1/sites/{}", fx.site_id), json!({"accept_within_minutes": 5}))
        .await
        .expect(StatusCode::OK, "a limit, default policy");
    let order = app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    clock.advance(Duration::from_secs(6 * 60));
    let cancelled = common::within(10, "the lapsed hold cancels the part", async {
        loop {
            let now = app.get_order(&order).await;
            if now["fulfillments"][0]["status"] == "cancelled" {
                return now;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert_eq!(cancelled["fulfillments"][0]["refunded"], cancelled["fulfillments"][0]["subtotal"], "{cancelled}");
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert!(
        gateway.attempts().iter().all(|a| a.json()["data"]["kind"] != "not_accepted"),
        "cancel_and_refund sites cancel on the hold instead"
    );
    let page = app.get(&order_page_path(&fx, &order), None).await.expect(StatusCode::OK, "order page");
    assert!(!page.as_str().expect("html").contains("data-accept-by="), "no client-side limit to watch");
    app.stop().await;
}

/// An order of one burger for pickup at `pickup_at`.
async fn burger_at(app: &TestApp, fx: &Fixture, pickup_at: &str) -> Resp {
    let mut body = fx.order_body(&[fx.line(BURGER, 1)], &Payment::card());
    body["pickup_at"] = json!(pickup_at);
    app.post("/api/v1/orders", None, &body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_orders_take_exactly_a_slots_capacity() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(100).build(&app).await;
    let manager = fx.m(0).manager.token(&app).await;
    let capacity = 3;
    patch(&app, &manager, &format!("/api/v1/locations/{}", fx.m(0).location_id), json!({"slot_capacity": capacity}))
        .await
        .expect(StatusCode::OK, "slot capacity");
    // A slot well past the preparation time, the same for every buyer.
    let slots = app
        .get(
            &format!("/api/v1/sites/{}/pickup-slots?{}", fx.site_id, qs(&[("location_ids", &fx.m(0).location_id)])),
            None,
        )
        .await
        .expect(StatusCode::OK, "slots");
    let start = slots[4]["start"].as_str().expect("a fifth slot").to_owned();

    let buyers: Vec<_> = (0..12)
        .map(|_| {
            let (app_client, url) = (app.client.clone(), app.url("/api/v1/orders"));
            let mut body = fx.order_body(&[fx.line(BURGER, 1)], &Payment::card());
            body["pickup_at"] = json!(start);
            tokio::spawn(async move {
                let response = app_client
                    .post(url)
                    .header("idempotency-key", uuid_like())
                    .json(&body)
                    .send()
                    .await
                    .expect("order request");
                let status = response.status();
                let problem: Value = response.json().await.unwrap_or(Value::Null);
                (status, problem)
            })
        })
        .collect();
    let mut created = 0;
    for buyer in buyers {
        let (status, body) = buyer.await.expect("buyer task");
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                let detail = body["detail"].as_str().unwrap_or_default();
                assert!(detail.contains("no room left in that pickup slot"), "{body}");
                assert_eq!(body["code"], "slot_full", "a stable code the page can name: {body}");
            }
            other => panic!("unexpected answer {other}: {body}"),
        }
    }
    assert_eq!(created, capacity, "exactly the slot's capacity is sold");
    let listed = app
        .get(
            &format!("/api/v1/sites/{}/pickup-slots?{}", fx.site_id, qs(&[("location_ids", &fx.m(0).location_id)])),
            None,
        )
        .await
        .expect(StatusCode::OK, "slots");
    let slot = listed.as_array().into_iter().flatten().find(|s| s["start"] == start.as_str()).expect("listed");
    assert_eq!(slot["available"], false, "{slot}");

    // A rejected part gives its place back.
    let staff = fx.m(0).staff.token(&app).await;
    let parts = app.fulfillment_ids(&staff, &fx.m(0).location_id).await;
    app.post(&format!("/api/v1/fulfillments/{}/transition", parts[0]), Some(&staff), &json!({"to": "rejected"}))
        .await
        .expect(StatusCode::OK, "reject one");
    burger_at(&app, &fx, &start).await.expect(StatusCode::CREATED, "the freed place");
    burger_at(&app, &fx, &start).await.expect_problem(StatusCode::CONFLICT, "full again");
    let later = rfc3339_from_now(chrono::Duration::hours(3));
    burger_at(&app, &fx, &later).await.expect(StatusCode::CREATED, "another slot");
    app.stop().await;
}

/// A fresh idempotency key.
/// A receipt sent to a mistyped address is lost: the order is refused naming the field (the
/// page marks it), and a blank address is simply none.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mistyped_email_is_refused_with_its_field() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let with_email = |email: &str| {
        let mut body = fx.order_body(&[fx.line(BURGER, 1)], &Payment::card());
        body["customer"]["email"] = json!(email);
        body
    };
    for bad in ["ana@", "ana@correo", "ana perez@correo.cl", "@correo.cl", "ana@@correo.cl"] {
        let resp = app.post("/api/v1/orders", None, &with_email(bad)).await;
        assert_field(&resp, "customer.email", bad);
    }
    app.post("/api/v1/orders", None, &with_email("")).await.expect(StatusCode::CREATED, "a blank e-mail is none");
    app.stop().await;
}

fn uuid_like() -> String {
    format!("{:032x}", rand::random::<u128>())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_site_is_installable_as_a_home_screen_app() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let path = format!("/s/{}/manifest.webmanifest", fx.site_id);
    let resp = app.get(&path, None).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.content_type(), "application/manifest+json");
    let manifest = resp.body;
    assert!(manifest.is_object(), "valid JSON: {manifest}");
    assert_eq!(manifest["start_url"], format!("/s/{}", fx.site_id));
    assert_eq!(manifest["scope"], format!("/s/{}", fx.site_id));
    assert_eq!(manifest["display"], "standalone");
    assert_eq!(manifest["lang"], "es");
    assert!(manifest["theme_color"].as_str().is_some_and(|c| c.starts_with('#')), "{manifest}");
    let site = app.get(&format!("/api/v1/sites/{}", fx.site_id), None).await.expect(StatusCode::OK, "site");
    assert_eq!(manifest["name"], site["name"]);
    assert!(manifest["short_name"].as_str().is_some_and(|s| !s.is_empty() && s.chars().count() <= 12), "{manifest}");
    let english = app
        .send(Method::GET, &path, None, Body::None, &[("Accept-Language", "en-US")])
        .await
        .expect(StatusCode::OK, "manifest in English");
    assert_eq!(english["lang"], "en");

    let icons = manifest["icons"].as_array().expect("icons");
    assert!(icons.iter().any(|i| i["type"] == "image/svg+xml" && i["sizes"] == "any"), "{manifest}");
    assert!(icons.iter().any(|i| i["sizes"] == "512x512"), "{manifest}");
    for icon in icons {
        let src = icon["src"].as_str().expect("src");
        let response = app.client.get(app.url(src)).send().await.expect("icon");
        assert_eq!(response.status(), StatusCode::OK, "{src}");
        let content_type = response.headers()["content-type"].to_str().unwrap_or_default().to_owned();
        assert_eq!(content_type, icon["type"].as_str().unwrap_or_default(), "{src}");
        let bytes = response.bytes().await.expect("icon body");
        if content_type == "image/png" {
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{src} is a PNG");
            let size: u32 = icon["sizes"].as_str().and_then(|s| s.split('x').next()?.parse().ok()).expect("size");
            assert_eq!(u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]), size, "{src} width");
        } else {
            assert!(bytes.starts_with(b"<svg"), "{src} is SVG");
        }
    }
    let touch = app.client.get(app.url("/static/icon-180.png")).send().await.expect("touch icon");
    assert_eq!(touch.status(), StatusCode::OK);
    assert!(touch.bytes().await.expect("png").starts_with(b"\x89PNG"));
    app.get("/s/site_nope/manifest.webmanifest", None).await.expect(StatusCode::NOT_FOUND, "unknown site");

    // Every customer page links it, with the home-screen meta tags.
    for page in [format!("/s/{}", fx.site_id), format!("/s/{}/cart", fx.site_id)] {
        let html = app.get(&page, None).await.expect(StatusCode::OK, "page");
        let html = html.as_str().expect("html");
        assert!(html.contains(&format!("<link rel=\"manifest\" href=\"{path}\">")), "{page}: manifest link");
        assert!(html.contains("<link rel=\"apple-touch-icon\" href=\"/static/icon-180.png\">"), "{page}");
        assert!(html.contains("<meta name=\"apple-mobile-web-app-capable\" content=\"yes\">"), "{page}");
    }
    app.stop().await;
}
