//! Transitional: whether a location takes orders now is decided in the app
//! ([`omnicanal_app::catalog::storefront`]); this keeps the console's imports working with the
//! API's view of the state until it calls the app itself.

pub use omnicanal_app::catalog::storefront::hours_of;
use omnicanal_store::LocationRow;

pub use crate::views::LocationStateView as LocationState;

/// The location's state at `now_ms`, as the API shows it.
pub fn location_state(location: &LocationRow, timezone: &str, now_ms: i64) -> LocationState {
    omnicanal_app::catalog::storefront::location_state(location, timezone, now_ms).into()
}
