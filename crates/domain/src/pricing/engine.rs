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
//! 7. **Taxes** are taken out of each line's final amount ([`super::tax`]); totals are sums of lines.
//!
//! Nothing here depends on the channel except price-list scope and a promotion's channel list, so
//! the same cart with the same promotions costs the same everywhere.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::price_list::{self, PriceList};
use super::promotion::{CouponState, Funder, LocalTime, NotAppliedReason, Promotion, PromotionKind, normalize_code};
use super::tax::{TaxRate, tax_included};
use crate::catalog::{MAX_LINES_PER_ORDER, MAX_QUANTITY_PER_LINE, Quantity, Sku};
use crate::modifiers::ChosenModifier;
use crate::{Currency, DomainError, Money};

/// One line of a cart, with what the catalog knows about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    /// What is bought.
    pub sku: Sku,
    /// Where it is picked up.
    pub location_id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// How many.
    pub quantity: Quantity,
    /// The variant's base unit price.
    pub base_price: Money,
    /// The tax contained in its price.
    pub tax: TaxRate,
    /// Whether stock is counted for it.
    pub track_stock: bool,
    /// Checked modifier choices; their prices are added to the unit price.
    pub modifiers: Vec<ChosenModifier>,
    /// The customer's note for the kitchen.
    pub note: Option<String>,
}

impl CartLine {
    /// Lines with the same location, SKU, choices and note are one line.
    fn merge_key(&self) -> (String, Sku, String) {
        let choices: Vec<String> = self.modifiers.iter().map(|m| format!("{}={}", m.group, m.option)).collect();
        let signature = format!("{}|{}", choices.join(";"), self.note.as_deref().unwrap_or(""));
        (self.location_id.clone(), self.sku.clone(), signature)
    }
}

/// Everything the engine needs besides the lines.
#[derive(Debug, Clone, Copy)]
pub struct PricingContext<'a> {
    /// The site's currency.
    pub currency: Currency,
    /// The channel the cart comes through.
    pub channel: &'a str,
    /// The instant of pricing (Unix ms).
    pub now_ms: i64,
    /// The same instant on the site's wall clock.
    pub local: LocalTime,
    /// Price lists of the merchants in the cart.
    pub price_lists: &'a [PriceList],
    /// Promotions of the merchants in the cart and of the site.
    pub promotions: &'a [Promotion],
    /// The codes the customer entered, as typed.
    pub coupon_codes: &'a [String],
    /// The coupons found for those codes.
    pub coupons: &'a [CouponState],
}

/// Where a line's unit price came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceSource {
    /// `base` or `price_list`.
    pub kind: String,
    /// The list, when one applied.
    pub price_list_id: Option<String>,
    /// Its name.
    pub price_list_name: Option<String>,
}

/// A discount given to a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedDiscount {
    /// The promotion.
    pub promotion_id: String,
    /// Its name.
    pub name: String,
    /// Off this line.
    pub amount: Money,
    /// Who pays for it.
    pub funded_by: Funder,
}

/// A promotion that was considered and did not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotApplied {
    /// The promotion.
    pub promotion_id: String,
    /// Its name.
    pub name: String,
    /// Why, as a code with details.
    pub reason: NotAppliedReason,
    /// Why, in plain words.
    pub message: String,
}

/// The tax in one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTax {
    /// `IVA`, `IGV`, `INC` or `EXENTO`.
    pub code: String,
    /// Basis points.
    pub rate_bps: u32,
    /// The line's amount without the tax.
    pub base: Money,
    /// The tax.
    pub amount: Money,
}

/// A priced line with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotedLine {
    /// What is bought.
    pub sku: String,
    /// Where it is picked up.
    pub location_id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// How many.
    pub quantity: i64,
    /// Whether stock is counted for it.
    pub track_stock: bool,
    /// The variant's base unit price.
    pub base_price: Money,
    /// The unit price charged before promotions: the list (or base) price plus the modifiers.
    pub unit_price: Money,
    /// Modifier choices, each with what it adds to the unit price.
    #[serde(default)]
    pub modifiers: Vec<ChosenModifier>,
    /// The customer's note for the kitchen.
    #[serde(default)]
    pub note: Option<String>,
    /// Where `unit_price` came from.
    pub price_source: PriceSource,
    /// `unit_price × quantity`.
    pub gross: Money,
    /// Discounts given, in the order they were applied.
    pub discounts: Vec<AppliedDiscount>,
    /// Their sum.
    pub discount: Money,
    /// `gross − discount`: what is paid for the line.
    pub total: Money,
    /// The tax contained in `total`.
    pub tax: LineTax,
    /// Line-level promotions that target this line and did not apply.
    pub not_applied: Vec<NotApplied>,
}

