//! Money owed to the card provider is carried out by payment jobs: written in the transaction
//! that owes it, attempted by a worker with the job's id as the provider's idempotency key,
//! retried with backoff on the app's clock, claimed so two nodes never attempt one job at once,
//! and left in `needs_attention` — visible over the API — when it finally fails.
//!
//! These tests move a manual clock instead of sleeping through retry delays and hold lapses.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use omnicanal_app::ManualClock;
use omnicanal_app::payments::{PaymentError, PaymentProvider, SANDBOX_APPROVED_CARD};
use omnicanal_domain::Money;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::BURGER;
use crate::common::{Fixture, Payment, TestApp, id, qs, within};

/// What the provider was asked, by call.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    Capture { key: String },
    Refund { key: String, amount_minor: i64 },
    Void { key: String },
}

/// A card network that approves the sandbox card and answers refunds from a script (then
/// succeeds), recording every call.
#[derive(Default)]
pub(crate) struct ScriptedProvider {
    refund_script: Mutex<VecDeque<Result<(), PaymentError>>>,
    refunds_fail_forever: Mutex<bool>,
    calls: Mutex<Vec<Call>>,
}

impl ScriptedProvider {
    fn failing_refunds(times: usize) -> Arc<Self> {
        let provider = Self::default();
        for _ in 0..times {
            provider.lock_script().push_back(Err(PaymentError::Unavailable("acquirer timed out".into())));
        }
        Arc::new(provider)
    }

    pub(crate) fn down_for_refunds() -> Arc<Self> {
        let provider = Self::default();
        *provider.refunds_fail_forever.lock().unwrap_or_else(|e| e.into_inner()) = true;
        Arc::new(provider)
    }

    pub(crate) fn back_up(&self) {
        *self.refunds_fail_forever.lock().unwrap_or_else(|e| e.into_inner()) = false;
    }

    fn lock_script(&self) -> std::sync::MutexGuard<'_, VecDeque<Result<(), PaymentError>>> {
        self.refund_script.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn refund_calls(&self) -> Vec<Call> {
        self.calls().into_iter().filter(|call| matches!(call, Call::Refund { .. })).collect()
    }

    fn record(&self, call: Call) {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).push(call);
    }
}

#[async_trait::async_trait]
impl PaymentProvider for ScriptedProvider {
    async fn authorize(&self, card_number: &str, _amount: Money) -> Result<String, PaymentError> {
        if card_number == SANDBOX_APPROVED_CARD {
            Ok(format!("pay_{}", crate::common::random_hex()))
        } else {
            Err(PaymentError::Declined)
        }
    }

    async fn capture(&self, _reference: &str, _amount: Money, key: &str) -> Result<(), PaymentError> {
        self.record(Call::Capture { key: key.to_owned() });
        Ok(())
    }

    async fn void(&self, _reference: &str, key: &str) -> Result<(), PaymentError> {
        self.record(Call::Void { key: key.to_owned() });
        Ok(())
    }

    async fn refund(&self, _reference: &str, amount: Money, key: &str) -> Result<(), PaymentError> {
        self.record(Call::Refund { key: key.to_owned(), amount_minor: amount.amount_minor });
        if *self.refunds_fail_forever.lock().unwrap_or_else(|e| e.into_inner()) {
            return Err(PaymentError::Unavailable("acquirer down".into()));
        }
        self.lock_script().pop_front().unwrap_or(Ok(()))
    }
}

pub(crate) fn services(clock: &Arc<ManualClock>, provider: &Arc<ScriptedProvider>) -> omnicanal_server::Services {
    omnicanal_server::Services { clock: clock.clone(), payments: provider.clone() }
}

/// The payment jobs of an order, as the admin sees them.
async fn jobs_of(app: &TestApp, order: &Value) -> Vec<Value> {
    let admin = app.admin_token().await;
    let path = format!("/api/v1/payment-jobs?{}", qs(&[("order_id", id(order).as_str())]));
    let jobs = app.get(&path, Some(&admin)).await.expect(StatusCode::OK, "payment jobs");
    jobs.as_array().cloned().unwrap_or_default()
}

