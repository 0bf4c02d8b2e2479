//! What a till keeps in the browser to sell with no network (issue 14): the location's
//! sellable variants with their base price, tax rate and barcode, and the price lists and
//! promotions that apply there — exactly the inputs the pricing engine is given online
//! (`pricing::cart`), in the engine's own JSON shapes, so the till's copy of the engine
//! (`assets/pos/pricing.js`) prices a cart to the same figure the server will record.
//!
//! Each item carries its product's modifier groups (the till's option picker, priced by the
//! engine as online), and the snapshot carries the active coupons of its coupon promotions as
//! the engine reads them, with their use counts as they stood when it was taken: offline the
//! till prices a typed code with them, and the server prices the sale again with the live
//! counts (a per-customer count is the server's alone). Limits: one merchant's catalogue, at
//! most [`MAX_TILL_ITEMS`] variants and [`MAX_TILL_COUPONS`] coupons.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::MerchantKind;
use omnicanal_domain::modifiers::ModifierGroup;
use omnicanal_domain::pricing::tax::{TaxRate, tax_rate};
use omnicanal_domain::pricing::{CouponState, PriceList, Promotion};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::Page;

use crate::price_book::engine_price_lists;
use crate::{App, AppError, AppResult, Caller};

/// Most variants a till's snapshot carries (a shop's whole catalogue fits well below it).
pub const MAX_TILL_ITEMS: usize = 20_000;
/// Most coupons a till's snapshot carries (per promotion and in all).
pub const MAX_TILL_COUPONS: usize = 2_000;

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
    /// The product's modifier groups (size, extras), as the engine checks a line's options.
    pub modifier_groups: Vec<ModifierGroup>,
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
    /// Active coupons of the promotions above that need one, as the engine reads them (use
    /// counts as at `taken_at_ms`; `used_by_customer` unknown).
    pub coupons: Vec<CouponState>,
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
            let groups: Vec<ModifierGroup> =
                product.modifiers_json.as_deref().and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default();
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
                    modifier_groups: groups.clone(),
                });
            }
        }
        items.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.sku.cmp(&b.sku)));
        items.truncate(MAX_TILL_ITEMS);
        let merchant_ids = [merchant.id.clone()];
        let price_lists = engine_price_lists(self.store.active_price_lists(&merchant_ids).await?);
        let promotions = self.cart_promotions(&site.id, &merchant_ids).await?;
        let coupons = self.till_coupons(&promotions).await?;
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
            coupons,
        })
    }

    /// The active coupons of the promotions that need one, at most [`MAX_TILL_COUPONS`].
    async fn till_coupons(&self, promotions: &[Promotion]) -> AppResult<Vec<CouponState>> {
        let mut coupons = Vec::new();
        let limit = i64::try_from(MAX_TILL_COUPONS).unwrap_or(i64::MAX);
        for promotion in promotions.iter().filter(|promotion| promotion.requires_coupon && promotion.active) {
            for coupon in self.store.list_coupons(&promotion.id, Page { limit, offset: 0 }).await? {
                if coupon.active && coupons.len() < MAX_TILL_COUPONS {
                    coupons.push(CouponState {
                        code: coupon.code,
                        promotion_id: coupon.promotion_id,
                        usage_limit: coupon.usage_limit,
                        used: coupon.used,
                        per_customer_limit: coupon.per_customer_limit,
                        used_by_customer: None,
                        active: coupon.active,
                    });
                }
            }
        }
        Ok(coupons)
    }
}
