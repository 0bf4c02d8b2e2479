//! CSV import of stock counts and of the catalog: every row checked, the good ones applied,
//! the bad ones reported with their line number and reasons — nothing half-applied.
//!
//! Stock: `sku,location_id,on_hand` — each row is a stock count (on-hand becomes the figure
//! and the ledger records the difference). Catalog: `merchant_id,product,sku,price,currency`
//! with optional `barcode` and `track_stock` (true/false, default true); rows with the same
//! merchant and product name become one product with several variants.

use std::collections::BTreeMap;

use omnicanal_domain::catalog::{Name, Sku, parse_price};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{ProductRow, StockMovementRow, StoreError, VariantRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::ids::{new_id, now_ms};
use crate::state::AppState;
use omnicanal_app::AppError;

/// A checked catalog row: (line, variant, track_stock).
type CheckedVariant = (u64, VariantRow, bool);

/// Most rows one import may have.
pub const MAX_IMPORT_ROWS: usize = 50_000;

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

#[derive(Debug, Deserialize)]
struct StockCsvRow {
    sku: String,
    location_id: String,
    on_hand: String,
}

#[derive(Debug, Deserialize)]
struct CatalogCsvRow {
    merchant_id: String,
    product: String,
    sku: String,
    price: String,
    currency: String,
    #[serde(default)]
    barcode: Option<String>,
    #[serde(default)]
    track_stock: Option<String>,
}

fn reader(csv_text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(csv_text.as_bytes())
}

/// Reads every row, or reports the file as unreadable (missing columns, too many rows).
fn read_rows<T: serde::de::DeserializeOwned>(
    csv_text: &str,
    required: &[&str],
    report: &mut ImportReport,
) -> ApiResult<Vec<(u64, T)>> {
    let mut csv = reader(csv_text);
    let header =
        csv.headers().map_err(|error| ApiError::invalid("file", format!("not a readable CSV file: {error}")))?;
    let missing: Vec<&str> = required.iter().copied().filter(|column| !header.iter().any(|h| h == *column)).collect();
    if !missing.is_empty() {
        return Err(ApiError::invalid(
            "file",
            format!("the header line lacks {}; expected {}", missing.join(", "), required.join(",")),
        ));
    }
    let mut rows = Vec::new();
    for (index, record) in csv.deserialize::<T>().enumerate() {
        let line = u64::try_from(index).unwrap_or(u64::MAX).saturating_add(2);
        report.rows += 1;
        if rows.len() + report.rejected.len() >= MAX_IMPORT_ROWS {
            return Err(ApiError::invalid("file", format!("an import may have at most {MAX_IMPORT_ROWS} rows")));
        }
        match record {
            Ok(row) => rows.push((line, row)),
            Err(error)
                if matches!(
                    error.kind(),
                    csv::ErrorKind::Deserialize { .. } | csv::ErrorKind::UnequalLengths { .. }
                ) =>
            {
                report.rejected.push(RejectedRow { line, errors: vec![error.to_string()] })
            }
            Err(error) => return Err(ApiError::invalid("file", format!("not a readable CSV file: {error}"))),
        }
    }
    Ok(rows)
}

/// Imports stock counts; `progress` is called with (rows done, rows total) as it goes.
pub async fn import_stock(
    state: &AppState,
    user: &AuthUser,
    csv_text: &str,
    mut progress: impl FnMut(u64, u64),
) -> ApiResult<ImportReport> {
    let mut report = ImportReport::default();
    let rows: Vec<(u64, StockCsvRow)> = read_rows(csv_text, &["sku", "location_id", "on_hand"], &mut report)?;
    let total = u64::try_from(rows.len()).unwrap_or(u64::MAX);
    for (done, (line, row)) in rows.into_iter().enumerate() {
        match import_stock_row(state, user, &row).await {
            Ok(()) => report.applied += 1,
            Err(errors) => report.rejected.push(RejectedRow { line, errors }),
        }
        progress(u64::try_from(done).unwrap_or(0) + 1, total);
    }
    report.rejected.sort_by_key(|row| row.line);
    if report.applied > 0 {
        state.wake_dispatcher();
    }
    Ok(report)
}

async fn import_stock_row(state: &AppState, user: &AuthUser, row: &StockCsvRow) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    let sku = Sku::parse(&row.sku).map_err(|e| errors.push(e.to_string())).ok();
    let counted = row.on_hand.parse::<i64>().ok().filter(|n| (0..=10_000_000).contains(n));
    if counted.is_none() {
        errors.push(format!("on_hand: {:?} is not a whole number from 0 to 10000000", row.on_hand));
    }
    let location = state.store.get_location(&row.location_id).await.map_err(|e| vec![e.to_string()])?;
    let location = location.filter(|l| user.check_location(&l.merchant_id, &l.id).is_ok());
    if location.is_none() {
        errors.push(format!("location_id: no such location {:?}", row.location_id));
    }
    let (Some(sku), Some(counted), Some(location)) = (sku, counted, location) else { return Err(errors) };
    match state.store.find_variant(&location.merchant_id, sku.as_str()).await {
        Ok(Some((_, true))) => {}
        Ok(Some((_, false))) => return Err(vec![format!("sku: stock is not tracked for {sku}")]),
        Ok(None) => return Err(vec![format!("sku: {} does not sell {sku}", location.name)]),
        Err(error) => return Err(vec![error.to_string()]),
    }
    let movement = StockMovementRow {
        id: new_id("mov"),
        sku: sku.as_str().to_owned(),
        location_id: location.id.clone(),
        merchant_id: location.merchant_id.clone(),
        delta: 0,
        reason: omnicanal_domain::inventory::MovementReason::Count,
        reference: Some("csv import".into()),
        channel: None,
        created_by: Some(user.id.clone()),
        created_at_ms: now_ms(),
        event_id: new_id("evt"),
    };
    match state.store.apply_stock_count(&movement, counted).await {
        Ok(_) => Ok(()),
        Err(StoreError::LedgerRefused) => {
            Err(vec![format!("on_hand: {counted} is below the units reserved for orders")])
        }
        Err(error) => Err(vec![error.to_string()]),
    }
}

