//! Workload (a), hot SKU: many buyers race for the few units of one SKU.
//!
//! `buyers` requests for one unit each go out over at most `connections` connections
//! at once. Exactly `units` must be accepted (201), the rest refused with 409, none
//! may fail with 5xx, and the ledger must then show `reserved = units`.
//!
//! Phases, in order: set up the fixture, warm the connections (with `--warm`), the timed
//! [`burst`], the [`tally`] of its answers, the ledger read, then the summary, failures, target
//! and table row.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::Value;

use crate::api::{Api, Fixture, Item, http_client, order_body, setup, unique_prefix};
use crate::report::Outcome;
use crate::server::Server;
use crate::stats::{Latencies, Outcomes, Row, Summary, listen_overflows, ms};

/// Settings of the hot-SKU workload.
#[derive(Debug, Clone)]
pub struct HotSkuOptions {
    /// Buyers, one request each.
    pub buyers: usize,
    /// Requests in flight at most (= connections).
    pub connections: usize,
    /// Units of the SKU in stock.
    pub units: i64,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Open the connections before the timed phase (measures the server's work
    /// without the burst of TCP connects that real buyers would bring).
    pub warm: bool,
}

/// The drain-time target of issue 20 (it was 1 s before).
const DRAIN_TARGET: Duration = Duration::from_millis(500);

/// One buyer's answer, timed.
struct Answer {
    status: Option<u16>,
    error: Option<reqwest::Error>,
    latency: Duration,
    finished: Instant,
    body: String,
}

/// Opens `connections` pooled connections with concurrent `GET /healthz` requests.
pub async fn warm_up(client: &reqwest::Client, base_url: &str, connections: usize) {
    let url = format!("{base_url}/healthz");
    futures::stream::iter(0..connections)
        .for_each_concurrent(connections.max(1), |_| {
            let request = client.get(&url);
            async move {
                if let Ok(response) = request.send().await {
                    let _ = response.bytes().await;
                }
            }
        })
        .await;
}

/// Runs the workload against `server`.
pub async fn run(server: &Server, options: &HotSkuOptions) -> Result<Outcome, String> {
    let client = http_client(options.connections, options.timeout)?;
    let api = Api::login(client.clone(), &server.base_url, &server.admin_email, &server.admin_password).await?;
    let fixture = setup(&api, &unique_prefix("hot"), 1, 1, options.units).await?;
    let item = fixture.items.first().ok_or("the fixture has no item")?.clone();
    let body = order_body(&fixture.site_id, &[(&item, 1)], "Hot buyer").to_string();
    if options.warm {
        warm_up(&client, &server.base_url, options.connections).await;
    }
    let burst = burst(&client, server, options, &body).await;
    let mut tally = tally(&burst.answers);
    let ledger = api.stock_level(&item.location_id, &item.sku).await?;
    let summary = tally.latencies.summary();
    let measured = Measured { burst, tally, ledger, summary };
    let mut outcome = Outcome::default();
    say_summary(&mut outcome, server, options, &fixture, &item, &measured);
    record_failures(&mut outcome, options, &measured);
    let met = record_target(&mut outcome, options, &measured);
    outcome.rows.push(table_row(server, options, &measured, met));
    Ok(outcome)
}

/// Everything the run measured, for the report.
struct Measured {
    burst: Burst,
    tally: Tally,
    /// The SKU's `(on_hand, reserved, available)` after the burst.
    ledger: (i64, i64, i64),
    /// Latency percentiles of every answer.
    summary: Summary,
}

/// The timed burst: every buyer's answer, how long until the last one, and the kernel's
/// listen-queue overflows meanwhile (when it tells).
struct Burst {
    answers: Vec<Answer>,
    drain: Duration,
    overflows: Option<u64>,
}

/// Sends one order per buyer, at most `connections` in flight, and waits for every answer.
async fn burst(client: &reqwest::Client, server: &Server, options: &HotSkuOptions, body: &str) -> Burst {
    let url = format!("{}/api/v1/orders", server.base_url);
    let overflows_before = listen_overflows();
    let started = Instant::now();
    let answers: Vec<Answer> = futures::stream::iter(0..options.buyers)
        .map(|_| {
            let request = client.post(&url).header("content-type", "application/json").body(body.to_owned());
            async move {
                let sent = Instant::now();
                match request.send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let body = response.text().await.unwrap_or_default();
                        Answer {
                            status: Some(status),
                            error: None,
                            latency: sent.elapsed(),
                            finished: Instant::now(),
                            body,
                        }
                    }
                    Err(error) => Answer {
                        status: None,
                        error: Some(error),
                        latency: sent.elapsed(),
                        finished: Instant::now(),
                        body: String::new(),
                    },
                }
            }
        })
        .buffer_unordered(options.connections.max(1))
        .collect()
        .await;
    let drain = answers.iter().map(|a| a.finished).max().map(|last| last - started).unwrap_or_default();
    let overflows = listen_overflows().zip(overflows_before).map(|(after, before)| after.saturating_sub(before));
    Burst { answers, drain, overflows }
}

