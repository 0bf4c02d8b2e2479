//! Out: what a shop must be told. The outbox is read once more, by this consumer: a stock
//! change of a mapped SKU owes each connection selling that location a stock push; a price
//! list's change (or a product's price edited) owes a price push; an imported order's part
//! becoming ready, collected, cancelled or refunded owes the shop its status. Pushes are
//! coalesced in the queue (one row per SKU and field) and the value is read when the push is
//! made, so the latest always wins and the queue never holds more than two rows per SKU.

use std::collections::{BTreeSet, HashMap};

use omnicanal_domain::connections::{FieldOwner, RemoteOrderStatus, SyncedField, shop_available};
use omnicanal_domain::events::{DomainEvent, PriceChanged};
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_store::{ShopConnectionRow, ShopPushRow};

use super::client::{PricePush, RemoteItem, ShopClient, StockPush};
use super::engine::PassResult;
use crate::App;
use crate::error::AppResult;

/// The outbox consumer's name in the cursor table.
const CONSUMER: &str = "shop_connections";
/// Events read per batch.
const EVENTS_PER_BATCH: i64 = 500;
/// Items per push request (every shop's batch endpoints take at least this many).
pub const PUSH_BATCH: i64 = 100;
/// Batches per field per pass, so one connection's backlog does not hold up the others.
const BATCHES_PER_PASS: usize = 20;

impl App {
    /// Reads one batch of new events and owes the pushes and statuses they call for; returns
    /// how many events it read (0 when none were new). Safe on several nodes at once: owing a
    /// push twice coalesces, a status is owed once by its key.
    pub async fn route_connection_events(&self) -> AppResult<usize> {
        let after = self.store.outbox_cursor(CONSUMER).await?;
        let events = self.store.outbox_after(after, EVENTS_PER_BATCH).await?;
        let Some(last) = events.last().map(|event| event.seq) else { return Ok(0) };
        let mut stock: HashMap<String, BTreeSet<(String, String)>> = HashMap::new();
        let mut prices: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut statuses: Vec<(String, RemoteOrderStatus)> = Vec::new();
        let mut refunds: Vec<(String, String)> = Vec::new();
        for row in &events {
            let Ok(event) = DomainEvent::decode(row.event_type, &row.payload_json) else { continue };
            match event {
                DomainEvent::StockChanged(changed) => {
                    stock.entry(changed.merchant_id).or_default().insert((changed.location_id, changed.sku));
                }
                DomainEvent::PriceChanged(PriceChanged::PriceList(list)) => {
                    prices.entry(list.merchant_id).or_default().extend(list.prices.into_iter().map(|price| price.sku));
                }
                DomainEvent::FulfillmentStatusChanged(changed) => {
                    let told = match changed.status {
                        FulfillmentStatus::Ready => Some(RemoteOrderStatus::Ready),
                        FulfillmentStatus::Collected => Some(RemoteOrderStatus::Shipped),
                        FulfillmentStatus::Cancelled | FulfillmentStatus::Rejected => {
                            Some(RemoteOrderStatus::Cancelled)
                        }
                        _ => None,
                    };
                    if let Some(told) = told {
                        statuses.push((changed.order_id, told));
                    }
                }
                DomainEvent::PaymentRefunded(refunded) => {
                    refunds.push((refunded.order_id, refunded.fulfillment_id));
                }
                _ => {}
            }
        }
        if !stock.is_empty() || !prices.is_empty() {
            let connections = self.store.list_connections(None).await?;
            for (merchant_id, changes) in stock {
                let skus: Vec<String> = changes.iter().map(|(_, sku)| sku.clone()).collect();
                let owed = self.owed_for(&connections, &merchant_id, &skus, SyncedField::Stock, |connection, sku| {
                    changes
                        .iter()
                        .any(|(location, changed)| changed == sku && connection.location_ids.contains(location))
                });
                self.store.enqueue_pushes(&owed.await?).await?;
            }
            for (merchant_id, skus) in prices {
                let skus: Vec<String> = skus.into_iter().collect();
                let owed = self.owed_for(&connections, &merchant_id, &skus, SyncedField::Price, |_, _| true);
                self.store.enqueue_pushes(&owed.await?).await?;
            }
        }
        for (order_id, part_id) in refunds {
            // A part cancelled or rejected is refunded by the shop when it is told "cancelled";
            // only a refund of a part that stays (after its handover) is told as "refunded".
            let cancelled =
                self.store.get_fulfillment(&part_id).await?.is_some_and(|part| {
                    matches!(part.status, FulfillmentStatus::Cancelled | FulfillmentStatus::Rejected)
                });
            if !cancelled {
                statuses.push((order_id, RemoteOrderStatus::Refunded));
            }
        }
        for (order_id, status) in statuses {
            if let Some(shop_order) = self.store.shop_order_for(&order_id).await? {
                self.owe_shop_status(&shop_order.connection_id, &shop_order.remote_id, status).await?;
            }
        }
        self.store.advance_outbox_cursor(CONSUMER, last).await?;
        Ok(events.len())
    }

    /// Owes price pushes for SKUs whose base price was edited in the catalogue (which announces
    /// no price-list event).
    pub(crate) async fn owe_price_pushes(&self, merchant_id: &str, skus: &[String]) -> AppResult<()> {
        let connections = self.store.list_connections(Some(merchant_id)).await?;
        if connections.is_empty() {
            return Ok(());
        }
        let owed = self.owed_for(&connections, merchant_id, skus, SyncedField::Price, |_, _| true).await?;
        self.store.enqueue_pushes(&owed).await?;
        self.signals.connections.notify_one();
        Ok(())
    }

