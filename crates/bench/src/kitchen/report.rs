//! What the kitchen-display run reports: the human summary, the correctness failures, the two
//! targets (event p99 and display p99) and five table rows.
//!
//! Kept apart from the phases that measure, so the wording and the table, which BENCHMARKS.md
//! quotes, can be read in one place.

use std::time::Duration;

use super::{
    DEBOUNCE, DISPLAY_P99_TARGET_MS, EVENT_P99_TARGET_MS, IdleReads, KitchenOptions, OrderStream, OrderTimings, Watched,
};
use crate::report::Outcome;
use crate::stats::{Row, Summary, fmt_ms};

/// Everything the phases measured.
pub(super) struct Figures {
    /// How long the fixture's set-up took.
    pub(super) setup_took: Duration,
    /// How long placing the backlog took.
    pub(super) backlog_took: Duration,
    pub(super) stream: OrderStream,
    pub(super) watched: Watched,
    pub(super) idle: IdleReads,
    pub(super) timings: OrderTimings,
}

/// The latency percentiles of every series, computed once.
struct Summaries {
    order: Summary,
    event: Summary,
    send: Summary,
    display: Summary,
    read: Summary,
    idle: Summary,
}

/// Whether each target was met.
struct Met {
    event: bool,
    display: bool,
}

/// The workload's outcome on `backend`.
pub(super) fn report(backend: &str, options: &KitchenOptions, mut figures: Figures) -> Outcome {
    let summaries = Summaries {
        order: figures.stream.latency.summary(),
        event: figures.timings.after_201.summary(),
        send: figures.timings.after_send.summary(),
        display: figures.timings.on_display.summary(),
        read: figures.watched.seen.reads.summary(),
        idle: figures.idle.reads.summary(),
    };
    let mut outcome = Outcome::default();
    say_summary(&mut outcome, backend, options, &figures, &summaries);
    record_failures(&mut outcome, options, &figures);
    let met = record_targets(&mut outcome, backend, &figures.timings, &summaries);
    outcome.rows.push(orders_row(backend, options, &figures.stream, summaries.order));
    outcome.rows.extend(event_rows(backend, &figures, &summaries, &met));
    outcome.rows.extend(queue_rows(backend, &figures, &summaries));
    outcome
}

/// `p50 … p90 … p99 … max …` in milliseconds, one decimal.
fn percentiles(summary: &Summary) -> String {
    format!(
        "p50 {:.1} p90 {:.1} p99 {:.1} max {:.1}",
        summary.p50.unwrap_or_default(),
        summary.p90.unwrap_or_default(),
        summary.p99.unwrap_or_default(),
        summary.max.unwrap_or_default()
    )
}

/// The smallest and largest queue seen, or a dash.
fn sizes(sizes: Option<(usize, usize)>) -> String {
    sizes.map_or("–".to_owned(), |(low, high)| format!("{low}–{high}"))
}

