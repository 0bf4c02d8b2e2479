//! Step 6½ of the engine: the discounts a cashier gives lines by hand at the till.
//!
//! Taken last, from what is left of each line after every promotion: promotions (and their
//! minimum spends) are decided on the price before the cashier's gesture, and a manual
//! discount never takes a line below zero. Lines merge only with lines carrying the same
//! manual discount (a percent with the same percent; amounts with amounts, summed), so the
//! discount a cashier typed on a line stays on that line.

use super::{AppliedDiscount, CartLine, PricingContext, WorkLine};
use crate::pricing::cart::{MANUAL_DISCOUNT_ID, MANUAL_DISCOUNT_NAME, ManualDiscount};
use crate::pricing::promotion::Funder;
use crate::{DomainError, Money};

/// Refuses a manual discount the engine cannot take: a percent above 100, a negative amount or
/// one in another currency.
pub(super) fn check_manual_discount(context: &PricingContext<'_>, line: &CartLine) -> Result<(), DomainError> {
    match line.manual_discount {
        None => Ok(()),
        Some(ManualDiscount::Percent { bps }) if bps > 10_000 => {
            Err(DomainError::invalid("manual_discount", "a percent must be 0 to 100"))
        }
        Some(ManualDiscount::Percent { .. }) => Ok(()),
        Some(ManualDiscount::Amount { amount }) if amount.currency != context.currency => {
            Err(DomainError::CurrencyMismatch { left: context.currency.code(), right: amount.currency.code() })
        }
        Some(ManualDiscount::Amount { amount }) if amount.amount_minor < 0 => {
            Err(DomainError::invalid("manual_discount", "an amount must not be negative"))
        }
        Some(ManualDiscount::Amount { .. }) => Ok(()),
    }
}

/// What keeps lines with different manual discounts apart when lines are merged.
pub(super) fn merge_suffix(manual: Option<&ManualDiscount>) -> String {
    match manual {
        None => String::new(),
        Some(ManualDiscount::Percent { bps }) => format!("|manual:{bps}"),
        Some(ManualDiscount::Amount { .. }) => "|manual:amount".to_owned(),
    }
}

/// The manual discount of two merged lines: amounts add up, a percent stays.
pub(super) fn merged(
    existing: Option<ManualDiscount>,
    added: Option<ManualDiscount>,
) -> Result<Option<ManualDiscount>, DomainError> {
    match (existing, added) {
        (Some(ManualDiscount::Amount { amount: a }), Some(ManualDiscount::Amount { amount: b })) => {
            Ok(Some(ManualDiscount::Amount { amount: a.checked_add(b)? }))
        }
        (existing, _) => Ok(existing),
    }
}

/// Takes each line's manual discount from what is left of it.
pub(super) fn apply_manual_discounts(context: &PricingContext<'_>, work: &mut [WorkLine]) {
    for w in work.iter_mut() {
        let wanted = match w.line.manual_discount {
            None => continue,
            Some(ManualDiscount::Percent { bps }) => Money::new(w.net, context.currency).basis_points(bps).amount_minor,
            Some(ManualDiscount::Amount { amount }) => amount.amount_minor,
        };
        let amount = wanted.min(w.net).max(0);
        if amount == 0 {
            continue;
        }
        w.net -= amount;
        w.discounts.push(AppliedDiscount {
            promotion_id: MANUAL_DISCOUNT_ID.to_owned(),
            name: MANUAL_DISCOUNT_NAME.to_owned(),
            amount: Money::new(amount, context.currency),
            funded_by: Funder::Merchant,
        });
    }
}
