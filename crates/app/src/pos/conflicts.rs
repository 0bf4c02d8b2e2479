//! Stock conflicts: units a location sold that its ledger did not have (an offline till sale
//! after a web order took the last unit, or a shelf counted wrong), listed for the manager with
//! their cause in words, the sale that found them and the order that may no longer be served —
//! and the manager's three ways out, each recorded with who, when and what it moved:
//!
//! - **count**: the shelf is counted and on-hand becomes the figure (a `count` movement). The
//!   count is taken after the sale, so it already includes the units that left; it may not go
//!   below what orders hold (those units are promised: transfer or cancel instead).
//! - **transfer**: the shortfall comes from another location of the merchant (a transfer
//!   recorded as received at once — the manager resolves once the units are on their way — its
//!   `transfer_out` and `transfer_in`), and the rest of the sale then leaves the shelf (a `sale`
//!   movement referencing the sale). A source without the units is 409 `insufficient_stock`.
//! - **cancel_order**: the order the units were promised to is rejected through the ordinary
//!   transition (`transition_fulfillment`), which releases its units and queues its refund as a
//!   payment job — no new money path — and the rest of the sale then takes the released units.
//!
//! Only managers of the conflict's merchant and admins resolve (staff: 403; another merchant:
//! 404); the store's conditional `open → resolved` update makes a second resolution 409.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::Sku;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::{DomainEvent, StockConflictResolved};
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::inventory::{MovementReason, TransferStatus};
use omnicanal_store::{
    ConflictResolveOutcome, LocationRow, NewConflictResolution, NewEvent, Page, PriceDifferenceRow, ResolutionCount,
    StockConflictDetailRow, StockConflictRow, StockMovementRow, TransferRow, refund_job_id,
};

use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::fulfilment::transition::TransitionCommand;
use crate::fulfilment::viewer::Viewer;
use crate::ids::new_id;
use crate::stock::counts::MAX_COUNTED_UNITS;
use crate::stock::{MovementNote, movement_row};
use crate::validation::Validator;

/// The statuses a conflict can be in.
pub const CONFLICT_STATUSES: [&str; 2] = ["open", "resolved"];

/// The manager's choices, as the API names them.
pub const RESOLVE_ACTIONS: [&str; 3] = ["count", "transfer", "cancel_order"];

/// Roles that resolve conflicts: the manager of the merchant, or an admin.
const RESOLVER_ROLES: [Role; 2] = [Role::Admin, Role::MerchantManager];

/// What the customer of a cancelled order is told (the rejection's reason).
const CANCEL_REASON: &str = "Lo sentimos: el último producto se vendió en la tienda y no podemos preparar su pedido. \
    Le devolvemos el dinero.";

/// How a conflict is resolved, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveConflict {
    /// On-hand becomes the units counted on the shelf.
    Count {
        /// Units on the shelf, 0 to [`MAX_COUNTED_UNITS`].
        counted: i64,
    },
    /// The shortfall comes from another location of the merchant.
    Transfer {
        /// The source.
        from_location_id: String,
    },
    /// The order named on the conflict is rejected and refunded.
    CancelOrder {
        /// The order (must be the one the conflict names).
        order_id: String,
    },
}

impl ResolveConflict {
    /// Parses a resolution, reporting every bad field.
    pub fn parse(
        action: &str,
        counted: Option<i64>,
        from_location_id: Option<String>,
        order_id: Option<String>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let filled = |raw: Option<String>| raw.map(|raw| raw.trim().to_owned()).filter(|raw| !raw.is_empty());
        let (from_location_id, order_id) = (filled(from_location_id), filled(order_id));
        let parsed = match action {
            "count" => match counted {
                Some(counted) if (0..=MAX_COUNTED_UNITS).contains(&counted) => Some(Self::Count { counted }),
                Some(_) => {
                    v.push("counted", format!("must be between 0 and {MAX_COUNTED_UNITS}"));
                    None
                }
                None => {
                    v.push("counted", "is required to count the shelf");
                    None
                }
            },
            "transfer" => {
                if from_location_id.is_none() {
                    v.push("from_location_id", "is required to transfer units in");
                }
                from_location_id.map(|from_location_id| Self::Transfer { from_location_id })
            }
            "cancel_order" => {
                if order_id.is_none() {
                    v.push("order_id", "is required to cancel the order");
                }
                order_id.map(|order_id| Self::CancelOrder { order_id })
            }
            _ => {
                v.push("action", "must be count, transfer or cancel_order");
                None
            }
        };
        v.done(|| parsed)
    }

