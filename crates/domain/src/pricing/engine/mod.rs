//! The pricing engine: one pure function prices a cart for every channel and explains itself.
//!
//! Steps, in order (the rules every channel shares):
//! 1. **Lines** of the same SKU at the same location with the same modifiers and note are merged
//!    (so a 2×1 sees both units).
//! 2. **Unit price** of each line from the price lists (rule in [`super::price_list`]), else the
//!    variant's base price, plus the prices of its modifiers.
//! 3. **Coupons** entered are checked: unknown, switched off, used up in all or by this customer.
//!    A valid coupon unlocks its promotion.
//! 4. **Promotions** are tried one by one: every line-level kind (percent or amount off lines,
//!    buy X get Y, bundles) first, then every order-level kind (percent or amount off the order);
//!    within each phase by priority (higher first), then by id. Each is checked for being on,
//!    its window, channel, happy hour and coupon, then per line for location, then for the
//!    minimum spend (the lines in scope after the discounts already given).
//! 5. **Stacking.** A unit gets at most one line-level promotion (the first to reach it wins; the
//!    others say `already_discounted`). Order-level promotions stack on what is left of the lines
//!    they cover, except that an *exclusive* promotion combines with nothing: lines with an
//!    exclusive line-level discount take no order-level discount, an exclusive order-level
//!    promotion skips lines that have any other discount, and once an exclusive order-level
//!    promotion covers a line no other order-level promotion does (and vice versa).
//! 6. **Allocation.** An order-level discount is shared among its lines in proportion to what is
//!    left of them (largest remainder, [`Money::allocate`]), so every line knows its own net
//!    amount — each merchant's tax document and settlement are exact. Percentages round half away
//!    from zero per line or per order, in the currency's minor unit.
//!    Then the **manual discounts** a cashier gave lines at the till are taken, last, from what
//!    is left of each line (`manual.rs`; a percent rounds half away from zero, an amount is
//!    capped at what is left), so no promotion sees them.
//! 7. **Taxes** are taken out of each line's final amount ([`super::tax`]); totals are sums of lines.
//!
//! Nothing here depends on the channel except price-list scope and a promotion's channel list, so
//! the same cart with the same promotions costs the same everywhere.
//!
//! The steps live in one file each, in the order above: merging and unit prices here, coupons in
//! `coupons.rs`, the gates and stacking of one promotion in `apply.rs`, what each kind gives in
//! `kinds.rs`, and the quote with its parts and tax totals in `assemble.rs`. The input and result
//! types are defined beside this module and re-exported here.

mod apply;
mod assemble;
mod coupons;
mod kinds;
mod manual;

use std::collections::BTreeMap;

pub use super::cart::{CartLine, PricingContext};
use super::price_list;
use super::promotion::{NotAppliedReason, Promotion};
pub use super::quote::{
    AppliedDiscount, CouponOutcome, LineTax, NotApplied, PriceSource, PromotionOutcome, Quote, QuotedLine, QuotedPart,
    TaxTotal,
};
use crate::catalog::{MAX_LINES_PER_ORDER, MAX_QUANTITY_PER_LINE, Quantity, Sku};
use crate::{DomainError, Money};

/// A line while it is being priced: what is left of it after each promotion, and which
/// promotions reached it (the stacking rules read these).
struct WorkLine {
    line: CartLine,
    unit_price: Money,
    source: PriceSource,
    gross: i64,
    net: i64,
    /// Units not yet discounted by a line-level promotion.
    available: i64,
    /// The line-level promotion that took units, and whether it is exclusive.
    line_promotion: Option<(String, bool)>,
    /// Order-level promotions applied, and whether each is exclusive.
    order_promotions: Vec<(String, bool)>,
    discounts: Vec<AppliedDiscount>,
    not_applied: Vec<NotApplied>,
}

/// What one promotion gives one line, as its kind computes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LineDiscount {
    /// The line, by its index among the merged lines.
    line_index: usize,
    /// Off the line, in the currency's minor unit.
    amount_minor: i64,
    /// Units a line-level promotion takes (no later line-level promotion reaches them); 0 for
    /// order-level kinds, which take no units.
    units: i64,
}

/// Why a promotion gives nothing: a reason the quote explains, or an error that stops pricing.
enum Refusal {
    Reason(NotAppliedReason),
    Domain(DomainError),
}

impl From<DomainError> for Refusal {
    fn from(error: DomainError) -> Self {
        Refusal::Domain(error)
    }
}

