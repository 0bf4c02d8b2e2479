//! Incidents and how long they lasted, for the desk's reports (issue 18 point 6). Pure: the app
//! gathers one [`IncidentFacts`] per incident that was open at some moment of the report's
//! period and this counts them — by cause, by store, how many are still open — and describes
//! their durations (median, 90th percentile, longest, and buckets for a chart).
//!
//! **Duration.** An incident lasts from its opening to its closing; one still open lasts up to
//! `now` (it has cost the store that long already, and leaving it out would make a bad day look
//! good). The whole duration counts, not only the part inside the period: an incident is one
//! event with one length, whichever report it appears in.
//!
//! **Percentiles** use the nearest-rank rule on the sorted durations (the value at rank
//! `ceil(p × n)`), so every figure shown is the duration of a real incident; the median of an
//! even count is the lower of the two middle ones.

use std::collections::BTreeMap;

use super::incidents::IncidentCause;

/// What the report needs of one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFacts {
    /// The store.
    pub location_id: String,
    /// Why it was opened.
    pub cause: IncidentCause,
    /// Opened at (Unix ms).
    pub opened_ms: i64,
    /// Closed at (Unix ms); `None` while open.
    pub closed_ms: Option<i64>,
}

impl IncidentFacts {
    /// How long it lasted (or has lasted, if open) as of `now_ms`, never negative.
    pub fn duration_ms(&self, now_ms: i64) -> i64 {
        (self.closed_ms.unwrap_or(now_ms) - self.opened_ms).max(0)
    }
}

/// The upper bounds, in minutes, of the incident-duration buckets; the last bucket is open.
/// Shorter than the tickets' buckets: an incident is a spike that usually ends within the hour.
pub const INCIDENT_DURATION_BUCKETS_MINUTES: [i64; 6] = [5, 15, 30, 60, 240, 1440];

/// How many buckets a distribution has: one per bound and one past the last.
pub const INCIDENT_BUCKET_COUNT: usize = INCIDENT_DURATION_BUCKETS_MINUTES.len() + 1;

/// Median, 90th percentile and longest duration, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DurationSummary {
    /// The median (nearest rank).
    pub median_ms: i64,
    /// The 90th percentile (nearest rank).
    pub p90_ms: i64,
    /// The longest.
    pub max_ms: i64,
}

/// The incidents of a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentReport {
    /// Incidents open at some moment of the period.
    pub total: i64,
    /// Of them, still open now.
    pub open_now: i64,
    /// By cause, in the causes' order (every cause, zero included).
    pub by_cause: Vec<(IncidentCause, i64)>,
    /// By store id, most first.
    pub by_store: Vec<(String, i64)>,
    /// Durations; `None` when there was no incident.
    pub duration: Option<DurationSummary>,
    /// Durations by bucket of [`INCIDENT_DURATION_BUCKETS_MINUTES`], one past the last.
    pub duration_buckets: [i64; INCIDENT_BUCKET_COUNT],
}

/// The value at nearest rank `ceil(percent × n / 100)` of `sorted` (ascending, non-empty).
fn nearest_rank(sorted: &[i64], percent: usize) -> i64 {
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).or_else(|| sorted.last()).copied().unwrap_or(0)
}

fn bucket_of(duration_ms: i64) -> usize {
    let minutes_ceiling = (duration_ms + 59_999) / 60_000;
    INCIDENT_DURATION_BUCKETS_MINUTES
        .iter()
        .position(|bound| minutes_ceiling <= *bound)
        .unwrap_or(INCIDENT_DURATION_BUCKETS_MINUTES.len())
}

