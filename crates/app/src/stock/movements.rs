//! Movements made by hand (receipts, write-offs, corrections) and a location's movement history.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::Sku;
use omnicanal_domain::inventory::MovementReason;
use omnicanal_store::{LocationRow, MovementRecord, Page, StockRow};

use super::{MovementNote, TrackedSku, movement_row};
use crate::App;
use crate::audit::{AuditAction, stock_change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::validation::{Validator, vetted};

/// Largest change one movement may make, either way.
pub const MAX_MOVEMENT_UNITS: i64 = 1_000_000;

/// Longest reference a person may give a movement.
pub const MAX_REFERENCE_CHARS: usize = 100;

/// A movement, parsed: a SKU, a non-zero change within bounds and a reason a person may give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMovement {
    /// SKU of the location's merchant.
    pub sku: Sku,
    /// Where (checked by [`App::record_movement`]).
    pub location_id: String,
    /// Change to on-hand.
    pub delta: i64,
    /// Why.
    pub reason: MovementReason,
}

impl NewMovement {
    /// Parses a movement, reporting every bad field.
    pub fn parse(sku: &str, location_id: String, delta: i64, reason: &str) -> AppResult<Self> {
        let mut v = Validator::new();
        let sku = v.check("sku", Sku::parse(sku));
        if delta == 0 || delta.unsigned_abs() > MAX_MOVEMENT_UNITS.unsigned_abs() {
            v.push("delta", format!("must be non-zero and at most {MAX_MOVEMENT_UNITS} units either way"));
        }
        let reason = v.check("reason", MovementReason::parse_manual(reason));
        v.done(|| Some(Self { sku: sku?, location_id, delta, reason: reason? }))
    }
}

impl App {
    /// Records a movement at a location the caller may see (staff: their own) of a SKU whose
    /// stock its merchant tracks. Taking on-hand below zero or below what is reserved is a conflict.
    pub async fn record_movement(&self, caller: &Caller, movement: NewMovement) -> AppResult<StockRow> {
        self.record_movement_with_reference(caller, movement, None).await
    }

    /// [`App::record_movement`] with what the person gave as its reference (a delivery note,
    /// an invoice number): 1 to [`MAX_REFERENCE_CHARS`] characters, no control characters.
    pub async fn record_movement_with_reference(
        &self,
        caller: &Caller,
        movement: NewMovement,
        reference: Option<String>,
    ) -> AppResult<StockRow> {
        caller.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
        let mut v = Validator::new();
        let reference = reference.map(|raw| raw.trim().to_owned()).filter(|raw| !raw.is_empty());
        if let Some(reference) = &reference
            && (reference.chars().count() > MAX_REFERENCE_CHARS || reference.chars().any(char::is_control))
        {
            v.push(
                "reference",
                format!("must be at most {MAX_REFERENCE_CHARS} characters, none of them control characters"),
            );
        }
        let location = self.location_for_stock(caller, &movement.location_id, &mut v).await?;
        if let Some(location) = &location {
            match self.tracked_sku(&location.merchant_id, &movement.sku).await? {
                TrackedSku::Unknown => v.push("sku", "the location's merchant has no such SKU"),
                TrackedSku::Untracked => v.push("sku", "stock is not tracked for this product"),
                TrackedSku::Tracked => {}
            }
        }
        v.finish()?;
        let location = vetted(location)?;
        if !self.ledger_allows(&location.id, &movement.sku, movement.delta).await? {
            return Err(AppError::Conflict(format!(
                "a change of {} would take on-hand of {} below zero or below what is reserved",
                movement.delta, movement.sku
            )));
        }
        let note =
            MovementNote { reason: movement.reason, reference, created_by: Some(&caller.id), at_ms: self.now_ms() };
        let row = movement_row(&location, movement.sku.as_str(), movement.delta, note);
        let level = self.store.apply_stock_movement(&row).await?;
        self.committed();
        let change =
            stock_change(&location.merchant_id, &level, AuditAction::Moved, movement.delta, movement.reason.as_str());
        self.record_change(caller, change).await;
        Ok(level)
    }

    /// The movement history of a location the caller may see (optionally of one SKU), newest first.
    pub async fn movements(
        &self,
        caller: &Caller,
        location_id: &str,
        sku: Option<&str>,
        page: Page,
    ) -> AppResult<Vec<MovementRecord>> {
        let location = self.location(caller, location_id).await?;
        Ok(self.store.list_movements(&location.id, sku, page).await?)
    }

    /// The location named by a stock write, if the caller may see it; "no such location" on
    /// `location_id` otherwise (another merchant's location included).
    pub(crate) async fn location_for_stock(
        &self,
        caller: &Caller,
        location_id: &str,
        v: &mut Validator,
    ) -> AppResult<Option<LocationRow>> {
        let location = self.store.get_location(location_id).await?;
        let location = location.filter(|location| caller.sees_location(&location.merchant_id, &location.id));
        if location.is_none() {
            v.push("location_id", "no such location");
        }
        Ok(location)
    }
}
