//! Who is on call at the support desk, and how an alert's delivery is retried (issue 18
//! point 3: "an escalation … Web Push to the on-call agent on breach").
//!
//! The rota is a list of shifts — an agent, a start, an end (Unix milliseconds, end excluded).
//! Shifts may overlap: then several agents are on call at once and each is alerted. Taking
//! "the watch now" from `/support` is a shift like any other, starting at the clock's now.
//! When nobody is on call, the app falls back to every agent with a push subscription (an
//! alert nobody receives is worse than one too many).
//!
//! An alert's delivery (the gateway's POST, each agent's push) is a small job retried with
//! backoff when the receiver fails for a reason that may pass (no connection, a 5xx): the
//! schedule is [`ALERT_RETRY_DELAYS_MS`], and [`next_alert_step`] says what follows an attempt.
//! The clock is passed in, as everywhere in the domain.

/// Longest shift, in milliseconds (31 days): a rota is planned a month at a time, and a
/// longer "shift" is almost certainly a typo in a date.
pub const MAX_SHIFT_MS: i64 = 31 * 24 * 60 * 60 * 1000;
/// Fewest hours an agent may take the watch for.
pub const MIN_WATCH_HOURS: u32 = 1;
/// Most hours an agent may take the watch for at once (a long day).
pub const MAX_WATCH_HOURS: u32 = 24;

/// One shift of the rota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    /// The agent (a user id).
    pub user_id: String,
    /// When the shift starts (Unix milliseconds, included).
    pub starts_at_ms: i64,
    /// When it ends (Unix milliseconds, excluded).
    pub ends_at_ms: i64,
}

impl Shift {
    /// Whether the agent is on call at `now_ms`.
    pub fn covers(&self, now_ms: i64) -> bool {
        self.starts_at_ms <= now_ms && now_ms < self.ends_at_ms
    }
}

/// Why a shift's window is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ShiftWindowError {
    /// The end is not after the start.
    #[error("must end after it starts")]
    EndsBeforeItStarts,
    /// Longer than [`MAX_SHIFT_MS`].
    #[error("must last at most 31 days")]
    TooLong,
}

/// Checks a shift's window: it ends after it starts, and lasts at most [`MAX_SHIFT_MS`].
pub fn check_shift_window(starts_at_ms: i64, ends_at_ms: i64) -> Result<(), ShiftWindowError> {
    if ends_at_ms <= starts_at_ms {
        return Err(ShiftWindowError::EndsBeforeItStarts);
    }
    if ends_at_ms.saturating_sub(starts_at_ms) > MAX_SHIFT_MS {
        return Err(ShiftWindowError::TooLong);
    }
    Ok(())
}

/// The window of "take the watch now for `hours`": from `now_ms`, `hours` long, when `hours`
/// is within [`MIN_WATCH_HOURS`]..=[`MAX_WATCH_HOURS`].
pub fn watch_window(now_ms: i64, hours: u32) -> Option<(i64, i64)> {
    (MIN_WATCH_HOURS..=MAX_WATCH_HOURS)
        .contains(&hours)
        .then(|| (now_ms, now_ms.saturating_add(i64::from(hours) * 60 * 60 * 1000)))
}

/// The agents on call at `now_ms`: each agent whose shift covers that instant, once, sorted.
pub fn on_call_at(shifts: &[Shift], now_ms: i64) -> Vec<String> {
    let mut agents: Vec<String> =
        shifts.iter().filter(|shift| shift.covers(now_ms)).map(|shift| shift.user_id.clone()).collect();
    agents.sort();
    agents.dedup();
    agents
}

/// The waits before each retry of an alert's delivery (milliseconds): 30 s, 2 min, 10 min,
/// 30 min. An alert is about now: after about 40 minutes of trying it is given up (and logged).
pub const ALERT_RETRY_DELAYS_MS: [i64; 4] = [30_000, 120_000, 600_000, 1_800_000];
/// Attempts in all: the first and one per delay.
pub const MAX_ALERT_ATTEMPTS: u32 = 1 + ALERT_RETRY_DELAYS_MS.len() as u32;

/// How an attempt to deliver an alert went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertAttempt {
    /// Delivered.
    Delivered,
    /// Failed for a reason that may pass (no connection, a timeout, 429, a 5xx).
    Transient,
    /// Failed for good (a 4xx, a gone subscription, nothing to send to).
    Refused,
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStep {
    /// Done: never sent again.
    Sent,
    /// Try again at this instant.
    RetryAt(i64),
    /// Given up.
    Failed,
}

