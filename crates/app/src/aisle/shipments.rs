//! An aisle delivery's shipment, moved by the staff of its source location: picked, packed,
//! shipped with the carrier's tracking reference, delivered — or cancelled before it ships.
//!
//! The domain's table decides each move (`plan_shipment_step`) and what it does to the order's
//! part (`part_plan_for_shipment`): delivered sells the held units, cancelled releases them and
//! refunds what was paid — a card by a refund payment job against the terminal's charge, a gift
//! card or store credit by a ledger entry crediting its balance back, cash recorded as owed
//! back on the aisle order. Each step is one transaction with its
//! `shipment.status_changed` event, from which the customer is told.

use omnicanal_domain::Money;
use omnicanal_domain::aisle::part_plan_for_shipment;
use omnicanal_domain::events::{DomainEvent, ShipmentStatusChanged};
use omnicanal_domain::pos::TenderMethod;
use omnicanal_domain::shipment::{ShipmentRefusal, ShipmentStatus, TrackingReference, plan_shipment_step};
use omnicanal_store::{AisleCreditRefund, FulfillmentChange, NewEvent, Page, Preparation, ShipmentChange, ShipmentRow};

use crate::App;
use crate::caller::Caller;
use crate::console::scope::LOCATION_ROLES;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// What a cancelled shipment gives back.
#[derive(Debug, Default)]
struct Refunds {
    /// Card refunds as payment jobs (job id, terminal reference, amount).
    cards: Vec<(String, String, i64)>,
    /// Gift card and store credit tenders, to their accounts.
    credits: Vec<AisleCreditRefund>,
    /// Cash owed back at the counter.
    cash_minor: i64,
}

/// A step asked for, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentStepCommand {
    /// The status to move to.
    pub to: ShipmentStatus,
    /// The carrier's reference (required to ship).
    pub tracking: Option<TrackingReference>,
}

impl ShipmentStepCommand {
    /// Parses a step, reporting every bad field at once.
    pub fn parse(to: &str, tracking_reference: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        let to = v.check("to", ShipmentStatus::parse(to.trim()));
        let tracking = match tracking_reference.map(str::trim).filter(|raw| !raw.is_empty()) {
            Some(raw) => v.check("tracking_reference", TrackingReference::parse(raw)).map(Some),
            None => Some(None),
        };
        v.done(|| Some(Self { to: to?, tracking: tracking? }))
    }
}

impl App {
    /// A shipment the caller may move: staff of its source location, its merchant's manager,
    /// admins; anyone else is told it does not exist.
    async fn workable_shipment(&self, caller: &Caller, id: &str) -> AppResult<ShipmentRow> {
        let shipment = self.store.get_shipment(id).await?.ok_or(AppError::NotFound("shipment"))?;
        if caller.check_location(&shipment.merchant_id, &shipment.location_id).is_err() {
            return Err(AppError::NotFound("shipment"));
        }
        caller.require(&LOCATION_ROLES)?;
        Ok(shipment)
    }

    /// A shipment by id (see [`App::step_shipment`] for who may read it).
    pub async fn shipment(&self, caller: &Caller, id: &str) -> AppResult<ShipmentRow> {
        self.workable_shipment(caller, id).await
    }

