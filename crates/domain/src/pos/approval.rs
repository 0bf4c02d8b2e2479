//! A manager's approval at the till: the PIN a manager types, the limits above which a line
//! discount or a line void needs one, and the guard that locks a till's approvals after five
//! wrong PINs in a row. Pure: the clock is passed in.
//!
//! Why a per-till guard and not a per-manager one: the PIN is typed on a till by whoever stands
//! at it, and which manager it belongs to is what is being guessed; counting per till stops a
//! cashier from trying every PIN without telling anyone whose PIN is near.

use crate::DomainError;

/// Wrong PINs in a row that lock a till's approvals.
pub const MAX_PIN_FAILURES: u32 = 5;
/// How long a till's approvals stay locked after the last of those wrong PINs.
pub const PIN_LOCK_MS: i64 = 15 * 60 * 1000;
/// Shortest PIN, in digits.
pub const MIN_PIN_DIGITS: usize = 4;
/// Longest PIN, in digits.
pub const MAX_PIN_DIGITS: usize = 8;
/// Most a line discount may take without a manager, by default: 10 %.
pub const DEFAULT_LINE_DISCOUNT_BPS: i64 = 1_000;
/// Most a voided line may be worth without a manager, by default, in minor units
/// (CLP 10 000; a site in another currency sets its own).
pub const DEFAULT_LINE_VOID_MINOR: i64 = 10_000;

/// A PIN as typed: 4 to 8 ASCII digits. Kept only as long as it takes to hash or verify it.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl Pin {
    /// Parses a PIN.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let ok = (MIN_PIN_DIGITS..=MAX_PIN_DIGITS).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::invalid("pin", format!("must be {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits")))
        }
    }

    /// The digits, to hash or verify.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(****)")
    }
}

crate::named_enum! {
    /// What a manager approves at the till.
    pub enum ApprovalAction("action") {
        /// A manual discount on a line above the till's limit.
        LineDiscount => "line_discount",
        /// A line taken off the cart before payment, worth more than the till's limit.
        LineVoid => "line_void",
    }
}

/// The limits of a till above which a manager must approve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalLimits {
    /// Largest manual discount on a line without approval, in basis points of the line.
    pub line_discount_bps: i64,
    /// Largest value of a voided line without approval, in minor units.
    pub line_void_minor: i64,
}

impl Default for ApprovalLimits {
    fn default() -> Self {
        Self { line_discount_bps: DEFAULT_LINE_DISCOUNT_BPS, line_void_minor: DEFAULT_LINE_VOID_MINOR }
    }
}

impl ApprovalLimits {
    /// Checks limits a manager sets: a discount limit of 0 to 100 %, a void limit not negative.
    pub fn new(line_discount_bps: i64, line_void_minor: i64) -> Result<Self, DomainError> {
        if !(0..=10_000).contains(&line_discount_bps) {
            return Err(DomainError::invalid("line_discount_percent", "must be 0 to 100"));
        }
        if line_void_minor < 0 {
            return Err(DomainError::invalid("line_void_amount.amount", "must not be negative"));
        }
        Ok(Self { line_discount_bps, line_void_minor })
    }

    /// Whether a manual discount of `discount_minor` on a line worth `line_minor` (before it)
    /// needs a manager: more than the limit's share of the line. Compared in `i128` so a huge
    /// line never overflows.
    pub fn discount_needs_approval(&self, discount_minor: i64, line_minor: i64) -> bool {
        i128::from(discount_minor) * 10_000 > i128::from(self.line_discount_bps) * i128::from(line_minor.max(0))
    }

    /// Whether voiding a line worth `value_minor` needs a manager.
    pub fn void_needs_approval(&self, value_minor: i64) -> bool {
        value_minor > self.line_void_minor
    }
}

/// A till's run of wrong PINs and its lock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PinGuard {
    /// Wrong PINs in a row since the last right one or the last lock.
    pub failures: u32,
    /// Until when approvals are locked (Unix ms), if they were locked.
    pub locked_until_ms: Option<i64>,
}

/// Why a PIN was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinRefusal {
    /// The till's approvals are locked until then (Unix ms).
    Locked {
        /// When a PIN may be tried again.
        until_ms: i64,
    },
    /// The PIN matched no manager; this many tries are left before the lock.
    Wrong {
        /// Tries left.
        attempts_left: u32,
    },
}

