//! Returns and exchanges (issue 17 point 6): a merchant's return policy, a purchase as a
//! return sees it (its lines with what was already returned of each), and a return with its
//! lines, its credit note and how its money went back.

use omnicanal_domain::Currency;
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::pos::TenderMethod;
use omnicanal_domain::returns::{ItemCondition, PolicyBreach, RefundMethod, RefundTo, ReturnSource};

use super::{NewCreditEntry, NewEvent};

/// A merchant's return policy as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnPolicyRow {
    /// The merchant.
    pub merchant_id: String,
    /// Days after the purchase a return is taken without an override.
    pub window_days: i64,
    /// Whether a return needs the receipt.
    pub needs_receipt: bool,
    /// SKUs sold as final sale.
    pub final_sale_skus: Vec<String>,
    /// Who set it.
    pub updated_by: Option<String>,
    /// When.
    pub updated_at_ms: i64,
}

/// One purchased line, with what was already returned of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseLineRow {
    /// The order's part, or the sale, the line belongs to.
    pub part_id: String,
    /// Its position there.
    pub position: i64,
    /// The SKU.
    pub sku: String,
    /// Its name, when the line kept one.
    pub name: Option<String>,
    /// Units bought.
    pub quantity: i64,
    /// What the line's units paid together (after the engine's discounts).
    pub total_minor: i64,
    /// Whether the product counts stock (only then does a restock move on-hand).
    pub track_stock: bool,
    /// Units already returned.
    pub returned: i64,
}

/// A purchase as a return sees it: only the merchant's handed-over lines of an order, or a
/// till sale's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseRecord {
    /// An order or a till sale.
    pub source: ReturnSource,
    /// The order's or the sale's id.
    pub id: String,
    /// What the customer's receipt shows: the order number or the sale's receipt number.
    pub label: String,
    /// The merchant whose lines these are.
    pub merchant_id: String,
    /// Where it was bought (an order's first part of the merchant).
    pub location_id: String,
    /// When.
    pub purchased_at_ms: i64,
    /// Its currency.
    pub currency: Currency,
    /// What the merchant's lines came to in the end (a sale's total after its manual
    /// discount; an order's parts' subtotals).
    pub paid_total_minor: i64,
    /// An order's payment method and the card's reference.
    pub order_payment: Option<(PaymentMethod, Option<String>)>,
    /// A sale's tender methods.
    pub sale_tenders: Vec<TenderMethod>,
    /// A sale's card charged on the till's terminal, and how much of it returns already gave back.
    pub sale_card: Option<SaleCardCharge>,
    /// What gift cards and store credit paid of an order's lines of this merchant, and what
    /// returns already refunded to its card (issue 17 point 8).
    pub order_credit: OrderCreditPaid,
    /// The customer's e-mail, when known.
    pub customer_email: Option<String>,
    /// The customer's phone, when known.
    pub customer_phone: Option<String>,
    /// The lines, by part and position.
    pub lines: Vec<PurchaseLineRow>,
    /// Parts of the merchant not yet handed over (their lines are not returnable).
    pub parts_not_handed_over: i64,
}

/// A return as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnRow {
    /// Opaque id.
    pub id: String,
    /// The merchant.
    pub merchant_id: String,
    /// Where it was taken (and where restocked units went).
    pub location_id: String,
    /// What it returns.
    pub source: ReturnSource,
    /// The order's or sale's id.
    pub source_id: String,
    /// Currency.
    pub currency: Currency,
    /// What went back to the customer.
    pub refund_minor: i64,
    /// Where the customer asked it to go.
    pub refund_to: RefundTo,
    /// How it went.
    pub refund_method: RefundMethod,
    /// The till session the cash came out of.
    pub session_id: Option<String>,
    /// Its till.
    pub device_id: Option<String>,
    /// The card refund's payment job.
    pub payment_job_id: Option<String>,
    /// The store-credit holder's key.
    pub customer_key: Option<String>,
    /// The credit note's number in the merchant's series (set by the store).
    pub credit_note_n: i64,
    /// The credit note as printed, `NC-<n>` (set by the store).
    pub credit_note_number: String,
    /// Why the customer returned it.
    pub reason: String,
    /// The policy rules a manager's override set aside.
    pub overridden: Vec<PolicyBreach>,
    /// The manager who overrode.
    pub override_by: Option<String>,
    /// Their reason.
    pub override_reason: Option<String>,
    /// Who took the return.
    pub created_by: Option<String>,
    /// When.
    pub created_at_ms: i64,
}

