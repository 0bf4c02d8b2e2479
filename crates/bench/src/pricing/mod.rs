//! Workload (d), pricing: the pure pricing engine, in-process, with no server and no I/O.
//!
//! One cart of 20 lines at four locations of three merchants is priced `iterations` times, one
//! quote after another on one thread, against 50 active promotions of every kind (percent and
//! amount off lines, percent and amount off the order, buy X get Y, bundles; some site-wide,
//! some exclusive, some behind happy hours, windows, channels, minimum spends or coupons) and six
//! price lists. Reports the latency of one `price_cart` call (median, p99) and quotes per second.
//! Every quote must equal the first one, and the first must add up, else the run fails.

//!
//! The fixture is built in `fixture.rs`; here the run goes: price the reference quote, warm up,
//! [`time_quotes`], then the summary, failures and the table row.

mod fixture;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use omnicanal_domain::Currency;
use omnicanal_domain::pricing::promotion::NotAppliedReason;
use omnicanal_domain::pricing::{CartLine, PricingContext, Quote, price_cart};

use self::fixture::{CHANNEL, Fixture, LOCAL, NOW_MS, fixture};
use crate::report::Outcome;
use crate::stats::{Latencies, Row, Summary};

/// Settings of the pricing workload.
#[derive(Debug, Clone)]
pub struct PricingOptions {
    /// Quotes to time (after `iterations / 10` untimed warm-up quotes, at most 1 000).
    pub iterations: usize,
}

/// Runs the workload.
pub fn run(options: &PricingOptions) -> Result<Outcome, String> {
    let fixture = fixture()?;
    let context = PricingContext {
        currency: Currency::Clp,
        channel: CHANNEL,
        now_ms: NOW_MS,
        local: LOCAL,
        price_lists: &fixture.price_lists,
        promotions: &fixture.promotions,
        coupon_codes: &fixture.codes,
        coupons: &fixture.coupons,
    };
    let reference =
        price_cart(&context, fixture.lines.clone()).map_err(|e| format!("the cart cannot be priced: {e}"))?;
    let warmup = (options.iterations / 10).min(1_000);
    for _ in 0..warmup {
        let _ = black_box(price_cart(black_box(&context), black_box(fixture.lines.clone())));
    }
    let mut timing = time_quotes(&context, &fixture.lines, &reference, options.iterations);
    let summary = timing.latencies.summary();
    let shape = QuoteShape::of(&reference);
    let measured = Measured { reference, shape, timing, summary, warmup };
    let mut outcome = Outcome::default();
    say_summary(&mut outcome, options, &fixture, &measured);
    record_failures(&mut outcome, &measured);
    outcome.rows.push(table_row(options, &fixture, &measured));
    Ok(outcome)
}

/// The timed quotes: each call's latency, and how many failed or differed from the reference.
struct Timing {
    latencies: Latencies,
    errors: u64,
    different: u64,
    /// Time spent inside `price_cart` in all.
    inside: Duration,
    /// Wall time of the loop, cart clones and result checks included.
    elapsed: Duration,
}

/// Prices the cart `iterations` times, one quote after another, timing each call.
fn time_quotes(context: &PricingContext<'_>, lines: &[CartLine], reference: &Quote, iterations: usize) -> Timing {
    let mut timing = Timing {
        latencies: Latencies::new(),
        errors: 0,
        different: 0,
        inside: Duration::ZERO,
        elapsed: Duration::ZERO,
    };
    let started = Instant::now();
    for _ in 0..iterations {
        let lines = lines.to_vec();
        let sent = Instant::now();
        let quote = price_cart(black_box(context), black_box(lines));
        let took = sent.elapsed();
        timing.inside += took;
        timing.latencies.record(took);
        match quote {
            Ok(quote) => {
                timing.different += u64::from(quote.total != reference.total || quote.lines != reference.lines)
            }
            Err(_) => timing.errors += 1,
        }
    }
    timing.elapsed = started.elapsed();
    timing
}

