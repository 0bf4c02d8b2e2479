//! Background workers: each keeps time and calls use cases.

pub mod dispatcher;
pub mod holds;
pub mod notifications;
pub mod payments;
pub mod webhooks;
