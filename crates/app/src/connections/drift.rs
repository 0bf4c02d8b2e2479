//! Edits made in the shop's admin. Every so often the mapped items are read back and each
//! synchronised value compared with what both sides last agreed on: a stock or price we own
//! that was changed there is pushed again (reverted) and recorded; one the shop owns is taken
//! as the new agreed value and recorded; a price changed on both sides since the last sync is
//! listed for a person. Nothing is overwritten silently.

use omnicanal_domain::connections::{RemoteChange, SyncedField, decide_remote_change};
use omnicanal_domain::inventory::MovementReason;
use omnicanal_store::{ShopConflictRow, ShopConnectionRow, ShopMappingRow, ShopPushRow, StockMovementRow};

use super::client::{RemoteItem, ShopClient};
use super::engine::PassResult;
use crate::App;
use crate::error::AppResult;
use crate::ids::new_id;

/// Items read back per request.
const READ_BATCH: usize = 100;

impl App {
    pub(crate) async fn check_shop_drift(
        &self,
        connection: &ShopConnectionRow,
        client: &dyn ShopClient,
    ) -> PassResult<()> {
        let mappings = self.store.list_mappings(&connection.id, None).await?;
        for chunk in mappings.chunks(READ_BATCH) {
            let items: Vec<RemoteItem> = chunk.iter().map(item_of).collect();
            let seen = match client.read_variants(&items).await {
                Ok(seen) => seen,
                Err(failure) => return Err(self.stop_pass(connection, failure).await),
            };
            let skus: Vec<String> = chunk.iter().map(|mapping| mapping.sku.clone()).collect();
            let quantities = self.shop_quantities(connection, &skus).await?;
            let prices = self.shop_prices(connection, &skus).await?;
            for mapping in chunk {
                let Some(remote) = seen.iter().find(|variant| variant.item == item_of(mapping)) else { continue };
                let ours_stock = quantities.iter().find(|(sku, _)| sku == &mapping.sku).map(|(_, q)| *q);
                if let (Some(ours), Some(theirs)) = (ours_stock, remote.stock) {
                    self.judge_drift(connection, mapping, SyncedField::Stock, mapping.synced_stock, ours, theirs)
                        .await?;
                }
                let ours_price = prices.iter().find(|(sku, _)| sku == &mapping.sku).map(|(_, p)| *p);
                if let (Some(ours), Some(theirs)) = (ours_price, remote.price_minor) {
                    self.judge_drift(connection, mapping, SyncedField::Price, mapping.synced_price, ours, theirs)
                        .await?;
                }
            }
        }
        self.store.record_drift_checked(&connection.id, self.now_ms()).await?;
        Ok(())
    }