/// What the reference quote did with the promotions.
struct QuoteShape {
    applied: usize,
    /// Reason code → promotions refused for it.
    refused: BTreeMap<String, usize>,
    /// Discounts on lines in all.
    discounts: usize,
    locations: usize,
}

impl QuoteShape {
    fn of(reference: &Quote) -> QuoteShape {
        let applied = reference.promotions.iter().filter(|p| p.applied).count();
        let mut refused: BTreeMap<String, usize> = BTreeMap::new();
        for outcome in reference.promotions.iter().filter(|p| !p.applied) {
            *refused.entry(reason_code(outcome.reason.as_ref())).or_default() += 1;
        }
        let discounts: usize = reference.lines.iter().map(|l| l.discounts.len()).sum();
        QuoteShape { applied, refused, discounts, locations: reference.parts.len() }
    }
}

/// Everything the run measured, for the report.
struct Measured {
    /// The first quote, which every timed one must equal.
    reference: Quote,
    shape: QuoteShape,
    timing: Timing,
    summary: Summary,
    /// Untimed quotes before the timed ones.
    warmup: usize,
}

impl Measured {
    fn per_second(&self, iterations: usize) -> f64 {
        iterations as f64 / self.timing.elapsed.as_secs_f64().max(1e-9)
    }
}

fn say_summary(outcome: &mut Outcome, options: &PricingOptions, fixture: &Fixture, measured: &Measured) {
    let (reference, shape, timing, summary) =
        (&measured.reference, &measured.shape, &measured.timing, &measured.summary);
    let (applied, discounts, locations, warmup) = (shape.applied, shape.discounts, shape.locations, measured.warmup);
    outcome.say(format!(
        "pricing [in-process]: {} lines at {locations} locations, {} promotions, {} price lists; {} quotes after {warmup} warm-up, one thread",
        fixture.lines.len(),
        fixture.promotions.len(),
        fixture.price_lists.len(),
        options.iterations,
    ));
    outcome.say(format!(
        "  the quote: gross {} − discount {} = total {}; {applied} promotions applied ({discounts} line discounts), {} considered and refused: {}",
        reference.gross,
        reference.discount,
        reference.total,
        shape.refused.values().sum::<usize>(),
        shape.refused.iter().map(|(code, n)| format!("{code}×{n}")).collect::<Vec<_>>().join(" "),
    ));
    outcome.say(format!(
        "  latency µs per quote: p50 {}  p90 {}  p99 {}  max {}",
        micros(summary.p50),
        micros(summary.p90),
        micros(summary.p99),
        micros(summary.max)
    ));
    outcome.say(format!(
        "  {:.0} quotes/s over {:.2} s of wall time (cart clone and result check included; {:.1} µs mean inside price_cart)",
        measured.per_second(options.iterations),
        timing.elapsed.as_secs_f64(),
        timing.inside.as_secs_f64() * 1e6 / options.iterations.max(1) as f64
    ));
}

/// Failed or differing quotes, a reference that does not add up, or a fixture where nothing
/// applies (then the run measures nothing).
fn record_failures(outcome: &mut Outcome, measured: &Measured) {
    let (reference, timing) = (&measured.reference, &measured.timing);
    if timing.errors > 0 {
        outcome.fail(format!("pricing: {} quotes failed", timing.errors));
    }
    if timing.different > 0 {
        outcome.fail(format!("pricing: {} quotes differ from the first one", timing.different));
    }
    if reference.gross.amount_minor - reference.discount.amount_minor != reference.total.amount_minor {
        outcome.fail("pricing: gross − discount ≠ total");
    }
    let given: i64 = reference.promotions.iter().filter(|p| p.applied).map(|p| p.amount.amount_minor).sum();
    if given != reference.discount.amount_minor {
        outcome
            .fail(format!("pricing: promotions gave {given} but the discount is {}", reference.discount.amount_minor));
    }
    if measured.shape.applied == 0 {
        outcome.fail("pricing: no promotion applied, the fixture measures nothing");
    }
}

