//! Stock counts: on-hand becomes the counted figure and the ledger records the difference as a
//! `count` movement. A count below what is reserved for orders is refused: those units are
//! promised, so they must be on the shelf.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::Sku;
use omnicanal_domain::inventory::MovementReason;
use omnicanal_store::StockRow;

use super::{MovementNote, TrackedSku, movement_row};
use crate::App;
use crate::audit::{AuditAction, stock_change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::validation::{Validator, vetted};

/// Largest counted figure accepted.
pub const MAX_COUNTED_UNITS: i64 = 10_000_000;

/// A count, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCount {
    /// SKU.
    pub sku: Sku,
    /// Where (checked by [`App::count_stock`]).
    pub location_id: String,
    /// Units found on the shelf, 0 to [`MAX_COUNTED_UNITS`].
    pub counted: i64,
}

impl NewCount {
    /// Parses a count, reporting every bad field.
    pub fn parse(sku: &str, location_id: String, counted: i64) -> AppResult<Self> {
        let mut v = Validator::new();
        let sku = v.check("sku", Sku::parse(sku));
        if !(0..=MAX_COUNTED_UNITS).contains(&counted) {
            v.push("counted", format!("must be between 0 and {MAX_COUNTED_UNITS}"));
        }
        v.done(|| Some(Self { sku: sku?, location_id, counted }))
    }
}

/// A counted level and the difference recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    /// The new level.
    pub level: StockRow,
    /// `counted − previous on-hand`.
    pub difference: i64,
}

impl App {
    /// Records a count at a location the caller may see (staff: their own) of a tracked SKU.
    pub async fn count_stock(&self, caller: &Caller, count: NewCount) -> AppResult<Counted> {
        caller.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
        let mut v = Validator::new();
        let location = self.location_for_stock(caller, &count.location_id, &mut v).await?;
        if let Some(location) = &location {
            match self.tracked_sku(&location.merchant_id, &count.sku).await? {
                TrackedSku::Unknown => v.push("sku", "the merchant has no such SKU"),
                TrackedSku::Untracked => v.push("sku", "stock is not tracked for this product"),
                TrackedSku::Tracked => {}
            }
        }
        v.finish()?;
        let location = vetted(location)?;
        let reserved = self.ledger_level(&location.id, &count.sku).await?.reserved;
        if count.counted < reserved {
            return Err(AppError::Conflict(format!(
                "{reserved} units of {} are reserved for orders; count at least that",
                count.sku
            )));
        }
        let note = MovementNote {
            reason: MovementReason::Count,
            reference: None,
            created_by: Some(caller.id.as_str()),
            at_ms: self.now_ms(),
        };
        // The store sets the delta from the on-hand it locks, so a concurrent change is counted too.
        let template = movement_row(&location, count.sku.as_str(), 0, note);
        let (level, difference) = self.store.apply_stock_count(&template, count.counted).await?;
        self.committed();
        let change = stock_change(&location.merchant_id, &level, AuditAction::Counted, difference, "count");
        self.record_change(caller, change).await;
        Ok(Counted { level, difference })
    }
}
