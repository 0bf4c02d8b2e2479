//! Gift cards and store credit as part payment of an order (issue 17 point 8): the web shop's
//! checkout and `POST /orders` name a gift card's code and/or ask to spend the signed-in
//! customer's store credit; this module finds those balances and splits them over the order's
//! parts (the domain's `allocate_credit`), before the card is authorised for the rest.
//!
//! What is decided here and what is not: the balances read here only size the shares; the
//! spend itself is the order's transaction's (`Store::place_order`), whose conditional update
//! refuses the whole order — nothing reserved, the card's hold voided — when another order or
//! till sale spent the same balance meanwhile (`insufficient_credit`). An expired balance is
//! refused here with its own error (`credit_expired`), so the customer is told why.

use omnicanal_domain::credit::{CustomerKey, allocate_credit, is_spendable};
use omnicanal_domain::pos::TenderMethod;
use omnicanal_store::{CreditAccountRow, CreditHolderKey};

use super::GiftCardLookup;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::ordering::command::PlaceOrder;
use crate::pricing::cart::PricedCart;

/// One balance's share of one part, decided before the order is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CreditShareOfPart {
    /// Index of the part in the quote's parts (the new order's parts, in the same order).
    pub part: usize,
    /// The balance.
    pub account_id: String,
    /// `gift_card` or `store_credit`.
    pub method: TenderMethod,
    /// How much, in minor units.
    pub amount_minor: i64,
}

/// A balance offered by the order, with its merchant and what it can pay now.
struct Offer {
    account: CreditAccountRow,
    method: TenderMethod,
}

impl App {
    /// The shares of the order's parts its gift card and store credit pay (empty when it
    /// offers none). A code that is no card of the order's merchants is `NotFound("gift
    /// card")` (counted as a guess); store credit without a signed-in customer is
    /// `Unauthenticated`; a customer with no credit there, or a card with nothing left, is
    /// `InsufficientCredit`; an expired balance `CreditExpired`.
    pub(crate) async fn order_credit_shares(
        &self,
        order: &PlaceOrder,
        priced: &PricedCart,
    ) -> AppResult<Vec<CreditShareOfPart>> {
        if order.gift_card.is_none() && !order.store_credit {
            return Ok(Vec::new());
        }
        let mut merchants: Vec<&str> = Vec::new();
        for part in &priced.quote.parts {
            if !merchants.contains(&part.merchant_id.as_str()) {
                merchants.push(&part.merchant_id);
            }
        }
        let mut offers = Vec::new();
        if let Some(code) = &order.gift_card {
            offers
                .push(Offer { account: self.order_gift_card(&merchants, code).await?, method: TenderMethod::GiftCard });
        }
        if order.store_credit {
            let account = self.order_store_credit(&merchants, order.credit_customer.as_deref()).await?;
            offers.push(Offer { account, method: TenderMethod::StoreCredit });
        }
        let now = self.now_ms();
        for offer in &offers {
            if let Some(expired_at) = offer.account.expires_at_ms.filter(|at| !is_spendable(Some(*at), now)) {
                return Err(AppError::CreditExpired { expired_at: crate::ids::rfc3339(expired_at) });
            }
            if offer.account.balance_minor <= 0 {
                return Err(AppError::InsufficientCredit { balance_minor: 0 });
            }
        }
        let parts: Vec<(&str, i64)> =
            priced.quote.parts.iter().map(|part| (part.merchant_id.as_str(), part.subtotal.amount_minor)).collect();
        let tenders: Vec<(&str, i64)> =
            offers.iter().map(|offer| (offer.account.merchant_id.as_str(), offer.account.balance_minor)).collect();
        Ok(allocate_credit(&parts, &tenders)
            .into_iter()
            .filter_map(|share| {
                let offer = offers.get(share.tender)?;
                Some(CreditShareOfPart {
                    part: share.part,
                    account_id: offer.account.id.clone(),
                    method: offer.method,
                    amount_minor: share.amount_minor,
                })
            })
            .collect())
    }

    /// The gift card with this code at one of the order's merchants; a miss counts as a
    /// guess at the first merchant (the throttle of a public lookup).
    async fn order_gift_card(
        &self,
        merchants: &[&str],
        code: &omnicanal_domain::credit::GiftCardCode,
    ) -> AppResult<CreditAccountRow> {
        for merchant_id in merchants.iter().skip(1) {
            let holder = CreditHolderKey::gift_card(self.gift_card_hash(merchant_id, code));
            if let Some(account) = self.store.get_credit_account(merchant_id, &holder).await? {
                return Ok(account);
            }
        }
        let first = merchants.first().copied().unwrap_or_default();
        let lookup = GiftCardLookup { merchant_id: first.to_owned(), code: code.clone() };
        self.find_gift_card(&lookup, None).await
    }

    /// The signed-in customer's store credit at one of the order's merchants, under any of
    /// their proven e-mails and phones: the first with a balance.
    async fn order_store_credit(&self, merchants: &[&str], customer: Option<&str>) -> AppResult<CreditAccountRow> {
        let customer = customer.ok_or(AppError::Unauthenticated(
            "sign in to your account to pay with your store credit (Authorization: Bearer <token>)",
        ))?;
        let identifiers = self.store.customer_identifiers(customer).await?;
        let keys: Vec<CustomerKey> = identifiers
            .iter()
            .filter(|identifier| identifier.verified_at_ms.is_some())
            .filter_map(|identifier| CustomerKey::parse("customer", &identifier.value).ok())
            .collect();
        let mut empty = None;
        for merchant_id in merchants {
            for key in &keys {
                let holder = CreditHolderKey::customer(key.as_str());
                match self.store.get_credit_account(merchant_id, &holder).await? {
                    Some(account) if account.balance_minor > 0 => return Ok(account),
                    Some(account) => empty = Some(account),
                    None => {}
                }
            }
        }
        empty.ok_or(AppError::InsufficientCredit { balance_minor: 0 })
    }
}
