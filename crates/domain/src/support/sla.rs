//! SLA policies: how many business minutes a ticket has for its first response and for its
//! resolution, by priority and optionally category, with tighter targets on special days.
//!
//! Three layers answer, the most specific first: a merchant's own rules, the platform's rules,
//! then the built-in default ([`SlaPolicy::builtin_targets`]). Within a layer a rule for the
//! ticket's category beats the rule for any category. A rule without special-day targets keeps
//! its normal targets on special days; the built-in default halves them.
//!
//! The deadlines themselves are business minutes added on the store's calendar
//! ([`super::calendar::StoreCalendar`]); [`deadlines`] puts the two together.

use serde::{Deserialize, Serialize};

use super::calendar::StoreCalendar;
use super::ticket::{TicketCategory, TicketPriority};
use crate::DomainError;

/// The longest target a rule may set: 30 days of business minutes.
pub const MAX_TARGET_MINUTES: i64 = 43_200;

/// First-response and resolution targets, in business minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTargets {
    /// Minutes until an agent's first answer.
    pub first_response_minutes: i64,
    /// Minutes until the ticket is resolved.
    pub resolution_minutes: i64,
}

impl SlaTargets {
    /// Checks the bounds (1 to [`MAX_TARGET_MINUTES`]) and that the first response comes no
    /// later than the resolution; `field` prefixes the names of the fields refused.
    pub fn new(field: &str, first_response_minutes: i64, resolution_minutes: i64) -> Result<Self, DomainError> {
        for (name, value) in
            [("first_response_minutes", first_response_minutes), ("resolution_minutes", resolution_minutes)]
        {
            if !(1..=MAX_TARGET_MINUTES).contains(&value) {
                return Err(DomainError::invalid(
                    format!("{field}{name}"),
                    format!("must be from 1 to {MAX_TARGET_MINUTES} minutes"),
                ));
            }
        }
        if first_response_minutes > resolution_minutes {
            return Err(DomainError::invalid(
                format!("{field}first_response_minutes"),
                "the first response cannot be due after the resolution",
            ));
        }
        Ok(Self { first_response_minutes, resolution_minutes })
    }

    /// Whether every target is at most the other's (special-day targets must not be looser).
    pub fn within(&self, other: &SlaTargets) -> bool {
        self.first_response_minutes <= other.first_response_minutes
            && self.resolution_minutes <= other.resolution_minutes
    }
}

/// One rule of a policy layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaRule {
    /// The priority it applies to.
    pub priority: TicketPriority,
    /// The category it applies to; None: any category.
    pub category: Option<TicketCategory>,
    /// Targets on ordinary days.
    pub targets: SlaTargets,
    /// Targets for tickets opened on a special day with tighter targets; None: `targets`.
    pub special_day_targets: Option<SlaTargets>,
}

impl SlaRule {
    /// A rule, refusing special-day targets looser than the ordinary ones.
    pub fn new(
        field: &str,
        priority: TicketPriority,
        category: Option<TicketCategory>,
        targets: SlaTargets,
        special_day_targets: Option<SlaTargets>,
    ) -> Result<Self, DomainError> {
        if special_day_targets.is_some_and(|special| !special.within(&targets)) {
            return Err(DomainError::invalid(
                format!("{field}special_day_first_response_minutes"),
                "special-day targets must be at most the ordinary ones",
            ));
        }
        Ok(Self { priority, category, targets, special_day_targets })
    }
}

/// The rules that apply to one merchant: its own over the platform's over the built-in ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlaPolicy {
    /// The merchant's own rules.
    pub merchant: Vec<SlaRule>,
    /// The platform's rules.
    pub platform: Vec<SlaRule>,
}

impl SlaPolicy {
    /// The built-in targets of a priority: urgent 15/240, high 30/480, normal 120/1440 and
    /// low 480/2880 minutes, halved on special days.
    pub fn builtin_targets(priority: TicketPriority, special_day: bool) -> SlaTargets {
        let (first_response_minutes, resolution_minutes) = match priority {
            TicketPriority::Urgent => (15, 240),
            TicketPriority::High => (30, 480),
            TicketPriority::Normal => (120, 1_440),
            TicketPriority::Low => (480, 2_880),
        };
        let divisor = if special_day { 2 } else { 1 };
        SlaTargets {
            first_response_minutes: first_response_minutes / divisor,
            resolution_minutes: resolution_minutes / divisor,
        }
    }

