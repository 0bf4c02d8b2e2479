//! What the customer-account routes answer (issue 17 point 3): the account, its sessions, the
//! history of purchases with their lines and receipt links.

use omnicanal_app::credit::{CustomerCredit, CustomerCreditBalance};
use omnicanal_app::customers::{CustomerProfile, Purchase, PurchaseLine, PurchasePage, PurchaseReturn};
use omnicanal_app::ids::rfc3339;
use omnicanal_app::returns::NotReturnable;
use omnicanal_store::PurchaseKind;
use serde::Serialize;
use utoipa::ToSchema;

use super::{CreditStatementView, MoneyView};

/// One e-mail or phone of the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerIdentifierBody {
    /// `email` or `phone`.
    pub kind: String,
    /// Normalised: the e-mail lower-cased, the phone in E.164.
    pub value: String,
    /// Whether a sign-in link sent to it was used; only verified ones gather purchases.
    pub verified: bool,
}

/// A customer's account.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerAccountView {
    /// Opaque id.
    pub id: String,
    /// The name given.
    pub name: Option<String>,
    /// Its e-mails and phones.
    pub identifiers: Vec<CustomerIdentifierBody>,
    /// Whether it can sign in with a password.
    pub has_password: bool,
}

impl From<CustomerProfile> for CustomerAccountView {
    fn from(profile: CustomerProfile) -> Self {
        Self {
            id: profile.id,
            name: profile.name,
            has_password: profile.has_password,
            identifiers: profile
                .identifiers
                .into_iter()
                .map(|i| CustomerIdentifierBody {
                    kind: i.kind.as_str().to_owned(),
                    value: i.value,
                    verified: i.verified,
                })
                .collect(),
        }
    }
}

/// A customer's new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerSessionView {
    /// Send as `Authorization: Bearer <token>` to the `/customers/me` routes; valid 30 days.
    /// It opens no staff route.
    pub token: String,
    /// The account.
    pub customer: CustomerAccountView,
}

/// A link was (or, when no account has that e-mail or phone, was not) sent: the answer is the same.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerLinkSentView {
    /// `email` or `phone`: where a link goes if an account has it.
    pub to: String,
}

/// One line of a purchase.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerPurchaseLineView {
    /// SKU.
    pub sku: String,
    /// Name when bought.
    pub name: Option<String>,
    /// Units bought.
    pub quantity: i64,
    /// Price of one.
    pub unit_price: MoneyView,
    /// Paid for the line.
    pub total: MoneyView,
    /// Units already returned.
    pub returned: i64,
    /// Units that may still be returned today (counted as the till counts a return).
    pub returnable: i64,
    /// Why nothing (more) can be returned: `final_sale`, `window_passed`, `not_handed_over`
    /// (its part is not collected yet), `all_returned`; none while `returnable` > 0.
    pub not_returnable: Option<String>,
    /// When the merchant's return window ended, with `window_passed`.
    pub return_window_ended_at: Option<String>,
}

impl From<PurchaseLine> for CustomerPurchaseLineView {
    fn from(line: PurchaseLine) -> Self {
        let ended = match line.not_returnable {
            Some(NotReturnable::WindowPassed { ended_at_ms }) => Some(rfc3339(ended_at_ms)),
            _ => None,
        };
        Self {
            sku: line.sku,
            name: line.name,
            quantity: line.quantity,
            unit_price: line.unit_price.into(),
            total: line.total.into(),
            returned: line.returned,
            returnable: line.returnable,
            not_returnable: line.not_returnable.map(|why| why.as_str().to_owned()),
            return_window_ended_at: ended,
        }
    }
}

/// A return of a purchase, with its credit note.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerPurchaseReturnView {
    /// The return's id.
    pub id: String,
    /// The merchant that took it.
    pub merchant_id: String,
    /// The credit note's number (`NC-<n>`).
    pub credit_note_number: String,
    /// What went back.
    pub refund: MoneyView,
    /// How: `card`, `cash`, `store_credit`, `none` (an exchange with nothing to give back).
    pub refund_method: String,
    /// When.
    pub at: String,
}

