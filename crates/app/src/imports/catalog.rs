//! Products from CSV, `merchant_id,product,sku,price,currency` with optional `barcode` and
//! `track_stock` (true/false, default true). Rows with the same merchant and product name become
//! one product with several variants, stored whole or not at all.

use std::collections::BTreeMap;

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::{Name, Sku, parse_price};
use omnicanal_domain::pricing::TaxCategory;
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{ProductRow, VariantRow};
use serde::Deserialize;

use super::{ImportReport, RejectedRow, count, read_rows, row_error};
use crate::App;
use crate::audit::{AuditEntity, Change};
use crate::caller::Caller;
use crate::error::AppResult;
use crate::ids::new_id;

/// The columns a catalog import must have (`barcode` and `track_stock` may follow).
pub const CATALOG_COLUMNS: [&str; 5] = ["merchant_id", "product", "sku", "price", "currency"];

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

/// A checked row: its line, its variant and whether its stock is tracked.
struct CheckedVariant {
    line: u64,
    variant: VariantRow,
    track_stock: bool,
}

impl App {
    /// Imports products of merchants the caller may see (admins and managers); `progress` is
    /// told (products done, products total) as it goes.
    pub async fn import_catalog(
        &self,
        caller: &Caller,
        csv_text: &str,
        mut progress: impl FnMut(u64, u64) + Send,
    ) -> AppResult<ImportReport> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let mut report = ImportReport::default();
        let rows: Vec<(u64, CatalogCsvRow)> = read_rows(csv_text, &CATALOG_COLUMNS, &mut report)?;
        // (merchant, product name) → its checked rows.
        let mut products: BTreeMap<(String, String), Vec<CheckedVariant>> = BTreeMap::new();
        for (line, row) in rows {
            match self.check_catalog_row(caller, &row, line).await {
                Ok(checked) => {
                    let key = (row.merchant_id.clone(), row.product.trim().to_owned());
                    products.entry(key).or_default().push(checked);
                }
                Err(errors) => report.reject(line, errors),
            }
        }
        let total = count(products.len());
        for (done, ((merchant_id, name), variants)) in products.into_iter().enumerate() {
            let lines: Vec<u64> = variants.iter().map(|checked| checked.line).collect();
            match self.store_imported_product(caller, merchant_id, name, variants).await {
                Ok(stored) => report.applied += stored,
                Err(error) => report
                    .rejected
                    .extend(lines.into_iter().map(|line| RejectedRow { line, errors: vec![error.clone()] })),
            }
            progress(count(done) + 1, total);
        }
        report.rejected.sort_by_key(|row| row.line);
        Ok(report)
    }

    async fn check_catalog_row(
        &self,
        caller: &Caller,
        row: &CatalogCsvRow,
        line: u64,
    ) -> Result<CheckedVariant, Vec<String>> {
        let mut errors = Vec::new();
        if let Err(error) = Name::parse("product", &row.product) {
            errors.push(error.to_string());
        }
        let sku = Sku::parse(&row.sku).map_err(|error| errors.push(error.to_string())).ok();
        let price = parse_row_price(row, &mut errors);
        let track_stock = parse_track_stock(row.track_stock.as_deref(), &mut errors);
        let visible = caller.check_merchant(&row.merchant_id, "merchant").is_ok();
        let merchant =
            self.store.get_merchant(&row.merchant_id).await.map_err(|error| vec![row_error(error.into())])?;
        if !visible || merchant.is_none() {
            errors.push(format!("merchant_id: no such merchant {:?}", row.merchant_id));
        }
        if let Some(sku) = &sku
            && merchant.is_some()
            && self
                .store
                .find_variant(&row.merchant_id, sku.as_str())
                .await
                .map_err(|error| vec![row_error(error.into())])?
                .is_some()
        {
            errors.push(format!("sku: {sku} already exists for this merchant"));
        }
        let (Some(sku), Some(price), true) = (sku, price, errors.is_empty()) else { return Err(errors) };
        let variant = VariantRow {
            id: new_id("var"),
            product_id: String::new(),
            merchant_id: row.merchant_id.clone(),
            sku: sku.as_str().to_owned(),
            price_minor: price.amount_minor,
            currency: price.currency,
            barcode: row.barcode.clone().filter(|code| !code.is_empty()),
            attributes_json: "{}".into(),
        };
        Ok(CheckedVariant { line, variant, track_stock })
    }

    /// Stores one product with its variants; the answer is how many rows that applied, or why
    /// none did (a SKU twice in the file is caught here, by the store's unique key).
    async fn store_imported_product(
        &self,
        caller: &Caller,
        merchant_id: String,
        name: String,
        variants: Vec<CheckedVariant>,
    ) -> Result<u64, String> {
        let product = ProductRow {
            id: new_id("prd"),
            merchant_id,
            name,
            track_stock: variants.iter().all(|checked| checked.track_stock),
            tax_category: TaxCategory::Standard,
            category: None,
            image_url: None,
            modifiers_json: None,
            description: None,
            allergens: Vec::new(),
            created_at_ms: self.now_ms(),
        };
        let variants: Vec<VariantRow> = variants
            .into_iter()
            .map(|checked| VariantRow { product_id: product.id.clone(), ..checked.variant })
            .collect();
        self.store.insert_product(&product, &variants).await.map_err(|error| row_error(error.into()))?;
        let stored = count(variants.len());
        let created = (product, variants);
        let change = Change::created(AuditEntity::Product, &created.0.id, Some(&created.0.merchant_id), &created);
        self.record_change(caller, change).await;
        Ok(stored)
    }
}

/// The row's price in minor units of its currency, or `None` with the reasons recorded.
fn parse_row_price(row: &CatalogCsvRow, errors: &mut Vec<String>) -> Option<Money> {
    let currency = row.currency.parse::<Currency>().map_err(|error| errors.push(error.to_string())).ok();
    let amount = row.price.parse::<i64>().ok();
    if amount.is_none() {
        errors.push(format!("price: {:?} is not a whole number of minor units", row.price));
    }
    let (amount, currency) = (amount?, currency?);
    parse_price("price", Money::new(amount, currency)).map_err(|error| errors.push(error.to_string())).ok()
}

/// `track_stock`: empty, true/yes/1 (the default) or false/no/0.
fn parse_track_stock(raw: Option<&str>, errors: &mut Vec<String>) -> bool {
    match raw.map(str::to_ascii_lowercase).as_deref() {
        None | Some("" | "true" | "yes" | "1") => true,
        Some("false" | "no" | "0") => false,
        Some(other) => {
            errors.push(format!("track_stock: {other:?} is not true or false"));
            true
        }
    }
}
