//! Workload telemetry (issue 18 point 5): `stores` stores with `tills_per_store` tills each
//! (100 × 5 = 500 tills) post one telemetry event a second each for `seconds`, and a few stores
//! get a burst of card declines (code 05) at a random moment; the incident detector must open
//! one incident for each burst store, soon, and none anywhere else.
//!
//! Each till posts one batch of one event a second (`POST /api/v1/support/telemetry`), its
//! phase spread over the second so the load is even: a heartbeat, or now and then a decline or
//! a print failure that stays below every rule (at most two of each per store over the run). At
//! a random moment between 10 % and 60 % of the run, one till of each burst store sends
//! [`BURST_DECLINES`] declines, one a second instead of its heartbeat: the
//! [`MIN_DECLINES`]th is the batch that makes the rule pass (a fresh store has no baseline). A
//! poller reads the open incidents every [`POLL_EVERY`]; the **lag** is from the send of the
//! crossing batch to the first poll that shows the store's incident (so it includes the poll's
//! own period: up to 100 ms).
//!
//! Reports accepted events per second, request latency, server CPU µs per event and the lag's
//! p50/p99/max. Fails the run on a 5xx, an event not accepted, an incident at a store without
//! a burst, a burst store without exactly one incident by the end of `settle`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::api::{Api, http_client, setup, unique_prefix};
use crate::mixed::SplitMix;
use crate::report::Outcome;
use crate::server::Server;
use crate::stats::{Latencies, Outcomes, Row, fmt_ms};

/// Settings of the telemetry workload.
#[derive(Debug, Clone)]
pub struct TelemetryOptions {
    /// Stores (one merchant and location each).
    pub stores: usize,
    /// Tills at each store, each posting one event a second.
    pub tills_per_store: usize,
    /// Of the stores, how many get a burst of declines.
    pub burst_stores: usize,
    /// How long the tills post.
    pub duration: Duration,
    /// How long after the last post an incident may still appear.
    pub settle: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// Declines a burst till sends, one a second (the rule passes at the fifth).
const BURST_DECLINES: usize = 8;
/// The declines rule's least count for a store with no baseline (`domain::support::incidents`).
const MIN_DECLINES: usize = 5;
/// Period of the incident poller.
const POLL_EVERY: Duration = Duration::from_millis(100);
/// Tills registered at once during set-up.
const SETUP_CONCURRENCY: usize = 8;
/// Most incidents one page of the list holds.
const PER_PAGE: usize = 100;

/// One till: its store's index and device id, and what it will send when.
#[derive(Debug, Clone)]
struct Till {
    store: usize,
    device_id: String,
    /// The second of the run (0-based) at which its burst starts, if it bursts.
    burst_at_second: Option<u64>,
    /// Seconds (0-based) at which it sends a lone decline or print failure (normal traffic).
    lone_declines: Vec<u64>,
    lone_print_failures: Vec<u64>,
    /// Its phase within each second.
    phase: Duration,
}

/// What one till (or all of them, merged) saw.
#[derive(Default)]
struct TillTally {
    outcomes: Outcomes,
    latencies: Latencies,
    accepted: u64,
    sent: u64,
    /// When the crossing batch was sent, for a burst till.
    crossing_sent: Option<Instant>,
    problems: Vec<String>,
}

impl TillTally {
    fn absorb(&mut self, other: TillTally) {
        self.outcomes.merge(&other.outcomes);
        self.latencies.merge(&other.latencies);
        self.accepted += other.accepted;
        self.sent += other.sent;
        for problem in other.problems {
            if self.problems.len() < 5 {
                self.problems.push(problem);
            }
        }
    }
}

/// Runs the workload against `server`.
pub async fn run(server: &Server, options: &TelemetryOptions) -> Result<Outcome, String> {
    let tills_total = options.stores * options.tills_per_store;
    let client = http_client(tills_total + 8, options.timeout)?;
    let api = Api::login(client.clone(), &server.base_url, &server.admin_email, &server.admin_password).await?;
    let set_up_started = Instant::now();
    let prefix = unique_prefix("telemetry");
    let fixture = setup(&api, &prefix, options.stores, 0, 0).await?;
    let tills = register_tills(&api, &fixture.locations, options).await?;
    let set_up_took = set_up_started.elapsed();

    // The poller: the first instant each store's open incident was seen.
    let seen: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let poller = tokio::spawn(poll_incidents(api.clone(), seen.clone(), stop_rx));

    let url = Arc::new(format!("{}/api/v1/support/telemetry", server.base_url));
    let token = Arc::new(api.token.clone());
    let cpu_before = server.cpu_seconds();
    let started = Instant::now();
    let tasks: Vec<_> = tills
        .iter()
        .cloned()
        .map(|till| {
            tokio::spawn(post_as_till(client.clone(), url.clone(), token.clone(), till, started, options.duration))
        })
        .collect();
    let mut total = TillTally::default();
    let mut crossings: BTreeMap<usize, Instant> = BTreeMap::new();
    for (till, task) in tills.iter().zip(tasks) {
        let tally = task.await.map_err(|e| format!("a till task failed: {e}"))?;
        if let Some(sent) = tally.crossing_sent {
            crossings.insert(till.store, sent);
        }
        total.absorb(tally);
    }
    let elapsed = started.elapsed();
    let server_cpu_seconds = server.cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);

