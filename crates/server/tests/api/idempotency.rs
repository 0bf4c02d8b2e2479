//! `Idempotency-Key` on POST /orders, POST /stock/movements and transitions: a retry with the
//! same key and body answers the first response again and does nothing twice (even when the
//! retries race), and the same key with another body is 409. After a crash (the claim's row
//! left as a killed process leaves it): an order that committed is answered on every retry, a
//! claim whose process died is free at once, a claim of a running process is not taken.

use std::sync::Arc;
use std::time::Duration;

use crate::common;

use common::fixture::{BURGER, SUSHI};
use common::{Fixture, Payment, Resp, TestApp, fulfillment_at, id, random_hex};
use futures::future::join_all;
use omnicanal_app::ManualClock;
use omnicanal_app::payments::{PaymentError, PaymentProvider, SandboxCardProvider};
use omnicanal_domain::Money;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn order_retry_with_the_same_key_returns_the_first_order() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let body = fx.order_body(&[m.line(BURGER, 2)], &Payment::card());
    let key = random_hex();

    let first = app.post_idem("/api/v1/orders", None, &body, &key).await.expect(StatusCode::CREATED, "first attempt");
    let again = app
        .post_idem("/api/v1/orders", None, &body, &key)
        .await
        .expect(StatusCode::CREATED, "retry answers the first status");
    assert_eq!(again, first, "retry answers the first body (same order)");
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (20, 2, 18), "reserved once");
    assert_eq!(app.fulfillment_ids(&admin, &m.location_id).await.len(), 1, "one part created");

    let other = fx.order_body(&[m.line(BURGER, 3)], &Payment::card());
    app.post_idem("/api/v1/orders", None, &other, &key)
        .await
        .expect_problem(StatusCode::CONFLICT, "same key, another body");
    assert_eq!(
        app.stock_level(&admin, &m.location_id, BURGER).await.reserved,
        2,
        "the conflicting retry reserved nothing"
    );

    // A new key is a new order.
    let second =
        app.post_idem("/api/v1/orders", None, &body, &random_hex()).await.expect(StatusCode::CREATED, "another key");
    assert_ne!(second["id"], first["id"], "a new key makes a new order");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_retries_of_one_order_reserve_once() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let body = fx.order_body(&[m.line(BURGER, 1)], &Payment::card());
    let key = random_hex();
    let answers = join_all((0..8).map(|_| app.post_idem("/api/v1/orders", None, &body, &key))).await;
    let mut ids = Vec::new();
    for a in &answers {
        match a.status {
            StatusCode::CREATED => ids.push(a.body["id"].clone()),
            StatusCode::CONFLICT => common::assert_problem_shape(a, "in-flight retry"),
            other => panic!("racing retry answered {other}: {}", a.body),
        }
    }
    assert!(!ids.is_empty(), "at least one retry got the order");
    assert!(ids.iter().all(|i| *i == ids[0]), "every 201 is the same order: {ids:?}");
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (20, 1, 19), "reserved exactly once");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stock_movement_retry_applies_once() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let body = json!({"sku": BURGER, "location_id": m.location_id, "delta": 5, "reason": "receipt"});
    let key = random_hex();
    let first = app
        .post_idem("/api/v1/stock/movements", Some(&admin), &body, &key)
        .await
        .expect(StatusCode::CREATED, "first movement");
    assert_eq!(first["on_hand"], 25);
    let again = app
        .post_idem("/api/v1/stock/movements", Some(&admin), &body, &key)
        .await
        .expect(StatusCode::CREATED, "retried movement");
    assert_eq!(again, first, "retry answers the first body");
    let mut other = body.clone();
    other["delta"] = json!(6);
    app.post_idem("/api/v1/stock/movements", Some(&admin), &other, &key)
        .await
        .expect_problem(StatusCode::CONFLICT, "same key, another delta");
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (25, 0, 25), "applied once");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn transition_retry_returns_the_first_result_and_refunds_once() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let order = app.place_order_ok(&fx, &[burger.line(BURGER, 1), sushi.line(SUSHI, 1)], &Payment::card()).await;
    let f_burger = id(fulfillment_at(&order, &burger.location_id));
    let f_sushi = id(fulfillment_at(&order, &sushi.location_id));
    let burger_staff = burger.staff.token(&app).await;
    let sushi_staff = sushi.staff.token(&app).await;
    let transition = |fid: &str| format!("/api/v1/fulfillments/{fid}/transition");

    let key = random_hex();
    let accept = json!({"to": "accepted"});
    let first = app
        .post_idem(&transition(&f_burger), Some(&burger_staff), &accept, &key)
        .await
        .expect(StatusCode::OK, "accept");
    let again = app
        .post_idem(&transition(&f_burger), Some(&burger_staff), &accept, &key)
        .await
        .expect(StatusCode::OK, "retried accept answers 200 again, not 409");
    assert_eq!(again, first, "same body as the first accept");
    app.post_idem(&transition(&f_burger), Some(&burger_staff), &accept, &random_hex())
        .await
        .expect_problem(StatusCode::CONFLICT, "a new accept of an accepted part");

    let key = random_hex();
    let reject = json!({"to": "rejected", "reason": "cerrado"});
    for attempt in 0..3 {
        let r = app
            .post_idem(&transition(&f_sushi), Some(&sushi_staff), &reject, &key)
            .await
            .expect(StatusCode::OK, &format!("reject attempt {attempt}"));
        assert_eq!(r["status"], "rejected");
    }
    let seen = app.get_order(&order).await;
    assert_eq!(common::clp(&seen["payment"]["refunded"]), sushi.price(SUSHI), "refunded once: {}", seen["payment"]);
    app.stop().await;
}

