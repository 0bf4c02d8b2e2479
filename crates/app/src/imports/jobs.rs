//! Imports run in the background (issue 15 point 2): the file is checked as a whole at once
//! (header, size), a job row is written, and the same use cases as the synchronous import
//! (`App::import_catalog`, `App::import_stock`) run on a task of this node while a ticker writes
//! their progress to the job's row, so a poll that reaches any node sees how far it is. When
//! the import ends the row gets the figures and the rejected rows, one per (row, column,
//! reason), which the API and the console report and offer as CSV.
//!
//! A job whose heartbeat stops (its node went away mid-import) reads as `interrupted`: the rows
//! it applied stay applied — each import row is its own unit — and the file can be sent again
//! (a stock count is idempotent; catalog rows already imported are rejected as existing SKUs).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use omnicanal_domain::access::Role;
use omnicanal_store::ImportJobRow;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::catalog::CATALOG_COLUMNS;
use super::stock::STOCK_COLUMNS;
use super::{ImportReport, RejectedRow, read_rows};
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;

/// Largest file an import job takes over HTTP (the API's job routes and the console's upload);
/// a synchronous import is held to the API's 1 MiB body limit.
pub const MAX_IMPORT_FILE_BYTES: usize = 8 * 1024 * 1024;

/// How often a running job writes its progress (and so its heartbeat).
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// A running job not heard from for this long was interrupted (its node stopped).
pub const STALE_AFTER_MS: i64 = 120_000;

/// What a file imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// Products and variants (`merchant_id,product,sku,price,currency[,barcode,track_stock]`).
    Catalog,
    /// Stock counts (`sku,location_id,on_hand`).
    Stock,
}

impl ImportKind {
    /// `catalog` or `stock`; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "catalog" => Some(Self::Catalog),
            "stock" => Some(Self::Stock),
            _ => None,
        }
    }

    /// The word the API and the job row use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Catalog => "catalog",
            Self::Stock => "stock",
        }
    }

    /// The columns a file of this kind must have.
    pub fn required_columns(self) -> &'static [&'static str] {
        match self {
            Self::Catalog => &CATALOG_COLUMNS,
            Self::Stock => &STOCK_COLUMNS,
        }
    }

    /// Every column a row's refusal may name.
    fn known_columns(self) -> &'static [&'static str] {
        match self {
            Self::Catalog => &["merchant_id", "product", "sku", "price", "currency", "barcode", "track_stock"],
            Self::Stock => &STOCK_COLUMNS,
        }
    }

    fn roles(self) -> &'static [Role] {
        match self {
            Self::Catalog => &[Role::Admin, Role::MerchantManager],
            Self::Stock => &[Role::Admin, Role::MerchantManager, Role::Staff],
        }
    }
}

/// One reason a row was refused: its line (the header is line 1), the column it names (empty
/// when the row as a whole is wrong, e.g. too few fields) and the reason.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RejectedCell {
    /// Line in the file.
    pub line: u64,
    /// The column, or empty.
    pub column: String,
    /// Why (the rule's words).
    pub reason: String,
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Rows are being applied.
    Running,
    /// Finished: the figures and the report are final.
    Done,
    /// The import failed as a whole (a fault); rows applied before stay applied.
    Failed,
    /// Its node stopped mid-import; rows applied before stay applied.
    Interrupted,
}

impl JobState {
    /// The word the API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
        }
    }

    /// True once nothing will change any more.
    pub fn is_final(self) -> bool {
        self != Self::Running
    }
}

/// An import job as the API and the console show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJob {
    /// The stored row.
    pub row: ImportJobRow,
    /// Its state, `interrupted` included.
    pub state: JobState,
    /// The rejected rows, once done, by line.
    pub rejected_rows: Vec<RejectedCell>,
}

impl ImportJob {
    fn of(row: ImportJobRow, now_ms: i64) -> Self {
        let state = match row.state.as_str() {
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            _ if now_ms.saturating_sub(row.updated_at_ms) > STALE_AFTER_MS => JobState::Interrupted,
            _ => JobState::Running,
        };
        let rejected_rows = row
            .rejected_json
            .as_deref()
            .and_then(|json| serde_json::from_str::<Vec<RejectedCell>>(json).ok())
            .unwrap_or_default();
        Self { row, state, rejected_rows }
    }
}