impl From<PurchaseReturn> for CustomerPurchaseReturnView {
    fn from(ret: PurchaseReturn) -> Self {
        Self {
            id: ret.id,
            merchant_id: ret.merchant_id,
            credit_note_number: ret.credit_note_number,
            refund: ret.refund.into(),
            refund_method: ret.refund_method,
            at: rfc3339(ret.at_ms),
        }
    }
}

/// One purchase of the history.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerPurchaseView {
    /// `order` or `sale` (a till sale).
    pub kind: String,
    /// The order's or sale's id.
    pub id: String,
    /// The order's number or the sale's receipt number.
    pub number: String,
    /// `web`, `qr`, `phone`, `kiosk`, `tablet`, `shop:<kind>`; `pos` for a till sale.
    pub channel: String,
    /// When it was made.
    pub at: String,
    /// The total.
    pub total: MoneyView,
    /// An order's status; `sold` for a till sale.
    pub status: String,
    /// The merchants it was bought from.
    pub merchant_ids: Vec<String>,
    /// Its lines.
    pub lines: Vec<CustomerPurchaseLineView>,
    /// The receipt: an order's opens with its tracking token; a sale's with the customer's session.
    pub receipt_url: String,
    /// An order's own page (`/api/v1/orders/{id}?token=`); none for a till sale.
    pub order_url: Option<String>,
    /// Its returns so far (credit notes), oldest first.
    pub returns: Vec<CustomerPurchaseReturnView>,
}

impl From<Purchase> for CustomerPurchaseView {
    fn from(purchase: Purchase) -> Self {
        let (kind, receipt_url, order_url) = match (purchase.kind, &purchase.tracking_token) {
            (PurchaseKind::Order, Some(token)) => (
                "order",
                format!("/api/v1/orders/{}/receipt?token={token}", purchase.id),
                Some(format!("/api/v1/orders/{}?token={token}", purchase.id)),
            ),
            (PurchaseKind::Order, None) => ("order", format!("/api/v1/orders/{}/receipt", purchase.id), None),
            (PurchaseKind::Sale, _) => ("sale", format!("/api/v1/customers/me/sales/{}/receipt", purchase.id), None),
        };
        Self {
            kind: kind.to_owned(),
            id: purchase.id,
            number: purchase.number,
            channel: purchase.channel,
            at: rfc3339(purchase.at_ms),
            total: purchase.total.into(),
            status: purchase.status,
            merchant_ids: purchase.merchant_ids,
            lines: purchase.lines.into_iter().map(Into::into).collect(),
            receipt_url,
            order_url,
            returns: purchase.returns.into_iter().map(Into::into).collect(),
        }
    }
}

/// A page of the history, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerPurchasePageView {
    /// The purchases.
    pub items: Vec<CustomerPurchaseView>,
    /// This page, from 1.
    pub page: i64,
    /// Purchases per page.
    pub per_page: i64,
    /// Purchases in all.
    pub total: i64,
}

impl From<PurchasePage> for CustomerPurchasePageView {
    fn from(page: PurchasePage) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            page: page.page,
            per_page: page.per_page,
            total: page.total,
        }
    }
}

/// One merchant's store credit held by the signed-in customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerCreditBalanceView {
    /// The merchant.
    pub merchant_id: String,
    /// Its name.
    pub merchant_name: String,
    /// The balance (zero once expired), its expiry and its newest ledger entries.
    pub credit: CreditStatementView,
}

/// The signed-in customer's store credit at every merchant.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerCreditView {
    /// One balance per merchant (and proven e-mail or phone); empty when none.
    pub balances: Vec<CustomerCreditBalanceView>,
}

impl From<CustomerCredit> for CustomerCreditView {
    fn from(credit: CustomerCredit) -> Self {
        Self {
            balances: credit
                .balances
                .into_iter()
                .map(|balance: CustomerCreditBalance| CustomerCreditBalanceView {
                    merchant_id: balance.merchant_id,
                    merchant_name: balance.merchant_name,
                    credit: balance.statement.into(),
                })
                .collect(),
        }
    }
}
