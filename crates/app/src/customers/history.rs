//! The customer's one history: every order (any channel) and till sale made with the account's
//! verified e-mail or phone, plus the orders claimed by their tracking token, newest first,
//! each with its lines and where its receipt is; claiming a guest order; a till sale's receipt.
//!
//! Each line says what was bought, what was already returned and what may still come back
//! (and why not: final sale, window passed, not handed over yet), counted by the returns use
//! case itself (`returns/returnable.rs`); each purchase lists its returns and credit notes.

use omnicanal_domain::Money;
use omnicanal_domain::catalog::Country;
use omnicanal_domain::customers::{CustomerEmail, CustomerPhone, IdentifierKind, PhoneForms, purchase_is_theirs};
use omnicanal_domain::order::OrderStatus;
use omnicanal_domain::returns::ReturnSource;
use omnicanal_store::{Page, PurchaseKind, PurchasePhone, PurchaseQuery};

use super::commands::ClaimOrder;
use super::sessions::CustomerSession;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::ids::constant_time_eq;
use crate::pos::printing::SaleReceipt;
use crate::pos::sales::{SaleAnswer, SaleCustomer};
use crate::returns::NotReturnable;

/// Purchases per page of the history.
pub const PURCHASES_PER_PAGE: i64 = 20;
/// The last page a customer may ask for (a bound on the offset).
pub const MAX_PAGE: i64 = 10_000;

/// One line of a purchase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseLine {
    /// The SKU.
    pub sku: String,
    /// Its name when bought, when known.
    pub name: Option<String>,
    /// Units bought.
    pub quantity: i64,
    /// Price of one.
    pub unit_price: Money,
    /// What was paid for the line.
    pub total: Money,
    /// The order's part (or the sale) the line belongs to.
    pub part_id: String,
    /// Units already returned.
    pub returned: i64,
    /// Units that may still come back (0 when `not_returnable` says why).
    pub returnable: i64,
    /// Why nothing (more) can come back, when so.
    pub not_returnable: Option<NotReturnable>,
}

/// A return already taken of a purchase, with its credit note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseReturn {
    /// The return's id.
    pub id: String,
    /// The merchant that took it.
    pub merchant_id: String,
    /// The credit note's number (`NC-<n>`).
    pub credit_note_number: String,
    /// What went back to the customer.
    pub refund: Money,
    /// How: `card`, `cash`, `store_credit`, `none`.
    pub refund_method: String,
    /// When (Unix ms).
    pub at_ms: i64,
}

/// One purchase of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purchase {
    /// Order or till sale.
    pub kind: PurchaseKind,
    /// Its id.
    pub id: String,
    /// What the customer sees as its number: the order's number, the sale's receipt number.
    pub number: String,
    /// The channel (`web`, `qr`, `phone`, `shop:…`; `pos` for a till sale).
    pub channel: String,
    /// When (Unix ms).
    pub at_ms: i64,
    /// The total.
    pub total: Money,
    /// An order's status (`placed`, `ready`, `collected`, …); `sold` for a till sale.
    pub status: String,
    /// The merchants it was bought from.
    pub merchant_ids: Vec<String>,
    /// The lines.
    pub lines: Vec<PurchaseLine>,
    /// An order's tracking token (its receipt and page open with it); none for a sale, whose
    /// receipt the signed-in customer reads at `/customers/me/sales/{id}/receipt`.
    pub tracking_token: Option<String>,
    /// Its returns so far, oldest first.
    pub returns: Vec<PurchaseReturn>,
}

/// A page of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchasePage {
    /// The purchases, newest first.
    pub items: Vec<Purchase>,
    /// This page (from 1).
    pub page: i64,
    /// Purchases per page.
    pub per_page: i64,
    /// Purchases in all.
    pub total: i64,
}

