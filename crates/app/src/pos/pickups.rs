//! The till collects the pay-at-pickup orders of its location by pickup code (issue 14
//! point 4).
//!
//! The customer shows the code (typed, or scanned from the order page's QR); the till finds
//! the location's part with that code and shows what is owed, the cashier takes cash (with
//! change), the till's card terminal, an external terminal, a gift card or the customer's
//! store credit (spent in the handover's transaction, never below zero), and the part is
//! handed over.
//! Why a use case of its own rather than the display's `collected` transition: the money is
//! received in the till's open session, so the session's expected cash includes it, and it is
//! recorded in the same transaction as the handover (the transition's own capture and stock
//! sale included), so a part is never handed over unpaid nor paid twice.
//!
//! Who may: staff of the till's location, its merchant's manager, admins; a code of another
//! location or merchant is simply not found.

use omnicanal_domain::Money;
use omnicanal_domain::events::{DomainEvent, PosSessionChanged, SessionAction};
use omnicanal_domain::fulfillment::{Actor, FulfillmentStatus, TransitionRequest, plan_transition};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::pos::{Tender, TenderMethod, settle_tenders};
use omnicanal_store::{
    FulfillmentChange, FulfillmentRecord, NewEvent, NewPickupCollection, OrderRecord, OrderRow, PickupCollectionRow,
    PickupPaymentRow, Preparation,
};

use super::sales::{MAX_PAYMENTS, MAX_REFERENCE_CHARS, PaymentInput};
use super::terminal::TerminalApproval;
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// Longest pickup code looked up (codes are four digits; a scanner may add nothing else).
pub const MAX_CODE_CHARS: usize = 12;

/// What a wrong code is: not found at this till's location.
const NO_SUCH_CODE: &str = "order with this pickup code at this location";

/// A pickup code as typed or scanned: digits only, spaces trimmed.
pub fn parse_pickup_code(raw: &str) -> AppResult<String> {
    let code = raw.trim();
    if code.is_empty() || code.len() > MAX_CODE_CHARS || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid(
            "code",
            format!("must be the order's pickup code: 1 to {MAX_CODE_CHARS} digits"),
        ));
    }
    Ok(code.to_owned())
}

/// A part as the till shows it before collecting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupAtTill {
    /// The order (customer, number, payment method).
    pub order: OrderRow,
    /// The part of this till's location.
    pub part: FulfillmentRecord,
    /// What the customer pays at the counter now (zero for a card order or once collected).
    pub to_collect: Money,
    /// Its collection at a till, once collected there.
    pub collection: Option<(PickupCollectionRow, Vec<PickupPaymentRow>)>,
}

/// Collecting a part at a till, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectPickup {
    /// The till's open session.
    pub session_id: String,
    /// The code the customer showed (checked against the part's when given).
    pub pickup_code: Option<String>,
    /// How it was paid (none for a part with nothing owed).
    pub payments: Vec<CollectPayment>,
}

/// One tender of a collection, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectPayment {
    /// The tender.
    pub tender: Tender,
    /// An external terminal's approval code.
    pub reference: Option<String>,
    /// The card, for the till's terminal.
    pub card_number: Option<String>,
}

impl CollectPickup {
    /// Parses a collection, reporting every bad field at once.
    pub fn parse(session_id: String, pickup_code: Option<String>, payments: Vec<PaymentInput>) -> AppResult<Self> {
        let mut v = Validator::new();
        if session_id.trim().is_empty() {
            v.push("session_id", "is required");
        }
        let pickup_code = match pickup_code.filter(|code| !code.trim().is_empty()) {
            Some(code) => match parse_pickup_code(&code) {
                Ok(code) => Some(code),
                Err(_) => {
                    v.push("pickup_code", format!("must be 1 to {MAX_CODE_CHARS} digits"));
                    None
                }
            },
            None => None,
        };
        if payments.len() > MAX_PAYMENTS {
            v.push("payments", format!("at most {MAX_PAYMENTS} payments"));
        }
        let payments: Vec<Option<CollectPayment>> =
            payments.into_iter().enumerate().map(|(index, payment)| check_payment(&mut v, index, payment)).collect();
        v.done(|| Some(Self { session_id, pickup_code, payments: payments.into_iter().collect::<Option<_>>()? }))
    }
}

