//! The commands of a return, parsed once at the edge with every bad field reported.

use omnicanal_domain::catalog::Sku;
use omnicanal_domain::pos::{Tender, TenderMethod};
use omnicanal_domain::returns::{ItemCondition, RefundTo};

use super::{MAX_LINE_QUANTITY, MAX_REASON_CHARS, MAX_RETURN_LINES};
use crate::error::AppResult;
use crate::pos::sales::PaymentInput;
use crate::validation::Validator;

/// Most tenders an exchange's difference is paid with.
const MAX_EXCHANGE_PAYMENTS: usize = 10;
/// Longest approval code of an external terminal.
const MAX_REFERENCE_CHARS: usize = 64;

/// A new item of an exchange as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeLineInput {
    /// The SKU taken instead.
    pub sku: String,
    /// Units.
    pub quantity: i64,
}

/// A validated new item of an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeLine {
    /// The SKU.
    pub sku: Sku,
    /// Units (1 to 9 999).
    pub quantity: i64,
}

/// A validated tender of an exchange's difference: cash (with change) or an external
/// terminal's card payment with its approval code. The till's own terminal, gift cards and
/// store credit are not taken for a difference yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeTender {
    /// The tender.
    pub tender: Tender,
    /// The external terminal's approval code.
    pub reference: Option<String>,
}

/// What is returned: an order (any channel) or a till sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PurchaseRef {
    /// An order's id.
    Order(String),
    /// A till sale's id.
    Sale(String),
}

/// A return's line as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnLineInput {
    /// The SKU.
    pub sku: String,
    /// Units.
    pub quantity: i64,
    /// Back into this location's stock.
    pub restock: bool,
    /// `resellable` or `damaged`, when said (damaged is never restocked).
    pub condition: Option<String>,
}

/// A manager's override of the policy as sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReturnOverride {
    /// An approval a manager gave by PIN at a till of this location (staff send it).
    pub approval_id: Option<String>,
    /// Why the policy is set aside.
    pub reason: String,
}

/// A return as the edge received it (the contract's body, plus optional fields).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateReturnInput {
    /// The order returned from.
    pub order_id: Option<String>,
    /// Or the till sale.
    pub sale_id: Option<String>,
    /// Where the return is taken.
    pub location_id: String,
    /// What comes back.
    pub lines: Vec<ReturnLineInput>,
    /// `original` or `store_credit`.
    pub refund_to: String,
    /// Why.
    pub reason: String,
    /// The till paying cash back (default: an open session at the location).
    pub device_id: Option<String>,
    /// Whether the customer brought the receipt (default: yes, the purchase is named by id).
    pub has_receipt: Option<bool>,
    /// A manager's override of the policy.
    pub override_: Option<ReturnOverride>,
    /// The store-credit holder (e-mail or phone) when the purchase has none.
    pub customer: Option<String>,
    /// An exchange: the items taken instead, priced today at this location.
    pub exchange_lines: Vec<ExchangeLineInput>,
    /// The open till session the customer pays a difference into (default: the till's).
    pub session_id: Option<String>,
    /// How the customer pays a difference (as a till sale's payments).
    pub payments: Vec<PaymentInput>,
}

/// A validated return line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLine {
    /// The SKU.
    pub sku: Sku,
    /// Units (1 to 9 999).
    pub quantity: i64,
    /// Back to stock (false when damaged).
    pub restock: bool,
    /// Its condition.
    pub condition: ItemCondition,
}

/// A validated return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateReturn {
    /// What is returned.
    pub purchase: PurchaseRef,
    /// Where.
    pub location_id: String,
    /// The lines.
    pub lines: Vec<ParsedLine>,
    /// Where the money goes.
    pub refund_to: RefundTo,
    /// Why.
    pub reason: String,
    /// The till paying cash back.
    pub device_id: Option<String>,
    /// Whether the receipt was shown.
    pub has_receipt: bool,
    /// A manager's override.
    pub override_: Option<ReturnOverride>,
    /// The store-credit holder named in the request.
    pub customer: Option<String>,
    /// An exchange's new items (empty: a plain return).
    pub exchange_lines: Vec<ExchangeLine>,
    /// The session a difference is paid into.
    pub session_id: Option<String>,
    /// The tenders of a difference the customer pays.
    pub payments: Vec<ExchangeTender>,
}

fn text_ok(text: &str, max: usize) -> bool {
    !text.is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control)
}

fn id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 100 && !id.chars().any(char::is_control)
}

