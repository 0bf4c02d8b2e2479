//! Throttling failed sign-ins, per node and in memory, without handing anyone a lockout.
//!
//! A rule that refuses an account after N failures from anywhere lets anyone lock out a known
//! manager on Black Friday; a rule per client address locks out everyone behind one proxy. So
//! failures are counted per **(account, client address)** pair and answered with growing delays,
//! and the wider rules only slow down what they must:
//!
//! - **Pair**: after [`Limits::pair_free`] failures of one account from one address, each further
//!   attempt from there waits 1 s, 2 s, 4 s, … after the last failure, at most
//!   [`Limits::max_delay`]. A success from the pair forgets its failures.
//! - **Account ceiling**: after [`Limits::account_ceiling`] failures of one account from any
//!   addresses, attempts from addresses the account has never signed in from wait with the same
//!   growth (a botnet guesses slowly however many addresses it has). An address the account
//!   *has* signed in from is only spaced ([`Limits::known_spacing`] after its own last failure):
//!   the owner at the usual till or office is slowed at most, never refused for long.
//! - **Address**: after failures for [`Limits::per_ip`] *different* accounts from one address
//!   (credential stuffing), attempts from it for accounts never signed in from it wait likewise.
//!   Counting accounts rather than failures means one person mistyping behind a shared proxy
//!   does not slow the others.
//!
//! A failure is forgotten [`Limits::window`] after the last failure of its key. The account is
//! its e-mail trimmed, lower-cased and kept as its SHA-256 (an unknown e-mail is throttled like
//! a known one, so the answers do not tell which exist); an address is the client's IPv4
//! address, or its IPv6 /64 (one host usually holds the whole /64).
//!
//! An attempt let through is counted as failed at once and settled afterwards
//! ([`LoginThrottle::succeeded`], [`LoginThrottle::failed`], [`LoginThrottle::abandoned`]), so a
//! burst of parallel guesses cannot slip past while the first ones are still hashing.
//!
//! Memory is bounded: each table holds at most [`Limits::max_keys`] keys (the oldest is forgotten
//! first) and expired keys are pruned every few thousand attempts. Each node counts alone, and the
//! addresses an account signed in from are remembered by the node that saw it, until restart.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::clock::Clock;

/// How long a failure counts after the last failure of its key.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures of one account from one address before attempts from there are delayed.
pub const PAIR_FREE_FAILURES: u32 = 3;
/// Failures of one account from all addresses before addresses it never signed in from are delayed.
pub const ACCOUNT_CEILING: u32 = 10;
/// Different accounts failing from one address before that address is delayed for accounts
/// never signed in from it (`OMNICANAL_LOGIN_IP_LIMIT`; 0 turns the address rule off).
pub const DEFAULT_IP_LIMIT: u32 = 20;
/// The longest delay any rule imposes.
pub const MAX_DELAY: Duration = Duration::from_secs(5 * 60);
/// While the account is over its ceiling, the spacing between attempts from an address it
/// signed in from before.
pub const KNOWN_ADDRESS_SPACING: Duration = Duration::from_secs(5);
/// How long an address an account signed in from is remembered.
pub const KNOWN_FOR: Duration = Duration::from_secs(90 * 24 * 60 * 60);
/// Most keys each table remembers.
pub const MAX_KEYS: usize = 100_000;
/// Every this many attempts, expired keys are dropped.
const PRUNE_EVERY: u64 = 4_096;

/// The rules of a [`LoginThrottle`] (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failures of one (account, address) pair before its attempts are delayed.
    pub pair_free: u32,
    /// Failures of one account before unknown addresses are delayed (0: no ceiling).
    pub account_ceiling: u32,
    /// Different accounts failing from one address before it is delayed (0: no address rule).
    pub per_ip: u32,
    /// How long failures count after the last one.
    pub window: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// Spacing for a known address while its account is over the ceiling.
    pub known_spacing: Duration,
    /// How long a successful (account, address) pair is remembered.
    pub known_for: Duration,
    /// Most keys remembered per table.
    pub max_keys: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            pair_free: PAIR_FREE_FAILURES,
            account_ceiling: ACCOUNT_CEILING,
            per_ip: DEFAULT_IP_LIMIT,
            window: WINDOW,
            max_delay: MAX_DELAY,
            known_spacing: KNOWN_ADDRESS_SPACING,
            known_for: KNOWN_FOR,
            max_keys: MAX_KEYS,
        }
    }
}

/// An attempt was refused: try again after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Until the longest delay that applies has passed.
    pub retry_after: Duration,
}

impl Refused {
    /// Whole seconds to wait, rounded up and at least 1 (for `Retry-After`).
    pub fn retry_after_secs(&self) -> u64 {
        let secs = self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0);
        secs.max(1)
    }
}