fn table_row(options: &PricingOptions, fixture: &Fixture, measured: &Measured) -> Row {
    let (timing, summary) = (&measured.timing, measured.summary);
    let (applied, locations) = (measured.shape.applied, measured.shape.locations);
    let iterations = u64::try_from(options.iterations).unwrap_or(u64::MAX);
    Row {
        workload: "pricing".into(),
        backend: "in-process".into(),
        requests: iterations,
        ok: iterations.saturating_sub(timing.errors + timing.different),
        conflicts: 0,
        other_4xx: 0,
        server_errors: 0,
        transport_errors: timing.errors,
        seconds: timing.elapsed.as_secs_f64(),
        per_second: measured.per_second(options.iterations),
        latency: summary,
        notes: format!(
            "price_cart, {} lines / {locations} locations, {} promotions ({applied} applied), {} price lists, one thread; p50 {} µs, p99 {} µs",
            fixture.lines.len(),
            fixture.promotions.len(),
            fixture.price_lists.len(),
            micros(summary.p50),
            micros(summary.p99)
        ),
    }
}

/// Milliseconds as microseconds for the summary.
fn micros(value: Option<f64>) -> String {
    value.map(|ms| format!("{:.1}", ms * 1000.0)).unwrap_or_else(|| "–".to_owned())
}

fn reason_code(reason: Option<&NotAppliedReason>) -> String {
    let Some(reason) = reason else { return "?".to_owned() };
    let code = match reason {
        NotAppliedReason::Inactive => "inactive",
        NotAppliedReason::NotStarted => "not_started",
        NotAppliedReason::Expired => "expired",
        NotAppliedReason::WrongChannel => "wrong_channel",
        NotAppliedReason::WrongLocation => "wrong_location",
        NotAppliedReason::OutsideHappyHour => "outside_happy_hour",
        NotAppliedReason::CouponRequired => "coupon_required",
        NotAppliedReason::CouponLimitReached => "coupon_limit_reached",
        NotAppliedReason::CustomerLimitReached => "customer_limit_reached",
        NotAppliedReason::CustomerUnknown => "customer_unknown",
        NotAppliedReason::UnknownCoupon => "unknown_coupon",
        NotAppliedReason::MinimumNotMet { .. } => "minimum_not_met",
        NotAppliedReason::NotEnoughItems { .. } => "not_enough_items",
        NotAppliedReason::AlreadyDiscounted { .. } => "already_discounted",
        NotAppliedReason::NotCombinable { .. } => "not_combinable",
        NotAppliedReason::NoSaving => "no_saving",
    };
    code.to_owned()
}

#[cfg(test)]
mod tests {
    use omnicanal_domain::pricing::PromotionKind;

    use super::*;

    #[test]
    fn the_fixture_is_what_the_docs_say() -> Result<(), String> {
        let fixture = fixture()?;
        assert_eq!(fixture.lines.len(), 20);
        assert_eq!(fixture.promotions.len(), 50);
        assert!(fixture.promotions.iter().all(|p| p.active));
        let kinds: std::collections::BTreeSet<&str> = fixture
            .promotions
            .iter()
            .map(|p| match p.kind {
                PromotionKind::PercentOffLines { .. } => "percent_off_lines",
                PromotionKind::AmountOffLines { .. } => "amount_off_lines",
                PromotionKind::PercentOffOrder { .. } => "percent_off_order",
                PromotionKind::AmountOffOrder { .. } => "amount_off_order",
                PromotionKind::BuyXGetY { .. } => "buy_x_get_y",
                PromotionKind::Bundle { .. } => "bundle",
            })
            .collect();
        assert_eq!(kinds.len(), 6);
        Ok(())
    }

    #[test]
    fn a_short_run_passes_its_checks() -> Result<(), String> {
        let outcome = run(&PricingOptions { iterations: 50 })?;
        assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
        assert_eq!(outcome.rows.len(), 1);
        Ok(())
    }
}
