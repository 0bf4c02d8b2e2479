//! The stock ledger as people use it: movements made by hand, counts, transfers between a
//! merchant's locations, and reading levels and the movement history.
//!
//! Each write is decided here against the level the ledger holds (the domain's
//! [`StockLevel::apply`] says whether the change keeps `0 ≤ reserved ≤ on_hand`, and the refusal
//! names what was wrong); the store's conditional update then applies it, and still refuses it
//! if a concurrent writer got there first.

pub mod counts;
pub mod levels;
/// A location's transfers in and out, for the console (issue 15 point 2).
pub mod location_transfers;
pub mod movements;
pub mod transfers;

use omnicanal_domain::catalog::Sku;
use omnicanal_domain::inventory::{MovementReason, StockLevel, StockOperation};
use omnicanal_store::{LocationRow, Page, StockFilter, StockMovementRow};

use crate::App;
use crate::error::AppResult;
use crate::ids::new_id;

/// Whether stock can be recorded for a SKU of a merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TrackedSku {
    /// The merchant sells it and counts its stock.
    Tracked,
    /// The merchant sells it made to order: no stock to record.
    Untracked,
    /// The merchant has no such SKU.
    Unknown,
}

impl App {
    /// Whether the merchant has `sku` and tracks its stock.
    pub(crate) async fn tracked_sku(&self, merchant_id: &str, sku: &Sku) -> AppResult<TrackedSku> {
        Ok(match self.store.find_variant(merchant_id, sku.as_str()).await? {
            None => TrackedSku::Unknown,
            Some((_, false)) => TrackedSku::Untracked,
            Some((_, true)) => TrackedSku::Tracked,
        })
    }

    /// The level the ledger guards: every hold still counts as reserved until the sweeper
    /// releases it, so the level is read as of the epoch, when no hold had lapsed yet.
    pub(crate) async fn ledger_level(&self, location_id: &str, sku: &Sku) -> AppResult<StockLevel> {
        let filter = StockFilter {
            location_id: Some(location_id.to_owned()),
            sku: Some(sku.as_str().to_owned()),
            merchant_id: None,
            now_ms: 0,
            page: Page { limit: 1, offset: 0 },
        };
        let row = self.store.list_stock(&filter).await?.into_iter().next();
        Ok(row.map_or_else(StockLevel::default, |row| StockLevel { on_hand: row.on_hand, reserved: row.reserved }))
    }

    /// True when the ledger would take a change of `delta` to on-hand of `sku` at the location.
    pub(crate) async fn ledger_allows(&self, location_id: &str, sku: &Sku, delta: i64) -> AppResult<bool> {
        let level = self.ledger_level(location_id, sku).await?;
        Ok(level.apply(StockOperation::Adjust(delta)).is_ok())
    }
}

/// What a movement says beyond its place, SKU and change.
pub(crate) struct MovementNote<'a> {
    /// Why on-hand changes.
    pub reason: MovementReason,
    /// What caused it (a transfer id, "csv import").
    pub reference: Option<String>,
    /// The user who made it.
    pub created_by: Option<&'a str>,
    /// When.
    pub at_ms: i64,
}

/// A movement of `delta` units of `sku` at `location`.
pub(crate) fn movement_row(location: &LocationRow, sku: &str, delta: i64, note: MovementNote<'_>) -> StockMovementRow {
    StockMovementRow {
        id: new_id("mov"),
        sku: sku.to_owned(),
        location_id: location.id.clone(),
        merchant_id: location.merchant_id.clone(),
        delta,
        reason: note.reason,
        reference: note.reference,
        channel: None,
        created_by: note.created_by.map(str::to_owned),
        created_at_ms: note.at_ms,
        event_id: new_id("evt"),
    }
}

#[cfg(test)]
mod tests;
