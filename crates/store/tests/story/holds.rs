//! Hold scenario: a part still `placed` when its stock hold lapses stops counting as
//! reserved at once (reads and new orders do not wait for the sweeper), and the sweeper
//! (or the next order at that location) cancels it, releasing the units and refunding it.

use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_store::{HOLD_EXPIRED_REASON, Page, StockFilter, Store, StoreError};

use crate::support::{Shop, T0};

/// The level of `sku` as seen at `now_ms`.
async fn level_at(store: &dyn Store, shop: &Shop, sku: &str, now_ms: i64) -> (i64, i64) {
    let filter = StockFilter {
        location_id: Some(shop.location.id.clone()),
        sku: Some(sku.into()),
        now_ms,
        page: Page::default(),
        ..StockFilter::default()
    };
    let level = store.list_stock(&filter).await.expect("stock").pop().expect("a level");
    (level.on_hand, level.reserved)
}

/// Scenario: lapsed holds are free for reads and new orders, then tidied by the sweeper.
pub async fn lapsed_holds_free_their_stock(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "EMP-PINO", 2500, true).await;
    shop.restock(store, "EMP-PINO", 3).await.expect("restock");

    let mut held = shop.order(&[("EMP-PINO", 2, 2500, true)], "card", T0);
    held.fulfillments[0].hold_expires_at_ms = Some(T0 + 60_000);
    let held = store.place_order(&held).await.expect("held order");
    assert_eq!(level_at(store, &shop, "EMP-PINO", T0).await, (3, 2), "held before the deadline");
    assert_eq!(level_at(store, &shop, "EMP-PINO", T0 + 60_000).await, (3, 0), "free once lapsed, before any sweep");

    // Before the deadline a second order for 2 is short; after it, the lapsed hold gives way.
    let early = store.place_order(&shop.order(&[("EMP-PINO", 2, 2500, true)], "card", T0 + 1_000)).await;
    assert!(matches!(early, Err(StoreError::InsufficientStock { .. })), "still held: {early:?}");
    let late = store.place_order(&shop.order(&[("EMP-PINO", 2, 2500, true)], "card", T0 + 61_000)).await;
    late.expect("the lapsed hold was released inside the new order's transaction");
    assert_eq!(level_at(store, &shop, "EMP-PINO", T0 + 61_000).await, (3, 2), "only the new order holds stock");

    let lapsed = store.get_order(&held.order.id).await.expect("read").expect("order");
    assert_eq!(lapsed.fulfillments[0].status, FulfillmentStatus::Cancelled);
    assert_eq!(lapsed.fulfillments[0].reason.as_deref(), Some(HOLD_EXPIRED_REASON));
    assert_eq!(lapsed.order.refunded_minor, 5_000, "the card part is refunded");
    assert_eq!(store.expire_due_holds(T0 + 120_000, 100).await.expect("sweep"), 0, "nothing left to sweep");
}

/// Scenario: the sweeper cancels lapsed parts on its own, and leaves accepted ones alone.
pub async fn sweeper_cancels_only_lapsed_placed_parts(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "ALF-MAN", 900, true).await;
    shop.restock(store, "ALF-MAN", 10).await.expect("restock");
    let mut lapsing = shop.order(&[("ALF-MAN", 4, 900, true)], "pay_at_pickup", T0);
    lapsing.fulfillments[0].hold_expires_at_ms = Some(T0 + 1_000);
    let lapsing = store.place_order(&lapsing).await.expect("order");
    let mut open_ended = shop.order(&[("ALF-MAN", 3, 900, true)], "card", T0);
    open_ended.fulfillments[0].hold_expires_at_ms = None;
    store.place_order(&open_ended).await.expect("order");

    assert_eq!(store.expire_due_holds(T0 + 999, 100).await.expect("sweep"), 0, "not yet due");
    assert_eq!(store.expire_due_holds(T0 + 1_000, 100).await.expect("sweep"), 1);
    let record = store.get_order(&lapsing.order.id).await.expect("read").expect("order");
    assert_eq!(record.fulfillments[0].status, FulfillmentStatus::Cancelled);
    assert_eq!((record.order.refunded_minor, record.order.outstanding_minor), (0, 0), "pay at pickup: nothing owed");
    assert_eq!(level_at(store, &shop, "ALF-MAN", 0).await, (10, 3), "released in the ledger itself");
}
