//! Editing a product from the back office (issue 15 point 2): change any of its fields and its
//! variants (added, changed and removed by SKU), archive it or bring it back, and search a
//! merchant's products. An edit is checked by the very rules of a new product
//! ([`NewProduct::parse`]) on the product as it would stand, and saved whole in one store
//! transaction, so a refused edit leaves nothing half-saved.
//!
//! A variant whose SKU has history (stock, a sale, a price list) is never deleted: the edit is
//! refused ([`AppError::VariantHasHistory`]) and the product can be archived instead, which
//! hides it from the menus and the till while every record that names it stays readable.

use omnicanal_domain::access::Role;
use omnicanal_domain::dish::Description;
use omnicanal_domain::modifiers::ModifierGroup;
use omnicanal_store::{
    ArchiveFilter, CatalogEntryRow, Page, ProductEditOutcome, ProductEditRow, ProductRow, ProductSearch, ProductSort,
    VariantRow,
};

use super::products::{NewProduct, ProductInput, VariantInput};
use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// Most products one page of a list holds (the API's page size everywhere).
pub const MAX_PRODUCTS_PER_PAGE: i64 = omnicanal_domain::catalog::MAX_PAGE_SIZE;
/// Products a page holds when the caller does not say.
pub const DEFAULT_PRODUCTS_PER_PAGE: i64 = 100;
/// Most products a list may skip.
pub const MAX_OFFSET: i64 = 100_000_000;
/// Longest search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 100;

/// What an edit changes; a field left `None` keeps its value. `variants`, when sent, is the
/// whole list the product will have: a SKU it has is changed, a new SKU added, a missing one
/// removed.
#[derive(Debug, Clone, Default)]
pub struct ProductPatch {
    /// Display name.
    pub name: Option<String>,
    /// Whether stock is counted.
    pub track_stock: Option<bool>,
    /// `standard` or `exempt`.
    pub tax_category: Option<String>,
    /// Menu category (blank: none).
    pub category: Option<String>,
    /// What the menu says of it (blank: nothing).
    pub description: Option<String>,
    /// Allergen codes.
    pub allergens: Option<Vec<String>>,
    /// Choices offered with it.
    pub modifier_groups: Option<Vec<ModifierGroup>>,
    /// Every variant it will have.
    pub variants: Option<Vec<VariantInput>>,
}

/// How a list is asked for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductQuery {
    /// The search, its text trimmed and lower-cased.
    pub search: ProductSearch,
    /// Which page.
    pub page: Page,
}

impl ProductQuery {
    /// Parses `?q=&sort=&archived=&limit=&offset=`: `sort` is `name`, `category`, `price` or
    /// `created`, `-` in front for descending; `archived` is `false` (default), `true` or `all`.
    pub fn parse(
        merchant_id: &str,
        q: Option<&str>,
        sort: Option<&str>,
        archived: Option<&str>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let typed = q.unwrap_or_default().trim();
        let text = typed.to_lowercase();
        if typed.chars().count() > MAX_SEARCH_CHARS {
            v.push("q", format!("must be at most {MAX_SEARCH_CHARS} characters"));
        }
        let sort_word = sort.unwrap_or("name").trim();
        let (descending, key) = sort_word.strip_prefix('-').map_or((false, sort_word), |key| (true, key));
        let sort = match key {
            "name" => ProductSort::Name,
            "category" => ProductSort::Category,
            "price" => ProductSort::Price,
            "created" => ProductSort::Created,
            _ => {
                v.push("sort", "must be name, category, price or created, with - in front for descending");
                ProductSort::Name
            }
        };
        let archive = match archived.unwrap_or("false") {
            "false" => ArchiveFilter::Active,
            "true" => ArchiveFilter::Archived,
            "all" => ArchiveFilter::All,
            _ => {
                v.push("archived", "must be false, true or all");
                ArchiveFilter::Active
            }
        };
        let limit = limit.unwrap_or(DEFAULT_PRODUCTS_PER_PAGE);
        if !(1..=MAX_PRODUCTS_PER_PAGE).contains(&limit) {
            v.push("limit", format!("must be 1 to {MAX_PRODUCTS_PER_PAGE}"));
        }
        let offset = offset.unwrap_or(0);
        if !(0..=MAX_OFFSET).contains(&offset) {
            v.push("offset", format!("must be 0 to {MAX_OFFSET}"));
        }
        v.finish()?;
        let search = ProductSearch { merchant_id: merchant_id.to_owned(), text, sort, descending, archive };
        Ok(Self { search, page: Page { limit, offset } })
    }
}

