//! A site's menu for one channel: its locations with their state, products, the channel's
//! prices (as the pricing engine will charge them, before promotions) and live availability.
//!
//! The JSON menu and the customer pages read the same [`SiteMenu`], so a page never shows a
//! price or an availability the API would not.

use std::collections::{HashMap, HashSet};

use omnicanal_domain::Money;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::modifiers::ModifierGroup;
use omnicanal_domain::pricing::PriceList;
use omnicanal_domain::pricing::price_list::resolve;
use omnicanal_store::{LocationRow, Page, ProductRow, SiteRow, StockFilter, VariantRow};

use crate::App;
use crate::catalog::menu_promotions::{MenuOffers, MenuPromotion};
use crate::catalog::storefront::{LocationState, location_state};
use crate::error::AppResult;
use crate::price_book::engine_price_lists;

/// Most stock rows read for one location's menu.
const MAX_STOCK_ROWS: i64 = 100_000;

/// A site's menu.
#[derive(Debug, Clone)]
pub struct SiteMenu {
    /// The site.
    pub site: SiteRow,
    /// Its locations that sell through the channel (open ones, or all with their state).
    pub locations: Vec<MenuLocation>,
    /// Promotions on now for every dish of every location (the mall's happy hour).
    pub promotions: Vec<MenuPromotion>,
}

/// A location on the menu.
#[derive(Debug, Clone)]
pub struct MenuLocation {
    /// The location.
    pub location: LocationRow,
    /// Its merchant's name.
    pub merchant_name: String,
    /// Open, paused or closed, now.
    pub status: LocationState,
    /// Its products.
    pub products: Vec<MenuProduct>,
    /// Promotions on now for every dish here (and not site-wide).
    pub promotions: Vec<MenuPromotion>,
}

/// A product on the menu.
#[derive(Debug, Clone)]
pub struct MenuProduct {
    /// The product.
    pub product: ProductRow,
    /// Choices offered with it.
    pub modifier_groups: Vec<ModifierGroup>,
    /// Its variants.
    pub variants: Vec<MenuVariant>,
    /// Promotions on now that name one of its variants (a 2×1, a combo).
    pub promotions: Vec<MenuPromotion>,
}

/// A variant on the menu, with its price through the channel and whether it can be ordered.
#[derive(Debug, Clone)]
pub struct MenuVariant {
    /// The variant.
    pub variant: VariantRow,
    /// Unit price through this channel (its price list, else the base price).
    pub price: Money,
    /// The variant's base price.
    pub base_price: Money,
    /// Whether it can be ordered now (in stock, not switched off, the location taking orders).
    pub available: bool,
    /// No units left, or switched to sold out by the location's staff (shown, not orderable).
    pub sold_out: bool,
    /// Units that can be ordered (None when stock is not counted).
    pub available_quantity: Option<i64>,
}

/// What one location's menu is priced and stocked from.
struct LocationStock {
    /// Units the channel may take, by SKU (after the safety buffer).
    available: HashMap<String, i64>,
    /// SKUs switched to sold out: shown, not orderable, on every channel.
    switched_off: HashSet<String>,
    price_lists: Vec<PriceList>,
}

impl App {
    /// The menu of `site_id` for `channel` (public): locations closed to the channel are left
    /// out, its safety buffers apply; closed and paused locations are listed with their state
    /// only when `include_closed`. An unknown site is `NotFound`.
    pub async fn site_menu(&self, site_id: &str, channel: &Channel, include_closed: bool) -> AppResult<SiteMenu> {
        let site = self.storefront_site(site_id).await?;
        let now_ms = self.now_ms();
        let site_locations = self.store.list_site_locations(&site.id).await?;
        let mut merchant_ids: Vec<String> =
            site_locations.iter().map(|location| location.merchant_id.clone()).collect();
        merchant_ids.sort_unstable();
        merchant_ids.dedup();
        let offers = MenuOffers::new(
            self.cart_promotions(&site.id, &merchant_ids).await?,
            &channel.as_str(),
            now_ms,
            &site.timezone,
        );
        let mut locations = Vec::new();
        for location in site_locations {
            let status = location_state(&location, &site.timezone, now_ms);
            if !include_closed && !status.is_open() {
                continue;
            }
            let allocation = self
                .store
                .list_channel_allocations(&location.id)
                .await?
                .into_iter()
                .find(|allocation| &allocation.channel == channel);
            if allocation.as_ref().is_some_and(|allocation| !allocation.enabled) {
                continue;
            }
            let safety_buffer = allocation.map_or(0, |allocation| allocation.safety_buffer);
            let stock = self.menu_stock(&location, safety_buffer, now_ms).await?;
            let merchant_name =
                self.store.get_merchant(&location.merchant_id).await?.map(|merchant| merchant.name).unwrap_or_default();
            let products = self
                .store
                .list_merchant_products(&location.merchant_id)
                .await?
                .into_iter()
                .map(|(product, variants)| {
                    let mut entry = menu_product(&location, &status, channel, &stock, now_ms, product, variants);
                    let skus: Vec<&str> = entry.variants.iter().map(|variant| variant.variant.sku.as_str()).collect();
                    entry.promotions = offers.for_product(&location, &skus);
                    entry
                })
                .collect();
            let promotions = offers.for_location(&location);
            locations.push(MenuLocation { location, merchant_name, status, products, promotions });
        }
        Ok(SiteMenu { site, locations, promotions: offers.site_wide() })
    }

    async fn menu_stock(&self, location: &LocationRow, safety_buffer: i64, now_ms: i64) -> AppResult<LocationStock> {
        let filter = StockFilter {
            location_id: Some(location.id.clone()),
            page: Page { limit: MAX_STOCK_ROWS, offset: 0 },
            now_ms,
            ..StockFilter::default()
        };
        let available = self
            .store
            .list_stock(&filter)
            .await?
            .into_iter()
            .map(|row| (row.sku, row.available - safety_buffer))
            .collect();
        let switched_off = self.store.list_sold_out(&location.id).await?.into_iter().map(|row| row.sku).collect();
        let price_lists =
            engine_price_lists(self.store.active_price_lists(std::slice::from_ref(&location.merchant_id)).await?);
        Ok(LocationStock { available, switched_off, price_lists })
    }
}

fn menu_product(
    location: &LocationRow,
    status: &LocationState,
    channel: &Channel,
    stock: &LocationStock,
    now_ms: i64,
    product: ProductRow,
    variants: Vec<VariantRow>,
) -> MenuProduct {
    let channel = channel.as_str();
    let variants = variants
        .into_iter()
        .map(|variant| {
            let quantity = product.track_stock.then(|| stock.available.get(&variant.sku).copied().unwrap_or(0).max(0));
            let base_price = Money::new(variant.price_minor, variant.currency);
            let price =
                resolve(&stock.price_lists, &location.merchant_id, &location.id, &channel, &variant.sku, now_ms)
                    .filter(|(_, price)| price.currency == variant.currency)
                    .map_or(base_price, |(_, price)| price);
            let switched = stock.switched_off.contains(&variant.sku);
            MenuVariant {
                available: status.is_open() && !switched && quantity.is_none_or(|q| q > 0),
                sold_out: switched || quantity == Some(0),
                available_quantity: quantity,
                base_price,
                price,
                variant,
            }
        })
        .collect();
    let modifier_groups = product
        .modifiers_json
        .as_deref()
        .and_then(|json| serde_json::from_str::<Vec<ModifierGroup>>(json).ok())
        .unwrap_or_default();
    MenuProduct { product, modifier_groups, variants, promotions: Vec::new() }
}
