//! Creating a product with options: the product is checked as any other
//! ([`NewProduct::parse`]), its options by the domain ([`ProductOptions::parse`]), and each
//! variant's attributes against them ([`check_variant_combinations`]) — every bad field of the
//! three reported at once. The product, its variants and its options are stored in one
//! transaction, so a product is never seen without the options its variants were checked against.

use std::collections::BTreeMap;

use omnicanal_domain::DomainError;
use omnicanal_domain::access::Role;
use omnicanal_domain::retail::{ProductOption, ProductOptions, check_variant_combinations};

use crate::App;
use crate::audit::{AuditEntity, Change};
use crate::caller::Caller;
use crate::catalog::products::{NewProduct, ProductInput, ProductWithVariants};
use crate::error::{AppError, AppResult, FieldError};

/// A product with options, as sent.
#[derive(Debug, Clone)]
pub struct RetailProductInput {
    /// The product and its variants.
    pub product: ProductInput,
    /// Its options (none: a product without options, as [`App::create_product`] makes).
    pub options: Vec<ProductOption>,
}

/// A product with options, checked: each variant names one offered value of every option, no
/// two the same combination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRetailProduct {
    /// The product, checked as any other.
    pub product: NewProduct,
    /// Its options.
    pub options: ProductOptions,
}

/// A variant's attributes as option values: text as it is, anything else (a number, a list)
/// as its JSON, which no option offers, so it is refused naming the attribute.
fn attribute_words(attributes: &serde_json::Map<String, serde_json::Value>) -> BTreeMap<String, String> {
    attributes
        .iter()
        .map(|(name, value)| {
            let word = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
            (name.clone(), word)
        })
        .collect()
}

fn field_errors(problems: Vec<DomainError>) -> impl Iterator<Item = FieldError> {
    problems.into_iter().map(|problem| match problem {
        DomainError::Invalid { field, message } => FieldError { field, message },
        other => FieldError { field: "options".into(), message: other.to_string() },
    })
}

impl NewRetailProduct {
    /// Parses a product with options, reporting every bad field of the product, its options and
    /// its variants' combinations at once.
    pub fn parse(input: RetailProductInput) -> AppResult<Self> {
        let combinations: Vec<BTreeMap<String, String>> =
            input.product.variants.iter().map(|variant| attribute_words(&variant.attributes)).collect();
        let mut errors: Vec<FieldError> = Vec::new();
        let product = match NewProduct::parse(input.product) {
            Ok(product) => Some(product),
            Err(AppError::Invalid(product_errors)) => {
                errors.extend(product_errors);
                None
            }
            Err(other) => return Err(other),
        };
        let options = match ProductOptions::parse(input.options) {
            Ok(options) => {
                if let Err(problems) = check_variant_combinations(&options, &combinations) {
                    errors.extend(field_errors(problems));
                }
                Some(options)
            }
            Err(problems) => {
                errors.extend(field_errors(problems));
                None
            }
        };
        match (product, options) {
            (Some(product), Some(options)) if errors.is_empty() => Ok(Self { product, options }),
            _ => Err(AppError::Invalid(errors)),
        }
    }
}

impl App {
    /// Creates a product with options and its variants (an admin, or the merchant's manager),
    /// as [`App::create_product`] does, its options stored with it.
    pub async fn create_retail_product(
        &self,
        caller: &Caller,
        product: NewRetailProduct,
    ) -> AppResult<(ProductWithVariants, ProductOptions)> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let NewRetailProduct { product, options } = product;
        if caller.check_merchant(&product.merchant_id, "merchant").is_err()
            || self.store.get_merchant(&product.merchant_id).await?.is_none()
        {
            return Err(AppError::invalid("merchant_id", "no such merchant"));
        }
        let (row, variants) = self.product_rows(product)?;
        let options_json = (!options.is_empty())
            .then(|| serde_json::to_string(&options).map_err(|error| AppError::Internal(Box::new(error))))
            .transpose()?;
        self.store.insert_retail_product(&row, &variants, options_json.as_deref()).await?;
        let created = (row, variants);
        self.record_change(
            caller,
            Change::created(AuditEntity::Product, &created.0.id, Some(&created.0.merchant_id), &created),
        )
        .await;
        Ok((created, options))
    }

    /// The options of a merchant's products, by product id (products without options absent).
    /// A stored list that no longer reads is a fault, never an empty list.
    pub(crate) async fn retail_product_options(
        &self,
        merchant_id: &str,
    ) -> AppResult<std::collections::HashMap<String, ProductOptions>> {
        self.store
            .merchant_product_options(merchant_id)
            .await?
            .into_iter()
            .map(|row| {
                serde_json::from_str::<ProductOptions>(&row.options_json)
                    .map(|options| (row.product_id, options))
                    .map_err(|error| AppError::Internal(Box::new(error)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use omnicanal_domain::{Currency, Money};

    use super::*;
    use crate::catalog::products::VariantInput;

    fn variant(sku: &str, size: &str, colour: &str) -> VariantInput {
        let mut attributes = serde_json::Map::new();
        attributes.insert("Talla".into(), size.into());
        attributes.insert("Color".into(), colour.into());
        VariantInput { sku: sku.into(), price: Money::new(9_990, Currency::Clp), barcode: None, attributes }
    }

    fn input(variants: Vec<VariantInput>, options: Vec<ProductOption>) -> RetailProductInput {
        RetailProductInput {
            product: ProductInput {
                merchant_id: "mer".into(),
                name: "Polera".into(),
                track_stock: true,
                tax_category: None,
                category: None,
                image_url: None,
                modifier_groups: Vec::new(),
                description: None,
                allergens: Vec::new(),
                variants,
            },
            options,
        }
    }

    fn option(name: &str, values: &[&str]) -> ProductOption {
        ProductOption { name: name.into(), values: values.iter().map(|v| (*v).to_owned()).collect() }
    }

    #[test]
    fn the_product_its_options_and_its_combinations_are_reported_together() {
        let options = vec![option("Talla", &["S", "M"]), option("Color", &["Azul"])];
        let good = NewRetailProduct::parse(input(
            vec![variant("P-S-AZ", "S", "Azul"), variant("P-M-AZ", "M", "Azul")],
            options.clone(),
        ));
        assert!(good.is_ok());
        let bad = NewRetailProduct::parse(input(
            vec![variant("P-S-AZ", "S", "Azul"), variant("P-S-AZ2", "s", "azul"), variant("bad sku", "XL", "Azul")],
            options,
        ));
        let fields: Vec<String> = match bad {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected invalid fields, got {other:?}"),
        };
        assert_eq!(fields, ["variants[2].sku", "variants[1].attributes", "variants[2].attributes.Talla"]);
    }
}
