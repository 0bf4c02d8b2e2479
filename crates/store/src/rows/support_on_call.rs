//! The desk's on-call rota, its agents' push subscriptions and its alert deliveries, as stored
//! (issue 18 point 3). The app decides who may write them and who is alerted; the domain
//! (`omnicanal_domain::support::on_call`) who is on call at an instant and when to retry.

/// One shift of the rota: an agent on call from `starts_at_ms` (included) to `ends_at_ms`
/// (excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnCallShiftRow {
    /// Id (`onc_…`).
    pub id: String,
    /// The agent (a support agent or an admin).
    pub user_id: String,
    /// The agent's e-mail (read joined; ignored when inserting).
    pub user_email: String,
    /// Start (Unix ms).
    pub starts_at_ms: i64,
    /// End (Unix ms, excluded).
    pub ends_at_ms: i64,
    /// Who set it (an admin, or the agent who took the watch).
    pub created_by: String,
    /// Set at (Unix ms).
    pub created_at_ms: i64,
}

/// An agent's browser subscribed to the desk's alerts (Web Push).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportPushSubscriptionRow {
    /// Id (`spb_…`).
    pub id: String,
    /// The agent.
    pub user_id: String,
    /// The push service URL.
    pub endpoint: String,
    /// The browser's P-256 public key (base64url without padding).
    pub p256dh: String,
    /// The browser's auth secret (base64url without padding).
    pub auth: String,
    /// `es` or `en`: the language of the alerts' texts.
    pub language: String,
    /// Registered at (Unix ms).
    pub created_at_ms: i64,
}

/// Where an alert delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupportAlertJobState {
    /// To be attempted at `next_at_ms`.
    Pending,
    /// Delivered: final.
    Sent,
    /// Given up: final.
    Failed,
}

impl SupportAlertJobState {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            SupportAlertJobState::Pending => "pending",
            SupportAlertJobState::Sent => "sent",
            SupportAlertJobState::Failed => "failed",
        }
    }

    /// Parses the stored word.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(SupportAlertJobState::Pending),
            "sent" => Some(SupportAlertJobState::Sent),
            "failed" => Some(SupportAlertJobState::Failed),
            _ => None,
        }
    }
}

/// One delivery of one alert to one target (`gateway` or `push:<user id>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportAlertJobRow {
    /// The outbox event alerted about.
    pub event_id: String,
    /// `gateway` or `push:<user id>`.
    pub target: String,
    /// What to send (the sender's own JSON).
    pub payload_json: String,
    /// Where it stands.
    pub state: SupportAlertJobState,
    /// Attempts made (or taken) so far.
    pub attempts: u32,
    /// When it is next due (Unix ms); while an attempt runs, when its lease lapses.
    pub next_at_ms: i64,
    /// The last failure, for the logs and the operator.
    pub last_error: Option<String>,
    /// Enqueued at (Unix ms).
    pub created_at_ms: i64,
}
