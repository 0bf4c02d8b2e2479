//! The retail catalogue's SQL (issue 17): a product inserted with its options in one
//! transaction, and a location's kind. Options and kinds are columns of `products` and
//! `locations` (migration 0030) read by their own statements, so the product and location rows
//! every other area builds stay as they are.

use async_trait::async_trait;
use omnicanal_domain::dish::allergens_to_column;
use omnicanal_domain::retail::LocationKind;
use sqlx::Row;

use super::columns::{flag, get_parsed};
use crate::backend::SqlStore;
use crate::constraints::{Reference, or_missing};
use crate::rows::{LocationKindRow, ProductOptionsRow, ProductRow, VariantRow};
use crate::{RetailStore, StoreResult};

#[async_trait]
impl RetailStore for SqlStore {
    async fn insert_retail_product(
        &self,
        product: &ProductRow,
        variants: &[VariantRow],
        options_json: Option<&str>,
    ) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO products (id, merchant_id, name, track_stock, tax_category, category, image_url, \
             modifiers_json, description, allergens, created_at_ms, options_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&product.id)
        .bind(&product.merchant_id)
        .bind(&product.name)
        .bind(flag(product.track_stock))
        .bind(product.tax_category.as_str())
        .bind(&product.category)
        .bind(&product.image_url)
        .bind(&product.modifiers_json)
        .bind(&product.description)
        .bind(allergens_to_column(&product.allergens))
        .bind(product.created_at_ms)
        .bind(options_json)
        .execute(&mut *transaction)
        .await;
        or_missing(&self.read, inserted, &[(Reference::Merchant, product.merchant_id.as_str())]).await?;
        for variant in variants {
            sqlx::query(
                "INSERT INTO variants (id, product_id, merchant_id, sku, price_minor, currency, barcode, \
                 attributes_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&variant.id)
            .bind(&variant.product_id)
            .bind(&variant.merchant_id)
            .bind(&variant.sku)
            .bind(variant.price_minor)
            .bind(variant.currency.code())
            .bind(&variant.barcode)
            .bind(&variant.attributes_json)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn merchant_product_options(&self, merchant_id: &str) -> StoreResult<Vec<ProductOptionsRow>> {
        let rows = sqlx::query(
            "SELECT id, options_json FROM products WHERE merchant_id = $1 AND options_json IS NOT NULL ORDER BY id",
        )
        .bind(merchant_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ProductOptionsRow { product_id: row.try_get("id")?, options_json: row.try_get("options_json")? })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    async fn set_location_kind(&self, row: &LocationKindRow) -> StoreResult<bool> {
        let updated = sqlx::query("UPDATE locations SET kind = $1 WHERE id = $2")
            .bind(row.kind.as_str())
            .bind(&row.location_id)
            .execute(&self.write)
            .await?;
        Ok(updated.rows_affected() == 1)
    }

    async fn merchant_location_kinds(&self, merchant_id: &str) -> StoreResult<Vec<LocationKindRow>> {
        let rows = sqlx::query("SELECT id, kind FROM locations WHERE merchant_id = $1 ORDER BY id")
            .bind(merchant_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(LocationKindRow {
                    location_id: row.try_get("id")?,
                    kind: get_parsed(row, "kind", LocationKind::parse)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}
