//! The manager's catalogue (issue 15 point 2): a product as the back office sees it (with its
//! archive state), a search of a merchant's products, an edit saved whole, and categories with
//! their product counts. Kept apart from `setup.rs` so the menu's reads stay as they are.

use super::{ProductRow, VariantRow};

/// A product with its variants and whether it is archived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntryRow {
    /// The product.
    pub product: ProductRow,
    /// Its variants, by SKU.
    pub variants: Vec<VariantRow>,
    /// When it was archived (hidden from menus, the till and new carts); `None`: on sale.
    pub archived_at_ms: Option<i64>,
}

/// How a product list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProductSort {
    /// By name, case ignored.
    #[default]
    Name,
    /// By category (none first), then name.
    Category,
    /// By the lowest variant price, then name.
    Price,
    /// By creation time.
    Created,
}

/// Which products a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ArchiveFilter {
    /// Only products on sale.
    #[default]
    Active,
    /// Only archived products.
    Archived,
    /// Both.
    All,
}

/// A search of one merchant's products.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductSearch {
    /// The merchant.
    pub merchant_id: String,
    /// Lower-case fragment of the name, a SKU or a barcode; empty for all.
    pub text: String,
    /// The order.
    pub sort: ProductSort,
    /// Reverse the order.
    pub descending: bool,
    /// Archived, on sale, or both.
    pub archive: ArchiveFilter,
}

/// A product edit, saved in one transaction: the product's new fields, the variants kept or
/// changed (by their existing ids), the new ones, and the ones removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductEditRow {
    /// The product with its new fields (`id`, `merchant_id` and `created_at_ms` are not changed).
    pub product: ProductRow,
    /// Existing variants with their new price, barcode and attributes.
    pub changed: Vec<VariantRow>,
    /// Variants to add.
    pub added: Vec<VariantRow>,
    /// Variants to remove (refused when their SKU has history).
    pub removed: Vec<VariantRow>,
}

/// What saving an edit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductEditOutcome {
    /// Saved whole.
    Saved,
    /// No such product of that merchant; nothing written.
    Missing,
    /// A variant to remove has been stocked, sold or priced: nothing written.
    SkuHasHistory {
        /// The SKU that would lose its history.
        sku: String,
    },
}

/// A category of a merchant with how many products carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRow {
    /// The category as written on the products.
    pub name: String,
    /// Products on sale in it.
    pub active_products: i64,
    /// Archived products in it.
    pub archived_products: i64,
}