/// The taxes of several lines of one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxTotal {
    /// `IVA`, `IGV`, `INC` or `EXENTO`.
    pub code: String,
    /// Basis points.
    pub rate_bps: u32,
    /// As printed, e.g. `IVA 19%`.
    pub label: String,
    /// Amount without the tax.
    pub base: Money,
    /// The tax.
    pub amount: Money,
}

/// One location's part of the cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotedPart {
    /// The location.
    pub location_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Sum of the lines' gross amounts.
    pub gross: Money,
    /// Sum of their discounts.
    pub discount: Money,
    /// Of `discount`, what the merchant funds.
    pub merchant_funded: Money,
    /// Of `discount`, what the site's operator funds.
    pub operator_funded: Money,
    /// What is paid for the part: `gross − discount`.
    pub subtotal: Money,
    /// Taxes contained in `subtotal`, by rate.
    pub taxes: Vec<TaxTotal>,
}

/// What became of one promotion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionOutcome {
    /// The promotion.
    pub promotion_id: String,
    /// Its name.
    pub name: String,
    /// Whether it gave anything.
    pub applied: bool,
    /// What it gave in all.
    pub amount: Money,
    /// Who pays for it.
    pub funded_by: Funder,
    /// Why not, when it did not apply.
    pub reason: Option<NotAppliedReason>,
    /// Why not, in plain words.
    pub message: Option<String>,
}

/// What became of one coupon code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponOutcome {
    /// The code, normalised.
    pub code: String,
    /// The promotion it unlocks, when the code exists.
    pub promotion_id: Option<String>,
    /// Whether its promotion gave a discount (only then is a use counted).
    pub applied: bool,
    /// Why not.
    pub reason: Option<NotAppliedReason>,
    /// Why not, in plain words.
    pub message: Option<String>,
}

/// A priced cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Currency of every amount.
    pub currency: Currency,
    /// The channel priced for.
    pub channel: String,
    /// When it was priced (Unix ms).
    pub priced_at_ms: i64,
    /// Lines, merged per location and SKU, sorted by location then SKU.
    pub lines: Vec<QuotedLine>,
    /// One part per location, sorted by location.
    pub parts: Vec<QuotedPart>,
    /// Sum of the gross amounts.
    pub gross: Money,
    /// Sum of the discounts.
    pub discount: Money,
    /// What the customer pays.
    pub total: Money,
    /// Taxes contained in `total`, by rate.
    pub taxes: Vec<TaxTotal>,
    /// Every promotion considered for this cart.
    pub promotions: Vec<PromotionOutcome>,
    /// Every coupon code entered.
    pub coupons: Vec<CouponOutcome>,
}

impl Quote {
    /// Codes of coupons whose promotion gave a discount (their uses are counted on placement).
    pub fn redeemed_coupons(&self) -> impl Iterator<Item = &CouponOutcome> {
        self.coupons.iter().filter(|coupon| coupon.applied)
    }
}

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

/// Prices a cart by the rules in the module docs.
pub fn price_cart(context: &PricingContext<'_>, lines: Vec<CartLine>) -> Result<Quote, DomainError> {
    let currency = context.currency;
    let mut work = merge_lines(context, lines)?;
    let coupon_gates = check_coupons(context);
    let mut ordered: Vec<&Promotion> = context.promotions.iter().collect();
    ordered.sort_by(|a, b| {
        b.kind.is_line_level().cmp(&a.kind.is_line_level()).then(b.priority.cmp(&a.priority)).then(a.id.cmp(&b.id))
    });
    let mut outcomes = Vec::new();
    for promotion in ordered {
        if let Some(outcome) = apply_promotion(context, promotion, &coupon_gates, &mut work)? {
            outcomes.push(outcome);
        }
    }
    let coupons = coupon_outcomes(context, &coupon_gates, &outcomes);
    assemble(currency, context, work, outcomes, coupons)
}

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
        match merged.get_mut(&line.merge_key()) {
            Some(existing) => {
                existing.quantity = Quantity::parse(existing.quantity.get() + line.quantity.get()).map_err(|_| {
                    DomainError::invalid(
                        "quantity",
                        format!("{} appears on several lines adding up to more than {MAX_QUANTITY_PER_LINE}", line.sku),
                    )
                })?;
            }
            None => {
                merged.insert(line.merge_key(), line);
            }
        }
    }
    merged
        .into_values()
        .map(|line| {
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
        })
        .collect()
}

