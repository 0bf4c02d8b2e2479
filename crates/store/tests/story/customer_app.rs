//! Customer app scenarios (issue #4): pickup slot capacity counted atomically inside the
//! order's transaction, places given back by rejected and lapsed parts, and the parts a
//! `notify_only` site must tell its customers about.

use std::sync::Arc;

use omnicanal_domain::fulfillment::{Actor, FulfillmentStatus, TransitionRequest, plan_transition};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::site::UnacceptedPolicy;
use omnicanal_domain::time::parse_rfc3339_ms;
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{
    FulfillmentChange, FulfillmentRecord, NewOrder, OrderStore, Preparation, SqlStore, Store, StoreError,
    unaccepted_notice_key,
};

use crate::support::{Shop, T0, id};

/// 2023-11-14T22:13:20Z is T0; slots start at :00, :15, :30 and :45.
const SLOT: &str = "2023-11-14T22:30";
const NEXT_SLOT: &str = "2023-11-14T22:45:00Z";

/// A one-line order to be picked up at `pickup_at`.
fn pickup_order(shop: &Shop, pickup_at: &str) -> NewOrder {
    let mut order = shop.order(&[("TACO", 1, 3000, false)], "card", T0);
    order.order.pickup_at = Some(pickup_at.to_owned());
    order
}

/// Sets the shop location's slot capacity (None: no limit).
async fn set_capacity(store: &dyn Store, shop: &Shop, capacity: Option<i64>) {
    let mut location = shop.location.clone();
    location.storefront.slot_capacity = capacity;
    store.update_location(&location).await.expect("update location");
}

async fn used(store: &dyn Store, shop: &Shop, from: &str, to: &str) -> i64 {
    let ms = |text: &str| parse_rfc3339_ms(text).expect("an RFC 3339 time");
    store.count_pickups(&shop.location.id, ms(from), ms(to)).await.expect("count pickups")
}

fn reject(part: &FulfillmentRecord) -> FulfillmentChange {
    let plan = plan_transition(TransitionRequest {
        from: FulfillmentStatus::Placed,
        to: FulfillmentStatus::Rejected,
        actor: Actor::Merchant,
        presented_pickup_code: None,
        pickup_code: &part.pickup_code,
        payment_method: PaymentMethod::Card,
        subtotal: Money::new(part.subtotal_minor, Currency::Clp),
    })
    .expect("placed → rejected is legal");
    FulfillmentChange {
        fulfillment_id: part.id.clone(),
        plan,
        reason: Some("sin stock".into()),
        preparation: Preparation::default(),
        now_ms: T0 + 1_000,
        event_id: id("evt"),
        money_event_id: id("evt"),
    }
}

/// Scenario: N places in a slot, 20 buyers at once: exactly N orders exist afterwards, the
/// others left nothing behind; rejected and lapsed parts give their place back.
pub async fn pickup_slots_hold_exactly_their_capacity(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    shop.add_product(store, "TACO", 3000, false).await;
    let capacity = 4;
    set_capacity(store, &shop, Some(capacity)).await;

    let tasks: Vec<_> = (0..20)
        .map(|n| {
            let store = Arc::clone(&shared);
            // Different minutes of one slot are the same slot.
            let order = pickup_order(&shop, &format!("{SLOT}:{:02}Z", n % 60));
            tokio::spawn(async move { (order.order.id.clone(), store.place_order(&order).await) })
        })
        .collect();
    let (mut placed, mut refused) = (Vec::new(), Vec::new());
    for task in tasks {
        match task.await.expect("task") {
            (order_id, Ok(record)) => {
                assert_eq!(record.order.id, order_id);
                placed.push(record);
            }
            (order_id, Err(StoreError::SlotFull { location_name })) => {
                assert_eq!(location_name, "Level 3 counter");
                refused.push(order_id);
            }
            (_, Err(other)) => panic!("unexpected error under contention: {other:?}"),
        }
    }
    assert_eq!((placed.len(), refused.len()), (4, 16), "exactly the slot's capacity is placed");
    for order_id in &refused {
        assert_eq!(store.get_order(order_id).await.expect("read"), None, "a refused order leaves nothing behind");
    }
    let slot_start = format!("{SLOT}:00Z");
    assert_eq!(used(store, &shop, &slot_start, NEXT_SLOT).await, capacity);
    assert_eq!(used(store, &shop, NEXT_SLOT, "2023-11-14T23:00:00Z").await, 0);

    // The next slot has its own places; an order without a pickup time takes none.
    store.place_order(&pickup_order(&shop, NEXT_SLOT)).await.expect("the next slot has room");
    store.place_order(&shop.order(&[("TACO", 1, 3000, false)], "card", T0)).await.expect("as soon as possible");
    let full = store.place_order(&pickup_order(&shop, &format!("{SLOT}:59Z"))).await;
    assert!(matches!(full, Err(StoreError::SlotFull { .. })), "still full: {full:?}");

    // A rejected part gives its place back, once.
    let first = &placed[0].fulfillments[0];
    store.apply_transition(&reject(first)).await.expect("reject");
    assert_eq!(used(store, &shop, &slot_start, NEXT_SLOT).await, capacity - 1);
    let again = store.apply_transition(&reject(first)).await;
    assert!(again.is_err(), "a part is rejected once");
    assert_eq!(used(store, &shop, &slot_start, NEXT_SLOT).await, capacity - 1);
    let taker = store.place_order(&pickup_order(&shop, &slot_start)).await.expect("the freed place is taken");

    // A part whose hold lapses is cancelled and gives its place back too.
    let mut lapsing = pickup_order(&shop, NEXT_SLOT);
    lapsing.fulfillments[0].hold_expires_at_ms = Some(T0 + 60_000);
    store.place_order(&lapsing).await.expect("a lapsing order");
    let next_end = "2023-11-14T23:00:00Z";
    assert_eq!(used(store, &shop, NEXT_SLOT, next_end).await, 2);
    assert_eq!(store.expire_due_holds(T0 + 60_000, 10).await.expect("sweep"), 1);
    assert_eq!(used(store, &shop, NEXT_SLOT, next_end).await, 1);

    // Lowering the capacity below what is taken refuses new orders and keeps the placed ones.
    set_capacity(store, &shop, Some(1)).await;
    let lowered = store.place_order(&pickup_order(&shop, &slot_start)).await;
    assert!(matches!(lowered, Err(StoreError::SlotFull { .. })), "{lowered:?}");
    assert!(store.get_order(&taker.order.id).await.expect("read").is_some());
    // Without a limit every order is counted and none refused.
    set_capacity(store, &shop, None).await;
    for _ in 0..3 {
        store.place_order(&pickup_order(&shop, &slot_start)).await.expect("no limit");
    }
    assert_eq!(used(store, &shop, &slot_start, NEXT_SLOT).await, capacity + 3);
    // A malformed pickup time is refused rather than counted nowhere.
    let malformed = store.place_order(&pickup_order(&shop, "tomorrow at noon")).await;
    assert!(matches!(malformed, Err(StoreError::Corrupt(_))), "{malformed:?}");
}

