//! What a store has to pick: its parts still `placed`, `accepted` or `preparing`, oldest
//! first, each with its lines (SKU, barcode, quantity), its customer and its age; and marking
//! a part picked, which walks it through the existing transitions to `ready` (so the customer
//! is told as for any ready part: push, notification webhook).
//!
//! Who may: the location's staff, its merchant's managers, admins; another merchant's location
//! or part is not found.

use std::collections::HashMap;

use omnicanal_domain::access::Role;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_store::{FulfillmentRecord, LocationRow, Page, PickListRow};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::fulfilment::{TransitionCommand, Viewer};

/// Roles that pick.
const PICK_ROLES: [Role; 3] = [Role::Admin, Role::MerchantManager, Role::Staff];

/// A store's pick list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickList {
    /// The store.
    pub location: LocationRow,
    /// Its parts to pick, oldest first.
    pub entries: Vec<PickListEntry>,
    /// When the list was read (ages are counted to it).
    pub now_ms: i64,
}

/// One part to pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickListEntry {
    /// The part, its order's number and customer.
    pub row: PickListRow,
    /// The barcodes of its SKUs (a SKU without one is absent).
    pub barcodes: HashMap<String, String>,
    /// Minutes since it was ordered.
    pub age_minutes: i64,
}

impl App {
    /// The location's parts to pick, oldest first (see the module docs).
    pub async fn pick_list(&self, caller: &Caller, location_id: &str, page: Page) -> AppResult<PickList> {
        caller.require(&PICK_ROLES)?;
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        let rows = self.store.list_pick_list(&location.id, page).await?;
        let mut skus: Vec<String> = rows.iter().flat_map(|row| row.part.lines.iter().map(|l| l.sku.clone())).collect();
        skus.sort_unstable();
        skus.dedup();
        let barcodes: HashMap<String, String> = self
            .store
            .sku_barcodes(&location.merchant_id, &skus)
            .await?
            .into_iter()
            .filter_map(|row| row.barcode.map(|barcode| (row.sku, barcode)))
            .collect();
        let now_ms = self.now_ms();
        let entries = rows
            .into_iter()
            .map(|row| {
                let mine =
                    row.part.lines.iter().filter_map(|l| barcodes.get(&l.sku).map(|b| (l.sku.clone(), b.clone())));
                let age_minutes = (now_ms - row.part.created_at_ms).max(0) / 60_000;
                PickListEntry { barcodes: mine.collect(), age_minutes, row }
            })
            .collect();
        Ok(PickList { location, entries, now_ms })
    }

    /// Marks a part picked: it moves through the transitions it still needs (accepted,
    /// preparing) to `ready`, each as the display's own. Already ready → the part as it is;
    /// handed over or voided → `Conflict`.
    pub async fn mark_picked(&self, caller: &Caller, fulfillment_id: &str) -> AppResult<FulfillmentRecord> {
        caller.require(&PICK_ROLES)?;
        let part = self.store.get_fulfillment(fulfillment_id).await?.ok_or(AppError::NotFound("fulfillment"))?;
        caller.check_location(&part.merchant_id, &part.location_id).map_err(|_| AppError::NotFound("fulfillment"))?;
        use FulfillmentStatus::*;
        let steps: &[FulfillmentStatus] = match part.status {
            Placed => &[Accepted, Preparing, Ready],
            Accepted => &[Preparing, Ready],
            Preparing => &[Ready],
            Ready => &[],
            Collected | Rejected | Cancelled => {
                return Err(AppError::Conflict(format!("this order is {}: nothing to pick", part.status)));
            }
        };
        let mut current = part;
        for to in steps {
            let command = TransitionCommand { to: *to, reason: None, prep: None, pickup_code: None };
            current = self.transition_fulfillment(&current.id, Viewer::new(Some(caller), None), command).await?.part;
        }
        Ok(current)
    }
}
