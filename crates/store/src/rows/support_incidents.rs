//! Rows of the support desk's incidents (issue 18 point 5): telemetry counted per minute, when
//! each till was last heard from, and the incidents themselves.

use omnicanal_domain::support::incidents::{IncidentCause, IncidentStatus, TelemetryKind};

/// Events of one kind and code from one till in one minute, to add to the stored count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryCountRow {
    /// The till's store.
    pub location_id: String,
    /// The store's merchant.
    pub merchant_id: String,
    /// What the events report.
    pub kind: TelemetryKind,
    /// Their code (`""` when none).
    pub code: String,
    /// The till.
    pub device_id: String,
    /// The minute they happened in (Unix ms, a whole minute).
    pub minute_ms: i64,
    /// How many.
    pub events: i64,
}

/// One till's telemetry batch as the store writes it: the counts (already one per key) and
/// the moment the server heard from the till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryBatchRow {
    /// The till.
    pub device_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Its store.
    pub location_id: String,
    /// When the server received the batch (its own clock).
    pub heard_at_ms: i64,
    /// The counts to add.
    pub counts: Vec<TelemetryCountRow>,
}

/// Events of one kind and code from one till over a window (summed over its minutes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryWindowRow {
    /// The store.
    pub location_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// What the events report.
    pub kind: TelemetryKind,
    /// Their code (`""` when none).
    pub code: String,
    /// The till.
    pub device_id: String,
    /// How many in the window.
    pub events: i64,
}

/// When the server last heard from a till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSeenRow {
    /// The till.
    pub device_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Its store.
    pub location_id: String,
    /// The last batch's arrival (server clock).
    pub last_seen_ms: i64,
}

/// An incident at a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportIncidentRow {
    /// Opaque id.
    pub id: String,
    /// The store's merchant.
    pub merchant_id: String,
    /// The store.
    pub location_id: String,
    /// Why it was opened.
    pub cause: IncidentCause,
    /// Open or closed.
    pub status: IncidentStatus,
    /// When it was opened.
    pub opened_at_ms: i64,
    /// The last time its rule passed.
    pub last_firing_at_ms: i64,
    /// When it closed.
    pub closed_at_ms: Option<i64>,
    /// The evidence (the domain's `Evidence` as JSON), refreshed while open.
    pub evidence_json: String,
}

/// Which incidents a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupportIncidentFilter {
    /// Only this store's.
    pub location_id: Option<String>,
    /// Only open or only closed ones.
    pub status: Option<IncidentStatus>,
    /// Only those of this cause.
    pub cause: Option<IncidentCause>,
}
