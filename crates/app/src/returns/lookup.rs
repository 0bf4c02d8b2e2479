//! Finding a purchase to return: by order id or number, sale id or receipt number, or the
//! customer's phone — each answered with what is still returnable per line and what the
//! policy would say today. Only the caller's merchant's purchases are found.

use omnicanal_domain::Money;
use omnicanal_domain::returns::{PolicyBreach, PolicyCheck, PurchasedLine, ReturnSource, paid_per_line};
use omnicanal_store::{PurchaseRecord, ReturnRow};

use super::RETURN_ROLES;
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::sha256_hex;
use crate::validation::Validator;

/// How a purchase is looked for (at least one way), from the location taking the return.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PurchaseQuery {
    /// The location taking the return (its merchant's purchases are searched).
    pub location_id: String,
    /// An order's id.
    pub order_id: Option<String>,
    /// An order's number.
    pub order_number: Option<String>,
    /// A till sale's id.
    pub sale_id: Option<String>,
    /// A till receipt's number.
    pub receipt_number: Option<String>,
    /// The customer's phone.
    pub phone: Option<String>,
}

/// One line of a found purchase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPurchaseLine {
    /// The SKU.
    pub sku: String,
    /// Its name, when kept.
    pub name: Option<String>,
    /// Units bought.
    pub bought: i64,
    /// Units already returned.
    pub returned: i64,
    /// Units that may still come back.
    pub returnable: i64,
    /// What the line paid, after every discount.
    pub paid: Money,
}

/// A purchase found for a return.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundPurchase {
    /// The purchase.
    pub purchase: PurchaseRecord,
    /// Its lines with what is returnable.
    pub lines: Vec<FoundPurchaseLine>,
    /// Its earlier returns.
    pub returns: Vec<ReturnRow>,
    /// What the policy would refuse if the customer returned everything now with the receipt
    /// (a manager's override lets it through).
    pub breaches: Vec<PolicyBreach>,
}

/// The purchase's lines as the domain counts them, each with what it paid in the end.
pub(crate) fn purchased_lines(purchase: &PurchaseRecord) -> Vec<PurchasedLine> {
    let totals: Vec<i64> = purchase.lines.iter().map(|line| line.total_minor).collect();
    let paid = paid_per_line(&totals, purchase.paid_total_minor);
    purchase
        .lines
        .iter()
        .zip(paid)
        .map(|(line, paid_minor)| PurchasedLine {
            sku: line.sku.clone(),
            bought: line.quantity,
            returned: line.returned,
            paid_minor,
        })
        .collect()
}

fn clean(value: Option<String>) -> Option<String> {
    value.map(|value| value.trim().to_owned()).filter(|value| !value.is_empty())
}

impl App {
    /// Purchases of the location's merchant matching the query, each with what is still
    /// returnable (see the module docs).
    pub async fn find_returnable_purchases(
        &self,
        caller: &Caller,
        query: PurchaseQuery,
    ) -> AppResult<Vec<FoundPurchase>> {
        caller.require(&RETURN_ROLES)?;
        let location =
            self.store.get_location(query.location_id.trim()).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        let mut v = Validator::new();
        let order_number =
            clean(query.order_number.clone()).and_then(|raw| match raw.trim_start_matches('#').parse::<i64>() {
                Ok(number) if number > 0 => Some(number),
                _ => {
                    v.push("order_number", "must be a whole number");
                    None
                }
            });
        let (order_id, sale_id) = (clean(query.order_id), clean(query.sale_id));
        let (receipt, phone) = (clean(query.receipt_number), clean(query.phone));
        for (field, value) in
            [("order_id", &order_id), ("sale_id", &sale_id), ("receipt_number", &receipt), ("phone", &phone)]
        {
            if value.as_deref().is_some_and(|value| value.chars().count() > 100) {
                v.push(field, "must be at most 100 characters");
            }
        }
        if order_id.is_none()
            && sale_id.is_none()
            && order_number.is_none()
            && receipt.is_none()
            && phone.is_none()
            && v.is_empty()
        {
            v.push("order_id", "give order_id, order_number, sale_id, receipt_number or phone");
        }
        v.finish()?;
        let merchant_id = location.merchant_id.clone();
        let mut refs: Vec<(ReturnSource, String)> = Vec::new();
        if let Some(id) = order_id {
            refs.push((ReturnSource::Order, id));
        }
        if let Some(id) = sale_id {
            refs.push((ReturnSource::Sale, id));
        }
        refs.extend(self.store.find_purchases(&merchant_id, order_number, receipt.as_deref(), phone.as_deref()).await?);
        // The text of a digital receipt's QR (`…/r/{token}`), or its token alone, as a scanner
        // types it: the link's sale (another merchant's sale is not found below).
        if let Some(token) = receipt.as_deref().map(receipt_link_token).filter(|token| !token.is_empty())
            && let Some(link) = self.store.get_pos_digital_receipt(&sha256_hex(token.as_bytes())).await?
        {
            refs.push((ReturnSource::Sale, link.sale_id));
        }
        let mut seen = std::collections::BTreeSet::new();
        let policy = self.policy_of(&merchant_id).await?;
        let now = self.now_ms();
        let mut found = Vec::new();
        for (source, id) in refs {
            if !seen.insert((source, id.clone())) {
                continue;
            }
            let Some(purchase) = self.store.get_purchase(source, &id, &merchant_id).await? else { continue };
            let counted = purchased_lines(&purchase);
            let lines = purchase
                .lines
                .iter()
                .zip(&counted)
                .map(|(line, counted)| FoundPurchaseLine {
                    sku: line.sku.clone(),
                    name: line.name.clone(),
                    bought: line.quantity,
                    returned: line.returned,
                    returnable: counted.returnable(),
                    paid: Money::new(counted.paid_minor, purchase.currency),
                })
                .collect();
            let skus: Vec<String> =
                purchase.lines.iter().filter(|l| l.quantity > l.returned).map(|l| l.sku.clone()).collect();
            let breaches = policy.breaches(&PolicyCheck {
                purchased_at_ms: purchase.purchased_at_ms,
                now_ms: now,
                has_receipt: true,
                skus: &skus,
            });
            let returns = self.store.list_purchase_returns(source, &id).await?;
            found.push(FoundPurchase { purchase, lines, returns, breaches });
        }
        Ok(found)
    }
}

/// The token of a digital receipt link's text (`https://…/r/{token}`, or the token alone).
fn receipt_link_token(text: &str) -> &str {
    let text = text.trim();
    let after = text.rsplit_once("/r/").map_or(text, |(_, token)| token);
    after.split(['?', '#', '/']).next().unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::receipt_link_token;

    #[test]
    fn a_receipt_links_token_is_read_from_the_qr_text() {
        assert_eq!(receipt_link_token("https://tienda.example/r/abc123"), "abc123");
        assert_eq!(receipt_link_token(" http://127.0.0.1:8080/r/abc123?lang=en "), "abc123");
        assert_eq!(receipt_link_token("abc123"), "abc123");
        assert_eq!(receipt_link_token(""), "");
    }
}
