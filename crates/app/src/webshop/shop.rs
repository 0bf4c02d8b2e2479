//! Which merchant a shop address names (its id, its chosen slug, or — the old addresses — the
//! slug of its name), its locations with their kind, site and pickup promise, and the stock
//! its web channel may promise at each of them.
//!
//! Available-to-promise per (location, SKU) for the `web` channel is the same figure the
//! ordering use case reserves against: on-hand minus live holds (lapsed holds do not count)
//! minus the channel's safety buffer, and nothing where the location switched the SKU to sold
//! out or closed the channel. One read of the merchant's stock serves a whole page.
//!
//! Limit: at most [`MAX_STOCK_ROWS`] (location, SKU) levels are read per page; a merchant past
//! that needs a per-SKU read (none of ours is near it).

use std::collections::{HashMap, HashSet};

use omnicanal_domain::Currency;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::retail::{LocationKind, pickup_ready_in_minutes};
use omnicanal_store::{LocationRow, MerchantRow, Page, SetupOrder, SiteRow, StockFilter};

use crate::App;
use crate::catalog::storefront::{LocationState, hours_of, local_at, location_state};
use crate::error::{AppError, AppResult};

/// Most stock levels one shop page reads.
pub const MAX_STOCK_ROWS: i64 = 20_000;
/// Longest shop address accepted (a merchant id or a slug), in characters.
pub const MAX_SHOP_KEY_CHARS: usize = 80;

/// One location of the shop's merchant, with what the web shop needs of it.
#[derive(Debug, Clone)]
pub struct ShopLocation {
    /// The location.
    pub location: LocationRow,
    /// Store or warehouse.
    pub kind: LocationKind,
    /// Its site (city, mall or street), for its name and time zone.
    pub site: SiteRow,
    /// Whether it takes orders now (its opening hours and switches).
    pub open: bool,
    /// When a pickup ordered now would be ready: its preparation time from now while open,
    /// from its next opening while closed by its hours ([`pickup_ready_in_minutes`]). None
    /// while it is paused or switched off, or never opens: then no pickup is offered.
    pub pickup_ready_at_ms: Option<i64>,
}

impl ShopLocation {
    /// Whether a customer may order a pickup here now (to collect now or at its next opening).
    pub fn offers_pickup(&self) -> bool {
        self.kind.offers_pickup() && self.pickup_ready_at_ms.is_some()
    }
}

/// When a pickup at `location` ordered at `now_ms` is ready (see [`ShopLocation::pickup_ready_at_ms`]),
/// on a whole minute so the promise is the time the store's hours name.
fn pickup_ready_at_ms(location: &LocationRow, timezone: &str, now_ms: i64) -> Option<i64> {
    let minutes = match location_state(location, timezone, now_ms) {
        LocationState::Open => Some(location.storefront.prep_minutes),
        LocationState::Closed { opens_at: Some(_) } => {
            let now = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
            pickup_ready_in_minutes(
                hours_of(location).as_ref(),
                local_at(timezone, now),
                location.storefront.prep_minutes,
            )
        }
        LocationState::Closed { opens_at: None } | LocationState::Paused { .. } => None,
    }?;
    Some(now_ms - now_ms.rem_euclid(60_000) + minutes * 60_000)
}

/// A merchant's web shop: the merchant and its locations, stores first, each kind by name.
#[derive(Debug, Clone)]
pub struct Shop {
    /// The merchant.
    pub merchant: MerchantRow,
    /// Its address in `/shop/{slug}`.
    pub slug: String,
    /// Its locations.
    pub locations: Vec<ShopLocation>,
    /// The shop's currency (its locations' sites').
    pub currency: Currency,
    /// SKUs the merchant switched off: not shown, not sold here.
    pub inactive_skus: HashSet<String>,
}

impl Shop {
    /// A location of this shop by id.
    pub fn location(&self, location_id: &str) -> Option<&ShopLocation> {
        self.locations.iter().find(|entry| entry.location.id == location_id)
    }

    /// The stores a customer may order a pickup from now (open, or closed until their next opening).
    pub fn pickup_stores(&self) -> impl Iterator<Item = &ShopLocation> {
        self.locations.iter().filter(|entry| entry.offers_pickup())
    }
}

/// The web channel's available-to-promise at each of a shop's locations.
#[derive(Debug, Clone, Default)]
pub struct ShopStock {
    units: HashMap<(String, String), i64>,
}

impl ShopStock {
    /// Units the web may promise of `sku` at `location_id` (0 where it has none).
    pub fn at(&self, location_id: &str, sku: &str) -> i64 {
        self.units.get(&(location_id.to_owned(), sku.to_owned())).copied().unwrap_or(0)
    }

    /// Whether `location_id` can promise every (SKU, quantity) of `lines`; untracked SKUs
    /// (made to order) are always promised.
    pub fn promises_all(&self, location_id: &str, lines: &[(String, i64, bool)]) -> bool {
        lines.iter().all(|(sku, quantity, tracked)| !tracked || self.at(location_id, sku) >= *quantity)
    }
}

