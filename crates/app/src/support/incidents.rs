//! Incidents before anyone calls (issue 18 point 5): tills' telemetry in, the detector's tick,
//! and the incidents agents read.
//!
//! **Telemetry.** A till posts a batch (at most [`MAX_EVENTS_PER_BATCH`] events); the server's
//! own payment and printer paths add theirs when a card is declined or a receipt fails to print
//! ([`App::note_till_telemetry`]). A batch becomes counts per (kind, code, minute) before it is
//! stored — one row per till and minute, not one per event — so 500 tills at one event a second
//! cost a few hundred small upserts a second and no outbox rows (see the store's
//! `support_incidents` module for why).
//!
//! **Detection.** [`App::detect_incidents`] is called by a worker every few seconds on every
//! node; a conditional update of one row lets one node run each tick. It gathers each store's
//! window (declines, print failures, sync backlogs) and baseline and lets the domain's rules
//! decide; opening and closing write their outbox event in the same transaction, and the
//! partial unique index keeps one open incident per (store, cause) whatever two nodes do at
//! once. A batch that may open an incident also has its store judged at once
//! (`incident_watch`).

use std::collections::{BTreeMap, HashMap};

use omnicanal_domain::access::Role;
use omnicanal_domain::events::DomainEvent;
use omnicanal_domain::hours::OpeningHours;
use omnicanal_domain::support::incidents::{
    BASELINE_MS, Baseline, Evidence, IncidentAnnounced, IncidentCause, IncidentStatus, IncidentStep, MIN_DECLINES,
    MIN_PRINT_FAILURES, MINUTE_MS, OFFLINE_AFTER_MS, OFFLINE_LOOKBACK_MS, SignalWindow, TelemetryKind, WINDOW_MS,
    declines_spike, minute_of, next_step, parse_code, print_failures_burst, sync_backlog_stuck, till_offline,
    window_start,
};
use omnicanal_domain::time::parse_rfc3339_ms;
use omnicanal_store::{
    NewEvent, Page, PosDeviceRow, SupportIncidentFilter, SupportIncidentRow, TelemetryBatchRow, TelemetryCountRow,
    TelemetryWindowRow,
};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::local_time::local_time;
use crate::validation::Validator;

/// Most events one telemetry batch may carry (a till sends every few seconds; a backlog after
/// an offline spell is sent in several batches).
pub const MAX_EVENTS_PER_BATCH: usize = 500;
/// The oldest event accepted: older ones could never change a window or a baseline.
pub const MAX_EVENT_AGE_MS: i64 = BASELINE_MS;
/// How far ahead of the server's clock an event may be dated (a till's clock drifts).
pub const MAX_EVENT_AHEAD_MS: i64 = 5 * MINUTE_MS;
/// The least time between two detector ticks across every node.
pub const DETECTOR_MIN_GAP_MS: i64 = 10_000;
/// Counts kept: the baseline, the window and an hour to spare.
pub const TELEMETRY_KEPT_MS: i64 = BASELINE_MS + WINDOW_MS + 60 * MINUTE_MS;
/// Who reads incidents: support agents and admins.
pub const INCIDENT_READERS: [Role; 2] = [Role::SupportAgent, Role::Admin];
/// Most rows one tick reads of each kind (bounds a tick's work whatever the traffic).
pub(super) const DETECTOR_READ_LIMIT: i64 = 50_000;

/// One event as the till sent it, before parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTelemetryEvent {
    /// `payment_declined`, `print_failed`, `offline`, `sync_backlog` or `heartbeat`.
    pub kind: String,
    /// The decline code, printer failure word or backlog size.
    pub code: Option<String>,
    /// When it happened (RFC 3339).
    pub at: String,
}

/// One parsed event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryEvent {
    /// What it reports.
    pub kind: TelemetryKind,
    /// Its code, if any.
    pub code: Option<String>,
    /// When (Unix ms).
    pub at_ms: i64,
}

/// A till's telemetry batch, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryBatch {
    /// The till.
    pub device_id: String,
    /// Its events.
    pub events: Vec<TelemetryEvent>,
}

