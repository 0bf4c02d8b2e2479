//! Sites, merchants, locations, products and variants.

use async_trait::async_trait;
use omnicanal_domain::catalog::{Country, MerchantKind};
use omnicanal_domain::dish::{allergens_from_column, allergens_to_column};
use omnicanal_domain::pricing::TaxCategory;
use omnicanal_domain::site::UnacceptedPolicy;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::{flag, get_flag, get_parsed, in_list, like_escape};
use super::order_rows::currency;
use crate::backend::SqlStore;
use crate::constraints::{Reference, or_missing};
use crate::rows::{
    LocationRow, MerchantRow, Page, ProductRow, SellableRow, SetupOrder, SiteRow, StorefrontSettings, VariantRow,
};
use crate::{SetupStore, StoreError, StoreResult};

macro_rules! site_columns {
    () => {
        "id, name, country, currency, timezone, accept_within_minutes, unaccepted_policy, created_at_ms"
    };
}

fn site_from(row: &AnyRow) -> Result<SiteRow, sqlx::Error> {
    Ok(SiteRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        country: get_parsed(row, "country", Country::parse)?,
        currency: get_parsed(row, "currency", currency)?,
        timezone: row.try_get("timezone")?,
        accept_within_minutes: row.try_get("accept_within_minutes")?,
        unaccepted_policy: get_parsed(row, "unaccepted_policy", UnacceptedPolicy::parse)?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

/// `%text%` in lower case with its wildcards escaped, for `LOWER(name) LIKE … ESCAPE '\'`.
fn name_pattern(text: &str) -> String {
    format!("%{}%", like_escape(&text.trim().to_lowercase()))
}

fn merchant_from(row: &AnyRow) -> Result<MerchantRow, sqlx::Error> {
    Ok(MerchantRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: get_parsed(row, "kind", MerchantKind::parse)?,
        commission_bps: row.try_get("commission_bps")?,
        tax_id: row.try_get("tax_id")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn location_from(row: &AnyRow) -> Result<LocationRow, sqlx::Error> {
    Ok(LocationRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        site_id: row.try_get("site_id")?,
        name: row.try_get("name")?,
        pay_at_pickup: get_flag(row, "pay_at_pickup")?,
        is_open: get_flag(row, "is_open")?,
        storefront: StorefrontSettings {
            prep_minutes: row.try_get("prep_minutes")?,
            paused_until_ms: row.try_get("paused_until_ms")?,
            opening_hours_json: row.try_get("opening_hours_json")?,
            counter: row.try_get("counter")?,
            slot_capacity: row.try_get("slot_capacity")?,
        },
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

pub(crate) fn product_from(row: &AnyRow) -> Result<ProductRow, sqlx::Error> {
    Ok(ProductRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        name: row.try_get("name")?,
        track_stock: get_flag(row, "track_stock")?,
        tax_category: get_parsed(row, "tax_category", TaxCategory::parse)?,
        category: row.try_get("category")?,
        image_url: row.try_get("image_url")?,
        modifiers_json: row.try_get("modifiers_json")?,
        description: row.try_get("description")?,
        allergens: get_parsed(row, "allergens", allergens_from_column)?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

pub(crate) fn variant_from(row: &AnyRow) -> Result<VariantRow, sqlx::Error> {
    Ok(VariantRow {
        id: row.try_get("id")?,
        product_id: row.try_get("product_id")?,
        merchant_id: row.try_get("merchant_id")?,
        sku: row.try_get("sku")?,
        price_minor: row.try_get("price_minor")?,
        currency: get_parsed(row, "currency", currency)?,
        barcode: row.try_get("barcode")?,
        attributes_json: row.try_get("attributes_json")?,
    })
}

macro_rules! location_columns {
    () => {
        "id, merchant_id, site_id, name, pay_at_pickup, is_open, created_at_ms, prep_minutes, paused_until_ms, \
        opening_hours_json, counter, slot_capacity"
    };
}
macro_rules! product_columns {
    () => {
        "id, merchant_id, name, track_stock, tax_category, category, image_url, modifiers_json, description, allergens, \
        created_at_ms"
    };
}
macro_rules! variant_columns {
    () => {
        "id, product_id, merchant_id, sku, price_minor, currency, barcode, attributes_json"
    };
}

#[async_trait]
impl SetupStore for SqlStore {
    async fn insert_site(&self, site: &SiteRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sites (id, name, country, currency, timezone, accept_within_minutes, unaccepted_policy, \
             created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&site.id)
        .bind(&site.name)
        .bind(site.country.code())
        .bind(site.currency.code())
        .bind(&site.timezone)
        .bind(site.accept_within_minutes)
        .bind(site.unaccepted_policy.as_str())
        .bind(site.created_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn get_site(&self, id: &str) -> StoreResult<Option<SiteRow>> {
        let row = sqlx::query(concat!("SELECT ", site_columns!(), " FROM sites WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(site_from).transpose()?)
    }

    async fn list_sites(&self, page: Page) -> StoreResult<Vec<SiteRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            site_columns!(),
            " FROM sites ORDER BY created_at_ms, id LIMIT $1 OFFSET $2"
        ))
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(site_from).collect::<Result<_, _>>()?)
    }

    async fn insert_merchant(&self, merchant: &MerchantRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO merchants (id, name, kind, commission_bps, tax_id, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&merchant.id)
        .bind(&merchant.name)
        .bind(merchant.kind.as_str())
        .bind(merchant.commission_bps)
        .bind(&merchant.tax_id)
        .bind(merchant.created_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn update_merchant(&self, merchant: &MerchantRow) -> StoreResult<()> {
        let updated =
            sqlx::query("UPDATE merchants SET name = $1, kind = $2, commission_bps = $3, tax_id = $4 WHERE id = $5")
                .bind(&merchant.name)
                .bind(merchant.kind.as_str())
                .bind(merchant.commission_bps)
                .bind(&merchant.tax_id)
                .bind(&merchant.id)
                .execute(&self.write)
                .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn get_merchant(&self, id: &str) -> StoreResult<Option<MerchantRow>> {
        let row =
            sqlx::query("SELECT id, name, kind, commission_bps, tax_id, created_at_ms FROM merchants WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.read)
                .await?;
        Ok(row.as_ref().map(merchant_from).transpose()?)
    }

    async fn get_merchants(&self, ids: &[String]) -> StoreResult<Vec<MerchantRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, name, kind, commission_bps, tax_id, created_at_ms FROM merchants WHERE id IN {}",
            in_list(1, ids.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(id.clone());
        }
        let rows = query.fetch_all(&self.read).await?;
        Ok(rows.iter().map(merchant_from).collect::<Result<_, _>>()?)
    }

    async fn list_merchants(&self, page: Page) -> StoreResult<Vec<MerchantRow>> {
        let rows = sqlx::query(
            "SELECT id, name, kind, commission_bps, tax_id, created_at_ms FROM merchants ORDER BY created_at_ms, id LIMIT $1 OFFSET $2",
        )
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(merchant_from).collect::<Result<_, _>>()?)
    }

    async fn search_sites(&self, text: &str, order: SetupOrder, page: Page) -> StoreResult<Vec<SiteRow>> {
        let sql = format!(
            concat!(
                "SELECT ",
                site_columns!(),
                " FROM sites WHERE LOWER(name) LIKE $1 ESCAPE '\\' ORDER BY {} LIMIT $2 OFFSET $3"
            ),
            order.order_by()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name_pattern(text))
            .bind(page.limit)
            .bind(page.offset)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(site_from).collect::<Result<_, _>>()?)
    }

    async fn search_merchants(&self, text: &str, order: SetupOrder, page: Page) -> StoreResult<Vec<MerchantRow>> {
        let sql = format!(
            "SELECT id, name, kind, commission_bps, tax_id, created_at_ms FROM merchants \
             WHERE LOWER(name) LIKE $1 ESCAPE '\\' ORDER BY {} LIMIT $2 OFFSET $3",
            order.order_by()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name_pattern(text))
            .bind(page.limit)
            .bind(page.offset)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(merchant_from).collect::<Result<_, _>>()?)
    }

    async fn insert_location(&self, location: &LocationRow) -> StoreResult<()> {
        let inserted = sqlx::query(
            "INSERT INTO locations (id, merchant_id, site_id, name, pay_at_pickup, is_open, created_at_ms, prep_minutes, \
             paused_until_ms, opening_hours_json, counter, slot_capacity) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&location.id)
        .bind(&location.merchant_id)
        .bind(&location.site_id)
        .bind(&location.name)
        .bind(flag(location.pay_at_pickup))
        .bind(flag(location.is_open))
        .bind(location.created_at_ms)
        .bind(location.storefront.prep_minutes)
        .bind(location.storefront.paused_until_ms)
        .bind(&location.storefront.opening_hours_json)
        .bind(&location.storefront.counter)
        .bind(location.storefront.slot_capacity)
        .execute(&self.write)
        .await;
        let references =
            [(Reference::Merchant, location.merchant_id.as_str()), (Reference::Site, location.site_id.as_str())];
        or_missing(&self.read, inserted, &references).await?;
        Ok(())
    }

    async fn get_location(&self, id: &str) -> StoreResult<Option<LocationRow>> {
        let row = sqlx::query(concat!("SELECT ", location_columns!(), " FROM locations WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(location_from).transpose()?)
    }

    async fn get_locations(&self, ids: &[String]) -> StoreResult<Vec<LocationRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql =
            format!(concat!("SELECT ", location_columns!(), " FROM locations WHERE id IN {}"), in_list(1, ids.len()));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(id.clone());
        }
        let rows = query.fetch_all(&self.read).await?;
        Ok(rows.iter().map(location_from).collect::<Result<_, _>>()?)
    }

    async fn list_site_locations(&self, site_id: &str) -> StoreResult<Vec<LocationRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            location_columns!(),
            " FROM locations WHERE site_id = $1 ORDER BY name, id"
        ))
        .bind(site_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(location_from).collect::<Result<_, _>>()?)
    }

    async fn list_merchant_locations(&self, merchant_id: &str) -> StoreResult<Vec<LocationRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            location_columns!(),
            " FROM locations WHERE merchant_id = $1 ORDER BY name, id"
        ))
        .bind(merchant_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(location_from).collect::<Result<_, _>>()?)
    }

    async fn insert_product(&self, product: &ProductRow, variants: &[VariantRow]) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        let inserted = sqlx::query(concat!(
            "INSERT INTO products (",
            product_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
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
        .execute(&mut *transaction)
        .await;
        or_missing(&self.read, inserted, &[(Reference::Merchant, product.merchant_id.as_str())]).await?;
        for variant in variants {
            sqlx::query(concat!(
                "INSERT INTO variants (",
                variant_columns!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ))
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

    async fn get_product(&self, id: &str) -> StoreResult<Option<(ProductRow, Vec<VariantRow>)>> {
        let Some(row) = sqlx::query(concat!("SELECT ", product_columns!(), " FROM products WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
        else {
            return Ok(None);
        };
        let product = product_from(&row)?;
        let variants =
            sqlx::query(concat!("SELECT ", variant_columns!(), " FROM variants WHERE product_id = $1 ORDER BY sku"))
                .bind(id)
                .fetch_all(&self.read)
                .await?;
        Ok(Some((product, variants.iter().map(variant_from).collect::<Result<_, _>>()?)))
    }

    async fn list_merchant_products(&self, merchant_id: &str) -> StoreResult<Vec<(ProductRow, Vec<VariantRow>)>> {
        let products = sqlx::query(concat!(
            "SELECT ",
            product_columns!(),
            // An archived product (issue 15 point 2) is off the menus, the till and the switches.
            " FROM products WHERE merchant_id = $1 AND archived_at_ms IS NULL ORDER BY name, id"
        ))
        .bind(merchant_id)
        .fetch_all(&self.read)
        .await?;
        let variants =
            sqlx::query(concat!("SELECT ", variant_columns!(), " FROM variants WHERE merchant_id = $1 ORDER BY sku"))
                .bind(merchant_id)
                .fetch_all(&self.read)
                .await?;
        let variants: Vec<VariantRow> = variants.iter().map(variant_from).collect::<Result<_, _>>()?;
        let mut result = Vec::with_capacity(products.len());
        for row in &products {
            let product = product_from(row)?;
            let own = variants.iter().filter(|v| v.product_id == product.id).cloned().collect();
            result.push((product, own));
        }
        Ok(result)
    }

    async fn find_variant(&self, merchant_id: &str, sku: &str) -> StoreResult<Option<(VariantRow, bool)>> {
        let row = sqlx::query(
            "SELECT v.id, v.product_id, v.merchant_id, v.sku, v.price_minor, v.currency, v.barcode, v.attributes_json, \
             p.track_stock FROM variants v JOIN products p ON p.id = v.product_id \
             WHERE v.merchant_id = $1 AND v.sku = $2",
        )
        .bind(merchant_id)
        .bind(sku)
        .fetch_optional(&self.read)
        .await?;
        match row {
            Some(row) => Ok(Some((variant_from(&row)?, get_flag(&row, "track_stock")?))),
            None => Ok(None),
        }
    }

    async fn find_sellable(&self, merchant_id: &str, sku: &str) -> StoreResult<Option<SellableRow>> {
        let wanted = [(merchant_id.to_owned(), sku.to_owned())];
        Ok(self.find_sellables(&wanted).await?.into_iter().next())
    }

    async fn find_sellables(&self, wanted: &[(String, String)]) -> StoreResult<Vec<SellableRow>> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        // Each pair is its own `(merchant_id = … AND sku = …)`: both backends use the variants'
        // (merchant_id, sku) unique index for every one of them.
        let pairs: Vec<String> =
            (0..wanted.len()).map(|i| format!("(v.merchant_id = ${} AND v.sku = ${})", 2 * i + 1, 2 * i + 2)).collect();
        let sql = format!(
            "SELECT v.id, v.product_id, v.merchant_id, v.sku, v.price_minor, v.currency, v.barcode, v.attributes_json, \
             p.track_stock, p.name AS product_name, p.tax_category, p.modifiers_json, p.archived_at_ms \
             FROM variants v JOIN products p ON p.id = v.product_id WHERE {}",
            pairs.join(" OR ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (merchant_id, sku) in wanted {
            query = query.bind(merchant_id.clone()).bind(sku.clone());
        }
        let rows = query.fetch_all(&self.read).await?;
        rows.iter()
            .map(|row| {
                Ok(SellableRow {
                    variant: variant_from(row)?,
                    product_name: row.try_get("product_name")?,
                    track_stock: get_flag(row, "track_stock")?,
                    tax_category: get_parsed(row, "tax_category", TaxCategory::parse)?,
                    modifiers_json: row.try_get("modifiers_json")?,
                    archived: row.try_get::<Option<i64>, _>("archived_at_ms")?.is_some(),
                })
            })
            .collect()
    }

    async fn update_location(&self, location: &LocationRow) -> StoreResult<()> {
        let updated = sqlx::query(
            "UPDATE locations SET name = $1, pay_at_pickup = $2, is_open = $3, prep_minutes = $4, paused_until_ms = $5, \
             opening_hours_json = $6, counter = $7, slot_capacity = $8 WHERE id = $9",
        )
        .bind(&location.name)
        .bind(flag(location.pay_at_pickup))
        .bind(flag(location.is_open))
        .bind(location.storefront.prep_minutes)
        .bind(location.storefront.paused_until_ms)
        .bind(&location.storefront.opening_hours_json)
        .bind(&location.storefront.counter)
        .bind(location.storefront.slot_capacity)
        .bind(&location.id)
        .execute(&self.write)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn set_site_accept_within(&self, site_id: &str, minutes: Option<i64>) -> StoreResult<()> {
        let updated = sqlx::query("UPDATE sites SET accept_within_minutes = $1 WHERE id = $2")
            .bind(minutes)
            .bind(site_id)
            .execute(&self.write)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn set_site_name(&self, site_id: &str, name: &str) -> StoreResult<()> {
        let updated = sqlx::query("UPDATE sites SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(site_id)
            .execute(&self.write)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn update_site_settings(&self, site: &SiteRow) -> StoreResult<()> {
        let updated =
            sqlx::query("UPDATE sites SET name = $1, accept_within_minutes = $2, unaccepted_policy = $3 WHERE id = $4")
                .bind(&site.name)
                .bind(site.accept_within_minutes)
                .bind(site.unaccepted_policy.as_str())
                .bind(&site.id)
                .execute(&self.write)
                .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn set_site_unaccepted_policy(&self, site_id: &str, policy: UnacceptedPolicy) -> StoreResult<()> {
        let updated = sqlx::query("UPDATE sites SET unaccepted_policy = $1 WHERE id = $2")
            .bind(policy.as_str())
            .bind(site_id)
            .execute(&self.write)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn count_pickups(&self, location_id: &str, from_ms: i64, to_ms: i64) -> StoreResult<i64> {
        // The places counted by placement (`pickup_slot_counts`), so what the slot list offers
        // and what placement allows are the same figure.
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(used), 0) AS BIGINT) AS n FROM pickup_slot_counts \
             WHERE location_id = $1 AND slot_start_ms >= $2 AND slot_start_ms < $3",
        )
        .bind(location_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_one(&self.read)
        .await?;
        Ok(row.try_get("n")?)
    }

    async fn set_merchant_tax_id(&self, merchant_id: &str, tax_id: Option<&str>) -> StoreResult<()> {
        let result = sqlx::query("UPDATE merchants SET tax_id = $1 WHERE id = $2")
            .bind(tax_id)
            .bind(merchant_id)
            .execute(&self.write)
            .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
