//! Returns as the API shows them: a return taken (the contract's `{id, location_id, refund,
//! credit_note}` and more), a purchase found for a return with what is still returnable, and a
//! merchant's return policy.

use omnicanal_app::ids::rfc3339;
use omnicanal_app::returns::{CreatedExchange, CreatedReturn, FoundPurchase};
use omnicanal_domain::Money;
use omnicanal_domain::returns::ReturnPolicy;
use omnicanal_store::{ReturnLineRow, ReturnRecord, ReturnRow};
use serde::Serialize;
use utoipa::ToSchema;

use super::MoneyView;

/// The credit note (nota de crédito) issued for what was refunded.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreditNoteView {
    /// Its number in the merchant's series, `NC-<n>`, without gaps.
    pub number: String,
}

/// One returned line.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnLineView {
    /// SKU.
    pub sku: String,
    /// Units.
    pub quantity: i64,
    /// What they gave back (the price paid after discounts, pro rata).
    pub refund: MoneyView,
    /// Whether they went back into this location's on-hand.
    pub restocked: bool,
    /// `resellable` or `damaged` (the damaged bin).
    pub condition: String,
}

/// A return.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnView {
    /// The return's id.
    pub id: String,
    /// Where it was taken (restocked units went here).
    pub location_id: String,
    /// What went back to the customer.
    pub refund: MoneyView,
    /// The credit note.
    pub credit_note: CreditNoteView,
    /// `order` or `sale`.
    pub source: String,
    /// The order's or sale's id.
    pub source_id: String,
    /// The order number or receipt number (in the answer to a new return).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purchase_label: Option<String>,
    /// `original` or `store_credit`.
    pub refund_to: String,
    /// How the money went: `card` (a refund payment job), `cash` (out of a till session),
    /// `store_credit` or `none`.
    pub refund_method: String,
    /// The card refund's payment job.
    pub payment_job_id: Option<String>,
    /// The till session the cash came out of.
    pub session_id: Option<String>,
    /// Why.
    pub reason: String,
    /// Policy rules a manager's override set aside (`outside_window`, `final_sale`, `no_receipt`).
    pub overridden: Vec<String>,
    /// The manager who overrode.
    pub override_by: Option<String>,
    /// The lines.
    pub lines: Vec<ReturnLineView>,
    /// When (RFC 3339).
    pub created_at: String,
    /// An exchange's new items and the difference (in the answer to a new exchange).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<ExchangeView>,
}

/// One new item of an exchange.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeLineView {
    /// SKU.
    pub sku: String,
    /// Units (taken from this location's stock).
    pub quantity: i64,
    /// Its unit price today.
    pub unit_price: MoneyView,
    /// The line's total after the engine's discounts.
    pub total: MoneyView,
}

/// An exchange: the new items priced today and the difference that moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeView {
    /// The new items.
    pub lines: Vec<ExchangeLineView>,
    /// What they cost today.
    pub total: MoneyView,
    /// `total` minus what the returned lines were worth: positive, the customer paid it at
    /// the till; negative, it was refunded (the return's `refund`); zero, nothing moved.
    pub difference: MoneyView,
    /// Change given back from the cash tendered.
    pub change: MoneyView,
    /// The till session the customer's payment went into.
    pub session_id: Option<String>,
    /// How the customer paid a positive difference; empty when it was refunded (by the
    /// return's `refund_method`) or nothing moved.
    pub payments: Vec<ExchangePaymentView>,
}

/// One tender of an exchange's difference.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangePaymentView {
    /// `cash` or `external_card`.
    pub method: String,
    /// What it paid of the difference.
    pub amount: MoneyView,
    /// Cash handed over.
    pub tendered: Option<MoneyView>,
    /// An external terminal's approval code.
    pub reference: Option<String>,
}

impl From<CreatedExchange> for ExchangeView {
    fn from(exchange: CreatedExchange) -> Self {
        let money = |amount| MoneyView::from_parts(amount, exchange.currency);
        Self {
            lines: exchange
                .lines
                .iter()
                .map(|line| ExchangeLineView {
                    sku: line.sku.clone(),
                    quantity: line.quantity,
                    unit_price: money(line.unit_price_minor),
                    total: money(line.total_minor),
                })
                .collect(),
            total: money(exchange.total_minor),
            difference: money(exchange.difference_minor),
            change: money(exchange.change_minor),
            session_id: exchange.session_id.clone(),
            payments: exchange
                .payments
                .iter()
                .map(|payment| ExchangePaymentView {
                    method: payment.method.clone(),
                    amount: money(payment.amount_minor),
                    tendered: payment.tendered_minor.map(money),
                    reference: payment.reference.clone(),
                })
                .collect(),
        }
    }
}

fn line_view(line: &ReturnLineRow, ret: &ReturnRow) -> ReturnLineView {
    ReturnLineView {
        sku: line.sku.clone(),
        quantity: line.quantity,
        refund: MoneyView::from_parts(line.refund_minor, ret.currency),
        restocked: line.restocked,
        condition: line.condition.as_str().to_owned(),
    }
}

