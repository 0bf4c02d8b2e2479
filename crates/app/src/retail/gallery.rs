//! A product's photo gallery and the photo each variant shows (issue 17 point 1): the manager
//! uploads a few photos of the product (one per colour, say) and chooses in the variant grid
//! which one a variant shows; the web shop's product page switches to it with the variant.
//!
//! Uploads go through the very checks and resizing of the product's main photo
//! (`catalog::photos`), and are stored as its renditions are, in the database, served by content
//! hash at `/media/gallery/{photo}/{size}-{hash}.{ext}` (public, cacheable for a year).
//! Limit: [`MAX_GALLERY_PHOTOS`] photos per product.

use std::collections::HashMap;

use omnicanal_domain::access::Role;
use omnicanal_store::{GalleryPhotoRow, GalleryRenditionRow, PhotoRenditionInfo};

use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::catalog::photo_images::PhotoSize;
use crate::catalog::photos::{PATH_HASH_CHARS, PhotoUpload, extension, render_upload};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;

/// Most photos one product's gallery holds.
pub const MAX_GALLERY_PHOTOS: usize = 10;

/// A gallery photo as pages link to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryPhoto {
    /// Its id (what a variant's `photo_id` names).
    pub id: String,
    /// When it was uploaded.
    pub uploaded_at_ms: i64,
    /// `(size, served path, width, height)`, smallest first.
    pub renditions: Vec<(String, String, i64, i64)>,
}

impl GalleryPhoto {
    /// The served path of `size`.
    pub fn path(&self, size: PhotoSize) -> Option<&str> {
        self.renditions.iter().find(|r| r.0 == size.as_str()).map(|r| r.1.as_str())
    }
}

/// Where a gallery rendition is served.
pub fn gallery_path(photo_id: &str, size: &str, hash: &str, content_type: &str) -> String {
    let short = hash.get(..PATH_HASH_CHARS).unwrap_or(hash);
    format!("/media/gallery/{photo_id}/{size}-{short}.{}", extension(content_type))
}

fn served(photo: GalleryPhotoRow, infos: Vec<PhotoRenditionInfo>) -> GalleryPhoto {
    let renditions = infos
        .into_iter()
        .map(|info| {
            let path = gallery_path(&photo.id, &info.size, &info.hash, &info.content_type);
            (info.size, path, info.width, info.height)
        })
        .collect();
    GalleryPhoto { id: photo.id, uploaded_at_ms: photo.uploaded_at_ms, renditions }
}

impl App {
    /// A product's gallery (anyone who may see the product; 404 across merchants).
    pub async fn product_gallery(&self, caller: &Caller, product_id: &str) -> AppResult<Vec<GalleryPhoto>> {
        let (product, _) = self.store.get_product(product_id).await?.ok_or(AppError::NotFound("product"))?;
        caller.check_merchant(&product.merchant_id, "product")?;
        self.gallery_of(product_id).await
    }

    /// A product's gallery, for the public shop.
    pub(crate) async fn gallery_of(&self, product_id: &str) -> AppResult<Vec<GalleryPhoto>> {
        let photos = self.store.list_gallery_photos(product_id).await?;
        Ok(photos.into_iter().map(|(photo, infos)| served(photo, infos)).collect())
    }

    /// The card-size path of the gallery photo each variant of a product shows, by SKU.
    pub(crate) async fn variant_photo_paths(&self, product_id: &str) -> AppResult<HashMap<String, String>> {
        let gallery = self.gallery_of(product_id).await?;
        let choices = self.store.variant_photos(product_id).await?;
        Ok(choices
            .into_iter()
            .filter_map(|choice| {
                let photo = gallery.iter().find(|photo| photo.id == choice.photo_id)?;
                Some((choice.sku, photo.path(PhotoSize::Card)?.to_owned()))
            })
            .collect())
    }

    /// Adds a photo to a product's gallery (an admin or its merchant's manager): checked and
    /// resized as the main photo is; a full gallery is refused at `photo`.
    pub async fn upload_gallery_photo(
        &self,
        caller: &Caller,
        product_id: &str,
        upload: PhotoUpload,
    ) -> AppResult<GalleryPhoto> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let (product, _) = self.store.get_product(product_id).await?.ok_or(AppError::NotFound("product"))?;
        caller.check_merchant(&product.merchant_id, "product")?;
        if self.store.list_gallery_photos(product_id).await?.len() >= MAX_GALLERY_PHOTOS {
            return Err(AppError::invalid("photo", format!("a product holds at most {MAX_GALLERY_PHOTOS} photos")));
        }
        let rendered = render_upload(upload.bytes).await?;
        let photo = GalleryPhotoRow {
            id: new_id("gph"),
            product_id: product_id.to_owned(),
            uploaded_by: caller.id.clone(),
            uploaded_at_ms: self.now_ms(),
        };
        let rows: Vec<GalleryRenditionRow> = rendered
            .renditions
            .into_iter()
            .map(|rendition| GalleryRenditionRow {
                photo_id: photo.id.clone(),
                size: rendition.size.as_str().to_owned(),
                hash: rendition.hash,
                content_type: rendition.content_type.to_owned(),
                width: i64::from(rendition.width),
                height: i64::from(rendition.height),
                bytes: rendition.bytes,
            })
            .collect();
        self.store.insert_gallery_photo(&photo, &rows).await?;
        let change = Change::new(AuditEntity::Product, product_id, AuditAction::Updated, Some(&product.merchant_id))
            .values(None, Some(serde_json::json!({ "gallery_photo": photo.id })));
        self.record_change(caller, change).await;
        let infos = rows
            .into_iter()
            .map(|row| PhotoRenditionInfo {
                byte_len: i64::try_from(row.bytes.len()).unwrap_or(i64::MAX),
                size: row.size,
                hash: row.hash,
                content_type: row.content_type,
                width: row.width,
                height: row.height,
            })
            .collect();
        Ok(served(photo, infos))
    }

    /// Removes a gallery photo (variants that showed it show the main photo again).
    pub async fn delete_gallery_photo(&self, caller: &Caller, product_id: &str, photo_id: &str) -> AppResult<()> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let (product, _) = self.store.get_product(product_id).await?.ok_or(AppError::NotFound("product"))?;
        caller.check_merchant(&product.merchant_id, "product")?;
        if !self.store.delete_gallery_photo(product_id, photo_id).await? {
            return Err(AppError::NotFound("photo"));
        }
        let change = Change::new(AuditEntity::Product, product_id, AuditAction::Updated, Some(&product.merchant_id))
            .values(Some(serde_json::json!({ "gallery_photo": photo_id })), None);
        self.record_change(caller, change).await;
        Ok(())
    }

    /// A gallery rendition by its served name (`{size}-{hash}.{ext}`), for anyone; a stale hash
    /// is "not found".
    pub async fn gallery_rendition(&self, photo_id: &str, file_name: &str) -> AppResult<GalleryRenditionRow> {
        let missing = || AppError::NotFound("photo");
        let (stem, ext) = file_name.rsplit_once('.').ok_or_else(missing)?;
        let (size, hash) = stem.split_once('-').ok_or_else(missing)?;
        let size = PhotoSize::parse(size).ok_or_else(missing)?;
        if hash.len() != PATH_HASH_CHARS || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(missing());
        }
        let rendition = self.store.get_gallery_rendition(photo_id, size.as_str()).await?.ok_or_else(missing)?;
        if !rendition.hash.starts_with(hash) || extension(&rendition.content_type) != ext {
            return Err(missing());
        }
        Ok(rendition)
    }
}
