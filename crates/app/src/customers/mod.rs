//! Customer accounts (issue 17 point 3): registering, signing in by password (throttled like
//! staff sign-ins) or by a single-use e-mail/phone link, signing out, and one history of every
//! order and till sale made with the account's verified e-mail or phone in any channel, plus
//! guest orders claimed by their tracking token.
//!
//! Why an identifier counts only once verified: anyone can type someone else's e-mail when
//! registering; only a used sign-in link proves it is theirs, so only then do its purchases show.
//! A password chosen at registration rides on the link sent to confirm it, for the same reason.
//! Customer sessions live in their own table, so a customer token is unknown to every staff
//! route (401), whatever it is sent to.
//!
//! The link's token is handed to the edge to send (through the notification gateway) and is
//! never logged; asking for a link answers the same whether or not the e-mail has an account.

mod commands;
mod history;
mod sessions;

pub use commands::{ClaimOrder, LinkRequest, PasswordSignIn, RegisterCustomer};
pub use history::{PURCHASES_PER_PAGE, Purchase, PurchaseLine, PurchasePage, PurchaseReturn};
pub use sessions::{CustomerIdentifierView, CustomerProfile, CustomerSession, LinkToSend};
