//! Customer notifications: which notices are due to whom, and what is stored to send them.
//!
//! A customer's browser subscribes on the order page ([`subscriptions`]); committed events and
//! the clock make notices due ([`sends`]): a part `ready`, `rejected` or `cancelled`, a pickup
//! reminder, a "still not accepted" notice. Every send is claimed first, so with several
//! nodes one of them sends it. The server's VAPID key pair is kept in the settings ([`vapid`]).
//! Encrypting, signing and POSTing are the server's adapters: this module decides and stores.

pub mod language;
pub mod sends;
pub mod subscriptions;
pub mod vapid;

pub use language::Language;
pub use omnicanal_store::{pickup_reminder_key, unaccepted_notice_key};
pub use sends::{NotificationKind, NotificationPlan};
pub use subscriptions::{NewPushSubscription, PushSubscriptionInput, PushSubscriptionRules};
