//! How long a ready part waits for its customer (a merchant's `pickup_expiry_days`, 7 when it
//! set none) and the sweep that releases the parts whose wait is over.
//!
//! The sweep is the use case a worker calls; it only keeps time. Releasing is planned by the
//! domain (`plan_pickup_expiry`) and carried out by the store like any transition: the part
//! `cancelled` with its reason, its units released, a card's payment refunded by a payment job
//! or a pay-at-pickup amount forgiven, and `fulfillment.status_changed` in the outbox, which
//! tells the customer through the usual channels (push, notification webhook). Ids derived
//! from the part make two nodes' sweeps release a part once.

use omnicanal_domain::access::Role;
use omnicanal_domain::click_collect::PickupExpiryDays;

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::validation::Validator;

/// Parts released per sweep (one transaction).
pub const PICKUP_SWEEP_BATCH: i64 = 100;

/// A merchant's pickup settings as they apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupSettings {
    /// The merchant.
    pub merchant_id: String,
    /// Days a ready part waits before it is released.
    pub pickup_expiry_days: i64,
    /// True when the merchant set nothing and the default applies.
    pub is_default: bool,
}

/// A change of the pickup settings, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PickupSettingsCommand {
    /// Days a ready part waits.
    pub pickup_expiry_days: PickupExpiryDays,
}

impl PickupSettingsCommand {
    /// Parses the settings, reporting every bad field.
    pub fn parse(pickup_expiry_days: i64) -> AppResult<Self> {
        let mut v = Validator::new();
        let days = v.check("pickup_expiry_days", PickupExpiryDays::parse(pickup_expiry_days));
        v.done(|| Some(Self { pickup_expiry_days: days? }))
    }
}

impl App {
    /// The merchant's pickup settings: its managers, its staff and platform users (another
    /// merchant's are not found).
    pub async fn pickup_settings(&self, caller: &Caller, merchant_id: &str) -> AppResult<PickupSettings> {
        caller.check_merchant(merchant_id, "merchant")?;
        self.store.get_merchant(merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
        let set = self.store.pickup_expiry_days(merchant_id).await?;
        Ok(PickupSettings {
            merchant_id: merchant_id.to_owned(),
            pickup_expiry_days: set.unwrap_or(PickupExpiryDays::default_days().days()),
            is_default: set.is_none(),
        })
    }

    /// Sets the merchant's pickup wait: its managers and admins.
    pub async fn set_pickup_settings(
        &self,
        caller: &Caller,
        merchant_id: &str,
        command: PickupSettingsCommand,
    ) -> AppResult<PickupSettings> {
        caller.check_merchant(merchant_id, "merchant")?;
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        self.store.get_merchant(merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
        let days = command.pickup_expiry_days.days();
        self.store.set_pickup_expiry_days(merchant_id, days, self.now_ms()).await?;
        Ok(PickupSettings { merchant_id: merchant_id.to_owned(), pickup_expiry_days: days, is_default: false })
    }

    /// Releases up to [`PICKUP_SWEEP_BATCH`] ready parts whose wait ended by the app's clock;
    /// how many.
    pub async fn expire_uncollected_pickups(&self) -> AppResult<usize> {
        let default_days = PickupExpiryDays::default_days().days();
        let released = self.store.expire_uncollected_pickups(self.now_ms(), default_days, PICKUP_SWEEP_BATCH).await?;
        if released > 0 {
            // The releases wrote events and refund jobs.
            self.committed();
        }
        Ok(released)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_bounded() {
        assert!(PickupSettingsCommand::parse(7).is_ok());
        let Err(AppError::Invalid(errors)) = PickupSettingsCommand::parse(0) else {
            panic!("zero days must be refused");
        };
        assert_eq!(errors[0].field, "pickup_expiry_days");
    }
}
