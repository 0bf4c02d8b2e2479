//! Deposits on bookings over HTTP (issue 19 point 3), on SQLite and PostgreSQL: a table
//! deposit per guest asked when booking (none given → 422 naming `payment` and the amount; a
//! declined card → 402 with its decline code and the slot still free), the deposit on the
//! booking's answer, the staff's schedule and the service that asks for one, and what each
//! ending does with it through the payment worker — a timely cancellation by the customer or
//! any by staff refunds it (the provider sees the refund), a no-show keeps it, a lapsed hold
//! voids it.
//!
//! The server runs on a manual clock: Tuesday 2026-12-08 08:00 in Santiago (UTC−3); the food
//! court opens 12:00–23:00 every day; the location keeps the default rules (a 10-minute hold,
//! a cancellation window closing 120 minutes before the start).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::fixture::id_of;
use crate::common::{TestApp, assert_problem, assert_validation_problem, clp, money, qs};
use setup::{Call, TUESDAY_MORNING_MS, booking, spawn};

/// This file's own setup: a recording card provider, the clock, the hours, a table and a
/// table deposit.
mod setup {
    use std::sync::{Arc, Mutex};

    use omnicanal_app::ManualClock;
    use omnicanal_app::payments::{PaymentError, PaymentProvider, SANDBOX_APPROVED_CARD};
    use omnicanal_domain::Money;
    use reqwest::StatusCode;
    use serde_json::{Value, json};

    use crate::common::fixture::id_of;
    use crate::common::{Fixture, TestApp, money};

    /// 2026-12-08T11:00:00Z, a Tuesday: 08:00 in Santiago.
    pub const TUESDAY_MORNING_MS: i64 = 1_796_727_600_000;

