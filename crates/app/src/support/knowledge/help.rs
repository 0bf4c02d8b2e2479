//! Help sessions, feedback on articles and the deflection share: did an article solve the
//! problem without a ticket?
//!
//! **The record.** The till opens a help session when its help dialog opens (one per
//! problem). The session ends `solved` when the cashier presses "Esto lo resolvió" on an
//! article in it (the feedback and the session's end are one transaction), `ticket` when the
//! dialog sends a ticket, `abandoned` when it is closed with neither. A ticket wins over an
//! earlier "solved" (the problem was not solved after all) and is final
//! ([`HelpOutcome::may_follow`]).
//!
//! **The share.** Over the help sessions *opened* in `[from, to)`:
//! `share_solved_bps = solved × 10 000 / (solved + ticket)`, rounded down, 0 when both are 0.
//! Abandoned and still-open sessions count in `suggested` but in neither side of the share:
//! nobody knows whether their problem was solved. Counting by sessions rather than by tickets
//! in the ticket table keeps a problem that was both suggested and ticketed on one side only;
//! tickets opened without the dialog (an agent's phone call) are not problems the knowledge
//! base was offered for, so they are left out on purpose.
//!
//! **The share over every problem.** `share_solved_bps` cannot see a problem that went
//! straight to a ticket from the till or the console. `share_of_problems_bps` divides the same
//! solved sessions by every problem raised: help sessions plus tickets opened from the till or
//! the console that no session led to (`omnicanal_domain::support::problems`). Phone tickets
//! stay out of both.

use omnicanal_domain::access::Role;
use omnicanal_domain::support::knowledge::{HelpOutcome, QUERY_MAX_CHARS, share_solved_bps};
use omnicanal_domain::support::problems::ProblemCounts;
use omnicanal_store::{ArticleFeedbackRow, HelpSessionEnd, HelpSessionRow, StoreError};

use super::articles::ID_MAX_CHARS;
use super::{ARTICLE_AUTHORS, ARTICLE_READERS, DEFLECTION_READERS};
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// The widest deflection window, in days.
pub const DEFLECTION_MAX_DAYS: i64 = 366;
/// The window when none is named: the last 30 days.
pub const DEFLECTION_DEFAULT_DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;

fn optional_text(v: &mut Validator, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
    let text = raw.map(str::trim).filter(|text| !text.is_empty())?;
    if text.chars().count() > max {
        v.push(field, format!("must be at most {max} characters"));
        None
    } else if text.chars().any(char::is_control) {
        v.push(field, "must not contain control characters");
        None
    } else {
        Some(text.to_owned())
    }
}

/// Opening a help session, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenHelpSession {
    /// Where the dialog was opened; a staff member's own location when not named.
    pub location_id: Option<String>,
    /// The problem as first typed, if any.
    pub query: Option<String>,
}

impl OpenHelpSession {
    /// Checks every field, reporting each bad one.
    pub fn parse(location_id: Option<&str>, query: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        let location_id = optional_text(&mut v, "location_id", location_id, ID_MAX_CHARS);
        let query = optional_text(&mut v, "query", query, QUERY_MAX_CHARS);
        v.finish()?;
        Ok(Self { location_id, query })
    }
}

/// How the dialog says a session ended (a solved one ends through feedback instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndHelpSession {
    /// `Ticket` or `Abandoned`.
    pub outcome: HelpOutcome,
    /// The ticket it ended in, when known.
    pub ticket_id: Option<String>,
}

impl EndHelpSession {
    /// Checks every field, reporting each bad one.
    pub fn parse(outcome: Option<&str>, ticket_id: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        let outcome = match outcome.map(str::trim) {
            Some("ticket") => Some(HelpOutcome::Ticket),
            Some("abandoned") => Some(HelpOutcome::Abandoned),
            Some("solved") => {
                v.push("outcome", "a session is solved by the article's feedback (solved: true)");
                None
            }
            _ => {
                v.push("outcome", "must be ticket or abandoned");
                None
            }
        };
        let ticket_id = optional_text(&mut v, "ticket_id", ticket_id, ID_MAX_CHARS);
        if ticket_id.is_some() && outcome == Some(HelpOutcome::Abandoned) {
            v.push("ticket_id", "is only for an outcome of ticket");
        }
        v.done(|| Some(Self { outcome: outcome?, ticket_id }))
    }
}

/// "Esto lo resolvió" (or not) on an article, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleFeedback {
    /// Whether the article solved the problem.
    pub solved: bool,
    /// What the reader had searched for.
    pub query: Option<String>,
    /// The help session it was given in.
    pub help_session_id: Option<String>,
}

