//! Throttling failed sign-ins, per node and in memory.
//!
//! Two sliding windows of failed attempts: one per e-mail (trimmed, lower-cased, kept as its
//! SHA-256) and one per client address (the TCP peer: an IPv6 client by its /64, since one
//! host usually holds the whole /64). When either has reached its limit within the window,
//! [`LoginThrottle::begin`] refuses the attempt — before any password is hashed — and says how
//! long until the oldest counted failure leaves the window.
//!
//! An attempt let through is counted as failed at once and settled afterwards: a success
//! clears the e-mail's failures and takes the attempt back from the address; an error on our
//! side takes it back from both. So a burst of parallel guesses cannot slip past the limit
//! while the first ones are still hashing.
//!
//! Memory is bounded: each window holds at most `max_keys` keys (the oldest counted key is
//! forgotten first) and at most `limit` instants per key; expired keys are pruned every few
//! thousand attempts and whenever a window is full. Each node counts alone: with several
//! nodes behind a balancer a guesser gets up to the limit on each.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// How long a failed attempt counts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failed attempts for one e-mail within [`WINDOW`] before further attempts are refused.
pub const EMAIL_LIMIT: u32 = 5;
/// Failed attempts from one address within [`WINDOW`] before further attempts are refused
/// (`OMNICANAL_LOGIN_IP_LIMIT`; 0 turns the address rule off).
pub const DEFAULT_IP_LIMIT: u32 = 20;
/// Most keys each window remembers.
pub const MAX_KEYS: usize = 100_000;
/// Every this many attempts, expired keys are dropped.
const PRUNE_EVERY: u64 = 4_096;

/// The rules of a [`LoginThrottle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failed attempts per e-mail within `window` (0: no limit).
    pub per_email: u32,
    /// Failed attempts per client address within `window` (0: no limit).
    pub per_ip: u32,
    /// How long a failed attempt counts.
    pub window: Duration,
    /// Most keys remembered per rule.
    pub max_keys: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { per_email: EMAIL_LIMIT, per_ip: DEFAULT_IP_LIMIT, window: WINDOW, max_keys: MAX_KEYS }
    }
}

/// Where the throttle reads the time (a monotonic clock; tests inject their own).
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// An attempt was refused: try again after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Until the window has slid far enough.
    pub retry_after: Duration,
}

impl Refused {
    /// Whole seconds to wait, rounded up and at least 1 (for `Retry-After`).
    pub fn retry_after_secs(&self) -> u64 {
        let secs = self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0);
        secs.max(1)
    }
}

/// An attempt let through by [`LoginThrottle::begin`], counted as failed until it is settled
/// with [`LoginThrottle::succeeded`] or [`LoginThrottle::abandoned`].
#[derive(Debug)]
#[must_use = "settle the attempt: succeeded, failed or abandoned"]
pub struct Attempt {
    email: EmailKey,
    ip: Option<IpAddr>,
    at: Instant,
}

type EmailKey = [u8; 32];

/// The per-node limiter of failed sign-ins (see the module documentation).
pub struct LoginThrottle {
    limits: Limits,
    clock: Clock,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginThrottle").field("limits", &self.limits).finish_non_exhaustive()
    }
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

struct Inner {
    emails: Window<EmailKey>,
    ips: Window<IpAddr>,
    attempts: u64,
}

impl LoginThrottle {
    /// A throttle on the system's monotonic clock.
    pub fn new(limits: Limits) -> Self {
        Self::with_clock(limits, Arc::new(Instant::now))
    }

    /// A throttle reading the time from `clock`.
    pub fn with_clock(limits: Limits, clock: Clock) -> Self {
        let inner = Inner {
            emails: Window::new(limits.per_email, limits.window, limits.max_keys),
            ips: Window::new(limits.per_ip, limits.window, limits.max_keys),
            attempts: 0,
        };
        Self { limits, clock, inner: Mutex::new(inner) }
    }

