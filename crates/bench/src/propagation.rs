//! Workload (c), propagation: how long a stock change takes to reach listeners.
//!
//! The harness opens the stock SSE feed (`GET /api/v1/stock/events`) and registers a
//! webhook for `stock.changed` pointing at a receiver it runs on `127.0.0.1:0`. It
//! then places `orders` single-line orders at a steady `rate`, each for its own
//! SKU, and measures per order the time from sending the request to (1) the SSE
//! event and (2) the webhook delivery showing that SKU reserved.
//!
//! Phases, in order: set up the fixture, [`listen`] on both paths, [`place_orders`], [`settle`],
//! time each path ([`PathTimings::of`]), then the summary, failures, targets and table rows.
//!
//! With `--source till` (issue 14 point 9) the stock changes come from the till instead: a
//! registered till with an open session records one online cash sale per SKU at the same steady
//! rate ([`sell_at_till`]), and an arrival is the first event showing that SKU's on-hand below
//! what the fixture stocked — the sale's `sale` movement, through the same outbox.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::api::{Api, Fixture, http_client, order_body, place_paced, setup, unique_prefix};
use crate::report::Outcome;
use crate::server::Server;
use crate::sse::open_sse;
use crate::stats::{Latencies, Outcomes, Row, Summary};

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
    /// What changes the stock.
    pub source: Source,
}

/// What changes the stock whose events are timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// `POST /orders`: a web order reserves one unit.
    Order,
    /// `POST /pos/sales`: a till sale takes one unit off the shelf.
    Till,
}

/// Units the fixture stocks of each SKU (a till sale's event shows fewer on hand).
const STOCKED: i64 = 10;

impl Source {
    /// The workload's name in the report.
    fn workload(self) -> &'static str {
        match self {
            Source::Order => "propagation",
            Source::Till => "propagation (till sale)",
        }
    }

    /// The request that changes the stock.
    fn request(self) -> &'static str {
        match self {
            Source::Order => "POST /orders",
            Source::Till => "POST /pos/sales",
        }
    }
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
    /// For till sales: an event counts once on-hand is below this (None: once reserved ≥ 1).
    pub sold_below: Option<i64>,
}