/// Counts `incidents` as of `now_ms`.
pub fn incident_report(incidents: &[IncidentFacts], now_ms: i64) -> IncidentReport {
    let mut report = IncidentReport::default();
    let mut by_store: BTreeMap<&str, i64> = BTreeMap::new();
    let mut by_cause: BTreeMap<IncidentCause, i64> = BTreeMap::new();
    let mut durations = Vec::with_capacity(incidents.len());
    for incident in incidents {
        report.total += 1;
        if incident.closed_ms.is_none() {
            report.open_now += 1;
        }
        *by_store.entry(&incident.location_id).or_default() += 1;
        *by_cause.entry(incident.cause).or_default() += 1;
        let duration = incident.duration_ms(now_ms);
        report.duration_buckets[bucket_of(duration)] += 1;
        durations.push(duration);
    }
    durations.sort_unstable();
    report.duration = (!durations.is_empty()).then(|| DurationSummary {
        median_ms: nearest_rank(&durations, 50),
        p90_ms: nearest_rank(&durations, 90),
        max_ms: durations.last().copied().unwrap_or(0),
    });
    report.by_store = by_store.into_iter().map(|(store, count)| (store.to_owned(), count)).collect();
    report.by_store.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    report.by_cause =
        IncidentCause::ALL.iter().map(|cause| (*cause, by_cause.get(cause).copied().unwrap_or(0))).collect();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;

    fn incident(store: &str, cause: IncidentCause, opened_min: i64, closed_min: Option<i64>) -> IncidentFacts {
        IncidentFacts {
            location_id: store.into(),
            cause,
            opened_ms: opened_min * MINUTE,
            closed_ms: closed_min.map(|m| m * MINUTE),
        }
    }

    #[test]
    fn counts_by_cause_and_store_and_the_open_ones() {
        let incidents = [
            incident("a", IncidentCause::PaymentDeclines, 0, Some(10)),
            incident("a", IncidentCause::PaymentDeclines, 20, Some(22)),
            incident("b", IncidentCause::PrintFailures, 30, None),
        ];
        let report = incident_report(&incidents, 100 * MINUTE);
        assert_eq!(report.total, 3);
        assert_eq!(report.open_now, 1);
        assert_eq!(report.by_store, vec![("a".to_owned(), 2), ("b".to_owned(), 1)]);
        assert_eq!(
            report.by_cause,
            vec![
                (IncidentCause::PaymentDeclines, 2),
                (IncidentCause::PrintFailures, 1),
                (IncidentCause::TillOffline, 0),
                (IncidentCause::SyncBacklog, 0)
            ]
        );
    }

    #[test]
    fn an_open_incident_lasts_up_to_now() {
        let report = incident_report(&[incident("a", IncidentCause::TillOffline, 10, None)], 70 * MINUTE);
        assert_eq!(
            report.duration,
            Some(DurationSummary { median_ms: 60 * MINUTE, p90_ms: 60 * MINUTE, max_ms: 60 * MINUTE })
        );
        assert_eq!(report.duration_buckets[3], 1, "60 minutes: up to 60");
    }

    #[test]
    fn median_p90_and_max_are_real_durations_by_nearest_rank() {
        // Ten incidents lasting 1, 2, … 10 minutes.
        let incidents: Vec<IncidentFacts> =
            (1..=10).map(|m| incident("a", IncidentCause::PrintFailures, 0, Some(m))).collect();
        let summary = incident_report(&incidents, 0).duration;
        assert_eq!(summary, Some(DurationSummary { median_ms: 5 * MINUTE, p90_ms: 9 * MINUTE, max_ms: 10 * MINUTE }));
        // One incident: every figure is its duration.
        let one = incident_report(&[incident("a", IncidentCause::PrintFailures, 0, Some(7))], 0).duration;
        assert_eq!(one, Some(DurationSummary { median_ms: 7 * MINUTE, p90_ms: 7 * MINUTE, max_ms: 7 * MINUTE }));
    }

    #[test]
    fn buckets_hold_each_duration_once() {
        let incidents = [
            incident("a", IncidentCause::PrintFailures, 0, Some(0)),
            incident("a", IncidentCause::PrintFailures, 0, Some(5)),
            incident("a", IncidentCause::PrintFailures, 0, Some(6)),
            incident("a", IncidentCause::PrintFailures, 0, Some(2000)),
        ];
        let report = incident_report(&incidents, 0);
        assert_eq!(report.duration_buckets, [2, 1, 0, 0, 0, 0, 1]);
        assert_eq!(report.duration_buckets.iter().sum::<i64>(), report.total);
    }

    #[test]
    fn a_clock_behind_an_opening_gives_zero_not_a_negative_duration() {
        let report = incident_report(&[incident("a", IncidentCause::TillOffline, 10, None)], 0);
        assert_eq!(report.duration.map(|d| d.max_ms), Some(0));
    }

    #[test]
    fn no_incident_has_no_durations() {
        let report = incident_report(&[], 0);
        assert_eq!((report.total, report.open_now, report.duration), (0, 0, None));
        assert_eq!(report.by_cause.len(), IncidentCause::ALL.len());
    }
}
