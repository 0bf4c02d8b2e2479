//! Store credit and gift cards (issue 17 point 8): a manager issues a gift card (its code shown
//! once, kept only as a keyed hash) or grants a customer credit (audited), staff read a
//! customer's balance and ledger, anyone holding a card reads its balance, and the merchant
//! sets how long credit lasts. The ledger itself — never below zero, each change once — is the
//! store's (`CreditStore`, and its step inside a till sale's or a return's transaction).
//!
//! **Guessing codes.** A code's check character turns a typo into a 422 before any lookup, so
//! only well-formed codes that match no card count as failures: per (merchant, client address)
//! with growing delays, on the same throttle rules as sign-ins ([`crate::throttle`]) but with
//! their own counters. A wrong code is 404 whether or not the merchant exists or has the card
//! elsewhere, so nothing about other merchants can be learnt.
//!
//! **The code hash.** HMAC-SHA256 under a key derived from the server's credentials key, over
//! the merchant and the code: a database dump alone cannot test codes, and the same code at two
//! merchants is two unrelated hashes.

mod account;

use std::net::IpAddr;

use hmac::{Hmac, Mac};
use omnicanal_domain::access::Role;
use omnicanal_domain::credit::{CreditExpiryDays, CustomerKey, GiftCardCode, MAX_CREDIT_MINOR, is_spendable};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{CreditAccountRow, CreditEntryRow, CreditHolderKey, NewCreditEntry, NewGiftCard, Page};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::{new_id, rfc3339};
use crate::validation::Validator;

pub use account::{CustomerCredit, CustomerCreditBalance};

/// Who issues gift cards, grants credit and sets the expiry policy.
pub const CREDIT_MANAGERS: [Role; 2] = [Role::Admin, Role::MerchantManager];
/// Who reads a customer's balance and ledger (the till's staff take credit as a tender).
pub const CREDIT_READERS: [Role; 3] = [Role::Admin, Role::MerchantManager, Role::Staff];
/// Longest reason for a grant, in characters.
pub const MAX_REASON_CHARS: usize = 200;
/// How wrong gift card codes are throttled: the sign-in rules, with the merchant as the
/// "account" — 3 free misses per (merchant, address), then 1 s, 2 s, 4 s … up to 5 minutes;
/// past 50 misses at one merchant from anywhere, addresses that never found a card there wait
/// too; an address missing at 5 merchants waits for all of them.
pub fn guess_limits() -> crate::throttle::Limits {
    crate::throttle::Limits { account_ceiling: 50, per_ip: 5, ..crate::throttle::Limits::default() }
}

/// What the code-hash key is derived for.
const CODE_HASH_PURPOSE: &str = "omnicanal gift card code v1";

/// Issuing a gift card worth `amount`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueGiftCard {
    /// The merchant whose card it is.
    pub merchant_id: String,
    /// Its value.
    pub amount: Money,
}

fn check_amount(v: &mut Validator, field: &str, amount: Option<Money>) -> Option<Money> {
    let Some(amount) = amount else {
        v.push(field, "is required");
        return None;
    };
    if !(1..=MAX_CREDIT_MINOR).contains(&amount.amount_minor) {
        v.push(format!("{field}.amount"), format!("must be 1 to {MAX_CREDIT_MINOR} minor units"));
        return None;
    }
    Some(amount)
}

fn required_text(v: &mut Validator, field: &str, raw: Option<String>, max: usize) -> Option<String> {
    let text = raw.map(|raw| raw.trim().to_owned()).filter(|raw| !raw.is_empty());
    match text {
        None => {
            v.push(field, "is required");
            None
        }
        Some(text) if text.chars().count() > max => {
            v.push(field, format!("at most {max} characters"));
            None
        }
        Some(text) => Some(text),
    }
}

