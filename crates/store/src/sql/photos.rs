//! Product photos and their renditions (issue 15 point 2), in the database so every node of
//! the binary sharing one PostgreSQL serves the same bytes.
//!
//! A replacement first updates the product's `image_url`: on PostgreSQL that locks the product
//! row, so two uploads of one product queue instead of colliding on the renditions' key; on
//! SQLite writes are serial anyway.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::backend::SqlStore;
use crate::error::StoreError;
use crate::rows::{PhotoRenditionInfo, PhotoRenditionRow, ProductPhotoRow};
use crate::{PhotoStore, StoreResult};

fn photo_from(row: &AnyRow) -> Result<ProductPhotoRow, sqlx::Error> {
    Ok(ProductPhotoRow {
        product_id: row.try_get("product_id")?,
        merchant_id: row.try_get("merchant_id")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at_ms: row.try_get("uploaded_at_ms")?,
        source_width: row.try_get("source_width")?,
        source_height: row.try_get("source_height")?,
    })
}

fn info_from(row: &AnyRow) -> Result<PhotoRenditionInfo, sqlx::Error> {
    Ok(PhotoRenditionInfo {
        size: row.try_get("size")?,
        hash: row.try_get("hash")?,
        content_type: row.try_get("content_type")?,
        width: row.try_get("width")?,
        height: row.try_get("height")?,
        byte_len: row.try_get("byte_len")?,
    })
}

fn rendition_from(row: &AnyRow) -> Result<PhotoRenditionRow, sqlx::Error> {
    Ok(PhotoRenditionRow {
        product_id: row.try_get("product_id")?,
        size: row.try_get("size")?,
        hash: row.try_get("hash")?,
        content_type: row.try_get("content_type")?,
        width: row.try_get("width")?,
        height: row.try_get("height")?,
        bytes: row.try_get("bytes")?,
    })
}

/// Sets a product's `image_url` within `executor`'s transaction; true when the product exists.
async fn update_image_url(
    executor: &mut sqlx::AnyConnection,
    product_id: &str,
    image_url: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE products SET image_url = $1 WHERE id = $2")
        .bind(image_url)
        .bind(product_id)
        .execute(&mut *executor)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a product's photo rows (renditions first: they reference the photo).
async fn remove_photo_rows(executor: &mut sqlx::AnyConnection, product_id: &str) -> Result<u64, sqlx::Error> {
    sqlx::query("DELETE FROM product_photo_renditions WHERE product_id = $1")
        .bind(product_id)
        .execute(&mut *executor)
        .await?;
    let done = sqlx::query("DELETE FROM product_photos WHERE product_id = $1")
        .bind(product_id)
        .execute(&mut *executor)
        .await?;
    Ok(done.rows_affected())
}

#[async_trait]
impl PhotoStore for SqlStore {
    async fn replace_product_photo(
        &self,
        photo: &ProductPhotoRow,
        renditions: &[PhotoRenditionRow],
        image_url: &str,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        if !update_image_url(&mut tx, &photo.product_id, Some(image_url)).await? {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        }
        remove_photo_rows(&mut tx, &photo.product_id).await?;
        sqlx::query(
            "INSERT INTO product_photos \
             (product_id, merchant_id, uploaded_by, uploaded_at_ms, source_width, source_height) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&photo.product_id)
        .bind(&photo.merchant_id)
        .bind(&photo.uploaded_by)
        .bind(photo.uploaded_at_ms)
        .bind(photo.source_width)
        .bind(photo.source_height)
        .execute(&mut *tx)
        .await?;
        for rendition in renditions {
            sqlx::query(
                "INSERT INTO product_photo_renditions \
                 (product_id, size, hash, content_type, width, height, bytes) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&photo.product_id)
            .bind(&rendition.size)
            .bind(&rendition.hash)
            .bind(&rendition.content_type)
            .bind(rendition.width)
            .bind(rendition.height)
            .bind(&rendition.bytes)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn delete_product_photo(&self, product_id: &str) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        if remove_photo_rows(&mut tx, product_id).await? == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        update_image_url(&mut tx, product_id, None).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn get_product_photo(
        &self,
        product_id: &str,
    ) -> StoreResult<Option<(ProductPhotoRow, Vec<PhotoRenditionInfo>)>> {
        let Some(row) = sqlx::query(
            "SELECT product_id, merchant_id, uploaded_by, uploaded_at_ms, source_width, source_height \
             FROM product_photos WHERE product_id = $1",
        )
        .bind(product_id)
        .fetch_optional(&self.read)
        .await?
        else {
            return Ok(None);
        };
        let photo = photo_from(&row)?;
        let rows = sqlx::query(
            "SELECT size, hash, content_type, width, height, CAST(LENGTH(bytes) AS BIGINT) AS byte_len \
             FROM product_photo_renditions WHERE product_id = $1 ORDER BY width, size",
        )
        .bind(product_id)
        .fetch_all(&self.read)
        .await?;
        let renditions = rows.iter().map(info_from).collect::<Result<Vec<_>, _>>()?;
        Ok(Some((photo, renditions)))
    }

    async fn get_photo_rendition(&self, product_id: &str, size: &str) -> StoreResult<Option<PhotoRenditionRow>> {
        let row = sqlx::query(
            "SELECT product_id, size, hash, content_type, width, height, bytes \
             FROM product_photo_renditions WHERE product_id = $1 AND size = $2",
        )
        .bind(product_id)
        .bind(size)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(rendition_from).transpose()?)
    }

    async fn set_product_image_url(&self, product_id: &str, image_url: Option<&str>) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        let found = update_image_url(&mut tx, product_id, image_url).await?;
        tx.commit().await?;
        Ok(found)
    }
}
