//! The tablet's search across every location: the merchant's variants matching a text (by
//! product name, SKU or barcode), each with the units the `tablet` channel may promise at
//! every location of the merchant — the till's own store first, then the others by kind and
//! name, each named with its site so the clerk can say where it is.
//!
//! Available-to-promise is the figure the ordering use case reserves against: on-hand minus
//! live holds, minus the `tablet` channel's safety buffer, and nothing where the location
//! switched the SKU to sold out or closed the channel. It is computed the way the web shop
//! computes it for `web` (one read of the merchant's stock per search), for the tablet's own
//! channel, because a merchant may keep a different buffer for each.

use std::collections::{HashMap, HashSet};

use omnicanal_domain::channel::Channel;
use omnicanal_domain::retail::LocationKind;
use omnicanal_store::{Page, ProductRow, StockFilter, VariantRow};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::webshop::product::attribute_words;
use crate::webshop::shop::{MAX_STOCK_ROWS, ShopLocation};

/// Longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// Units one location can promise of a variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AisleLocationUnits {
    /// The location.
    pub location_id: String,
    /// Its name ("Andina Providencia").
    pub name: String,
    /// Its site's name (the mall, street or city).
    pub site_name: String,
    /// Store or warehouse.
    pub kind: LocationKind,
    /// Whether it is the till's own store.
    pub here: bool,
    /// Units the tablet may promise there (None: not counted, always available).
    pub units: Option<i64>,
    /// Its site's id (a quote of a line sold from there names it).
    pub site_id: String,
}

/// One variant found.
#[derive(Debug, Clone)]
pub struct AisleItem {
    /// Its product.
    pub product: ProductRow,
    /// The variant.
    pub variant: VariantRow,
    /// Its option values, by option name ("Talla": "M").
    pub attributes: Vec<(String, String)>,
    /// Every location of the merchant, the till's own first.
    pub locations: Vec<AisleLocationUnits>,
}

/// A page of the search.
#[derive(Debug, Clone)]
pub struct AisleSearch {
    /// The till's location.
    pub location_id: String,
    /// The variants on this page.
    pub items: Vec<AisleItem>,
    /// Variants matching in all.
    pub total: usize,
}

/// Whether `variant` of `product` answers `words` (every word in the product's name, its SKU
/// or its barcode; a SKU or barcode typed whole matches too).
fn matches(product: &ProductRow, variant: &VariantRow, text: &str) -> bool {
    let fold = |value: &str| crate::webshop::shop::shop_slug(value).replace('-', " ");
    let code = text.trim();
    if variant.sku.eq_ignore_ascii_case(code) || variant.barcode.as_deref() == Some(code) {
        return true;
    }
    let haystack = fold(&format!(
        "{} {} {} {}",
        product.name,
        variant.sku,
        variant.barcode.as_deref().unwrap_or_default(),
        attribute_words(variant).into_values().collect::<Vec<_>>().join(" ")
    ));
    fold(text).split_whitespace().all(|word| haystack.contains(word))
}

