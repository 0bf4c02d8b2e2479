//! CSV exports in the very columns the imports take, so a file exported, edited and imported
//! again round-trips: a merchant's catalogue (`merchant_id,product,sku,price,currency,barcode,
//! track_stock`, one row per variant) and a location's stock (`sku,location_id,on_hand`).

use omnicanal_store::Page;

use super::catalog::CATALOG_COLUMNS;
use super::stock::STOCK_COLUMNS;
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::stock::levels::LevelQuery;

/// Stock rows read per page while exporting.
const EXPORT_PAGE: i64 = 500;

fn fault(error: impl std::fmt::Display) -> AppError {
    AppError::Internal(error.to_string().into())
}

fn finish(csv: csv::Writer<Vec<u8>>) -> AppResult<String> {
    String::from_utf8(csv.into_inner().map_err(fault)?).map_err(fault)
}

impl App {
    /// A merchant's catalogue as an import file (anyone who may see the merchant; others: 404).
    pub async fn export_products_csv(&self, caller: &Caller, merchant_id: &str) -> AppResult<String> {
        let products = self.merchant_products(caller, merchant_id).await?;
        let mut csv = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<&str> = CATALOG_COLUMNS.to_vec();
        header.extend(["barcode", "track_stock"]);
        csv.write_record(&header).map_err(fault)?;
        for (product, variants) in &products {
            for variant in variants {
                let price = variant.price_minor.to_string();
                let track = if product.track_stock { "true" } else { "false" };
                csv.write_record([
                    product.merchant_id.as_str(),
                    product.name.as_str(),
                    variant.sku.as_str(),
                    price.as_str(),
                    variant.currency.code(),
                    variant.barcode.as_deref().unwrap_or(""),
                    track,
                ])
                .map_err(fault)?;
            }
        }
        finish(csv)
    }

    /// A location's stock as an import file (staff: their own location; others: 404).
    pub async fn export_stock_csv(&self, caller: &Caller, location_id: &str) -> AppResult<String> {
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(STOCK_COLUMNS).map_err(fault)?;
        let mut offset = 0;
        loop {
            let page = Page { limit: EXPORT_PAGE, offset };
            let query = LevelQuery { location_id: Some(location_id.to_owned()), sku: None, page };
            let levels = self.stock_levels(caller, query).await?;
            for level in &levels {
                csv.write_record([level.sku.as_str(), level.location_id.as_str(), &level.on_hand.to_string()])
                    .map_err(fault)?;
            }
            if i64::try_from(levels.len()).unwrap_or(i64::MAX) < EXPORT_PAGE {
                break;
            }
            offset += EXPORT_PAGE;
        }
        finish(csv)
    }
}