impl IssueGiftCard {
    /// Checks every field, reporting all that are wrong.
    pub fn parse(merchant_id: Option<String>, amount: Option<Money>) -> AppResult<Self> {
        let mut v = Validator::new();
        let merchant_id = required_text(&mut v, "merchant_id", merchant_id, 100);
        let amount = check_amount(&mut v, "amount", amount);
        v.done(|| Some(Self { merchant_id: merchant_id?, amount: amount? }))
    }
}

/// Granting a customer store credit by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantCredit {
    /// The merchant whose credit it is.
    pub merchant_id: String,
    /// The customer.
    pub customer: CustomerKey,
    /// How much.
    pub amount: Money,
    /// Why, as the ledger and the audit log show it.
    pub reason: String,
}

impl GrantCredit {
    /// Checks every field, reporting all that are wrong.
    pub fn parse(
        merchant_id: Option<String>,
        customer: Option<String>,
        amount: Option<Money>,
        reason: Option<String>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let merchant_id = required_text(&mut v, "merchant_id", merchant_id, 100);
        let customer = match customer {
            Some(raw) => v.check("customer", CustomerKey::parse("customer", &raw)),
            None => {
                v.push("customer", "is required: the customer's e-mail or phone");
                None
            }
        };
        let amount = check_amount(&mut v, "amount", amount);
        let reason = required_text(&mut v, "reason", reason, MAX_REASON_CHARS);
        v.done(|| Some(Self { merchant_id: merchant_id?, customer: customer?, amount: amount?, reason: reason? }))
    }
}

/// Reading a gift card's balance by its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftCardLookup {
    /// The merchant the card is of.
    pub merchant_id: String,
    /// The code as typed, checked.
    pub code: GiftCardCode,
}

impl GiftCardLookup {
    /// Checks both fields; a mistyped code is refused here, before any lookup or count.
    pub fn parse(merchant_id: Option<String>, code: Option<String>) -> AppResult<Self> {
        let mut v = Validator::new();
        let merchant_id = required_text(&mut v, "merchant_id", merchant_id, 100);
        let code = match code {
            Some(raw) => v.check("code", GiftCardCode::parse("code", &raw)),
            None => {
                v.push("code", "is required");
                None
            }
        };
        v.done(|| Some(Self { merchant_id: merchant_id?, code: code? }))
    }
}

/// Reading a customer's credit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerCreditLookup {
    /// The merchant.
    pub merchant_id: String,
    /// The customer.
    pub customer: CustomerKey,
}

impl CustomerCreditLookup {
    /// Checks both fields.
    pub fn parse(merchant_id: Option<String>, customer: Option<String>) -> AppResult<Self> {
        let mut v = Validator::new();
        let merchant_id = required_text(&mut v, "merchant_id", merchant_id, 100);
        let customer = match customer {
            Some(raw) => v.check("customer", CustomerKey::parse("customer", &raw)),
            None => {
                v.push("customer", "is required: the customer's e-mail or phone");
                None
            }
        };
        v.done(|| Some(Self { merchant_id: merchant_id?, customer: customer? }))
    }
}

/// One change in a ledger, as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditEntry {
    /// The entry.
    pub id: String,
    /// + credit / − spend.
    pub amount: Money,
    /// The balance right after it.
    pub balance_after: Money,
    /// Why.
    pub reason: String,
    /// What caused it: `grant`, `gift_card`, `return`, `pos_sale`, `expiry`, ….
    pub source_kind: String,
    /// Its id within the kind.
    pub source_id: String,
    /// When (RFC 3339).
    pub at: String,
    /// Who made it, when a person did.
    pub by_user: Option<String>,
}

/// A balance with (a page of) its ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditStatement {
    /// The account (for a gift card, the card's id).
    pub id: String,
    /// `customer` or `gift_card`.
    pub holder_kind: String,
    /// The customer's key, or the card's last four characters (`…7QX4`).
    pub holder: String,
    /// What can be spent now: zero once expired.
    pub balance: Money,
    /// When it expires (RFC 3339), if it does.
    pub expires_at: Option<String>,
    /// Whether it has expired.
    pub expired: bool,
    /// The ledger, newest first (empty for a card's public balance).
    pub entries: Vec<CreditEntry>,
    /// How many entries the ledger has.
    pub total_entries: i64,
}

