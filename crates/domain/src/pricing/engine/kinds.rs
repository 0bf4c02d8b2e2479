//! Step 4's arithmetic: what each kind of promotion gives the lines it may discount, before the
//! amounts are capped at what is left of each line.
//!
//! Line-level kinds price the units no earlier line-level promotion took (`available`);
//! order-level kinds share one amount among the lines in proportion to what is left of them
//! (step 6). Buy X get Y and bundles count units per location, since a 2×1 or a combo is served
//! by one kitchen.

use std::collections::BTreeMap;

use super::{LineDiscount, Refusal, WorkLine};
use crate::catalog::MAX_QUANTITY_PER_LINE;
use crate::pricing::promotion::{BundleComponent, NotAppliedReason, PromotionKind};
use crate::{Currency, DomainError, Money};

/// What `kind` gives each of the `candidates` lines, or why it gives nothing.
pub(super) fn compute(
    currency: Currency,
    kind: &PromotionKind,
    candidates: &[usize],
    work: &[WorkLine],
) -> Result<Vec<LineDiscount>, Refusal> {
    let lines = || candidates.iter().filter_map(|index| work.get(*index).map(|w| (*index, w)));
    match kind {
        PromotionKind::PercentOffLines { bps, .. } => Ok(lines()
            .filter(|(_, w)| w.available > 0)
            .map(|(index, w)| {
                let undiscounted = Money::new(w.unit_price.amount_minor * w.available, currency);
                discount(index, undiscounted.basis_points(*bps).amount_minor, w.available)
            })
            .collect()),
        PromotionKind::AmountOffLines { amount, .. } => {
            same_currency(currency, *amount)?;
            Ok(lines()
                .filter(|(_, w)| w.available > 0)
                .map(|(index, w)| {
                    discount(index, amount.amount_minor.min(w.unit_price.amount_minor) * w.available, w.available)
                })
                .collect())
        }
        PromotionKind::PercentOffOrder { bps } => {
            let base: i64 = lines().map(|(_, w)| w.net).sum();
            let off = Money::new(base, currency).basis_points(*bps);
            Ok(share(off, lines().map(|(index, w)| (index, w.net))))
        }
        PromotionKind::AmountOffOrder { amount } => {
            same_currency(currency, *amount)?;
            let base: i64 = lines().map(|(_, w)| w.net).sum();
            let off = Money::new(amount.amount_minor.min(base), currency);
            Ok(share(off, lines().map(|(index, w)| (index, w.net))))
        }
        PromotionKind::BuyXGetY { buy, get, get_off_bps, .. } => {
            buy_x_get_y(currency, *buy, *get, *get_off_bps, lines())
        }
        PromotionKind::Bundle { components, price } => {
            same_currency(currency, *price)?;
            bundle(currency, components, *price, lines())
        }
    }
}

fn discount(line_index: usize, amount_minor: i64, units: i64) -> LineDiscount {
    LineDiscount { line_index, amount_minor, units }
}

/// A promotion's fixed amount must be in the cart's currency.
fn same_currency(currency: Currency, amount: Money) -> Result<(), DomainError> {
    if amount.currency != currency {
        return Err(DomainError::CurrencyMismatch { left: currency.code(), right: amount.currency.code() });
    }
    Ok(())
}

/// Shares `off` among lines in proportion to their remaining amounts.
fn share(off: Money, lines: impl Iterator<Item = (usize, i64)>) -> Vec<LineDiscount> {
    let lines: Vec<(usize, i64)> = lines.collect();
    let weights: Vec<u64> = lines.iter().map(|(_, net)| net.unsigned_abs()).collect();
    lines
        .iter()
        .zip(off.allocate(&weights))
        .map(|((index, _), amount)| discount(*index, amount.amount_minor, 0))
        .collect()
}

/// Lines with units left, grouped by location (in location order).
fn by_location<'a>(lines: impl Iterator<Item = (usize, &'a WorkLine)>) -> Vec<Vec<(usize, &'a WorkLine)>> {
    let mut groups: BTreeMap<&str, Vec<(usize, &WorkLine)>> = BTreeMap::new();
    for (index, w) in lines {
        if w.available > 0 {
            groups.entry(w.line.location_id.as_str()).or_default().push((index, w));
        }
    }
    groups.into_values().collect()
}

/// Buy `buy`, get `get` at `bps` off, counted per location.
fn buy_x_get_y<'a>(
    currency: Currency,
    buy: i64,
    get: i64,
    bps: u32,
    lines: impl Iterator<Item = (usize, &'a WorkLine)>,
) -> Result<Vec<LineDiscount>, Refusal> {
    // `Promotion::validate` refuses these; never divide by an empty or absurd group.
    if !(1..=MAX_QUANTITY_PER_LINE).contains(&buy) || !(1..=MAX_QUANTITY_PER_LINE).contains(&get) {
        let needed = buy.saturating_add(get);
        return Err(Refusal::Reason(NotAppliedReason::NotEnoughItems { needed, present: 0 }));
    }
    let mut given = Vec::new();
    let mut present = 0;
    for group in by_location(lines) {
        present = present.max(group.iter().map(|(_, w)| w.available).sum::<i64>());
        given.extend(buy_x_get_y_at_one_location(currency, &group, buy, get, bps));
    }
    if given.is_empty() {
        return Err(Refusal::Reason(NotAppliedReason::NotEnoughItems { needed: buy + get, present }));
    }
    Ok(given)
}

