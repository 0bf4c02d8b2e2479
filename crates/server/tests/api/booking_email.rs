//! Reminders by e-mail (issue 19 point 4) judged at a real SMTP server: `mailin-embedded` on a
//! loopback port, which the outbound policy allows only because the test nodes name
//! `127.0.0.1`. A table booked one hour ahead (inside the location's 2-hour reminder) is
//! e-mailed at once to the customer's address — Spanish subject, Santiago's wall time, the
//! manage link (which opens the booking) and the booking's `.ics` attached; the sink's first
//! answer is a 421, retried on the app's clock, and once accepted the message is never sent
//! again. The security fix: no stored row — the reminder preferences, the deliveries — holds the
//! manage token.
//!
//! The server runs on a manual clock at Tuesday 2026-12-08 11:00 in Santiago (UTC−3).

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mail_parser::MimeHeaders;
use mailin_embedded::response::{INTERNAL_ERROR, NO_SERVICE, OK};
use mailin_embedded::{Handler, Response, Server, SslConfig};
use omnicanal_app::ManualClock;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::{Connection, Row};

use crate::common::bookings::{TUESDAY_MORNING_MS, booked, open_noon_to_eleven, party, table, with_token};
use crate::common::{Body, Fixture, TestApp};

/// 2026-12-08T14:00:00Z, a Tuesday: 11:00 in Santiago, three hours after the shared morning.
const TUESDAY_ELEVEN_MS: i64 = TUESDAY_MORNING_MS + 3 * 3_600_000;

/// One message the sink received, and whether it answered 250.
#[derive(Debug, Clone)]
struct Received {
    to: Vec<String>,
    data: Vec<u8>,
    accepted: bool,
}

#[derive(Default)]
struct SinkState {
    /// How many messages are still to be answered 421 (not available, try again).
    refuse_left: usize,
    received: Vec<Received>,
}

/// A connection's handler; every connection shares the sink's state.
#[derive(Clone)]
struct SinkHandler {
    state: Arc<Mutex<SinkState>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for SinkHandler {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let Ok(mut state) = self.state.lock() else { return INTERNAL_ERROR };
        let accepted = state.refuse_left == 0;
        state.refuse_left = state.refuse_left.saturating_sub(1);
        state.received.push(Received { to: self.to.clone(), data: self.data.clone(), accepted });
        // 421: not now, and the server closes the connection.
        if accepted { OK } else { NO_SERVICE }
    }
}

/// The SMTP sink on a loopback port, answering the first `refuse` messages 421.
struct Sink {
    port: u16,
    state: Arc<Mutex<SinkState>>,
}

impl Sink {
    fn start(refuse: usize) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().expect("its address").port();
        let state = Arc::new(Mutex::new(SinkState { refuse_left: refuse, received: Vec::new() }));
        let handler = SinkHandler { state: state.clone(), to: Vec::new(), data: Vec::new() };
        let mut server = Server::new(handler);
        server.with_name("sink.test").with_num_threads(2).with_tcp_listener(listener);
        server.with_ssl(SslConfig::None).expect("no TLS");
        // The server blocks its thread for the rest of the test binary's life.
        std::thread::spawn(move || {
            let _ = server.serve().map_err(|error| error.to_string());
        });
        Sink { port, state }
    }

    fn received(&self) -> Vec<Received> {
        self.state.lock().map(|state| state.received.clone()).unwrap_or_default()
    }
}

async fn spawn(clock: Arc<ManualClock>, smtp_port: u16) -> TestApp {
    TestApp::spawn_full(
        move |config| {
            config.notify.booking_reminder_interval_ms = 200;
            config.notify.smtp_url =
                Some(omnicanal_server::config::Secret::new(format!("smtp://127.0.0.1:{smtp_port}")));
            config.notify.smtp_from = Some("Reservas Omnicanal <reservas@omnicanal.test>".to_owned());
        },
        omnicanal_server::Services { clock, ..Default::default() },
    )
    .await
}

/// Opens the fixture's first location 12:00–23:00 every day and gives it a table for 1–4.
async fn restaurant_with_a_table(app: &TestApp, fx: &Fixture) -> String {
    open_noon_to_eleven(app, fx).await;
    let merchant = fx.m(0);
    table(app, &merchant.manager.token(app).await, &merchant.location_id, "Mesa 1").await;
    merchant.location_id.clone()
}

async fn database(app: &TestApp) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(app.database_url()).await.expect("open the app's database")
}