/// The answers counted: by status, distinct order ids, 409 codes, and a few 5xx bodies.
struct Tally {
    outcomes: Outcomes,
    latencies: Latencies,
    order_ids: HashSet<String>,
    conflict_codes: BTreeMap<String, u64>,
    server_error_samples: Vec<String>,
}

fn tally(answers: &[Answer]) -> Tally {
    let mut tally = Tally {
        outcomes: Outcomes::default(),
        latencies: Latencies::new(),
        order_ids: HashSet::new(),
        conflict_codes: BTreeMap::new(),
        server_error_samples: Vec::new(),
    };
    for answer in answers {
        tally.latencies.record(answer.latency);
        match (answer.status, &answer.error) {
            (Some(status), _) => {
                tally.outcomes.status(status);
                let parsed: Value = serde_json::from_str(&answer.body).unwrap_or_default();
                if status == 201 {
                    if let Some(id) = parsed["id"].as_str() {
                        tally.order_ids.insert(id.to_owned());
                    }
                } else if status == 409 {
                    let code = parsed["code"].as_str().unwrap_or("?").to_owned();
                    *tally.conflict_codes.entry(code).or_default() += 1;
                } else if status >= 500 && tally.server_error_samples.len() < 3 {
                    tally.server_error_samples.push(format!("{status}: {}", answer.body));
                }
            }
            (None, Some(error)) => tally.outcomes.transport_error(error),
            (None, None) => {}
        }
    }
    tally
}

fn say_summary(
    outcome: &mut Outcome,
    server: &Server,
    options: &HotSkuOptions,
    fixture: &Fixture,
    item: &Item,
    measured: &Measured,
) {
    let (burst, tally, summary) = (&measured.burst, &measured.tally, &measured.summary);
    let (on_hand, reserved, available) = measured.ledger;
    let outcomes = &tally.outcomes;
    let (accepted, conflicts, server_errors) =
        (outcomes.count(201), outcomes.count(409), outcomes.count_range(500..600));
    outcome.say(format!(
        "hot-sku [{}]: {} buyers, {} connections, {} units of {} (set-up {:.1} s)",
        server.backend,
        options.buyers,
        options.connections,
        options.units,
        item.sku,
        fixture.took.as_secs_f64()
    ));
    outcome.say(format!(
        "  answers: {}; accepted {accepted}, 409 {conflicts} ({}), 5xx {server_errors}; drained in {:.0} ms",
        outcomes.describe(),
        tally.conflict_codes.iter().map(|(code, n)| format!("{code}×{n}")).collect::<Vec<_>>().join(" "),
        ms(burst.drain)
    ));
    outcome.say(format!(
        "  latency ms: p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        summary.p50.unwrap_or_default(),
        summary.p90.unwrap_or_default(),
        summary.p99.unwrap_or_default(),
        summary.max.unwrap_or_default()
    ));
    outcome.say(format!("  ledger after: on_hand {on_hand}, reserved {reserved}, available {available}"));
    if let Some(overflows) = burst.overflows {
        outcome.say(format!(
            "  kernel listen-queue overflows during the burst: {overflows}{}",
            if options.warm {
                " (connections opened before the timed phase)"
            } else {
                " (cold: every connection opened in the burst)"
            }
        ));
    }
    for sample in &tally.server_error_samples {
        outcome.say(format!("  5xx sample: {sample}"));
    }
}