/// A boot no process ever is (claims made before boots were recorded have it too).
const GONE_BOOT: i64 = 0;

/// An app on a clock the test moves, so "a minute later" is a step, not a wait.
async fn app_on_manual_clock() -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::starting_now());
    let app =
        TestApp::spawn_with_services(omnicanal_server::Services { clock: clock.clone(), ..Default::default() }).await;
    (app, clock)
}

/// The app's database, opened beside the server to leave a claim as a crash would.
async fn database(app: &TestApp) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(app.database_url()).await.expect("open the app's database")
}

/// Leaves `key`'s claim as a process killed in the middle of the request leaves it: no answer
/// stored, held by `boot_id`.
async fn lose_the_answer(app: &TestApp, key: &str, boot_id: i64) {
    let mut db = database(app).await;
    sqlx::query("UPDATE idempotency_keys SET status = 0, body = NULL, boot_id = $1 WHERE key = $2")
        .bind(boot_id)
        .bind(key)
        .execute(&mut db)
        .await
        .expect("forget the stored answer");
    let _ = db.close().await;
}

/// The boot of the app's own process (the newest one registered).
async fn own_boot(app: &TestApp) -> i64 {
    let mut db = database(app).await;
    let boot: i64 = sqlx::query_scalar("SELECT MAX(id) FROM boots").fetch_one(&mut db).await.expect("boots");
    let _ = db.close().await;
    boot
}

/// An order answer without its payment (the capture worker may have moved it on meanwhile).
fn without_payment(order: &Value) -> Value {
    let mut order = order.clone();
    order.as_object_mut().expect("an order object").remove("payment");
    order
}

