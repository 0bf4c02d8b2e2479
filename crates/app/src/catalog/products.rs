//! Products: a merchant's items, each sold as one or more variants (a SKU with a price), with
//! the modifier groups offered with them. Admins create products for any merchant, managers
//! for their own; a SKU is unique within its merchant.

use omnicanal_domain::Money;
use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::{Name, Sku, parse_price};
use omnicanal_domain::dish::{Allergen, Description, normalize_allergens};
use omnicanal_domain::modifiers::{ModifierGroup, validate_groups};
use omnicanal_domain::pricing::TaxCategory;
use omnicanal_store::{ProductRow, VariantRow};

use crate::App;
use crate::audit::{AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// Most variants one product may have.
pub const MAX_VARIANTS_PER_PRODUCT: usize = 100;
/// Longest menu category, in characters.
pub const MAX_CATEGORY_CHARS: usize = 40;
/// Longest image URL, in bytes.
pub const MAX_IMAGE_URL_BYTES: usize = 500;

/// A product with its variants.
pub type ProductWithVariants = (ProductRow, Vec<VariantRow>);

/// A variant as sent, before it is checked.
#[derive(Debug, Clone)]
pub struct VariantInput {
    /// SKU as typed.
    pub sku: String,
    /// Unit price, tax included.
    pub price: Money,
    /// EAN/UPC.
    pub barcode: Option<String>,
    /// Free-form attributes.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// A product as sent, before it is checked.
#[derive(Debug, Clone)]
pub struct ProductInput {
    /// Owner.
    pub merchant_id: String,
    /// Display name.
    pub name: String,
    /// Whether stock is counted.
    pub track_stock: bool,
    /// `standard` or `exempt`; standard when absent.
    pub tax_category: Option<String>,
    /// Menu category.
    pub category: Option<String>,
    /// Photo URL or path.
    pub image_url: Option<String>,
    /// Choices offered with it.
    pub modifier_groups: Vec<ModifierGroup>,
    /// What the menu says of it (blank: nothing).
    pub description: Option<String>,
    /// Allergen codes as sent (`gluten`, `milk`…).
    pub allergens: Vec<String>,
    /// Its variants.
    pub variants: Vec<VariantInput>,
}

/// A variant, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVariant {
    /// SKU, unique within the product (and, by the store, the merchant).
    pub sku: Sku,
    /// Unit price, not negative.
    pub price: Money,
    /// EAN/UPC (none when blank).
    pub barcode: Option<String>,
    /// Free-form attributes.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// A product, checked: 1 to [`MAX_VARIANTS_PER_PRODUCT`] variants, modifier groups priced in
/// the currency of its first variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    /// Owner (checked by [`App::create_product`]).
    pub merchant_id: String,
    /// Display name.
    pub name: Name,
    /// Whether stock is counted.
    pub track_stock: bool,
    /// Which tax rate applies.
    pub tax_category: TaxCategory,
    /// Menu category, trimmed (at most [`MAX_CATEGORY_CHARS`]).
    pub category: Option<String>,
    /// An https URL or a path on this server.
    pub image_url: Option<String>,
    /// Choices offered with it.
    pub modifier_groups: Vec<ModifierGroup>,
    /// What the menu says of it.
    pub description: Option<Description>,
    /// The allergens it contains, each once, in the table's order.
    pub allergens: Vec<Allergen>,
    /// Its variants.
    pub variants: Vec<NewVariant>,
}

impl NewProduct {
    /// Parses a product, reporting every bad field at once.
    pub fn parse(input: ProductInput) -> AppResult<Self> {
        let mut v = Validator::new();
        let name = v.check("name", Name::parse("name", &input.name));
        let category = input.category.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
        if category.as_ref().is_some_and(|c| c.chars().count() > MAX_CATEGORY_CHARS) {
            v.push("category", format!("must be at most {MAX_CATEGORY_CHARS} characters"));
        }
        let image_url = input.image_url.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
        if image_url.as_deref().is_some_and(|url| !acceptable_image_url(url)) {
            v.push(
                "image_url",
                format!("must be an https:// URL or a path on this server, at most {MAX_IMAGE_URL_BYTES} characters"),
            );
        }
        // The groups' prices must be in the product's currency, which is its variants'. With no
        // variant there is no currency to check against: the product is refused on `variants`.
        if let Some(first) = input.variants.first()
            && !input.modifier_groups.is_empty()
        {
            v.check("modifier_groups", validate_groups(&input.modifier_groups, first.price.currency));
        }
        let tax_category = v
            .check("tax_category", input.tax_category.as_deref().map_or(Ok(TaxCategory::Standard), TaxCategory::parse));
        if input.variants.is_empty() || input.variants.len() > MAX_VARIANTS_PER_PRODUCT {
            v.push("variants", format!("a product needs 1 to {MAX_VARIANTS_PER_PRODUCT} variants"));
        }
        let variants = check_variants(input.variants, &mut v);
        let description = v
            .check("description", input.description.as_deref().map(Description::parse).transpose())
            .flatten()
            .flatten();
        let allergens = check_allergens(&input.allergens, &mut v);
        v.done(|| {
            Some(Self {
                merchant_id: input.merchant_id,
                name: name?,
                track_stock: input.track_stock,
                tax_category: tax_category?,
                category,
                image_url,
                modifier_groups: input.modifier_groups,
                description,
                allergens,
                variants,
            })
        })
    }
}

/// The allergens named, each code checked on its own (`allergens[1]`); no more codes than the
/// table has, so a list is bounded (a repeat is dropped, not refused).
fn check_allergens(codes: &[String], v: &mut Validator) -> Vec<Allergen> {
    if codes.len() > Allergen::ALL.len() {
        v.push("allergens", format!("may name at most {} allergens", Allergen::ALL.len()));
        return Vec::new();
    }
    let allergens: Vec<Allergen> = codes
        .iter()
        .enumerate()
        .filter_map(|(index, code)| v.check(&format!("allergens[{index}]"), Allergen::parse(code.trim())))
        .collect();
    normalize_allergens(allergens)
}

/// An https URL or a server path (not `//host`), short, with nothing that breaks out of an
/// HTML attribute.
fn acceptable_image_url(url: &str) -> bool {
    url.len() <= MAX_IMAGE_URL_BYTES
        && (url.starts_with("https://") || (url.starts_with('/') && !url.starts_with("//")))
        && !url.contains(['"', '<', '>', ' '])
}

/// The variants that check out; each bad SKU or price, and each SKU seen twice, is recorded.
fn check_variants(inputs: Vec<VariantInput>, v: &mut Validator) -> Vec<NewVariant> {
    let mut variants: Vec<NewVariant> = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.into_iter().enumerate() {
        let sku = v.check(&format!("variants[{index}].sku"), Sku::parse(&input.sku));
        let price = v.check(&format!("variants[{index}].price"), parse_price("price", input.price));
        if let Some(sku) = &sku
            && variants.iter().any(|existing| &existing.sku == sku)
        {
            v.push(format!("variants[{index}].sku"), "appears twice in this product");
        }
        if let (Some(sku), Some(price)) = (sku, price) {
            let barcode = input.barcode.filter(|code| !code.trim().is_empty());
            variants.push(NewVariant { sku, price, barcode, attributes: input.attributes });
        }
    }
    variants
}

impl App {
    /// Creates a product with its variants (an admin, or the merchant's manager). A merchant
    /// the caller may not see is "no such merchant"; a SKU the merchant already has is
    /// `AlreadyExists`.
    pub async fn create_product(&self, caller: &Caller, product: NewProduct) -> AppResult<ProductWithVariants> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        if caller.check_merchant(&product.merchant_id, "merchant").is_err()
            || self.store.get_merchant(&product.merchant_id).await?.is_none()
        {
            return Err(AppError::invalid("merchant_id", "no such merchant"));
        }
        let (row, variants) = self.product_rows(product)?;
        self.store.insert_product(&row, &variants).await?;
        let created = (row, variants);
        self.record_change(
            caller,
            Change::created(AuditEntity::Product, &created.0.id, Some(&created.0.merchant_id), &created),
        )
        .await;
        Ok(created)
    }

    /// One product, for anyone who may see its merchant.
    pub async fn product(&self, caller: &Caller, product_id: &str) -> AppResult<ProductWithVariants> {
        let (product, variants) = self.store.get_product(product_id).await?.ok_or(AppError::NotFound("product"))?;
        caller.check_merchant(&product.merchant_id, "product")?;
        Ok((product, variants))
    }

    /// A merchant's products, for anyone who may see the merchant.
    pub async fn merchant_products(&self, caller: &Caller, merchant_id: &str) -> AppResult<Vec<ProductWithVariants>> {
        caller.check_merchant(merchant_id, "merchant")?;
        self.store.get_merchant(merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
        Ok(self.store.list_merchant_products(merchant_id).await?)
    }
}

impl App {
    /// The rows of a checked product and its variants, with new ids — shared by every use case
    /// that creates a product (the catalogue's and the retail one with options).
    pub(crate) fn product_rows(&self, product: NewProduct) -> AppResult<ProductWithVariants> {
        let product_id = new_id("prd");
        let variants: Vec<VariantRow> = product
            .variants
            .into_iter()
            .map(|variant| VariantRow {
                id: new_id("var"),
                product_id: product_id.clone(),
                merchant_id: product.merchant_id.clone(),
                sku: variant.sku.as_str().to_owned(),
                price_minor: variant.price.amount_minor,
                currency: variant.price.currency,
                barcode: variant.barcode,
                attributes_json: serde_json::Value::Object(variant.attributes).to_string(),
            })
            .collect();
        let modifiers_json = (!product.modifier_groups.is_empty())
            .then(|| {
                serde_json::to_string(&product.modifier_groups).map_err(|error| AppError::Internal(Box::new(error)))
            })
            .transpose()?;
        let row = ProductRow {
            id: product_id,
            merchant_id: product.merchant_id,
            name: product.name.into_inner(),
            track_stock: product.track_stock,
            tax_category: product.tax_category,
            category: product.category,
            image_url: product.image_url,
            modifiers_json,
            description: product.description.map(Description::into_inner),
            allergens: product.allergens,
            created_at_ms: self.now_ms(),
        };
        Ok((row, variants))
    }
}

#[cfg(test)]
mod tests {
    use omnicanal_domain::Currency;
    use omnicanal_domain::modifiers::ModifierOption;

    use super::*;

    fn variant(sku: &str, amount_minor: i64) -> VariantInput {
        VariantInput {
            sku: sku.into(),
            price: Money::new(amount_minor, Currency::Pen),
            barcode: Some(" ".into()),
            attributes: serde_json::Map::new(),
        }
    }

    fn input(variants: Vec<VariantInput>) -> ProductInput {
        ProductInput {
            merchant_id: "mer".into(),
            name: "Ceviche".into(),
            track_stock: false,
            tax_category: None,
            category: Some(" Platos ".into()),
            image_url: None,
            modifier_groups: vec![ModifierGroup {
                name: "Extra".into(),
                min: 0,
                max: 1,
                options: vec![ModifierOption { name: "Choclo".into(), price: Money::new(150, Currency::Pen) }],
            }],
            description: None,
            allergens: Vec::new(),
            variants,
        }
    }

    fn fields(result: AppResult<NewProduct>) -> Vec<String> {
        match result {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected invalid fields, got {other:?}"),
        }
    }

    #[test]
    fn a_product_needs_a_variant_and_its_groups_are_priced_in_the_variants_currency() -> AppResult<()> {
        let product = NewProduct::parse(input(vec![variant("CEV-1", 2_500)]))?;
        assert_eq!(product.category.as_deref(), Some("Platos"));
        assert_eq!(product.variants[0].barcode, None);
        assert_eq!(product.tax_category, TaxCategory::Standard);
        // No variant: refused on `variants`, never priced in a currency assumed for it.
        assert_eq!(fields(NewProduct::parse(input(vec![]))), ["variants"]);
        let mut in_pesos = variant("CEV-1", 2_500);
        in_pesos.price = Money::new(2_500, Currency::Clp);
        assert_eq!(fields(NewProduct::parse(input(vec![in_pesos]))), ["modifier_groups"]);
        Ok(())
    }

    #[test]
    fn bad_variants_and_urls_are_reported_together() {
        let bad = ProductInput {
            image_url: Some("javascript:alert(1)".into()),
            ..input(vec![variant("CEV-1", 2_500), variant("CEV-1", -1), variant("a b", 1)])
        };
        assert_eq!(
            fields(NewProduct::parse(bad)),
            ["image_url", "variants[1].price", "variants[1].sku", "variants[2].sku"]
        );
    }

    #[test]
    fn descriptions_and_allergens_are_checked_field_by_field() -> AppResult<()> {
        let good = ProductInput {
            description: Some(" Pescado del día en limón ".into()),
            allergens: vec!["fish".into(), "celery".into(), "fish".into()],
            ..input(vec![variant("CEV-1", 2_500)])
        };
        let product = NewProduct::parse(good)?;
        assert_eq!(product.description.as_ref().map(Description::as_str), Some("Pescado del día en limón"));
        assert_eq!(product.allergens, [Allergen::Fish, Allergen::Celery]);
        let bad = ProductInput {
            description: Some("x".repeat(501)),
            allergens: vec!["milk".into(), "chocolate".into()],
            ..input(vec![variant("CEV-1", 2_500)])
        };
        assert_eq!(fields(NewProduct::parse(bad)), ["description", "allergens[1]"]);
        Ok(())
    }
}
