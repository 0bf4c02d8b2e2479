//! Product photos (issue 15 point 2): an admin or the product's merchant's manager uploads one
//! photo per product; it is checked by its bytes and size, resized on a blocking thread into
//! the sizes the pages show (see `photo_images`), and stored with its renditions in
//! the database — so every node sharing the database serves it — replacing the previous photo
//! and pointing the product's `image_url` at the menu size, in one transaction. Anyone may read
//! a rendition by its content-addressed path, which is what lets it be cached for a year.

use std::sync::LazyLock;

use omnicanal_domain::access::Role;
use omnicanal_store::{PhotoRenditionInfo, PhotoRenditionRow, ProductPhotoRow};
use tokio::sync::Semaphore;

use super::photo_images::{self, PhotoSize, Rendered};
use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// Characters of the content hash in a served path: enough that two photos never share one.
pub const PATH_HASH_CHARS: usize = 16;

/// Photos resized at once on this node: each may hold a 160 MB decoded image, and the blocking
/// threads are shared with everything else that blocks.
const CONCURRENT_RENDERS: usize = 2;
static RENDERS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(CONCURRENT_RENDERS));

/// An upload as received, before any check.
#[derive(Debug, Clone)]
pub struct PhotoUpload {
    /// The file's bytes (its name and declared type are not trusted, so not kept).
    pub bytes: Vec<u8>,
}

/// A product's photo as the pages link to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductPhoto {
    /// The product.
    pub product_id: String,
    /// When it was uploaded.
    pub uploaded_at_ms: i64,
    /// The upload's width.
    pub source_width: i64,
    /// The upload's height.
    pub source_height: i64,
    /// Its renditions, smallest first, each with its served path.
    pub renditions: Vec<ServedRendition>,
}

impl ProductPhoto {
    /// The rendition of `size`.
    pub fn rendition(&self, size: PhotoSize) -> Option<&ServedRendition> {
        self.renditions.iter().find(|rendition| rendition.info.size == size.as_str())
    }
}

/// A rendition and where it is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedRendition {
    /// Its size, type, dimensions and hash.
    pub info: PhotoRenditionInfo,
    /// `/media/products/{product}/{size}-{hash}.jpg`.
    pub path: String,
}

/// The served path of a rendition: content-addressed, so a new photo is a new URL.
pub fn served_path(product_id: &str, size: &str, hash: &str, content_type: &str) -> String {
    let short = hash.get(..PATH_HASH_CHARS).unwrap_or(hash);
    format!("/media/products/{product_id}/{size}-{short}.{}", extension(content_type))
}

pub(crate) fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/webp" => "webp",
        "image/png" => "png",
        _ => "jpg",
    }
}

fn served(product_id: &str, photo: ProductPhotoRow, renditions: Vec<PhotoRenditionInfo>) -> ProductPhoto {
    ProductPhoto {
        product_id: product_id.to_owned(),
        uploaded_at_ms: photo.uploaded_at_ms,
        source_width: photo.source_width,
        source_height: photo.source_height,
        renditions: renditions
            .into_iter()
            .map(|info| ServedRendition {
                path: served_path(product_id, &info.size, &info.hash, &info.content_type),
                info,
            })
            .collect(),
    }
}

/// Checks and renders an upload on a blocking thread, a few at a time.
pub(crate) async fn render_upload(bytes: Vec<u8>) -> AppResult<Rendered> {
    let format = photo_images::check_upload(&bytes)?;
    let _permit = RENDERS.acquire().await.map_err(|error| AppError::Internal(Box::new(error)))?;
    tokio::task::spawn_blocking(move || photo_images::render(&bytes, format))
        .await
        .map_err(|error| AppError::Internal(Box::new(error)))?
}

