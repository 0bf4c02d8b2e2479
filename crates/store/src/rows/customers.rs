//! Rows of customer accounts (issue 17 point 3): the account, its identifiers, sign-in links and
//! sessions (hashes of tokens only), claims, and what the history query asks and answers.

use omnicanal_domain::customers::IdentifierKind;

/// A customer's account (one per person across the platform).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerAccountRow {
    /// Id (`cus_…`).
    pub id: String,
    /// The name the customer gave, if any.
    pub name: Option<String>,
    /// argon2id of the password, once a sign-in link confirmed it.
    pub password_hash: Option<String>,
    /// When it was made.
    pub created_at_ms: i64,
}

/// One e-mail or phone of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerIdentifierRow {
    /// The account.
    pub account_id: String,
    /// E-mail or phone.
    pub kind: IdentifierKind,
    /// The normalised value.
    pub value: String,
    /// When a sign-in link sent to it was used (only then does it count for the history).
    pub verified_at_ms: Option<i64>,
    /// When it was added.
    pub created_at_ms: i64,
}

/// A sign-in link (the token itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSignInLinkRow {
    /// SHA-256 of the token.
    pub token_hash: String,
    /// The account it signs into.
    pub account_id: String,
    /// Where it was sent.
    pub kind: IdentifierKind,
    /// The normalised e-mail or phone it was sent to (verified when it is used).
    pub value: String,
    /// A password chosen at registration, set when the link is used.
    pub password_hash: Option<String>,
    /// When it was made.
    pub created_at_ms: i64,
    /// When it stops working.
    pub expires_at_ms: i64,
    /// When it was used.
    pub used_at_ms: Option<i64>,
}

/// A customer's session (a hash of its token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSessionRow {
    /// SHA-256 of the token.
    pub token_hash: String,
    /// The account.
    pub account_id: String,
    /// When it began.
    pub created_at_ms: i64,
    /// When it ends.
    pub expires_at_ms: i64,
}

/// A phone's stored forms for the history query (see `omnicanal_domain::customers::PhoneForms`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PurchasePhone {
    /// Forms that match at any site.
    pub international: Vec<String>,
    /// Forms that match only at a site of `country`.
    pub national: Vec<String>,
    /// The phone's country code (ISO alpha-2), for the national forms.
    pub country: Option<String>,
}

/// Whose purchases the history lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PurchaseQuery {
    /// The account (its claimed orders join).
    pub account_id: String,
    /// Its verified e-mails, normalised.
    pub emails: Vec<String>,
    /// Its verified phones' forms.
    pub phones: Vec<PurchasePhone>,
    /// Only purchases from this merchant, when given.
    pub merchant_id: Option<String>,
}

/// Which kind of purchase a history entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurchaseKind {
    /// An order (web, QR, phone, kiosk, tablet, a shop's).
    Order,
    /// A till sale.
    Sale,
}

/// One entry of the history, newest first; its details are read by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseRefRow {
    /// Order or sale.
    pub kind: PurchaseKind,
    /// Its id.
    pub id: String,
    /// When it was made (the order placed, the sale sold).
    pub at_ms: i64,
}
