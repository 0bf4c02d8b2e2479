//! The manager's catalogue (issue 15 point 2): a merchant's products searched, sorted and
//! paged; an edit saved in one transaction; archiving; categories counted and renamed.
//!
//! Variants are named by SKU everywhere else (stock, order and till lines, price lists) as
//! plain text, with no foreign key: deleting a variant would leave that history pointing at a
//! SKU nobody owns, and a later product could take the SKU over. So an edit removes a variant
//! only when its SKU has no history, checked inside the edit's own transaction; otherwise the
//! whole edit is refused and nothing is written (the product can be archived instead).

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::columns::{flag, in_list, like_escape};
use super::setup::{product_from, variant_from};
use crate::backend::SqlStore;
use crate::rows::{
    ArchiveFilter, CatalogEntryRow, CategoryRow, Page, ProductEditOutcome, ProductEditRow, ProductSearch, ProductSort,
    VariantRow,
};
use crate::{CatalogAdminStore, StoreResult};

/// A product's columns with its archive time, read by `product_from` by name.
macro_rules! entry_columns {
    () => {
        "p.id, p.merchant_id, p.name, p.track_stock, p.tax_category, p.category, p.image_url, p.modifiers_json, \
         p.description, p.allergens, p.created_at_ms, p.archived_at_ms"
    };
}

/// The search's filter: `$1` the merchant, `$2` the LIKE pattern (matching all when the text is
/// empty) over the name, any variant's SKU or barcode.
macro_rules! search_filter {
    () => {
        " FROM products p WHERE p.merchant_id = $1 AND (LOWER(p.name) LIKE $2 ESCAPE '\\' \
         OR EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id \
         AND (LOWER(v.sku) LIKE $2 ESCAPE '\\' OR LOWER(COALESCE(v.barcode, '')) LIKE $2 ESCAPE '\\')))"
    };
}

/// Where a SKU leaves history: stock counted or moved, sold online or at the till, priced in a
/// price list. `$1` the merchant, `$2` the SKU.
const SKU_HISTORY: &str = "SELECT \
     EXISTS (SELECT 1 FROM stock_levels s WHERE s.merchant_id = $1 AND s.sku = $2) \
     OR EXISTS (SELECT 1 FROM stock_movements m JOIN locations l ON l.id = m.location_id \
                WHERE l.merchant_id = $1 AND m.sku = $2) \
     OR EXISTS (SELECT 1 FROM fulfillment_lines fl JOIN fulfillments f ON f.id = fl.fulfillment_id \
                WHERE f.merchant_id = $1 AND fl.sku = $2) \
     OR EXISTS (SELECT 1 FROM pos_sale_lines sl JOIN pos_sales ps ON ps.id = sl.sale_id \
                WHERE ps.merchant_id = $1 AND sl.sku = $2) \
     OR EXISTS (SELECT 1 FROM price_list_entries e JOIN price_lists pl ON pl.id = e.price_list_id \
                WHERE pl.merchant_id = $1 AND e.sku = $2) AS used";

fn archive_clause(filter: ArchiveFilter) -> &'static str {
    match filter {
        ArchiveFilter::Active => " AND p.archived_at_ms IS NULL",
        ArchiveFilter::Archived => " AND p.archived_at_ms IS NOT NULL",
        ArchiveFilter::All => "",
    }
}

/// The ORDER BY of a sort, always ending on the id so pages never overlap.
fn order_clause(sort: ProductSort, descending: bool) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    match sort {
        ProductSort::Name => format!(" ORDER BY LOWER(p.name) {dir}, p.id {dir}"),
        // COALESCE: SQLite and PostgreSQL put NULLs at opposite ends; none sorts as empty.
        ProductSort::Category => {
            format!(" ORDER BY LOWER(COALESCE(p.category, '')) {dir}, LOWER(p.name) {dir}, p.id {dir}")
        }
        ProductSort::Price => format!(
            " ORDER BY (SELECT MIN(v.price_minor) FROM variants v WHERE v.product_id = p.id) {dir}, \
             LOWER(p.name) {dir}, p.id {dir}"
        ),
        ProductSort::Created => format!(" ORDER BY p.created_at_ms {dir}, p.id {dir}"),
    }
}

