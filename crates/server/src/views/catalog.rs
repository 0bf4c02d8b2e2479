//! Products and their variants as the API shows them.

use omnicanal_domain::dish::Allergen;
use omnicanal_domain::pricing::TaxCategory;
use omnicanal_store::{ProductRow, VariantRow};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ModifierGroupView, MoneyView, modifier_groups};

/// A sellable variant.
#[derive(Debug, Serialize, ToSchema)]
pub struct VariantView {
    /// Opaque id.
    pub id: String,
    /// Unique within the merchant.
    pub sku: String,
    /// Unit price.
    pub price: MoneyView,
    /// EAN/UPC, if any.
    pub barcode: Option<String>,
    /// Free-form attributes (size, colour).
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
}

impl From<VariantRow> for VariantView {
    fn from(row: VariantRow) -> Self {
        Self {
            price: MoneyView::from_parts(row.price_minor, row.currency),
            attributes: serde_json::from_str(&row.attributes_json).unwrap_or_default(),
            id: row.id,
            sku: row.sku,
            barcode: row.barcode,
        }
    }
}

/// A product with its variants.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductView {
    /// Opaque id.
    pub id: String,
    /// Owner.
    pub merchant_id: String,
    /// Display name.
    pub name: String,
    /// Whether stock is counted.
    pub track_stock: bool,
    /// `standard` or `exempt`.
    #[schema(value_type = String, example = "standard")]
    pub tax_category: TaxCategory,
    /// Menu category.
    pub category: Option<String>,
    /// Photo URL.
    pub image_url: Option<String>,
    /// What the menu says of the dish.
    pub description: Option<String>,
    /// The allergens it contains, as codes.
    #[schema(schema_with = super::words::allergens)]
    pub allergens: Vec<Allergen>,
    /// Choices offered with it.
    pub modifier_groups: Vec<ModifierGroupView>,
    /// Variants, by SKU.
    pub variants: Vec<VariantView>,
}

impl ProductView {
    /// Builds the view of a product and its variants.
    pub fn new(product: ProductRow, variants: Vec<VariantRow>) -> Self {
        Self {
            id: product.id,
            merchant_id: product.merchant_id,
            name: product.name,
            track_stock: product.track_stock,
            tax_category: product.tax_category,
            modifier_groups: modifier_groups(product.modifiers_json.as_deref()),
            category: product.category,
            image_url: product.image_url,
            description: product.description,
            allergens: product.allergens,
            variants: variants.into_iter().map(VariantView::from).collect(),
        }
    }
}