/// Per promotion id, whether an entered coupon unlocks it (`Ok(code)`) or why not.
type CouponGates = HashMap<String, Result<String, NotAppliedReason>>;

fn check_coupons(context: &PricingContext<'_>) -> CouponGates {
    let mut gates: CouponGates = HashMap::new();
    for raw in context.coupon_codes {
        let code = normalize_code(raw);
        let Some(coupon) = context.coupons.iter().find(|coupon| coupon.code == code) else {
            continue;
        };
        let verdict = coupon_verdict(coupon, &code);
        // A valid code beats an invalid one for the same promotion.
        match gates.get(&coupon.promotion_id) {
            Some(Ok(_)) => {}
            _ => {
                gates.insert(coupon.promotion_id.clone(), verdict);
            }
        }
    }
    gates
}

/// Whether `coupon`, entered as `code`, may be used (`Ok(code)`) or why not.
fn coupon_verdict(coupon: &CouponState, code: &str) -> Result<String, NotAppliedReason> {
    if !coupon.active {
        Err(NotAppliedReason::Inactive)
    } else if coupon.usage_limit.is_some_and(|limit| coupon.used >= limit) {
        Err(NotAppliedReason::CouponLimitReached)
    } else if let Some(limit) = coupon.per_customer_limit {
        match coupon.used_by_customer {
            None => Err(NotAppliedReason::CustomerUnknown),
            Some(used) if used >= limit => Err(NotAppliedReason::CustomerLimitReached),
            Some(_) => Ok(code.to_owned()),
        }
    } else {
        Ok(code.to_owned())
    }
}

fn coupon_outcomes(
    context: &PricingContext<'_>,
    gates: &CouponGates,
    outcomes: &[PromotionOutcome],
) -> Vec<CouponOutcome> {
    let mut seen = Vec::new();
    let mut result = Vec::new();
    for raw in context.coupon_codes {
        let code = normalize_code(raw);
        if code.is_empty() || seen.contains(&code) {
            continue;
        }
        seen.push(code.clone());
        let coupon = context.coupons.iter().find(|coupon| coupon.code == code);
        let (promotion_id, applied, reason) = match coupon {
            None => (None, false, Some(NotAppliedReason::UnknownCoupon)),
            Some(coupon) => {
                let outcome = outcomes.iter().find(|o| o.promotion_id == coupon.promotion_id);
                let id = Some(coupon.promotion_id.clone());
                let unlocked_here = matches!(gates.get(&coupon.promotion_id), Some(Ok(unlocked)) if unlocked == &code);
                // The code's own verdict first: a valid code for the same promotion must not hide
                // why this one was refused.
                match (coupon_verdict(coupon, &code), outcome) {
                    (Err(reason), _) => (id, false, Some(reason)),
                    (Ok(_), Some(outcome)) if outcome.applied && unlocked_here => (id, true, None),
                    (Ok(_), Some(outcome)) => (id, false, outcome.reason.clone()),
                    (Ok(_), None) => (id, false, Some(NotAppliedReason::NotEnoughItems { needed: 1, present: 0 })),
                }
            }
        };
        let message = reason.as_ref().map(NotAppliedReason::message);
        result.push(CouponOutcome { code, promotion_id, applied, reason, message });
    }
    result
}