impl App {
    /// The product's merchant, when the caller may change its photo: admins, and the merchant's
    /// managers; another merchant's product is "not found".
    async fn photo_product_merchant(&self, caller: &Caller, product_id: &str) -> AppResult<String> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let (product, _) = self.store.get_product(product_id).await?.ok_or(AppError::NotFound("product"))?;
        caller.check_merchant(&product.merchant_id, "product")?;
        Ok(product.merchant_id)
    }

    /// Uploads a product's photo: checked, resized into every [`PhotoSize`], and put in place of
    /// the previous one together with the product's `image_url` (the card size), atomically. A
    /// refusal leaves the previous photo as it was.
    pub async fn upload_product_photo(
        &self,
        caller: &Caller,
        product_id: &str,
        upload: PhotoUpload,
    ) -> AppResult<ProductPhoto> {
        let merchant_id = self.photo_product_merchant(caller, product_id).await?;
        let rendered = render_upload(upload.bytes).await?;
        let photo = ProductPhotoRow {
            product_id: product_id.to_owned(),
            merchant_id,
            uploaded_by: caller.id.clone(),
            uploaded_at_ms: self.now_ms(),
            source_width: i64::from(rendered.width),
            source_height: i64::from(rendered.height),
        };
        let rows: Vec<PhotoRenditionRow> = rendered
            .renditions
            .into_iter()
            .map(|rendition| PhotoRenditionRow {
                product_id: product_id.to_owned(),
                size: rendition.size.as_str().to_owned(),
                hash: rendition.hash,
                content_type: rendition.content_type.to_owned(),
                width: i64::from(rendition.width),
                height: i64::from(rendition.height),
                bytes: rendition.bytes,
            })
            .collect();
        let card = rows
            .iter()
            .find(|row| row.size == PhotoSize::Card.as_str())
            .ok_or_else(|| AppError::internal("a photo was rendered without its card size"))?;
        let image_url = served_path(product_id, &card.size, &card.hash, &card.content_type);
        self.store.replace_product_photo(&photo, &rows, &image_url).await.map_err(|error| match error {
            omnicanal_store::StoreError::NotFound => AppError::NotFound("product"),
            other => other.into(),
        })?;
        let change = Change::new(AuditEntity::Product, product_id, AuditAction::Updated, Some(&photo.merchant_id))
            .values(None, Some(serde_json::json!({"photo": image_url})));
        self.record_change(caller, change).await;
        let infos = rows
            .into_iter()
            .map(|row| PhotoRenditionInfo {
                byte_len: row.bytes.len() as i64,
                size: row.size,
                hash: row.hash,
                content_type: row.content_type,
                width: row.width,
                height: row.height,
            })
            .collect();
        Ok(served(product_id, photo, infos))
    }

    /// Removes a product's photo and clears its `image_url`; "photo not found" when it has none.
    pub async fn delete_product_photo(&self, caller: &Caller, product_id: &str) -> AppResult<()> {
        let merchant_id = self.photo_product_merchant(caller, product_id).await?;
        if !self.store.delete_product_photo(product_id).await? {
            return Err(AppError::NotFound("photo"));
        }
        let change = Change::new(AuditEntity::Product, product_id, AuditAction::Updated, Some(&merchant_id))
            .values(Some(serde_json::json!({"photo": true})), Some(serde_json::json!({"photo": null})));
        self.record_change(caller, change).await;
        Ok(())
    }

    /// A product's photo (None without one), for anyone who may see the product.
    pub async fn product_photo(&self, caller: &Caller, product_id: &str) -> AppResult<Option<ProductPhoto>> {
        let (product, _) = self.store.get_product(product_id).await?.ok_or(AppError::NotFound("product"))?;
        caller.check_merchant(&product.merchant_id, "product")?;
        let found = self.store.get_product_photo(product_id).await?;
        Ok(found.map(|(photo, renditions)| served(product_id, photo, renditions)))
    }

    /// A rendition by its served name (`{size}-{hash}.{ext}`), for anyone: the menu is public.
    /// A stale hash (the photo was replaced) is "not found", like an unknown product.
    pub async fn photo_rendition(&self, product_id: &str, file_name: &str) -> AppResult<PhotoRenditionRow> {
        let missing = || AppError::NotFound("photo");
        let (stem, ext) = file_name.rsplit_once('.').ok_or_else(missing)?;
        let (size, hash) = stem.split_once('-').ok_or_else(missing)?;
        let size = PhotoSize::parse(size).ok_or_else(missing)?;
        if hash.len() != PATH_HASH_CHARS || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(missing());
        }
        let rendition = self.store.get_photo_rendition(product_id, size.as_str()).await?.ok_or_else(missing)?;
        if !rendition.hash.starts_with(hash) || extension(&rendition.content_type) != ext {
            return Err(missing());
        }
        Ok(rendition)
    }
}
