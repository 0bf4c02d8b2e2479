//! Rows the desk's reports read beyond tickets (issue 18 points 4 and 6): the counts the
//! deflection share over every problem raised is computed from.

/// Problems raised over a period, counted in the store (see
/// `omnicanal_domain::support::problems` for why both kinds are counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SupportProblemCountsRow {
    /// Help sessions opened in the period.
    pub help_sessions: i64,
    /// Of them, ended solved by an article.
    pub solved_by_article: i64,
    /// Tickets opened in the period from the till or the console (merged duplicates left out)
    /// that no help session names as the ticket it ended in.
    pub tickets_without_help: i64,
}