/// A gift card just issued: the only answer that ever carries its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedGiftCard {
    /// The card's id.
    pub id: String,
    /// The code, grouped by four; shown this once and never stored.
    pub code: String,
    /// Its last four characters, as lists show the card.
    pub last4: String,
    /// Its balance.
    pub balance: Money,
    /// When it expires (RFC 3339), if the merchant's policy says so.
    pub expires_at: Option<String>,
}

/// A gift card in a merchant's list (no code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftCardSummary {
    /// The card's id.
    pub id: String,
    /// Its last four characters.
    pub last4: String,
    /// Its balance.
    pub balance: Money,
    /// When it expires (RFC 3339), if it does.
    pub expires_at: Option<String>,
    /// Whether it has expired.
    pub expired: bool,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
}

/// The merchant's credit policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditPolicy {
    /// Days credit lasts after it is granted (a card after it is issued or topped up); `None`: for ever.
    pub credit_expiry_days: Option<i64>,
}

fn money(currency: &str, amount_minor: i64) -> AppResult<Money> {
    let currency: Currency =
        currency.parse().map_err(|_| AppError::internal(format!("a credit account holds currency {currency:?}")))?;
    Ok(Money::new(amount_minor, currency))
}

fn entry_view(account: &CreditAccountRow, row: CreditEntryRow) -> AppResult<CreditEntry> {
    Ok(CreditEntry {
        id: row.id,
        amount: money(&account.currency, row.amount_minor)?,
        balance_after: money(&account.currency, row.balance_after_minor)?,
        reason: row.reason,
        source_kind: row.source_kind,
        source_id: row.source_id,
        at: rfc3339(row.at_ms),
        by_user: row.by_user,
    })
}

fn holder_label(account: &CreditAccountRow) -> String {
    match (&account.label, account.holder.kind.as_str()) {
        (Some(label), CreditHolderKey::GIFT_CARD) => format!("…{label}"),
        _ => account.holder.key.clone(),
    }
}

