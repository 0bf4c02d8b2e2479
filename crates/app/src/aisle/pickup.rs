//! A "pickup here" aisle order arriving at the selling store: its transfers from the source are
//! received (those still in transit; one received through the stock pages already put its
//! units in), the units are held at the store for the order, and the part becomes `ready` —
//! which tells the customer, with the pickup code, as any ready order does. The handover is
//! then the till's usual one by pickup code (`pos::pickups`), with nothing left to pay.
//!
//! Staff of the store (the aisle order's store), its merchant's manager, admins.

use omnicanal_domain::aisle::{AisleFulfilment, part_plan_for_arrival};
use omnicanal_domain::channel::Channel;
use omnicanal_domain::inventory::MovementReason;
use omnicanal_store::{AisleReceipt, FulfillmentChange, Preparation, StockMovementRow};

use super::order::AisleSale;
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;

impl App {
    /// An aisle order (staff of its store or of its source location, their merchant's
    /// manager, admins), with its shipment if any.
    pub async fn aisle_order(&self, caller: &Caller, order_id: &str) -> AppResult<AisleSale> {
        let record = self.store.get_aisle_order(order_id).await?.ok_or(AppError::NotFound("aisle order"))?;
        let aisle = &record.aisle;
        let sees = caller.check_location(&aisle.merchant_id, &aisle.store_location_id).is_ok()
            || caller.check_location(&aisle.merchant_id, &aisle.source_location_id).is_ok();
        if !sees {
            return Err(AppError::NotFound("aisle order"));
        }
        let order = self.store.get_order(order_id).await?.ok_or(AppError::NotFound("aisle order"))?;
        let source = self.store.get_location(&aisle.source_location_id).await?.map(|l| l.name).unwrap_or_default();
        self.aisle_sale(order, source).await
    }

    /// Receives a pickup here at its store (see the module docs). Not a pickup here (a
    /// delivery), received already, or its part handed over or voided → `Conflict`.
    pub async fn receive_aisle_order(&self, caller: &Caller, order_id: &str) -> AppResult<AisleSale> {
        let record = self.store.get_aisle_order(order_id).await?.ok_or(AppError::NotFound("aisle order"))?;
        let aisle = record.aisle.clone();
        if caller.check_location(&aisle.merchant_id, &aisle.store_location_id).is_err() {
            return Err(AppError::NotFound("aisle order"));
        }
        caller.require(&crate::console::scope::LOCATION_ROLES)?;
        if aisle.mode != AisleFulfilment::PickupHere {
            return Err(AppError::Conflict(
                "only a pickup here is received at the store: this one is delivered".into(),
            ));
        }
        if aisle.received_at_ms.is_some() {
            return Err(AppError::Conflict("this order was received at the store already".into()));
        }
        let part = self.store.get_fulfillment(&aisle.fulfillment_id).await?.ok_or(AppError::NotFound("aisle order"))?;
        let plan = part_plan_for_arrival(part.status)?;
        let now = self.now_ms();
        let mut movements = Vec::with_capacity(record.transfer_ids.len());
        for (index, transfer_id) in record.transfer_ids.iter().enumerate() {
            let transfer = self.store.get_transfer(transfer_id).await?.ok_or(AppError::NotFound("transfer"))?;
            let into = StockMovementRow {
                id: new_id("mov"),
                sku: transfer.sku.clone(),
                location_id: transfer.to_location_id.clone(),
                merchant_id: transfer.merchant_id.clone(),
                delta: transfer.quantity,
                reason: MovementReason::TransferIn,
                reference: Some(order_id.to_owned()),
                channel: Some(Channel::Tablet),
                created_by: Some(caller.id.clone()),
                created_at_ms: now,
                event_id: format!("{}-r{index}", new_id("evt")),
            };
            movements.push((transfer.id, into));
        }
        let receipt = AisleReceipt {
            order_id: order_id.to_owned(),
            movements,
            part_change: FulfillmentChange {
                fulfillment_id: part.id.clone(),
                plan,
                reason: None,
                preparation: Preparation::default(),
                now_ms: now,
                event_id: new_id("evt"),
                money_event_id: new_id("evt"),
            },
            now_ms: now,
        };
        let order = self.store.receive_aisle_order(&receipt).await.map_err(|error| match error {
            omnicanal_store::StoreError::StaleState => {
                AppError::Conflict("this order was received or changed meanwhile; reload it".into())
            }
            other => other.into(),
        })?;
        self.committed();
        let source = self.store.get_location(&aisle.source_location_id).await?.map(|l| l.name).unwrap_or_default();
        self.aisle_sale(order, source).await
    }
}
