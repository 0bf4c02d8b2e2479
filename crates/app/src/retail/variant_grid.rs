//! A product's variant grid (issue 17 point 1, for the console): its options and, per variant,
//! SKU, barcode, price, attributes, whether it is on sale and which gallery photo it shows — read and saved whole, so the
//! console's grid edits a product without anyone writing JSON by hand.
//!
//! A save is checked at once as a product with options ([`NewRetailProduct::parse`]: every bad
//! SKU, price, barcode, option and combination named by its path, `variants[2].price`), then
//! the variants are saved by [`App::update_product`] (one transaction, SKUs with history never
//! deleted) and the options and switched-off SKUs in a second one. Limit: a fault between the
//! two leaves new variants with the old options; saving the grid again repairs it.

use std::collections::{HashMap, HashSet};

use omnicanal_domain::retail::{ProductOption, ProductOptions};
use omnicanal_store::{CatalogEntryRow, VariantPhotoRow};

use super::gallery::GalleryPhoto;
use super::products::{NewRetailProduct, RetailProductInput};
use crate::App;
use crate::caller::Caller;
use crate::catalog::editing::ProductPatch;
use crate::catalog::products::{ProductInput, VariantInput};
use crate::error::{AppError, AppResult, FieldError};

/// One row of the grid as sent.
#[derive(Debug, Clone)]
pub struct GridVariantInput {
    /// The variant: SKU, price, barcode and attributes (one value per option).
    pub variant: VariantInput,
    /// On sale in the web shop (false: kept, but not shown or sold there).
    pub active: bool,
    /// The gallery photo it shows (none: the product's main photo).
    pub photo_id: Option<String>,
}

/// A product's grid as sent.
#[derive(Debug, Clone)]
pub struct VariantGridInput {
    /// Its options (at most 3).
    pub options: Vec<ProductOption>,
    /// Every variant it will have.
    pub variants: Vec<GridVariantInput>,
}

/// A product's grid as stored.
#[derive(Debug, Clone)]
pub struct VariantGrid {
    /// The product with its variants.
    pub entry: CatalogEntryRow,
    /// Its options.
    pub options: ProductOptions,
    /// Its SKUs switched off.
    pub inactive_skus: HashSet<String>,
    /// The gallery photo each variant shows, by SKU.
    pub variant_photos: HashMap<String, String>,
    /// The product's gallery.
    pub gallery: Vec<GalleryPhoto>,
}

impl App {
    /// A product's grid, for an admin or its merchant's manager (404 across merchants).
    pub async fn variant_grid(&self, caller: &Caller, product_id: &str) -> AppResult<VariantGrid> {
        let entry = self.catalog_entry(caller, product_id).await?;
        let merchant_id = entry.product.merchant_id.clone();
        let options = self.retail_product_options(&merchant_id).await?.remove(product_id).unwrap_or_default();
        let skus: HashSet<&str> = entry.variants.iter().map(|variant| variant.sku.as_str()).collect();
        let inactive_skus = self
            .store
            .merchant_inactive_skus(&merchant_id)
            .await?
            .into_iter()
            .filter(|sku| skus.contains(sku.as_str()))
            .collect();
        let variant_photos = self
            .store
            .variant_photos(product_id)
            .await?
            .into_iter()
            .filter(|choice| skus.contains(choice.sku.as_str()))
            .map(|choice| (choice.sku, choice.photo_id))
            .collect();
        let gallery = self.gallery_of(product_id).await?;
        Ok(VariantGrid { entry, options, inactive_skus, variant_photos, gallery })
    }

    /// Saves a product's grid (an admin or its merchant's manager): every bad field reported at
    /// once by its path; a SKU another product has is `SkuTaken` at its row; a removed variant
    /// with history is `VariantHasHistory`.
    pub async fn save_variant_grid(
        &self,
        caller: &Caller,
        product_id: &str,
        grid: VariantGridInput,
    ) -> AppResult<VariantGrid> {
        let current = self.catalog_entry(caller, product_id).await?;
        let inactive_skus: Vec<String> =
            grid.variants.iter().filter(|row| !row.active).map(|row| row.variant.sku.trim().to_owned()).collect();
        let gallery = self.gallery_of(product_id).await?;
        let mut photo_errors = Vec::new();
        let mut variant_photos = Vec::new();
        for (index, row) in grid.variants.iter().enumerate() {
            let Some(photo_id) = row.photo_id.as_deref().map(str::trim).filter(|id| !id.is_empty()) else { continue };
            if gallery.iter().any(|photo| photo.id == photo_id) {
                variant_photos
                    .push(VariantPhotoRow { sku: row.variant.sku.trim().to_owned(), photo_id: photo_id.to_owned() });
            } else {
                photo_errors.push(FieldError {
                    field: format!("variants[{index}].photo_id"),
                    message: "not a photo of this product's gallery".into(),
                });
            }
        }
        let variants: Vec<VariantInput> = grid.variants.into_iter().map(|row| row.variant).collect();
        let product = &current.product;
        let input = ProductInput {
            merchant_id: product.merchant_id.clone(),
            name: product.name.clone(),
            track_stock: product.track_stock,
            tax_category: Some(product.tax_category.as_str().to_owned()),
            category: product.category.clone(),
            image_url: product.image_url.clone(),
            modifier_groups: Vec::new(),
            description: product.description.clone(),
            allergens: product.allergens.iter().map(|allergen| allergen.as_str().to_owned()).collect(),
            variants: variants.clone(),
        };
        let checked = match NewRetailProduct::parse(RetailProductInput { product: input, options: grid.options }) {
            Ok(checked) if photo_errors.is_empty() => checked,
            Ok(_) => return Err(AppError::Invalid(photo_errors)),
            Err(AppError::Invalid(mut errors)) => {
                errors.extend(photo_errors);
                return Err(AppError::Invalid(errors));
            }
            Err(other) => return Err(other),
        };
        self.update_product(caller, product_id, ProductPatch { variants: Some(variants), ..ProductPatch::default() })
            .await?;
        let options_json = (!checked.options.is_empty())
            .then(|| serde_json::to_string(&checked.options).map_err(|error| AppError::Internal(Box::new(error))))
            .transpose()?;
        if !self
            .store
            .save_variant_settings(product_id, options_json.as_deref(), &inactive_skus, &variant_photos)
            .await?
        {
            return Err(AppError::NotFound("product"));
        }
        self.variant_grid(caller, product_id).await
    }
}
