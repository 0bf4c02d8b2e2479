//! The first import (and every resync): page through the shop's catalogue, match each item to
//! one of our SKUs — by SKU, then by barcode — record the rest as unmatched for a person to
//! link or create, show progress as it goes, then owe every mapped SKU a push so the shop starts
//! in step. A 5,000-SKU catalogue is fifty pages of a hundred, each written in one transaction.

use std::collections::HashMap;

use omnicanal_domain::connections::{ConnectionStatus, FieldOwner, SyncedField};
use omnicanal_store::{ConnectionHealth, ShopConnectionRow, ShopMappingRow, ShopPushRow, ShopUnmatchedRow};

use super::client::{RemoteVariant, ShopClient};
use super::engine::{LEASE_MS, PassResult};
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// Pages read before giving up on a shop that never says "last page" (a million items).
const MAX_PAGES: usize = 10_000;

/// The key of a shop's item among its connection's unmatched items.
pub fn remote_key(variant: &RemoteVariant) -> String {
    match &variant.item.variant_id {
        Some(variant_id) => format!("{}/{}", variant.item.product_id, variant_id),
        None => variant.item.product_id.clone(),
    }
}

impl App {
    pub(crate) async fn run_first_import(
        &self,
        connection: &ShopConnectionRow,
        client: &dyn ShopClient,
        requested_at_ms: i64,
    ) -> PassResult<()> {
        let id = &connection.id;
        let importing = ConnectionHealth {
            status: ConnectionStatus::Importing,
            last_success_at_ms: connection.last_success_at_ms,
            last_error: None,
            failures: connection.failures,
            next_call_at_ms: 0,
        };
        self.store.record_connection_health(id, &importing, self.now_ms()).await?;
        if let Err(failure) = client.check_credentials().await {
            return Err(self.stop_pass(connection, failure).await);
        }
        let index = self.store.merchant_sku_index(&connection.merchant_id).await?;
        let by_sku: HashMap<&str, &str> = index.iter().map(|row| (row.sku.as_str(), row.sku.as_str())).collect();
        let by_barcode: HashMap<&str, &str> = index
            .iter()
            .filter_map(|row| {
                row.barcode.as_deref().filter(|b| !b.is_empty()).map(|barcode| (barcode, row.sku.as_str()))
            })
            .collect();
        self.store.clear_unmatched(id).await?;
        let mut cursor: Option<String> = None;
        let mut done: i64 = 0;
        let mut mapped_skus: Vec<String> = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = match client.list_variants(cursor.as_deref()).await {
                Ok(page) => page,
                Err(failure) => return Err(self.stop_pass(connection, failure).await),
            };
            let mut mappings = Vec::new();
            let mut unmatched = Vec::new();
            for variant in &page.items {
                let ours = variant
                    .sku
                    .as_deref()
                    .map(str::trim)
                    .and_then(|sku| by_sku.get(sku))
                    .or_else(|| variant.barcode.as_deref().map(str::trim).and_then(|code| by_barcode.get(code)));
                match ours {
                    Some(sku) => {
                        mapped_skus.push((*sku).to_owned());
                        mappings.push(mapping_of(connection, sku, variant));
                    }
                    None => unmatched.push(unmatched_of(connection, variant)),
                }
            }
            self.store.upsert_mappings(&mappings).await?;
            self.store.upsert_unmatched(&unmatched).await?;
            self.adopt_owned_by_shop(connection, &page.items, &mappings).await?;
            done += i64::try_from(page.items.len()).unwrap_or(i64::MAX);
            let total = page.total.and_then(|total| i64::try_from(total).ok()).unwrap_or(done).max(done);
            let now = self.now_ms();
            self.store.record_sync_progress(id, done, total, now).await?;
            // The lease covers one pass; a long import renews it page by page.
            self.store.renew_connection_lease(id, now + LEASE_MS).await?;
            cursor = page.next;
            if cursor.is_none() {
                break;
            }
        }
        self.owe_full_push(connection, &mapped_skus).await?;
        self.store.finish_connection_sync(id, requested_at_ms, self.now_ms()).await?;
        Ok(())
    }

    /// Takes, for the fields the shop owns, the values it shows now (the shop wins from the
    /// start); where that is ambiguous a conflict is left for a person.
    async fn adopt_owned_by_shop(
        &self,
        connection: &ShopConnectionRow,
        variants: &[RemoteVariant],
        mappings: &[ShopMappingRow],
    ) -> AppResult<()> {
        for mapping in mappings {
            let Some(variant) = variants.iter().find(|variant| {
                variant.item.product_id == mapping.remote_product_id
                    && variant.item.variant_id == mapping.remote_variant_id
            }) else {
                continue;
            };
            let owned = [(SyncedField::Stock, variant.stock), (SyncedField::Price, variant.price_minor)];
            for (field, value) in owned {
                if let (FieldOwner::Shop, Some(theirs)) = (connection.rules.owner(field), value)
                    && let Err(why) = self.adopt_shop_value(connection, &mapping.sku, field, theirs).await?
                {
                    tracing::info!(connection_id = %connection.id, sku = %mapping.sku, why, "a value the shop owns was not taken");
                }
            }
        }
        Ok(())
    }

    /// Owes the shop every field Omnicanal owns for these SKUs, due now.
    pub(crate) async fn owe_full_push(&self, connection: &ShopConnectionRow, skus: &[String]) -> AppResult<()> {
        let now = self.now_ms();
        let mut pushes = Vec::new();
        for sku in skus {
            for field in [SyncedField::Stock, SyncedField::Price] {
                if connection.rules.owner(field) == FieldOwner::Omnicanal {
                    pushes.push(ShopPushRow {
                        connection_id: connection.id.clone(),
                        sku: sku.clone(),
                        field,
                        due_at_ms: now,
                        changed_at_ms: now,
                        attempts: 0,
                    });
                }
            }
        }
        for chunk in pushes.chunks(500) {
            self.store.enqueue_pushes(chunk).await?;
        }
        Ok(())
    }

    /// Links a shop's unmatched item to one of our SKUs (one click on the sync page): the item
    /// is mapped and gets our stock and price.
    pub async fn link_unmatched(
        &self,
        caller: &Caller,
        connection_id: &str,
        remote_key: &str,
        sku: &str,
    ) -> AppResult<()> {
        let connection = self.connection(caller, connection_id).await?;
        let item =
            self.store.get_unmatched(connection_id, remote_key).await?.ok_or(AppError::NotFound("unmatched item"))?;
        let sku = sku.trim();
        if self.store.find_variant(&connection.merchant_id, sku).await?.is_none() {
            return Err(AppError::invalid("sku", "no product of this merchant has this SKU"));
        }
        let mapping = ShopMappingRow {
            connection_id: connection.id.clone(),
            sku: sku.to_owned(),
            remote_product_id: item.remote_product_id.clone(),
            remote_variant_id: item.remote_variant_id.clone(),
            remote_inventory_id: item.remote_inventory_id.clone(),
            remote_sku: item.remote_sku.clone(),
            synced_stock: None,
            synced_price: if connection.rules.price == FieldOwner::Shop { item.price_minor } else { None },
        };
        self.store.upsert_mappings(&[mapping]).await?;
        self.store.delete_unmatched(connection_id, remote_key).await?;
        self.owe_full_push(&connection, &[sku.to_owned()]).await?;
        self.signals.connections.notify_one();
        Ok(())
    }
}

