//! Bookings (issue 19), as stored: a location's bookable resources, a merchant's services,
//! the bookings themselves and what inserting one can answer. The grid cells a booking claims
//! are not a row type: they exist only to make the database refuse a second claim.

use omnicanal_domain::Money;
use omnicanal_domain::bookings::booking::BookingStatus;
use omnicanal_domain::bookings::resources::ResourceKind;

/// A table, staff member or room of a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingResourceRow {
    /// Id (`res_…`).
    pub id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// The location it belongs to.
    pub location_id: String,
    /// Table, staff or room.
    pub kind: ResourceKind,
    /// What staff and customers call it.
    pub name: String,
    /// Fewest people a table is given to (tables only).
    pub seats_min: Option<i64>,
    /// Most people a table seats (tables only).
    pub seats_max: Option<i64>,
    /// Created at (Unix ms).
    pub created_ms: i64,
}

/// A service a merchant books on staff or rooms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingServiceRow {
    /// Id (`svc_…`).
    pub id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Its name.
    pub name: String,
    /// How long it takes.
    pub duration_minutes: i64,
    /// Kept free after it.
    pub buffer_minutes: i64,
    /// What it costs, when shown.
    pub price: Option<Money>,
    /// Created at (Unix ms).
    pub created_ms: i64,
    /// Held before it (preparation), in minutes; its cells are claimed with the booking's.
    pub buffer_before_minutes: i64,
}

/// A booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRow {
    /// Id (`bkg_…`).
    pub id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// The location.
    pub location_id: String,
    /// The resource booked.
    pub resource_id: String,
    /// The service, for appointments.
    pub service_id: Option<String>,
    /// The party size, for tables.
    pub party_size: Option<i64>,
    /// Start (Unix ms, on the grid).
    pub start_ms: i64,
    /// End of the booking itself (Unix ms).
    pub end_ms: i64,
    /// End plus the buffer: the resource is held until then (Unix ms).
    pub blocked_until_ms: i64,
    /// Confirmed or cancelled.
    pub status: BookingStatus,
    /// The customer's name.
    pub customer_name: String,
    /// The customer's phone.
    pub customer_phone: Option<String>,
    /// The customer's e-mail.
    pub customer_email: Option<String>,
    /// SHA-256 (hex) of the manage token; the token itself is shown once.
    pub manage_token_hash: String,
    /// Booked at (Unix ms).
    pub created_ms: i64,
    /// Cancelled at (Unix ms).
    pub cancelled_ms: Option<i64>,
}

/// What inserting a booking answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingInsert {
    /// Stored with its claims and its event.
    Booked,
    /// A cell it needs is claimed by another booking: nothing was stored.
    Taken,
}

/// A location's booking rules as its manager set them (a location without a row has the
/// domain's defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingSettingsRow {
    /// The location.
    pub location_id: String,
    /// The rules.
    pub settings: omnicanal_domain::bookings::settings::BookingSettings,
    /// Last set at (Unix ms).
    pub updated_ms: i64,
}
