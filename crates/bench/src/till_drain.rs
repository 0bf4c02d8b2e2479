//! Workload till-drain (issue 14): `tills` tills come back online at once, each holding
//! `sales` offline sales in its queue, and drain them all concurrently.
//!
//! Each till sends its queue one sale after another in receipt order (as a real drained queue
//! does) and, for a `resend_fraction` of its sales, sends an already-sent sale again with the
//! same id and body, as a till does when an answer was lost. A few SKUs are stocked short on
//! purpose, so some offline sales must be recorded anyway and open stock conflicts.
//!
//! Reports the time to drain, new sales per second, request latency and server CPU per sale.
//! Afterwards every sale must have arrived exactly once: each till's receipt series ends at
//! `sales` with no gaps and no duplicates, each session counts `sales` sales, every resend was
//! answered with the first answer, and the location holds as many stock conflicts as the
//! first answers reported. Any difference fails the run.
//!
//! Phases, in order: [`set_up`] (location, SKUs, tills, open sessions), [`build_queues`] (off
//! the clock), [`drain`] with one task per [`till`], then [`verify`], the summary and the row.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::api::{Api, Item, MAX_MOVEMENT, UNIT_PRICE_CLP, http_client, setup, unique_prefix};
use crate::mixed::SplitMix;
use crate::report::Outcome;
use crate::server::Server;
use crate::stats::{Latencies, Outcomes, Row, Summary};

/// Settings of the till-drain workload.
#[derive(Debug, Clone)]
pub struct TillDrainOptions {
    /// Tills draining at the same time.
    pub tills: usize,
    /// Offline sales queued on each till.
    pub sales: usize,
    /// Lines per sale (distinct SKUs, 1 or 2 units each).
    pub lines: usize,
    /// Share of sales sent a second time (same id, same body) after their first answer.
    pub resend_fraction: f64,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// SKUs the location sells.
const SKUS: usize = 20;
/// Of which the first few hold only [`SHORT_STOCK`] units, so the offline sales run them dry.
const SHORT_SKUS: usize = 2;
/// Units of each short SKU.
const SHORT_STOCK: i64 = 10;
/// Times a sale that got no answer is sent again before the till gives up on it.
const MAX_RETRIES: usize = 3;
/// Most rows one page of a listing holds.
const PAGE: usize = 500;

/// One till as set up: its device, series and open session.
#[derive(Debug, Clone)]
struct Till {
    device_id: String,
    series: String,
    session_id: String,
}

/// One queued sale: its device-made id and the exact body the till sends (every time).
#[derive(Debug, Clone)]
struct Queued {
    id: String,
    receipt_number: String,
    body: String,
}

/// What one till (or all of them, merged) saw.
#[derive(Default)]
struct TillTally {
    /// Every answer, first sends and resends alike.
    outcomes: Outcomes,
    /// Latency of each first send (the sale's own drain step).
    first: Latencies,
    /// Latency of each resend.
    resent: Latencies,
    /// Sales answered 201.
    created: u64,
    /// Resends answered 200 with the first answer.
    replayed: u64,
    /// Resends sent (deliberate ones, not retries after no answer).
    resends: u64,
    /// Retries after no answer.
    retries: u64,
    /// Sales whose 201 reported at least one stock conflict, and the conflicts reported.
    sales_with_conflicts: u64,
    conflicts: u64,
    /// Units sold, by SKU index.
    units: Vec<i64>,
    /// Problems seen (wrong status, a replay that differs, an answer for another sale), a few.
    problems: Vec<String>,
    problem_count: u64,
}

impl TillTally {
    fn problem(&mut self, text: String) {
        self.problem_count += 1;
        if self.problems.len() < 5 {
            self.problems.push(text);
        }
    }

    fn absorb(&mut self, other: TillTally) {
        self.outcomes.merge(&other.outcomes);
        self.first.merge(&other.first);
        self.resent.merge(&other.resent);
        self.created += other.created;
        self.replayed += other.replayed;
        self.resends += other.resends;
        self.retries += other.retries;
        self.sales_with_conflicts += other.sales_with_conflicts;
        self.conflicts += other.conflicts;
        if self.units.len() < other.units.len() {
            self.units.resize(other.units.len(), 0);
        }
        for (index, units) in other.units.iter().enumerate() {
            self.units[index] += units;
        }
        self.problem_count += other.problem_count;
        for problem in other.problems {
            if self.problems.len() < 5 {
                self.problems.push(problem);
            }
        }
    }
}

/// The timed phase, merged over every till.
struct Drained {
    total: TillTally,
    elapsed: Duration,
    /// CPU seconds the server process used during the phase, when the harness started it.
    server_cpu_seconds: Option<f64>,
}

impl Drained {
    /// Server CPU milliseconds per recorded sale.
    fn server_cpu_ms_per_sale(&self) -> Option<f64> {
        let created = self.total.created;
        self.server_cpu_seconds.filter(|_| created > 0).map(|seconds| seconds * 1_000.0 / created as f64)
    }

