//! Workload (c), propagation: how long a stock change takes to reach listeners.
//!
//! The harness opens the stock SSE feed (`GET /api/v1/stock/events`) and registers a
//! webhook for `stock.changed` pointing at a receiver it runs on `127.0.0.1:0`. It
//! then places `orders` single-line orders at a steady `rate`, each for its own
//! SKU, and measures per order the time from sending the request to (1) the SSE
//! event and (2) the webhook delivery showing that SKU reserved.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::api::{Api, http_client, order_body, place_paced, setup, unique_prefix};
use crate::report::Outcome;
use crate::server::Server;
use crate::sse::open_sse;
use crate::stats::{Latencies, Outcomes, Row};

/// Settings of the propagation workload.
#[derive(Debug, Clone)]
pub struct PropagationOptions {
    /// Orders placed (one SKU each).
    pub orders: usize,
    /// Orders per second.
    pub rate: f64,
    /// How long to wait for late events after the last order.
    pub settle: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// p99 the project's issue asks for.
const P99_TARGET_MS: f64 = 100.0;

/// First arrival per SKU of a `stock.changed` showing it reserved, plus tallies.
#[derive(Debug, Default)]
pub struct Arrivals {
    /// SKU → when the first event with `reserved ≥ 1` arrived.
    pub first: HashMap<String, Instant>,
    /// Events (or deliveries) received in all.
    pub received: u64,
    /// Deliveries whose `webhook-id` was seen before (at-least-once retries).
    pub duplicates: u64,
    /// Deliveries missing a Standard Webhooks header.
    pub unsigned: u64,
    /// Webhook ids seen.
    seen_ids: std::collections::HashSet<String>,
}

impl Arrivals {
    /// Notes one `stock.changed` payload that arrived at `at`.
    pub fn record(&mut self, data: &Value, at: Instant) {
        self.received += 1;
        if data["reserved"].as_i64().unwrap_or(0) >= 1
            && let Some(sku) = data["sku"].as_str()
        {
            self.first.entry(sku.to_owned()).or_insert(at);
        }
    }
}

type Shared = Arc<Mutex<Arrivals>>;

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Arrivals> {
    shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn receive_webhook(State(arrivals): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let at = Instant::now();
    let parsed: Value = serde_json::from_slice(&body).unwrap_or_default();
    let mut arrivals = lock(&arrivals);
    let signed = ["webhook-id", "webhook-timestamp", "webhook-signature"].iter().all(|h| headers.contains_key(*h));
    if !signed {
        arrivals.unsigned += 1;
    }
    if let Some(id) = headers.get("webhook-id").and_then(|v| v.to_str().ok())
        && !arrivals.seen_ids.insert(id.to_owned())
    {
        arrivals.duplicates += 1;
    }
    if parsed["type"] == "stock.changed" {
        arrivals.record(&parsed["data"], at);
    } else {
        arrivals.received += 1;
    }
    StatusCode::NO_CONTENT
}

/// Starts the webhook receiver on `127.0.0.1:0`; returns its URL.
async fn start_receiver(arrivals: Shared, stop: watch::Receiver<bool>) -> Result<String, String> {
    let listener =
        tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| format!("cannot bind the receiver: {e}"))?;
    let address = listener.local_addr().map_err(|e| format!("receiver address: {e}"))?;
    let app = axum::Router::new().route("/hook", axum::routing::post(receive_webhook)).with_state(arrivals);
    tokio::spawn(async move {
        let mut stop = stop;
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            })
            .await;
    });
    Ok(format!("http://{address}/hook"))
}