/// Why the whole promotion is off for this cart, before looking at lines.
fn gate(context: &PricingContext<'_>, promotion: &Promotion, coupons: &CouponGates) -> Option<NotAppliedReason> {
    if !promotion.active {
        return Some(NotAppliedReason::Inactive);
    }
    if promotion.valid_from_ms.is_some_and(|from| context.now_ms < from) {
        return Some(NotAppliedReason::NotStarted);
    }
    if promotion.valid_to_ms.is_some_and(|to| context.now_ms >= to) {
        return Some(NotAppliedReason::Expired);
    }
    if !promotion.channels.is_empty() && !promotion.channels.iter().any(|c| c == context.channel) {
        return Some(NotAppliedReason::WrongChannel);
    }
    if promotion.happy_hour.as_ref().is_some_and(|hours| !hours.contains(context.local)) {
        return Some(NotAppliedReason::OutsideHappyHour);
    }
    if promotion.requires_coupon {
        return match coupons.get(&promotion.id) {
            Some(Ok(_)) => None,
            Some(Err(reason)) => Some(reason.clone()),
            None => Some(NotAppliedReason::CouponRequired),
        };
    }
    None
}

fn apply_promotion(
    context: &PricingContext<'_>,
    promotion: &Promotion,
    coupons: &CouponGates,
    work: &mut [WorkLine],
) -> Result<Option<PromotionOutcome>, DomainError> {
    let skus = promotion.kind.skus();
    let targeted: Vec<usize> = work
        .iter()
        .enumerate()
        .filter(|(_, w)| promotion.merchant_id.as_deref().is_none_or(|m| m == w.line.merchant_id))
        .filter(|(_, w)| skus.is_empty() || skus.contains(&w.line.sku.as_str()))
        .map(|(index, _)| index)
        .collect();
    if targeted.is_empty() {
        return Ok(None);
    }
    let line_level = promotion.kind.is_line_level();
    let mut outcome = PromotionOutcome {
        promotion_id: promotion.id.clone(),
        name: promotion.name.clone(),
        applied: false,
        amount: Money::zero(context.currency),
        funded_by: promotion.funded_by,
        reason: None,
        message: None,
    };
    let skip = |work: &mut [WorkLine], lines: &[usize], reason: &NotAppliedReason| {
        if line_level {
            for index in lines {
                if let Some(w) = work.get_mut(*index) {
                    w.not_applied.push(NotApplied {
                        promotion_id: promotion.id.clone(),
                        name: promotion.name.clone(),
                        reason: reason.clone(),
                        message: reason.message(),
                    });
                }
            }
        }
    };
    let refuse = |mut outcome: PromotionOutcome, reason: NotAppliedReason| {
        outcome.message = Some(reason.message());
        outcome.reason = Some(reason);
        Ok(Some(outcome))
    };
    if let Some(reason) = gate(context, promotion, coupons) {
        skip(work, &targeted, &reason);
        return refuse(outcome, reason);
    }
    let (eligible, elsewhere): (Vec<usize>, Vec<usize>) = targeted.iter().partition(|index| {
        work.get(**index)
            .is_some_and(|w| promotion.location_ids.is_empty() || promotion.location_ids.contains(&w.line.location_id))
    });
    skip(work, &elsewhere, &NotAppliedReason::WrongLocation);
    if eligible.is_empty() {
        return refuse(outcome, NotAppliedReason::WrongLocation);
    }
    // Stacking: which eligible lines may take this promotion.
    let mut candidates = Vec::with_capacity(eligible.len());
    let mut first_conflict: Option<NotAppliedReason> = None;
    for index in eligible {
        let Some(w) = work.get(index) else { continue };
        let conflict = if line_level {
            match &w.line_promotion {
                Some((by, _)) if w.available == 0 => Some(NotAppliedReason::AlreadyDiscounted { by: by.clone() }),
                _ => None,
            }
        } else if let Some((with, _)) =
            w.line_promotion.as_ref().filter(|(_, exclusive)| *exclusive || promotion.exclusive)
        {
            Some(NotAppliedReason::NotCombinable { with: with.clone() })
        } else if let Some((with, _)) =
            w.order_promotions.iter().find(|(_, exclusive)| *exclusive || promotion.exclusive)
        {
            Some(NotAppliedReason::NotCombinable { with: with.clone() })
        } else {
            None
        };
        match conflict {
            Some(reason) => {
                skip(work, &[index], &reason);
                first_conflict.get_or_insert(reason);
            }
            None if w.net > 0 || line_level => candidates.push(index),
            None => {}
        }
    }
    if candidates.is_empty() {
        return refuse(outcome, first_conflict.unwrap_or(NotAppliedReason::NoSaving));
    }
    let base: i64 = candidates.iter().filter_map(|index| work.get(*index)).map(|w| w.net).sum();
    if let Some(minimum) = promotion.min_spend
        && base < minimum.amount_minor
    {
        let reason = NotAppliedReason::MinimumNotMet { minimum, actual: Money::new(base, context.currency) };
        skip(work, &candidates, &reason);
        return refuse(outcome, reason);
    }
    // Discounts: (line index, amount, units taken).
    let given: Vec<(usize, i64, i64)> = match compute(context.currency, &promotion.kind, &candidates, work) {
        Ok(given) => given,
        Err(Refusal::Domain(error)) => return Err(error),
        Err(Refusal::Reason(reason)) => {
            skip(work, &candidates, &reason);
            return refuse(outcome, reason);
        }
    };
    // What each line can actually take; a promotion that takes nothing does not apply (so its
    // coupon is not counted as used, and the units stay free for the next promotion).
    let given: Vec<(usize, i64, i64)> = given
        .into_iter()
        .filter_map(|(index, amount, units)| work.get(index).map(|w| (index, amount.min(w.net).max(0), units)))
        .collect();
    if given.iter().all(|(_, amount, _)| *amount == 0) {
        skip(work, &candidates, &NotAppliedReason::NoSaving);
        return refuse(outcome, NotAppliedReason::NoSaving);
    }
    let mut total = 0i64;
    for (index, amount, units) in given {
        let Some(w) = work.get_mut(index) else { continue };
        if amount == 0 && units == 0 {
            continue;
        }
        w.net -= amount;
        total += amount;
        if line_level {
            w.available -= units;
            // An exclusive line-level discount stays on record even when a later promotion takes
            // the line's remaining units: it keeps order-level promotions off the line.
            if !w.line_promotion.as_ref().is_some_and(|(_, exclusive)| *exclusive) {
                w.line_promotion = Some((promotion.name.clone(), promotion.exclusive));
            }
        } else {
            w.order_promotions.push((promotion.name.clone(), promotion.exclusive));
        }
        w.discounts.push(AppliedDiscount {
            promotion_id: promotion.id.clone(),
            name: promotion.name.clone(),
            amount: Money::new(amount, context.currency),
            funded_by: promotion.funded_by,
        });
    }
    outcome.amount = Money::new(total, context.currency);
    outcome.applied = true;
    Ok(Some(outcome))
}