impl App {
    /// Searches the merchant's catalogue from till `device_id` with every location's
    /// available-to-promise. Staff of the till's location, its merchant's managers, admins;
    /// another merchant's till → `NotFound("device")`. An empty text lists everything.
    pub async fn aisle_search(
        &self,
        caller: &Caller,
        device_id: &str,
        text: Option<&str>,
        page: Page,
    ) -> AppResult<AisleSearch> {
        let text = text.map(str::trim).filter(|text| !text.is_empty());
        if text.is_some_and(|text| text.chars().count() > MAX_QUERY_CHARS) {
            return Err(AppError::invalid("q", format!("must be at most {MAX_QUERY_CHARS} characters")));
        }
        let device = self.till(caller, device_id).await?;
        let mut shop = self.webshop(&device.merchant_id).await?;
        // The till's store first; the others keep the shop's order (stores, then warehouses, by name).
        shop.locations.sort_by_key(|entry| entry.location.id != device.location_id);
        let units = self.aisle_stock(&shop.merchant.id, &shop.locations).await?;
        let mut found = Vec::new();
        for (product, variants) in self.store.list_merchant_products(&shop.merchant.id).await? {
            for variant in variants {
                if text.is_none_or(|text| matches(&product, &variant, text)) {
                    found.push((product.clone(), variant));
                }
            }
        }
        // A stable order across pages: by product name, then SKU.
        found.sort_by(|(a, x), (b, y)| (&a.name, &x.sku).cmp(&(&b.name, &y.sku)));
        let total = found.len();
        let skip = usize::try_from(page.offset).unwrap_or(usize::MAX);
        let take = usize::try_from(page.limit).unwrap_or(0);
        let items = found
            .into_iter()
            .skip(skip)
            .take(take)
            .map(|(product, variant)| {
                let locations = shop
                    .locations
                    .iter()
                    .map(|entry| AisleLocationUnits {
                        location_id: entry.location.id.clone(),
                        name: entry.location.name.clone(),
                        site_name: entry.site.name.clone(),
                        site_id: entry.site.id.clone(),
                        kind: entry.kind,
                        here: entry.location.id == device.location_id,
                        units: product.track_stock.then(|| {
                            units.get(&(entry.location.id.clone(), variant.sku.clone())).copied().unwrap_or(0)
                        }),
                    })
                    .collect();
                AisleItem { attributes: attribute_words(&variant).into_iter().collect(), product, variant, locations }
            })
            .collect();
        Ok(AisleSearch { location_id: device.location_id, items, total })
    }

    /// What the `tablet` channel may promise per (location, SKU) at `locations`.
    async fn aisle_stock(
        &self,
        merchant_id: &str,
        locations: &[ShopLocation],
    ) -> AppResult<HashMap<(String, String), i64>> {
        let filter = StockFilter {
            merchant_id: Some(merchant_id.to_owned()),
            now_ms: self.now_ms(),
            page: Page::first(MAX_STOCK_ROWS),
            ..StockFilter::default()
        };
        let levels = self.store.list_stock(&filter).await?;
        let location_ids: Vec<String> = locations.iter().map(|entry| entry.location.id.clone()).collect();
        let allocations = self.store.list_channel_allocations_at(&location_ids).await?;
        let sold_out: HashSet<(String, String)> = self
            .store
            .list_sold_out_at(&location_ids)
            .await?
            .into_iter()
            .map(|row| (row.location_id, row.sku))
            .collect();
        let mut units = HashMap::with_capacity(levels.len());
        for level in levels {
            let allocation = allocations.iter().find(|allocation| {
                allocation.location_id == level.location_id && allocation.channel == Channel::Tablet
            });
            let (buffer, enabled) = allocation.map_or((0, true), |a| (a.safety_buffer, a.enabled));
            let key = (level.location_id, level.sku);
            let promised = if enabled && !sold_out.contains(&key) { (level.available - buffer).max(0) } else { 0 };
            units.insert(key, promised);
        }
        Ok(units)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnicanal_domain::Currency;
    use omnicanal_domain::pricing::TaxCategory;

    fn jacket() -> (ProductRow, VariantRow) {
        let product = ProductRow {
            id: "prd_1".into(),
            merchant_id: "mer_1".into(),
            name: "Chaqueta Impermeable".into(),
            track_stock: true,
            tax_category: TaxCategory::Standard,
            category: None,
            image_url: None,
            modifiers_json: None,
            description: None,
            allergens: Vec::new(),
            created_at_ms: 0,
        };
        let variant = VariantRow {
            id: "var_1".into(),
            product_id: "prd_1".into(),
            merchant_id: "mer_1".into(),
            sku: "CHAQ-M".into(),
            price_minor: 89_990,
            currency: Currency::Clp,
            barcode: Some("7801234599001".into()),
            attributes_json: r#"{"Talla": "M", "Color": "Azul"}"#.into(),
        };
        (product, variant)
    }

    #[test]
    fn a_variant_is_found_by_its_name_words_sku_barcode_or_options() {
        let (product, variant) = jacket();
        for text in ["chaqueta", "IMPERMEABLE chaqueta", "chaq-m", "CHAQ-M", "7801234599001", "chaqueta azul"] {
            assert!(matches(&product, &variant, text), "{text:?}");
        }
        for text in ["mochila", "chaqueta roja", "780123459900X"] {
            assert!(!matches(&product, &variant, text), "{text:?}");
        }
    }
}