impl From<ReturnRecord> for ReturnView {
    fn from(record: ReturnRecord) -> Self {
        let ret = &record.ret;
        Self {
            id: ret.id.clone(),
            location_id: ret.location_id.clone(),
            refund: MoneyView::from_parts(ret.refund_minor, ret.currency),
            credit_note: CreditNoteView { number: ret.credit_note_number.clone() },
            source: ret.source.as_str().to_owned(),
            source_id: ret.source_id.clone(),
            purchase_label: None,
            refund_to: ret.refund_to.as_str().to_owned(),
            refund_method: ret.refund_method.as_str().to_owned(),
            payment_job_id: ret.payment_job_id.clone(),
            session_id: ret.session_id.clone(),
            reason: ret.reason.clone(),
            overridden: ret.overridden.iter().map(|b| b.as_str().to_owned()).collect(),
            override_by: ret.override_by.clone(),
            lines: record.lines.iter().map(|line| line_view(line, ret)).collect(),
            created_at: rfc3339(ret.created_at_ms),
            exchange: None,
        }
    }
}

impl From<CreatedReturn> for ReturnView {
    fn from(created: CreatedReturn) -> Self {
        let mut view = ReturnView::from(created.record);
        view.purchase_label = Some(created.purchase_label);
        view.exchange = created.exchange.map(ExchangeView::from);
        view
    }
}

/// One line of a purchase found for a return.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnableLineView {
    /// SKU.
    pub sku: String,
    /// Name when sold, when kept.
    pub name: Option<String>,
    /// Units bought.
    pub bought: i64,
    /// Units already returned.
    pub returned: i64,
    /// Units that may still come back.
    pub returnable: i64,
    /// What the line paid after every discount.
    pub paid: MoneyView,
}

/// An earlier return of the purchase.
#[derive(Debug, Serialize, ToSchema)]
pub struct EarlierReturnView {
    /// The return.
    pub id: String,
    /// Its credit note.
    pub credit_note: String,
    /// What it refunded.
    pub refund: MoneyView,
    /// When.
    pub created_at: String,
}

/// A purchase found for a return.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnablePurchaseView {
    /// `order` or `sale`: send its id as `order_id` or `sale_id`.
    pub source: String,
    /// The order's or sale's id.
    pub id: String,
    /// The order number or the till receipt's number.
    pub label: String,
    /// Where it was bought.
    pub location_id: String,
    /// When (RFC 3339).
    pub purchased_at: String,
    /// The customer's e-mail, when known.
    pub customer_email: Option<String>,
    /// The customer's phone, when known.
    pub customer_phone: Option<String>,
    /// How it was paid: an order's method, or a sale's tenders joined by `+`.
    pub paid_with: String,
    /// Its lines (of an order: the merchant's handed-over lines).
    pub lines: Vec<ReturnableLineView>,
    /// Its earlier returns.
    pub returns: Vec<EarlierReturnView>,
    /// Policy rules a return of it would break today (with the receipt): a manager's override
    /// is needed for them.
    pub policy_breaches: Vec<String>,
}

impl From<FoundPurchase> for ReturnablePurchaseView {
    fn from(found: FoundPurchase) -> Self {
        let purchase = found.purchase;
        let paid_with = match &purchase.order_payment {
            Some((method, _)) => method.as_str().to_owned(),
            None => purchase.sale_tenders.iter().map(|t| t.as_str()).collect::<Vec<_>>().join("+"),
        };
        Self {
            source: purchase.source.as_str().to_owned(),
            id: purchase.id,
            label: purchase.label,
            location_id: purchase.location_id,
            purchased_at: rfc3339(purchase.purchased_at_ms),
            customer_email: purchase.customer_email,
            customer_phone: purchase.customer_phone,
            paid_with,
            lines: found
                .lines
                .into_iter()
                .map(|line| ReturnableLineView {
                    sku: line.sku,
                    name: line.name,
                    bought: line.bought,
                    returned: line.returned,
                    returnable: line.returnable,
                    paid: line.paid.into(),
                })
                .collect(),
            returns: found
                .returns
                .into_iter()
                .map(|ret| EarlierReturnView {
                    id: ret.id,
                    credit_note: ret.credit_note_number,
                    refund: Money::new(ret.refund_minor, ret.currency).into(),
                    created_at: rfc3339(ret.created_at_ms),
                })
                .collect(),
            policy_breaches: found.breaches.iter().map(|b| b.as_str().to_owned()).collect(),
        }
    }
}

/// A merchant's return policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnPolicyView {
    /// Days after the purchase a return is taken without a manager's override.
    pub window_days: i64,
    /// Whether a return needs the receipt.
    pub needs_receipt: bool,
    /// SKUs sold as final sale (never returned without an override).
    pub final_sale_skus: Vec<String>,
}

impl From<ReturnPolicy> for ReturnPolicyView {
    fn from(policy: ReturnPolicy) -> Self {
        Self {
            window_days: policy.window_days(),
            needs_receipt: policy.needs_receipt(),
            final_sale_skus: policy.final_sale_skus().to_vec(),
        }
    }
}