/// Every stored text about the booking's reminders: the preferences' token column and the
/// deliveries' payloads.
async fn stored_reminder_rows(app: &TestApp, booking_id: &str) -> Vec<String> {
    let mut db = database(app).await;
    let mut texts = Vec::new();
    let preferences =
        sqlx::query("SELECT language, manage_token FROM booking_reminder_preferences WHERE booking_id = $1")
            .bind(booking_id)
            .fetch_all(&mut db)
            .await
            .expect("the preferences");
    for row in preferences {
        texts.push(row.try_get::<String, _>("language").unwrap_or_default());
        texts.push(row.try_get::<Option<String>, _>("manage_token").ok().flatten().unwrap_or_default());
    }
    let jobs = sqlx::query("SELECT payload_json FROM booking_reminder_jobs WHERE booking_id = $1")
        .bind(booking_id)
        .fetch_all(&mut db)
        .await
        .expect("the deliveries");
    texts.extend(jobs.iter().map(|row| row.try_get::<String, _>("payload_json").unwrap_or_default()));
    texts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reminder_is_emailed_in_spanish_with_the_manage_link_and_the_ics_once_after_a_refusal() {
    let sink = Sink::start(1);
    let clock = Arc::new(ManualClock::starting_at(TUESDAY_ELEVEN_MS));
    let app = spawn(clock.clone(), sink.port).await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let location_id = restaurant_with_a_table(&app, &fx).await;

    let mut body = party(&location_id, "2026-12-08T12:00:00-03:00", 2);
    body["customer"] = json!({"name": "Camila Rojas", "email": "camila@example.cl"});
    let (booking_id, token, _) = booked(&app, &body, "a booking").await;
    assert!(token.len() >= 43, "256 bits: {token}");
    let preferences = with_token(&format!("/api/v1/bookings/{booking_id}/reminder-preferences"), &token);
    app.send(reqwest::Method::PUT, &preferences, None, Body::Json(json!({"language": "es"})), &[])
        .await
        .expect(StatusCode::OK, "the customer picks Spanish");

    // The first attempt meets the 421; the retry waits for the app's clock.
    let accepted = |sink: &Sink| sink.received().iter().filter(|message| message.accepted).count();
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if accepted(&sink) > 0 {
            break;
        }
        clock.advance(Duration::from_secs(31));
    }
    if accepted(&sink) != 1 {
        let mut db = database(&app).await;
        let jobs = sqlx::query("SELECT state, attempts, last_error, next_at_ms FROM booking_reminder_jobs")
            .fetch_all(&mut db)
            .await
            .unwrap_or_default();
        let jobs: Vec<String> = jobs
            .iter()
            .map(|row| {
                format!(
                    "{:?} {:?} {:?} {:?}",
                    row.try_get::<String, _>("state"),
                    row.try_get::<i64, _>("attempts"),
                    row.try_get::<Option<String>, _>("last_error"),
                    row.try_get::<i64, _>("next_at_ms"),
                )
            })
            .collect();
        panic!("not delivered once: {} received, deliveries {jobs:?}", sink.received().len());
    }
    for _ in 0..6 {
        clock.advance(Duration::from_secs(60));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let received = sink.received();
    assert_eq!(
        received.iter().map(|message| message.accepted).collect::<Vec<_>>(),
        [false, true],
        "refused once, then sent once and never again"
    );
    let message = &received[1];
    assert_eq!(message.to.len(), 1, "{:?}", message.to);
    assert!(message.to[0].contains("camila@example.cl"), "{:?}", message.to);

    let parsed = mail_parser::MessageParser::default().parse(&message.data).expect("a MIME message");
    let subject = parsed.subject().unwrap_or_default();
    assert!(subject.starts_with("Recordatorio: Tu reserva en"), "{subject}");
    let text = parsed.body_text(0).unwrap_or_default().into_owned();
    assert!(text.contains("es hoy a las 12:00 (mesa para 2)."), "Santiago's wall time: {text}");
    let link = format!("/reservas/{booking_id}?token={token}");
    assert!(text.contains(&link), "the manage link with the customer's token: {text}");
    assert!(parsed.body_html(0).unwrap_or_default().contains(&link), "the HTML alternative too");
    let ics = parsed.attachment(0).expect("the calendar attached");
    assert_eq!(ics.attachment_name(), Some("reserva.ics"));
    let calendar = String::from_utf8_lossy(ics.contents()).into_owned();
    assert!(calendar.contains("BEGIN:VCALENDAR") && calendar.contains("DTSTART:20261208T150000Z"), "{calendar}");

    // The link in the e-mail opens the booking.
    app.get(&link, None).await.expect(StatusCode::OK, "the manage page opens with the e-mailed token");
    // And the database never held the token.
    let stored = stored_reminder_rows(&app, &booking_id).await;
    assert!(stored.iter().any(|text| text == "es"), "the preferences were stored: {stored:?}");
    assert!(stored.len() >= 3, "preferences and a delivery: {stored:?}");
    assert!(stored.iter().all(|text| !text.contains(&token)), "no stored row holds the token: {stored:?}");

    let deliveries = app
        .get(&with_token(&format!("/api/v1/bookings/{booking_id}/reminders"), &token), None)
        .await
        .expect(StatusCode::OK, "the customer reads what was sent");
    let states: Vec<(String, String, i64)> = deliveries
        .as_array()
        .into_iter()
        .flatten()
        .map(|job| {
            let text = |name: &str| job[name].as_str().unwrap_or("").to_owned();
            (text("target"), text("state"), job["attempts"].as_i64().unwrap_or_default())
        })
        .collect();
    assert_eq!(states, [("email".to_owned(), "sent".to_owned(), 2)], "{deliveries}");
    app.stop().await;
}
