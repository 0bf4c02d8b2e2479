//! Notifications to the customer's phone, judged from the receiving end: a local push service
//! (an axum server on 127.0.0.1:0) registered as the subscription's endpoint with keys made
//! here, which checks the VAPID signature against `/push/public-key` and decrypts each message
//! with the subscription's private key and auth secret — by hand, following RFC 8291 and
//! RFC 8188 step by step, sharing no code with the server's encryption.

use crate::common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aes_gcm::aead::Aead;
use aes_gcm::{Aes128Gcm, KeyInit, Nonce};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use hkdf::Hkdf;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

use common::fixture::{BURGER, PIZZA_M};
use common::webhook::{Receiver as WebhookReceiver, random_secret, signature_is_valid};
use common::{Body, Fixture, Payment, TestApp, assert_validation_problem, id, pickup_code, qs, within};

/// What a browser keeps of its subscription: the ECDH key pair and the auth secret.
pub(crate) struct BrowserKeys {
    secret: SecretKey,
    auth: [u8; 16],
}

impl BrowserKeys {
    pub(crate) fn new() -> BrowserKeys {
        loop {
            if let Ok(secret) = SecretKey::from_slice(&rand::random::<[u8; 32]>()) {
                return BrowserKeys { secret, auth: rand::random() };
            }
        }
    }

    fn public_bytes(&self) -> Vec<u8> {
        self.secret.public_key().to_encoded_point(false).as_bytes().to_vec()
    }

    /// `PushSubscription.toJSON()` for `endpoint`, as a browser would POST it.
    pub(crate) fn subscription(&self, endpoint: &str, language: &str) -> Value {
        json!({
            "endpoint": endpoint,
            "expirationTime": null,
            "keys": {"p256dh": B64URL.encode(self.public_bytes()), "auth": B64URL.encode(self.auth)},
            "language": language,
        })
    }

    /// RFC 8291 §3.4 and RFC 8188 §2, for a message of one record.
    pub(crate) fn decrypt(&self, body: &[u8]) -> Result<Vec<u8>, String> {
        // The aes128gcm header: salt (16) ‖ record size (4) ‖ key id length (1) ‖ key id.
        let salt = body.get(..16).ok_or("no salt")?;
        let record_size = u32::from_be_bytes(body.get(16..20).ok_or("no rs")?.try_into().map_err(|_| "rs")?);
        let id_length = usize::from(*body.get(20).ok_or("no idlen")?);
        let sender_public = body.get(21..21 + id_length).ok_or("short key id")?;
        let ciphertext = &body[21 + id_length..];
        if id_length != 65 {
            return Err(format!("the key id must be the sender's 65-byte public key, got {id_length} bytes"));
        }
        if ciphertext.len() > record_size as usize || record_size < 18 {
            return Err(format!("one record of {} bytes does not fit rs={record_size}", ciphertext.len()));
        }
        let sender = PublicKey::from_sec1_bytes(sender_public).map_err(|_| "key id is not a P-256 point")?;
        let shared = p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), sender.as_affine());
        // IKM = HKDF(auth, ecdh, "WebPush: info" ‖ 0 ‖ ua_public ‖ as_public, 32)
        let mut key_info = b"WebPush: info\0".to_vec();
        key_info.extend_from_slice(&self.public_bytes());
        key_info.extend_from_slice(sender_public);
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(&self.auth), shared.raw_secret_bytes().as_slice())
            .expand(&key_info, &mut ikm)
            .map_err(|_| "hkdf ikm")?;
        // CEK and NONCE from PRK = HKDF-Extract(salt, IKM).
        let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let mut cek = [0u8; 16];
        let mut nonce = [0u8; 12];
        prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek).map_err(|_| "hkdf cek")?;
        prk.expand(b"Content-Encoding: nonce\0", &mut nonce).map_err(|_| "hkdf nonce")?;
        let cipher = Aes128Gcm::new_from_slice(&cek).map_err(|_| "aes key")?;
        // Record 0: the nonce XOR 0 is the nonce itself.
        let mut plain = cipher.decrypt(Nonce::from_slice(&nonce), ciphertext).map_err(|_| "the tag does not verify")?;
        // The last record ends with the delimiter 2 and zero padding.
        while plain.last() == Some(&0) {
            plain.pop();
        }
        if plain.pop() != Some(2) {
            return Err("the record does not end with the last-record delimiter".into());
        }
        Ok(plain)
    }
}