impl Arrivals {
    /// Notes one `stock.changed` payload that arrived at `at`.
    pub fn record(&mut self, data: &Value, at: Instant) {
        self.received += 1;
        let counts = match self.sold_below {
            Some(stocked) => data["on_hand"].as_i64().is_some_and(|on_hand| on_hand < stocked),
            None => data["reserved"].as_i64().unwrap_or(0) >= 1,
        };
        if counts && let Some(sku) = data["sku"].as_str() {
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
    let fixture = setup(&api, &unique_prefix("prop"), 1, options.orders, STOCKED).await?;
    let location_id = fixture.locations.first().ok_or("the fixture has no location")?.clone();
    let till = match options.source {
        Source::Till => Some(open_till(&api, &location_id).await?),
        Source::Order => None,
    };
    let mut listeners = listen(&api, &location_id, options.source).await?;
    // Let set-up events (reserved = 0, on-hand as stocked: ignored) drain through both paths first.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let mut placed = match &till {
        Some(till) => sell_at_till(&api, options, &fixture, till).await?,
        None => place_orders(&client, server, options, &fixture).await?,
    };
    settle(&listeners, &placed.sent_at, options.settle).await;
    let _ = listeners.stop.send(true);
    let sse_end = (&mut listeners.sse_task).await.ok().flatten();
    let mut sse = PathTimings::of(&listeners.sse_arrivals, &placed.sent_at);
    let mut hook = PathTimings::of(&listeners.hook_arrivals, &placed.sent_at);
    let summaries =
        Summaries { order: placed.latency.summary(), sse: sse.latencies.summary(), hook: hook.latencies.summary() };
    let measured = Measured { placed, sse, hook, summaries, sse_end, source: options.source };
    let mut outcome = Outcome::default();
    say_summary(&mut outcome, server, options, &fixture, &measured);
    record_failures(&mut outcome, &api, &listeners.webhook_id, options, &measured).await;
    record_targets(&mut outcome, server, &measured);
    push_rows(&mut outcome, server, options, &measured);
    Ok(outcome)
}

/// Both listening paths while the orders go out, and how to stop them.
struct Listeners {
    stop: watch::Sender<bool>,
    sse_arrivals: Shared,
    hook_arrivals: Shared,
    /// The registered webhook, for its delivery log when one is missing.
    webhook_id: String,
    /// Ends with why the stream ended early, if it did.
    sse_task: tokio::task::JoinHandle<Option<String>>,
}

/// Starts the webhook receiver, registers it for `stock.changed`, and opens the stock stream.
async fn listen(api: &Api, location_id: &str, source: Source) -> Result<Listeners, String> {
    let (stop, stop_rx) = watch::channel(false);
    let sold_below = (source == Source::Till).then_some(STOCKED);
    let sse_arrivals: Shared = Arc::new(Mutex::new(Arrivals { sold_below, ..Arrivals::default() }));
    let hook_arrivals: Shared = Arc::new(Mutex::new(Arrivals { sold_below, ..Arrivals::default() }));
    let hook_url = start_receiver(hook_arrivals.clone(), stop_rx.clone()).await?;
    let webhook = api.post("/webhooks", &json!({"url": hook_url, "events": ["stock.changed"]})).await?;
    let webhook_id = webhook["id"].as_str().unwrap_or_default().to_owned();
    let sse_task = open_stock_sse(api, location_id, sse_arrivals.clone(), stop_rx).await?;
    Ok(Listeners { stop, sse_arrivals, hook_arrivals, webhook_id, sse_task })
}

/// The paced orders and how the server answered them.
struct Placed {
    /// How long sending and answering took in all.
    placing: Duration,
    outcomes: Outcomes,
    latency: Latencies,
    /// SKU of each accepted order → when it was sent.
    sent_at: HashMap<String, Instant>,
}

/// One single-line order per SKU, at a steady rate.
async fn place_orders(
    client: &reqwest::Client,
    server: &Server,
    options: &PropagationOptions,
    fixture: &Fixture,
) -> Result<Placed, String> {
    let orders: Vec<(String, Value)> = fixture
        .items
        .iter()
        .map(|item| (item.sku.clone(), order_body(&fixture.site_id, &[(item, 1)], "Propagation customer")))
        .collect();
    let (answers, placing) = place_paced(client, &server.base_url, orders, options.rate).await?;
    let mut placed =
        Placed { placing, outcomes: Outcomes::default(), latency: Latencies::new(), sent_at: HashMap::new() };
    for order in answers {
        placed.latency.record(order.latency());
        match order.answer {
            Ok((status, _)) => {
                placed.outcomes.status(status);
                if status == 201 {
                    placed.sent_at.insert(order.key, order.sent);
                }
            }
            Err(error) => placed.outcomes.transport_error(&error),
        }
    }
    Ok(placed)
}

/// A till registered at the location with an open session.
struct Till {
    session_id: String,
    series: String,
}

async fn open_till(api: &Api, location_id: &str) -> Result<Till, String> {
    let device = api.post("/pos/devices", &json!({"location_id": location_id, "name": "Caja propagación"})).await?;
    let text = |value: &Value, field: &str| {
        value[field].as_str().map(str::to_owned).ok_or_else(|| format!("answer without {field}: {value}"))
    };
    let session = api
        .post(
            "/pos/sessions",
            &json!({"device_id": text(&device, "id")?, "opening_float": {"amount": 0, "currency": "CLP"}}),
        )
        .await?;
    Ok(Till { session_id: text(&session, "id")?, series: text(&device, "receipt_series")? })
}

/// One online cash sale per SKU at the till, at a steady rate, without waiting for one answer
/// before sending the next (as [`place_paced`] does for orders).
async fn sell_at_till(
    api: &Api,
    options: &PropagationOptions,
    fixture: &Fixture,
    till: &Till,
) -> Result<Placed, String> {
    let url = format!("{}/api/v1/pos/sales", api.base_url);
    let period = Duration::from_secs_f64(1.0 / options.rate.max(0.001));
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut in_flight = Vec::with_capacity(fixture.items.len());
    for (n, item) in fixture.items.iter().enumerate() {
        ticker.tick().await;
        let body = json!({
            "id": format!("{}-prop-{n}", till.series),
            "session_id": till.session_id,
            "receipt_number": format!("{}-{}", till.series, n + 1),
            "sold_at": omnicanal_domain::time::rfc3339_utc(
                i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default()).unwrap_or_default(),
            ),
            "offline": false,
            "lines": [{"sku": item.sku, "quantity": 1}],
            "payments": [{"method": "cash", "amount": {"amount": crate::api::UNIT_PRICE_CLP, "currency": "CLP"}}],
        });
        let request = api.client.post(&url).bearer_auth(&api.token).json(&body);
        let sku = item.sku.clone();
        in_flight.push(tokio::spawn(async move {
            let sent = Instant::now();
            let answer = request.send().await.map(|response| response.status().as_u16());
            (sku, sent, Instant::now(), answer)
        }));
    }
    let mut placed = Placed {
        placing: Duration::ZERO,
        outcomes: Outcomes::default(),
        latency: Latencies::new(),
        sent_at: HashMap::new(),
    };
    for task in in_flight {
        let (sku, sent, answered, answer) = task.await.map_err(|e| format!("a sale task failed: {e}"))?;
        placed.latency.record(answered.saturating_duration_since(sent));
        match answer {
            Ok(status) => {
                placed.outcomes.status(status);
                if status == 201 {
                    placed.sent_at.insert(sku, sent);
                }
            }
            Err(error) => placed.outcomes.transport_error(&error),
        }
    }
    placed.placing = started.elapsed();
    Ok(placed)
}

