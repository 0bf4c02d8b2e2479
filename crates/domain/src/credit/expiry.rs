//! The merchant's credit expiry rule: credit lasts a number of whole days after it is granted
//! (a gift card after it is issued or topped up), rolling — each new credit gives the whole
//! balance the full period again, so a customer is never surprised by an old grant lapsing
//! days after a new one. No policy: credit never expires.

use crate::DomainError;

/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// The longest expiry a merchant may set (ten years), so `at + days` never overflows.
const MAX_DAYS: i64 = 3_650;

/// A merchant's `credit_expiry_days`: 1 to 3650 whole days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CreditExpiryDays(i64);

impl CreditExpiryDays {
    /// Checks a policy value.
    pub fn new(days: i64) -> Result<Self, DomainError> {
        if (1..=MAX_DAYS).contains(&days) {
            Ok(Self(days))
        } else {
            Err(DomainError::Invalid {
                field: "credit_expiry_days".into(),
                message: format!("must be a whole number of days from 1 to {MAX_DAYS}, or null for never"),
            })
        }
    }

    /// The days.
    pub fn days(self) -> i64 {
        self.0
    }
}

/// When a balance credited at `at_ms` expires under a policy of `days` (`None`: never). A
/// stored policy outside the allowed range is clamped rather than trusted to overflow.
pub fn expires_at_after_credit(at_ms: i64, days: Option<i64>) -> Option<i64> {
    days.map(|days| at_ms.saturating_add(days.clamp(1, MAX_DAYS).saturating_mul(DAY_MS)))
}

/// Whether a balance with this expiry can still be spent at `now_ms`.
pub fn is_spendable(expires_at_ms: Option<i64>, now_ms: i64) -> bool {
    expires_at_ms.is_none_or(|at| now_ms < at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_policy_never_expires() {
        assert_eq!(expires_at_after_credit(1_000, None), None);
        assert!(is_spendable(None, i64::MAX));
    }

    #[test]
    fn credit_lasts_whole_days_from_the_grant() {
        assert_eq!(expires_at_after_credit(1_000, Some(30)), Some(1_000 + 30 * DAY_MS));
        let at = expires_at_after_credit(0, Some(1));
        assert!(is_spendable(at, DAY_MS - 1), "spendable up to the last millisecond");
        assert!(!is_spendable(at, DAY_MS), "not at the expiry instant");
    }

    #[test]
    fn the_policy_is_bounded() {
        assert!(CreditExpiryDays::new(0).is_err());
        assert!(CreditExpiryDays::new(-5).is_err());
        assert!(CreditExpiryDays::new(3_651).is_err());
        assert_eq!(CreditExpiryDays::new(365).map(CreditExpiryDays::days), Ok(365));
        assert_eq!(expires_at_after_credit(i64::MAX - 5, Some(i64::MAX)), Some(i64::MAX), "never overflows");
    }
}