/// Scenario: a site's unaccepted policy is stored, and only `notify_only` sites list their
/// parts that passed the acceptance limit, each until its notice is claimed.
pub async fn unaccepted_parts_are_listed_for_notify_only_sites(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "TACO", 3000, false).await;
    assert_eq!(shop.site.unaccepted_policy, UnacceptedPolicy::CancelAndRefund, "the default cancels and refunds");
    store.set_site_accept_within(&shop.site.id, Some(10)).await.expect("limit");
    let waiting = store.place_order(&shop.order(&[("TACO", 1, 3000, false)], "card", T0)).await.expect("order");
    let accepted = store.place_order(&shop.order(&[("TACO", 1, 3000, false)], "card", T0)).await.expect("order");
    let part = &waiting.fulfillments[0];
    let limit_ms = T0 + 10 * 60_000;
    assert!(store.parts_due_unaccepted_notice(0, limit_ms, 10).await.expect("due").is_empty(), "cancel policy");

    store.set_site_unaccepted_policy(&shop.site.id, UnacceptedPolicy::NotifyOnly).await.expect("notify only");
    let site = store.get_site(&shop.site.id).await.expect("read").expect("site");
    assert_eq!(site.unaccepted_policy, UnacceptedPolicy::NotifyOnly);
    let missing = store.set_site_unaccepted_policy("site-nope", UnacceptedPolicy::NotifyOnly).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));

    // The accepted part is not waiting any more.
    let accept = plan_transition(TransitionRequest {
        from: FulfillmentStatus::Placed,
        to: FulfillmentStatus::Accepted,
        actor: Actor::Merchant,
        presented_pickup_code: None,
        pickup_code: "4821",
        payment_method: PaymentMethod::Card,
        subtotal: Money::new(3000, Currency::Clp),
    })
    .expect("accept");
    let change = FulfillmentChange {
        fulfillment_id: accepted.fulfillments[0].id.clone(),
        plan: accept,
        reason: None,
        preparation: Preparation::default(),
        now_ms: T0 + 1_000,
        event_id: id("evt"),
        money_event_id: id("evt"),
    };
    store.apply_transition(&change).await.expect("accepted");

    assert!(store.parts_due_unaccepted_notice(0, limit_ms - 1, 10).await.expect("due").is_empty(), "not yet");
    assert_eq!(store.parts_due_unaccepted_notice(0, limit_ms, 10).await.expect("due"), vec![part.id.clone()]);
    assert!(store.parts_due_unaccepted_notice(T0, limit_ms, 10).await.expect("due").is_empty(), "older parts skipped");
    assert!(store.claim_notification(&unaccepted_notice_key(&part.id), "due", limit_ms).await.expect("claim"));
    assert!(!store.claim_notification(&unaccepted_notice_key(&part.id), "due", limit_ms).await.expect("claim"));
    assert!(store.parts_due_unaccepted_notice(0, limit_ms, 10).await.expect("due").is_empty(), "claimed once");
    // The part itself stays placed: nothing cancels it.
    let still = store.get_fulfillment(&part.id).await.expect("read").expect("part");
    assert_eq!(still.status, FulfillmentStatus::Placed);
}
