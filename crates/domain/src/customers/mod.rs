//! Customer accounts (issue 17 point 3): who a customer is (a normalised e-mail and phone),
//! the rules of a sign-in link, and which purchases are "theirs".
//!
//! Accounts are optional for every purchase: orders and till sales keep carrying the customer's
//! e-mail and phone as typed. An account gathers them afterwards by matching its *verified*
//! identifiers against those, so the rules of normalising and matching live here, once, and the
//! store's query and the use cases follow them.

pub mod identity;
pub mod link;
pub mod matching;

pub use identity::{CustomerEmail, CustomerPhone, Identifier, IdentifierKind, calling_code};
pub use link::{LINK_TTL_MS, LinkRefusal, LinkState, SESSION_TTL_MS};
pub use matching::{PhoneForms, purchase_is_theirs};
