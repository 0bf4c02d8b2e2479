//! Taking a return: who may, which purchase, what is still returnable, the policy (and a
//! manager's override, audited), where the money goes, and the one transaction the store
//! records it in. A return beaten to the same line by another till (`StaleState`) is planned
//! again on fresh counts, up to three times, so the loser gets a clear 422 naming the line.

use omnicanal_domain::Money;
use omnicanal_domain::events::{DomainEvent, PosSessionChanged, SessionAction};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::pos::SessionStatus;
use omnicanal_domain::returns::{
    PolicyCheck, PolicyDecision, RefundMethod, RefundTo, RequestedLine, ReturnSource, plan_lines,
};
use omnicanal_store::{
    CreditHolderKey, LocationRow, NewCreditEntry, NewEvent, NewReturn, OwedCardRefund, PosSessionRow, PurchaseRecord,
    ReturnLineRow, ReturnRecord, ReturnRow, StoreError,
};
use serde_json::json;

use super::command::{CreateReturn, PurchaseRef};
use super::exchange::{CreatedExchange, PricedExchange};
use super::lookup::purchased_lines;
use super::{POLICY_ROLES, RETURN_ROLES};
use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::new_id;

/// How many times a return beaten by another till is planned again.
const MAX_PLANS: usize = 3;

/// A return as taken, with what it returned from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedReturn {
    /// The return and its lines.
    pub record: ReturnRecord,
    /// The purchase's label (order number or receipt number).
    pub purchase_label: String,
    /// The exchange's new items and the difference, when it was an exchange.
    pub exchange: Option<CreatedExchange>,
}

/// Who set the policy aside, and why.
struct Overrider {
    user_id: String,
    reason: String,
}

