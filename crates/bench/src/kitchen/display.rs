//! The kitchen display as its page runs it (`assets/console-display.js`): on every event of the
//! location's stream, wait out the debounce, refetch the queue (one fetch at a time, once more
//! if events came meanwhile), and, as staff, reject the oldest parts beyond the backlog so the
//! queue stays about `backlog` long. It records when each order first showed as an event and
//! first appeared in a queue answer.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use super::DEBOUNCE;
use crate::api::Api;
use crate::sse::SseEvent;
use crate::stats::{Latencies, Outcomes};

/// What the display saw.
#[derive(Debug, Default)]
pub(super) struct Display {
    /// Order id → first `order.created` arrival.
    pub(super) created: HashMap<String, Instant>,
    /// Order id → when the first queue answer listing it had arrived.
    pub(super) shown: HashMap<String, Instant>,
    /// Events by type.
    pub(super) events: BTreeMap<String, u64>,
    /// Queue reads made on events.
    pub(super) reads: Latencies,
    /// Their answers.
    pub(super) read_outcomes: Outcomes,
    /// Smallest and largest queue seen after the backlog was reached.
    pub(super) sizes: Option<(usize, usize)>,
    /// Answers that were not a 200 with items.
    pub(super) samples: Vec<String>,
    /// Rejections sent to keep the queue at `backlog`.
    pub(super) rejections: Vec<tokio::task::JoinHandle<Result<Value, String>>>,
}

impl Display {
    fn note(&mut self, event: &SseEvent, at: Instant) {
        let kind = event.event.clone().unwrap_or_else(|| "message".into());
        *self.events.entry(kind.clone()).or_default() += 1;
        if kind == "order.created" {
            let payload: Value = serde_json::from_str(&event.data).unwrap_or_default();
            if let Some(order_id) = payload["order_id"].as_str() {
                self.created.entry(order_id.to_owned()).or_insert(at);
            }
        }
    }
}

/// How far the display got, for the harness to know when to stop waiting.
#[derive(Debug, Default)]
pub(super) struct Progress {
    /// Distinct orders seen as `order.created`.
    pub(super) created: AtomicUsize,
    /// Distinct orders listed by a queue read.
    pub(super) shown: AtomicUsize,
}

/// The display's refetch loop: the page's behaviour, with timings.
pub(super) struct DisplayLoop {
    staff: Api,
    queue_path: String,
    backlog: usize,
    rejecting: HashSet<String>,
    seen: Display,
    progress: Arc<Progress>,
}

impl DisplayLoop {
    /// The display of the queue at `queue_path` (under `/api/v1`), read and kept as `staff`.
    pub(super) fn new(staff: Api, queue_path: String, backlog: usize, progress: Arc<Progress>) -> Self {
        DisplayLoop { staff, queue_path, backlog, rejecting: HashSet::new(), seen: Display::default(), progress }
    }

    /// One queue read, timed; notes which orders it lists and the queue's size.
    async fn refresh(&mut self) {
        let sent = Instant::now();
        let answer = self
            .staff
            .client
            .get(format!("{}/api/v1{}", self.staff.base_url, self.queue_path))
            .bearer_auth(&self.staff.token)
            .send()
            .await;
        let response = match answer {
            Ok(response) => response,
            Err(error) => {
                self.seen.reads.record(sent.elapsed());
                self.seen.read_outcomes.transport_error(&error);
                return;
            }
        };
        let status = response.status().as_u16();
        let body = response.bytes().await;
        let at = Instant::now();
        self.seen.reads.record(at - sent);
        self.seen.read_outcomes.status(status);
        let queue: Value = body.ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default();
        let Some(items) = queue["items"].as_array().filter(|_| status == 200) else {
            if self.seen.samples.len() < 3 {
                self.seen.samples.push(format!("GET {} → {status}: {queue}", self.queue_path));
            }
            return;
        };
        for item in items {
            if let Some(order_id) = item["order_id"].as_str() {
                self.seen.shown.entry(order_id.to_owned()).or_insert(at);
            }
        }
        self.progress.shown.store(self.seen.shown.len(), Ordering::Relaxed);
        let live = items.len();
        if live >= self.backlog {
            let (low, high) = self.seen.sizes.unwrap_or((live, live));
            self.seen.sizes = Some((low.min(live), high.max(live)));
        }
        self.reject_beyond_backlog(items);
    }

    /// The kitchen keeps up: the oldest parts beyond the backlog are rejected (oldest first),
    /// each once, without waiting for the answers.
    fn reject_beyond_backlog(&mut self, items: &[Value]) {
        for item in items.iter().take(items.len().saturating_sub(self.backlog)) {
            let Some(part) = item["fulfillment_id"].as_str() else { continue };
            if item["status"] != "placed" || !self.rejecting.insert(part.to_owned()) {
                continue;
            }
            let (staff, path) = (self.staff.clone(), format!("/fulfillments/{part}/transition"));
            self.seen.rejections.push(tokio::spawn(async move {
                staff
                    .post(&path, &json!({"to": "rejected", "reason": "Bench: the kitchen keeps its queue short"}))
                    .await
            }));
        }
    }

    /// Runs until `stop` or the end of the stream; refetches on events like the page does.
    pub(super) async fn run(
        mut self,
        mut events: mpsc::UnboundedReceiver<(SseEvent, Instant)>,
        mut stop: watch::Receiver<bool>,
    ) -> Display {
        self.refresh().await;
        loop {
            let first = tokio::select! {
                first = events.recv() => first,
                _ = stop.wait_for(|stopped| *stopped) => break,
            };
            let Some((event, at)) = first else { break };
            self.seen.note(&event, at);
            tokio::time::sleep(DEBOUNCE).await;
            // Events during the debounce share this refetch; later ones cause the next.
            while let Ok((event, at)) = events.try_recv() {
                self.seen.note(&event, at);
            }
            self.progress.created.store(self.seen.created.len(), Ordering::Relaxed);
            self.refresh().await;
        }
        self.seen
    }
}
