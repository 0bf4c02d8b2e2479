//! Latency percentiles, status tallies and the markdown table every workload reports into.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

/// Latency samples; percentiles by nearest rank over the sorted samples.
#[derive(Debug, Default, Clone)]
pub struct Latencies {
    samples: Vec<Duration>,
    sorted: bool,
}

impl Latencies {
    /// An empty set of samples.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one sample.
    pub fn record(&mut self, sample: Duration) {
        self.samples.push(sample);
        self.sorted = false;
    }

    /// Adds every sample of `other`.
    pub fn merge(&mut self, other: &Latencies) {
        self.samples.extend_from_slice(&other.samples);
        self.sorted = false;
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    fn sort(&mut self) {
        if !self.sorted {
            self.samples.sort_unstable();
            self.sorted = true;
        }
    }

    /// The `p`-th percentile (0 < p ≤ 100) by nearest rank; `None` without samples.
    pub fn percentile(&mut self, p: f64) -> Option<Duration> {
        if self.samples.is_empty() {
            return None;
        }
        self.sort();
        let count = self.samples.len();
        // Nearest rank: ceil(p/100 * n), 1-based.
        let rank = ((p / 100.0) * count as f64).ceil().clamp(1.0, count as f64) as usize;
        self.samples.get(rank - 1).copied()
    }

    /// The largest sample.
    pub fn max(&mut self) -> Option<Duration> {
        self.percentile(100.0)
    }

    /// p50, p90, p99 and max, as milliseconds.
    pub fn summary(&mut self) -> Summary {
        Summary {
            p50: self.percentile(50.0).map(ms),
            p90: self.percentile(90.0).map(ms),
            p99: self.percentile(99.0).map(ms),
            max: self.max().map(ms),
        }
    }
}

/// p50, p90, p99 and max in milliseconds (`None` when there were no samples).
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    /// Median.
    pub p50: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// Largest.
    pub max: Option<f64>,
}

/// A duration as fractional milliseconds.
pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Formats optional milliseconds for the table.
pub fn fmt_ms(value: Option<f64>) -> String {
    match value {
        Some(value) if value >= 100.0 => format!("{value:.0}"),
        Some(value) if value >= 10.0 => format!("{value:.1}"),
        Some(value) => format!("{value:.2}"),
        None => "–".to_owned(),
    }
}

/// How requests ended: HTTP status counts plus transport failures (no status at all).
#[derive(Debug, Default, Clone)]
pub struct Outcomes {
    /// Responses by HTTP status.
    pub by_status: BTreeMap<u16, u64>,
    /// Requests that got no HTTP answer (connection refused or reset, timeout), by kind.
    pub transport: BTreeMap<String, u64>,
}

impl Outcomes {
    /// Counts one response.
    pub fn status(&mut self, status: u16) {
        *self.by_status.entry(status).or_default() += 1;
    }

    /// Counts one request without an answer.
    pub fn transport_error(&mut self, error: &reqwest::Error) {
        let kind = if error.is_timeout() {
            "timeout"
        } else if error.is_connect() {
            "connect"
        } else if error.is_body() || error.is_decode() {
            "body"
        } else {
            "request"
        };
        *self.transport.entry(kind.to_owned()).or_default() += 1;
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Outcomes) {
        for (status, count) in &other.by_status {
            *self.by_status.entry(*status).or_default() += count;
        }
        for (kind, count) in &other.transport {
            *self.transport.entry(kind.clone()).or_default() += count;
        }
    }

