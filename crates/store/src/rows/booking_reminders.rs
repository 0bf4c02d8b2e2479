//! Reminders before a booking (issue 19 point 4), as stored: the browsers subscribed on a
//! booking, the customer's language (and the manage token, once handed over), the claims that
//! make each reminder go out once, and each delivery as a job with its attempts.

/// A browser's push subscription on a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingPushSubscriptionRow {
    /// Id (`bps_…`).
    pub id: String,
    /// The booking it follows.
    pub booking_id: String,
    /// The push service URL.
    pub endpoint: String,
    /// The browser's P-256 public key (base64url).
    pub p256dh: String,
    /// The browser's auth secret (base64url).
    pub auth: String,
    /// `es` or `en`.
    pub language: String,
    /// The path a click opens.
    pub open_path: Option<String>,
    /// First registered at (Unix ms).
    pub created_at_ms: i64,
}

/// The customer's choices for one booking's reminders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingReminderPreferencesRow {
    /// The booking.
    pub booking_id: String,
    /// `es` or `en`.
    pub language: String,
    /// The manage token, kept once the customer handed it to a reminder route, so a reminder
    /// sent by SMS or e-mail can carry the manage link.
    pub manage_token: Option<String>,
    /// Last set at (Unix ms).
    pub updated_at_ms: i64,
}

/// A booking that may have a reminder due: what the worker needs to decide which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderCandidateRow {
    /// The booking.
    pub booking_id: String,
    /// Its location (whose settings name the reminders).
    pub location_id: String,
    /// Its start (Unix ms).
    pub start_ms: i64,
    /// When it was made (Unix ms).
    pub created_ms: i64,
    /// The reminders (minutes before the start) already claimed for it.
    pub claimed_offsets_minutes: Vec<i64>,
}

/// Where a reminder delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderJobState {
    /// Waiting for its (next) attempt.
    Pending,
    /// Delivered: never sent again.
    Sent,
    /// Given up.
    Failed,
}

impl ReminderJobState {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderJobState::Pending => "pending",
            ReminderJobState::Sent => "sent",
            ReminderJobState::Failed => "failed",
        }
    }

    /// Parses the stored word.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(ReminderJobState::Pending),
            "sent" => Some(ReminderJobState::Sent),
            "failed" => Some(ReminderJobState::Failed),
            _ => None,
        }
    }
}

/// One delivery of one reminder to one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingReminderJobRow {
    /// The booking.
    pub booking_id: String,
    /// Which reminder (minutes before the start).
    pub offset_minutes: i64,
    /// `gateway`, `email` or `push:<subscription id>`.
    pub target: String,
    /// What to send (the texts, rendered when the reminder was claimed).
    pub payload_json: String,
    /// Where it stands.
    pub state: ReminderJobState,
    /// Attempts made (or taken) so far.
    pub attempts: u32,
    /// When it is next due (Unix ms); while an attempt runs, when its lease lapses.
    pub next_at_ms: i64,
    /// After this instant (the booking's start) it is not tried any more.
    pub give_up_at_ms: i64,
    /// The last failure, for the logs and the operator.
    pub last_error: Option<String>,
    /// Enqueued at (Unix ms).
    pub created_at_ms: i64,
}