    fn action(&self) -> &'static str {
        match self {
            Self::Count { .. } => "count",
            Self::Transfer { .. } => "transfer",
            Self::CancelOrder { .. } => "cancel_order",
        }
    }
}

/// Why the ledger lacked the units, in words, from the sale's and the order's times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictExplanation {
    /// An order placed after the till's sale (while the sale waited in the till's queue) took
    /// the units the till had already sold.
    OrderPlacedWhileOffline,
    /// The units were held for an order placed before the sale; the till, offline, could not know.
    OrderHeldUnits,
    /// No order holds the SKU there: the ledger had fewer units than the shelf (a count or a
    /// receipt missed).
    LedgerShort,
}

impl ConflictExplanation {
    /// Decides from the conflict's facts.
    pub fn of(detail: &StockConflictDetailRow) -> Self {
        match (detail.conflict.order_id.as_ref(), detail.order_created_at_ms, detail.sold_at_ms) {
            (None, _, _) => Self::LedgerShort,
            (Some(_), Some(placed), Some(sold)) if placed > sold => Self::OrderPlacedWhileOffline,
            (Some(_), _, _) => Self::OrderHeldUnits,
        }
    }

    /// Its stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::OrderPlacedWhileOffline => "order_placed_while_offline",
            Self::OrderHeldUnits => "order_held_units",
            Self::LedgerShort => "ledger_short",
        }
    }

    /// One sentence for the API (the console says it in the reader's language).
    pub fn sentence(self, detail: &StockConflictDetailRow) -> String {
        let sku = &detail.conflict.sku;
        let short = detail.conflict.shortfall;
        let order = match (detail.order_number, detail.order_channel.as_deref()) {
            (Some(number), Some(channel)) => format!("order #{number} ({channel})"),
            _ => "an order".to_owned(),
        };
        match self {
            Self::OrderPlacedWhileOffline => format!(
                "The till sold {short} unit(s) of {sku} offline; meanwhile {order} reserved them, so the shelf cannot serve it."
            ),
            Self::OrderHeldUnits => {
                format!("The till sold {short} unit(s) of {sku} offline that were already reserved for {order}.")
            }
            Self::LedgerShort => format!(
                "The till sold {short} unit(s) of {sku} offline that the ledger did not have: the shelf may have been counted wrong."
            ),
        }
    }
}

/// Whether the order named on a conflict can still be rejected (placed or accepted).
pub fn order_cancellable(detail: &StockConflictDetailRow) -> bool {
    detail
        .order_part_status
        .as_deref()
        .and_then(|status| FulfillmentStatus::parse(status).ok())
        .is_some_and(|status| status.next_statuses().contains(&FulfillmentStatus::Rejected))
}

impl App {
    /// A location's stock conflicts, newest first, of one status when given.
    pub async fn stock_conflicts(
        &self,
        caller: &Caller,
        location_id: &str,
        status: Option<&str>,
        page: Page,
    ) -> AppResult<Vec<StockConflictRow>> {
        let details = self.stock_conflict_details(caller, location_id, status, page).await?;
        Ok(details.into_iter().map(|detail| detail.conflict).collect())
    }

    /// A location's stock conflicts with what explains them, newest first.
    pub async fn stock_conflict_details(
        &self,
        caller: &Caller,
        location_id: &str,
        status: Option<&str>,
        page: Page,
    ) -> AppResult<Vec<StockConflictDetailRow>> {
        caller.require(&crate::pos::TILL_ROLES)?;
        if let Some(status) = status
            && !CONFLICT_STATUSES.contains(&status)
        {
            return Err(AppError::invalid("status", "must be open or resolved"));
        }
        let location = self.location(caller, location_id).await?;
        Ok(self.store.list_stock_conflict_details(&location.id, status, page).await?)
    }