    async fn owed_for(
        &self,
        connections: &[ShopConnectionRow],
        merchant_id: &str,
        skus: &[String],
        field: SyncedField,
        concerns: impl Fn(&ShopConnectionRow, &str) -> bool,
    ) -> AppResult<Vec<ShopPushRow>> {
        let now = self.now_ms();
        let mappings = self.store.merchant_mappings(merchant_id, skus).await?;
        Ok(mappings
            .into_iter()
            .filter_map(|mapping| {
                let connection = connections.iter().find(|connection| connection.id == mapping.connection_id)?;
                (connection.rules.owner(field) == FieldOwner::Omnicanal && concerns(connection, &mapping.sku))
                    .then_some(ShopPushRow {
                        connection_id: mapping.connection_id,
                        sku: mapping.sku,
                        field,
                        due_at_ms: now,
                        changed_at_ms: now,
                        attempts: 0,
                    })
            })
            .collect())
    }

    /// Makes the pushes due now, a batch at a time; true when at least one reached the shop.
    pub(crate) async fn push_owed(&self, connection: &ShopConnectionRow, client: &dyn ShopClient) -> PassResult<bool> {
        let mut pushed = false;
        for field in [SyncedField::Stock, SyncedField::Price] {
            for batch in 0..BATCHES_PER_PASS {
                let due = self.store.due_pushes(&connection.id, field, self.now_ms(), PUSH_BATCH).await?;
                if due.is_empty() {
                    break;
                }
                if batch + 1 == BATCHES_PER_PASS {
                    // More may be due after this pass's last batch: the worker comes straight back
                    // after this round instead of idling until its next tick (a 5,000-SKU first
                    // import takes three passes).
                    self.signals.connections.notify_one();
                }
                let skus: Vec<String> = due.iter().map(|push| push.sku.clone()).collect();
                let mappings = self.store.list_mappings(&connection.id, Some(&skus)).await?;
                let item_of = |sku: &str| {
                    mappings.iter().find(|mapping| mapping.sku == sku).map(|mapping| RemoteItem {
                        product_id: mapping.remote_product_id.clone(),
                        variant_id: mapping.remote_variant_id.clone(),
                        inventory_id: mapping.remote_inventory_id.clone(),
                    })
                };
                let (result, sent) = match field {
                    SyncedField::Stock => {
                        let values = self.shop_quantities(connection, &skus).await?;
                        let pushes: Vec<StockPush> = values
                            .iter()
                            .filter_map(|(sku, available)| {
                                Some(StockPush { item: item_of(sku)?, sku: sku.clone(), available: *available })
                            })
                            .collect();
                        let sent: Vec<(String, i64)> = pushes.iter().map(|p| (p.sku.clone(), p.available)).collect();
                        (if pushes.is_empty() { Ok(()) } else { client.push_stock(&pushes).await }, sent)
                    }
                    SyncedField::Price | SyncedField::Content => {
                        let values = self.shop_prices(connection, &skus).await?;
                        let pushes: Vec<PricePush> = values
                            .iter()
                            .filter_map(|(sku, price)| {
                                Some(PricePush {
                                    item: item_of(sku)?,
                                    sku: sku.clone(),
                                    price_minor: *price,
                                    currency: connection.currency.code().to_owned(),
                                })
                            })
                            .collect();
                        let sent: Vec<(String, i64)> = pushes.iter().map(|p| (p.sku.clone(), p.price_minor)).collect();
                        (if pushes.is_empty() { Ok(()) } else { client.push_prices(&pushes).await }, sent)
                    }
                };
                match result {
                    Ok(()) => {
                        self.store.record_synced(&connection.id, field, &sent).await?;
                        self.store.complete_pushes(&due).await?;
                        pushed |= !sent.is_empty();
                    }
                    Err(failure) => {
                        let retry_at = self.record_shop_failure(connection, &failure).await?;
                        self.store.defer_pushes(&due, retry_at).await?;
                        return Err(super::engine::PassOutcome::Stopped(super::engine::PassStopped));
                    }
                }
            }
        }
        Ok(pushed)
    }

    /// What the shop is told it may sell of each SKU (SKUs without stock kept here are left out).
    pub(crate) async fn shop_quantities(
        &self,
        connection: &ShopConnectionRow,
        skus: &[String],
    ) -> AppResult<Vec<(String, i64)>> {
        let levels = self.store.levels_at(&connection.location_ids, skus).await?;
        Ok(skus
            .iter()
            .filter_map(|sku| {
                let at: Vec<(i64, i64)> = levels
                    .iter()
                    .filter(|level| &level.sku == sku)
                    .map(|level| (level.on_hand, level.reserved))
                    .collect();
                (!at.is_empty()).then(|| (sku.clone(), shop_available(&at, connection.stock_buffer)))
            })
            .collect())
    }

    /// The price the shop shows for each SKU: the connection's price list's where it has one,
    /// else the base price (SKUs we no longer sell are left out).
    pub(crate) async fn shop_prices(
        &self,
        connection: &ShopConnectionRow,
        skus: &[String],
    ) -> AppResult<Vec<(String, i64)>> {
        let listed: HashMap<String, i64> = match &connection.price_list_id {
            Some(id) => self
                .store
                .get_price_list(id)
                .await?
                .map(|list| list.entries.into_iter().map(|entry| (entry.sku, entry.price_minor)).collect())
                .unwrap_or_default(),
            None => HashMap::new(),
        };
        let mut prices = Vec::new();
        for sku in skus {
            if let Some(price) = listed.get(sku) {
                prices.push((sku.clone(), *price));
            } else if let Some((variant, _)) = self.store.find_variant(&connection.merchant_id, sku).await? {
                prices.push((sku.clone(), variant.price_minor));
            }
        }
        Ok(prices)
    }
}