impl App {
    /// A page (from 1) of the customer's purchases, newest first; one merchant's only when given.
    pub async fn customer_purchases(
        &self,
        session: &CustomerSession,
        page: i64,
        merchant_id: Option<String>,
    ) -> AppResult<PurchasePage> {
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(AppError::invalid("page", format!("must be between 1 and {MAX_PAGE}")));
        }
        let (emails, phones) = self.verified_identifiers(&session.account_id).await?;
        let query = PurchaseQuery {
            account_id: session.account_id.clone(),
            emails: emails.iter().map(|email| email.as_str().to_owned()).collect(),
            phones: phones
                .iter()
                .map(|phone| {
                    let forms = PhoneForms::of(phone);
                    PurchasePhone {
                        international: forms.international,
                        national: forms.national,
                        country: forms.country.map(|country| country.code().to_owned()),
                    }
                })
                .collect(),
            merchant_id,
        };
        let window = Page { limit: PURCHASES_PER_PAGE, offset: (page - 1) * PURCHASES_PER_PAGE };
        let (refs, total) = self.store.customer_purchases(&query, window).await?;
        let mut items = Vec::with_capacity(refs.len());
        for purchase in refs {
            let mut purchase = match purchase.kind {
                PurchaseKind::Order => self.order_purchase(&purchase.id).await?,
                PurchaseKind::Sale => self.sale_purchase(&purchase.id).await?.0,
            };
            self.add_returnability(&mut purchase).await?;
            items.push(purchase);
        }
        Ok(PurchasePage { items, page, per_page: PURCHASES_PER_PAGE, total })
    }

    /// Joins a guest order to the account by its tracking token (from the order's link), so an
    /// order placed without the account's e-mail or phone shows in the history. An unknown
    /// order or a wrong token is the same `NotFound`, and nothing is joined.
    pub async fn claim_customer_order(&self, session: &CustomerSession, claim: ClaimOrder) -> AppResult<Purchase> {
        let record = self.store.get_order(&claim.order_id).await?.ok_or(AppError::NotFound("order"))?;
        if !constant_time_eq(&record.order.tracking_token, &claim.token) {
            return Err(AppError::NotFound("order"));
        }
        self.store.insert_customer_claim(&session.account_id, &record.order.id, self.now_ms()).await?;
        let mut purchase = self.order_purchase(&record.order.id).await?;
        self.add_returnability(&mut purchase).await?;
        Ok(purchase)
    }

    /// Fills each line's returned and returnable units, and the purchase's returns, from the
    /// returns use case's own count (per merchant of the purchase). A line no merchant's count
    /// covers is of a part not handed over yet.
    async fn add_returnability(&self, purchase: &mut Purchase) -> AppResult<()> {
        let source = match purchase.kind {
            PurchaseKind::Order => ReturnSource::Order,
            PurchaseKind::Sale => ReturnSource::Sale,
        };
        let mut merchants = purchase.merchant_ids.clone();
        merchants.sort();
        merchants.dedup();
        let mut counted = Vec::new();
        for merchant_id in &merchants {
            let Some(found) = self.purchase_returnability(source, &purchase.id, merchant_id).await? else { continue };
            counted.extend(found.lines);
            purchase.returns.extend(found.returns.into_iter().map(|ret| PurchaseReturn {
                refund: Money::new(ret.refund_minor, ret.currency),
                refund_method: ret.refund_method.as_str().to_owned(),
                id: ret.id,
                merchant_id: ret.merchant_id,
                credit_note_number: ret.credit_note_number,
                at_ms: ret.created_at_ms,
            }));
        }
        purchase.returns.sort_by(|a, b| (a.at_ms, &a.id).cmp(&(b.at_ms, &b.id)));
        // Both lists keep each part's lines in position order, so the nth line of a part here
        // is the nth of that part there.
        let mut by_part: std::collections::BTreeMap<String, std::collections::VecDeque<_>> = Default::default();
        for line in counted {
            by_part.entry(line.part_id.clone()).or_default().push_back(line);
        }
        for line in &mut purchase.lines {
            match by_part.get_mut(&line.part_id).and_then(std::collections::VecDeque::pop_front) {
                Some(count) if count.sku == line.sku => {
                    line.returned = count.returned;
                    line.returnable = count.returnable;
                    line.not_returnable = count.blocked;
                }
                Some(_) => {
                    return Err(AppError::internal(format!("purchase {}: lines do not match the count", purchase.id)));
                }
                None => line.not_returnable = Some(NotReturnable::NotHandedOver),
            }
        }
        Ok(())
    }

    /// A till sale's receipt, for the customer whose verified e-mail or phone it carries.
    /// Anyone else's sale is `NotFound`.
    pub async fn customer_sale_receipt(&self, session: &CustomerSession, sale_id: &str) -> AppResult<SaleReceipt> {
        let (emails, phones) = self.verified_identifiers(&session.account_id).await?;
        let (purchase, answer, customer, country) =
            self.sale_purchase(sale_id).await.map_err(|_| AppError::NotFound("sale"))?;
        let theirs = customer.as_ref().is_some_and(|customer| {
            purchase_is_theirs(&emails, &phones, customer.email.as_deref(), customer.phone.as_deref(), country)
        });
        if !theirs || purchase.kind != PurchaseKind::Sale {
            return Err(AppError::NotFound("sale"));
        }
        self.sale_receipt_records(answer).await
    }

    /// The account's proven e-mails and phones: only these gather purchases and credit.
    pub(crate) async fn verified_identifiers(
        &self,
        account_id: &str,
    ) -> AppResult<(Vec<CustomerEmail>, Vec<CustomerPhone>)> {
        let mut emails = Vec::new();
        let mut phones = Vec::new();
        for row in self.store.customer_identifiers(account_id).await? {
            if row.verified_at_ms.is_none() {
                continue;
            }
            match row.kind {
                IdentifierKind::Email => emails.extend(CustomerEmail::parse(&row.value).ok()),
                IdentifierKind::Phone => phones.extend(CustomerPhone::parse(&row.value, None).ok()),
            }
        }
        Ok((emails, phones))
    }

    async fn order_purchase(&self, order_id: &str) -> AppResult<Purchase> {
        let record = self.store.get_order(order_id).await?.ok_or(AppError::NotFound("order"))?;
        let order = &record.order;
        let statuses: Vec<_> = record.fulfillments.iter().map(|part| part.status).collect();
        let mut merchant_ids: Vec<String> = record.fulfillments.iter().map(|part| part.merchant_id.clone()).collect();
        merchant_ids.dedup();
        let lines = record
            .fulfillments
            .iter()
            .flat_map(|part| part.lines.iter().map(move |line| (part, line)))
            .map(|(part, line)| PurchaseLine {
                sku: line.sku.clone(),
                name: line.pricing.name.clone(),
                quantity: line.quantity,
                unit_price: Money::new(line.unit_price_minor, order.currency),
                total: Money::new(line.total_minor, order.currency),
                part_id: part.id.clone(),
                returned: 0,
                returnable: 0,
                not_returnable: None,
            })
            .collect();
        Ok(Purchase {
            kind: PurchaseKind::Order,
            id: order.id.clone(),
            number: order.number.to_string(),
            channel: order.channel.as_str().into_owned(),
            at_ms: order.created_at_ms,
            total: Money::new(order.total_minor, order.currency),
            status: OrderStatus::derive(&statuses).as_str().to_owned(),
            merchant_ids,
            lines,
            tracking_token: Some(order.tracking_token.clone()),
            returns: Vec::new(),
        })
    }

    /// A till sale as a purchase, with its recorded answer, its customer and its site's country.
    async fn sale_purchase(&self, sale_id: &str) -> AppResult<(Purchase, SaleAnswer, Option<SaleCustomer>, Country)> {
        let (sale, _) = self.store.get_pos_sale(sale_id).await?.ok_or(AppError::NotFound("sale"))?;
        let answer: SaleAnswer = serde_json::from_str(&sale.answer_json)
            .map_err(|error| AppError::internal(format!("a stored sale answer does not read back: {error}")))?;
        let customer: Option<SaleCustomer> = sale
            .customer_json
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|error| AppError::internal(format!("a sale's customer does not read back: {error}")))?;
        let location = self.store.get_location(&sale.location_id).await?.ok_or(AppError::NotFound("sale"))?;
        let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("sale"))?;
        let lines = answer
            .lines
            .iter()
            .map(|line| PurchaseLine {
                sku: line.sku.clone(),
                name: Some(line.name.clone()),
                quantity: line.quantity,
                unit_price: line.unit_price,
                total: line.total,
                part_id: sale.id.clone(),
                returned: 0,
                returnable: 0,
                not_returnable: None,
            })
            .collect();
        let purchase = Purchase {
            kind: PurchaseKind::Sale,
            id: sale.id.clone(),
            number: sale.receipt_number.clone(),
            channel: "pos".to_owned(),
            at_ms: sale.sold_at_ms,
            total: Money::new(sale.total_minor, sale.currency),
            status: "sold".to_owned(),
            merchant_ids: vec![sale.merchant_id.clone()],
            lines,
            tracking_token: None,
            returns: Vec::new(),
        };
        Ok((purchase, answer, customer, site.country))
    }
}
