//! Stock scenarios: the ledger's movements, order placement's all-or-nothing
//! reservation, and many concurrent orders racing for the last units.

use std::sync::Arc;

use omnicanal_domain::events::EventType;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_store::{OrderStore, OutboxRow, SqlStore, Store, StoreError};
use serde_json::{Value, json};

use crate::support::{Shop, T0};

/// The events after `seq`, oldest first.
pub async fn events_after(store: &dyn Store, seq: i64) -> Vec<OutboxRow> {
    store.outbox_after(seq, 1000).await.expect("outbox")
}

/// An event's payload as JSON.
pub fn payload(event: &OutboxRow) -> Value {
    serde_json::from_str(&event.payload_json).expect("payload is JSON")
}

/// Scenario 3: movements go up and down, never below zero, each with its `stock.changed` event.
pub async fn stock_ledger(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "CAF-250", 4990, true).await;
    assert_eq!(shop.level(store, "CAF-250").await, None, "no level before a movement");
    let head = store.outbox_head().await.expect("head");

    let receipt = shop.movement("CAF-250", 10);
    let level = store.apply_stock_movement(&receipt).await.expect("receipt");
    assert_eq!((level.on_hand, level.reserved, level.available), (10, 0, 10));
    let sale = shop.movement("CAF-250", -3);
    let level = store.apply_stock_movement(&sale).await.expect("adjustment");
    assert_eq!((level.on_hand, level.reserved, level.available), (7, 0, 7));
    assert_eq!(shop.level(store, "CAF-250").await, Some(level.clone()));

    let too_many = shop.restock(store, "CAF-250", -8).await;
    assert!(matches!(too_many, Err(StoreError::LedgerRefused)), "below zero is refused: {too_many:?}");
    assert_eq!(shop.level(store, "CAF-250").await, Some(level), "level unchanged");
    // A first movement that would go negative leaves no level row behind either.
    let phantom = shop.restock(store, "GHOST", -1).await;
    assert!(phantom.is_err(), "{phantom:?}");
    assert_eq!(shop.level(store, "GHOST").await, None);

    let events = events_after(store, head).await;
    assert_eq!(events.len(), 2, "one event per successful movement: {events:#?}");
    for (event, (movement, on_hand)) in events.iter().zip([(&receipt, 10), (&sale, 7)]) {
        assert_eq!(event.event_id, movement.event_id);
        assert_eq!(event.event_type, EventType::parse("stock.changed").expect("a type"));
        assert_eq!(event.merchant_id.as_deref(), Some(shop.merchant.id.as_str()));
        assert_eq!(event.location_id.as_deref(), Some(shop.location.id.as_str()));
        assert_eq!(event.sku.as_deref(), Some("CAF-250"));
        assert_eq!(event.order_id, None);
        assert_eq!(event.created_at_ms, T0);
        let expected = json!({
            "merchant_id": shop.merchant.id,
            "sku": "CAF-250",
            "location_id": shop.location.id,
            "on_hand": on_hand,
            "reserved": 0,
            "available": on_hand,
        });
        assert_eq!(payload(event), expected);
    }
    assert!(events[0].seq < events[1].seq);

    // Filters: by merchant, by location, by paging.
    let mut filter = omnicanal_store::StockFilter { merchant_id: Some(shop.merchant.id.clone()), ..Default::default() };
    assert_eq!(store.list_stock(&filter).await.expect("mine").len(), 1);
    filter.merchant_id = Some("someone-else".into());
    assert!(store.list_stock(&filter).await.expect("theirs").is_empty());
}