impl ArticleFeedback {
    /// Checks every field, reporting each bad one.
    pub fn parse(solved: Option<bool>, query: Option<&str>, help_session_id: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        if solved.is_none() {
            v.push("solved", "is required (true or false)");
        }
        let query = optional_text(&mut v, "query", query, QUERY_MAX_CHARS);
        let help_session_id = optional_text(&mut v, "help_session_id", help_session_id, ID_MAX_CHARS);
        v.done(|| Some(Self { solved: solved?, query, help_session_id }))
    }
}

/// A deflection window, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflectionWindow {
    /// Start, inclusive (Unix ms); `None`: 30 days before `to`.
    pub from_ms: Option<i64>,
    /// End, exclusive (Unix ms); `None`: now.
    pub to_ms: Option<i64>,
}

impl DeflectionWindow {
    /// Reads `from` and `to` (RFC 3339 or `YYYY-MM-DD`), reporting each bad one.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        let mut time = |field: &str, raw: Option<&str>| {
            let raw = raw.map(str::trim).filter(|raw| !raw.is_empty())?;
            let parsed = crate::ids::parse_time(raw);
            if parsed.is_none() {
                v.push(field, "must be a date (YYYY-MM-DD) or an RFC 3339 time");
            }
            parsed
        };
        let from_ms = time("from", from);
        let to_ms = time("to", to);
        if let (Some(from_ms), Some(to_ms)) = (from_ms, to_ms) {
            if from_ms >= to_ms {
                v.push("to", "must be after from");
            } else if to_ms - from_ms > DEFLECTION_MAX_DAYS * DAY_MS {
                v.push("to", format!("the window may span at most {DEFLECTION_MAX_DAYS} days"));
            }
        }
        v.finish()?;
        Ok(Self { from_ms, to_ms })
    }
}

/// The deflection share over a window (see the module docs for how it is computed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deflection {
    /// Start, inclusive (Unix ms).
    pub from_ms: i64,
    /// End, exclusive (Unix ms).
    pub to_ms: i64,
    /// Help sessions opened: problems the knowledge base was offered for.
    pub suggested: i64,
    /// Of them, solved by an article with no ticket.
    pub solved_without_ticket: i64,
    /// Of them, ended in a ticket.
    pub tickets_opened: i64,
    /// Of them, closed with neither.
    pub abandoned: i64,
    /// Of them, still open.
    pub still_open: i64,
    /// `solved × 10 000 / (solved + tickets)`.
    pub share_solved_bps: i64,
    /// "Solved" presses in the window (in a session or not).
    pub feedback_solved: i64,
    /// "Not solved" presses in the window.
    pub feedback_not_solved: i64,
    /// Tickets opened in the window from the till or the console with no help session before
    /// them: problems the knowledge base was never offered for.
    pub tickets_without_help: i64,
    /// Every problem raised: `suggested + tickets_without_help`.
    pub problems_raised: i64,
    /// `solved_without_ticket × 10 000 / problems_raised`: the share of every problem raised
    /// that an article solved without a ticket.
    pub share_of_problems_bps: i64,
}

impl App {
    /// Opens a help session for the caller's problem.
    pub async fn open_help_session(&self, caller: &Caller, open: OpenHelpSession) -> AppResult<HelpSessionRow> {
        caller.require(&ARTICLE_READERS)?;
        let location_id = open.location_id.or_else(|| caller.location_id.clone());
        let merchant_id = match &location_id {
            Some(id) => {
                let location = self.store.get_location(id).await?.ok_or(AppError::NotFound("location"))?;
                caller.check_location(&location.merchant_id, &location.id)?;
                Some(location.merchant_id)
            }
            None => caller.merchant_id.clone(),
        };
        let session = HelpSessionRow {
            id: new_id("hlp"),
            opened_by: caller.id.clone(),
            merchant_id,
            location_id,
            opened_ms: self.now_ms(),
            query: open.query,
            outcome: None,
            article_id: None,
            ticket_id: None,
            closed_ms: None,
        };
        self.store.insert_help_session(&session).await?;
        Ok(session)
    }

    /// Ends a help session in a ticket or with nothing; ending it twice the same way changes
    /// nothing, a move [`HelpOutcome::may_follow`] refuses is a conflict.
    pub async fn end_help_session(&self, caller: &Caller, id: &str, end: EndHelpSession) -> AppResult<HelpSessionRow> {
        caller.require(&ARTICLE_READERS)?;
        let session = self.visible_help_session(caller, id).await?;
        if session.outcome == Some(end.outcome) {
            return Ok(session);
        }
        let change = session_end(&session, end.outcome, None, end.ticket_id, self.now_ms())?;
        self.store.end_help_session(&change).await.map_err(stale_session)?;
        self.store.get_help_session(id).await?.ok_or(AppError::NotFound("help session"))
    }