impl CreateReturn {
    /// Parses a return, reporting every bad field at once.
    pub fn parse(input: CreateReturnInput) -> AppResult<Self> {
        let mut v = Validator::new();
        let order_id = input.order_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
        let sale_id = input.sale_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
        let purchase = match (order_id, sale_id) {
            (Some(order), None) if id_ok(&order) => Some(PurchaseRef::Order(order)),
            (None, Some(sale)) if id_ok(&sale) => Some(PurchaseRef::Sale(sale)),
            (Some(_), Some(_)) => {
                v.push("order_id", "give order_id or sale_id, not both");
                None
            }
            (None, None) => {
                v.push("order_id", "give order_id or sale_id");
                None
            }
            (Some(_), None) => {
                v.push("order_id", "must be 1 to 100 characters");
                None
            }
            (None, Some(_)) => {
                v.push("sale_id", "must be 1 to 100 characters");
                None
            }
        };
        let location_id = input.location_id.trim().to_owned();
        if !id_ok(&location_id) {
            v.push("location_id", "must be 1 to 100 characters");
        }
        if input.lines.is_empty() || input.lines.len() > MAX_RETURN_LINES {
            v.push("lines", format!("must have 1 to {MAX_RETURN_LINES} lines"));
        }
        let mut lines = Vec::with_capacity(input.lines.len());
        for (index, line) in input.lines.iter().enumerate() {
            let sku = v.check(&format!("lines[{index}].sku"), Sku::parse(&line.sku));
            if !(1..=MAX_LINE_QUANTITY).contains(&line.quantity) {
                v.push(format!("lines[{index}].quantity"), format!("must be 1 to {MAX_LINE_QUANTITY}"));
            }
            let condition = match line.condition.as_deref() {
                None if line.restock => Some(ItemCondition::Resellable),
                None => Some(ItemCondition::Damaged),
                Some(raw) => v.check(&format!("lines[{index}].condition"), ItemCondition::parse(raw.trim())),
            };
            if line.restock && condition == Some(ItemCondition::Damaged) {
                v.push(format!("lines[{index}].restock"), "a damaged item goes to the damaged bin, not back to stock");
            }
            if let (Some(sku), Some(condition)) = (sku, condition) {
                lines.push(ParsedLine { sku, quantity: line.quantity, restock: line.restock, condition });
            }
        }
        let refund_to = v.check("refund_to", RefundTo::parse(input.refund_to.trim()));
        let reason = input.reason.trim().to_owned();
        if !text_ok(&reason, MAX_REASON_CHARS) {
            v.push("reason", format!("must be 1 to {MAX_REASON_CHARS} characters without control characters"));
        }
        let device_id = input.device_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
        if device_id.as_deref().is_some_and(|id| !id_ok(id)) {
            v.push("device_id", "must be 1 to 100 characters");
        }
        let override_ = input.override_.map(|mut given| {
            given.reason = given.reason.trim().to_owned();
            given.approval_id = given.approval_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
            given
        });
        if let Some(given) = &override_ {
            if !text_ok(&given.reason, MAX_REASON_CHARS) {
                v.push(
                    "override.reason",
                    format!("must be 1 to {MAX_REASON_CHARS} characters without control characters"),
                );
            }
            if given.approval_id.as_deref().is_some_and(|id| !id_ok(id)) {
                v.push("override.approval_id", "must be 1 to 100 characters");
            }
        }
        let customer = input.customer.map(|customer| customer.trim().to_owned()).filter(|c| !c.is_empty());
        if customer.as_deref().is_some_and(|customer| !text_ok(customer, 254)) {
            v.push("customer", "must be an e-mail or a phone number");
        }
        if input.exchange_lines.len() > MAX_RETURN_LINES {
            v.push("exchange_lines", format!("must have at most {MAX_RETURN_LINES} lines"));
        }
        let mut exchange_lines = Vec::with_capacity(input.exchange_lines.len());
        for (index, line) in input.exchange_lines.iter().enumerate() {
            let sku = v.check(&format!("exchange_lines[{index}].sku"), Sku::parse(&line.sku));
            if !(1..=MAX_LINE_QUANTITY).contains(&line.quantity) {
                v.push(format!("exchange_lines[{index}].quantity"), format!("must be 1 to {MAX_LINE_QUANTITY}"));
            }
            if let Some(sku) = sku {
                exchange_lines.push(ExchangeLine { sku, quantity: line.quantity });
            }
        }
        let session_id = input.session_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
        if session_id.as_deref().is_some_and(|id| !id_ok(id)) {
            v.push("session_id", "must be 1 to 100 characters");
        }
        if !input.payments.is_empty() && input.exchange_lines.is_empty() {
            v.push("payments", "only an exchange is paid: give exchange_lines");
        }
        if input.payments.len() > MAX_EXCHANGE_PAYMENTS {
            v.push("payments", format!("must have at most {MAX_EXCHANGE_PAYMENTS} payments"));
        }
        let mut payments = Vec::with_capacity(input.payments.len());
        for (index, payment) in input.payments.into_iter().enumerate() {
            if let Some(tender) = exchange_tender(&mut v, index, payment) {
                payments.push(tender);
            }
        }
        v.done(|| {
            Some(Self {
                purchase: purchase?,
                location_id,
                lines,
                refund_to: refund_to?,
                reason,
                device_id,
                has_receipt: input.has_receipt.unwrap_or(true),
                override_,
                customer,
                exchange_lines,
                session_id,
                payments,
            })
        })
    }
}

