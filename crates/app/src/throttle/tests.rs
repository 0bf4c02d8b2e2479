//! The sign-in throttle's rules, on a clock the tests move: growing delays per (account,
//! address), the account ceiling that only spaces known addresses, the address rule that counts
//! accounts, and bounded memory.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::clock::ManualClock;

const HOME: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7)));
const OFFICE: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 20)));

fn throttle(limits: Limits) -> (LoginThrottle, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::starting_at(1_700_000_000_000));
    (LoginThrottle::new(limits, clock.clone()), clock)
}

fn attacker(n: u32) -> Option<IpAddr> {
    Some(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n)))
}

fn fail(throttle: &LoginThrottle, email: &str, ip: Option<IpAddr>) {
    throttle.failed(throttle.begin(email, ip).expect("the attempt is let through"));
}

fn succeed(throttle: &LoginThrottle, email: &str, ip: Option<IpAddr>) {
    throttle.succeeded(throttle.begin(email, ip).expect("the attempt is let through"));
}

fn wait_secs(throttle: &LoginThrottle, email: &str, ip: Option<IpAddr>) -> u64 {
    throttle.begin(email, ip).map(|attempt| throttle.abandoned(attempt)).expect_err("a wait").retry_after_secs()
}

/// Fails once more for `email` from `ip`, first waiting out any delay.
fn fail_when_let_through(throttle: &LoginThrottle, clock: &ManualClock, email: &str, ip: Option<IpAddr>) {
    if let Err(refused) = throttle.begin(email, ip).map(|attempt| throttle.failed(attempt)) {
        clock.advance(refused.retry_after);
        fail(throttle, email, ip);
    }
}

#[test]
fn a_pair_gets_three_free_failures_then_delays_that_double_up_to_the_cap() {
    let (throttle, clock) = throttle(Limits::default());
    succeed(&throttle, "ana@x.cl", OFFICE);
    for _ in 0..3 {
        fail(&throttle, "ana@x.cl", HOME);
    }
    // Normalised: the same e-mail with other case and spaces is the same account.
    assert_eq!(wait_secs(&throttle, "  ANA@X.cl ", HOME), 1);
    for expected in [2, 4, 8, 16, 32, 64, 128, 256, 300, 300] {
        fail_when_let_through(&throttle, &clock, "ana@x.cl", HOME);
        assert_eq!(wait_secs(&throttle, "ana@x.cl", HOME), expected, "after another failure");
    }
    // Another account from here is not delayed, nor the same account where it signed in before.
    succeed(&throttle, "bea@x.cl", HOME);
    succeed(&throttle, "ana@x.cl", OFFICE);
    // Fifteen minutes without a failure forget the pair.
    clock.advance(WINDOW);
    succeed(&throttle, "ana@x.cl", HOME);
}

#[test]
fn a_success_forgets_the_pairs_failures() {
    let (throttle, _clock) = throttle(Limits::default());
    for _ in 0..2 {
        fail(&throttle, "ana@x.cl", HOME);
    }
    succeed(&throttle, "ana@x.cl", HOME);
    for _ in 0..3 {
        fail(&throttle, "ana@x.cl", HOME);
    }
    assert_eq!(wait_secs(&throttle, "ana@x.cl", HOME), 1, "three free failures again, not one");
}

#[test]
fn an_attack_from_many_addresses_slows_new_addresses_but_only_spaces_known_ones() {
    let (throttle, clock) = throttle(Limits::default());
    succeed(&throttle, "jefa@x.cl", OFFICE);
    for n in 0..12 {
        fail_when_let_through(&throttle, &clock, "jefa@x.cl", attacker(n));
    }
    // Twelve failures, two over the ceiling of ten: any new address now waits 4 s.
    assert_eq!(wait_secs(&throttle, "jefa@x.cl", attacker(99)), 4);
    assert_eq!(wait_secs(&throttle, "jefa@x.cl", HOME), 4, "the owner at a new address is slowed too");
    // The office, where she signed in before, is not delayed by the attack at all ...
    succeed(&throttle, "jefa@x.cl", OFFICE);
    // ... and a typo there is spaced by seconds, never refused for long.
    fail(&throttle, "jefa@x.cl", OFFICE);
    assert_eq!(wait_secs(&throttle, "jefa@x.cl", OFFICE), 5);
    clock.advance(KNOWN_ADDRESS_SPACING);
    succeed(&throttle, "jefa@x.cl", OFFICE);

    // However long the attack goes on, a new address waits at most the cap ...
    for n in 100..130 {
        fail_when_let_through(&throttle, &clock, "jefa@x.cl", attacker(n));
    }
    assert_eq!(wait_secs(&throttle, "jefa@x.cl", attacker(5_000)), MAX_DELAY.as_secs());
    // ... and the office still signs in at once.
    succeed(&throttle, "jefa@x.cl", OFFICE);
}

