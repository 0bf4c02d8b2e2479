//! Deposits on bookings over HTTP (issue 19 point 3), on SQLite and PostgreSQL: a table
//! deposit per guest asked when booking (none given → 422 naming `payment` and the amount; a
//! declined card → 402 with its decline code and the slot still free), the deposit on the
//! booking's answer, the staff's schedule and the service that asks for one, and what each
//! ending does with it through the payment worker — a timely cancellation by the customer or
//! any by staff refunds a captured deposit (the provider sees the refund), one that comes
//! before the capture ran cancels the capture and voids the authorisation (the provider sees
//! a void and nothing else), one that comes while a worker is capturing refunds only once the
//! capture succeeded (even with a second node polling), a no-show keeps it, a lapsed hold
//! voids it. And a service's price and deposit are edited and checked together.
//!
//! The server runs on a manual clock (the shared bookings fixture's Tuesday morning); the food
//! court opens 12:00–23:00 every day; the location keeps the default rules (a 10-minute hold,
//! a cancellation window closing 120 minutes before the start) and asks 5,000 per guest.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::ManualClock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::bookings::{
    TUESDAY_MORNING_MS, assert_field, booked, open_noon_to_eleven, party_at_table, put,
    spawn_on_tuesday_morning_paying_with, table, with_token,
};
use crate::common::{Body, Fixture, TestApp, assert_problem, assert_validation_problem, clp, money, qs};
use provider::{Call, RecordingProvider};

/// A card provider that records what it is asked and can hold captures in flight.
mod provider {
    use std::sync::Mutex;

    use omnicanal_app::payments::{PaymentError, PaymentProvider, SANDBOX_APPROVED_CARD};
    use omnicanal_domain::Money;
    use tokio::sync::watch;

    /// What the provider was asked, by idempotency key, in the order each call finished.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Call {
        Capture(String),
        Refund(String, i64),
        Void(String),
    }

    /// Approves the sandbox card, declines every other, records what it is asked; while
    /// captures are held, a capture call starts (and is counted) but does not answer.
    pub struct RecordingProvider {
        calls: Mutex<Vec<Call>>,
        started_captures: Mutex<Vec<String>>,
        captures_open: watch::Sender<bool>,
    }

    impl Default for RecordingProvider {
        fn default() -> Self {
            Self {
                calls: Mutex::default(),
                started_captures: Mutex::default(),
                captures_open: watch::Sender::new(true),
            }
        }
    }

    impl RecordingProvider {
        pub fn calls(&self) -> Vec<Call> {
            self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
        }

        /// The capture keys a worker has started on, answered or not.
        pub fn started_captures(&self) -> Vec<String> {
            self.started_captures.lock().unwrap_or_else(|e| e.into_inner()).clone()
        }

        /// Makes the next captures wait in the provider until [`RecordingProvider::release_captures`].
        pub fn hold_captures(&self) {
            self.captures_open.send_replace(false);
        }

        pub fn release_captures(&self) {
            self.captures_open.send_replace(true);
        }

        fn record(&self, call: Call) {
            self.calls.lock().unwrap_or_else(|e| e.into_inner()).push(call);
        }
    }

    #[async_trait::async_trait]
    impl PaymentProvider for RecordingProvider {
        async fn authorize(&self, card_number: &str, _amount: Money) -> Result<String, PaymentError> {
            if card_number == SANDBOX_APPROVED_CARD {
                Ok(format!("pay_{}", crate::common::random_hex()))
            } else {
                Err(PaymentError::Declined)
            }
        }

        async fn capture(&self, _reference: &str, _amount: Money, key: &str) -> Result<(), PaymentError> {
            self.started_captures.lock().unwrap_or_else(|e| e.into_inner()).push(key.to_owned());
            let mut open = self.captures_open.subscribe();
            let _ = open.wait_for(|open| *open).await;
            self.record(Call::Capture(key.to_owned()));
            Ok(())
        }

        async fn void(&self, _reference: &str, key: &str) -> Result<(), PaymentError> {
            self.record(Call::Void(key.to_owned()));
            Ok(())
        }

        async fn refund(&self, _reference: &str, amount: Money, key: &str) -> Result<(), PaymentError> {
            self.record(Call::Refund(key.to_owned(), amount.amount_minor));
            Ok(())
        }
    }
}