enum Refusal {
    Reason(NotAppliedReason),
    Domain(DomainError),
}

impl From<DomainError> for Refusal {
    fn from(error: DomainError) -> Self {
        Refusal::Domain(error)
    }
}

fn compute(
    currency: Currency,
    kind: &PromotionKind,
    candidates: &[usize],
    work: &[WorkLine],
) -> Result<Vec<(usize, i64, i64)>, Refusal> {
    let lines = || candidates.iter().filter_map(|index| work.get(*index).map(|w| (*index, w)));
    match kind {
        PromotionKind::PercentOffLines { bps, .. } => Ok(lines()
            .filter(|(_, w)| w.available > 0)
            .map(|(index, w)| {
                let undiscounted = Money::new(w.unit_price.amount_minor * w.available, currency);
                (index, undiscounted.basis_points(*bps).amount_minor, w.available)
            })
            .collect()),
        PromotionKind::AmountOffLines { amount, .. } => {
            if amount.currency != currency {
                return Err(
                    DomainError::CurrencyMismatch { left: currency.code(), right: amount.currency.code() }.into()
                );
            }
            Ok(lines()
                .filter(|(_, w)| w.available > 0)
                .map(|(index, w)| {
                    (index, amount.amount_minor.min(w.unit_price.amount_minor) * w.available, w.available)
                })
                .collect())
        }
        PromotionKind::PercentOffOrder { bps } => {
            let base: i64 = lines().map(|(_, w)| w.net).sum();
            let off = Money::new(base, currency).basis_points(*bps);
            Ok(share(off, lines().map(|(index, w)| (index, w.net))))
        }
        PromotionKind::AmountOffOrder { amount } => {
            if amount.currency != currency {
                return Err(
                    DomainError::CurrencyMismatch { left: currency.code(), right: amount.currency.code() }.into()
                );
            }
            let base: i64 = lines().map(|(_, w)| w.net).sum();
            let off = Money::new(amount.amount_minor.min(base), currency);
            Ok(share(off, lines().map(|(index, w)| (index, w.net))))
        }
        PromotionKind::BuyXGetY { buy, get, get_off_bps, .. } => {
            // `Promotion::validate` refuses these; never divide by an empty or absurd group.
            if !(1..=MAX_QUANTITY_PER_LINE).contains(buy) || !(1..=MAX_QUANTITY_PER_LINE).contains(get) {
                let needed = buy.saturating_add(*get);
                return Err(Refusal::Reason(NotAppliedReason::NotEnoughItems { needed, present: 0 }));
            }
            let mut given = Vec::new();
            let mut present = 0;
            for group in by_location(lines()) {
                present = present.max(group.iter().map(|(_, w)| w.available).sum::<i64>());
                given.extend(buy_x_get_y(currency, &group, *buy, *get, *get_off_bps));
            }
            if given.is_empty() {
                return Err(Refusal::Reason(NotAppliedReason::NotEnoughItems { needed: buy + get, present }));
            }
            Ok(given)
        }
        PromotionKind::Bundle { components, price } => {
            if price.currency != currency {
                return Err(
                    DomainError::CurrencyMismatch { left: currency.code(), right: price.currency.code() }.into()
                );
            }
            // `Promotion::validate` refuses these; never divide by a component of no units.
            if components.iter().any(|c| !(1..=MAX_QUANTITY_PER_LINE).contains(&c.quantity)) {
                let needed = components.iter().fold(0i64, |sum, c| sum.saturating_add(c.quantity.max(0)));
                return Err(Refusal::Reason(NotAppliedReason::NotEnoughItems { needed, present: 0 }));
            }
            let needed: i64 = components.iter().map(|c| c.quantity).sum();
            let mut given = Vec::new();
            let mut present = 0;
            let mut no_saving = false;
            for group in by_location(lines()) {
                present = present.max(group.iter().map(|(_, w)| w.available).sum::<i64>());
                let mut members = Vec::with_capacity(components.len());
                for component in components {
                    match group.iter().find(|(_, w)| w.line.sku.as_str() == component.sku) {
                        Some((index, w)) => members.push((*index, *w, component.quantity)),
                        None => break,
                    }
                }
                if members.len() != components.len() {
                    continue;
                }
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
                let weights: Vec<u64> =
                    members.iter().map(|(_, w, q)| (w.unit_price.amount_minor * q).unsigned_abs()).collect();
                let shares =
                    Money::new(saving.checked_mul(sets).ok_or(DomainError::Overflow)?, currency).allocate(&weights);
                for ((index, _, quantity), amount) in members.iter().zip(shares) {
                    given.push((*index, amount.amount_minor, quantity * sets));
                }
            }
            if given.is_empty() {
                let reason = if no_saving {
                    NotAppliedReason::NoSaving
                } else {
                    NotAppliedReason::NotEnoughItems { needed, present }
                };
                return Err(Refusal::Reason(reason));
            }
            Ok(given)
        }
    }
}