fn record_failures(outcome: &mut Outcome, options: &HotSkuOptions, measured: &Measured) {
    let (tally, (on_hand, reserved, available)) = (&measured.tally, measured.ledger);
    let outcomes = &tally.outcomes;
    let (accepted, conflicts, server_errors) =
        (outcomes.count(201), outcomes.count(409), outcomes.count_range(500..600));
    let units = u64::try_from(options.units).unwrap_or(0);
    if accepted != units {
        outcome.fail(format!("hot-sku accepted {accepted} orders for {units} units"));
    }
    if usize::try_from(accepted).unwrap_or(0) != tally.order_ids.len() {
        outcome.fail(format!("hot-sku: {accepted} answers 201 but {} distinct order ids", tally.order_ids.len()));
    }
    if reserved != options.units || on_hand != options.units || available != 0 {
        outcome.fail(format!(
            "hot-sku ledger shows on_hand {on_hand} reserved {reserved} available {available}, expected {0}/{0}/0",
            options.units
        ));
    }
    if server_errors > 0 {
        outcome.fail(format!("hot-sku: {server_errors} answers were 5xx"));
    }
    if outcomes.transport_total() > 0 {
        outcome.fail(format!("hot-sku: {} requests got no answer", outcomes.transport_total()));
    }
    if accepted + conflicts != outcomes.total() {
        outcome.fail(format!("hot-sku: answers other than 201/409: {}", outcomes.describe()));
    }
}

/// Drained within the target, no oversell, no 5xx; returns whether it was met.
fn record_target(outcome: &mut Outcome, options: &HotSkuOptions, measured: &Measured) -> bool {
    let (burst, tally, (_, reserved, _)) = (&measured.burst, &measured.tally, measured.ledger);
    let (accepted, server_errors) = (tally.outcomes.count(201), tally.outcomes.count_range(500..600));
    let units = u64::try_from(options.units).unwrap_or(0);
    let zero_oversell = accepted <= units && reserved <= options.units;
    let met = burst.drain < DRAIN_TARGET && zero_oversell && server_errors == 0;
    outcome.target(
        "hot SKU drained < 1 s, zero oversell, zero 5xx",
        met,
        format!("{:.0} ms, accepted {accepted}/{units}, reserved {reserved}, 5xx {server_errors}", ms(burst.drain)),
    );
    met
}

fn table_row(server: &Server, options: &HotSkuOptions, measured: &Measured, met: bool) -> Row {
    let (burst, (_, reserved, _)) = (&measured.burst, measured.ledger);
    let (outcomes, drain) = (&measured.tally.outcomes, burst.drain);
    let (accepted, conflicts) = (outcomes.count(201), outcomes.count(409));
    let units = u64::try_from(options.units).unwrap_or(0);
    Row {
        workload: "hot-sku".into(),
        backend: server.backend.clone(),
        requests: outcomes.total(),
        ok: accepted,
        conflicts,
        other_4xx: outcomes.count_range(400..500) - conflicts,
        server_errors: outcomes.count_range(500..600),
        transport_errors: outcomes.transport_total(),
        seconds: drain.as_secs_f64(),
        per_second: outcomes.total() as f64 / drain.as_secs_f64().max(1e-9),
        latency: measured.summary,
        notes: format!(
            "{} buyers / {} {} conns for {units} units; reserved after = {reserved}; listen overflows {}; drain {:.0} ms (target < 500: {})",
            options.buyers,
            options.connections,
            if options.warm { "warm" } else { "cold" },
            burst.overflows.map(|n| n.to_string()).unwrap_or_else(|| "?".into()),
            ms(drain),
            if met { "met" } else { "NOT met" }
        ),
    }
}