/// The rejected rows of a report, one per reason, the column split off when the reason names
/// one of the file's columns (`"sku: must be 1 to 64 characters"`).
pub fn rejected_cells(kind: ImportKind, rejected: &[RejectedRow]) -> Vec<RejectedCell> {
    let mut cells = Vec::new();
    for row in rejected {
        for error in &row.errors {
            let (column, reason) = match error.split_once(": ") {
                Some((column, reason)) if kind.known_columns().contains(&column) => (column, reason),
                _ => ("", error.as_str()),
            };
            cells.push(RejectedCell { line: row.line, column: column.to_owned(), reason: reason.to_owned() });
        }
    }
    cells
}

/// The rejected rows as a CSV file (`line,column,reason`).
pub fn rejected_csv(cells: &[RejectedCell]) -> AppResult<String> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    let fault = |error: csv::Error| AppError::Internal(error.to_string().into());
    csv.write_record(["line", "column", "reason"]).map_err(fault)?;
    for cell in cells {
        // A reason echoes the file's text: one a spreadsheet would run as a formula is quoted.
        let reason = if cell.reason.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{}", cell.reason)
        } else {
            cell.reason.clone()
        };
        csv.write_record([cell.line.to_string().as_str(), &cell.column, &reason]).map_err(fault)?;
    }
    let bytes = csv.into_inner().map_err(|error| AppError::Internal(error.to_string().into()))?;
    String::from_utf8(bytes).map_err(|error| AppError::Internal(error.to_string().into()))
}

fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Import jobs running at once on this node: each holds its whole file (up to 8 MiB) and one
/// writer for its rows, so a burst of uploads waits for a slot instead of exhausting either.
const CONCURRENT_JOBS: usize = 4;
static RUNNING_JOBS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(CONCURRENT_JOBS)));

