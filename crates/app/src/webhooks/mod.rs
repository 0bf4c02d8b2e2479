//! Webhooks: the endpoints merchants and operators register, the fan-out of committed events
//! into deliveries, each attempt signed per Standard Webhooks, retried with backoff, and its log.
//!
//! [`endpoints`] is the administration (who registers what, who sees which log); [`delivery`]
//! decides everything about an attempt — which endpoints an event concerns, what body a
//! merchant's endpoint may see, the signature, when to retry, when to give up and when to
//! switch an endpoint off — leaving the server's worker only the HTTP call and the timing.

pub mod delivery;
pub mod endpoints;

pub use delivery::{DueDelivery, PostFailure, WebhookPost, WebhookSender};
pub use endpoints::NewWebhook;

#[cfg(test)]
pub(crate) mod test_store;
#[cfg(test)]
mod tests;
