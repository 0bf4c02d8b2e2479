//! The deflection share over every problem raised (issue 18 point 4: "the share of problems
//! solved by an article without a ticket is measured"). Pure.
//!
//! A problem reaches the desk one of two ways: the help dialog (a help session, where articles
//! are suggested first) or a ticket opened from the till or the console with no help session
//! before it. Counting only help sessions, as `knowledge::share_solved_bps` does, leaves the
//! second kind invisible, so a store that skips the dialog would look well served. This share
//! puts both in the denominator; phone tickets an agent opens are left out (the caller never
//! had the chance to read an article).

/// Problems raised over a period, by how they reached the desk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProblemCounts {
    /// Help sessions opened (whatever their outcome, still open included).
    pub help_sessions: i64,
    /// Of them, solved by an article with no ticket.
    pub solved_by_article: i64,
    /// Tickets opened from the till or the console that no help session led to.
    pub tickets_without_help: i64,
}

impl ProblemCounts {
    /// Every problem raised: help sessions plus tickets opened without one.
    pub fn problems_raised(&self) -> i64 {
        self.help_sessions.saturating_add(self.tickets_without_help)
    }

    /// Problems solved by an article as a share of every problem raised, in basis points
    /// (10 000 = all), rounded down; 0 when no problem was raised.
    pub fn solved_share_bps(&self) -> i64 {
        let raised = self.problems_raised();
        if raised <= 0 { 0 } else { self.solved_by_article.clamp(0, raised).saturating_mul(10_000) / raised }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_without_a_help_session_lower_the_share() {
        let counts = ProblemCounts { help_sessions: 3, solved_by_article: 2, tickets_without_help: 1 };
        assert_eq!(counts.problems_raised(), 4);
        assert_eq!(counts.solved_share_bps(), 5_000);
        let only_dialog = ProblemCounts { tickets_without_help: 0, ..counts };
        assert_eq!(only_dialog.solved_share_bps(), 6_666);
    }

    #[test]
    fn nothing_raised_is_a_zero_share_and_never_above_all() {
        assert_eq!(ProblemCounts::default().solved_share_bps(), 0);
        let odd = ProblemCounts { help_sessions: 1, solved_by_article: 5, tickets_without_help: 0 };
        assert_eq!(odd.solved_share_bps(), 10_000);
    }
}
