//! Stock counts from CSV, `sku,location_id,on_hand`: each row is a count (on-hand becomes the
//! figure and the ledger records the difference, referenced "csv import").

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::Sku;
use omnicanal_domain::inventory::MovementReason;
use serde::Deserialize;

use super::{ImportReport, count, read_rows, row_error};
use crate::App;
use crate::audit::{AuditAction, stock_change};
use crate::caller::Caller;
use crate::error::AppResult;
use crate::stock::counts::MAX_COUNTED_UNITS;
use crate::stock::{MovementNote, TrackedSku, movement_row};

/// The columns of a stock import.
pub const STOCK_COLUMNS: [&str; 3] = ["sku", "location_id", "on_hand"];

#[derive(Debug, Deserialize)]
struct StockCsvRow {
    sku: String,
    location_id: String,
    on_hand: String,
}

impl App {
    /// Imports stock counts at locations the caller may see (staff: their own); `progress` is
    /// told (rows done, rows total) as it goes.
    pub async fn import_stock(
        &self,
        caller: &Caller,
        csv_text: &str,
        mut progress: impl FnMut(u64, u64) + Send,
    ) -> AppResult<ImportReport> {
        caller.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
        let mut report = ImportReport::default();
        let rows: Vec<(u64, StockCsvRow)> = read_rows(csv_text, &STOCK_COLUMNS, &mut report)?;
        let total = count(rows.len());
        for (done, (line, row)) in rows.into_iter().enumerate() {
            match self.import_stock_row(caller, &row).await {
                Ok(()) => report.applied += 1,
                Err(errors) => report.reject(line, errors),
            }
            progress(count(done) + 1, total);
        }
        report.rejected.sort_by_key(|row| row.line);
        if report.applied > 0 {
            self.committed();
        }
        Ok(report)
    }

    async fn import_stock_row(&self, caller: &Caller, row: &StockCsvRow) -> Result<(), Vec<String>> {
        let fault = |error: omnicanal_store::StoreError| vec![row_error(error.into())];
        let mut errors = Vec::new();
        let sku = Sku::parse(&row.sku).map_err(|error| errors.push(error.to_string())).ok();
        let counted = row.on_hand.parse::<i64>().ok().filter(|n| (0..=MAX_COUNTED_UNITS).contains(n));
        if counted.is_none() {
            errors.push(format!("on_hand: {:?} is not a whole number from 0 to {MAX_COUNTED_UNITS}", row.on_hand));
        }
        let location = self.store.get_location(&row.location_id).await.map_err(fault)?;
        let location = location.filter(|location| caller.sees_location(&location.merchant_id, &location.id));
        if location.is_none() {
            errors.push(format!("location_id: no such location {:?}", row.location_id));
        }
        let (Some(sku), Some(counted), Some(location)) = (sku, counted, location) else { return Err(errors) };
        match self.tracked_sku(&location.merchant_id, &sku).await.map_err(|error| vec![row_error(error)])? {
            TrackedSku::Tracked => {}
            TrackedSku::Untracked => return Err(vec![format!("sku: stock is not tracked for {sku}")]),
            TrackedSku::Unknown => return Err(vec![format!("sku: {} does not sell {sku}", location.name)]),
        }
        let level = self.ledger_level(&location.id, &sku).await.map_err(|error| vec![row_error(error)])?;
        if counted < level.reserved {
            return Err(vec![format!("on_hand: {counted} is below the units reserved for orders")]);
        }
        let note = MovementNote {
            reason: MovementReason::Count,
            reference: Some("csv import".into()),
            created_by: Some(caller.id.as_str()),
            at_ms: self.now_ms(),
        };
        let template = movement_row(&location, sku.as_str(), 0, note);
        let (level, difference) = self.store.apply_stock_count(&template, counted).await.map_err(fault)?;
        let change =
            stock_change(&location.merchant_id, &level, AuditAction::Counted, difference, "count (csv import)");
        self.record_change(caller, change).await;
        Ok(())
    }
}
