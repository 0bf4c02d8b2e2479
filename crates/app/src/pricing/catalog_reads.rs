//! What pricing a cart and placing its order read of the catalog — a site, its locations and
//! merchants, the variants sold, price lists, promotions, sold-out switches and channel
//! allocations — behind one trait, so the same pricing code reads either the store itself
//! ([`StoreReads`]) or a node's in-memory snapshot of it ([`super::snapshot::SnapshotReads`]).
//!
//! Why a trait of its own rather than the store's: only order placement reads through the
//! snapshot (its transaction checks the snapshot was current); quotes, the till and the rest
//! keep reading the store, and need no such check.

use async_trait::async_trait;
use omnicanal_store::{
    ChannelAllocationRow, LocationRow, MerchantRow, PriceListRow, PromotionRow, SellableRow, SiteRow, SoldOutRow,
    Store, StoreResult,
};

/// The catalog reads of pricing and placement; each answers as the store's method of the
/// same purpose does (rows in no particular order unless that method promises one).
#[async_trait]
pub trait CatalogReads: Send + Sync {
    /// A site by id.
    async fn site(&self, id: &str) -> StoreResult<Option<SiteRow>>;
    /// The locations with these ids that exist.
    async fn locations(&self, ids: &[String]) -> StoreResult<Vec<LocationRow>>;
    /// The merchants with these ids that exist.
    async fn merchants(&self, ids: &[String]) -> StoreResult<Vec<MerchantRow>>;
    /// The sellable variants among these (merchant, SKU) pairs.
    async fn sellables(&self, wanted: &[(String, String)]) -> StoreResult<Vec<SellableRow>>;
    /// The active price lists of these merchants, by id.
    async fn price_lists(&self, merchant_ids: &[String]) -> StoreResult<Vec<PriceListRow>>;
    /// The active promotions of the site and of these merchants.
    async fn promotions(&self, site_id: &str, merchant_ids: &[String]) -> StoreResult<Vec<PromotionRow>>;
    /// The SKUs switched to sold out at these locations.
    async fn sold_out_at(&self, location_ids: &[String]) -> StoreResult<Vec<SoldOutRow>>;
    /// How these locations sell through each channel.
    async fn allocations_at(&self, location_ids: &[String]) -> StoreResult<Vec<ChannelAllocationRow>>;
}

/// The catalog read from the store, row by row as asked.
pub struct StoreReads<'a>(pub &'a dyn Store);

#[async_trait]
impl CatalogReads for StoreReads<'_> {
    async fn site(&self, id: &str) -> StoreResult<Option<SiteRow>> {
        self.0.get_site(id).await
    }

    async fn locations(&self, ids: &[String]) -> StoreResult<Vec<LocationRow>> {
        self.0.get_locations(ids).await
    }

    async fn merchants(&self, ids: &[String]) -> StoreResult<Vec<MerchantRow>> {
        self.0.get_merchants(ids).await
    }

    async fn sellables(&self, wanted: &[(String, String)]) -> StoreResult<Vec<SellableRow>> {
        self.0.find_sellables(wanted).await
    }

    async fn price_lists(&self, merchant_ids: &[String]) -> StoreResult<Vec<PriceListRow>> {
        self.0.active_price_lists(merchant_ids).await
    }

    async fn promotions(&self, site_id: &str, merchant_ids: &[String]) -> StoreResult<Vec<PromotionRow>> {
        self.0.active_promotions(site_id, merchant_ids).await
    }

    async fn sold_out_at(&self, location_ids: &[String]) -> StoreResult<Vec<SoldOutRow>> {
        self.0.list_sold_out_at(location_ids).await
    }

    async fn allocations_at(&self, location_ids: &[String]) -> StoreResult<Vec<ChannelAllocationRow>> {
        self.0.list_channel_allocations_at(location_ids).await
    }
}