/// An attempt let through by [`LoginThrottle::begin`], counted as failed until it is settled.
#[derive(Debug)]
#[must_use = "settle the attempt: succeeded, failed or abandoned"]
pub struct Attempt {
    pair: Pair,
    /// Whether this attempt added its account to the address's count.
    counted_at_address: bool,
}

type AccountKey = [u8; 32];
/// An account at an address (`None`: the address is not known, e.g. in a unit test).
type Pair = (AccountKey, Option<IpAddr>);

/// Failures of one key: how many, and when the last was (Unix ms).
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last_ms: i64,
}

/// The per-node limiter of failed sign-ins (see the module documentation).
pub struct LoginThrottle {
    limits: Limits,
    clock: Arc<dyn Clock>,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginThrottle").field("limits", &self.limits).finish_non_exhaustive()
    }
}

struct Inner {
    pairs: Table<Pair, Failures>,
    accounts: Table<AccountKey, Failures>,
    addresses: Table<IpAddr, Failures>,
    /// Pairs that signed in, with when they last did (Unix ms).
    known: Table<Pair, i64>,
    attempts: u64,
}

impl LoginThrottle {
    /// A throttle with these rules, reading the time from `clock`.
    pub fn new(limits: Limits, clock: Arc<dyn Clock>) -> Self {
        let inner = Inner {
            pairs: Table::new(limits.max_keys),
            accounts: Table::new(limits.max_keys),
            addresses: Table::new(limits.max_keys),
            known: Table::new(limits.max_keys),
            attempts: 0,
        };
        Self { limits, clock, inner: Mutex::new(inner) }
    }

    /// The rules in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Lets an attempt for `email` from `ip` through (counting it as failed until settled), or
    /// says how long to wait.
    pub fn begin(&self, email: &str, ip: Option<IpAddr>) -> Result<Attempt, Refused> {
        let now = self.clock.now_ms();
        let pair: Pair = (account_key(email), ip.map(ip_key));
        let limits = self.limits;
        let mut inner = self.lock();
        inner.attempts = inner.attempts.wrapping_add(1);
        if inner.attempts.is_multiple_of(PRUNE_EVERY) {
            inner.prune(&limits, now);
        }
        let window_ms = millis(limits.window);
        let known = inner.known.get(&pair).is_some_and(|at| now.saturating_sub(*at) < millis(limits.known_for));
        let pair_failures = live(inner.pairs.get(&pair), now, window_ms);
        let account_failures = live(inner.accounts.get(&pair.0), now, window_ms);
        let address_failures = pair.1.and_then(|address| live(inner.addresses.get(&address), now, window_ms));

        let mut wait_ms = growing_wait(pair_failures, limits.pair_free, &limits, now);
        let over_ceiling = limits.account_ceiling > 0
            && account_failures.is_some_and(|failures| failures.count >= limits.account_ceiling);
        if over_ceiling && known {
            let spacing_ms = millis(limits.known_spacing);
            let spaced = pair_failures.map_or(0, |own| (own.last_ms + spacing_ms - now).clamp(0, spacing_ms));
            wait_ms = wait_ms.max(spaced);
        } else if over_ceiling {
            wait_ms = wait_ms.max(growing_wait(account_failures, limits.account_ceiling, &limits, now));
        }
        if limits.per_ip > 0 && !known {
            wait_ms = wait_ms.max(growing_wait(address_failures, limits.per_ip, &limits, now));
        }
        if wait_ms > 0 {
            let retry_after = Duration::from_millis(u64::try_from(wait_ms).unwrap_or(u64::MAX));
            return Err(Refused { retry_after });
        }

        inner.pairs.put(pair, count_one(pair_failures, now));
        inner.accounts.put(pair.0, count_one(account_failures, now));
        // An address counts each account once: the first failure of the pair in the window.
        let counted_at_address = match pair.1 {
            Some(address) if limits.per_ip > 0 && pair_failures.is_none() => {
                inner.addresses.put(address, count_one(address_failures, now));
                true
            }
            _ => false,
        };
        Ok(Attempt { pair, counted_at_address })
    }

    /// The password was right: the pair's failures are forgotten, the attempt no longer counts
    /// against the account or the address, and the address is remembered as the account's.
    pub fn succeeded(&self, attempt: Attempt) {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        inner.pairs.remove(&attempt.pair);
        inner.take_back(&attempt);
        inner.known.put(attempt.pair, now);
    }

    /// The e-mail or password was wrong: the attempt stays counted.
    pub fn failed(&self, attempt: Attempt) {
        let _ = attempt;
    }

    /// The attempt could not be judged (an error on our side): it no longer counts.
    pub fn abandoned(&self, attempt: Attempt) {
        let mut inner = self.lock();
        inner.pairs.count_down(&attempt.pair);
        inner.take_back(&attempt);
    }

