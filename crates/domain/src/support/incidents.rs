//! Incidents before anyone calls (issue 18 point 5): what a till's telemetry may say, the rules
//! that turn a store's counts into an incident, and an incident's life from open to closed.
//!
//! Pure, like the rest of the domain: the detector in the app gathers counts per store from the
//! store and passes them here with `now`; these functions only judge. Every rule compares a
//! store with **itself** — its own baseline, its own opening hours — because a busy mall store
//! and a quiet kiosk decline cards at very different everyday rates.
//!
//! The rules (each over the last [`WINDOW_MS`], ten minutes):
//! - **declines**: at least [`MIN_DECLINES`] declines, and more than [`DECLINE_SPIKE_FACTOR`]×
//!   the store's mean per ten minutes over the [`BASELINE_MS`] before the window;
//! - **print failures**: at least [`MIN_PRINT_FAILURES`];
//! - **a till offline**: a till heard from in the last [`OFFLINE_LOOKBACK_MS`] but not for
//!   [`OFFLINE_AFTER_MS`], while the store was open both then and now;
//! - **a sync backlog**: a till reporting at least [`SYNC_BACKLOG_ALERT`] unsent sales.
//!
//! An incident stays open while its rule keeps passing and closes once the rule has not passed
//! for [`QUIET_BEFORE_CLOSE_MS`]: a burst that flickers does not open and close a ticket-storm.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// One minute: telemetry is counted per store, signal, code, till and minute.
pub const MINUTE_MS: i64 = 60_000;
/// The window every rule looks at: the last ten minutes.
pub const WINDOW_MS: i64 = 10 * MINUTE_MS;
/// How far back a store's baseline reaches: the day before the window.
pub const BASELINE_MS: i64 = 24 * 60 * MINUTE_MS;
/// Declines must pass this many times the store's mean per window.
pub const DECLINE_SPIKE_FACTOR: i64 = 3;
/// Fewest declines in a window that can open an incident (a quiet store's one decline is no spike).
pub const MIN_DECLINES: i64 = 5;
/// Fewest print failures in a window that open an incident.
pub const MIN_PRINT_FAILURES: i64 = 3;
/// A till not heard from for this long is offline.
pub const OFFLINE_AFTER_MS: i64 = 5 * MINUTE_MS;
/// Only tills heard from within this long count: a till retired last month is not "offline".
pub const OFFLINE_LOOKBACK_MS: i64 = 12 * 60 * MINUTE_MS;
/// An incident closes once its rule has not passed for this long.
pub const QUIET_BEFORE_CLOSE_MS: i64 = 10 * MINUTE_MS;
/// A till reporting this many unsent sales (or more) in the window opens a backlog incident:
/// at a few sales a minute, that is a till cut off for a good part of an hour, whose stock and
/// takings the rest of the platform no longer sees.
pub const SYNC_BACKLOG_ALERT: i64 = 50;
/// Most characters in a telemetry code (a decline code, a printer error word).
pub const MAX_CODE_CHARS: usize = 32;
/// Most tills and codes an incident's evidence lists (it always gives the full count).
pub const MAX_EVIDENCE_ITEMS: usize = 20;

crate::named_enum! {
    /// What one telemetry event reports.
    pub enum TelemetryKind("type") {
        /// A card the till's terminal declined (`code`: the issuer's decline code).
        PaymentDeclined => "payment_declined",
        /// A receipt that did not print (`code`: the failure, such as `paper_out`).
        PrintFailed => "print_failed",
        /// The till was offline (reported once it is back; the server also sees silence).
        Offline => "offline",
        /// Sales waiting to be sent (`code`: how many, as the till counts them).
        SyncBacklog => "sync_backlog",
        /// Nothing wrong: the till is alive (keeps it from being judged offline).
        Heartbeat => "heartbeat",
    }
}

impl TelemetryKind {
    /// Whether events of this kind are counted per minute (a heartbeat only says "alive").
    pub fn is_counted(self) -> bool {
        match self {
            Self::PaymentDeclined | Self::PrintFailed | Self::Offline | Self::SyncBacklog => true,
            Self::Heartbeat => false,
        }
    }

