//! Identifiers and secrets come from the use-case layer ([`omnicanal_app::ids`]); this module
//! only adds the machine's clock for the server code that does not take the app's [`Clock`]
//! yet (every decision reads [`omnicanal_app::App::now_ms`]).
//!
//! [`Clock`]: omnicanal_app::Clock

pub use omnicanal_app::ids::*;

/// Milliseconds since the Unix epoch, by the machine's clock.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
