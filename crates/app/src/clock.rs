//! The clock every use case reads: the system's in production, a hand-moved one in tests.
//!
//! Time is passed in, never read from the machine inside a decision, so hold lapses,
//! acceptance limits, reminders and retries can be tested by moving a [`ManualClock`] instead
//! of sleeping. A manual clock also tells the workers when it moved ([`Clock::moved`]), so a
//! sweep runs at once rather than at its next tick.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use tokio::sync::watch;

/// Where the current time comes from.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;

    /// A receiver that changes whenever the clock is moved by hand; `None` for a clock that
    /// only moves by itself.
    fn moved(&self) -> Option<watch::Receiver<i64>> {
        None
    }
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(clippy::disallowed_methods, reason = "the one place the machine's clock is read")]
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
}

/// A clock that stands still until it is moved: for tests.
#[derive(Debug)]
pub struct ManualClock {
    now_ms: AtomicI64,
    moved: watch::Sender<i64>,
}

impl ManualClock {
    /// A clock standing at `now_ms`.
    pub fn starting_at(now_ms: i64) -> Self {
        let (moved, _) = watch::channel(now_ms);
        Self { now_ms: AtomicI64::new(now_ms), moved }
    }

    /// A clock standing at the machine's current time.
    pub fn starting_now() -> Self {
        Self::starting_at(SystemClock.now_ms())
    }

    /// Moves the clock forward and tells the workers.
    pub fn advance(&self, by: Duration) {
        let by_ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let now = self.now_ms.fetch_add(by_ms, Ordering::SeqCst).saturating_add(by_ms);
        self.moved.send_replace(now);
    }

    /// Sets the clock to `now_ms` (forward or back) and tells the workers.
    pub fn set(&self, now_ms: i64) {
        self.now_ms.store(now_ms, Ordering::SeqCst);
        self.moved.send_replace(now_ms);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.now_ms.load(Ordering::SeqCst)
    }

    fn moved(&self) -> Option<watch::Receiver<i64>> {
        Some(self.moved.subscribe())
    }
}

/// Resolves when `moved` reports a move; never, for a clock that is not moved by hand. Workers
/// select on it beside their tick.
pub async fn next_move(moved: &mut Option<watch::Receiver<i64>>) {
    match moved {
        Some(receiver) => {
            if receiver.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending::<()>().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_clock_moves_only_when_told_and_says_so() {
        let clock = ManualClock::starting_at(1_000);
        let mut moved = clock.moved();
        assert_eq!(clock.now_ms(), 1_000);
        clock.advance(Duration::from_secs(60));
        assert_eq!(clock.now_ms(), 61_000);
        next_move(&mut moved).await;
        clock.set(5);
        assert_eq!(clock.now_ms(), 5);
        assert!(SystemClock.moved().is_none());
    }
}