    /// Whether an event of this kind with this `code` may make a window rule pass at once, so
    /// its store is worth judging right away rather than at the next tick: a decline, a print
    /// failure, a backlog at or above [`SYNC_BACKLOG_ALERT`]. An offline till is judged by
    /// silence, which no batch can bring; a heartbeat opens nothing.
    pub fn can_open_an_incident(self, code: Option<&str>) -> bool {
        match self {
            Self::PaymentDeclined | Self::PrintFailed => true,
            Self::SyncBacklog => code.and_then(backlog_of).is_some_and(|backlog| backlog >= SYNC_BACKLOG_ALERT),
            Self::Offline | Self::Heartbeat => false,
        }
    }
}

crate::named_enum! {
    /// Why an incident was opened: one open incident per store and cause.
    pub enum IncidentCause("cause") {
        /// Card declines far above the store's usual rate.
        PaymentDeclines => "payment_declines",
        /// Receipts failing to print.
        PrintFailures => "print_failures",
        /// A till silent during opening hours.
        TillOffline => "till_offline",
        /// A till holding too many sales it has not sent.
        SyncBacklog => "sync_backlog",
    }
}

crate::named_enum! {
    /// Where an incident stands.
    pub enum IncidentStatus("status") {
        /// Its rule passed and has not been quiet long enough since.
        Open => "open",
        /// Its signal came back to normal.
        Closed => "closed",
    }
}

/// A telemetry code: 1 to [`MAX_CODE_CHARS`] letters, digits, `_`, `-` or `.`.
pub fn parse_code(raw: &str) -> Result<String, DomainError> {
    let ok = !raw.is_empty()
        && raw.chars().count() <= MAX_CODE_CHARS
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(DomainError::invalid("code", format!("must be 1 to {MAX_CODE_CHARS} letters, digits, '_', '-' or '.'")))
    }
}

/// The start of the minute `at_ms` falls in.
pub fn minute_of(at_ms: i64) -> i64 {
    at_ms - at_ms.rem_euclid(MINUTE_MS)
}

/// The first minute of the window ending with the minute of `now_ms` (ten whole minutes,
/// the current one included).
pub fn window_start(now_ms: i64) -> i64 {
    minute_of(now_ms) - WINDOW_MS + MINUTE_MS
}

/// One signal at one store over the window: how many, by code, from which tills.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignalWindow {
    /// Events in the window.
    pub count: i64,
    /// Events by code (an absent code is `""`).
    pub codes: BTreeMap<String, i64>,
    /// The tills that reported them.
    pub devices: BTreeSet<String>,
}

impl SignalWindow {
    /// Adds `events` of `code` from `device`.
    pub fn add(&mut self, code: &str, device: &str, events: i64) {
        self.count = self.count.saturating_add(events);
        let entry = self.codes.entry(code.to_owned()).or_insert(0);
        *entry = entry.saturating_add(events);
        self.devices.insert(device.to_owned());
    }
}

/// The store's own history of a signal: `count` events over `windows` windows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Baseline {
    /// Events over the baseline period.
    pub count: i64,
    /// How many windows that period holds ([`BASELINE_MS`] / [`WINDOW_MS`]).
    pub windows: i64,
}

impl Baseline {
    /// The day before `window_start` as windows.
    pub fn over_a_day(count: i64) -> Self {
        Self { count, windows: BASELINE_MS / WINDOW_MS }
    }
}

/// Declines pass when there are at least [`MIN_DECLINES`] and more than
/// [`DECLINE_SPIKE_FACTOR`]× the baseline's mean per window (compared without division:
/// `count × windows > factor × baseline count`).
pub fn declines_spike(window: &SignalWindow, baseline: Baseline) -> bool {
    let windows = baseline.windows.max(1);
    window.count >= MIN_DECLINES
        && window.count.saturating_mul(windows) > DECLINE_SPIKE_FACTOR.saturating_mul(baseline.count.max(0))
}

/// A `sync_backlog` event's code as a number of unsent sales (`None`: not a plain count).
pub fn backlog_of(code: &str) -> Option<i64> {
    if code.is_empty() || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    code.parse().ok()
}

/// The largest backlog any till reported in the window (its codes are the backlog sizes).
pub fn largest_backlog(window: &SignalWindow) -> i64 {
    window.codes.keys().filter_map(|code| backlog_of(code)).max().unwrap_or(0)
}

/// A backlog passes when some till reported at least [`SYNC_BACKLOG_ALERT`] unsent sales.
pub fn sync_backlog_stuck(window: &SignalWindow) -> bool {
    largest_backlog(window) >= SYNC_BACKLOG_ALERT
}

/// Print failures pass at [`MIN_PRINT_FAILURES`] in the window.
pub fn print_failures_burst(window: &SignalWindow) -> bool {
    window.count >= MIN_PRINT_FAILURES
}

