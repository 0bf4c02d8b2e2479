//! The store's till (POS) as use cases: registering a till, its cash sessions, its sales
//! (kept forever by the id the till made, so a sale queued offline is recorded exactly once
//! whenever it arrives), its receipt series' report, and the stock conflicts offline sales open.
//!
//! Who may do what: a manager registers a till for a location of their merchant; the staff of
//! that location, its manager and admins use it. Another merchant's till, session or location
//! is `NotFound`, never `Forbidden`.

pub mod approvals;
pub mod conflicts;
mod counter_cards;
pub mod devices;
pub mod pickup_changes;
pub mod pickups;
pub mod printing;
pub mod sale_accounting;
pub mod sales;
pub mod sessions;
pub mod tcp_printer;
pub mod terminal;

#[cfg(test)]
mod queue_tests;

use omnicanal_domain::access::Role;
use omnicanal_store::{PosDeviceRow, PosSessionRow};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// Roles that work a till.
pub(crate) const TILL_ROLES: [Role; 3] = [Role::Admin, Role::MerchantManager, Role::Staff];

impl App {
    /// A till the caller may work (staff: of their location), else `NotFound("device")`.
    pub(crate) async fn till(&self, caller: &Caller, device_id: &str) -> AppResult<PosDeviceRow> {
        caller.require(&TILL_ROLES)?;
        let device = self.store.get_pos_device(device_id).await?.ok_or(AppError::NotFound("device"))?;
        if !caller.sees_location(&device.merchant_id, &device.location_id) {
            return Err(AppError::NotFound("device"));
        }
        Ok(device)
    }

    /// A session of a till the caller may work, with its till, else `NotFound("session")`.
    pub(crate) async fn till_session(
        &self,
        caller: &Caller,
        session_id: &str,
    ) -> AppResult<(PosSessionRow, PosDeviceRow)> {
        caller.require(&TILL_ROLES)?;
        let session = self.store.get_pos_session(session_id).await?.ok_or(AppError::NotFound("session"))?;
        if !caller.sees_location(&session.merchant_id, &session.location_id) {
            return Err(AppError::NotFound("session"));
        }
        let device = self
            .store
            .get_pos_device(&session.device_id)
            .await?
            .ok_or(AppError::internal("a session's till is missing"))?;
        Ok((session, device))
    }
}
