//! A node's in-memory snapshot of the catalog an order reads (issue 20), so that placing an
//! order costs its writes and not a dozen reads of rows that almost never change.
//!
//! Correctness does not rest on hearing of changes in time. The snapshot belongs to one
//! catalog generation (migration 0056: triggers on every catalog table raise it in the
//! writer's transaction); an order priced from it carries that generation, and the order's
//! transaction refuses it as `CatalogChanged` if the committed generation differs. The order
//! is then priced again after [`CatalogSnapshot::refresh`]. So a price changed on node A is
//! used by the very next order on node B, whatever B has or has not heard, and a change made
//! by any path — a use case, an import, SQL by hand — is caught alike.
//!
//! Rows are loaded on first use and kept until the generation moves; a row loaded after the
//! generation was read can only be newer than it, which the order's check then catches.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use omnicanal_store::{
    ChannelAllocationRow, LocationRow, MerchantRow, PriceListRow, PromotionRow, SellableRow, SiteRow, SoldOutRow,
    Store, StoreResult,
};

use super::catalog_reads::CatalogReads;

/// The catalog rows this node has read, all of one generation.
#[derive(Default)]
pub struct CatalogSnapshot {
    state: Mutex<Rows>,
}

#[derive(Default)]
struct Rows {
    /// The generation every row below belongs to; `None` until first read.
    generation: Option<i64>,
    sites: HashMap<String, Option<SiteRow>>,
    locations: HashMap<String, Option<LocationRow>>,
    merchants: HashMap<String, Option<MerchantRow>>,
    sellables: HashMap<(String, String), Option<SellableRow>>,
    /// Per merchant.
    price_lists: HashMap<String, Vec<PriceListRow>>,
    /// Per (site, the merchants asked for, sorted): the store's own query, kept whole.
    promotions: HashMap<(String, Vec<String>), Vec<PromotionRow>>,
    /// Per location.
    sold_out: HashMap<String, Vec<SoldOutRow>>,
    /// Per location.
    allocations: HashMap<String, Vec<ChannelAllocationRow>>,
}

impl CatalogSnapshot {
    /// Reads of the snapshot for one order, with the generation the order is to carry.
    pub async fn reads<'a>(&'a self, store: &'a dyn Store) -> StoreResult<SnapshotReads<'a>> {
        let known = self.rows().generation;
        let generation = match known {
            Some(generation) => generation,
            None => {
                self.refresh(store).await?;
                self.rows().generation.unwrap_or_default()
            }
        };
        Ok(SnapshotReads { snapshot: self, store, generation })
    }

    /// Reads the committed generation and, when it differs from the snapshot's, drops every row
    /// (they are read again on first use); returns that generation.
    pub async fn refresh(&self, store: &dyn Store) -> StoreResult<i64> {
        let current = store.catalog_generation().await?;
        let mut rows = self.rows();
        if rows.generation != Some(current) {
            *rows = Rows { generation: Some(current), ..Rows::default() };
        }
        Ok(current)
    }

    /// The rows; a panic while they were held leaves whole maps behind, so the lock is taken
    /// over rather than failing every later order.
    fn rows(&self) -> MutexGuard<'_, Rows> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One order's reads: from the snapshot, or from the store (then kept) when missing.
pub struct SnapshotReads<'a> {
    snapshot: &'a CatalogSnapshot,
    store: &'a dyn Store,
    generation: i64,
}

impl SnapshotReads<'_> {
    /// The generation the order is priced at.
    pub fn generation(&self) -> i64 {
        self.generation
    }

    /// What `read` finds in the snapshot, if the snapshot is still of this order's generation
    /// and holds every row asked for (`read` answers `None` otherwise).
    fn hit<T>(&self, read: impl FnOnce(&Rows) -> Option<T>) -> Option<T> {
        let rows = self.snapshot.rows();
        if rows.generation == Some(self.generation) { read(&rows) } else { None }
    }

    /// Keeps rows read from the store, unless the snapshot has moved to another generation
    /// meanwhile (they may be older than it).
    fn keep(&self, keep: impl FnOnce(&mut Rows)) {
        let mut rows = self.snapshot.rows();
        if rows.generation == Some(self.generation) {
            keep(&mut rows);
        }
    }
}

/// Each key's value, if the map holds every key (a known absence counts as held).
fn every<K: Eq + Hash, V: Clone>(map: &HashMap<K, Option<V>>, keys: &[K]) -> Option<Vec<V>> {
    let mut found = Vec::with_capacity(keys.len());
    for key in keys {
        found.extend(map.get(key)?.clone());
    }
    Some(found)
}

/// The rows listed under each key, if the map holds every key.
fn every_list<K: Eq + Hash, R: Clone>(map: &HashMap<K, Vec<R>>, keys: &[K]) -> Option<Vec<R>> {
    let mut found = Vec::new();
    for key in keys {
        found.extend(map.get(key)?.iter().cloned());
    }
    Some(found)
}

