//! Store credit and gift cards' rows (issue 17 point 8): accounts holding a balance, and the
//! ledger entries that change it. Kinds are plain words here (`customer`, `gift_card`) so the
//! returns' transaction can name a holder without the credit use cases.

/// Whose balance: a customer (by normalised e-mail or phone) or a gift card (by keyed code hash).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditHolderKey {
    /// `customer` or `gift_card`.
    pub kind: String,
    /// A customer's lower-cased trimmed e-mail or `+digits` phone; a card's keyed code hash.
    pub key: String,
}

impl CreditHolderKey {
    /// The holder kind of a customer's balance.
    pub const CUSTOMER: &'static str = "customer";
    /// The holder kind of a gift card.
    pub const GIFT_CARD: &'static str = "gift_card";

    /// A customer's balance, by an already normalised key.
    pub fn customer(key: impl Into<String>) -> Self {
        Self { kind: Self::CUSTOMER.to_owned(), key: key.into() }
    }

    /// A gift card's balance, by its keyed code hash.
    pub fn gift_card(code_hash: impl Into<String>) -> Self {
        Self { kind: Self::GIFT_CARD.to_owned(), key: code_hash.into() }
    }
}

/// One change to a balance, applied in the caller's transaction: positive credits (the
/// account is created on the first), negative spends. `(source_kind, source_id)` identifies
/// the change, so a retry of the same grant or spend is recorded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCreditEntry {
    /// The merchant whose credit it is (credit is never spent at another merchant).
    pub merchant_id: String,
    /// Whose balance.
    pub holder: CreditHolderKey,
    /// ISO 4217; must match the account's.
    pub currency: String,
    /// + credit / − spend, in minor units.
    pub amount_minor: i64,
    /// Why, in words a person reads in the ledger.
    pub reason: String,
    /// What caused it: `grant`, `gift_card`, `return`, `pos_sale`, `order`, ….
    pub source_kind: String,
    /// Its id within the kind (the return's id, the sale's id and tender, …).
    pub source_id: String,
    /// When (Unix ms).
    pub at_ms: i64,
    /// The user who made it, when a person did.
    pub by_user: Option<String>,
}

/// A balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditAccountRow {
    /// Opaque id (`cra_…`).
    pub id: String,
    /// Owner.
    pub merchant_id: String,
    /// Whose balance it is.
    pub holder: CreditHolderKey,
    /// What staff see of the holder besides the key: a card's last four characters.
    pub label: Option<String>,
    /// ISO 4217.
    pub currency: String,
    /// Never below zero.
    pub balance_minor: i64,
    /// From this time on the balance cannot be spent; `None`: never.
    pub expires_at_ms: Option<i64>,
    /// Creation time.
    pub created_at_ms: i64,
}

/// One recorded change to a balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditEntryRow {
    /// Opaque id (`cre_…`).
    pub id: String,
    /// The account changed.
    pub account_id: String,
    /// + credit / − spend.
    pub amount_minor: i64,
    /// The balance right after it.
    pub balance_after_minor: i64,
    /// Why.
    pub reason: String,
    /// What caused it.
    pub source_kind: String,
    /// Its id within the kind.
    pub source_id: String,
    /// When (Unix ms).
    pub at_ms: i64,
    /// The user who made it, if a person did.
    pub by_user: Option<String>,
}

/// A new gift card: its account, created with its first credit in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGiftCard {
    /// The card's account id (`cra_…`), which is also the card's public id.
    pub id: String,
    /// Its first credit: `holder` is the card's keyed code hash, `amount_minor` its value.
    pub first_credit: NewCreditEntry,
    /// Its last four characters, for staff to tell cards apart.
    pub label: String,
}

/// What one part of a new order takes from a balance (issue 17 point 8): spent in the order's
/// transaction, given back to the same balance if the part is voided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderCreditSpend {
    /// The part it pays (one of the new order's parts).
    pub fulfillment_id: String,
    /// The balance (the use case found it by the card's code or the customer).
    pub account_id: String,
    /// `gift_card` or `store_credit`.
    pub method: omnicanal_domain::pos::TenderMethod,
    /// How much, in minor units (more than zero).
    pub amount_minor: i64,
}
