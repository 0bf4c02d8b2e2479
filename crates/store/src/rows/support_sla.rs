//! SLA policy rules and special days of the support desk (issue 18 point 3), as stored.

use omnicanal_domain::support::{TicketCategory, TicketPriority};

/// One SLA rule of a scope: the platform's (`merchant_id` None) or a merchant's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaRuleRow {
    /// The merchant whose rule it is; None: the platform's.
    pub merchant_id: Option<String>,
    /// The priority it applies to.
    pub priority: TicketPriority,
    /// The category it applies to; None: any.
    pub category: Option<TicketCategory>,
    /// Business minutes to the first response.
    pub first_response_minutes: i64,
    /// Business minutes to the resolution.
    pub resolution_minutes: i64,
    /// On a special day with tighter targets; None: `first_response_minutes`.
    pub special_first_response_minutes: Option<i64>,
    /// On a special day with tighter targets; None: `resolution_minutes`.
    pub special_resolution_minutes: Option<i64>,
    /// When it was last written.
    pub updated_at_ms: i64,
    /// Who wrote it.
    pub updated_by: Option<String>,
}

/// A special day: other hours, tighter targets, or both, for one local date and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialDayRow {
    /// Opaque id.
    pub id: String,
    /// Only this merchant's locations; None: every merchant's.
    pub merchant_id: Option<String>,
    /// Only locations at this site; None: every site.
    pub site_id: Option<String>,
    /// The local date, `YYYY-MM-DD`.
    pub date: String,
    /// What it is ("Black Friday").
    pub name: String,
    /// The day's hours as one day's ranges JSON; None: the usual hours.
    pub hours_json: Option<String>,
    /// Whether tighter SLA targets apply to tickets opened that day.
    pub tighter_targets: bool,
    /// When it was created.
    pub created_at_ms: i64,
    /// Who created it.
    pub created_by: Option<String>,
}

/// Which special days a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecialDayFilter {
    /// Only this merchant's own (None: any scope).
    pub merchant_id: Option<String>,
    /// Only this site's own (None: any scope).
    pub site_id: Option<String>,
    /// From this date on, inclusive (`YYYY-MM-DD`).
    pub from_date: Option<String>,
    /// Up to this date, inclusive.
    pub to_date: Option<String>,
}

/// A ticket as the SLA watcher reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaWatchRow {
    /// The ticket.
    pub id: String,
    /// Its number.
    pub number: i64,
    /// The store's merchant.
    pub merchant_id: String,
    /// The store.
    pub location_id: String,
    /// When it was opened.
    pub created_ms: i64,
    /// First response due.
    pub first_response_due_ms: i64,
    /// Resolution due.
    pub resolution_due_ms: i64,
    /// When the desk first answered, if it has.
    pub first_responded_ms: Option<i64>,
    /// The closed pauses, `[[from, to], …]` JSON.
    pub pauses_json: String,
    /// Flags already claimed: first-response warned, breached; resolution warned, breached.
    pub claimed: [bool; 4],
}

/// One once-only alert of a ticket: its column among the four 0/1 flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaAlertFlag {
    /// `first_response_warned`.
    FirstResponseWarned,
    /// `first_response_breached`.
    FirstResponseBreached,
    /// `resolution_warned`.
    ResolutionWarned,
    /// `resolution_breached`.
    ResolutionBreached,
}

impl SlaAlertFlag {
    /// The column it claims (a fixed name, never from input).
    pub fn column(self) -> &'static str {
        match self {
            SlaAlertFlag::FirstResponseWarned => "first_response_warned",
            SlaAlertFlag::FirstResponseBreached => "first_response_breached",
            SlaAlertFlag::ResolutionWarned => "resolution_warned",
            SlaAlertFlag::ResolutionBreached => "resolution_breached",
        }
    }
}