    /// The targets of a ticket, and where they came from.
    pub fn targets(&self, priority: TicketPriority, category: TicketCategory, special_day: bool) -> SlaTargets {
        let find = |rules: &[SlaRule], category: Option<TicketCategory>| {
            rules.iter().find(|rule| rule.priority == priority && rule.category == category).copied()
        };
        let rule = find(&self.merchant, Some(category))
            .or_else(|| find(&self.merchant, None))
            .or_else(|| find(&self.platform, Some(category)))
            .or_else(|| find(&self.platform, None));
        match rule {
            Some(rule) if special_day => rule.special_day_targets.unwrap_or(rule.targets),
            Some(rule) => rule.targets,
            None => Self::builtin_targets(priority, special_day),
        }
    }
}

/// When a ticket's first response and resolution are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// Instant the first response is due.
    pub first_response_due_ms: i64,
    /// Instant the resolution is due.
    pub resolution_due_ms: i64,
}

/// A ticket's deadlines on its store's calendar: the policy's targets for its priority and
/// category (tighter when opened on a special day that says so) added as business minutes to
/// `from_ms`. A calendar that never opens counts the minutes around the clock, so the ticket
/// still has a deadline an agent can see.
pub fn deadlines(
    calendar: &StoreCalendar,
    policy: &SlaPolicy,
    priority: TicketPriority,
    category: TicketCategory,
    from_ms: i64,
) -> Deadlines {
    let special_day = calendar.day(calendar.local_date(from_ms)).tighter_targets;
    let targets = policy.targets(priority, category, special_day);
    let due = |minutes: i64| {
        calendar
            .add_business_minutes(from_ms, minutes)
            .unwrap_or_else(|| from_ms.saturating_add(minutes.saturating_mul(super::calendar::MINUTE_MS)))
    };
    Deadlines {
        first_response_due_ms: due(targets.first_response_minutes),
        resolution_due_ms: due(targets.resolution_minutes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Country;
    use crate::support::calendar::{DayHours, SpecialDay};
    use chrono::NaiveDate;

    fn targets(first: i64, resolution: i64) -> SlaTargets {
        SlaTargets { first_response_minutes: first, resolution_minutes: resolution }
    }

    #[test]
    fn the_most_specific_rule_answers() -> Result<(), DomainError> {
        let platform_any = SlaRule::new("", TicketPriority::High, None, targets(20, 400), None)?;
        let merchant_payments = SlaRule::new(
            "",
            TicketPriority::High,
            Some(TicketCategory::Payments),
            targets(10, 200),
            Some(targets(5, 100)),
        )?;
        let policy = SlaPolicy { merchant: vec![merchant_payments], platform: vec![platform_any] };
        assert_eq!(policy.targets(TicketPriority::High, TicketCategory::Payments, false), targets(10, 200));
        assert_eq!(policy.targets(TicketPriority::High, TicketCategory::Payments, true), targets(5, 100));
        assert_eq!(policy.targets(TicketPriority::High, TicketCategory::Printer, true), targets(20, 400));
        assert_eq!(policy.targets(TicketPriority::Low, TicketCategory::Printer, false), targets(480, 2_880));
        assert_eq!(policy.targets(TicketPriority::Urgent, TicketCategory::Printer, true), targets(7, 120));
        Ok(())
    }

    #[test]
    fn refuses_targets_that_make_no_sense() {
        assert!(SlaTargets::new("", 0, 10).is_err());
        assert!(SlaTargets::new("", 20, 10).is_err());
        assert!(SlaTargets::new("", 10, MAX_TARGET_MINUTES + 1).is_err());
        assert!(SlaRule::new("", TicketPriority::Low, None, targets(10, 100), Some(targets(20, 50))).is_err());
    }

    #[test]
    fn a_special_day_with_tighter_targets_shortens_the_deadline() {
        let black_friday = SpecialDay {
            date: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default(),
            name: "Black Friday".to_owned(),
            hours: Some(DayHours::all_day()),
            tighter_targets: true,
        };
        let calendar = StoreCalendar::new(None, chrono_tz::America::Lima, Country::Peru, [black_friday]);
        // 2026-11-27T15:00:00Z, 10:00 in Lima.
        let from = 1_795_791_600_000;
        let due = deadlines(&calendar, &SlaPolicy::default(), TicketPriority::Urgent, TicketCategory::Payments, from);
        assert_eq!(due.first_response_due_ms, from + 7 * 60_000);
        assert_eq!(due.resolution_due_ms, from + 120 * 60_000);
    }
}