/// Opens the location's stock SSE feed as `api`'s user; records arrivals until `stop`.
async fn open_stock_sse(
    api: &Api,
    location_id: &str,
    arrivals: Shared,
    stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<Option<String>>, String> {
    let url = format!("{}/api/v1/stock/events?location_id={location_id}", api.base_url);
    open_sse(&url, &api.token, stop, move |event, at| {
        let parsed: Value = serde_json::from_str(&event.data).unwrap_or_default();
        lock(&arrivals).record(&parsed, at);
    })
    .await
}

/// Runs the workload against `server`.
pub async fn run(server: &Server, options: &PropagationOptions) -> Result<Outcome, String> {
    let client = http_client(64, options.timeout)?;
    let api = Api::login(client.clone(), &server.base_url, &server.admin_email, &server.admin_password).await?;
    let fixture = setup(&api, &unique_prefix("prop"), 1, options.orders, 10).await?;
    let location_id = fixture.locations.first().ok_or("the fixture has no location")?.clone();

    let (stop_tx, stop_rx) = watch::channel(false);
    let sse_arrivals: Shared = Arc::default();
    let hook_arrivals: Shared = Arc::default();
    let hook_url = start_receiver(hook_arrivals.clone(), stop_rx.clone()).await?;
    let webhook = api.post("/webhooks", &json!({"url": hook_url, "events": ["stock.changed"]})).await?;
    let webhook_id = webhook["id"].as_str().unwrap_or_default().to_owned();
    let sse_task = open_stock_sse(&api, &location_id, sse_arrivals.clone(), stop_rx.clone()).await?;
    // Let set-up events (reserved = 0, ignored) drain through both paths first.
    tokio::time::sleep(Duration::from_millis(1_000)).await;

    let orders: Vec<(String, Value)> = fixture
        .items
        .iter()
        .map(|item| (item.sku.clone(), order_body(&fixture.site_id, &[(item, 1)], "Propagation customer")))
        .collect();
    let (placed, placing) = place_paced(&client, &server.base_url, orders, options.rate).await?;
    let mut outcomes = Outcomes::default();
    let mut order_latency = Latencies::new();
    let mut sent_at: HashMap<String, Instant> = HashMap::new();
    for order in placed {
        order_latency.record(order.latency());
        match order.answer {
            Ok((status, _)) => {
                outcomes.status(status);
                if status == 201 {
                    sent_at.insert(order.key, order.sent);
                }
            }
            Err(error) => outcomes.transport_error(&error),
        }
    }

    // Wait for the stragglers, at most `settle`.
    let settle_started = Instant::now();
    while settle_started.elapsed() < options.settle {
        let sse_done = sent_at.keys().all(|sku| lock(&sse_arrivals).first.contains_key(sku));
        let hook_done = sent_at.keys().all(|sku| lock(&hook_arrivals).first.contains_key(sku));
        if sse_done && hook_done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop_tx.send(true);
    let sse_end = sse_task.await.ok().flatten();

    let measure = |arrivals: &Shared| {
        let arrivals = lock(arrivals);
        let mut latencies = Latencies::new();
        let mut missing = 0u64;
        let mut early = 0u64;
        for (sku, sent) in &sent_at {
            match arrivals.first.get(sku) {
                Some(at) if at >= sent => latencies.record(*at - *sent),
                Some(_) => early += 1,
                None => missing += 1,
            }
        }
        (latencies, missing, early, arrivals.received, arrivals.duplicates, arrivals.unsigned)
    };
    let (mut sse_latency, sse_missing, sse_early, sse_received, _, _) = measure(&sse_arrivals);
    let (mut hook_latency, hook_missing, hook_early, hook_received, hook_duplicates, hook_unsigned) =
        measure(&hook_arrivals);
    let accepted = outcomes.count(201);
    let server_errors = outcomes.count_range(500..600);

    let mut outcome = Outcome::default();
    outcome.say(format!(
        "propagation [{}]: {} orders at {:.0}/s, one SKU each (set-up {:.1} s); placing took {:.1} s",
        server.backend,
        options.orders,
        options.rate,
        fixture.took.as_secs_f64(),
        placing.as_secs_f64()
    ));
    let order_summary = order_latency.summary();
    let sse_summary = sse_latency.summary();
    let hook_summary = hook_latency.summary();
    outcome.say(format!(
        "  orders: {}; POST latency ms p50 {:.1} p99 {:.1}",
        outcomes.describe(),
        order_summary.p50.unwrap_or_default(),
        order_summary.p99.unwrap_or_default()
    ));
    outcome.say(format!(
        "  SSE:     {} of {accepted} seen ({sse_received} events in all); send→event ms p50 {:.1} p90 {:.1} p99 {:.1} max {:.1}",
        sse_latency.len(),
        sse_summary.p50.unwrap_or_default(),
        sse_summary.p90.unwrap_or_default(),
        sse_summary.p99.unwrap_or_default(),
        sse_summary.max.unwrap_or_default()
    ));
    outcome.say(format!(
        "  webhook: {} of {accepted} seen ({hook_received} deliveries in all, {hook_duplicates} repeated ids); send→delivery ms p50 {:.1} p90 {:.1} p99 {:.1} max {:.1}",
        hook_latency.len(),
        hook_summary.p50.unwrap_or_default(),
        hook_summary.p90.unwrap_or_default(),
        hook_summary.p99.unwrap_or_default(),
        hook_summary.max.unwrap_or_default()
    ));
    if let Some(end) = &sse_end {
        outcome.fail(format!("propagation: {end} before the run ended"));
    }
    if sse_missing > 0 || sse_early > 0 {
        outcome.fail(format!(
            "propagation: {sse_missing} orders never showed on SSE within {:?} ({sse_early} showed before sending?)",
            options.settle
        ));
    }
    if hook_missing > 0 || hook_early > 0 {
        let log = api.get(&format!("/webhooks/{webhook_id}/deliveries?limit=5")).await.unwrap_or_default();
        outcome.fail(format!(
            "propagation: {hook_missing} orders never reached the webhook within {:?}; latest deliveries: {log}",
            options.settle
        ));
    }
    if hook_unsigned > 0 {
        outcome.fail(format!("propagation: {hook_unsigned} webhook deliveries lacked Standard Webhooks headers"));
    }
    if server_errors > 0 || outcomes.transport_total() > 0 || accepted != outcomes.total() {
        outcome.fail(format!("propagation: not every order was accepted: {}", outcomes.describe()));
    }
    let sse_p99 = sse_summary.p99.unwrap_or(f64::INFINITY);
    let hook_p99 = hook_summary.p99.unwrap_or(f64::INFINITY);
    outcome.target(
        format!("propagation to SSE p99 < {P99_TARGET_MS:.0} ms ({})", server.backend),
        sse_p99 < P99_TARGET_MS && sse_missing == 0,
        format!("p99 {sse_p99:.1} ms, {sse_missing} missing"),
    );
    outcome.target(
        format!("propagation to webhook p99 < {P99_TARGET_MS:.0} ms ({})", server.backend),
        hook_p99 < P99_TARGET_MS && hook_missing == 0,
        format!("p99 {hook_p99:.1} ms, {hook_missing} missing"),
    );
    let conflicts = outcomes.count(409);
    outcome.rows.push(Row {
        workload: "propagation: POST /orders".into(),
        backend: server.backend.clone(),
        requests: outcomes.total(),
        ok: accepted,
        conflicts,
        other_4xx: outcomes.count_range(400..500) - conflicts,
        server_errors,
        transport_errors: outcomes.transport_total(),
        seconds: placing.as_secs_f64(),
        per_second: accepted as f64 / placing.as_secs_f64().max(1e-9),
        latency: order_summary,
        notes: format!("paced at {:.0}/s, one SKU per order", options.rate),
    });
    for (series, summary, seen, missing, extra) in [
        ("propagation: → SSE", sse_summary, sse_latency.len(), sse_missing, format!("{sse_received} events")),
        (
            "propagation: → webhook",
            hook_summary,
            hook_latency.len(),
            hook_missing,
            format!("{hook_received} deliveries, {hook_duplicates} repeats"),
        ),
    ] {
        let p99 = summary.p99.unwrap_or(f64::INFINITY);
        outcome.rows.push(Row {
            workload: series.into(),
            backend: server.backend.clone(),
            requests: accepted,
            ok: seen as u64,
            conflicts: 0,
            other_4xx: 0,
            server_errors: 0,
            transport_errors: missing,
            seconds: placing.as_secs_f64(),
            per_second: seen as f64 / placing.as_secs_f64().max(1e-9),
            latency: summary,
            notes: format!(
                "send→arrival; {extra}; p99 target < {P99_TARGET_MS:.0} ms: {}",
                if p99 < P99_TARGET_MS && missing == 0 { "met" } else { "NOT met" }
            ),
        });
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_only_reservations() {
        let mut arrivals = Arrivals::default();
        let now = Instant::now();
        arrivals.record(&json!({"sku": "A", "reserved": 0}), now);
        arrivals.record(&json!({"sku": "A", "reserved": 1}), now);
        arrivals.record(&json!({"sku": "A", "reserved": 2}), now + Duration::from_secs(1));
        assert_eq!(arrivals.received, 3);
        assert_eq!(arrivals.first.get("A"), Some(&now));
    }
}