/// Prices a cart by the rules in the module docs.
pub fn price_cart(context: &PricingContext<'_>, lines: Vec<CartLine>) -> Result<Quote, DomainError> {
    let currency = context.currency;
    let mut work = merge_lines(context, lines)?;
    let coupon_gates = coupons::check_coupons(context);
    let mut ordered: Vec<&Promotion> = context.promotions.iter().collect();
    ordered.sort_by(|a, b| {
        b.kind.is_line_level().cmp(&a.kind.is_line_level()).then(b.priority.cmp(&a.priority)).then(a.id.cmp(&b.id))
    });
    let mut outcomes = Vec::new();
    for promotion in ordered {
        if let Some(outcome) = apply::apply_promotion(context, promotion, &coupon_gates, &mut work)? {
            outcomes.push(outcome);
        }
    }
    manual::apply_manual_discounts(context, &mut work);
    let coupons = coupons::coupon_outcomes(context, &coupon_gates, &outcomes);
    assemble::assemble(currency, context, work, outcomes, coupons)
}

/// Step 1 and 2: the cart's lines merged, each with its unit price and gross amount.
fn merge_lines(context: &PricingContext<'_>, lines: Vec<CartLine>) -> Result<Vec<WorkLine>, DomainError> {
    if lines.is_empty() {
        return Err(DomainError::invalid("lines", "a cart needs at least one line"));
    }
    if lines.len() > MAX_LINES_PER_ORDER {
        return Err(DomainError::invalid("lines", format!("a cart may have at most {MAX_LINES_PER_ORDER} lines")));
    }
    let mut merged: BTreeMap<(String, Sku, String), CartLine> = BTreeMap::new();
    for line in lines {
        if line.base_price.currency != context.currency {
            return Err(DomainError::CurrencyMismatch {
                left: context.currency.code(),
                right: line.base_price.currency.code(),
            });
        }
        manual::check_manual_discount(context, &line)?;
        match merged.get_mut(&merge_key(&line)) {
            Some(existing) => {
                existing.manual_discount = manual::merged(existing.manual_discount, line.manual_discount)?;
                existing.quantity = Quantity::parse(existing.quantity.get() + line.quantity.get()).map_err(|_| {
                    DomainError::invalid(
                        "quantity",
                        format!("{} appears on several lines adding up to more than {MAX_QUANTITY_PER_LINE}", line.sku),
                    )
                })?;
            }
            None => {
                merged.insert(merge_key(&line), line);
            }
        }
    }
    merged.into_values().map(|line| priced_line(context, line)).collect()
}

/// Lines with the same location, SKU, choices and note are one line.
fn merge_key(line: &CartLine) -> (String, Sku, String) {
    let choices: Vec<String> = line.modifiers.iter().map(|m| format!("{}={}", m.group, m.option)).collect();
    let mut signature = format!("{}|{}", choices.join(";"), line.note.as_deref().unwrap_or(""));
    // Only lines with a manual discount get the suffix, so every other cart merges and sorts
    // exactly as before manual discounts existed.
    signature.push_str(&manual::merge_suffix(line.manual_discount.as_ref()));
    (line.location_id.clone(), line.sku.clone(), signature)
}

/// Step 2 for one merged line: its unit price (a price list's, else the base price, plus the
/// modifiers) and gross amount, with nothing discounted yet.
fn priced_line(context: &PricingContext<'_>, line: CartLine) -> Result<WorkLine, DomainError> {
    let (unit_price, source) = match price_list::resolve(
        context.price_lists,
        &line.merchant_id,
        &line.location_id,
        context.channel,
        line.sku.as_str(),
        context.now_ms,
    ) {
        Some((list, price)) if price.currency == context.currency => (
            price,
            PriceSource {
                kind: "price_list".into(),
                price_list_id: Some(list.id.clone()),
                price_list_name: Some(list.name.clone()),
            },
        ),
        _ => (line.base_price, PriceSource { kind: "base".into(), price_list_id: None, price_list_name: None }),
    };
    let unit_price = line.modifiers.iter().try_fold(unit_price, |price, m| price.checked_add(m.price))?;
    let gross = unit_price.checked_mul(line.quantity.get())?.amount_minor;
    Ok(WorkLine {
        available: line.quantity.get(),
        line,
        unit_price,
        source,
        gross,
        net: gross,
        line_promotion: None,
        order_promotions: Vec::new(),
        discounts: Vec::new(),
        not_applied: Vec::new(),
    })
}