    /// Records whether a published article solved the caller's problem; "solved" in a help
    /// session also ends the session as solved (unless a ticket was already sent, which is a
    /// conflict, or it was already solved, which records the press and changes nothing).
    pub async fn article_feedback(
        &self,
        caller: &Caller,
        article_id: &str,
        feedback: ArticleFeedback,
    ) -> AppResult<ArticleFeedbackRow> {
        let article = self.article(caller, article_id).await?;
        if !article.article.published {
            return Err(AppError::NotFound("article"));
        }
        let now_ms = self.now_ms();
        let session_end = match (&feedback.help_session_id, feedback.solved) {
            (Some(session_id), true) => {
                let session = self.visible_help_session(caller, session_id).await?;
                if session.outcome == Some(HelpOutcome::Solved) {
                    None
                } else {
                    Some(session_end(&session, HelpOutcome::Solved, Some(article_id.to_owned()), None, now_ms)?)
                }
            }
            (Some(session_id), false) => {
                self.visible_help_session(caller, session_id).await?;
                None
            }
            (None, _) => None,
        };
        let row = ArticleFeedbackRow {
            id: new_id("afb"),
            article_id: article_id.to_owned(),
            help_session_id: feedback.help_session_id,
            solved: feedback.solved,
            query: feedback.query,
            user_id: caller.id.clone(),
            merchant_id: caller.merchant_id.clone(),
            at_ms: now_ms,
        };
        self.store.record_article_feedback(&row, session_end.as_ref()).await.map_err(stale_session)?;
        Ok(row)
    }

    /// The deflection share over a window: the desk's over every merchant, a manager's over
    /// its own.
    pub async fn deflection(&self, caller: &Caller, window: DeflectionWindow) -> AppResult<Deflection> {
        caller.require(&DEFLECTION_READERS)?;
        let merchant_id = match caller.role {
            Role::Admin | Role::SupportAgent => None,
            _ => Some(caller.merchant_id.clone().ok_or(AppError::Forbidden)?),
        };
        let to_ms = window.to_ms.unwrap_or_else(|| self.now_ms());
        let from_ms = window.from_ms.unwrap_or(to_ms - DEFLECTION_DEFAULT_DAYS * DAY_MS);
        if from_ms >= to_ms {
            let mut v = Validator::new();
            v.push("from", "must be before to");
            v.finish()?;
        }
        let counts = self.store.deflection_counts(merchant_id.as_deref(), from_ms, to_ms).await?;
        let raised = self.store.support_problem_counts(from_ms, to_ms, merchant_id.as_deref(), None).await?;
        let problems = ProblemCounts {
            help_sessions: counts.sessions,
            solved_by_article: counts.solved,
            tickets_without_help: raised.tickets_without_help,
        };
        Ok(Deflection {
            from_ms,
            to_ms,
            suggested: counts.sessions,
            solved_without_ticket: counts.solved,
            tickets_opened: counts.tickets,
            abandoned: counts.abandoned,
            still_open: counts.sessions - counts.solved - counts.tickets - counts.abandoned,
            share_solved_bps: share_solved_bps(counts.solved, counts.tickets),
            feedback_solved: counts.feedback_solved,
            feedback_not_solved: counts.feedback_not_solved,
            tickets_without_help: problems.tickets_without_help,
            problems_raised: problems.problems_raised(),
            share_of_problems_bps: problems.solved_share_bps(),
        })
    }

    /// A help session the caller may act on: the desk's any, a store's its merchant's.
    async fn visible_help_session(&self, caller: &Caller, id: &str) -> AppResult<HelpSessionRow> {
        let session = self.store.get_help_session(id).await?.ok_or(AppError::NotFound("help session"))?;
        let visible = ARTICLE_AUTHORS.contains(&caller.role)
            || session.opened_by == caller.id
            || (session.merchant_id.is_some() && session.merchant_id == caller.merchant_id);
        if visible { Ok(session) } else { Err(AppError::NotFound("help session")) }
    }
}

/// The store's end of `session` as `outcome`, if the move is allowed.
fn session_end(
    session: &HelpSessionRow,
    outcome: HelpOutcome,
    article_id: Option<String>,
    ticket_id: Option<String>,
    now_ms: i64,
) -> AppResult<HelpSessionEnd> {
    if !HelpOutcome::may_follow(session.outcome, outcome) {
        let current = session.outcome.map_or("open", HelpOutcome::as_str);
        return Err(AppError::Conflict(format!("the help session already ended as {current}")));
    }
    Ok(HelpSessionEnd {
        id: session.id.clone(),
        expected: session.outcome,
        outcome,
        article_id,
        ticket_id,
        closed_ms: now_ms,
    })
}

fn stale_session(error: StoreError) -> AppError {
    match error {
        StoreError::StaleState => AppError::Conflict("the help session changed meanwhile; reload and retry".into()),
        other => other.into(),
    }
}