/// One line of a return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnLineRow {
    /// Its position in the return.
    pub position: i64,
    /// The purchased line's part (or sale).
    pub source_part: String,
    /// The purchased line's position.
    pub source_position: i64,
    /// The SKU.
    pub sku: String,
    /// Units.
    pub quantity: i64,
    /// What they gave back.
    pub refund_minor: i64,
    /// Whether they went back into the location's on-hand.
    pub restocked: bool,
    /// Their condition.
    pub condition: ItemCondition,
}

/// A return with its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnRecord {
    /// The return.
    pub ret: ReturnRow,
    /// Its lines.
    pub lines: Vec<ReturnLineRow>,
}

/// The card refund a return owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwedCardRefund {
    /// The order.
    pub order_id: String,
    /// The part the refund is booked against (its first returned line's).
    pub fulfillment_id: String,
    /// The capture's reference.
    pub payment_reference: String,
    /// Whether the till's terminal took the card (a till sale) rather than the order provider.
    pub on_terminal: bool,
}

/// The card tender of a till sale as a return sees it: the terminal's charge, and how much of
/// it earlier returns gave back to the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleCardCharge {
    /// The terminal's reference of the charge.
    pub reference: String,
    /// What the card paid.
    pub amount_minor: i64,
    /// What earlier returns refunded to it.
    pub refunded_minor: i64,
}

impl SaleCardCharge {
    /// What the card can still be refunded.
    pub fn refundable_minor(&self) -> i64 {
        (self.amount_minor - self.refunded_minor).max(0)
    }
}

/// The part of an order's lines (of one merchant) paid by gift cards and store credit (when
/// placed, or at the till when collected), the balances it came from, and what returns already
/// gave back by card or in cash: a return never refunds by card or cash more than they paid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderCreditPaid {
    /// The balances spent on the merchant's parts, first spent first.
    pub holders: Vec<crate::CreditHolderKey>,
    /// What they paid, less what voided parts gave back.
    pub credit_kept_minor: i64,
    /// What earlier returns refunded to the order's card or in cash.
    pub card_refunded_minor: i64,
}

/// A return to record in one transaction.
#[derive(Debug, Clone)]
pub struct NewReturn {
    /// The return (`credit_note_*` are filled in by the store).
    pub ret: ReturnRow,
    /// Its lines.
    pub lines: Vec<ReturnLineRow>,
    /// What was already returned of each line the plan was made with, as `(part, position,
    /// returned, bought)`: a different count inside the transaction is `StaleState` (another
    /// till returned meanwhile; the use case plans again), more than bought is refused.
    pub expected: Vec<(String, i64, i64, i64)>,
    /// A card refund to queue.
    pub card_refund: Option<OwedCardRefund>,
    /// The session's `pos.session_changed` for cash paid out (its reason gets the credit
    /// note's number).
    pub session_event: Option<NewEvent>,
    /// The store credit to grant the customer (`source_kind` `return`, `source_id` the
    /// return's id), in the same transaction.
    pub credit: Option<NewCreditEntry>,
    /// The new items of an exchange, taken from the return's location's stock in the same
    /// transaction (short: `InsufficientStock`, nothing recorded).
    pub exchange: Option<NewExchange>,
}

/// An exchange's new items and what the customer paid of the difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExchange {
    /// What the returned lines were worth.
    pub returned_minor: i64,
    /// What the new items cost today.
    pub new_total_minor: i64,
    /// `new_total_minor - returned_minor`: positive the customer pays it, negative refunded.
    pub difference_minor: i64,
    /// The open session the customer's payment goes into (locked, its cash counted).
    pub session_id: Option<String>,
    /// Cash the customer handed over beyond the difference, given back.
    pub change_minor: i64,
    /// The tenders as applied (they add up to the difference when the customer pays).
    pub payments: Vec<ExchangePayment>,
    /// The new items.
    pub lines: Vec<ExchangeLineRow>,
}

/// One tender of an exchange's difference.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExchangePayment {
    /// `cash` or `external_card`.
    pub method: String,
    /// What it pays of the difference.
    pub amount_minor: i64,
    /// Cash handed over.
    pub tendered_minor: Option<i64>,
    /// An external terminal's approval code.
    pub reference: Option<String>,
}

/// One new item of an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeLineRow {
    /// The SKU.
    pub sku: String,
    /// Units.
    pub quantity: i64,
    /// Its unit price today.
    pub unit_price_minor: i64,
    /// The line's total after the engine's discounts.
    pub total_minor: i64,
    /// Whether its units come out of on-hand.
    pub track_stock: bool,
}