/// A shop's address from its merchant's name: lower case, letters and digits, words joined
/// by `-` ("Andina Outdoor" → `andina-outdoor`); accents dropped for the common Spanish letters.
pub fn shop_slug(name: &str) -> String {
    let folded: String = name
        .chars()
        .map(|c| match c.to_lowercase().next().unwrap_or(c) {
            'á' | 'à' | 'ä' => 'a',
            'é' | 'è' | 'ë' => 'e',
            'í' | 'ì' | 'ï' => 'i',
            'ó' | 'ò' | 'ö' => 'o',
            'ú' | 'ù' | 'ü' => 'u',
            'ñ' => 'n',
            other if other.is_alphanumeric() => other,
            _ => ' ',
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join("-")
}

impl App {
    /// The shop `key` names: a merchant id, or the slug of a merchant's name. Unknown → `NotFound("shop")`.
    pub async fn webshop(&self, key: &str) -> AppResult<Shop> {
        let key = key.trim();
        if key.is_empty() || key.chars().count() > MAX_SHOP_KEY_CHARS {
            return Err(AppError::NotFound("shop"));
        }
        let merchant = match self.store.get_merchant(key).await? {
            Some(merchant) => merchant,
            None => match self.store.merchant_of_shop_slug(key).await? {
                Some(merchant_id) => self.store.get_merchant(&merchant_id).await?.ok_or(AppError::NotFound("shop"))?,
                // The address of its name, as before slugs were chosen: old links keep working.
                None => self.webshop_merchant_by_slug(key).await?.ok_or(AppError::NotFound("shop"))?,
            },
        };
        let kinds = self.retail_location_kinds(&merchant.id).await?;
        let mut sites: HashMap<String, SiteRow> = HashMap::new();
        let now_ms = self.now_ms();
        let mut locations = Vec::new();
        for location in self.store.list_merchant_locations(&merchant.id).await? {
            if !sites.contains_key(&location.site_id) {
                let Some(site) = self.store.get_site(&location.site_id).await? else { continue };
                sites.insert(site.id.clone(), site);
            }
            let Some(site) = sites.get(&location.site_id).cloned() else { continue };
            let kind = kinds.get(&location.id).copied().unwrap_or(LocationKind::Store);
            let open = location_state(&location, &site.timezone, now_ms).is_open();
            let pickup_ready_at_ms = pickup_ready_at_ms(&location, &site.timezone, now_ms);
            locations.push(ShopLocation { location, kind, site, open, pickup_ready_at_ms });
        }
        if locations.is_empty() {
            return Err(AppError::NotFound("shop"));
        }
        locations.sort_by(|a, b| (a.kind, &a.location.name).cmp(&(b.kind, &b.location.name)));
        let currency = locations[0].site.currency;
        let slug = self.store.shop_slug_of(&merchant.id).await?.unwrap_or_else(|| shop_slug(&merchant.name));
        let inactive_skus = self.store.merchant_inactive_skus(&merchant.id).await?.into_iter().collect();
        Ok(Shop { slug, merchant, locations, currency, inactive_skus })
    }

    /// The merchant whose name's slug is `slug`: the names containing its words are read and
    /// the one whose slug matches is kept.
    pub(crate) async fn webshop_merchant_by_slug(&self, slug: &str) -> AppResult<Option<MerchantRow>> {
        let words = slug.replace('-', " ");
        let first_word = words.split_whitespace().next().unwrap_or_default();
        let candidates = self.store.search_merchants(first_word, SetupOrder::Oldest, Page::first(50)).await?;
        Ok(candidates.into_iter().find(|merchant| shop_slug(&merchant.name) == slug))
    }

    /// What the web channel may promise at each of the shop's locations now.
    pub async fn webshop_stock(&self, shop: &Shop) -> AppResult<ShopStock> {
        let filter = StockFilter {
            merchant_id: Some(shop.merchant.id.clone()),
            now_ms: self.now_ms(),
            page: Page::first(MAX_STOCK_ROWS),
            ..StockFilter::default()
        };
        let levels = self.store.list_stock(&filter).await?;
        let location_ids: Vec<String> = shop.locations.iter().map(|entry| entry.location.id.clone()).collect();
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
            let allocation = allocations
                .iter()
                .find(|allocation| allocation.location_id == level.location_id && allocation.channel == Channel::Web);
            let (buffer, enabled) = allocation.map_or((0, true), |a| (a.safety_buffer, a.enabled));
            let key = (level.location_id, level.sku);
            let promised = if enabled && !sold_out.contains(&key) { (level.available - buffer).max(0) } else { 0 };
            units.insert(key, promised);
        }
        Ok(ShopStock { units })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_without_accents() {
        assert_eq!(shop_slug("Andina Outdoor"), "andina-outdoor");
        assert_eq!(shop_slug("  Café Ñandú & Cía. "), "cafe-nandu-cia");
    }
}
