//! Workload (d), kitchen display: the merchant console's live display of one location
//! (issue #5), driven as its page drives the API.
//!
//! Set-up through the API as admin: a CLP site with two restaurants (one location each)
//! and a staff user of the first location, who signs in and runs the display. First
//! `backlog` orders fill the location's queue; then the display opens
//! `GET /api/v1/locations/{id}/events` (SSE, staff bearer) and, like
//! `assets/console-display.js`, refetches `GET /api/v1/locations/{id}/queue` on every
//! event (debounced 100 ms, one fetch at a time, once more if events came meanwhile).
//! While the queue holds more than `backlog` live parts, the staff rejects the oldest,
//! so the display keeps showing about `backlog` parts. Then `orders` orders with a part at
//! the location are placed at a steady `rate` (every second one also has a part at the
//! other restaurant), plus one order only at the other restaurant after every tenth,
//! which the display must never see.
//!
//! Per order with a part at the location: the time from its 201 to its `order.created` on
//! the location's stream (and from sending it), and from its 201 until a queue read that
//! lists it has arrived (what staff see). Every queue read is timed, and after the stream
//! `queue_reads` more are made one after another with no other load.
//!
//! The run goes in phases, each a function below in the order it runs: [`set_up`],
//! [`fill_backlog`], [`open_display`], [`stream_orders`], [`settle_and_stop`],
//! [`read_queue_idle`] and [`time_each_order`]; `display.rs` is the display's refetch loop and
//! `report.rs` turns the figures into the summary, failures, targets and table rows.

mod display;
mod report;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use self::display::{Display, DisplayLoop, Progress};
use crate::api::{Api, Fixture, Item, Placed, http_client, order_body, place_paced, setup, unique_prefix};
use crate::report::Outcome;
use crate::server::Server;
use crate::sse::open_sse;
use crate::stats::{Latencies, Outcomes};

/// Settings of the kitchen-display workload.
#[derive(Debug, Clone)]
pub struct KitchenOptions {
    /// Orders with a part at the display's location, placed at `rate`.
    pub orders: usize,
    /// Orders per second (control orders included).
    pub rate: f64,
    /// Live parts the queue holds: placed before the stream, and kept by rejecting the oldest.
    pub backlog: usize,
    /// Queue reads made one after another after the stream.
    pub queue_reads: usize,
    /// How long to wait for late events after the last order.
    pub settle: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// p99 from a 201 to its event on the location's stream (the propagation target).
pub(super) const EVENT_P99_TARGET_MS: f64 = 100.0;
/// Issue #5: "new orders appear within a second".
pub(super) const DISPLAY_P99_TARGET_MS: f64 = 1_000.0;
/// The display page's debounce between an event and its refetch (`refreshSoon(100)`).
pub(super) const DEBOUNCE: Duration = Duration::from_millis(100);
/// Password of the bench's staff user.
const STAFF_PASSWORD: &str = "bench-staff-password-2024";

/// Where an order has its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// One line at the display's location.
    Here,
    /// One line there and one at the other restaurant.
    HereAndElsewhere,
    /// Only at the other restaurant: must not reach the display.
    ElsewhereOnly,
}

/// Runs the workload against `server`.
pub async fn run(server: &Server, options: &KitchenOptions) -> Result<Outcome, String> {
    let kitchen = set_up(server, options).await?;
    let backlog_took = fill_backlog(server, &kitchen, options.backlog).await?;
    let live = open_display(server, &kitchen, options.backlog).await?;
    // Let the backlog's events (sent before the stream opened, so not replayed) settle.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stream = stream_orders(server, &kitchen, options).await?;
    let watched = settle_and_stop(live, &stream, options).await?;
    let idle = read_queue_idle(server, &kitchen, options.queue_reads).await;
    let timings = time_each_order(&stream, &watched.seen);
    let figures = report::Figures { setup_took: kitchen.fixture.took, backlog_took, stream, watched, idle, timings };
    Ok(report::report(&server.backend, options, figures))
}

/// What set-up leaves for the run: a site with two restaurants, and staff of the first.
struct Kitchen {
    client: reqwest::Client,
    fixture: Fixture,
    /// The display's location.
    here: String,
    items_here: Vec<Item>,
    items_elsewhere: Vec<Item>,
    /// Staff of `here`, signed in: the display's user.
    staff: Api,
}

/// Set-up through the API as admin: the fixture, and a staff user of the first location.
async fn set_up(server: &Server, options: &KitchenOptions) -> Result<Kitchen, String> {
    let client = http_client(64, options.timeout)?;
    let admin = Api::login(client.clone(), &server.base_url, &server.admin_email, &server.admin_password).await?;
    let prefix = unique_prefix("kds");
    let fixture = setup(&admin, &prefix, 2, 10, 1_000_000).await?;
    let (here, merchant) = match (fixture.locations.first(), fixture.merchants.first()) {
        (Some(here), Some(merchant)) => (here.clone(), merchant.clone()),
        _ => return Err("the fixture has no location".into()),
    };
    let (items_here, items_elsewhere): (Vec<Item>, Vec<Item>) =
        fixture.items.iter().cloned().partition(|item| item.location_id == here);
    if items_here.is_empty() || items_elsewhere.is_empty() {
        return Err("the fixture needs items at two locations".into());
    }
    let staff_email = format!("cocina.{prefix}@bench.example.com");
    admin
        .post(
            "/users",
            &json!({"email": staff_email, "password": STAFF_PASSWORD, "role": "staff", "merchant_id": merchant, "location_id": here}),
        )
        .await?;
    let staff = Api::login(client.clone(), &server.base_url, &staff_email, STAFF_PASSWORD).await?;
    Ok(Kitchen { client, fixture, here, items_here, items_elsewhere, staff })
}