    /// The rules in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Lets an attempt for `email` from `ip` through (counting it as failed until settled), or
    /// refuses it while the e-mail or the address is over its limit.
    pub fn begin(&self, email: &str, ip: Option<IpAddr>) -> Result<Attempt, Refused> {
        let now = (self.clock)();
        let email = email_key(email);
        let ip = ip.map(ip_key);
        let mut inner = self.lock();
        inner.attempts = inner.attempts.wrapping_add(1);
        if inner.attempts.is_multiple_of(PRUNE_EVERY) {
            inner.emails.prune(now);
            inner.ips.prune(now);
        }
        let email_wait = inner.emails.wait(&email, now);
        let ip_wait = ip.and_then(|ip| inner.ips.wait(&ip, now));
        if let Some(retry_after) = email_wait.max(ip_wait) {
            return Err(Refused { retry_after });
        }
        inner.emails.record(email, now);
        if let Some(ip) = ip {
            inner.ips.record(ip, now);
        }
        Ok(Attempt { email, ip, at: now })
    }

    /// The password was right: the e-mail's failures are forgotten and the attempt no longer
    /// counts against the address.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut inner = self.lock();
        inner.emails.clear(&attempt.email);
        if let Some(ip) = attempt.ip {
            inner.ips.unrecord(&ip, attempt.at);
        }
    }

    /// The e-mail or password was wrong: the attempt stays counted.
    pub fn failed(&self, attempt: Attempt) {
        let _ = attempt;
    }

    /// The attempt could not be judged (an error on our side): it no longer counts.
    pub fn abandoned(&self, attempt: Attempt) {
        let mut inner = self.lock();
        inner.emails.unrecord(&attempt.email, attempt.at);
        if let Some(ip) = attempt.ip {
            inner.ips.unrecord(&ip, attempt.at);
        }
    }

    /// How many e-mails and addresses are remembered (for tests and diagnostics).
    pub fn remembered(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.emails.entries.len(), inner.ips.entries.len())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The state stays consistent between statements, so a panic elsewhere leaves it usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The key of an e-mail: SHA-256 of it trimmed and lower-cased (fixed size, however long).
fn email_key(email: &str) -> EmailKey {
    Sha256::digest(email.trim().to_lowercase().as_bytes()).into()
}

/// The key of an address: IPv4 as is (also when mapped into IPv6), IPv6 by its /64.
fn ip_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(Ipv6Addr::from(segments))
            }
        },
    }
}

/// The failed attempts of one rule: per key, the instants still inside the window.
struct Window<K> {
    limit: u32,
    span: Duration,
    max_keys: usize,
    entries: HashMap<K, Entry>,
    /// Keys in the order they were first counted; a pair whose `seq` no longer matches its
    /// entry is stale and skipped.
    order: VecDeque<(u64, K)>,
    next_seq: u64,
}

struct Entry {
    seq: u64,
    /// Oldest first; never more than `limit`.
    times: VecDeque<Instant>,
}

impl<K: Hash + Eq + Copy> Window<K> {
    fn new(limit: u32, span: Duration, max_keys: usize) -> Self {
        Self { limit, span, max_keys: max_keys.max(1), entries: HashMap::new(), order: VecDeque::new(), next_seq: 0 }
    }

    /// How long `key` must wait, if it is at its limit.
    fn wait(&mut self, key: &K, now: Instant) -> Option<Duration> {
        if self.limit == 0 {
            return None;
        }
        let span = self.span;
        let entry = self.entries.get_mut(key)?;
        while entry.times.front().is_some_and(|at| now.saturating_duration_since(*at) >= span) {
            entry.times.pop_front();
        }
        if entry.times.is_empty() {
            self.entries.remove(key);
            return None;
        }
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        if entry.times.len() < limit {
            return None;
        }
        let oldest = *entry.times.front()?;
        Some(span.saturating_sub(now.saturating_duration_since(oldest)))
    }