fn met(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

fn say_summary(
    outcome: &mut Outcome,
    backend: &str,
    options: &KitchenOptions,
    figures: &Figures,
    summaries: &Summaries,
) {
    let (stream, seen, idle, timings) = (&figures.stream, &figures.watched.seen, &figures.idle, &figures.timings);
    let here_count = stream.here.len() as u64;
    outcome.say(format!(
        "kitchen-display [{}]: {} orders with a part at the location + {} elsewhere only, at {:.0}/s; backlog {} parts \
         (set-up {:.1} s, backlog {:.1} s); placing took {:.1} s",
        backend,
        options.orders,
        stream.sent - options.orders,
        options.rate,
        options.backlog,
        figures.setup_took.as_secs_f64(),
        figures.backlog_took.as_secs_f64(),
        stream.placing.as_secs_f64()
    ));
    outcome.say(format!("  orders: {}; POST ms {}", stream.outcomes.describe(), percentiles(&summaries.order)));
    let events: Vec<String> = seen.events.iter().map(|(kind, count)| format!("{count} {kind}")).collect();
    outcome.say(format!("  stream: {} events ({})", seen.events.values().sum::<u64>(), events.join(", ")));
    outcome.say(format!(
        "  201 → order.created: {} of {here_count} seen ({} before the 201, counted as 0); ms {}",
        timings.after_201.len(),
        timings.before_201,
        percentiles(&summaries.event)
    ));
    outcome.say(format!("  send → order.created: ms {}", percentiles(&summaries.send)));
    outcome.say(format!(
        "  201 → listed on the display (event, {} ms debounce, queue read): {} of {here_count}; ms {}",
        DEBOUNCE.as_millis(),
        timings.on_display.len(),
        percentiles(&summaries.display)
    ));
    outcome.say(format!(
        "  queue reads on events: {} ({}), {} live parts; ms {}",
        seen.reads.len(),
        seen.read_outcomes.describe(),
        sizes(seen.sizes),
        percentiles(&summaries.read)
    ));
    outcome.say(format!(
        "  queue reads idle, one after another: {} ({}), {} live parts; ms {}",
        idle.reads.len(),
        idle.outcomes.describe(),
        sizes(idle.sizes),
        percentiles(&summaries.idle)
    ));
    outcome.say(format!(
        "  staff rejected {} oldest parts to hold the queue at {}",
        figures.watched.rejected, options.backlog
    ));
    for sample in &seen.samples {
        outcome.say(format!("  queue sample: {sample}"));
    }
}

fn record_failures(outcome: &mut Outcome, options: &KitchenOptions, figures: &Figures) {
    let (outcomes, watched, idle, timings) =
        (&figures.stream.outcomes, &figures.watched, &figures.idle.outcomes, &figures.timings);
    if let Some(end) = &watched.stream_end {
        outcome.fail(format!("kitchen-display: {end} before the run ended"));
    }
    if timings.event_missing > 0 {
        outcome.fail(format!(
            "kitchen-display: {} orders never showed as order.created on the stream",
            timings.event_missing
        ));
    }
    if timings.display_missing > 0 {
        outcome.fail(format!(
            "kitchen-display: {} orders were not listed by a queue read on events within {:?}",
            timings.display_missing, options.settle
        ));
    }
    if timings.leaked > 0 {
        outcome.fail(format!(
            "kitchen-display: {} orders without a part at the location reached its display",
            timings.leaked
        ));
    }
    let server_errors = outcomes.count_range(500..600);
    if server_errors > 0 || outcomes.transport_total() > 0 || outcomes.count(201) != outcomes.total() {
        outcome.fail(format!("kitchen-display: not every order was accepted: {}", outcomes.describe()));
    }
    let on_events = &watched.seen.read_outcomes;
    let bad_reads = on_events.total() - on_events.count(200) + idle.total() - idle.count(200);
    if bad_reads > 0 {
        outcome.fail(format!("kitchen-display: {bad_reads} queue reads were not 200"));
    }
    if !watched.rejection_errors.is_empty() {
        outcome.fail(format!(
            "kitchen-display: {} rejections failed, e.g. {}",
            watched.rejection_errors.len(),
            watched.rejection_errors.iter().take(2).cloned().collect::<Vec<_>>().join("; ")
        ));
    }
}

fn record_targets(outcome: &mut Outcome, backend: &str, timings: &OrderTimings, summaries: &Summaries) -> Met {
    let (event_missing, display_missing) = (timings.event_missing, timings.display_missing);
    let event_p99 = summaries.event.p99.unwrap_or(f64::INFINITY);
    let display_p99 = summaries.display.p99.unwrap_or(f64::INFINITY);
    let event_met = event_p99 < EVENT_P99_TARGET_MS && event_missing == 0;
    let display_met = display_p99 < DISPLAY_P99_TARGET_MS && display_missing == 0;
    outcome.target(
        format!("kitchen display: 201 → order.created p99 < {EVENT_P99_TARGET_MS:.0} ms ({backend})"),
        event_met,
        format!("p99 {event_p99:.1} ms, {event_missing} missing"),
    );
    outcome.target(
        format!("kitchen display: new order listed p99 < {DISPLAY_P99_TARGET_MS:.0} ms ({backend})"),
        display_met,
        format!("p99 {display_p99:.1} ms, {display_missing} missing"),
    );
    Met { event: event_met, display: display_met }
}

fn orders_row(backend: &str, options: &KitchenOptions, stream: &OrderStream, latency: Summary) -> Row {
    let (outcomes, placing) = (&stream.outcomes, stream.placing);
    let (accepted, conflicts) = (outcomes.count(201), outcomes.count(409));
    Row {
        workload: "kitchen: POST /orders".into(),
        backend: backend.to_owned(),
        requests: outcomes.total(),
        ok: accepted,
        conflicts,
        other_4xx: outcomes.count_range(400..500) - conflicts,
        server_errors: outcomes.count_range(500..600),
        transport_errors: outcomes.transport_total(),
        seconds: placing.as_secs_f64(),
        per_second: accepted as f64 / placing.as_secs_f64().max(1e-9),
        latency,
        notes: format!(
            "paced at {:.0}/s; {} with a part at the location (half also elsewhere), {} elsewhere only",
            options.rate,
            options.orders,
            stream.sent - options.orders
        ),
    }
}

/// A series of events expected per order: how many came, and how many never did.
fn series(
    backend: &str,
    placing: Duration,
    workload: &str,
    counts: (u64, u64, u64),
    latency: Summary,
    notes: String,
) -> Row {
    let (requests, ok, missing) = counts;
    Row {
        workload: workload.into(),
        backend: backend.to_owned(),
        requests,
        ok,
        conflicts: 0,
        other_4xx: 0,
        server_errors: 0,
        transport_errors: missing,
        seconds: placing.as_secs_f64(),
        per_second: ok as f64 / placing.as_secs_f64().max(1e-9),
        latency,
        notes,
    }
}

/// 201 → event on the stream, and 201 → listed on the display.
fn event_rows(backend: &str, figures: &Figures, summaries: &Summaries, met_targets: &Met) -> [Row; 2] {
    let (timings, placing) = (&figures.timings, figures.stream.placing);
    let here_count = figures.stream.here.len() as u64;
    let on_stream = series(
        backend,
        placing,
        "kitchen: 201 → order.created (SSE)",
        (here_count, timings.after_201.len() as u64, timings.event_missing),
        summaries.event,
        format!(
            "location stream, staff bearer; {} arrived before the 201 (as 0); send→event p50 {} p99 {}; \
             {} of {} elsewhere-only orders leaked; p99 target < {EVENT_P99_TARGET_MS:.0} ms: {}",
            timings.before_201,
            fmt_ms(summaries.send.p50),
            fmt_ms(summaries.send.p99),
            timings.leaked,
            figures.stream.elsewhere.len(),
            met(met_targets.event)
        ),
    );
    let on_display = series(
        backend,
        placing,
        "kitchen: 201 → listed on display",
        (here_count, timings.on_display.len() as u64, timings.display_missing),
        summaries.display,
        format!(
            "event + {} ms debounce + queue read; target < {DISPLAY_P99_TARGET_MS:.0} ms: {}",
            DEBOUNCE.as_millis(),
            met(met_targets.display)
        ),
    );
    [on_stream, on_display]
}

/// Queue reads on events, during the order stream, and idle ones after it.
fn queue_rows(backend: &str, figures: &Figures, summaries: &Summaries) -> [Row; 2] {
    let (seen, idle, placing) = (&figures.watched.seen, &figures.idle, figures.stream.placing);
    let on_events = Row {
        workload: "kitchen: GET queue (on events)".into(),
        backend: backend.to_owned(),
        requests: seen.read_outcomes.total(),
        ok: seen.read_outcomes.count(200),
        conflicts: 0,
        other_4xx: seen.read_outcomes.count_range(400..500),
        server_errors: seen.read_outcomes.count_range(500..600),
        transport_errors: seen.read_outcomes.transport_total(),
        seconds: placing.as_secs_f64(),
        per_second: seen.read_outcomes.total() as f64 / placing.as_secs_f64().max(1e-9),
        latency: summaries.read,
        notes: format!(
            "{} live parts listed, during the order stream; {} oldest rejected by staff meanwhile",
            sizes(seen.sizes),
            figures.watched.rejected
        ),
    };
    let idle_row = Row {
        workload: "kitchen: GET queue (idle)".into(),
        backend: backend.to_owned(),
        requests: idle.outcomes.total(),
        ok: idle.outcomes.count(200),
        conflicts: 0,
        other_4xx: idle.outcomes.count_range(400..500),
        server_errors: idle.outcomes.count_range(500..600),
        transport_errors: idle.outcomes.transport_total(),
        seconds: 0.0,
        per_second: 0.0,
        latency: summaries.idle,
        notes: format!("{} live parts listed, one read after another, nothing else running", sizes(idle.sizes)),
    };
    [on_events, idle_row]
}