    // Late incidents may still appear for a while; stop as soon as every burst store has one.
    let settle_until = Instant::now() + options.settle;
    while Instant::now() < settle_until {
        let all_seen = {
            let seen = seen.lock().map_err(|_| "the poller's map is poisoned")?;
            crossings.keys().all(|store| seen.contains_key(&fixture.locations[*store]))
        };
        if all_seen {
            break;
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
    let _ = stop_tx.send(true);
    let poll_errors = poller.await.map_err(|e| format!("the poller failed: {e}"))?;

    let seen = seen.lock().map_err(|_| "the poller's map is poisoned")?.clone();
    let mut lags = Latencies::default();
    for (store, sent) in &crossings {
        if let Some(at) = seen.get(&fixture.locations[*store]) {
            lags.record(at.saturating_duration_since(*sent));
        }
    }
    let lag = lags.summary();
    let latency = total.latencies.clone().summary();
    let mut outcome = Outcome::default();
    let per_second = total.accepted as f64 / elapsed.as_secs_f64().max(1e-9);
    let cpu_us_per_event =
        server_cpu_seconds.filter(|_| total.accepted > 0).map(|seconds| seconds * 1e6 / total.accepted as f64);
    outcome.say(format!(
        "telemetry [{}]: {} stores × {} tills = {tills_total} tills at 1 event/s for {:.0} s; {} burst stores (set-up {:.1} s)",
        server.backend,
        options.stores,
        options.tills_per_store,
        options.duration.as_secs_f64(),
        crossings.len(),
        set_up_took.as_secs_f64()
    ));
    outcome.say(format!(
        "  {} events accepted of {} sent in {:.1} s = {per_second:.0} events/s; answers {}",
        total.accepted,
        total.sent,
        elapsed.as_secs_f64(),
        total.outcomes.describe()
    ));
    outcome.say(format!(
        "  request latency ms: p50 {}  p90 {}  p99 {}  max {}",
        fmt_ms(latency.p50),
        fmt_ms(latency.p90),
        fmt_ms(latency.p99),
        fmt_ms(latency.max)
    ));
    outcome.say(format!(
        "  detection lag ms (crossing batch sent → incident listed, {} of {} bursts seen): p50 {}  p99 {}  max {}",
        lags.len(),
        crossings.len(),
        fmt_ms(lag.p50),
        fmt_ms(lag.p99),
        fmt_ms(lag.max)
    ));
    if let (Some(per_event), Some(seconds)) = (cpu_us_per_event, server_cpu_seconds) {
        outcome.say(format!(
            "  server CPU: {per_event:.0} µs per event ({:.0} % of one core; PostgreSQL's backends not counted)",
            seconds * 100.0 / elapsed.as_secs_f64().max(1e-9)
        ));
    }
    if poll_errors > 0 {
        outcome.say(format!("  the poller saw {poll_errors} failed reads"));
    }
    verify(&mut outcome, &api, &fixture.locations, &crossings, &total).await?;
    let target_rate = tills_total as f64 * 0.95;
    outcome.target(
        format!("{tills_total} tills × 1 event/s absorbed (≥ {target_rate:.0} events/s)"),
        per_second >= target_rate,
        format!("{per_second:.0} events/s"),
    );
    outcome.target(
        "incident detection lag p99 ≤ 2 s",
        lag.p99.is_some_and(|p99| p99 <= 2_000.0),
        format!("p99 {} ms", fmt_ms(lag.p99)),
    );
    outcome.rows.push(Row {
        workload: "telemetry".into(),
        backend: server.backend.clone(),
        requests: total.outcomes.total(),
        ok: total.outcomes.count(202),
        conflicts: total.outcomes.count(409),
        other_4xx: total.outcomes.count_range(400..500) - total.outcomes.count(409),
        server_errors: total.outcomes.count_range(500..600),
        transport_errors: total.outcomes.transport_total(),
        seconds: elapsed.as_secs_f64(),
        per_second,
        latency,
        notes: format!(
            "{tills_total} tills × 1 event/s; detection lag p50 {} / p99 {} ms over {} bursts{}",
            fmt_ms(lag.p50),
            fmt_ms(lag.p99),
            lags.len(),
            cpu_us_per_event.map(|us| format!("; server CPU {us:.0} µs/event")).unwrap_or_default()
        ),
    });
    Ok(outcome)
}

/// Registers `tills_per_store` tills at each store and plans what each sends: which stores
/// burst and when, and the lone declines and print failures of normal traffic.
async fn register_tills(api: &Api, locations: &[String], options: &TelemetryOptions) -> Result<Vec<Till>, String> {
    let mut rng = SplitMix::new(0x7E1E_3E7A);
    let seconds = options.duration.as_secs().max(1);
    let burst_stores = options.burst_stores.min(locations.len());
    let mut plans = Vec::new();
    for (store, location_id) in locations.iter().enumerate() {
        for t in 0..options.tills_per_store {
            let index = store * options.tills_per_store + t;
            let bursts = store < burst_stores && t == 0;
            // Between 10 % and 60 % of the run, so the burst and its lag fit inside it.
            let burst_at_second = bursts.then(|| seconds / 10 + rng.below((seconds / 2).max(1) as usize) as u64);
            // Normal traffic's declines and print failures: till 1 of every store sends two of
            // each at random seconds, below both rules (five declines, three print failures).
            let lone = |rng: &mut SplitMix| -> Vec<u64> {
                if t == 1 { (0..2).map(|_| rng.below(seconds as usize) as u64).collect() } else { Vec::new() }
            };
            let lone_declines = if store < burst_stores { Vec::new() } else { lone(&mut rng) };
            let lone_print_failures = lone(&mut rng);
            let spread = options.stores * options.tills_per_store;
            let phase = Duration::from_secs_f64(index as f64 / spread.max(1) as f64);
            plans.push((location_id.clone(), store, t, burst_at_second, lone_declines, lone_print_failures, phase));
        }
    }
    let mut tills = Vec::with_capacity(plans.len());
    for chunk in plans.chunks(SETUP_CONCURRENCY) {
        let posts = chunk.iter().map(|(location_id, store, t, ..)| {
            let body = json!({"location_id": location_id, "name": format!("Caja {} tienda {}", t + 1, store + 1)});
            async move { api.post("/pos/devices", &body).await }
        });
        for ((_, store, _, burst_at_second, lone_declines, lone_print_failures, phase), device) in
            chunk.iter().zip(futures::future::join_all(posts).await)
        {
            let device = device?;
            let device_id = device["id"].as_str().ok_or_else(|| format!("a device without id: {device}"))?.to_owned();
            tills.push(Till {
                store: *store,
                device_id,
                burst_at_second: *burst_at_second,
                lone_declines: lone_declines.clone(),
                lone_print_failures: lone_print_failures.clone(),
                phase: *phase,
            });
        }
    }
    Ok(tills)
}

/// What a till sends in second `second` of the run.
fn event_of(till: &Till, second: u64) -> (&'static str, Option<&'static str>) {
    let bursting = till.burst_at_second.is_some_and(|start| second >= start && second < start + BURST_DECLINES as u64);
    if bursting || till.lone_declines.contains(&second) {
        ("payment_declined", Some("05"))
    } else if till.lone_print_failures.contains(&second) {
        ("print_failed", Some("paper_out"))
    } else {
        ("heartbeat", None)
    }
}

/// One till: a batch of one event every second at its phase, until `duration` has passed.
async fn post_as_till(
    client: reqwest::Client,
    url: Arc<String>,
    token: Arc<String>,
    till: Till,
    started: Instant,
    duration: Duration,
) -> TillTally {
    let mut tally = TillTally::default();
    let mut declines_sent = 0usize;
    let mut second = 0u64;
    loop {
        let due = started + Duration::from_secs(second) + till.phase;
        if due.saturating_duration_since(started) >= duration {
            return tally;
        }
        tokio::time::sleep_until(due.into()).await;
        let (kind, code) = event_of(&till, second);
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or_default();
        let mut event = json!({"type": kind, "at": omnicanal_domain::time::rfc3339_utc(now_ms)});
        if let Some(code) = code {
            event["code"] = json!(code);
        }
        let body = json!({"device_id": till.device_id, "events": [event]}).to_string();
        let sent = Instant::now();
        tally.sent += 1;
        let answer = client
            .post(url.as_str())
            .bearer_auth(token.as_str())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        match answer {
            Ok(response) => {
                let status = response.status().as_u16();
                let text = response.text().await.unwrap_or_default();
                tally.latencies.record(sent.elapsed());
                tally.outcomes.status(status);
                if status == 202 {
                    tally.accepted += 1;
                } else if tally.problems.len() < 5 {
                    tally.problems.push(format!("{}: {status} {text}", till.device_id));
                }
            }
            Err(error) => {
                tally.latencies.record(sent.elapsed());
                tally.outcomes.transport_error(&error);
            }
        }
        if kind == "payment_declined" && till.burst_at_second.is_some() {
            declines_sent += 1;
            if declines_sent == MIN_DECLINES {
                tally.crossing_sent = Some(sent);
            }
        }
        second += 1;
    }
}

/// Reads the open incidents every [`POLL_EVERY`] and notes when each store's first appeared;
/// returns how many reads failed.
async fn poll_incidents(
    api: Api,
    seen: Arc<Mutex<HashMap<String, Instant>>>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> u64 {
    let mut failed = 0u64;
    let mut ticker = tokio::time::interval(POLL_EVERY);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return failed,
        }
        match api.get(&format!("/support/incidents?status=open&per_page={PER_PAGE}")).await {
            Ok(page) => {
                let at = Instant::now();
                let Ok(mut seen) = seen.lock() else { return failed + 1 };
                for item in page["items"].as_array().into_iter().flatten() {
                    if let Some(location_id) = item["location_id"].as_str() {
                        seen.entry(location_id.to_owned()).or_insert(at);
                    }
                }
            }
            Err(_) => failed += 1,
        }
    }
}

/// Every event accepted, no 5xx, and one incident exactly for each burst store, of declines.
async fn verify(
    outcome: &mut Outcome,
    api: &Api,
    locations: &[String],
    crossings: &BTreeMap<usize, Instant>,
    total: &TillTally,
) -> Result<(), String> {
    for problem in &total.problems {
        outcome.say(format!("  problem: {problem}"));
    }
    let server_errors = total.outcomes.count_range(500..600);
    if server_errors > 0 {
        outcome.fail(format!("telemetry: {server_errors} answers were 5xx"));
    }
    if total.outcomes.transport_total() > 0 {
        outcome.fail(format!("telemetry: {} requests got no answer", total.outcomes.transport_total()));
    }
    if total.accepted != total.sent {
        outcome.fail(format!("telemetry: {} of {} events were not accepted", total.sent - total.accepted, total.sent));
    }
    // Every incident ever opened, not only the open ones: none may be at a calm store.
    let mut by_store: HashMap<String, Vec<String>> = HashMap::new();
    let mut page = 1;
    loop {
        let listed = api.get(&format!("/support/incidents?per_page={PER_PAGE}&page={page}")).await?;
        let items = listed["items"].as_array().cloned().unwrap_or_default();
        for item in &items {
            let location_id = item["location_id"].as_str().unwrap_or_default().to_owned();
            by_store.entry(location_id).or_default().push(item["cause"].as_str().unwrap_or_default().to_owned());
        }
        if items.len() < PER_PAGE {
            break;
        }
        page += 1;
    }
    let burst_locations: Vec<&String> = crossings.keys().map(|store| &locations[*store]).collect();
    let calm_with_incidents: Vec<String> = by_store
        .iter()
        .filter(|(location_id, _)| !burst_locations.contains(location_id))
        .map(|(location_id, causes)| format!("{location_id}: {}", causes.join(", ")))
        .collect();
    let wrong_bursts: Vec<String> = burst_locations
        .iter()
        .filter(|location_id| {
            by_store.get(location_id.as_str()).map(Vec::as_slice) != Some(&["payment_declines".to_owned()][..])
        })
        .map(|location_id| format!("{location_id}: {:?}", by_store.get(location_id.as_str())))
        .collect();
    if calm_with_incidents.is_empty() && wrong_bursts.is_empty() {
        outcome.say(format!(
            "  correctness: one payment_declines incident at each of the {} burst stores, none at the {} others",
            burst_locations.len(),
            locations.len() - burst_locations.len()
        ));
    } else {
        if !calm_with_incidents.is_empty() {
            outcome.fail(format!(
                "telemetry: {} stores without a burst have incidents, e.g. {}",
                calm_with_incidents.len(),
                calm_with_incidents.iter().take(3).cloned().collect::<Vec<_>>().join("; ")
            ));
        }
        if !wrong_bursts.is_empty() {
            outcome.fail(format!(
                "telemetry: {} burst stores do not have exactly one declines incident, e.g. {}",
                wrong_bursts.len(),
                wrong_bursts.iter().take(3).cloned().collect::<Vec<_>>().join("; ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn till(burst_at_second: Option<u64>) -> Till {
        Till {
            store: 0,
            device_id: "dev".into(),
            burst_at_second,
            lone_declines: vec![3],
            lone_print_failures: vec![4],
            phase: Duration::ZERO,
        }
    }

    #[test]
    fn a_burst_is_consecutive_declines_and_normal_traffic_is_mostly_heartbeats() {
        let bursting = till(Some(10));
        let kinds: Vec<&str> = (9..20).map(|second| event_of(&bursting, second).0).collect();
        assert_eq!(kinds.iter().filter(|kind| **kind == "payment_declined").count(), BURST_DECLINES);
        assert_eq!(kinds[0], "heartbeat");
        let calm = till(None);
        assert_eq!(event_of(&calm, 3).0, "payment_declined");
        assert_eq!(event_of(&calm, 4).0, "print_failed");
        assert_eq!(event_of(&calm, 5).0, "heartbeat");
    }
}
