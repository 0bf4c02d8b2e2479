//! Background workers: each keeps time and calls use cases.

// Shop connections: pushes, polls, orders in (issue 16).
pub mod connections;
pub mod dispatcher;
pub mod holds;
pub mod notifications;
pub mod payments;
/// Releasing ready orders not collected in time (issue 17 point 4).
pub mod pickup_expiry;
pub mod webhooks;
