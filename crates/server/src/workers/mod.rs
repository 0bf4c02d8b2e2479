//! Background workers run beside the API: the outbox dispatcher and webhook delivery.

pub mod dispatcher;
pub mod holds;
pub mod notifications;
pub mod webhooks;
