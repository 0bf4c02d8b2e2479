//! The web shop's catalogue: the merchant's products on sale, filtered by option values
//! ("Talla: M"), by where they can be had (pickup at a chosen store, or delivery from any
//! location), and by a search text, a page at a time, each with its price from the engine.
//!
//! A product matches when one of its variants matches every option filter and, under an
//! availability filter, can be promised there — so "Talla M, retiro en Providencia" lists
//! only what a customer could pick up in M at Providencia.
//!
//! Limits: [`PAGE_SIZE`] products a page, search text up to [`MAX_SEARCH_CHARS`] characters,
//! at most [`MAX_OPTION_FILTERS`] option filters.

use std::collections::BTreeMap;

use omnicanal_domain::Money;
use omnicanal_domain::retail::ProductOptions;
use omnicanal_store::{ProductRow, VariantRow};

use super::product::attribute_words;
use super::shop::{Shop, ShopLocation, ShopStock};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::validation::Validator;

/// Products per page.
pub const PAGE_SIZE: usize = 12;
/// Longest search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 60;
/// Most option filters at once.
pub const MAX_OPTION_FILTERS: usize = 5;
/// Highest page number accepted.
pub const MAX_PAGE: i64 = 1_000;

/// What the visitor asked the catalogue for, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueQuery {
    /// Words the name, category or description must contain (any case).
    pub text: Option<String>,
    /// (option name, value) pairs a variant must all match (any case).
    pub options: Vec<(String, String)>,
    /// Only what this store can promise for pickup.
    pub pickup_at: Option<String>,
    /// Only what can be delivered (promised at some location).
    pub delivery: bool,
    /// 1-based page.
    pub page: usize,
}

impl CatalogueQuery {
    /// Checks a catalogue query: every bad field reported at once.
    pub fn parse(
        text: Option<String>,
        options: Vec<(String, String)>,
        pickup_at: Option<String>,
        delivery: bool,
        page: Option<i64>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        if text.as_ref().is_some_and(|t| t.chars().count() > MAX_SEARCH_CHARS) {
            v.push("q", format!("must be at most {MAX_SEARCH_CHARS} characters"));
        }
        let options: Vec<(String, String)> = options
            .into_iter()
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .filter(|(_, value)| !value.is_empty())
            .collect();
        if options.len() > MAX_OPTION_FILTERS {
            v.push("options", format!("at most {MAX_OPTION_FILTERS} option filters"));
        }
        let page = page.unwrap_or(1);
        if !(1..=MAX_PAGE).contains(&page) {
            v.push("page", format!("must be between 1 and {MAX_PAGE}"));
        }
        let pickup_at = pickup_at.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
        v.done(|| Some(Self { text, options, pickup_at, delivery, page: usize::try_from(page).ok()? }))
    }
}

/// Query keys that are not option filters.
pub const RESERVED_KEYS: [&str; 5] = ["q", "page", "pickup", "delivery", "lang"];

impl CatalogueQuery {
    /// The first page, unfiltered.
    pub fn default_first_page() -> Self {
        Self { page: 1, ..Self::default() }
    }

    /// A query from an address's `key=value` pairs: `q`, `page`, `pickup` (a store id),
    /// `delivery` (`1` or `true`), and any other key an option filter (`Talla=M`). A page
    /// that is not a number is reported on `page`.
    pub fn from_pairs(pairs: &[(String, String)]) -> AppResult<Self> {
        let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, value)| value.clone());
        let page = match get("page").filter(|raw| !raw.trim().is_empty()) {
            None => None,
            Some(raw) => Some(raw.trim().parse::<i64>().map_err(|_| AppError::invalid("page", "must be a number"))?),
        };
        let delivery = get("delivery").is_some_and(|raw| matches!(raw.trim(), "1" | "true" | "on"));
        let options = pairs
            .iter()
            .filter(|(key, _)| !RESERVED_KEYS.contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        Self::parse(get("q"), options, get("pickup"), delivery, page)
    }
}

/// An option and every value the shop's products offer of it, for the filter bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    /// The option's name ("Talla").
    pub name: String,
    /// Its values, in the order products first list them.
    pub values: Vec<String>,
}

/// A product on a catalogue page.
#[derive(Debug, Clone)]
pub struct CatalogueProduct {
    /// The product.
    pub product: ProductRow,
    /// Its options.
    pub options: ProductOptions,
    /// The price of its first matching variant (one unit, through the web, promotions applied).
    pub price: Money,
    /// That variant's price before promotions.
    pub list_price: Money,
    /// Whether some matching variant can be promised (picked up or delivered) now.
    pub available: bool,
    /// How many variants match the filters.
    pub matching_variants: usize,
}

/// A catalogue page.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// The shop.
    pub shop: Shop,
    /// The query answered.
    pub query: CatalogueQuery,
    /// Every option the shop's products have, with their values.
    pub facets: Vec<Facet>,
    /// This page's products.
    pub products: Vec<CatalogueProduct>,
    /// Matches in all.
    pub total: usize,
    /// Pages in all (at least 1).
    pub pages: usize,
}

fn folded(text: &str) -> String {
    super::shop::shop_slug(text).replace('-', " ")
}