/// Imports catalog rows as products with variants.
pub async fn import_catalog(
    state: &AppState,
    user: &AuthUser,
    csv_text: &str,
    mut progress: impl FnMut(u64, u64),
) -> ApiResult<ImportReport> {
    let mut report = ImportReport::default();
    let required = ["merchant_id", "product", "sku", "price", "currency"];
    let rows: Vec<(u64, CatalogCsvRow)> = read_rows(csv_text, &required, &mut report)?;
    // (merchant, product name) → its checked rows; a product is stored whole or not at all.
    let mut products: BTreeMap<(String, String), Vec<CheckedVariant>> = BTreeMap::new();
    for (line, row) in rows {
        match check_catalog_row(state, user, &row).await {
            Ok((variant, track_stock)) => {
                let key = (row.merchant_id.clone(), row.product.trim().to_owned());
                products.entry(key).or_default().push((line, variant, track_stock));
            }
            Err(errors) => report.rejected.push(RejectedRow { line, errors }),
        }
    }
    let total = u64::try_from(products.len()).unwrap_or(u64::MAX);
    for (done, ((merchant_id, name), variants)) in products.into_iter().enumerate() {
        let lines: Vec<u64> = variants.iter().map(|(line, _, _)| *line).collect();
        match store_product(state, merchant_id, name, variants).await {
            Ok(count) => report.applied += count,
            Err(error) => {
                report.rejected.extend(lines.into_iter().map(|line| RejectedRow { line, errors: vec![error.clone()] }))
            }
        }
        progress(u64::try_from(done).unwrap_or(0) + 1, total);
    }
    report.rejected.sort_by_key(|row| row.line);
    Ok(report)
}

