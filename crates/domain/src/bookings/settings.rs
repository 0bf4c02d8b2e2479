//! A location's booking rules, set by its manager: how soon and how far ahead it takes
//! bookings, until when a customer may cancel or move one by the manage link, how long a hold
//! waits for the customer's confirmation, and when reminders go out. One constructor checks
//! every bound, so a stored setting always makes sense; a location that never set them has
//! [`BookingSettings::default`].

use super::booking::BookingWindow;
use crate::DomainError;

/// Longest minimum notice, in minutes (a week).
pub const MAX_NOTICE_MINUTES: i64 = 10_080;
/// Furthest one may book ahead, in days.
pub const MAX_DAYS_AHEAD: i64 = 365;
/// Longest cancellation window, in minutes (a week).
pub const MAX_CANCEL_WINDOW_MINUTES: i64 = 10_080;
/// Longest hold, in minutes.
pub const MAX_HOLD_MINUTES: i64 = 60;
/// Most reminders per booking.
pub const MAX_REMINDERS: usize = 3;
/// Earliest reminder, in minutes before the start (a week).
pub const MAX_REMINDER_MINUTES: i64 = 10_080;
/// Latest reminder, in minutes before the start.
pub const MIN_REMINDER_MINUTES: i64 = 15;

/// A location's booking rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingSettings {
    /// Minimum notice and how far ahead.
    pub window: BookingWindow,
    /// A customer may cancel or reschedule by the manage link until this many minutes before
    /// the start (staff always may).
    pub cancel_window_minutes: i64,
    /// How long a held slot waits for the customer's confirmation.
    pub hold_minutes: i64,
    /// Reminders, in minutes before the start, earliest first (e.g. 24 h and 2 h).
    pub reminder_offsets_minutes: Vec<i64>,
}

impl Default for BookingSettings {
    fn default() -> Self {
        Self {
            window: BookingWindow::DEFAULT,
            cancel_window_minutes: 120,
            hold_minutes: 10,
            reminder_offsets_minutes: vec![1_440, 120],
        }
    }
}

impl BookingSettings {
    /// Checks every bound; reminders are sorted earliest first and must differ.
    pub fn new(
        min_notice_minutes: i64,
        max_days_ahead: i64,
        cancel_window_minutes: i64,
        hold_minutes: i64,
        mut reminder_offsets_minutes: Vec<i64>,
    ) -> Result<Self, DomainError> {
        if !(0..=MAX_NOTICE_MINUTES).contains(&min_notice_minutes) {
            return Err(DomainError::invalid(
                "min_notice_minutes",
                format!("must be 0 to {MAX_NOTICE_MINUTES} minutes"),
            ));
        }
        if !(1..=MAX_DAYS_AHEAD).contains(&max_days_ahead) {
            return Err(DomainError::invalid("max_days_ahead", format!("must be 1 to {MAX_DAYS_AHEAD} days")));
        }
        if !(0..=MAX_CANCEL_WINDOW_MINUTES).contains(&cancel_window_minutes) {
            return Err(DomainError::invalid(
                "cancel_window_minutes",
                format!("must be 0 to {MAX_CANCEL_WINDOW_MINUTES} minutes"),
            ));
        }
        if !(1..=MAX_HOLD_MINUTES).contains(&hold_minutes) {
            return Err(DomainError::invalid("hold_minutes", format!("must be 1 to {MAX_HOLD_MINUTES} minutes")));
        }
        if reminder_offsets_minutes.len() > MAX_REMINDERS {
            return Err(DomainError::invalid("reminder_offsets_minutes", format!("at most {MAX_REMINDERS} reminders")));
        }
        if reminder_offsets_minutes
            .iter()
            .any(|minutes| !(MIN_REMINDER_MINUTES..=MAX_REMINDER_MINUTES).contains(minutes))
        {
            return Err(DomainError::invalid(
                "reminder_offsets_minutes",
                format!("each must be {MIN_REMINDER_MINUTES} to {MAX_REMINDER_MINUTES} minutes before the start"),
            ));
        }
        reminder_offsets_minutes.sort_unstable_by(|a, b| b.cmp(a));
        let count = reminder_offsets_minutes.len();
        reminder_offsets_minutes.dedup();
        if reminder_offsets_minutes.len() != count {
            return Err(DomainError::invalid("reminder_offsets_minutes", "two reminders at the same time"));
        }
        Ok(Self {
            window: BookingWindow { min_notice_minutes, max_days_ahead },
            cancel_window_minutes,
            hold_minutes,
            reminder_offsets_minutes,
        })
    }

    /// Whether the customer may still cancel or move a booking starting at `start_ms`.
    pub fn customer_may_change(&self, start_ms: i64, now_ms: i64) -> bool {
        now_ms.saturating_add(self.cancel_window_minutes.saturating_mul(60_000)) <= start_ms
    }

    /// The reminders as stored: minutes before the start, comma-separated.
    pub fn reminders_text(&self) -> String {
        self.reminder_offsets_minutes.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }

    /// Reads [`Self::reminders_text`] back (an empty text: no reminders).
    pub fn parse_reminders(text: &str) -> Result<Vec<i64>, DomainError> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<i64>().map_err(|_| DomainError::invalid("reminder_offsets_minutes", "must be minutes"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_pass_their_own_checks() {
        let defaults = BookingSettings::default();
        let rebuilt = BookingSettings::new(
            defaults.window.min_notice_minutes,
            defaults.window.max_days_ahead,
            defaults.cancel_window_minutes,
            defaults.hold_minutes,
            BookingSettings::parse_reminders(&defaults.reminders_text()).unwrap_or_default(),
        );
        assert_eq!(rebuilt, Ok(defaults));
    }

    #[test]
    fn bad_settings_name_their_field() {
        let field = |result: Result<BookingSettings, DomainError>| match result {
            Err(DomainError::Invalid { field, .. }) => field,
            other => format!("{other:?}"),
        };
        assert_eq!(field(BookingSettings::new(-1, 60, 120, 10, vec![])), "min_notice_minutes");
        assert_eq!(field(BookingSettings::new(30, 0, 120, 10, vec![])), "max_days_ahead");
        assert_eq!(field(BookingSettings::new(30, 60, 120, 0, vec![])), "hold_minutes");
        assert_eq!(field(BookingSettings::new(30, 60, 120, 10, vec![5])), "reminder_offsets_minutes");
        assert_eq!(field(BookingSettings::new(30, 60, 120, 10, vec![120, 120])), "reminder_offsets_minutes");
    }

    #[test]
    fn the_cancellation_window_closes_before_the_start() {
        let settings = BookingSettings::default();
        let start = 10 * 3_600_000;
        assert!(settings.customer_may_change(start, start - 120 * 60_000));
        assert!(!settings.customer_may_change(start, start - 119 * 60_000));
    }
}
