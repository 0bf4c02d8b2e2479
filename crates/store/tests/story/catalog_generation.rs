//! The catalog generation (issue 20): every write to what an order reads raises it, whatever
//! the table and on either backend; stock and orders leave it alone (or every order would
//! empty the nodes' snapshots); and an order priced at an older generation is refused
//! `CatalogChanged` with nothing stored, while one priced at the current generation is placed.

use omnicanal_store::{SoldOutSwitch, Store, StoreError};

use super::support::{Shop, T0};

/// Raises, leaves alone, refuses and places, in that order.
pub async fn catalog_generation_guards_orders_priced_from_a_snapshot(store: &dyn Store) {
    let generation = || async { store.catalog_generation().await.expect("generation") };
    let start = generation().await;
    let shop = Shop::open(store).await;
    let after_shop = generation().await;
    assert!(after_shop > start, "a site, merchant and location raise it: {start} → {after_shop}");
    shop.add_product(store, "PAN", 1_500, true).await;
    let after_product = generation().await;
    assert!(after_product > after_shop, "a product and its variant raise it");

    shop.restock(store, "PAN", 10).await.expect("restock");
    let placed = store.place_order(&shop.order(&[("PAN", 1, 1_500, true)], "card", T0)).await.expect("placed");
    assert_eq!(generation().await, after_product, "stock and orders leave it alone");

    let mut stale = shop.order(&[("PAN", 2, 1_500, true)], "card", T0);
    stale.catalog_generation = Some(after_product);
    let switch = SoldOutSwitch {
        location_id: shop.location.id.clone(),
        merchant_id: shop.merchant.id.clone(),
        sku: "PAN".into(),
        sold_out: true,
        track_stock: true,
        user_id: None,
        now_ms: T0,
        event_id: "evt_generation_switch".into(),
    };
    store.switch_sold_out(&switch).await.expect("switch off");
    let switched = generation().await;
    assert!(switched > after_product, "a sold-out switch raises it");
    let refused = store.place_order(&stale).await;
    assert!(matches!(refused, Err(StoreError::CatalogChanged)), "priced before the switch: {refused:?}");
    let level = shop.level(store, "PAN").await.expect("level");
    assert_eq!((level.on_hand, level.reserved), (10, 1), "the refused order reserved nothing");

    let switch_on = SoldOutSwitch { sold_out: false, event_id: "evt_generation_switch_on".into(), ..switch };
    store.switch_sold_out(&switch_on).await.expect("switch on");
    let mut current = shop.order(&[("PAN", 2, 1_500, true)], "card", T0);
    current.catalog_generation = Some(generation().await);
    let second = store.place_order(&current).await.expect("priced at the current generation");
    assert_ne!(second.order.id, placed.order.id);
    assert_eq!(shop.level(store, "PAN").await.expect("level").reserved, 3);
}
