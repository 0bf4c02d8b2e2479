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
use crate::constraints::{Reference, missing_reference, or_missing};
use crate::rows::{
    GalleryPhotoRow, GalleryRenditionRow, LocationKindRow, PhotoRenditionInfo, ProductOptionsRow, ProductRow,
    ShopSlugOutcome, ShopSlugRow, VariantPhotoRow, VariantRow,
};
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

    async fn save_variant_settings(
        &self,
        product_id: &str,
        options_json: Option<&str>,
        inactive_skus: &[String],
        variant_photos: &[VariantPhotoRow],
    ) -> StoreResult<bool> {
        let mut transaction = self.write.begin().await?;
        let updated = sqlx::query("UPDATE products SET options_json = $1 WHERE id = $2")
            .bind(options_json)
            .bind(product_id)
            .execute(&mut *transaction)
            .await?;
        if updated.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM retail_inactive_variants WHERE product_id = $1")
            .bind(product_id)
            .execute(&mut *transaction)
            .await?;
        for sku in inactive_skus {
            sqlx::query(
                "INSERT INTO retail_inactive_variants (product_id, sku) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(product_id)
            .bind(sku)
            .execute(&mut *transaction)
            .await?;
        }
        sqlx::query("DELETE FROM retail_variant_photos WHERE product_id = $1")
            .bind(product_id)
            .execute(&mut *transaction)
            .await?;
        for choice in variant_photos {
            sqlx::query(
                "INSERT INTO retail_variant_photos (product_id, sku, photo_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(product_id)
            .bind(&choice.sku)
            .bind(&choice.photo_id)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(true)
    }

    async fn variant_photos(&self, product_id: &str) -> StoreResult<Vec<VariantPhotoRow>> {
        let rows = sqlx::query("SELECT sku, photo_id FROM retail_variant_photos WHERE product_id = $1 ORDER BY sku")
            .bind(product_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|row| Ok(VariantPhotoRow { sku: row.try_get("sku")?, photo_id: row.try_get("photo_id")? }))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    async fn insert_gallery_photo(
        &self,
        photo: &GalleryPhotoRow,
        renditions: &[GalleryRenditionRow],
    ) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO product_gallery_photos (id, product_id, uploaded_by, uploaded_at_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(&photo.id)
        .bind(&photo.product_id)
        .bind(&photo.uploaded_by)
        .bind(photo.uploaded_at_ms)
        .execute(&mut *transaction)
        .await;
        or_missing(&self.read, inserted, &[(Reference::Product, photo.product_id.as_str())]).await?;
        for rendition in renditions {
            sqlx::query(
                "INSERT INTO product_gallery_renditions (photo_id, size, hash, content_type, width, height, bytes) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&rendition.photo_id)
            .bind(&rendition.size)
            .bind(&rendition.hash)
            .bind(&rendition.content_type)
            .bind(rendition.width)
            .bind(rendition.height)
            .bind(&rendition.bytes)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn list_gallery_photos(
        &self,
        product_id: &str,
    ) -> StoreResult<Vec<(GalleryPhotoRow, Vec<PhotoRenditionInfo>)>> {
        let photos = sqlx::query(
            "SELECT id, product_id, uploaded_by, uploaded_at_ms FROM product_gallery_photos \
             WHERE product_id = $1 ORDER BY uploaded_at_ms, id",
        )
        .bind(product_id)
        .fetch_all(&self.read)
        .await?;
        let renditions = sqlx::query(
            "SELECT r.photo_id, r.size, r.hash, r.content_type, r.width, r.height, \
             CAST(LENGTH(r.bytes) AS BIGINT) AS byte_len FROM product_gallery_renditions r \
             JOIN product_gallery_photos p ON p.id = r.photo_id WHERE p.product_id = $1 ORDER BY r.width, r.size",
        )
        .bind(product_id)
        .fetch_all(&self.read)
        .await?;
        let mut gallery = Vec::with_capacity(photos.len());
        for row in &photos {
            let photo = GalleryPhotoRow {
                id: row.try_get("id")?,
                product_id: row.try_get("product_id")?,
                uploaded_by: row.try_get("uploaded_by")?,
                uploaded_at_ms: row.try_get("uploaded_at_ms")?,
            };
            let mut infos = Vec::new();
            for rendition in &renditions {
                if rendition.try_get::<String, _>("photo_id")? == photo.id {
                    infos.push(PhotoRenditionInfo {
                        size: rendition.try_get("size")?,
                        hash: rendition.try_get("hash")?,
                        content_type: rendition.try_get("content_type")?,
                        width: rendition.try_get("width")?,
                        height: rendition.try_get("height")?,
                        byte_len: rendition.try_get("byte_len")?,
                    });
                }
            }
            gallery.push((photo, infos));
        }
        Ok(gallery)
    }

    async fn get_gallery_rendition(&self, photo_id: &str, size: &str) -> StoreResult<Option<GalleryRenditionRow>> {
        let row = sqlx::query(
            "SELECT photo_id, size, hash, content_type, width, height, bytes \
             FROM product_gallery_renditions WHERE photo_id = $1 AND size = $2",
        )
        .bind(photo_id)
        .bind(size)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(GalleryRenditionRow {
            photo_id: row.try_get("photo_id")?,
            size: row.try_get("size")?,
            hash: row.try_get("hash")?,
            content_type: row.try_get("content_type")?,
            width: row.try_get("width")?,
            height: row.try_get("height")?,
            bytes: row.try_get("bytes")?,
        }))
    }

    async fn delete_gallery_photo(&self, product_id: &str, photo_id: &str) -> StoreResult<bool> {
        let mut transaction = self.write.begin().await?;
        // Children first: neither backend is asked to cascade.
        sqlx::query("DELETE FROM retail_variant_photos WHERE product_id = $1 AND photo_id = $2")
            .bind(product_id)
            .bind(photo_id)
            .execute(&mut *transaction)
            .await?;
        sqlx::query(
            "DELETE FROM product_gallery_renditions WHERE photo_id IN \
             (SELECT id FROM product_gallery_photos WHERE id = $1 AND product_id = $2)",
        )
        .bind(photo_id)
        .bind(product_id)
        .execute(&mut *transaction)
        .await?;
        let deleted = sqlx::query("DELETE FROM product_gallery_photos WHERE id = $1 AND product_id = $2")
            .bind(photo_id)
            .bind(product_id)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(deleted.rows_affected() == 1)
    }

    async fn merchant_inactive_skus(&self, merchant_id: &str) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(
            "SELECT off.sku FROM retail_inactive_variants off JOIN products p ON p.id = off.product_id \
             WHERE p.merchant_id = $1 ORDER BY off.sku",
        )
        .bind(merchant_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|row| row.try_get("sku")).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
    }

    async fn set_shop_slug(&self, row: &ShopSlugRow) -> StoreResult<ShopSlugOutcome> {
        // The unique key is the guard; a slug another merchant holds is answered, not raised.
        let saved = sqlx::query(
            "INSERT INTO merchant_shop_slugs (merchant_id, slug) VALUES ($1, $2) \
             ON CONFLICT (merchant_id) DO UPDATE SET slug = excluded.slug",
        )
        .bind(&row.merchant_id)
        .bind(&row.slug)
        .execute(&self.write)
        .await;
        match saved {
            Ok(_) => Ok(ShopSlugOutcome::Saved),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Ok(ShopSlugOutcome::Taken),
            Err(error) => {
                Err(missing_reference(&self.read, error, &[(Reference::Merchant, row.merchant_id.as_str())]).await)
            }
        }
    }

    async fn merchant_of_shop_slug(&self, slug: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT merchant_id FROM merchant_shop_slugs WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.read)
            .await?;
        row.map(|row| row.try_get("merchant_id")).transpose().map_err(Into::into)
    }

    async fn shop_slug_of(&self, merchant_id: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT slug FROM merchant_shop_slugs WHERE merchant_id = $1")
            .bind(merchant_id)
            .fetch_optional(&self.read)
            .await?;
        row.map(|row| row.try_get("slug")).transpose().map_err(Into::into)
    }
}
