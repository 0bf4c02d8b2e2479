//! The signed-in customer's own store credit (issue 17 point 8, "shown in the account"): one
//! balance per merchant with its recent ledger and expiry, read with the customer's session.
//!
//! Only the account's **proven** e-mails and phones count (a used sign-in link proved each),
//! as for the purchase history: anyone can type someone else's e-mail when registering, so an
//! unproven one never shows another person's credit. Keys are spelt as the ledger spells them
//! (`CustomerKey`); credit granted to a phone typed without its country code at the till is
//! keyed on those digits alone and so does not match the account's E.164 phone — a limit of
//! how the till keys credit, not read around here.

use omnicanal_domain::credit::CustomerKey;
use omnicanal_store::Page;

use super::CreditStatement;
use crate::App;
use crate::customers::CustomerSession;
use crate::error::AppResult;

/// Ledger entries shown per balance (the newest; `total_entries` says how many there are).
pub const ENTRIES_PER_BALANCE: i64 = 10;

/// One merchant's credit held by the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerCreditBalance {
    /// The merchant.
    pub merchant_id: String,
    /// Its name.
    pub merchant_name: String,
    /// The balance, its expiry and its newest entries.
    pub statement: CreditStatement,
}

/// The customer's credit at every merchant (none: empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerCredit {
    /// One balance per merchant and proven e-mail or phone, by merchant.
    pub balances: Vec<CustomerCreditBalance>,
}

impl App {
    /// The signed-in customer's store credit at every merchant, each with its newest entries.
    pub async fn customer_own_credit(&self, session: &CustomerSession) -> AppResult<CustomerCredit> {
        let (emails, phones) = self.verified_identifiers(&session.account_id).await?;
        let mut keys: Vec<String> = emails
            .iter()
            .map(|email| email.as_str())
            .chain(phones.iter().map(|phone| phone.as_str()))
            .filter_map(|raw| CustomerKey::parse("customer", raw).ok())
            .map(|key| key.as_str().to_owned())
            .collect();
        keys.sort();
        keys.dedup();
        let accounts = self.store.customer_credit_accounts(&keys).await?;
        let mut merchant_ids: Vec<String> = accounts.iter().map(|account| account.merchant_id.clone()).collect();
        merchant_ids.dedup();
        let merchants = self.store.get_merchants(&merchant_ids).await?;
        let mut balances = Vec::with_capacity(accounts.len());
        for account in accounts {
            let (entries, total) =
                self.store.list_credit_entries(&account.id, Page::first(ENTRIES_PER_BALANCE)).await?;
            let merchant_name = merchants
                .iter()
                .find(|merchant| merchant.id == account.merchant_id)
                .map(|merchant| merchant.name.clone())
                .unwrap_or_default();
            balances.push(CustomerCreditBalance {
                merchant_id: account.merchant_id.clone(),
                merchant_name,
                statement: self.statement(&account, entries, total)?,
            });
        }
        Ok(CustomerCredit { balances })
    }
}
