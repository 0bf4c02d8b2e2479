//! A part's next status: who may ask for it, what the domain's table allows, and what
//! accepting it promises the customer.
//!
//! The domain's `plan_transition` decides whether the move is legal and what it does to stock
//! and money; the store applies the plan in one transaction, queueing any money owed (a refund,
//! a capture) as a payment job, so no card provider is called here. Accepting records the
//! kitchen's promise: the preparation time given (or the location's usual one) and when the
//! part will be ready — at acceptance plus that time, or at the scheduled pickup when later.

use omnicanal_domain::Money;
use omnicanal_domain::access::Role;
use omnicanal_domain::fulfillment::{Actor, FulfillmentStatus, TransitionRequest, plan_transition};
use omnicanal_domain::kitchen::{MAX_PREP_MINUTES, PrepMinutes, estimate_ready_ms};
use omnicanal_store::{FulfillmentChange, FulfillmentRecord, OrderRow, Preparation};

use super::viewer::Viewer;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::ids::{new_id, parse_time};
use crate::validation::Validator;

/// Longest rejection reason kept.
pub const MAX_REASON_CHARS: usize = 500;

/// A requested status change, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionCommand {
    /// The status asked for.
    pub to: FulfillmentStatus,
    /// Why (for a rejection; shown to the customer), trimmed, never empty.
    pub reason: Option<String>,
    /// For `accepted`: the preparation time promised (the location's usual one when absent).
    pub prep: Option<PrepMinutes>,
    /// The code the customer shows, for `collected`.
    pub pickup_code: Option<String>,
}

impl TransitionCommand {
    /// Parses a status change, reporting every bad field.
    pub fn parse(
        to: &str,
        reason: Option<&str>,
        prep_minutes: Option<i64>,
        pickup_code: Option<String>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let to = FulfillmentStatus::parse(to).ok();
        if to.is_none() {
            v.push("to", "must be accepted, preparing, ready, collected, rejected or cancelled");
        }
        let reason = reason.map(str::trim).filter(|reason| !reason.is_empty()).map(str::to_owned);
        if reason.as_ref().is_some_and(|reason| reason.chars().count() > MAX_REASON_CHARS) {
            v.push("reason", format!("must be at most {MAX_REASON_CHARS} characters"));
        }
        let prep = prep_minutes.map(|minutes| v.check("prep_minutes", PrepMinutes::parse(minutes)));
        v.done(|| {
            let prep = match prep {
                Some(parsed) => Some(parsed?),
                None => None,
            };
            Some(Self { to: to?, reason, prep, pickup_code })
        })
    }
}

/// A part after its transition, and whether its customer asked for it (they may see its
/// pickup code; staff read it from their own screens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transitioned {
    /// The part as it is now.
    pub part: FulfillmentRecord,
    /// True when the customer made the move (with the tracking token).
    pub by_customer: bool,
}

impl App {
    /// Moves a part to its next status. A signed-in viewer acts for the merchant (staff of the
    /// location, its manager, an admin); without a session, the holder of the tracking token
    /// acts as the customer, who may only cancel a part still `placed`. A wrong token is "not
    /// found", no credentials at all `Unauthenticated`. Rejecting or cancelling releases the
    /// part's stock and queues the refund of its subtotal.
    pub async fn transition_fulfillment(
        &self,
        fulfillment_id: &str,
        viewer: Viewer<'_>,
        command: TransitionCommand,
    ) -> AppResult<Transitioned> {
        let part = self.store.get_fulfillment(fulfillment_id).await?.ok_or(AppError::NotFound("fulfillment"))?;
        let order = self.store.get_order(&part.order_id).await?.ok_or(AppError::NotFound("fulfillment"))?;
        let actor = actor_of(&viewer, &part, &order.order)?;
        let plan = plan_transition(TransitionRequest {
            from: part.status,
            to: command.to,
            actor,
            presented_pickup_code: command.pickup_code.as_deref(),
            pickup_code: &part.pickup_code,
            payment_method: order.order.payment_method,
            subtotal: Money::new(part.subtotal_minor, part.currency),
        })?;
        let now = self.now_ms();
        let preparation = if command.to == FulfillmentStatus::Accepted {
            self.promise(&part, &order.order, command.prep, now).await?
        } else {
            Preparation::default()
        };
        let change = FulfillmentChange {
            fulfillment_id: part.id.clone(),
            plan,
            reason: command.reason,
            now_ms: now,
            event_id: new_id("evt"),
            money_event_id: new_id("evt"),
            preparation,
        };
        let updated = self.store.apply_transition(&change).await?;
        // A refund or capture owed was queued as a payment job in the same transaction.
        self.committed();
        let part =
            updated.fulfillments.into_iter().find(|p| p.id == part.id).ok_or(AppError::NotFound("fulfillment"))?;
        Ok(Transitioned { part, by_customer: actor == Actor::Customer })
    }

    /// What accepting `part` at `now` promises: `prep` (the location's usual time when not
    /// given), ready at acceptance plus that time or at the scheduled pickup when later.
    async fn promise(
        &self,
        part: &FulfillmentRecord,
        order: &OrderRow,
        prep: Option<PrepMinutes>,
        now: i64,
    ) -> AppResult<Preparation> {
        let prep = match prep {
            Some(prep) => prep,
            None => {
                let location =
                    self.store.get_location(&part.location_id).await?.ok_or(AppError::NotFound("location"))?;
                PrepMinutes::parse(location.storefront.prep_minutes.clamp(1, MAX_PREP_MINUTES))?
            }
        };
        let pickup_at_ms = order.pickup_at.as_deref().and_then(parse_time);
        Ok(Preparation {
            prep_minutes: Some(prep.minutes()),
            accepted_at_ms: Some(now),
            estimated_ready_ms: Some(estimate_ready_ms(now, prep, pickup_at_ms)),
        })
    }
}

/// Who asks: a signed-in user acts for the merchant (when they may), the token's holder as
/// the customer.
fn actor_of(viewer: &Viewer<'_>, part: &FulfillmentRecord, order: &OrderRow) -> AppResult<Actor> {
    match (viewer.staff, viewer.token) {
        (Some(caller), _) => {
            caller.check_location(&part.merchant_id, &part.location_id)?;
            caller.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
            Ok(Actor::Merchant)
        }
        (None, Some(_)) if viewer.holds_token_of(order) => Ok(Actor::Customer),
        (None, Some(_)) => Err(AppError::NotFound("fulfillment")),
        (None, None) => Err(AppError::Unauthenticated("sign in, or pass the order's ?token=")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transition_reports_every_bad_field_at_once() {
        let long = "x".repeat(MAX_REASON_CHARS + 1);
        let Err(AppError::Invalid(errors)) = TransitionCommand::parse("done", Some(&long), Some(0), None) else {
            panic!("three bad fields must be refused");
        };
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["to", "reason", "prep_minutes"]);
    }

    #[test]
    fn a_blank_reason_is_no_reason() -> AppResult<()> {
        let command = TransitionCommand::parse("rejected", Some("  "), None, None)?;
        assert_eq!(command.to, FulfillmentStatus::Rejected);
        assert_eq!(command.reason, None);
        assert_eq!(
            TransitionCommand::parse("accepted", Some(" sin pan "), Some(12), None)?.prep.map(PrepMinutes::minutes),
            Some(12)
        );
        Ok(())
    }
}