/// Groups of `buy + get` units, dearest first; the last `get` of each group are discounted.
fn buy_x_get_y_at_one_location(
    currency: Currency,
    group: &[(usize, &WorkLine)],
    buy: i64,
    get: i64,
    bps: u32,
) -> Vec<LineDiscount> {
    let size = buy + get;
    let mut runs: Vec<&(usize, &WorkLine)> = group.iter().collect();
    runs.sort_by(|a, b| {
        b.1.unit_price.amount_minor.cmp(&a.1.unit_price.amount_minor).then(a.1.line.sku.cmp(&b.1.line.sku))
    });
    let units: i64 = runs.iter().map(|(_, w)| w.available).sum();
    let limit = (units / size) * size;
    // Discounted positions among the first `k` units.
    let discounted_before = |k: i64| (k / size) * get + (k % size - buy).max(0);
    let mut start = 0;
    let mut given = Vec::new();
    for (index, w) in runs {
        let end = start + w.available;
        let (from, to) = (start.min(limit), end.min(limit));
        let taken = to - from;
        let discounted = discounted_before(to) - discounted_before(from);
        if taken > 0 {
            let amount = Money::new(w.unit_price.amount_minor * discounted, currency).basis_points(bps).amount_minor;
            given.push(discount(*index, amount, taken));
        }
        start = end;
    }
    given
}

/// Complete sets of the components at one location cost `price` each; the saving is shared
/// among the components in proportion to their normal prices.
fn bundle<'a>(
    currency: Currency,
    components: &[BundleComponent],
    price: Money,
    lines: impl Iterator<Item = (usize, &'a WorkLine)>,
) -> Result<Vec<LineDiscount>, Refusal> {
    // `Promotion::validate` refuses these; never divide by a component of no units.
    if components.iter().any(|c| !(1..=MAX_QUANTITY_PER_LINE).contains(&c.quantity)) {
        let needed = components.iter().fold(0i64, |sum, c| sum.saturating_add(c.quantity.max(0)));
        return Err(Refusal::Reason(NotAppliedReason::NotEnoughItems { needed, present: 0 }));
    }
    let needed: i64 = components.iter().map(|c| c.quantity).sum();
    let mut given = Vec::new();
    let mut present = 0;
    let mut no_saving = false;
    for group in by_location(lines) {
        present = present.max(group.iter().map(|(_, w)| w.available).sum::<i64>());
        let Some(members) = bundle_members(components, &group) else { continue };
        let sets = members.iter().map(|(_, w, quantity)| w.available / quantity).min().unwrap_or(0);
        if sets == 0 {
            continue;
        }
        let normal: i64 = members.iter().map(|(_, w, quantity)| w.unit_price.amount_minor * quantity).sum();
        let saving = normal - price.amount_minor;
        if saving <= 0 {
            no_saving = true;
            continue;
        }
        given.extend(share_bundle_saving(currency, &members, saving, sets)?);
    }
    if given.is_empty() {
        let reason =
            if no_saving { NotAppliedReason::NoSaving } else { NotAppliedReason::NotEnoughItems { needed, present } };
        return Err(Refusal::Reason(reason));
    }
    Ok(given)
}

/// The line of each component at one location, with the component's units per set; `None`
/// unless every component is there.
fn bundle_members<'a>(
    components: &[BundleComponent],
    group: &[(usize, &'a WorkLine)],
) -> Option<Vec<(usize, &'a WorkLine, i64)>> {
    components
        .iter()
        .map(|component| {
            group
                .iter()
                .find(|(_, w)| w.line.sku.as_str() == component.sku)
                .map(|(index, w)| (*index, *w, component.quantity))
        })
        .collect()
}

/// `sets` times the saving of one set, shared among its components by their normal prices.
fn share_bundle_saving(
    currency: Currency,
    members: &[(usize, &WorkLine, i64)],
    saving: i64,
    sets: i64,
) -> Result<Vec<LineDiscount>, DomainError> {
    let weights: Vec<u64> = members.iter().map(|(_, w, q)| (w.unit_price.amount_minor * q).unsigned_abs()).collect();
    let shares = Money::new(saving.checked_mul(sets).ok_or(DomainError::Overflow)?, currency).allocate(&weights);
    Ok(members
        .iter()
        .zip(shares)
        .map(|((index, _, quantity), amount)| discount(*index, amount.amount_minor, quantity * sets))
        .collect())
}