/// A till is offline when it was heard from within [`OFFLINE_LOOKBACK_MS`] but not for
/// [`OFFLINE_AFTER_MS`], and the store was open when the silence passed five minutes
/// (`open_at_offline_mark`) and is open now: silence while closed is a till switched off.
pub fn till_offline(last_seen_ms: i64, now_ms: i64, open_now: bool, open_at_offline_mark: bool) -> bool {
    let silent_ms = now_ms.saturating_sub(last_seen_ms);
    (OFFLINE_AFTER_MS..=OFFLINE_LOOKBACK_MS).contains(&silent_ms) && open_now && open_at_offline_mark
}

/// What an incident's evidence shows: the window, the counts, the codes and the tills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The window judged, start (RFC 3339).
    #[serde(with = "crate::time::rfc3339_ms")]
    pub window_start: i64,
    /// The window judged, end (RFC 3339): the detector's `now`.
    #[serde(with = "crate::time::rfc3339_ms")]
    pub window_end: i64,
    /// Events in the window (for a till offline: how many tills are silent).
    pub count: i64,
    /// The count the rule needed at least.
    pub threshold: i64,
    /// The store's events of this signal over its baseline period (declines only).
    pub baseline_count: i64,
    /// How many windows that baseline spans.
    pub baseline_windows: i64,
    /// Events by code (at most [`MAX_EVIDENCE_ITEMS`], the most frequent first by code order).
    pub codes: BTreeMap<String, i64>,
    /// The tills concerned (at most [`MAX_EVIDENCE_ITEMS`]).
    pub devices: Vec<String>,
}

impl Evidence {
    /// The evidence of a signal window, bounded to [`MAX_EVIDENCE_ITEMS`] codes and tills.
    pub fn of_window(window: &SignalWindow, now_ms: i64, threshold: i64, baseline: Baseline) -> Self {
        let mut codes: Vec<(&String, &i64)> = window.codes.iter().collect();
        codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        Self {
            window_start: window_start(now_ms),
            window_end: now_ms,
            count: window.count,
            threshold,
            baseline_count: baseline.count,
            baseline_windows: baseline.windows,
            codes: codes.into_iter().take(MAX_EVIDENCE_ITEMS).map(|(code, n)| (code.clone(), *n)).collect(),
            devices: window.devices.iter().take(MAX_EVIDENCE_ITEMS).cloned().collect(),
        }
    }

    /// The evidence of a backlog: `count` is the largest backlog reported, `codes` how often
    /// each size was reported, `devices` the tills that reported one.
    pub fn of_backlog(window: &SignalWindow, now_ms: i64) -> Self {
        Self {
            count: largest_backlog(window),
            ..Self::of_window(window, now_ms, SYNC_BACKLOG_ALERT, Baseline::default())
        }
    }

    /// The evidence of silent tills: each till and the minute it was last heard from.
    pub fn of_silent_tills(silent: &BTreeMap<String, i64>, now_ms: i64) -> Self {
        Self {
            window_start: silent.values().copied().min().unwrap_or(now_ms),
            window_end: now_ms,
            count: i64::try_from(silent.len()).unwrap_or(i64::MAX),
            threshold: 1,
            baseline_count: 0,
            baseline_windows: 0,
            codes: BTreeMap::new(),
            devices: silent.keys().take(MAX_EVIDENCE_ITEMS).cloned().collect(),
        }
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        // A struct of strings, numbers and a map of numbers always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `support.incident_opened` and `support.incident_closed`: the wire form agents' alerts and
/// webhooks read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentAnnounced {
    /// The incident.
    pub incident_id: String,
    /// The store's merchant.
    pub merchant_id: String,
    /// The store (location).
    pub location_id: String,
    /// Why it was opened.
    pub cause: IncidentCause,
    /// When it was opened (RFC 3339).
    #[serde(with = "crate::time::rfc3339_ms")]
    pub opened_at: i64,
    /// When it closed (RFC 3339; absent while open).
    #[serde(with = "crate::time::optional_rfc3339", default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<i64>,
    /// What the detector saw.
    pub evidence: Evidence,
}

/// What the detector does with one (store, cause) this tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentStep {
    /// No incident and nothing wrong.
    Nothing,
    /// The rule passed and none is open: open one.
    Open,
    /// The rule still passes: keep it open with fresh evidence.
    Refresh,
    /// Not passing, but not quiet for long enough yet: leave it as it is.
    Wait,
    /// Quiet for [`QUIET_BEFORE_CLOSE_MS`]: close it.
    Close,
}

