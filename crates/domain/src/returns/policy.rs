//! A merchant's return policy and its decision on one return.
//!
//! The policy has three rules — a window in days from the purchase, SKUs sold as final sale,
//! and whether a receipt (the purchase named by its order, sale or receipt number rather than
//! found by the customer's phone) is needed. A return that breaks none is allowed; one that
//! breaks any is refused with every rule it broke, unless a manager overrides it, which is
//! then allowed and recorded with the rules it set aside.

use crate::DomainError;

/// Longest window a merchant may give, in days.
pub const MAX_WINDOW_DAYS: i64 = 3650;
/// Most final-sale SKUs a policy lists.
pub const MAX_FINAL_SALE_SKUS: usize = 500;
/// The window when a merchant has set no policy.
pub const DEFAULT_WINDOW_DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;

/// A merchant's return policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnPolicy {
    window_days: i64,
    needs_receipt: bool,
    final_sale_skus: Vec<String>,
}

impl Default for ReturnPolicy {
    /// 30 days, no receipt needed, nothing sold as final sale.
    fn default() -> Self {
        Self { window_days: DEFAULT_WINDOW_DAYS, needs_receipt: false, final_sale_skus: Vec::new() }
    }
}

impl ReturnPolicy {
    /// A policy: a window of 0 to 3650 days (0: only the day of the purchase, to the
    /// millisecond), at most 500 final-sale SKUs (kept sorted and without repeats).
    pub fn new(window_days: i64, needs_receipt: bool, final_sale_skus: Vec<String>) -> Result<Self, DomainError> {
        if !(0..=MAX_WINDOW_DAYS).contains(&window_days) {
            return Err(DomainError::invalid("window_days", format!("must be 0 to {MAX_WINDOW_DAYS}")));
        }
        if final_sale_skus.len() > MAX_FINAL_SALE_SKUS {
            return Err(DomainError::invalid(
                "final_sale_skus",
                format!("must list at most {MAX_FINAL_SALE_SKUS} SKUs"),
            ));
        }
        let mut final_sale_skus = final_sale_skus;
        final_sale_skus.sort();
        final_sale_skus.dedup();
        Ok(Self { window_days, needs_receipt, final_sale_skus })
    }

    /// Days after the purchase a return is taken without an override.
    pub fn window_days(&self) -> i64 {
        self.window_days
    }

    /// Whether a return needs the receipt.
    pub fn needs_receipt(&self) -> bool {
        self.needs_receipt
    }

    /// SKUs sold as final sale, sorted.
    pub fn final_sale_skus(&self) -> &[String] {
        &self.final_sale_skus
    }

    /// The last moment (Unix ms) a purchase made at `purchased_at_ms` is inside the window:
    /// the customer's history shows it, and [`Self::breaches`] refuses after it.
    pub fn window_ends_at_ms(&self, purchased_at_ms: i64) -> i64 {
        purchased_at_ms.saturating_add(self.window_days.saturating_mul(DAY_MS))
    }

    /// Whether `sku` is sold as final sale.
    pub fn is_final_sale(&self, sku: &str) -> bool {
        self.final_sale_skus.binary_search_by(|listed| listed.as_str().cmp(sku)).is_ok()
    }

    /// Every rule `check` breaks, in a fixed order (window, final sale, receipt).
    pub fn breaches(&self, check: &PolicyCheck<'_>) -> Vec<PolicyBreach> {
        let mut broken = Vec::new();
        if check.now_ms > self.window_ends_at_ms(check.purchased_at_ms) {
            broken.push(PolicyBreach::OutsideWindow);
        }
        if check.skus.iter().any(|sku| self.is_final_sale(sku)) {
            broken.push(PolicyBreach::FinalSale);
        }
        if self.needs_receipt && !check.has_receipt {
            broken.push(PolicyBreach::NoReceipt);
        }
        broken
    }

    /// The decision on a return: allowed when nothing is broken; otherwise allowed by the
    /// override when a manager gave one, else refused.
    pub fn decide(&self, check: &PolicyCheck<'_>, overridden: bool) -> PolicyDecision {
        let broken = self.breaches(check);
        match (broken.is_empty(), overridden) {
            (true, _) => PolicyDecision::Allowed,
            (false, true) => PolicyDecision::AllowedByOverride(broken),
            (false, false) => PolicyDecision::Refused(broken),
        }
    }
}

/// What the policy is asked about.
#[derive(Debug, Clone, Copy)]
pub struct PolicyCheck<'a> {
    /// When the purchase was made (Unix ms).
    pub purchased_at_ms: i64,
    /// Now (Unix ms).
    pub now_ms: i64,
    /// Whether the customer brought the receipt (the purchase was named by it).
    pub has_receipt: bool,
    /// The SKUs coming back.
    pub skus: &'a [String],
}

crate::named_enum! {
    /// A rule of the policy a return breaks.
    pub enum PolicyBreach("breach") {
        /// Past the return window.
        OutsideWindow => "outside_window",
        /// A final-sale item.
        FinalSale => "final_sale",
        /// No receipt, and the policy needs one.
        NoReceipt => "no_receipt",
    }
}

/// The policy's decision on one return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyDecision {
    /// Within every rule.
    Allowed,
    /// Breaks these rules; a manager's override lets it through.
    AllowedByOverride(Vec<PolicyBreach>),
    /// Breaks these rules and nobody overrode them.
    Refused(Vec<PolicyBreach>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ReturnPolicy {
        ReturnPolicy::new(30, true, vec!["SALE-1".into()]).unwrap_or_default()
    }

    fn check(days_after: i64, has_receipt: bool, skus: &[String]) -> PolicyCheck<'_> {
        PolicyCheck { purchased_at_ms: 0, now_ms: days_after * DAY_MS, has_receipt, skus }
    }

    #[test]
    fn within_every_rule_is_allowed() {
        let skus = ["TEE-M".to_owned()];
        assert_eq!(policy().decide(&check(30, true, &skus), false), PolicyDecision::Allowed);
    }

    #[test]
    fn after_the_window_is_refused_unless_overridden() {
        let skus = ["TEE-M".to_owned()];
        assert_eq!(
            policy().decide(&check(31, true, &skus), false),
            PolicyDecision::Refused(vec![PolicyBreach::OutsideWindow])
        );
        assert_eq!(
            policy().decide(&check(31, true, &skus), true),
            PolicyDecision::AllowedByOverride(vec![PolicyBreach::OutsideWindow])
        );
    }

    #[test]
    fn final_sale_and_missing_receipt_are_named_together() {
        let skus = ["SALE-1".to_owned()];
        assert_eq!(
            policy().decide(&check(1, false, &skus), false),
            PolicyDecision::Refused(vec![PolicyBreach::FinalSale, PolicyBreach::NoReceipt])
        );
    }

    #[test]
    fn a_bad_window_is_refused() {
        assert!(ReturnPolicy::new(-1, false, Vec::new()).is_err());
        assert!(ReturnPolicy::new(MAX_WINDOW_DAYS + 1, false, Vec::new()).is_err());
    }
}