    /// How many pairs, accounts, addresses and known pairs are remembered (tests, diagnostics).
    pub fn remembered(&self) -> [usize; 4] {
        let inner = self.lock();
        [inner.pairs.len(), inner.accounts.len(), inner.addresses.len(), inner.known.len()]
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The state stays consistent between statements, so a panic elsewhere leaves it usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    /// Takes one attempt back from the account and, if it was counted there, the address.
    fn take_back(&mut self, attempt: &Attempt) {
        self.accounts.count_down(&attempt.pair.0);
        if let (true, Some(address)) = (attempt.counted_at_address, attempt.pair.1) {
            self.addresses.count_down(&address);
        }
    }

    /// Drops every key whose failures (or whose success) have expired.
    fn prune(&mut self, limits: &Limits, now: i64) {
        let (window_ms, known_ms) = (millis(limits.window), millis(limits.known_for));
        let current = |failures: &Failures| failures.count > 0 && now.saturating_sub(failures.last_ms) < window_ms;
        self.pairs.retain(current);
        self.accounts.retain(current);
        self.addresses.retain(current);
        self.known.retain(|at| now.saturating_sub(*at) < known_ms);
    }
}

/// The failures of a key if they still count.
fn live(failures: Option<&Failures>, now: i64, window_ms: i64) -> Option<Failures> {
    failures.copied().filter(|failures| failures.count > 0 && now.saturating_sub(failures.last_ms) < window_ms)
}

/// One more failure now.
fn count_one(failures: Option<Failures>, now: i64) -> Failures {
    Failures { count: failures.map_or(0, |failures| failures.count).saturating_add(1), last_ms: now }
}

/// How long (ms) a key with `failures` must still wait when `free` failures are allowed: none
/// below it, then 1 s, 2 s, 4 s, … after the last failure, at most [`Limits::max_delay`].
fn growing_wait(failures: Option<Failures>, free: u32, limits: &Limits, now: i64) -> i64 {
    let Some(failures) = failures else { return 0 };
    if failures.count < free {
        return 0;
    }
    let doublings = (failures.count - free).min(30);
    let delay_ms = (1_000_i64 << doublings).min(millis(limits.max_delay));
    // Clamped to the delay itself: a wall clock set back must not stretch a wait.
    (failures.last_ms + delay_ms - now).clamp(0, delay_ms)
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The key of an account: SHA-256 of its e-mail trimmed and lower-cased (fixed size, however long).
fn account_key(email: &str) -> AccountKey {
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

impl<K: Hash + Eq + Copy> Table<K, Failures> {
    /// Takes one failure back from `key`, forgetting the key when none is left.
    fn count_down(&mut self, key: &K) {
        let Some(failures) = self.get_mut(key) else { return };
        failures.count = failures.count.saturating_sub(1);
        if failures.count == 0 {
            self.remove(key);
        }
    }
}

/// A map that holds at most `max_keys` keys, forgetting the one inserted first when full.
struct Table<K, V> {
    max_keys: usize,
    entries: HashMap<K, (u64, V)>,
    /// Keys in the order they were inserted; a pair whose `seq` no longer matches its entry is
    /// stale and skipped.
    order: VecDeque<(u64, K)>,
    next_seq: u64,
}

impl<K: Hash + Eq + Copy, V> Table<K, V> {
    fn new(max_keys: usize) -> Self {
        Self { max_keys: max_keys.max(1), entries: HashMap::new(), order: VecDeque::new(), next_seq: 0 }
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key).map(|(_, value)| value)
    }

    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.entries.get_mut(key).map(|(_, value)| value)
    }

    fn remove(&mut self, key: &K) {
        self.entries.remove(key);
    }

    /// Sets `key` to `value`, keeping its place if it is already there.
    fn put(&mut self, key: K, value: V) {
        if let Some((_, slot)) = self.entries.get_mut(&key) {
            *slot = value;
            return;
        }
        while self.entries.len() >= self.max_keys {
            let Some((seq, oldest)) = self.order.pop_front() else { break };
            if self.entries.get(&oldest).is_some_and(|(current, _)| *current == seq) {
                self.entries.remove(&oldest);
            }
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.entries.insert(key, (seq, value));
        self.order.push_back((seq, key));
        if self.order.len() > 2 * self.entries.len() + 1_024 {
            self.compact();
        }
    }

    fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        self.entries.retain(|_, (_, value)| keep(value));
        self.compact();
    }

    /// Drops the stale pairs of `order`.
    fn compact(&mut self) {
        let entries = &self.entries;
        self.order.retain(|(seq, key)| entries.get(key).is_some_and(|(current, _)| current == seq));
    }
}

#[cfg(test)]
mod tests;
