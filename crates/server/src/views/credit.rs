//! What the API shows of store credit and gift cards (issue 17 point 8): balances with their
//! ledgers, a card just issued (the one answer that carries its code) and a merchant's cards.

use omnicanal_app::credit::{CreditEntry, CreditPolicy, CreditStatement, GiftCardSummary, IssuedGiftCard};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::MoneyView;

/// One change to a balance.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreditEntryView {
    /// The entry.
    pub id: String,
    /// + credit / − spend.
    pub amount: MoneyView,
    /// The balance right after it.
    pub balance_after: MoneyView,
    /// Why.
    pub reason: String,
    /// What caused it: `grant`, `gift_card`, `return`, `pos_sale`, `expiry`, ….
    pub source_kind: String,
    /// Its id within the kind (a sale's id and tender, a return's id, …).
    pub source_id: String,
    /// When (RFC 3339).
    pub at: String,
    /// The user who made it, when a person did.
    pub by_user: Option<String>,
}

impl From<CreditEntry> for CreditEntryView {
    fn from(entry: CreditEntry) -> Self {
        Self {
            id: entry.id,
            amount: entry.amount.into(),
            balance_after: entry.balance_after.into(),
            reason: entry.reason,
            source_kind: entry.source_kind,
            source_id: entry.source_id,
            at: entry.at,
            by_user: entry.by_user,
        }
    }
}

/// A balance with a page of its ledger, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreditStatementView {
    /// The account (for a gift card, the card's id).
    pub id: String,
    /// `customer` or `gift_card`.
    pub holder_kind: String,
    /// The customer's normalised e-mail or phone, or a card's last four characters (`…7QX4`).
    pub holder: String,
    /// What can be spent now (zero once expired).
    pub balance: MoneyView,
    /// When it expires (RFC 3339); absent when it never does.
    pub expires_at: Option<String>,
    /// Whether it has expired.
    pub expired: bool,
    /// The ledger page (empty on a card's public balance).
    pub entries: Vec<CreditEntryView>,
    /// How many entries the whole ledger has.
    pub total_entries: i64,
}

impl From<CreditStatement> for CreditStatementView {
    fn from(statement: CreditStatement) -> Self {
        Self {
            id: statement.id,
            holder_kind: statement.holder_kind,
            holder: statement.holder,
            balance: statement.balance.into(),
            expires_at: statement.expires_at,
            expired: statement.expired,
            entries: statement.entries.into_iter().map(Into::into).collect(),
            total_entries: statement.total_entries,
        }
    }
}

/// A gift card just issued.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IssuedGiftCardView {
    /// The card's id.
    pub id: String,
    /// The code, grouped by four (`7QX4-M9RD-2KHP-WX3A`): shown in this answer only, stored
    /// nowhere — print or hand it over now.
    pub code: String,
    /// Its last four characters, as lists show the card.
    pub last4: String,
    /// Its balance.
    pub balance: MoneyView,
    /// When it expires (RFC 3339), if the merchant's policy says so.
    pub expires_at: Option<String>,
}

impl From<IssuedGiftCard> for IssuedGiftCardView {
    fn from(card: IssuedGiftCard) -> Self {
        Self {
            id: card.id,
            code: card.code,
            last4: card.last4,
            balance: card.balance.into(),
            expires_at: card.expires_at,
        }
    }
}

/// A gift card in a merchant's list (never its code).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GiftCardView {
    /// The card's id.
    pub id: String,
    /// Its last four characters.
    pub last4: String,
    /// Its balance.
    pub balance: MoneyView,
    /// When it expires (RFC 3339), if it does.
    pub expires_at: Option<String>,
    /// Whether it has expired.
    pub expired: bool,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
}

impl From<GiftCardSummary> for GiftCardView {
    fn from(card: GiftCardSummary) -> Self {
        Self {
            id: card.id,
            last4: card.last4,
            balance: card.balance.into(),
            expires_at: card.expires_at,
            expired: card.expired,
            issued_at: card.issued_at,
        }
    }
}

/// A page of a merchant's gift cards.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GiftCardListView {
    /// The cards, newest first.
    pub items: Vec<GiftCardView>,
    /// How many cards the merchant has.
    pub total: i64,
}

/// A merchant's credit policy.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct CreditPolicyView {
    /// Days credit lasts after it is granted (a card after it is issued or topped up), 1 to
    /// 3650; `null`: it never expires.
    pub credit_expiry_days: Option<i64>,
}

impl From<CreditPolicy> for CreditPolicyView {
    fn from(policy: CreditPolicy) -> Self {
        Self { credit_expiry_days: policy.credit_expiry_days }
    }
}
