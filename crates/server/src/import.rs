//! CSV imports at the edges: the report as the API documents it, and `omnicanal import`, which
//! runs the app's import use cases straight against the database as the platform operator.
//! What is imported and how each row is checked is `omnicanal_app::imports`'.

use std::sync::Arc;

use omnicanal_app::{App, AppError, Caller, SystemClock};
use omnicanal_domain::access::Role;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

/// One refused row.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct RejectedRow {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    /// Why it was refused.
    pub errors: Vec<String>,
}

/// What an import did.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: u64,
    /// Rows applied.
    pub applied: u64,
    /// Rows refused, with reasons.
    pub rejected: Vec<RejectedRow>,
}

impl From<omnicanal_app::imports::ImportReport> for ImportReport {
    fn from(report: omnicanal_app::imports::ImportReport) -> Self {
        Self {
            rows: report.rows,
            applied: report.applied,
            rejected: report
                .rejected
                .into_iter()
                .map(|row| RejectedRow { line: row.line, errors: row.errors })
                .collect(),
        }
    }
}

/// What `omnicanal import` imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    /// `sku,location_id,on_hand` stock counts.
    Stock,
    /// `merchant_id,product,sku,price,currency[,barcode,track_stock]` products.
    Catalog,
}

/// The platform operator at the command line: an admin who is no user of the database.
pub(crate) fn operator() -> Caller {
    Caller {
        id: "cli".into(),
        email: "operator@localhost".into(),
        role: Role::Admin,
        merchant_id: None,
        location_id: None,
    }
}

/// Runs an import from a file straight against the database, as the platform operator,
/// printing a progress line to standard error as it goes.
pub async fn import_file(database_url: &str, kind: ImportKind, csv_text: &str) -> Result<ImportReport, String> {
    let store = omnicanal_store::connect(database_url).await.map_err(|e| format!("database: {e}"))?;
    let app = App::new(store, Arc::new(SystemClock), Arc::new(omnicanal_app::payments::SandboxCardProvider));
    let progress = |done: u64, total: u64| {
        if done == total || done.is_multiple_of(500) {
            eprint!("\rimported {done}/{total} {}", if kind == ImportKind::Stock { "rows" } else { "products" });
            if done == total {
                eprintln!();
            }
        }
    };
    let caller = operator();
    let report = match kind {
        ImportKind::Stock => app.import_stock(&caller, csv_text, progress).await,
        ImportKind::Catalog => app.import_catalog(&caller, csv_text, progress).await,
    };
    report.map(ImportReport::from).map_err(|error| {
        let fields = format_field_errors(&error);
        ApiError::from(error).problem().detail + &fields
    })
}

fn format_field_errors(error: &AppError) -> String {
    match error {
        AppError::Invalid(errors) => errors.iter().map(|e| format!("\n  {}: {}", e.field, e.message)).collect(),
        _ => String::new(),
    }
}
