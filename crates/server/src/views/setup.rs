//! Sites, merchants and locations as the API shows them, and a location's ordering state.

use omnicanal_app::ids::rfc3339;
use omnicanal_domain::Currency;
use omnicanal_domain::catalog::{Country, MerchantKind};
use omnicanal_domain::site::UnacceptedPolicy;
use omnicanal_store::{LocationRow, MerchantRow, SiteRow};
use serde::Serialize;
use utoipa::ToSchema;

/// A mall or shopping centre.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteView {
    /// Opaque id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// CL, PE or CO.
    #[schema(value_type = String, example = "CL")]
    pub country: Country,
    /// Currency code.
    #[schema(value_type = String, example = "CLP")]
    pub currency: Currency,
    /// IANA time zone.
    pub timezone: String,
    /// A part not accepted within this many minutes is dealt with by `unaccepted_policy` (null: no limit).
    pub accept_within_minutes: Option<i64>,
    /// `cancel_and_refund` (a part not accepted in time is cancelled and refunded) or
    /// `notify_only` (it stays, and the customer is told at once that it is still not accepted).
    #[schema(value_type = String, example = "cancel_and_refund")]
    pub unaccepted_policy: UnacceptedPolicy,
    /// Creation time.
    pub created_at: String,
}

impl From<SiteRow> for SiteView {
    fn from(row: SiteRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            country: row.country,
            currency: row.currency,
            timezone: row.timezone,
            accept_within_minutes: row.accept_within_minutes,
            unaccepted_policy: row.unaccepted_policy,
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// A restaurant or shop business.
#[derive(Debug, Serialize, ToSchema)]
pub struct MerchantView {
    /// Opaque id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `restaurant` or `retail`.
    #[schema(value_type = String, example = "restaurant")]
    pub kind: MerchantKind,
    /// Platform commission in basis points.
    pub commission_bps: i64,
    /// Tax id printed on its tax documents (RUT, RUC, NIT).
    pub tax_id: Option<String>,
    /// Creation time.
    pub created_at: String,
}

impl From<MerchantRow> for MerchantView {
    fn from(row: MerchantRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            kind: row.kind,
            commission_bps: row.commission_bps,
            tax_id: row.tax_id,
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// A merchant's counter or store at a site.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationView {
    /// Opaque id.
    pub id: String,
    /// Owner.
    pub merchant_id: String,
    /// Site.
    pub site_id: String,
    /// Display name.
    pub name: String,
    /// Whether customers may pay at pickup.
    pub pay_at_pickup: bool,
    /// The on/off switch (see also `paused_until` and `opening_hours`).
    pub is_open: bool,
    /// Usual preparation time in minutes, shown to customers.
    pub prep_minutes: i64,
    /// Paused ("too busy") until then.
    pub paused_until: Option<String>,
    /// Weekly hours: ISO weekday "1"–"7" → [["HH:MM","HH:MM"], …]; null: always open.
    #[schema(value_type = Option<Object>)]
    pub opening_hours: Option<serde_json::Value>,
    /// Where the counter is.
    pub counter: Option<String>,
    /// Most orders per 15-minute pickup slot (null: no limit).
    pub slot_capacity: Option<i64>,
    /// Creation time.
    pub created_at: String,
}

impl From<LocationRow> for LocationView {
    fn from(row: LocationRow) -> Self {
        Self {
            id: row.id,
            merchant_id: row.merchant_id,
            site_id: row.site_id,
            name: row.name,
            pay_at_pickup: row.pay_at_pickup,
            is_open: row.is_open,
            prep_minutes: row.storefront.prep_minutes,
            paused_until: row.storefront.paused_until_ms.map(rfc3339),
            opening_hours: row.storefront.opening_hours_json.as_deref().and_then(|j| serde_json::from_str(j).ok()),
            counter: row.storefront.counter,
            slot_capacity: row.storefront.slot_capacity,
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// A location's state for customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
#[schema(as = LocationState)]
pub enum LocationStateView {
    /// Taking orders.
    Open,
    /// Paused by its staff ("too busy") until `until` (RFC 3339).
    Paused {
        /// When orders resume.
        until: String,
    },
    /// Outside its opening hours, or switched off; `opens_at` is the next opening ("Lun 11:00"-style, local `HH:MM` with weekday).
    Closed {
        /// Next opening as ISO weekday and local `HH:MM`, when known.
        opens_at: Option<String>,
    },
}

impl From<omnicanal_app::catalog::LocationState> for LocationStateView {
    fn from(state: omnicanal_app::catalog::LocationState) -> Self {
        use omnicanal_app::catalog::LocationState;
        match state {
            LocationState::Open => Self::Open,
            LocationState::Paused { until } => Self::Paused { until },
            LocationState::Closed { opens_at } => Self::Closed { opens_at },
        }
    }
}

impl LocationStateView {
    /// True when orders are taken now.
    pub fn is_open(&self) -> bool {
        matches!(self, Self::Open)
    }
}