    /// Responses with this status.
    pub fn count(&self, status: u16) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }

    /// Responses whose status is in `range`.
    pub fn count_range(&self, range: std::ops::Range<u16>) -> u64 {
        self.by_status.iter().filter(|(status, _)| range.contains(status)).map(|(_, count)| count).sum()
    }

    /// Requests without an answer.
    pub fn transport_total(&self) -> u64 {
        self.transport.values().sum()
    }

    /// Every request.
    pub fn total(&self) -> u64 {
        self.by_status.values().sum::<u64>() + self.transport_total()
    }

    /// `201×950 409×50 timeout×1`.
    pub fn describe(&self) -> String {
        let mut text = String::new();
        for (status, count) in &self.by_status {
            let _ = write!(text, "{status}×{count} ");
        }
        for (kind, count) in &self.transport {
            let _ = write!(text, "{kind}×{count} ");
        }
        if text.is_empty() { "none".to_owned() } else { text.trim_end().to_owned() }
    }
}

/// The kernel's count of connections dropped because a listen queue was full
/// (`TcpExt: ListenOverflows` in `/proc/net/netstat`, machine-wide); `None` off Linux.
pub fn listen_overflows() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/net/netstat").ok()?;
    let mut tcp_ext = text.lines().filter(|line| line.starts_with("TcpExt:"));
    let names = tcp_ext.next()?;
    let values = tcp_ext.next()?;
    let index = names.split_whitespace().position(|name| name == "ListenOverflows")?;
    values.split_whitespace().nth(index)?.parse().ok()
}

/// One row of the results table.
#[derive(Debug, Clone)]
pub struct Row {
    /// Workload (and series) name.
    pub workload: String,
    /// sqlite, postgres, or a label for an attached server.
    pub backend: String,
    /// Requests sent (or events expected, for propagation series).
    pub requests: u64,
    /// 2xx answers (or events received).
    pub ok: u64,
    /// 409 answers.
    pub conflicts: u64,
    /// 4xx answers other than 409.
    pub other_4xx: u64,
    /// 5xx answers.
    pub server_errors: u64,
    /// Requests with no answer.
    pub transport_errors: u64,
    /// Wall time of the measured phase.
    pub seconds: f64,
    /// Requests (hot SKU) or accepted orders (mixed checkout, propagation) per second over `seconds`.
    pub per_second: f64,
    /// Latency percentiles.
    pub latency: Summary,
    /// Pass/fail against the target, and anything else worth a glance.
    pub notes: String,
}

impl Row {
    /// The markdown header matching [`Row::markdown`].
    pub fn header() -> &'static str {
        "| workload | backend | requests | ok | 409 | other 4xx | 5xx | no answer | wall s | rate /s | p50 ms | p90 ms | p99 ms | max ms | notes |\n\
         | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    }

    /// The row as one markdown table line.
    pub fn markdown(&self) -> String {
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {:.0} | {} | {} | {} | {} | {} |",
            self.workload,
            self.backend,
            self.requests,
            self.ok,
            self.conflicts,
            self.other_4xx,
            self.server_errors,
            self.transport_errors,
            self.seconds,
            self.per_second,
            fmt_ms(self.latency.p50),
            fmt_ms(self.latency.p90),
            fmt_ms(self.latency.p99),
            fmt_ms(self.latency.max),
            self.notes
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut latencies = Latencies::new();
        for millis in (1..=100).rev() {
            latencies.record(Duration::from_millis(millis));
        }
        assert_eq!(latencies.percentile(50.0), Some(Duration::from_millis(50)));
        assert_eq!(latencies.percentile(99.0), Some(Duration::from_millis(99)));
        assert_eq!(latencies.max(), Some(Duration::from_millis(100)));
        assert_eq!(Latencies::new().percentile(50.0), None);
    }

    #[test]
    fn outcomes_count_by_class() {
        let mut outcomes = Outcomes::default();
        for status in [201, 201, 409, 422, 500, 503] {
            outcomes.status(status);
        }
        assert_eq!(outcomes.count(201), 2);
        assert_eq!(outcomes.count_range(500..600), 2);
        assert_eq!(outcomes.count_range(400..500), 2);
        assert_eq!(outcomes.total(), 6);
        assert_eq!(outcomes.describe(), "201×2 409×1 422×1 500×1 503×1");
    }
}
