//! Users as the console manages them (with their state), and invitations by link (issue 15 point 1).

use super::UserRow;

/// Where a user stands: signed in with a password, invited (no password yet), or deactivated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedUserRow {
    /// The user.
    pub user: UserRow,
    /// When the user was deactivated; `None` while active.
    pub deactivated_at_ms: Option<i64>,
    /// True while an invitation is open (not accepted) — the user has no password yet.
    pub invited: bool,
}

/// An invitation: its token is stored only as its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRow {
    /// Hex SHA-256 of the link's token.
    pub token_hash: String,
    /// The invited user (created with no usable password).
    pub user_id: String,
    /// Who invited.
    pub invited_by: String,
    /// When.
    pub created_at_ms: i64,
    /// The link stops working at this time.
    pub expires_at_ms: i64,
    /// When the first password was set; the link works once.
    pub accepted_at_ms: Option<i64>,
}

/// A search of users: by e-mail fragment, within one merchant or all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserSearch {
    /// Only this merchant's users (a manager's view); `None` for every user.
    pub merchant_id: Option<String>,
    /// Lower-case fragment of the e-mail; empty for all.
    pub email_contains: String,
    /// The order of the list.
    pub order: UserOrder,
}

/// The order of a users list: by e-mail (the default) either way round, by role, or newest
/// first. Ties fall back to the e-mail, which is unique, so pages never overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserOrder {
    /// E-mail, A to Z.
    #[default]
    Email,
    /// E-mail, Z to A.
    EmailDescending,
    /// Role, then e-mail.
    Role,
    /// Newest first.
    Newest,
}

impl UserOrder {
    /// Every order, for the page's choice.
    pub const ALL: [UserOrder; 4] = [Self::Email, Self::EmailDescending, Self::Role, Self::Newest];

    /// `email`, `-email`, `role` or `-created`, as a page's `?sort=` says it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::EmailDescending => "-email",
            Self::Role => "role",
            Self::Newest => "-created",
        }
    }

    /// The order `?sort=` names; `None` for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|order| order.as_str() == raw)
    }

    /// The SQL `ORDER BY` list: a fixed text per variant, never the caller's.
    pub(crate) fn order_by(self) -> &'static str {
        match self {
            Self::Email => "u.email",
            Self::EmailDescending => "u.email DESC",
            Self::Role => "u.role, u.email",
            Self::Newest => "u.created_at_ms DESC, u.email",
        }
    }
}