/// Places the backlog: live parts already on the display when the stream starts. Returns how
/// long that took.
async fn fill_backlog(server: &Server, kitchen: &Kitchen, backlog: usize) -> Result<Duration, String> {
    let started = Instant::now();
    let items = &kitchen.items_here;
    let orders: Vec<((), Value)> = (0..backlog)
        .map(|i| ((), order_body(&kitchen.fixture.site_id, &[(&items[i % items.len()], 1)], "Cliente en cola")))
        .collect();
    let (placed, _) = place_paced(&kitchen.client, &server.base_url, orders, 200.0).await?;
    let refused = placed.iter().filter(|order| !matches!(order.answer, Ok((201, _)))).count();
    if refused > 0 {
        return Err(format!("{refused} of the {backlog} backlog orders were not accepted"));
    }
    Ok(started.elapsed())
}

/// The display while it runs: its stream, its refetch loop, and how to stop both.
struct LiveDisplay {
    stop: watch::Sender<bool>,
    /// Ends with why the stream ended early, if it did.
    stream: JoinHandle<Option<String>>,
    display: JoinHandle<Display>,
    progress: Arc<Progress>,
}

/// Opens the location's stream as staff and starts the display's refetch loop on it.
async fn open_display(server: &Server, kitchen: &Kitchen, backlog: usize) -> Result<LiveDisplay, String> {
    let here = &kitchen.here;
    let (stop, stop_rx) = watch::channel(false);
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let progress = Arc::new(Progress::default());
    let stream = open_sse(
        &format!("{}/api/v1/locations/{here}/events", server.base_url),
        &kitchen.staff.token,
        stop_rx.clone(),
        {
            move |event, at| {
                let _ = event_tx.send((event, at));
            }
        },
    )
    .await?;
    let display =
        DisplayLoop::new(kitchen.staff.clone(), format!("/locations/{here}/queue"), backlog, progress.clone());
    let display = tokio::spawn(display.run(event_rx, stop_rx));
    Ok(LiveDisplay { stop, stream, display, progress })
}

/// One accepted order with a part at the display's location.
struct AcceptedOrder {
    id: String,
    sent: Instant,
    /// When its 201 arrived.
    answered: Instant,
}

/// The paced orders and how the server answered them.
struct OrderStream {
    /// Orders sent, control orders included.
    sent: usize,
    /// How long sending and answering took in all.
    placing: Duration,
    outcomes: Outcomes,
    /// Send → status, every order.
    latency: Latencies,
    here: Vec<AcceptedOrder>,
    /// Ids of accepted orders only at the other restaurant.
    elsewhere: Vec<String>,
}

/// Places the measured orders at a steady rate and tallies the answers.
async fn stream_orders(server: &Server, kitchen: &Kitchen, options: &KitchenOptions) -> Result<OrderStream, String> {
    let orders = kitchen_orders(kitchen, options.orders);
    let sent = orders.len();
    let (placed, placing) = place_paced(&kitchen.client, &server.base_url, orders, options.rate).await?;
    let mut stream = OrderStream {
        sent,
        placing,
        outcomes: Outcomes::default(),
        latency: Latencies::new(),
        here: Vec::new(),
        elsewhere: Vec::new(),
    };
    for order in &placed {
        tally(&mut stream, order);
    }
    Ok(stream)
}

/// `count` orders with a part here (every second one also elsewhere), and after every tenth one
/// order only elsewhere, which the display must never see.
fn kitchen_orders(kitchen: &Kitchen, count: usize) -> Vec<(Kind, Value)> {
    let (here, elsewhere, site) = (&kitchen.items_here, &kitchen.items_elsewhere, &kitchen.fixture.site_id);
    let mut orders: Vec<(Kind, Value)> = Vec::with_capacity(count + count / 10);
    for i in 0..count {
        let item = &here[i % here.len()];
        if i % 2 == 1 {
            let other = &elsewhere[i % elsewhere.len()];
            orders.push((Kind::HereAndElsewhere, order_body(site, &[(item, 1), (other, 1)], "Cliente mixto")));
        } else {
            orders.push((Kind::Here, order_body(site, &[(item, 1)], "Cliente del local")));
        }
        if i % 10 == 9 {
            let other = &elsewhere[i % elsewhere.len()];
            orders.push((Kind::ElsewhereOnly, order_body(site, &[(other, 1)], "Cliente de otro local")));
        }
    }
    orders
}

