//! The knowledge base's rows (issue 18 point 4): articles, help sessions and feedback on
//! articles, and the counts the deflection share is computed from.

use omnicanal_domain::support::TicketCategory;
use omnicanal_domain::support::knowledge::{ArticleLocale, HelpOutcome};

/// One article as stored, with the search terms the app prepared from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRow {
    /// Opaque id (`art_…`).
    pub id: String,
    /// The language it is written in.
    pub locale: ArticleLocale,
    /// The same article in the other language, if any.
    pub translation_id: Option<String>,
    /// Title, plain text.
    pub title: String,
    /// Body, markdown.
    pub body: String,
    /// The ticket category it helps with.
    pub category: TicketCategory,
    /// Whether staff can find and read it.
    pub published: bool,
    /// Who wrote it (user id).
    pub author_id: String,
    /// Their e-mail at the time.
    pub author_email: String,
    /// When it was created (Unix ms).
    pub created_ms: i64,
    /// When it was last changed (Unix ms).
    pub updated_ms: i64,
    /// When it was last published (Unix ms); `None` if never.
    pub published_ms: Option<i64>,
    /// The title's folded stems (what the full-text index holds).
    pub title_terms: String,
    /// The body's folded stems.
    pub body_terms: String,
}

/// Which articles an agent's list shows; `None` leaves a filter open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleFilter {
    /// Only articles in this language.
    pub locale: Option<ArticleLocale>,
    /// Only articles of this category.
    pub category: Option<TicketCategory>,
    /// Only published (`Some(true)`) or drafts (`Some(false)`).
    pub published: Option<bool>,
}

/// A full-text search over published articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleSearch {
    /// Prefix terms (folded stem prefixes made only of letters and digits); an article matches
    /// when any term starts one of its indexed words. Never empty.
    pub terms: Vec<String>,
    /// Only articles in this language.
    pub locale: Option<ArticleLocale>,
    /// Only articles of this category.
    pub category: Option<TicketCategory>,
    /// At most this many, best first.
    pub limit: i64,
}

/// A search's hit: what the suggestion list needs to show and snip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleHitRow {
    /// Article id.
    pub id: String,
    /// Its language.
    pub locale: ArticleLocale,
    /// Title.
    pub title: String,
    /// Body, markdown (the app cuts the snippet from it).
    pub body: String,
    /// Category.
    pub category: TicketCategory,
}

/// One help dialog opened for one problem, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpSessionRow {
    /// Opaque id (`hlp_…`).
    pub id: String,
    /// Who opened it (user id).
    pub opened_by: String,
    /// Their merchant, if they have one.
    pub merchant_id: Option<String>,
    /// The location the dialog was opened at, if known.
    pub location_id: Option<String>,
    /// When it was opened (Unix ms).
    pub opened_ms: i64,
    /// The problem as last typed, if sent.
    pub query: Option<String>,
    /// How it ended; `None` while open.
    pub outcome: Option<HelpOutcome>,
    /// The article that solved it.
    pub article_id: Option<String>,
    /// The ticket it ended in, when the till says which.
    pub ticket_id: Option<String>,
    /// When it ended (Unix ms).
    pub closed_ms: Option<i64>,
}

/// The end of a help session, applied only if the session still ends as `expected` (so two
/// presses cannot both win).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpSessionEnd {
    /// Session id.
    pub id: String,
    /// The outcome the app read before deciding.
    pub expected: Option<HelpOutcome>,
    /// The new outcome.
    pub outcome: HelpOutcome,
    /// The article that solved it (for `Solved`).
    pub article_id: Option<String>,
    /// The ticket (for `Ticket`).
    pub ticket_id: Option<String>,
    /// When (Unix ms).
    pub closed_ms: i64,
}

/// "Esto lo resolvió" (or not) on an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleFeedbackRow {
    /// Opaque id (`afb_…`).
    pub id: String,
    /// The article.
    pub article_id: String,
    /// The help session it was given in, if any.
    pub help_session_id: Option<String>,
    /// Whether the article solved the problem.
    pub solved: bool,
    /// What the reader had searched for, if sent.
    pub query: Option<String>,
    /// Who said it.
    pub user_id: String,
    /// Their merchant, if they have one.
    pub merchant_id: Option<String>,
    /// When (Unix ms).
    pub at_ms: i64,
}

/// Help sessions and feedback counted over a window, for the deflection share.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeflectionCountsRow {
    /// Help sessions opened in the window.
    pub sessions: i64,
    /// Of them, ended solved by an article.
    pub solved: i64,
    /// Of them, ended in a ticket.
    pub tickets: i64,
    /// Of them, closed with neither.
    pub abandoned: i64,
    /// "Solved" feedback given in the window (in a session or not).
    pub feedback_solved: i64,
    /// "Not solved" feedback given in the window.
    pub feedback_not_solved: i64,
}