/// The product as it would stand after the patch, as a new product's input.
fn merged_input(current: &CatalogEntryRow, patch: ProductPatch) -> AppResult<ProductInput> {
    let product = &current.product;
    let groups = match patch.modifier_groups {
        Some(groups) => groups,
        None => product
            .modifiers_json
            .as_deref()
            .map(serde_json::from_str::<Vec<ModifierGroup>>)
            .transpose()
            .map_err(|error| AppError::Internal(Box::new(error)))?
            .unwrap_or_default(),
    };
    let variants = match patch.variants {
        Some(variants) => variants,
        None => current
            .variants
            .iter()
            .map(|variant| VariantInput {
                sku: variant.sku.clone(),
                price: omnicanal_domain::Money::new(variant.price_minor, variant.currency),
                barcode: variant.barcode.clone(),
                attributes: serde_json::from_str(&variant.attributes_json).unwrap_or_default(),
            })
            .collect(),
    };
    Ok(ProductInput {
        merchant_id: product.merchant_id.clone(),
        name: patch.name.unwrap_or_else(|| product.name.clone()),
        track_stock: patch.track_stock.unwrap_or(product.track_stock),
        tax_category: Some(patch.tax_category.unwrap_or_else(|| product.tax_category.as_str().to_owned())),
        category: patch.category.or_else(|| product.category.clone()),
        image_url: product.image_url.clone(),
        modifier_groups: groups,
        description: patch.description.or_else(|| product.description.clone()),
        allergens: patch.allergens.unwrap_or_else(|| product.allergens.iter().map(|a| a.as_str().to_owned()).collect()),
        variants,
    })
}