#[track_caller]
fn assert_rebuilt(again: &Resp, first: &Value, when: &str) {
    assert_eq!(again.status, StatusCode::CREATED, "{when}: a committed order answers 201, not 409: {}", again.body);
    assert_eq!(again.headers.get("idempotent-replayed").map(|v| v.as_bytes()), Some(&b"true"[..]), "{when}");
    assert!(again.body["tracking_token"].is_string(), "{when}: the customer learns the tracking token: {}", again.body);
    assert_eq!(without_payment(&again.body), without_payment(first), "{when}: the order as its creation answered it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_whose_answer_a_crash_lost_is_answered_on_every_retry() {
    let (app, clock) = app_on_manual_clock().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let body = fx.order_body(&[m.line(BURGER, 2)], &Payment::card());
    let key = random_hex();
    let first = app.post_idem("/api/v1/orders", None, &body, &key).await.expect(StatusCode::CREATED, "first attempt");
    // The process was killed after the order committed (with its link to the claim) and
    // before its answer was stored.
    lose_the_answer(&app, &key, GONE_BOOT).await;

    let again = app.post_idem("/api/v1/orders", None, &body, &key).await;
    assert_rebuilt(&again, &first, "at once");
    clock.advance(Duration::from_secs(61));
    let later = app.post_idem("/api/v1/orders", None, &body, &key).await;
    assert_rebuilt(&later, &first, "a minute later");
    let other = fx.order_body(&[m.line(BURGER, 3)], &Payment::card());
    let reused = app.post_idem("/api/v1/orders", None, &other, &key).await;
    assert_eq!(reused.expect_problem(StatusCode::CONFLICT, "same key, another body")["code"], "idempotency_key_reused");

    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (20, 2, 18), "reserved once");
    assert_eq!(app.fulfillment_ids(&admin, &m.location_id).await.len(), 1, "one order, one part");
    app.stop().await;
}

/// Who holds a claim left unanswered.
enum Holder {
    /// A process run that is over.
    Gone,
    /// The app's own process (which registers its boot with its first claim).
    ThisProcess,
    /// Some other process run.
    Boot(i64),
}