/// The step for a (store, cause): `open_last_firing_ms` is the last time the open incident's
/// rule passed (`None`: no incident open), `firing` whether it passes now.
pub fn next_step(open_last_firing_ms: Option<i64>, firing: bool, now_ms: i64) -> IncidentStep {
    match (open_last_firing_ms, firing) {
        (None, false) => IncidentStep::Nothing,
        (None, true) => IncidentStep::Open,
        (Some(_), true) => IncidentStep::Refresh,
        (Some(last), false) if now_ms.saturating_sub(last) >= QUIET_BEFORE_CLOSE_MS => IncidentStep::Close,
        (Some(_), false) => IncidentStep::Wait,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn window(count: i64) -> SignalWindow {
        let mut window = SignalWindow::default();
        if count > 0 {
            window.add("05", "dev_1", count);
        }
        window
    }

    #[test]
    fn a_quiet_store_needs_five_declines() {
        assert!(!declines_spike(&window(4), Baseline::over_a_day(0)));
        assert!(declines_spike(&window(5), Baseline::over_a_day(0)));
    }

    #[test]
    fn a_busy_store_needs_three_times_its_usual_rate() {
        // 2 declines per ten minutes is usual: 6 is not more than three times that, 7 is.
        let usual = Baseline::over_a_day(2 * 144);
        assert!(!declines_spike(&window(6), usual));
        assert!(declines_spike(&window(7), usual));
    }

    #[test]
    fn print_failures_open_at_three() {
        assert!(!print_failures_burst(&window(2)));
        assert!(print_failures_burst(&window(3)));
    }

    #[test]
    fn a_backlog_opens_at_fifty_unsent_sales_whatever_else_was_reported() {
        let mut backlog = SignalWindow::default();
        backlog.add("3", "dev_a", 20);
        backlog.add("49", "dev_b", 1);
        assert!(!sync_backlog_stuck(&backlog), "many reports of small backlogs are no backlog");
        backlog.add("not-a-number", "dev_b", 1);
        assert!(!sync_backlog_stuck(&backlog));
        backlog.add("50", "dev_b", 1);
        assert!(sync_backlog_stuck(&backlog));
        let evidence = Evidence::of_backlog(&backlog, 30 * MINUTE_MS);
        assert_eq!((evidence.count, evidence.threshold), (50, SYNC_BACKLOG_ALERT));
        assert!(TelemetryKind::SyncBacklog.can_open_an_incident(Some("50")));
        assert!(!TelemetryKind::SyncBacklog.can_open_an_incident(Some("49")));
        assert!(!TelemetryKind::SyncBacklog.can_open_an_incident(None));
        assert!(TelemetryKind::PaymentDeclined.can_open_an_incident(Some("05")));
        assert!(!TelemetryKind::Heartbeat.can_open_an_incident(None));
        assert_eq!(backlog_of("+5"), None);
        assert_eq!(backlog_of("99999999999999999999"), None, "too large for a count");
    }

    #[test]
    fn a_till_is_offline_after_five_silent_minutes_while_open() {
        let now = 100 * MINUTE_MS;
        assert!(!till_offline(now - 4 * MINUTE_MS, now, true, true));
        assert!(till_offline(now - 5 * MINUTE_MS, now, true, true));
        assert!(!till_offline(now - 5 * MINUTE_MS, now, false, true), "closed now");
        assert!(!till_offline(now - 5 * MINUTE_MS, now, true, false), "it went silent while closed");
        assert!(!till_offline(now - OFFLINE_LOOKBACK_MS - 1, now, true, true), "a retired till");
    }

    #[test]
    fn codes_are_short_plain_words() {
        assert_eq!(parse_code("05"), Ok("05".to_owned()));
        assert!(parse_code("paper_out").is_ok());
        assert!(parse_code("").is_err());
        assert!(parse_code("a b").is_err());
        assert!(parse_code(&"x".repeat(33)).is_err());
    }

    #[test]
    fn evidence_names_the_window_codes_and_tills() {
        let mut burst = SignalWindow::default();
        burst.add("05", "dev_b", 4);
        burst.add("51", "dev_a", 2);
        let evidence = Evidence::of_window(&burst, 30 * MINUTE_MS + 5_000, MIN_DECLINES, Baseline::over_a_day(0));
        assert_eq!(evidence.count, 6);
        assert_eq!(evidence.window_start, 21 * MINUTE_MS);
        assert_eq!(evidence.codes.get("05"), Some(&4));
        assert_eq!(evidence.devices, vec!["dev_a".to_owned(), "dev_b".to_owned()]);
        let json: serde_json::Value = serde_json::from_str(&evidence.to_json()).unwrap_or_default();
        assert_eq!(json["window_start"], "1970-01-01T00:21:00.000Z");
    }

    #[test]
    fn an_incident_closes_only_after_a_quiet_spell() {
        let now = 1_000 * MINUTE_MS;
        assert_eq!(next_step(None, false, now), IncidentStep::Nothing);
        assert_eq!(next_step(None, true, now), IncidentStep::Open);
        assert_eq!(next_step(Some(now - MINUTE_MS), true, now), IncidentStep::Refresh);
        assert_eq!(next_step(Some(now - MINUTE_MS), false, now), IncidentStep::Wait);
        assert_eq!(next_step(Some(now - QUIET_BEFORE_CLOSE_MS), false, now), IncidentStep::Close);
    }

    proptest! {
        /// More declines never turn a passing rule into a failing one, and a higher baseline
        /// never turns a failing one into a passing one.
        #[test]
        fn the_declines_rule_is_monotone(count in 0i64..10_000, extra in 0i64..100, baseline in 0i64..100_000, more in 0i64..1_000) {
            let base = Baseline::over_a_day(baseline);
            if declines_spike(&window(count), base) {
                prop_assert!(declines_spike(&window(count + extra), base));
            }
            if !declines_spike(&window(count), base) {
                prop_assert!(!declines_spike(&window(count), Baseline::over_a_day(baseline + more)));
            }
            prop_assert!(!declines_spike(&window(count.min(MIN_DECLINES - 1)), base));
        }

        /// Driving one (store, cause) through any sequence of ticks keeps at most one incident
        /// open, opens only when the rule passes, and closes only after a quiet spell.
        #[test]
        fn one_incident_at_a_time_and_closing_needs_quiet(ticks in proptest::collection::vec((any::<bool>(), 1i64..5 * MINUTE_MS), 1..200)) {
            let mut now = 0i64;
            let mut open: Option<i64> = None;
            let mut opened = 0u32;
            let mut closed = 0u32;
            for (firing, advance) in ticks {
                now += advance;
                match next_step(open, firing, now) {
                    IncidentStep::Open => {
                        prop_assert!(open.is_none() && firing);
                        open = Some(now);
                        opened += 1;
                    }
                    IncidentStep::Refresh => {
                        prop_assert!(open.is_some() && firing);
                        open = Some(now);
                    }
                    IncidentStep::Close => {
                        let last = open.unwrap_or(now);
                        prop_assert!(!firing && now - last >= QUIET_BEFORE_CLOSE_MS);
                        open = None;
                        closed += 1;
                    }
                    IncidentStep::Wait => prop_assert!(open.is_some() && !firing),
                    IncidentStep::Nothing => prop_assert!(open.is_none() && !firing),
                }
                prop_assert!(opened == closed || opened == closed + 1);
            }
        }

        /// The backlog rule passes exactly when some till reported a backlog at the alert size
        /// or above, however many smaller reports the window holds.
        #[test]
        fn the_backlog_rule_follows_the_largest_report(sizes in proptest::collection::vec((0i64..200, 1i64..50), 0..20)) {
            let mut window = SignalWindow::default();
            for (n, (size, times)) in sizes.iter().enumerate() {
                window.add(&size.to_string(), &format!("dev_{}", n % 3), *times);
            }
            let largest = sizes.iter().map(|(size, _)| *size).max().unwrap_or(0);
            prop_assert_eq!(sync_backlog_stuck(&window), largest >= SYNC_BACKLOG_ALERT);
            prop_assert_eq!(largest_backlog(&window), largest);
        }

        /// Every event lands in the minute that contains it, and the window holds ten minutes.
        #[test]
        fn minutes_and_windows_line_up(at in -1_000_000_000_000i64..4_000_000_000_000) {
            let minute = minute_of(at);
            prop_assert!(minute <= at && at - minute < MINUTE_MS);
            prop_assert_eq!(minute % MINUTE_MS, 0);
            prop_assert_eq!(minute_of(at) - window_start(at), WINDOW_MS - MINUTE_MS);
        }
    }
}
