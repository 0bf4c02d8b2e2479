//! Workload (a), hot SKU: many buyers race for the few units of one SKU.
//!
//! `buyers` requests for one unit each go out over at most `connections` connections
//! at once. Exactly `units` must be accepted (201), the rest refused with 409, none
//! may fail with 5xx, and the ledger must then show `reserved = units`.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::Value;

use crate::api::{Api, http_client, order_body, setup, unique_prefix};
use crate::report::Outcome;
use crate::server::Server;
use crate::stats::{Latencies, Outcomes, Row, listen_overflows, ms};

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

/// The drain-time target of the project's issue.
const DRAIN_TARGET: Duration = Duration::from_secs(1);

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
    let url = format!("{}/api/v1/orders", server.base_url);
    if options.warm {
        warm_up(&client, &server.base_url, options.connections).await;
    }

    let overflows_before = listen_overflows();
    let started = Instant::now();
    let answers: Vec<Answer> = futures::stream::iter(0..options.buyers)
        .map(|_| {
            let request = client.post(&url).header("content-type", "application/json").body(body.clone());
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

    let mut outcomes = Outcomes::default();
    let mut latencies = Latencies::new();
    let mut order_ids = HashSet::new();
    let mut conflict_codes: BTreeMap<String, u64> = BTreeMap::new();
    let mut server_error_samples = Vec::new();
    for answer in &answers {
        latencies.record(answer.latency);
        match (answer.status, &answer.error) {
            (Some(status), _) => {
                outcomes.status(status);
                let parsed: Value = serde_json::from_str(&answer.body).unwrap_or_default();
                if status == 201 {
                    if let Some(id) = parsed["id"].as_str() {
                        order_ids.insert(id.to_owned());
                    }
                } else if status == 409 {
                    let code = parsed["code"].as_str().unwrap_or("?").to_owned();
                    *conflict_codes.entry(code).or_default() += 1;
                } else if status >= 500 && server_error_samples.len() < 3 {
                    server_error_samples.push(format!("{status}: {}", answer.body));
                }
            }
            (None, Some(error)) => outcomes.transport_error(error),
            (None, None) => {}
        }
    }
    let accepted = outcomes.count(201);
    let conflicts = outcomes.count(409);
    let server_errors = outcomes.count_range(500..600);
    let (on_hand, reserved, available) = api.stock_level(&item.location_id, &item.sku).await?;

    let mut outcome = Outcome::default();
    let units = u64::try_from(options.units).unwrap_or(0);
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
        conflict_codes.iter().map(|(code, n)| format!("{code}×{n}")).collect::<Vec<_>>().join(" "),
        ms(drain)
    ));
    let summary = latencies.summary();
    outcome.say(format!(
        "  latency ms: p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        summary.p50.unwrap_or_default(),
        summary.p90.unwrap_or_default(),
        summary.p99.unwrap_or_default(),
        summary.max.unwrap_or_default()
    ));
    outcome.say(format!("  ledger after: on_hand {on_hand}, reserved {reserved}, available {available}"));
    if let Some(overflows) = overflows {
        outcome.say(format!(
            "  kernel listen-queue overflows during the burst: {overflows}{}",
            if options.warm {
                " (connections opened before the timed phase)"
            } else {
                " (cold: every connection opened in the burst)"
            }
        ));
    }
    for sample in &server_error_samples {
        outcome.say(format!("  5xx sample: {sample}"));
    }

    if accepted != units {
        outcome.fail(format!("hot-sku accepted {accepted} orders for {units} units"));
    }
    if usize::try_from(accepted).unwrap_or(0) != order_ids.len() {
        outcome.fail(format!("hot-sku: {accepted} answers 201 but {} distinct order ids", order_ids.len()));
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
    let zero_oversell = accepted <= units && reserved <= options.units;
    let met = drain < DRAIN_TARGET && zero_oversell && server_errors == 0;
    outcome.target(
        "hot SKU drained < 1 s, zero oversell, zero 5xx",
        met,
        format!("{:.0} ms, accepted {accepted}/{units}, reserved {reserved}, 5xx {server_errors}", ms(drain)),
    );
    outcome.rows.push(Row {
        workload: "hot-sku".into(),
        backend: server.backend.clone(),
        requests: outcomes.total(),
        ok: accepted,
        conflicts,
        other_4xx: outcomes.count_range(400..500) - conflicts,
        server_errors,
        transport_errors: outcomes.transport_total(),
        seconds: drain.as_secs_f64(),
        per_second: outcomes.total() as f64 / drain.as_secs_f64().max(1e-9),
        latency: summary,
        notes: format!(
            "{} buyers / {} {} conns for {units} units; reserved after = {reserved}; listen overflows {}; drain {:.0} ms (target < 1000: {})",
            options.buyers,
            options.connections,
            if options.warm { "warm" } else { "cold" },
            overflows.map(|n| n.to_string()).unwrap_or_else(|| "?".into()),
            ms(drain),
            if met { "met" } else { "NOT met" }
        ),
    });
    Ok(outcome)
}