impl App {
    /// A product with its archive state, for an admin or its merchant's manager (404 across
    /// merchants).
    pub async fn catalog_entry(&self, caller: &Caller, product_id: &str) -> AppResult<CatalogEntryRow> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let entry = self.store.get_catalog_entry(product_id).await?.ok_or(AppError::NotFound("product"))?;
        caller.check_merchant(&entry.product.merchant_id, "product")?;
        Ok(entry)
    }

    /// Edits a product: checked as a whole by the rules of a new one, saved in one transaction.
    /// A SKU the merchant has on another product is [`AppError::SkuTaken`] at that variant; a
    /// removed variant with history is [`AppError::VariantHasHistory`].
    pub async fn update_product(
        &self,
        caller: &Caller,
        product_id: &str,
        patch: ProductPatch,
    ) -> AppResult<CatalogEntryRow> {
        let current = self.catalog_entry(caller, product_id).await?;
        let checked = NewProduct::parse(merged_input(&current, patch)?)?;
        let merchant_id = current.product.merchant_id.clone();
        let mut changed = Vec::new();
        let mut added = Vec::new();
        for (index, variant) in checked.variants.iter().enumerate() {
            let sku = variant.sku.as_str();
            let existing = current.variants.iter().find(|old| old.sku == sku);
            if existing.is_none() && self.store.find_variant(&merchant_id, sku).await?.is_some() {
                return Err(AppError::SkuTaken { field: format!("variants[{index}].sku"), sku: sku.to_owned() });
            }
            let row = VariantRow {
                id: existing.map_or_else(|| new_id("var"), |old| old.id.clone()),
                product_id: product_id.to_owned(),
                merchant_id: merchant_id.clone(),
                sku: sku.to_owned(),
                price_minor: variant.price.amount_minor,
                currency: variant.price.currency,
                barcode: variant.barcode.clone(),
                attributes_json: serde_json::Value::Object(variant.attributes.clone()).to_string(),
            };
            if existing.is_some() { changed.push(row) } else { added.push(row) }
        }
        let removed: Vec<VariantRow> = current
            .variants
            .iter()
            .filter(|old| !checked.variants.iter().any(|new| new.sku.as_str() == old.sku))
            .cloned()
            .collect();
        let modifiers_json = (!checked.modifier_groups.is_empty())
            .then(|| {
                serde_json::to_string(&checked.modifier_groups).map_err(|error| AppError::Internal(Box::new(error)))
            })
            .transpose()?;
        let product = ProductRow {
            id: current.product.id.clone(),
            merchant_id,
            name: checked.name.into_inner(),
            track_stock: checked.track_stock,
            tax_category: checked.tax_category,
            category: checked.category,
            image_url: checked.image_url,
            modifiers_json,
            description: checked.description.map(Description::into_inner),
            allergens: checked.allergens,
            created_at_ms: current.product.created_at_ms,
        };
        match self.store.update_product(&ProductEditRow { product, changed, added, removed }).await? {
            ProductEditOutcome::Saved => {}
            ProductEditOutcome::Missing => return Err(AppError::NotFound("product")),
            ProductEditOutcome::SkuHasHistory { sku } => return Err(AppError::VariantHasHistory { sku }),
        }
        let saved = self.store.get_catalog_entry(product_id).await?.ok_or(AppError::NotFound("product"))?;
        let merchant = Some(saved.product.merchant_id.as_str());
        self.record_change(caller, Change::updated(AuditEntity::Product, product_id, merchant, &current, &saved)).await;
        // A base price edited here announces no price-list event: the shops are told directly.
        let repriced: Vec<String> = saved
            .variants
            .iter()
            .filter(|new| !current.variants.iter().any(|old| old.sku == new.sku && old.price_minor == new.price_minor))
            .map(|variant| variant.sku.clone())
            .collect();
        if !repriced.is_empty()
            && let Err(error) = self.owe_price_pushes(&saved.product.merchant_id, &repriced).await
        {
            tracing::warn!(%error, "price pushes to shops could not be owed after a product edit");
        }
        Ok(saved)
    }

    /// Archives a product (off the menus and the till, kept for history) or brings it back.
    pub async fn set_product_archived(
        &self,
        caller: &Caller,
        product_id: &str,
        archived: bool,
    ) -> AppResult<CatalogEntryRow> {
        let current = self.catalog_entry(caller, product_id).await?;
        // Archiving twice keeps the first time: the record says when it left the menus.
        let archived_at_ms = match (archived, current.archived_at_ms) {
            (true, Some(since)) => Some(since),
            (true, None) => Some(self.now_ms()),
            (false, _) => None,
        };
        if !self.store.set_product_archived(product_id, archived_at_ms).await? {
            return Err(AppError::NotFound("product"));
        }
        let saved = self.store.get_catalog_entry(product_id).await?.ok_or(AppError::NotFound("product"))?;
        if current.archived_at_ms.is_some() != saved.archived_at_ms.is_some() {
            let action = if archived { AuditAction::Archived } else { AuditAction::Unarchived };
            let change = Change::new(AuditEntity::Product, product_id, action, Some(&saved.product.merchant_id))
                .before(&current)
                .after(&saved);
            self.record_change(caller, change).await;
        }
        Ok(saved)
    }

    /// The first of these SKUs the merchant already has, as [`AppError::SkuTaken`] at its
    /// variant's field: what a form shows at the row before creating a product (the store's
    /// unique key stays the guard against a race).
    pub async fn check_skus_free(&self, caller: &Caller, merchant_id: &str, skus: &[&str]) -> AppResult<()> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        caller.check_merchant(merchant_id, "merchant")?;
        for (index, sku) in skus.iter().enumerate().take(super::products::MAX_VARIANTS_PER_PRODUCT) {
            if self.store.find_variant(merchant_id, sku).await?.is_some() {
                return Err(AppError::SkuTaken { field: format!("variants[{index}].sku"), sku: (*sku).to_owned() });
            }
        }
        Ok(())
    }

    /// A page of a merchant's products with the total matching, for anyone who may see the
    /// merchant (as its plain list; 404 across merchants).
    pub async fn search_products(
        &self,
        caller: &Caller,
        query: &ProductQuery,
    ) -> AppResult<(Vec<CatalogEntryRow>, i64)> {
        caller.check_merchant(&query.search.merchant_id, "merchant")?;
        self.store.get_merchant(&query.search.merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
        Ok(self.store.search_products(&query.search, query.page).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(result: AppResult<ProductQuery>) -> Vec<String> {
        match result {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected invalid fields, got {other:?}"),
        }
    }

    #[test]
    fn a_list_query_reads_its_sort_and_refuses_unknown_words() -> AppResult<()> {
        let query = ProductQuery::parse("mer", Some(" CEV "), Some("-price"), Some("all"), Some(10), Some(20))?;
        assert_eq!(query.search.text, "cev");
        assert_eq!((query.search.sort, query.search.descending), (ProductSort::Price, true));
        assert_eq!(query.search.archive, ArchiveFilter::All);
        assert_eq!(query.page, Page { limit: 10, offset: 20 });
        let defaults = ProductQuery::parse("mer", None, None, None, None, None)?;
        assert_eq!((defaults.search.sort, defaults.search.archive), (ProductSort::Name, ArchiveFilter::Active));
        assert_eq!(
            fields(ProductQuery::parse("mer", None, Some("colour"), Some("maybe"), Some(0), Some(-1))),
            ["sort", "archived", "limit", "offset"]
        );
        Ok(())
    }
}