/// Shares `off` among lines in proportion to their remaining amounts.
fn share(off: Money, lines: impl Iterator<Item = (usize, i64)>) -> Vec<(usize, i64, i64)> {
    let lines: Vec<(usize, i64)> = lines.collect();
    let weights: Vec<u64> = lines.iter().map(|(_, net)| net.unsigned_abs()).collect();
    lines.iter().zip(off.allocate(&weights)).map(|((index, _), amount)| (*index, amount.amount_minor, 0)).collect()
}

fn by_location<'a>(lines: impl Iterator<Item = (usize, &'a WorkLine)>) -> Vec<Vec<(usize, &'a WorkLine)>> {
    let mut groups: BTreeMap<&str, Vec<(usize, &WorkLine)>> = BTreeMap::new();
    for (index, w) in lines {
        if w.available > 0 {
            groups.entry(w.line.location_id.as_str()).or_default().push((index, w));
        }
    }
    groups.into_values().collect()
}

/// Groups of `buy + get` units, dearest first; the last `get` of each group are discounted.
fn buy_x_get_y(
    currency: Currency,
    group: &[(usize, &WorkLine)],
    buy: i64,
    get: i64,
    bps: u32,
) -> Vec<(usize, i64, i64)> {
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
            given.push((*index, amount, taken));
        }
        start = end;
    }
    given
}