    /// What the provider was asked, by idempotency key.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Call {
        Capture(String),
        Refund(String, i64),
        Void(String),
    }

    /// Approves the sandbox card, declines every other, records what it is asked.
    #[derive(Default)]
    pub struct RecordingProvider {
        calls: Mutex<Vec<Call>>,
    }

    impl RecordingProvider {
        pub fn calls(&self) -> Vec<Call> {
            self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
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

    /// The app on the manual clock and the recording provider, one merchant open 12:00–23:00
    /// with one table for four and a table deposit of 5,000 per guest; and the table's id.
    pub async fn spawn() -> (TestApp, Arc<ManualClock>, Arc<RecordingProvider>, Fixture, String) {
        let clock = Arc::new(ManualClock::starting_at(TUESDAY_MORNING_MS));
        let provider = Arc::new(RecordingProvider::default());
        let services = omnicanal_server::Services { clock: clock.clone(), payments: provider.clone() };
        let app = TestApp::spawn_with_services(services).await;
        let fx = Fixture::builder().merchants(1).build(&app).await;
        let merchant = fx.m(0);
        let manager = merchant.manager.token(&app).await;
        let every_day: serde_json::Map<String, Value> =
            (1..=7).map(|day| (day.to_string(), json!([["12:00", "23:00"]]))).collect();
        app.send(
            reqwest::Method::PATCH,
            &format!("/api/v1/locations/{}", merchant.location_id),
            Some(&manager),
            crate::common::Body::Json(json!({"opening_hours": every_day})),
            &[],
        )
        .await
        .expect(StatusCode::OK, "opening hours");
        let body = json!({"kind": "table", "name": "Mesa 1", "seats_min": 1, "seats_max": 4});
        let created =
            app.post(&format!("/api/v1/locations/{}/resources", merchant.location_id), Some(&manager), &body).await;
        let table_id = id_of(&created.expect(StatusCode::CREATED, "a table"), "table");
        let settings = json!({
            "min_notice_minutes": 30, "max_days_ahead": 60, "cancel_window_minutes": 120, "hold_minutes": 10,
            "reminder_offsets_minutes": [1440, 120], "table_deposit_per_guest": money(5_000),
        });
        let path = format!("/api/v1/locations/{}/booking-settings", merchant.location_id);
        let saved = app
            .send(reqwest::Method::PUT, &path, Some(&manager), crate::common::Body::Json(settings), &[])
            .await
            .expect(StatusCode::OK, "the table deposit");
        assert_eq!(saved["table_deposit_per_guest"], money(5_000), "{saved}");
        (app, clock, provider, fx, table_id)
    }

    /// A table booking for two at `start_at`, with `card` (none: no payment given).
    pub fn booking(location_id: &str, table_id: &str, start_at: &str, card: Option<&str>) -> Value {
        let mut body = json!({
            "location_id": location_id, "start_at": start_at, "party_size": 2, "resource_id": table_id,
            "customer": {"name": "Camila Rojas", "phone": "+56 9 8765 4321"},
        });
        if let Some(card) = card {
            body["payment"] = json!({"method": "card", "card_number": card});
        }
        body
    }
}

const APPROVED: &str = "4242424242424242";
const DECLINED: &str = "4000000000000002";
const WEDNESDAY_EIGHT_PM: &str = "2026-12-09T20:00:00-03:00";

/// Books and answers (id, manage token, answer).
async fn booked(app: &TestApp, body: &Value, what: &str) -> (String, String, Value) {
    let made = app.post("/api/v1/bookings", None, body).await.expect(StatusCode::CREATED, what);
    let token = made["manage_token"].as_str().unwrap_or_default().to_owned();
    (id_of(&made, "booking"), token, made)
}

fn read_path(id: &str, token: &str) -> String {
    format!("/api/v1/bookings/{id}?{}", qs(&[("token", token)]))
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deposit_is_required_a_declined_card_books_nothing_and_an_approved_one_is_captured() {
    let (app, _clock, provider, fx, table_id) = spawn().await;
    let location_id = fx.m(0).location_id.clone();

    let unpaid = app.post("/api/v1/bookings", None, &booking(&location_id, &table_id, WEDNESDAY_EIGHT_PM, None)).await;
    let problem = unpaid.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "no payment for a deposit");
    let text = problem.to_string();
    assert!(text.contains("payment") && text.contains("10000"), "names the field and 2 × 5,000: {problem}");

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
async fn a_timely_customer_cancel_and_a_staff_cancel_refund_the_deposit() {
    let (app, _clock, provider, fx, table_id) = spawn().await;
    let location_id = fx.m(0).location_id.clone();
    let body = booking(&location_id, &table_id, WEDNESDAY_EIGHT_PM, Some(APPROVED));
    let (id, token, _) = booked(&app, &body, "a booking with a deposit").await;
    deposit_becomes(&app, &id, &token, "captured").await;

    let cancel = format!("/api/v1/bookings/{id}/cancel?{}", qs(&[("token", token.as_str())]));
    let cancelled = app.post(&cancel, None, &json!({})).await.expect(StatusCode::OK, "a timely cancel");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["deposit"]["status"], "refund_pending", "{cancelled}");
    deposit_becomes(&app, &id, &token, "refunded").await;
    assert!(
        provider.calls().contains(&Call::Refund(format!("pj_deposit_refund_{id}"), 10_000)),
        "{:?}",
        provider.calls()
    );

    // Staff cancel any time before the start: refunded too.
    let later = booking(&location_id, &table_id, "2026-12-09T21:00:00-03:00", Some(APPROVED));
    let (staff_id, staff_token, _) = booked(&app, &later, "a second booking").await;
    let manager = fx.m(0).manager.token(&app).await;
    app.post(&format!("/api/v1/bookings/{staff_id}/cancel"), Some(&manager), &json!({}))
        .await
        .expect(StatusCode::OK, "the staff's cancel");
    deposit_becomes(&app, &staff_id, &staff_token, "refunded").await;
    assert!(provider.calls().contains(&Call::Refund(format!("pj_deposit_refund_{staff_id}"), 10_000)));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_no_show_keeps_the_deposit_and_a_lapsed_hold_voids_it() {
    let (app, clock, provider, fx, table_id) = spawn().await;
    let location_id = fx.m(0).location_id.clone();

    let mut held = booking(&location_id, &table_id, "2026-12-09T13:00:00-03:00", Some(APPROVED));
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
async fn a_service_asks_for_a_deposit_within_its_price() {
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
    app.stop().await;
}