impl App {
    /// Takes a return (see the module docs).
    pub async fn create_return(&self, caller: &Caller, command: CreateReturn) -> AppResult<CreatedReturn> {
        caller.require(&RETURN_ROLES)?;
        let location = self.store.get_location(&command.location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        let overrider = self.overrider(caller, &location, &command).await?;
        // Priced once: today's price does not change if another till makes us plan again.
        let priced = self.price_exchange(&location, &command).await?;
        for _ in 0..MAX_PLANS {
            let purchase = self.purchase_for(&location, &command.purchase).await?;
            let new =
                self.plan_return(caller, &location, &command, &purchase, overrider.as_ref(), priced.as_ref()).await?;
            match self.store.record_return(&new).await {
                Ok(record) => {
                    self.committed();
                    if overrider.is_some() {
                        self.audit_override(caller, &record).await;
                    }
                    let exchange =
                        new.exchange.as_ref().map(|exchange| CreatedExchange::from_new(record.ret.currency, exchange));
                    return Ok(CreatedReturn { record, purchase_label: purchase.label, exchange });
                }
                Err(StoreError::StaleState) => continue,
                Err(StoreError::SessionClosed) => {
                    return Err(AppError::invalid("device_id", "the till's cash session closed meanwhile"));
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(AppError::Conflict("other returns of this purchase kept coming first; try again".into()))
    }

    /// A return by id (its merchant's people; staff only their location's), with the
    /// purchase's label and, when it was an exchange, the new items and how the difference
    /// was settled.
    pub async fn get_return(&self, caller: &Caller, id: &str) -> AppResult<CreatedReturn> {
        caller.require(&RETURN_ROLES)?;
        let record = self.store.get_return(id).await?.ok_or(AppError::NotFound("return"))?;
        caller.check_merchant(&record.ret.merchant_id, "return")?;
        if caller.check_location(&record.ret.merchant_id, &record.ret.location_id).is_err() {
            return Err(AppError::NotFound("return"));
        }
        let ret = &record.ret;
        let purchase_label = self
            .store
            .get_purchase(ret.source, &ret.source_id, &ret.merchant_id)
            .await?
            .map(|purchase| purchase.label)
            .unwrap_or_default();
        let exchange = self
            .store
            .get_return_exchange(&ret.id)
            .await?
            .map(|exchange| CreatedExchange::from_new(ret.currency, &exchange));
        Ok(CreatedReturn { record, purchase_label, exchange })
    }

    /// The purchase as the location's merchant sees it (another merchant's: not found).
    async fn purchase_for(&self, location: &LocationRow, purchase: &PurchaseRef) -> AppResult<PurchaseRecord> {
        let (source, id, what) = match purchase {
            PurchaseRef::Order(id) => (ReturnSource::Order, id, "order"),
            PurchaseRef::Sale(id) => (ReturnSource::Sale, id, "sale"),
        };
        self.store.get_purchase(source, id, &location.merchant_id).await?.ok_or(AppError::NotFound(what))
    }

    /// The manager behind an override: the caller when a manager or admin, else the manager
    /// who approved by PIN at a till of this location (`override.approval_id`).
    async fn overrider(
        &self,
        caller: &Caller,
        location: &LocationRow,
        command: &CreateReturn,
    ) -> AppResult<Option<Overrider>> {
        let Some(given) = &command.override_ else { return Ok(None) };
        if caller.require(&POLICY_ROLES).is_ok() && given.approval_id.is_none() {
            return Ok(Some(Overrider { user_id: caller.id.clone(), reason: given.reason.clone() }));
        }
        let Some(approval_id) = &given.approval_id else {
            return Err(AppError::invalid(
                "override.approval_id",
                "a manager's approval (by PIN at the till) is needed",
            ));
        };
        let approval = self.store.get_pos_approval(approval_id).await?;
        let device = match &approval {
            Some(approval) => self.store.get_pos_device(&approval.device_id).await?,
            None => None,
        };
        match (approval, device) {
            (Some(approval), Some(device)) if device.location_id == location.id => {
                Ok(Some(Overrider { user_id: approval.approved_by, reason: given.reason.clone() }))
            }
            _ => Err(AppError::invalid("override.approval_id", "no approval given at a till of this location")),
        }
    }

    /// Plans the return against the purchase as it stands: lines, policy, money.
    async fn plan_return(
        &self,
        caller: &Caller,
        location: &LocationRow,
        command: &CreateReturn,
        purchase: &PurchaseRecord,
        overrider: Option<&Overrider>,
        priced: Option<&PricedExchange>,
    ) -> AppResult<NewReturn> {
        let field = match purchase.source {
            ReturnSource::Order => "order_id",
            ReturnSource::Sale => "sale_id",
        };
        if purchase.lines.is_empty() {
            return Err(AppError::invalid(field, "nothing of this purchase has been handed over yet"));
        }
        let requested: Vec<RequestedLine> = command
            .lines
            .iter()
            .map(|line| RequestedLine {
                sku: line.sku.as_str().to_owned(),
                quantity: line.quantity,
                restock: line.restock,
            })
            .collect();
        let planned = plan_lines(&purchased_lines(purchase), &requested).map_err(|problems| {
            AppError::Invalid(
                problems
                    .into_iter()
                    .map(|p| FieldError { field: format!("lines[{}].{}", p.index, p.field), message: p.message })
                    .collect(),
            )
        })?;
        let now = self.now_ms();
        let skus: Vec<String> = planned.iter().map(|line| line.sku.clone()).collect();
        let policy = self.policy_of(&location.merchant_id).await?;
        let check = PolicyCheck {
            purchased_at_ms: purchase.purchased_at_ms,
            now_ms: now,
            has_receipt: command.has_receipt,
            skus: &skus,
        };
        let overridden = match policy.decide(&check, overrider.is_some()) {
            PolicyDecision::Allowed => Vec::new(),
            PolicyDecision::AllowedByOverride(broken) => broken,
            PolicyDecision::Refused(broken) => {
                let explain = |breach: omnicanal_domain::returns::PolicyBreach| match breach {
                    omnicanal_domain::returns::PolicyBreach::OutsideWindow => {
                        format!("bought more than {} days ago", policy.window_days())
                    }
                    omnicanal_domain::returns::PolicyBreach::FinalSale => "a final-sale item".to_owned(),
                    omnicanal_domain::returns::PolicyBreach::NoReceipt => "the policy needs the receipt".to_owned(),
                };
                return Err(AppError::ReturnPolicyRefused(
                    broken
                        .into_iter()
                        .map(|b| FieldError { field: b.as_str().to_owned(), message: explain(b) })
                        .collect(),
                ));
            }
        };
        let returned_minor: i64 = planned.iter().map(|line| line.refund_minor).sum();
        // An exchange: only the difference is refunded (or the customer pays it).
        let (refund_minor, exchange) = match priced {
            Some(priced) => {
                let (refund, exchange) =
                    self.plan_exchange(location, command, returned_minor, purchase.currency, priced).await?;
                (refund, Some(exchange))
            }
            None => (returned_minor, None),
        };
        let id = new_id("ret");
        let mut ret = ReturnRow {
            id: id.clone(),
            merchant_id: location.merchant_id.clone(),
            location_id: location.id.clone(),
            source: purchase.source,
            source_id: purchase.id.clone(),
            currency: purchase.currency,
            refund_minor,
            refund_to: command.refund_to,
            refund_method: RefundMethod::None,
            session_id: None,
            device_id: None,
            payment_job_id: None,
            customer_key: None,
            credit_note_n: 0,
            credit_note_number: String::new(),
            reason: command.reason.clone(),
            overridden,
            override_by: overrider.map(|o| o.user_id.clone()),
            override_reason: overrider.map(|o| o.reason.clone()),
            created_by: Some(caller.id.clone()),
            created_at_ms: now,
        };
        let lines: Vec<ReturnLineRow> = planned
            .iter()
            .enumerate()
            .filter_map(|(position, line)| {
                let bought = purchase.lines.get(line.purchased_index)?;
                let parsed = command.lines.get(line.request_index)?;
                Some(ReturnLineRow {
                    position: i64::try_from(position).unwrap_or(i64::MAX),
                    source_part: bought.part_id.clone(),
                    source_position: bought.position,
                    sku: line.sku.clone(),
                    quantity: line.quantity,
                    refund_minor: line.refund_minor,
                    restocked: line.restock && bought.track_stock,
                    condition: parsed.condition,
                })
            })
            .collect();
        let mut expected: Vec<(String, i64, i64, i64)> = planned
            .iter()
            .filter_map(|line| purchase.lines.get(line.purchased_index))
            .map(|bought| (bought.part_id.clone(), bought.position, bought.returned, bought.quantity))
            .collect();
        expected.sort();
        expected.dedup();
        let mut new = NewReturn {
            ret: ret.clone(),
            lines,
            expected,
            card_refund: None,
            session_event: None,
            credit: None,
            exchange,
        };
        self.plan_money(location, command, purchase, &mut ret, &mut new).await?;
        new.ret = ret;
        Ok(new)
    }

    /// Where the money goes: the card's refund job, cash out of an open session here, or
    /// store credit (not yet available: a clear 422).
    async fn plan_money(
        &self,
        location: &LocationRow,
        command: &CreateReturn,
        purchase: &PurchaseRecord,
        ret: &mut ReturnRow,
        new: &mut NewReturn,
    ) -> AppResult<()> {
        if ret.refund_minor == 0 {
            return Ok(());
        }
        if command.refund_to == RefundTo::StoreCredit {
            let given = command.customer.as_deref();
            let known = purchase.customer_email.as_deref().or(purchase.customer_phone.as_deref());
            let Some(key) = given.or(known).and_then(customer_key) else {
                return Err(AppError::invalid(
                    "customer",
                    "store credit needs the customer's e-mail or phone: the purchase has none, give one",
                ));
            };
            credit_back(ret, new, CreditHolderKey::customer(key));
            return Ok(());
        }
        // A till sale whose card was charged on the till's terminal, when the card can take the
        // whole refund back: the terminal refunds it through a payment job. A refund larger than
        // what is left on the card (a sale paid part in cash) is given in cash below.
        let card_back = purchase.sale_card.as_ref().filter(|card| card.refundable_minor() >= ret.refund_minor);
        if let (None, Some(card)) = (&purchase.order_payment, card_back) {
            ret.refund_method = RefundMethod::Card;
            new.card_refund = Some(OwedCardRefund {
                order_id: purchase.id.clone(),
                fulfillment_id: purchase.id.clone(),
                payment_reference: card.reference.clone(),
                on_terminal: true,
            });
            return Ok(());
        }
        // An order paid part by gift card or store credit (placed or collected with it): the card,
        // or the counter's cash, is refunded at most what it paid; a refund it cannot take whole
        // goes back, as credit, to the balance that paid.
        let credit = &purchase.order_credit;
        let card_left = purchase.paid_total_minor - credit.credit_kept_minor - credit.card_refunded_minor;
        if let (Some(holder), true) = (credit.holders.first(), ret.refund_minor > card_left) {
            credit_back(ret, new, holder.clone());
            return Ok(());
        }
        match &purchase.order_payment {
            Some((PaymentMethod::Card, Some(reference))) => {
                let part = new.lines.first().map(|line| line.source_part.clone()).unwrap_or_default();
                ret.refund_method = RefundMethod::Card;
                new.card_refund = Some(OwedCardRefund {
                    order_id: purchase.id.clone(),
                    fulfillment_id: part,
                    payment_reference: reference.clone(),
                    on_terminal: false,
                });
                Ok(())
            }
            Some((PaymentMethod::PaidInShop, _)) => {
                Err(AppError::invalid("refund_to", "this order was paid in the external shop: refund it there"))
            }

            // Paid at the counter (or a card without a reference) and every till sale: cash
            // back from this location's till.
            _ => {
                let session = self.session_paying(location, command.device_id.as_deref()).await?;
                ret.refund_method = RefundMethod::Cash;
                ret.session_id = Some(session.id.clone());
                ret.device_id = Some(session.device_id.clone());
                new.session_event =
                    Some(cash_out_event(&session, Money::new(ret.refund_minor, ret.currency), ret.created_at_ms));
                Ok(())
            }
        }
    }

    /// The open session cash is paid from: the named till's, else the first open one at the
    /// location; none → 422 on `device_id`.
    pub(super) async fn session_paying(
        &self,
        location: &LocationRow,
        device_id: Option<&str>,
    ) -> AppResult<PosSessionRow> {
        let devices = match device_id {
            Some(id) => match self.store.get_pos_device(id).await? {
                Some(device) if device.location_id == location.id => vec![device],
                _ => return Err(AppError::invalid("device_id", "no such till at this location")),
            },
            None => self.store.list_pos_devices(&location.id).await?,
        };
        for device in devices {
            let sessions =
                self.store.list_pos_sessions(&device.id, omnicanal_store::Page { limit: 1, offset: 0 }).await?;
            if let Some(session) = sessions.into_iter().find(|session| session.status == SessionStatus::Open) {
                return Ok(session);
            }
        }
        Err(AppError::invalid("device_id", "no open cash session at this location to pay the refund from"))
    }

    /// The audit entry of a return a manager let through against the policy.
    async fn audit_override(&self, caller: &Caller, record: &ReturnRecord) {
        let ret = &record.ret;
        let change = Change::new(AuditEntity::Return, &ret.id, AuditAction::Created, Some(&ret.merchant_id));
        let after = json!({
            "location_id": ret.location_id,
            "source": ret.source.as_str(),
            "source_id": ret.source_id,
            "refund_minor": ret.refund_minor,
            "credit_note": ret.credit_note_number,
            "overridden": ret.overridden.iter().map(|b| b.as_str()).collect::<Vec<_>>(),
            "override_by": ret.override_by,
            "override_reason": ret.override_reason,
        });
        self.record_change(caller, change.values(None, Some(after))).await;
    }
}

/// The session's `pos.session_changed` for the cash a return paid out.
fn cash_out_event(session: &PosSessionRow, amount: Money, at_ms: i64) -> NewEvent {
    NewEvent {
        event_id: new_id("evt"),
        created_at_ms: at_ms,
        event: DomainEvent::PosSessionChanged(PosSessionChanged {
            session_id: session.id.clone(),
            merchant_id: session.merchant_id.clone(),
            location_id: session.location_id.clone(),
            device_id: session.device_id.clone(),
            action: SessionAction::CashOut,
            amount: Some(amount),
            reason: None,
            expected_cash: None,
            counted_cash: None,
            difference: None,
        }),
    }
}

/// Refunds the whole return as credit to `holder` (a customer's balance or a gift card).
fn credit_back(ret: &mut ReturnRow, new: &mut NewReturn, holder: CreditHolderKey) {
    ret.refund_method = RefundMethod::StoreCredit;
    ret.customer_key = (holder.kind == CreditHolderKey::CUSTOMER).then(|| holder.key.clone());
    new.credit = Some(NewCreditEntry {
        merchant_id: ret.merchant_id.clone(),
        holder,
        currency: ret.currency.code().to_owned(),
        amount_minor: ret.refund_minor,
        reason: format!("return {}", ret.id),
        source_kind: "return".to_owned(),
        source_id: ret.id.clone(),
        at_ms: ret.created_at_ms,
        by_user: ret.created_by.clone(),
    });
}

/// A store-credit holder's key, spelt as the credit ledger spells it; `None` when the text is
/// neither an e-mail nor a phone.
fn customer_key(raw: &str) -> Option<String> {
    omnicanal_domain::credit::CustomerKey::parse("customer", raw).ok().map(|key| key.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::customer_key;

    #[test]
    fn holders_are_keyed_alike_however_typed() {
        assert_eq!(customer_key(" Ana@Example.com ").as_deref(), Some("ana@example.com"));
        assert_eq!(customer_key("+56 9 1234-5678").as_deref(), Some("+56912345678"));
        assert_eq!(customer_key("call me"), None);
    }
}