impl App {
    /// Takes a file to import in the background: refuses at once a role that may not import
    /// it (403) or a file that cannot be read as a whole (422 on `file`), then answers the
    /// running job while the rows are applied on a task of this node.
    pub async fn start_import_job(&self, caller: &Caller, kind: ImportKind, csv_text: String) -> AppResult<ImportJob> {
        caller.require(kind.roles())?;
        // Spreadsheets save CSV with a byte-order mark, which would hide the first column's name.
        let csv_text = match csv_text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => csv_text,
        };
        let mut checked = ImportReport::default();
        // The same reading as the import itself: a bad header or too many rows refuse the file.
        let _: Vec<(u64, HashMap<String, String>)> = read_rows(&csv_text, kind.required_columns(), &mut checked)?;
        let Ok(slot) = Arc::clone(&RUNNING_JOBS).try_acquire_owned() else {
            return Err(AppError::Conflict(format!(
                "{CONCURRENT_JOBS} imports are already running on this server; try again when one has finished"
            )));
        };
        let now_ms = self.now_ms();
        let row = ImportJobRow {
            id: new_id("imp"),
            kind: kind.as_str().to_owned(),
            merchant_id: if caller.is_platform() { None } else { caller.merchant_id.clone() },
            created_by: caller.id.clone(),
            state: "running".into(),
            total: signed(checked.rows),
            processed: 0,
            applied: 0,
            rejected: 0,
            rejected_json: None,
            error: None,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        };
        self.store.insert_import_job(&row).await?;
        let (app, caller, job) = (self.clone(), caller.clone(), row.clone());
        tokio::spawn(async move {
            app.run_import_job(job, caller, kind, csv_text).await;
            drop(slot);
        });
        Ok(ImportJob::of(row, now_ms))
    }

    /// Runs the import and writes its progress every [`PROGRESS_EVERY`], then its outcome.
    /// The import runs on a task of its own: a progress write may wait for the connection the
    /// import holds mid-transaction (SQLite has one writer), so the two must not share a task.
    async fn run_import_job(&self, mut job: ImportJobRow, caller: Caller, kind: ImportKind, csv_text: String) {
        let progress = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
        let seen = Arc::clone(&progress);
        let tell = move |done: u64, total: u64| {
            seen.0.store(done, Ordering::Relaxed);
            seen.1.store(total, Ordering::Relaxed);
        };
        let app = self.clone();
        let mut work = tokio::spawn(async move {
            match kind {
                ImportKind::Catalog => app.import_catalog(&caller, &csv_text, tell).await,
                ImportKind::Stock => app.import_stock(&caller, &csv_text, tell).await,
            }
        });
        let mut ticker = tokio::time::interval(PROGRESS_EVERY);
        let outcome = loop {
            tokio::select! {
                joined = &mut work => {
                    break joined.unwrap_or_else(|error| Err(AppError::Internal(format!("the import task ended: {error}").into())));
                }
                _ = ticker.tick() => {
                    let (done, total) = (progress.0.load(Ordering::Relaxed), progress.1.load(Ordering::Relaxed));
                    let total = if total == 0 { job.total } else { signed(total) };
                    if let Err(error) = self.store.update_import_progress(&job.id, signed(done), total, self.now_ms()).await {
                        tracing::warn!(%error, job = %job.id, "an import job's progress was not written");
                    }
                }
            }
        };
        job.updated_at_ms = self.now_ms();
        match outcome {
            Ok(report) => {
                let cells = rejected_cells(kind, &report.rejected);
                job.state = "done".into();
                job.total = signed(report.rows);
                job.processed = signed(report.rows);
                job.applied = signed(report.applied);
                job.rejected = signed(u64::try_from(report.rejected.len()).unwrap_or(u64::MAX));
                job.rejected_json = serde_json::to_string(&cells).ok();
            }
            Err(error) => {
                if let AppError::Internal(cause) = &error {
                    tracing::error!(error = %cause, job = %job.id, "an import job failed");
                }
                job.state = "failed".into();
                job.error = Some(error.to_string());
            }
        }
        if let Err(error) = self.store.finish_import_job(&job).await {
            tracing::error!(%error, job = %job.id, "an import job's outcome was not written");
        }
    }

    /// A job the caller may see: platform users every one, a manager its merchant's, staff
    /// their own; anyone else is told there is no such job.
    pub async fn import_job(&self, caller: &Caller, id: &str) -> AppResult<ImportJob> {
        let row = self.store.get_import_job(id).await?.ok_or(AppError::NotFound("import job"))?;
        let visible = caller.is_platform()
            || (row.merchant_id.is_some()
                && row.merchant_id == caller.merchant_id
                && (caller.role == Role::MerchantManager || row.created_by == caller.id));
        if !visible {
            return Err(AppError::NotFound("import job"));
        }
        Ok(ImportJob::of(row, self.now_ms()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_split_by_the_column_they_name() {
        let rejected = [
            RejectedRow { line: 3, errors: vec!["sku: must be 1 to 64 characters".into(), "odd: x".into()] },
            RejectedRow { line: 5, errors: vec!["on_hand: \"x\" is not a whole number".into()] },
        ];
        let cells = rejected_cells(ImportKind::Stock, &rejected);
        let seen: Vec<(u64, &str, &str)> =
            cells.iter().map(|c| (c.line, c.column.as_str(), c.reason.as_str())).collect();
        assert_eq!(
            seen,
            [
                (3, "sku", "must be 1 to 64 characters"),
                (3, "", "odd: x"),
                (5, "on_hand", "\"x\" is not a whole number")
            ]
        );
        let csv = rejected_csv(&cells).unwrap_or_default();
        assert!(csv.starts_with("line,column,reason\n3,sku,must be 1 to 64 characters\n"), "{csv}");
    }

    #[test]
    fn only_known_kinds_parse() {
        assert_eq!(ImportKind::parse("stock"), Some(ImportKind::Stock));
        assert_eq!(ImportKind::parse("catalog").map(ImportKind::as_str), Some("catalog"));
        assert_eq!(ImportKind::parse("orders"), None);
    }
}