/// Counts one order's answer and keeps its id when it was accepted.
fn tally(stream: &mut OrderStream, order: &Placed<Kind>) {
    stream.latency.record(order.latency());
    match &order.answer {
        Ok((status, body)) => {
            stream.outcomes.status(*status);
            if *status == 201
                && let Some(id) = body["id"].as_str()
            {
                if order.key == Kind::ElsewhereOnly {
                    stream.elsewhere.push(id.to_owned());
                } else {
                    stream.here.push(AcceptedOrder { id: id.to_owned(), sent: order.sent, answered: order.answered });
                }
            }
        }
        Err(error) => stream.outcomes.transport_error(error),
    }
}

/// What the display saw by the end, and what became of its rejections.
struct Watched {
    seen: Display,
    /// Why the stream ended before it was stopped, if it did.
    stream_end: Option<String>,
    rejected: u64,
    rejection_errors: Vec<String>,
}

/// Waits until every order is on the stream and on the display (at most `settle`), then stops
/// the display and collects what it saw.
async fn settle_and_stop(live: LiveDisplay, stream: &OrderStream, options: &KitchenOptions) -> Result<Watched, String> {
    let settle_started = Instant::now();
    let expected_shown = options.backlog + stream.here.len();
    while settle_started.elapsed() < options.settle {
        let created = live.progress.created.load(Ordering::Relaxed);
        let shown = live.progress.shown.load(Ordering::Relaxed);
        if created >= stream.here.len() && shown >= expected_shown {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A little longer, so that a control order that wrongly reached the display would show.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = live.stop.send(true);
    let mut seen = live.display.await.map_err(|e| format!("the display task failed: {e}"))?;
    let stream_end = live.stream.await.ok().flatten();
    let mut rejected = 0u64;
    let mut rejection_errors = Vec::new();
    for task in std::mem::take(&mut seen.rejections) {
        match task.await {
            Ok(Ok(_)) => rejected += 1,
            Ok(Err(error)) => rejection_errors.push(error),
            Err(error) => rejection_errors.push(format!("a rejection task failed: {error}")),
        }
    }
    Ok(Watched { seen, stream_end, rejected, rejection_errors })
}

/// Queue reads made one after another with nothing else going on.
struct IdleReads {
    reads: Latencies,
    outcomes: Outcomes,
    /// Smallest and largest queue listed.
    sizes: Option<(usize, usize)>,
}

/// The display's queue with nothing else going on, read after read.
async fn read_queue_idle(server: &Server, kitchen: &Kitchen, count: usize) -> IdleReads {
    let mut idle = IdleReads { reads: Latencies::new(), outcomes: Outcomes::default(), sizes: None };
    let (staff, here) = (&kitchen.staff, &kitchen.here);
    let queue_url = format!("{}/api/v1/locations/{here}/queue", server.base_url);
    for _ in 0..count {
        let sent = Instant::now();
        match staff.client.get(&queue_url).bearer_auth(&staff.token).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let body = response.bytes().await.unwrap_or_default();
                idle.reads.record(sent.elapsed());
                idle.outcomes.status(status);
                let queue: Value = serde_json::from_slice(&body).unwrap_or_default();
                let live = queue["items"].as_array().map_or(0, Vec::len);
                let (low, high) = idle.sizes.unwrap_or((live, live));
                idle.sizes = Some((low.min(live), high.max(live)));
            }
            Err(error) => {
                idle.reads.record(sent.elapsed());
                idle.outcomes.transport_error(&error);
            }
        }
    }
    idle
}

/// Per order: 201 → event, send → event, 201 → on the display; and control orders that leaked.
struct OrderTimings {
    after_201: Latencies,
    after_send: Latencies,
    on_display: Latencies,
    /// Events that arrived before their order's 201 (counted as 0).
    before_201: u64,
    event_missing: u64,
    display_missing: u64,
    /// Orders only elsewhere that the display saw.
    leaked: usize,
}

/// Times every accepted order with a part here against what the display saw.
fn time_each_order(stream: &OrderStream, seen: &Display) -> OrderTimings {
    let mut timings = OrderTimings {
        after_201: Latencies::new(),
        after_send: Latencies::new(),
        on_display: Latencies::new(),
        before_201: 0,
        event_missing: 0,
        display_missing: 0,
        leaked: 0,
    };
    for order in &stream.here {
        match seen.created.get(&order.id) {
            Some(at) => {
                if *at < order.answered {
                    timings.before_201 += 1;
                }
                timings.after_201.record(at.saturating_duration_since(order.answered));
                timings.after_send.record(at.saturating_duration_since(order.sent));
            }
            None => timings.event_missing += 1,
        }
        match seen.shown.get(&order.id) {
            Some(at) => timings.on_display.record(at.saturating_duration_since(order.answered)),
            None => timings.display_missing += 1,
        }
    }
    timings.leaked =
        stream.elsewhere.iter().filter(|id| seen.created.contains_key(*id) || seen.shown.contains_key(*id)).count();
    timings
}