impl PinGuard {
    /// `Locked` while the lock lasts; a lapsed lock lets PINs be tried again.
    pub fn check(&self, now_ms: i64) -> Result<(), PinRefusal> {
        match self.locked_until_ms {
            Some(until_ms) if now_ms < until_ms => Err(PinRefusal::Locked { until_ms }),
            _ => Ok(()),
        }
    }

    /// The guard after a wrong PIN at `now_ms`, and what to tell the till: the fifth wrong PIN
    /// in a row locks approvals for [`PIN_LOCK_MS`] and starts a new run.
    pub fn after_failure(&self, now_ms: i64) -> (PinGuard, PinRefusal) {
        let lapsed = self.locked_until_ms.is_some_and(|until| now_ms >= until);
        let failures = if lapsed { 1 } else { self.failures.saturating_add(1) };
        if failures >= MAX_PIN_FAILURES {
            let until_ms = now_ms.saturating_add(PIN_LOCK_MS);
            (PinGuard { failures: 0, locked_until_ms: Some(until_ms) }, PinRefusal::Locked { until_ms })
        } else {
            let keep = if lapsed { None } else { self.locked_until_ms };
            (
                PinGuard { failures, locked_until_ms: keep },
                PinRefusal::Wrong { attempts_left: MAX_PIN_FAILURES - failures },
            )
        }
    }

    /// The guard after a right PIN: the run of wrong ones ends.
    pub fn after_success() -> PinGuard {
        PinGuard::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_four_to_eight_digits() {
        assert!(Pin::parse("1234").is_ok());
        assert!(Pin::parse("12345678").is_ok());
        for bad in ["123", "123456789", "12a4", " 1234", "١٢٣٤", ""] {
            assert!(Pin::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(format!("{:?}", Pin::parse("1234")), "Ok(Pin(****))", "never printed");
    }

    #[test]
    fn five_wrong_pins_in_a_row_lock_the_till_for_fifteen_minutes() {
        let mut guard = PinGuard::default();
        let now = 1_000_000;
        for left in (1..MAX_PIN_FAILURES).rev() {
            assert_eq!(guard.check(now), Ok(()));
            let (next, refusal) = guard.after_failure(now);
            assert_eq!(refusal, PinRefusal::Wrong { attempts_left: left });
            guard = next;
        }
        let (locked, refusal) = guard.after_failure(now);
        assert_eq!(refusal, PinRefusal::Locked { until_ms: now + PIN_LOCK_MS });
        assert_eq!(locked.check(now + PIN_LOCK_MS - 1), Err(PinRefusal::Locked { until_ms: now + PIN_LOCK_MS }));
        assert_eq!(locked.check(now + PIN_LOCK_MS), Ok(()), "the lock lapses");
        let (after, refusal) = locked.after_failure(now + PIN_LOCK_MS);
        assert_eq!(refusal, PinRefusal::Wrong { attempts_left: MAX_PIN_FAILURES - 1 }, "a new run starts");
        assert_eq!(after.locked_until_ms, None);
    }

    #[test]
    fn a_right_pin_ends_the_run() {
        let (guard, _) = PinGuard::default().after_failure(0);
        let (guard, _) = guard.after_failure(0);
        assert_eq!(guard.failures, 2);
        assert_eq!(PinGuard::after_success(), PinGuard::default());
    }

    #[test]
    fn limits_say_when_a_manager_is_needed() {
        let limits = ApprovalLimits::default();
        assert!(!limits.discount_needs_approval(1_000, 10_000), "10 % is within");
        assert!(limits.discount_needs_approval(1_001, 10_000), "just above 10 %");
        assert!(!limits.discount_needs_approval(0, 0));
        assert!(limits.discount_needs_approval(1, 0), "any discount on a free line is above");
        assert!(!limits.discount_needs_approval(i64::MAX / 20, i64::MAX), "no overflow");
        assert!(!limits.void_needs_approval(10_000));
        assert!(limits.void_needs_approval(10_001));
        assert!(ApprovalLimits::new(10_001, 0).is_err());
        assert!(ApprovalLimits::new(500, -1).is_err());
        assert_eq!(ApprovalLimits::new(500, 0), Ok(ApprovalLimits { line_discount_bps: 500, line_void_minor: 0 }));
        assert_eq!(ApprovalAction::parse("line_void"), Ok(ApprovalAction::LineVoid));
    }
}