    fn record(&mut self, key: K, now: Instant) {
        if self.limit == 0 {
            return;
        }
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        if let Some(entry) = self.entries.get_mut(&key) {
            entry.times.push_back(now);
            while entry.times.len() > limit {
                entry.times.pop_front();
            }
            return;
        }
        if self.entries.len() >= self.max_keys {
            self.prune(now);
        }
        while self.entries.len() >= self.max_keys {
            let Some((seq, oldest)) = self.order.pop_front() else { break };
            if self.entries.get(&oldest).is_some_and(|entry| entry.seq == seq) {
                self.entries.remove(&oldest);
            }
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.entries.insert(key, Entry { seq, times: VecDeque::from([now]) });
        self.order.push_back((seq, key));
        if self.order.len() > 2 * self.entries.len() + 1_024 {
            self.compact();
        }
    }

    /// Takes back one attempt counted at `at`.
    fn unrecord(&mut self, key: &K, at: Instant) {
        let Some(entry) = self.entries.get_mut(key) else { return };
        if let Some(index) = entry.times.iter().rposition(|time| *time == at) {
            entry.times.remove(index);
        }
        if entry.times.is_empty() {
            self.entries.remove(key);
        }
    }

    fn clear(&mut self, key: &K) {
        self.entries.remove(key);
    }

    /// Drops every key whose last attempt has left the window.
    fn prune(&mut self, now: Instant) {
        let span = self.span;
        self.entries.retain(|_, entry| entry.times.back().is_some_and(|at| now.saturating_duration_since(*at) < span));
        self.compact();
    }

    /// Drops the stale pairs of `order`.
    fn compact(&mut self) {
        let entries = &self.entries;
        self.order.retain(|(seq, key)| entries.get(key).is_some_and(|entry| entry.seq == *seq));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clock the test moves by hand.
    struct Manual {
        start: Instant,
        offset: Arc<Mutex<Duration>>,
    }

    impl Manual {
        fn new() -> Self {
            Self { start: Instant::now(), offset: Arc::default() }
        }
        fn clock(&self) -> Clock {
            let (start, offset) = (self.start, self.offset.clone());
            Arc::new(move || start + *offset.lock().unwrap_or_else(PoisonError::into_inner))
        }
        fn advance(&self, by: Duration) {
            *self.offset.lock().unwrap_or_else(PoisonError::into_inner) += by;
        }
    }

    fn throttle(limits: Limits) -> (LoginThrottle, Manual) {
        let manual = Manual::new();
        (LoginThrottle::with_clock(limits, manual.clock()), manual)
    }

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 7)));

    fn fail(throttle: &LoginThrottle, email: &str, ip: Option<IpAddr>) {
        throttle.failed(throttle.begin(email, ip).expect("the attempt is let through"));
    }

    #[test]
    fn five_failures_for_an_email_refuse_the_sixth_until_the_window_slides() {
        let (throttle, clock) = throttle(Limits::default());
        for _ in 0..4 {
            fail(&throttle, "ana@x.cl", HOME);
            clock.advance(Duration::from_secs(60));
        }
        fail(&throttle, "ana@x.cl", HOME);
        // Normalised: the same e-mail with other case and spaces is the same key.
        let refused = throttle.begin("  ANA@X.cl ", HOME).expect_err("the sixth is refused");
        // The first failure (at 0) leaves the window at 15:00; it is now 4:00.
        assert_eq!(refused.retry_after, Duration::from_secs(11 * 60));
        assert_eq!(refused.retry_after_secs(), 660);
        // Another e-mail from the same address is unaffected.
        throttle.succeeded(throttle.begin("bea@x.cl", HOME).expect("another e-mail"));

        clock.advance(Duration::from_secs(11 * 60 - 1));
        assert_eq!(throttle.begin("ana@x.cl", HOME).expect_err("one second early").retry_after_secs(), 1);
        clock.advance(Duration::from_secs(1));
        // The oldest failure has left: one attempt more, then refused again until the second leaves.
        fail(&throttle, "ana@x.cl", HOME);
        assert_eq!(throttle.begin("ana@x.cl", HOME).expect_err("at the limit again").retry_after_secs(), 60);
    }

    #[test]
    fn a_success_clears_the_email_but_not_the_address() {
        let limits = Limits { per_ip: 6, ..Limits::default() };
        let (throttle, _clock) = throttle(limits);
        for _ in 0..4 {
            fail(&throttle, "ana@x.cl", HOME);
        }
        throttle.succeeded(throttle.begin("ana@x.cl", HOME).expect("the fifth is let through"));
        // The e-mail starts over: five more attempts are let through ...
        for _ in 0..2 {
            fail(&throttle, "ana@x.cl", HOME);
        }
        // ... but the address has six failures now (4 + 2; the success did not count).
        assert!(throttle.begin("ana@x.cl", HOME).is_err());
        assert!(throttle.begin("other@x.cl", HOME).is_err(), "the address is over its limit for every e-mail");
        assert!(throttle.begin("other@x.cl", None).is_ok(), "without an address only the e-mail counts");
    }

    #[test]
    fn twenty_failures_from_one_address_refuse_every_email_from_it() {
        let (throttle, clock) = throttle(Limits::default());
        for n in 0..20 {
            fail(&throttle, &format!("user{n}@x.cl"), HOME);
        }
        let refused = throttle.begin("fresh@x.cl", HOME).expect_err("the 21st from the address is refused");
        assert_eq!(refused.retry_after_secs(), 15 * 60);
        let elsewhere = Some(IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 1)));
        assert!(throttle.begin("fresh@x.cl", elsewhere).is_ok(), "another address is unaffected");
        clock.advance(WINDOW);
        assert!(throttle.begin("fresh@x.cl", HOME).is_ok(), "the window slid");
    }

    #[test]
    fn an_ip_limit_of_zero_turns_the_address_rule_off() {
        let (throttle, _clock) = throttle(Limits { per_ip: 0, ..Limits::default() });
        for n in 0..100 {
            fail(&throttle, &format!("user{n}@x.cl"), HOME);
        }
        assert!(throttle.begin("fresh@x.cl", HOME).is_ok());
        assert_eq!(throttle.remembered().1, 0, "nothing is remembered for addresses");
    }

    #[test]
    fn parallel_attempts_count_before_they_are_judged_and_errors_are_taken_back() {
        let (throttle, _clock) = throttle(Limits::default());
        let in_flight: Vec<Attempt> =
            (0..5).map(|_| throttle.begin("ana@x.cl", HOME).expect("under the limit")).collect();
        assert!(throttle.begin("ana@x.cl", HOME).is_err(), "five in flight already reach the limit");
        for attempt in in_flight {
            throttle.abandoned(attempt);
        }
        assert!(throttle.begin("ana@x.cl", HOME).is_ok(), "abandoned attempts do not count");
    }

    #[test]
    fn ipv6_clients_count_by_their_64_and_mapped_ipv4_as_ipv4() {
        let (throttle, _clock) = throttle(Limits { per_ip: 2, ..Limits::default() });
        let a: IpAddr = "2001:db8:1:2::1".parse().expect("an address");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("an address");
        let c: IpAddr = "2001:db8:1:3::1".parse().expect("an address");
        fail(&throttle, "a@x.cl", Some(a));
        fail(&throttle, "b@x.cl", Some(b));
        assert!(throttle.begin("c@x.cl", Some(a)).is_err(), "same /64");
        assert!(throttle.begin("c@x.cl", Some(c)).is_ok(), "another /64");
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().expect("an address");
        fail(&throttle, "d@x.cl", HOME);
        fail(&throttle, "e@x.cl", HOME);
        assert!(throttle.begin("f@x.cl", Some(mapped)).is_err(), "mapped IPv4 is the IPv4 address");
    }

    #[test]
    fn memory_is_bounded_and_expired_keys_are_pruned() {
        let limits = Limits { max_keys: 3, ..Limits::default() };
        let (throttle, clock) = throttle(limits);
        for n in 0..5 {
            fail(&throttle, &format!("user{n}@x.cl"), Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, n))));
            clock.advance(Duration::from_secs(1));
        }
        assert_eq!(throttle.remembered(), (3, 3), "at most max_keys per rule, the oldest forgotten");
        clock.advance(WINDOW);
        fail(&throttle, "late@x.cl", HOME);
        assert_eq!(throttle.remembered(), (1, 1), "a full window drops what has expired first");
        // Successes leave nothing behind, however many.
        for _ in 0..10_000 {
            throttle.succeeded(throttle.begin("ana@x.cl", HOME).expect("let through"));
        }
        assert_eq!(throttle.remembered(), (1, 1));
        let inner = throttle.lock();
        assert!(inner.emails.order.len() <= 2 * inner.emails.entries.len() + 1_024, "the order queue is compacted");
    }
}
