//! A sign-in link's rules: single use, valid for [`LINK_TTL_MS`] after it was made.
//!
//! The state is derived from the stored times (used, expires) and now; using a link is the one
//! transition, and the table below names every state, so a new state forces the rule to be
//! reconsidered. The store's conditional update (`used_at IS NULL AND expires_at > now`) is what
//! makes two simultaneous uses end in one sign-in; this is the rule it implements.

/// How long a sign-in link works.
pub const LINK_TTL_MS: i64 = 15 * 60 * 1000;
/// How long a customer's session lasts (30 days: a customer signs in rarely, on their own phone).
pub const SESSION_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// Where a link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Made, not used, not expired.
    Pending,
    /// Used once already.
    Used,
    /// Past its expiry, unused.
    Expired,
}

/// Why a link does not sign anyone in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefusal {
    /// It was used already.
    #[error("the sign-in link was used already; ask for a new one")]
    Used,
    /// It expired.
    #[error("the sign-in link expired; ask for a new one")]
    Expired,
}

impl LinkState {
    /// The state of a link made to expire at `expires_at_ms`, used at `used_at_ms`, seen at `now_ms`.
    pub fn of(used_at_ms: Option<i64>, expires_at_ms: i64, now_ms: i64) -> Self {
        match used_at_ms {
            Some(_) => LinkState::Used,
            None if now_ms >= expires_at_ms => LinkState::Expired,
            None => LinkState::Pending,
        }
    }

    /// Using the link: only a pending one becomes used.
    pub fn use_link(self) -> Result<LinkState, LinkRefusal> {
        match self {
            LinkState::Pending => Ok(LinkState::Used),
            LinkState::Used => Err(LinkRefusal::Used),
            LinkState::Expired => Err(LinkRefusal::Expired),
        }
    }
}

/// When a link made at `now_ms` expires.
pub fn expires_at(now_ms: i64) -> i64 {
    now_ms.saturating_add(LINK_TTL_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_works_once_and_only_within_fifteen_minutes() {
        let made = 1_000_000;
        let expiry = expires_at(made);
        assert_eq!(LinkState::of(None, expiry, made).use_link(), Ok(LinkState::Used));
        assert_eq!(LinkState::of(None, expiry, expiry - 1).use_link(), Ok(LinkState::Used));
        assert_eq!(LinkState::of(None, expiry, expiry).use_link(), Err(LinkRefusal::Expired));
        assert_eq!(LinkState::of(Some(made + 5), expiry, made + 10).use_link(), Err(LinkRefusal::Used));
        assert_eq!(expiry - made, 15 * 60 * 1000);
    }
}
