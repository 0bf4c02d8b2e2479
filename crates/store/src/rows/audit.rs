//! The audit log's rows (issue 15 point 3): one per change made in the back office.

use omnicanal_domain::access::Role;
use omnicanal_domain::audit::{AuditAction, AuditEntity};

/// One recorded change: who, when, to what, and the thing before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntryRow {
    /// Opaque id (`aud_…`).
    pub id: String,
    /// When the change was made (Unix ms).
    pub at_ms: i64,
    /// Who made it.
    pub actor_id: String,
    /// Their e-mail at the time (kept even if the account changes later).
    pub actor_email: String,
    /// Their role at the time.
    pub actor_role: Role,
    /// The merchant the thing belongs to; `None` for the platform's own (sites, merchants,
    /// platform users), which only admins see.
    pub merchant_id: Option<String>,
    /// The kind of thing changed.
    pub entity: AuditEntity,
    /// Its id (for stock, `location_id/sku`).
    pub entity_id: String,
    /// What was done.
    pub action: AuditAction,
    /// The thing before, as JSON text with secrets redacted; `None` for a creation.
    pub before_json: Option<String>,
    /// The thing after, as JSON text with secrets redacted; `None` for a deletion.
    pub after_json: Option<String>,
}

/// Which entries to list; every field narrows, `None` or empty leaves it open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this merchant's entries (a manager's view, or an admin's filter).
    pub merchant_id: Option<String>,
    /// Only changes to this kind of thing.
    pub entity: Option<AuditEntity>,
    /// Only changes to the thing with this id.
    pub entity_id: Option<String>,
    /// Only changes by this user (its id or its e-mail, any case).
    pub actor: Option<String>,
    /// Text anywhere in the e-mail, the id or the snapshots (any case); empty for all.
    pub text: String,
    /// Only changes at or after this time (Unix ms).
    pub from_ms: Option<i64>,
    /// Only changes before this time (Unix ms).
    pub to_ms: Option<i64>,
}