const APPROVED: &str = "4242424242424242";
const DECLINED: &str = "4000000000000002";
const WEDNESDAY_ONE_PM: &str = "2026-12-09T13:00:00-03:00";
const WEDNESDAY_FIVE_PM: &str = "2026-12-09T17:00:00-03:00";
const WEDNESDAY_EIGHT_PM: &str = "2026-12-09T20:00:00-03:00";

/// The app on the manual clock and the recording provider, one merchant open 12:00–23:00
/// with one table for four and a table deposit of 5,000 per guest; and the table's id.
async fn spawn() -> (TestApp, Arc<ManualClock>, Arc<RecordingProvider>, Fixture, String) {
    let provider = Arc::new(RecordingProvider::default());
    let (app, clock) = spawn_on_tuesday_morning_paying_with(provider.clone()).await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let merchant = fx.m(0);
    let manager = merchant.manager.token(&app).await;
    let table_id = table(&app, &manager, &merchant.location_id, "Mesa 1").await;
    let settings = json!({
        "min_notice_minutes": 30, "max_days_ahead": 60, "cancel_window_minutes": 120, "hold_minutes": 10,
        "reminder_offsets_minutes": [1440, 120], "table_deposit_per_guest": money(5_000),
    });
    let path = format!("/api/v1/locations/{}/booking-settings", merchant.location_id);
    let saved = put(&app, &path, &manager, settings).await.expect(StatusCode::OK, "the table deposit");
    assert_eq!(saved["table_deposit_per_guest"], money(5_000), "{saved}");
    (app, clock, provider, fx, table_id)
}

/// A table booking for two at `start_at`, with `card` (none: no payment given).
fn booking(location_id: &str, table_id: &str, start_at: &str, card: Option<&str>) -> Value {
    let mut body = party_at_table(location_id, start_at, table_id);
    if let Some(card) = card {
        body["payment"] = json!({"method": "card", "card_number": card});
    }
    body
}

fn read_path(id: &str, token: &str) -> String {
    with_token(&format!("/api/v1/bookings/{id}"), token)
}

/// The customer's own cancellation, by manage token.
async fn cancel_by_customer(app: &TestApp, id: &str, token: &str) -> Value {
    let path = with_token(&format!("/api/v1/bookings/{id}/cancel"), token);
    app.post(&path, None, &json!({})).await.expect(StatusCode::OK, "a timely cancel")
}