/// Files rows read for the `asked` keys under their key (a key without rows: an empty list).
fn file_lists<K: Eq + Hash + Clone, R: Clone>(
    map: &mut HashMap<K, Vec<R>>,
    asked: &[K],
    read: &[R],
    key_of: impl Fn(&R) -> &K,
) {
    for key in asked {
        map.insert(key.clone(), read.iter().filter(|row| key_of(row) == key).cloned().collect());
    }
}

/// Files rows read for the `asked` keys under their key (a key without a row: known absent).
fn file_rows<K: Eq + Hash + Clone, R: Clone>(
    map: &mut HashMap<K, Option<R>>,
    asked: &[K],
    read: &[R],
    key_of: impl Fn(&R) -> K,
) {
    for key in asked {
        map.insert(key.clone(), read.iter().find(|row| key_of(row) == *key).cloned());
    }
}

#[async_trait]
impl CatalogReads for SnapshotReads<'_> {
    async fn site(&self, id: &str) -> StoreResult<Option<SiteRow>> {
        if let Some(site) = self.hit(|rows| rows.sites.get(id).cloned()) {
            return Ok(site);
        }
        let site = self.store.get_site(id).await?;
        self.keep(|rows| {
            rows.sites.insert(id.to_owned(), site.clone());
        });
        Ok(site)
    }

    async fn locations(&self, ids: &[String]) -> StoreResult<Vec<LocationRow>> {
        if let Some(found) = self.hit(|rows| every(&rows.locations, ids)) {
            return Ok(found);
        }
        let read = self.store.get_locations(ids).await?;
        self.keep(|rows| file_rows(&mut rows.locations, ids, &read, |row| row.id.clone()));
        Ok(read)
    }

    async fn merchants(&self, ids: &[String]) -> StoreResult<Vec<MerchantRow>> {
        if let Some(found) = self.hit(|rows| every(&rows.merchants, ids)) {
            return Ok(found);
        }
        let read = self.store.get_merchants(ids).await?;
        self.keep(|rows| file_rows(&mut rows.merchants, ids, &read, |row| row.id.clone()));
        Ok(read)
    }

    async fn sellables(&self, wanted: &[(String, String)]) -> StoreResult<Vec<SellableRow>> {
        if let Some(found) = self.hit(|rows| every(&rows.sellables, wanted)) {
            return Ok(found);
        }
        let read = self.store.find_sellables(wanted).await?;
        self.keep(|rows| {
            file_rows(&mut rows.sellables, wanted, &read, |row| {
                (row.variant.merchant_id.clone(), row.variant.sku.clone())
            })
        });
        Ok(read)
    }

    async fn price_lists(&self, merchant_ids: &[String]) -> StoreResult<Vec<PriceListRow>> {
        if let Some(mut lists) = self.hit(|rows| every_list(&rows.price_lists, merchant_ids)) {
            // The store's order (by id), so the engine meets them alike either way.
            lists.sort_by(|a, b| a.id.cmp(&b.id));
            return Ok(lists);
        }
        let read = self.store.active_price_lists(merchant_ids).await?;
        self.keep(|rows| file_lists(&mut rows.price_lists, merchant_ids, &read, |list| &list.merchant_id));
        Ok(read)
    }

    async fn promotions(&self, site_id: &str, merchant_ids: &[String]) -> StoreResult<Vec<PromotionRow>> {
        let mut merchants = merchant_ids.to_vec();
        merchants.sort_unstable();
        merchants.dedup();
        let key = (site_id.to_owned(), merchants);
        if let Some(promotions) = self.hit(|rows| rows.promotions.get(&key).cloned()) {
            return Ok(promotions);
        }
        let read = self.store.active_promotions(site_id, merchant_ids).await?;
        self.keep(|rows| {
            rows.promotions.insert(key, read.clone());
        });
        Ok(read)
    }

    async fn sold_out_at(&self, location_ids: &[String]) -> StoreResult<Vec<SoldOutRow>> {
        if let Some(found) = self.hit(|rows| every_list(&rows.sold_out, location_ids)) {
            return Ok(found);
        }
        let read = self.store.list_sold_out_at(location_ids).await?;
        self.keep(|rows| file_lists(&mut rows.sold_out, location_ids, &read, |row| &row.location_id));
        Ok(read)
    }

    async fn allocations_at(&self, location_ids: &[String]) -> StoreResult<Vec<ChannelAllocationRow>> {
        if let Some(found) = self.hit(|rows| every_list(&rows.allocations, location_ids)) {
            return Ok(found);
        }
        let read = self.store.list_channel_allocations_at(location_ids).await?;
        self.keep(|rows| file_lists(&mut rows.allocations, location_ids, &read, |row| &row.location_id));
        Ok(read)
    }
}