/// One tender of an exchange's difference, checked (its amounts against the difference when
/// the exchange is priced).
fn exchange_tender(v: &mut Validator, index: usize, payment: PaymentInput) -> Option<ExchangeTender> {
    let field = format!("payments[{index}]");
    let method = v.check(&format!("{field}.method"), TenderMethod::parse(payment.method.trim()));
    let reference = payment.reference.map(|text| text.trim().to_owned()).filter(|text| !text.is_empty());
    if reference.as_deref().is_some_and(|text| !text_ok(text, MAX_REFERENCE_CHARS)) {
        v.push(format!("{field}.reference"), format!("must be 1 to {MAX_REFERENCE_CHARS} characters"));
    }
    if payment.card_number.is_some() {
        v.push(format!("{field}.card_number"), "an exchange's difference is paid in cash or on an external terminal");
    }
    match method? {
        TenderMethod::Cash => {}
        TenderMethod::ExternalCard if reference.is_none() => {
            v.push(format!("{field}.reference"), "type the external terminal's approval code");
            return None;
        }
        TenderMethod::ExternalCard => {}
        TenderMethod::Card | TenderMethod::GiftCard | TenderMethod::StoreCredit => {
            v.push(format!("{field}.method"), "an exchange's difference is paid in cash or external_card");
            return None;
        }
    }
    Some(ExchangeTender {
        tender: Tender { method: method?, amount: payment.amount, tendered: payment.tendered },
        reference,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    fn fields(input: CreateReturnInput) -> Vec<String> {
        match CreateReturn::parse(input) {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn every_bad_field_is_named() {
        let input = CreateReturnInput {
            order_id: Some("ord_1".into()),
            sale_id: Some("sal_1".into()),
            location_id: " ".into(),
            lines: vec![ReturnLineInput {
                sku: "bad sku".into(),
                quantity: 0,
                restock: true,
                condition: Some("damaged".into()),
            }],
            refund_to: "cheque".into(),
            reason: "".into(),
            ..Default::default()
        };
        assert_eq!(
            fields(input),
            vec![
                "order_id",
                "location_id",
                "lines[0].sku",
                "lines[0].quantity",
                "lines[0].restock",
                "refund_to",
                "reason"
            ]
        );
    }

    #[test]
    fn a_good_return_parses() {
        let input = CreateReturnInput {
            order_id: Some("ord_1".into()),
            location_id: "loc_1".into(),
            lines: vec![ReturnLineInput { sku: "TEE-M".into(), quantity: 1, restock: false, condition: None }],
            refund_to: "original".into(),
            reason: "too small".into(),
            ..Default::default()
        };
        let parsed = CreateReturn::parse(input).ok();
        assert_eq!(parsed.map(|p| p.lines[0].condition), Some(ItemCondition::Damaged));
    }

    #[test]
    fn an_exchange_names_every_bad_new_item_and_tender() {
        let money = |amount| omnicanal_domain::Money::new(amount, omnicanal_domain::Currency::Clp);
        let input = CreateReturnInput {
            order_id: Some("ord_1".into()),
            location_id: "loc_1".into(),
            lines: vec![ReturnLineInput { sku: "TEE-M".into(), quantity: 1, restock: true, condition: None }],
            refund_to: "original".into(),
            reason: "size".into(),
            exchange_lines: vec![ExchangeLineInput { sku: "bad sku".into(), quantity: 0 }],
            payments: vec![
                PaymentInput {
                    method: "card".into(),
                    amount: money(100),
                    tendered: None,
                    reference: None,
                    card_number: None,
                },
                PaymentInput {
                    method: "external_card".into(),
                    amount: money(100),
                    tendered: None,
                    reference: None,
                    card_number: None,
                },
            ],
            ..Default::default()
        };
        assert_eq!(
            fields(input),
            vec!["exchange_lines[0].sku", "exchange_lines[0].quantity", "payments[0].method", "payments[1].reference"]
        );
    }
}
