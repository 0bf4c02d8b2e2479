//! The knowledge base's use cases (issue 18 point 4): agents write articles in Spanish and
//! English; anyone signed in at a store searches the published ones as they type a problem and
//! reads them; the till's help dialog records how each problem ended, so the share solved by
//! an article without a ticket can be measured.
//!
//! - [`articles`]: writing, publishing, listing, reading and searching articles.
//! - [`help`]: help sessions, "esto lo resolvió" feedback and the deflection share.
//!
//! **Who.** Articles are the platform's (the support desk serves every merchant), so they
//! carry no merchant: admins and support agents write them and see drafts; managers and staff
//! read and search what is published, and a draft is `NotFound` to them. A help session and
//! feedback belong to the merchant of whoever opened them; another merchant's session is
//! `NotFound`.

pub mod articles;
pub mod help;

#[cfg(test)]
mod tests;

use omnicanal_domain::access::Role;

/// Who writes, publishes and lists articles (drafts included).
pub const ARTICLE_AUTHORS: [Role; 2] = [Role::Admin, Role::SupportAgent];
/// Who searches and reads published articles, and opens help sessions.
pub const ARTICLE_READERS: [Role; 4] = [Role::Admin, Role::SupportAgent, Role::MerchantManager, Role::Staff];
/// Who reads the deflection share: the desk for everyone, a manager for its merchant.
pub const DEFLECTION_READERS: [Role; 3] = [Role::Admin, Role::SupportAgent, Role::MerchantManager];