/// An order refused for stock (its 409 stored), then its claim left unanswered by `holder`,
/// as if the process died or still runs the request; 21 units are added so a rerun succeeds.
async fn claim_left_by(app: &TestApp, fx: &Fixture, holder: Holder) -> (Value, String) {
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let body = fx.order_body(&[m.line(BURGER, 21)], &Payment::card());
    let key = random_hex();
    app.post_idem("/api/v1/orders", None, &body, &key).await.expect_problem(StatusCode::CONFLICT, "21, short");
    let boot_id = match holder {
        Holder::Gone => GONE_BOOT,
        Holder::ThisProcess => own_boot(app).await,
        Holder::Boot(boot_id) => boot_id,
    };
    lose_the_answer(app, &key, boot_id).await;
    app.add_stock(&admin, &m.location_id, BURGER, 21).await.expect(StatusCode::CREATED, "restock");
    (body, key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_claim_whose_process_died_is_free_at_once() {
    let (app, _clock) = app_on_manual_clock().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let (body, key) = claim_left_by(&app, &fx, Holder::Gone).await;

    let rerun = app.post_idem("/api/v1/orders", None, &body, &key).await;
    let order = rerun.expect(StatusCode::CREATED, "the request runs again at once, no 60 s wait");
    let again = app.post_idem("/api/v1/orders", None, &body, &key).await.expect(StatusCode::CREATED, "retry");
    assert_eq!(again["id"], order["id"], "and its retries answer that order");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_claim_of_a_running_process_is_not_taken() {
    let (app, clock) = app_on_manual_clock().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let (body, key) = claim_left_by(&app, &fx, Holder::ThisProcess).await;

    let waiting = app.post_idem("/api/v1/orders", None, &body, &key).await;
    let problem = waiting.expect_problem(StatusCode::CONFLICT, "this process still runs the request");
    assert_eq!(problem["code"], "idempotency_key_in_progress");
    // The last resort: a claim unanswered for over a minute is taken over.
    clock.advance(Duration::from_secs(61));
    app.post_idem("/api/v1/orders", None, &body, &key).await.expect(StatusCode::CREATED, "taken over after 60 s");

    if app.database_url().starts_with("postgres") {
        // Another node runs: it holds its boot's lock. Its claim waits until its session ends.
        let mut other_node = database(&app).await;
        let other_boot = own_boot(&app).await + 1000;
        sqlx::query("SELECT pg_advisory_lock($1, $2)")
            .bind(omnicanal_store::BOOT_LOCK_NAMESPACE)
            .bind(i32::try_from(other_boot).expect("a small boot id"))
            .execute(&mut other_node)
            .await
            .expect("hold another node's lock");
        let (body, key) = claim_left_by(&app, &fx, Holder::Boot(other_boot)).await;
        let waiting = app.post_idem("/api/v1/orders", None, &body, &key).await;
        let problem = waiting.expect_problem(StatusCode::CONFLICT, "another running node's claim");
        assert_eq!(problem["code"], "idempotency_key_in_progress");
        other_node.close().await.expect("the other node ends");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let rerun = app.post_idem("/api/v1/orders", None, &body, &key).await;
            if rerun.status == StatusCode::CREATED {
                break;
            }
            assert_eq!(rerun.status, StatusCode::CONFLICT, "{}", rerun.body);
            assert!(tokio::time::Instant::now() < deadline, "the claim of a node that ended is still held after 10 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    app.stop().await;
}

/// A card network whose authorisations wait at a gate the test opens, and which notes when one
/// starts and whether one was abandoned half-way (its future dropped).
struct GatedProvider {
    gate: tokio::sync::Semaphore,
    started: tokio::sync::Notify,
    abandoned: std::sync::atomic::AtomicBool,
}

impl GatedProvider {
    fn closed() -> GatedProvider {
        GatedProvider {
            gate: tokio::sync::Semaphore::new(0),
            started: tokio::sync::Notify::new(),
            abandoned: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

/// Sets `abandoned` if dropped before `finished` is called: the authorisation was cut short.
struct AbandonWatch<'a>(&'a std::sync::atomic::AtomicBool, bool);

impl Drop for AbandonWatch<'_> {
    fn drop(&mut self) {
        if !self.1 {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

#[async_trait::async_trait]
impl PaymentProvider for GatedProvider {
    async fn authorize(&self, card_number: &str, amount: Money) -> Result<String, PaymentError> {
        let mut watch = AbandonWatch(&self.abandoned, false);
        self.started.notify_one();
        let _pass = self.gate.acquire().await.expect("the gate stays open once opened");
        let answer = SandboxCardProvider.authorize(card_number, amount).await;
        watch.1 = true;
        answer
    }

    async fn capture(&self, reference: &str, amount: Money, key: &str) -> Result<(), PaymentError> {
        SandboxCardProvider.capture(reference, amount, key).await
    }

    async fn void(&self, reference: &str, key: &str) -> Result<(), PaymentError> {
        SandboxCardProvider.void(reference, key).await
    }

    async fn refund(&self, reference: &str, amount: Money, key: &str) -> Result<(), PaymentError> {
        SandboxCardProvider.refund(reference, amount, key).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_that_hangs_up_does_not_leave_its_key_held() {
    // The clock never moves here, so the one-minute last resort cannot be what frees the key.
    let clock = Arc::new(ManualClock::starting_now());
    let provider = Arc::new(GatedProvider::closed());
    let services = omnicanal_server::Services { clock: clock.clone(), payments: provider.clone() };
    let app = TestApp::spawn_with_services(services).await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let body = fx.order_body(&[m.line(BURGER, 2)], &Payment::card());
    let key = random_hex();

    // The client hangs up while its order waits for the card network.
    let request = app.client.post(app.url("/api/v1/orders")).header("Idempotency-Key", &key).json(&body).send();
    let client = tokio::spawn(request);
    common::within(10, "the authorisation starts", provider.started.notified()).await;
    client.abort();
    // Time for the server to see the closed connection; the assertions hold whatever it sees.
    tokio::time::sleep(Duration::from_millis(200)).await;
    provider.gate.add_permits(tokio::sync::Semaphore::MAX_PERMITS);

    // The request ran to its end, and its retries get its order.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let order = loop {
        let retry = app.post_idem("/api/v1/orders", None, &body, &key).await;
        if retry.status == StatusCode::CREATED {
            break retry.body;
        }
        assert_eq!(retry.body["code"], "idempotency_key_in_progress", "{}", retry.body);
        assert!(tokio::time::Instant::now() < deadline, "the key is still held 10 s after its client hung up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(!provider.abandoned.load(std::sync::atomic::Ordering::SeqCst), "the authorisation was cut short");
    assert!(order["id"].is_string(), "{order}");
    assert_eq!(app.stock_level(&admin, &m.location_id, BURGER).await.triple(), (20, 2, 18), "placed once");
    app.stop().await;
}
