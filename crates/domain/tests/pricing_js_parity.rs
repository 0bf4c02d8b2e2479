//! Parity of the two pricing engines: the Rust one (`omnicanal_domain::pricing::price_cart`) and
//! its JavaScript mirror the till uses offline (`crates/server/assets/pos/pricing.js`). Both price
//! the same 10 000 seeded carts and every quote (or refusal) must be the same JSON, field for
//! field; on a difference the first carts that differ are printed in full with the fields that
//! differ. A change to the Rust engine that this test catches must change `pricing.js` too.
//!
//! Node runs the JS module once over all carts (`pricing_js_parity/run.mjs`). Set
//! `PRICING_PARITY_SEED` or `PRICING_PARITY_CARTS` to explore other carts.

#[path = "pricing_js_parity/carts.rs"]
mod carts;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use carts::{Cart, Rng};
use omnicanal_domain::DomainError;
use omnicanal_domain::pricing::promotion::NotAppliedReason;
use omnicanal_domain::pricing::{PricingContext, PromotionKind, Quote, price_cart};
use serde_json::{Value, json};

const DEFAULT_SEED: u64 = 14;
const DEFAULT_CARTS: usize = 10_000;
/// How many differing carts are printed in full.
const SHOWN: usize = 3;

#[test]
fn the_js_engine_prices_every_generated_cart_as_the_rust_engine_does() {
    let seed = env_number("PRICING_PARITY_SEED").unwrap_or(DEFAULT_SEED);
    let count = env_number("PRICING_PARITY_CARTS").map_or(DEFAULT_CARTS, |n| usize::try_from(n).unwrap_or(0));
    let mut rng = Rng::new(seed);
    let carts: Vec<Cart> = (0..count).map(|_| carts::cart(&mut rng)).collect();
    let mut coverage = Coverage::default();
    let expected: Vec<String> = carts.iter().map(|cart| rust_result(cart, &mut coverage)).collect();
    if count >= DEFAULT_CARTS {
        coverage.check();
    }

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("pricing-js-parity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let input = dir.join("carts.jsonl");
    let output = dir.join("quotes.jsonl");
    let mut text = String::new();
    for cart in &carts {
        text.push_str(&serde_json::to_string(cart).expect("a cart serialises"));
        text.push('\n');
    }
    std::fs::write(&input, text).expect("write the carts");
    run_node(&input, &output);
    let actual: Vec<String> =
        std::fs::read_to_string(&output).expect("read the JS quotes").lines().map(str::to_owned).collect();
    assert_eq!(actual.len(), carts.len(), "the JS run printed one result per cart");

    let mut report = String::new();
    let mut differing = 0;
    for (index, ((cart, rust), js)) in carts.iter().zip(&expected).zip(&actual).enumerate() {
        if rust == js {
            continue;
        }
        let (rust_value, js_value): (Value, Value) = (parse(rust), parse(js));
        let mut differences = Vec::new();
        diff("", &rust_value, &js_value, &mut differences);
        if differences.is_empty() {
            continue; // the same JSON with keys in another order
        }
        differing += 1;
        if differing <= SHOWN {
            let cart_json = serde_json::to_string_pretty(cart).unwrap_or_default();
            let _ =
                writeln!(report, "\n=== cart #{index} (seed {seed}) ===\n{cart_json}\n--- differences (rust | js):");
            for line in differences.iter().take(30) {
                let _ = writeln!(report, "  {line}");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        differing == 0,
        "{differing} of {count} carts priced differently by crates/server/assets/pos/pricing.js:{report}"
    );
}

/// The Rust engine's answer for one cart, in the JS module's result shape.
fn rust_result(cart: &Cart, coverage: &mut Coverage) -> String {
    let context = PricingContext {
        currency: cart.currency,
        channel: &cart.channel,
        now_ms: cart.now_ms,
        local: cart.local,
        price_lists: &cart.price_lists,
        promotions: &cart.promotions,
        coupon_codes: &cart.coupon_codes,
        coupons: &cart.coupons,
    };
    match cart.cart_lines().and_then(|lines| price_cart(&context, lines)) {
        Ok(quote) => {
            coverage.quote(cart, &quote);
            format!(r#"{{"ok":true,"quote":{}}}"#, serde_json::to_string(&quote).expect("a quote serialises"))
        }
        Err(error) => {
            let error = error_json(&error);
            let code = match error["code"].as_str() {
                Some("invalid") => "invalid",
                Some("currency_mismatch") => "currency_mismatch",
                Some("overflow") => "overflow",
                _ => "unexpected",
            };
            *coverage.errors.entry(code).or_default() += 1;
            format!(r#"{{"ok":false,"error":{error}}}"#)
        }
    }
}

/// A refusal as `priceCart` reports it.
fn error_json(error: &DomainError) -> Value {
    match error {
        DomainError::Invalid { field, message } => json!({"code": "invalid", "field": field, "message": message}),
        DomainError::CurrencyMismatch { left, right } => {
            json!({"code": "currency_mismatch", "left": left, "right": right})
        }
        DomainError::Overflow => json!({"code": "overflow"}),
        other => json!({"code": "unexpected", "message": other.to_string()}),
    }
}

fn run_node(input: &Path, output: &Path) {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let module = here.join("../server/assets/pos/pricing.js");
    let runner = here.join("tests/pricing_js_parity/run.mjs");
    let result = Command::new("node").arg(&runner).arg(&module).arg(input).arg(output).output();
    let result = match result {
        Ok(result) => result,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => panic!(
            "the pricing parity test needs Node.js (`node` on PATH, version 18 or later) to run \
             crates/server/assets/pos/pricing.js; install it (CI machines have it)"
        ),
        Err(error) => panic!("could not start node: {error}"),
    };
    assert!(
        result.status.success(),
        "node failed on the JS engine ({}):\n{}{}",
        result.status,
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| Value::String(format!("not JSON ({error}): {text}")))
}

/// Every leaf where `rust` and `js` differ, as `path: rust | js`.
fn diff(path: &str, rust: &Value, js: &Value, out: &mut Vec<String>) {
    match (rust, js) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                diff(&format!("{path}.{key}"), value, b.get(key).unwrap_or(&Value::Null), out);
            }
            for (key, value) in b.iter().filter(|(key, _)| !a.contains_key(*key)) {
                out.push(format!("{path}.{key}: (absent) | {value}"));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{index}]"), x, y, out);
            }
        }
        _ if rust != js => out.push(format!("{path}: {rust} | {js}")),
        _ => {}
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|raw| raw.parse().ok())
}

/// What the generated carts exercised, so a generator that drifts into pricing nothing
/// interesting fails loudly instead of passing on empty quotes.
#[derive(Default)]
struct Coverage {
    quotes: usize,
    applied_kinds: BTreeMap<&'static str, usize>,
    reasons: BTreeMap<&'static str, usize>,
    errors: BTreeMap<&'static str, usize>,
    redeemed_coupons: usize,
    list_prices: usize,
    /// Quotes with an amount past JavaScript's exact integers (2^53 − 1), answered with BigInts.
    beyond_numbers: usize,
    /// Lines with a cashier's manual discount taken.
    manual_discounts: usize,
}

impl Coverage {
    fn quote(&mut self, cart: &Cart, quote: &Quote) {
        self.quotes += 1;
        for outcome in &quote.promotions {
            if outcome.applied
                && let Some(promotion) = cart.promotions.iter().find(|p| p.id == outcome.promotion_id)
            {
                *self.applied_kinds.entry(kind_name(&promotion.kind)).or_default() += 1;
            }
        }
        let reasons = quote.promotions.iter().filter_map(|o| o.reason.as_ref());
        let reasons = reasons.chain(quote.coupons.iter().filter_map(|c| c.reason.as_ref()));
        let reasons = reasons.chain(quote.lines.iter().flat_map(|l| l.not_applied.iter().map(|n| &n.reason)));
        for reason in reasons {
            *self.reasons.entry(reason_code(reason)).or_default() += 1;
        }
        self.list_prices += quote.lines.iter().filter(|line| line.price_source.kind == "price_list").count();
        self.redeemed_coupons += quote.redeemed_coupons().count();
        self.beyond_numbers += usize::from(quote.gross.amount_minor > (1 << 53) - 1);
        self.manual_discounts += quote
            .lines
            .iter()
            .filter(|line| {
                line.discounts.iter().any(|d| d.promotion_id == omnicanal_domain::pricing::MANUAL_DISCOUNT_ID)
            })
            .count();
    }

    fn check(&self) {
        for code in [
            "inactive",
            "not_started",
            "expired",
            "wrong_channel",
            "wrong_location",
            "outside_happy_hour",
            "coupon_required",
            "coupon_limit_reached",
            "customer_limit_reached",
            "customer_unknown",
            "unknown_coupon",
            "minimum_not_met",
            "not_enough_items",
            "already_discounted",
            "not_combinable",
            "no_saving",
        ] {
            assert!(self.reasons.contains_key(code), "no generated cart was refused a promotion for {code}");
        }
        for code in ["invalid", "currency_mismatch", "overflow"] {
            assert!(self.errors.contains_key(code), "no generated cart was refused with {code}");
        }
        for kind in
            ["percent_off_lines", "amount_off_lines", "percent_off_order", "amount_off_order", "buy_x_get_y", "bundle"]
        {
            let applied = self.applied_kinds.get(kind).copied().unwrap_or(0);
            assert!(applied > 60, "{kind} applied in only {applied} carts");
        }
        assert!(self.quotes > 8_000, "most carts are priced, not refused ({} quotes)", self.quotes);
        assert!(self.redeemed_coupons > 100, "coupons are redeemed");
        assert!(self.list_prices > 1_000, "price lists set prices");
        assert!(self.beyond_numbers > 10, "only {} quotes pass Number.MAX_SAFE_INTEGER", self.beyond_numbers);
        assert!(self.manual_discounts > 2_000, "only {} lines took a manual discount", self.manual_discounts);
    }
}

fn kind_name(kind: &PromotionKind) -> &'static str {
    match kind {
        PromotionKind::PercentOffLines { .. } => "percent_off_lines",
        PromotionKind::AmountOffLines { .. } => "amount_off_lines",
        PromotionKind::PercentOffOrder { .. } => "percent_off_order",
        PromotionKind::AmountOffOrder { .. } => "amount_off_order",
        PromotionKind::BuyXGetY { .. } => "buy_x_get_y",
        PromotionKind::Bundle { .. } => "bundle",
    }
}

fn reason_code(reason: &NotAppliedReason) -> &'static str {
    match reason {
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
    }
}