fn matches_text(product: &ProductRow, text: &str) -> bool {
    let wanted = folded(text);
    let haystack = folded(&format!(
        "{} {} {}",
        product.name,
        product.category.as_deref().unwrap_or_default(),
        product.description.as_deref().unwrap_or_default()
    ));
    wanted.split_whitespace().all(|word| haystack.contains(word))
}

fn matches_options(attributes: &BTreeMap<String, String>, filters: &[(String, String)]) -> bool {
    filters.iter().all(|(name, value)| {
        attributes.iter().any(|(key, given)| key.eq_ignore_ascii_case(name) && given.eq_ignore_ascii_case(value))
    })
}

fn facets(products: &[(ProductRow, Vec<VariantRow>)], options: &BTreeMap<String, ProductOptions>) -> Vec<Facet> {
    let mut facets: Vec<Facet> = Vec::new();
    for (product, _) in products {
        let Some(product_options) = options.get(&product.id) else { continue };
        for option in product_options.as_slice() {
            let position = facets.iter().position(|facet| facet.name.eq_ignore_ascii_case(&option.name));
            let facet = match position {
                Some(index) => &mut facets[index],
                None => {
                    facets.push(Facet { name: option.name.clone(), values: Vec::new() });
                    let last = facets.len() - 1;
                    &mut facets[last]
                }
            };
            for value in &option.values {
                if !facet.values.iter().any(|seen| seen.eq_ignore_ascii_case(value)) {
                    facet.values.push(value.clone());
                }
            }
        }
    }
    facets
}

impl App {
    /// A page of the shop's catalogue. An unknown shop is `NotFound("shop")`; a pickup store
    /// that is not one of the shop's stores is invalid (`pickup`).
    pub async fn webshop_catalogue(&self, shop_key: &str, query: CatalogueQuery) -> AppResult<Catalogue> {
        let shop = self.webshop(shop_key).await?;
        let pickup_at: Option<ShopLocation> = match &query.pickup_at {
            None => None,
            Some(id) => Some(
                shop.location(id)
                    .filter(|entry| entry.kind.offers_pickup())
                    .cloned()
                    .ok_or_else(|| AppError::invalid("pickup", "not a store of this shop"))?,
            ),
        };
        let products = self.store.list_merchant_products(&shop.merchant.id).await?;
        let options: BTreeMap<String, ProductOptions> =
            self.retail_product_options(&shop.merchant.id).await?.into_iter().collect();
        let stock = self.webshop_stock(&shop).await?;
        let mut matches: Vec<(ProductRow, Vec<VariantRow>, bool)> = Vec::new();
        for (product, variants) in &products {
            if query.text.as_deref().is_some_and(|text| !matches_text(product, text)) {
                continue;
            }
            let promised = |variant: &VariantRow| {
                let at = |entry: &ShopLocation| !product.track_stock || stock.at(&entry.location.id, &variant.sku) > 0;
                match &pickup_at {
                    Some(store) => at(store),
                    None => shop.locations.iter().any(|entry| entry.open && at(entry)),
                }
            };
            let matching: Vec<VariantRow> = variants
                .iter()
                .filter(|variant| !shop.inactive_skus.contains(&variant.sku))
                .filter(|variant| matches_options(&attribute_words(variant), &query.options))
                .filter(|variant| !(query.delivery || pickup_at.is_some()) || promised(variant))
                .cloned()
                .collect();
            if matching.is_empty() {
                continue;
            }
            let available = matching.iter().any(promised);
            matches.push((product.clone(), matching, available));
        }
        let total = matches.len();
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let mut page_products = Vec::new();
        for (product, variants, available) in matches.into_iter().skip((query.page - 1) * PAGE_SIZE).take(PAGE_SIZE) {
            page_products
                .push(self.webshop_catalogue_product(&shop, &stock, product, variants, available, &options).await?);
        }
        Ok(Catalogue { facets: facets(&products, &options), shop, query, products: page_products, total, pages })
    }

    async fn webshop_catalogue_product(
        &self,
        shop: &Shop,
        stock: &ShopStock,
        product: ProductRow,
        variants: Vec<VariantRow>,
        available: bool,
        options: &BTreeMap<String, ProductOptions>,
    ) -> AppResult<CatalogueProduct> {
        let matching_variants = variants.len();
        let first = variants.into_iter().next().ok_or_else(|| AppError::internal("a match without a variant"))?;
        let priced = self.webshop_variant(shop, stock, &product, first, None).await?;
        Ok(CatalogueProduct {
            options: options.get(&product.id).cloned().unwrap_or_default(),
            product,
            price: priced.price,
            list_price: priced.list_price,
            available,
            matching_variants,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_reports_every_bad_field() {
        let fields = match CatalogueQuery::parse(Some("x".repeat(61)), Vec::new(), None, false, Some(0)) {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect::<Vec<_>>(),
            other => panic!("expected invalid, got {other:?}"),
        };
        assert_eq!(fields, ["q", "page"]);
        let query = CatalogueQuery::parse(Some("  ".into()), vec![("Talla".into(), " M ".into())], None, true, None);
        assert_eq!(
            query.ok().map(|q| (q.text, q.options, q.page)),
            Some((None, vec![("Talla".into(), "M".into())], 1))
        );
    }
}
