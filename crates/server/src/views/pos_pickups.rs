//! Pay-at-pickup orders at the till as the API shows them: a part found by its pickup code,
//! and its collection.

use omnicanal_app::ids::rfc3339;
use omnicanal_app::pos::pickups::{PickupAtTill, PickupCollected};
use omnicanal_app::pos::terminal::TerminalApproval;
use omnicanal_domain::Currency;
use omnicanal_store::{PickupCollectionRow, PickupPaymentRow};
use serde::Serialize;
use utoipa::ToSchema;

use super::{MoneyView, OrderView};

/// One line of the part, as the cashier reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PickupLineView {
    /// SKU.
    pub sku: String,
    /// Product name when sold (the SKU for older lines).
    pub name: String,
    /// Units.
    pub quantity: i64,
    /// Price of one.
    pub unit_price: MoneyView,
    /// What the line costs.
    pub total: MoneyView,
}

/// One tender of a collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct PickupPaymentView {
    /// `cash`, `card` or `external_card`.
    pub method: String,
    /// What it paid (cash net of change).
    pub amount: MoneyView,
    /// Cash handed over.
    pub tendered: Option<MoneyView>,
    /// The terminal's reference, or the external terminal's approval code.
    pub reference: Option<String>,
    /// The till terminal's approval code, for `card` (only in the collection's answer).
    pub approval_code: Option<String>,
}

impl PickupPaymentView {
    fn new(payment: PickupPaymentRow, approval: Option<TerminalApproval>, currency: Currency) -> Self {
        Self {
            method: payment.method.to_string(),
            amount: MoneyView::from_parts(payment.amount_minor, currency),
            tendered: payment.tendered_minor.map(|t| MoneyView::from_parts(t, currency)),
            reference: payment.reference,
            approval_code: approval.map(|a| a.approval_code),
        }
    }
}

/// A part's collection at a till.
#[derive(Debug, Serialize, ToSchema)]
pub struct PickupCollectionView {
    /// The session that took the money.
    pub session_id: String,
    /// Its till.
    pub device_id: String,
    /// What was paid.
    pub amount: MoneyView,
    /// Cash given back.
    pub change: MoneyView,
    /// When.
    pub collected_at: String,
    /// The tenders.
    pub payments: Vec<PickupPaymentView>,
}

impl PickupCollectionView {
    fn new((collection, payments): (PickupCollectionRow, Vec<PickupPaymentRow>)) -> Self {
        let currency = collection.currency;
        Self {
            session_id: collection.session_id,
            device_id: collection.device_id,
            amount: MoneyView::from_parts(collection.amount_minor, currency),
            change: MoneyView::from_parts(collection.change_minor, currency),
            collected_at: rfc3339(collection.created_at_ms),
            payments: payments.into_iter().map(|p| PickupPaymentView::new(p, None, currency)).collect(),
        }
    }
}

/// A part found by its pickup code at a till.
#[derive(Debug, Serialize, ToSchema)]
pub struct PickupView {
    /// The part: collect it with `POST /pos/pickups/{fulfillment_id}/collect`.
    pub fulfillment_id: String,
    /// Its order.
    pub order_id: String,
    /// The order's number, called out at the counter.
    pub order_number: i64,
    /// The channel it came through.
    pub channel: String,
    /// placed, accepted, preparing, ready (collectable), collected, rejected or cancelled.
    pub status: String,
    /// The code the customer showed.
    pub pickup_code: String,
    /// Who picks it up.
    pub customer_name: String,
    /// Their phone, when given.
    pub customer_phone: Option<String>,
    /// `card` (paid online: nothing to collect) or `pay_at_pickup`.
    pub payment_method: String,
    /// What the part costs.
    pub subtotal: MoneyView,
    /// What the customer pays now ("COBRAR AL RETIRAR"); zero once paid.
    pub to_collect: MoneyView,
    /// The part's lines.
    pub lines: Vec<PickupLineView>,
    /// Its collection at a till, once collected there.
    pub collection: Option<PickupCollectionView>,
}

impl From<PickupAtTill> for PickupView {
    fn from(found: PickupAtTill) -> Self {
        let PickupAtTill { order, part, to_collect, collection } = found;
        let currency = part.currency;
        Self {
            fulfillment_id: part.id,
            order_id: order.id,
            order_number: order.number,
            channel: order.channel.to_string(),
            status: part.status.to_string(),
            pickup_code: part.pickup_code,
            customer_name: order.customer_name,
            customer_phone: order.customer_phone,
            payment_method: order.payment_method.as_str().to_owned(),
            subtotal: MoneyView::from_parts(part.subtotal_minor, currency),
            to_collect: to_collect.into(),
            lines: part
                .lines
                .into_iter()
                .map(|line| PickupLineView {
                    name: line.pricing.name.clone().unwrap_or_else(|| line.sku.clone()),
                    sku: line.sku,
                    quantity: line.quantity,
                    unit_price: MoneyView::from_parts(line.unit_price_minor, currency),
                    total: MoneyView::from_parts(line.total_minor, currency),
                })
                .collect(),
            collection: collection.map(PickupCollectionView::new),
        }
    }
}

/// A part collected at the till.
#[derive(Debug, Serialize, ToSchema)]
pub struct PickupCollectedView {
    /// The part.
    pub fulfillment_id: String,
    /// `collected`.
    pub status: String,
    /// What was paid.
    pub amount: MoneyView,
    /// Cash given back.
    pub change: MoneyView,
    /// The tenders, with the terminal's approval code for a card.
    pub payments: Vec<PickupPaymentView>,
    /// The order as it now stands (staff's view: no codes, no token).
    pub order: OrderView,
}

impl From<PickupCollected> for PickupCollectedView {
    fn from(collected: PickupCollected) -> Self {
        let currency = collected.part.currency;
        Self {
            fulfillment_id: collected.part.id.clone(),
            status: collected.part.status.to_string(),
            amount: collected.amount.into(),
            change: collected.change.into(),
            payments: collected
                .payments
                .into_iter()
                .map(|(payment, approval)| PickupPaymentView::new(payment, approval, currency))
                .collect(),
            order: OrderView::new(&collected.order, false),
        }
    }
}