    /// One conflict of a location the caller may see.
    pub async fn stock_conflict(&self, caller: &Caller, id: &str) -> AppResult<StockConflictDetailRow> {
        caller.require(&crate::pos::TILL_ROLES)?;
        let detail = self.store.get_stock_conflict_detail(id).await?.ok_or(AppError::NotFound("stock conflict"))?;
        if !caller.sees_location(&detail.conflict.merchant_id, &detail.conflict.location_id) {
            return Err(AppError::NotFound("stock conflict"));
        }
        Ok(detail)
    }

    /// The other locations of a location's merchant, by name: where a transfer may come from.
    pub async fn conflict_transfer_sources(&self, caller: &Caller, location_id: &str) -> AppResult<Vec<LocationRow>> {
        let location = self.location(caller, location_id).await?;
        let mut sources: Vec<LocationRow> = self
            .store
            .list_merchant_locations(&location.merchant_id)
            .await?
            .into_iter()
            .filter(|other| other.id != location.id)
            .collect();
        sources.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(sources)
    }

    /// A location's till sales recorded at the till's total although the engine priced them
    /// otherwise (the till's snapshot predated a price change): for its managers to look at.
    pub async fn pos_price_differences(
        &self,
        caller: &Caller,
        location_id: &str,
    ) -> AppResult<Vec<PriceDifferenceRow>> {
        caller.require(&RESOLVER_ROLES)?;
        let location = self.location(caller, location_id).await?;
        Ok(self.store.list_pos_price_differences(&location.id, 100).await?)
    }

