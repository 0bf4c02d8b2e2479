//! What availability reads beyond resources and bookings (issue 19 points 1 and 2), as
//! stored: a resource's zone, combinable group and working week; exception days; who performs
//! a service; where a location is. Values stay in their stored form (JSON text, micro-degrees)
//! and are parsed into domain types by the use cases, which own the rules.

/// A resource's details: its zone and combinable group (tables) and its working week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingResourceDetailsRow {
    /// The resource.
    pub resource_id: String,
    /// The room or area it is in (a table's "terraza").
    pub zone: Option<String>,
    /// Tables with the same group may be joined for a larger party.
    pub combine_group: Option<String>,
    /// The working week as `WorkingWeek::to_json` writes it; `None`: whenever the location is open.
    pub working_hours_json: Option<String>,
    /// Last set at (Unix ms).
    pub updated_ms: i64,
}

/// An exception day of a location (`resource_id` None) or of one of its resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingExceptionRow {
    /// Id (`bex_…`).
    pub id: String,
    /// The location.
    pub location_id: String,
    /// The resource, or `None` for the whole location.
    pub resource_id: Option<String>,
    /// The local date, `YYYY-MM-DD`.
    pub day: String,
    /// `holiday`, `location_hours`, `day_off` or `special_hours`.
    pub kind: String,
    /// The hours as JSON `[["HH:MM", "HH:MM"], …]`, for `location_hours` and `special_hours`.
    pub hours_json: Option<String>,
    /// Created at (Unix ms).
    pub created_ms: i64,
}

/// Where a location is, for "nearest to me".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationPlaceRow {
    /// The location.
    pub location_id: String,
    /// Latitude in millionths of a degree.
    pub latitude_e6: i64,
    /// Longitude in millionths of a degree.
    pub longitude_e6: i64,
    /// The comuna or district, as the manager wrote it.
    pub comuna: Option<String>,
    /// Last set at (Unix ms).
    pub updated_ms: i64,
}
