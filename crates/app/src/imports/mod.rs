//! CSV imports of stock counts ([`stock`]) and of the catalog ([`catalog`]): every row
//! checked, the good ones applied, the bad ones reported with their line number and reasons —
//! nothing half-applied. The same use cases serve `POST /imports/…` and `omnicanal import`,
//! which passes a platform [`crate::Caller`] of its own; both report progress as they go.
//!
//! A file that cannot be read as a whole (no header, missing columns, more than
//! [`MAX_IMPORT_ROWS`] rows) is invalid `file`; a row that cannot be read is rejected alone.

pub mod catalog;
/// Exports in the columns the imports take (issue 15 point 2).
pub mod export;
/// Imports run in the background with their progress (issue 15 point 2).
pub mod jobs;
pub mod stock;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{AppError, AppResult};

/// Most rows one import may have.
pub const MAX_IMPORT_ROWS: usize = 50_000;

/// One refused row.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RejectedRow {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    /// Why it was refused.
    pub errors: Vec<String>,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: u64,
    /// Rows applied.
    pub applied: u64,
    /// Rows refused, with reasons, by line.
    pub rejected: Vec<RejectedRow>,
}

impl ImportReport {
    fn reject(&mut self, line: u64, errors: Vec<String>) {
        self.rejected.push(RejectedRow { line, errors });
    }
}

/// The words a fault is reported with in a row: its cause is logged, never shown.
fn row_error(error: AppError) -> String {
    if let AppError::Internal(cause) = &error {
        tracing::error!(error = %cause, "an import row failed");
    }
    error.to_string()
}

fn unreadable(error: &csv::Error) -> AppError {
    AppError::invalid("file", format!("not a readable CSV file: {error}"))
}

/// Reads every row, or refuses the file as a whole (missing columns, too many rows); rows that
/// do not fit the columns are rejected in `report`.
fn read_rows<T: DeserializeOwned>(
    csv_text: &str,
    required: &[&str],
    report: &mut ImportReport,
) -> AppResult<Vec<(u64, T)>> {
    let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(csv_text.as_bytes());
    let header = csv.headers().map_err(|error| unreadable(&error))?;
    let missing: Vec<&str> = required.iter().copied().filter(|column| !header.iter().any(|h| h == *column)).collect();
    if !missing.is_empty() {
        return Err(AppError::invalid(
            "file",
            format!("the header line lacks {}; expected {}", missing.join(", "), required.join(",")),
        ));
    }
    let mut rows = Vec::new();
    for (index, record) in csv.deserialize::<T>().enumerate() {
        let line = u64::try_from(index).unwrap_or(u64::MAX).saturating_add(2);
        report.rows += 1;
        if rows.len() + report.rejected.len() >= MAX_IMPORT_ROWS {
            return Err(AppError::invalid("file", format!("an import may have at most {MAX_IMPORT_ROWS} rows")));
        }
        match record {
            Ok(row) => rows.push((line, row)),
            Err(error)
                if matches!(
                    error.kind(),
                    csv::ErrorKind::Deserialize { .. } | csv::ErrorKind::UnequalLengths { .. }
                ) =>
            {
                report.reject(line, vec![error.to_string()])
            }
            Err(error) => return Err(unreadable(&error)),
        }
    }
    Ok(rows)
}

/// `done` of `total`, for a progress report.
fn count(done: usize) -> u64 {
    u64::try_from(done).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Row {
        sku: String,
    }

    #[test]
    fn short_rows_are_rejected_and_missing_columns_refuse_the_file() -> AppResult<()> {
        let mut report = ImportReport::default();
        let rows: Vec<(u64, Row)> = read_rows("sku,n\n A ,1\nbroken\nB,2\n", &["sku"], &mut report)?;
        let skus: Vec<(u64, &str)> = rows.iter().map(|(line, row)| (*line, row.sku.as_str())).collect();
        assert_eq!(skus, [(2, "A"), (4, "B")]);
        assert_eq!((report.rows, report.rejected.iter().map(|row| row.line).collect::<Vec<_>>()), (3, vec![3]));
        let refused = read_rows::<Row>("name\nx\n", &["sku"], &mut ImportReport::default());
        assert!(matches!(refused, Err(AppError::Invalid(errors)) if errors[0].field == "file"));
        Ok(())
    }
}