impl TelemetryBatch {
    /// Parses a batch, reporting every bad field: a device id, 1 to [`MAX_EVENTS_PER_BATCH`]
    /// events, each with a known type, a plain code and an RFC 3339 time.
    pub fn parse(device_id: &str, events: &[RawTelemetryEvent]) -> AppResult<Self> {
        let mut v = Validator::new();
        if device_id.trim().is_empty() {
            v.push("device_id", "is required");
        }
        if events.is_empty() || events.len() > MAX_EVENTS_PER_BATCH {
            v.push("events", format!("must hold 1 to {MAX_EVENTS_PER_BATCH} events"));
        }
        let mut parsed = Vec::with_capacity(events.len().min(MAX_EVENTS_PER_BATCH));
        for (index, raw) in events.iter().take(MAX_EVENTS_PER_BATCH).enumerate() {
            let kind = v.check(&format!("events[{index}].type"), TelemetryKind::parse(&raw.kind));
            let code = match raw.code.as_deref() {
                None => Some(None),
                Some(code) => v.check(&format!("events[{index}].code"), parse_code(code)).map(Some),
            };
            let at_ms = parse_rfc3339_ms(&raw.at);
            if at_ms.is_none() {
                v.push(format!("events[{index}].at"), "must be an RFC 3339 time (2026-12-07T10:00:00Z)");
            }
            if let (Some(kind), Some(code), Some(at_ms)) = (kind, code, at_ms) {
                parsed.push(TelemetryEvent { kind, code, at_ms });
            }
        }
        v.done(|| Some(Self { device_id: device_id.trim().to_owned(), events: parsed }))
    }
}

/// What the server took from a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelemetryReceipt {
    /// Events accepted.
    pub accepted: usize,
}

/// What one detector tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DetectorTick {
    /// Whether this node won the tick.
    pub ran: bool,
    /// Incidents opened.
    pub opened: usize,
    /// Incidents closed.
    pub closed: usize,
}

/// A page of incidents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentPage {
    /// The incidents, newest first.
    pub items: Vec<SupportIncidentRow>,
    /// How many match in all.
    pub total: i64,
}

/// `?location_id=&status=` of the incident list, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentQuery {
    /// Only this store's.
    pub location_id: Option<String>,
    /// Only this status.
    pub status: Option<IncidentStatus>,
    /// Only this cause.
    pub cause: Option<IncidentCause>,
}

impl IncidentQuery {
    /// Parses the filters, reporting every bad one.
    pub fn parse(location_id: Option<&str>, status: Option<&str>) -> AppResult<Self> {
        Self::parse_with_cause(location_id, status, None)
    }

    /// Parses the filters with a cause (`payment_declines`, `print_failures`, `till_offline`, `sync_backlog`),
    /// reporting every bad one.
    pub fn parse_with_cause(location_id: Option<&str>, status: Option<&str>, cause: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        let cause = match cause.map(str::trim).filter(|c| !c.is_empty()) {
            None => Some(None),
            Some(word) => v.check("cause", IncidentCause::parse(word)).map(Some),
        };
        let location_id = location_id.map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned);
        let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(word) => v.check("status", IncidentStatus::parse(word)).map(Some),
        };
        v.done(|| Some(Self { location_id, status: status?, cause: cause? }))
    }
}