/// Waits for the stragglers on both paths, at most `settle`.
async fn settle(listeners: &Listeners, sent_at: &HashMap<String, Instant>, settle: Duration) {
    let settle_started = Instant::now();
    while settle_started.elapsed() < settle {
        let sse_done = sent_at.keys().all(|sku| lock(&listeners.sse_arrivals).first.contains_key(sku));
        let hook_done = sent_at.keys().all(|sku| lock(&listeners.hook_arrivals).first.contains_key(sku));
        if sse_done && hook_done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Send → arrival on one path, per accepted order, with what the path received in all.
struct PathTimings {
    latencies: Latencies,
    /// Orders that never arrived.
    missing: u64,
    /// Orders that arrived before they were sent (a clock or matching problem).
    early: u64,
    received: u64,
    duplicates: u64,
    unsigned: u64,
}

impl PathTimings {
    fn of(arrivals: &Shared, sent_at: &HashMap<String, Instant>) -> PathTimings {
        let arrivals = lock(arrivals);
        let mut latencies = Latencies::new();
        let mut missing = 0u64;
        let mut early = 0u64;
        for (sku, sent) in sent_at {
            match arrivals.first.get(sku) {
                Some(at) if at >= sent => latencies.record(*at - *sent),
                Some(_) => early += 1,
                None => missing += 1,
            }
        }
        PathTimings {
            latencies,
            missing,
            early,
            received: arrivals.received,
            duplicates: arrivals.duplicates,
            unsigned: arrivals.unsigned,
        }
    }
}

/// The latency percentiles of every series, computed once.
struct Summaries {
    order: Summary,
    sse: Summary,
    hook: Summary,
}

/// Everything the run measured, for the report.
struct Measured {
    placed: Placed,
    sse: PathTimings,
    hook: PathTimings,
    summaries: Summaries,
    /// Why the stream ended before it was stopped, if it did.
    sse_end: Option<String>,
    /// What changed the stock.
    source: Source,
}

fn say_summary(
    outcome: &mut Outcome,
    server: &Server,
    options: &PropagationOptions,
    fixture: &Fixture,
    measured: &Measured,
) {
    let (placed, sse, hook, summaries) = (&measured.placed, &measured.sse, &measured.hook, &measured.summaries);
    let accepted = placed.outcomes.count(201);
    outcome.say(format!(
        "{} [{}]: {} {} at {:.0}/s, one SKU each (set-up {:.1} s); placing took {:.1} s",
        measured.source.workload(),
        server.backend,
        options.orders,
        measured.source.request(),
        options.rate,
        fixture.took.as_secs_f64(),
        placed.placing.as_secs_f64()
    ));
    outcome.say(format!(
        "  orders: {}; POST latency ms p50 {:.1} p99 {:.1}",
        placed.outcomes.describe(),
        summaries.order.p50.unwrap_or_default(),
        summaries.order.p99.unwrap_or_default()
    ));
    outcome.say(format!(
        "  SSE:     {} of {accepted} seen ({} events in all); send→event ms p50 {:.1} p90 {:.1} p99 {:.1} max {:.1}",
        sse.latencies.len(),
        sse.received,
        summaries.sse.p50.unwrap_or_default(),
        summaries.sse.p90.unwrap_or_default(),
        summaries.sse.p99.unwrap_or_default(),
        summaries.sse.max.unwrap_or_default()
    ));
    outcome.say(format!(
        "  webhook: {} of {accepted} seen ({} deliveries in all, {} repeated ids); send→delivery ms p50 {:.1} p90 {:.1} p99 {:.1} max {:.1}",
        hook.latencies.len(),
        hook.received,
        hook.duplicates,
        summaries.hook.p50.unwrap_or_default(),
        summaries.hook.p90.unwrap_or_default(),
        summaries.hook.p99.unwrap_or_default(),
        summaries.hook.max.unwrap_or_default()
    ));
}

/// Lost or early events, unsigned deliveries, refused orders; a missing webhook delivery
/// brings the webhook's latest delivery log into the message.
async fn record_failures(
    outcome: &mut Outcome,
    api: &Api,
    webhook_id: &str,
    options: &PropagationOptions,
    measured: &Measured,
) {
    let (sse, hook, outcomes) = (&measured.sse, &measured.hook, &measured.placed.outcomes);
    if let Some(end) = &measured.sse_end {
        outcome.fail(format!("propagation: {end} before the run ended"));
    }
    if sse.missing > 0 || sse.early > 0 {
        outcome.fail(format!(
            "propagation: {} orders never showed on SSE within {:?} ({} showed before sending?)",
            sse.missing, options.settle, sse.early
        ));
    }
    if hook.missing > 0 || hook.early > 0 {
        let log = api.get(&format!("/webhooks/{webhook_id}/deliveries?limit=5")).await.unwrap_or_default();
        outcome.fail(format!(
            "propagation: {} orders never reached the webhook within {:?}; latest deliveries: {log}",
            hook.missing, options.settle
        ));
    }
    if hook.unsigned > 0 {
        outcome.fail(format!("propagation: {} webhook deliveries lacked Standard Webhooks headers", hook.unsigned));
    }
    let server_errors = outcomes.count_range(500..600);
    if server_errors > 0 || outcomes.transport_total() > 0 || outcomes.count(201) != outcomes.total() {
        outcome.fail(format!("propagation: not every order was accepted: {}", outcomes.describe()));
    }
}

fn record_targets(outcome: &mut Outcome, server: &Server, measured: &Measured) {
    let (sse_missing, hook_missing) = (measured.sse.missing, measured.hook.missing);
    let sse_p99 = measured.summaries.sse.p99.unwrap_or(f64::INFINITY);
    let hook_p99 = measured.summaries.hook.p99.unwrap_or(f64::INFINITY);
    outcome.target(
        format!("{} to SSE p99 < {P99_TARGET_MS:.0} ms ({})", measured.source.workload(), server.backend),
        sse_p99 < P99_TARGET_MS && sse_missing == 0,
        format!("p99 {sse_p99:.1} ms, {sse_missing} missing"),
    );
    outcome.target(
        format!("{} to webhook p99 < {P99_TARGET_MS:.0} ms ({})", measured.source.workload(), server.backend),
        hook_p99 < P99_TARGET_MS && hook_missing == 0,
        format!("p99 {hook_p99:.1} ms, {hook_missing} missing"),
    );
}

/// The orders' row, then one row per path.
fn push_rows(outcome: &mut Outcome, server: &Server, options: &PropagationOptions, measured: &Measured) {
    let (placed, sse, hook, summaries) = (&measured.placed, &measured.sse, &measured.hook, &measured.summaries);
    let (outcomes, placing) = (&placed.outcomes, placed.placing);
    let (accepted, conflicts) = (outcomes.count(201), outcomes.count(409));
    outcome.rows.push(Row {
        workload: format!("{}: {}", measured.source.workload(), measured.source.request()),
        backend: server.backend.clone(),
        requests: outcomes.total(),
        ok: accepted,
        conflicts,
        other_4xx: outcomes.count_range(400..500) - conflicts,
        server_errors: outcomes.count_range(500..600),
        transport_errors: outcomes.transport_total(),
        seconds: placing.as_secs_f64(),
        per_second: accepted as f64 / placing.as_secs_f64().max(1e-9),
        latency: summaries.order,
        notes: format!("paced at {:.0}/s, one SKU per order", options.rate),
    });
    for (series, summary, path, extra) in [
        (format!("{}: → SSE", measured.source.workload()), summaries.sse, sse, format!("{} events", sse.received)),
        (
            format!("{}: → webhook", measured.source.workload()),
            summaries.hook,
            hook,
            format!("{} deliveries, {} repeats", hook.received, hook.duplicates),
        ),
    ] {
        let (seen, missing) = (path.latencies.len(), path.missing);
        let p99 = summary.p99.unwrap_or(f64::INFINITY);
        outcome.rows.push(Row {
            workload: series,
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

    #[test]
    fn records_till_sales_by_on_hand() {
        let mut arrivals = Arrivals { sold_below: Some(10), ..Arrivals::default() };
        let now = Instant::now();
        arrivals.record(&json!({"sku": "A", "on_hand": 10, "reserved": 0}), now);
        assert!(arrivals.first.is_empty(), "the stocking event is not a sale");
        arrivals.record(&json!({"sku": "A", "on_hand": 9, "reserved": 0}), now);
        assert_eq!(arrivals.first.get("A"), Some(&now));
    }
}
