//! Transfers between two locations of one merchant: the units leave the source at once
//! (`transfer_out`) and reach the destination when someone there receives them (`transfer_in`),
//! exactly once.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::{Quantity, Sku};
use omnicanal_domain::inventory::{MovementReason, TransferStatus};
use omnicanal_store::{LocationRow, TransferRow};

use super::{MovementNote, TrackedSku, movement_row};
use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::{Validator, vetted};

/// A transfer, parsed: a SKU, 1 to 9999 units, and two different locations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransfer {
    /// SKU.
    pub sku: Sku,
    /// Source location (checked by [`App::send_transfer`]).
    pub from_location_id: String,
    /// Destination location, of the same merchant.
    pub to_location_id: String,
    /// Units.
    pub quantity: Quantity,
}

impl NewTransfer {
    /// Parses a transfer, reporting every bad field.
    pub fn parse(sku: &str, from_location_id: String, to_location_id: String, quantity: i64) -> AppResult<Self> {
        let mut v = Validator::new();
        let sku = v.check("sku", Sku::parse(sku));
        let quantity = v.check("quantity", Quantity::parse(quantity));
        if from_location_id == to_location_id {
            v.push("to_location_id", "must differ from the source");
        }
        v.done(|| Some(Self { sku: sku?, from_location_id, to_location_id, quantity: quantity? }))
    }
}

impl App {
    /// Sends units from one location to another of the same merchant (admins and managers).
    /// More than is available at the source is `InsufficientStock`, and nothing moves.
    pub async fn send_transfer(&self, caller: &Caller, transfer: NewTransfer) -> AppResult<TransferRow> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let mut v = Validator::new();
        let from = self.transfer_end(caller, &transfer.from_location_id, "from_location_id", &mut v).await?;
        let to = self.transfer_end(caller, &transfer.to_location_id, "to_location_id", &mut v).await?;
        if let (Some(from), Some(to)) = (&from, &to)
            && from.merchant_id != to.merchant_id
        {
            v.push("to_location_id", "must belong to the same merchant as the source");
        }
        if let Some(from) = &from {
            match self.tracked_sku(&from.merchant_id, &transfer.sku).await? {
                TrackedSku::Unknown => v.push("sku", "the merchant has no such SKU"),
                TrackedSku::Untracked => v.push("sku", "stock is not tracked for this product"),
                TrackedSku::Tracked => {}
            }
        }
        v.finish()?;
        let (from, to) = (vetted(from)?, vetted(to)?);
        let (sku, quantity) = (transfer.sku, transfer.quantity.get());
        if !self.ledger_allows(&from.id, &sku, -quantity).await? {
            return Err(AppError::InsufficientStock { sku: sku.as_str().to_owned() });
        }
        let now_ms = self.now_ms();
        let row = TransferRow {
            id: new_id("trf"),
            merchant_id: from.merchant_id.clone(),
            sku: sku.as_str().to_owned(),
            from_location_id: from.id.clone(),
            to_location_id: to.id,
            quantity,
            status: TransferStatus::InTransit,
            created_by: Some(caller.id.clone()),
            created_at_ms: now_ms,
            received_at_ms: None,
        };
        let note = MovementNote {
            reason: MovementReason::TransferOut,
            reference: Some(row.id.clone()),
            created_by: Some(caller.id.as_str()),
            at_ms: now_ms,
        };
        let out = movement_row(&from, sku.as_str(), -quantity, note);
        self.store.send_transfer(&row, &out).await?;
        self.committed();
        let change = Change::new(AuditEntity::Transfer, &row.id, AuditAction::Sent, Some(&row.merchant_id));
        self.record_change(caller, change.after(&row)).await;
        Ok(row)
    }

    /// Receives a transfer at its destination: its staff, its merchant's managers, or an admin.
    /// Anyone else is told there is no such transfer; a second receipt is a conflict.
    pub async fn receive_transfer(&self, caller: &Caller, id: &str) -> AppResult<TransferRow> {
        caller.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
        let transfer = self.store.get_transfer(id).await?.ok_or(AppError::NotFound("transfer"))?;
        let to = self.store.get_location(&transfer.to_location_id).await?.ok_or(AppError::NotFound("transfer"))?;
        if !caller.sees_location(&to.merchant_id, &to.id) {
            return Err(AppError::NotFound("transfer"));
        }
        let note = MovementNote {
            reason: MovementReason::TransferIn,
            reference: Some(transfer.id.clone()),
            created_by: Some(caller.id.as_str()),
            at_ms: self.now_ms(),
        };
        let into = movement_row(&to, &transfer.sku, transfer.quantity, note);
        let received = self.store.receive_transfer(id, &into).await?;
        self.committed();
        let change =
            Change::new(AuditEntity::Transfer, &received.id, AuditAction::Received, Some(&received.merchant_id));
        self.record_change(caller, change.before(&transfer).after(&received)).await;
        Ok(received)
    }

    /// One transfer of a merchant the caller may see.
    pub async fn transfer(&self, caller: &Caller, id: &str) -> AppResult<TransferRow> {
        let transfer = self.store.get_transfer(id).await?.ok_or(AppError::NotFound("transfer"))?;
        caller.check_merchant(&transfer.merchant_id, "transfer")?;
        Ok(transfer)
    }

    /// A location a transfer may start or end at: one of a merchant the caller may see;
    /// "no such location" on `field` otherwise.
    async fn transfer_end(
        &self,
        caller: &Caller,
        id: &str,
        field: &str,
        v: &mut Validator,
    ) -> AppResult<Option<LocationRow>> {
        let location = self.store.get_location(id).await?;
        let location = location.filter(|location| caller.check_merchant(&location.merchant_id, "location").is_ok());
        if location.is_none() {
            v.push(field, "no such location");
        }
        Ok(location)
    }
}