fn assemble(
    currency: Currency,
    context: &PricingContext<'_>,
    work: Vec<WorkLine>,
    promotions: Vec<PromotionOutcome>,
    coupons: Vec<CouponOutcome>,
) -> Result<Quote, DomainError> {
    let mut lines = Vec::with_capacity(work.len());
    for w in work {
        let total = Money::new(w.net, currency);
        let tax = tax_included(total, w.line.tax.rate_bps);
        lines.push(QuotedLine {
            sku: w.line.sku.as_str().to_owned(),
            location_id: w.line.location_id,
            merchant_id: w.line.merchant_id,
            quantity: w.line.quantity.get(),
            track_stock: w.line.track_stock,
            modifiers: w.line.modifiers,
            note: w.line.note,
            base_price: w.line.base_price,
            unit_price: w.unit_price,
            price_source: w.source,
            gross: Money::new(w.gross, currency),
            discount: Money::new(w.gross - w.net, currency),
            discounts: w.discounts,
            total,
            tax: LineTax {
                code: w.line.tax.code,
                rate_bps: w.line.tax.rate_bps,
                base: total.checked_sub(tax)?,
                amount: tax,
            },
            not_applied: w.not_applied,
        });
    }
    let mut parts: Vec<QuotedPart> = Vec::new();
    for line in &lines {
        let funded = |funder: Funder| {
            line.discounts.iter().filter(|d| d.funded_by == funder).map(|d| d.amount.amount_minor).sum::<i64>()
        };
        let (merchant_funded, operator_funded) = (funded(Funder::Merchant), funded(Funder::Operator));
        if parts.last().is_none_or(|part| part.location_id != line.location_id) {
            let zero = Money::zero(currency);
            parts.push(QuotedPart {
                location_id: line.location_id.clone(),
                merchant_id: line.merchant_id.clone(),
                gross: zero,
                discount: zero,
                merchant_funded: zero,
                operator_funded: zero,
                subtotal: zero,
                taxes: Vec::new(),
            });
        }
        if let Some(part) = parts.last_mut() {
            part.gross = part.gross.checked_add(line.gross)?;
            part.discount = part.discount.checked_add(line.discount)?;
            part.merchant_funded = part.merchant_funded.checked_add(Money::new(merchant_funded, currency))?;
            part.operator_funded = part.operator_funded.checked_add(Money::new(operator_funded, currency))?;
            part.subtotal = part.subtotal.checked_add(line.total)?;
        }
    }
    for part in &mut parts {
        part.taxes = tax_totals(currency, lines.iter().filter(|line| line.location_id == part.location_id))?;
    }
    let taxes = tax_totals(currency, lines.iter())?;
    Ok(Quote {
        currency,
        channel: context.channel.to_owned(),
        priced_at_ms: context.now_ms,
        gross: Money::sum(currency, lines.iter().map(|l| l.gross))?,
        discount: Money::sum(currency, lines.iter().map(|l| l.discount))?,
        total: Money::sum(currency, lines.iter().map(|l| l.total))?,
        taxes,
        lines,
        parts,
        promotions,
        coupons,
    })
}

fn tax_totals<'a>(
    currency: Currency,
    lines: impl Iterator<Item = &'a QuotedLine>,
) -> Result<Vec<TaxTotal>, DomainError> {
    let mut totals: BTreeMap<(String, u32), (Money, Money)> = BTreeMap::new();
    for line in lines {
        let entry = totals
            .entry((line.tax.code.clone(), line.tax.rate_bps))
            .or_insert((Money::zero(currency), Money::zero(currency)));
        entry.0 = entry.0.checked_add(line.tax.base)?;
        entry.1 = entry.1.checked_add(line.tax.amount)?;
    }
    Ok(totals
        .into_iter()
        .map(|((code, rate_bps), (base, amount))| TaxTotal {
            label: TaxRate { code: code.clone(), rate_bps }.label(),
            code,
            rate_bps,
            base,
            amount,
        })
        .collect())
}