fn check_payment(v: &mut Validator, index: usize, payment: PaymentInput) -> Option<CollectPayment> {
    let field = format!("payments[{index}]");
    let method = v.check(&format!("{field}.method"), TenderMethod::parse(&payment.method));
    let reference = payment.reference.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if reference.as_ref().is_some_and(|r| r.chars().count() > MAX_REFERENCE_CHARS || r.chars().any(char::is_control)) {
        v.push(format!("{field}.reference"), format!("must be at most {MAX_REFERENCE_CHARS} printable characters"));
        return None;
    }
    let card_number = payment.card_number.map(|card| card.trim().to_owned()).filter(|card| !card.is_empty());
    match (method?, &card_number, &reference) {
        (TenderMethod::Card, None, _) => {
            v.push(format!("{field}.card_number"), "is required for card");
            return None;
        }
        (TenderMethod::Cash | TenderMethod::ExternalCard, Some(_), _) => {
            v.push(format!("{field}.card_number"), "only card payments carry a card number");
            return None;
        }
        (TenderMethod::ExternalCard, _, None) => {
            v.push(format!("{field}.reference"), "type the external terminal's approval code");
            return None;
        }
        // A gift card or store credit (issue 17 point 8) names its balance: the card's code or
        // the customer's e-mail or phone, resolved and spent when the part is collected.
        (TenderMethod::GiftCard | TenderMethod::StoreCredit, Some(_), _) => {
            v.push(format!("{field}.card_number"), "only card payments carry a card number");
            return None;
        }
        (TenderMethod::GiftCard | TenderMethod::StoreCredit, None, None) => {
            v.push(
                format!("{field}.reference"),
                "type the gift card's code, or the customer's e-mail or phone for store credit",
            );
            return None;
        }
        _ => {}
    }
    Some(CollectPayment {
        tender: Tender { method: method?, amount: payment.amount, tendered: payment.tendered },
        reference,
        card_number,
    })
}

/// A part collected at the till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupCollected {
    /// The order as it now stands (the part `collected`, its payment captured).
    pub order: OrderRecord,
    /// The collected part.
    pub part: FulfillmentRecord,
    /// What was owed and paid.
    pub amount: Money,
    /// Cash given back.
    pub change: Money,
    /// The tenders as recorded, with the terminal's approval code for a card.
    pub payments: Vec<(PickupPaymentRow, Option<TerminalApproval>)>,
}

impl App {
    /// The part of the till's location with this pickup code: the one still to hand over
    /// (the newest, should two share a code), else the newest already handed over or voided,
    /// so the till can say so. No part with the code there → `NotFound`.
    pub async fn find_till_pickup(&self, caller: &Caller, device_id: &str, code: &str) -> AppResult<PickupAtTill> {
        let code = parse_pickup_code(code)?;
        let device = self.till(caller, device_id).await?;
        let parts = self.store.find_pickup_parts(&device.location_id, &code).await?;
        let open = |part: &&FulfillmentRecord| !part.status.is_voided() && part.status != FulfillmentStatus::Collected;
        let part = parts
            .iter()
            .find(|part| part.status == FulfillmentStatus::Ready)
            .or_else(|| parts.iter().find(open))
            .or_else(|| parts.first())
            .cloned()
            .ok_or(AppError::NotFound(NO_SUCH_CODE))?;
        self.pickup_at_till(part).await
    }