#[test]
fn the_address_rule_counts_accounts_so_one_persons_typos_slow_nobody_else() {
    let limits = Limits { per_ip: 3, ..Limits::default() };
    let (throttle, clock) = throttle(limits);
    // One person behind the shop's proxy mistypes again and again.
    for _ in 0..6 {
        fail_when_let_through(&throttle, &clock, "cajero@x.cl", HOME);
    }
    // Everyone else behind the same address signs in as usual.
    for user in ["ana@x.cl", "bea@x.cl", "caro@x.cl", "dani@x.cl"] {
        succeed(&throttle, user, HOME);
    }

    // Guessing three different accounts from one address is stuffing: further accounts wait ...
    succeed(&throttle, "eva@x.cl", OFFICE);
    for user in ["u1@x.cl", "u2@x.cl", "u3@x.cl"] {
        fail(&throttle, user, OFFICE);
    }
    assert_eq!(wait_secs(&throttle, "u4@x.cl", OFFICE), 1);
    // ... but an account that signed in from there before does not.
    succeed(&throttle, "eva@x.cl", OFFICE);
    assert!(throttle.begin("u4@x.cl", None).is_ok(), "without an address only the pair and account count");
}

#[test]
fn an_ip_limit_of_zero_turns_the_address_rule_off() {
    let (throttle, _clock) = throttle(Limits { per_ip: 0, ..Limits::default() });
    for n in 0..100 {
        fail(&throttle, &format!("user{n}@x.cl"), HOME);
    }
    assert!(throttle.begin("fresh@x.cl", HOME).is_ok());
    assert_eq!(throttle.remembered()[2], 0, "nothing is remembered for addresses");
}

#[test]
fn parallel_attempts_count_before_they_are_judged_and_errors_are_taken_back() {
    let (throttle, _clock) = throttle(Limits::default());
    let in_flight: Vec<Attempt> = (0..3).map(|_| throttle.begin("ana@x.cl", HOME).expect("free")).collect();
    assert!(throttle.begin("ana@x.cl", HOME).is_err(), "three in flight already use the free failures");
    for attempt in in_flight {
        throttle.abandoned(attempt);
    }
    assert!(throttle.begin("ana@x.cl", HOME).is_ok(), "abandoned attempts do not count");
}

#[test]
fn ipv6_clients_count_by_their_64_and_mapped_ipv4_as_ipv4() {
    let (throttle, _clock) = throttle(Limits::default());
    let a: IpAddr = "2001:db8:1:2::1".parse().expect("an address");
    let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("an address");
    let c: IpAddr = "2001:db8:1:3::1".parse().expect("an address");
    for _ in 0..3 {
        fail(&throttle, "ana@x.cl", Some(a));
    }
    assert!(throttle.begin("ana@x.cl", Some(b)).is_err(), "same /64");
    assert!(throttle.begin("ana@x.cl", Some(c)).is_ok(), "another /64");
    let mapped: IpAddr = "::ffff:203.0.113.7".parse().expect("an address");
    for _ in 0..3 {
        fail(&throttle, "bea@x.cl", HOME);
    }
    assert!(throttle.begin("bea@x.cl", Some(mapped)).is_err(), "mapped IPv4 is the IPv4 address");
}

#[test]
fn memory_is_bounded_and_expired_keys_are_pruned() {
    let limits = Limits { max_keys: 3, ..Limits::default() };
    let (throttle, clock) = throttle(limits);
    for n in 0..5 {
        fail(&throttle, &format!("user{n}@x.cl"), attacker(n));
        clock.advance(Duration::from_secs(1));
    }
    assert_eq!(throttle.remembered(), [3, 3, 3, 0], "at most max_keys per table, the oldest forgotten");
    clock.advance(WINDOW);
    for _ in 0..PRUNE_EVERY {
        throttle.succeeded(throttle.begin("ana@x.cl", HOME).expect("let through"));
    }
    assert_eq!(throttle.remembered(), [0, 0, 0, 1], "expired failures are pruned; successes leave one known pair");
    let inner = throttle.lock();
    assert!(inner.known.order.len() <= 2 * inner.known.entries.len() + 1_024, "the order queue is compacted");
}
