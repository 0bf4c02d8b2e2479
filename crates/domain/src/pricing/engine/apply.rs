//! Steps 4 and 5 of the engine for one promotion: which lines it targets, the gates it must pass,
//! the lines it may stack on, its minimum spend, and then the discounts it writes onto the lines.
//!
//! Every refusal is recorded twice on purpose: once on the promotion's outcome (what the quote
//! lists under promotions) and, for line-level kinds, on each line it concerns (what a customer
//! reads next to the item). A promotion that ends up taking nothing does not apply, so its coupon
//! is not counted as used and its units stay free for the next promotion.

use super::coupons::CouponGates;
use super::{AppliedDiscount, LineDiscount, NotApplied, PricingContext, PromotionOutcome, Refusal, WorkLine, kinds};
use crate::pricing::promotion::{NotAppliedReason, Promotion};
use crate::{DomainError, Money};

/// Tries one promotion on the cart; `None` when it targets none of the lines (then it is not
/// mentioned in the quote at all).
pub(super) fn apply_promotion(
    context: &PricingContext<'_>,
    promotion: &Promotion,
    coupons: &CouponGates,
    work: &mut [WorkLine],
) -> Result<Option<PromotionOutcome>, DomainError> {
    let targeted = targeted_lines(promotion, work);
    if targeted.is_empty() {
        return Ok(None);
    }
    let mut outcome = PromotionOutcome {
        promotion_id: promotion.id.clone(),
        name: promotion.name.clone(),
        applied: false,
        amount: Money::zero(context.currency),
        funded_by: promotion.funded_by,
        reason: None,
        message: None,
    };
    match discounts_to_give(context, promotion, coupons, work, &targeted) {
        Ok(given) => {
            outcome.amount = Money::new(give(context, promotion, work, given), context.currency);
            outcome.applied = true;
        }
        Err(Refusal::Reason(reason)) => {
            outcome.message = Some(reason.message());
            outcome.reason = Some(reason);
        }
        Err(Refusal::Domain(error)) => return Err(error),
    }
    Ok(Some(outcome))
}

/// The lines of the promotion's merchant (any, for a site-wide one) with one of its SKUs (any,
/// when it names none).
fn targeted_lines(promotion: &Promotion, work: &[WorkLine]) -> Vec<usize> {
    let skus = promotion.kind.skus();
    work.iter()
        .enumerate()
        .filter(|(_, w)| promotion.merchant_id.as_deref().is_none_or(|m| m == w.line.merchant_id))
        .filter(|(_, w)| skus.is_empty() || skus.contains(&w.line.sku.as_str()))
        .map(|(index, _)| index)
        .collect()
}

/// What the promotion gives each targeted line it passes every check on, capped at what is left
/// of the line, or why it gives nothing at all.
fn discounts_to_give(
    context: &PricingContext<'_>,
    promotion: &Promotion,
    coupons: &CouponGates,
    work: &mut [WorkLine],
    targeted: &[usize],
) -> Result<Vec<LineDiscount>, Refusal> {
    if let Some(reason) = gate(context, promotion, coupons) {
        return Err(refuse_on_lines(promotion, work, targeted, reason));
    }
    let eligible = lines_at_its_locations(promotion, work, targeted)?;
    let candidates = lines_it_may_stack_on(promotion, work, eligible)?;
    check_minimum_spend(context, promotion, work, &candidates)?;
    let given = match kinds::compute(context.currency, &promotion.kind, &candidates, work) {
        Err(Refusal::Reason(reason)) => return Err(refuse_on_lines(promotion, work, &candidates, reason)),
        computed => computed?,
    };
    let given = capped_at_what_is_left(work, given);
    if given.iter().all(|discount| discount.amount_minor == 0) {
        return Err(refuse_on_lines(promotion, work, &candidates, NotAppliedReason::NoSaving));
    }
    Ok(given)
}