    /// Resolves an open conflict by one of the manager's choices (see the module docs).
    pub async fn resolve_stock_conflict(
        &self,
        caller: &Caller,
        id: &str,
        command: ResolveConflict,
    ) -> AppResult<StockConflictDetailRow> {
        caller.require(&RESOLVER_ROLES)?;
        let detail = self.stock_conflict(caller, id).await?;
        let conflict = &detail.conflict;
        if conflict.status != "open" {
            return Err(AppError::Conflict("this stock conflict is already resolved".into()));
        }
        let location =
            self.store.get_location(&conflict.location_id).await?.ok_or(AppError::NotFound("stock conflict"))?;
        let now = self.now_ms();
        let mut plan = Plan::default();
        match &command {
            ResolveConflict::Count { counted } => {
                self.plan_count(caller, &location, conflict, *counted, now, &mut plan).await?
            }
            ResolveConflict::Transfer { from_location_id } => {
                self.plan_transfer(caller, &location, conflict, from_location_id, now, &mut plan).await?;
            }
            ResolveConflict::CancelOrder { order_id } => {
                self.cancel_for_conflict(caller, &detail, order_id, &location, now, &mut plan).await?;
            }
        }
        let movement_ids: Vec<String> = plan
            .count
            .iter()
            .map(|count| count.movement.id.clone())
            .chain(plan.movements.iter().map(|movement| movement.id.clone()))
            .collect();
        let resolution_json = serde_json::json!({
            "movement_ids": movement_ids,
            "counted": plan.count.as_ref().map(|count| count.counted),
            "from_location_id": plan.transfer.as_ref().map(|transfer| transfer.from_location_id.clone()),
            "transfer_id": plan.transfer.as_ref().map(|transfer| transfer.id.clone()),
            "order_id": plan.order_id,
            "refund_job_id": plan.refund_job_id,
            "uncovered": plan.uncovered,
        })
        .to_string();
        let event = NewEvent {
            event_id: new_id("evt"),
            created_at_ms: now,
            event: DomainEvent::StockConflictResolved(StockConflictResolved {
                conflict_id: conflict.id.clone(),
                merchant_id: conflict.merchant_id.clone(),
                location_id: conflict.location_id.clone(),
                sku: conflict.sku.clone(),
                shortfall: conflict.shortfall,
                action: command.action().to_owned(),
                resolved_by: caller.id.clone(),
                movement_ids,
                transfer_id: plan.transfer.as_ref().map(|transfer| transfer.id.clone()),
                order_id: plan.order_id.clone(),
                refund_job_id: plan.refund_job_id.clone(),
            }),
        };
        let resolution = NewConflictResolution {
            conflict_id: conflict.id.clone(),
            action: command.action().to_owned(),
            resolved_by: caller.id.clone(),
            resolved_at_ms: now,
            count: plan.count,
            transfer: plan.transfer,
            movements: plan.movements,
            resolution_json,
            event,
        };
        match self.store.resolve_stock_conflict(&resolution).await? {
            ConflictResolveOutcome::Resolved => {}
            ConflictResolveOutcome::AlreadyResolved => {
                return Err(AppError::Conflict("this stock conflict is already resolved".into()));
            }
            ConflictResolveOutcome::Missing => return Err(AppError::NotFound("stock conflict")),
        }
        self.committed();
        let resolved = self.store.get_stock_conflict_detail(id).await?.ok_or(AppError::NotFound("stock conflict"))?;
        let change =
            Change::new(AuditEntity::StockConflict, id, AuditAction::Resolved, Some(&resolved.conflict.merchant_id));
        let before = serde_json::json!({ "status": "open", "sku": resolved.conflict.sku, "shortfall": resolved.conflict.shortfall });
        let after = serde_json::json!({
            "status": resolved.conflict.status, "action": command.action(),
            "resolution": resolved.resolution_json.as_deref().and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok()),
        });
        self.record_change(caller, change.values(Some(before), Some(after))).await;
        Ok(resolved)
    }

    /// A count of the shelf: refused below what orders hold, as every count is.
    async fn plan_count(
        &self,
        caller: &Caller,
        location: &LocationRow,
        conflict: &StockConflictRow,
        counted: i64,
        now: i64,
        plan: &mut Plan,
    ) -> AppResult<()> {
        let sku = stored_sku(conflict)?;
        let reserved = self.ledger_level(&location.id, &sku).await?.reserved;
        if counted < reserved {
            return Err(AppError::Conflict(format!(
                "{reserved} units of {sku} are reserved for orders; count at least that, or transfer units in, or cancel the order"
            )));
        }
        let note = note(MovementReason::Count, Some(conflict.id.clone()), caller, now);
        plan.count = Some(ResolutionCount { movement: movement_row(location, &conflict.sku, 0, note), counted });
        Ok(())
    }

    /// A transfer of the shortfall from another location of the merchant, then the rest of the sale.
    async fn plan_transfer(
        &self,
        caller: &Caller,
        location: &LocationRow,
        conflict: &StockConflictRow,
        from_location_id: &str,
        now: i64,
        plan: &mut Plan,
    ) -> AppResult<()> {
        let from = self
            .store
            .get_location(from_location_id)
            .await?
            .filter(|from| from.merchant_id == conflict.merchant_id && from.id != location.id);
        let Some(from) = from else {
            return Err(AppError::invalid("from_location_id", "must be another location of the conflict's merchant"));
        };
        let sku = stored_sku(conflict)?;
        if !self.ledger_allows(&from.id, &sku, -conflict.shortfall).await? {
            return Err(AppError::InsufficientStock { sku: conflict.sku.clone() });
        }
        let transfer = TransferRow {
            id: new_id("trf"),
            merchant_id: conflict.merchant_id.clone(),
            sku: conflict.sku.clone(),
            from_location_id: from.id.clone(),
            to_location_id: location.id.clone(),
            quantity: conflict.shortfall,
            status: TransferStatus::Received,
            created_by: Some(caller.id.clone()),
            created_at_ms: now,
            received_at_ms: Some(now),
        };
        let reference = Some(transfer.id.clone());
        plan.movements.push(movement_row(
            &from,
            &conflict.sku,
            -conflict.shortfall,
            note(MovementReason::TransferOut, reference.clone(), caller, now),
        ));
        plan.movements.push(movement_row(
            location,
            &conflict.sku,
            conflict.shortfall,
            note(MovementReason::TransferIn, reference, caller, now),
        ));
        plan.movements.push(rest_of_sale(location, conflict, conflict.shortfall, caller, now));
        plan.transfer = Some(transfer);
        Ok(())
    }

    /// Rejects the order's part through the ordinary transition (its units released, its
    /// refund queued as a payment job), then plans the rest of the sale on the released units.
    async fn cancel_for_conflict(
        &self,
        caller: &Caller,
        detail: &StockConflictDetailRow,
        order_id: &str,
        location: &LocationRow,
        now: i64,
        plan: &mut Plan,
    ) -> AppResult<()> {
        let conflict = &detail.conflict;
        if conflict.order_id.as_deref() != Some(order_id) {
            return Err(AppError::invalid("order_id", "must be the order this conflict names"));
        }
        let part_id =
            detail.order_part_id.clone().ok_or(AppError::invalid("order_id", "the order has no part here"))?;
        let status = detail.order_part_status.as_deref().and_then(|status| FulfillmentStatus::parse(status).ok());
        match status {
            // Already withdrawn (by the customer, or a lapsed hold): nothing to cancel.
            Some(FulfillmentStatus::Rejected | FulfillmentStatus::Cancelled) => {}
            _ if order_cancellable(detail) => {
                let command = TransitionCommand::parse("rejected", Some(CANCEL_REASON), None, None)?;
                self.transition_fulfillment(&part_id, Viewer::new(Some(caller), None), command).await?;
                // The rejection queued the refund (none for an order to be paid at pickup).
                if self.store.get_payment_job(&refund_job_id(&part_id)).await?.is_some() {
                    plan.refund_job_id = Some(refund_job_id(&part_id));
                }
            }
            _ => {
                return Err(AppError::Conflict(
                    "the order is already being prepared or was handed over; count the shelf or transfer units in"
                        .into(),
                ));
            }
        }
        plan.order_id = Some(order_id.to_owned());
        // The released units cover the rest of the sale; what they cannot cover stays named.
        let sku = stored_sku(conflict)?;
        let level = self.ledger_level(&location.id, &sku).await?;
        let covered = conflict.shortfall.min((level.on_hand - level.reserved).max(0));
        plan.uncovered = conflict.shortfall - covered;
        if covered > 0 {
            plan.movements.push(rest_of_sale(location, conflict, covered, caller, now));
        }
        Ok(())
    }
}

