//! The incident detector's fast path (issue 18 point 5): a store judged moments after a batch
//! of declines, print failures or a large sync backlog lands there, instead of at the next
//! periodic tick.
//!
//! **Why.** The periodic tick ([`App::detect_incidents`]) judges every store, so it runs at most
//! once per ten seconds across all nodes: detection lag up to ten seconds plus the tick's own
//! period. Most batches are heartbeats and cannot open anything; only a batch carrying a decline,
//! a print failure or a backlog at the alert size can make a window rule pass
//! (`TelemetryKind::can_open_an_incident`). Such a batch marks its store in
//! [`StoresToJudge`]; the detector's worker waits a short debounce (so a burst of many batches
//! costs one judgement per store), takes the marked stores and calls
//! [`App::judge_stores_now`], which reads only those stores' windows — three small reads a store,
//! bounded by the store's own rows.
//!
//! **What stays with the tick.** Tills offline (judged by silence, which no batch brings) and
//! closing (which needs ten quiet minutes) are the periodic tick's alone; so are refreshing an
//! open incident's evidence and pruning. The fast path only opens. It needs no lease: the
//! partial unique index `support_incidents_one_open` keeps one open incident per (store, cause)
//! whichever node or path inserts first, and the event is written only when the insert landed.
//!
//! **Limits.** At most [`MAX_STORES_PENDING`] stores wait at once; a mark past that is dropped
//! and the periodic tick judges that store within ten seconds, as before this path existed.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use omnicanal_domain::support::incidents::{BASELINE_MS, TelemetryKind, window_start};
use tokio::sync::Notify;

use super::incidents::{DETECTOR_READ_LIMIT, DetectorTick, WINDOW_KINDS, judge_windows, needs_baselines, windows_of};
use crate::App;
use crate::error::AppResult;

/// Most stores waiting for the fast path at once (a mark past this waits for the tick).
pub const MAX_STORES_PENDING: usize = 10_000;

/// The stores a batch that may open an incident came from since the fast path last ran,
/// and the wake-up of the worker that judges them.
#[derive(Debug, Default)]
pub struct StoresToJudge {
    pending: Mutex<BTreeSet<String>>,
    wake: Notify,
}

impl StoresToJudge {
    /// Marks `location_id` to be judged and wakes the worker (a permit is kept if it is busy, so
    /// no mark is missed).
    pub fn mark(&self, location_id: &str) {
        let mut pending = match self.pending.lock() {
            Ok(pending) => pending,
            // A panic while holding this lock left a plain set behind: still usable.
            Err(poisoned) => poisoned.into_inner(),
        };
        if pending.len() < MAX_STORES_PENDING || pending.contains(location_id) {
            pending.insert(location_id.to_owned());
        }
        drop(pending);
        self.wake.notify_one();
    }

    /// Every marked store, forgetting them.
    pub fn take(&self) -> Vec<String> {
        let mut pending = match self.pending.lock() {
            Ok(pending) => pending,
            Err(poisoned) => poisoned.into_inner(),
        };
        std::mem::take(&mut *pending).into_iter().collect()
    }

    /// Resolves once a store has been marked since the last wake-up.
    pub async fn marked(&self) {
        self.wake.notified().await;
    }
}

impl App {
    /// Judges the window rules (declines, print failures, backlog) of these stores now and opens
    /// an incident for a rule that passes with none open. Never refreshes nor closes (the tick's work: an open
    /// incident's evidence every tick, closing after a quiet spell). `ran`: any store was judged.
    pub async fn judge_stores_now(&self, location_ids: &[String]) -> AppResult<DetectorTick> {
        let now = self.now_ms();
        let from = window_start(now);
        let mut tick = DetectorTick { ran: !location_ids.is_empty(), ..DetectorTick::default() };
        for location_id in location_ids {
            let rows =
                self.store.support_telemetry_window_at(location_id, &WINDOW_KINDS, from, DETECTOR_READ_LIMIT).await?;
            let windows = windows_of(rows);
            let mut baselines = HashMap::new();
            if needs_baselines(&windows) {
                let total = self
                    .store
                    .support_telemetry_total_at(location_id, TelemetryKind::PaymentDeclined, from - BASELINE_MS, from)
                    .await?;
                baselines.insert(location_id.clone(), total);
            }
            let mut firing = judge_windows(windows, &baselines, now);
            if firing.is_empty() {
                continue;
            }
            // An open incident is left to the tick to refresh: a store in a long burst would
            // otherwise cost a write per debounce for evidence agents read every ten seconds.
            for open in self.store.open_support_incidents_at(location_id).await? {
                firing.remove(&(open.location_id, open.cause));
            }
            for ((location_id, cause), fired) in firing {
                if self.open_incident(location_id, cause, fired, now).await? {
                    tick.opened += 1;
                }
            }
        }
        Ok(tick)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_a_set_taken_whole() {
        let stores = StoresToJudge::default();
        stores.mark("loc_b");
        stores.mark("loc_a");
        stores.mark("loc_b");
        assert_eq!(stores.take(), vec!["loc_a".to_owned(), "loc_b".to_owned()]);
        assert!(stores.take().is_empty());
    }

    #[test]
    fn a_full_set_drops_new_stores_but_keeps_the_marked() {
        let stores = StoresToJudge::default();
        for n in 0..MAX_STORES_PENDING {
            stores.mark(&format!("loc_{n:05}"));
        }
        stores.mark("loc_new");
        stores.mark("loc_00000");
        let taken = stores.take();
        assert_eq!(taken.len(), MAX_STORES_PENDING);
        assert!(!taken.contains(&"loc_new".to_owned()));
    }
}
