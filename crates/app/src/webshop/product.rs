//! A product page of the web shop: the product's options, and per variant its price from the
//! one pricing engine (the same `price_cart` the till, the QR menu and every order use, so the
//! web shows the till's promotions) and the units each store can promise, plus what a delivery
//! can draw on (every location, warehouses included).
//!
//! A variant is priced as one unit at the location the visitor is looking at (the store chosen
//! for pickup, else the first location that holds it): price lists may differ per location.
//! Opening hours do not change a price, so a closed store's price is still shown.

use std::collections::BTreeMap;

use omnicanal_domain::Money;
use omnicanal_domain::catalog::{Quantity, Sku};
use omnicanal_domain::channel::Channel;
use omnicanal_domain::pricing::engine::QuotedLine;
use omnicanal_domain::retail::ProductOptions;
use omnicanal_store::{ProductRow, VariantRow};

use super::shop::{Shop, ShopLocation, ShopStock};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::pricing::cart::{Cart, CartItem, SoldFrom};

/// Units a store can promise of one variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUnits {
    /// The store.
    pub location_id: String,
    /// Its name ("Andina Providencia").
    pub name: String,
    /// Its site's name (the mall, street or city).
    pub site_name: String,
    /// Units the web may promise there (None: not counted, always available).
    pub units: Option<i64>,
    /// Whether a customer may pick up there now.
    pub pickup: bool,
}

/// One variant on the product page.
#[derive(Debug, Clone)]
pub struct ShopVariant {
    /// The variant.
    pub variant: VariantRow,
    /// Its option values, by option name.
    pub attributes: BTreeMap<String, String>,
    /// One unit's price through the web, promotions applied.
    pub price: Money,
    /// The price before promotions (the price list's, else the base price).
    pub list_price: Money,
    /// The promotions that lowered it, by name.
    pub promotions: Vec<String>,
    /// Units per store (stores only: a warehouse is never a pickup point).
    pub stores: Vec<StoreUnits>,
    /// Units a delivery can draw on at the one best location (None: not counted).
    pub delivery_units: Option<i64>,
    /// The card-size photo of the gallery it shows (None: the product's own photo).
    pub image_url: Option<String>,
}

/// A product page.
#[derive(Debug, Clone)]
pub struct ShopProduct {
    /// The shop.
    pub shop: Shop,
    /// The product.
    pub product: ProductRow,
    /// Its options (empty: none).
    pub options: ProductOptions,
    /// Its variants.
    pub variants: Vec<ShopVariant>,
}

/// A variant's attributes as text.
pub(crate) fn attribute_words(variant: &VariantRow) -> BTreeMap<String, String> {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&variant.attributes_json)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| (name, value.as_str().map_or_else(|| value.to_string(), str::to_owned)))
        .collect()
}

impl App {
    /// A product of the shop `shop_key`, with each variant's price and where it is; a product of
    /// another merchant, or archived, is `NotFound("product")`.
    pub async fn webshop_product(&self, shop_key: &str, product_id: &str) -> AppResult<ShopProduct> {
        let shop = self.webshop(shop_key).await?;
        let (product, variants) = self.store.get_product(product_id).await?.ok_or(AppError::NotFound("product"))?;
        if product.merchant_id != shop.merchant.id {
            return Err(AppError::NotFound("product"));
        }
        // Archived products are left out of the merchant's list: the one list the shop shows.
        let listed = self.store.list_merchant_products(&shop.merchant.id).await?;
        if !listed.iter().any(|(listed, _)| listed.id == product.id) {
            return Err(AppError::NotFound("product"));
        }
        let options = self.retail_product_options(&shop.merchant.id).await?.remove(&product.id).unwrap_or_default();
        let stock = self.webshop_stock(&shop).await?;
        let mut shop_variants = Vec::with_capacity(variants.len());
        let mut photos = self.variant_photo_paths(&product.id).await?;
        for variant in variants.into_iter().filter(|variant| !shop.inactive_skus.contains(&variant.sku)) {
            let mut shown = self.webshop_variant(&shop, &stock, &product, variant, None).await?;
            shown.image_url = photos.remove(&shown.variant.sku);
            shop_variants.push(shown);
        }
        Ok(ShopProduct { shop, product, options, variants: shop_variants })
    }

    /// One variant with its web price (one unit at `at`, else the first location holding it)
    /// and its units per store.
    pub(crate) async fn webshop_variant(
        &self,
        shop: &Shop,
        stock: &ShopStock,
        product: &ProductRow,
        variant: VariantRow,
        at: Option<&ShopLocation>,
    ) -> AppResult<ShopVariant> {
        let tracked = product.track_stock;
        let units = |entry: &ShopLocation| tracked.then(|| stock.at(&entry.location.id, &variant.sku));
        let stores: Vec<StoreUnits> = shop
            .locations
            .iter()
            .filter(|entry| entry.kind.offers_pickup())
            .map(|entry| StoreUnits {
                location_id: entry.location.id.clone(),
                name: entry.location.name.clone(),
                site_name: entry.site.name.clone(),
                units: units(entry),
                pickup: entry.offers_pickup(),
            })
            .collect();
        let delivery_units =
            tracked.then(|| shop.locations.iter().filter(|entry| entry.open).filter_map(units).max().unwrap_or(0));
        let priced_at = at
            .or_else(|| shop.locations.iter().find(|entry| units(entry).is_none_or(|n| n > 0)))
            .or_else(|| shop.locations.first())
            .ok_or(AppError::NotFound("shop"))?;
        let line = self.webshop_price_one_unit(priced_at, &variant.sku).await?;
        Ok(ShopVariant {
            attributes: attribute_words(&variant),
            price: line.total,
            list_price: line.unit_price,
            promotions: line.discounts.iter().map(|discount| discount.name.clone()).collect(),
            stores,
            delivery_units,
            variant,
            image_url: None,
        })
    }

    /// One unit of `sku` priced by the engine for the web channel at `at`.
    async fn webshop_price_one_unit(&self, at: &ShopLocation, sku: &str) -> AppResult<QuotedLine> {
        let item = CartItem {
            sku: Sku::parse(sku)?,
            location_id: at.location.id.clone(),
            quantity: Quantity::parse(1)?,
            choices: Vec::new(),
            note: None,
            manual_discount: None,
        };
        let cart = Cart {
            site_id: at.site.id.clone(),
            channel: Channel::Web,
            items: vec![item],
            coupon_codes: Vec::new(),
            customer_key: None,
        };
        // `Counter`: this prices, it does not order, so a store closed at this hour still shows
        // its price (the checkout is placed `Afar`, where closed stores refuse).
        let priced = self.price_cart(&at.site, &cart, self.now_ms(), SoldFrom::Counter).await?;
        priced.quote.lines.into_iter().next().ok_or_else(|| AppError::internal("a priced cart lost its line"))
    }
}