/// Why the whole promotion is off for this cart, before looking at lines.
fn gate(context: &PricingContext<'_>, promotion: &Promotion, coupons: &CouponGates) -> Option<NotAppliedReason> {
    // The moment's and the channel's gates are the menu's too (`offer.rs`): one definition.
    if let Some(reason) = promotion.time_and_channel_gate(context.channel, context.now_ms, context.local) {
        return Some(reason);
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

/// The targeted lines at the promotion's locations; the others are told `wrong_location`.
fn lines_at_its_locations(
    promotion: &Promotion,
    work: &mut [WorkLine],
    targeted: &[usize],
) -> Result<Vec<usize>, Refusal> {
    let (eligible, elsewhere): (Vec<usize>, Vec<usize>) = targeted.iter().partition(|index| {
        work.get(**index)
            .is_some_and(|w| promotion.location_ids.is_empty() || promotion.location_ids.contains(&w.line.location_id))
    });
    record_not_applied(promotion, work, &elsewhere, &NotAppliedReason::WrongLocation);
    if eligible.is_empty() {
        return Err(Refusal::Reason(NotAppliedReason::WrongLocation));
    }
    Ok(eligible)
}

/// The eligible lines the stacking rules let this promotion discount. When none is left, the
/// promotion is refused for the first conflict met, else because nothing is left to discount.
fn lines_it_may_stack_on(
    promotion: &Promotion,
    work: &mut [WorkLine],
    eligible: Vec<usize>,
) -> Result<Vec<usize>, Refusal> {
    let line_level = promotion.kind.is_line_level();
    let mut candidates = Vec::with_capacity(eligible.len());
    let mut first_conflict: Option<NotAppliedReason> = None;
    for index in eligible {
        let Some(w) = work.get(index) else { continue };
        match stacking_conflict(promotion, w) {
            Some(reason) => {
                record_not_applied(promotion, work, &[index], &reason);
                first_conflict.get_or_insert(reason);
            }
            None if w.net > 0 || line_level => candidates.push(index),
            None => {}
        }
    }
    if candidates.is_empty() {
        return Err(Refusal::Reason(first_conflict.unwrap_or(NotAppliedReason::NoSaving)));
    }
    Ok(candidates)
}

/// Why the stacking rules keep this promotion off one line, if they do.
fn stacking_conflict(promotion: &Promotion, w: &WorkLine) -> Option<NotAppliedReason> {
    if promotion.kind.is_line_level() {
        match &w.line_promotion {
            Some((by, _)) if w.available == 0 => Some(NotAppliedReason::AlreadyDiscounted { by: by.clone() }),
            _ => None,
        }
    } else if let Some((with, _)) = w.line_promotion.as_ref().filter(|(_, exclusive)| *exclusive || promotion.exclusive)
    {
        Some(NotAppliedReason::NotCombinable { with: with.clone() })
    } else if let Some((with, _)) = w.order_promotions.iter().find(|(_, exclusive)| *exclusive || promotion.exclusive) {
        Some(NotAppliedReason::NotCombinable { with: with.clone() })
    } else {
        None
    }
}

/// Refuses the promotion when the candidate lines add up to less than its minimum spend.
fn check_minimum_spend(
    context: &PricingContext<'_>,
    promotion: &Promotion,
    work: &mut [WorkLine],
    candidates: &[usize],
) -> Result<(), Refusal> {
    let base: i64 = candidates.iter().filter_map(|index| work.get(*index)).map(|w| w.net).sum();
    if let Some(minimum) = promotion.min_spend
        && base < minimum.amount_minor
    {
        let reason = NotAppliedReason::MinimumNotMet { minimum, actual: Money::new(base, context.currency) };
        return Err(refuse_on_lines(promotion, work, candidates, reason));
    }
    Ok(())
}

/// What each line can actually take: never more than what is left of it, never below zero.
fn capped_at_what_is_left(work: &[WorkLine], given: Vec<LineDiscount>) -> Vec<LineDiscount> {
    given
        .into_iter()
        .filter_map(|discount| {
            work.get(discount.line_index)
                .map(|w| LineDiscount { amount_minor: discount.amount_minor.min(w.net).max(0), ..discount })
        })
        .collect()
}

/// Writes the discounts onto their lines, with what the stacking rules need to know later;
/// returns their sum.
fn give(context: &PricingContext<'_>, promotion: &Promotion, work: &mut [WorkLine], given: Vec<LineDiscount>) -> i64 {
    let line_level = promotion.kind.is_line_level();
    let mut total = 0i64;
    for LineDiscount { line_index, amount_minor, units } in given {
        let Some(w) = work.get_mut(line_index) else { continue };
        if amount_minor == 0 && units == 0 {
            continue;
        }
        w.net -= amount_minor;
        total += amount_minor;
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
            amount: Money::new(amount_minor, context.currency),
            funded_by: promotion.funded_by,
        });
    }
    total
}

/// Records `reason` on `lines` and returns it as the promotion's refusal.
fn refuse_on_lines(promotion: &Promotion, work: &mut [WorkLine], lines: &[usize], reason: NotAppliedReason) -> Refusal {
    record_not_applied(promotion, work, lines, &reason);
    Refusal::Reason(reason)
}

/// Tells each of `lines` why a line-level promotion skipped it. Order-level promotions are
/// explained once, on the quote, since they are not about any one item.
fn record_not_applied(promotion: &Promotion, work: &mut [WorkLine], lines: &[usize], reason: &NotAppliedReason) {
    if !promotion.kind.is_line_level() {
        return;
    }
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