async fn check_catalog_row(
    state: &AppState,
    user: &AuthUser,
    row: &CatalogCsvRow,
) -> Result<(VariantRow, bool), Vec<String>> {
    let mut errors = Vec::new();
    if let Err(error) = Name::parse("product", &row.product) {
        errors.push(error.to_string());
    }
    let sku = Sku::parse(&row.sku).map_err(|e| errors.push(e.to_string())).ok();
    let currency = row.currency.parse::<Currency>().map_err(|e| errors.push(e.to_string())).ok();
    let amount = row.price.parse::<i64>().ok();
    if amount.is_none() {
        errors.push(format!("price: {:?} is not a whole number of minor units", row.price));
    }
    let price = match (amount, currency) {
        (Some(amount), Some(currency)) => {
            parse_price("price", Money::new(amount, currency)).map_err(|e| errors.push(e.to_string())).ok()
        }
        _ => None,
    };
    let track_stock = match row.track_stock.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("") | Some("true") | Some("yes") | Some("1") => true,
        Some("false") | Some("no") | Some("0") => false,
        Some(other) => {
            errors.push(format!("track_stock: {other:?} is not true or false"));
            true
        }
    };
    let visible = user.check_merchant(&row.merchant_id, "merchant").is_ok();
    let merchant = state.store.get_merchant(&row.merchant_id).await.map_err(|e| vec![e.to_string()])?;
    if !visible || merchant.is_none() {
        errors.push(format!("merchant_id: no such merchant {:?}", row.merchant_id));
    }
    if let Some(sku) = &sku
        && merchant.is_some()
        && state.store.find_variant(&row.merchant_id, sku.as_str()).await.map_err(|e| vec![e.to_string()])?.is_some()
    {
        errors.push(format!("sku: {sku} already exists for this merchant"));
    }
    let (Some(sku), Some(price), true) = (sku, price, errors.is_empty()) else { return Err(errors) };
    Ok((
        VariantRow {
            id: new_id("var"),
            product_id: String::new(),
            merchant_id: row.merchant_id.clone(),
            sku: sku.as_str().to_owned(),
            price_minor: price.amount_minor,
            currency: price.currency,
            barcode: row.barcode.clone().filter(|code| !code.is_empty()),
            attributes_json: "{}".into(),
        },
        track_stock,
    ))
}

async fn store_product(
    state: &AppState,
    merchant_id: String,
    name: String,
    variants: Vec<(u64, VariantRow, bool)>,
) -> Result<u64, String> {
    let product = ProductRow {
        id: new_id("prd"),
        merchant_id,
        name,
        track_stock: variants.iter().all(|(_, _, track)| *track),
        tax_category: omnicanal_domain::pricing::TaxCategory::Standard,
        category: None,
        image_url: None,
        modifiers_json: None,
        created_at_ms: now_ms(),
    };
    let variants: Vec<VariantRow> =
        variants.into_iter().map(|(_, variant, _)| VariantRow { product_id: product.id.clone(), ..variant }).collect();
    let count = u64::try_from(variants.len()).unwrap_or(0);
    match state.store.insert_product(&product, &variants).await {
        Ok(()) => Ok(count),
        Err(StoreError::Duplicate(_)) => Err("a SKU of this product appears twice or already exists".into()),
        Err(error) => Err(error.to_string()),
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

/// Runs an import from a file straight against the database, as the platform operator,
/// printing a progress line to standard error as it goes.
pub async fn import_file(database_url: &str, kind: ImportKind, csv_text: &str) -> Result<ImportReport, String> {
    let store = omnicanal_store::connect(database_url).await.map_err(|e| format!("database: {e}"))?;
    let (_keep_running, shutdown) = tokio::sync::watch::channel(false);
    let app = omnicanal_app::App::new(
        store,
        std::sync::Arc::new(omnicanal_app::SystemClock),
        std::sync::Arc::new(omnicanal_app::payments::SandboxCardProvider),
    );
    let state = AppState::new(app, shutdown);
    let operator = AuthUser {
        session: omnicanal_app::access::Session {
            caller: omnicanal_app::Caller {
                id: "cli".into(),
                email: "operator@localhost".into(),
                role: crate::auth::Role::Admin,
                merchant_id: None,
                location_id: None,
            },
            token_hash: String::new(),
        },
        via_cookie: false,
    };
    let progress = |done: u64, total: u64| {
        if done == total || done.is_multiple_of(500) {
            eprint!("\rimported {done}/{total} {}", if kind == ImportKind::Stock { "rows" } else { "products" });
            if done == total {
                eprintln!();
            }
        }
    };
    let report = match kind {
        ImportKind::Stock => import_stock(&state, &operator, csv_text, progress).await,
        ImportKind::Catalog => import_catalog(&state, &operator, csv_text, progress).await,
    };
    report.map_err(|error| error.problem().detail + &format_field_errors(&error))
}

fn format_field_errors(error: &ApiError) -> String {
    match error {
        ApiError::App(AppError::Invalid(errors)) => {
            errors.iter().map(|e| format!("\n  {}: {}", e.field, e.message)).collect()
        }
        _ => String::new(),
    }
}