/// One request the local push service received.
#[derive(Debug, Clone)]
pub(crate) struct Push {
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Push {
    pub(crate) fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }
}

/// A local push service: records every POST and answers `status`.
pub(crate) struct PushService {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Push>>>,
    task: tokio::task::JoinHandle<()>,
}

impl PushService {
    pub(crate) async fn start(status: u16) -> PushService {
        let received = Arc::new(Mutex::new(Vec::new()));
        let shared = received.clone();
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
            let shared = shared.clone();
            async move {
                shared.lock().unwrap().push(Push { path: uri.path().to_owned(), headers, body: body.to_vec() });
                AxumStatus::from_u16(status).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind push service");
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        PushService { addr, received, task }
    }

    pub(crate) fn endpoint(&self, name: &str) -> String {
        format!("http://{}/push/{name}", self.addr)
    }

    pub(crate) fn received(&self) -> Vec<Push> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `count` messages arrived at `path`'s endpoint; returns them.
    pub(crate) async fn wait_for(&self, name: &str, count: usize, secs: u64) -> Vec<Push> {
        let path = format!("/push/{name}");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let got: Vec<Push> = self.received().into_iter().filter(|p| p.path == path).collect();
            if got.len() >= count {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "push service: {count} message(s) for {name} not seen within {secs}s; got {}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for PushService {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The server's VAPID public key, from the API.
pub(crate) async fn server_public_key(app: &TestApp) -> String {
    let body = app.get("/api/v1/push/public-key", None).await.expect(StatusCode::OK, "public key");
    let key = body["public_key"].as_str().unwrap_or_else(|| panic!("no public_key in {body}")).to_owned();
    let bytes = B64URL.decode(&key).expect("the public key is base64url without padding");
    assert_eq!(bytes.len(), 65, "an uncompressed P-256 point");
    assert!(VerifyingKey::from_sec1_bytes(&bytes).is_ok(), "a point on P-256");
    key
}

/// Checks a push request as a push service would, and returns the decrypted JSON message.
#[track_caller]
fn check_and_open(push: &Push, keys: &BrowserKeys, server_key: &str, origin: &str) -> Value {
    assert_eq!(push.header("content-encoding"), "aes128gcm");
    assert!(push.header("ttl").parse::<u32>().is_ok(), "a TTL header: {:?}", push.headers);
    let authorization = push.header("authorization");
    let (token, key) = authorization
        .strip_prefix("vapid t=")
        .and_then(|rest| rest.split_once(", k="))
        .unwrap_or_else(|| panic!("Authorization must be `vapid t=…, k=…`, got {authorization:?}"));
    assert_eq!(key, server_key, "k is the key from /push/public-key");
    let (signing_input, signature) = token.rsplit_once('.').expect("a JWT");
    let verifying = VerifyingKey::from_sec1_bytes(&B64URL.decode(key).unwrap()).unwrap();
    let signature = Signature::from_slice(&B64URL.decode(signature).expect("signature in base64url")).unwrap();
    assert!(verifying.verify(signing_input.as_bytes(), &signature).is_ok(), "the VAPID JWT verifies (ES256)");
    let part = |index: usize| -> Value {
        serde_json::from_slice(&B64URL.decode(signing_input.split('.').nth(index).unwrap()).unwrap()).unwrap()
    };
    assert_eq!(part(0)["alg"], "ES256");
    let claims = part(1);
    assert_eq!(claims["aud"], origin, "aud is the push service's origin");
    let now = chrono::Utc::now().timestamp();
    let exp = claims["exp"].as_i64().expect("exp");
    assert!(exp > now && exp <= now + 24 * 3600, "exp within 24 h: {claims}");
    assert!(claims["sub"].as_str().is_some_and(|s| s.starts_with("mailto:")), "sub is a contact: {claims}");
    let plain = keys.decrypt(&push.body).unwrap_or_else(|e| panic!("the message does not decrypt: {e}"));
    serde_json::from_slice(&plain).expect("the message is JSON")
}

/// An order of one burger, and its only part.
async fn burger_order(app: &TestApp, fx: &Fixture, payment: &Payment) -> (Value, Value) {
    let order = app.place_order_ok(fx, &[fx.line(BURGER, 1)], payment).await;
    let part = order["fulfillments"][0].clone();
    (order, part)
}

fn subscriptions_path(order: &Value, token: &str) -> String {
    format!("/api/v1/orders/{}/push-subscriptions?{}", id(order), qs(&[("token", token)]))
}

fn token_of(order: &Value) -> String {
    order["tracking_token"].as_str().expect("tracking_token").to_owned()
}

async fn subscribe(app: &TestApp, order: &Value, body: &Value) -> Value {
    app.post(&subscriptions_path(order, &token_of(order)), None, body).await.expect(StatusCode::CREATED, "subscribe")
}

#[tokio::test]
async fn ready_is_pushed_encrypted_and_signed_in_spanish() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(5).build(&app).await;
    let service = PushService::start(201).await;
    let keys = BrowserKeys::new();
    let server_key = server_public_key(&app).await;
    let (order, part) = burger_order(&app, &fx, &Payment::card()).await;
    let mut body = keys.subscription(&service.endpoint("ana"), "es");
    body["url"] = json!(format!("/s/{}/orders/{}", fx.site_id, id(&order)));
    let stored = subscribe(&app, &order, &body).await;
    assert_eq!(stored["language"], "es");
    assert_eq!(stored["order_id"], id(&order));

    let staff = fx.m(0).staff.token(&app).await;
    app.advance(&staff, &id(&part), &["accepted", "preparing"]).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(service.received().is_empty(), "accepted and preparing send nothing");
    app.advance(&staff, &id(&part), &["ready"]).await;

    let pushes = service.wait_for("ana", 1, 10).await;
    let message = check_and_open(&pushes[0], &keys, &server_key, &format!("http://{}", service.addr));
    let code = pickup_code(&part);
    assert_eq!(message["body"], format!("Tu pedido de Burger Hub está listo. Código {code}"));
    assert_eq!(message["title"], "Tu pedido está listo");
    assert_eq!(message["kind"], "ready");
    assert_eq!(message["url"], body["url"]);
    assert_eq!(message["fulfillment_id"], id(&part));
    // The order page shows its own notification under the same tag: the phone keeps one.
    assert_eq!(message["tag"], format!("{}:ready", id(&part)));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(service.received().len(), 1, "one event, one message");
    app.stop().await;
}

#[tokio::test]
async fn rejected_parts_say_what_was_refunded_in_each_subscriptions_language() {
    let app = TestApp::spawn().await;
    let fx = Fixture::create(&app).await;
    let service = PushService::start(201).await;
    let (spanish, english) = (BrowserKeys::new(), BrowserKeys::new());
    let server_key = server_public_key(&app).await;
    let origin = format!("http://{}", service.addr);

    let (order, part) = burger_order(&app, &fx, &Payment::card()).await;
    subscribe(&app, &order, &spanish.subscription(&service.endpoint("es"), "es")).await;
    subscribe(&app, &order, &english.subscription(&service.endpoint("en"), "en")).await;
    let staff = fx.m(0).staff.token(&app).await;
    app.post(&format!("/api/v1/fulfillments/{}/transition", id(&part)), Some(&staff), &json!({"to": "rejected"}))
        .await
        .expect(StatusCode::OK, "reject");
    let es = check_and_open(&service.wait_for("es", 1, 10).await[0], &spanish, &server_key, &origin);
    assert_eq!(es["body"], "Burger Hub no pudo preparar tu pedido; te devolvimos $12.990");
    assert_eq!(es["kind"], "rejected");
    let en = check_and_open(&service.wait_for("en", 1, 10).await[0], &english, &server_key, &origin);
    assert_eq!(en["body"], "Burger Hub could not prepare your order; we refunded $12.990");

    // Paid at pickup, nothing was charged: the text says so instead.
    let pizza = app.place_order_ok(&fx, &[fx.line(PIZZA_M, 1)], &Payment::AtPickup).await;
    subscribe(&app, &pizza, &spanish.subscription(&service.endpoint("pizza"), "es")).await;
    let pizza_staff = fx.m(2).staff.token(&app).await;
    let pizza_part = id(&pizza["fulfillments"][0]);
    app.post(&format!("/api/v1/fulfillments/{pizza_part}/transition"), Some(&pizza_staff), &json!({"to": "rejected"}))
        .await
        .expect(StatusCode::OK, "reject the pizza");
    let message = check_and_open(&service.wait_for("pizza", 1, 10).await[0], &spanish, &server_key, &origin);
    assert_eq!(message["body"], "Pizza Nonna no pudo preparar tu pedido; no se te cobrará");
    app.stop().await;
}

#[tokio::test]
async fn a_part_left_ready_gets_one_reminder() {
    // The reminder comes 15 minutes after "ready": the test moves the app's clock past it.
    let clock = std::sync::Arc::new(omnicanal_app::ManualClock::starting_now());
    let services = omnicanal_server::Services { clock: clock.clone(), ..Default::default() };
    let app = TestApp::spawn_full(|config| config.notify.pickup_reminder_minutes = 15, services).await;
    let fx = Fixture::builder().merchants(1).stock(5).build(&app).await;
    let service = PushService::start(201).await;
    let keys = BrowserKeys::new();
    let server_key = server_public_key(&app).await;
    let origin = format!("http://{}", service.addr);
    let (order, part) = burger_order(&app, &fx, &Payment::card()).await;
    subscribe(&app, &order, &keys.subscription(&service.endpoint("ana"), "es")).await;
    let staff = fx.m(0).staff.token(&app).await;
    app.advance(&staff, &id(&part), &["accepted", "preparing", "ready"]).await;
    service.wait_for("ana", 1, 10).await;
    clock.advance(Duration::from_secs(14 * 60));
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(service.received().len(), 1, "no reminder before 15 minutes");
    clock.advance(Duration::from_secs(61));

    let pushes = service.wait_for("ana", 2, 15).await;
    let bodies: Vec<String> = pushes
        .iter()
        .map(|push| check_and_open(push, &keys, &server_key, &origin)["body"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(bodies.iter().any(|b| b.starts_with("Tu pedido de Burger Hub está listo")), "{bodies:?}");
    assert!(bodies.iter().any(|b| b == "Recuerda retirar tu pedido en Burger Hub"), "{bodies:?}");
    // Later sweeps, an hour on, must not remind again.
    for _ in 0..4 {
        clock.advance(Duration::from_secs(15 * 60));
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    assert_eq!(service.received().len(), 2, "one reminder per part");
    app.stop().await;
}

#[tokio::test]
async fn a_configured_gateway_gets_signed_notifications_with_the_customers_contact() {
    let gateway = WebhookReceiver::start(0).await;
    let secret = random_secret();
    let (url, configured_secret) = (gateway.url(), secret.clone());
    let app = TestApp::spawn_with(move |config| {
        config.notify.webhook_url = Some(url);
        config.notify.webhook_secret = Some(omnicanal_server::config::Secret::new(configured_secret));
    })
    .await;
    let fx = Fixture::builder().merchants(1).stock(5).build(&app).await;
    let (order, part) = burger_order(&app, &fx, &Payment::card()).await;
    let staff = fx.m(0).staff.token(&app).await;
    app.advance(&staff, &id(&part), &["accepted", "preparing", "ready"]).await;

    let attempts = gateway.wait_until(10, "a notification", |attempts| !attempts.is_empty()).await;
    let attempt = &attempts[0];
    assert!(signature_is_valid(&secret, attempt), "Standard Webhooks signature with the configured secret");
    let body = attempt.json();
    assert_eq!(body["type"], "notification.requested");
    assert!(body["timestamp"].is_string());
    let data = &body["data"];
    assert_eq!(data["order_id"], id(&order));
    assert_eq!(data["fulfillment_id"], id(&part));
    assert_eq!(data["kind"], "ready");
    assert_eq!(data["phone"], "+56911112222");
    assert_eq!(data["email"], "ana@example.com");
    assert_eq!(data["body"], format!("Tu pedido de Burger Hub está listo. Código {}", pickup_code(&part)));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(gateway.attempts().len(), 1, "one notification, one POST");
    app.stop().await;
}

#[tokio::test]
async fn a_subscription_the_push_service_calls_gone_is_forgotten() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(5).build(&app).await;
    let service = PushService::start(410).await;
    let keys = BrowserKeys::new();
    let (order, part) = burger_order(&app, &fx, &Payment::card()).await;
    let endpoint = service.endpoint("gone");
    subscribe(&app, &order, &keys.subscription(&endpoint, "es")).await;
    let staff = fx.m(0).staff.token(&app).await;
    app.advance(&staff, &id(&part), &["accepted", "preparing", "ready"]).await;
    service.wait_for("gone", 1, 10).await;
    // The worker removes it right after the 410; give it a moment, then it is not there to remove.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let path = format!("{}&{}", subscriptions_path(&order, &token_of(&order)), qs(&[("endpoint", &endpoint)]));
    app.send(Method::DELETE, &path, None, Body::None, &[]).await.expect_problem(StatusCode::NOT_FOUND, "gone");
    app.stop().await;
}

#[tokio::test]
async fn subscriptions_are_validated_and_need_the_orders_token() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(5).build(&app).await;
    let (order, _) = burger_order(&app, &fx, &Payment::card()).await;
    let keys = BrowserKeys::new();
    let good = keys.subscription("http://127.0.0.1:9/send/abc", "es");
    let path = subscriptions_path(&order, &token_of(&order));

    for (what, token) in [("wrong token", Some("nope")), ("no token", None)] {
        let wrong = match token {
            Some(token) => subscriptions_path(&order, token),
            None => format!("/api/v1/orders/{}/push-subscriptions", id(&order)),
        };
        app.post(&wrong, None, &good).await.expect_problem(StatusCode::NOT_FOUND, what);
    }
    let unknown = format!("/api/v1/orders/ord_missing/push-subscriptions?{}", qs(&[("token", &token_of(&order))]));
    app.post(&unknown, None, &good).await.expect_problem(StatusCode::NOT_FOUND, "unknown order");

    let with = |pointer: &str, value: Value| {
        let mut body = good.clone();
        *body.pointer_mut(pointer).unwrap() = value;
        body
    };
    let cases = [
        ("http to a public host", with("/endpoint", json!("http://push.example/x"))),
        ("https to a host not on the allow-list", with("/endpoint", json!("https://push.example/x"))),
        ("a loopback address not listed", with("/endpoint", json!("http://127.0.0.2:9/x"))),
        ("not a URL", with("/endpoint", json!("push"))),
        ("credentials in the URL", with("/endpoint", json!("https://u:p@127.0.0.1/x"))),
        ("short p256dh", with("/keys/p256dh", json!(B64URL.encode([4u8; 33])))),
        ("p256dh off the curve", with("/keys/p256dh", json!(B64URL.encode([4u8; 65])))),
        ("p256dh not base64url", with("/keys/p256dh", json!("***"))),
        ("auth of 8 bytes", with("/keys/auth", json!(B64URL.encode([1u8; 8])))),
        ("unknown language", with("/language", json!("fr"))),
        ("a page elsewhere", {
            let mut body = good.clone();
            body["url"] = json!("//evil.example/");
            body
        }),
        ("keys missing", with("/keys", json!({}))),
    ];
    for (what, body) in cases {
        assert_validation_problem(&app.post(&path, None, &body).await, what);
    }

    let first = subscribe(&app, &order, &good).await;
    let again = subscribe(&app, &order, &good).await;
    assert_eq!(first["id"], again["id"], "the same endpoint again keeps its subscription");
    let english = app
        .send(Method::POST, &path, None, Body::Json(keys.subscription("http://localhost:9/2", "en")), &[])
        .await
        .expect(StatusCode::CREATED, "second browser");
    assert_eq!(english["language"], "en");
    let mut unsaid = keys.subscription("http://127.0.0.1:9/3", "es");
    unsaid.as_object_mut().unwrap().remove("language");
    let guessed = app
        .send(Method::POST, &path, None, Body::Json(unsaid), &[("Accept-Language", "en-GB,en;q=0.8")])
        .await
        .expect(StatusCode::CREATED, "language from Accept-Language");
    assert_eq!(guessed["language"], "en");

    let delete = |token: &str, endpoint: Option<&str>| {
        let mut params = vec![("token", token.to_owned())];
        if let Some(endpoint) = endpoint {
            params.push(("endpoint", endpoint.to_owned()));
        }
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format!("/api/v1/orders/{}/push-subscriptions?{}", id(&order), qs(&params))
    };
    let token = token_of(&order);
    let endpoint = Some("http://127.0.0.1:9/send/abc");
    app.send(Method::DELETE, &delete("nope", endpoint), None, Body::None, &[])
        .await
        .expect_problem(StatusCode::NOT_FOUND, "delete with a wrong token");
    assert_validation_problem(
        &app.send(Method::DELETE, &delete(&token, None), None, Body::None, &[]).await,
        "delete without endpoint",
    );
    app.send(Method::DELETE, &delete(&token, endpoint), None, Body::None, &[])
        .await
        .expect(StatusCode::NO_CONTENT, "delete");
    app.send(Method::DELETE, &delete(&token, endpoint), None, Body::None, &[])
        .await
        .expect_problem(StatusCode::NOT_FOUND, "delete twice");
    app.stop().await;
}

#[tokio::test]
async fn the_service_worker_and_the_subscribe_script_are_served() {
    let app = TestApp::spawn().await;
    let worker = app.get("/sw.js", None).await;
    assert_eq!(worker.status, StatusCode::OK);
    assert_eq!(worker.content_type(), "text/javascript; charset=utf-8");
    assert_eq!(worker.headers.get("service-worker-allowed").and_then(|v| v.to_str().ok()), Some("/"));
    let source = worker.body.as_str().unwrap_or_default();
    assert!(source.contains("showNotification") && source.contains("notificationclick"));
    let script = app.get("/static/push.js", None).await;
    assert_eq!(script.status, StatusCode::OK);
    assert_eq!(script.content_type(), "text/javascript; charset=utf-8");
    assert!(script.body.as_str().unwrap_or_default().contains("window.omnicanalPush"));
    app.stop().await;
}

#[tokio::test]
async fn two_nodes_on_one_database_send_each_notification_once() {
    let app = TestApp::spawn().await;
    let mut config = omnicanal_server::Config::new(app.database_url());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.notify.push_allowed_hosts = common::test_push_hosts();
    let second = within(30, "second node", omnicanal_server::start(config)).await.expect("second node starts");
    let fx = Fixture::builder().merchants(1).stock(5).build(&app).await;
    let service = PushService::start(201).await;
    let keys = BrowserKeys::new();
    let server_key = server_public_key(&app).await;
    let second_key = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("http://{}/api/v1/push/public-key", second.addr))
        .send()
        .await
        .expect("second node answers")
        .json::<Value>()
        .await
        .expect("json");
    assert_eq!(second_key["public_key"], server_key, "both nodes sign with the one stored key");

    let (order, part) = burger_order(&app, &fx, &Payment::card()).await;
    subscribe(&app, &order, &keys.subscription(&service.endpoint("ana"), "es")).await;
    let staff = fx.m(0).staff.token(&app).await;
    app.advance(&staff, &id(&part), &["accepted", "preparing", "ready"]).await;
    let pushes = service.wait_for("ana", 1, 10).await;
    check_and_open(&pushes[0], &keys, &server_key, &format!("http://{}", service.addr));
    // Both nodes' workers see the event (the second through its outbox poll); one sends.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(service.received().len(), 1, "each notification once, whichever node sends it");
    within(10, "second node stops", second.shutdown()).await;
    app.stop().await;
}

#[tokio::test]
async fn by_default_only_the_browsers_push_services_are_accepted() {
    let app = TestApp::spawn_with(|config| config.notify.push_allowed_hosts = Default::default()).await;
    let fx = Fixture::builder().merchants(1).stock(5).build(&app).await;
    let (order, _) = burger_order(&app, &fx, &Payment::card()).await;
    let keys = BrowserKeys::new();
    let path = subscriptions_path(&order, &token_of(&order));
    for refused in [
        "http://127.0.0.1:9/push/x",
        "https://127.0.0.1/push/x",
        "http://localhost:9/push/x",
        "https://push.example/x",
        "https://fcm.googleapis.com.evil.example/x",
    ] {
        let problem = app.post(&path, None, &keys.subscription(refused, "es")).await;
        assert_validation_problem(&problem, refused);
        let body = problem.body.to_string();
        assert!(body.contains("endpoint"), "the problem names the field: {body}");
    }
    for accepted in [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/QGx",
    ] {
        let stored = subscribe(&app, &order, &keys.subscription(accepted, "es")).await;
        assert_eq!(stored["endpoint"], accepted);
    }
    app.stop().await;
}