fn entry_from(row: &AnyRow, variants: &[VariantRow]) -> Result<CatalogEntryRow, sqlx::Error> {
    let product = product_from(row)?;
    let own = variants.iter().filter(|v| v.product_id == product.id).cloned().collect();
    Ok(CatalogEntryRow { product, variants: own, archived_at_ms: row.try_get("archived_at_ms")? })
}

impl SqlStore {
    /// The variants of these products, by SKU (one query).
    async fn variants_of(&self, product_ids: &[String]) -> StoreResult<Vec<VariantRow>> {
        if product_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, product_id, merchant_id, sku, price_minor, currency, barcode, attributes_json \
             FROM variants WHERE product_id IN {} ORDER BY sku",
            in_list(1, product_ids.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in product_ids {
            query = query.bind(id.clone());
        }
        let rows = query.fetch_all(&self.read).await?;
        Ok(rows.iter().map(variant_from).collect::<Result<_, _>>()?)
    }
}

/// True when the SKU has been stocked, sold or priced by the merchant.
async fn sku_has_history(tx: &mut Transaction<'static, Any>, merchant_id: &str, sku: &str) -> StoreResult<bool> {
    let row = sqlx::query(SKU_HISTORY).bind(merchant_id).bind(sku).fetch_one(&mut **tx).await?;
    // PostgreSQL answers a boolean, SQLite an integer.
    Ok(row.try_get::<bool, _>("used").or_else(|_| row.try_get::<i64, _>("used").map(|n| n != 0))?)
}

#[async_trait]
impl CatalogAdminStore for SqlStore {
    async fn search_products(&self, search: &ProductSearch, page: Page) -> StoreResult<(Vec<CatalogEntryRow>, i64)> {
        let pattern = format!("%{}%", like_escape(&search.text.to_lowercase()));
        let archive = archive_clause(search.archive);
        let count_sql = format!("SELECT COUNT(*) AS n{}{archive}", search_filter!());
        let total: i64 = sqlx::query(sqlx::AssertSqlSafe(count_sql))
            .bind(&search.merchant_id)
            .bind(&pattern)
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        let sql = format!(
            "SELECT {}{}{archive}{} LIMIT $3 OFFSET $4",
            entry_columns!(),
            search_filter!(),
            order_clause(search.sort, search.descending)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&search.merchant_id)
            .bind(&pattern)
            .bind(page.limit)
            .bind(page.offset)
            .fetch_all(&self.read)
            .await?;
        let ids: Vec<String> = rows.iter().map(|row| row.try_get("id")).collect::<Result<_, _>>()?;
        let variants = self.variants_of(&ids).await?;
        let entries = rows.iter().map(|row| entry_from(row, &variants)).collect::<Result<_, _>>()?;
        Ok((entries, total))
    }

    async fn get_catalog_entry(&self, product_id: &str) -> StoreResult<Option<CatalogEntryRow>> {
        let Some(row) = sqlx::query(concat!("SELECT ", entry_columns!(), " FROM products p WHERE p.id = $1"))
            .bind(product_id)
            .fetch_optional(&self.read)
            .await?
        else {
            return Ok(None);
        };
        let variants = self.variants_of(&[product_id.to_owned()]).await?;
        Ok(Some(entry_from(&row, &variants)?))
    }