impl App {
    /// The keyed hash a gift card code is stored as, at one merchant.
    pub fn gift_card_hash(&self, merchant_id: &str, code: &GiftCardCode) -> String {
        let key = self.credentials_key.derive(CODE_HASH_PURPOSE);
        let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key) else {
            return String::new();
        };
        mac.update(merchant_id.as_bytes());
        mac.update(b"\n");
        mac.update(code.as_str().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn statement(
        &self,
        account: &CreditAccountRow,
        entries: Vec<CreditEntryRow>,
        total: i64,
    ) -> AppResult<CreditStatement> {
        let expired = !is_spendable(account.expires_at_ms, self.now_ms());
        Ok(CreditStatement {
            id: account.id.clone(),
            holder_kind: account.holder.kind.clone(),
            holder: holder_label(account),
            balance: money(&account.currency, if expired { 0 } else { account.balance_minor })?,
            expires_at: account.expires_at_ms.map(rfc3339),
            expired,
            entries: entries.into_iter().map(|row| entry_view(account, row)).collect::<AppResult<_>>()?,
            total_entries: total,
        })
    }

    /// The merchant, for a caller who manages (or reads) its credit; another merchant's is
    /// `NotFound("merchant")`, as is one that does not exist.
    async fn credit_merchant(&self, caller: &Caller, merchant_id: &str, roles: &[Role]) -> AppResult<()> {
        caller.require(roles)?;
        caller.check_merchant(merchant_id, "merchant")?;
        self.store.get_merchant(merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
        Ok(())
    }

    /// Issues a gift card (managers of the merchant, admins): its code is in this answer only.
    pub async fn issue_gift_card(&self, caller: &Caller, command: IssueGiftCard) -> AppResult<IssuedGiftCard> {
        self.credit_merchant(caller, &command.merchant_id, &CREDIT_MANAGERS).await?;
        // A taken hash is a 1-in-2⁷⁵ draw; three draws in a row taken means something is wrong.
        for _ in 0..3 {
            let mut bytes = [0u8; omnicanal_domain::credit::code::RANDOM_CHARS];
            rand::rng().fill_bytes(&mut bytes);
            let code = GiftCardCode::from_random(bytes);
            let card = NewGiftCard {
                id: new_id("gft"),
                first_credit: NewCreditEntry {
                    merchant_id: command.merchant_id.clone(),
                    holder: CreditHolderKey::gift_card(self.gift_card_hash(&command.merchant_id, &code)),
                    currency: command.amount.currency.code().to_owned(),
                    amount_minor: command.amount.amount_minor,
                    reason: "gift card issued".to_owned(),
                    source_kind: "gift_card".to_owned(),
                    source_id: new_id("iss"),
                    at_ms: self.now_ms(),
                    by_user: Some(caller.id.clone()),
                },
                label: code.last4().to_owned(),
            };
            let Some((account, _)) = self.store.issue_gift_card(&card).await? else {
                continue;
            };
            let snapshot = json!({
                "last4": code.last4(), "amount": command.amount.amount_minor,
                "currency": command.amount.currency.code(), "expires_at": account.expires_at_ms.map(rfc3339),
            });
            let change =
                Change::new(AuditEntity::GiftCard, &account.id, AuditAction::Created, Some(&command.merchant_id))
                    .values(None, Some(snapshot));
            self.record_change(caller, change).await;
            return Ok(IssuedGiftCard {
                id: account.id.clone(),
                code: code.grouped(),
                last4: code.last4().to_owned(),
                balance: money(&account.currency, account.balance_minor)?,
                expires_at: account.expires_at_ms.map(rfc3339),
            });
        }
        Err(AppError::internal("three gift card codes in a row were taken"))
    }

    /// Grants a customer store credit by hand (managers of the merchant, admins), recorded in
    /// the ledger with its reason and in the audit log; answers the customer's statement.
    pub async fn grant_store_credit(&self, caller: &Caller, command: GrantCredit) -> AppResult<CreditStatement> {
        self.credit_merchant(caller, &command.merchant_id, &CREDIT_MANAGERS).await?;
        let holder = CreditHolderKey::customer(command.customer.as_str());
        let before = self.store.get_credit_account(&command.merchant_id, &holder).await?;
        let entry = NewCreditEntry {
            merchant_id: command.merchant_id.clone(),
            holder: holder.clone(),
            currency: command.amount.currency.code().to_owned(),
            amount_minor: command.amount.amount_minor,
            reason: command.reason.clone(),
            source_kind: "grant".to_owned(),
            source_id: new_id("grt"),
            at_ms: self.now_ms(),
            by_user: Some(caller.id.clone()),
        };
        let written = self.store.grant_credit(&entry).await?;
        let change = Change::new(
            AuditEntity::StoreCredit,
            &written.account_id,
            AuditAction::Updated,
            Some(&command.merchant_id),
        )
        .values(
            Some(json!({"customer": command.customer.as_str(), "balance": before.map_or(0, |a| a.balance_minor)})),
            Some(json!({
                "customer": command.customer.as_str(), "balance": written.balance_after_minor,
                "granted": command.amount.amount_minor, "currency": command.amount.currency.code(),
                "reason": command.reason,
            })),
        );
        self.record_change(caller, change).await;
        let account = self
            .store
            .get_credit_account_by_id(&written.account_id)
            .await?
            .ok_or(AppError::internal("a credit account vanished after a grant"))?;
        let (entries, total) = self.store.list_credit_entries(&account.id, Page::first(20)).await?;
        self.statement(&account, entries, total)
    }

    /// A customer's balance and a page of their ledger (staff, managers of the merchant,
    /// admins); a customer with no credit is `NotFound("store credit")`.
    pub async fn customer_credit(
        &self,
        caller: &Caller,
        lookup: CustomerCreditLookup,
        page: Page,
    ) -> AppResult<CreditStatement> {
        self.credit_merchant(caller, &lookup.merchant_id, &CREDIT_READERS).await?;
        let holder = CreditHolderKey::customer(lookup.customer.as_str());
        let account = self
            .store
            .get_credit_account(&lookup.merchant_id, &holder)
            .await?
            .ok_or(AppError::NotFound("store credit"))?;
        let (entries, total) = self.store.list_credit_entries(&account.id, page).await?;
        self.statement(&account, entries, total)
    }

    /// Finds a gift card by its code, throttled per (merchant, client address): a code that
    /// matches no card there counts as a failed guess, and while a delay runs the answer is
    /// `GuessThrottled` without looking. An unknown merchant answers as an unknown card.
    pub async fn find_gift_card(
        &self,
        lookup: &GiftCardLookup,
        client_ip: Option<IpAddr>,
    ) -> AppResult<CreditAccountRow> {
        self.find_gift_card_by(lookup, &format!("gift-card:{}", lookup.merchant_id), client_ip).await
    }

    /// [`App::find_gift_card`], counting misses under `throttle_key` (a till counts by itself).
    async fn find_gift_card_by(
        &self,
        lookup: &GiftCardLookup,
        throttle_key: &str,
        client_ip: Option<IpAddr>,
    ) -> AppResult<CreditAccountRow> {
        let attempt = self
            .gift_card_throttle
            .begin(throttle_key, client_ip)
            .map_err(|refused| AppError::GuessThrottled { retry_after_secs: refused.retry_after_secs() })?;
        let holder = CreditHolderKey::gift_card(self.gift_card_hash(&lookup.merchant_id, &lookup.code));
        match self.store.get_credit_account(&lookup.merchant_id, &holder).await {
            Ok(Some(account)) => {
                self.gift_card_throttle.succeeded(attempt);
                Ok(account)
            }
            Ok(None) => {
                self.gift_card_throttle.failed(attempt);
                Err(AppError::NotFound("gift card"))
            }
            Err(error) => {
                self.gift_card_throttle.abandoned(attempt);
                Err(error.into())
            }
        }
    }

    /// Turns the till's gift card and store credit tenders into the accounts they spend: each
    /// `reference` (a card's code, a customer's e-mail or phone) becomes the account's id, which
    /// the sale's transaction spends from. A mistyped code or customer is 422 naming the tender,
    /// a card that is not the merchant's 404 (its misses counted per till), a customer without
    /// credit 422 `insufficient_credit`. Expiry and the balance are checked in the transaction.
    pub(crate) async fn resolve_credit_tenders(
        &self,
        merchant_id: &str,
        device_id: &str,
        payments: &mut [crate::pos::sales::SalePayment],
    ) -> AppResult<()> {
        for (index, payment) in payments.iter_mut().enumerate() {
            let raw = payment.reference.clone().unwrap_or_default();
            if let Some(account_id) =
                self.resolve_credit_tender(merchant_id, device_id, index, payment.tender.method, &raw).await?
            {
                payment.reference = Some(account_id);
            }
        }
        Ok(())
    }

    /// The account a till's gift card or store credit tender at `index` spends (`None` for
    /// any other tender): see [`App::resolve_credit_tenders`]. Shared by till sales and
    /// collections of pay-at-pickup orders.
    pub(crate) async fn resolve_credit_tender(
        &self,
        merchant_id: &str,
        device_id: &str,
        index: usize,
        method: omnicanal_domain::pos::tender::TenderMethod,
        raw: &str,
    ) -> AppResult<Option<String>> {
        let field = format!("payments[{index}].reference");
        let account = match method {
            omnicanal_domain::pos::tender::TenderMethod::GiftCard => {
                let code = GiftCardCode::parse(&field, raw)?;
                let lookup = GiftCardLookup { merchant_id: merchant_id.to_owned(), code };
                self.find_gift_card_by(&lookup, &format!("gift-card:{merchant_id}:{device_id}"), None).await?
            }
            omnicanal_domain::pos::tender::TenderMethod::StoreCredit => {
                let customer = CustomerKey::parse(&field, raw)?;
                let holder = CreditHolderKey::customer(customer.as_str());
                self.store
                    .get_credit_account(merchant_id, &holder)
                    .await?
                    .ok_or(AppError::InsufficientCredit { balance_minor: 0 })?
            }
            _ => return Ok(None),
        };
        Ok(Some(account.id))
    }

    /// A gift card's balance by its code, for anyone holding it (no ledger, no holder).
    pub async fn gift_card_balance(
        &self,
        lookup: GiftCardLookup,
        client_ip: Option<IpAddr>,
    ) -> AppResult<CreditStatement> {
        let account = self.find_gift_card(&lookup, client_ip).await?;
        let (_, total) = self.store.list_credit_entries(&account.id, Page::first(0)).await?;
        self.statement(&account, Vec::new(), total)
    }

    /// A merchant's gift cards, newest first, with their count (managers, admins).
    pub async fn gift_cards(
        &self,
        caller: &Caller,
        merchant_id: &str,
        page: Page,
    ) -> AppResult<(Vec<GiftCardSummary>, i64)> {
        self.credit_merchant(caller, merchant_id, &CREDIT_MANAGERS).await?;
        let (accounts, total) = self.store.list_credit_accounts(merchant_id, CreditHolderKey::GIFT_CARD, page).await?;
        let now = self.now_ms();
        let cards = accounts
            .into_iter()
            .map(|account| {
                Ok(GiftCardSummary {
                    id: account.id.clone(),
                    last4: account.label.clone().unwrap_or_default(),
                    balance: money(&account.currency, account.balance_minor)?,
                    expires_at: account.expires_at_ms.map(rfc3339),
                    expired: !is_spendable(account.expires_at_ms, now),
                    issued_at: rfc3339(account.created_at_ms),
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok((cards, total))
    }

    /// The merchant's credit policy (staff, managers, admins).
    pub async fn credit_policy(&self, caller: &Caller, merchant_id: &str) -> AppResult<CreditPolicy> {
        self.credit_merchant(caller, merchant_id, &CREDIT_READERS).await?;
        Ok(CreditPolicy { credit_expiry_days: self.store.credit_expiry_days(merchant_id).await? })
    }

    /// Sets how many days credit lasts (`None`: for ever; managers, admins), audited. It
    /// applies from the next credit on: balances keep the expiry they were given.
    pub async fn set_credit_policy(
        &self,
        caller: &Caller,
        merchant_id: &str,
        credit_expiry_days: Option<i64>,
    ) -> AppResult<CreditPolicy> {
        let days = credit_expiry_days.map(CreditExpiryDays::new).transpose()?;
        self.credit_merchant(caller, merchant_id, &CREDIT_MANAGERS).await?;
        let before = self.store.credit_expiry_days(merchant_id).await?;
        let days = days.map(CreditExpiryDays::days);
        if !self.store.set_credit_expiry_days(merchant_id, days).await? {
            return Err(AppError::NotFound("merchant"));
        }
        let change = Change::new(AuditEntity::Merchant, merchant_id, AuditAction::Updated, Some(merchant_id))
            .values(Some(json!({"credit_expiry_days": before})), Some(json!({"credit_expiry_days": days})));
        self.record_change(caller, change).await;
        Ok(CreditPolicy { credit_expiry_days: days })
    }
}

pub(crate) mod orders;

#[cfg(test)]
mod tests;
