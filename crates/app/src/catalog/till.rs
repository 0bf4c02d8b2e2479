//! What a till keeps in the browser to sell with no network (issue 14): the location's
//! sellable variants with their base price, tax rate and barcode, and the price lists and
//! promotions that apply there — exactly the inputs the pricing engine is given online
//! (`pricing::cart`), in the engine's own JSON shapes, so the till's copy of the engine
//! (`assets/pos/pricing.js`) prices a cart to the same figure the server will record.
//!
//! Coupons are left out: a coupon's use count lives on the server and cannot be checked
//! offline. Limit: one merchant's catalogue, at most [`MAX_TILL_ITEMS`] variants.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::MerchantKind;
use omnicanal_domain::pricing::tax::{TaxRate, tax_rate};
use omnicanal_domain::pricing::{PriceList, Promotion};
use omnicanal_domain::{Currency, Money};

use crate::price_book::engine_price_lists;
use crate::{App, AppError, AppResult, Caller};

/// Most variants a till's snapshot carries (a shop's whole catalogue fits well below it).
pub const MAX_TILL_ITEMS: usize = 20_000;

/// One variant the till can sell.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TillItem {
    /// What is sold.
    pub sku: String,
    /// The product's name (with the variant's SKU when the product has several).
    pub name: String,
    /// EAN/UPC a scanner types, if any.
    pub barcode: Option<String>,
    /// The base unit price (price lists may replace it).
    pub base_price: Money,
    /// The tax contained in the price.
    pub tax: TaxRate,
    /// Whether stock is counted for it.
    pub track_stock: bool,
    /// Menu category, for grouping on screen.
    pub category: Option<String>,
}

/// Everything a till at one location prices with, taken at `taken_at_ms`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TillCatalog {
    /// The location.
    pub location_id: String,
    /// Its name.
    pub location_name: String,
    /// Its merchant.
    pub merchant_id: String,
    /// The site's currency.
    pub currency: Currency,
    /// The site's time zone (promotions' hours are read on its wall clock).
    pub timezone: String,
    /// The channel the till sells through: `pos`.
    pub channel: String,
    /// Sellable variants, by name.
    pub items: Vec<TillItem>,
    /// The merchant's active price lists, as the engine reads them.
    pub price_lists: Vec<PriceList>,
    /// The promotions that may apply at the site for this merchant, as the engine reads them.
    pub promotions: Vec<Promotion>,
    /// When the snapshot was taken (Unix ms).
    pub taken_at_ms: i64,
}

impl App {
    /// The till snapshot of `location_id`, for its staff and its merchant's managers (anyone
    /// else: no such location).
    pub async fn till_catalog(&self, caller: &Caller, location_id: &str) -> AppResult<TillCatalog> {
        caller.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("location"))?;
        let merchant = self.store.get_merchant(&location.merchant_id).await?.ok_or(AppError::NotFound("location"))?;
        let is_restaurant = merchant.kind == MerchantKind::Restaurant;
        let mut items = Vec::new();
        for (product, variants) in self.store.list_merchant_products(&merchant.id).await? {
            let several = variants.len() > 1;
            for variant in variants.into_iter().filter(|variant| variant.currency == site.currency) {
                let name = if several { format!("{} ({})", product.name, variant.sku) } else { product.name.clone() };
                items.push(TillItem {
                    sku: variant.sku,
                    name,
                    barcode: variant.barcode,
                    base_price: Money::new(variant.price_minor, variant.currency),
                    tax: tax_rate(site.country, is_restaurant, product.tax_category),
                    track_stock: product.track_stock,
                    category: product.category.clone(),
                });
            }
        }
        items.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.sku.cmp(&b.sku)));
        items.truncate(MAX_TILL_ITEMS);
        let merchant_ids = [merchant.id.clone()];
        let price_lists = engine_price_lists(self.store.active_price_lists(&merchant_ids).await?);
        let promotions = self.cart_promotions(&site.id, &merchant_ids).await?;
        Ok(TillCatalog {
            location_id: location.id,
            location_name: location.name,
            merchant_id: merchant.id,
            currency: site.currency,
            timezone: site.timezone,
            channel: "pos".to_owned(),
            items,
            price_lists,
            promotions,
            taken_at_ms: self.now_ms(),
        })
    }
}