    async fn update_product(&self, edit: &ProductEditRow) -> StoreResult<ProductEditOutcome> {
        let product = &edit.product;
        let mut tx = self.write.begin().await?;
        let updated = sqlx::query(
            // `image_url` is the photo's to set (`PhotoStore`): an edit read before an upload
            // finished must not point the product back at a photo that is gone.
            "UPDATE products SET name = $1, track_stock = $2, tax_category = $3, category = $4, \
             modifiers_json = $5, description = $6, allergens = $7 WHERE id = $8 AND merchant_id = $9",
        )
        .bind(&product.name)
        .bind(flag(product.track_stock))
        .bind(product.tax_category.as_str())
        .bind(&product.category)
        .bind(&product.modifiers_json)
        .bind(&product.description)
        .bind(omnicanal_domain::dish::allergens_to_column(&product.allergens))
        .bind(&product.id)
        .bind(&product.merchant_id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(ProductEditOutcome::Missing);
        }
        for variant in &edit.removed {
            if sku_has_history(&mut tx, &product.merchant_id, &variant.sku).await? {
                tx.rollback().await?;
                return Ok(ProductEditOutcome::SkuHasHistory { sku: variant.sku.clone() });
            }
            // The location's sold-out switch for a SKU that no longer exists would only confuse
            // a product that takes the SKU later.
            sqlx::query(
                "DELETE FROM sold_out_items WHERE sku = $1 \
                 AND location_id IN (SELECT id FROM locations WHERE merchant_id = $2)",
            )
            .bind(&variant.sku)
            .bind(&product.merchant_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM variants WHERE id = $1 AND product_id = $2")
                .bind(&variant.id)
                .bind(&product.id)
                .execute(&mut *tx)
                .await?;
        }
        for variant in &edit.changed {
            sqlx::query(
                "UPDATE variants SET price_minor = $1, currency = $2, barcode = $3, attributes_json = $4 \
                 WHERE id = $5 AND product_id = $6",
            )
            .bind(variant.price_minor)
            .bind(variant.currency.code())
            .bind(&variant.barcode)
            .bind(&variant.attributes_json)
            .bind(&variant.id)
            .bind(&product.id)
            .execute(&mut *tx)
            .await?;
        }
        for variant in &edit.added {
            // A SKU taken meanwhile is `Duplicate(MerchantSku)`; dropping `tx` rolls back.
            sqlx::query(
                "INSERT INTO variants (id, product_id, merchant_id, sku, price_minor, currency, barcode, \
                 attributes_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&variant.id)
            .bind(&product.id)
            .bind(&product.merchant_id)
            .bind(&variant.sku)
            .bind(variant.price_minor)
            .bind(variant.currency.code())
            .bind(&variant.barcode)
            .bind(&variant.attributes_json)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(ProductEditOutcome::Saved)
    }

    async fn set_product_archived(&self, product_id: &str, archived_at_ms: Option<i64>) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE products SET archived_at_ms = $1 WHERE id = $2")
            .bind(archived_at_ms)
            .bind(product_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn merchant_categories(&self, merchant_id: &str) -> StoreResult<Vec<CategoryRow>> {
        let rows = sqlx::query(
            "SELECT category, \
             SUM(CASE WHEN archived_at_ms IS NULL THEN 1 ELSE 0 END) AS active_products, \
             SUM(CASE WHEN archived_at_ms IS NULL THEN 0 ELSE 1 END) AS archived_products \
             FROM products WHERE merchant_id = $1 AND category IS NOT NULL \
             GROUP BY category ORDER BY LOWER(category), category",
        )
        .bind(merchant_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CategoryRow {
                    name: row.try_get("category")?,
                    active_products: row.try_get("active_products")?,
                    archived_products: row.try_get("archived_products")?,
                })
            })
            .collect()
    }

    async fn rename_category(&self, merchant_id: &str, from: &str, to: &str) -> StoreResult<i64> {
        let done = sqlx::query("UPDATE products SET category = $1 WHERE merchant_id = $2 AND category = $3")
            .bind(to)
            .bind(merchant_id)
            .bind(from)
            .execute(&self.write)
            .await?;
        Ok(i64::try_from(done.rows_affected()).unwrap_or(i64::MAX))
    }
}