    fn sales_per_second(&self) -> f64 {
        self.total.created as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Runs the workload against `server`.
pub async fn run(server: &Server, options: &TillDrainOptions) -> Result<Outcome, String> {
    let client = http_client(options.tills + 4, options.timeout)?;
    let api = Api::login(client.clone(), &server.base_url, &server.admin_email, &server.admin_password).await?;
    let set_up_started = Instant::now();
    let prefix = unique_prefix("till");
    let (location_id, items, tills) = set_up(&api, &prefix, options).await?;
    let set_up_took = set_up_started.elapsed();
    let queues = build_queues(&prefix, &tills, &items, options);
    let drained = drain(&api, server, options, queues).await?;
    let latency = drained.total.first.clone().summary();
    let mut outcome = Outcome::default();
    say_summary(&mut outcome, server, options, &drained, &latency, set_up_took);
    verify(&mut outcome, &api, options, &location_id, &tills, &drained).await?;
    outcome.rows.push(table_row(server, options, &drained, latency));
    Ok(outcome)
}

/// A location with [`SKUS`] stock-tracked SKUs (the first [`SHORT_SKUS`] short), and `tills`
/// registered tills each with an open session.
async fn set_up(api: &Api, prefix: &str, options: &TillDrainOptions) -> Result<(String, Vec<Item>, Vec<Till>), String> {
    let fixture = setup(api, prefix, 1, SKUS, 0).await?;
    let location_id = fixture.locations.first().cloned().ok_or("the fixture has no location")?;
    // Plenty: every sale could take two units of each of its lines from one SKU.
    let ample = i64::try_from(options.tills * options.sales * options.lines * 2 + 100).unwrap_or(i64::MAX);
    for (index, item) in fixture.items.iter().enumerate() {
        let mut left = if index < SHORT_SKUS { SHORT_STOCK } else { ample };
        while left > 0 {
            let delta = left.min(MAX_MOVEMENT);
            api.post(
                "/stock/movements",
                &json!({"sku": item.sku, "location_id": location_id, "delta": delta, "reason": "receipt"}),
            )
            .await?;
            left -= delta;
        }
    }
    let mut tills = Vec::with_capacity(options.tills);
    for t in 0..options.tills {
        let device =
            api.post("/pos/devices", &json!({"location_id": location_id, "name": format!("Caja {}", t + 1)})).await?;
        let text = |value: &Value, field: &str| {
            value[field].as_str().map(str::to_owned).ok_or_else(|| format!("answer without {field}: {value}"))
        };
        let device_id = text(&device, "id")?;
        let series = text(&device, "receipt_series")?;
        let session = api
            .post(
                "/pos/sessions",
                &json!({"device_id": device_id, "opening_float": {"amount": 50_000, "currency": "CLP"}}),
            )
            .await?;
        tills.push(Till { device_id, series, session_id: text(&session, "id")? });
    }
    Ok((location_id, fixture.items, tills))
}

/// Every till's queue: `sales` offline sales numbered 1.. in its own series, sold one
/// millisecond apart from now on; one in five paid on a stand-alone card terminal (`external_card`: the
/// till's own terminal needs the network), the others in cash with change.
fn build_queues(prefix: &str, tills: &[Till], items: &[Item], options: &TillDrainOptions) -> Vec<(Till, Vec<Queued>)> {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    let lines = options.lines.clamp(1, items.len().max(1));
    tills
        .iter()
        .enumerate()
        .map(|(t, till)| {
            let mut rng = SplitMix::new(0x7111 ^ (t as u64).wrapping_mul(0x9E37_79B9));
            let queue = (1..=options.sales)
                .map(|n| {
                    let mut picked: Vec<usize> = Vec::with_capacity(lines);
                    while picked.len() < lines {
                        let index = rng.below(items.len());
                        if !picked.contains(&index) {
                            picked.push(index);
                        }
                    }
                    let lines: Vec<(usize, i64)> =
                        picked.into_iter().map(|index| (index, 1 + i64::try_from(rng.below(2)).unwrap_or(0))).collect();
                    let total: i64 = lines.iter().map(|(_, quantity)| quantity * UNIT_PRICE_CLP).sum();
                    let payment = if n % 5 == 0 {
                        json!({"method": "external_card", "amount": {"amount": total, "currency": "CLP"}, "reference": format!("voucher {n}")})
                    } else {
                        let tendered = (total / 10_000 + 1) * 10_000;
                        json!({"method": "cash", "amount": {"amount": total, "currency": "CLP"},
                               "tendered": {"amount": tendered, "currency": "CLP"}})
                    };
                    let id = format!("{prefix}-t{t}-{n}");
                    let receipt_number = format!("{}-{n}", till.series);
                    let sold_at_ms = now_ms + i64::try_from(n).unwrap_or(0);
                    let body = json!({
                        "id": id,
                        "session_id": till.session_id,
                        "receipt_number": receipt_number,
                        "sold_at": omnicanal_domain::time::rfc3339_utc(sold_at_ms),
                        "offline": true,
                        "lines": lines.iter().map(|(index, quantity)| json!({"sku": items[*index].sku, "quantity": quantity})).collect::<Vec<_>>(),
                        "payments": [payment],
                    });
                    Queued { id, receipt_number, body: body.to_string() }
                })
                .collect();
            (till.clone(), queue)
        })
        .collect()
}

/// Starts every till's drain at once and waits for all of them.
async fn drain(
    api: &Api,
    server: &Server,
    options: &TillDrainOptions,
    queues: Vec<(Till, Vec<Queued>)>,
) -> Result<Drained, String> {
    let url = Arc::new(format!("{}/api/v1/pos/sales", server.base_url));
    let token = Arc::new(api.token.clone());
    let cpu_before = server.cpu_seconds();
    let started = Instant::now();
    let tasks: Vec<_> = queues
        .into_iter()
        .enumerate()
        .map(|(t, (_, queue))| {
            tokio::spawn(till(t, api.client.clone(), url.clone(), token.clone(), queue, options.resend_fraction, SKUS))
        })
        .collect();
    let mut total = TillTally::default();
    for task in tasks {
        total.absorb(task.await.map_err(|e| format!("a till task failed: {e}"))?);
    }
    let elapsed = started.elapsed();
    let server_cpu_seconds = server.cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    Ok(Drained { total, elapsed, server_cpu_seconds })
}

/// One answer to a `POST /pos/sales`, after retries when there was none.
enum Answer {
    Got(u16, Value),
    Nothing(String),
}

/// Sends `body`, again up to [`MAX_RETRIES`] times while no answer comes (the till cannot know
/// whether the server kept it, so it resends the same id: exactly the dedup under test).
async fn send(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: &str,
    tally: &mut TillTally,
    latencies: Latencies,
) -> (Answer, Latencies) {
    let mut latencies = latencies;
    let mut last_error = String::new();
    for attempt in 0..=MAX_RETRIES {
        if attempt > 0 {
            tally.retries += 1;
        }
        let sent = Instant::now();
        let answer = client
            .post(url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await;
        match answer {
            Ok(response) => {
                let status = response.status().as_u16();
                let bytes = response.bytes().await;
                latencies.record(sent.elapsed());
                match bytes {
                    Ok(bytes) => {
                        tally.outcomes.status(status);
                        return (Answer::Got(status, serde_json::from_slice(&bytes).unwrap_or_default()), latencies);
                    }
                    Err(error) => {
                        tally.outcomes.transport_error(&error);
                        last_error = error.to_string();
                    }
                }
            }
            Err(error) => {
                latencies.record(sent.elapsed());
                tally.outcomes.transport_error(&error);
                last_error = error.to_string();
            }
        }
    }
    (Answer::Nothing(last_error), latencies)
}

/// One till draining its queue in receipt order; after some sales it resends an
/// already-answered one and expects the first answer back, unchanged, with 200.
async fn till(
    t: usize,
    client: reqwest::Client,
    url: Arc<String>,
    token: Arc<String>,
    queue: Vec<Queued>,
    resend_fraction: f64,
    skus: usize,
) -> TillTally {
    let mut rng = SplitMix::new(0xD4A1 ^ (t as u64).wrapping_mul(0x1000_0001));
    let mut tally = TillTally { units: vec![0; skus], ..TillTally::default() };
    // The first answer of each sale sent so far (None when it never got a 201).
    let mut first_answers: Vec<Option<Value>> = Vec::with_capacity(queue.len());
    let threshold = (resend_fraction.clamp(0.0, 1.0) * 1_000_000.0) as usize;
    for sale in &queue {
        let latencies = std::mem::take(&mut tally.first);
        let (answer, latencies) = send(&client, &url, &token, &sale.body, &mut tally, latencies).await;
        tally.first = latencies;
        match answer {
            // A retry after a lost answer may meet the kept sale: 200 then.
            Answer::Got(status @ (200 | 201), value) if value["id"] == sale.id.as_str() => {
                if status == 201 {
                    tally.created += 1;
                } else {
                    // The first send was kept although its answer was lost: still one sale.
                    tally.created += 1;
                }
                if value["receipt_number"] != sale.receipt_number.as_str() {
                    tally.problem(format!("sale {} answered with receipt {}", sale.id, value["receipt_number"]));
                }
                let conflicts = value["conflicts"].as_array().map(Vec::len).unwrap_or(0) as u64;
                if conflicts > 0 {
                    tally.sales_with_conflicts += 1;
                    tally.conflicts += conflicts;
                }
                first_answers.push(Some(value));
            }
            Answer::Got(status, value) => {
                tally.problem(format!("sale {}: {status} {value}", sale.id));
                first_answers.push(None);
            }
            Answer::Nothing(error) => {
                tally.problem(format!("sale {}: no answer after {MAX_RETRIES} retries: {error}", sale.id));
                first_answers.push(None);
            }
        }
        if rng.below(1_000_000) < threshold {
            let index = rng.below(first_answers.len());
            let again = &queue[index];
            tally.resends += 1;
            let latencies = std::mem::take(&mut tally.resent);
            let (answer, latencies) = send(&client, &url, &token, &again.body, &mut tally, latencies).await;
            tally.resent = latencies;
            match (answer, &first_answers[index]) {
                (Answer::Got(200, value), Some(first)) if &value == first => tally.replayed += 1,
                (Answer::Got(status, value), first) => tally.problem(format!(
                    "resend of {}: {status} {value}, first answer {}",
                    again.id,
                    first.as_ref().map(Value::to_string).unwrap_or_else(|| "none".into())
                )),
                (Answer::Nothing(error), _) => tally.problem(format!("resend of {}: no answer: {error}", again.id)),
            }
        }
    }
    tally
}

fn say_summary(
    outcome: &mut Outcome,
    server: &Server,
    options: &TillDrainOptions,
    drained: &Drained,
    latency: &Summary,
    set_up_took: Duration,
) {
    let total = &drained.total;
    outcome.say(format!(
        "till-drain [{}]: {} tills × {} offline sales, {} lines each, {:.0} % resent (set-up {:.1} s)",
        server.backend,
        options.tills,
        options.sales,
        options.lines,
        options.resend_fraction * 100.0,
        set_up_took.as_secs_f64()
    ));
    outcome.say(format!(
        "  drained in {:.2} s: {} sales recorded = {:.0} sales/s; answers {}",
        drained.elapsed.as_secs_f64(),
        total.created,
        drained.sales_per_second(),
        total.outcomes.describe()
    ));
    outcome.say(format!(
        "  sale latency ms: p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        latency.p50.unwrap_or_default(),
        latency.p90.unwrap_or_default(),
        latency.p99.unwrap_or_default(),
        latency.max.unwrap_or_default()
    ));
    let resent = total.resent.clone().summary();
    outcome.say(format!(
        "  resends: {} sent, {} answered with the first answer (p50 {:.1} ms, p99 {:.1} ms); {} retries after no answer",
        total.resends,
        total.replayed,
        resent.p50.unwrap_or_default(),
        resent.p99.unwrap_or_default(),
        total.retries
    ));
    outcome.say(format!(
        "  {} sales met short stock ({} stock conflicts reported)",
        total.sales_with_conflicts, total.conflicts
    ));
    if let (Some(per_sale), Some(seconds)) = (drained.server_cpu_ms_per_sale(), drained.server_cpu_seconds) {
        outcome.say(format!(
            "  server CPU: {per_sale:.2} ms per sale ({:.0} % of one core; PostgreSQL's backends not counted)",
            seconds * 100.0 / drained.elapsed.as_secs_f64().max(1e-9)
        ));
    }
}

/// Exactly once, seen from the server: every till's receipts, every session's count, the
/// location's conflicts; and, from the answers, every sale created once and every resend replayed.
async fn verify(
    outcome: &mut Outcome,
    api: &Api,
    options: &TillDrainOptions,
    location_id: &str,
    tills: &[Till],
    drained: &Drained,
) -> Result<(), String> {
    let total = &drained.total;
    let expected = (options.tills * options.sales) as u64;
    for problem in &total.problems {
        outcome.say(format!("  problem: {problem}"));
    }
    if total.problem_count > 0 {
        outcome.fail(format!("till-drain: {} sales or resends were not answered as expected", total.problem_count));
    }
    let server_errors = total.outcomes.count_range(500..600);
    if server_errors > 0 {
        outcome.fail(format!("till-drain: {server_errors} answers were 5xx"));
    }
    if total.outcomes.transport_total() > 0 {
        outcome.fail(format!("till-drain: {} requests got no answer", total.outcomes.transport_total()));
    }
    if total.created != expected {
        outcome.fail(format!("till-drain: {} sales were answered as recorded, {expected} were sent", total.created));
    }
    let mut wrong_receipts = Vec::new();
    let mut counted: i64 = 0;
    for till in tills {
        let receipts = api.get(&format!("/pos/devices/{}/receipts", till.device_id)).await?;
        let gaps = receipts["gap_count"].as_u64().unwrap_or(u64::MAX);
        let duplicates = receipts["duplicates"].as_array().map(Vec::len).unwrap_or(usize::MAX);
        if receipts["last_number"].as_u64() != Some(options.sales as u64) || gaps != 0 || duplicates != 0 {
            wrong_receipts.push(format!("{}: {receipts}", till.series));
        }
        let session = api.get(&format!("/pos/sessions/{}", till.session_id)).await?;
        let sales = session["sales_count"].as_i64().unwrap_or(-1);
        let offline = session["offline_sales_count"].as_i64().unwrap_or(-1);
        if sales != options.sales as i64 || offline != options.sales as i64 {
            wrong_receipts.push(format!("session of {}: {sales} sales ({offline} offline)", till.series));
        }
        counted += sales.max(0);
    }
    if wrong_receipts.is_empty() {
        outcome.say(format!(
            "  exactly-once check: all {} tills end at receipt {} with no gaps and no duplicates; sessions count {counted} sales",
            tills.len(),
            options.sales
        ));
    } else {
        outcome.fail(format!(
            "till-drain: {} tills' receipts or sessions are wrong, e.g. {}",
            wrong_receipts.len(),
            wrong_receipts.iter().take(3).cloned().collect::<Vec<_>>().join("; ")
        ));
    }
    if counted != expected as i64 {
        outcome.fail(format!("till-drain: the sessions count {counted} sales, {expected} were queued"));
    }
    let conflicts = count_conflicts(api, location_id).await?;
    if conflicts == total.conflicts {
        outcome
            .say(format!("  conflicts check: the location holds the {conflicts} stock conflicts the answers reported"));
    } else {
        outcome.fail(format!(
            "till-drain: the location holds {conflicts} stock conflicts, the first answers reported {}",
            total.conflicts
        ));
    }
    Ok(())
}

/// Every stock conflict of the location, page by page.
async fn count_conflicts(api: &Api, location_id: &str) -> Result<u64, String> {
    let mut count = 0u64;
    loop {
        let page = api.get(&format!("/stock/conflicts?location_id={location_id}&limit={PAGE}&offset={count}")).await?;
        let rows = page.as_array().map(Vec::len).ok_or_else(|| format!("conflicts are not a list: {page}"))?;
        count += rows as u64;
        if rows < PAGE {
            return Ok(count);
        }
    }
}

fn table_row(server: &Server, options: &TillDrainOptions, drained: &Drained, latency: Summary) -> Row {
    let outcomes = &drained.total.outcomes;
    let conflicts = outcomes.count(409);
    Row {
        workload: "till-drain".into(),
        backend: server.backend.clone(),
        requests: outcomes.total(),
        ok: outcomes.count(201) + outcomes.count(200),
        conflicts,
        other_4xx: outcomes.count_range(400..500) - conflicts,
        server_errors: outcomes.count_range(500..600),
        transport_errors: outcomes.transport_total(),
        seconds: drained.elapsed.as_secs_f64(),
        per_second: drained.sales_per_second(),
        latency,
        notes: format!(
            "{}×{} offline sales, {} lines, {} resends replayed; {} sales short of stock{}",
            options.tills,
            options.sales,
            options.lines,
            drained.total.replayed,
            drained.total.sales_with_conflicts,
            drained.server_cpu_ms_per_sale().map(|ms| format!("; server CPU {ms:.2} ms/sale")).unwrap_or_default()
        ),
    }
}