/// Scenario 4: placing an order reserves tracked lines, all or nothing.
pub async fn place_order_reserves_or_changes_nothing(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "SAND", 5900, true).await;
    shop.add_product(store, "JUICE", 2500, true).await;
    shop.add_product(store, "NAPKIN", 0, false).await;
    shop.restock(store, "SAND", 5).await.expect("stock sand");
    shop.restock(store, "JUICE", 1).await.expect("stock juice");

    // Tracked lines reserve; the untracked line needs no stock at all.
    let head = store.outbox_head().await.expect("head");
    let first = shop.order(&[("SAND", 2, 5900, true), ("NAPKIN", 3, 0, false)], "card", T0);
    let placed = store.place_order(&first).await.expect("first order");
    assert_eq!(placed.order.id, first.order.id);
    assert!(placed.order.number > 0);
    let stored = store.get_order(&first.order.id).await.expect("get").expect("stored");
    assert_eq!(stored, placed, "what place_order returns is what is stored");
    assert_eq!(stored.fulfillments[0].lines.len(), 2);
    let sand = shop.level(store, "SAND").await.expect("sand level");
    assert_eq!((sand.on_hand, sand.reserved, sand.available), (5, 2, 3));
    assert_eq!(shop.level(store, "NAPKIN").await, None);
    let events = events_after(store, head).await;
    let kinds: Vec<_> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(kinds, ["order.created", "stock.changed"]);
    let created = payload(&events[0]);
    assert_eq!(created["order_id"], json!(first.order.id));
    assert_eq!(created["number"], json!(placed.order.number));
    assert_eq!(created["total"], json!({"amount": 11800, "currency": "CLP"}));
    assert_eq!(events[0].event_id, first.event_id);
    assert_eq!(events[1].sku.as_deref(), Some("SAND"));
    assert_eq!(payload(&events[1])["reserved"], json!(2));

    // One short line: nothing happens, not even the reservation of the good line.
    let head = store.outbox_head().await.expect("head");
    let short = shop.order(&[("SAND", 1, 5900, true), ("JUICE", 2, 2500, true)], "card", T0);
    let outcome = store.place_order(&short).await;
    assert!(matches!(&outcome, Err(StoreError::InsufficientStock { sku }) if sku == "JUICE"), "{outcome:?}");
    assert_eq!(store.get_order(&short.order.id).await.expect("get"), None);
    let part = &short.fulfillments[0].id;
    assert_eq!(store.get_fulfillment(part).await.expect("get part"), None);
    assert_eq!(shop.level(store, "SAND").await.expect("sand").reserved, 2);
    assert_eq!(shop.level(store, "JUICE").await.expect("juice").reserved, 0);
    assert_eq!(store.outbox_head().await.expect("head"), head, "no event");

    // The rest of the stock can still be reserved; then the SKU is short.
    let second = shop.order(&[("SAND", 3, 5900, true)], "pay_at_pickup", T0 + 1);
    let second = store.place_order(&second).await.expect("second order");
    assert!(second.order.number > placed.order.number, "numbers increase");
    assert_eq!(shop.level(store, "SAND").await.expect("sand").available, 0);
    let sold_out = shop.order(&[("SAND", 1, 5900, true)], "card", T0 + 2);
    let outcome = store.place_order(&sold_out).await;
    assert!(matches!(&outcome, Err(StoreError::InsufficientStock { sku }) if sku == "SAND"), "{outcome:?}");
    let unstocked = shop.order(&[("NEVER-STOCKED", 1, 100, true)], "card", T0 + 2);
    let outcome = store.place_order(&unstocked).await;
    assert!(matches!(outcome, Err(StoreError::InsufficientStock { .. })), "{outcome:?}");
    let untracked = shop.order(&[("NAPKIN", 100, 0, false)], "card", T0 + 3);
    let third = store.place_order(&untracked).await.expect("untracked order");
    assert!(third.order.number > second.order.number, "numbers increase");

    // The location's queue, newest first, optionally by status.
    let location = &shop.location.id;
    let page = omnicanal_store::Page::default();
    let queue = store.list_location_fulfillments(location, None, page).await.expect("queue");
    let ids: Vec<_> = queue.iter().map(|part| part.order_id.as_str()).collect();
    let expected = [&third.order.id, &second.order.id, &placed.order.id].map(String::as_str);
    assert_eq!(ids, expected);
    assert_eq!(queue[2], placed.fulfillments[0], "lines attached");
    let placed_only = store.list_location_fulfillments(location, Some(FulfillmentStatus::Placed), page).await;
    assert_eq!(placed_only.expect("placed").len(), 3);
    let ready = store.list_location_fulfillments(location, Some(FulfillmentStatus::Ready), page).await;
    assert!(ready.expect("ready").is_empty());
}

/// Scenario 8: 50 concurrent one-unit orders for 10 units: exactly 10 succeed.
pub async fn concurrent_orders_never_oversell(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    shop.add_product(store, "LAST-10", 1000, true).await;
    shop.restock(store, "LAST-10", 10).await.expect("stock");

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = Arc::clone(&shared);
            let order = shop.order(&[("LAST-10", 1, 1000, true)], "card", T0);
            tokio::spawn(async move { store.place_order(&order).await })
        })
        .collect();
    let (mut numbers, mut short) = (Vec::new(), 0);
    for task in tasks {
        match task.await.expect("task") {
            Ok(record) => numbers.push(record.order.number),
            Err(StoreError::InsufficientStock { sku }) if sku == "LAST-10" => short += 1,
            Err(other) => panic!("unexpected error under contention: {other:?}"),
        }
    }
    assert_eq!((numbers.len(), short), (10, 40));
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 10, "distinct order numbers");
    let level = shop.level(store, "LAST-10").await.expect("level");
    assert_eq!((level.on_hand, level.reserved, level.available), (10, 10, 0));
    let events = events_after(store, 0).await;
    let created = events.iter().filter(|e| e.event_type == EventType::OrderCreated);
    assert_eq!(created.count(), 10, "one order.created per placed order");
}
