//! Issue 19: a restaurant's availability search under a full day. One location with 40 tables
//! (20 of them in five combinable groups of four) and 500 bookings on one day, then `searches`
//! availability requests for that day, one at a time, alternating a couple (one table) and a
//! party of ten (three or four joined tables) — the search that reads the most: every table,
//! every combination, every claimed cell of the day.
//!
//! Reported: p50/p99 latency per search and the server's CPU per search (its `/proc/<pid>/stat`
//! before and after; PostgreSQL's backends not counted). The bookings are made through the
//! API with a named table, so the set-up itself exercises the claims.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::api::{Api, http_client, setup, unique_prefix};
use crate::report::Outcome;
use crate::server::Server;
use crate::stats::{Latencies, Outcomes, Row, fmt_ms};

/// Tables at the location.
const TABLES: usize = 40;
/// Tables in combinable groups (of four each), the first of the 40.
const GROUPED_TABLES: usize = 20;
/// Bookings on the searched day.
const BOOKINGS: usize = 500;
/// A table booking holds its table 90 minutes plus a 15-minute buffer: 105 minutes.
const SITTING_MINUTES: i64 = 105;

/// Options of the availability workload.
#[derive(Debug, Clone)]
pub struct AvailabilityOptions {
    /// Searches to time.
    pub searches: usize,
    /// Per-request timeout.
    pub timeout: Duration,
}

async fn put(api: &Api, path: &str, body: &Value) -> Result<(), String> {
    let response = api
        .client
        .put(format!("{}/api/v1{path}", api.base_url))
        .bearer_auth(&api.token)
        .json(body)
        .send()
        .await
        .map_err(|e| format!("PUT {path}: {e}"))?;
    let status = response.status();
    if status.is_success() { Ok(()) } else { Err(format!("PUT {path} → {status}")) }
}

/// Runs the workload against `server`.
pub async fn run(server: &Server, options: &AvailabilityOptions) -> Result<Outcome, String> {
    let client = http_client(8, options.timeout)?;
    let api = Api::login(client.clone(), &server.base_url, &server.admin_email, &server.admin_password).await?;
    let set_up_started = Instant::now();
    let fixture = setup(&api, &unique_prefix("availability"), 1, 0, 0).await?;
    let location_id = fixture.locations.first().cloned().ok_or("no location")?;
    let mut tables = Vec::with_capacity(TABLES);
    for t in 0..TABLES {
        let body = json!({"kind": "table", "name": format!("Mesa {t}"), "seats_min": 1, "seats_max": 2 + (t % 3) * 2});
        let table = api.post(&format!("/locations/{location_id}/resources"), &body).await?;
        let id = table["id"].as_str().ok_or("table without id")?.to_owned();
        if t < GROUPED_TABLES {
            put(&api, &format!("/resources/{id}/details"), &json!({"combine_group": format!("grupo {}", t / 4)}))
                .await?;
        }
        tables.push(id);
    }
    // The day after tomorrow in Santiago (UTC−3 or −4): its bookings from local midnight on.
    let now_ms = chrono::Utc::now().timestamp_millis();
    let day = chrono::DateTime::from_timestamp_millis(now_ms + 2 * 86_400_000)
        .ok_or("date out of range")?
        .with_timezone(&chrono_tz::America::Santiago)
        .date_naive();
    let midnight = day
        .and_hms_opt(0, 0, 0)
        .and_then(|wall| wall.and_local_timezone(chrono_tz::America::Santiago).earliest())
        .ok_or("no local midnight")?
        .timestamp_millis();
    for b in 0..BOOKINGS {
        let table = &tables[b % TABLES];
        let start_ms = midnight + i64::try_from(b / TABLES).unwrap_or(0) * SITTING_MINUTES * 60_000;
        let start_at = chrono::DateTime::from_timestamp_millis(start_ms).ok_or("start")?.format("%Y-%m-%dT%H:%M:%SZ");
        let body = json!({"location_id": location_id, "start_at": start_at.to_string(), "party_size": 1,
                          "resource_id": table, "customer": {"name": format!("Cliente {b}")}});
        api.post("/bookings", &body).await?;
    }
    let set_up_took = set_up_started.elapsed();

    let date = day.format("%Y-%m-%d").to_string();
    let mut latencies = Latencies::new();
    let mut outcomes = Outcomes::default();
    let mut slots_seen = 0usize;
    let cpu_before = server.cpu_seconds();
    let started = Instant::now();
    for n in 0..options.searches {
        let party = if n % 2 == 0 { 2 } else { 10 };
        let url =
            format!("{}/api/v1/locations/{location_id}/availability?date={date}&party_size={party}", server.base_url);
        let sent = Instant::now();
        match client.get(&url).send().await {
            Ok(response) => {
                outcomes.status(response.status().as_u16());
                let body: Value = response.json().await.unwrap_or(Value::Null);
                latencies.record(sent.elapsed());
                slots_seen += body.as_array().map_or(0, Vec::len);
            }
            Err(error) => outcomes.transport_error(&error),
        }
    }
    let elapsed = started.elapsed();
    let cpu_seconds = server.cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    let searches = options.searches.max(1);
    let cpu_ms_per_search = cpu_seconds.map(|seconds| seconds * 1_000.0 / searches as f64);
    let latency = latencies.summary();
    let mut outcome = Outcome::default();
    outcome.say(format!(
        "availability: {TABLES} tables ({GROUPED_TABLES} in groups of 4), {BOOKINGS} bookings on {date} (set up in {:.1} s); \
         {} searches, p50 {} ms, p99 {} ms{}; {} slots per search on average",
        set_up_took.as_secs_f64(),
        options.searches,
        fmt_ms(latency.p50),
        fmt_ms(latency.p99),
        cpu_ms_per_search.map(|ms| format!(", server CPU {ms:.2} ms/search")).unwrap_or_default(),
        slots_seen / searches,
    ));
    if outcomes.count_range(500..600) > 0 || outcomes.transport_total() > 0 {
        outcome.fail(format!("availability: {}", outcomes.describe()));
    }
    outcome.rows.push(Row {
        workload: "availability".into(),
        backend: server.backend.clone(),
        requests: outcomes.total(),
        ok: outcomes.count_range(200..300),
        conflicts: outcomes.count(409),
        other_4xx: outcomes.count_range(400..500) - outcomes.count(409),
        server_errors: outcomes.count_range(500..600),
        transport_errors: outcomes.transport_total(),
        seconds: elapsed.as_secs_f64(),
        per_second: options.searches as f64 / elapsed.as_secs_f64().max(1e-9),
        latency,
        notes: format!(
            "{TABLES} tables, {BOOKINGS} bookings/day; parties of 2 and 10{}",
            cpu_ms_per_search.map(|ms| format!("; server CPU {ms:.2} ms/search")).unwrap_or_default()
        ),
    });
    Ok(outcome)
}