/// What follows attempt number `attempts` (1 for the first) that went `outcome` at `now_ms`.
pub fn next_alert_step(attempts: u32, outcome: AlertAttempt, now_ms: i64) -> AlertStep {
    match outcome {
        AlertAttempt::Delivered => AlertStep::Sent,
        AlertAttempt::Refused => AlertStep::Failed,
        AlertAttempt::Transient => {
            let index = usize::try_from(attempts.saturating_sub(1)).unwrap_or(usize::MAX);
            match ALERT_RETRY_DELAYS_MS.get(index) {
                Some(delay) if attempts >= 1 => AlertStep::RetryAt(now_ms.saturating_add(*delay)),
                _ => AlertStep::Failed,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn shift(user: &str, starts: i64, ends: i64) -> Shift {
        Shift { user_id: user.into(), starts_at_ms: starts, ends_at_ms: ends }
    }

    #[test]
    fn a_shift_covers_its_start_but_not_its_end() {
        let rota = [shift("ana", 100, 200), shift("beto", 150, 300), shift("ana", 180, 400)];
        assert_eq!(on_call_at(&rota, 99), Vec::<String>::new());
        assert_eq!(on_call_at(&rota, 100), vec!["ana"]);
        assert_eq!(on_call_at(&rota, 190), vec!["ana", "beto"], "overlaps: both, each once");
        assert_eq!(on_call_at(&rota, 200), vec!["ana", "beto"]);
        assert_eq!(on_call_at(&rota, 300), vec!["ana"]);
        assert_eq!(on_call_at(&rota, 400), Vec::<String>::new());
    }

    #[test]
    fn windows_end_after_they_start_and_last_at_most_a_month() {
        assert_eq!(check_shift_window(10, 10), Err(ShiftWindowError::EndsBeforeItStarts));
        assert_eq!(check_shift_window(10, 5), Err(ShiftWindowError::EndsBeforeItStarts));
        assert_eq!(check_shift_window(0, MAX_SHIFT_MS), Ok(()));
        assert_eq!(check_shift_window(0, MAX_SHIFT_MS + 1), Err(ShiftWindowError::TooLong));
        assert_eq!(watch_window(1_000, 2), Some((1_000, 1_000 + 7_200_000)));
        assert_eq!(watch_window(1_000, 0), None);
        assert_eq!(watch_window(1_000, 25), None);
    }

    #[test]
    fn an_alert_is_retried_on_schedule_then_given_up() {
        assert_eq!(next_alert_step(1, AlertAttempt::Delivered, 0), AlertStep::Sent);
        assert_eq!(next_alert_step(1, AlertAttempt::Refused, 0), AlertStep::Failed);
        assert_eq!(next_alert_step(1, AlertAttempt::Transient, 1_000), AlertStep::RetryAt(31_000));
        assert_eq!(next_alert_step(2, AlertAttempt::Transient, 0), AlertStep::RetryAt(120_000));
        assert_eq!(next_alert_step(MAX_ALERT_ATTEMPTS, AlertAttempt::Transient, 0), AlertStep::Failed);
        assert_eq!(next_alert_step(0, AlertAttempt::Transient, 0), AlertStep::Failed, "no attempt 0");
    }

    proptest! {
        #[test]
        fn on_call_is_exactly_the_covering_shifts(
            spans in proptest::collection::vec((0u8..4, 0i64..1_000, 1i64..500), 0..12),
            now in 0i64..1_600,
        ) {
            let rota: Vec<Shift> =
                spans.iter().map(|(user, start, length)| shift(&format!("u{user}"), *start, start + length)).collect();
            let agents = on_call_at(&rota, now);
            for shift in &rota {
                if shift.covers(now) {
                    prop_assert!(agents.contains(&shift.user_id));
                }
            }
            for agent in &agents {
                prop_assert!(rota.iter().any(|shift| &shift.user_id == agent && shift.covers(now)));
            }
            let mut unique = agents.clone();
            unique.dedup();
            prop_assert_eq!(unique, agents);
        }

        #[test]
        fn retries_only_move_forward_and_stop(attempts in 1u32..10, now in 0i64..1_000_000_000) {
            match next_alert_step(attempts, AlertAttempt::Transient, now) {
                AlertStep::RetryAt(at) => {
                    prop_assert!(at > now);
                    prop_assert!(attempts < MAX_ALERT_ATTEMPTS);
                }
                AlertStep::Failed => prop_assert!(attempts >= MAX_ALERT_ATTEMPTS),
                AlertStep::Sent => prop_assert!(false, "a failure is never sent"),
            }
        }
    }
}