/// Adds events up per (kind, code, minute): the rows a batch adds to.
fn counts_of(device: &PosDeviceRow, events: &[TelemetryEvent]) -> Vec<TelemetryCountRow> {
    let mut counts: BTreeMap<(TelemetryKind, String, i64), i64> = BTreeMap::new();
    for event in events.iter().filter(|event| event.kind.is_counted()) {
        let key = (event.kind, event.code.clone().unwrap_or_default(), minute_of(event.at_ms));
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
        .into_iter()
        .map(|((kind, code, minute_ms), events)| TelemetryCountRow {
            location_id: device.location_id.clone(),
            merchant_id: device.merchant_id.clone(),
            kind,
            code,
            device_id: device.id.clone(),
            minute_ms,
            events,
        })
        .collect()
}

/// A firing rule's store and evidence.
pub(super) struct Firing {
    pub(super) merchant_id: String,
    pub(super) evidence: Evidence,
}

/// The kinds the window rules count.
pub(super) const WINDOW_KINDS: [TelemetryKind; 3] =
    [TelemetryKind::PaymentDeclined, TelemetryKind::PrintFailed, TelemetryKind::SyncBacklog];

/// Each (store, cause)'s window, with the store's merchant, from the summed count rows.
pub(super) fn windows_of(rows: Vec<TelemetryWindowRow>) -> HashMap<(String, IncidentCause), (String, SignalWindow)> {
    let mut windows: HashMap<(String, IncidentCause), (String, SignalWindow)> = HashMap::new();
    for row in rows {
        let cause = match row.kind {
            TelemetryKind::PaymentDeclined => IncidentCause::PaymentDeclines,
            TelemetryKind::PrintFailed => IncidentCause::PrintFailures,
            TelemetryKind::SyncBacklog => IncidentCause::SyncBacklog,
            TelemetryKind::Offline | TelemetryKind::Heartbeat => continue,
        };
        let entry =
            windows.entry((row.location_id, cause)).or_insert_with(|| (row.merchant_id, SignalWindow::default()));
        entry.1.add(&row.code, &row.device_id, row.events);
    }
    windows
}

/// Whether any window is of declines, whose rule needs the stores' baselines.
pub(super) fn needs_baselines(windows: &HashMap<(String, IncidentCause), (String, SignalWindow)>) -> bool {
    windows.keys().any(|(_, cause)| *cause == IncidentCause::PaymentDeclines)
}

/// The windows whose rule passes at `now`, with their evidence (`baselines`: each store's
/// declines over the day before the window; a store missing has none).
pub(super) fn judge_windows(
    windows: HashMap<(String, IncidentCause), (String, SignalWindow)>,
    baselines: &HashMap<String, i64>,
    now: i64,
) -> HashMap<(String, IncidentCause), Firing> {
    let mut firing = HashMap::new();
    for ((location_id, cause), (merchant_id, window)) in windows {
        let evidence = match cause {
            IncidentCause::PaymentDeclines => {
                let baseline = Baseline::over_a_day(baselines.get(&location_id).copied().unwrap_or(0));
                declines_spike(&window, baseline).then(|| Evidence::of_window(&window, now, MIN_DECLINES, baseline))
            }
            IncidentCause::PrintFailures => print_failures_burst(&window)
                .then(|| Evidence::of_window(&window, now, MIN_PRINT_FAILURES, Baseline::default())),
            IncidentCause::SyncBacklog => sync_backlog_stuck(&window).then(|| Evidence::of_backlog(&window, now)),
            IncidentCause::TillOffline => None,
        };
        if let Some(evidence) = evidence {
            firing.insert((location_id, cause), Firing { merchant_id, evidence });
        }
    }
    firing
}

impl App {
    /// Takes a till's telemetry batch (its staff, managers and admins; another merchant's till
    /// is 404). Events dated more than a day ago or more than five minutes ahead are refused.
    pub async fn record_telemetry(&self, caller: &Caller, batch: TelemetryBatch) -> AppResult<TelemetryReceipt> {
        let device = self.till(caller, &batch.device_id).await?;
        let now = self.now_ms();
        let mut v = Validator::new();
        for (index, event) in batch.events.iter().enumerate() {
            if event.at_ms < now - MAX_EVENT_AGE_MS || event.at_ms > now + MAX_EVENT_AHEAD_MS {
                v.push(format!("events[{index}].at"), "must be within the last 24 hours (and not in the future)");
            }
        }
        v.finish()?;
        self.store
            .record_support_telemetry(&TelemetryBatchRow {
                device_id: device.id.clone(),
                merchant_id: device.merchant_id.clone(),
                location_id: device.location_id.clone(),
                heard_at_ms: now,
                counts: counts_of(&device, &batch.events),
            })
            .await?;
        if batch.events.iter().any(|event| event.kind.can_open_an_incident(event.code.as_deref())) {
            self.signals.incident_stores.mark(&device.location_id);
        }
        Ok(TelemetryReceipt { accepted: batch.events.len() })
    }

    /// The server's own telemetry of a till (a card declined on its terminal, a receipt that
    /// did not print). Never fails its caller: a lost count is logged, the sale's answer is not.
    pub async fn note_till_telemetry(&self, device: &PosDeviceRow, kind: TelemetryKind, code: Option<&str>) {
        let event = TelemetryEvent { kind, code: code.and_then(|code| parse_code(code).ok()), at_ms: self.now_ms() };
        let batch = TelemetryBatchRow {
            device_id: device.id.clone(),
            merchant_id: device.merchant_id.clone(),
            location_id: device.location_id.clone(),
            heard_at_ms: event.at_ms,
            counts: counts_of(device, std::slice::from_ref(&event)),
        };
        match self.store.record_support_telemetry(&batch).await {
            Ok(()) if kind.can_open_an_incident(code) => self.signals.incident_stores.mark(&device.location_id),
            Ok(()) => {}
            Err(error) => {
                tracing::warn!(device_id = %device.id, kind = kind.as_str(), %error, "a till's telemetry was not recorded")
            }
        }
    }

    /// One detector tick: when this node wins it, judges every store's window and opens,
    /// refreshes or closes incidents.
    pub async fn detect_incidents(&self) -> AppResult<DetectorTick> {
        let now = self.now_ms();
        if !self.store.claim_support_detector_run(now, DETECTOR_MIN_GAP_MS).await? {
            return Ok(DetectorTick::default());
        }
        let mut firing = self.firing_windows(now).await?;
        firing.extend(self.silent_tills(now).await?);
        let open: HashMap<(String, IncidentCause), SupportIncidentRow> = self
            .store
            .open_support_incidents(DETECTOR_READ_LIMIT)
            .await?
            .into_iter()
            .map(|row| ((row.location_id.clone(), row.cause), row))
            .collect();
        let mut tick = DetectorTick { ran: true, ..DetectorTick::default() };
        for (key, row) in &open {
            let fired = firing.remove(key);
            match next_step(Some(row.last_firing_at_ms), fired.is_some(), now) {
                IncidentStep::Refresh => {
                    if let Some(fired) = fired {
                        self.store.refresh_support_incident(&row.id, now, &fired.evidence.to_json()).await?;
                    }
                }
                IncidentStep::Close => {
                    if self.store.close_support_incident(&row.id, now, closed_event(row, now)).await? {
                        tick.closed += 1;
                    }
                }
                IncidentStep::Wait | IncidentStep::Nothing | IncidentStep::Open => {}
            }
        }
        for ((location_id, cause), fired) in firing {
            if self.open_incident(location_id, cause, fired, now).await? {
                tick.opened += 1;
            }
        }
        self.store.prune_support_telemetry(minute_of(now - TELEMETRY_KEPT_MS)).await?;
        Ok(tick)
    }

    /// Opens an incident for a (store, cause) whose rule passes at `now`; false when one was
    /// already open (the partial unique index decides, whichever node or path got there first).
    pub(super) async fn open_incident(
        &self,
        location_id: String,
        cause: IncidentCause,
        fired: Firing,
        now: i64,
    ) -> AppResult<bool> {
        if next_step(None, true, now) != IncidentStep::Open {
            return Ok(false);
        }
        let row = SupportIncidentRow {
            id: new_id("inc"),
            merchant_id: fired.merchant_id,
            location_id,
            cause,
            status: IncidentStatus::Open,
            opened_at_ms: now,
            last_firing_at_ms: now,
            closed_at_ms: None,
            evidence_json: fired.evidence.to_json(),
        };
        let event = announced(&row, fired.evidence, now, true);
        let opened = self.store.open_support_incident(&row, event).await?;
        if opened {
            tracing::info!(location_id = %row.location_id, cause = cause.as_str(), "incident opened");
        }
        Ok(opened)
    }

    /// The declines and print-failure rules over every store's window.
    async fn firing_windows(&self, now: i64) -> AppResult<HashMap<(String, IncidentCause), Firing>> {
        let from = window_start(now);
        let rows = self.store.support_telemetry_window(&WINDOW_KINDS, from, DETECTOR_READ_LIMIT).await?;
        let windows = windows_of(rows);
        let baselines: HashMap<String, i64> = if needs_baselines(&windows) {
            self.store
                .support_telemetry_totals(TelemetryKind::PaymentDeclined, from - BASELINE_MS, from)
                .await?
                .into_iter()
                .collect()
        } else {
            HashMap::new()
        };
        Ok(judge_windows(windows, &baselines, now))
    }

    /// The till-offline rule: tills silent for five minutes at stores open then and now.
    async fn silent_tills(&self, now: i64) -> AppResult<HashMap<(String, IncidentCause), Firing>> {
        let silent = self
            .store
            .support_devices_seen_between(now - OFFLINE_LOOKBACK_MS - 1, now - OFFLINE_AFTER_MS, DETECTOR_READ_LIMIT)
            .await?;
        let mut by_location: HashMap<String, (String, BTreeMap<String, i64>)> = HashMap::new();
        let mut hours_of: HashMap<String, Option<(OpeningHours, String)>> = HashMap::new();
        for till in silent {
            if !hours_of.contains_key(&till.location_id) {
                let hours = self.opening_hours_of(&till.location_id).await?;
                hours_of.insert(till.location_id.clone(), hours);
            }
            // A store without opening hours is taken as always open: an alert too many beats a
            // till left dark unseen.
            let open_at = |at_ms: i64| match hours_of.get(&till.location_id) {
                Some(Some((hours, timezone))) => hours.is_open_at(local_time(timezone, at_ms)),
                _ => true,
            };
            if till_offline(till.last_seen_ms, now, open_at(now), open_at(till.last_seen_ms + OFFLINE_AFTER_MS)) {
                let entry =
                    by_location.entry(till.location_id.clone()).or_insert_with(|| (till.merchant_id, BTreeMap::new()));
                entry.1.insert(till.device_id, till.last_seen_ms);
            }
        }
        Ok(by_location
            .into_iter()
            .map(|(location_id, (merchant_id, tills))| {
                let evidence = Evidence::of_silent_tills(&tills, now);
                ((location_id, IncidentCause::TillOffline), Firing { merchant_id, evidence })
            })
            .collect())
    }

    /// A store's opening hours with its site's time zone (`None`: it has none set).
    async fn opening_hours_of(&self, location_id: &str) -> AppResult<Option<(OpeningHours, String)>> {
        let Some(location) = self.store.get_location(location_id).await? else { return Ok(None) };
        let Some(json) = location.storefront.opening_hours_json.as_deref() else { return Ok(None) };
        let Ok(hours) = OpeningHours::parse(json) else { return Ok(None) };
        let timezone = self.store.get_site(&location.site_id).await?.map(|site| site.timezone).unwrap_or_default();
        Ok(Some((hours, timezone)))
    }

    /// Incidents newest first: support agents and admins (anyone else 403).
    pub async fn support_incidents(
        &self,
        caller: &Caller,
        query: IncidentQuery,
        page: Page,
    ) -> AppResult<IncidentPage> {
        caller.require(&INCIDENT_READERS)?;
        let filter = SupportIncidentFilter { location_id: query.location_id, status: query.status, cause: query.cause };
        let items = self.store.list_support_incidents(&filter, page).await?;
        let total = self.store.count_support_incidents(&filter).await?;
        Ok(IncidentPage { items, total })
    }

    /// One incident: support agents and admins.
    pub async fn support_incident(&self, caller: &Caller, id: &str) -> AppResult<SupportIncidentRow> {
        caller.require(&INCIDENT_READERS)?;
        self.store.get_support_incident(id).await?.ok_or(AppError::NotFound("incident"))
    }
}

/// The outbox event of an incident opened (or, with `opened` false, closed) at `now`.
fn announced(row: &SupportIncidentRow, evidence: Evidence, now: i64, opened: bool) -> NewEvent {
    let payload = IncidentAnnounced {
        incident_id: row.id.clone(),
        merchant_id: row.merchant_id.clone(),
        location_id: row.location_id.clone(),
        cause: row.cause,
        opened_at: row.opened_at_ms,
        closed_at: (!opened).then_some(now),
        evidence,
    };
    NewEvent {
        event_id: new_id("evt"),
        created_at_ms: now,
        event: if opened {
            DomainEvent::SupportIncidentOpened(payload)
        } else {
            DomainEvent::SupportIncidentClosed(payload)
        },
    }
}

/// The close event, carrying the last evidence the incident was refreshed with.
fn closed_event(row: &SupportIncidentRow, now: i64) -> NewEvent {
    let evidence = serde_json::from_str::<Evidence>(&row.evidence_json).unwrap_or_else(|_| {
        Evidence::of_window(&SignalWindow::default(), row.last_firing_at_ms, 0, Baseline::default())
    });
    announced(row, evidence, now, false)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use omnicanal_domain::access::Role;

    use super::*;
    use crate::ManualClock;
    use crate::clock::Clock;
    use crate::payments::SandboxCardProvider;
    use crate::pos::devices::RegisterDevice;
    use crate::setup::locations::NewLocation;
    use crate::setup::merchants::NewMerchant;
    use crate::setup::sites::NewSite;

    /// Monday 2026-12-07 15:00 UTC.
    const T0: i64 = 1_796_655_600_000;

    fn caller(role: Role, merchant_id: Option<&str>) -> Caller {
        Caller {
            id: format!("usr_{}", role.as_str()),
            email: "someone@example.test".into(),
            role,
            merchant_id: merchant_id.map(str::to_owned),
            location_id: None,
        }
    }

    fn event(kind: &str, code: Option<&str>, at_ms: i64) -> RawTelemetryEvent {
        RawTelemetryEvent {
            kind: kind.into(),
            code: code.map(str::to_owned),
            at: omnicanal_domain::time::rfc3339_utc(at_ms),
        }
    }

    /// An app on a fresh SQLite store and a manual clock, with one till; its manager.
    async fn app_with_till() -> AppResult<(App, Arc<ManualClock>, Caller, PosDeviceRow)> {
        let dir = std::env::temp_dir().join(format!("omni-app-{}", new_id("test")));
        std::fs::create_dir_all(&dir).map_err(|error| AppError::internal(error.to_string()))?;
        let store = omnicanal_store::connect(&format!("sqlite://{}", dir.join("db.sqlite").display())).await?;
        let clock = Arc::new(ManualClock::starting_at(T0));
        let app = App::new(store, clock.clone(), Arc::new(SandboxCardProvider));
        let admin = caller(Role::Admin, None);
        let site = app.create_site(&admin, NewSite::parse("Mall", "CL", "CLP", "America/Santiago")?).await?;
        let merchant = app.create_merchant(&admin, NewMerchant::parse("Tienda", "restaurant", 0, None)?).await?;
        let location =
            app.create_location(&admin, NewLocation::parse(merchant.id.clone(), site.id, "Local", false)?).await?;
        let manager = caller(Role::MerchantManager, Some(&merchant.id));
        let device = app.register_pos_device(&manager, RegisterDevice::parse(location.id, "Caja 1")?).await?;
        Ok((app, clock, manager, device))
    }

    #[test]
    fn a_batch_reports_every_bad_event() {
        let bad = TelemetryBatch::parse(
            " ",
            &[
                event("smoke", None, T0),
                event("payment_declined", Some("0 5"), T0),
                RawTelemetryEvent { kind: "offline".into(), code: None, at: "ayer".into() },
            ],
        );
        let Err(AppError::Invalid(errors)) = bad else { panic!("refused: {bad:?}") };
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, vec!["device_id", "events[0].type", "events[1].code", "events[2].at"]);
        assert!(TelemetryBatch::parse("dev_1", &[]).is_err());
        let too_many = vec![event("heartbeat", None, T0); MAX_EVENTS_PER_BATCH + 1];
        assert!(TelemetryBatch::parse("dev_1", &too_many).is_err());
    }

    #[tokio::test]
    async fn a_silent_till_opens_an_incident_and_closes_it_once_heard_again() -> AppResult<()> {
        let (app, clock, manager, device) = app_with_till().await?;
        let alive = |at_ms| TelemetryBatch::parse(&device.id, &[event("heartbeat", None, at_ms)]);
        app.record_telemetry(&manager, alive(T0)?).await?;
        assert_eq!(app.detect_incidents().await?, DetectorTick { ran: true, opened: 0, closed: 0 });

        // Six silent minutes (the store has no hours set: always open) open one incident.
        clock.advance(Duration::from_secs(6 * 60));
        assert_eq!(app.detect_incidents().await?.opened, 1);
        clock.advance(Duration::from_secs(30));
        assert_eq!(app.detect_incidents().await?.opened, 0, "still the same incident");
        let agent = caller(Role::SupportAgent, None);
        let open = app.support_incidents(&agent, IncidentQuery::parse(None, Some("open"))?, Page::first(10)).await?;
        assert_eq!(open.total, 1);
        assert_eq!(open.items[0].cause, IncidentCause::TillOffline);
        assert!(open.items[0].evidence_json.contains(&device.id));
        assert!(matches!(
            app.support_incidents(&manager, IncidentQuery::default(), Page::first(10)).await,
            Err(AppError::Forbidden)
        ));

        // Heard again; ten quiet minutes later the incident closes.
        for _ in 0..4 {
            app.record_telemetry(&manager, alive(clock.now_ms())?).await?;
            clock.advance(Duration::from_secs(3 * 60));
            app.detect_incidents().await?;
        }
        let closed =
            app.support_incidents(&agent, IncidentQuery::parse(None, Some("closed"))?, Page::first(10)).await?;
        assert_eq!(closed.total, 1);
        assert!(closed.items[0].closed_at_ms.is_some());

        // Events dated too far from the server's clock are refused, naming each.
        let stale = TelemetryBatch::parse(&device.id, &[event("offline", None, clock.now_ms() - 2 * BASELINE_MS)])?;
        assert!(matches!(app.record_telemetry(&manager, stale).await, Err(AppError::Invalid(_))));
        Ok(())
    }

    #[tokio::test]
    async fn declines_mark_their_store_and_the_fast_path_opens_one_incident() -> AppResult<()> {
        let (app, _clock, manager, device) = app_with_till().await?;
        let declines = |n: usize| {
            let events: Vec<RawTelemetryEvent> = (0..n).map(|_| event("payment_declined", Some("05"), T0)).collect();
            TelemetryBatch::parse(&device.id, &events)
        };
        app.record_telemetry(&manager, TelemetryBatch::parse(&device.id, &[event("heartbeat", None, T0)])?).await?;
        assert!(app.signals().incident_stores.take().is_empty(), "a heartbeat marks nothing");

        // Four declines: the store is judged, nothing passes yet.
        app.record_telemetry(&manager, declines(4)?).await?;
        let marked = app.signals().incident_stores.take();
        assert_eq!(marked, vec![device.location_id.clone()]);
        assert_eq!(app.judge_stores_now(&marked).await?.opened, 0);

        // The fifth opens one incident without waiting for the tick; more leave it as it is.
        app.record_telemetry(&manager, declines(1)?).await?;
        let marked = app.signals().incident_stores.take();
        assert_eq!(app.judge_stores_now(&marked).await?.opened, 1);
        app.record_telemetry(&manager, declines(2)?).await?;
        assert_eq!(app.judge_stores_now(&app.signals().incident_stores.take()).await?.opened, 0);
        let agent = caller(Role::SupportAgent, None);
        let open_query = || IncidentQuery::parse(None, Some("open"));
        let open = app.support_incidents(&agent, open_query()?, Page::first(10)).await?;
        assert_eq!(open.total, 1);
        assert_eq!(open.items[0].cause, IncidentCause::PaymentDeclines);
        assert!(open.items[0].evidence_json.contains("\"count\":5"), "{}", open.items[0].evidence_json);

        // The tick then finds it open, opens no second one and refreshes its evidence.
        assert_eq!(app.detect_incidents().await?.opened, 0);
        let open = app.support_incidents(&agent, open_query()?, Page::first(10)).await?;
        assert_eq!(open.total, 1);
        assert!(open.items[0].evidence_json.contains("\"count\":7"), "{}", open.items[0].evidence_json);
        Ok(())
    }
}