/// Waits (real time, bounded) until `check` holds for the order's jobs.
pub(crate) async fn wait_for_jobs(
    app: &TestApp,
    order: &Value,
    what: &str,
    check: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    within(15, what, async {
        loop {
            let jobs = jobs_of(app, order).await;
            if check(&jobs) {
                return jobs;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
}

/// The job of `kind` once its last attempt is recorded: not while a worker holds it (a claim
/// pushes the next attempt one lease ahead of the claim's time, which no retry delay equals).
pub(crate) fn job<'a>(jobs: &'a [Value], kind: &str) -> Option<&'a Value> {
    jobs.iter().find(|job| job["kind"] == kind).filter(|job| !claimed(job))
}

fn claimed(job: &Value) -> bool {
    let at = |field: &str| {
        job[field].as_str().and_then(|raw| chrono::DateTime::parse_from_rfc3339(raw).ok()).map(|t| t.timestamp_millis())
    };
    match (at("next_attempt_at"), at("updated_at")) {
        (Some(next), Some(updated)) => next - updated == omnicanal_app::payments::jobs::LEASE_MS,
        _ => false,
    }
}

/// Lets the worker give up on a refund the provider keeps refusing: waits for each attempt, then
/// moves the clock past the longest retry delay, until the job needs attention.
pub(crate) async fn exhaust_refund_attempts(app: &TestApp, order: &Value, clock: &ManualClock) -> Vec<Value> {
    let mut attempts = 0;
    while attempts < omnicanal_domain::payment_job::MAX_ATTEMPTS {
        let jobs = wait_for_jobs(app, order, "the next attempt", |jobs| {
            job(jobs, "refund").is_some_and(|j| j["attempts"].as_i64() > Some(attempts))
        })
        .await;
        attempts = job(&jobs, "refund").and_then(|j| j["attempts"].as_i64()).unwrap_or(attempts);
        clock.advance(Duration::from_millis(omnicanal_domain::payment_job::MAX_RETRY_MS as u64));
    }
    wait_for_jobs(app, order, "needs attention", |jobs| {
        job(jobs, "refund").is_some_and(|j| j["state"] == "needs_attention")
    })
    .await
}

pub(crate) async fn reject(app: &TestApp, fx: &Fixture, part: &str) {
    let staff = fx.m(0).staff.token(app).await;
    app.post(
        &format!("/api/v1/fulfillments/{part}/transition"),
        Some(&staff),
        &json!({"to": "rejected", "reason": "sin pan"}),
    )
    .await
    .expect(StatusCode::OK, "reject the part");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_card_order_is_captured_by_its_job_once_with_the_job_id_as_key() {
    let clock = Arc::new(ManualClock::starting_now());
    let provider = Arc::new(ScriptedProvider::default());
    let app = TestApp::spawn_with_services(services(&clock, &provider)).await;
    let fx = Fixture::builder().merchants(1).stock(5).build(&app).await;
    let order = app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    let jobs = wait_for_jobs(&app, &order, "the capture succeeds", |jobs| {
        job(jobs, "capture").is_some_and(|j| j["state"] == "succeeded")
    })
    .await;
    let capture = job(&jobs, "capture").expect("a capture job");
    assert_eq!(capture["attempts"], 1, "{capture}");
    assert_eq!(capture["amount"], order["total"], "the whole order is captured: {capture}");
    assert_eq!(provider.calls(), vec![Call::Capture { key: capture["id"].as_str().unwrap_or_default().to_owned() }]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_provider_that_fails_twice_then_succeeds_refunds_once() {
    let clock = Arc::new(ManualClock::starting_now());
    let provider = ScriptedProvider::failing_refunds(2);
    let app = TestApp::spawn_with_services(services(&clock, &provider)).await;
    let fx = Fixture::builder().merchants(1).stock(5).build(&app).await;
    let order = app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    let part = id(&order["fulfillments"][0]);
    reject(&app, &fx, &part).await;

    let jobs = wait_for_jobs(&app, &order, "the first refund attempt fails", |jobs| {
        job(jobs, "refund").is_some_and(|j| j["attempts"] == 1 && j["state"] == "pending")
    })
    .await;
    let refund = job(&jobs, "refund").expect("a refund job");
    assert_eq!(refund["amount"], order["fulfillments"][0]["subtotal"], "{refund}");
    assert!(refund["last_error"].as_str().is_some_and(|e| e.contains("timed out")), "{refund}");
    // The retry waits on the app's clock: nothing happens until it moves.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(provider.refund_calls().len(), 1, "no second attempt before its delay");

    clock.advance(Duration::from_secs(1));
    wait_for_jobs(&app, &order, "the second attempt fails", |jobs| {
        job(jobs, "refund").is_some_and(|j| j["attempts"] == 2)
    })
    .await;
    clock.advance(Duration::from_secs(2));
    let jobs = wait_for_jobs(&app, &order, "the third attempt succeeds", |jobs| {
        job(jobs, "refund").is_some_and(|j| j["state"] == "succeeded")
    })
    .await;
    let refund = job(&jobs, "refund").expect("a refund job");
    assert_eq!(refund["attempts"], 3, "{refund}");
    clock.advance(Duration::from_secs(600));
    tokio::time::sleep(Duration::from_millis(700)).await;
    let key = refund["id"].as_str().unwrap_or_default().to_owned();
    let expected =
        Call::Refund { key, amount_minor: order["fulfillments"][0]["subtotal"]["amount"].as_i64().unwrap_or(0) };
    assert_eq!(
        provider.refund_calls(),
        vec![expected.clone(), expected.clone(), expected],
        "one key for every attempt"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_provider_down_for_good_leaves_the_refund_needing_attention_until_retried() {
    let clock = Arc::new(ManualClock::starting_now());
    let provider = ScriptedProvider::down_for_refunds();
    let app = TestApp::spawn_with_services(services(&clock, &provider)).await;
    let fx = Fixture::builder().merchants(2).stock(5).build(&app).await;
    let order = app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    let part = id(&order["fulfillments"][0]);
    reject(&app, &fx, &part).await;

    let jobs = exhaust_refund_attempts(&app, &order, &clock).await;
    let refund = job(&jobs, "refund").expect("a refund job").clone();
    assert_eq!(provider.refund_calls().len() as i64, omnicanal_domain::payment_job::MAX_ATTEMPTS);
    assert!(refund["next_attempt_at"].is_null(), "no further attempt is planned: {refund}");

    // Who sees it: the admin and the merchant's manager, filtered by state; not another merchant.
    let admin = app.admin_token().await;
    let waiting = app
        .get("/api/v1/payment-jobs?state=needs_attention", Some(&admin))
        .await
        .expect(StatusCode::OK, "jobs needing attention");
    assert_eq!(waiting.as_array().map(Vec::len), Some(1), "{waiting}");
    let manager = fx.m(0).manager.token(&app).await;
    let own = app.get("/api/v1/payment-jobs?state=needs_attention", Some(&manager)).await.expect(StatusCode::OK, "own");
    assert_eq!(own[0]["id"], refund["id"], "{own}");
    let other = fx.m(1).manager.token(&app).await;
    let theirs =
        app.get("/api/v1/payment-jobs?state=needs_attention", Some(&other)).await.expect(StatusCode::OK, "other");
    assert_eq!(theirs, json!([]), "another merchant sees nothing of it");
    let path = format!("/api/v1/payment-jobs?{}", qs(&[("merchant_id", fx.m(0).id.as_str())]));
    app.get(&path, Some(&other)).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's filter");
    let staff = fx.m(0).staff.token(&app).await;
    app.get("/api/v1/payment-jobs", Some(&staff)).await.expect_problem(StatusCode::FORBIDDEN, "staff");
    app.get("/api/v1/payment-jobs?state=stuck", Some(&admin))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "an unknown state");

    // Once the cause is fixed a person queues it again; it is paid with the same key.
    let retry = format!("/api/v1/payment-jobs/{}/retry", refund["id"].as_str().unwrap_or_default());
    app.post(&retry, Some(&other), &json!({})).await.expect_problem(StatusCode::NOT_FOUND, "another merchant's job");
    provider.back_up();
    let queued = app.post(&retry, Some(&manager), &json!({})).await.expect(StatusCode::OK, "retry");
    assert_eq!(queued["state"], "pending", "{queued}");
    wait_for_jobs(&app, &order, "paid after the retry", |jobs| {
        job(jobs, "refund").is_some_and(|j| j["state"] == "succeeded")
    })
    .await;
    app.post(&retry, Some(&manager), &json!({})).await.expect_problem(StatusCode::CONFLICT, "a job already paid");
    let keys: Vec<Call> = provider.refund_calls();
    assert!(keys.windows(2).all(|pair| pair[0] == pair[1]), "every attempt carried the job's key");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lapsed_hold_is_refunded_exactly_once_across_two_nodes() {
    let clock = Arc::new(ManualClock::starting_now());
    let provider = Arc::new(ScriptedProvider::default());
    let app = TestApp::spawn_with_services(services(&clock, &provider)).await;
    let second = app.second_node(services(&clock, &provider)).await;
    let fx = Fixture::builder().merchants(1).stock(5).build(&app).await;
    let admin = app.admin_token().await;
    app.send(
        reqwest::Method::PATCH,
        &format!("/api/v1/sites/{}", fx.site_id),
        Some(&admin),
        crate::common::Body::Json(json!({"accept_within_minutes": 5})),
        &[],
    )
    .await
    .expect(StatusCode::OK, "a five-minute acceptance limit");
    let order = app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;

    // Nothing lapses before its time: the sweepers of both nodes read the same manual clock.
    clock.advance(Duration::from_secs(4 * 60));
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(app.get_order(&order).await["fulfillments"][0]["status"], "placed");
    clock.advance(Duration::from_secs(61));
    let jobs = wait_for_jobs(&app, &order, "the lapse is refunded", |jobs| {
        job(jobs, "refund").is_some_and(|j| j["state"] == "succeeded")
    })
    .await;
    let part = app.get_order(&order).await["fulfillments"][0].clone();
    assert_eq!(part["status"], "cancelled", "{part}");
    // Give both nodes' workers every chance to run the job again.
    for _ in 0..3 {
        clock.advance(Duration::from_secs(120));
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    let refund = job(&jobs, "refund").expect("a refund job");
    assert_eq!(provider.refund_calls().len(), 1, "exactly one refund across both nodes: {:?}", provider.calls());
    assert_eq!(refund["attempts"], 1, "{refund}");
    within(10, "second node stops", second.shutdown()).await;
    app.stop().await;
}
