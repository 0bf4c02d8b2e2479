//! Money owed to or by a card provider, as jobs: every capture, refund or void the books record
//! is also written down as a job in the same transaction, and a worker carries it out.
//!
//! Why jobs: a provider call cannot take part in the database transaction. Written beside the
//! change, the job survives a crash, a restart and a provider outage; it is retried with a
//! growing delay ([`retry_delay_ms`]), the provider is given the job's id as its idempotency key
//! so a retry never moves money twice, and after [`MAX_ATTEMPTS`] failed attempts (or one the
//! provider refuses for good) the job waits in `needs_attention` for a person.

crate::named_enum! {
    /// What the provider is asked to do.
    pub enum PaymentJobKind("kind") {
        /// Take an authorised amount.
        Capture => "capture",
        /// Give back part or all of a captured amount.
        Refund => "refund",
        /// Release an authorisation that will not be captured.
        Void => "void",
    }
}

crate::named_enum! {
    /// Who carries a payment job out: the card provider of web and app orders, or the till's
    /// card terminal, which took the card of a sale at the counter and alone can give it back.
    pub enum PaymentPayee("payee") {
        /// The order payment provider (authorise, capture, refund, void).
        Provider => "provider",
        /// The till's card terminal (a refund of a card tender of a till sale).
        Terminal => "terminal",
    }
}

crate::named_enum! {
    /// Where a payment job stands.
    pub enum PaymentJobState("state") {
        /// Waiting for its next attempt.
        Pending => "pending",
        /// The provider did it. Final.
        Succeeded => "succeeded",
        /// Given up after repeated or permanent failures: a person must look at it.
        NeedsAttention => "needs_attention",
    }
}

/// Attempts before a job that keeps failing is handed to a person.
pub const MAX_ATTEMPTS: i64 = 10;
/// Delay before the second attempt; each later one waits twice as long.
pub const FIRST_RETRY_MS: i64 = 1_000;
/// Longest wait between two attempts.
pub const MAX_RETRY_MS: i64 = 10 * 60_000;

/// How a provider call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Worth trying again (no answer, a timeout, an outage).
    Temporary,
    /// Trying again will not help (the provider refused the request itself).
    Permanent,
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Done.
    Succeeded,
    /// Try again at this instant.
    RetryAt(i64),
    /// Stop and wait for a person.
    NeedsAttention,
}

/// The wait after the `attempts`-th failed attempt: 1 s, 2 s, 4 s, … at most [`MAX_RETRY_MS`].
pub fn retry_delay_ms(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    FIRST_RETRY_MS.saturating_mul(1_i64 << doublings).min(MAX_RETRY_MS)
}

/// Decides what follows attempt number `attempts` (counting this one) made at `now_ms`.
pub fn next_step(attempts: i64, outcome: Result<(), FailureKind>, now_ms: i64) -> NextStep {
    match outcome {
        Ok(()) => NextStep::Succeeded,
        Err(FailureKind::Permanent) => NextStep::NeedsAttention,
        Err(FailureKind::Temporary) if attempts >= MAX_ATTEMPTS => NextStep::NeedsAttention,
        Err(FailureKind::Temporary) => NextStep::RetryAt(now_ms.saturating_add(retry_delay_ms(attempts))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap() {
        assert_eq!(retry_delay_ms(1), 1_000);
        assert_eq!(retry_delay_ms(2), 2_000);
        assert_eq!(retry_delay_ms(5), 16_000);
        assert_eq!(retry_delay_ms(30), MAX_RETRY_MS);
        assert_eq!(retry_delay_ms(i64::MAX), MAX_RETRY_MS);
    }

    #[test]
    fn temporary_failures_retry_until_the_last_attempt_and_permanent_ones_stop_at_once() {
        assert_eq!(next_step(1, Ok(()), 0), NextStep::Succeeded);
        assert_eq!(next_step(1, Err(FailureKind::Temporary), 100), NextStep::RetryAt(1_100));
        assert_eq!(
            next_step(MAX_ATTEMPTS - 1, Err(FailureKind::Temporary), 0),
            NextStep::RetryAt(MAX_RETRY_MS.min(256_000))
        );
        assert_eq!(next_step(MAX_ATTEMPTS, Err(FailureKind::Temporary), 0), NextStep::NeedsAttention);
        assert_eq!(next_step(1, Err(FailureKind::Permanent), 0), NextStep::NeedsAttention);
    }
}