/// What a resolution will write, gathered before the one transaction.
#[derive(Debug, Default)]
struct Plan {
    count: Option<ResolutionCount>,
    transfer: Option<TransferRow>,
    movements: Vec<StockMovementRow>,
    order_id: Option<String>,
    refund_job_id: Option<String>,
    uncovered: i64,
}

fn note(reason: MovementReason, reference: Option<String>, caller: &Caller, at_ms: i64) -> MovementNote<'_> {
    MovementNote { reason, reference, created_by: Some(caller.id.as_str()), at_ms }
}

/// The units of the till's sale the ledger could not take at the time, taken now (a `sale`
/// movement of channel `pos` referencing the sale, as the sale's own movement is).
fn rest_of_sale(
    location: &LocationRow,
    conflict: &StockConflictRow,
    units: i64,
    caller: &Caller,
    now: i64,
) -> StockMovementRow {
    let reference = conflict.sale_id.clone().or_else(|| Some(conflict.id.clone()));
    let mut movement =
        movement_row(location, &conflict.sku, -units, note(MovementReason::Sale, reference, caller, now));
    movement.channel = Some(Channel::Pos);
    movement
}

fn stored_sku(conflict: &StockConflictRow) -> AppResult<Sku> {
    Sku::parse(&conflict.sku).map_err(|_| AppError::internal("a stock conflict's stored SKU is not a SKU"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(result: AppResult<ResolveConflict>) -> Vec<String> {
        match result {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|error| error.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn each_action_needs_its_own_field() -> AppResult<()> {
        assert_eq!(ResolveConflict::parse("count", Some(3), None, None)?, ResolveConflict::Count { counted: 3 });
        assert_eq!(fields(ResolveConflict::parse("count", None, None, None)), ["counted"]);
        assert_eq!(fields(ResolveConflict::parse("count", Some(-1), None, None)), ["counted"]);
        assert_eq!(fields(ResolveConflict::parse("transfer", None, Some("  ".into()), None)), ["from_location_id"]);
        assert_eq!(fields(ResolveConflict::parse("cancel_order", None, None, None)), ["order_id"]);
        assert_eq!(fields(ResolveConflict::parse("shrug", None, None, None)), ["action"]);
        Ok(())
    }
}
