//! A site's promise to its visitors: how long a part may wait for a restaurant to accept it,
//! and what happens when that time passes.
//!
//! Two policies, each with its reason. `cancel_and_refund` (the default): a part not accepted in
//! time is cancelled and refunded, so a visitor never waits on a kitchen that is not answering —
//! its stock hold simply lapses then. `notify_only`: nothing is cancelled (some food courts
//! accept late rather than lose the sale); the visitor is told once that it is still waiting.

crate::named_enum! {
    /// What happens to a part not accepted within the site's limit.
    #[derive(Default)]
    pub enum UnacceptedPolicy("unaccepted_policy") {
        /// The part's hold lapses at the limit: it is cancelled and refunded.
        #[default]
        CancelAndRefund => "cancel_and_refund",
        /// The part stays; the customer is told once that it is still not accepted.
        NotifyOnly => "notify_only",
    }
}

/// How long a new part's stock hold lasts at a location, in milliseconds (None: until handled).
///
/// The channel may bound the hold (`channel_hold_ttl_ms`); under `cancel_and_refund` the site's
/// acceptance limit bounds it too, and the shorter wins. Under `notify_only` the limit must not
/// end the hold, or the part would be cancelled after all.
pub fn hold_ttl_ms(
    policy: UnacceptedPolicy,
    accept_within_minutes: Option<i64>,
    channel_hold_ttl_ms: Option<i64>,
) -> Option<i64> {
    let site_limit_ms = match policy {
        UnacceptedPolicy::CancelAndRefund => accept_within_minutes.map(|minutes| minutes.saturating_mul(60_000)),
        UnacceptedPolicy::NotifyOnly => None,
    };
    match (site_limit_ms, channel_hold_ttl_ms) {
        (Some(site), Some(channel)) => Some(site.min(channel)),
        (site, channel) => site.or(channel),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shorter_bound_wins_and_notify_only_never_ends_a_hold() {
        use UnacceptedPolicy::*;
        assert_eq!(hold_ttl_ms(CancelAndRefund, None, None), None);
        assert_eq!(hold_ttl_ms(CancelAndRefund, Some(5), None), Some(300_000));
        assert_eq!(hold_ttl_ms(CancelAndRefund, Some(5), Some(60_000)), Some(60_000));
        assert_eq!(hold_ttl_ms(CancelAndRefund, Some(5), Some(600_000)), Some(300_000));
        assert_eq!(hold_ttl_ms(NotifyOnly, Some(5), None), None);
        assert_eq!(hold_ttl_ms(NotifyOnly, Some(5), Some(60_000)), Some(60_000));
        assert_eq!(UnacceptedPolicy::default().as_str(), "cancel_and_refund");
    }
}