impl App {
    /// Creates one of our products from a shop's unmatched item (one click on the sync page):
    /// its title, its SKU (the shop's, or `<connection>-<item>` when the shop has none), its
    /// barcode and its price in the shop, stock tracked; then links it. Checked like any new
    /// product (a SKU another product has is refused at `sku`).
    pub async fn create_from_unmatched(
        &self,
        caller: &Caller,
        connection_id: &str,
        remote_key: &str,
    ) -> AppResult<String> {
        let connection = self.connection(caller, connection_id).await?;
        let item =
            self.store.get_unmatched(connection_id, remote_key).await?.ok_or(AppError::NotFound("unmatched item"))?;
        let sku = item.remote_sku.clone().unwrap_or_else(|| {
            let key: String = item.remote_key.chars().filter(char::is_ascii_alphanumeric).take(24).collect();
            format!("{}-{key}", connection.kind.as_str().to_uppercase())
        });
        let product = crate::catalog::products::ProductInput {
            merchant_id: connection.merchant_id.clone(),
            name: item.title.clone(),
            track_stock: true,
            variants: vec![crate::catalog::products::VariantInput {
                sku: sku.clone(),
                price: omnicanal_domain::Money::new(item.price_minor.unwrap_or(0).max(0), connection.currency),
                barcode: item.barcode.clone(),
                attributes: serde_json::Map::new(),
            }],
            tax_category: None,
            category: None,
            image_url: None,
            modifier_groups: Vec::new(),
            description: None,
            allergens: Vec::new(),
        };
        let product = crate::catalog::products::NewProduct::parse(product)?;
        self.create_product(caller, product).await?;
        self.link_unmatched(caller, connection_id, remote_key, &sku).await?;
        Ok(sku)
    }
}

fn mapping_of(connection: &ShopConnectionRow, sku: &str, variant: &RemoteVariant) -> ShopMappingRow {
    ShopMappingRow {
        connection_id: connection.id.clone(),
        sku: sku.to_owned(),
        remote_product_id: variant.item.product_id.clone(),
        remote_variant_id: variant.item.variant_id.clone(),
        remote_inventory_id: variant.item.inventory_id.clone(),
        remote_sku: variant.sku.clone(),
        // What the shop shows now is what we last agreed on only for the fields it owns; for
        // ours, the push that follows sets it.
        synced_stock: if connection.rules.stock == FieldOwner::Shop { variant.stock } else { None },
        synced_price: if connection.rules.price == FieldOwner::Shop { variant.price_minor } else { None },
    }
}

fn unmatched_of(connection: &ShopConnectionRow, variant: &RemoteVariant) -> ShopUnmatchedRow {
    ShopUnmatchedRow {
        connection_id: connection.id.clone(),
        remote_key: remote_key(variant),
        remote_product_id: variant.item.product_id.clone(),
        remote_variant_id: variant.item.variant_id.clone(),
        remote_inventory_id: variant.item.inventory_id.clone(),
        remote_sku: variant.sku.clone().filter(|sku| !sku.trim().is_empty()),
        barcode: variant.barcode.clone().filter(|code| !code.trim().is_empty()),
        title: if variant.title.trim().is_empty() {
            "(untitled)".into()
        } else {
            variant.title.chars().take(200).collect()
        },
        price_minor: variant.price_minor,
        stock: variant.stock,
    }
}
