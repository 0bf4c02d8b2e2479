//! Step 3 of the engine, and the coupons' side of the quote: which entered codes unlock which
//! promotion, and afterwards what became of each code.
//!
//! A code is judged on its own (switched off, used up in all or by this customer) before its
//! promotion is tried, so a promotion's gate can say why its coupon was refused; a use is counted
//! only when the promotion then gave a discount.

use std::collections::HashMap;

use super::{CouponOutcome, PricingContext, PromotionOutcome};
use crate::pricing::promotion::{CouponState, NotAppliedReason, normalize_code};

/// Per promotion id, whether an entered coupon unlocks it (`Ok(code)`) or why not.
pub(super) type CouponGates = HashMap<String, Result<String, NotAppliedReason>>;

pub(super) fn check_coupons(context: &PricingContext<'_>) -> CouponGates {
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

pub(super) fn coupon_outcomes(
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