    async fn judge_drift(
        &self,
        connection: &ShopConnectionRow,
        mapping: &ShopMappingRow,
        field: SyncedField,
        synced: Option<i64>,
        ours: i64,
        theirs: i64,
    ) -> AppResult<()> {
        // Never pushed and never agreed: the push owed from the import will set it.
        if synced.is_none() {
            return Ok(());
        }
        let owner = connection.rules.owner(field);
        let change = decide_remote_change(field, owner, synced, ours, theirs);
        let (kind, what) = match field {
            SyncedField::Stock => ("stock_edited_in_shop", "stock"),
            SyncedField::Price | SyncedField::Content => ("price_edited_in_shop", "price"),
        };
        let now = self.now_ms();
        let record = |kind: &str, status: &str, resolution: Option<&str>, detail: String| ShopConflictRow {
            id: new_id("scf"),
            connection_id: connection.id.clone(),
            kind: kind.to_owned(),
            sku: Some(mapping.sku.clone()),
            remote_order_id: None,
            ours: Some(ours),
            theirs: Some(theirs),
            detail,
            status: status.to_owned(),
            resolution: resolution.map(str::to_owned),
            detected_at_ms: now,
            resolved_at_ms: resolution.map(|_| now),
            resolved_by: None,
        };
        match change {
            RemoteChange::InStep => {}
            RemoteChange::Revert => {
                // Recorded before the push is queued, so whoever sees the shop set back also
                // finds why.
                let detail = format!(
                    "the {what} of {} was changed in the shop to {theirs}; Omnicanal owns it, so it was set back to {ours}",
                    mapping.sku
                );
                self.store.insert_shop_conflict(&record(kind, "resolved", Some("reverted"), detail)).await?;
                self.store
                    .enqueue_pushes(&[ShopPushRow {
                        connection_id: connection.id.clone(),
                        sku: mapping.sku.clone(),
                        field,
                        due_at_ms: now,
                        changed_at_ms: now,
                        attempts: 0,
                    }])
                    .await?;
                self.signals.connections.notify_one();
            }
            RemoteChange::Accept => match self.adopt_shop_value(connection, &mapping.sku, field, theirs).await? {
                Ok(()) => {
                    let detail = format!(
                        "the {what} of {} was changed in the shop to {theirs}; the shop owns it, so it was taken here",
                        mapping.sku
                    );
                    self.store.insert_shop_conflict(&record(kind, "resolved", Some("accepted"), detail)).await?;
                }
                Err(why) => {
                    if !self.store.open_conflict_exists(&connection.id, kind, Some(&mapping.sku), None).await? {
                        let detail = format!(
                            "the {what} of {} was changed in the shop to {theirs}; the shop owns it, but {why}",
                            mapping.sku
                        );
                        self.store.insert_shop_conflict(&record(kind, "open", None, detail)).await?;
                    }
                }
            },
            RemoteChange::NeedsPerson => {
                let kind = "price_changed_on_both_sides";
                if !self.store.open_conflict_exists(&connection.id, kind, Some(&mapping.sku), None).await? {
                    let detail = format!(
                        "the {what} of {} changed on both sides since the last sync: {ours} here, {theirs} in the shop",
                        mapping.sku
                    );
                    self.store.insert_shop_conflict(&record(kind, "open", None, detail)).await?;
                }
            }
        }
        Ok(())
    }
}

impl App {
    /// Takes a value the shop owns: a price becomes the SKU's base price here; a stock becomes
    /// the on-hand of the connection's one location (counted so that what the shop may sell is
    /// what it shows). Where that is ambiguous — a price list decides the price, or the shop
    /// sells from several locations — the reason is returned and a person settles it.
    pub(crate) async fn adopt_shop_value(
        &self,
        connection: &ShopConnectionRow,
        sku: &str,
        field: SyncedField,
        theirs: i64,
    ) -> AppResult<Result<(), &'static str>> {
        match field {
            SyncedField::Price | SyncedField::Content => {
                if connection.price_list_id.is_some() {
                    return Ok(Err("its price here comes from a price list, which a person must change"));
                }
                if !self.store.set_variant_price(&connection.merchant_id, sku, theirs.max(0)).await? {
                    return Ok(Err("no product here has this SKU any more"));
                }
            }
            SyncedField::Stock => {
                let [location_id] = connection.location_ids.as_slice() else {
                    return Ok(Err("it sells from several locations, so a person must say where the units are"));
                };
                let levels = self.store.levels_at(&connection.location_ids, &[sku.to_owned()]).await?;
                let reserved = levels.first().map(|level| level.reserved).unwrap_or(0);
                let now = self.now_ms();
                let movement = StockMovementRow {
                    id: new_id("mov"),
                    sku: sku.to_owned(),
                    location_id: location_id.clone(),
                    merchant_id: connection.merchant_id.clone(),
                    delta: 0,
                    reason: MovementReason::Count,
                    reference: Some(format!("{} {}", connection.kind.channel(), connection.id)),
                    channel: Some(connection.kind.channel()),
                    created_by: None,
                    created_at_ms: now,
                    event_id: new_id("evt"),
                };
                let counted = theirs.max(0) + reserved + connection.stock_buffer;
                self.store.apply_stock_count(&movement, counted).await?;
            }
        }
        self.store.record_synced(&connection.id, field, &[(sku.to_owned(), theirs)]).await?;
        Ok(Ok(()))
    }
}

fn item_of(mapping: &ShopMappingRow) -> RemoteItem {
    RemoteItem {
        product_id: mapping.remote_product_id.clone(),
        variant_id: mapping.remote_variant_id.clone(),
        inventory_id: mapping.remote_inventory_id.clone(),
    }
}