    /// Collects a part at the till: see the module docs. Already collected (here or at the
    /// display), voided, or not ready yet → `Conflict`; tenders that do not cover what is owed
    /// → `Invalid`; a declined card → `CardDeclined`; a closed session → `Conflict`.
    pub async fn collect_till_pickup(
        &self,
        caller: &Caller,
        fulfillment_id: &str,
        command: CollectPickup,
    ) -> AppResult<PickupCollected> {
        let (session, device) = self.till_session(caller, &command.session_id).await?;
        let part = self.store.get_fulfillment(fulfillment_id).await?.ok_or(AppError::NotFound("fulfillment"))?;
        if part.location_id != device.location_id {
            return Err(AppError::NotFound("fulfillment"));
        }
        session.status.check_open()?;
        let at_till = self.pickup_at_till(part).await?;
        let PickupAtTill { order, part, to_collect, collection } = at_till;
        check_collectable(&part, collection.is_some())?;
        let mut command = command;
        for (index, payment) in command.payments.iter_mut().enumerate() {
            let raw = payment.reference.clone().unwrap_or_default();
            if let Some(account_id) =
                self.resolve_credit_tender(&part.merchant_id, &device.id, index, payment.tender.method, &raw).await?
            {
                payment.reference = Some(account_id);
            }
        }
        let plan = plan_transition(TransitionRequest {
            from: part.status,
            to: FulfillmentStatus::Collected,
            actor: Actor::Merchant,
            presented_pickup_code: Some(command.pickup_code.as_deref().unwrap_or(&part.pickup_code)),
            pickup_code: &part.pickup_code,
            payment_method: order.payment_method,
            subtotal: Money::new(part.subtotal_minor, part.currency),
        })?;
        let tenders: Vec<Tender> = command.payments.iter().map(|payment| payment.tender).collect();
        let settled = settle_tenders(to_collect, &tenders)?;
        let approvals = self.charge_counter_cards("pickup", &part.id, &command.payments, &settled.applied).await?;
        let now = self.now_ms();
        let payments: Vec<PickupPaymentRow> = command
            .payments
            .iter()
            .zip(&settled.applied)
            .zip(&approvals)
            .map(|((payment, applied), approval)| PickupPaymentRow {
                method: payment.tender.method,
                amount_minor: applied.amount_minor,
                tendered_minor: payment.tender.tendered.map(|t| t.amount_minor),
                reference: approval.as_ref().map(|a| a.reference.clone()).or_else(|| payment.reference.clone()),
            })
            .collect();
        let cash_kept: i64 = payments.iter().filter(|p| p.method == TenderMethod::Cash).map(|p| p.amount_minor).sum();
        let new = NewPickupCollection {
            collection: PickupCollectionRow {
                fulfillment_id: part.id.clone(),
                order_id: order.id.clone(),
                session_id: session.id.clone(),
                device_id: device.id.clone(),
                merchant_id: part.merchant_id.clone(),
                location_id: part.location_id.clone(),
                currency: part.currency,
                amount_minor: to_collect.amount_minor,
                change_minor: settled.change.amount_minor,
                created_by: Some(caller.id.clone()),
                created_at_ms: now,
            },
            payments: payments.clone(),
            change: FulfillmentChange {
                fulfillment_id: part.id.clone(),
                plan,
                reason: None,
                now_ms: now,
                event_id: new_id("evt"),
                money_event_id: new_id("evt"),
                preparation: Preparation::default(),
            },
            session_event: NewEvent {
                event_id: new_id("evt"),
                created_at_ms: now,
                event: DomainEvent::PosSessionChanged(PosSessionChanged {
                    session_id: session.id.clone(),
                    merchant_id: session.merchant_id.clone(),
                    location_id: session.location_id.clone(),
                    device_id: session.device_id.clone(),
                    action: SessionAction::PickupCollected,
                    amount: Some(Money::new(cash_kept, session.currency)),
                    reason: Some(format!("order {} part {}", order.number, part.id)),
                    expected_cash: None,
                    counted_cash: None,
                    difference: None,
                }),
            },
            // A card's extra after a change at the counter; pay at pickup is captured by the
            // handover's own plan.
            extra_captured_minor: match order.payment_method {
                PaymentMethod::Card => to_collect.amount_minor,
                PaymentMethod::PayAtPickup | PaymentMethod::PaidInShop => 0,
            },
        };
        let order = match self.store.collect_pickup(&new).await {
            Ok(order) => order,
            Err(error) => {
                self.void_counter_charges("pickup", &approvals).await;
                return Err(match error {
                    omnicanal_store::StoreError::StaleState => AppError::Conflict(
                        "this order changed meanwhile (collected at another till?); look it up again".into(),
                    ),
                    other => other.into(),
                });
            }
        };
        self.committed();
        let part = order
            .fulfillments
            .iter()
            .find(|p| p.id == part.id)
            .cloned()
            .ok_or(AppError::internal("a collected part is missing from its order"))?;
        Ok(PickupCollected {
            order,
            part,
            amount: to_collect,
            change: settled.change,
            payments: payments.into_iter().zip(approvals).collect(),
        })
    }

    /// The till's view of a part: its order, what is owed now and its collection, if any.
    pub(crate) async fn pickup_at_till(&self, part: FulfillmentRecord) -> AppResult<PickupAtTill> {
        let order = self.store.get_order(&part.order_id).await?.ok_or(AppError::NotFound(NO_SUCH_CODE))?.order;
        let collection = self.store.get_pickup_collection(&part.id).await?;
        let owed = match order.payment_method {
            PaymentMethod::PayAtPickup if !part.status.is_voided() && part.status != FulfillmentStatus::Collected => {
                (part.subtotal_minor - part.captured_minor).max(0)
            }
            // A card part changed at the counter to cost more than its card paid: the rest is
            // paid at the till (issue 17 point 5).
            PaymentMethod::Card if !part.status.is_voided() && part.status != FulfillmentStatus::Collected => {
                (part.subtotal_minor - (part.captured_minor - part.refunded_minor)).max(0)
            }
            _ => 0,
        };
        Ok(PickupAtTill { to_collect: Money::new(owed, part.currency), order, part, collection })
    }
}

/// Refuses a part that cannot be handed over at the till now, saying why in plain words.
fn check_collectable(part: &FulfillmentRecord, collected_at_till: bool) -> AppResult<()> {
    use FulfillmentStatus::*;
    match part.status {
        Ready if !collected_at_till => Ok(()),
        Ready | Collected => Err(AppError::Conflict("this order was already collected".into())),
        Rejected | Cancelled => Err(AppError::Conflict(format!("this order was {}: nothing to collect", part.status))),
        Placed | Accepted | Preparing => {
            Err(AppError::Conflict(format!("this order is not ready yet (it is {}): mark it ready first", part.status)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_digits_and_bad_collections_report_every_field() {
        assert_eq!(parse_pickup_code(" 0427 ").ok(), Some("0427".into()));
        for bad in ["", "12a4", "1234567890123", "12 34"] {
            assert!(parse_pickup_code(bad).is_err(), "{bad}");
        }
        let cash = |method: &str| PaymentInput {
            method: method.into(),
            amount: Money::new(1_000, omnicanal_domain::Currency::Clp),
            tendered: None,
            reference: None,
            card_number: None,
        };
        let Err(AppError::Invalid(errors)) =
            CollectPickup::parse(" ".into(), Some("x".into()), vec![cash("cheque"), cash("external_card")])
        else {
            panic!("expected a validation error")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["session_id", "pickup_code", "payments[0].method", "payments[1].reference"]);
    }
}