/// Waits (the payment worker and the sweeper run on their own) until the booking's deposit
/// reaches `status`; answers the booking as read last.
async fn deposit_becomes(app: &TestApp, id: &str, token: &str, status: &str) -> Value {
    let mut read = Value::Null;
    for _ in 0..100 {
        read = app.get(&read_path(id, token), None).await.expect(StatusCode::OK, "the booking");
        if read["deposit"]["status"] == status {
            return read;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the deposit never became {status}: {read}");
}

/// Waits until a worker has started on (and is held in) the capture of `key`.
async fn capture_started(provider: &RecordingProvider, key: &str) {
    for _ in 0..100 {
        if provider.started_captures().iter().any(|started| started == key) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no worker started the capture {key}: {:?}", provider.started_captures());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deposit_is_required_a_declined_card_books_nothing_and_an_approved_one_is_captured() {
    let (app, _clock, provider, fx, table_id) = spawn().await;
    let location_id = fx.m(0).location_id.clone();

    let unpaid = app.post("/api/v1/bookings", None, &booking(&location_id, &table_id, WEDNESDAY_EIGHT_PM, None)).await;
    let problem = unpaid.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "no payment for a deposit");
    let text = problem.to_string();
    assert!(text.contains("payment") && text.contains("10000"), "names the field and 2 × 5,000: {problem}");
    let on_payment = problem["errors"].as_array().and_then(|errors| errors.iter().find(|e| e["field"] == "payment"));
    assert_eq!(on_payment.map(|e| e["code"].clone()), Some(json!("deposit_required")), "its stable code: {problem}");

    let declined =
        app.post("/api/v1/bookings", None, &booking(&location_id, &table_id, WEDNESDAY_EIGHT_PM, Some(DECLINED))).await;
    let problem = declined.expect_problem(StatusCode::PAYMENT_REQUIRED, "a declined card");
    assert!(problem["decline_code"].is_string(), "the decline code: {problem}");

    // Nothing was claimed: the same slot books with a good card.
    let body = booking(&location_id, &table_id, WEDNESDAY_EIGHT_PM, Some(APPROVED));
    let (id, token, made) = booked(&app, &body, "the approved card").await;
    assert_eq!(clp(&made["deposit"]["amount"]), 10_000, "{made}");
    assert_eq!(made["deposit"]["status"], "authorised", "{made}");
    deposit_becomes(&app, &id, &token, "captured").await;
    assert_eq!(provider.calls(), vec![Call::Capture(format!("pj_deposit_capture_{id}"))]);

    // The staff's schedule shows it.
    let manager = fx.m(0).manager.token(&app).await;
    let path =
        format!("/api/v1/locations/{location_id}/bookings?{}", qs(&[("from", "2026-12-09"), ("to", "2026-12-10")]));
    let listed = app.get(&path, Some(&manager)).await.expect(StatusCode::OK, "the schedule");
    let row = listed.as_array().and_then(|rows| rows.iter().find(|row| row["id"] == id.as_str())).cloned();
    assert_eq!(row.map(|row| row["deposit"]["status"].clone()), Some(json!("captured")), "{listed}");

    // A bad payment is named.
    let mut wrong = booking(&location_id, &table_id, "2026-12-09T21:00:00-03:00", None);
    wrong["payment"] = json!({"method": "cash"});
    let refused = app.post("/api/v1/bookings", None, &wrong).await;
    assert_validation_problem(&refused, "a deposit is paid by card");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_timely_customer_cancel_and_a_staff_cancel_refund_a_captured_deposit() {
    let (app, _clock, provider, fx, table_id) = spawn().await;
    let location_id = fx.m(0).location_id.clone();
    let body = booking(&location_id, &table_id, WEDNESDAY_EIGHT_PM, Some(APPROVED));
    let (id, token, _) = booked(&app, &body, "a booking with a deposit").await;
    deposit_becomes(&app, &id, &token, "captured").await;

    let cancelled = cancel_by_customer(&app, &id, &token).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["deposit"]["status"], "refund_pending", "{cancelled}");
    deposit_becomes(&app, &id, &token, "refunded").await;
    assert!(
        provider.calls().contains(&Call::Refund(format!("pj_deposit_refund_{id}"), 10_000)),
        "{:?}",
        provider.calls()
    );

    // Staff cancel any time before the start: a captured deposit is refunded too.
    let later = booking(&location_id, &table_id, "2026-12-09T21:00:00-03:00", Some(APPROVED));
    let (staff_id, staff_token, _) = booked(&app, &later, "a second booking").await;
    deposit_becomes(&app, &staff_id, &staff_token, "captured").await;
    let manager = fx.m(0).manager.token(&app).await;
    app.post(&format!("/api/v1/bookings/{staff_id}/cancel"), Some(&manager), &json!({}))
        .await
        .expect(StatusCode::OK, "the staff's cancel");
    deposit_becomes(&app, &staff_id, &staff_token, "refunded").await;
    assert!(provider.calls().contains(&Call::Refund(format!("pj_deposit_refund_{staff_id}"), 10_000)));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancel_before_the_capture_ran_cancels_it_and_voids_the_authorisation() {
    let (app, _clock, provider, fx, table_id) = spawn().await;
    let location_id = fx.m(0).location_id.clone();
    // The one payment worker is kept busy in another booking's capture, so this booking's
    // capture is queued but never taken.
    provider.hold_captures();
    let busy = booking(&location_id, &table_id, WEDNESDAY_ONE_PM, Some(APPROVED));
    let (busy_id, busy_token, _) = booked(&app, &busy, "a booking whose capture is held").await;
    capture_started(&provider, &format!("pj_deposit_capture_{busy_id}")).await;

    let body = booking(&location_id, &table_id, WEDNESDAY_EIGHT_PM, Some(APPROVED));
    let (id, token, _) = booked(&app, &body, "a booking whose capture waits").await;
    let cancelled = cancel_by_customer(&app, &id, &token).await;
    assert_eq!(cancelled["deposit"]["status"], "void_pending", "{cancelled}");

    // A staff cancel of a booking not captured yet voids too.
    let staff_body = booking(&location_id, &table_id, WEDNESDAY_FIVE_PM, Some(APPROVED));
    let (staff_id, staff_token, _) = booked(&app, &staff_body, "a booking staff cancel").await;
    let manager = fx.m(0).manager.token(&app).await;
    let by_staff = app
        .post(&format!("/api/v1/bookings/{staff_id}/cancel"), Some(&manager), &json!({}))
        .await
        .expect(StatusCode::OK, "the staff's cancel");
    assert_eq!(by_staff["deposit"]["status"], "void_pending", "{by_staff}");

    provider.release_captures();
    deposit_becomes(&app, &busy_id, &busy_token, "captured").await;
    deposit_becomes(&app, &id, &token, "voided").await;
    deposit_becomes(&app, &staff_id, &staff_token, "voided").await;
    let calls = provider.calls();
    for cancelled_id in [&id, &staff_id] {
        assert!(calls.contains(&Call::Void(format!("pj_deposit_void_{cancelled_id}"))), "{calls:?}");
        let touched = |call: &Call| match call {
            Call::Capture(key) | Call::Refund(key, _) => key.ends_with(cancelled_id.as_str()),
            Call::Void(_) => false,
        };
        assert!(!calls.iter().any(touched), "no capture and no refund of {cancelled_id}: {calls:?}");
    }
    // The cancelled capture is gone from the jobs a person reads; the void is there.
    let admin = app.admin_token().await;
    let jobs = app
        .get(&format!("/api/v1/payment-jobs?{}", qs(&[("order_id", id.as_str())])), Some(&admin))
        .await
        .expect(StatusCode::OK, "the booking's payment jobs");
    let kinds: Vec<Value> =
        jobs.as_array().cloned().unwrap_or_default().iter().map(|job| job["kind"].clone()).collect();
    assert_eq!(kinds, vec![json!("void")], "{jobs}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancel_while_the_capture_is_in_flight_refunds_only_after_it_succeeded() {
    let (app, clock, provider, fx, table_id) = spawn().await;
    let location_id = fx.m(0).location_id.clone();
    provider.hold_captures();
    let body = booking(&location_id, &table_id, WEDNESDAY_EIGHT_PM, Some(APPROVED));
    let (id, token, _) = booked(&app, &body, "a booking whose capture is in flight").await;
    let capture = format!("pj_deposit_capture_{id}");
    capture_started(&provider, &capture).await;
    // A second node polls for due jobs while the first is inside the capture.
    let services = omnicanal_server::Services { clock: clock.clone(), payments: provider.clone() };
    let second = app.second_node(services).await;

    let cancelled = cancel_by_customer(&app, &id, &token).await;
    assert_eq!(cancelled["deposit"]["status"], "refund_pending", "{cancelled}");
    // Several polls of the second node: the refund is queued but not due before the capture.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(!provider.calls().iter().any(|call| matches!(call, Call::Refund(..))), "{:?}", provider.calls());

    provider.release_captures();
    deposit_becomes(&app, &id, &token, "refunded").await;
    let calls = provider.calls();
    let at = |wanted: &Call| calls.iter().position(|call| call == wanted);
    let refund = Call::Refund(format!("pj_deposit_refund_{id}"), 10_000);
    match (at(&Call::Capture(capture.clone())), at(&refund)) {
        (Some(captured), Some(refunded)) => assert!(captured < refunded, "the refund came first: {calls:?}"),
        _ => panic!("a capture and then a refund: {calls:?}"),
    }
    assert!(!calls.iter().any(|call| matches!(call, Call::Void(..))), "{calls:?}");
    second.shutdown().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_no_show_keeps_the_deposit_and_a_lapsed_hold_voids_it() {
    let (app, clock, provider, fx, table_id) = spawn().await;
    let location_id = fx.m(0).location_id.clone();

    let mut held = booking(&location_id, &table_id, WEDNESDAY_ONE_PM, Some(APPROVED));
    held["hold"] = json!(true);
    let (held_id, held_token, made) = booked(&app, &held, "a held booking").await;
    assert_eq!(made["deposit"]["status"], "authorised", "{made}");
    let body = booking(&location_id, &table_id, "2026-12-08T13:00:00-03:00", Some(APPROVED));
    let (id, token, _) = booked(&app, &body, "a booking").await;
    deposit_becomes(&app, &id, &token, "captured").await;
    let manager = fx.m(0).manager.token(&app).await;

    // The hold lapses: the sweeper expires it and the worker voids the authorisation.
    clock.set(TUESDAY_MORNING_MS + 11 * 60_000);
    let expired = deposit_becomes(&app, &held_id, &held_token, "voided").await;
    assert_eq!(expired["status"], "expired", "{expired}");
    assert!(provider.calls().contains(&Call::Void(format!("pj_deposit_void_{held_id}"))), "{:?}", provider.calls());
    assert!(!provider.calls().iter().any(|call| matches!(call, Call::Capture(key) if key.ends_with(&held_id))));

    // The customer never comes: kept, nothing given back.
    clock.set(TUESDAY_MORNING_MS + 6 * 3_600_000);
    let marked = app
        .post(&format!("/api/v1/bookings/{id}/status"), Some(&manager), &json!({"status": "no_show"}))
        .await
        .expect(StatusCode::OK, "a no-show");
    assert_eq!(marked["deposit"]["status"], "kept", "{marked}");
    let read = app.get(&read_path(&id, &token), None).await.expect(StatusCode::OK, "the booking");
    assert_eq!(read["deposit"]["status"], "kept", "{read}");
    assert!(!provider.calls().iter().any(|call| matches!(call, Call::Refund(key, _) if key.ends_with(&id))));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_service_asks_for_a_deposit_within_its_price_and_an_edit_checks_both_together() {
    let (app, _clock, _provider, fx, _table_id) = spawn().await;
    let manager = fx.m(0).manager.token(&app).await;
    let merchant_id = fx.m(0).id.clone();
    let too_much = json!({"merchant_id": merchant_id, "name": "Corte", "duration_minutes": 45,
        "price": money(15_000), "deposit": money(20_000)});
    let refused = app.post("/api/v1/services", Some(&manager), &too_much).await;
    assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY, "a deposit above the price");
    let fine = json!({"merchant_id": merchant_id, "name": "Corte", "duration_minutes": 45,
        "price": money(15_000), "deposit": money(5_000)});
    let service = app.post("/api/v1/services", Some(&manager), &fine).await.expect(StatusCode::CREATED, "a service");
    assert_eq!(service["deposit"], money(5_000), "{service}");
    let path = format!("/api/v1/services/{}", service["id"].as_str().unwrap_or_default());
    let patch = |body: Value| app.send(Method::PATCH, &path, Some(&manager), Body::Json(body), &[]);

    // The price lowered under the deposit: refused naming the price, nothing changed.
    let lower = patch(json!({"price": money(4_000)})).await;
    assert_field(&lower, "price", "a price below the deposit");
    // A deposit above the (new) price: refused naming the deposit.
    let both = patch(json!({"price": money(8_000), "deposit": money(9_000)})).await;
    assert_field(&both, "deposit", "a deposit above the new price");
    let zero = patch(json!({"deposit": money(0)})).await;
    assert_field(&zero, "deposit", "a zero deposit");

    // Price and deposit lowered together: both saved.
    let saved = patch(json!({"price": money(4_000), "deposit": money(3_000)})).await.expect(StatusCode::OK, "both");
    assert_eq!((saved["price"].clone(), saved["deposit"].clone()), (money(4_000), money(3_000)), "{saved}");
    // The deposit alone; then a name change keeps it.
    let set = patch(json!({"deposit": money(2_500)})).await.expect(StatusCode::OK, "a new deposit");
    assert_eq!(set["deposit"], money(2_500), "{set}");
    let renamed = patch(json!({"name": "Corte y lavado"})).await.expect(StatusCode::OK, "a new name");
    assert_eq!(renamed["deposit"], money(2_500), "{renamed}");
    // `null` clears it: the price may then go lower than the old deposit.
    let cleared = patch(json!({"deposit": null})).await.expect(StatusCode::OK, "the deposit cleared");
    assert!(cleared.get("deposit").is_none_or(Value::is_null), "{cleared}");
    let cheap = patch(json!({"price": money(1_000)})).await.expect(StatusCode::OK, "a lower price");
    assert_eq!(cheap["price"], money(1_000), "{cheap}");
    app.stop().await;
}