    /// Moves a shipment one step (see the module docs). A move the table has not → `Conflict`;
    /// shipping without a tracking reference → `Invalid` on `tracking_reference`.
    pub async fn step_shipment(
        &self,
        caller: &Caller,
        id: &str,
        command: ShipmentStepCommand,
    ) -> AppResult<ShipmentRow> {
        let shipment = self.workable_shipment(caller, id).await?;
        let step =
            plan_shipment_step(shipment.status, command.to, command.tracking).map_err(|refusal| match refusal {
                ShipmentRefusal::IllegalStep { from, to } => {
                    AppError::Conflict(format!("a shipment cannot go from {from} to {to}"))
                }
                ShipmentRefusal::TrackingRequired => {
                    AppError::invalid("tracking_reference", "is required to ship: the carrier's reference")
                }
            })?;
        let part = self.store.get_fulfillment(&shipment.fulfillment_id).await?.ok_or(AppError::NotFound("shipment"))?;
        let subtotal = Money::new(part.subtotal_minor, part.currency);
        let now = self.now_ms();
        let part_change = part_plan_for_shipment(&step, part.status, subtotal)?.map(|plan| FulfillmentChange {
            fulfillment_id: part.id.clone(),
            plan,
            reason: (command.to == ShipmentStatus::Cancelled).then(|| "shipment cancelled".to_owned()),
            preparation: Preparation::default(),
            now_ms: now,
            event_id: new_id("evt"),
            money_event_id: new_id("evt"),
        });
        let refunds = if command.to == ShipmentStatus::Cancelled {
            self.cancellation_refunds(&shipment, caller).await?
        } else {
            Refunds::default()
        };
        let change = ShipmentChange {
            shipment_id: shipment.id.clone(),
            from: step.from,
            to: step.to,
            event: NewEvent {
                event_id: new_id("evt"),
                created_at_ms: now,
                event: DomainEvent::ShipmentStatusChanged(ShipmentStatusChanged {
                    shipment_id: shipment.id.clone(),
                    order_id: shipment.order_id.clone(),
                    fulfillment_id: shipment.fulfillment_id.clone(),
                    merchant_id: shipment.merchant_id.clone(),
                    location_id: shipment.location_id.clone(),
                    from: step.from,
                    status: step.to,
                    tracking_reference: step
                        .tracking
                        .as_ref()
                        .map(|t| t.as_str().to_owned())
                        .or(shipment.tracking_reference.clone()),
                }),
            },
            tracking: step.tracking,
            part_change,
            card_refunds: refunds.cards,
            cash_refund_owed_minor: refunds.cash_minor,
            credit_refunds: refunds.credits,
            now_ms: now,
        };
        let moved = self.store.step_shipment(&change).await.map_err(|error| match error {
            omnicanal_store::StoreError::StaleState => {
                AppError::Conflict("this shipment moved meanwhile; reload it".into())
            }
            other => other.into(),
        })?;
        self.committed();
        Ok(moved)
    }

    /// What a cancellation owes back: each card tender's refund as a job against its terminal
    /// charge, each gift card or store credit tender to the account it was spent from, and the
    /// cash as owed at the counter.
    async fn cancellation_refunds(&self, shipment: &ShipmentRow, caller: &Caller) -> AppResult<Refunds> {
        let Some(record) = self.store.get_aisle_order(&shipment.order_id).await? else {
            return Ok(Refunds::default());
        };
        let paid = record.payments.iter().enumerate().filter(|(_, payment)| payment.amount_minor > 0);
        let cards = paid
            .clone()
            .filter(|(_, payment)| payment.method == TenderMethod::Card)
            .filter_map(|(index, payment)| {
                let reference = payment.reference.clone()?;
                Some((format!("pj_refund_aisle_{}_{index}", shipment.order_id), reference, payment.amount_minor))
            })
            .collect();
        let credits = paid
            .filter(|(_, payment)| payment.method.spends_credit())
            .filter_map(|(position, payment)| {
                Some(AisleCreditRefund {
                    account_id: payment.reference.clone()?,
                    position,
                    amount_minor: payment.amount_minor,
                    by_user: Some(caller.id.clone()),
                })
            })
            .collect();
        Ok(Refunds { cards, credits, cash_minor: record.aisle.cash_minor })
    }

    /// A location's shipments, optionally of one status, oldest first (staff of the location,
    /// its merchant's manager, admins).
    pub async fn location_shipments(
        &self,
        caller: &Caller,
        location_id: &str,
        status: Option<ShipmentStatus>,
        page: Page,
    ) -> AppResult<Vec<ShipmentRow>> {
        let location = self.workable_location(caller, location_id).await?;
        Ok(self.store.list_location_shipments(&location.id, status, page).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_names_its_bad_fields() {
        assert!(ShipmentStepCommand::parse("shipped", Some(" CHX-1 ")).is_ok_and(|c| c.tracking.is_some()));
        assert!(ShipmentStepCommand::parse("picked", None).is_ok_and(|c| c.tracking.is_none()));
        let fields = match ShipmentStepCommand::parse("flying", Some("con espacio")) {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        assert_eq!(fields, vec!["to".to_owned(), "tracking_reference".to_owned()]);
    }
}
